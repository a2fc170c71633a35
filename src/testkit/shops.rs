//! Builders of shops' operations (`shanzhi.shops.v1`): activation codes, activation and
//! terminal status.

use super::{Ledger, Op};
use crate::client::Signer;
use crate::ledger::{ACTIVATION_CODE_BYTES, LedgerId, activation_code_hash};
use crate::pb::shops as pb;

/// A shops operation.
pub fn shops(operation: pb::shops_operation::Operation) -> Op {
    Op::Shops(pb::ShopsOperation {
        operation: Some(operation),
    })
}

/// A test activation code: `byte` repeated.
pub fn code(byte: u8) -> Vec<u8> {
    vec![byte; ACTIVATION_CODE_BYTES]
}

/// Creates an activation code for `shop`, void after `not_after` (ms).
pub fn create_activation_code(ledger_id: &LedgerId, shop: &str, code: &[u8], not_after: u64) -> Op {
    shops(pb::shops_operation::Operation::CreateActivationCode(
        pb::CreateActivationCode {
            shop_id: shop.into(),
            code_hash: activation_code_hash(ledger_id, code).to_vec(),
            not_after_unix_ms: not_after,
            label: "checkout".into(),
        },
    ))
}

/// Activates `terminal`'s key for `shop` with `code` (to be signed by `terminal`).
pub fn activate_terminal(shop: &str, code: &[u8], terminal: &Signer) -> Op {
    shops(pb::shops_operation::Operation::ActivateTerminal(
        pb::ActivateTerminal {
            shop_id: shop.into(),
            code: code.to_vec(),
            public_key: terminal.public_key(),
        },
    ))
}

/// Sets the status of the terminal key `key_id`.
pub fn set_terminal_status(key_id: &str, status: pb::TerminalStatus) -> Op {
    shops(pb::shops_operation::Operation::SetTerminalStatus(
        pb::SetTerminalStatus {
            key_id: key_id.into(),
            status: status.into(),
            reason: "by the test".into(),
        },
    ))
}

impl Ledger {
    /// Registers a shop with a manager key (no terminal); returns the manager.
    pub fn shop_with_manager(&mut self, id: &str) -> Signer {
        self.admin_does(Op::RegisterShop(crate::pb::points::RegisterShop {
            shop_id: id.into(),
            name: id.into(),
        }));
        let manager = Signer::generate();
        self.admin_does(super::register_key(
            &manager,
            crate::pb::points::Role::ShopManager,
            id,
        ));
        manager
    }
}

/// Refunds `points` of the sale at `sale`.
pub fn refund_sale(sale: u64, points: u64) -> Op {
    shops(pb::shops_operation::Operation::RefundSale(pb::RefundSale {
        sale_sequence: sale,
        points,
        reason: "returned".into(),
    }))
}

/// Closes `month` ("YYYY-MM").
pub fn close_period(month: &str) -> Op {
    shops(pb::shops_operation::Operation::ClosePeriod(
        pb::ClosePeriod {
            month: month.into(),
        },
    ))
}

/// Settles `issuer`'s part of `shop`'s statement of `month` for `points`.
pub fn settle_statement(shop: &str, month: &str, issuer: &str, points: u64) -> Op {
    shops(pb::shops_operation::Operation::SettleStatement(
        pb::SettleStatement {
            shop_id: shop.into(),
            month: month.into(),
            issuer_id: issuer.into(),
            points,
            payment_reference: "BANK-2026-0001".into(),
        },
    ))
}
