//! The redemption family's refusals (sales at partner shops: payment codes, terminal
//! counters, limits, refunds), nested in [`Refusal::Sale`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;
use crate::ledger::ShopId;

/// Why a sale was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SaleRefusal {
    /// The payment code is signed by a key that is not a resident key of the paying household.
    #[error(
        "payment code: signed by a {role} key; expected a resident key of household {household}"
    )]
    PaymentCodeNotResident {
        /// The signing key's role with its scope, e.g. "resident of hh-001".
        role: String,
        /// The household the sale debits.
        household: crate::ledger::HouseholdId,
    },
    /// The payment code is for another household than the one the sale debits.
    #[error("payment code: issued for household {code_household}, not for household {household}")]
    PaymentCodeOtherHousehold {
        /// The household the payment code names.
        code_household: crate::ledger::HouseholdId,
        /// The household the sale debits.
        household: crate::ledger::HouseholdId,
    },
    /// The sale asks for more points than the payment code allows.
    #[error("payment code: allows at most {max_points} points; the sale asks for {points}")]
    PaymentCodeOverMaximum {
        /// The most points the code allows the shop to take.
        max_points: u64,
        /// The points the sale asks for.
        points: u64,
    },
    /// The payment code expired before the sale's commit time.
    #[error("payment code: expired at {not_after} (now {now}); ask the resident for a new code")]
    PaymentCodeExpired {
        /// The code's `not_after_unix_ms`, in ms since the Unix epoch.
        not_after: u64,
        /// The sale's commit time, in ms since the Unix epoch.
        now: u64,
    },
    /// The payment code is valid further ahead of the sale's commit time than the ledger
    /// allows.
    #[error("payment code: valid until {not_after}, more than the allowed {window_ms} ms ahead")]
    PaymentCodeTooLong {
        /// The code's `not_after_unix_ms`, in ms since the Unix epoch.
        not_after: u64,
        /// The ledger's `max_spend_authorization_window_ms`, in ms.
        window_ms: u64,
    },
    /// The payment code's nonce was already used by a committed sale.
    #[error("payment code: nonce {nonce} was already used")]
    PaymentCodeReused {
        /// The code's 16-byte nonce, in hex.
        nonce: String,
    },
    /// A sale's terminal counter is not above the last one its terminal key used.
    #[error(
        "terminal counter must strictly increase: key {key_id} last used {last}, found {found}"
    )]
    TerminalCounter {
        /// The terminal key that signed the sale.
        key_id: crate::ledger::KeyId,
        /// The highest counter the key used in a committed sale.
        last: u64,
        /// This sale's counter.
        found: u64,
    },
    /// The payment code names one shop, and another shop's terminal presented it.
    #[error("payment code: valid only at shop {code_shop}, presented at shop {shop}")]
    PaymentCodeOtherShop {
        /// The shop the code names.
        code_shop: ShopId,
        /// The shop of the sale.
        shop: ShopId,
    },
    /// A sale past the household's daily redemption limit (its village's policy).
    #[error(
        "household {household} may spend {limit} points a day by its village's policy; it spent \
         {spent} today, so {requested} more is over it"
    )]
    DailyLimit {
        /// The household.
        household: crate::ledger::HouseholdId,
        /// The limit.
        limit: u64,
        /// What it spent today.
        spent: u64,
        /// What the sale asks.
        requested: u64,
    },
    /// A refund names an entry that is not a sale.
    #[error("entry {sequence} is a {kind}, not a sale: only sales are refunded")]
    NotASale {
        /// The entry named.
        sequence: u64,
        /// Its kind.
        kind: &'static str,
    },
    /// A refund of more than remains of its sale.
    #[error(
        "sale {sale} took {sold} points and {remaining} remain to refund; a refund of \
         {requested} is more"
    )]
    RefundOverSale {
        /// The sale.
        sale: u64,
        /// What it took.
        sold: u64,
        /// What its refunds have not given back yet.
        remaining: u64,
        /// What the refund asked for.
        requested: u64,
    },
    /// A reversal of a sale that has refunds: refund what remains instead.
    #[error(
        "sale {sale} has refunds ({refunded} points): refund what remains of it instead of \
         reversing it"
    )]
    PartlyRefunded {
        /// The sale.
        sale: u64,
        /// What its refunds gave back.
        refunded: u64,
    },
    /// A sale's points are not the sum of its lines.
    #[error(
        "points: expected the sum of the lines' quantity × unit points, {lines}, found {points}"
    )]
    TotalMismatch {
        /// The lines' total.
        lines: u128,
        /// The points the sale names.
        points: u64,
    },
}

impl SaleRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        match self {
            SaleRefusal::TotalMismatch { .. } => RefusalClass::InvalidArgument,
            SaleRefusal::PaymentCodeOtherShop { .. }
            | SaleRefusal::PaymentCodeNotResident { .. }
            | SaleRefusal::PaymentCodeOtherHousehold { .. }
            | SaleRefusal::PaymentCodeOverMaximum { .. }
            | SaleRefusal::PaymentCodeExpired { .. }
            | SaleRefusal::PaymentCodeTooLong { .. }
            | SaleRefusal::PaymentCodeReused { .. }
            | SaleRefusal::TerminalCounter { .. } => RefusalClass::FailedPrecondition,
            SaleRefusal::NotASale { .. }
            | SaleRefusal::DailyLimit { .. }
            | SaleRefusal::RefundOverSale { .. }
            | SaleRefusal::PartlyRefunded { .. } => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        match self {
            SaleRefusal::PaymentCodeNotResident { .. } => "PAYMENT_CODE_NOT_RESIDENT",
            SaleRefusal::PaymentCodeOtherHousehold { .. } => "PAYMENT_CODE_OTHER_HOUSEHOLD",
            SaleRefusal::PaymentCodeOverMaximum { .. } => "PAYMENT_CODE_OVER_MAXIMUM",
            SaleRefusal::PaymentCodeExpired { .. } => "PAYMENT_CODE_EXPIRED",
            SaleRefusal::PaymentCodeTooLong { .. } => "PAYMENT_CODE_TOO_LONG",
            SaleRefusal::PaymentCodeReused { .. } => "PAYMENT_CODE_REUSED",
            SaleRefusal::TerminalCounter { .. } => "TERMINAL_COUNTER_NOT_INCREASING",
            SaleRefusal::PaymentCodeOtherShop { .. } => "PAYMENT_CODE_OTHER_SHOP",
            SaleRefusal::TotalMismatch { .. } => "SALE_TOTAL_MISMATCH",
            SaleRefusal::NotASale { .. } => "NOT_A_SALE",
            SaleRefusal::DailyLimit { .. } => "DAILY_REDEMPTION_LIMIT",
            SaleRefusal::RefundOverSale { .. } => "REFUND_OVER_SALE",
            SaleRefusal::PartlyRefunded { .. } => "SALE_PARTLY_REFUNDED",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        let shop = || ShopId::parse("shop_id", "s").unwrap_or_else(|_| unreachable!());
        let household = || {
            crate::ledger::HouseholdId::parse("household_id", "h")
                .unwrap_or_else(|_| unreachable!())
        };
        [
            SaleRefusal::PaymentCodeNotResident {
                role: "r".into(),
                household: household(),
            },
            SaleRefusal::PaymentCodeOtherHousehold {
                code_household: household(),
                household: household(),
            },
            SaleRefusal::PaymentCodeOverMaximum {
                max_points: 1,
                points: 2,
            },
            SaleRefusal::PaymentCodeExpired {
                not_after: 1,
                now: 2,
            },
            SaleRefusal::PaymentCodeTooLong {
                not_after: 9,
                window_ms: 1,
            },
            SaleRefusal::PaymentCodeReused { nonce: "n".into() },
            SaleRefusal::TerminalCounter {
                key_id: crate::ledger::KeyId([0; 16]),
                last: 2,
                found: 1,
            },
            SaleRefusal::PaymentCodeOtherShop {
                code_shop: shop(),
                shop: shop(),
            },
            SaleRefusal::TotalMismatch {
                lines: 3,
                points: 4,
            },
            SaleRefusal::NotASale {
                sequence: 1,
                kind: "issue-points",
            },
            SaleRefusal::DailyLimit {
                household: crate::ledger::HouseholdId::parse("household_id", "h")
                    .unwrap_or_else(|_| unreachable!()),
                limit: 5,
                spent: 4,
                requested: 2,
            },
            SaleRefusal::RefundOverSale {
                sale: 1,
                sold: 3,
                remaining: 2,
                requested: 3,
            },
            SaleRefusal::PartlyRefunded {
                sale: 1,
                refunded: 1,
            },
        ]
        .into_iter()
        .map(Refusal::Sale)
        .collect()
    }
}
