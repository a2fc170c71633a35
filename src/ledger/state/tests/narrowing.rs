//! Narrowing: a village's rule may only narrow its township's and the city's (value within
//! theirs, caps no looser), across every parent version in force during its dates.

use super::catalogue::{capped, date, world};
use super::prelude::*;
use crate::pb::governance as gov;

#[test]
fn a_village_may_only_narrow_its_township_and_the_city() {
    let (mut ledger, v1, v2) = world();
    let admin = ledger.admin_signer();
    let today = ledger.today();
    let city_rule = capped(award_rule("ENV-01", 10, 3));
    ledger
        .adopt(
            &admin,
            city(),
            1,
            today,
            &[city_rule.clone(), award_rule("CITY-02", 5, 1)],
        )
        .unwrap();
    // The township narrows ENV-01, leaves CITY-02 out and adds a rule of its own.
    let mut township_rule = city_rule.clone();
    township_rule.points_per_unit = 8;
    let own = award_rule("HHT-01", 20, 1);
    ledger
        .adopt(
            &admin,
            township("420581101"),
            1,
            today,
            &[township_rule.clone(), own.clone()],
        )
        .unwrap();

    // Each way of widening is refused, naming the field; v1 is bound by the township (8) and
    // the city; v2, not placed in an area, by the city only.
    let widen = |change: fn(&mut gov::Rule)| {
        let mut rule = township_rule.clone();
        change(&mut rule);
        rule
    };
    let cases: Vec<(gov::Rule, &str)> = vec![
        (widen(|r| r.points_per_unit = 9), "points_per_unit"),
        (widen(|r| r.sign = gov::Sign::Deduction.into()), "sign"),
        (widen(|r| r.max_quantity = 4), "max_quantity"),
        (widen(|r| r.evidence_required = false), "evidence_required"),
        (widen(|r| r.caps.clear()), "caps"),
        (widen(|r| r.caps[0].max_points = 31), "caps"),
        (
            widen(|r| r.caps[0].period = gov::CapPeriod::Year.into()),
            "caps",
        ),
    ];
    for (version, (rule, field)) in (1..).zip(cases) {
        let refused = ledger
            .adopt(
                &v1,
                village("v1"),
                version,
                today,
                std::slice::from_ref(&rule),
            )
            .unwrap_err();
        assert!(
            matches!(&refused, Refusal::Governance(crate::ledger::GovernanceRefusal::CatalogueWidensParent { field: f, .. }) if f == &field),
            "{field}: {refused}"
        );
        assert_eq!(refused.reason(), "CATALOGUE_WIDENS_PARENT");
    }
    // A township rule binds its villages too.
    let mut wider_own = own.clone();
    wider_own.points_per_unit = 21;
    let refused = ledger
        .adopt(&v1, village("v1"), 8, today, &[wider_own])
        .unwrap_err();
    assert!(
        refused.to_string().contains("township 420581101"),
        "{refused}"
    );
    // A city rule the township left out still binds the village.
    let refused = ledger
        .adopt(&v1, village("v1"), 9, today, &[award_rule("CITY-02", 6, 1)])
        .unwrap_err();
    assert!(refused.to_string().contains("the city"), "{refused}");

    // Narrowing, adding caps and new codes is fine.
    let mut narrower = township_rule.clone();
    narrower.points_per_unit = 8;
    narrower.caps.push(household_cap(gov::CapPeriod::Year, 200));
    ledger
        .adopt(
            &v1,
            village("v1"),
            10,
            today,
            &[narrower, award_rule("YYX-01", 50, 1)],
        )
        .unwrap();
    // v2 has no township: 9 points (≤ the city's 10) is allowed, 11 is not.
    let mut nine = township_rule.clone();
    nine.points_per_unit = 9;
    ledger.adopt(&v2, village("v2"), 1, today, &[nine]).unwrap();
    let mut eleven = township_rule;
    eleven.points_per_unit = 11;
    let refused = ledger
        .adopt(&v2, village("v2"), 2, today + 1, &[eleven])
        .unwrap_err();
    assert!(refused.to_string().contains("the city"), "{refused}");
}

#[test]
fn a_village_rule_must_narrow_every_parent_version_in_force_during_its_dates() {
    let (mut ledger, v1, _) = world();
    let admin = ledger.admin_signer();
    let today = ledger.today();
    ledger
        .adopt(&admin, city(), 1, today, &[award_rule("ENV-01", 10, 3)])
        .unwrap();
    // The city already decided: from day 30 ENV-01 pays 5.
    ledger
        .adopt(&admin, city(), 2, today + 30, &[award_rule("ENV-01", 5, 3)])
        .unwrap();
    // An open-ended village rule at 10 would pay twice the city's from day 30.
    let refused = ledger
        .adopt(
            &v1,
            village("v1"),
            1,
            today + 1,
            &[award_rule("ENV-01", 10, 3)],
        )
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("catalogue version 2 of the city"),
        "{refused}"
    );
    // One that ends before day 30 only meets version 1.
    let ending = open_catalogue_with(
        village("v1"),
        2,
        today + 1,
        &[award_rule("ENV-01", 10, 3)],
        |o| {
            o.effective_to = today + 30;
        },
    );
    ledger.apply(&v1, ending).unwrap();
    ledger
        .apply(
            &v1,
            add_rules(village("v1"), 2, &[award_rule("ENV-01", 10, 3)]),
        )
        .unwrap();
    ledger.apply(&v1, seal_catalogue(village("v1"), 2)).unwrap();
}

#[test]
fn deductions_keep_their_value_and_caps_and_every_rule_its_unit() {
    let (mut ledger, v1, _) = world();
    let admin = ledger.admin_signer();
    let today = ledger.today();
    let mut litter = deduction_rule("LITTER-01", 10, 2);
    litter.caps = vec![household_cap(gov::CapPeriod::Year, 50)];
    ledger
        .adopt(
            &admin,
            city(),
            1,
            today,
            &[litter.clone(), award_rule("ENV-01", 5, 3)],
        )
        .unwrap();
    let cases: Vec<(gov::Rule, &str)> = vec![
        (
            gov::Rule {
                points_per_unit: 1,
                ..litter.clone()
            },
            "points_per_unit",
        ),
        (
            gov::Rule {
                points_per_unit: 20,
                ..litter.clone()
            },
            "points_per_unit",
        ),
        (
            gov::Rule {
                caps: vec![],
                ..litter.clone()
            },
            "caps",
        ),
        (
            gov::Rule {
                caps: vec![household_cap(gov::CapPeriod::Year, 20)],
                ..litter.clone()
            },
            "caps",
        ),
        (
            gov::Rule {
                caps: vec![
                    household_cap(gov::CapPeriod::Year, 50),
                    household_cap(gov::CapPeriod::Month, 10),
                ],
                ..litter.clone()
            },
            "caps",
        ),
        (
            gov::Rule {
                unit: "小时".into(),
                ..award_rule("ENV-01", 5, 3)
            },
            "unit",
        ),
    ];
    for (version, (rule, field)) in (1..).zip(cases) {
        let refused = ledger
            .adopt(
                &v1,
                village("v1"),
                version,
                today,
                std::slice::from_ref(&rule),
            )
            .unwrap_err();
        assert!(
            matches!(&refused, Refusal::Governance(crate::ledger::GovernanceRefusal::CatalogueWidensParent { field: f, .. }) if f == &field),
            "{field}: {refused}"
        );
    }
    // The same deduction with a local title narrows; fewer units per claim would soften it,
    // and leaving it out would drop it.
    let fewer = gov::Rule {
        max_quantity: 1,
        ..litter.clone()
    };
    let refused = ledger
        .adopt(&v1, village("v1"), 7, today, &[fewer])
        .unwrap_err();
    assert!(
        matches!(
            &refused,
            Refusal::Governance(crate::ledger::GovernanceRefusal::CatalogueWidensParent {
                field: "max_quantity",
                ..
            })
        ),
        "{refused}"
    );
    let refused = ledger
        .adopt(&v1, village("v1"), 8, today, &[award_rule("ENV-01", 5, 3)])
        .unwrap_err();
    assert!(
        matches!(&refused, Refusal::Governance(crate::ledger::GovernanceRefusal::CatalogueWidensParent { field: "rules", rule, .. }) if rule.as_str() == "LITTER-01"),
        "{refused}"
    );
    let local = gov::Rule {
        title: "乱扔垃圾".into(),
        ..litter
    };
    ledger
        .adopt(&v1, village("v1"), 9, today, &[local])
        .unwrap();
}

#[test]
fn a_township_narrows_the_city_and_a_replacing_version_starts_tomorrow() {
    let (mut ledger, _, _) = world();
    let admin = ledger.admin_signer();
    let today = ledger.today();
    ledger
        .adopt(&admin, city(), 1, today, &[award_rule("ENV-01", 10, 3)])
        .unwrap();
    let refused = ledger
        .adopt(
            &admin,
            township("420581101"),
            1,
            today,
            &[award_rule("ENV-01", 11, 3)],
        )
        .unwrap_err();
    assert_eq!(refused.reason(), "CATALOGUE_WIDENS_PARENT", "{refused}");
    // What was in force this morning stays in force today.
    let replacing = ledger
        .apply(
            &admin,
            open_catalogue(city(), 2, today, &[award_rule("ENV-01", 5, 3)]),
        )
        .unwrap_err();
    assert!(
        matches!(&replacing, Refusal::Governance(crate::ledger::GovernanceRefusal::EffectiveTooEarly { earliest, .. }) if *earliest == date(today + 1)),
        "{replacing}"
    );
    // A resolution not taken yet cannot adopt anything.
    let future = open_catalogue_with(city(), 2, today + 5, &[award_rule("ENV-01", 5, 3)], |o| {
        o.resolution = Some(resolution(today + 1));
    });
    let refused = ledger.apply(&admin, future).unwrap_err();
    assert!(
        matches!(
            refused,
            Refusal::Governance(crate::ledger::GovernanceRefusal::DateOutOfRange {
                field: "resolution.date",
                ..
            })
        ),
        "{refused}"
    );
}
