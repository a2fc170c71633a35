//! The policy room: each village's settings as signed, versioned data.

use super::prelude::*;
use crate::pb::governance as gov;

fn date(days: u32) -> CivilDate {
    CivilDate::from_days(days).unwrap()
}

#[test]
fn a_village_sets_its_policy_in_versions_and_the_one_in_force_is_found_by_date() {
    let mut ledger = Ledger::new();
    let v1 = ledger.issuer("v1", pb::IssuerKind::Village, 0);
    let v2 = ledger.issuer("v2", pb::IssuerKind::Village, 0);
    ledger.issuer("p", pb::IssuerKind::Program, 0);
    let resident = Signer::generate();
    ledger.household("h1", "v1");
    ledger.admin_does(register_key(&resident, pb::Role::Resident, "h1"));
    let today = ledger.today();
    let village = id(IssuerId::parse, "v1");
    // No policy yet: nothing is in force.
    let none = ledger
        .state
        .policy(&village, Which::InForceOn(date(today)))
        .unwrap_err();
    assert_eq!(
        (none.reason(), none.class()),
        ("UNKNOWN_POLICY", RefusalClass::NotFound)
    );

    let before = ledger.snapshot();
    for (signer, class) in [
        (&v2, RefusalClass::PermissionDenied),
        (&resident, RefusalClass::PermissionDenied),
    ] {
        let refused = ledger
            .apply(signer, set_policy(default_policy("v1", 1, today)))
            .unwrap_err();
        assert_eq!(refused.class(), class, "{refused}");
    }
    let program = ledger
        .apply(
            &ledger.admin_signer(),
            set_policy(default_policy("p", 1, today)),
        )
        .unwrap_err();
    assert_eq!(program.reason(), "WRONG_ISSUER_KIND");
    for (policy, reason) in [
        (default_policy("v1", 2, today), "VERSION_NOT_NEXT"),
        (default_policy("v1", 1, today - 1), "EFFECTIVE_TOO_EARLY"),
    ] {
        let refused = ledger.apply(&v1, set_policy(policy)).unwrap_err();
        assert_eq!(refused.reason(), reason, "{refused}");
    }
    assert_eq!(ledger.snapshot(), before);

    let first = ledger
        .apply(&v1, set_policy(default_policy("v1", 1, today)))
        .unwrap();
    let mut second = default_policy("v1", 2, today + 30);
    second.notice_days = 5;
    second.star_thresholds = vec![100, 300, 600];
    second.lot_expiry = Some(gov::LotExpiry {
        rule: Some(gov::lot_expiry::Rule::Months(18)),
    });
    ledger
        .apply(&ledger.admin_signer(), set_policy(second))
        .unwrap();
    let early = ledger
        .apply(&v1, set_policy(default_policy("v1", 3, today + 29)))
        .unwrap_err();
    assert!(
        matches!(early, Refusal::Governance(crate::ledger::GovernanceRefusal::EffectiveTooEarly { earliest, .. }) if earliest == date(today + 30)),
        "{early}"
    );
    let on = |days: u32| {
        ledger
            .state
            .policy(&village, Which::InForceOn(date(days)))
            .unwrap()
    };
    assert_eq!(
        (on(today).policy.version, on(today).set_at),
        (1, first.sequence)
    );
    assert_eq!(on(today).policy.notice_days, crate::proposals::NOTICE_DAYS);
    assert_eq!(on(today).policy.lot_expiry, LotExpiry::EndOfFollowingYear);
    assert_eq!(on(today + 29).policy.version, 1);
    let later = on(today + 30).policy;
    assert_eq!((later.version, later.notice_days), (2, 5));
    assert_eq!(later.lot_expiry, LotExpiry::Months(18));
    assert_eq!(
        later.star_thresholds,
        vec![Points(100), Points(300), Points(600)]
    );
    assert_eq!(
        ledger
            .state
            .policy(&village, Which::Version(1))
            .unwrap()
            .policy
            .version,
        1
    );
}

#[test]
fn every_policy_field_is_required_and_within_its_bounds() {
    let mut ledger = Ledger::new();
    let v1 = ledger.issuer("v1", pb::IssuerKind::Village, 0);
    let today = ledger.today();
    let with = |change: fn(&mut gov::SetVillagePolicy)| {
        let mut policy = default_policy("v1", 1, today);
        change(&mut policy);
        set_policy(policy)
    };
    for (op, field) in [
        (with(|p| p.notice_days = 0), "notice_days"),
        (with(|p| p.notice_days = 91), "notice_days"),
        (with(|p| p.reviewers_required = 0), "reviewers_required"),
        (with(|p| p.reviewers_required = 10), "reviewers_required"),
        (with(|p| p.max_claim_age_days = 0), "max_claim_age_days"),
        (with(|p| p.max_claim_age_days = 367), "max_claim_age_days"),
        (
            with(|p| p.star_thresholds = vec![300, 100]),
            "star_thresholds",
        ),
        (
            with(|p| p.star_thresholds = vec![0, 100]),
            "star_thresholds",
        ),
        (
            with(|p| p.star_thresholds = (1..=11).collect()),
            "star_thresholds",
        ),
        (with(|p| p.lot_expiry = None), "lot_expiry"),
        (
            with(|p| p.lot_expiry = Some(gov::LotExpiry { rule: None })),
            "lot_expiry",
        ),
        (
            with(|p| {
                p.lot_expiry = Some(gov::LotExpiry {
                    rule: Some(gov::lot_expiry::Rule::Months(0)),
                })
            }),
            "lot_expiry.months",
        ),
        (with(|p| p.effective_from = 0), "effective_from"),
        (with(|p| p.version = 0), "version"),
        (with(|p| p.resolution = None), "resolution"),
        (
            with(|p| p.resolution.as_mut().unwrap().date += 1),
            "resolution.date",
        ),
        (
            with(|p| p.resolution.as_mut().unwrap().document_sha256 = vec![1; 31]),
            "resolution.document_sha256",
        ),
        (
            with(|p| p.resolution.as_mut().unwrap().title.clear()),
            "resolution.title",
        ),
        (with(|p| p.village_id.clear()), "village_id"),
    ] {
        match ledger.apply(&v1, op) {
            Err(Refusal::InvalidField { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: expected INVALID_FIELD, got {other:?}"),
        }
    }
}

#[test]
fn a_lots_expiry_follows_the_policys_rule() {
    use super::super::policy::lot_expires_on;
    let day = |text: &str| CivilDate::parse("d", text).unwrap();
    let expiry = |rule, from: &str| lot_expires_on(rule, day(from)).map(|d| d.to_string());
    assert_eq!(
        expiry(LotExpiry::EndOfFollowingYear, "2026-12-05").as_deref(),
        Some("2028-01-01")
    );
    assert_eq!(
        expiry(LotExpiry::EndOfFollowingYear, "2026-01-01").as_deref(),
        Some("2028-01-01")
    );
    assert_eq!(
        expiry(LotExpiry::Months(1), "2026-01-31").as_deref(),
        Some("2026-02-28")
    );
    assert_eq!(
        expiry(LotExpiry::Months(1), "2024-01-31").as_deref(),
        Some("2024-02-29")
    );
    assert_eq!(
        expiry(LotExpiry::Months(12), "2026-12-05").as_deref(),
        Some("2027-12-05")
    );
    assert_eq!(
        expiry(LotExpiry::Months(14), "2026-11-30").as_deref(),
        Some("2028-01-30")
    );
    assert_eq!(expiry(LotExpiry::Never, "2026-12-05"), None);
}
