//! Reviewing a claim: who may (an officer of the village who neither proposed it nor belongs
//! to the household it benefits), and what an approval must fit: every cap of the rule
//! (counting approved, pending and posted claims of the deed's period), the issuer's budget
//! less what other approved awards have reserved, and the parent catalogues in force on the
//! deed date.

use super::super::catalogue::{CatalogueScope, Sign, narrows_parents};
use super::super::members::OfficerHousehold;
use super::super::{Context, State, authority};
use super::{
    Claim, ClaimStatus, Decision, MAX_REVIEWS_PER_CLAIM, Plan, ReviewRecord, cap_key,
    require_unreserved,
};
use crate::ledger::{ClaimId, Points, Refusal};

/// Refuses a reviewer (or an objection's resolver) who proposed the claim, whose household
/// was never recorded, or who belongs to the household the claim benefits.
pub(super) fn no_conflict(
    state: &State,
    ctx: &Context,
    claim: &Claim,
    operation: &'static str,
) -> Result<(), Refusal> {
    authority::require_officer_of(&ctx.role, operation, &claim.village)?;
    if ctx.signer == claim.proposer {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::ReviewerConflict {
                claim: claim.id.clone(),
                why: "the key proposed the claim".into(),
            },
        ));
    }
    match state.members.officer_household(&ctx.signer) {
        None => Err(Refusal::from(
            crate::ledger::GovernanceRefusal::OfficerHouseholdUnknown { key_id: ctx.signer },
        )),
        Some(OfficerHousehold::Household(h)) if *h == claim.household => Err(Refusal::from(
            crate::ledger::GovernanceRefusal::ReviewerConflict {
                claim: claim.id.clone(),
                why: format!("the key's officer belongs to household {h}, which it benefits"),
            },
        )),
        Some(_) => Ok(()),
    }
}

/// Checks that a claim about to count fits its caps, the issuer's budget and the parent
/// catalogues; counts it in `plan`.
fn approve(state: &State, plan: &mut Plan, claim: &Claim) -> Result<(), Refusal> {
    narrows_parents(
        state,
        &CatalogueScope::Village(claim.village.clone()),
        claim.deed_date,
        Some(claim.deed_date.add_days(1)),
        std::iter::once(claim.rule.as_ref()),
    )?;
    for cap in &claim.rule.caps {
        let Some(key) = cap_key(claim, cap.per, cap.period) else {
            continue;
        };
        let counted = plan.cap_value(state, &key);
        if counted.get().saturating_add(claim.points.get()) > cap.max_points.get() {
            return Err(Refusal::from(
                crate::ledger::GovernanceRefusal::CapExceeded {
                    claim: claim.id.clone(),
                    cap: key.to_string(),
                    max: cap.max_points,
                    counted,
                    adds: claim.points,
                },
            ));
        }
    }
    if claim.rule.sign == Sign::Award {
        let reserved = plan.reserved_value(state, &claim.village);
        require_unreserved(state, &claim.village, reserved, claim.points)?;
    }
    plan.count(state, claim, true)
}

/// Checks a review.
pub(super) fn review(
    state: &State,
    ctx: &Context,
    id: &ClaimId,
    decision: Decision,
    reason: &str,
) -> Result<Plan, Refusal> {
    let claim = state.claims.claim(id)?;
    no_conflict(state, ctx, claim, "reviewing a claim")?;
    if claim.status != ClaimStatus::UnderReview {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::ClaimState {
                claim: id.clone(),
                expected: "under review",
                found: claim.status.name(),
            },
        ));
    }
    // A rejection always ends it, however many steps came before.
    if claim.reviews.len() >= MAX_REVIEWS_PER_CLAIM && decision != Decision::Reject {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::ClaimLimit {
                claim: id.clone(),
                what: "review steps",
                max: MAX_REVIEWS_PER_CLAIM,
            },
        ));
    }
    let mut next = Claim::clone(claim);
    next.reviews.push_back(ReviewRecord {
        reviewer: ctx.signer,
        decision,
        reason: reason.to_owned(),
        at: ctx.sequence,
    });
    let mut plan = Plan::default();
    match decision {
        Decision::Reject => {
            plan.end(state, next, ClaimStatus::Rejected(ctx.sequence))?;
            return Ok(plan);
        }
        Decision::Approve => {
            if next.approvals.contains(&ctx.signer) {
                return Err(Refusal::AlreadyReviewed {
                    claim: id.clone(),
                    reviewer: ctx.signer,
                });
            }
            next.approvals.push(ctx.signer);
        }
        Decision::Adjust(quantity) => {
            if quantity > next.rule.max_quantity {
                return Err(Refusal::from(
                    crate::ledger::GovernanceRefusal::QuantityOverMaximum {
                        rule: next.rule.code.clone(),
                        max: next.rule.max_quantity,
                        found: quantity,
                    },
                ));
            }
            if quantity == next.quantity {
                return Err(Refusal::InvalidField {
                    field: "adjust_quantity",
                    expected: format!("a quantity other than the claim's {}", next.quantity),
                    found: quantity.to_string(),
                });
            }
            next.quantity = quantity;
            next.points = Points(next.rule.points_per_unit.get() * u64::from(quantity));
            // Earlier approvals were of another quantity.
            next.approvals = vec![ctx.signer];
        }
    }
    if next.approvals.len() as u64 >= u64::from(next.reviewers_required) {
        next.status = ClaimStatus::Approved;
        approve(state, &mut plan, &next)?;
    }
    plan.claims.push(next);
    Ok(plan)
}
