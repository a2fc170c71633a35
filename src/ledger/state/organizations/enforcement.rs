//! Enforcement cases: the clean-up of a zombie organization (僵尸型社会组织), at most one open
//! per organization, ending rectified, deregistered or revoked; and reports of illegal
//! organizations (非法社会组织), ending banned, not illegal or referred. A case is closed
//! once; only the bureau deregisters, revokes or bans.

use super::{
    CLEANUP_OUTCOMES, ILLEGAL_OUTCOMES, ListingChange, MAX_CASES, MAX_OPEN_CASES_PER_AREA,
    OrganizationStatus, OrganizationsOp, Plan, reach, require_active,
};
use crate::ledger::state::require_new;
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{
    AreaCode, CivilDate, KeyId, OrganizationId, OrganizationsRefusal, Refusal, Role, Sequence,
};

/// What an enforcement case is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseSubject {
    /// The clean-up of a registered organization.
    Cleanup(OrganizationId),
    /// A report of an unregistered organization operating in an area, by the name it uses.
    Illegal {
        /// The area.
        area: AreaCode,
        /// The name it uses.
        name: String,
    },
}

impl CaseSubject {
    /// The case kind's name on the wire.
    pub fn kind(&self) -> &'static str {
        match self {
            CaseSubject::Cleanup(_) => "zombie-cleanup",
            CaseSubject::Illegal { .. } => "illegal-organization",
        }
    }

    fn outcomes(&self) -> &'static [&'static str] {
        match self {
            CaseSubject::Cleanup(_) => CLEANUP_OUTCOMES,
            CaseSubject::Illegal { .. } => ILLEGAL_OUTCOMES,
        }
    }
}

/// How a case was closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closure {
    /// One of the kind's outcomes.
    pub outcome: &'static str,
    /// SHA-256 of the decision.
    pub decision: [u8; 32],
    /// Why.
    pub reason: String,
    /// When.
    pub on: CivilDate,
    /// Who.
    pub by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

/// An enforcement case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnforcementCase {
    /// What it is about.
    pub subject: CaseSubject,
    /// The area it is handled in.
    pub area: AreaCode,
    /// What was found or reported.
    pub ground: String,
    /// SHA-256 of the evidence.
    pub evidence: [u8; 32],
    /// When it was opened.
    pub opened_on: CivilDate,
    /// Who opened it.
    pub opened_by: KeyId,
    /// Its opening entry.
    pub sequence: Sequence,
    /// Its closure, once closed.
    pub closed: Option<Closure>,
}

/// The outcomes only the bureau decides.
const BUREAU_OUTCOMES: &[&str] = &["deregistered", "revoked", "banned"];

pub(super) fn check(state: &State, ctx: &Context, op: &OrganizationsOp) -> Result<Plan, Refusal> {
    let cases = &state.organizations.cases;
    match op {
        OrganizationsOp::OpenCase {
            case,
            subject,
            ground,
            evidence,
        } => {
            const OPERATION: &str = "opening an enforcement case";
            let mut plan = Plan::default();
            let area = match subject {
                CaseSubject::Cleanup(organization) => {
                    let (area, mut record) = reach(state, ctx, organization, OPERATION)?;
                    require_active(organization, &record)?;
                    if let Some(open) = record.open_cleanup {
                        return Err(OrganizationsRefusal::CleanupOpen {
                            organization: organization.to_string(),
                            case: open.to_string(),
                        }
                        .into());
                    }
                    record.open_cleanup = Some(*case);
                    plan.organization = Some((*organization, record));
                    area
                }
                CaseSubject::Illegal { area, .. } => {
                    authority::require_organizations_officer(&ctx.role, OPERATION, Some(area))?;
                    state.areas.require(area)?;
                    area.clone()
                }
            };
            require_new(cases, case, "enforcement case")?;
            let open = state
                .organizations
                .open_cases
                .get(&area)
                .copied()
                .unwrap_or(0);
            if open >= MAX_OPEN_CASES_PER_AREA {
                return Err(OrganizationsRefusal::Full {
                    what: "an area's open enforcement cases",
                    max: MAX_OPEN_CASES_PER_AREA as usize,
                }
                .into());
            }
            if cases.len() >= MAX_CASES {
                return Err(OrganizationsRefusal::Full {
                    what: "enforcement cases",
                    max: MAX_CASES,
                }
                .into());
            }
            plan.case = Some((
                *case,
                EnforcementCase {
                    subject: subject.clone(),
                    area,
                    ground: ground.clone(),
                    evidence: *evidence,
                    opened_on: CivilDate::of(ctx.committed_at),
                    opened_by: ctx.signer,
                    sequence: ctx.sequence,
                    closed: None,
                },
            ));
            Ok(plan)
        }
        OrganizationsOp::CloseCase {
            case: id,
            outcome,
            decision,
            reason,
        } => {
            const OPERATION: &str = "closing an enforcement case";
            authority::require_organizations_officer(&ctx.role, OPERATION, None)?;
            let mut case = cases
                .get(id)
                .map(|c| EnforcementCase::clone(c))
                .ok_or_else(|| OrganizationsRefusal::UnknownCase(id.to_string()))?;
            authority::require_organizations_officer(&ctx.role, OPERATION, Some(&case.area))?;
            if let Some(closed) = &case.closed {
                return Err(OrganizationsRefusal::CaseClosed {
                    case: id.to_string(),
                    outcome: closed.outcome,
                    on: closed.on.to_string(),
                }
                .into());
            }
            let allowed = case.subject.outcomes();
            if !allowed.contains(outcome) {
                return Err(Refusal::InvalidField {
                    field: "outcome",
                    expected: format!(
                        "for a {} case, one of {}",
                        case.subject.kind(),
                        allowed.join(", ")
                    ),
                    found: format!("{outcome:?}"),
                });
            }
            if BUREAU_OUTCOMES.contains(outcome) && ctx.role != Role::BureauAdmin {
                return Err(Refusal::NotAllowed {
                    operation: "deregistering, revoking or banning an organization",
                    expected: "a bureau admin key (the registration authority decides)",
                    found: ctx.role.to_string(),
                });
            }
            let on = CivilDate::of(ctx.committed_at);
            let mut plan = Plan::default();
            if let CaseSubject::Cleanup(organization) = case.subject {
                let mut record = state.organization_record(&organization);
                record.open_cleanup = None;
                record.status = match *outcome {
                    "deregistered" => OrganizationStatus::Deregistered,
                    "revoked" => OrganizationStatus::Revoked,
                    _ => record.status,
                };
                // A dissolved organization leaves its list (its history keeps the listing):
                // nothing it could file would cure it any more.
                if record.status != OrganizationStatus::Active && record.listing.is_some() {
                    record.listing = None;
                    super::lists::record_event(
                        &mut record,
                        ListingChange::Dissolved,
                        on,
                        reason,
                        None,
                        ctx,
                    );
                }
                plan.organization = Some((organization, record));
            }
            case.closed = Some(Closure {
                outcome,
                decision: *decision,
                reason: reason.clone(),
                on,
                by: ctx.signer,
                sequence: ctx.sequence,
            });
            plan.case = Some((*id, case));
            Ok(plan)
        }
        _ => unreachable!("dispatched by organizations::check"),
    }
}
