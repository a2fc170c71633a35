//! Expiry runs: what is left of a village's households' lots that expired by a date leaves
//! their balance for the bureau fund, one posting per household and issuer, so the ledger
//! says whose points expired. Lots are unspendable from their expiry date with or without a
//! run; the run is the bookkeeping. At most [`MAX_EXPIRY_HOUSEHOLDS`] households per entry.

use super::super::{Context, State, authority};
use super::Plan;
use crate::ledger::{AccountId, CivilDate, IssuerId, IssuerKind, Refusal};

/// The most households one expiry run moves lots of: 100 (a run is repeated until nothing
/// is left).
pub const MAX_EXPIRY_HOUSEHOLDS: usize = 100;

/// Checks an expiry run.
pub(super) fn expire(
    state: &State,
    ctx: &Context,
    village: &IssuerId,
    up_to: CivilDate,
) -> Result<Plan, Refusal> {
    authority::require_admin(&ctx.role, "running an expiry")?;
    state
        .accounts
        .expect_issuer_kind(village, IssuerKind::Village)?;
    let today = CivilDate::of(ctx.committed_at);
    if up_to > today {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::DateOutOfRange {
                field: "up_to",
                expected: format!("on or before the commit date {today}"),
                found: up_to,
            },
        ));
    }
    let households: Vec<_> = state
        .accounts
        .households_of(village)
        .filter(|(_, h)| h.has_expired(up_to))
        .map(|(id, _)| id.clone())
        .take(MAX_EXPIRY_HOUSEHOLDS)
        .collect();
    if households.is_empty() {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::NothingExpired {
                village: village.clone(),
                up_to,
            },
        ));
    }
    let mut staged = state.stage(ctx);
    let mut plan = Plan::default();
    for household in households {
        plan.postings
            .extend(staged.expire_household(&household, up_to)?);
        plan.accounts.push(AccountId::Household(household));
    }
    plan.accounts.push(AccountId::Issuer(village.clone()));
    plan.changes = Some(staged.into_changes());
    Ok(plan)
}
