//! Community mental-health rehabilitation (社区康复) of registered persons: consent recorded
//! before any session, withdrawn at will, and sessions only while it stands.

use super::{Plan, RescueOp, RescueStamp};
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{PersonId, Refusal, RescueRefusal, SubjectRefusal};

/// A person's rehabilitation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RehabilitationView {
    /// Whether consent stands.
    pub consent: bool,
    /// How many times consent was recorded.
    pub consents: u32,
    /// How many times it was withdrawn.
    pub withdrawals: u32,
    /// Sessions recorded.
    pub sessions: u64,
    /// The latest session's kind and stamp.
    pub last: Option<(String, RescueStamp)>,
}

pub(super) fn check(
    state: &State,
    ctx: &Context,
    op: &RescueOp,
    stamp: RescueStamp,
) -> Result<Plan, Refusal> {
    let person: &PersonId = match op {
        RescueOp::Consent { person }
        | RescueOp::Withdraw { person }
        | RescueOp::Session { person, .. } => person,
        _ => unreachable!("dispatched by rescue::check"),
    };
    const OPERATION: &str = "recording a person's rehabilitation";
    authority::require_rescue_officer(&ctx.role, OPERATION, None)?;
    let registered = state
        .person(person)
        .ok_or(SubjectRefusal::UnknownPerson(*person))?;
    authority::require_rescue_officer(&ctx.role, OPERATION, Some(&registered.area))?;
    let mut view = state.rehabilitation(person);
    let id = person.to_string();
    match op {
        RescueOp::Consent { .. } => {
            if view.consent {
                return Err(RescueRefusal::ConsentStands(id).into());
            }
            view.consent = true;
            view.consents = view.consents.saturating_add(1);
        }
        RescueOp::Withdraw { .. } => {
            if !view.consent {
                return Err(RescueRefusal::ConsentRequired(id).into());
            }
            view.consent = false;
            view.withdrawals = view.withdrawals.saturating_add(1);
        }
        RescueOp::Session { kind, .. } => {
            if !view.consent {
                return Err(RescueRefusal::ConsentRequired(id).into());
            }
            view.sessions += 1;
            view.last = Some((kind.clone(), stamp));
        }
        _ => unreachable!("matched above"),
    }
    Ok(Plan {
        rehabilitation: Some((*person, view)),
        ..Plan::default()
    })
}
