//! The redemption room: a sale needs the resident's own, valid, unused payment code.

use super::prelude::*;

/// A village with 50 points issued to household h (one resident key) and a shop s.
fn world() -> (Ledger, Signer, Signer) {
    let mut ledger = Ledger::new();
    let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
    let resident = Signer::generate();
    ledger.admin_does(register_household("h", "a", &[&resident]));
    let terminal = ledger.shop("s");
    ledger.apply(&village, issue("a", "h", 50)).unwrap();
    (ledger, resident, terminal)
}

#[test]
fn a_forged_payment_code_is_refused_by_the_state_machine_itself() {
    // The state machine verifies the code whenever the handler could not (an auditor's replay,
    // or a resident key not yet known to the handler), so a forged consent never spends.
    let (mut ledger, resident, terminal) = world();
    let mut code = ledger.payment_code(&resident, "h", 10);
    if let Some(signature) = code.resident_signature.as_mut() {
        signature.signature[5] ^= 0x01;
    }
    let before = ledger.snapshot();
    let refused = ledger
        .apply(&terminal, redeem("s", "h", 10, code, 1))
        .unwrap_err();
    assert!(
        matches!(
            refused,
            Refusal::BadSignature {
                context: "spend",
                ..
            }
        ),
        "{refused}"
    );
    assert_eq!(ledger.snapshot(), before);

    // A code signed by someone who is not a resident key of the household is refused too.
    let stranger = Signer::generate();
    let code = ledger.payment_code(&stranger, "h", 10);
    let refused = ledger
        .apply(&terminal, redeem("s", "h", 10, code, 2))
        .unwrap_err();
    assert!(matches!(refused, Refusal::UnknownKey { .. }), "{refused}");

    // The genuine code spends, once.
    let code = ledger.payment_code(&resident, "h", 10);
    ledger
        .apply(&terminal, redeem("s", "h", 10, code.clone(), 3))
        .unwrap();
    let reused = ledger
        .apply(&terminal, redeem("s", "h", 10, code, 4))
        .unwrap_err();
    assert!(
        matches!(
            reused,
            Refusal::Sale(crate::ledger::SaleRefusal::PaymentCodeReused { .. })
        ),
        "{reused}"
    );
}

#[test]
fn a_code_the_handler_could_not_check_is_checked_by_the_state_machine() {
    let (ledger, resident, terminal) = world();
    let mut forged = ledger.payment_code(&resident, "h", 10);
    if let Some(signature) = forged.resident_signature.as_mut() {
        signature.signature[5] ^= 0x01;
    }
    let signed = ledger.signed(&terminal, redeem("s", "h", 10, forged, 1));
    let at = UnixMs(ledger.now + 1);
    let terminal_key = ledger
        .state
        .key(&terminal.key_id())
        .map(|k| k.public_key)
        .unwrap();
    // As the handler does when the resident key is unknown to it: the state machine checks.
    let unchecked = Signed::new(signed.clone())
        .and_then(|s| s.verify(&terminal_key, &ledger.ledger_id))
        .and_then(|v| v.parse(|_| Ok(SpendSignature::unchecked())))
        .unwrap();
    let mut state = ledger.state.clone();
    assert!(matches!(
        state.apply(at, &unchecked),
        Err(Refusal::BadSignature {
            context: "spend",
            ..
        })
    ));
    // The handler's own check refuses it before the writer.
    let resident_key = ledger
        .state
        .key(&resident.key_id())
        .map(|k| k.public_key)
        .unwrap();
    let by_handler = Signed::new(signed)
        .and_then(|s| s.verify(&terminal_key, &ledger.ledger_id))
        .and_then(|v| {
            v.parse(|code| SpendSignature::verify(code, &resident_key, &ledger.ledger_id))
        });
    assert!(matches!(
        by_handler,
        Err(Refusal::BadSignature {
            context: "spend",
            ..
        })
    ));
}

#[test]
fn a_payment_code_that_names_a_shop_is_taken_only_there() {
    let (mut ledger, resident, terminal) = world();
    let other_terminal = ledger.shop("t");
    let only_s = resident.sign_spend_authorization(
        &ledger.ledger_id,
        &pb::SpendAuthorization {
            household_id: "h".into(),
            max_points: 10,
            nonce: vec![4; 16],
            not_after_unix_ms: ledger.now + 10_000,
            shop_id: "s".into(),
        },
    );
    let before = ledger.snapshot();
    let refused = ledger
        .apply(&other_terminal, redeem("t", "h", 10, only_s.clone(), 1))
        .unwrap_err();
    assert_eq!(refused.reason(), "PAYMENT_CODE_OTHER_SHOP", "{refused}");
    assert_eq!(ledger.snapshot(), before);
    ledger
        .apply(&terminal, redeem("s", "h", 10, only_s, 1))
        .unwrap();
    assert_eq!(ledger.balance(AccountId::Shop(id(ShopId::parse, "s"))), 10);
}

#[test]
fn a_household_spends_at_most_its_villages_daily_limit_at_all_shops_together() {
    let (mut ledger, resident, terminal) = world();
    let other_terminal = ledger.shop("t");
    let mut policy = default_policy("a", 1, ledger.today());
    policy.daily_redemption_limit = 30;
    ledger.admin_does(set_policy(policy));
    let code = ledger.payment_code(&resident, "h", 20);
    ledger
        .apply(&terminal, redeem("s", "h", 20, code, 1))
        .unwrap();
    // 20 spent today at shop s: 11 more at shop t is over 30.
    let before = ledger.snapshot();
    let code = ledger.payment_code(&resident, "h", 11);
    let refused = ledger
        .apply(&other_terminal, redeem("t", "h", 11, code, 1))
        .unwrap_err();
    assert_eq!(refused.reason(), "DAILY_REDEMPTION_LIMIT", "{refused}");
    assert_eq!(ledger.snapshot(), before);
    let code = ledger.payment_code(&resident, "h", 10);
    ledger
        .apply(&other_terminal, redeem("t", "h", 10, code, 2))
        .unwrap();
    // The next day the allowance is whole again.
    ledger.now += 86_400_000;
    let code = ledger.payment_code(&resident, "h", 20);
    ledger
        .apply(&terminal, redeem("s", "h", 20, code, 3))
        .unwrap();
    assert_eq!(
        ledger.balance(AccountId::Household(id(HouseholdId::parse, "h"))),
        0
    );
}
