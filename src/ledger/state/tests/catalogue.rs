//! The catalogue room: versions adopted in steps, what may be in force when, and narrowing.

use super::prelude::*;
use crate::pb::governance as gov;

const DAY_MS: u64 = 86_400_000;

fn scope(s: gov::CatalogueScope) -> CatalogueScope {
    crate::wire::parse_scope("scope", Some(&s)).unwrap()
}

pub(super) fn date(days: u32) -> CivilDate {
    CivilDate::from_days(days).unwrap()
}

/// A ledger with Yidu, one township (红花套镇) and two villages: v1 placed in the township,
/// v2 not placed; officers of both.
pub(super) fn world() -> (Ledger, Signer, Signer) {
    let mut ledger = Ledger::new();
    let v1 = ledger.issuer("v1", pb::IssuerKind::Village, 1000);
    let v2 = ledger.issuer("v2", pb::IssuerKind::Village, 1000);
    ledger.issuer("p", pb::IssuerKind::Program, 0);
    ledger.admin_does(register_area("420581", "宜都市"));
    ledger.admin_does(register_area("420581101", "红花套镇"));
    ledger.admin_does(register_area("420581101001", "渔洋溪村"));
    ledger.admin_does(set_village_area("v1", "420581101001"));
    (ledger, v1, v2)
}

pub(super) fn capped(mut rule: gov::Rule) -> gov::Rule {
    rule.evidence_required = true;
    rule.caps = vec![household_cap(gov::CapPeriod::Month, 30)];
    rule
}

#[test]
fn a_catalogue_is_adopted_in_steps_and_in_force_from_its_date() {
    let (mut ledger, v1, _) = world();
    let admin = ledger.admin_signer();
    let today = ledger.today();
    let rules: Vec<_> = (0..45)
        .map(|i| award_rule(&format!("R-{i:02}"), 5, 2))
        .collect();
    // Nothing is in force before the seal, even once it is open.
    ledger
        .apply(&admin, open_catalogue(city(), 1, today + 1, &rules))
        .unwrap();
    let open = ledger
        .state
        .catalogue(&scope(city()), Which::Version(1))
        .unwrap();
    assert_eq!(open.status, CatalogueStatus::Open);
    for chunk in rules.chunks(20) {
        ledger.apply(&admin, add_rules(city(), 1, chunk)).unwrap();
    }
    assert!(
        ledger
            .state
            .catalogue(&scope(city()), Which::InForceOn(date(today + 1)))
            .is_err()
    );
    let sealed = ledger.apply(&admin, seal_catalogue(city(), 1)).unwrap();
    let view = ledger
        .state
        .catalogue(&scope(city()), Which::InForceOn(date(today + 1)))
        .unwrap();
    assert_eq!(
        (view.status, view.sealed_at),
        (CatalogueStatus::Sealed, Some(sealed.sequence))
    );
    assert_eq!(view.rules.len(), 45);
    assert_eq!(view.rules[44].code.as_str(), "R-44");
    // The day before it starts, nothing of the city is in force.
    let before = ledger
        .state
        .catalogue(&scope(city()), Which::InForceOn(date(today)))
        .unwrap_err();
    assert_eq!(before.reason(), "UNKNOWN_CATALOGUE");
    assert_eq!(before.class(), RefusalClass::NotFound);

    // A village officer adopts its own village's catalogue, not the city's or another's.
    let refused = ledger
        .apply(&v1, open_catalogue(city(), 2, today + 1, &rules[..1]))
        .unwrap_err();
    assert_eq!(refused.class(), RefusalClass::PermissionDenied);
    let refused = ledger
        .apply(&v1, open_catalogue(village("v2"), 1, today, &rules[..1]))
        .unwrap_err();
    assert!(matches!(refused, Refusal::OutOfScope { .. }), "{refused}");
    // A village's catalogue entries (open, add, seal) show in its history.
    let of_v1 = |ledger: &Ledger| {
        let filter = HistoryFilter {
            account: Some(AccountId::Issuer(id(IssuerId::parse, "v1"))),
            limit: 1000,
            ..HistoryFilter::default()
        };
        ledger.state.history(&filter).entries.len()
    };
    let before = of_v1(&ledger);
    ledger
        .adopt(&v1, village("v1"), 1, today + 1, &rules[..3])
        .unwrap();
    assert_eq!(of_v1(&ledger), before + 3);
}

#[test]
fn every_step_refuses_what_does_not_fit_and_changes_nothing() {
    let (mut ledger, _, _) = world();
    let admin = ledger.admin_signer();
    let today = ledger.today();
    let rules = [
        award_rule("A", 5, 1),
        award_rule("B", 5, 1),
        award_rule("C", 5, 1),
    ];
    let refuse = |ledger: &mut Ledger, op: Op, reason: &str| {
        let before = (
            ledger.snapshot(),
            ledger
                .state
                .catalogue(&scope(city()), Which::Version(1))
                .ok()
                .map(|v| (v.rules.len(), v.status)),
        );
        let refusal = ledger.apply(&admin, op).unwrap_err();
        assert_eq!(refusal.reason(), reason, "{refusal}");
        let after = (
            ledger.snapshot(),
            ledger
                .state
                .catalogue(&scope(city()), Which::Version(1))
                .ok()
                .map(|v| (v.rules.len(), v.status)),
        );
        assert_eq!(before, after, "{refusal} changed something");
        refusal
    };
    // Versions start at 1 and follow each other; nothing is back-dated.
    refuse(
        &mut ledger,
        open_catalogue(city(), 2, today, &rules),
        "VERSION_NOT_NEXT",
    );
    let backdated = refuse(
        &mut ledger,
        open_catalogue(city(), 1, today - 1, &rules),
        "EFFECTIVE_TOO_EARLY",
    );
    assert!(
        backdated.to_string().contains("never back-dated"),
        "{backdated}"
    );
    // Rules added, more than declared, twice, or sealed early.
    ledger
        .apply(&admin, open_catalogue(city(), 1, today + 1, &rules))
        .unwrap();
    refuse(
        &mut ledger,
        seal_catalogue(city(), 1),
        "CATALOGUE_RULE_COUNT",
    );
    refuse(
        &mut ledger,
        add_rules(city(), 1, &[rules[0].clone(), rules[0].clone()]),
        "DUPLICATE_RULE_CODE",
    );
    ledger
        .apply(&admin, add_rules(city(), 1, &rules[..1]))
        .unwrap();
    refuse(
        &mut ledger,
        add_rules(city(), 1, &rules[..1]),
        "DUPLICATE_RULE_CODE",
    );
    let four = [rules[1].clone(), rules[2].clone(), award_rule("D", 1, 1)];
    refuse(
        &mut ledger,
        add_rules(city(), 1, &four),
        "CATALOGUE_RULE_COUNT",
    );
    // Rules in another order than declared: the hash tells.
    ledger
        .apply(
            &admin,
            add_rules(city(), 1, &[rules[2].clone(), rules[1].clone()]),
        )
        .unwrap();
    let mismatch = refuse(
        &mut ledger,
        seal_catalogue(city(), 1),
        "CATALOGUE_HASH_MISMATCH",
    );
    assert_eq!(mismatch.class(), RefusalClass::FailedPrecondition);
    refuse(
        &mut ledger,
        add_rules(city(), 3, &rules[..1]),
        "UNKNOWN_CATALOGUE",
    );
    // The next version abandons the unsealable draft.
    ledger
        .apply(&admin, open_catalogue(city(), 2, today + 1, &rules))
        .unwrap();
    let abandoned = ledger.apply(&admin, seal_catalogue(city(), 1)).unwrap_err();
    assert!(
        matches!(
            abandoned,
            Refusal::Governance(crate::ledger::GovernanceRefusal::CatalogueNotOpen {
                status: "abandoned",
                ..
            })
        ),
        "{abandoned}"
    );
    assert_eq!(
        ledger
            .state
            .catalogue(&scope(city()), Which::Version(1))
            .unwrap()
            .status,
        CatalogueStatus::Abandoned
    );
    ledger.apply(&admin, add_rules(city(), 2, &rules)).unwrap();
    ledger.apply(&admin, seal_catalogue(city(), 2)).unwrap();
    let sealed = ledger
        .apply(&admin, add_rules(city(), 2, &rules[..1]))
        .unwrap_err();
    assert!(
        matches!(
            sealed,
            Refusal::Governance(crate::ledger::GovernanceRefusal::CatalogueNotOpen {
                status: "sealed",
                ..
            })
        ),
        "{sealed}"
    );
    // A later version may not start before the one it replaces.
    let early = ledger
        .apply(&admin, open_catalogue(city(), 3, today, &rules))
        .unwrap_err();
    assert!(
        matches!(early, Refusal::Governance(crate::ledger::GovernanceRefusal::EffectiveTooEarly { earliest, .. }) if earliest == date(today + 1)),
        "{early}"
    );
    // Scopes must exist and be of the right kind.
    for (bad, reason) in [
        (township("420581102"), "UNKNOWN_AREA"),
        (township("420581101001"), "WRONG_AREA_LEVEL"),
        (village("p"), "WRONG_ISSUER_KIND"),
        (program("v1"), "WRONG_ISSUER_KIND"),
        (village("v9"), "UNKNOWN_ISSUER"),
    ] {
        let refusal = ledger
            .apply(&admin, open_catalogue(bad, 1, today + 1, &rules))
            .unwrap_err();
        assert_eq!(refusal.reason(), reason, "{refusal}");
    }
}

#[test]
fn a_version_must_still_start_on_or_after_the_day_it_is_sealed() {
    let (mut ledger, _, _) = world();
    let admin = ledger.admin_signer();
    let today = ledger.today();
    let rules = [award_rule("A", 5, 1)];
    ledger
        .apply(&admin, open_catalogue(city(), 1, today, &rules))
        .unwrap();
    ledger.apply(&admin, add_rules(city(), 1, &rules)).unwrap();
    ledger.now += DAY_MS;
    let late = ledger.apply(&admin, seal_catalogue(city(), 1)).unwrap_err();
    assert!(
        matches!(late, Refusal::Governance(crate::ledger::GovernanceRefusal::EffectiveTooEarly { earliest, found, .. })
            if earliest == date(today + 1) && found == date(today)),
        "{late}"
    );
}

#[test]
fn versions_replace_each_other_and_an_ended_one_leaves_nothing_in_force() {
    let (mut ledger, v1, _) = world();
    let today = ledger.today();
    ledger
        .adopt(&v1, village("v1"), 1, today, &[award_rule("A", 5, 1)])
        .unwrap();
    let rules = [award_rule("A", 3, 1)];
    let open = open_catalogue_with(village("v1"), 2, today + 10, &rules, |o| {
        o.effective_to = today + 20;
    });
    ledger.apply(&v1, open).unwrap();
    ledger
        .apply(&v1, add_rules(village("v1"), 2, &rules))
        .unwrap();
    ledger.apply(&v1, seal_catalogue(village("v1"), 2)).unwrap();
    let in_force = |ledger: &Ledger, days: u32| {
        ledger
            .state
            .catalogue(&scope(village("v1")), Which::InForceOn(date(days)))
            .map(|v| v.catalogue.version)
            .ok()
    };
    assert_eq!(in_force(&ledger, today), Some(1));
    assert_eq!(in_force(&ledger, today + 9), Some(1));
    assert_eq!(in_force(&ledger, today + 10), Some(2));
    assert_eq!(in_force(&ledger, today + 19), Some(2));
    // Version 2 ended: version 1 does not come back.
    assert_eq!(in_force(&ledger, today + 20), None);
}

#[test]
fn the_wire_refuses_malformed_catalogue_steps_before_the_state() {
    let (mut ledger, _, _) = world();
    let admin = ledger.admin_signer();
    let today = ledger.today();
    let good = award_rule("A", 5, 2);
    let field_of = |ledger: &mut Ledger, op: Op| match ledger.apply(&admin, op) {
        Err(Refusal::InvalidField { field, .. }) => field,
        other => panic!("expected INVALID_FIELD, got {other:?}"),
    };
    let with = |change: fn(&mut gov::Rule)| {
        let mut rule = good.clone();
        change(&mut rule);
        add_rules(city(), 1, &[rule])
    };
    ledger
        .apply(
            &admin,
            open_catalogue(city(), 1, today, std::slice::from_ref(&good)),
        )
        .unwrap();
    for (op, field) in [
        (with(|r| r.sign = 0), "rules.sign"),
        (with(|r| r.points_per_unit = 0), "rules.points_per_unit"),
        (with(|r| r.max_quantity = 0), "rules.max_quantity"),
        (
            with(|r| {
                r.points_per_unit = 1_000_000_000;
                r.max_quantity = 1001;
            }),
            "rules.max_quantity",
        ),
        (with(|r| r.title.clear()), "rules.title"),
        (with(|r| r.unit = "\n".into()), "rules.unit"),
        (with(|r| r.code = "has space".into()), "rule_code"),
        (
            with(|r| r.caps = vec![household_cap(gov::CapPeriod::Month, 5); 2]),
            "rules.caps",
        ),
        (
            with(|r| r.caps = vec![household_cap(gov::CapPeriod::Unspecified, 5)]),
            "rules.caps.period",
        ),
        (
            with(|r| r.caps = vec![household_cap(gov::CapPeriod::Month, 0)]),
            "rules.caps.max_points",
        ),
        (add_rules(city(), 1, &[]), "rules"),
        (add_rules(city(), 1, &vec![good.clone(); 21]), "rules"),
        (add_rules(city(), 0, std::slice::from_ref(&good)), "version"),
        (
            open_catalogue(city(), 2, 0, std::slice::from_ref(&good)),
            "effective_from",
        ),
        (open_catalogue(city(), 2, today, &[]), "rule_count"),
        (
            open_catalogue(
                gov::CatalogueScope { scope: None },
                1,
                today,
                std::slice::from_ref(&good),
            ),
            "scope",
        ),
        (
            open_catalogue(township("12"), 1, today, std::slice::from_ref(&good)),
            "township_code",
        ),
    ] {
        assert_eq!(field_of(&mut ledger, op), field);
    }
}

#[test]
fn the_wire_refuses_bad_dates_counts_and_names_the_rule_at_fault() {
    let (mut ledger, _, _) = world();
    let admin = ledger.admin_signer();
    let today = ledger.today();
    let rule = award_rule("A", 1, 1);
    let open_with = |change: fn(&mut gov::OpenCatalogue, u32)| {
        open_catalogue_with(city(), 1, today, std::slice::from_ref(&rule), |o| {
            change(o, today)
        })
    };
    for (op, field) in [
        (open_with(|o, today| o.effective_to = today), "effective_to"),
        (
            open_with(|o, today| o.resolution.as_mut().unwrap().date = today + 1),
            "resolution.date",
        ),
        (open_with(|o, _| o.rule_count = 501), "rule_count"),
        (
            open_with(|o, _| o.rules_sha256 = vec![0; 31]),
            "rules_sha256",
        ),
    ] {
        match ledger.apply(&admin, op) {
            Err(Refusal::InvalidField { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: expected INVALID_FIELD, got {other:?}"),
        }
    }
    let mut policy = default_policy("v1", 1, today);
    policy.lot_expiry = Some(gov::LotExpiry {
        rule: Some(gov::lot_expiry::Rule::Months(121)),
    });
    assert!(matches!(
        ledger.apply(&admin, set_policy(policy)),
        Err(Refusal::InvalidField {
            field: "lot_expiry.months",
            ..
        })
    ));
    // Of twenty rules, the refusal names the one at fault.
    ledger
        .apply(
            &admin,
            open_catalogue(city(), 1, today, &[rule.clone(), rule.clone()]),
        )
        .unwrap();
    let bad = gov::Rule {
        unit: String::new(),
        ..award_rule("B-07", 1, 1)
    };
    let refusal = ledger
        .apply(&admin, add_rules(city(), 1, &[rule, bad]))
        .unwrap_err();
    assert!(
        refusal.to_string().contains("rules[1], code \"B-07\""),
        "{refusal}"
    );
}
