//! The governance families' refusals (catalogues, village policies, members in claims,
//! claims, notices, objections, expiry runs), nested in [`Refusal::Governance`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;
use crate::ledger::ids::{
    ClaimId, HouseholdId, IssuerId, KeyId, MemberId, NoticeId, ObjectionId, RuleCode,
};
use crate::ledger::period::CivilDate;
use crate::ledger::units::{Points, Sequence};

/// Why a governance operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GovernanceRefusal {
    /// A catalogue or policy version that is not the scope's next one.
    #[error("{what}: expected version {expected}, found {found}")]
    VersionNotNext {
        /// Whose versions, e.g. `catalogue of village v1`.
        what: String,
        /// The next version number.
        expected: u32,
        /// The version the request names.
        found: u32,
    },
    /// A catalogue or policy would start too early: before the commit date, or before the
    /// version it replaces.
    #[error("effective_from: expected on or after {earliest} ({because}), found {found}")]
    EffectiveTooEarly {
        /// The earliest date allowed.
        earliest: CivilDate,
        /// Why that date.
        because: String,
        /// The date the request names.
        found: CivilDate,
    },
    /// Rules are added to, or a seal names, a version that is not open.
    #[error("{catalogue}: expected the open version, found it {status}")]
    CatalogueNotOpen {
        /// The catalogue version.
        catalogue: String,
        /// `sealed` or `abandoned`.
        status: &'static str,
    },
    /// More rules than the version declared, or a seal before all arrived.
    #[error("{catalogue}: expected {declared} rules, found {found}")]
    CatalogueRuleCount {
        /// The catalogue version.
        catalogue: String,
        /// The `rule_count` it was opened with.
        declared: u32,
        /// The rules it would hold.
        found: u64,
    },
    /// The rules added do not hash to the `rules_sha256` the version was opened with.
    #[error("{catalogue}: expected rules_sha256 {declared}, found {computed} over the rules added")]
    CatalogueHashMismatch {
        /// The catalogue version.
        catalogue: String,
        /// The declared hash, hex.
        declared: String,
        /// The hash of the rules added, hex.
        computed: String,
    },
    /// A township's or village's rule widens the rule of the same code of a parent catalogue.
    #[error(
        "rule {rule} must narrow the rule of {parent}: {field} expected {expected}, found {found}"
    )]
    CatalogueWidensParent {
        /// The rule's code.
        rule: RuleCode,
        /// The parent catalogue version, e.g. `catalogue version 1 of the city`.
        parent: String,
        /// The field that widens: `sign`, `points_per_unit`, `max_quantity`,
        /// `evidence_required` or `caps`.
        field: &'static str,
        /// What narrowing allows.
        expected: String,
        /// What the rule has.
        found: String,
    },
    /// The reviewer (or an objection's resolver) proposed the claim or benefits from it.
    #[error(
        "claim {claim}: expected a reviewer who neither proposed it nor benefits from it, found {why}"
    )]
    ReviewerConflict {
        /// The claim.
        claim: ClaimId,
        /// What conflicts.
        why: String,
    },
    /// A date outside the range the operation allows.
    #[error("{field}: expected {expected}, found {found}")]
    DateOutOfRange {
        /// The request field.
        field: &'static str,
        /// The dates allowed, in words.
        expected: String,
        /// The date given.
        found: CivilDate,
    },
    /// The household has left its village.
    #[error(
        "household {household}: expected a household still in its village, found it left on {left_on}"
    )]
    HouseholdHasLeft {
        /// The household.
        household: HouseholdId,
        /// When.
        left_on: CivilDate,
    },
    /// The key named is not a registered, unrevoked village officer key.
    #[error("key {key_id}: expected a registered, unrevoked village officer key, found {found}")]
    NotAnOfficerKey {
        /// The key named.
        key_id: KeyId,
        /// What it is.
        found: String,
    },
    /// The village has no policy in force.
    #[error("village {village}: expected a policy in force on {date}, found none (set one first)")]
    NoPolicyInForce {
        /// The village.
        village: IssuerId,
        /// The date.
        date: CivilDate,
    },
    /// The rule is not in the catalogue (the village's, or a program's) in force on the deed
    /// date.
    #[error(
        "rule {rule}: expected a rule of the catalogue of {catalogue} in force on {date}, found none"
    )]
    RuleNotInForce {
        /// Whose catalogue: `village v1`, `program p`.
        catalogue: String,
        /// The rule code.
        rule: RuleCode,
        /// The deed date.
        date: CivilDate,
    },
    /// More units than the rule allows per claim.
    #[error("quantity: expected at most {max} (rule {rule}'s max_quantity), found {found}")]
    QuantityOverMaximum {
        /// The rule.
        rule: RuleCode,
        /// Its max_quantity.
        max: u32,
        /// The quantity asked for.
        found: u32,
    },
    /// The rule requires evidence and the claim carries none.
    #[error(
        "evidence_sha256: expected the evidence's SHA-256 (rule {rule} requires evidence), found nothing"
    )]
    EvidenceRequired {
        /// The rule.
        rule: RuleCode,
    },
    /// The rule caps points per member and the claim names none.
    #[error(
        "member_id: expected the member who did the deed (rule {rule} caps points per member), found nothing"
    )]
    MemberRequired {
        /// The rule.
        rule: RuleCode,
    },
    /// The household did not belong to the village on the date.
    #[error(
        "household {household}: expected a household of village {village} on {date}, found it was not"
    )]
    NotInVillageOn {
        /// The household.
        household: HouseholdId,
        /// The village.
        village: IssuerId,
        /// The date.
        date: CivilDate,
    },
    /// The member did not belong to the household on the date.
    #[error(
        "member {member}: expected a member of household {household} on {date}, found they were not"
    )]
    NotMemberOn {
        /// The member.
        member: MemberId,
        /// The household.
        household: HouseholdId,
        /// The date.
        date: CivilDate,
    },
    /// A claim reached the most objections or review steps it may have.
    #[error("claim {claim}: expected at most {max} {what}, found {max} already")]
    ClaimLimit {
        /// The claim.
        claim: ClaimId,
        /// `objections` or `review steps`.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// The claim is not in a state the step applies to.
    #[error("claim {claim}: expected it {expected}, found it {found}")]
    ClaimState {
        /// The claim.
        claim: ClaimId,
        /// The states the step applies to.
        expected: &'static str,
        /// Its state.
        found: &'static str,
    },
    /// The officer's household was never recorded (SetOfficerHousehold).
    #[error(
        "key {key_id}: expected an officer whose household is recorded (SetOfficerHousehold), found none recorded"
    )]
    OfficerHouseholdUnknown {
        /// The reviewer's key.
        key_id: KeyId,
    },
    /// Approving the claim would pass one of its rule's caps.
    #[error(
        "claim {claim}: {cap} allows at most {max}, found {counted} counted and the claim adds {adds}"
    )]
    CapExceeded {
        /// The claim.
        claim: ClaimId,
        /// The cap's counter: rule, holder and period.
        cap: String,
        /// The cap.
        max: Points,
        /// Points counted (approved, pending, posted).
        counted: Points,
        /// Points the claim adds.
        adds: Points,
    },
    /// The issuer's budget, less what approved awards reserved, is short.
    #[error(
        "issuer {issuer}: expected a budget of at least {needed} not reserved by approved awards, found {available}"
    )]
    BudgetExceeded {
        /// The issuer.
        issuer: IssuerId,
        /// Its balance less reservations.
        available: Points,
        /// The points needed.
        needed: Points,
    },
    /// A claim of another village in a notice.
    #[error("claim {claim}: expected a claim of village {village}, found one of another village")]
    ClaimNotInVillage {
        /// The claim.
        claim: ClaimId,
        /// The notice's village.
        village: IssuerId,
    },
    /// The notice has ended: no more objections.
    #[error("notice {notice}: expected a notice still running, found it ended on {ends_on}")]
    NoticeEnded {
        /// The batch.
        notice: NoticeId,
        /// The first date it was over.
        ends_on: CivilDate,
    },
    /// The notice has not run its days.
    #[error("notice {notice}: expected a finalization on or after {ends_on}, when the notice ends")]
    NoticeNotEnded {
        /// The batch.
        notice: NoticeId,
        /// The first date it may be finalized.
        ends_on: CivilDate,
    },
    /// An objection to a claim of the notice is open.
    #[error("notice {notice}: expected every objection resolved, found one open on claim {claim}")]
    ObjectionOpen {
        /// The batch.
        notice: NoticeId,
        /// The claim.
        claim: ClaimId,
    },
    /// The objection was resolved already.
    #[error("objection {objection}: expected an open objection, found it resolved at entry {at}")]
    ObjectionResolved {
        /// The objection.
        objection: ObjectionId,
        /// The entry that resolved it.
        at: Sequence,
    },
    /// An expiry run found no household of the village with a lot expired by the date.
    #[error(
        "village {village}: expected a household with a lot expired by {up_to}, found none (the run is done)"
    )]
    NothingExpired {
        /// The village.
        village: IssuerId,
        /// The date of the run.
        up_to: CivilDate,
    },
    /// Points come only through claims since the bureau required them.
    #[error(
        "{kind}: expected points through claims, which the bureau requires since entry {since}, found a direct {kind}"
    )]
    ClaimRequired {
        /// `issue-points` or `deduct-points`.
        kind: &'static str,
        /// The entry that required claims.
        since: Sequence,
    },
}

impl GovernanceRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        match self {
            GovernanceRefusal::ReviewerConflict { .. } => RefusalClass::PermissionDenied,
            _ => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use GovernanceRefusal::*;
        match self {
            VersionNotNext { .. } => "VERSION_NOT_NEXT",
            EffectiveTooEarly { .. } => "EFFECTIVE_TOO_EARLY",
            CatalogueNotOpen { .. } => "CATALOGUE_NOT_OPEN",
            CatalogueRuleCount { .. } => "CATALOGUE_RULE_COUNT",
            CatalogueHashMismatch { .. } => "CATALOGUE_HASH_MISMATCH",
            CatalogueWidensParent { .. } => "CATALOGUE_WIDENS_PARENT",
            ReviewerConflict { .. } => "REVIEWER_CONFLICT",
            DateOutOfRange { .. } => "DATE_OUT_OF_RANGE",
            HouseholdHasLeft { .. } => "HOUSEHOLD_HAS_LEFT",
            NotAnOfficerKey { .. } => "NOT_AN_OFFICER_KEY",
            NoPolicyInForce { .. } => "NO_POLICY_IN_FORCE",
            RuleNotInForce { .. } => "RULE_NOT_IN_FORCE",
            QuantityOverMaximum { .. } => "QUANTITY_OVER_MAXIMUM",
            EvidenceRequired { .. } => "EVIDENCE_REQUIRED",
            MemberRequired { .. } => "MEMBER_REQUIRED",
            NotInVillageOn { .. } => "NOT_IN_VILLAGE_ON_DATE",
            NotMemberOn { .. } => "NOT_MEMBER_ON_DATE",
            ClaimLimit { .. } => "CLAIM_LIMIT",
            ClaimState { .. } => "CLAIM_STATE",
            OfficerHouseholdUnknown { .. } => "OFFICER_HOUSEHOLD_UNKNOWN",
            CapExceeded { .. } => "CAP_EXCEEDED",
            BudgetExceeded { .. } => "BUDGET_EXCEEDED",
            ClaimNotInVillage { .. } => "CLAIM_NOT_IN_VILLAGE",
            NoticeEnded { .. } => "NOTICE_ENDED",
            NoticeNotEnded { .. } => "NOTICE_NOT_ENDED",
            ObjectionOpen { .. } => "OBJECTION_OPEN",
            ObjectionResolved { .. } => "OBJECTION_RESOLVED",
            NothingExpired { .. } => "NOTHING_EXPIRED",
            ClaimRequired { .. } => "CLAIM_REQUIRED",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    #[allow(clippy::expect_used, reason = "samples of the test")]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use GovernanceRefusal::*;
        let key = KeyId([7; 16]);
        let household = HouseholdId::parse("household_id", "h").expect("a valid id");
        let issuer = IssuerId::parse("issuer_id", "v").expect("a valid id");
        let rule = RuleCode::parse_code("ENV-01").expect("a valid code");
        let date = CivilDate::from_days(20_788).expect("a valid date");
        let member = MemberId([9; 16]);
        let claim = ClaimId::parse("claim_id", "c").expect("a valid id");
        let notice = NoticeId::parse("batch_id", "n").expect("a valid id");
        let objection = ObjectionId::parse("objection_id", "o").expect("a valid id");
        [
            VersionNotNext {
                what: "w".into(),
                expected: 2,
                found: 3,
            },
            EffectiveTooEarly {
                earliest: date,
                because: "b".into(),
                found: date,
            },
            CatalogueNotOpen {
                catalogue: "c".into(),
                status: "sealed",
            },
            CatalogueRuleCount {
                catalogue: "c".into(),
                declared: 2,
                found: 3,
            },
            CatalogueHashMismatch {
                catalogue: "c".into(),
                declared: "d".into(),
                computed: "e".into(),
            },
            ClaimLimit {
                claim: claim.clone(),
                what: "objections",
                max: 20,
            },
            ReviewerConflict {
                claim: claim.clone(),
                why: "w".into(),
            },
            DateOutOfRange {
                field: "deed_date",
                expected: "e".into(),
                found: date,
            },
            HouseholdHasLeft {
                household: household.clone(),
                left_on: date,
            },
            NotAnOfficerKey {
                key_id: key,
                found: "f".into(),
            },
            NoPolicyInForce {
                village: issuer.clone(),
                date,
            },
            RuleNotInForce {
                catalogue: "village v".into(),
                rule: rule.clone(),
                date,
            },
            QuantityOverMaximum {
                rule: rule.clone(),
                max: 1,
                found: 2,
            },
            EvidenceRequired { rule: rule.clone() },
            MemberRequired { rule: rule.clone() },
            NotInVillageOn {
                household: household.clone(),
                village: issuer.clone(),
                date,
            },
            NotMemberOn {
                member,
                household: household.clone(),
                date,
            },
            ClaimState {
                claim: claim.clone(),
                expected: "approved",
                found: "posted",
            },
            OfficerHouseholdUnknown { key_id: key },
            CapExceeded {
                claim: claim.clone(),
                cap: "c".into(),
                max: Points(1),
                counted: Points(1),
                adds: Points(1),
            },
            BudgetExceeded {
                issuer: issuer.clone(),
                available: Points(1),
                needed: Points(2),
            },
            ClaimNotInVillage {
                claim: claim.clone(),
                village: issuer.clone(),
            },
            NoticeEnded {
                notice: notice.clone(),
                ends_on: date,
            },
            NoticeNotEnded {
                notice: notice.clone(),
                ends_on: date,
            },
            ObjectionOpen {
                notice: notice.clone(),
                claim: claim.clone(),
            },
            ObjectionResolved {
                objection,
                at: Sequence(5),
            },
            NothingExpired {
                village: issuer.clone(),
                up_to: date,
            },
            ClaimRequired {
                kind: "issue-points",
                since: Sequence(6),
            },
            CatalogueWidensParent {
                rule,
                parent: "p".into(),
                field: "sign",
                expected: "award".into(),
                found: "deduction".into(),
            },
        ]
        .into_iter()
        .map(Refusal::Governance)
        .collect()
    }
}
