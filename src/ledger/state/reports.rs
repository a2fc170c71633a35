//! Reports (a read-only room): what moved through each issuer's points in each month, kept
//! as entries commit and classified by where the points went — budget allocated, issued to
//! households, deducted back, redeemed at each shop, refunded, settled, expired — plus the
//! outstanding liability (what households hold of the issuer's points), for the bureau's
//! accountant and auditors. A reversal (of an entry or of a posted claim) counts against the
//! category of what it reverses, in the month it commits.

use imbl::OrdMap;

use super::State;
use super::claims::ClaimsKind;
use super::journal::EntryRecord;
use super::reversal::ReversalKind;
use crate::ledger::{AccountId, IssuerId, OperationKind, Period, Points, ShopId};

/// What moved through one issuer's points in one month, in points (a month of reversals may
/// make a figure negative).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IssuerMonth {
    /// Allocated by the bureau.
    pub budget: i128,
    /// Credited to households (issues, posted awards, awards by rule).
    pub issued: i128,
    /// Taken back from households by deductions.
    pub deducted: i128,
    /// Taken by each shop's sales.
    pub redeemed: OrdMap<ShopId, i128>,
    /// Given back by refunds (to households, or to the issuer for their arrears).
    pub refunded: i128,
    /// Settled with shops (retired to the bureau fund).
    pub settled: i128,
    /// Expired in households' lots (retired to the bureau fund).
    pub expired: i128,
}

/// Every issuer's months.
#[derive(Clone, Debug, Default)]
pub(super) struct Reports {
    months: OrdMap<(IssuerId, Period), IssuerMonth>,
}

impl Reports {
    /// Adds a committed entry's postings to its issuers' months.
    pub(super) fn note(&mut self, entry: &EntryRecord) {
        let month = Period::containing(entry.committed_at.get());
        let reverses = matches!(
            entry.kind,
            OperationKind::Reversal(ReversalKind::Reverse)
                | OperationKind::Claims(ClaimsKind::Reverse)
        );
        for posting in &entry.postings {
            // A reversal moves points back: it counts, negatively, where the original went.
            let (from, to, points) = if reverses {
                (&posting.credit, &posting.debit, -posting.points.wide())
            } else {
                (&posting.debit, &posting.credit, posting.points.wide())
            };
            let report = self
                .months
                .entry((posting.issuer.clone(), month))
                .or_default();
            use AccountId::{BureauFund, Household, Issuer, Shop};
            match (from, to) {
                (BureauFund, Issuer(_)) => report.budget += points,
                (Issuer(_), Household(_)) => report.issued += points,
                (Household(_), Issuer(_)) => report.deducted += points,
                (Household(_), Shop(shop)) => {
                    *report.redeemed.entry(shop.clone()).or_default() += points;
                }
                (Shop(_), Household(_) | Issuer(_)) => report.refunded += points,
                (Shop(_), BureauFund) => report.settled += points,
                (Household(_), BureauFund) => report.expired += points,
                _ => {}
            }
        }
    }
}

impl State {
    /// What moved through `issuer`'s points in `month`, and what households hold of them now
    /// (the outstanding liability; it reads every household, once per report).
    pub fn issuer_report(&self, issuer: &IssuerId, month: Period) -> (IssuerMonth, Points) {
        let report = self
            .reports
            .months
            .get(&(issuer.clone(), month))
            .cloned()
            .unwrap_or_default();
        (report, self.accounts.held_of_issuer(issuer))
    }
}
