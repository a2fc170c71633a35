//! The rescue station: admissions of registered or unidentified persons (one open per
//! registered person), the family-tracing notice of an unidentified person due within 24
//! hours, an adult's stay past 10 days only with a recorded reason, and a discharge once:
//! minors, elderly and disabled people only escorted, an unidentified person only after the
//! notice. Pages of an area's open admissions.

use std::ops::Bound;

use super::outreach::campaign_of;
use super::{ADULT_STAY_MS, MAX_RECORDS, Plan, RescueOp, RescueStamp, TRACING_DUE_MS};
use crate::ledger::state::require_new;
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{
    AdmissionId, AreaCode, EncounterId, PersonId, Refusal, RescueRefusal, SubjectRefusal, UnixMs,
};

/// An admission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdmissionView {
    /// The station's area.
    pub area: AreaCode,
    /// The registered person, or none for an unidentified one.
    pub person: Option<PersonId>,
    /// Adult, minor, elderly or disabled.
    pub group: &'static str,
    /// The encounter it followed.
    pub encounter: Option<EncounterId>,
    /// The tracing notice, once published: when, and its SHA-256.
    pub tracing: Option<(UnixMs, [u8; 32])>,
    /// Why an adult's stay passes 10 days.
    pub extension: Option<String>,
    /// The discharge: its escort and time.
    pub discharged: Option<(&'static str, UnixMs)>,
    /// Who admitted, when.
    pub stamp: RescueStamp,
}

impl AdmissionView {
    /// When an unidentified person's tracing notice is due.
    pub fn tracing_due(&self) -> Option<UnixMs> {
        self.person
            .is_none()
            .then(|| UnixMs(self.stamp.at.0.saturating_add(TRACING_DUE_MS)))
    }

    /// Whether, open at `now`, its tracing notice is overdue.
    pub fn tracing_overdue(&self, now: UnixMs) -> bool {
        self.discharged.is_none()
            && self.tracing.is_none()
            && self.tracing_due().is_some_and(|due| now > due)
    }

    /// Whether, open at `now`, an adult has stayed past 10 days without a recorded reason.
    pub fn stay_overdue(&self, now: UnixMs) -> bool {
        self.discharged.is_none()
            && self.group == "adult"
            && self.extension.is_none()
            && now.0 > self.stamp.at.0.saturating_add(ADULT_STAY_MS)
    }
}

/// One page of an area's open admissions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdmissionPage {
    /// The admissions, in area then id order.
    pub admissions: Vec<(AdmissionId, AdmissionView)>,
    /// The last id of the page when more follow.
    pub next: Option<AdmissionId>,
}

fn admission_of(
    state: &State,
    ctx: &Context,
    id: &AdmissionId,
    operation: &'static str,
) -> Result<AdmissionView, Refusal> {
    authority::require_rescue_officer(&ctx.role, operation, None)?;
    let admission = state
        .admission(id)
        .ok_or_else(|| RescueRefusal::UnknownAdmission(id.to_string()))?;
    authority::require_rescue_officer(&ctx.role, operation, Some(&admission.area))?;
    if let Some((escort, at)) = admission.discharged {
        return Err(RescueRefusal::Discharged {
            admission: id.to_string(),
            escort,
            at: at.0,
        }
        .into());
    }
    Ok(admission)
}

pub(super) fn check(
    state: &State,
    ctx: &Context,
    op: &RescueOp,
    stamp: RescueStamp,
) -> Result<Plan, Refusal> {
    let r = &state.rescue;
    let mut plan = Plan::default();
    let (id, admission) = match op {
        RescueOp::Admit {
            admission,
            area,
            person,
            group,
            encounter,
        } => {
            authority::require_rescue_officer(&ctx.role, "admitting a person", Some(area))?;
            state.areas.require(area)?;
            require_new(&r.admissions, admission, "admission")?;
            if r.admissions.len() >= MAX_RECORDS {
                return Err(RescueRefusal::Full {
                    what: "admissions",
                    max: MAX_RECORDS,
                }
                .into());
            }
            if let Some(p) = person {
                state.person(p).ok_or(SubjectRefusal::UnknownPerson(*p))?;
                if let Some(open) = r.open_by_person.get(p) {
                    return Err(RescueRefusal::AlreadyAdmitted {
                        person: p.to_string(),
                        admission: open.to_string(),
                    }
                    .into());
                }
            }
            if let Some(e) = encounter {
                let mut view = r
                    .encounters
                    .get(e)
                    .map(|v| super::EncounterView::clone(v))
                    .ok_or_else(|| RescueRefusal::UnknownEncounter(e.to_string()))?;
                authority::require_rescue_officer(
                    &ctx.role,
                    "admitting a person",
                    Some(&view.area),
                )?;
                // Help is voluntary: a refusal stands.
                if !view.accepted {
                    return Err(RescueRefusal::HelpDeclined(e.to_string()).into());
                }
                if view.admitted {
                    return Err(RescueRefusal::EncounterAdmitted(e.to_string()).into());
                }
                view.admitted = true;
                if let Some(c) = &view.campaign {
                    let mut campaign = campaign_of(state, c)?;
                    campaign.admissions += 1;
                    plan.campaign = Some((c.clone(), campaign));
                }
                plan.encounter = Some((*e, view));
            }
            (
                *admission,
                AdmissionView {
                    area: area.clone(),
                    person: *person,
                    group,
                    encounter: *encounter,
                    tracing: None,
                    extension: None,
                    discharged: None,
                    stamp,
                },
            )
        }
        RescueOp::TracingNotice {
            admission: id,
            notice,
        } => {
            let mut admission = admission_of(state, ctx, id, "publishing a tracing notice")?;
            if admission.person.is_some() {
                return Err(RescueRefusal::Identified(id.to_string()).into());
            }
            if admission.tracing.is_some() {
                return Err(RescueRefusal::NoticePublished(id.to_string()).into());
            }
            admission.tracing = Some((stamp.at, *notice));
            (*id, admission)
        }
        RescueOp::ExtendStay {
            admission: id,
            reason,
        } => {
            let mut admission = admission_of(state, ctx, id, "extending a stay")?;
            if admission.group != "adult" {
                return Err(RescueRefusal::StayNotLimited {
                    admission: id.to_string(),
                    group: admission.group,
                }
                .into());
            }
            if admission.extension.is_some() {
                return Err(RescueRefusal::StayExtended(id.to_string()).into());
            }
            admission.extension = Some(reason.clone());
            (*id, admission)
        }
        RescueOp::Discharge {
            admission: id,
            escort,
        } => {
            let mut admission = admission_of(state, ctx, id, "discharging a person")?;
            if *escort == "none" && admission.group != "adult" {
                return Err(RescueRefusal::Unescorted {
                    admission: id.to_string(),
                    group: admission.group,
                }
                .into());
            }
            if admission.person.is_none() && admission.tracing.is_none() {
                return Err(RescueRefusal::NoticeRequired(id.to_string()).into());
            }
            if admission.stay_overdue(stamp.at) {
                return Err(RescueRefusal::StayReasonRequired(id.to_string()).into());
            }
            admission.discharged = Some((escort, stamp.at));
            (*id, admission)
        }
        _ => unreachable!("dispatched by rescue::check"),
    };
    plan.admission = Some((id, admission));
    Ok(plan)
}

impl State {
    /// Whether `signer` may admit `person` at a station of `area`, and the person's
    /// registration: what the handler checks before it reads the directory for the person's
    /// age.
    pub fn may_admit(
        &self,
        signer: &crate::ledger::KeyId,
        area: &AreaCode,
        person: &PersonId,
    ) -> Result<crate::ledger::SubjectView, Refusal> {
        let role = self
            .key(signer)
            .map(|key| key.role.clone())
            .ok_or(Refusal::UnknownKey { key_id: *signer })?;
        authority::require_rescue_officer(&role, "admitting a person", Some(area))?;
        self.person(person)
            .ok_or_else(|| SubjectRefusal::UnknownPerson(*person).into())
    }

    /// One page of at most `size` open admissions within `area`, after `after`. The walk is
    /// the page's own entries: an area's open admissions are one range of the index.
    pub fn open_admissions(
        &self,
        area: &AreaCode,
        after: Option<AdmissionId>,
        size: usize,
    ) -> AdmissionPage {
        let r = &self.rescue;
        let from = match after.and_then(|a| r.admissions.get(&a).map(|v| (v.area.clone(), a))) {
            Some(key) => Bound::Excluded(key),
            None => Bound::Included((area.clone(), AdmissionId([0; 16]))),
        };
        let mut page = AdmissionPage::default();
        for (a, id) in r.open.range((from, Bound::Unbounded)) {
            if !a.is_within(area) {
                break;
            }
            if page.admissions.len() == size {
                page.next = page.admissions.last().map(|(i, _)| *i);
                break;
            }
            if let Some(view) = r.admissions.get(id) {
                page.admissions.push((*id, AdmissionView::clone(view)));
            }
        }
        page
    }
}
