//! Rescue and disability (救助管理, 残疾人服务): **outreach**, seasonal campaigns and patrols'
//! encounters whose help is voluntary (`outreach.rs`); the **station**'s admissions, the
//! family-tracing notice of an unidentified person within 24 hours, an adult's stay past 10
//! days only with a reason, and minors, elderly and disabled people discharged only escorted
//! (`station.rs`); community mental-health **rehabilitation**, consent before any session
//! (`rehabilitation.rs`).

mod outreach;
mod rehabilitation;
mod station;

use std::sync::Arc;

use imbl::{OrdMap, OrdSet};

use super::journal::Effects;
use super::{Context, State};
use crate::ledger::{
    AdmissionId, AreaCode, CampaignId, CivilDate, EncounterId, KeyId, PersonId, Sequence, UnixMs,
};

pub use outreach::{CampaignView, EncounterView};
pub use rehabilitation::RehabilitationView;
pub use station::{AdmissionPage, AdmissionView};

/// The campaigns' kinds.
pub const CAMPAIGN_KINDS: &[&str] = &["summer-cool", "winter-warmth"];
/// The groups an admission is for.
pub const ADMISSION_GROUPS: &[&str] = &["adult", "minor", "elderly", "disabled"];
/// The escorts of a discharge (`none`: unescorted).
pub const ESCORTS: &[&str] = &["family", "guardian", "institution", "police", "none"];
/// The longest campaign, in days from its first to its last.
pub const MAX_CAMPAIGN_DAYS: u32 = 183;
/// How long after an unidentified person's admission the tracing notice is due.
pub const TRACING_DUE_MS: u64 = 24 * 3_600_000;
/// How long an adult may stay without a recorded reason.
pub const ADULT_STAY_MS: u64 = 10 * 86_400_000;
/// The most campaigns the ledger holds.
pub const MAX_CAMPAIGNS: usize = 1_000;
/// The most encounters, and the most admissions, the ledger holds.
pub const MAX_RECORDS: usize = 1_000_000;

/// Who recorded something, when, at which entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RescueStamp {
    /// The key.
    pub by: KeyId,
    /// The commit time.
    pub at: UnixMs,
    /// The entry.
    pub sequence: Sequence,
}

/// The rescue operations.
#[derive(Clone, Debug)]
pub enum RescueOp {
    /// Defines a campaign.
    DefineCampaign {
        /// The new campaign.
        campaign: CampaignId,
        /// One of [`CAMPAIGN_KINDS`].
        kind: &'static str,
        /// Its area.
        area: AreaCode,
        /// Its first day.
        starts_on: CivilDate,
        /// Its last day.
        ends_on: CivilDate,
    },
    /// Records an encounter.
    Encounter {
        /// The new encounter.
        encounter: EncounterId,
        /// Where.
        area: AreaCode,
        /// Whether help was accepted.
        accepted: bool,
        /// The campaign, if any.
        campaign: Option<CampaignId>,
    },
    /// Admits a person.
    Admit {
        /// The new admission.
        admission: AdmissionId,
        /// The station's area.
        area: AreaCode,
        /// The registered person, or none for an unidentified one.
        person: Option<PersonId>,
        /// One of [`ADMISSION_GROUPS`].
        group: &'static str,
        /// The encounter, if any.
        encounter: Option<EncounterId>,
    },
    /// Records a tracing notice.
    TracingNotice {
        /// The admission.
        admission: AdmissionId,
        /// SHA-256 of the notice.
        notice: [u8; 32],
    },
    /// Records why an adult's stay passes 10 days.
    ExtendStay {
        /// The admission.
        admission: AdmissionId,
        /// Why.
        reason: String,
    },
    /// Discharges an admission.
    Discharge {
        /// The admission.
        admission: AdmissionId,
        /// One of [`ESCORTS`].
        escort: &'static str,
    },
    /// Records consent to rehabilitation.
    Consent {
        /// The person.
        person: PersonId,
    },
    /// Records the consent withdrawn.
    Withdraw {
        /// The person.
        person: PersonId,
    },
    /// Records a rehabilitation session.
    Session {
        /// The person.
        person: PersonId,
        /// Its kind.
        kind: String,
    },
}

/// The kinds of rescue operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RescueKind {
    /// [`RescueOp::DefineCampaign`].
    DefineCampaign,
    /// [`RescueOp::Encounter`].
    Encounter,
    /// [`RescueOp::Admit`].
    Admit,
    /// [`RescueOp::TracingNotice`].
    TracingNotice,
    /// [`RescueOp::ExtendStay`].
    ExtendStay,
    /// [`RescueOp::Discharge`].
    Discharge,
    /// [`RescueOp::Consent`].
    Consent,
    /// [`RescueOp::Withdraw`].
    Withdraw,
    /// [`RescueOp::Session`].
    Session,
}

impl RescueOp {
    /// The operation's kind.
    pub fn kind(&self) -> RescueKind {
        use RescueKind as K;
        match self {
            RescueOp::DefineCampaign { .. } => K::DefineCampaign,
            RescueOp::Encounter { .. } => K::Encounter,
            RescueOp::Admit { .. } => K::Admit,
            RescueOp::TracingNotice { .. } => K::TracingNotice,
            RescueOp::ExtendStay { .. } => K::ExtendStay,
            RescueOp::Discharge { .. } => K::Discharge,
            RescueOp::Consent { .. } => K::Consent,
            RescueOp::Withdraw { .. } => K::Withdraw,
            RescueOp::Session { .. } => K::Session,
        }
    }
}

impl RescueKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            RescueKind::DefineCampaign => "define-campaign",
            RescueKind::Encounter => "record-encounter",
            RescueKind::Admit => "admit",
            RescueKind::TracingNotice => "publish-tracing-notice",
            RescueKind::ExtendStay => "extend-stay",
            RescueKind::Discharge => "discharge",
            RescueKind::Consent => "record-consent",
            RescueKind::Withdraw => "withdraw-consent",
            RescueKind::Session => "record-session",
        }
    }
}

/// Everything rescue holds.
#[derive(Clone, Debug, Default)]
pub(super) struct Rescue {
    campaigns: OrdMap<CampaignId, Arc<CampaignView>>,
    encounters: OrdMap<EncounterId, Arc<EncounterView>>,
    admissions: OrdMap<AdmissionId, Arc<AdmissionView>>,
    /// The open admissions by area, so that an area's are one range.
    open: OrdSet<(AreaCode, AdmissionId)>,
    /// Each registered person's open admission.
    open_by_person: OrdMap<PersonId, AdmissionId>,
    rehabilitation: OrdMap<PersonId, Arc<RehabilitationView>>,
}

/// A checked rescue operation: what it writes.
#[derive(Debug, Default)]
pub(super) struct Plan {
    campaign: Option<(CampaignId, CampaignView)>,
    encounter: Option<(EncounterId, EncounterView)>,
    admission: Option<(AdmissionId, AdmissionView)>,
    rehabilitation: Option<(PersonId, RehabilitationView)>,
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        let r = &mut state.rescue;
        if let Some((id, campaign)) = self.campaign {
            r.campaigns.insert(id, Arc::new(campaign));
        }
        if let Some((id, encounter)) = self.encounter {
            r.encounters.insert(id, Arc::new(encounter));
        }
        if let Some((id, admission)) = self.admission {
            let key = (admission.area.clone(), id);
            if admission.discharged.is_none() {
                r.open.insert(key);
                if let Some(person) = admission.person {
                    r.open_by_person.insert(person, id);
                }
            } else {
                r.open.remove(&key);
                if let Some(person) = admission.person {
                    r.open_by_person.remove(&person);
                }
            }
            r.admissions.insert(id, Arc::new(admission));
        }
        if let Some((id, rehabilitation)) = self.rehabilitation {
            r.rehabilitation.insert(id, Arc::new(rehabilitation));
        }
        Effects::default()
    }
}

/// Checks a rescue operation.
pub(super) fn check(
    state: &State,
    ctx: &Context,
    op: &RescueOp,
) -> Result<Plan, crate::ledger::Refusal> {
    let stamp = RescueStamp {
        by: ctx.signer,
        at: ctx.committed_at,
        sequence: ctx.sequence,
    };
    match op {
        RescueOp::DefineCampaign { .. } | RescueOp::Encounter { .. } => {
            outreach::check(state, ctx, op, stamp)
        }
        RescueOp::Admit { .. }
        | RescueOp::TracingNotice { .. }
        | RescueOp::ExtendStay { .. }
        | RescueOp::Discharge { .. } => station::check(state, ctx, op, stamp),
        RescueOp::Consent { .. } | RescueOp::Withdraw { .. } | RescueOp::Session { .. } => {
            rehabilitation::check(state, ctx, op, stamp)
        }
    }
}

impl State {
    /// A campaign.
    pub fn campaign(&self, id: &CampaignId) -> Option<CampaignView> {
        self.rescue.campaigns.get(id).map(|c| (**c).clone())
    }

    /// An admission.
    pub fn admission(&self, id: &AdmissionId) -> Option<AdmissionView> {
        self.rescue.admissions.get(id).map(|a| (**a).clone())
    }

    /// A person's rehabilitation (empty if none).
    pub fn rehabilitation(&self, person: &PersonId) -> RehabilitationView {
        self.rescue
            .rehabilitation
            .get(person)
            .map(|r| (**r).clone())
            .unwrap_or_default()
    }
}
