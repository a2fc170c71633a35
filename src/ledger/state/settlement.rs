//! The settlement family (`shanzhi.shops.v1`): the bureau closes a month once it has ended,
//! after which no posting may touch it (no refund of a sale in it, no reversal of an entry in
//! it); each shop has a statement per month — per issuer, the points its sales in the month
//! took less what their refunds gave back (a refund counts in its sale's month, which is open
//! when it commits, so a receivable never goes below zero) — kept as entries commit, with a count and a hash of the entries it
//! covers, so anyone replaying the log reaches the same statement; an issuer (or the bureau)
//! settles its part of a closed month's statement with an external payment reference, which
//! retires the points to the bureau fund.

use imbl::{OrdMap, OrdSet};

use super::journal::{Effects, EntryRecord};
use super::redemption::RedemptionKind;
use super::reversal::ReversalKind;
use super::staged::AccountChanges;
use super::{Context, State, authority};
use crate::crypto;
use crate::ledger::{
    AccountId, CivilDate, IssuerId, LocalTime, OperationKind, Period, Points, Posting, Refusal,
    Sequence, SettlementRefusal as S, ShopId,
};

/// The settlement family's operations.
#[derive(Clone, Debug)]
pub enum SettlementOp {
    /// Closes a month that has ended.
    ClosePeriod {
        /// The month.
        month: Period,
    },
    /// Marks one issuer's part of a shop's statement of a closed month paid.
    Settle {
        /// The shop.
        shop: ShopId,
        /// The closed month.
        month: Period,
        /// The issuer paying.
        issuer: IssuerId,
        /// The points paid for: exactly the statement's receivable of the issuer.
        points: Points,
        /// The external payment's reference (bank transfer number).
        reference: String,
    },
}

/// The kinds of settlement operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SettlementKind {
    /// [`SettlementOp::ClosePeriod`].
    ClosePeriod,
    /// [`SettlementOp::Settle`].
    Settle,
}

impl SettlementOp {
    /// The operation's kind.
    pub fn kind(&self) -> SettlementKind {
        match self {
            SettlementOp::ClosePeriod { .. } => SettlementKind::ClosePeriod,
            SettlementOp::Settle { .. } => SettlementKind::Settle,
        }
    }
}

impl SettlementKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            SettlementKind::ClosePeriod => "close-period",
            SettlementKind::Settle => "settle-statement",
        }
    }
}

/// One issuer's part of a statement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatementLine {
    /// Points the shop's sales took of the issuer in the month.
    pub sold: Points,
    /// Points the refunds (and reversals) of the month's sales gave back.
    pub refunded: Points,
    /// The settlement, if the issuer's part was paid: its entry and reference.
    pub settled: Option<(Sequence, String)>,
}

impl StatementLine {
    /// What the issuer owes the shop for the month: sold less refunded.
    pub fn receivable(&self) -> Points {
        Points(self.sold.get().saturating_sub(self.refunded.get()))
    }
}

/// A shop's statement of one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// Per issuer, in issuer order.
    pub lines: OrdMap<IssuerId, StatementLine>,
    /// The sales, refunds and reversals of sales it covers.
    pub entries: u64,
    /// `SHA-256` chain over the entries it covers, in log order: starting from 32 zero bytes,
    /// `h = SHA-256(h || sequence (8 bytes, big-endian) || SHA-256(body))`.
    pub entries_hash: [u8; 32],
}

impl Default for Statement {
    fn default() -> Self {
        Self {
            lines: OrdMap::new(),
            entries: 0,
            entries_hash: [0; 32],
        }
    }
}

/// Closed months and every shop's statements.
#[derive(Clone, Debug, Default)]
pub(super) struct Settlement {
    closed: OrdSet<Period>,
    statements: OrdMap<(ShopId, Period), Statement>,
}

impl Settlement {
    /// Refuses a posting that would touch `month` once it is closed.
    pub(super) fn require_open(&self, month: Period, what: &'static str) -> Result<(), Refusal> {
        if self.closed.contains(&month) {
            return Err(S::PeriodClosed {
                month: month.to_string(),
                what,
            }
            .into());
        }
        Ok(())
    }

    /// Adds a committed entry to its shop's statement of `month` (the month of the sale it
    /// is, refunds or reverses), if it is a sale, a refund or a reversal of a sale.
    pub(super) fn note(&mut self, entry: &EntryRecord, month: Period) {
        let counts = matches!(
            entry.kind,
            OperationKind::Redemption(RedemptionKind::Redeem | RedemptionKind::Refund)
        ) || (entry.kind == OperationKind::Reversal(ReversalKind::Reverse)
            && entry
                .postings
                .iter()
                .any(|p| matches!(p.debit, AccountId::Shop(_))));
        if !counts {
            return;
        }
        let Some(shop) = entry.accounts.iter().find_map(|a| match a {
            AccountId::Shop(shop) => Some(shop.clone()),
            _ => None,
        }) else {
            return;
        };
        let statement = self.statements.entry((shop, month)).or_default();
        for posting in &entry.postings {
            let line = statement.lines.entry(posting.issuer.clone()).or_default();
            if matches!(posting.credit, AccountId::Shop(_)) {
                line.sold = Points(line.sold.get().saturating_add(posting.points.get()));
            } else {
                line.refunded = Points(line.refunded.get().saturating_add(posting.points.get()));
            }
        }
        statement.entries += 1;
        statement.entries_hash = crypto::sha256(
            &[
                statement.entries_hash.as_slice(),
                &entry.sequence.get().to_be_bytes(),
                &entry.body_sha256,
            ]
            .concat(),
        );
    }
}

impl State {
    /// A shop's statement of `month` (empty when it sold nothing), and whether the month is
    /// closed.
    pub fn statement(&self, shop: &ShopId, month: Period) -> (Statement, bool) {
        let statement = self
            .settlement
            .statements
            .get(&(shop.clone(), month))
            .cloned()
            .unwrap_or_default();
        (statement, self.settlement.closed.contains(&month))
    }
}

/// A settlement operation checked to fit.
#[derive(Debug)]
pub(super) enum Plan {
    Close(Period),
    Settle(Box<SettlePlan>),
}

/// A settlement checked to fit.
#[derive(Debug)]
pub(super) struct SettlePlan {
    changes: AccountChanges,
    posting: Posting,
    key: (ShopId, Period),
    issuer: IssuerId,
    reference: String,
}

impl Plan {
    pub(super) fn commit(self, state: &mut State, ctx: &Context) -> Effects {
        match self {
            Plan::Close(month) => {
                state.settlement.closed.insert(month);
                Effects::default()
            }
            Plan::Settle(plan) => {
                let SettlePlan {
                    changes,
                    posting,
                    key,
                    issuer,
                    reference,
                } = *plan;
                changes.commit(&mut state.accounts);
                if let Some(line) = state
                    .settlement
                    .statements
                    .get_mut(&key)
                    .and_then(|s| s.lines.get_mut(&issuer))
                {
                    line.settled = Some((ctx.sequence, reference));
                }
                Effects {
                    postings: vec![posting],
                    issuer: Some(issuer),
                    ..Effects::default()
                }
            }
        }
    }
}

/// The first day of the month after `month`.
fn first_day_after(month: Period) -> Option<CivilDate> {
    let (year, next) = match month.month {
        12 => (month.year + 1, 1),
        m => (month.year, m + 1),
    };
    CivilDate::from_ymd(year, next, 1)
}

/// When `date` starts (00:00 China Standard Time), in ms since the Unix epoch.
fn starts_at(date: CivilDate) -> u64 {
    (u64::from(date.days()) * 86_400_000).saturating_sub(8 * 3_600_000)
}

/// Checks a settlement operation.
pub(super) fn check(state: &State, ctx: &Context, op: &SettlementOp) -> Result<Plan, Refusal> {
    match op {
        SettlementOp::ClosePeriod { month } => {
            authority::require_admin(&ctx.role, "closing a period")?;
            // Not before the terminals' refund window after the month's last sale has passed,
            // so closing never takes a refund away from a shop.
            let window = ctx.facts.parameters.max_refund_window_ms;
            let closable =
                first_day_after(*month).map(|first| starts_at(first).saturating_add(window));
            if closable.is_none_or(|at| ctx.committed_at.get() < at) {
                return Err(S::PeriodNotEnded {
                    month: month.to_string(),
                    closable: closable.map_or_else(
                        || "never".into(),
                        |at| LocalTime::from_unix_ms(at).to_string(),
                    ),
                }
                .into());
            }
            let genesis = state.journal.entry(Sequence(0))?.committed_at;
            if *month < Period::containing(genesis.get()) {
                return Err(S::PeriodBeforeLedger {
                    month: month.to_string(),
                }
                .into());
            }
            if state.settlement.closed.contains(month) {
                return Err(S::PeriodAlreadyClosed {
                    month: month.to_string(),
                }
                .into());
            }
            Ok(Plan::Close(*month))
        }
        SettlementOp::Settle {
            shop,
            month,
            issuer,
            points,
            reference,
        } => {
            authority::may_settle(&ctx.role, issuer)?;
            state.accounts.shop(shop)?;
            if !state.settlement.closed.contains(month) {
                return Err(S::PeriodOpen {
                    month: month.to_string(),
                }
                .into());
            }
            let key = (shop.clone(), *month);
            let line = state
                .settlement
                .statements
                .get(&key)
                .and_then(|s| s.lines.get(issuer))
                .filter(|line| line.receivable() > Points::ZERO)
                .ok_or_else(|| S::NothingToSettle {
                    shop: shop.clone(),
                    month: month.to_string(),
                    issuer: issuer.clone(),
                })?;
            if let Some((at, _)) = &line.settled {
                return Err(S::AlreadySettled {
                    shop: shop.clone(),
                    month: month.to_string(),
                    issuer: issuer.clone(),
                    at: at.get(),
                }
                .into());
            }
            if *points != line.receivable() {
                return Err(S::SettlementMismatch {
                    statement: line.receivable().get(),
                    found: points.get(),
                }
                .into());
            }
            let posting = Posting {
                debit: AccountId::Shop(shop.clone()),
                credit: AccountId::BureauFund,
                points: *points,
                issuer: issuer.clone(),
            };
            let mut staged = state.stage(ctx);
            staged.debit(&posting, "the shop's points to settle")?;
            staged.credit(&posting, "the bureau fund")?;
            Ok(Plan::Settle(Box::new(SettlePlan {
                changes: staged.into_changes(),
                posting,
                key,
                issuer: issuer.clone(),
                reference: reference.clone(),
            })))
        }
    }
}
