//! `shanzhi.projects.v1.ProjectsService`: a capital project's record and the portfolio of
//! planned against invested, against the ledger's latest published state. Bureau admins and
//! auditors read every project, projects program officers those of their area; the role is
//! checked before anything is looked up, and no refusal names an area.

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::paging;
use crate::ledger::{
    CivilDate, Figure, Milestone, ProjectId, ProjectView, ProjectsRefusal, Refusal, UnixMs,
    read_denied, reads_everything, require_project_reader, sees_projects,
};
use crate::pb::projects as pb;
use crate::pb::projects::projects_service_server::ProjectsService;
use crate::writer::LedgerHandle;

/// Serves the capital projects.
pub struct ProjectsApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl ProjectsApi {
    /// Serves `ledger`; read credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }
}

fn milestone_message(m: &Milestone) -> pb::MilestoneView {
    pb::MilestoneView {
        code: m.code.clone(),
        title: m.title.clone(),
        due_date: m.due.to_string(),
        reached_on: m.reached.map(|r| r.0.to_string()).unwrap_or_default(),
        reached_by: m.reached.map(|r| r.1.to_string()).unwrap_or_default(),
    }
}

fn figure_message(f: &Figure) -> pb::Figure {
    pb::Figure {
        period: f.period.to_string(),
        cumulative_fen: f.cumulative_fen,
        correction: f.audit.is_some(),
        text: f.text.clone(),
        audit_sha256: f.audit.map(|a| a.to_vec()).unwrap_or_default(),
        by: f.by.to_string(),
        at_unix_ms: f.at.get(),
        sequence: f.sequence.get(),
    }
}

fn project_message(p: &ProjectView) -> pb::Project {
    pb::Project {
        project_id: p.id.to_string(),
        name: p.name.clone(),
        area_code: p.area.to_string(),
        planned_fen: p.planned_fen,
        years: p
            .years
            .iter()
            .map(|y| pb::YearPlanView {
                year: y.year,
                planned_fen: y.planned_fen,
            })
            .collect(),
        milestones: p.milestones.iter().map(milestone_message).collect(),
        approval_sha256: p.approval.to_vec(),
        invested_fen: p.invested_fen(),
        figures: p.figures.iter().map(figure_message).collect(),
        defined_by: p.defined_by.to_string(),
        sequence: p.sequence.get(),
    }
}

#[tonic::async_trait]
impl ProjectsService for ProjectsApi {
    async fn get_project(
        &self,
        request: Request<pb::GetProjectRequest>,
    ) -> Result<Response<pb::Project>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = ProjectId::parse("project_id", &request.get_ref().project_id)?;
        let project = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_project_reader(&role)?;
                // An unknown project reads as one out of scope to a reader who does not see
                // every project.
                let project = state.project(&id).ok_or_else(|| {
                    if reads_everything(&role) {
                        Refusal::from(ProjectsRefusal::UnknownProject(id.to_string()))
                    } else {
                        read_denied(&role, format!("project {id}"))
                    }
                })?;
                if !sees_projects(&role, &project.area) {
                    return Err(read_denied(&role, format!("project {id}")));
                }
                Ok::<_, Refusal>(project)
            })
            .await??;
        Ok(Response::new(project_message(&project)))
    }

    async fn get_portfolio(
        &self,
        request: Request<pb::GetPortfolioRequest>,
    ) -> Result<Response<pb::Portfolio>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let ask = request.get_ref();
        let within = paging::within_area(&ask.area_code)?;
        let now = UnixMs(self.ledger.now_unix_ms());
        let year = paging::year_or_this(ask.year, now)?;
        let portfolio = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_project_reader(&role)?;
                Ok::<_, Refusal>(state.portfolio(&role, within.as_ref(), year, CivilDate::of(now)))
            })
            .await??;
        let mut reply = pb::Portfolio {
            year: portfolio.year,
            ..Default::default()
        };
        for line in &portfolio.lines {
            let p = &line.project;
            reply.planned_fen += p.planned_fen;
            reply.invested_fen += line.invested_fen;
            reply.year_planned_fen += line.year_planned_fen;
            reply.year_invested_fen += line.year_invested_fen;
            reply.lines.push(pb::PortfolioLine {
                project_id: p.id.to_string(),
                name: p.name.clone(),
                area_code: p.area.to_string(),
                planned_fen: p.planned_fen,
                invested_fen: line.invested_fen,
                completion_per_mille: line.completion_per_mille,
                year_planned_fen: line.year_planned_fen,
                year_invested_fen: line.year_invested_fen,
                milestones_reached: line.milestones_reached,
                milestones_total: u32::try_from(p.milestones.len()).unwrap_or(0),
                milestones_overdue: line.milestones_overdue,
                last_period: p.last_period().map(|p| p.to_string()).unwrap_or_default(),
            });
        }
        Ok(Response::new(reply))
    }
}
