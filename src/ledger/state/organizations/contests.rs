//! Charity venture contests (公益创投大赛): defined by the bureau with a budget in fen, whose
//! grants go once per organization, within the budget, to registered organizations of the
//! contest's area that exist and are not on the serious-violation list.

use super::{Listing, MAX_CONTESTS, MAX_GRANTS, OrganizationsOp, Plan, require_active};
use crate::ledger::state::require_new;
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{
    AreaCode, KeyId, OrganizationId, OrganizationsRefusal, Refusal, Sequence, SubjectRefusal,
};

/// A grant of a contest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The organization granted.
    pub organization: OrganizationId,
    /// In fen.
    pub amount_fen: u64,
    /// The project's title.
    pub title: String,
    /// SHA-256 of the application.
    pub application: [u8; 32],
    /// Who awarded it.
    pub by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

/// A contest as the log made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestView {
    /// Its title.
    pub title: String,
    /// Its year.
    pub year: u32,
    /// The area whose organizations may be granted.
    pub area: AreaCode,
    /// The budget, in fen.
    pub budget_fen: u64,
    /// The grants, in log order.
    pub grants: Vec<Grant>,
    /// Their sum, in fen.
    pub granted_fen: u64,
    /// Who defined it.
    pub defined_by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

pub(super) fn check(state: &State, ctx: &Context, op: &OrganizationsOp) -> Result<Plan, Refusal> {
    let contests = &state.organizations.contests;
    match op {
        OrganizationsOp::DefineContest {
            contest,
            title,
            year,
            area,
            budget_fen,
        } => {
            authority::require_admin(&ctx.role, "defining a charity venture contest")?;
            state.areas.require(area)?;
            require_new(contests, contest, "contest")?;
            if contests.len() >= MAX_CONTESTS {
                return Err(OrganizationsRefusal::Full {
                    what: "contests",
                    max: MAX_CONTESTS,
                }
                .into());
            }
            Ok(Plan {
                contest: Some((
                    contest.clone(),
                    ContestView {
                        title: title.clone(),
                        year: *year,
                        area: area.clone(),
                        budget_fen: *budget_fen,
                        grants: Vec::new(),
                        granted_fen: 0,
                        defined_by: ctx.signer,
                        sequence: ctx.sequence,
                    },
                )),
                ..Plan::default()
            })
        }
        OrganizationsOp::AwardGrant {
            contest: contest_id,
            organization,
            amount_fen,
            title,
            application,
        } => {
            authority::require_admin(&ctx.role, "awarding a contest's grant")?;
            let mut contest = contests
                .get(contest_id)
                .map(|c| ContestView::clone(c))
                .ok_or_else(|| OrganizationsRefusal::UnknownContest(contest_id.to_string()))?;
            let registered = state
                .organization(organization)
                .ok_or(SubjectRefusal::UnknownOrganization(*organization))?;
            let id = organization.to_string();
            if !registered.area.is_within(&contest.area) {
                return Err(OrganizationsRefusal::OutsideContestArea {
                    organization: id,
                    area: registered.area.to_string(),
                    contest_area: contest.area.to_string(),
                }
                .into());
            }
            let mut record = state.organization_record(organization);
            require_active(organization, &record)?;
            if let Some(Listing::Serious { since, .. }) = record.listing {
                return Err(OrganizationsRefusal::OnSeriousList {
                    organization: id,
                    since: since.to_string(),
                }
                .into());
            }
            if contest
                .grants
                .iter()
                .any(|g| g.organization == *organization)
            {
                return Err(OrganizationsRefusal::GrantAwarded {
                    organization: id,
                    contest: contest_id.to_string(),
                }
                .into());
            }
            let left = contest.budget_fen.saturating_sub(contest.granted_fen);
            if *amount_fen > left {
                return Err(OrganizationsRefusal::BudgetExceeded {
                    contest: contest_id.to_string(),
                    left,
                    found: *amount_fen,
                }
                .into());
            }
            if contest.grants.len() >= MAX_GRANTS {
                return Err(OrganizationsRefusal::Full {
                    what: "a contest's grants",
                    max: MAX_GRANTS,
                }
                .into());
            }
            contest.grants.push(Grant {
                organization: *organization,
                amount_fen: *amount_fen,
                title: title.clone(),
                application: *application,
                by: ctx.signer,
                sequence: ctx.sequence,
            });
            contest.granted_fen += *amount_fen;
            if let Some(grant) = contest.grants.last() {
                record.grants.push((contest_id.clone(), grant.clone()));
            }
            Ok(Plan {
                organization: Some((*organization, record)),
                contest: Some((contest_id.clone(), contest)),
                case: None,
            })
        }
        _ => unreachable!("dispatched by organizations::check"),
    }
}
