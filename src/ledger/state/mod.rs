//! The state machine: `apply` one log entry to the state, or refuse it and change nothing.
//!
//! The state is made of rooms, each owning its part: the key set ([`keys`]), the accounts and
//! lots ([`accounts`]), the journal of entries and its indexes ([`journal`]), and what
//! redemptions used up ([`redemption`]). Every rule of who may act or read is in
//! [`authority`]. Each operation family (registry, budget, points, redemption, reversal) has a
//! room that **checks** a transaction against the state without changing it and returns a
//! plan (or a [`Refusal`]); **committing** a plan cannot fail. So a refusal leaves the state
//! exactly as it was, and nothing on the writer's thread can panic half-way.
//!
//! Every part is a persistent structure (`imbl`), so a clone shares everything: the writer
//! publishes a clone after each durable group and readers use it without blocking the writer.

use ed25519_dalek::VerifyingKey;

use crate::crypto;
use crate::ledger::admitted::Admitted;
use crate::ledger::transaction::{Genesis, LedgerParameters, Operation, Transaction};
use crate::ledger::{
    AccountId, KeyId, LedgerId, Period, Refusal, RequestId, Role, Sequence, UnixMs,
};

mod accounts;
mod areas;
mod assistance;
mod authority;
mod benefits;
mod boards;
mod budget;
mod casework;
mod catalogue;
mod children;
mod claims;
mod journal;
mod keys;
mod members;
mod points;
mod policy;
mod redemption;
mod registry;
mod reports;
mod reversal;
mod settlement;
mod staged;
mod subjects;
mod terminals;
mod verify;
mod versions;

pub use accounts::{AccountView, LotView};
pub use areas::{AreaView, AreasKind, AreasOp};
pub use assistance::tasks::{Task, TaskKind, TaskPage};
pub use assistance::{
    ALERT_KINDS, Alert, AssistanceKind, AssistanceOp, CareAgreement, Commitment, MAX_VISITS,
};
pub use authority::{
    may_read_case, may_read_issuer_report, may_read_statement, may_see_near_match, read_denied,
    reads_everything, require_directory_exporter, require_identity_tagger, require_log_reader,
    require_near_match_reader, sees_benefits, sees_cases,
};
pub use authority::{require_child_reader, sees_children};
pub use benefits::{
    BatchView, BenefitsKind, BenefitsOp, EnrollmentView, MAX_BATCH_LINES, PaymentLine,
    SchemeVersion, SchemeView, UnitHolder, UnitView,
};
pub use boards::{Board, BoardLine, BoardPeriod, MAX_BOARD_LINES};
pub use budget::{BudgetKind, BudgetOp};
pub use casework::lists::{CaseFilter, CasePage, CaseQuery};
pub use casework::types as case_types;
pub use casework::{
    CaseObjection, CaseStep, CaseView, CaseworkKind, CaseworkOp, ObjectionResolution,
};
pub use catalogue::{
    Cap, CapHolder, CapPeriod, CatalogueHeader, CatalogueKind, CatalogueOp, CatalogueRef,
    CatalogueScope, CatalogueStatus, CatalogueView, MAX_CAPS_PER_RULE, MAX_CATALOGUE_RULES,
    MAX_RULES_PER_ADD, Resolution, Rule, Sign, Which,
};
pub use children::tasks::ChildTaskKind;
pub use children::{
    CONCERN_SOURCES, CategoryRecord, ChildCategory, ChildFile, ChildVisit, ChildrenKind,
    ChildrenOp, ConcernReport, ConcernState, MAX_CHILD_VISITS,
};
pub use claims::{
    AwardRequest, Claim, ClaimRequest, ClaimStatus, ClaimsKind, ClaimsOp, ClaimsPage, Decision,
    MAX_CLAIMS_PER_NOTICE, Notice, NoticeView, Objection, Outcome, ReviewRecord,
};
pub use journal::{EntryRecord, HistoryFilter, HistoryPage};
pub use keys::{KeyRecord, PublicKeys};
pub use members::{MembersKind, MembersOp, Membership, OfficerHousehold};
pub use points::{PointsAction, PointsKind, PointsOp};
pub use policy::{
    LotExpiry, MAX_CLAIM_AGE_DAYS, MAX_LOT_MONTHS, MAX_NOTICE_DAYS, MAX_REVIEWERS_REQUIRED,
    MAX_STAR_LEVELS, Policy, PolicyKind, PolicyOp, PolicyView,
};
pub use redemption::{
    MAX_LINE_QUANTITY, MAX_SALE_LINES, PaymentCode, RedemptionKind, RedemptionOp, SaleLine,
};
pub use registry::{RegistryKind, RegistryOp};
pub use reports::IssuerMonth;
pub use reversal::{ReversalKind, ReversalOp};
pub use settlement::{SettlementKind, SettlementOp, Statement, StatementLine};
pub use staged::TakenLot;
pub use subjects::{NearMatchFinding, SubjectView, SubjectsKind, SubjectsOp};
pub use terminals::{
    ACTIVATION_CODE_BYTES, MAX_ACTIVATION_WINDOW_MS, TerminalStatus, TerminalsKind, TerminalsOp,
    activation_code_hash,
};

/// What genesis fixed.
#[derive(Clone, Copy, Debug)]
struct LedgerFacts {
    ledger_id: LedgerId,
    log_key: VerifyingKey,
    parameters: LedgerParameters,
}

/// The ledger's whole derived state.
#[derive(Clone, Debug, Default)]
pub struct State {
    facts: Option<LedgerFacts>,
    keys: keys::KeySet,
    accounts: accounts::Accounts,
    journal: journal::Journal,
    redemptions: redemption::Redemptions,
    areas: areas::Areas,
    catalogues: catalogue::Catalogues,
    policies: policy::Policies,
    members: members::Members,
    subjects: subjects::Subjects,
    cases: casework::Cases,
    benefits: benefits::Benefits,
    assistance: assistance::Assistance,
    children: children::Children,
    claims: claims::Claims,
    terminals: terminals::Terminals,
    settlement: settlement::Settlement,
    reports: reports::Reports,
}

/// What every family's check sees of the entry being decided.
struct Context {
    /// The position the entry will take.
    sequence: Sequence,
    /// Its commit time (never before the previous entry's).
    committed_at: UnixMs,
    /// The key that signed it.
    signer: KeyId,
    /// That key's role at this position.
    role: Role,
    /// What genesis fixed.
    facts: LedgerFacts,
    /// Whether the payment code's signature is still to be verified (against the key set).
    spend_unchecked: bool,
}

/// A checked operation, ready to commit.
enum Plan {
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
    Claims(claims::Plan),
    Budget(budget::Plan),
    Points(points::Plan),
    Redemption(redemption::Plan),
    Reversal(reversal::Plan),
    Terminals(terminals::Plan),
    Settlement(settlement::Plan),
}

impl Plan {
    fn commit(self, state: &mut State, ctx: &Context) -> journal::Effects {
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
    /// An empty state, before genesis.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of entries applied (the log size).
    pub fn len(&self) -> u64 {
        self.journal.len()
    }

    /// True before genesis.
    pub fn is_empty(&self) -> bool {
        self.journal.len() == 0
    }

    /// The ledger id (after genesis).
    pub fn ledger_id(&self) -> Option<LedgerId> {
        self.facts.map(|f| f.ledger_id)
    }

    /// The ledger parameters (after genesis).
    pub fn parameters(&self) -> Option<LedgerParameters> {
        self.facts.map(|f| f.parameters)
    }

    /// The log (checkpoint) public key (after genesis).
    pub fn log_key(&self) -> Option<VerifyingKey> {
        self.facts.map(|f| f.log_key)
    }

    /// The commit time of the last entry, or 0.
    pub fn last_committed_at(&self) -> UnixMs {
        self.journal.last_committed_at()
    }

    /// A registered key.
    pub fn key(&self, key_id: &KeyId) -> Option<&KeyRecord> {
        self.keys.get(key_id)
    }

    /// One page of the keys that could sign the entry at position `size`; see
    /// the key set room.
    pub fn key_set_page(
        &self,
        size: u64,
        from: usize,
        limit: usize,
    ) -> (Vec<(KeyId, &KeyRecord)>, Option<usize>) {
        self.keys.page(size, from, limit)
    }

    /// The role of a registered, unrevoked key that is not a blocked terminal.
    pub fn active_role(&self, key_id: &KeyId) -> Result<&Role, Refusal> {
        let role = self.keys.active_role(key_id)?;
        self.terminals.refuse_blocked(key_id)?;
        Ok(role)
    }

    /// The role `signer` acts in for `operation`: its registered role, or, for a terminal's
    /// activation signed by the new key it registers, the terminal role it asks for (the
    /// terminals room then checks the activation code).
    fn signer_role(&self, signer: &KeyId, operation: &Operation) -> Result<Role, Refusal> {
        if let Operation::Terminals(op @ TerminalsOp::ActivateTerminal { shop, .. }) = operation
            && self.keys.get(signer).is_none()
            && op.activated_key().map(crypto::key_id) == Some(*signer)
        {
            return Ok(Role::ShopTerminal(shop.clone()));
        }
        self.active_role(signer).cloned()
    }

    /// The entry at `sequence`.
    pub fn entry(&self, sequence: Sequence) -> Result<&EntryRecord, Refusal> {
        self.journal.entry(sequence)
    }

    /// The entry that committed `request_id`, if any.
    pub fn entry_for_request(&self, request_id: &RequestId) -> Option<&EntryRecord> {
        self.journal.entry_for_request(request_id)
    }

    /// One page of history matching `filter`, oldest first.
    pub fn history(&self, filter: &HistoryFilter) -> HistoryPage<'_> {
        self.journal.history(filter)
    }

    /// One page of the registered areas within `within` (all for `None`), in code order,
    /// after `after`, at most `limit`; and where the next page starts.
    pub fn areas_page(
        &self,
        within: Option<&crate::ledger::AreaCode>,
        after: Option<&crate::ledger::AreaCode>,
        limit: usize,
    ) -> (Vec<AreaView>, Option<crate::ledger::AreaCode>) {
        self.areas.page(within, after, limit)
    }

    /// The village area a village issuer is in, if it was placed.
    pub fn village_area(
        &self,
        village: &crate::ledger::IssuerId,
    ) -> Option<&crate::ledger::AreaCode> {
        self.areas.of_village(village)
    }

    /// Sum of all balances including the bureau fund; always 0 (points are conserved).
    pub fn total_balance(&self) -> i128 {
        self.accounts.total()
    }

    /// Every account that exists, in a stable order.
    pub fn accounts(&self) -> Vec<AccountId> {
        self.accounts.ids()
    }

    /// A view of one account.
    pub fn account(&self, account: &AccountId) -> Result<AccountView, Refusal> {
        // What is spendable is judged on the date of the last entry.
        let today = crate::ledger::CivilDate::of(self.last_committed_at());
        self.accounts.view(account, today)
    }

    /// Whether `role` may read `account` (the authority room decides).
    pub fn may_read_account(&self, role: &Role, account: &AccountId) -> bool {
        authority::may_read_account(&self.accounts, role, account)
    }

    /// The accounts staged for one transaction's checks at `ctx`'s commit date.
    fn stage(&self, ctx: &Context) -> staged::Staged<'_> {
        self.accounts.stage(
            crate::ledger::CivilDate::of(ctx.committed_at),
            &self.policies,
        )
    }

    /// Whether `role` may read `village`'s claims (of `household`, if given).
    pub fn may_read_claims(
        &self,
        role: &Role,
        village: &crate::ledger::IssuerId,
        household: Option<&crate::ledger::HouseholdId>,
    ) -> bool {
        authority::may_read_claims(&self.accounts, role, village, household)
    }

    /// Whether `role` may read a notice of `village`.
    pub fn may_read_notice(&self, role: &Role, village: &crate::ledger::IssuerId) -> bool {
        authority::may_read_notice(&self.accounts, role, village)
    }

    /// Whether `role` may read `entry`: it may read one of the entry's accounts.
    pub fn may_read_entry(&self, role: &Role, entry: &EntryRecord) -> bool {
        authority::may_read_entry(&self.accounts, role, entry)
    }

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

#[cfg(test)]
mod tests;
