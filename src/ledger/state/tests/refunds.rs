//! Refunds: what remains of a sale goes back to the household, to its issuers in proportion,
//! into the lots it came from; never more than the sale, by the shop within the window.

use super::claims::refused;
use super::prelude::*;

/// Household h holds 30 points of village a and 10 of program p; shop s (a terminal and a
/// manager) sold it 40 points' worth; shop t has a terminal too.
struct World {
    ledger: Ledger,
    terminal: Signer,
    manager: Signer,
    other_terminal: Signer,
    village: Signer,
    sale: u64,
}

fn world() -> World {
    let mut ledger = Ledger::new();
    let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
    let program = ledger.issuer("p", pb::IssuerKind::Program, 100);
    let resident = Signer::generate();
    ledger.admin_does(register_household("h", "a", &[&resident]));
    ledger.apply(&village, issue("a", "h", 30)).unwrap();
    ledger.apply(&program, issue("p", "h", 10)).unwrap();
    let manager = ledger.shop_with_manager("s");
    let terminal = Signer::generate();
    ledger.admin_does(register_key(&terminal, pb::Role::ShopTerminal, "s"));
    let other_terminal = ledger.shop("t");
    let code = ledger.payment_code(&resident, "h", 40);
    let sale = ledger
        .apply(&terminal, redeem("s", "h", 40, code, 1))
        .unwrap()
        .sequence
        .get();
    World {
        ledger,
        terminal,
        manager,
        other_terminal,
        village,
        sale,
    }
}

fn holdings(ledger: &Ledger, account: AccountId) -> Vec<(String, u64)> {
    let holdings = match ledger.state.account(&account).unwrap() {
        AccountView::Household { holdings, .. } | AccountView::Shop { holdings, .. } => holdings,
        other => panic!("{other:?}"),
    };
    holdings
        .into_iter()
        .map(|(issuer, points)| (issuer.to_string(), points.get()))
        .collect()
}

fn household() -> AccountId {
    AccountId::Household(id(HouseholdId::parse, "h"))
}

fn shop() -> AccountId {
    AccountId::Shop(id(ShopId::parse, "s"))
}

#[test]
fn refunds_go_back_to_the_sales_issuers_in_proportion_and_never_past_the_sale() {
    let mut w = world();
    assert_eq!(
        holdings(&w.ledger, shop()),
        vec![("a".into(), 30), ("p".into(), 10)]
    );
    let first = w
        .ledger
        .apply(&w.terminal, refund_sale(w.sale, 20))
        .unwrap();
    let moved: Vec<(String, u64)> = first
        .postings
        .iter()
        .map(|p| (p.issuer.to_string(), p.points.get()))
        .collect();
    assert_eq!(moved, vec![("a".into(), 15), ("p".into(), 5)]);
    assert_eq!(
        holdings(&w.ledger, household()),
        vec![("a".into(), 15), ("p".into(), 5)]
    );
    let terminal = w.terminal.clone();
    refused(
        &mut w.ledger,
        &terminal,
        refund_sale(w.sale, 21),
        "REFUND_OVER_SALE",
    );
    // The manager refunds the rest; nothing is left to refund.
    w.ledger.apply(&w.manager, refund_sale(w.sale, 20)).unwrap();
    assert_eq!(holdings(&w.ledger, shop()), vec![]);
    assert_eq!(
        holdings(&w.ledger, household()),
        vec![("a".into(), 30), ("p".into(), 10)]
    );
    refused(
        &mut w.ledger,
        &terminal,
        refund_sale(w.sale, 1),
        "REFUND_OVER_SALE",
    );
    assert_eq!(w.ledger.state.refunded_of(Sequence(w.sale)), Points(40));
    // A sale with refunds is not reversed; its refunds replay to the same state.
    let admin = w.ledger.admin_signer();
    refused(
        &mut w.ledger,
        &admin,
        reverse(Sequence(w.sale)),
        "SALE_PARTLY_REFUNDED",
    );
    let replayed = w.ledger.replay().unwrap();
    assert_eq!(replayed.refunded_of(Sequence(w.sale)), Points(40));
    assert_eq!(
        replayed.account(&household()).unwrap(),
        w.ledger.state.account(&household()).unwrap()
    );
}

#[test]
fn only_the_shop_refunds_within_its_window_and_only_sales() {
    let mut w = world();
    let (other, village) = (w.other_terminal.clone(), w.village.clone());
    refused(
        &mut w.ledger,
        &other,
        refund_sale(w.sale, 1),
        "OUT_OF_SCOPE",
    );
    refused(
        &mut w.ledger,
        &village,
        refund_sale(w.sale, 1),
        "ROLE_NOT_ALLOWED",
    );
    let terminal = w.terminal.clone();
    refused(
        &mut w.ledger,
        &terminal,
        refund_sale(w.sale - 1, 1),
        "NOT_A_SALE",
    );
    // Past the refund window (1 s in the test ledger) only the bureau refunds.
    w.ledger.now += 2_000;
    refused(
        &mut w.ledger,
        &terminal,
        refund_sale(w.sale, 1),
        "REFUND_WINDOW_PASSED",
    );
    w.ledger.admin_does(refund_sale(w.sale, 1));
    // A reversed sale has nothing left to refund.
    let mut w = world();
    w.ledger.admin_does(reverse(Sequence(w.sale)));
    let terminal = w.terminal.clone();
    refused(
        &mut w.ledger,
        &terminal,
        refund_sale(w.sale, 1),
        "ALREADY_REVERSED",
    );
}

/// A posted award of 15 to household h1 of village v1; the household spends 10 of it at shop
/// s1; the award is reversed, so the 10 it no longer holds are owed as arrears. The ledger,
/// the shop's terminal and the sale.
fn spent_then_owed() -> (Ledger, Signer, Sequence) {
    let mut w = super::claims::world();
    let today = w.ledger.today();
    let (p, r) = (w.proposer.clone(), w.outsider.clone());
    let l = &mut w.ledger;
    let terminal = l.shop("s1");
    let resident = Signer::generate();
    let admin = l.admin_signer();
    l.apply(&admin, register_key(&resident, pb::Role::Resident, "h1"))
        .unwrap();
    l.apply(&p, submit_claim("c1", "h1", "ENV-01", 3, today))
        .unwrap();
    l.apply(&r, approve("c1")).unwrap();
    l.apply(&p, open_notice("n1", "v1", &["c1"])).unwrap();
    l.now += 7 * super::claims::DAY_MS;
    l.apply(&p, finalize_notice("n1")).unwrap();
    let code = l.payment_code(&resident, "h1", 10);
    let sale = l
        .apply(&terminal, redeem("s1", "h1", 10, code, 1))
        .unwrap()
        .sequence;
    l.apply(&r, reverse_claim("c1")).unwrap();
    assert_eq!(super::claims::arrears_of(l, "h1"), Points(10));
    (w.ledger, terminal, sale)
}

#[test]
fn a_refund_pays_the_households_arrears_first_back_to_the_issuer() {
    let (mut ledger, terminal, sale) = spent_then_owed();
    let l = &mut ledger;
    let village = AccountId::Issuer(id(IssuerId::parse, "v1"));
    let budget = l.balance(village.clone());
    let refund = l.apply(&terminal, refund_sale(sale.get(), 4)).unwrap();
    // All 4 pay arrears: back to the village's budget, nothing to the household.
    let moved: Vec<(String, u64)> = refund
        .postings
        .iter()
        .map(|p| (p.credit.to_string(), p.points.get()))
        .collect();
    assert_eq!(moved, vec![("issuer v1".into(), 4)]);
    assert_eq!(super::claims::arrears_of(l, "h1"), Points(6));
    assert_eq!(l.balance(village), budget + 4);
    let replayed = l.replay().unwrap();
    let h1 = AccountId::Household(id(HouseholdId::parse, "h1"));
    assert_eq!(
        replayed.account(&h1).unwrap(),
        l.state.account(&h1).unwrap()
    );
    // The shop's statement counts the refund, whoever it paid.
    let month = Period::containing(refund.committed_at.get());
    let (statement, _) = l.state.statement(&id(ShopId::parse, "s1"), month);
    let line = &statement.lines[&id(IssuerId::parse, "v1")];
    assert_eq!((line.sold.get(), line.refunded.get()), (10, 4));
}

#[test]
fn a_reversed_sale_pays_the_households_arrears_first_like_a_refund() {
    let (mut ledger, terminal, sale) = spent_then_owed();
    let l = &mut ledger;
    let undone = l.apply(&terminal, reverse(sale)).unwrap();
    let moved: Vec<(String, u64)> = undone
        .postings
        .iter()
        .map(|p| (p.credit.to_string(), p.points.get()))
        .collect();
    assert_eq!(moved, vec![("issuer v1".into(), 10)]);
    assert_eq!(super::claims::arrears_of(l, "h1"), Points(0));
    let h1 = AccountId::Household(id(HouseholdId::parse, "h1"));
    let replayed = l.replay().unwrap();
    assert_eq!(
        replayed.account(&h1).unwrap(),
        l.state.account(&h1).unwrap()
    );
}
