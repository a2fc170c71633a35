//! Funeral (殡葬管理): **death cases** of registered persons, the death certificate required
//! before cremation, bookings of the six scenes and the funeral subsidy once per deceased
//! (`cases.rs`); **cemeteries and plots**, a plot held by one deceased for the cemetery's cycle
//! (20 years by default), ash graves at most 1 m², a village public cemetery serving its own
//! villagers (`cemeteries.rs`); **scattered graves** in no-burial zones, identified, cleared and
//! verified by another key (`graves.rs`).

mod cases;
mod cemeteries;
mod graves;

use std::sync::Arc;

use imbl::{OrdMap, OrdSet};

use super::journal::Effects;
use super::{Context, State};
use crate::ledger::{
    AreaCode, CemeteryId, CivilDate, DeathCaseId, GraveId, KeyId, PersonId, Sequence,
};

pub use cemeteries::{CemeteryView, PlotHolder, PlotView};
pub use graves::{GRAVE_STATES, GravePage, GraveStep, ScatteredGraveView};

/// The six funeral scenes, in their order.
pub const SCENES: &[&str] = &[
    "transport",
    "vigil",
    "farewell",
    "cremation",
    "ash-placement",
    "memorial",
];
/// The kinds of cemeteries.
pub const CEMETERY_KINDS: &[&str] = &["village-public", "public-welfare", "operating"];
/// The years a plot is held when the cemetery names none.
pub const DEFAULT_CYCLE_YEARS: u32 = 20;
/// The longest cycle.
pub const MAX_CYCLE_YEARS: u32 = 70;
/// The largest plot, in square decimetres: an ash grave is at most 1 m².
pub const MAX_PLOT_DM2: u32 = 100;
/// The most plots one DefinePlots adds.
pub const MAX_PLOTS_PER_DEFINITION: usize = 100;
/// The most plots of one cemetery.
pub const MAX_PLOTS_PER_CEMETERY: u64 = 20_000;
/// The most cemeteries the ledger holds.
pub const MAX_CEMETERIES: usize = 1_000;
/// The most death cases the ledger holds.
pub const MAX_DEATH_CASES: usize = 1_000_000;
/// The most scattered graves the ledger holds.
pub const MAX_GRAVES: usize = 100_000;
/// The most memorials (祭扫) booked for one death case: they recur, the other scenes do not.
pub const MAX_MEMORIALS: usize = 16;
/// How far ahead a scene is booked, in days.
pub const MAX_BOOKING_DAYS_AHEAD: u32 = 366;
/// The largest funeral subsidy, in fen (10,000 yuan): the ledger's ceiling, the local standard
/// is below it.
pub const MAX_SUBSIDY_FEN: u64 = 1_000_000;

/// A booking of a scene.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    /// One of [`SCENES`].
    pub scene: &'static str,
    /// The day booked.
    pub on: CivilDate,
    /// Where.
    pub facility: String,
    /// Who booked it.
    pub by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

/// A subsidy granted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subsidy {
    /// In fen.
    pub amount_fen: u64,
    /// What it pays for.
    pub basis: String,
    /// Who granted it.
    pub by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

/// A death case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeathCase {
    /// The deceased.
    pub person: PersonId,
    /// Their registered area.
    pub area: AreaCode,
    /// When they died.
    pub died_on: CivilDate,
    /// SHA-256 of the death certificate, once recorded.
    pub certificate: Option<[u8; 32]>,
    /// The bookings, in log order (at most one per scene).
    pub bookings: Vec<Booking>,
    /// The plot allocated.
    pub plot: Option<(CemeteryId, String)>,
    /// The subsidy granted.
    pub subsidy: Option<Subsidy>,
    /// Who opened it.
    pub opened_by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

impl DeathCase {
    /// The booking of `scene`, if any.
    pub fn booking(&self, scene: &str) -> Option<&Booking> {
        self.bookings.iter().find(|b| b.scene == scene)
    }
}

/// The funeral operations.
#[derive(Clone, Debug)]
pub enum FuneralOp {
    /// Opens a death case.
    RegisterDeath {
        /// The new case.
        case: DeathCaseId,
        /// The deceased.
        person: PersonId,
        /// When.
        died_on: CivilDate,
        /// The certificate, if at hand.
        certificate: Option<[u8; 32]>,
    },
    /// Records a case's certificate.
    RecordCertificate {
        /// The case.
        case: DeathCaseId,
        /// SHA-256 of the certificate.
        certificate: [u8; 32],
    },
    /// Books a scene.
    Book {
        /// The case.
        case: DeathCaseId,
        /// One of [`SCENES`].
        scene: &'static str,
        /// The day.
        on: CivilDate,
        /// Where.
        facility: String,
    },
    /// Defines a cemetery.
    DefineCemetery {
        /// The new cemetery.
        cemetery: CemeteryId,
        /// Its name.
        name: String,
        /// The area it serves.
        area: AreaCode,
        /// One of [`CEMETERY_KINDS`].
        kind: &'static str,
        /// The years a plot is held.
        cycle_years: u32,
    },
    /// Adds plots to a cemetery.
    DefinePlots {
        /// The cemetery.
        cemetery: CemeteryId,
        /// The new plots' codes.
        codes: Vec<String>,
        /// Their area, in dm².
        area_dm2: u32,
    },
    /// Allocates a plot to a death case.
    AllocatePlot {
        /// The cemetery.
        cemetery: CemeteryId,
        /// The plot.
        plot: String,
        /// The case.
        case: DeathCaseId,
    },
    /// Grants the funeral subsidy of a case.
    GrantSubsidy {
        /// The case.
        case: DeathCaseId,
        /// In fen.
        amount_fen: u64,
        /// What it pays for.
        basis: String,
    },
    /// Records a scattered grave.
    IdentifyGrave {
        /// The new grave.
        grave: GraveId,
        /// Its area.
        area: AreaCode,
        /// Where.
        location: String,
        /// SHA-256 of the evidence.
        evidence: [u8; 32],
    },
    /// Renews a held plot for another cycle.
    RenewPlot {
        /// The cemetery.
        cemetery: CemeteryId,
        /// The plot.
        plot: String,
        /// SHA-256 of the renewal agreement.
        agreement: [u8; 32],
    },
    /// Releases a held plot.
    ReleasePlot {
        /// The cemetery.
        cemetery: CemeteryId,
        /// The plot.
        plot: String,
        /// SHA-256 of the record of the remains' removal.
        removal: [u8; 32],
        /// Why.
        reason: String,
    },
    /// Moves a scattered grave on.
    AdvanceGrave {
        /// The grave.
        grave: GraveId,
        /// "cleared" or "verified".
        to: &'static str,
        /// SHA-256 of the evidence.
        evidence: [u8; 32],
        /// A note.
        note: String,
    },
}

/// The kinds of funeral operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FuneralKind {
    /// [`FuneralOp::RegisterDeath`].
    RegisterDeath,
    /// [`FuneralOp::RecordCertificate`].
    RecordCertificate,
    /// [`FuneralOp::Book`].
    Book,
    /// [`FuneralOp::DefineCemetery`].
    DefineCemetery,
    /// [`FuneralOp::DefinePlots`].
    DefinePlots,
    /// [`FuneralOp::AllocatePlot`].
    AllocatePlot,
    /// [`FuneralOp::GrantSubsidy`].
    GrantSubsidy,
    /// [`FuneralOp::IdentifyGrave`].
    IdentifyGrave,
    /// [`FuneralOp::AdvanceGrave`].
    AdvanceGrave,
    /// [`FuneralOp::RenewPlot`].
    RenewPlot,
    /// [`FuneralOp::ReleasePlot`].
    ReleasePlot,
}

impl FuneralOp {
    /// The operation's kind.
    pub fn kind(&self) -> FuneralKind {
        use FuneralKind as K;
        match self {
            FuneralOp::RegisterDeath { .. } => K::RegisterDeath,
            FuneralOp::RecordCertificate { .. } => K::RecordCertificate,
            FuneralOp::Book { .. } => K::Book,
            FuneralOp::DefineCemetery { .. } => K::DefineCemetery,
            FuneralOp::DefinePlots { .. } => K::DefinePlots,
            FuneralOp::AllocatePlot { .. } => K::AllocatePlot,
            FuneralOp::GrantSubsidy { .. } => K::GrantSubsidy,
            FuneralOp::IdentifyGrave { .. } => K::IdentifyGrave,
            FuneralOp::AdvanceGrave { .. } => K::AdvanceGrave,
            FuneralOp::RenewPlot { .. } => K::RenewPlot,
            FuneralOp::ReleasePlot { .. } => K::ReleasePlot,
        }
    }
}

impl FuneralKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            FuneralKind::RegisterDeath => "register-death",
            FuneralKind::RecordCertificate => "record-death-certificate",
            FuneralKind::Book => "book-funeral-service",
            FuneralKind::DefineCemetery => "define-cemetery",
            FuneralKind::DefinePlots => "define-plots",
            FuneralKind::AllocatePlot => "allocate-plot",
            FuneralKind::GrantSubsidy => "grant-funeral-subsidy",
            FuneralKind::IdentifyGrave => "identify-scattered-grave",
            FuneralKind::AdvanceGrave => "advance-scattered-grave",
            FuneralKind::RenewPlot => "renew-plot",
            FuneralKind::ReleasePlot => "release-plot",
        }
    }
}

/// Everything the funeral program holds.
#[derive(Clone, Debug, Default)]
pub(super) struct Funeral {
    cases: OrdMap<DeathCaseId, Arc<DeathCase>>,
    /// The death case of each deceased.
    by_person: OrdMap<PersonId, DeathCaseId>,
    cemeteries: OrdMap<CemeteryId, Arc<CemeteryView>>,
    plots: OrdMap<(CemeteryId, String), Arc<PlotView>>,
    graves: OrdMap<GraveId, Arc<ScatteredGraveView>>,
    /// The scattered graves by area, so that an area's are one range.
    graves_by_area: OrdSet<(AreaCode, GraveId)>,
    /// How many graves are in each state (by its index in [`GRAVE_STATES`]) within each area
    /// (an area and those above).
    grave_counts: OrdMap<(AreaCode, usize), u64>,
}

/// A checked funeral operation: what it writes.
#[derive(Debug, Default)]
pub(super) struct Plan {
    case: Option<(DeathCaseId, DeathCase)>,
    cemetery: Option<(CemeteryId, CemeteryView)>,
    plots: Vec<((CemeteryId, String), PlotView)>,
    grave: Option<(GraveId, ScatteredGraveView)>,
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        let f = &mut state.funeral;
        if let Some((id, case)) = self.case {
            f.by_person.insert(case.person, id);
            f.cases.insert(id, Arc::new(case));
        }
        if let Some((id, cemetery)) = self.cemetery {
            f.cemeteries.insert(id, Arc::new(cemetery));
        }
        for (key, plot) in self.plots {
            f.plots.insert(key, Arc::new(plot));
        }
        if let Some((id, grave)) = self.grave {
            let state_of =
                |g: &ScatteredGraveView| GRAVE_STATES.iter().position(|s| *s == g.state());
            let before = f.graves.get(&id).and_then(|g| state_of(g));
            let after = state_of(&grave);
            let areas = grave.area.and_above();
            f.graves_by_area.insert((grave.area.clone(), id));
            for area in areas {
                if let Some(i) = before {
                    let key = (area.clone(), i);
                    match f.grave_counts.get(&key).copied().unwrap_or(0) {
                        0 | 1 => f.grave_counts.remove(&key),
                        n => f.grave_counts.insert(key, n - 1),
                    };
                }
                if let Some(i) = after {
                    *f.grave_counts.entry((area, i)).or_insert(0) += 1;
                }
            }
            f.graves.insert(id, Arc::new(grave));
        }
        Effects::default()
    }
}

/// Checks a funeral operation.
pub(super) fn check(
    state: &State,
    ctx: &Context,
    op: &FuneralOp,
) -> Result<Plan, crate::ledger::Refusal> {
    match op {
        FuneralOp::RegisterDeath { .. }
        | FuneralOp::RecordCertificate { .. }
        | FuneralOp::Book { .. }
        | FuneralOp::GrantSubsidy { .. } => cases::check(state, ctx, op),
        FuneralOp::DefineCemetery { .. }
        | FuneralOp::DefinePlots { .. }
        | FuneralOp::AllocatePlot { .. }
        | FuneralOp::RenewPlot { .. }
        | FuneralOp::ReleasePlot { .. } => cemeteries::check(state, ctx, op),
        FuneralOp::IdentifyGrave { .. } | FuneralOp::AdvanceGrave { .. } => {
            graves::check(state, ctx, op)
        }
    }
}

impl State {
    /// A death case.
    pub fn death_case(&self, id: &DeathCaseId) -> Option<DeathCase> {
        self.funeral.cases.get(id).map(|c| (**c).clone())
    }

    /// The death case of a person, if their death is registered.
    pub fn death_case_of(&self, person: &PersonId) -> Option<DeathCaseId> {
        self.funeral.by_person.get(person).copied()
    }

    /// A cemetery.
    pub fn cemetery(&self, id: &CemeteryId) -> Option<CemeteryView> {
        self.funeral.cemeteries.get(id).map(|c| (**c).clone())
    }

    /// A plot.
    pub fn plot(&self, cemetery: &CemeteryId, code: &str) -> Option<PlotView> {
        self.funeral
            .plots
            .get(&(cemetery.clone(), code.to_owned()))
            .map(|p| (**p).clone())
    }
}
