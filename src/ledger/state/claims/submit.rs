//! Submitting a claim (priced by the rule in force on the deed date, for a household and
//! member that belonged to the village then, once per deed) and withdrawing one.

use super::super::catalogue::{CapHolder, CatalogueScope, parent_deduction};
use super::super::{Context, State, authority};
use super::{Claim, ClaimRequest, ClaimStatus, Plan};
use crate::ledger::{CivilDate, ClaimId, Points, Refusal, Role};

/// Checks a new claim.
pub(super) fn submit(
    state: &State,
    ctx: &Context,
    request: &ClaimRequest,
) -> Result<Plan, Refusal> {
    let village = state
        .accounts
        .household(&request.household)?
        .village
        .clone();
    authority::require_admin_or_officer_of(
        &ctx.role,
        "submitting a claim",
        &village,
        "a bureau admin or an officer of the household's village",
    )?;
    if state.claims.claims.contains_key(&request.claim) {
        return Err(Refusal::AlreadyRegistered {
            kind: "claim",
            id: request.claim.to_string(),
        });
    }
    let today = CivilDate::of(ctx.committed_at);
    let policy = state.policies.in_force(&village, today).ok_or_else(|| {
        Refusal::from(crate::ledger::GovernanceRefusal::NoPolicyInForce {
            village: village.clone(),
            date: today,
        })
    })?;
    let deed = request.deed_date;
    let oldest = CivilDate::from_days(
        today
            .days()
            .saturating_sub(policy.policy.max_claim_age_days),
    )
    .unwrap_or(today);
    if deed > today || deed < oldest {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::DateOutOfRange {
                field: "deed_date",
                expected: format!(
                    "from {oldest} to {today} (at most {} days before the commit date)",
                    policy.policy.max_claim_age_days
                ),
                found: deed,
            },
        ));
    }
    let scope = CatalogueScope::Village(village.clone());
    // A parent's deduction prices the claim even where the village's catalogue lacks it or
    // still has an earlier version of it: a village never softens a deduction.
    let (catalogue_version, rule) = parent_deduction(state, &scope, deed, &request.rule)
        .or_else(|| state.catalogues.rule_in_force(&scope, deed, &request.rule))
        .ok_or_else(|| {
            Refusal::from(crate::ledger::GovernanceRefusal::RuleNotInForce {
                catalogue: scope.to_string(),
                rule: request.rule.clone(),
                date: deed,
            })
        })?;
    if request.quantity > rule.max_quantity {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::QuantityOverMaximum {
                rule: rule.code.clone(),
                max: rule.max_quantity,
                found: request.quantity,
            },
        ));
    }
    if rule.evidence_required && request.evidence.is_none() {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::EvidenceRequired {
                rule: rule.code.clone(),
            },
        ));
    }
    if rule.caps.iter().any(|c| c.per == CapHolder::Member) && request.member.is_none() {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::MemberRequired {
                rule: rule.code.clone(),
            },
        ));
    }
    if !state
        .members
        .household_in_village_on(&request.household, deed)
    {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::NotInVillageOn {
                household: request.household.clone(),
                village: village.clone(),
                date: deed,
            },
        ));
    }
    if let Some(member) = &request.member
        && !state.members.member_of_on(member, &request.household, deed)
    {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::NotMemberOn {
                member: *member,
                household: request.household.clone(),
                date: deed,
            },
        ));
    }
    let deed_key = (request.household.clone(), rule.code.clone(), deed);
    if let Some(earlier) = state.claims.deeds.get(&deed_key) {
        return Err(Refusal::DuplicateDeed {
            claim: earlier.clone(),
            why: "the same rule, household and deed date",
        });
    }
    state.claims.evidence_unused(request.evidence.as_ref())?;
    // At most 10^12: the rule's points_per_unit × max_quantity is bounded when it is adopted.
    let points = Points(rule.points_per_unit.get() * u64::from(request.quantity));
    let claim = Claim {
        id: request.claim.clone(),
        village,
        household: request.household.clone(),
        member: request.member,
        rule,
        catalogue_version,
        quantity: request.quantity,
        points,
        deed_date: deed,
        evidence: request.evidence,
        memo: request.memo.clone(),
        proposer: ctx.signer,
        submitted_at: ctx.sequence,
        reviewers_required: policy.policy.reviewers_required,
        approvals: Vec::new(),
        status: ClaimStatus::UnderReview,
        notice: None,
        posted: None,
        reviews: imbl::Vector::new(),
        open_objections: 0,
    };
    let mut plan = Plan::default();
    plan.deeds.push((deed_key, Some(claim.id.clone())));
    if let Some(hash) = claim.evidence {
        plan.evidence.push((hash, Some(claim.id.clone())));
    }
    plan.claims.push(claim);
    Ok(plan)
}

/// Checks a withdrawal: by the proposer, before a notice.
pub(super) fn withdraw(state: &State, ctx: &Context, id: &ClaimId) -> Result<Plan, Refusal> {
    let claim = state.claims.claim(id)?;
    // The bureau may end a claim whose proposer's key is gone, so it holds no cap or budget.
    if ctx.signer != claim.proposer && ctx.role != Role::BureauAdmin {
        return Err(Refusal::NotAllowed {
            operation: "withdrawing a claim",
            expected: "the key that proposed it, or a bureau admin",
            found: format!("key {} ({})", ctx.signer, ctx.role),
        });
    }
    if !matches!(
        claim.status,
        ClaimStatus::UnderReview | ClaimStatus::Approved
    ) {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::ClaimState {
                claim: id.clone(),
                expected: "under review or approved",
                found: claim.status.name(),
            },
        ));
    }
    let mut plan = Plan::default();
    plan.end(
        state,
        Claim::clone(claim),
        ClaimStatus::Withdrawn(ctx.sequence),
    )?;
    Ok(plan)
}
