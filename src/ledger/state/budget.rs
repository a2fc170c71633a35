//! The budget family: the bureau fund backs points and allocates them to an issuer.

use super::authority;
use super::journal::Effects;
use super::staged::AccountChanges;
use super::{Context, State};
use crate::ledger::{AccountId, IssuerId, Points, Posting, Refusal};

/// The budget's operations.
#[derive(Clone, Debug)]
pub enum BudgetOp {
    /// Bureau fund → issuer.
    Allocate {
        /// The issuer whose budget receives the points.
        issuer: IssuerId,
        /// Points, 1 ..= [`MAX_POINTS_PER_TRANSACTION`](crate::ledger::MAX_POINTS_PER_TRANSACTION).
        points: Points,
        /// Why, e.g. "2026 Q4 village budget": free text for people, no personal data; at
        /// most 280 bytes.
        memo: String,
    },
}

/// The kinds of budget operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BudgetKind {
    /// [`BudgetOp::Allocate`].
    Allocate,
}

impl BudgetOp {
    /// The operation's kind.
    pub fn kind(&self) -> BudgetKind {
        match self {
            BudgetOp::Allocate { .. } => BudgetKind::Allocate,
        }
    }
}

impl BudgetKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            BudgetKind::Allocate => "allocate-budget",
        }
    }
}

/// Checks a budget operation.
pub(super) fn check(state: &State, ctx: &Context, op: &BudgetOp) -> Result<Plan, Refusal> {
    match op {
        BudgetOp::Allocate { issuer, points, .. } => allocate(state, ctx, issuer, *points),
    }
}

/// An allocation checked to fit.
#[derive(Debug)]
pub(super) struct Plan {
    changes: AccountChanges,
    posting: Posting,
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        self.changes.commit(&mut state.accounts);
        let issuer = self.posting.issuer.clone();
        Effects {
            postings: vec![self.posting],
            issuer: Some(issuer),
            ..Effects::default()
        }
    }
}

/// Bureau fund → issuer: only a bureau admin; the fund backs at most
/// [`MAX_BACKED_POINTS`](crate::ledger::MAX_BACKED_POINTS) in all.
fn allocate(
    state: &State,
    ctx: &Context,
    issuer: &IssuerId,
    points: Points,
) -> Result<Plan, Refusal> {
    authority::require_admin(&ctx.role, "allocating budget")?;
    state.accounts.issuer(issuer)?;
    let posting = Posting {
        debit: AccountId::BureauFund,
        credit: AccountId::Issuer(issuer.clone()),
        points,
        issuer: issuer.clone(),
    };
    let mut staged = state.stage(ctx);
    staged.credit(&posting, "the issuer's budget")?;
    staged.debit(&posting, "the bureau fund")?;
    Ok(Plan {
        changes: staged.into_changes(),
        posting,
    })
}
