//! Correcting a posted claim, once: its posting is undone as it was made. An award's points
//! go back to the village (what the household has spent of them, and what they paid of its
//! arrears, become arrears); a deduction's points come back to the household with the expiry
//! they had (from each issuer that received them), and the arrears it added are forgiven (any
//! part of them already paid comes back from the village's budget). The score changes in the
//! month of the posting, and the claim's caps and deed are freed.

use super::super::catalogue::Sign;
use super::super::{Context, State};
use super::review::no_conflict;
use super::{Claim, ClaimStatus, Plan};
use crate::ledger::{AccountId, ClaimId, Points, Posting, Refusal, Role};

/// Checks a claim's reversal.
pub(super) fn reverse(state: &State, ctx: &Context, id: &ClaimId) -> Result<Plan, Refusal> {
    let claim = state.claims.claim(id)?;
    if ctx.role != Role::BureauAdmin {
        no_conflict(state, ctx, claim)?;
    }
    let (ClaimStatus::Posted(_), Some(effect)) = (&claim.status, &claim.posted) else {
        return Err(Refusal::ClaimState {
            claim: id.clone(),
            expected: "posted",
            found: claim.status.name(),
        });
    };
    let household = &claim.household;
    let village = &claim.village;
    let mut staged = state.stage(ctx);
    staged.reversing();
    let mut plan = Plan::default();
    match claim.rule.sign {
        Sign::Award => {
            // Take back what is left of the credited points (of the village, expired or not).
            let credited: u64 = effect.postings.iter().map(|p| p.points.get()).sum();
            let held = state.accounts.household(household)?.held_of(village);
            let back = Points(credited.min(held.get()));
            if back > Points::ZERO {
                let posting = Posting {
                    debit: AccountId::Household(household.clone()),
                    credit: AccountId::Issuer(village.clone()),
                    points: back,
                    issuer: village.clone(),
                };
                staged.debit(&posting, "points to take back")?;
                staged.credit(&posting, "the village's budget")?;
                plan.postings.push(posting);
            }
            // What was spent, and what paid arrears, is owed.
            let owed = Points(credited - back.get() + effect.arrears.get());
            let staged_household = staged.household_mut(household)?;
            staged_household.arrears = staged_household
                .arrears
                .checked_add(owed)
                .ok_or(Refusal::Overflow("a household's arrears"))?;
            staged_household.add_score(effect.period, -claim.points.wide());
        }
        Sign::Deduction => {
            // Each issuer returns what it received, with the expiry the points had.
            for taken in &effect.postings {
                let posting = Posting {
                    debit: taken.credit.clone(),
                    credit: taken.debit.clone(),
                    points: taken.points,
                    issuer: taken.issuer.clone(),
                };
                if let AccountId::Issuer(issuer) = &posting.debit {
                    let reserved = state.claims.reserved(issuer);
                    let balance = state.accounts.issuer(issuer)?.balance;
                    let available = Points(balance.get().saturating_sub(reserved.get()));
                    if available < posting.points {
                        return Err(Refusal::BudgetExceeded {
                            issuer: issuer.clone(),
                            available,
                            needed: posting.points,
                        });
                    }
                }
                staged.debit(&posting, "points to return")?;
                staged.credit_lots(&posting, &effect.lots_taken, "the household's balance")?;
                plan.postings.push(posting);
            }
            // The arrears it added are forgiven; what of them was already paid comes back.
            let staged_household = staged.household_mut(household)?;
            let forgiven = effect.arrears.min(staged_household.arrears);
            staged_household.arrears = Points(staged_household.arrears.get() - forgiven.get());
            staged_household.add_score(effect.period, claim.points.wide());
            staged_household.add_deducted(effect.period, -claim.points.wide());
            let paid = Points(effect.arrears.get() - forgiven.get());
            if paid > Points::ZERO {
                let (posting, _) = staged.credit_household(village, household, paid)?;
                plan.postings.extend(posting);
            }
        }
    }
    plan.changes = Some(staged.into_changes());
    plan.accounts = vec![
        AccountId::Household(household.clone()),
        AccountId::Issuer(village.clone()),
    ];
    plan.issuer = Some(village.clone());
    plan.end(
        state,
        Claim::clone(claim),
        ClaimStatus::Reversed(ctx.sequence),
    )?;
    Ok(plan)
}
