//! Outreach: seasonal campaigns with their counts, and patrols' encounters, where help is
//! voluntary: a declined encounter is recorded as declined and never followed by an
//! admission.

use super::{MAX_CAMPAIGNS, MAX_RECORDS, Plan, RescueOp, RescueStamp};
use crate::ledger::state::require_new;
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{AreaCode, CampaignId, CivilDate, Refusal, RescueRefusal};

/// A campaign as the log made it, with its counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignView {
    /// Summer cool or winter warmth.
    pub kind: &'static str,
    /// Its area.
    pub area: AreaCode,
    /// Its first day.
    pub starts_on: CivilDate,
    /// Its last day.
    pub ends_on: CivilDate,
    /// Encounters within it.
    pub encounters: u64,
    /// Of those, the ones whose help was accepted.
    pub accepted: u64,
    /// Admissions from its encounters.
    pub admissions: u64,
    /// Who defined it.
    pub stamp: RescueStamp,
}

/// An encounter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncounterView {
    /// Where.
    pub area: AreaCode,
    /// Whether help was accepted.
    pub accepted: bool,
    /// Its campaign.
    pub campaign: Option<CampaignId>,
    /// Whether an admission followed.
    pub admitted: bool,
    /// Who recorded it.
    pub stamp: RescueStamp,
}

pub(super) fn campaign_of(state: &State, id: &CampaignId) -> Result<CampaignView, Refusal> {
    state
        .campaign(id)
        .ok_or_else(|| RescueRefusal::UnknownCampaign(id.to_string()).into())
}

pub(super) fn check(
    state: &State,
    ctx: &Context,
    op: &RescueOp,
    stamp: RescueStamp,
) -> Result<Plan, Refusal> {
    let r = &state.rescue;
    match op {
        RescueOp::DefineCampaign {
            campaign,
            kind,
            area,
            starts_on,
            ends_on,
        } => {
            authority::require_rescue_officer(&ctx.role, "defining a campaign", Some(area))?;
            state.areas.require(area)?;
            require_new(&r.campaigns, campaign, "campaign")?;
            if r.campaigns.len() >= MAX_CAMPAIGNS {
                return Err(RescueRefusal::Full {
                    what: "campaigns",
                    max: MAX_CAMPAIGNS,
                }
                .into());
            }
            Ok(Plan {
                campaign: Some((
                    campaign.clone(),
                    CampaignView {
                        kind,
                        area: area.clone(),
                        starts_on: *starts_on,
                        ends_on: *ends_on,
                        encounters: 0,
                        accepted: 0,
                        admissions: 0,
                        stamp,
                    },
                )),
                ..Plan::default()
            })
        }
        RescueOp::Encounter {
            encounter,
            area,
            accepted,
            campaign,
        } => {
            authority::require_rescue_officer(&ctx.role, "recording an encounter", Some(area))?;
            state.areas.require(area)?;
            require_new(&r.encounters, encounter, "encounter")?;
            if r.encounters.len() >= MAX_RECORDS {
                return Err(RescueRefusal::Full {
                    what: "encounters",
                    max: MAX_RECORDS,
                }
                .into());
            }
            let mut plan = Plan::default();
            if let Some(id) = campaign {
                let mut view = campaign_of(state, id)?;
                let today = CivilDate::of(ctx.committed_at);
                if today < view.starts_on || today > view.ends_on || !area.is_within(&view.area) {
                    return Err(RescueRefusal::CampaignNotRunning {
                        campaign: id.to_string(),
                        expected: format!(
                            "an encounter in {} from {} to {}",
                            view.area, view.starts_on, view.ends_on
                        ),
                        found: format!("one in {area} on {today}"),
                    }
                    .into());
                }
                view.encounters += 1;
                view.accepted += u64::from(*accepted);
                plan.campaign = Some((id.clone(), view));
            }
            plan.encounter = Some((
                *encounter,
                EncounterView {
                    area: area.clone(),
                    accepted: *accepted,
                    campaign: campaign.clone(),
                    admitted: false,
                    stamp,
                },
            ));
            Ok(plan)
        }
        _ => unreachable!("dispatched by rescue::check"),
    }
}
