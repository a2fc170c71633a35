//! The redemption family's newer refusals (sales at partner shops), nested in
//! [`Refusal::Sale`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;
use crate::ledger::ShopId;

/// Why a sale was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SaleRefusal {
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
            SaleRefusal::PaymentCodeOtherShop { .. } => RefusalClass::FailedPrecondition,
            SaleRefusal::TotalMismatch { .. } => RefusalClass::InvalidArgument,
            SaleRefusal::NotASale { .. }
            | SaleRefusal::DailyLimit { .. }
            | SaleRefusal::RefundOverSale { .. }
            | SaleRefusal::PartlyRefunded { .. } => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        match self {
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
        [
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
