//! Members and households as the claims room sees them: dated membership, officers'
//! households recorded by others, and a posted deduction that bites what it cannot take as
//! arrears the next credits pay.

use super::claims::{DAY_MS, arrears_of, household_view, refused, world};
use super::prelude::*;

#[test]
fn a_deduction_bites_what_it_cannot_take_becomes_arrears_paid_by_the_next_credits() {
    let mut w = world();
    let today = w.ledger.today();
    let (p, r) = (w.proposer.clone(), w.outsider.clone());
    let l = &mut w.ledger;
    let terminal = l.shop("s1");
    let resident_h1 = Signer::generate();
    let admin = l.admin_signer();
    l.apply(&admin, register_key(&resident_h1, pb::Role::Resident, "h1"))
        .unwrap();
    l.apply(&p, issue("v1", "h1", 10)).unwrap();
    l.apply(&p, submit_claim("d1", "h1", "LITTER-01", 1, today))
        .unwrap();
    l.apply(&r, approve("d1")).unwrap();
    l.apply(&p, open_notice("n1", "v1", &["d1"])).unwrap();
    // Spending quickly while the deduction is on notice does not dodge it.
    let code = l.payment_code(&resident_h1, "h1", 10);
    l.apply(&terminal, redeem("s1", "h1", 10, code, 1)).unwrap();
    l.now += 7 * DAY_MS;
    l.apply(&p, finalize_notice("n1")).unwrap();
    let h1 = AccountId::Household(id(HouseholdId::parse, "h1"));
    assert_eq!(l.balance(h1.clone()), 0);
    assert_eq!(arrears_of(l, "h1"), Points(30));
    let AccountView::Household { earned_score, .. } = household_view(l, "h1") else {
        panic!()
    };
    assert_eq!(earned_score, 10 - 30);
    // The next credit pays the arrears first; the paying part stays with the issuer.
    let village = AccountId::Issuer(id(IssuerId::parse, "v1"));
    let budget = l.balance(village.clone());
    let paying = l.apply(&p, issue("v1", "h1", 35)).unwrap();
    assert_eq!(paying.arrears_paid, Points(30));
    assert_eq!(arrears_of(l, "h1"), Points(0));
    assert_eq!(l.balance(h1.clone()), 5);
    assert_eq!(l.balance(village.clone()), budget - 5);
    // Reversing that credit owes the arrears again: a reversal cannot erase a deduction.
    l.apply(&p, reverse(paying.sequence)).unwrap();
    assert_eq!(arrears_of(l, "h1"), Points(30));
    assert_eq!(l.balance(h1), 0);
    assert_eq!(l.balance(village), budget);
    let AccountView::Household { earned_score, .. } = household_view(l, "h1") else {
        panic!()
    };
    assert_eq!(earned_score, 10 - 30);
    assert_eq!(l.state.total_balance(), 0);
}

#[test]
fn members_and_households_are_dated_and_officers_households_recorded_by_others() {
    let mut w = world();
    let today = w.ledger.today();
    let (p, r) = (w.proposer.clone(), w.reviewer.clone());
    let l = &mut w.ledger;
    refused(
        l,
        &p,
        register_member("h2", 1, today),
        "MEMBER_IN_HOUSEHOLD",
    );
    refused(
        l,
        &p,
        register_member("h1", 3, today + 1),
        "DATE_OUT_OF_RANGE",
    );
    refused(
        l,
        &w.other_village,
        register_member("h1", 3, today),
        "OUT_OF_SCOPE",
    );
    refused(l, &p, member_left(1, w.registered), "DATE_OUT_OF_RANGE");
    refused(l, &p, member_left(9, today), "UNKNOWN_MEMBER");
    l.apply(&p, member_left(1, today - 3)).unwrap();
    refused(
        l,
        &p,
        register_member("h2", 1, today - 4),
        "DATE_OUT_OF_RANGE",
    );
    l.apply(&p, register_member("h2", 1, today - 3)).unwrap();
    let stays = l.state.memberships(&MemberId([1; 16]));
    assert_eq!(stays.len(), 2);
    // The member's deeds count for the household they were in on the day.
    let help = |claim, household, deed, evidence| {
        submit_claim_with(
            claim,
            household,
            "HELP-01",
            1,
            deed,
            Some(1),
            Some(evidence),
        )
    };
    refused(l, &p, help("c1", "h1", today - 1, 1), "NOT_MEMBER_ON_DATE");
    l.apply(&p, help("c1", "h1", today - 4, 1)).unwrap();
    l.apply(&p, help("c2", "h2", today - 1, 2)).unwrap();
    // A household that left takes no claims for deeds from that day.
    l.apply(&p, household_left("h2", today)).unwrap();
    refused(l, &p, household_left("h2", today), "HOUSEHOLD_HAS_LEFT");
    refused(
        l,
        &p,
        submit_claim("c3", "h2", "ENV-01", 1, today),
        "NOT_IN_VILLAGE_ON_DATE",
    );
    l.apply(&p, submit_claim("c3", "h2", "ENV-01", 1, today - 1))
        .unwrap();
    refused(l, &p, register_member("h2", 5, today), "HOUSEHOLD_HAS_LEFT");
    // Officers' households: never one's own, only the village's, only officer keys.
    refused(l, &p, set_officer_household(&p, None), "ROLE_NOT_ALLOWED");
    let admin = l.admin_signer();
    refused(
        l,
        &admin,
        set_officer_household(&r, Some("h9")),
        "OUT_OF_SCOPE",
    );
    refused(
        l,
        &p,
        set_officer_household(&w.auditor, None),
        "NOT_AN_OFFICER_KEY",
    );
    // Once recorded, only the bureau changes an officer's household.
    refused(
        l,
        &p,
        set_officer_household(&r, Some("h1")),
        "ROLE_NOT_ALLOWED",
    );
    l.apply(&admin, set_officer_household(&r, Some("h1")))
        .unwrap();
    // Now the reviewer belongs to h1 and may not review its claims.
    refused(l, &r, approve("c1"), "REVIEWER_CONFLICT");
    l.apply(&r, approve("c2")).unwrap();
}
