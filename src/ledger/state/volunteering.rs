//! Points for volunteers (integrated points, programs.md): a program records a volunteer's
//! activity in its own room (a canteen shift in elderly care, a volunteer's care visit to a
//! dispersed 特困 person in social assistance), and an issuer of that program awards points
//! for it once, by its catalogue's rule (`claims/award.rs`). This room keeps the activities
//! and says, for an award, whether it fits its activity: the activity's day and units, the
//! volunteer's household that day (a member linked to the volunteer, `members.rs`), and never
//! a person the program serves. No assistance decision reads points: nothing here or in the
//! programs' rooms reads an account.

use std::sync::Arc;

use imbl::OrdMap;

use super::State;
use super::claims::AwardRequest;
use crate::ledger::{
    CivilDate, ClaimId, KeyId, PersonId, Program, Refusal, Role, Sequence, SubjectRefusal,
    VolunteeringRefusal,
};

/// The most volunteer activities the ledger keeps.
pub const MAX_ACTIVITIES: usize = 1_000_000;
/// The most hours of one canteen shift.
pub const MAX_SHIFT_HOURS: u32 = 12;

/// A volunteer's activity, as its program recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    /// The program that recorded it.
    pub program: Program,
    /// What it was: "canteen-shift" or "care-visit".
    pub kind: &'static str,
    /// Where: the canteen, or the care agreement.
    pub site: String,
    /// The volunteer.
    pub volunteer: PersonId,
    /// The person the activity served, if it served one (the person visited).
    pub served: Option<PersonId>,
    /// Its day.
    pub day: CivilDate,
    /// Its units: hours of a shift, 1 for a visit.
    pub units: u32,
    /// Who recorded it, at which entry.
    pub recorded_by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
    /// The entry of its award, once awarded.
    pub awarded_at: Option<Sequence>,
}

/// Every volunteer activity, by id.
#[derive(Clone, Debug, Default)]
pub(super) struct Volunteering {
    activities: OrdMap<ClaimId, Arc<Activity>>,
}

impl Volunteering {
    /// Records an activity checked by [`check_new`].
    pub(super) fn record(&mut self, id: ClaimId, activity: Activity) {
        self.activities.insert(id, Arc::new(activity));
    }

    /// Marks an activity awarded at `sequence`.
    pub(super) fn awarded(&mut self, id: &ClaimId, sequence: Sequence) {
        if let Some(activity) = self.activities.get(id) {
            let mut activity = Activity::clone(activity);
            activity.awarded_at = Some(sequence);
            self.activities.insert(id.clone(), Arc::new(activity));
        }
    }
}

/// Checks a new activity's id (not taken by any program's activity, within the cap) and its
/// volunteer (a registered person, not `served`).
pub(super) fn check_new(
    state: &State,
    id: &ClaimId,
    volunteer: &PersonId,
    served: Option<&PersonId>,
) -> Result<(), Refusal> {
    super::require_new(&state.volunteering.activities, id, "volunteer activity")?;
    if state.volunteering.activities.len() >= MAX_ACTIVITIES {
        return Err(Refusal::InvalidField {
            field: "activity_id",
            expected: format!("room for a new activity (at most {MAX_ACTIVITIES})"),
            found: "the ledger's volunteer activities full".into(),
        });
    }
    if state.person(volunteer).is_none() {
        return Err(SubjectRefusal::UnknownPerson(*volunteer).into());
    }
    if served == Some(volunteer) {
        return Err(Refusal::InvalidField {
            field: "volunteer_id",
            expected: "a volunteer other than the person the activity serves".into(),
            found: format!("person {volunteer}, the person served"),
        });
    }
    Ok(())
}

/// How `person` is served by `program`, if they are: an active enrollment in one of its
/// benefit schemes, or the program's own record of them.
fn served_by(state: &State, program: Program, person: &PersonId) -> Option<String> {
    if let Some(scheme) = state.active_scheme_of(person, program) {
        return Some(format!("enrolled in scheme {scheme}"));
    }
    match program {
        Program::ElderlyCare => state.elder_served(person),
        Program::Assistance => state
            .care_agreement_of(person)
            .map(|agreement| format!("cared for under agreement {agreement}")),
        _ => None,
    }
}

/// Checks an award by an issuer of bureau program `program` against the activity it cites:
/// recorded by the program, not awarded yet, on its day, within its units, to the household
/// its volunteer belonged to that day, the volunteer not served by the program and the
/// household not the served person's. Answers the activity's id, to mark it awarded.
pub(super) fn check_award(
    state: &State,
    program: Program,
    request: &AwardRequest,
) -> Result<ClaimId, Refusal> {
    let id = &request.activity;
    let activity = state.volunteering.activities.get(id).ok_or_else(|| {
        VolunteeringRefusal::UnknownActivity {
            activity: id.to_string(),
            program: format!("program {}", program.name()),
        }
    })?;
    if activity.program != program {
        return Err(Refusal::OutOfScope {
            role: "program issuer",
            scope: format!("the activities of program {}", program.name()),
            requested: format!("activity {id} of program {}", activity.program.name()),
        });
    }
    if activity.awarded_at.is_some() {
        return Err(Refusal::DuplicateDeed {
            claim: id.clone(),
            why: "the same volunteer activity, awarded already",
        });
    }
    let mismatch = |field, expected: String, found: String| {
        Refusal::from(VolunteeringRefusal::ActivityMismatch {
            field,
            activity: id.to_string(),
            expected,
            found,
        })
    };
    if request.deed_date != activity.day {
        return Err(mismatch(
            "deed_date",
            format!("the activity's day {}", activity.day),
            request.deed_date.to_string(),
        ));
    }
    if request.quantity > activity.units {
        return Err(mismatch(
            "quantity",
            format!("at most its {} units", activity.units),
            request.quantity.to_string(),
        ));
    }
    let volunteer = activity.volunteer;
    let member = state.members.member_of_person(&volunteer).ok_or_else(|| {
        VolunteeringRefusal::NotLinked {
            person: volunteer.to_string(),
        }
    })?;
    if state.members.household_on(&member, activity.day) != Some(&request.household) {
        return Err(VolunteeringRefusal::NotInHousehold {
            person: volunteer.to_string(),
            day: activity.day.to_string(),
            household: request.household.to_string(),
        }
        .into());
    }
    let served = |who: String| {
        Refusal::from(VolunteeringRefusal::ServedPerson {
            program: program.name(),
            household: request.household.to_string(),
            who,
        })
    };
    if let Some(how) = served_by(state, program, &volunteer) {
        return Err(served(format!("the volunteer, {how}")));
    }
    if let Some(person) = activity.served
        && let Some(member) = state.members.member_of_person(&person)
        && state.members.household_on(&member, activity.day) == Some(&request.household)
    {
        return Err(served(format!("person {person}, whom the activity served")));
    }
    Ok(id.clone())
}

impl State {
    /// A volunteer activity.
    pub fn volunteer_activity(&self, id: &ClaimId) -> Option<Activity> {
        self.volunteering.activities.get(id).map(|a| (**a).clone())
    }

    /// Whether `role` (of key `key`) may read `activity`: bureau admins and auditors, the
    /// issuers tied to its program, and the key that recorded it.
    pub fn may_read_activity(&self, role: &Role, key: &KeyId, activity: &Activity) -> bool {
        match role {
            Role::BureauAdmin | Role::Auditor => true,
            Role::ProgramIssuer(issuer)
                if self.issuer_program_of(issuer) == Some(activity.program) =>
            {
                true
            }
            _ => *key == activity.recorded_by,
        }
    }
}
