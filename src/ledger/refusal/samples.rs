//! One refusal of every variant, for the tests that must cover them all (every refusal has
//! its own reason, and the README documents each with its code). A new variant must be
//! added here; `Refusal::reason`'s exhaustive match is where the compiler asks for it.

use super::*;

/// One refusal of every variant.
pub(crate) fn one_of_each() -> Vec<Refusal> {
    use Refusal::*;
    let key = KeyId([7; 16]);
    let household = HouseholdId::parse("household_id", "h").expect("a valid id");
    let issuer = IssuerId::parse("issuer_id", "v").expect("a valid id");
    let shop = ShopId::parse("shop_id", "s").expect("a valid id");
    let area = AreaCode::parse("code", "420581101001").expect("a valid code");
    let township = AreaCode::parse("code", "420581101").expect("a valid code");
    let rule = RuleCode::parse_code("ENV-01").expect("a valid code");
    let member = MemberId([9; 16]);
    let claim = ClaimId::parse("claim_id", "c").expect("a valid id");
    let notice = NoticeId::parse("batch_id", "n").expect("a valid id");
    let objection = ObjectionId::parse("objection_id", "o").expect("a valid id");
    vec![
        InvalidField {
            field: "f",
            expected: "e".into(),
            found: "x".into(),
        },
        Undecodable {
            what: "w",
            reason: "r".into(),
        },
        NonCanonical {
            what: "w",
            found: 1,
            canonical: 2,
        },
        MissingOperation,
        BodyTooLarge { found: 2, max: 1 },
        TooManyResidentKeys { found: 2, max: 1 },
        PointsOutOfRange { found: 0, max: 1 },
        WindowTooLong {
            not_after: 3,
            now: 1,
            max_window_ms: 1,
        },
        WeakKey {
            public_key: "k".into(),
        },
        GenesisNotFirst,
        GenesisMissing,
        BatchSize { found: 0, max: 256 },
        SignatureCount { found: 0 },
        UnknownKey { key_id: key },
        BadSignature {
            key_id: key,
            context: "tx",
        },
        NotOriginalSigner {
            sequence: 1,
            signer: key,
        },
        ReadCredentialMalformed {
            problem: "p".into(),
        },
        ReadCredentialStale {
            timestamp: 1,
            skew_ms: 1,
            now: 3,
        },
        ReadCredentialBadSignature {
            key_id: key,
            method: "m".into(),
            timestamp: "1".into(),
        },
        KeyRevoked {
            key_id: key,
            revoked_at: 1,
        },
        NotAllowed {
            operation: "o",
            expected: "e",
            found: "f".into(),
        },
        OutOfScope {
            role: "r",
            scope: "s".into(),
            requested: "q".into(),
        },
        LastAdminKey { key_id: key },
        UnknownIssuer(issuer.clone()),
        UnknownHousehold(household.clone()),
        UnknownShop(shop),
        UnknownEntry {
            sequence: 9,
            log_size: 1,
        },
        UnknownRequest("r".into()),
        UnknownKeyToRevoke(key),
        UnknownArea(area.clone()),
        ParentAreaMissing {
            code: area.clone(),
            parent: township.clone(),
        },
        WrongAreaLevel {
            code: township,
            expected: "village",
            found: "township",
        },
        VillageAreaAlreadySet {
            village: issuer.clone(),
            area: area.clone(),
        },
        AreaTaken {
            area: area.clone(),
            village: issuer.clone(),
        },
        CityAlreadyRegistered {
            city: AreaCode::parse("code", "420582").expect("a valid code"),
        },
        UnknownCatalogue {
            scope: "village v".into(),
            expected: "version 2".into(),
        },
        UnknownPolicy {
            village: issuer.clone(),
            expected: "version 2".into(),
        },
        DuplicateRuleCode {
            catalogue: "c".into(),
            rule: rule.clone(),
        },
        UnknownMember(member),
        UnknownClaim(claim.clone()),
        UnknownNotice(notice.clone()),
        UnknownObjection(objection.clone()),
        DuplicateDeed {
            claim: claim.clone(),
            why: "the same evidence",
        },
        AlreadyReviewed {
            claim: claim.clone(),
            reviewer: key,
        },
        ClaimsAlreadyRequired { since: Sequence(3) },
        ObjectionAlreadyOpen {
            claim: claim.clone(),
            key_id: key,
        },
        NoticeFinalized {
            notice: notice.clone(),
            at: Sequence(4),
        },
        MemberInHousehold {
            member,
            household: household.clone(),
        },
        AlreadyRegistered {
            kind: "k",
            id: "i".into(),
        },
        RequestIdReused {
            request_id: "r".into(),
            sequence: 1,
        },
        Expired {
            not_after: 1,
            now: 2,
        },
        WrongIssuerKind {
            issuer,
            expected: "village",
            found: "program",
        },
        Insufficient {
            what: "w",
            account: "a".into(),
            available: 1,
            requested: 2,
        },
        AlreadyRevoked {
            key_id: key,
            revoked_at: 1,
        },
        AlreadyReversed {
            sequence: 1,
            reversed_by: 2,
        },
        NotReversible {
            sequence: 1,
            kind: "genesis",
        },
        RefundWindowPassed {
            sequence: 1,
            age_ms: 2,
            window_ms: 1,
        },
        ResidentKeysFull { household, max: 16 },
        Overflow("o"),
    ]
    .into_iter()
    .chain(TerminalRefusal::one_of_each())
    .chain(SaleRefusal::one_of_each())
    .chain(SettlementRefusal::one_of_each())
    .chain(GovernanceRefusal::one_of_each())
    .chain(AuditRefusal::one_of_each())
    .chain(SubjectRefusal::one_of_each())
    .chain(CaseworkRefusal::one_of_each())
    .chain(BenefitsRefusal::one_of_each())
    .chain(AssistanceRefusal::one_of_each())
    .chain(ChildrenRefusal::one_of_each())
    .chain(ProjectsRefusal::one_of_each())
    .chain(PlacesRefusal::one_of_each())
    .chain(OrganizationsRefusal::one_of_each())
    .chain(FuneralRefusal::one_of_each())
    .chain(ElderlyRefusal::one_of_each())
    .chain(VolunteeringRefusal::one_of_each())
    .chain(RescueRefusal::one_of_each())
    .collect()
}

#[test]
fn every_refusal_has_its_own_stable_reason() {
    let all = one_of_each();
    let mut reasons: Vec<_> = all.iter().map(Refusal::reason).collect();
    let count = reasons.len();
    reasons.sort_unstable();
    reasons.dedup();
    assert_eq!(reasons.len(), count, "two variants share a reason");
    for reason in reasons {
        assert!(
            reason.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
            "{reason} is not SCREAMING_SNAKE_CASE"
        );
    }
}
