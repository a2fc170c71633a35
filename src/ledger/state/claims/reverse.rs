//! Correcting a posted claim, once: its posting is undone as it was made. An award's points
//! go back to the village (what the household no longer holds of them, spent or expired and
//! moved, and what they paid of its arrears, become arrears); a deduction's points come back to the household with the expiry
//! they had (from each issuer that received them), and the arrears it added are forgiven (any
//! part of them already paid comes back from the village's budget). The score changes in the
//! month of the posting, and the claim's caps and deed are freed. (Arrears are the
//! household's, not an issuer's: whichever issuer credits the household next recovers them.)

use super::super::catalogue::Sign;
use super::super::{Context, State};
use super::review::no_conflict;
use super::{Claim, ClaimStatus, Plan, require_unreserved};
use crate::ledger::{AccountId, ClaimId, Points, Posting, Refusal, Role};

/// Checks a claim's reversal.
pub(super) fn reverse(state: &State, ctx: &Context, id: &ClaimId) -> Result<Plan, Refusal> {
    let claim = state.claims.claim(id)?;
    if ctx.role != Role::BureauAdmin {
        no_conflict(state, ctx, claim, "reversing a claim")?;
    }
    let (ClaimStatus::Posted(_), Some(effect)) = (&claim.status, &claim.posted) else {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::ClaimState {
                claim: id.clone(),
                expected: "posted",
                found: claim.status.name(),
            },
        ));
    };
    state
        .settlement
        .require_open(effect.period, "reversing a posted claim")?;
    let household = &claim.household;
    let village = &claim.village;
    let today = crate::ledger::CivilDate::of(ctx.committed_at);
    let base = state.accounts.household(household)?;
    let mut staged = state.stage(ctx);
    let mut plan = Plan::default();
    match claim.rule.sign {
        Sign::Award => {
            // Take back what is left of the credited points: the village's spendable lots
            // first, lots past their expiry only for what is still missing.
            let credited: u64 = effect.postings.iter().map(|p| p.points.get()).sum();
            let live = Points(credited.min(base.live_of(village, today).get()));
            let expired_held = base.held_of(village).get() - base.live_of(village, today).get();
            let expired = Points((credited - live.get()).min(expired_held));
            for (points, expired_too) in [(live, false), (expired, true)] {
                if points == Points::ZERO {
                    continue;
                }
                let posting = Posting {
                    debit: AccountId::Household(household.clone()),
                    credit: AccountId::Issuer(village.clone()),
                    points,
                    issuer: village.clone(),
                };
                staged.set_reversing(expired_too);
                staged.debit(&posting, "points to take back")?;
                staged.credit(&posting, "the village's budget")?;
                plan.postings.push(posting);
            }
            // What the household no longer holds of them (spent, or expired and moved by an
            // expiry run), and what they paid of its arrears, is owed again.
            let back = live.get() + expired.get();
            let owed = Points(credited - back + effect.arrears.get());
            let staged_household = staged.household_mut(household)?;
            staged_household.arrears = staged_household
                .arrears
                .checked_add(owed)
                .ok_or(Refusal::Overflow("a household's arrears"))?;
            staged_household.add_score(effect.period, -claim.points.wide());
        }
        Sign::Deduction => {
            // The arrears it added are forgiven; what of them was already paid comes back
            // from the village's budget.
            let forgiven = effect.arrears.min(base.arrears);
            let paid = Points(effect.arrears.get() - forgiven.get());
            // Each issuer returns what it received, with the expiry the points had; no issuer
            // pays out budget promised to approved awards.
            let mut debits: Vec<(crate::ledger::IssuerId, Points)> = Vec::new();
            let mut add = |issuer: &crate::ledger::IssuerId, points: Points| match debits
                .iter_mut()
                .find(|(i, _)| i == issuer)
            {
                Some((_, p)) => *p = Points(p.get() + points.get()),
                None => debits.push((issuer.clone(), points)),
            };
            for taken in &effect.postings {
                if let AccountId::Issuer(issuer) = &taken.credit {
                    add(issuer, taken.points);
                }
            }
            if paid > Points::ZERO {
                add(village, paid);
            }
            for (issuer, needed) in &debits {
                require_unreserved(state, issuer, state.claims.reserved(issuer), *needed)?;
            }
            for taken in &effect.postings {
                let posting = Posting {
                    debit: taken.credit.clone(),
                    credit: taken.debit.clone(),
                    points: taken.points,
                    issuer: taken.issuer.clone(),
                };
                staged.debit(&posting, "points to return")?;
                staged.credit_lots(&posting, &effect.lots_taken, "the household's balance")?;
                plan.postings.push(posting);
            }
            let staged_household = staged.household_mut(household)?;
            staged_household.arrears = Points(staged_household.arrears.get() - forgiven.get());
            staged_household.add_score(effect.period, claim.points.wide());
            staged_household.add_deducted(effect.period, -claim.points.wide());
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
