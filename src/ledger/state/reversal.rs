//! The reversal family: a compensating entry that moves an earlier entry's points back, each
//! to the account and issuer it came from. The original entry is never changed; its record
//! notes the reversal.

use super::authority;
use super::budget::BudgetKind;
use super::claims::require_unreserved;
use super::journal::Effects;
use super::points::PointsKind;
use super::redemption::RedemptionKind;
use super::staged::AccountChanges;
use super::{Context, State};
use crate::ledger::{
    AccountId, OperationKind, Period, Points, Posting, Refusal, Role, SaleRefusal, Sequence,
};

/// The reversal family's operations.
#[derive(Clone, Debug)]
pub enum ReversalOp {
    /// A compensating entry for an earlier one.
    Reverse {
        /// The log sequence of the entry to reverse.
        sequence: Sequence,
        /// Why: free text for people, no personal data; 1 to 280 bytes.
        reason: String,
    },
}

/// The kinds of reversal operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReversalKind {
    /// [`ReversalOp::Reverse`].
    Reverse,
}

impl ReversalOp {
    /// The operation's kind.
    pub fn kind(&self) -> ReversalKind {
        match self {
            ReversalOp::Reverse { .. } => ReversalKind::Reverse,
        }
    }
}

impl ReversalKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            ReversalKind::Reverse => "reverse-entry",
        }
    }
}

/// Checks a reversal.
pub(super) fn check(state: &State, ctx: &Context, op: &ReversalOp) -> Result<Plan, Refusal> {
    match op {
        ReversalOp::Reverse { sequence, .. } => reverse(state, ctx, *sequence),
    }
}

/// A reversal checked to fit.
#[derive(Debug)]
pub(super) struct Plan {
    changes: AccountChanges,
    postings: Vec<Posting>,
    target: Sequence,
    arrears_paid: Points,
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        self.changes.commit(&mut state.accounts);
        Effects {
            postings: self.postings,
            reverses: Some(self.target),
            arrears_paid: self.arrears_paid,
            ..Effects::default()
        }
    }
}

/// Reverses the entry at `target`: budget allocations, issues, deductions and redemptions,
/// once each, by whom [`authority::may_reverse`] allows; a terminal only within the refund
/// window. Every debit of the reversal must be covered (issuers by their whole balance,
/// households and shops by what they hold of each issuer's points).
fn reverse(state: &State, ctx: &Context, target: Sequence) -> Result<Plan, Refusal> {
    let original = state.journal.entry(target)?;
    if let Some(reversed_by) = original.reversed_by {
        return Err(Refusal::AlreadyReversed {
            sequence: target.get(),
            reversed_by: reversed_by.get(),
        });
    }
    let kind = original.kind;
    let reversible = matches!(
        kind,
        OperationKind::Budget(BudgetKind::Allocate)
            | OperationKind::Points(PointsKind::Issue | PointsKind::Deduct)
            | OperationKind::Redemption(RedemptionKind::Redeem)
    );
    if !reversible {
        return Err(Refusal::NotReversible {
            sequence: target.get(),
            kind: kind.name(),
        });
    }
    authority::may_reverse(&ctx.role, original)?;
    state.settlement.require_open(
        Period::containing(original.committed_at.get()),
        "reversing an entry",
    )?;
    if kind == OperationKind::Redemption(RedemptionKind::Redeem)
        && state.redemptions.has_refunds(target)
    {
        let refunded = state.refunded_of(target);
        return Err(SaleRefusal::PartlyRefunded {
            sale: target.get(),
            refunded: refunded.get(),
        }
        .into());
    }
    if let Role::ShopTerminal(_) = ctx.role {
        super::redemption::require_within_refund_window(ctx, original)?;
    }
    // Debit and credit swap; the issuer tag stays.
    let mut postings: Vec<Posting> = original
        .postings
        .iter()
        .map(|p| Posting {
            debit: p.credit.clone(),
            credit: p.debit.clone(),
            points: p.points,
            issuer: p.issuer.clone(),
        })
        .collect();
    // Points a reversed deduction returns to a household pay its arrears first, as any credit
    // does: the paying part stays with the issuer.
    let mut arrears_paid = Points::ZERO;
    if kind == OperationKind::Points(PointsKind::Deduct)
        && let Some(AccountId::Household(h)) = original
            .accounts
            .iter()
            .find(|a| matches!(a, AccountId::Household(_)))
    {
        let mut owed = state.accounts.household(h)?.arrears;
        for posting in postings.iter_mut() {
            let paid = owed.min(posting.points);
            posting.points = Points(posting.points.get() - paid.get());
            owed = Points(owed.get() - paid.get());
            arrears_paid = Points(arrears_paid.get() + paid.get());
        }
        postings.retain(|p| p.points > Points::ZERO);
    }
    // So do the points a reversed sale returns, as a refund's do: the paying part goes from
    // the shop back to the issuer whose points they are.
    if kind == OperationKind::Redemption(RedemptionKind::Redeem)
        && let Some(AccountId::Household(h)) = original
            .accounts
            .iter()
            .find(|a| matches!(a, AccountId::Household(_)))
    {
        let mut owed = state.accounts.household(h)?.arrears;
        let mut paying = Vec::new();
        for posting in postings.iter_mut() {
            let paid = owed.min(posting.points);
            if paid > Points::ZERO {
                posting.points = Points(posting.points.get() - paid.get());
                owed = Points(owed.get() - paid.get());
                arrears_paid = Points(arrears_paid.get() + paid.get());
                paying.push(Posting {
                    credit: AccountId::Issuer(posting.issuer.clone()),
                    points: paid,
                    ..posting.clone()
                });
            }
        }
        postings.retain(|p| p.points > Points::ZERO);
        postings.extend(paying);
    }
    // An issuer's budget promised to approved awards is not the reversal's to take.
    for posting in &postings {
        if let AccountId::Issuer(issuer) = &posting.debit {
            let reserved = state.claims.reserved(issuer);
            if reserved > Points::ZERO {
                require_unreserved(state, issuer, reserved, posting.points)?;
            }
        }
    }
    let mut staged = state.stage(ctx);
    // A reversal takes back what it reverses, expired or not, and gives back points with the
    // expiry they had (a refund never renews points; ones past their expiry come back
    // unspendable, for the next expiry run).
    staged.set_reversing(true);
    // Every debit first, then every credit: a reversal the accounts cannot pay is refused as
    // short before any overflow is considered.
    for posting in &postings {
        staged.debit(posting, "balance to reverse")?;
    }
    for posting in &postings {
        staged.credit_lots(posting, &original.lots_taken, "the reversal's credit")?;
    }
    // The score changes in the month of the original entry, by all the entry was worth:
    // an issue's points including what paid arrears (owed again now), a deduction's
    // including what now pays arrears.
    let moved: i128 = postings.iter().map(|p| p.points.wide()).sum::<i128>()
        + original.arrears_paid.wide()
        + arrears_paid.wide();
    let score_change = match kind {
        OperationKind::Points(PointsKind::Issue) => -moved,
        OperationKind::Points(PointsKind::Deduct) => moved,
        _ => 0,
    };
    if score_change != 0
        && let Some(AccountId::Household(h)) = original
            .accounts
            .iter()
            .find(|a| matches!(a, AccountId::Household(_)))
    {
        let household = staged.household_mut(h)?;
        let period = Period::containing(original.committed_at.get());
        household.add_score(period, score_change);
        if kind == OperationKind::Points(PointsKind::Deduct) {
            household.add_deducted(period, -moved);
        }
        household.arrears = household
            .arrears
            .checked_add(original.arrears_paid)
            .ok_or(Refusal::Overflow("a household's arrears"))?;
        household.arrears = Points(household.arrears.get().saturating_sub(arrears_paid.get()));
    }
    if kind == OperationKind::Redemption(RedemptionKind::Redeem)
        && arrears_paid > Points::ZERO
        && let Some(AccountId::Household(h)) = original
            .accounts
            .iter()
            .find(|a| matches!(a, AccountId::Household(_)))
    {
        let household = staged.household_mut(h)?;
        household.arrears = Points(household.arrears.get().saturating_sub(arrears_paid.get()));
    }
    Ok(Plan {
        changes: staged.into_changes(),
        postings,
        target,
        arrears_paid,
    })
}
