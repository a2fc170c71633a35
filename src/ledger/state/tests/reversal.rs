//! The reversal room: who may reverse what, and what a reversal must be able to pay.

use super::prelude::*;

#[test]
fn reversing_a_deduction_checks_each_issuers_whole_balance() {
    let mut ledger = Ledger::new();
    let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
    ledger.household("h", "a");
    ledger.household("g", "a");
    ledger.apply(&village, issue("a", "h", 100)).unwrap();
    let deduction = ledger.apply(&village, deduct("a", "h", 100)).unwrap();
    // The village re-issues most of it elsewhere; 60 left, the reversal needs 100.
    ledger.apply(&village, issue("a", "g", 40)).unwrap();
    let before = ledger.snapshot();
    let refusal = ledger
        .apply(&village, reverse(deduction.sequence))
        .unwrap_err();
    assert!(
        matches!(
            refusal,
            Refusal::Insufficient {
                available: 60,
                requested: 100,
                ..
            }
        ),
        "{refusal}"
    );
    assert_eq!(ledger.snapshot(), before);
}

#[test]
fn only_the_bureau_reverses_a_budget_allocation() {
    let mut ledger = Ledger::new();
    let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
    let allocation = Sequence(ledger.state.len() - 1);
    let refusal = ledger.apply(&village, reverse(allocation)).unwrap_err();
    assert_eq!(refusal.class(), RefusalClass::PermissionDenied);
    let entry = ledger.admin_does(reverse(allocation));
    assert_eq!(entry.reverses, Some(allocation));
    assert_eq!(ledger.balance(AccountId::BureauFund), 0);
    assert_eq!(ledger.state.total_balance(), 0);
}

#[test]
fn an_officer_reverses_only_its_own_issuers_entries() {
    let mut ledger = Ledger::new();
    let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
    let program = ledger.issuer("p", pb::IssuerKind::Program, 100);
    ledger.household("h", "a");
    let issued = ledger.apply(&program, issue("p", "h", 10)).unwrap();
    let refusal = ledger
        .apply(&village, reverse(issued.sequence))
        .unwrap_err();
    assert_eq!(refusal.class(), RefusalClass::PermissionDenied);
    ledger.apply(&program, reverse(issued.sequence)).unwrap();
}

#[test]
fn a_terminal_refunds_only_within_the_refund_window() {
    let mut ledger = Ledger::new();
    let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
    let resident = Signer::generate();
    ledger.admin_does(register_household("h", "a", &[&resident]));
    let terminal = ledger.shop("s");
    ledger.apply(&village, issue("a", "h", 20)).unwrap();
    let sale = |ledger: &mut Ledger, counter: u64| {
        let code = ledger.payment_code(&resident, "h", 5);
        ledger
            .apply(&terminal, redeem("s", "h", 5, code, counter))
            .unwrap()
    };
    let recent = sale(&mut ledger, 1);
    ledger.apply(&terminal, reverse(recent.sequence)).unwrap();
    let old = sale(&mut ledger, 2);
    ledger.now += 5_000; // past the 1 s refund window
    let refusal = ledger.apply(&terminal, reverse(old.sequence)).unwrap_err();
    assert!(
        matches!(refusal, Refusal::RefundWindowPassed { .. }),
        "{refusal}"
    );
    // The bureau can still correct it.
    ledger.admin_does(reverse(old.sequence));
    assert_eq!(ledger.state.total_balance(), 0);
}
