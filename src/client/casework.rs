//! The programs' cases: the operations that open and move them and record objections to
//! their notices, and the reads of cases and case types.

use super::{LedgerClient, Signer};
use crate::api::auth::methods;
use crate::pb::casework as cw;
use crate::pb::points as pb;

fn casework(operation: cw::casework_operation::Operation) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Casework(cw::CaseworkOperation {
        operation: Some(operation),
    })
}

/// The operation opening case `case_id` of `case_type` for `person_id` in `area_code`.
pub fn open_case(
    case_id: [u8; 16],
    case_type: &str,
    person_id: [u8; 16],
    area_code: &str,
) -> pb::transaction_body::Operation {
    casework(cw::casework_operation::Operation::OpenCase(cw::OpenCase {
        case_id: case_id.to_vec(),
        case_type: case_type.into(),
        person_id: person_id.to_vec(),
        area_code: area_code.into(),
    }))
}

/// The operation moving case `case_id` to `to_state` for `reason`, with `review_cadence`
/// (empty unless `to_state` is reviewed).
pub fn transition_case(
    case_id: [u8; 16],
    to_state: &str,
    reason: &str,
    review_cadence: &str,
) -> pb::transaction_body::Operation {
    casework(cw::casework_operation::Operation::TransitionCase(
        cw::TransitionCase {
            case_id: case_id.to_vec(),
            to_state: to_state.into(),
            reason: reason.into(),
            review_cadence: review_cadence.into(),
        },
    ))
}

/// The operation recording an objection to case `case_id` on notice.
pub fn file_case_objection(case_id: [u8; 16], ground: &str) -> pb::transaction_body::Operation {
    casework(cw::casework_operation::Operation::FileObjection(
        cw::FileObjection {
            case_id: case_id.to_vec(),
            ground: ground.into(),
        },
    ))
}

/// The operation resolving objection `number` of case `case_id`.
pub fn resolve_case_objection(
    case_id: [u8; 16],
    number: u32,
    upheld: bool,
    reason: &str,
) -> pb::transaction_body::Operation {
    casework(cw::casework_operation::Operation::ResolveObjection(
        cw::ResolveObjection {
            case_id: case_id.to_vec(),
            objection: number,
            upheld,
            reason: reason.into(),
        },
    ))
}

impl LedgerClient {
    /// A case, as `signer` (a children's case needs [`LedgerClient::case_for`]).
    pub async fn case(
        &mut self,
        signer: &Signer,
        case_id: [u8; 16],
    ) -> Result<cw::Case, tonic::Status> {
        self.case_for(signer, case_id, "").await
    }

    /// A case, as `signer`, read for `purpose` (required for a children's case, whose read
    /// is recorded in the access log).
    pub async fn case_for(
        &mut self,
        signer: &Signer,
        case_id: [u8; 16],
        purpose: &str,
    ) -> Result<cw::Case, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_CASE,
            cw::GetCaseRequest {
                case_id: case_id.to_vec(),
                purpose: purpose.into(),
            },
        );
        Ok(self.casework.get_case(request).await?.into_inner())
    }

    /// One page of cases, as `signer`.
    pub async fn cases(
        &mut self,
        signer: &Signer,
        asked: cw::ListCasesRequest,
    ) -> Result<cw::ListCasesResponse, tonic::Status> {
        let request = signer.read_request(&self.ledger_id, methods::LIST_CASES, asked);
        Ok(self.casework.list_cases(request).await?.into_inner())
    }

    /// Every case type's table, as `signer`.
    pub async fn case_types(
        &mut self,
        signer: &Signer,
    ) -> Result<cw::ListCaseTypesResponse, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::LIST_CASE_TYPES,
            cw::ListCaseTypesRequest {},
        );
        Ok(self.casework.list_case_types(request).await?.into_inner())
    }
}
