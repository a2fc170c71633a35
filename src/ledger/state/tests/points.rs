//! The points room and the lots it keeps: issues and deductions.

use super::prelude::*;

#[test]
fn a_household_holds_one_lot_per_issuer_however_often_it_is_credited() {
    let mut ledger = Ledger::new();
    let village = ledger.issuer("a", pb::IssuerKind::Village, 10_000);
    let program = ledger.issuer("p", pb::IssuerKind::Program, 10_000);
    ledger.household("h", "a");
    // Alternating issuers: before lots merged, this made 2 000 lots.
    for _ in 0..1_000 {
        ledger.apply(&village, issue("a", "h", 1)).unwrap();
        ledger.apply(&program, issue("p", "h", 2)).unwrap();
    }
    let h = id(HouseholdId::parse, "h");
    assert_eq!(ledger.state.accounts.lot_count(&h), 2);
    let view = ledger
        .state
        .account(&AccountId::Household(h.clone()))
        .unwrap();
    let AccountView::Household {
        balance, holdings, ..
    } = view
    else {
        panic!("not a household: {view:?}");
    };
    assert_eq!(balance, Points(3_000));
    assert_eq!(
        holdings,
        vec![
            (id(IssuerId::parse, "a"), Points(1_000)),
            (id(IssuerId::parse, "p"), Points(2_000))
        ]
    );
    // A deduction by the village takes its own lot first, then the program's.
    let entry = ledger.apply(&village, deduct("a", "h", 1_500)).unwrap();
    let taken: Vec<_> = entry.postings.iter().map(|p| p.points.get()).collect();
    assert_eq!(taken, vec![1_000, 500]);
    assert_eq!(ledger.state.accounts.lot_count(&h), 1);
    // Before claims are required a program may still deduct its own points directly (the
    // core's rule, so older logs replay); once they are, no direct deduction is taken.
    ledger.apply(&program, deduct("p", "h", 1)).unwrap();
    ledger.admin_does(require_claims());
    let refused = ledger.apply(&program, deduct("p", "h", 1)).unwrap_err();
    assert_eq!(refused.reason(), "CLAIM_REQUIRED", "{refused}");
}

#[test]
fn a_deduction_returns_each_issuers_points_to_that_issuer() {
    let mut ledger = Ledger::new();
    let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
    let program = ledger.issuer("p", pb::IssuerKind::Program, 100);
    ledger.household("h", "a");
    ledger.apply(&program, issue("p", "h", 50)).unwrap();
    ledger.apply(&village, issue("a", "h", 20)).unwrap();

    let entry = ledger.apply(&village, deduct("a", "h", 30)).unwrap();
    // The village's own 20 first, then 10 of the program's, back to the program.
    assert_eq!(entry.postings.len(), 2);
    assert_eq!(
        entry.postings[0].credit,
        AccountId::Issuer(id(IssuerId::parse, "a"))
    );
    assert_eq!(entry.postings[0].points, Points(20));
    assert_eq!(
        entry.postings[1].credit,
        AccountId::Issuer(id(IssuerId::parse, "p"))
    );
    assert_eq!(entry.postings[1].points, Points(10));
    assert_eq!(
        ledger.balance(AccountId::Issuer(id(IssuerId::parse, "a"))),
        100
    );
    assert_eq!(
        ledger.balance(AccountId::Issuer(id(IssuerId::parse, "p"))),
        60
    );
    assert_eq!(ledger.state.total_balance(), 0);
    let household = ledger
        .state
        .account(&AccountId::Household(id(HouseholdId::parse, "h")))
        .unwrap();
    assert_eq!(household.balance(), 40);
    let AccountView::Household { earned_score, .. } = household else {
        panic!("not a household: {household:?}");
    };
    assert_eq!(earned_score, 70 - 30);
}
