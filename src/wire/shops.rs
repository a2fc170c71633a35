//! Shops: the wire's `ShopsOperation` into the terminals family's operations.

use super::body::parse_points;
use crate::ledger::{
    ACTIVATION_CODE_BYTES, IssuerId, KeyId, Operation, Period, RedemptionOp, Refusal, Sequence,
    SettlementOp, ShopId, TerminalStatus, TerminalsOp, UnixMs, parse_memo, parse_public_key,
};
use crate::pb::shops as pb;

impl TryFrom<&pb::ShopsOperation> for Operation {
    type Error = Refusal;

    fn try_from(operation: &pb::ShopsOperation) -> Result<Self, Refusal> {
        use pb::shops_operation::Operation as Op;
        let op = match operation
            .operation
            .as_ref()
            .ok_or(Refusal::MissingOperation)?
        {
            Op::CreateActivationCode(c) => TerminalsOp::CreateActivationCode {
                shop: ShopId::parse("shop_id", &c.shop_id)?,
                code_hash: <[u8; 32]>::try_from(c.code_hash.as_slice()).map_err(|_| {
                    Refusal::InvalidField {
                        field: "code_hash",
                        expected: "32 bytes (SHA-256)".into(),
                        found: format!("{} bytes", c.code_hash.len()),
                    }
                })?,
                not_after: UnixMs(c.not_after_unix_ms),
                label: parse_memo("label", &c.label, false)?,
            },
            Op::ActivateTerminal(a) => {
                if a.code.len() != ACTIVATION_CODE_BYTES {
                    return Err(Refusal::InvalidField {
                        field: "code",
                        expected: format!("{ACTIVATION_CODE_BYTES} bytes"),
                        found: format!("{} bytes", a.code.len()),
                    });
                }
                TerminalsOp::ActivateTerminal {
                    shop: ShopId::parse("shop_id", &a.shop_id)?,
                    code: a.code.clone(),
                    public_key: parse_public_key("public_key", &a.public_key)?,
                }
            }
            Op::RefundSale(r) => {
                return Ok(Operation::Redemption(RedemptionOp::Refund {
                    sale: Sequence(r.sale_sequence),
                    points: parse_points(r.points)?,
                    reason: parse_memo("reason", &r.reason, true)?,
                }));
            }
            Op::ClosePeriod(c) => {
                return Ok(Operation::Settlement(SettlementOp::ClosePeriod {
                    month: Period::parse("month", &c.month)?,
                }));
            }
            Op::SettleStatement(t) => {
                return Ok(Operation::Settlement(SettlementOp::Settle {
                    shop: ShopId::parse("shop_id", &t.shop_id)?,
                    month: Period::parse("month", &t.month)?,
                    issuer: IssuerId::parse("issuer_id", &t.issuer_id)?,
                    points: parse_points(t.points)?,
                    reference: parse_memo("payment_reference", &t.payment_reference, true)?,
                }));
            }
            Op::SetTerminalStatus(t) => TerminalsOp::SetTerminalStatus {
                key: KeyId::from_hex(&t.key_id)?,
                status: match pb::TerminalStatus::try_from(t.status) {
                    Ok(pb::TerminalStatus::Active) => TerminalStatus::Active,
                    Ok(pb::TerminalStatus::Blocked) => TerminalStatus::Blocked,
                    Ok(pb::TerminalStatus::Retired) => TerminalStatus::Retired,
                    Ok(pb::TerminalStatus::Unspecified) | Err(_) => {
                        return Err(Refusal::InvalidField {
                            field: "status",
                            expected: "active, blocked or retired".into(),
                            found: t.status.to_string(),
                        });
                    }
                },
                reason: parse_memo("reason", &t.reason, true)?,
            },
        };
        Ok(Operation::Terminals(op))
    }
}
