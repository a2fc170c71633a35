//! Happiness canteens (幸福食堂): defined for an area, with diners enrolled by age tier (the
//! handler checks the tier against the directory's birth date), and at most one subsidized
//! meal per diner, slot and day, its subsidy the tier's; and volunteers' shifts, which the
//! program's issuer may award points for (`volunteering.rs`).

use super::{AGE_TIERS, ElderlyOp, MAX_CANTEENS, MEAL_SLOTS, Plan, elder, meal_slot_at};
use crate::ledger::state::volunteering::{self, Activity};
use crate::ledger::state::{Context, State, authority, require_new};
use crate::ledger::{
    AreaCode, CanteenId, CivilDate, ElderlyRefusal, GovernanceRefusal, KeyId, MAX_CLAIM_AGE_DAYS,
    PersonId, Program, Refusal, SubjectView,
};

/// A canteen as the log made it, with its counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanteenView {
    /// Its name.
    pub name: String,
    /// The area it serves.
    pub area: AreaCode,
    /// Diners enrolled now.
    pub diners: u64,
    /// Subsidized meals served.
    pub meals: u64,
    /// Their subsidy, in fen.
    pub subsidy_fen: u64,
}

fn canteen_of(state: &State, id: &CanteenId) -> Result<CanteenView, Refusal> {
    state
        .elderly
        .canteens
        .get(id)
        .map(|c| CanteenView::clone(c))
        .ok_or_else(|| ElderlyRefusal::UnknownCanteen(id.to_string()).into())
}

pub(super) fn check(state: &State, ctx: &Context, op: &ElderlyOp) -> Result<Plan, Refusal> {
    match op {
        ElderlyOp::DefineCanteen {
            canteen,
            name,
            area,
        } => {
            authority::require_elderly_officer(&ctx.role, "defining a canteen", Some(area))?;
            state.areas.require(area)?;
            require_new(&state.elderly.canteens, canteen, "canteen")?;
            if state.elderly.canteens.len() >= MAX_CANTEENS {
                return Err(ElderlyRefusal::Full {
                    what: "canteens",
                    max: MAX_CANTEENS,
                }
                .into());
            }
            Ok(Plan {
                canteen: Some((
                    canteen.clone(),
                    CanteenView {
                        name: name.clone(),
                        area: area.clone(),
                        diners: 0,
                        meals: 0,
                        subsidy_fen: 0,
                    },
                )),
                ..Plan::default()
            })
        }
        ElderlyOp::EnrollDiner {
            canteen: id,
            person,
            tier,
        } => {
            const OPERATION: &str = "enrolling a diner";
            authority::require_elderly_officer(&ctx.role, OPERATION, None)?;
            let mut canteen = canteen_of(state, id)?;
            authority::require_elderly_officer(&ctx.role, OPERATION, Some(&canteen.area))?;
            let (_, mut record) = elder(state, ctx, person, OPERATION)?;
            let mut plan = Plan::default();
            match &record.diner {
                Some((at, _)) if at == id => {}
                Some((at, _)) => {
                    // Moving canteens: the old one loses its diner.
                    let mut old = canteen_of(state, at)?;
                    old.diners = old.diners.saturating_sub(1);
                    plan.old_canteen = Some((at.clone(), old));
                    canteen.diners += 1;
                }
                None => canteen.diners += 1,
            }
            record.diner = Some((id.clone(), *tier));
            plan.elder = Some((*person, record));
            plan.canteen = Some((id.clone(), canteen));
            Ok(plan)
        }
        ElderlyOp::ServeMeal {
            canteen: id,
            person,
            slot,
        } => {
            const OPERATION: &str = "serving a subsidized meal";
            authority::require_elderly_officer(&ctx.role, OPERATION, None)?;
            let mut canteen = canteen_of(state, id)?;
            authority::require_elderly_officer(&ctx.role, OPERATION, Some(&canteen.area))?;
            let mut record = state.elder(person);
            let tier = match &record.diner {
                Some((at, tier)) if at == id => *tier,
                _ => {
                    return Err(ElderlyRefusal::NotADiner {
                        person: person.to_string(),
                        canteen: id.to_string(),
                    }
                    .into());
                }
            };
            if let Some(case) = state.death_case_of(person) {
                return Err(ElderlyRefusal::Deceased {
                    person: person.to_string(),
                    case: case.to_string(),
                }
                .into());
            }
            let today = CivilDate::of(ctx.committed_at);
            let slot_index = MEAL_SLOTS.iter().position(|s| s == slot).unwrap_or(0);
            let open = meal_slot_at(ctx.committed_at);
            if slot_index != open {
                return Err(ElderlyRefusal::SlotClosed {
                    expected: MEAL_SLOTS[open],
                    found: slot,
                }
                .into());
            }
            let e = &state.elderly;
            if e.meal_day == Some(today) && e.meals_today.contains(&(*person, slot_index)) {
                return Err(ElderlyRefusal::MealTaken {
                    person: person.to_string(),
                    slot,
                    on: today.to_string(),
                }
                .into());
            }
            let subsidy = AGE_TIERS
                .iter()
                .find(|(t, _, _)| *t == tier)
                .map_or(0, |(_, _, fen)| *fen);
            record.meals += 1;
            record.meal_subsidy_fen += subsidy;
            canteen.meals += 1;
            canteen.subsidy_fen += subsidy;
            Ok(Plan {
                elder: Some((*person, record)),
                canteen: Some((id.clone(), canteen)),
                meal: Some((today, *person, slot_index)),
                ..Plan::default()
            })
        }
        ElderlyOp::VolunteerShift {
            activity,
            canteen: id,
            volunteer,
            day,
            hours,
        } => {
            const OPERATION: &str = "recording a volunteer's shift";
            authority::require_elderly_officer(&ctx.role, OPERATION, None)?;
            let canteen = canteen_of(state, id)?;
            authority::require_elderly_officer(&ctx.role, OPERATION, Some(&canteen.area))?;
            volunteering::check_new(state, activity, volunteer, None)?;
            let today = CivilDate::of(ctx.committed_at);
            let oldest = CivilDate::from_days(today.days().saturating_sub(MAX_CLAIM_AGE_DAYS))
                .unwrap_or(today);
            if *day > today || *day < oldest {
                return Err(GovernanceRefusal::DateOutOfRange {
                    field: "day",
                    expected: format!(
                        "from {oldest} to {today} (at most {MAX_CLAIM_AGE_DAYS} days old)"
                    ),
                    found: *day,
                }
                .into());
            }
            Ok(Plan {
                activity: Some((
                    activity.clone(),
                    Activity {
                        program: Program::ElderlyCare,
                        kind: "canteen-shift",
                        site: id.to_string(),
                        volunteer: *volunteer,
                        served: None,
                        day: *day,
                        units: *hours,
                        recorded_by: ctx.signer,
                        sequence: ctx.sequence,
                        awarded_at: None,
                    },
                )),
                ..Plan::default()
            })
        }
        _ => unreachable!("dispatched by elderly::check"),
    }
}

impl State {
    /// Whether `signer` may enroll `person` at `canteen` (the role and both areas, on this
    /// state), and the person's registration: what the handler checks before it reads the
    /// directory for the person's age.
    pub fn may_enroll_diner(
        &self,
        signer: &KeyId,
        canteen: &CanteenId,
        person: &PersonId,
    ) -> Result<SubjectView, Refusal> {
        let role = self
            .key(signer)
            .map(|key| key.role.clone())
            .ok_or(Refusal::UnknownKey { key_id: *signer })?;
        authority::require_elderly_officer(&role, "enrolling a diner", None)?;
        let canteen = canteen_of(self, canteen)?;
        authority::require_elderly_officer(&role, "enrolling a diner", Some(&canteen.area))?;
        let registered = self
            .person(person)
            .ok_or(crate::ledger::SubjectRefusal::UnknownPerson(*person))?;
        authority::require_elderly_officer(&role, "enrolling a diner", Some(&registered.area))?;
        Ok(registered)
    }

    /// Whether `signer` may serve `person` a meal at `canteen`, the person's registration and
    /// the tier they are enrolled in: what the handler checks before it reads the directory
    /// for the person's age (a diner's tier moves on 1 January).
    pub fn may_serve_meal(
        &self,
        signer: &KeyId,
        canteen: &CanteenId,
        person: &PersonId,
    ) -> Result<(SubjectView, &'static str), Refusal> {
        let role = self
            .key(signer)
            .map(|key| key.role.clone())
            .ok_or(Refusal::UnknownKey { key_id: *signer })?;
        authority::require_elderly_officer(&role, "serving a subsidized meal", None)?;
        let view = canteen_of(self, canteen)?;
        authority::require_elderly_officer(&role, "serving a subsidized meal", Some(&view.area))?;
        let registered = self
            .person(person)
            .ok_or(crate::ledger::SubjectRefusal::UnknownPerson(*person))?;
        match self.elder(person).diner {
            Some((at, tier)) if &at == canteen => Ok((registered, tier)),
            _ => Err(ElderlyRefusal::NotADiner {
                person: person.to_string(),
                canteen: canteen.to_string(),
            }
            .into()),
        }
    }
}
