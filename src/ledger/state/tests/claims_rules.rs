//! The claims room's rules that keep it bounded and its promises kept: limits on objections
//! and review steps, budget promised to approved awards, caps added by later catalogue
//! versions, a parent's deduction pricing a claim, and reversals that meet arrears.

use super::claims::{DAY_MS, arrears_of, claim_of, officer, refused, rules, world};
use super::prelude::*;
use crate::pb::governance as gov;

#[test]
fn limits_that_keep_a_claim_bounded_and_budget_promises_kept() {
    let mut w = world();
    let today = w.ledger.today();
    let (p, r) = (w.proposer.clone(), w.outsider.clone());
    let l = &mut w.ledger;
    let admin = l.admin_signer();
    l.apply(&p, submit_claim("c1", "h1", "ENV-01", 2, today))
        .unwrap();
    l.apply(&r, approve("c1")).unwrap();
    l.apply(&p, open_notice("n1", "v1", &["c1"])).unwrap();
    // One open objection per key, at most 3 per key and 50 per claim; no one resolves an
    // objection they filed.
    l.apply(&w.resident_h2, file_objection("o0", "c1")).unwrap();
    refused(
        l,
        &w.resident_h2,
        file_objection("o1", "c1"),
        "OBJECTION_ALREADY_OPEN",
    );
    l.apply(&w.outsider, file_objection("mine", "c1")).unwrap();
    refused(
        l,
        &w.outsider,
        resolve_objection("mine", false),
        "REVIEWER_CONFLICT",
    );
    l.apply(&w.reviewer, resolve_objection("mine", false))
        .unwrap();
    for (objection, next) in [("o0", "o1"), ("o1", "o2")] {
        l.apply(&w.outsider, resolve_objection(objection, false))
            .unwrap();
        l.apply(&w.resident_h2, file_objection(next, "c1")).unwrap();
    }
    l.apply(&w.outsider, resolve_objection("o2", false))
        .unwrap();
    let per_key = refused(l, &w.resident_h2, file_objection("o3", "c1"), "CLAIM_LIMIT");
    assert!(
        per_key.to_string().contains("objections by one key"),
        "{per_key}"
    );
    for i in 0..46 {
        let auditor = Signer::generate();
        l.apply(&admin, register_key(&auditor, pb::Role::Auditor, ""))
            .unwrap();
        l.apply(&auditor, file_objection(&format!("a{i}"), "c1"))
            .unwrap();
    }
    refused(l, &w.auditor, file_objection("a46", "c1"), "CLAIM_LIMIT");

    // A reversal may not take budget that approved awards were promised: the village holds
    // 1000 + 500, of which 25 are promised to c1 and c2, so a direct issue takes at most
    // 1475; after an issue of 1000, reversing the 500 would leave nothing for them.
    l.apply(&p, submit_claim("c2", "h2", "ENV-01", 3, today))
        .unwrap();
    l.apply(&r, approve("c2")).unwrap();
    let allocation = l.apply(&admin, allocate("v1", 500)).unwrap();
    refused(l, &p, issue("v1", "h1", 1_476), "BUDGET_EXCEEDED");
    l.apply(&p, issue("v1", "h1", 1_000)).unwrap();
    refused(l, &admin, reverse(allocation.sequence), "BUDGET_EXCEEDED");
    // The bureau may withdraw an approved claim whose proposer is gone; c1's 10 stay promised.
    l.apply(&admin, revoke(&p)).unwrap();
    l.apply(&admin, withdraw("c2")).unwrap();
    let still = refused(l, &admin, reverse(allocation.sequence), "BUDGET_EXCEEDED");
    assert!(still.to_string().contains("found 490 points"), "{still}");
    l.apply(&admin, allocate("v1", 10)).unwrap();
    l.apply(&admin, reverse(allocation.sequence)).unwrap();
}

#[test]
fn a_cap_added_by_a_later_version_counts_the_claims_made_before_it() {
    let mut w = world();
    let today = w.ledger.today();
    let (p, r) = (w.proposer.clone(), w.outsider.clone());
    let l = &mut w.ledger;
    // BIG-01 has no cap in version 1; 2 × 400 are approved.
    for (claim, deed) in [("b1", today - 1), ("b2", today)] {
        l.apply(&p, submit_claim(claim, "h1", "BIG-01", 1, deed))
            .unwrap();
        l.apply(&r, approve(claim)).unwrap();
    }
    // From tomorrow version 2 caps BIG-01 at 1000 a year per household.
    let mut capped_rules = rules();
    capped_rules[3].caps = vec![household_cap(gov::CapPeriod::Year, 1_000)];
    l.adopt(&p, village("v1"), 2, today + 1, &capped_rules)
        .unwrap();
    l.now += DAY_MS;
    let tomorrow = l.today();
    l.apply(&admin_alloc(l), allocate("v1", 1_000)).unwrap();
    l.apply(&p, submit_claim("b3", "h1", "BIG-01", 1, tomorrow))
        .unwrap();
    let refused_cap = refused(l, &r, approve("b3"), "CAP_EXCEEDED");
    assert!(
        refused_cap.to_string().contains("800 points counted"),
        "{refused_cap}"
    );
}

fn admin_alloc(ledger: &Ledger) -> Signer {
    ledger.admin_signer()
}

#[test]
fn a_parents_deduction_prices_a_claim_where_the_village_lacks_it() {
    let mut ledger = Ledger::new();
    let proposer = ledger.issuer("v1", pb::IssuerKind::Village, 100);
    let reviewer = officer(&mut ledger, "v1");
    ledger.household("h1", "v1");
    let admin = ledger.admin_signer();
    ledger.admin_does(set_officer_household(&proposer, Some("h1")));
    ledger.admin_does(set_officer_household(&reviewer, None));
    let today = ledger.today();
    ledger.admin_does(set_policy(default_policy("v1", 1, today)));
    ledger
        .adopt(
            &proposer,
            village("v1"),
            1,
            today,
            &[award_rule("ENV-01", 5, 3)],
        )
        .unwrap();
    // The city decides a deduction the village has not adopted (yet).
    ledger
        .adopt(
            &admin,
            city(),
            1,
            today + 1,
            &[deduction_rule("LITTER-01", 10, 1)],
        )
        .unwrap();
    ledger.now += DAY_MS;
    let today = ledger.today();
    ledger
        .apply(&proposer, submit_claim("d1", "h1", "LITTER-01", 1, today))
        .unwrap();
    let claim = claim_of(&ledger, "d1");
    assert_eq!(
        (claim.points, claim.rule.sign),
        (Points(10), Sign::Deduction)
    );
    ledger.apply(&reviewer, approve("d1")).unwrap();
}

#[test]
fn reversing_a_deduction_pays_arrears_first() {
    let mut w = world();
    let today = w.ledger.today();
    let (p, r) = (w.proposer.clone(), w.outsider.clone());
    let l = &mut w.ledger;
    l.apply(&p, issue("v1", "h1", 10)).unwrap();
    let direct = l.apply(&p, deduct("v1", "h1", 10)).unwrap();
    l.apply(&p, submit_claim("d1", "h1", "LITTER-01", 1, today))
        .unwrap();
    l.apply(&r, approve("d1")).unwrap();
    l.apply(&p, open_notice("n1", "v1", &["d1"])).unwrap();
    l.now += 7 * DAY_MS;
    l.apply(&p, finalize_notice("n1")).unwrap();
    assert_eq!(arrears_of(l, "h1"), Points(30));
    // The 10 the direct deduction took come back as a payment of the 30 owed.
    let reversal = l.apply(&p, reverse(direct.sequence)).unwrap();
    assert_eq!(reversal.arrears_paid, Points(10));
    assert!(reversal.postings.is_empty());
    assert_eq!(arrears_of(l, "h1"), Points(20));
    assert_eq!(
        l.balance(AccountId::Household(id(HouseholdId::parse, "h1"))),
        0
    );
    assert_eq!(l.state.total_balance(), 0);
}

#[test]
fn a_household_that_left_no_longer_objects() {
    let mut w = world();
    let today = w.ledger.today();
    let (p, r) = (w.proposer.clone(), w.outsider.clone());
    let l = &mut w.ledger;
    l.apply(&p, submit_claim("c1", "h1", "ENV-01", 1, today))
        .unwrap();
    l.apply(&r, approve("c1")).unwrap();
    l.apply(&p, open_notice("n1", "v1", &["c1"])).unwrap();
    l.apply(&p, household_left("h2", today)).unwrap();
    refused(
        l,
        &w.resident_h2,
        file_objection("o1", "c1"),
        "OUT_OF_SCOPE",
    );
    l.apply(&w.auditor, file_objection("o2", "c1")).unwrap();
}

/// Posts `claims` (already submitted and approved) through a notice of 7 days.
fn post(l: &mut Ledger, p: &Signer, batch: &str, claims: &[&str]) -> Sequence {
    l.apply(p, open_notice(batch, "v1", claims)).unwrap();
    l.now += 7 * DAY_MS;
    l.apply(p, finalize_notice(batch)).unwrap().sequence
}

#[test]
fn a_posted_award_is_reversed_once_and_what_was_spent_becomes_arrears() {
    let mut w = world();
    let today = w.ledger.today();
    let (p, r) = (w.proposer.clone(), w.outsider.clone());
    let l = &mut w.ledger;
    let terminal = l.shop("s1");
    let resident_h1 = Signer::generate();
    let admin = l.admin_signer();
    l.apply(&admin, register_key(&resident_h1, pb::Role::Resident, "h1"))
        .unwrap();
    l.apply(&p, submit_claim("c1", "h1", "ENV-01", 3, today))
        .unwrap();
    l.apply(&r, approve("c1")).unwrap();
    post(l, &p, "n1", &["c1"]);
    let village = AccountId::Issuer(id(IssuerId::parse, "v1"));
    let budget = l.balance(village.clone());
    // The household spent 10 of the 15.
    let code = l.payment_code(&resident_h1, "h1", 10);
    l.apply(&terminal, redeem("s1", "h1", 10, code, 1)).unwrap();
    // Who may: not the proposer, nor someone of the household.
    refused(l, &p, reverse_claim("c1"), "REVIEWER_CONFLICT");
    let undone = l.apply(&r, reverse_claim("c1")).unwrap();
    assert_eq!(undone.postings.len(), 1);
    assert_eq!(undone.postings[0].points, Points(5));
    assert_eq!(l.balance(village), budget + 5);
    assert_eq!(arrears_of(l, "h1"), Points(10));
    assert!(matches!(claim_of(l, "c1").status, ClaimStatus::Reversed(_)));
    refused(l, &r, reverse_claim("c1"), "CLAIM_STATE");
    // Its cap and deed are free again: the corrected claim goes in.
    l.apply(&p, submit_claim("c2", "h1", "ENV-01", 3, today))
        .unwrap();
    l.apply(&r, approve("c2")).unwrap();
    assert_eq!(l.state.total_balance(), 0);
}

#[test]
fn a_posted_deduction_is_reversed_with_its_points_and_arrears_given_back() {
    let mut w = world();
    let today = w.ledger.today();
    let (p, r) = (w.proposer.clone(), w.outsider.clone());
    let l = &mut w.ledger;
    l.apply(&p, issue("v1", "h1", 12)).unwrap();
    l.apply(&p, submit_claim("d1", "h1", "LITTER-01", 1, today))
        .unwrap();
    l.apply(&r, approve("d1")).unwrap();
    post(l, &p, "n1", &["d1"]);
    // 12 taken, 18 owed; a credit of 5 then pays 5 of them.
    assert_eq!(arrears_of(l, "h1"), Points(18));
    l.apply(&p, issue("v1", "h1", 5)).unwrap();
    assert_eq!(arrears_of(l, "h1"), Points(13));
    let h1 = AccountId::Household(id(HouseholdId::parse, "h1"));
    let AccountView::Household { earned_score, .. } = l.state.account(&h1).unwrap() else {
        panic!()
    };
    l.apply(&w.outsider.clone(), reverse_claim("d1")).unwrap();
    // The 12 come back, the 13 still owed are forgiven, the 5 paid come back too.
    assert_eq!(arrears_of(l, "h1"), Points(0));
    assert_eq!(l.balance(h1.clone()), 12 + 5);
    let AccountView::Household {
        earned_score: after,
        ..
    } = l.state.account(&h1).unwrap()
    else {
        panic!()
    };
    assert_eq!(after, earned_score + 30);
    assert_eq!(l.state.total_balance(), 0);
    // A replay reaches the same state.
    let replayed = l.replay().unwrap();
    let live = l.snapshot();
    l.state = replayed;
    assert_eq!(l.snapshot(), live);
}

#[test]
fn reversing_a_deduction_never_pays_out_budget_promised_to_awards() {
    let mut w = world();
    let today = w.ledger.today();
    let (p, r) = (w.proposer.clone(), w.outsider.clone());
    let l = &mut w.ledger;
    l.apply(&p, submit_claim("d1", "h1", "LITTER-01", 1, today))
        .unwrap();
    l.apply(&r, approve("d1")).unwrap();
    post(l, &p, "n1", &["d1"]);
    // h1 owed 30; a credit of 10 paid 10 of them (no posting: the village keeps its 1000).
    l.apply(&p, issue("v1", "h1", 10)).unwrap();
    assert_eq!(
        l.balance(AccountId::Issuer(id(IssuerId::parse, "v1"))),
        1000
    );
    // 800 promised to two approved awards, 195 spent: 5 free, less than the 10 to refund.
    for (claim, deed) in [("b1", today), ("b2", today - 1)] {
        l.apply(&p, submit_claim(claim, "h2", "BIG-01", 1, deed))
            .unwrap();
        l.apply(&r, approve(claim)).unwrap();
    }
    l.apply(&p, issue("v1", "h2", 195)).unwrap();
    let before = l.snapshot();
    let refused = l.apply(&r, reverse_claim("d1")).unwrap_err();
    assert_eq!(refused.reason(), "BUDGET_EXCEEDED", "{refused}");
    assert_eq!(l.snapshot(), before);
    // With the budget there, the reversal goes through and refunds what was paid.
    let admin = l.admin_signer();
    l.apply(&admin, allocate("v1", 5)).unwrap();
    l.apply(&r, reverse_claim("d1")).unwrap();
    assert_eq!(arrears_of(l, "h1"), Points(0));
    assert_eq!(
        l.balance(AccountId::Household(id(HouseholdId::parse, "h1"))),
        10
    );
}
