//! Public notice (公示): approved claims of a village put on notice in a batch, objections
//! filed and resolved while it runs, and the finalization that posts every claim of the batch
//! that was not rejected: an award from the village's budget (paying the household's arrears
//! first), a deduction from the household's balance with any shortfall as arrears; the score
//! counts in the month of the posting.

use super::super::catalogue::Sign;
use super::super::{Context, State, authority};
use super::review::no_conflict;
use super::types::PostedEffect;
use super::{
    Claim, ClaimId, ClaimStatus, MAX_CLAIMS_PER_NOTICE, MAX_OBJECTIONS_PER_CLAIM,
    MAX_OBJECTIONS_PER_KEY, Notice, Objection, Outcome, Plan,
};
use crate::ledger::{AccountId, CivilDate, IssuerId, NoticeId, ObjectionId, Period, Refusal};

/// Checks opening a notice batch of approved claims.
pub(super) fn open(
    state: &State,
    ctx: &Context,
    id: &NoticeId,
    village: &IssuerId,
    claims: &[ClaimId],
) -> Result<Plan, Refusal> {
    authority::require_admin_or_officer_of(
        &ctx.role,
        "opening a notice",
        village,
        "a bureau admin or an officer of the village",
    )?;
    if state.claims.notices.contains_key(id) {
        return Err(Refusal::AlreadyRegistered {
            kind: "notice",
            id: id.to_string(),
        });
    }
    debug_assert!(claims.len() <= MAX_CLAIMS_PER_NOTICE);
    let today = CivilDate::of(ctx.committed_at);
    let policy = state.policies.in_force(village, today).ok_or_else(|| {
        Refusal::from(crate::ledger::GovernanceRefusal::NoPolicyInForce {
            village: village.clone(),
            date: today,
        })
    })?;
    let mut plan = Plan::default();
    for claim_id in claims {
        let claim = state.claims.claim(claim_id)?;
        if &claim.village != village {
            return Err(Refusal::from(
                crate::ledger::GovernanceRefusal::ClaimNotInVillage {
                    claim: claim_id.clone(),
                    village: village.clone(),
                },
            ));
        }
        if claim.status != ClaimStatus::Approved {
            return Err(Refusal::from(
                crate::ledger::GovernanceRefusal::ClaimState {
                    claim: claim_id.clone(),
                    expected: "approved",
                    found: claim.status.name(),
                },
            ));
        }
        let mut next = Claim::clone(claim);
        next.status = ClaimStatus::InNotice(id.clone());
        next.notice = Some(id.clone());
        plan.claims.push(next);
    }
    plan.notices.push(Notice {
        id: id.clone(),
        village: village.clone(),
        claims: claims.to_vec(),
        opened_at: ctx.sequence,
        opened_on: today,
        ends_on: today.add_days(policy.policy.notice_days),
        finalized_at: None,
    });
    plan.accounts.push(AccountId::Issuer(village.clone()));
    Ok(plan)
}

/// The claim's notice, which must still be running on the commit date.
fn running_notice<'a>(
    state: &'a State,
    ctx: &Context,
    claim: &Claim,
) -> Result<&'a Notice, Refusal> {
    let ClaimStatus::InNotice(notice_id) = &claim.status else {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::ClaimState {
                claim: claim.id.clone(),
                expected: "in notice",
                found: claim.status.name(),
            },
        ));
    };
    let notice = state.claims.notice(notice_id)?;
    let today = CivilDate::of(ctx.committed_at);
    if today >= notice.ends_on {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::NoticeEnded {
                notice: notice.id.clone(),
                ends_on: notice.ends_on,
            },
        ));
    }
    Ok(notice)
}

/// Checks an objection: by a resident or officer of the village or an auditor, while the
/// notice runs; it blocks its claim until resolved.
pub(super) fn object(
    state: &State,
    ctx: &Context,
    id: &ObjectionId,
    claim_id: &ClaimId,
    reason: &str,
) -> Result<Plan, Refusal> {
    let claim = state.claims.claim(claim_id)?;
    authority::may_object(&state.accounts, &ctx.role, &claim.village)?;
    // A household that has left its village no longer speaks in its notices.
    if let crate::ledger::Role::Resident(household) = &ctx.role
        && !state
            .members
            .household_in_village_on(household, CivilDate::of(ctx.committed_at))
    {
        return Err(Refusal::OutOfScope {
            role: ctx.role.name(),
            scope: format!(
                "household {household}, which has left village {}",
                claim.village
            ),
            requested: format!("village {}", claim.village),
        });
    }
    if state.claims.objections.contains_key(id) {
        return Err(Refusal::AlreadyRegistered {
            kind: "objection",
            id: id.to_string(),
        });
    }
    running_notice(state, ctx, claim)?;
    let filed = state.claims.objections_by_claim.get(claim_id);
    if filed.is_some_and(|ids| ids.len() >= MAX_OBJECTIONS_PER_CLAIM) {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::ClaimLimit {
                claim: claim_id.clone(),
                what: "objections",
                max: MAX_OBJECTIONS_PER_CLAIM,
            },
        ));
    }
    let by_filer: Vec<&Objection> = filed
        .into_iter()
        .flatten()
        .filter_map(|id| state.claims.objections.get(id).map(AsRef::as_ref))
        .filter(|o| o.filed_by == ctx.signer)
        .collect();
    if by_filer.len() >= MAX_OBJECTIONS_PER_KEY {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::ClaimLimit {
                claim: claim_id.clone(),
                what: "objections by one key",
                max: MAX_OBJECTIONS_PER_KEY,
            },
        ));
    }
    if by_filer.iter().any(|o| o.resolution.is_none()) {
        return Err(Refusal::ObjectionAlreadyOpen {
            claim: claim_id.clone(),
            key_id: ctx.signer,
        });
    }
    let mut next = Claim::clone(claim);
    next.open_objections = next.open_objections.saturating_add(1);
    let mut plan = Plan::default();
    plan.claims.push(next);
    plan.objections.push(Objection {
        id: id.clone(),
        claim: claim_id.clone(),
        filed_by: ctx.signer,
        reason: reason.to_owned(),
        filed_at: ctx.sequence,
        resolution: None,
    });
    Ok(plan)
}

/// Checks resolving an objection: by an officer who passes the reviewers' conflict check;
/// upheld, it rejects the claim.
pub(super) fn resolve(
    state: &State,
    ctx: &Context,
    id: &ObjectionId,
    outcome: Outcome,
    reason: &str,
) -> Result<Plan, Refusal> {
    let objection = state
        .claims
        .objections
        .get(id)
        .ok_or_else(|| Refusal::UnknownObjection(id.clone()))?;
    let claim = state.claims.claim(&objection.claim)?;
    no_conflict(state, ctx, claim, "resolving an objection")?;
    if objection.filed_by == ctx.signer {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::ReviewerConflict {
                claim: claim.id.clone(),
                why: "the key filed the objection it would resolve".into(),
            },
        ));
    }
    if let Some((_, _, _, at)) = &objection.resolution {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::ObjectionResolved {
                objection: id.clone(),
                at: *at,
            },
        ));
    }
    let mut resolved = Objection::clone(objection);
    resolved.resolution = Some((outcome, ctx.signer, reason.to_owned(), ctx.sequence));
    let mut next = Claim::clone(claim);
    next.open_objections = next.open_objections.saturating_sub(1);
    let mut plan = Plan::default();
    plan.objections.push(resolved);
    let upheld_on_notice =
        outcome == Outcome::Upheld && matches!(next.status, ClaimStatus::InNotice(_));
    if upheld_on_notice {
        plan.end(state, next, ClaimStatus::Rejected(ctx.sequence))?;
    } else {
        plan.claims.push(next);
    }
    Ok(plan)
}

/// Checks a finalization: the notice has run its days, no objection is open on a claim still
/// in it; every such claim is posted.
pub(super) fn finalize(state: &State, ctx: &Context, id: &NoticeId) -> Result<Plan, Refusal> {
    let notice = state.claims.notice(id)?;
    authority::require_admin_or_officer_of(
        &ctx.role,
        "finalizing a notice",
        &notice.village,
        "a bureau admin or an officer of the village",
    )?;
    if let Some(at) = notice.finalized_at {
        return Err(Refusal::NoticeFinalized {
            notice: id.clone(),
            at,
        });
    }
    let today = CivilDate::of(ctx.committed_at);
    if today < notice.ends_on {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::NoticeNotEnded {
                notice: id.clone(),
                ends_on: notice.ends_on,
            },
        ));
    }
    let on_notice: Vec<&Claim> = notice
        .claims
        .iter()
        .filter_map(|c| state.claims.claims.get(c))
        .map(AsRef::as_ref)
        .filter(|c| matches!(&c.status, ClaimStatus::InNotice(n) if n == id))
        .collect();
    if let Some(blocked) = on_notice.iter().find(|c| c.open_objections > 0) {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::ObjectionOpen {
                notice: id.clone(),
                claim: blocked.id.clone(),
            },
        ));
    }
    let mut plan = Plan::default();
    let mut staged = state.stage(ctx);
    let period = Period::containing(ctx.committed_at.get());
    for claim in on_notice {
        let mark = staged.taken_len();
        let mut effect = PostedEffect {
            period,
            postings: Vec::new(),
            arrears: crate::ledger::Points::ZERO,
            lots_taken: Vec::new(),
        };
        let signed_points = match claim.rule.sign {
            Sign::Award => {
                let (posting, paid) =
                    staged.credit_household(&claim.village, &claim.household, claim.points)?;
                effect.postings.extend(posting.clone());
                effect.arrears = paid;
                plan.postings.extend(posting);
                let reserved = plan.reserved_value(state, &claim.village);
                plan.reserved.push((
                    claim.village.clone(),
                    reserved.checked_sub(claim.points).unwrap_or_default(),
                ));
                claim.points.wide()
            }
            Sign::Deduction => {
                let postings =
                    staged.deduct_household(&claim.village, &claim.household, claim.points)?;
                let taken: u64 = postings.iter().map(|p| p.points.get()).sum();
                effect.arrears = crate::ledger::Points(claim.points.get() - taken);
                effect.postings.extend(postings.clone());
                effect.lots_taken = staged.taken_since(mark);
                plan.postings.extend(postings);
                -claim.points.wide()
            }
        };
        let household = staged.household_mut(&claim.household)?;
        household.add_score(period, signed_points);
        if signed_points < 0 {
            household.add_deducted(period, -signed_points);
        }
        let mut posted = claim.clone();
        posted.status = ClaimStatus::Posted(ctx.sequence);
        posted.posted = Some(effect);
        plan.claims.push(posted);
    }
    let mut finalized = Notice::clone(notice);
    finalized.finalized_at = Some(ctx.sequence);
    plan.notices.push(finalized);
    plan.changes = Some(staged.into_changes());
    plan.accounts
        .push(AccountId::Issuer(notice.village.clone()));
    plan.issuer = Some(notice.village.clone());
    Ok(plan)
}
