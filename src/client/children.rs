//! The children's program's operations (categories, concern reports, visits) and reads.

use super::{LedgerClient, Signer};
use crate::api::auth::methods;
use crate::pb::children as cpb;
use crate::pb::points as pb;

use cpb::children_operation::Operation as C;

fn children(operation: C) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Children(cpb::ChildrenOperation {
        operation: Some(operation),
    })
}

/// Sets `child_id`'s `category`, followed up in village `area_code`, on the evidence whose
/// salted SHA-256 is `evidence`.
pub fn set_child_category(
    child_id: [u8; 16],
    category: &str,
    area_code: &str,
    evidence: [u8; 32],
) -> pb::transaction_body::Operation {
    children(C::SetChildCategory(cpb::SetChildCategory {
        child_id: child_id.to_vec(),
        category: category.into(),
        area_code: area_code.into(),
        evidence_sha256: evidence.to_vec(),
    }))
}

/// Ends `child_id`'s active category.
pub fn end_child_category(child_id: [u8; 16], reason: &str) -> pb::transaction_body::Operation {
    children(C::EndChildCategory(cpb::EndChildCategory {
        child_id: child_id.to_vec(),
        reason: reason.into(),
    }))
}

/// Records concern report `report_id` about `child_id` from `source`, in village `area_code`.
pub fn report_concern(
    report_id: [u8; 16],
    child_id: [u8; 16],
    source: &str,
    area_code: &str,
) -> pb::transaction_body::Operation {
    children(C::ReportConcern(cpb::ReportConcern {
        report_id: report_id.to_vec(),
        child_id: child_id.to_vec(),
        source: source.into(),
        area_code: area_code.into(),
    }))
}

/// Starts verifying concern report `report_id`.
pub fn verify_concern(report_id: [u8; 16]) -> pb::transaction_body::Operation {
    children(C::VerifyConcern(cpb::VerifyConcern {
        report_id: report_id.to_vec(),
    }))
}

/// Closes concern report `report_id`, with the case opened for it if any.
pub fn close_concern(
    report_id: [u8; 16],
    case_id: Option<[u8; 16]>,
    reason: &str,
) -> pb::transaction_body::Operation {
    children(C::CloseConcern(cpb::CloseConcern {
        report_id: report_id.to_vec(),
        case_id: case_id.map(|c| c.to_vec()).unwrap_or_default(),
        reason: reason.into(),
    }))
}

/// Records a visit to `child_id`.
pub fn record_child_visit(child_id: [u8; 16], note: &str) -> pb::transaction_body::Operation {
    children(C::RecordChildVisit(cpb::RecordChildVisit {
        child_id: child_id.to_vec(),
        note: note.into(),
    }))
}

impl LedgerClient {
    /// A child's file, read by `signer` for `purpose` (recorded in the access log).
    pub async fn child_file(
        &mut self,
        signer: &Signer,
        child_id: [u8; 16],
        purpose: &str,
    ) -> Result<cpb::ChildFile, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_CHILD,
            cpb::GetChildRequest {
                child_id: child_id.to_vec(),
                purpose: purpose.into(),
            },
        );
        Ok(self.children.get_child(request).await?.into_inner())
    }

    /// One page of children's tasks, as `signer`.
    pub async fn child_tasks(
        &mut self,
        signer: &Signer,
        asked: cpb::ListChildTasksRequest,
    ) -> Result<cpb::ListChildTasksResponse, tonic::Status> {
        let request = signer.read_request(&self.ledger_id, methods::LIST_CHILD_TASKS, asked);
        Ok(self.children.list_child_tasks(request).await?.into_inner())
    }
}
