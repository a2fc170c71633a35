//! `shanzhi.assistance.v1.AssistanceService`: social assistance's tasks (alerts to resolve,
//! verifications and visits due by the server's clock) and care agreements, against the
//! ledger's latest published state. The role is checked before anything is looked up, and no
//! refusal names an area.

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::paging;
use crate::ledger::{
    AgreementId, AreaCode, AssistanceRefusal, Program, Refusal, TaskKind, UnixMs, may_read_case,
    read_denied, sees_cases,
};
use crate::pb::assistance as pb;
use crate::pb::assistance::assistance_service_server::AssistanceService;
use crate::writer::LedgerHandle;

/// Tasks a page holds unless asked otherwise.
const DEFAULT_PAGE_SIZE: u32 = 100;
/// The most tasks a page holds.
const MAX_PAGE_SIZE: u32 = 500;

/// Serves social assistance's tasks and agreements.
pub struct AssistanceApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl AssistanceApi {
    /// Serves `ledger`; read credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }
}

#[tonic::async_trait]
impl AssistanceService for AssistanceApi {
    async fn list_tasks(
        &self,
        request: Request<pb::ListTasksRequest>,
    ) -> Result<Response<pb::ListTasksResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request = request.into_inner();
        let kind = match pb::TaskKind::try_from(request.kind) {
            Ok(pb::TaskKind::OpenAlerts) => TaskKind::OpenAlerts,
            Ok(pb::TaskKind::VerificationsDue) => TaskKind::VerificationsDue,
            Ok(pb::TaskKind::VisitsDue) => TaskKind::VisitsDue,
            _ => {
                return Err(Refusal::InvalidField {
                    field: "kind",
                    expected: "TASK_KIND_OPEN_ALERTS, _VERIFICATIONS_DUE or _VISITS_DUE".into(),
                    found: request.kind.to_string(),
                }
                .into());
            }
        };
        let area = match request.area_code.as_str() {
            "" => None,
            area => Some(AreaCode::parse("area_code", area)?),
        };
        let after = paging::id_page_token(&request.page_token)?;
        let limit = paging::page_size(request.page_size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
        let now = self.ledger.now_unix_ms();
        let page = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                may_read_case(&role, None)?;
                Ok::<_, Refusal>(state.assistance_tasks(
                    &role,
                    kind,
                    area.as_ref(),
                    UnixMs(now),
                    after,
                    limit,
                ))
            })
            .await??;
        Ok(Response::new(pb::ListTasksResponse {
            tasks: page
                .tasks
                .into_iter()
                .map(|t| pb::Task {
                    id: t.id.to_vec(),
                    person_id: t.person.0.to_vec(),
                    area_code: t.area.to_string(),
                    due_unix_ms: t.due.0,
                    detail: t.detail,
                })
                .collect(),
            next_page_token: page.next.map(hex::encode).unwrap_or_default(),
            as_of_unix_ms: now,
        }))
    }

    async fn get_care_agreement(
        &self,
        request: Request<pb::GetCareAgreementRequest>,
    ) -> Result<Response<pb::CareAgreement>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = AgreementId::from_slice(&request.get_ref().agreement_id)?;
        let agreement = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                may_read_case(&role, None)?;
                let agreement = state
                    .care_agreement(&id)
                    .ok_or_else(|| AssistanceRefusal::UnknownAgreement(id.to_string()))?;
                if !sees_cases(&role, Program::Assistance, &agreement.area) {
                    return Err(read_denied(&role, format!("care agreement {id}")));
                }
                Ok::<_, Refusal>(agreement)
            })
            .await??;
        Ok(Response::new(pb::CareAgreement {
            agreement_id: id.0.to_vec(),
            case_id: agreement.case.0.to_vec(),
            person_id: agreement.person.0.to_vec(),
            area_code: agreement.area.to_string(),
            caregiver_ids: agreement.caregivers.iter().map(|c| c.0.to_vec()).collect(),
            visit_every_days: agreement.visit_every_days,
            signed_at_unix_ms: agreement.signed_at.0,
            visit_due_unix_ms: agreement.visit_due().0,
            visits: agreement
                .visits
                .iter()
                .map(|(by, at, note, sequence)| pb::Visit {
                    by: by.to_string(),
                    at_unix_ms: at.0,
                    note: note.clone(),
                    sequence: sequence.get(),
                })
                .collect(),
        }))
    }
}
