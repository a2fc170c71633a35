//! The claims family's types: what each operation asks for, where a claim stands, and the
//! records of claims, notices and objections that queries show.

use std::sync::Arc;

use imbl::Vector;

use super::super::catalogue::Rule;
use crate::ledger::{
    CivilDate, ClaimId, HouseholdId, IssuerId, KeyId, MemberId, NoticeId, ObjectionId, Points,
    RuleCode, Sequence,
};

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
        /// 1 to [`MAX_CLAIMS_PER_NOTICE`](super::MAX_CLAIMS_PER_NOTICE) claims, each once.
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
    /// Corrects a posted claim, once: undoes its posting.
    Reverse {
        /// The claim.
        claim: ClaimId,
        /// Why.
        reason: String,
    },
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
    /// [`ClaimsOp::Reverse`].
    Reverse,
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
            ClaimsOp::Reverse { .. } => ClaimsKind::Reverse,
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
            ClaimsKind::Reverse => "reverse-claim",
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
    /// Posted, then reversed by `ReverseClaim` at this entry.
    Reversed(Sequence),
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
            ClaimStatus::Reversed(_) => "reversed",
            ClaimStatus::Rejected(_) => "rejected",
            ClaimStatus::Withdrawn(_) => "withdrawn",
        }
    }

    /// Whether the claim counts towards caps and reserves budget.
    pub(super) fn counts(&self) -> bool {
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
    /// What its posting did, kept so that a reversal undoes exactly that.
    pub posted: Option<PostedEffect>,
    /// Every review, in order.
    pub reviews: Vector<ReviewRecord>,
    /// Objections filed and not resolved.
    pub open_objections: u32,
}

/// What posting a claim did to the household and the issuers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostedEffect {
    /// The month of the posting, where its score counted.
    pub period: crate::ledger::Period,
    /// The points it moved.
    pub postings: Vec<crate::ledger::Posting>,
    /// An award: the arrears it paid; a deduction: the arrears it added.
    pub arrears: Points,
    /// A deduction: the lots it took, with their expiries.
    pub lots_taken: Vec<super::super::staged::TakenLot>,
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
