//! Applying one log entry: the window check, the signer's role, the dispatcher that sends
//! each operation to its family's check, the commit of the checked plan and the entry's
//! record in the journal; genesis, the first entry; and admitting a retry of a committed
//! request. A refusal anywhere before the commit leaves the state exactly as it was.

use super::{LedgerFacts, State, journal};
use super::{areas, budget, catalogue, members, policy, registry, settlement, subjects, terminals};
use super::{assistance, benefits, casework, children, claims, points, projects, redemption};
use super::{elderly, funeral, organizations, places, rescue, reversal};
use crate::crypto;
use crate::ledger::admitted::Admitted;
use crate::ledger::transaction::{Genesis, Operation, Transaction};
use crate::ledger::{
    EntryRecord, KeyId, KeyRecord, Period, Refusal, RequestId, Role, Sequence, UnixMs,
};

/// What every family's check sees of the entry being decided.
pub(super) struct Context {
    /// The position the entry will take.
    pub(super) sequence: Sequence,
    /// Its commit time (never before the previous entry's).
    pub(super) committed_at: UnixMs,
    /// The key that signed it.
    pub(super) signer: KeyId,
    /// That key's role at this position.
    pub(super) role: Role,
    /// What genesis fixed.
    pub(super) facts: LedgerFacts,
    /// Whether the payment code's signature is still to be verified (against the key set).
    pub(super) spend_unchecked: bool,
}

/// A checked operation, ready to commit.
pub(super) enum Plan {
    Registry(registry::Plan),
    Areas(areas::Plan),
    Catalogue(catalogue::Plan),
    Policy(policy::Plan),
    Members(members::Plan),
    Subjects(subjects::Plan),
    Casework(casework::Plan),
    Benefits(benefits::Plan),
    Assistance(assistance::Plan),
    Children(children::Plan),
    Projects(projects::Plan),
    Places(places::Plan),
    Organizations(Box<organizations::Plan>),
    Funeral(funeral::Plan),
    Elderly(Box<elderly::Plan>),
    Rescue(rescue::Plan),
    Claims(claims::Plan),
    Budget(budget::Plan),
    Points(points::Plan),
    Redemption(redemption::Plan),
    Reversal(reversal::Plan),
    Terminals(terminals::Plan),
    Settlement(settlement::Plan),
}

impl Plan {
    pub(super) fn commit(self, state: &mut State, ctx: &Context) -> journal::Effects {
        match self {
            Plan::Registry(plan) => plan.commit(state, ctx),
            Plan::Areas(plan) => plan.commit(state, ctx),
            Plan::Catalogue(plan) => plan.commit(state, ctx),
            Plan::Policy(plan) => plan.commit(state, ctx),
            Plan::Members(plan) => plan.commit(state),
            Plan::Subjects(plan) => plan.commit(state, ctx),
            Plan::Casework(plan) => plan.commit(state),
            Plan::Benefits(plan) => plan.commit(state),
            Plan::Assistance(plan) => plan.commit(state),
            Plan::Children(plan) => plan.commit(state),
            Plan::Projects(plan) => plan.commit(state),
            Plan::Places(plan) => plan.commit(state),
            Plan::Organizations(plan) => plan.commit(state),
            Plan::Funeral(plan) => plan.commit(state),
            Plan::Elderly(plan) => plan.commit(state),
            Plan::Rescue(plan) => plan.commit(state),
            Plan::Claims(plan) => plan.commit(state, ctx),
            Plan::Budget(plan) => plan.commit(state),
            Plan::Points(plan) => plan.commit(state),
            Plan::Redemption(plan) => plan.commit(state),
            Plan::Reversal(plan) => plan.commit(state),
            Plan::Terminals(plan) => plan.commit(state, ctx),
            Plan::Settlement(plan) => plan.commit(state, ctx),
        }
    }
}

impl State {
    /// Refusal if `request_id` was committed with another body; the original entry if it was
    /// committed with the same body; `None` if it is new.
    pub fn check_request(
        &self,
        request_id: &RequestId,
        body_sha256: &[u8; 32],
    ) -> Result<Option<&EntryRecord>, Refusal> {
        match self.entry_for_request(request_id) {
            None => Ok(None),
            Some(entry) if &entry.body_sha256 == body_sha256 => Ok(Some(entry)),
            Some(entry) => Err(Refusal::RequestIdReused {
                request_id: request_id.to_string(),
                sequence: entry.sequence.get(),
            }),
        }
    }

    /// Applies an admitted transaction as the next log entry, committed at `committed_at`
    /// (never before the previous entry). On success the state has advanced by one entry and
    /// its record is returned; on refusal nothing changed.
    pub fn apply(
        &mut self,
        committed_at: UnixMs,
        admitted: &Admitted,
    ) -> Result<&EntryRecord, Refusal> {
        let tx = admitted.transaction();
        if let Some(entry) = self.entry_for_request(&tx.request_id) {
            return Err(Refusal::RequestIdReused {
                request_id: tx.request_id.to_string(),
                sequence: entry.sequence.get(),
            });
        }
        let sequence = Sequence(self.len());
        let committed_at = committed_at.max(self.last_committed_at());
        let Some(facts) = self.facts else {
            return self.genesis(admitted, sequence, committed_at);
        };
        if let Operation::Genesis(_) = tx.operation {
            return Err(Refusal::GenesisNotFirst);
        }
        check_window(
            tx.not_after,
            committed_at,
            facts.parameters.max_transaction_window_ms,
        )?;
        let signer = admitted.signer();
        let ctx = Context {
            sequence,
            committed_at,
            signer,
            role: self.signer_role(&signer, &tx.operation)?,
            facts,
            spend_unchecked: admitted.spend_unchecked(),
        };
        let plan = self.check(&ctx, &tx.operation)?;
        let effects = plan.commit(self, &ctx);
        self.record(&ctx, tx, admitted.body_sha256(), effects);
        self.journal.last().ok_or(Refusal::GenesisMissing)
    }

    /// The dispatcher: each operation to its family's check (one arm per family, so a new
    /// operation of a family does not change it).
    fn check(&self, ctx: &Context, operation: &Operation) -> Result<Plan, Refusal> {
        Ok(match operation {
            Operation::Genesis(_) => return Err(Refusal::GenesisNotFirst),
            Operation::Registry(op) => Plan::Registry(registry::check(self, ctx, op)?),
            Operation::Areas(op) => Plan::Areas(areas::check(self, ctx, op)?),
            Operation::Catalogue(op) => Plan::Catalogue(catalogue::check(self, ctx, op)?),
            Operation::Policy(op) => Plan::Policy(policy::check(self, ctx, op)?),
            Operation::Members(op) => Plan::Members(members::check(self, ctx, op)?),
            Operation::Subjects(op) => Plan::Subjects(subjects::check(self, ctx, op)?),
            Operation::Casework(op) => Plan::Casework(casework::check(self, ctx, op)?),
            Operation::Benefits(op) => Plan::Benefits(benefits::check(self, ctx, op)?),
            Operation::Assistance(op) => Plan::Assistance(assistance::check(self, ctx, op)?),
            Operation::Children(op) => Plan::Children(children::check(self, ctx, op)?),
            Operation::Projects(op) => Plan::Projects(projects::check(self, ctx, op)?),
            Operation::Organizations(op) => {
                Plan::Organizations(Box::new(organizations::check(self, ctx, op)?))
            }
            Operation::Funeral(op) => Plan::Funeral(funeral::check(self, ctx, op)?),
            Operation::Elderly(op) => Plan::Elderly(Box::new(elderly::check(self, ctx, op)?)),
            Operation::Rescue(op) => Plan::Rescue(rescue::check(self, ctx, op)?),
            Operation::Places(op) => Plan::Places(places::check(self, ctx, op)?),
            Operation::Claims(op) => Plan::Claims(claims::check(self, ctx, op)?),
            Operation::Budget(op) => Plan::Budget(budget::check(self, ctx, op)?),
            Operation::Points(op) => Plan::Points(points::check(self, ctx, op)?),
            Operation::Redemption(op) => Plan::Redemption(redemption::check(self, ctx, op)?),
            Operation::Reversal(op) => Plan::Reversal(reversal::check(self, ctx, op)?),
            Operation::Terminals(op) => Plan::Terminals(terminals::check(self, ctx, op)?),
            Operation::Settlement(op) => Plan::Settlement(settlement::check(self, ctx, op)?),
        })
    }

    /// The first entry: fixes the ledger id, the log key and the parameters, and registers
    /// the first bureau admin key, which signs it.
    fn genesis(
        &mut self,
        admitted: &Admitted,
        sequence: Sequence,
        committed_at: UnixMs,
    ) -> Result<&EntryRecord, Refusal> {
        let tx = admitted.transaction();
        let Operation::Genesis(Genesis {
            ledger_id,
            admin_key,
            log_key,
            parameters,
        }) = &tx.operation
        else {
            return Err(Refusal::GenesisMissing);
        };
        let signer = admitted.signer();
        if crypto::key_id(admin_key) != signer {
            return Err(Refusal::UnknownKey { key_id: signer });
        }
        check_window(
            tx.not_after,
            committed_at,
            parameters.max_transaction_window_ms,
        )?;
        let facts = LedgerFacts {
            ledger_id: *ledger_id,
            log_key: *log_key,
            parameters: *parameters,
        };
        self.facts = Some(facts);
        self.keys.register(
            signer,
            KeyRecord {
                public_key: *admin_key,
                role: Role::BureauAdmin,
                registered_at: sequence,
                revoked_at: None,
            },
        );
        let ctx = Context {
            sequence,
            committed_at,
            signer,
            role: Role::BureauAdmin,
            facts,
            spend_unchecked: false,
        };
        self.record(
            &ctx,
            tx,
            admitted.body_sha256(),
            journal::Effects::default(),
        );
        self.journal.last().ok_or(Refusal::GenesisMissing)
    }

    fn record(
        &mut self,
        ctx: &Context,
        tx: &Transaction,
        body_sha256: [u8; 32],
        effects: journal::Effects,
    ) {
        let mut accounts = effects.accounts;
        for posting in &effects.postings {
            accounts.push(posting.debit.clone());
            accounts.push(posting.credit.clone());
        }
        accounts.sort();
        accounts.dedup();
        self.journal.record(EntryRecord {
            sequence: ctx.sequence,
            committed_at: ctx.committed_at,
            request_id: tx.request_id,
            body_sha256,
            signer: ctx.signer,
            kind: tx.operation.kind(),
            postings: effects.postings,
            accounts,
            issuer: effects.issuer,
            reversed_by: None,
            reverses: effects.reverses,
            refunds: effects.refunds,
            arrears_paid: effects.arrears_paid,
            lots_taken: effects.lots_taken,
        });
        if let Some(entry) = self.journal.last() {
            // A sale counts in its month's statement; its refunds and reversal in the same.
            let sale = entry.refunds.or(entry.reverses).unwrap_or(entry.sequence);
            if let Ok(sold) = self.journal.entry(sale) {
                let month = Period::containing(sold.committed_at.get());
                self.settlement.note(entry, month);
            }
            self.reports.note(entry);
        }
    }

    /// Admits a transaction: the original record (and `true`) if its request id and body
    /// were already committed and this copy is signed by the original signer, otherwise
    /// [`State::apply`].
    pub fn admit(
        &mut self,
        committed_at: UnixMs,
        admitted: &Admitted,
    ) -> Result<(&EntryRecord, bool), Refusal> {
        if self.facts.is_none() {
            let record = self.apply(committed_at, admitted)?;
            return Ok((record, false));
        }
        // The signer's standing comes first: nothing about the log (not even whether a request
        // id was used) is told to an unknown or revoked key, retries included.
        let signer = admitted.signer();
        self.signer_role(&signer, &admitted.transaction().operation)?;
        let original = self
            .check_request(&admitted.transaction().request_id, &admitted.body_sha256())?
            .map(|e| (e.sequence, e.signer));
        if let Some((sequence, original_signer)) = original {
            // The original receipt goes only to a retry signed by the original signer.
            if signer != original_signer {
                return Err(Refusal::NotOriginalSigner {
                    sequence: sequence.get(),
                    signer: original_signer,
                });
            }
            return Ok((self.journal.entry(sequence)?, true));
        }
        let record = self.apply(committed_at, admitted)?;
        Ok((record, false))
    }
}

fn check_window(not_after: UnixMs, now: UnixMs, max_window_ms: u64) -> Result<(), Refusal> {
    if not_after < now {
        return Err(Refusal::Expired {
            not_after: not_after.get(),
            now: now.get(),
        });
    }
    if not_after.since(now) > max_window_ms {
        return Err(Refusal::WindowTooLong {
            not_after: not_after.get(),
            now: now.get(),
            max_window_ms,
        });
    }
    Ok(())
}
