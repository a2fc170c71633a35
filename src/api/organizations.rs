//! `shanzhi.organizations.v1.OrganizationsService`: an organization's program record, pages of
//! the abnormal and serious-violation lists, an enforcement case and a contest, against the
//! ledger's latest published state. Records, lists and contests are public (any registered
//! key with a valid read credential); enforcement cases are read by bureau admins, auditors
//! and the organizations program officers of the case's area.

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::paging;
use crate::ledger::{
    CaseSubject, ContestId, EnforcementCaseId, Grant, Listing, OrganizationId,
    OrganizationsRefusal, Refusal, Role, State, SubjectRefusal, read_denied,
    require_enforcement_reader, sees_enforcement_case, serious_from,
};
use crate::pb::organizations as pb;
use crate::pb::organizations::organizations_service_server::OrganizationsService;
use crate::writer::LedgerHandle;

/// The page size of the lists when none is asked.
const DEFAULT_PAGE_SIZE: u32 = 100;
/// The largest page of the lists.
const MAX_PAGE_SIZE: u32 = 500;

/// Serves the social organizations.
pub struct OrganizationsApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl OrganizationsApi {
    /// Serves `ledger`; read credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }
}

fn grant_view(contest: &ContestId, g: &Grant) -> pb::GrantView {
    pb::GrantView {
        contest_id: contest.to_string(),
        organization_id: g.organization.0.to_vec(),
        amount_fen: g.amount_fen,
        project_title: g.title.clone(),
        application_sha256: g.application.to_vec(),
        by: g.by.to_string(),
        sequence: g.sequence.get(),
    }
}

fn organization(state: &State, id: OrganizationId) -> Result<pb::Organization, Refusal> {
    let registered = state
        .organization(&id)
        .ok_or(SubjectRefusal::UnknownOrganization(id))?;
    let r = state.organization_record(&id);
    let (list, ground, abnormal_since, serious_since, serious_from_date) = match r.listing {
        None => (
            String::new(),
            None,
            String::new(),
            String::new(),
            String::new(),
        ),
        Some(Listing::Abnormal { ground, since }) => (
            "abnormal".into(),
            Some(ground),
            since.to_string(),
            String::new(),
            serious_from(since).to_string(),
        ),
        Some(Listing::Serious {
            ground,
            abnormal_since,
            since,
        }) => (
            "serious".into(),
            Some(ground),
            abnormal_since.to_string(),
            since.to_string(),
            String::new(),
        ),
    };
    let grants = r.grants.iter().map(|(c, g)| grant_view(c, g)).collect();
    Ok(pb::Organization {
        organization_id: id.0.to_vec(),
        area_code: registered.area.to_string(),
        status: r.status.name().into(),
        list,
        ground: ground.map(|g| g.name().to_owned()).unwrap_or_default(),
        ground_year: ground.map_or(0, |g| g.year()),
        abnormal_since,
        serious_since,
        serious_from: serious_from_date,
        reports: r
            .reports
            .iter()
            .map(|a| pb::AnnualReport {
                year: a.year,
                report_sha256: a.report.to_vec(),
                filed_on: a.filed_on.to_string(),
                late: a.late(),
                by: a.by.to_string(),
                sequence: a.sequence.get(),
            })
            .collect(),
        inspections: r
            .inspections
            .iter()
            .map(|i| pb::AnnualInspection {
                year: i.year,
                result: i.result.into(),
                conclusion_sha256: i.conclusion.to_vec(),
                by: i.by.to_string(),
                sequence: i.sequence.get(),
            })
            .collect(),
        history: r
            .history
            .iter()
            .map(|e| {
                let ground = match e.change {
                    crate::ledger::ListingChange::Abnormal(g) => Some(g),
                    _ => None,
                };
                pb::ListingEvent {
                    event: e.change.name().into(),
                    ground: ground.map(|g| g.name().to_owned()).unwrap_or_default(),
                    ground_year: ground.map_or(0, |g| g.year()),
                    on: e.on.to_string(),
                    reason: e.reason.clone(),
                    evidence_sha256: e.evidence.map(|d| d.to_vec()).unwrap_or_default(),
                    by: e.by.to_string(),
                    sequence: e.sequence.get(),
                }
            })
            .collect(),
        open_cleanup_case_id: r.open_cleanup.map(|c| c.0.to_vec()).unwrap_or_default(),
        grants,
    })
}

#[tonic::async_trait]
impl OrganizationsService for OrganizationsApi {
    async fn get_organization(
        &self,
        request: Request<pb::GetOrganizationRequest>,
    ) -> Result<Response<pb::Organization>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = OrganizationId::from_slice(&request.get_ref().organization_id)?;
        let reply = self
            .ledger
            .read(move |state| {
                reader.role(state)?;
                organization(state, id)
            })
            .await??;
        Ok(Response::new(reply))
    }

    async fn list_listed(
        &self,
        request: Request<pb::ListListedRequest>,
    ) -> Result<Response<pb::ListListedResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let ask = request.get_ref();
        let serious = match ask.list.as_str() {
            "abnormal" => false,
            "serious" => true,
            other => {
                return Err(Refusal::InvalidField {
                    field: "list",
                    expected: "abnormal or serious".into(),
                    found: format!("{:?}", other.chars().take(32).collect::<String>()),
                }
                .into());
            }
        };
        let within = paging::within_area(&ask.area_code)?;
        let after = paging::id_page_token(&ask.page_token)?.map(OrganizationId);
        let size = paging::page_size(ask.page_size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
        let page = self
            .ledger
            .read(move |state| {
                reader.role(state)?;
                Ok::<_, Refusal>(state.listed(serious, within.as_ref(), after, size))
            })
            .await??;
        Ok(Response::new(pb::ListListedResponse {
            organizations: page
                .organizations
                .into_iter()
                .map(|l| {
                    let (since, ground) = match l.listing {
                        Listing::Abnormal { ground, since }
                        | Listing::Serious { ground, since, .. } => (since, ground),
                    };
                    pb::Listed {
                        organization_id: l.organization.0.to_vec(),
                        area_code: l.area.to_string(),
                        since: since.to_string(),
                        ground: ground.name().into(),
                        ground_year: ground.year(),
                    }
                })
                .collect(),
            next_page_token: page.next.map(|n| hex::encode(n.0)).unwrap_or_default(),
            total: page.total,
        }))
    }

    async fn get_enforcement_case(
        &self,
        request: Request<pb::GetEnforcementCaseRequest>,
    ) -> Result<Response<pb::EnforcementCase>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = EnforcementCaseId::from_slice(&request.get_ref().case_id)?;
        let c = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_enforcement_reader(&role)?;
                // To an officer, an unknown case reads as one out of scope: cases may carry a
                // report's context, and their ids say nothing to other areas.
                let denied = || read_denied(&role, format!("enforcement case {id}"));
                let case = match state.enforcement_case(&id) {
                    Some(case) => case,
                    None if matches!(role, Role::BureauAdmin | Role::Auditor) => {
                        return Err(OrganizationsRefusal::UnknownCase(id.to_string()).into());
                    }
                    None => return Err(denied()),
                };
                if !sees_enforcement_case(&role, &case.area) {
                    return Err(denied());
                }
                Ok::<_, Refusal>(case)
            })
            .await??;
        let (organization_id, name) = match &c.subject {
            CaseSubject::Cleanup(o) => (o.0.to_vec(), String::new()),
            CaseSubject::Illegal { name, .. } => (Vec::new(), name.clone()),
        };
        let closed = c.closed.as_ref();
        Ok(Response::new(pb::EnforcementCase {
            case_id: id.0.to_vec(),
            kind: c.subject.kind().into(),
            organization_id,
            area_code: c.area.to_string(),
            name,
            ground: c.ground.clone(),
            evidence_sha256: c.evidence.to_vec(),
            opened_on: c.opened_on.to_string(),
            opened_by: c.opened_by.to_string(),
            sequence: c.sequence.get(),
            outcome: closed.map(|x| x.outcome.to_owned()).unwrap_or_default(),
            decision_sha256: closed.map(|x| x.decision.to_vec()).unwrap_or_default(),
            closing_reason: closed.map(|x| x.reason.clone()).unwrap_or_default(),
            closed_on: closed.map(|x| x.on.to_string()).unwrap_or_default(),
            closed_by: closed.map(|x| x.by.to_string()).unwrap_or_default(),
        }))
    }

    async fn get_contest(
        &self,
        request: Request<pb::GetContestRequest>,
    ) -> Result<Response<pb::Contest>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = ContestId::parse("contest_id", &request.get_ref().contest_id)?;
        let key = id.clone();
        let c = self
            .ledger
            .read(move |state| {
                reader.role(state)?;
                state.contest(&key).ok_or_else(|| {
                    Refusal::from(OrganizationsRefusal::UnknownContest(key.to_string()))
                })
            })
            .await??;
        Ok(Response::new(pb::Contest {
            contest_id: id.to_string(),
            title: c.title.clone(),
            year: c.year,
            area_code: c.area.to_string(),
            budget_fen: c.budget_fen,
            granted_fen: c.granted_fen,
            grants: c.grants.iter().map(|g| grant_view(&id, g)).collect(),
            defined_by: c.defined_by.to_string(),
            sequence: c.sequence.get(),
        }))
    }
}
