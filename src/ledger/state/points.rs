//! The points family: an issuer awards points to a household (issue) or takes them back for a
//! violation (deduct). Each lot of points remembers its issuer.

use super::authority;
use super::claims::require_unreserved;
use super::journal::Effects;
use super::staged::AccountChanges;
use super::{Context, State};
use crate::ledger::{AccountId, HouseholdId, IssuerId, Period, Points, Posting, Refusal, RuleCode};

/// A movement of issuer, household and rule: shared by issue and deduct.
#[derive(Clone, Debug)]
pub struct PointsAction {
    /// The issuer that pays (issue) or receives (deduct).
    pub issuer: IssuerId,
    /// The household that receives (issue) or loses (deduct).
    pub household: HouseholdId,
    /// The catalogue rule.
    pub rule: RuleCode,
    /// Points, 1 ..= [`MAX_POINTS_PER_TRANSACTION`](crate::ledger::MAX_POINTS_PER_TRANSACTION).
    pub points: Points,
    /// Free text, no personal data.
    pub memo: String,
}

/// The points family's operations.
#[derive(Clone, Debug)]
pub enum PointsOp {
    /// Issuer → household.
    Issue(PointsAction),
    /// Household → issuer.
    Deduct(PointsAction),
}

/// The kinds of points operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PointsKind {
    /// [`PointsOp::Issue`].
    Issue,
    /// [`PointsOp::Deduct`].
    Deduct,
}

impl PointsOp {
    /// The operation's kind.
    pub fn kind(&self) -> PointsKind {
        match self {
            PointsOp::Issue(_) => PointsKind::Issue,
            PointsOp::Deduct(_) => PointsKind::Deduct,
        }
    }
}

impl PointsKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            PointsKind::Issue => "issue-points",
            PointsKind::Deduct => "deduct-points",
        }
    }
}

/// Checks a points operation.
pub(super) fn check(state: &State, ctx: &Context, op: &PointsOp) -> Result<Plan, Refusal> {
    if let Some(since) = state.claims.required_since() {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::ClaimRequired {
                kind: op.kind().name(),
                since,
            },
        ));
    }
    match op {
        PointsOp::Issue(action) => issue(state, ctx, action),
        PointsOp::Deduct(action) => deduct(state, ctx, action),
    }
}

/// An issue or deduction checked to fit.
#[derive(Debug)]
pub(super) struct Plan {
    changes: AccountChanges,
    postings: Vec<Posting>,
    action: PointsAction,
    accounts: Vec<AccountId>,
    arrears_paid: Points,
    lots_taken: Vec<super::staged::TakenLot>,
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        self.changes.commit(&mut state.accounts);
        Effects {
            postings: self.postings,
            accounts: self.accounts,
            issuer: Some(self.action.issuer),
            reverses: None,
            refunds: None,
            arrears_paid: self.arrears_paid,
            lots_taken: self.lots_taken,
        }
    }
}

/// Issuer → household: an officer of the issuer (a village only for its own households), out
/// of the issuer's budget; the household's score for the month rises by the points.
fn issue(state: &State, ctx: &Context, action: &PointsAction) -> Result<Plan, Refusal> {
    let household = state.accounts.household(&action.household)?;
    authority::require_issuer_officer(
        &ctx.role,
        "issuing points",
        &action.issuer,
        &household.village,
    )?;
    // Budget promised to approved claims' awards is not the officer's to spend directly.
    // (With nothing promised, a short balance is refused by the debit itself.)
    let reserved = state.claims.reserved(&action.issuer);
    if reserved > Points::ZERO {
        require_unreserved(state, &action.issuer, reserved, action.points)?;
    }
    let mut staged = state.stage(ctx);
    // The household's arrears are paid first.
    let (posting, arrears_paid) =
        staged.credit_household(&action.issuer, &action.household, action.points)?;
    staged.household_mut(&action.household)?.add_score(
        Period::containing(ctx.committed_at.get()),
        action.points.wide(),
    );
    Ok(Plan {
        changes: staged.into_changes(),
        postings: posting.into_iter().collect(),
        action: action.clone(),
        accounts: vec![AccountId::Household(action.household.clone())],
        arrears_paid,
        lots_taken: Vec::new(),
    })
}

/// Household → issuers: the deducting issuer's own points go first, then the oldest lots;
/// each part returns to the issuer that backed it, so no issuer's budget grows with another
/// issuer's points. The household's score for the month falls by the points.
fn deduct(state: &State, ctx: &Context, action: &PointsAction) -> Result<Plan, Refusal> {
    let household = state.accounts.household(&action.household)?;
    // A program issuer's direct deduction is the core's rule, kept so that older logs replay
    // unchanged; once claims are required no direct deduction is taken, and claims and
    // awards by rule give a program no way to deduct.
    authority::require_issuer_officer(
        &ctx.role,
        "deducting points",
        &action.issuer,
        &household.village,
    )?;
    state.accounts.issuer(&action.issuer)?;
    let today = crate::ledger::CivilDate::of(ctx.committed_at);
    let taken = household.plan_take(action.points, Some(&action.issuer), today)?;
    let postings: Vec<Posting> = taken
        .into_iter()
        .map(|(lot_issuer, points)| Posting {
            debit: AccountId::Household(action.household.clone()),
            credit: AccountId::Issuer(lot_issuer.clone()),
            points,
            issuer: lot_issuer,
        })
        .collect();
    let mut staged = state.stage(ctx);
    for posting in &postings {
        staged.debit(posting, "spendable balance")?;
        staged.credit(posting, "the issuer's budget")?;
    }
    let household = staged.household_mut(&action.household)?;
    let period = Period::containing(ctx.committed_at.get());
    household.add_score(period, -action.points.wide());
    household.add_deducted(period, action.points.wide());
    let (changes, lots_taken) = staged.into_changes_and_taken();
    Ok(Plan {
        changes,
        postings,
        action: action.clone(),
        accounts: vec![AccountId::Issuer(action.issuer.clone())],
        arrears_paid: Points::ZERO,
        lots_taken,
    })
}
