//! Objections to a case on public notice (公示): filed by a caseworker or reviewer of the
//! case's area on behalf of whoever objects, each resolved by the actor the case type's
//! notice names. A case leaves its notice state only when every objection is resolved, or
//! when one is upheld: that moves it back (to investigating, for 低保), and the notice starts
//! again when it returns. Objections still open then stay open: they may only be dismissed
//! until the case is on notice again, and must be resolved before it leaves that notice or is
//! decided.

use super::{Case, Plan, step};
use crate::ledger::state::{Context, authority};
use crate::ledger::{CaseId, CaseworkRefusal, KeyId, Refusal, Sequence, UnixMs};

/// The most objections one case holds.
pub const MAX_OBJECTIONS: usize = 64;

/// An objection to a case on notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseObjection {
    /// Its number in the case, from 1.
    pub number: u32,
    /// What is objected (no personal data).
    pub ground: String,
    /// The key that recorded it.
    pub filed_by: KeyId,
    /// Its commit time.
    pub filed_at: UnixMs,
    /// Its entry.
    pub sequence: Sequence,
    /// How it was resolved, once it is.
    pub resolution: Option<ObjectionResolution>,
}

/// How an objection was resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectionResolution {
    /// Whether it was upheld (the case moved back).
    pub upheld: bool,
    /// The key that resolved it.
    pub by: KeyId,
    /// Why.
    pub reason: String,
    /// Its commit time.
    pub at: UnixMs,
    /// Its entry.
    pub sequence: Sequence,
}

/// Refuses to move `case` out of its notice, or into a decided state (`deciding`), while an
/// objection is unresolved.
pub(super) fn require_resolved(case: &Case, deciding: bool) -> Result<(), Refusal> {
    if !case.on_notice() && !deciding {
        return Ok(());
    }
    match case.objections.iter().find(|o| o.resolution.is_none()) {
        Some(open) => Err(CaseworkRefusal::ObjectionUnresolved {
            number: open.number,
        }
        .into()),
        None => Ok(()),
    }
}

/// Checks filing an objection to `case`.
pub(super) fn check_filing(
    case: &Case,
    ctx: &Context,
    id: CaseId,
    ground: &str,
) -> Result<Plan, Refusal> {
    authority::may_act_on_case(
        &ctx.role,
        "filing an objection",
        Some((case.case_type.program, &case.area)),
    )?;
    if !case.on_notice() {
        return Err(not_on_notice(case));
    }
    if case.objections.len() >= MAX_OBJECTIONS {
        return Err(CaseworkRefusal::ObjectionsFull {
            max: MAX_OBJECTIONS,
        }
        .into());
    }
    Ok(Plan::Object(
        id,
        CaseObjection {
            number: u32::try_from(case.objections.len() + 1).unwrap_or(u32::MAX),
            ground: ground.to_owned(),
            filed_by: ctx.signer,
            filed_at: ctx.committed_at,
            sequence: ctx.sequence,
            resolution: None,
        },
    ))
}

/// The refusal for an objection's filing or upholding while `case` is off its notice.
fn not_on_notice(case: &Case) -> Refusal {
    CaseworkRefusal::NotOnNotice {
        case_type: case.case_type.code,
        expected: case.case_type.notice.as_ref().map_or("none", |n| n.state),
        state: case.state_name(),
    }
    .into()
}

/// Checks resolving objection `number` of `case`.
pub(super) fn check_resolution(
    case: &Case,
    ctx: &Context,
    id: CaseId,
    number: u32,
    upheld: bool,
    reason: &str,
) -> Result<Plan, Refusal> {
    authority::may_act_on_case(
        &ctx.role,
        "resolving an objection",
        Some((case.case_type.program, &case.area)),
    )?;
    let filed = case.objections.len();
    let Some(notice) = case.case_type.notice.as_ref() else {
        return Err(CaseworkRefusal::UnknownObjection { number, filed }.into());
    };
    super::may_take(&ctx.role, notice.resolved_by, &case.area)?;
    let objection = number
        .checked_sub(1)
        .and_then(|i| case.objections.get(i as usize))
        .ok_or(CaseworkRefusal::UnknownObjection { number, filed })?;
    if objection.resolution.is_some() {
        return Err(CaseworkRefusal::ObjectionResolved { number }.into());
    }
    // Upheld sends the case back from its notice; off notice only a dismissal is left.
    if upheld && !case.on_notice() {
        return Err(not_on_notice(case));
    }
    if upheld {
        super::require_room(case)?;
    }
    let back = if upheld {
        let to = case
            .case_type
            .state(notice.upheld_to)
            .ok_or(CaseworkRefusal::UnknownObjection { number, filed })?;
        let why = format!("objection {number} upheld: {reason}");
        Some((to, step(ctx, case.state_name(), notice.upheld_to, &why)))
    } else {
        None
    };
    Ok(Plan::Resolve(
        id,
        number,
        ObjectionResolution {
            upheld,
            by: ctx.signer,
            reason: reason.to_owned(),
            at: ctx.committed_at,
            sequence: ctx.sequence,
        },
        back,
    ))
}
