//! Elderly care (养老服务): **institutions** with their total and nursing beds, status, grade
//! and staff certificates (`institutions.rs`); **elders**' ability assessments, home
//! adaptation cases and accident insurance (`elders.rs`); **happiness canteens**, their diners
//! by age tier and at most one subsidized meal per diner, slot and day (`canteens.rs`); and the
//! county's **indicators**, the nursing-bed ratio of operating institutions first
//! (`indicators.rs`).

mod canteens;
mod elders;
mod indicators;
mod institutions;

use std::sync::Arc;

use imbl::{OrdMap, OrdSet};

use super::journal::Effects;
use super::volunteering::Activity;
use super::{Context, State};
use crate::ledger::{
    AdaptationId, AreaCode, CanteenId, CertificateId, CivilDate, ClaimId, KeyId, OrganizationId,
    PersonId, Refusal, Sequence, UnixMs,
};

pub use canteens::CanteenView;
pub use elders::{Adaptation, Assessment, ElderView};
pub use indicators::ElderlyIndicators;
pub use institutions::{Certificate, InstitutionView};

/// An institution's statuses.
pub const INSTITUTION_STATUSES: &[&str] = &["operating", "suspended", "closed"];
/// The ability levels of GB/T 42195, from able to totally impaired.
pub const ABILITY_LEVELS: &[&str] = &[
    "able",
    "mildly-impaired",
    "moderately-impaired",
    "severely-impaired",
    "totally-impaired",
];
/// A diner's age tiers, the ages they start at and each meal's subsidy in fen (local values:
/// these are the defaults).
pub const AGE_TIERS: [(&str, u32, u64); 4] = [
    ("60-69", 60, 200),
    ("70-79", 70, 300),
    ("80-89", 80, 400),
    ("90+", 90, 500),
];
/// A day's meal slots.
pub const MEAL_SLOTS: &[&str] = &["breakfast", "lunch", "dinner"];
/// The local hour each slot opens at; each closes when the next opens (dinner at midnight),
/// so one visit is one slot's meal.
pub const MEAL_SLOT_OPENS: [u64; 3] = [0, 10, 15];

/// The meal slot open at a commit time (China Standard Time).
pub fn meal_slot_at(time: UnixMs) -> usize {
    let hour = crate::ledger::LocalTime::from_unix_ms(time.0).ms_of_day() / 3_600_000;
    MEAL_SLOT_OPENS
        .iter()
        .rposition(|opens| hour >= *opens)
        .unwrap_or(0)
}
/// The nursing-bed ratio the county aims for, per mille (60%).
pub const NURSING_BED_TARGET_PER_MILLE: u32 = 600;
/// The most beds of one institution.
pub const MAX_BEDS: u32 = 10_000;
/// The most institutions the ledger holds.
pub const MAX_INSTITUTIONS: usize = 2_000;
/// The most staff certificates of one institution.
pub const MAX_CERTIFICATES: usize = 10_000;
/// The most canteens the ledger holds.
pub const MAX_CANTEENS: usize = 2_000;
/// The most elders the ledger keeps a record of.
pub const MAX_ELDERS: usize = 1_000_000;
/// The largest home adaptation budget, in fen (100,000 yuan).
pub const MAX_ADAPTATION_FEN: u64 = 10_000_000;

/// The age tier of `age` (the age reached in the calendar year, so tiers change only on 1
/// January and say no more than the birth year), if 60 or over.
pub fn age_tier(age: u32) -> Option<&'static str> {
    AGE_TIERS
        .iter()
        .rev()
        .find(|(_, from, _)| age >= *from)
        .map(|(tier, _, _)| *tier)
}

/// The elderly care operations.
#[derive(Clone, Debug)]
pub enum ElderlyOp {
    /// Records an institution or updates its beds and status.
    RecordInstitution {
        /// The institution.
        organization: OrganizationId,
        /// Its beds.
        total_beds: u32,
        /// Its nursing beds.
        nursing_beds: u32,
        /// One of [`INSTITUTION_STATUSES`].
        status: &'static str,
    },
    /// Grades an institution.
    Grade {
        /// The institution.
        organization: OrganizationId,
        /// 1 to 5.
        grade: u8,
        /// SHA-256 of the conclusion.
        conclusion: [u8; 32],
    },
    /// Records a staff certificate.
    Certificate {
        /// The new certificate.
        certificate: CertificateId,
        /// The institution.
        organization: OrganizationId,
        /// Its kind.
        kind: String,
        /// Its last valid day.
        valid_until: CivilDate,
        /// SHA-256 of the certificate.
        digest: [u8; 32],
    },
    /// Records an ability assessment.
    Assess {
        /// The elder.
        person: PersonId,
        /// One of [`ABILITY_LEVELS`].
        level: &'static str,
        /// SHA-256 of the report.
        report: [u8; 32],
    },
    /// Defines a canteen.
    DefineCanteen {
        /// The new canteen.
        canteen: CanteenId,
        /// Its name.
        name: String,
        /// Its area.
        area: AreaCode,
    },
    /// Enrolls a diner.
    EnrollDiner {
        /// The canteen.
        canteen: CanteenId,
        /// The elder.
        person: PersonId,
        /// One of the [`AGE_TIERS`].
        tier: &'static str,
    },
    /// Serves a subsidized meal.
    ServeMeal {
        /// The canteen.
        canteen: CanteenId,
        /// The diner.
        person: PersonId,
        /// One of [`MEAL_SLOTS`].
        slot: &'static str,
    },
    /// Opens a home adaptation case.
    OpenAdaptation {
        /// The new case.
        case: AdaptationId,
        /// The elder.
        person: PersonId,
        /// The budget, in fen.
        budget_fen: u64,
        /// SHA-256 of the plan.
        plan: [u8; 32],
    },
    /// Completes a home adaptation case.
    CompleteAdaptation {
        /// The case.
        case: AdaptationId,
        /// The cost, in fen.
        cost_fen: u64,
        /// SHA-256 of the acceptance record.
        acceptance: [u8; 32],
    },
    /// Enrolls an elder in the accident insurance of a year.
    Insure {
        /// The elder.
        person: PersonId,
        /// The policy year.
        year: u32,
        /// SHA-256 of the policy.
        policy: [u8; 32],
    },
    /// Records a volunteer's shift at a canteen.
    VolunteerShift {
        /// The new activity.
        activity: ClaimId,
        /// The canteen.
        canteen: CanteenId,
        /// The volunteer.
        volunteer: PersonId,
        /// The day of the shift.
        day: CivilDate,
        /// Hours, 1 to [`MAX_SHIFT_HOURS`](crate::ledger::MAX_SHIFT_HOURS).
        hours: u32,
    },
}

/// The kinds of elderly care operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElderlyKind {
    /// [`ElderlyOp::RecordInstitution`].
    RecordInstitution,
    /// [`ElderlyOp::Grade`].
    Grade,
    /// [`ElderlyOp::Certificate`].
    Certificate,
    /// [`ElderlyOp::Assess`].
    Assess,
    /// [`ElderlyOp::DefineCanteen`].
    DefineCanteen,
    /// [`ElderlyOp::EnrollDiner`].
    EnrollDiner,
    /// [`ElderlyOp::ServeMeal`].
    ServeMeal,
    /// [`ElderlyOp::OpenAdaptation`].
    OpenAdaptation,
    /// [`ElderlyOp::CompleteAdaptation`].
    CompleteAdaptation,
    /// [`ElderlyOp::Insure`].
    Insure,
    /// [`ElderlyOp::VolunteerShift`].
    VolunteerShift,
}

impl ElderlyOp {
    /// The operation's kind.
    pub fn kind(&self) -> ElderlyKind {
        use ElderlyKind as K;
        match self {
            ElderlyOp::RecordInstitution { .. } => K::RecordInstitution,
            ElderlyOp::Grade { .. } => K::Grade,
            ElderlyOp::Certificate { .. } => K::Certificate,
            ElderlyOp::Assess { .. } => K::Assess,
            ElderlyOp::DefineCanteen { .. } => K::DefineCanteen,
            ElderlyOp::EnrollDiner { .. } => K::EnrollDiner,
            ElderlyOp::ServeMeal { .. } => K::ServeMeal,
            ElderlyOp::OpenAdaptation { .. } => K::OpenAdaptation,
            ElderlyOp::CompleteAdaptation { .. } => K::CompleteAdaptation,
            ElderlyOp::Insure { .. } => K::Insure,
            ElderlyOp::VolunteerShift { .. } => K::VolunteerShift,
        }
    }
}

impl ElderlyKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            ElderlyKind::RecordInstitution => "record-institution",
            ElderlyKind::Grade => "grade-institution",
            ElderlyKind::Certificate => "record-staff-certificate",
            ElderlyKind::Assess => "assess-ability",
            ElderlyKind::DefineCanteen => "define-canteen",
            ElderlyKind::EnrollDiner => "enroll-diner",
            ElderlyKind::ServeMeal => "serve-meal",
            ElderlyKind::OpenAdaptation => "open-adaptation",
            ElderlyKind::CompleteAdaptation => "complete-adaptation",
            ElderlyKind::Insure => "enroll-insurance",
            ElderlyKind::VolunteerShift => "record-volunteer-shift",
        }
    }
}

/// Everything elderly care holds.
#[derive(Clone, Debug, Default)]
pub(super) struct Elderly {
    institutions: OrdMap<OrganizationId, Arc<InstitutionView>>,
    /// Every certificate id, for uniqueness across institutions.
    certificates: OrdSet<CertificateId>,
    elders: OrdMap<PersonId, Arc<ElderView>>,
    canteens: OrdMap<CanteenId, Arc<CanteenView>>,
    /// The day of the meals below, and the (diner, slot) pairs served a subsidized meal on it.
    meal_day: Option<CivilDate>,
    meals_today: OrdSet<(PersonId, usize)>,
    adaptations: OrdMap<AdaptationId, Arc<Adaptation>>,
    /// Adaptation cases (`true`: completed) and insured elders (by year) within each area
    /// (an area and those above), for the indicators.
    adaptation_counts: OrdMap<(AreaCode, bool), u64>,
    insured_counts: OrdMap<(AreaCode, u32), u64>,
}

/// A count to move within an area and those above.
#[derive(Debug)]
enum Count {
    /// An adaptation case opened (`false`) or completed (`true`).
    Adaptation(AreaCode, bool),
    /// An elder insured for a year.
    Insured(AreaCode, u32),
}

/// A checked elderly care operation: what it writes.
#[derive(Debug, Default)]
pub(super) struct Plan {
    institution: Option<(OrganizationId, InstitutionView)>,
    certificate: Option<CertificateId>,
    elder: Option<(PersonId, ElderView)>,
    canteen: Option<(CanteenId, CanteenView)>,
    /// A moving diner's former canteen.
    old_canteen: Option<(CanteenId, CanteenView)>,
    meal: Option<(CivilDate, PersonId, usize)>,
    adaptation: Option<(AdaptationId, Adaptation)>,
    count: Option<Count>,
    /// A volunteer's shift.
    activity: Option<(ClaimId, Activity)>,
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        let e = &mut state.elderly;
        if let Some((id, institution)) = self.institution {
            e.institutions.insert(id, Arc::new(institution));
        }
        if let Some(id) = self.certificate {
            e.certificates.insert(id);
        }
        if let Some((id, elder)) = self.elder {
            e.elders.insert(id, Arc::new(elder));
        }
        for (id, canteen) in self.old_canteen.into_iter().chain(self.canteen) {
            e.canteens.insert(id, Arc::new(canteen));
        }
        if let Some((day, person, slot)) = self.meal {
            if e.meal_day != Some(day) {
                e.meal_day = Some(day);
                e.meals_today = OrdSet::new();
            }
            e.meals_today.insert((person, slot));
        }
        if let Some((id, adaptation)) = self.adaptation {
            e.adaptations.insert(id, Arc::new(adaptation));
        }
        match self.count {
            Some(Count::Adaptation(area, completed)) => {
                for a in area.and_above() {
                    if completed {
                        let open = (a.clone(), false);
                        let left = e
                            .adaptation_counts
                            .get(&open)
                            .map_or(0, |n| n.saturating_sub(1));
                        e.adaptation_counts.insert(open, left);
                    }
                    *e.adaptation_counts.entry((a, completed)).or_insert(0) += 1;
                }
            }
            Some(Count::Insured(area, year)) => {
                for a in area.and_above() {
                    *e.insured_counts.entry((a, year)).or_insert(0) += 1;
                }
            }
            None => {}
        }
        if let Some((id, activity)) = self.activity {
            state.volunteering.record(id, activity);
        }
        Effects::default()
    }
}

/// The elder's record (empty before their first operation), and their registered area.
fn elder(
    state: &State,
    ctx: &Context,
    person: &PersonId,
    operation: &'static str,
) -> Result<(AreaCode, ElderView), Refusal> {
    super::authority::require_elderly_officer(&ctx.role, operation, None)?;
    let registered = state
        .person(person)
        .ok_or(crate::ledger::SubjectRefusal::UnknownPerson(*person))?;
    super::authority::require_elderly_officer(&ctx.role, operation, Some(&registered.area))?;
    if let Some(case) = state.death_case_of(person) {
        return Err(crate::ledger::ElderlyRefusal::Deceased {
            person: person.to_string(),
            case: case.to_string(),
        }
        .into());
    }
    if !state.elderly.elders.contains_key(person) && state.elderly.elders.len() >= MAX_ELDERS {
        return Err(crate::ledger::ElderlyRefusal::Full {
            what: "elders",
            max: MAX_ELDERS,
        }
        .into());
    }
    let record = state
        .elderly
        .elders
        .get(person)
        .map(|e| ElderView::clone(e))
        .unwrap_or_default();
    Ok((registered.area, record))
}

/// Checks an elderly care operation.
pub(super) fn check(state: &State, ctx: &Context, op: &ElderlyOp) -> Result<Plan, Refusal> {
    match op {
        ElderlyOp::RecordInstitution { .. }
        | ElderlyOp::Grade { .. }
        | ElderlyOp::Certificate { .. } => institutions::check(state, ctx, op),
        ElderlyOp::Assess { .. }
        | ElderlyOp::OpenAdaptation { .. }
        | ElderlyOp::CompleteAdaptation { .. }
        | ElderlyOp::Insure { .. } => elders::check(state, ctx, op),
        ElderlyOp::DefineCanteen { .. }
        | ElderlyOp::EnrollDiner { .. }
        | ElderlyOp::ServeMeal { .. }
        | ElderlyOp::VolunteerShift { .. } => canteens::check(state, ctx, op),
    }
}

impl State {
    /// An institution.
    pub fn institution(&self, id: &OrganizationId) -> Option<InstitutionView> {
        self.elderly.institutions.get(id).map(|i| (**i).clone())
    }

    /// An elder's record (empty if they have none).
    pub fn elder(&self, id: &PersonId) -> ElderView {
        self.elderly
            .elders
            .get(id)
            .map(|e| (**e).clone())
            .unwrap_or_default()
    }

    /// How elderly care serves `person`, if it does: as a diner, or by another record.
    pub(in crate::ledger::state) fn elder_served(&self, person: &PersonId) -> Option<String> {
        let elder = self.elderly.elders.get(person)?;
        Some(match &elder.diner {
            Some((canteen, _)) => format!("a diner of canteen {canteen}"),
            None => "an elder with a record in elderly care".into(),
        })
    }

    /// An adaptation case.
    pub fn adaptation(&self, id: &AdaptationId) -> Option<Adaptation> {
        self.elderly.adaptations.get(id).map(|a| (**a).clone())
    }
}

/// Who recorded something, and at which entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// The key.
    pub by: KeyId,
    /// The entry.
    pub sequence: Sequence,
}
