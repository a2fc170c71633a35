//! The funeral refusals (`shanzhi.funeral.v1`): one death case per person, the certificate
//! before cremation, a plot and a subsidy, one booking per scene, a plot held by one deceased
//! per term, a village public cemetery for its own villagers, the subsidy once, scattered
//! graves in order and verified by another key; nested in [`Refusal::Funeral`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;

/// Why a funeral operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FuneralRefusal {
    /// The person's death is registered already.
    #[error(
        "person_id: expected a person whose death is not registered, found {person} in death case {case}"
    )]
    DeathRegistered {
        /// The person.
        person: String,
        /// Their death case.
        case: String,
    },
    /// No death case has this id.
    #[error("case_id: expected a death case, found {0}, which no RegisterDeath opened")]
    UnknownDeathCase(String),
    /// The certificate was recorded already.
    #[error("case {0}: expected a death case without a certificate, found one recorded")]
    CertificateRecorded(String),
    /// A cremation, plot or subsidy before the certificate.
    #[error("case {case}: expected the death certificate recorded before {what}, found none")]
    CertificateRequired {
        /// The case.
        case: String,
        /// What needs it.
        what: &'static str,
    },
    /// The scene was booked already.
    #[error(
        "scene: expected a scene not yet booked for case {case}, found {scene} booked for {on}"
    )]
    SceneBooked {
        /// The case.
        case: String,
        /// The scene.
        scene: &'static str,
        /// Its day.
        on: String,
    },
    /// An ash placement without a cremation before it.
    #[error(
        "scene: expected a cremation booked on the ash placement's day or before for case {case}, found {found}"
    )]
    CremationFirst {
        /// The case.
        case: String,
        /// What is booked.
        found: String,
    },
    /// No cemetery has this id.
    #[error("cemetery_id: expected a cemetery, found {0}, which no DefineCemetery made")]
    UnknownCemetery(String),
    /// No plot has this code.
    #[error(
        "plot_code: expected a plot of cemetery {cemetery}, found {plot}, which no DefinePlots added"
    )]
    UnknownPlot {
        /// The cemetery.
        cemetery: String,
        /// The code.
        plot: String,
    },
    /// The plot is held.
    #[error("plot {plot}: expected a free plot, found it held until {until}")]
    PlotAllocated {
        /// The plot.
        plot: String,
        /// The last day of its term.
        until: String,
    },
    /// The deceased holds a plot already.
    #[error("case {case}: expected a deceased without a plot, found plot {plot} allocated")]
    DeceasedHasPlot {
        /// The case.
        case: String,
        /// The plot.
        plot: String,
    },
    /// A village public cemetery's plot for someone of another area.
    #[error(
        "case: expected a villager of {village} (village public cemetery {cemetery} serves its own villagers), found a person registered in {found}"
    )]
    NotAVillager {
        /// The cemetery.
        cemetery: String,
        /// Its village.
        village: String,
        /// The deceased's area.
        found: String,
    },
    /// The subsidy was granted already.
    #[error(
        "case {case}: expected one funeral subsidy per deceased, found one granted at entry {sequence}"
    )]
    SubsidyGranted {
        /// The case.
        case: String,
        /// The grant's entry.
        sequence: u64,
    },
    /// No scattered grave has this id.
    #[error(
        "grave_id: expected a scattered grave, found {0}, which no IdentifyScatteredGrave recorded"
    )]
    UnknownGrave(String),
    /// A step out of order.
    #[error("to_state: expected {expected} for grave {grave}, which is {from}, found {found}")]
    GraveStep {
        /// The grave.
        grave: String,
        /// Its state.
        from: &'static str,
        /// The next state.
        expected: &'static str,
        /// The state given.
        found: &'static str,
    },
    /// A verification by the key that recorded the clearing.
    #[error(
        "grave {0}: expected the clearing verified by another key than the one that recorded it, found the same key"
    )]
    VerifierIsClearer(String),
    /// A renewal or release of a plot nobody holds.
    #[error("plot {0}: expected a held plot, found it free")]
    PlotNotHeld(String),
    /// A renewal before the last year of the term.
    #[error(
        "plot {plot}: expected a renewal in the last year of the term or after it, found it renewable from {from}"
    )]
    RenewalNotDue {
        /// The plot.
        plot: String,
        /// The first day it may be renewed.
        from: String,
    },
    /// The ledger or a cemetery holds as many of something as it may.
    #[error("{what}: the most the ledger keeps is {max}")]
    Full {
        /// What is full.
        what: &'static str,
        /// How many it holds.
        max: usize,
    },
}

impl FuneralRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        use FuneralRefusal::*;
        match self {
            UnknownDeathCase(_) | UnknownCemetery(_) | UnknownPlot { .. } | UnknownGrave(_) => {
                RefusalClass::NotFound
            }
            DeathRegistered { .. }
            | CertificateRecorded(_)
            | SceneBooked { .. }
            | PlotAllocated { .. }
            | DeceasedHasPlot { .. }
            | SubsidyGranted { .. } => RefusalClass::AlreadyExists,
            Full { .. } => RefusalClass::ResourceExhausted,
            _ => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use FuneralRefusal::*;
        match self {
            DeathRegistered { .. } => "DEATH_ALREADY_REGISTERED",
            UnknownDeathCase(_) => "UNKNOWN_DEATH_CASE",
            CertificateRecorded(_) => "DEATH_CERTIFICATE_RECORDED",
            CertificateRequired { .. } => "DEATH_CERTIFICATE_REQUIRED",
            SceneBooked { .. } => "SCENE_ALREADY_BOOKED",
            CremationFirst { .. } => "CREMATION_NOT_BOOKED",
            UnknownCemetery(_) => "UNKNOWN_CEMETERY",
            UnknownPlot { .. } => "UNKNOWN_PLOT",
            PlotAllocated { .. } => "PLOT_ALLOCATED",
            DeceasedHasPlot { .. } => "DECEASED_HAS_PLOT",
            NotAVillager { .. } => "NOT_A_VILLAGER",
            SubsidyGranted { .. } => "FUNERAL_SUBSIDY_GRANTED",
            UnknownGrave(_) => "UNKNOWN_SCATTERED_GRAVE",
            GraveStep { .. } => "SCATTERED_GRAVE_OUT_OF_ORDER",
            VerifierIsClearer(_) => "VERIFIER_IS_CLEARER",
            PlotNotHeld(_) => "PLOT_NOT_HELD",
            RenewalNotDue { .. } => "RENEWAL_NOT_DUE",
            Full { .. } => "FUNERAL_FULL",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use FuneralRefusal::*;
        let s = || "x".to_owned();
        [
            DeathRegistered {
                person: s(),
                case: s(),
            },
            UnknownDeathCase(s()),
            CertificateRecorded(s()),
            CertificateRequired {
                case: s(),
                what: "x",
            },
            SceneBooked {
                case: s(),
                scene: "vigil",
                on: s(),
            },
            CremationFirst {
                case: s(),
                found: s(),
            },
            UnknownCemetery(s()),
            UnknownPlot {
                cemetery: s(),
                plot: s(),
            },
            PlotAllocated {
                plot: s(),
                until: s(),
            },
            DeceasedHasPlot {
                case: s(),
                plot: s(),
            },
            NotAVillager {
                cemetery: s(),
                village: s(),
                found: s(),
            },
            SubsidyGranted {
                case: s(),
                sequence: 1,
            },
            UnknownGrave(s()),
            GraveStep {
                grave: s(),
                from: "identified",
                expected: "cleared",
                found: "verified",
            },
            VerifierIsClearer(s()),
            PlotNotHeld(s()),
            RenewalNotDue {
                plot: s(),
                from: s(),
            },
            Full { what: "x", max: 1 },
        ]
        .into_iter()
        .map(Refusal::Funeral)
        .collect()
    }
}
