//! The budget room: what the bureau fund backs.

use super::prelude::*;

#[test]
fn the_bureau_fund_backs_at_most_what_a_signed_64_bit_balance_can_show() {
    let mut ledger = Ledger::new();
    ledger.issuer("a", pb::IssuerKind::Village, 0);
    // As if allocations had already backed all but 10 points of the limit.
    ledger
        .state
        .accounts
        .set_bureau_fund(-(i128::from(MAX_BACKED_POINTS) - 10));
    let allocate = |points| {
        Op::AllocateBudget(pb::AllocateBudget {
            issuer_id: "a".into(),
            points,
            memo: String::new(),
        })
    };
    let admin = ledger.admin_signer();
    let refused = ledger.apply(&admin, allocate(11)).unwrap_err();
    assert!(matches!(refused, Refusal::Overflow(_)), "{refused}");
    ledger.apply(&admin, allocate(10)).unwrap();
    // Exactly representable: the fund shows -(2^63 - 1), not a saturated value.
    let fund = ledger.state.account(&AccountId::BureauFund).unwrap();
    assert_eq!(fund.balance(), -i64::MAX);
}
