//! `shanzhi.casework.v1.CaseworkService`: reading the programs' cases and case types,
//! against the ledger's latest published state (who may read a case is in
//! `state/authority/programs.rs`).

use std::sync::Arc;
use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::directory::blocking;
use super::paging;
use crate::directory::Directory;
use crate::ledger::case_types::{self, Actor, CaseType};
use crate::ledger::{
    AreaCode, CaseFilter, CaseId, CaseQuery, CaseView, CaseworkRefusal, KeyId, PersonId, Program,
    Refusal, Subject, UnixMs, may_read_case, parse_memo,
};
use crate::pb::casework as pb;
use crate::pb::casework::casework_service_server::CaseworkService;
use crate::writer::LedgerHandle;

/// Cases a list page holds unless asked otherwise.
const DEFAULT_PAGE_SIZE: u32 = 100;
/// The most cases a list page holds.
const MAX_PAGE_SIZE: u32 = 500;

/// Serves cases.
pub struct CaseworkApi {
    ledger: LedgerHandle,
    directory: Arc<Directory>,
    max_skew: Duration,
}

impl CaseworkApi {
    /// Serves the cases of `ledger`, recording reads of children's cases in `directory`'s
    /// access log; read credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, directory: Arc<Directory>, max_skew: Duration) -> Self {
        Self {
            ledger,
            directory,
            max_skew,
        }
    }

    /// Records that `reader` read the children's cases of `children` for `purpose`, synced
    /// before the caller answers (nothing when there is none).
    async fn record(
        &self,
        reader: KeyId,
        children: Vec<PersonId>,
        purpose: String,
    ) -> Result<(), Status> {
        if children.is_empty() {
            return Ok(());
        }
        let directory = Arc::clone(&self.directory);
        let now = UnixMs(self.ledger.now_unix_ms());
        let subjects: Vec<Subject> = children.into_iter().map(Subject::Person).collect();
        blocking(move || directory.record_reads(&subjects, reader, &purpose, now)).await
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
        let purpose = request.get_ref().purpose.clone();
        let key = reader.key_id();
        let case = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                // The role first: a key that may read no case learns nothing of which exist.
                may_read_case(&role, None)?;
                let case = state.case(&id).ok_or(CaseworkRefusal::UnknownCase(id))?;
                may_read_case(&role, Some((case.case_type.program, &case.area)))?;
                Ok::<_, Refusal>(case)
            })
            .await??;
        if case.case_type.program == Program::Children {
            let purpose = parse_memo("purpose", &purpose, true)?;
            self.record(key, vec![case.person], format!("child's case: {purpose}"))
                .await?;
        }
        Ok(Response::new(case_message(id, case)))
    }

    async fn list_cases(
        &self,
        request: Request<pb::ListCasesRequest>,
    ) -> Result<Response<pb::ListCasesResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request = request.into_inner();
        let query = CaseQuery {
            filter: case_filter(request.filter)?,
            area: match request.area_code.as_str() {
                "" => None,
                area => Some(AreaCode::parse("area_code", area)?),
            },
            case_type: match request.case_type.as_str() {
                "" => None,
                code => Some(
                    case_types::case_type(code)
                        .ok_or_else(|| {
                            Refusal::from(CaseworkRefusal::UnknownCaseType(code.to_owned()))
                        })?
                        .1
                        .code
                        .to_owned(),
                ),
            },
            after: paging::id_page_token(&request.page_token)?.map(CaseId),
            limit: paging::page_size(request.page_size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?,
        };
        let now = self.ledger.now_unix_ms();
        let key = reader.key_id();
        let page = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                may_read_case(&role, None)?;
                Ok::<_, Refusal>(state.cases_page(&role, &query, UnixMs(now)))
            })
            .await??;
        let children = page
            .cases
            .iter()
            .filter(|(_, case)| case.case_type.program == Program::Children)
            .map(|(_, case)| case.person)
            .collect();
        self.record(key, children, "listed by ListCases".into())
            .await?;
        Ok(Response::new(pb::ListCasesResponse {
            cases: page
                .cases
                .into_iter()
                .map(|(id, case)| case_message(id, case))
                .collect(),
            next_page_token: page.next.map(|id| id.to_string()).unwrap_or_default(),
            as_of_unix_ms: now,
        }))
    }

    async fn list_case_types(
        &self,
        request: Request<pb::ListCaseTypesRequest>,
    ) -> Result<Response<pb::ListCaseTypesResponse>, Status> {
        authenticate(&request, self.ledger.keys(), self.max_skew)?;
        Ok(Response::new(pb::ListCaseTypesResponse {
            case_types: case_types::CASE_TYPES
                .iter()
                .map(|t| case_type_message(t))
                .collect(),
        }))
    }
}

/// The filter asked for; unspecified is refused, so a client that forgets it is told.
fn case_filter(filter: i32) -> Result<CaseFilter, Refusal> {
    match pb::CaseFilter::try_from(filter) {
        Ok(pb::CaseFilter::All) => Ok(CaseFilter::All),
        Ok(pb::CaseFilter::Overdue) => Ok(CaseFilter::Overdue),
        Ok(pb::CaseFilter::ReviewDue) => Ok(CaseFilter::ReviewDue),
        Ok(pb::CaseFilter::OnNotice) => Ok(CaseFilter::OnNotice),
        _ => Err(Refusal::InvalidField {
            field: "filter",
            expected: "CASE_FILTER_ALL, _OVERDUE, _REVIEW_DUE or _ON_NOTICE".into(),
            found: filter.to_string(),
        }),
    }
}

fn case_message(id: CaseId, case: CaseView) -> pb::Case {
    pb::Case {
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
        review_cadence: case.cadence.unwrap_or_default().to_owned(),
        review_due_unix_ms: case.review_due.map_or(0, |due| due.0),
        objections: case
            .objections
            .iter()
            .map(|o| {
                let resolution = o.resolution.as_ref();
                pb::CaseObjection {
                    number: o.number,
                    ground: o.ground.clone(),
                    filed_by: o.filed_by.to_string(),
                    filed_at_unix_ms: o.filed_at.0,
                    resolved: resolution.is_some(),
                    upheld: resolution.is_some_and(|r| r.upheld),
                    resolved_by: resolution.map(|r| r.by.to_string()).unwrap_or_default(),
                    resolution_reason: resolution.map(|r| r.reason.clone()).unwrap_or_default(),
                    resolved_at_unix_ms: resolution.map_or(0, |r| r.at.0),
                }
            })
            .collect(),
    }
}

/// Who takes a transition, in the words of the listing.
fn actor_name(actor: Actor) -> String {
    match actor {
        Actor::Caseworker => "caseworker".into(),
        Actor::Reviewer(tier) => format!("{} reviewer", tier.name()),
        Actor::ChildDirector => "child director".into(),
        Actor::ChildSupervisor => "child supervisor".into(),
    }
}

fn case_type_message(table: &CaseType) -> pb::CaseType {
    pb::CaseType {
        code: table.code.to_owned(),
        program: table.program.name().to_owned(),
        states: table
            .states
            .iter()
            .map(|s| pb::CaseTypeState {
                name: s.name.to_owned(),
                deadline_days: s.deadline_days.unwrap_or(0),
                decided: s.decided,
            })
            .collect(),
        transitions: table
            .transitions
            .iter()
            .map(|t| pb::CaseTypeTransition {
                from_state: t.from.to_owned(),
                to_state: t.to.to_owned(),
                actor: actor_name(t.by),
                after_days: t.after_days,
            })
            .collect(),
        notice_state: table
            .notice
            .as_ref()
            .map(|n| n.state.to_owned())
            .unwrap_or_default(),
        objections_resolved_by: table
            .notice
            .as_ref()
            .map(|n| actor_name(n.resolved_by))
            .unwrap_or_default(),
        objection_upheld_to: table
            .notice
            .as_ref()
            .map(|n| n.upheld_to.to_owned())
            .unwrap_or_default(),
        review_state: table
            .review
            .as_ref()
            .map(|r| r.state.to_owned())
            .unwrap_or_default(),
        review_cadences: table
            .review
            .iter()
            .flat_map(|r| r.cadences)
            .map(|c| pb::CaseTypeCadence {
                name: c.name.to_owned(),
                days: c.days,
            })
            .collect(),
    }
}
