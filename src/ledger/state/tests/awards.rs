//! Programs' awards by rule: priced by the program's catalogue, posted at once, once per
//! activity and household, within caps, only by the program, never a deduction, and the way
//! programs award once claims are required.

use super::prelude::*;
use crate::pb::governance as gov;

const DAY_MS: u64 = 86_400_000;

#[test]
fn a_program_awards_by_its_rules_once_per_activity_and_within_caps() {
    let mut ledger = Ledger::new();
    let volunteer = ledger.issuer("vol", pb::IssuerKind::Program, 100);
    let other = ledger.issuer("other", pb::IssuerKind::Program, 100);
    let village_officer = ledger.issuer("v1", pb::IssuerKind::Village, 0);
    ledger.household("h1", "v1");
    let admin = ledger.admin_signer();
    let today = ledger.today();
    let mut help = award_rule("VOL-01", 10, 3);
    help.caps = vec![household_cap(gov::CapPeriod::Month, 40)];
    let mut proof = award_rule("VOL-02", 5, 1);
    proof.evidence_required = true;
    ledger
        .adopt(&admin, program("vol"), 1, today, &[help, proof])
        .unwrap();
    ledger.now += DAY_MS;
    let today = ledger.today();
    ledger.apply(&admin, require_claims()).unwrap();
    let before = ledger.snapshot();
    for (signer, op, reason) in [
        (
            &other,
            award_by_rule("vol", "a1", "h1", "VOL-01", 1, today),
            "OUT_OF_SCOPE",
        ),
        (
            &village_officer,
            award_by_rule("vol", "a1", "h1", "VOL-01", 1, today),
            "ROLE_NOT_ALLOWED",
        ),
        (
            &volunteer,
            award_by_rule("vol", "a1", "h1", "NONE", 1, today),
            "RULE_NOT_IN_FORCE",
        ),
        (
            &volunteer,
            award_by_rule("vol", "a1", "h1", "VOL-01", 4, today),
            "QUANTITY_OVER_MAXIMUM",
        ),
        (
            &volunteer,
            award_by_rule("vol", "a1", "h1", "VOL-02", 1, today),
            "EVIDENCE_REQUIRED",
        ),
        (
            &volunteer,
            award_by_rule("vol", "a1", "h1", "VOL-01", 1, today + 1),
            "DATE_OUT_OF_RANGE",
        ),
        (
            &volunteer,
            award_by_rule("vol", "a1", "h1", "VOL-01", 0, today),
            "INVALID_FIELD",
        ),
    ] {
        let refused = ledger.apply(signer, op).unwrap_err();
        assert_eq!(refused.reason(), reason, "{refused}");
    }
    assert_eq!(ledger.snapshot(), before, "refusals changed nothing");
    // Priced by the rule: 3 × 10, posted at once from the program's budget, score and all.
    let entry = ledger
        .apply(
            &volunteer,
            award_by_rule("vol", "a1", "h1", "VOL-01", 3, today),
        )
        .unwrap();
    assert_eq!(entry.postings.len(), 1);
    assert_eq!(entry.postings[0].points, Points(30));
    assert_eq!(
        ledger.balance(AccountId::Household(id(HouseholdId::parse, "h1"))),
        30
    );
    assert_eq!(
        ledger.balance(AccountId::Issuer(id(IssuerId::parse, "vol"))),
        70
    );
    let again = ledger
        .apply(
            &volunteer,
            award_by_rule("vol", "a1", "h1", "VOL-01", 1, today),
        )
        .unwrap_err();
    assert_eq!(again.reason(), "DUPLICATE_DEED", "{again}");
    // The cap of 40 a month: 10 more fit, 20 do not.
    let cap = ledger
        .apply(
            &volunteer,
            award_by_rule("vol", "a2", "h1", "VOL-01", 2, today),
        )
        .unwrap_err();
    assert_eq!(cap.reason(), "CAP_EXCEEDED", "{cap}");
    ledger
        .apply(
            &volunteer,
            award_by_rule("vol", "a2", "h1", "VOL-01", 1, today),
        )
        .unwrap();
    // A program's catalogue only awards, capped per household.
    for (version, rule, field) in [
        (2, deduction_rule("VOL-09", 5, 1), "rules.sign"),
        (
            3,
            gov::Rule {
                caps: vec![gov::Cap {
                    per: gov::CapHolder::Member.into(),
                    period: gov::CapPeriod::Year.into(),
                    max_points: 5,
                }],
                ..award_rule("VOL-08", 5, 1)
            },
            "rules.caps.per",
        ),
    ] {
        ledger
            .apply(
                &admin,
                open_catalogue(
                    program("vol"),
                    version,
                    today + 1,
                    std::slice::from_ref(&rule),
                ),
            )
            .unwrap();
        match ledger.apply(&admin, add_rules(program("vol"), version, &[rule])) {
            Err(Refusal::InvalidField { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    // Replay reaches the same state.
    let replayed = ledger.replay().unwrap();
    let board = |state: &State| {
        state
            .board(
                &id(IssuerId::parse, "v1"),
                BoardPeriod::month_of(CivilDate::from_days(today).unwrap()),
                10,
            )
            .unwrap()
    };
    assert_eq!(board(&replayed), board(&ledger.state));
    let live = ledger.snapshot();
    ledger.state = replayed;
    assert_eq!(ledger.snapshot(), live);
}
