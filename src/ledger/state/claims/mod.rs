//! The claims family: a deed claimed under a rule of the village's catalogue, reviewed,
//! put on public notice (公示) in a batch, objected to, and posted when the notice is
//! finalized. The points are always the rule's `points_per_unit × quantity`.
//!
//! Checks are split by step: submitting and withdrawing ([`submit`]), reviewing and what an
//! approval must fit (caps, budget, narrowing; [`review`]), notices, objections and the
//! posting ([`notice`]). Every check returns a [`Plan`] of replacements and index updates that
//! commits without failing.

use std::fmt;
use std::sync::Arc;

use imbl::{OrdMap, OrdSet};

use super::catalogue::{CapHolder, CapPeriod};
use super::journal::Effects;
use super::staged::AccountChanges;
use super::{Context, State};
use crate::ledger::{
    AccountId, CivilDate, ClaimId, HouseholdId, IssuerId, MemberId, NoticeId, ObjectionId, Points,
    Posting, Refusal, RuleCode, Sequence,
};

mod award;
mod expiry;
mod notice;
mod queries;
mod reverse;
mod review;
mod submit;
mod types;

pub use queries::{ClaimsPage, NoticeView};
pub use types::{
    AwardRequest, Claim, ClaimRequest, ClaimStatus, ClaimsKind, ClaimsOp, Decision, Notice,
    Objection, Outcome, ReviewRecord,
};

/// The most claims one notice batch may hold: 100.
pub const MAX_CLAIMS_PER_NOTICE: usize = 100;
/// The most objections one claim may receive: 50, so a notice of 100 claims with all their
/// objections stays readable in one reply.
pub const MAX_OBJECTIONS_PER_CLAIM: usize = 50;
/// The most objections one key may file against one claim: 3 (and one open at a time), so no
/// one key uses up a claim's objections.
pub const MAX_OBJECTIONS_PER_KEY: usize = 3;
/// The most review steps one claim may take: 50.
pub const MAX_REVIEWS_PER_CLAIM: usize = 50;

/// Who a cap counts for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Holder {
    Household(HouseholdId),
    Member(MemberId),
}

/// One counter of a cap: a village's rule code, a holder and a period of deed dates.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct CapKey {
    village: IssuerId,
    rule: RuleCode,
    holder: Holder,
    period: CapPeriod,
    year: i64,
    index: u8,
}

/// A deed: the same rule, household and date is claimed once.
type DeedKey = (HouseholdId, RuleCode, CivilDate);

/// Every claim, notice and objection, and the counters that keep caps, budgets and
/// duplicates in check.
#[derive(Clone, Debug, Default)]
pub(super) struct Claims {
    claims: OrdMap<ClaimId, Arc<Claim>>,
    by_village: OrdMap<IssuerId, OrdSet<ClaimId>>,
    notices: OrdMap<NoticeId, Arc<Notice>>,
    objections: OrdMap<ObjectionId, Arc<Objection>>,
    objections_by_claim: OrdMap<ClaimId, OrdSet<ObjectionId>>,
    /// Live claims by deed and by evidence.
    deeds: OrdMap<DeedKey, ClaimId>,
    evidence: OrdMap<[u8; 32], ClaimId>,
    /// Points of counted claims per cap counter.
    caps: OrdMap<CapKey, Points>,
    /// Points of counted, unposted awards per issuer: budget already promised.
    reserved: OrdMap<IssuerId, Points>,
    /// The entry from which points come only through claims.
    required_since: Option<Sequence>,
    /// Programs' awards by (program, activity, household): the entry that posted each.
    awards: OrdMap<(IssuerId, ClaimId, HouseholdId), Sequence>,
}

impl Claims {
    /// The entry from which direct issue and deduct are refused.
    pub(super) fn required_since(&self) -> Option<Sequence> {
        self.required_since
    }

    /// Budget of `issuer` promised to counted, unposted awards.
    pub(super) fn reserved(&self, issuer: &IssuerId) -> Points {
        self.reserved.get(issuer).copied().unwrap_or_default()
    }

    fn claim(&self, id: &ClaimId) -> Result<&Arc<Claim>, Refusal> {
        self.claims
            .get(id)
            .ok_or_else(|| Refusal::UnknownClaim(id.clone()))
    }

    fn notice(&self, id: &NoticeId) -> Result<&Arc<Notice>, Refusal> {
        self.notices
            .get(id)
            .ok_or_else(|| Refusal::UnknownNotice(id.clone()))
    }

    /// Refuses evidence (its SHA-256) another claim or award already carries.
    fn evidence_unused(&self, evidence: Option<&[u8; 32]>) -> Result<(), Refusal> {
        match evidence.and_then(|hash| self.evidence.get(hash)) {
            Some(earlier) => Err(Refusal::DuplicateDeed {
                claim: earlier.clone(),
                why: "the same evidence",
            }),
            None => Ok(()),
        }
    }
}

impl CapKey {
    /// The counter of `holder`'s points under `village`'s rule `rule` in the `period` that
    /// holds the deed's date.
    fn new(
        village: IssuerId,
        rule: RuleCode,
        holder: Holder,
        period: CapPeriod,
        deed: CivilDate,
    ) -> Self {
        let (year, month, _) = deed.ymd();
        let index = match period {
            CapPeriod::Month => month,
            CapPeriod::Quarter => (month - 1) / 3 + 1,
            CapPeriod::Year => 0,
        };
        Self {
            village,
            rule,
            holder,
            period,
            year,
            index,
        }
    }
}

/// Refuses taking `needed` from `issuer` beyond its balance less `reserved`: budget promised
/// to approved awards is spent only by their posting.
pub(super) fn require_unreserved(
    state: &State,
    issuer: &IssuerId,
    reserved: Points,
    needed: Points,
) -> Result<(), Refusal> {
    let balance = state.accounts.issuer(issuer)?.balance;
    let available = Points(balance.get().saturating_sub(reserved.get()));
    if available < needed {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::BudgetExceeded {
                issuer: issuer.clone(),
                available,
                needed,
            },
        ));
    }
    Ok(())
}

/// The counter of `cap` for a claim, if the claim has its holder.
fn cap_key(claim: &Claim, per: CapHolder, period: CapPeriod) -> Option<CapKey> {
    let holder = match per {
        CapHolder::Household => Holder::Household(claim.household.clone()),
        CapHolder::Member => Holder::Member(claim.member?),
    };
    Some(CapKey::new(
        claim.village.clone(),
        claim.rule.code.clone(),
        holder,
        period,
        claim.deed_date,
    ))
}

impl fmt::Display for CapKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let holder = match &self.holder {
            Holder::Household(h) => format!("household {h}"),
            Holder::Member(m) => format!("member {m}"),
        };
        let period = match self.period {
            CapPeriod::Month => format!("{:04}-{:02}", self.year, self.index),
            CapPeriod::Quarter => format!("{:04} Q{}", self.year, self.index),
            CapPeriod::Year => format!("{:04}", self.year),
        };
        write!(f, "rule {} for {holder} in {period}", self.rule)
    }
}

/// What a claims operation changes: replacements and index updates, all computed by the
/// check, so committing cannot fail.
#[derive(Debug, Default)]
pub(super) struct Plan {
    claims: Vec<Claim>,
    notices: Vec<Notice>,
    objections: Vec<Objection>,
    deeds: Vec<(DeedKey, Option<ClaimId>)>,
    evidence: Vec<([u8; 32], Option<ClaimId>)>,
    caps: Vec<(CapKey, Points)>,
    reserved: Vec<(IssuerId, Points)>,
    changes: Option<AccountChanges>,
    postings: Vec<Posting>,
    accounts: Vec<AccountId>,
    issuer: Option<IssuerId>,
    require_claims: bool,
    award: Option<(IssuerId, ClaimId, HouseholdId)>,
    /// A volunteer activity the award is for.
    activity: Option<ClaimId>,
    arrears_paid: Points,
}

impl Plan {
    /// Counts (`count`) or releases (`!count`) a claim's points in its caps and, for an
    /// award, its issuer's reservation.
    fn count(&mut self, state: &State, claim: &Claim, count: bool) -> Result<(), Refusal> {
        // Every holder and period is counted, whatever caps this version of the rule has: a
        // later version that adds a cap counts the claims made before it.
        let keys = [CapHolder::Household, CapHolder::Member]
            .into_iter()
            .flat_map(|per| {
                [CapPeriod::Month, CapPeriod::Quarter, CapPeriod::Year]
                    .into_iter()
                    .filter_map(move |period| cap_key(claim, per, period))
            });
        for key in keys {
            let current = self.cap_value(state, &key);
            let next = if count {
                current.checked_add(claim.points)
            } else {
                current.checked_sub(claim.points)
            }
            .ok_or(Refusal::Overflow("a cap's count"))?;
            self.caps.push((key, next));
        }
        // A posted award already drew its budget: only an unposted one holds a reservation.
        if claim.rule.sign == super::catalogue::Sign::Award
            && !matches!(claim.status, ClaimStatus::Posted(_))
        {
            let current = self.reserved_value(state, &claim.village);
            let next = if count {
                current.checked_add(claim.points)
            } else {
                current.checked_sub(claim.points)
            }
            .ok_or(Refusal::Overflow("a reservation of budget"))?;
            self.reserved.push((claim.village.clone(), next));
        }
        Ok(())
    }

    fn cap_value(&self, state: &State, key: &CapKey) -> Points {
        self.caps
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, p)| *p)
            .or_else(|| state.claims.caps.get(key).copied())
            .unwrap_or_default()
    }

    fn reserved_value(&self, state: &State, issuer: &IssuerId) -> Points {
        self.reserved
            .iter()
            .rev()
            .find(|(i, _)| i == issuer)
            .map(|(_, p)| *p)
            .unwrap_or_else(|| state.claims.reserved(issuer))
    }

    /// Ends a claim (rejected or withdrawn): it no longer stands for its deed, and whatever
    /// it counted is released.
    fn end(&mut self, state: &State, mut claim: Claim, status: ClaimStatus) -> Result<(), Refusal> {
        if claim.status.counts() {
            self.count(state, &claim, false)?;
        }
        self.deeds.push((
            (
                claim.household.clone(),
                claim.rule.code.clone(),
                claim.deed_date,
            ),
            None,
        ));
        if let Some(hash) = claim.evidence {
            self.evidence.push((hash, None));
        }
        claim.status = status;
        self.claims.push(claim);
        Ok(())
    }

    pub(super) fn commit(self, state: &mut State, ctx: &Context) -> Effects {
        let claims = &mut state.claims;
        let mut accounts = self.accounts;
        for claim in self.claims {
            let household = AccountId::Household(claim.household.clone());
            if !accounts.contains(&household) {
                accounts.push(household);
            }
            claims
                .by_village
                .entry(claim.village.clone())
                .or_default()
                .insert(claim.id.clone());
            claims.claims.insert(claim.id.clone(), Arc::new(claim));
        }
        for notice in self.notices {
            claims.notices.insert(notice.id.clone(), Arc::new(notice));
        }
        for objection in self.objections {
            claims
                .objections_by_claim
                .entry(objection.claim.clone())
                .or_default()
                .insert(objection.id.clone());
            claims
                .objections
                .insert(objection.id.clone(), Arc::new(objection));
        }
        for (deed, claim) in self.deeds {
            match claim {
                Some(claim) => claims.deeds.insert(deed, claim),
                None => claims.deeds.remove(&deed),
            };
        }
        for (hash, claim) in self.evidence {
            match claim {
                Some(claim) => claims.evidence.insert(hash, claim),
                None => claims.evidence.remove(&hash),
            };
        }
        for (key, points) in self.caps {
            claims.caps.insert(key, points);
        }
        for (issuer, points) in self.reserved {
            claims.reserved.insert(issuer, points);
        }
        if self.require_claims {
            claims.required_since = Some(ctx.sequence);
        }
        if let Some(award) = self.award {
            claims.awards.insert(award, ctx.sequence);
        }
        if let Some(activity) = &self.activity {
            state.volunteering.awarded(activity, ctx.sequence);
        }
        if let Some(changes) = self.changes {
            changes.commit(&mut state.accounts);
        }
        Effects {
            postings: self.postings,
            accounts,
            issuer: self.issuer,
            reverses: None,
            refunds: None,
            // Neither a finalization nor an award by rule is reversed (a correction is a new
            // claim): what they paid of arrears is recorded, and stays paid.
            arrears_paid: self.arrears_paid,
            // Neither a finalization nor an award is reversed: what they took stays taken.
            lots_taken: Vec::new(),
        }
    }
}

/// Checks a claims operation.
pub(super) fn check(state: &State, ctx: &Context, op: &ClaimsOp) -> Result<Plan, Refusal> {
    match op {
        ClaimsOp::Submit(request) => submit::submit(state, ctx, request),
        ClaimsOp::Withdraw { claim, .. } => submit::withdraw(state, ctx, claim),
        ClaimsOp::Review {
            claim,
            decision,
            reason,
        } => review::review(state, ctx, claim, *decision, reason),
        ClaimsOp::OpenNotice {
            notice,
            village,
            claims,
        } => notice::open(state, ctx, notice, village, claims),
        ClaimsOp::FileObjection {
            objection,
            claim,
            reason,
        } => notice::object(state, ctx, objection, claim, reason),
        ClaimsOp::ResolveObjection {
            objection,
            outcome,
            reason,
        } => notice::resolve(state, ctx, objection, *outcome, reason),
        ClaimsOp::FinalizeNotice { notice } => notice::finalize(state, ctx, notice),
        ClaimsOp::AwardByRule(request) => award::award(state, ctx, request),
        ClaimsOp::Reverse { claim, .. } => reverse::reverse(state, ctx, claim),
        ClaimsOp::ExpireLots { village, up_to } => expiry::expire(state, ctx, village, *up_to),
        ClaimsOp::RequireClaims => {
            super::authority::require_admin(&ctx.role, "requiring claims")?;
            if let Some(since) = state.claims.required_since {
                return Err(Refusal::ClaimsAlreadyRequired { since });
            }
            Ok(Plan {
                require_claims: true,
                ..Plan::default()
            })
        }
    }
}
