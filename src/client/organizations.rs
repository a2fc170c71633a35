//! The social organizations' operations (annual reports and inspections, the abnormal and
//! serious lists, enforcement cases, contests and grants) and reads.

use super::{LedgerClient, Signer};
use crate::api::auth::methods;
use crate::pb::organizations as lpb;
use crate::pb::points as pb;

use lpb::organizations_operation::Operation as L;

fn organizations(operation: L) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Organizations(lpb::OrganizationsOperation {
        operation: Some(operation),
    })
}

/// Files an organization's annual report for a year.
pub fn file_annual_report(
    organization_id: [u8; 16],
    year: u32,
    report_sha256: [u8; 32],
) -> pb::transaction_body::Operation {
    organizations(L::FileAnnualReport(lpb::FileAnnualReport {
        organization_id: organization_id.to_vec(),
        year,
        report_sha256: report_sha256.to_vec(),
    }))
}

/// Records the annual inspection of a year's report.
pub fn record_annual_inspection(
    organization_id: [u8; 16],
    year: u32,
    result: &str,
    conclusion_sha256: [u8; 32],
) -> pb::transaction_body::Operation {
    organizations(L::RecordAnnualInspection(lpb::RecordAnnualInspection {
        organization_id: organization_id.to_vec(),
        year,
        result: result.into(),
        conclusion_sha256: conclusion_sha256.to_vec(),
    }))
}

/// Puts an organization on the abnormal list: for the report of `missing_year` missing
/// (`Some`), or as unreachable with the failed contacts' record (`None`, `evidence`).
pub fn list_abnormal(
    organization_id: [u8; 16],
    missing_year: Option<u32>,
    evidence_sha256: Option<[u8; 32]>,
) -> pb::transaction_body::Operation {
    organizations(L::ListAbnormal(lpb::ListAbnormal {
        organization_id: organization_id.to_vec(),
        ground: if missing_year.is_some() {
            "missing-report"
        } else {
            "unreachable"
        }
        .into(),
        year: missing_year.unwrap_or(0),
        evidence_sha256: evidence_sha256.map(|e| e.to_vec()).unwrap_or_default(),
    }))
}

/// Removes an organization from the abnormal list (with the record of contact restored, for
/// an unreachable one).
pub fn remove_from_abnormal_list(
    organization_id: [u8; 16],
    evidence_sha256: Option<[u8; 32]>,
    reason: &str,
) -> pb::transaction_body::Operation {
    organizations(L::RemoveFromAbnormalList(lpb::RemoveFromAbnormalList {
        organization_id: organization_id.to_vec(),
        evidence_sha256: evidence_sha256.map(|e| e.to_vec()).unwrap_or_default(),
        reason: reason.into(),
    }))
}

/// Moves an organization from the abnormal list to the serious-violation list.
pub fn list_serious(organization_id: [u8; 16], reason: &str) -> pb::transaction_body::Operation {
    organizations(L::ListSerious(lpb::ListSerious {
        organization_id: organization_id.to_vec(),
        reason: reason.into(),
    }))
}

/// Opens an enforcement case.
pub fn open_enforcement_case(case: lpb::OpenEnforcementCase) -> pb::transaction_body::Operation {
    organizations(L::OpenEnforcementCase(case))
}

/// Closes enforcement case `case_id` with `outcome`.
pub fn close_enforcement_case(
    case_id: [u8; 16],
    outcome: &str,
    decision_sha256: [u8; 32],
    reason: &str,
) -> pb::transaction_body::Operation {
    organizations(L::CloseEnforcementCase(lpb::CloseEnforcementCase {
        case_id: case_id.to_vec(),
        outcome: outcome.into(),
        decision_sha256: decision_sha256.to_vec(),
        reason: reason.into(),
    }))
}

/// Defines a charity venture contest.
pub fn define_contest(contest: lpb::DefineContest) -> pb::transaction_body::Operation {
    organizations(L::DefineContest(contest))
}

/// Awards a contest's grant.
pub fn award_grant(grant: lpb::AwardGrant) -> pb::transaction_body::Operation {
    organizations(L::AwardGrant(grant))
}

impl LedgerClient {
    /// An organization's program record, as `signer`.
    pub async fn organization(
        &mut self,
        signer: &Signer,
        organization_id: [u8; 16],
    ) -> Result<lpb::Organization, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_ORGANIZATION,
            lpb::GetOrganizationRequest {
                organization_id: organization_id.to_vec(),
            },
        );
        Ok(self
            .organizations
            .get_organization(request)
            .await?
            .into_inner())
    }

    /// One page of a list ("abnormal" or "serious"), as `signer`.
    pub async fn listed(
        &mut self,
        signer: &Signer,
        ask: lpb::ListListedRequest,
    ) -> Result<lpb::ListListedResponse, tonic::Status> {
        let request = signer.read_request(&self.ledger_id, methods::LIST_LISTED, ask);
        Ok(self.organizations.list_listed(request).await?.into_inner())
    }

    /// An enforcement case, as `signer`.
    pub async fn enforcement_case(
        &mut self,
        signer: &Signer,
        case_id: [u8; 16],
    ) -> Result<lpb::EnforcementCase, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_ENFORCEMENT_CASE,
            lpb::GetEnforcementCaseRequest {
                case_id: case_id.to_vec(),
            },
        );
        Ok(self
            .organizations
            .get_enforcement_case(request)
            .await?
            .into_inner())
    }

    /// A contest with its grants, as `signer`.
    pub async fn contest(
        &mut self,
        signer: &Signer,
        contest_id: &str,
    ) -> Result<lpb::Contest, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_CONTEST,
            lpb::GetContestRequest {
                contest_id: contest_id.into(),
            },
        );
        Ok(self.organizations.get_contest(request).await?.into_inner())
    }
}
