//! Shops' operations (`shanzhi.shops.v1`), encoded by hand and in the proto3 JSON mapping,
//! for the vectors' cross-checks.

use shanzhi::pb::shops as pb;
use shanzhi::pb::shops::shops_operation::Operation as S;

use super::json::{Json, Obj};
use super::protobuf::wire;

/// A `ShopsOperation`'s bytes, by hand.
pub(super) fn shops_by_hand(operation: &pb::ShopsOperation) -> Vec<u8> {
    let mut inner = Vec::new();
    let case = match &operation.operation {
        Some(S::CreateActivationCode(c)) => {
            wire::bytes(1, c.shop_id.as_bytes(), &mut inner);
            wire::bytes(2, &c.code_hash, &mut inner);
            wire::uint(3, c.not_after_unix_ms, &mut inner);
            wire::bytes(4, c.label.as_bytes(), &mut inner);
            1
        }
        Some(S::ActivateTerminal(a)) => {
            wire::bytes(1, a.shop_id.as_bytes(), &mut inner);
            wire::bytes(2, &a.code, &mut inner);
            wire::bytes(3, &a.public_key, &mut inner);
            2
        }
        Some(S::SetTerminalStatus(t)) => {
            wire::bytes(1, t.key_id.as_bytes(), &mut inner);
            wire::uint(2, t.status as u64, &mut inner);
            wire::bytes(3, t.reason.as_bytes(), &mut inner);
            3
        }
        Some(S::ClosePeriod(c)) => {
            wire::bytes(1, c.month.as_bytes(), &mut inner);
            5
        }
        Some(S::SettleStatement(t)) => {
            wire::bytes(1, t.shop_id.as_bytes(), &mut inner);
            wire::bytes(2, t.month.as_bytes(), &mut inner);
            wire::bytes(3, t.issuer_id.as_bytes(), &mut inner);
            wire::uint(4, t.points, &mut inner);
            wire::bytes(5, t.payment_reference.as_bytes(), &mut inner);
            6
        }
        Some(S::RefundSale(r)) => {
            wire::uint(1, r.sale_sequence, &mut inner);
            wire::uint(2, r.points, &mut inner);
            wire::bytes(3, r.reason.as_bytes(), &mut inner);
            4
        }
        None => 0,
    };
    let mut m = Vec::new();
    if case != 0 {
        wire::message(case, &inner, &mut m);
    }
    m
}

/// A `ShopsOperation` in the proto3 JSON mapping.
pub(super) fn shops_json(operation: &pb::ShopsOperation) -> Json {
    let obj = match &operation.operation {
        Some(S::CreateActivationCode(c)) => Obj::new().put(
            "createActivationCode",
            Obj::new()
                .p_str("shopId", &c.shop_id)
                .p_bytes("codeHash", &c.code_hash)
                .p_u64("notAfterUnixMs", c.not_after_unix_ms)
                .p_str("label", &c.label),
        ),
        Some(S::ActivateTerminal(a)) => Obj::new().put(
            "activateTerminal",
            Obj::new()
                .p_str("shopId", &a.shop_id)
                .p_bytes("code", &a.code)
                .p_bytes("publicKey", &a.public_key),
        ),
        Some(S::SetTerminalStatus(t)) => {
            let name = pb::TerminalStatus::try_from(t.status).map_or("", |s| s.as_str_name());
            Obj::new().put(
                "setTerminalStatus",
                Obj::new()
                    .p_str("keyId", &t.key_id)
                    .p_enum("status", t.status, name)
                    .p_str("reason", &t.reason),
            )
        }
        Some(S::ClosePeriod(c)) => {
            Obj::new().put("closePeriod", Obj::new().p_str("month", &c.month))
        }
        Some(S::SettleStatement(t)) => Obj::new().put(
            "settleStatement",
            Obj::new()
                .p_str("shopId", &t.shop_id)
                .p_str("month", &t.month)
                .p_str("issuerId", &t.issuer_id)
                .p_u64("points", t.points)
                .p_str("paymentReference", &t.payment_reference),
        ),
        Some(S::RefundSale(r)) => Obj::new().put(
            "refundSale",
            Obj::new()
                .p_u64("saleSequence", r.sale_sequence)
                .p_u64("points", r.points)
                .p_str("reason", &r.reason),
        ),
        None => Obj::new(),
    };
    obj.into()
}
