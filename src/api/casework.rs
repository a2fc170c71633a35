//! `shanzhi.casework.v1.CaseworkService`: reading the programs' cases, against the ledger's
//! latest published state (who may read a case is in `state/authority.rs`).

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use crate::ledger::{CaseId, CaseworkRefusal, Refusal, may_read_case};
use crate::pb::casework as pb;
use crate::pb::casework::casework_service_server::CaseworkService;
use crate::writer::LedgerHandle;

/// Serves cases.
pub struct CaseworkApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl CaseworkApi {
    /// Serves the cases of `ledger`; read credentials up to `max_skew` from the server's
    /// clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }
}

#[tonic::async_trait]
impl CaseworkService for CaseworkApi {
    async fn get_case(
        &self,
        request: Request<pb::GetCaseRequest>,
    ) -> Result<Response<pb::Case>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = CaseId::from_slice(&request.get_ref().case_id)?;
        let case = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                // The role first: a key that may read no case learns nothing of which exist.
                may_read_case(&role, None)?;
                let case = state.case(&id).ok_or(CaseworkRefusal::UnknownCase(id))?;
                may_read_case(&role, Some(&case.area))?;
                Ok::<_, Refusal>(case)
            })
            .await??;
        Ok(Response::new(pb::Case {
            case_id: id.0.to_vec(),
            case_type: case.case_type.code.to_owned(),
            person_id: case.person.0.to_vec(),
            area_code: case.area.to_string(),
            state: case.state.to_owned(),
            since_unix_ms: case.since.0,
            due_unix_ms: case.due.map_or(0, |due| due.0),
            steps: case
                .steps
                .iter()
                .map(|step| pb::CaseStep {
                    from_state: step.from.unwrap_or_default().to_owned(),
                    to_state: step.to.to_owned(),
                    by: step.by.to_string(),
                    reason: step.reason.clone(),
                    at_unix_ms: step.at.0,
                    sequence: step.sequence.get(),
                })
                .collect(),
        }))
    }
}
