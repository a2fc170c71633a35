//! Closed periods and settlement: a month is closed after it ends and no posting touches it
//! afterwards; each shop's statement of a month is kept from the log; each issuer settles
//! its part once, for exactly what it owes.

use super::claims::refused;
use super::prelude::*;

const NOVEMBER: &str = "2026-11";
const DAY_MS: u64 = 86_400_000;

/// On 2026-11-30 (the test ledger's first day), household h holds 30 points of village a and
/// 10 of program p; shop s sold it 40 and refunded 4; village b is another village.
struct World {
    ledger: Ledger,
    terminal: Signer,
    village: Signer,
    program: Signer,
    other_village: Signer,
    sale: u64,
}

fn world() -> World {
    let mut ledger = Ledger::new();
    let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
    let program = ledger.issuer("p", pb::IssuerKind::Program, 100);
    let other_village = ledger.issuer("b", pb::IssuerKind::Village, 0);
    let resident = Signer::generate();
    ledger.admin_does(register_household("h", "a", &[&resident]));
    ledger.apply(&village, issue("a", "h", 30)).unwrap();
    ledger.apply(&program, issue("p", "h", 10)).unwrap();
    let terminal = ledger.shop("s");
    let code = ledger.payment_code(&resident, "h", 40);
    let sale = ledger
        .apply(&terminal, redeem("s", "h", 40, code, 1))
        .unwrap()
        .sequence
        .get();
    ledger.apply(&terminal, refund_sale(sale, 4)).unwrap();
    World {
        ledger,
        terminal,
        village,
        program,
        other_village,
        sale,
    }
}

fn november() -> Period {
    Period::parse("month", NOVEMBER).unwrap()
}

fn line(statement: &Statement, issuer: &str) -> (u64, u64, u64) {
    let line = &statement.lines[&id(IssuerId::parse, issuer)];
    (
        line.sold.get(),
        line.refunded.get(),
        line.receivable().get(),
    )
}

#[test]
fn a_statement_is_kept_from_the_log_and_a_closed_month_is_never_touched() {
    let mut w = world();
    let shop = id(ShopId::parse, "s");
    let (statement, closed) = w.ledger.state.statement(&shop, november());
    assert!(!closed);
    assert_eq!(line(&statement, "a"), (30, 3, 27));
    assert_eq!(line(&statement, "p"), (10, 1, 9));
    // Its hash covers the sale and the refund, in log order, as anyone can recompute.
    assert_eq!(statement.entries, 2);
    let mut hash = [0u8; 32];
    for sequence in [w.sale, w.sale + 1] {
        let entry = w.ledger.state.entry(Sequence(sequence)).unwrap();
        hash = crate::crypto::sha256(
            &[hash.as_slice(), &sequence.to_be_bytes(), &entry.body_sha256].concat(),
        );
    }
    assert_eq!(statement.entries_hash, hash);

    // November is closed only once it has ended, by the bureau, once.
    let admin = w.ledger.admin_signer();
    refused(
        &mut w.ledger,
        &admin,
        close_period(NOVEMBER),
        "PERIOD_NOT_ENDED",
    );
    w.ledger.now += DAY_MS;
    let village = w.village.clone();
    refused(
        &mut w.ledger,
        &village,
        close_period(NOVEMBER),
        "ROLE_NOT_ALLOWED",
    );
    w.ledger.admin_does(close_period(NOVEMBER));
    refused(
        &mut w.ledger,
        &admin,
        close_period(NOVEMBER),
        "PERIOD_ALREADY_CLOSED",
    );
    // Nothing touches it now: no refund of its sale (the closed period is told before the
    // refund window), no reversal of its entries.
    let terminal = w.terminal.clone();
    refused(
        &mut w.ledger,
        &admin,
        refund_sale(w.sale, 1),
        "PERIOD_CLOSED",
    );
    refused(
        &mut w.ledger,
        &terminal,
        refund_sale(w.sale, 1),
        "PERIOD_CLOSED",
    );
    refused(
        &mut w.ledger,
        &admin,
        reverse(Sequence(w.sale)),
        "PERIOD_CLOSED",
    );
}

#[test]
fn each_issuer_settles_its_part_of_a_closed_month_once_for_exactly_what_it_owes() {
    let mut w = world();
    let (village, program, other) = (
        w.village.clone(),
        w.program.clone(),
        w.other_village.clone(),
    );
    refused(
        &mut w.ledger,
        &village,
        settle_statement("s", NOVEMBER, "a", 27),
        "PERIOD_OPEN",
    );
    w.ledger.now += DAY_MS;
    w.ledger.admin_does(close_period(NOVEMBER));
    refused(
        &mut w.ledger,
        &other,
        settle_statement("s", NOVEMBER, "a", 27),
        "OUT_OF_SCOPE",
    );
    refused(
        &mut w.ledger,
        &village,
        settle_statement("s", NOVEMBER, "a", 30),
        "SETTLEMENT_MISMATCH",
    );
    refused(
        &mut w.ledger,
        &other,
        settle_statement("s", NOVEMBER, "b", 1),
        "NOTHING_TO_SETTLE",
    );
    let fund_before = w.ledger.balance(AccountId::BureauFund);
    w.ledger
        .apply(&village, settle_statement("s", NOVEMBER, "a", 27))
        .unwrap();
    refused(
        &mut w.ledger,
        &village,
        settle_statement("s", NOVEMBER, "a", 27),
        "ALREADY_SETTLED",
    );
    w.ledger
        .apply(&program, settle_statement("s", NOVEMBER, "p", 9))
        .unwrap();
    // The shop's points went back to the bureau fund; the statement says who paid, how.
    let shop = AccountId::Shop(id(ShopId::parse, "s"));
    assert_eq!(w.ledger.balance(shop), 0);
    assert_eq!(w.ledger.balance(AccountId::BureauFund), fund_before + 36);
    let (statement, closed) = w
        .ledger
        .state
        .statement(&id(ShopId::parse, "s"), november());
    assert!(closed);
    let settled = statement.lines[&id(IssuerId::parse, "a")].settled.clone();
    assert_eq!(settled.map(|(_, r)| r), Some("BANK-2026-0001".into()));
    // The settlements are not in any month's sales: December's statement is empty.
    let december = Period::parse("month", "2026-12").unwrap();
    let (next, _) = w.ledger.state.statement(&id(ShopId::parse, "s"), december);
    assert_eq!(next.entries, 0);
    // The issuer's reports: November's budget, issues, sales and refunds; December's
    // settlement; and what the household still holds of its points.
    let a = id(IssuerId::parse, "a");
    let (nov, outstanding) = w.ledger.state.issuer_report(&a, november());
    assert_eq!(
        (
            nov.budget,
            nov.issued,
            nov.deducted,
            nov.refunded,
            nov.settled
        ),
        (100, 30, 0, 3, 0)
    );
    assert_eq!(nov.redeemed.get(&id(ShopId::parse, "s")), Some(&30));
    assert_eq!(outstanding, Points(3));
    let (dec, _) = w.ledger.state.issuer_report(&a, december);
    assert_eq!((dec.settled, dec.issued), (27, 0));
    // A reversal counts against what it reverses: an issue reversed in December.
    let issued = w
        .ledger
        .apply(&village, issue("a", "h", 5))
        .unwrap()
        .sequence;
    w.ledger.apply(&village, reverse(issued)).unwrap();
    let (dec, outstanding) = w.ledger.state.issuer_report(&a, december);
    assert_eq!((dec.issued, outstanding), (0, Points(3)));
    // Replay reaches the same statement.
    let replayed = w.ledger.replay().unwrap();
    assert_eq!(
        replayed.statement(&id(ShopId::parse, "s"), november()),
        (statement, true)
    );
}
