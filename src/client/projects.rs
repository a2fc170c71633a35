//! The capital projects' operations (definitions, progress, corrections, milestones) and
//! reads.

use super::{LedgerClient, Signer};
use crate::api::auth::methods;
use crate::pb::points as pb;
use crate::pb::projects as ppb;

use ppb::projects_operation::Operation as P;

fn projects(operation: P) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Projects(ppb::ProjectsOperation {
        operation: Some(operation),
    })
}

/// Defines a capital project.
pub fn define_project(definition: ppb::DefineProject) -> pb::transaction_body::Operation {
    projects(P::DefineProject(definition))
}

/// Reports `project_id`'s cumulative investment at the end of `period` (YYYY-MM).
pub fn report_progress(
    project_id: &str,
    period: &str,
    cumulative_fen: u64,
    note: &str,
) -> pb::transaction_body::Operation {
    projects(P::ReportProgress(ppb::ReportProgress {
        project_id: project_id.into(),
        period: period.into(),
        cumulative_fen,
        note: note.into(),
    }))
}

/// Corrects `project_id`'s current cumulative investment after the audit whose report's
/// SHA-256 is `audit`.
pub fn correct_investment(
    project_id: &str,
    cumulative_fen: u64,
    audit: [u8; 32],
    reason: &str,
) -> pb::transaction_body::Operation {
    projects(P::CorrectInvestment(ppb::CorrectInvestment {
        project_id: project_id.into(),
        cumulative_fen,
        audit_sha256: audit.to_vec(),
        reason: reason.into(),
    }))
}

/// Records that `project_id` reached `milestone` on `reached_on` (days since 1970-01-01).
pub fn reach_milestone(
    project_id: &str,
    milestone: &str,
    reached_on: u32,
) -> pb::transaction_body::Operation {
    projects(P::ReachMilestone(ppb::ReachMilestone {
        project_id: project_id.into(),
        milestone: milestone.into(),
        reached_on,
    }))
}

impl LedgerClient {
    /// A capital project, as `signer`.
    pub async fn project(
        &mut self,
        signer: &Signer,
        project_id: &str,
    ) -> Result<ppb::Project, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_PROJECT,
            ppb::GetProjectRequest {
                project_id: project_id.into(),
            },
        );
        Ok(self.projects.get_project(request).await?.into_inner())
    }

    /// The portfolio (within `area_code`, if not empty; the year's columns, 0: this year), as
    /// `signer`.
    pub async fn portfolio(
        &mut self,
        signer: &Signer,
        area_code: &str,
        year: u32,
    ) -> Result<ppb::Portfolio, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_PORTFOLIO,
            ppb::GetPortfolioRequest {
                area_code: area_code.into(),
                year,
            },
        );
        Ok(self.projects.get_portfolio(request).await?.into_inner())
    }
}
