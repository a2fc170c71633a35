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

use imbl::{OrdMap, OrdSet, Vector};

use super::catalogue::{CapHolder, CapPeriod, Rule};
use super::journal::Effects;
use super::staged::AccountChanges;
use super::{Context, State};
use crate::ledger::{
    AccountId, CivilDate, ClaimId, HouseholdId, IssuerId, KeyId, MemberId, NoticeId, ObjectionId,
    Points, Posting, Refusal, RuleCode, Sequence,
};

mod award;
mod expiry;
mod notice;
mod review;
mod submit;

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

/// What a claim asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRequest {
    /// Its id.
    pub claim: ClaimId,
    /// The household credited (or deducted).
    pub household: HouseholdId,
    /// The member who did it.
    pub member: Option<MemberId>,
    /// The rule.
    pub rule: RuleCode,
    /// Units, at least 1.
    pub quantity: u32,
    /// The date of the deed.
    pub deed_date: CivilDate,
    /// SHA-256 of the evidence.
    pub evidence: Option<[u8; 32]>,
    /// Free text, no personal data.
    pub memo: String,
}

/// A reviewer's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Approves.
    Approve,
    /// Rejects.
    Reject,
    /// Approves with another quantity.
    Adjust(u32),
}

/// How an objection is resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It holds: the claim is rejected.
    Upheld,
    /// It fails: the claim stays on notice.
    Dismissed,
}

/// The claims family's operations.
#[derive(Clone, Debug)]
pub enum ClaimsOp {
    /// Submits a claim.
    Submit(ClaimRequest),
    /// Reviews a claim under review.
    Review {
        /// The claim.
        claim: ClaimId,
        /// The decision.
        decision: Decision,
        /// Why.
        reason: String,
    },
    /// Withdraws a claim not yet on notice.
    Withdraw {
        /// The claim.
        claim: ClaimId,
        /// Why.
        reason: String,
    },
    /// Puts approved claims on notice.
    OpenNotice {
        /// The batch.
        notice: NoticeId,
        /// The village.
        village: IssuerId,
        /// 1 to [`MAX_CLAIMS_PER_NOTICE`] claims, each once.
        claims: Vec<ClaimId>,
    },
    /// Objects to a claim on notice.
    FileObjection {
        /// The objection.
        objection: ObjectionId,
        /// The claim.
        claim: ClaimId,
        /// Why.
        reason: String,
    },
    /// Resolves an open objection.
    ResolveObjection {
        /// The objection.
        objection: ObjectionId,
        /// How.
        outcome: Outcome,
        /// Why.
        reason: String,
    },
    /// Posts a notice's claims.
    FinalizeNotice {
        /// The batch.
        notice: NoticeId,
    },
    /// From now on, points only through claims.
    RequireClaims,
    /// A program's award under a rule of its catalogue.
    AwardByRule(AwardRequest),
    /// An expiry run for a village's households.
    ExpireLots {
        /// The village.
        village: IssuerId,
        /// Lots expiring on or before this date.
        up_to: CivilDate,
    },
}

/// What a program's award by rule asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardRequest {
    /// The program issuer.
    pub program: IssuerId,
    /// The program's record of the activity.
    pub activity: ClaimId,
    /// The household.
    pub household: HouseholdId,
    /// The rule of the program's catalogue.
    pub rule: RuleCode,
    /// Units, at least 1.
    pub quantity: u32,
    /// The date of the activity.
    pub deed_date: CivilDate,
    /// SHA-256 of the evidence.
    pub evidence: Option<[u8; 32]>,
    /// Free text, no personal data.
    pub memo: String,
}

/// The kinds of claims operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClaimsKind {
    /// [`ClaimsOp::Submit`].
    Submit,
    /// [`ClaimsOp::Review`].
    Review,
    /// [`ClaimsOp::Withdraw`].
    Withdraw,
    /// [`ClaimsOp::OpenNotice`].
    OpenNotice,
    /// [`ClaimsOp::FileObjection`].
    FileObjection,
    /// [`ClaimsOp::ResolveObjection`].
    ResolveObjection,
    /// [`ClaimsOp::FinalizeNotice`].
    FinalizeNotice,
    /// [`ClaimsOp::RequireClaims`].
    RequireClaims,
    /// [`ClaimsOp::AwardByRule`].
    AwardByRule,
    /// [`ClaimsOp::ExpireLots`].
    ExpireLots,
}

impl ClaimsOp {
    /// The operation's kind.
    pub fn kind(&self) -> ClaimsKind {
        match self {
            ClaimsOp::Submit(_) => ClaimsKind::Submit,
            ClaimsOp::Review { .. } => ClaimsKind::Review,
            ClaimsOp::Withdraw { .. } => ClaimsKind::Withdraw,
            ClaimsOp::OpenNotice { .. } => ClaimsKind::OpenNotice,
            ClaimsOp::FileObjection { .. } => ClaimsKind::FileObjection,
            ClaimsOp::ResolveObjection { .. } => ClaimsKind::ResolveObjection,
            ClaimsOp::FinalizeNotice { .. } => ClaimsKind::FinalizeNotice,
            ClaimsOp::RequireClaims => ClaimsKind::RequireClaims,
            ClaimsOp::AwardByRule(_) => ClaimsKind::AwardByRule,
            ClaimsOp::ExpireLots { .. } => ClaimsKind::ExpireLots,
        }
    }
}

impl ClaimsKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            ClaimsKind::Submit => "submit-claim",
            ClaimsKind::Review => "review-claim",
            ClaimsKind::Withdraw => "withdraw-claim",
            ClaimsKind::OpenNotice => "open-notice",
            ClaimsKind::FileObjection => "file-objection",
            ClaimsKind::ResolveObjection => "resolve-objection",
            ClaimsKind::FinalizeNotice => "finalize-notice",
            ClaimsKind::RequireClaims => "require-claims",
            ClaimsKind::AwardByRule => "award-by-rule",
            ClaimsKind::ExpireLots => "expire-lots",
        }
    }
}

/// Where a claim stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimStatus {
    /// Submitted, awaiting its approvals.
    UnderReview,
    /// Approved: counted towards caps and (awards) the issuer's budget.
    Approved,
    /// On notice in a batch: its points are pending.
    InNotice(NoticeId),
    /// Posted by the finalization at this entry.
    Posted(Sequence),
    /// Rejected (by a reviewer or an upheld objection) at this entry.
    Rejected(Sequence),
    /// Withdrawn by its proposer at this entry.
    Withdrawn(Sequence),
}

impl ClaimStatus {
    /// A lowercase name for messages and filters.
    pub fn name(&self) -> &'static str {
        match self {
            ClaimStatus::UnderReview => "under review",
            ClaimStatus::Approved => "approved",
            ClaimStatus::InNotice(_) => "in notice",
            ClaimStatus::Posted(_) => "posted",
            ClaimStatus::Rejected(_) => "rejected",
            ClaimStatus::Withdrawn(_) => "withdrawn",
        }
    }

    /// Whether the claim counts towards caps and reserves budget.
    fn counts(&self) -> bool {
        matches!(
            self,
            ClaimStatus::Approved | ClaimStatus::InNotice(_) | ClaimStatus::Posted(_)
        )
    }
}

/// One review step, as the claim records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRecord {
    /// The reviewer's key.
    pub reviewer: KeyId,
    /// The decision.
    pub decision: Decision,
    /// Why.
    pub reason: String,
    /// The entry.
    pub at: Sequence,
}

/// A claim with everything the log decided about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// Its id.
    pub id: ClaimId,
    /// The household's village, whose catalogue priced it.
    pub village: IssuerId,
    /// The household.
    pub household: HouseholdId,
    /// The member, if named.
    pub member: Option<MemberId>,
    /// The rule as it was in force on the deed date.
    pub rule: Arc<Rule>,
    /// The version of the catalogue the rule came from: the village's, or for a deduction the
    /// nearest parent's that has it.
    pub catalogue_version: u32,
    /// Units.
    pub quantity: u32,
    /// `points_per_unit × quantity`.
    pub points: Points,
    /// The deed's date.
    pub deed_date: CivilDate,
    /// SHA-256 of the evidence.
    pub evidence: Option<[u8; 32]>,
    /// Free text.
    pub memo: String,
    /// The key that submitted it.
    pub proposer: KeyId,
    /// The entry that submitted it.
    pub submitted_at: Sequence,
    /// Distinct approvals needed (the policy in force when it was submitted).
    pub reviewers_required: u32,
    /// The approvals so far (void after an adjustment).
    pub approvals: Vec<KeyId>,
    /// Where it stands.
    pub status: ClaimStatus,
    /// The notice batch it is or was in.
    pub notice: Option<NoticeId>,
    /// Every review, in order.
    pub reviews: Vector<ReviewRecord>,
    /// Objections filed and not resolved.
    pub open_objections: u32,
}

/// A batch of claims on public notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Its id.
    pub id: NoticeId,
    /// The village.
    pub village: IssuerId,
    /// Its claims, in the order given.
    pub claims: Vec<ClaimId>,
    /// The entry that opened it.
    pub opened_at: Sequence,
    /// The date it opened.
    pub opened_on: CivilDate,
    /// The first date it may be finalized (and objections are no longer taken).
    pub ends_on: CivilDate,
    /// The entry that finalized it.
    pub finalized_at: Option<Sequence>,
}

/// An objection to a claim on notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Objection {
    /// Its id.
    pub id: ObjectionId,
    /// The claim.
    pub claim: ClaimId,
    /// Who filed it.
    pub filed_by: KeyId,
    /// Why.
    pub reason: String,
    /// The entry that filed it.
    pub filed_at: Sequence,
    /// How, by whom, why and when it was resolved.
    pub resolution: Option<(Outcome, KeyId, String, Sequence)>,
}

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
}

/// The counter of `cap` for a claim, if the claim has its holder.
fn cap_key(claim: &Claim, per: CapHolder, period: CapPeriod) -> Option<CapKey> {
    let holder = match per {
        CapHolder::Household => Holder::Household(claim.household.clone()),
        CapHolder::Member => Holder::Member(claim.member?),
    };
    let (year, month, _) = claim.deed_date.ymd();
    let index = match period {
        CapPeriod::Month => month,
        CapPeriod::Quarter => (month - 1) / 3 + 1,
        CapPeriod::Year => 0,
    };
    Some(CapKey {
        village: claim.village.clone(),
        rule: claim.rule.code.clone(),
        holder,
        period,
        year,
        index,
    })
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
        if claim.rule.sign == super::catalogue::Sign::Award {
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
        if let Some(changes) = self.changes {
            changes.commit(&mut state.accounts);
        }
        Effects {
            postings: self.postings,
            accounts,
            issuer: self.issuer,
            reverses: None,
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

/// One page of a village's claims.
#[derive(Clone, Debug)]
pub struct ClaimsPage {
    /// The claims, in id order.
    pub claims: Vec<Arc<Claim>>,
    /// Where the next page starts.
    pub next_after: Option<ClaimId>,
}

/// A notice with its claims and every objection to them.
#[derive(Clone, Debug)]
pub struct NoticeView {
    /// The batch.
    pub notice: Arc<Notice>,
    /// Its claims, in the batch's order.
    pub claims: Vec<Arc<Claim>>,
    /// Objections to them, claim by claim, in id order.
    pub objections: Vec<Arc<Objection>>,
}

/// Bounds the work of one claims page when few claims match.
const MAX_CLAIMS_SCANNED: usize = 100_000;

impl State {
    /// A claim.
    pub fn claim(&self, id: &ClaimId) -> Result<Arc<Claim>, Refusal> {
        self.claims.claim(id).cloned()
    }

    /// One page of `village`'s claims in id order after `after`: only those in a status
    /// named `status` and of `household`, when given; at most `limit`.
    pub fn claims_page(
        &self,
        village: &IssuerId,
        status: Option<&str>,
        household: Option<&HouseholdId>,
        after: Option<&ClaimId>,
        limit: usize,
    ) -> ClaimsPage {
        use std::ops::Bound;
        let mut claims = Vec::new();
        let Some(ids) = self.claims.by_village.get(village) else {
            return ClaimsPage {
                claims,
                next_after: None,
            };
        };
        let start = after.map_or(Bound::Unbounded, |a| Bound::Excluded(a.clone()));
        let mut last = None;
        for (scanned, id) in ids.range((start, Bound::Unbounded)).enumerate() {
            if claims.len() == limit || scanned == MAX_CLAIMS_SCANNED {
                return ClaimsPage {
                    claims,
                    next_after: last,
                };
            }
            last = Some(id.clone());
            let Some(claim) = self.claims.claims.get(id) else {
                continue;
            };
            let wanted = status.is_none_or(|s| claim.status.name() == s)
                && household.is_none_or(|h| &claim.household == h);
            if wanted {
                claims.push(Arc::clone(claim));
            }
        }
        ClaimsPage {
            claims,
            next_after: None,
        }
    }

    /// A notice batch with its claims and their objections.
    pub fn notice(&self, id: &NoticeId) -> Result<NoticeView, Refusal> {
        let notice = Arc::clone(self.claims.notice(id)?);
        let claims: Vec<Arc<Claim>> = notice
            .claims
            .iter()
            .filter_map(|c| self.claims.claims.get(c).cloned())
            .collect();
        let objections = notice
            .claims
            .iter()
            .filter_map(|c| self.claims.objections_by_claim.get(c))
            .flat_map(|ids| ids.iter())
            .filter_map(|id| self.claims.objections.get(id).cloned())
            .collect();
        Ok(NoticeView {
            notice,
            claims,
            objections,
        })
    }

    /// The entry from which points come only through claims, if the bureau required them.
    pub fn claims_required_since(&self) -> Option<Sequence> {
        self.claims.required_since()
    }
}
