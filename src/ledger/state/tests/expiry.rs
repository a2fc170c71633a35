//! Lots with expiry: each credit is a lot with the expiry its village's policy gives, spent
//! earliest-expiring first, unspendable from its expiry date, and moved back to the bureau
//! fund by an expiry run, per household and issuer.

use super::prelude::*;
use crate::pb::governance as gov;

const DAY_MS: u64 = 86_400_000;

fn lots(ledger: &Ledger, household: &str) -> Vec<(String, Option<String>, u64)> {
    let view = ledger
        .state
        .account(&AccountId::Household(
            HouseholdId::parse("h", household).unwrap(),
        ))
        .unwrap();
    let AccountView::Household { lots, .. } = view else {
        panic!("{view:?}")
    };
    lots.iter()
        .map(|l| {
            (
                l.issuer.to_string(),
                l.expires_on.map(|d| d.to_string()),
                l.points.get(),
            )
        })
        .collect()
}

#[test]
fn lots_expire_by_the_policy_are_spent_earliest_first_and_an_expiry_run_moves_them() {
    let mut ledger = Ledger::new();
    let officer = ledger.issuer("v1", pb::IssuerKind::Village, 1_000);
    let program = ledger.issuer("p", pb::IssuerKind::Program, 1_000);
    let resident = Signer::generate();
    ledger.admin_does(register_household("h1", "v1", &[&resident]));
    let terminal = ledger.shop("s1");
    let admin = ledger.admin_signer();
    // T0 is 2026-11-30. Before any policy, lots never expire.
    ledger.apply(&program, issue("p", "h1", 5)).unwrap();
    let today = ledger.today();
    let mut policy = default_policy("v1", 1, today);
    policy.lot_expiry = Some(gov::LotExpiry {
        rule: Some(gov::lot_expiry::Rule::Months(1)),
    });
    ledger.apply(&officer, set_policy(policy)).unwrap();
    ledger.apply(&officer, issue("v1", "h1", 10)).unwrap();
    ledger.now += 5 * DAY_MS;
    ledger.apply(&program, issue("p", "h1", 20)).unwrap();
    assert_eq!(
        lots(&ledger, "h1"),
        [
            ("v1".into(), Some("2026-12-30".into()), 10),
            ("p".into(), Some("2027-01-05".into()), 20),
            ("p".into(), None, 5),
        ]
    );
    // Spending takes the earliest-expiring first.
    let code = ledger.payment_code(&resident, "h1", 12);
    let sale = ledger
        .apply(&terminal, redeem("s1", "h1", 12, code, 1))
        .unwrap();
    let taken: Vec<_> = sale
        .postings
        .iter()
        .map(|p| (p.issuer.to_string(), p.points.get()))
        .collect();
    assert_eq!(taken, [("v1".into(), 10), ("p".into(), 2)]);
    ledger.apply(&officer, issue("v1", "h1", 7)).unwrap();
    // From its expiry date a lot is no longer spendable, moved or not.
    ledger.now += 31 * DAY_MS;
    let today = ledger.today();
    let code = ledger.payment_code(&resident, "h1", 10);
    let refused = ledger
        .apply(&terminal, redeem("s1", "h1", 10, code, 2))
        .unwrap_err();
    assert!(
        matches!(refused, Refusal::Insufficient { available: 5, .. }),
        "{refused}"
    );
    // The run: only the bureau, never for a future date; what is left goes to the fund.
    let fund = ledger.balance(AccountId::BureauFund);
    let refused = ledger
        .apply(&officer, expire_lots("v1", today))
        .unwrap_err();
    assert_eq!(refused.class(), RefusalClass::PermissionDenied);
    let refused = ledger
        .apply(&admin, expire_lots("v1", today + 1))
        .unwrap_err();
    assert_eq!(refused.reason(), "DATE_OUT_OF_RANGE");
    let run = ledger.apply(&admin, expire_lots("v1", today)).unwrap();
    let moved: Vec<_> = run
        .postings
        .iter()
        .map(|p| (p.issuer.to_string(), p.points.get(), p.credit.clone()))
        .collect();
    assert_eq!(
        moved,
        // Both expired on 2027-01-05, in the order they were first credited.
        [
            ("p".into(), 18, AccountId::BureauFund),
            ("v1".into(), 7, AccountId::BureauFund)
        ]
    );
    assert_eq!(ledger.balance(AccountId::BureauFund), fund + 25);
    assert_eq!(lots(&ledger, "h1"), [("p".into(), None, 5)]);
    assert_eq!(
        ledger.balance(AccountId::Household(id(HouseholdId::parse, "h1"))),
        5
    );
    let again = ledger.apply(&admin, expire_lots("v1", today)).unwrap_err();
    assert_eq!(again.reason(), "NOTHING_EXPIRED");
    assert_eq!(ledger.state.total_balance(), 0);
    // Replay reaches the same state.
    let replayed = ledger.replay().unwrap();
    let live = ledger.snapshot();
    ledger.state = replayed;
    assert_eq!(ledger.snapshot(), live);
}

#[test]
fn refunds_and_reversals_keep_each_points_expiry() {
    let mut ledger = Ledger::new();
    let officer = ledger.issuer("v1", pb::IssuerKind::Village, 1_000);
    let resident = Signer::generate();
    ledger.admin_does(register_household("h1", "v1", &[&resident]));
    let terminal = ledger.shop("s1");
    let today = ledger.today();
    let mut policy = default_policy("v1", 1, today);
    policy.lot_expiry = Some(gov::LotExpiry {
        rule: Some(gov::lot_expiry::Rule::Months(1)),
    });
    ledger.apply(&officer, set_policy(policy)).unwrap();
    // Two credits the same day merge into one lot.
    let first = ledger.apply(&officer, issue("v1", "h1", 10)).unwrap();
    ledger.apply(&officer, issue("v1", "h1", 5)).unwrap();
    assert_eq!(
        lots(&ledger, "h1"),
        [("v1".into(), Some("2026-12-30".into()), 15)]
    );
    // The day before expiry the points are spendable; a sale and its refund the same day
    // give them back with their own expiry, not a fresh one.
    ledger.now += 29 * DAY_MS;
    assert_eq!(
        ledger.today(),
        CivilDate::parse("d", "2026-12-29").unwrap().days()
    );
    let code = ledger.payment_code(&resident, "h1", 15);
    let sale = ledger
        .apply(&terminal, redeem("s1", "h1", 15, code, 1))
        .unwrap();
    ledger.apply(&terminal, reverse(sale.sequence)).unwrap();
    assert_eq!(
        lots(&ledger, "h1"),
        [("v1".into(), Some("2026-12-30".into()), 15)]
    );
    // After expiry: a new credit is spendable, the old lot is not; the view says both.
    ledger.now += DAY_MS;
    ledger.apply(&officer, issue("v1", "h1", 4)).unwrap();
    let AccountView::Household {
        balance, spendable, ..
    } = ledger
        .state
        .account(&AccountId::Household(id(HouseholdId::parse, "h1")))
        .unwrap()
    else {
        panic!()
    };
    assert_eq!((balance, spendable), (Points(19), Points(4)));
    // Reversing the first issue takes back the expired points it credited, not the new ones.
    ledger.apply(&officer, reverse(first.sequence)).unwrap();
    assert_eq!(
        lots(&ledger, "h1"),
        [
            ("v1".into(), Some("2026-12-30".into()), 5),
            ("v1".into(), Some("2027-01-30".into()), 4)
        ]
    );
    assert_eq!(ledger.state.total_balance(), 0);
}
