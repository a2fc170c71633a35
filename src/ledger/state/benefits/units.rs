//! Units: things held by one holder at a time (a bed, a grave plot, an ash niche, a meal
//! slot). A unit holds at most one holder by construction: its holder is one field, set by
//! an allocation only when empty and emptied by a release. Each allocation and release keeps
//! its signer and entry.

use super::{BenefitsOp, Plan};
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{
    AreaCode, BenefitsRefusal, KeyId, OrganizationId, PersonId, Program, Refusal, Sequence,
    SubjectRefusal, UnitId,
};

/// The kinds of units.
pub const UNIT_KINDS: &[&str] = &["bed", "plot", "niche", "meal-slot"];

/// Who holds a unit, since when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitHolder {
    /// The person.
    pub person: PersonId,
    /// The key that allocated it.
    pub by: KeyId,
    /// The allocation's entry.
    pub sequence: Sequence,
}

/// A unit as readers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitView {
    /// Its kind.
    pub kind: String,
    /// Its label.
    pub label: String,
    /// Its program.
    pub program: Program,
    /// Its area.
    pub area: AreaCode,
    /// Its facility, if any.
    pub organization: Option<OrganizationId>,
    /// Its holder, if allocated.
    pub holder: Option<UnitHolder>,
    /// How many times it was allocated.
    pub allocations: u64,
}

pub(super) type Unit = UnitView;

pub(super) fn check(state: &State, ctx: &Context, op: &BenefitsOp) -> Result<Plan, Refusal> {
    let units = &state.benefits.units;
    let unit_of = |id: &UnitId| {
        units
            .get(id)
            .ok_or_else(|| Refusal::from(BenefitsRefusal::UnknownUnit(id.to_string())))
    };
    match op {
        BenefitsOp::DefineUnit {
            unit,
            kind,
            label,
            program,
            area,
            organization,
        } => {
            authority::require_program_officer_for(&ctx.role, "defining a unit", *program, area)?;
            if !UNIT_KINDS.contains(&kind.as_str()) {
                return Err(Refusal::InvalidField {
                    field: "kind",
                    expected: format!("one of {}", UNIT_KINDS.join(", ")),
                    found: format!("{kind:?}"),
                });
            }
            state.areas.require(area)?;
            if let Some(org) = organization
                && state.organization(org).is_none()
            {
                return Err(SubjectRefusal::UnknownOrganization(*org).into());
            }
            if units.contains_key(unit) {
                return Err(Refusal::AlreadyRegistered {
                    kind: "unit",
                    id: unit.to_string(),
                });
            }
            Ok(Plan::Unit(
                *unit,
                UnitView {
                    kind: kind.clone(),
                    label: label.clone(),
                    program: *program,
                    area: area.clone(),
                    organization: *organization,
                    holder: None,
                    allocations: 0,
                },
            ))
        }
        BenefitsOp::AllocateUnit { unit: id, person } => {
            let unit = unit_of(id)?;
            authority::may_hold_unit(
                &ctx.role,
                unit.program,
                &unit.area,
                unit.organization.as_ref(),
            )?;
            if state.person(person).is_none() {
                return Err(SubjectRefusal::UnknownPerson(*person).into());
            }
            if unit.holder.is_some() {
                return Err(BenefitsRefusal::UnitTaken(id.to_string()).into());
            }
            let mut unit = (**unit).clone();
            unit.holder = Some(UnitHolder {
                person: *person,
                by: ctx.signer,
                sequence: ctx.sequence,
            });
            unit.allocations += 1;
            Ok(Plan::Unit(*id, unit))
        }
        BenefitsOp::ReleaseUnit {
            unit: id,
            reason: _,
        } => {
            let unit = unit_of(id)?;
            authority::may_hold_unit(
                &ctx.role,
                unit.program,
                &unit.area,
                unit.organization.as_ref(),
            )?;
            if unit.holder.is_none() {
                return Err(BenefitsRefusal::UnitFree(id.to_string()).into());
            }
            let mut unit = (**unit).clone();
            unit.holder = None;
            Ok(Plan::Unit(*id, unit))
        }
        _ => unreachable!("dispatched by benefits::check"),
    }
}

impl State {
    /// A unit.
    pub fn unit(&self, id: &UnitId) -> Option<UnitView> {
        self.benefits.units.get(id).map(|u| (**u).clone())
    }
}
