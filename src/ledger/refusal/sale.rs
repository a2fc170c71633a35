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
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        match self {
            SaleRefusal::PaymentCodeOtherShop { .. } => "PAYMENT_CODE_OTHER_SHOP",
            SaleRefusal::TotalMismatch { .. } => "SALE_TOTAL_MISMATCH",
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
        ]
        .into_iter()
        .map(Refusal::Sale)
        .collect()
    }
}
