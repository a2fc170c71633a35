//! The settlement family's refusals (closed periods, statements), nested in
//! [`Refusal::Settlement`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;
use crate::ledger::{IssuerId, ShopId};

/// Why a settlement operation, or a posting into a closed period, was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SettlementRefusal {
    /// A posting would touch a closed month.
    #[error("{month} is closed: {what} in it is refused; correct in the open period instead")]
    PeriodClosed {
        /// The month.
        month: String,
        /// What was asked, e.g. "refunding a sale".
        what: &'static str,
    },
    /// Closing a month before it ended and the refund window after it passed.
    #[error(
        "{month} may be closed from {closable} on: after its last day and the terminals' refund \
         window, so closing never takes a refund away"
    )]
    PeriodNotEnded {
        /// The month.
        month: String,
        /// When it may be closed, China Standard Time.
        closable: String,
    },
    /// Closing a month before the ledger's first.
    #[error("{month} is before this ledger's first month: there is nothing in it to close")]
    PeriodBeforeLedger {
        /// The month.
        month: String,
    },
    /// Closing a month already closed.
    #[error("{month} is closed already")]
    PeriodAlreadyClosed {
        /// The month.
        month: String,
    },
    /// Settling a month that is not closed.
    #[error("{month} is not closed yet: the bureau closes it before its statements are settled")]
    PeriodOpen {
        /// The month.
        month: String,
    },
    /// A settlement of a statement line that does not exist or owes nothing.
    #[error("shop {shop} owes nothing from issuer {issuer} for {month}")]
    NothingToSettle {
        /// The shop.
        shop: ShopId,
        /// The month.
        month: String,
        /// The issuer.
        issuer: IssuerId,
    },
    /// A statement line already settled.
    #[error(
        "issuer {issuer}'s part of shop {shop}'s statement of {month} was settled by entry {at}"
    )]
    AlreadySettled {
        /// The shop.
        shop: ShopId,
        /// The month.
        month: String,
        /// The issuer.
        issuer: IssuerId,
        /// The settling entry.
        at: u64,
    },
    /// A settlement of another amount than the statement's.
    #[error("points: expected the statement's receivable, {statement}, found {found}")]
    SettlementMismatch {
        /// The statement's receivable of the issuer.
        statement: u64,
        /// The points the settlement names.
        found: u64,
    },
}

impl SettlementRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        use SettlementRefusal::*;
        match self {
            NothingToSettle { .. } => RefusalClass::NotFound,
            AlreadySettled { .. } | PeriodAlreadyClosed { .. } => RefusalClass::AlreadyExists,
            PeriodClosed { .. }
            | PeriodNotEnded { .. }
            | PeriodBeforeLedger { .. }
            | PeriodOpen { .. }
            | SettlementMismatch { .. } => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use SettlementRefusal::*;
        match self {
            PeriodClosed { .. } => "PERIOD_CLOSED",
            PeriodNotEnded { .. } => "PERIOD_NOT_ENDED",
            PeriodBeforeLedger { .. } => "PERIOD_BEFORE_LEDGER",
            PeriodAlreadyClosed { .. } => "PERIOD_ALREADY_CLOSED",
            PeriodOpen { .. } => "PERIOD_OPEN",
            NothingToSettle { .. } => "NOTHING_TO_SETTLE",
            AlreadySettled { .. } => "ALREADY_SETTLED",
            SettlementMismatch { .. } => "SETTLEMENT_MISMATCH",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use SettlementRefusal::*;
        let shop = || ShopId::parse("shop_id", "s").unwrap_or_else(|_| unreachable!());
        let issuer = || IssuerId::parse("issuer_id", "v").unwrap_or_else(|_| unreachable!());
        let month = || "2026-11".to_owned();
        [
            PeriodClosed {
                month: month(),
                what: "refunding a sale",
            },
            PeriodNotEnded {
                month: month(),
                closable: "2026-12-08 00:00:00.000 +08:00".into(),
            },
            PeriodBeforeLedger { month: month() },
            PeriodAlreadyClosed { month: month() },
            PeriodOpen { month: month() },
            NothingToSettle {
                shop: shop(),
                month: month(),
                issuer: issuer(),
            },
            AlreadySettled {
                shop: shop(),
                month: month(),
                issuer: issuer(),
                at: 9,
            },
            SettlementMismatch {
                statement: 1,
                found: 2,
            },
        ]
        .into_iter()
        .map(Refusal::Settlement)
        .collect()
    }
}
