//! The dispatcher and the journal: a refusal changes nothing, a replay reaches the same
//! state, a request id is used once.

use super::prelude::*;

#[test]
fn a_refused_transaction_changes_nothing_and_frees_its_request_id() {
    let mut ledger = Ledger::new();
    let village = ledger.issuer("a", pb::IssuerKind::Village, 10);
    ledger.household("h", "a");
    let before = ledger.snapshot();
    let signed = ledger.signed(&village, issue("a", "h", 11));
    let refusal = ledger
        .state
        .verify_and_apply(UnixMs(ledger.now + 1), &signed)
        .unwrap_err();
    assert_eq!(refusal.class(), RefusalClass::FailedPrecondition);
    assert_eq!(ledger.snapshot(), before);
    let body: pb::TransactionBody = decode_canonical("body", &signed.body).unwrap();
    let request_id = RequestId::from_slice(&body.request_id).unwrap();
    assert!(ledger.state.entry_for_request(&request_id).is_none());
}

#[test]
fn replaying_the_log_reaches_the_same_state() {
    let mut ledger = Ledger::new();
    let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
    let program = ledger.issuer("p", pb::IssuerKind::Program, 50);
    ledger.household("h", "a");
    for points in [5, 7, 9] {
        ledger.apply(&village, issue("a", "h", points)).unwrap();
    }
    ledger.apply(&program, issue("p", "h", 11)).unwrap();
    let deduction = ledger.apply(&village, deduct("a", "h", 14)).unwrap();
    ledger.apply(&village, reverse(deduction.sequence)).unwrap();
    let _ = ledger.apply(&village, issue("a", "h", 1_000)).unwrap_err();

    let replayed = ledger.replay().unwrap();
    let live = ledger.snapshot();
    ledger.state = replayed;
    assert_eq!(ledger.snapshot(), live);
    assert_eq!(ledger.state.total_balance(), 0);

    // Replaying an entry twice is refused: request ids are unique forever.
    let (at, first) = &ledger.log[1];
    assert!(matches!(
        ledger.state.apply(
            *at,
            &Signed::from_own_log(first.clone())
                .and_then(|verified| verified.parse(|_| Ok(SpendSignature::unchecked())))
                .unwrap()
        ),
        Err(Refusal::RequestIdReused { .. })
    ));
}
