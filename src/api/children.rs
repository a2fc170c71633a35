//! `shanzhi.children.v1.ChildrenService`: a child's file and the children's network's tasks
//! (visits due by the server's clock, concern reports open), against the ledger's latest
//! published state. Children's records are the most sensitive: a file is answered only to the
//! roles of the program whose area covers the child's registered area (and bureau admins and
//! auditors), and only after the read, with its purpose, is appended to the directory's access
//! log and synced; each child a task list shows is recorded the same way. The role
//! is checked before anything is looked up, and no refusal names an area.

use std::sync::Arc;
use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::directory::blocking;
use super::paging;
use crate::directory::Directory;
use crate::ledger::{
    AreaCode, CategoryRecord, ChildFile, ChildTaskKind, ConcernReport, Refusal, ReportId, Subject,
    UnixMs, parse_memo, read_denied, require_child_reader,
};
use crate::pb::children as pb;
use crate::pb::children::children_service_server::ChildrenService;
use crate::wire::child_id;
use crate::writer::LedgerHandle;

/// Tasks a page holds unless asked otherwise.
const DEFAULT_PAGE_SIZE: u32 = 100;
/// The most tasks a page holds.
const MAX_PAGE_SIZE: u32 = 500;

/// Serves the children's program's files and tasks.
pub struct ChildrenApi {
    ledger: LedgerHandle,
    directory: Arc<Directory>,
    max_skew: Duration,
}

impl ChildrenApi {
    /// Serves `ledger`, recording reads in `directory`'s access log; read credentials up to
    /// `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, directory: Arc<Directory>, max_skew: Duration) -> Self {
        Self {
            ledger,
            directory,
            max_skew,
        }
    }
}

fn category_message(c: &CategoryRecord) -> pb::Category {
    let ended = c.ended.as_ref();
    pb::Category {
        category: c.category.name().into(),
        area_code: c.area.to_string(),
        evidence_sha256: c.evidence.to_vec(),
        set_by: c.set.0.to_string(),
        set_at_unix_ms: c.set.1.0,
        ended_by: ended.map(|e| e.0.to_string()).unwrap_or_default(),
        ended_at_unix_ms: ended.map_or(0, |e| e.1.0),
        end_reason: ended.map(|e| e.2.clone()).unwrap_or_default(),
        visit_every_days: c.category.visit_every_days(),
    }
}

fn report_message(id: &ReportId, r: &ConcernReport) -> pb::ConcernReport {
    let closed = r.closed.as_ref();
    pb::ConcernReport {
        report_id: id.0.to_vec(),
        child_id: r.child.0.to_vec(),
        source: r.source.clone(),
        area_code: r.area.to_string(),
        state: r.state.name().into(),
        reported_by: r.reported.0.to_string(),
        reported_at_unix_ms: r.reported.1.0,
        case_id: closed
            .and_then(|c| c.0)
            .map(|c| c.0.to_vec())
            .unwrap_or_default(),
        closed_by: closed.map(|c| c.1.to_string()).unwrap_or_default(),
        close_reason: closed.map(|c| c.2.clone()).unwrap_or_default(),
        closed_at_unix_ms: closed.map_or(0, |c| c.3.0),
    }
}

#[tonic::async_trait]
impl ChildrenService for ChildrenApi {
    async fn get_child(
        &self,
        request: Request<pb::GetChildRequest>,
    ) -> Result<Response<pb::ChildFile>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let child = child_id(&request.get_ref().child_id)?;
        let purpose = parse_memo("purpose", &request.get_ref().purpose, true)?;
        let key = reader.key_id();
        let (file, reports): (ChildFile, Vec<(ReportId, ConcernReport)>) = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_child_reader(&role)?;
                let not_seen = || read_denied(&role, format!("the file of child {child}"));
                if state.sees_child(&role, &child) != Some(true) {
                    return Err(not_seen());
                }
                let file = state.child_file(&child).unwrap_or_default();
                let reports = file
                    .reports
                    .iter()
                    .filter_map(|id| state.concern_report(id).map(|r| (*id, r)))
                    .collect();
                Ok::<_, Refusal>((file, reports))
            })
            .await??;
        // Recorded and synced before anything is answered.
        let directory = Arc::clone(&self.directory);
        let now = UnixMs(self.ledger.now_unix_ms());
        blocking(move || {
            directory.record_reads(
                &[Subject::Person(child)],
                key,
                &format!("child's file: {purpose}"),
                now,
            )
        })
        .await?;
        Ok(Response::new(pb::ChildFile {
            child_id: child.0.to_vec(),
            active: file.active().map(category_message),
            categories: file.categories.iter().map(category_message).collect(),
            visits: file
                .visits
                .iter()
                .map(|v| pb::ChildVisit {
                    by: v.by.to_string(),
                    at_unix_ms: v.at.0,
                    note: v.note.clone(),
                    sequence: v.sequence.get(),
                })
                .collect(),
            reports: reports
                .iter()
                .map(|(id, r)| report_message(id, r))
                .collect(),
            visit_due_unix_ms: file.visit_due().map_or(0, |d| d.0),
        }))
    }

    async fn list_child_tasks(
        &self,
        request: Request<pb::ListChildTasksRequest>,
    ) -> Result<Response<pb::ListChildTasksResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let key = reader.key_id();
        let request = request.into_inner();
        let kind = match pb::ChildTaskKind::try_from(request.kind) {
            Ok(pb::ChildTaskKind::VisitsDue) => ChildTaskKind::VisitsDue,
            Ok(pb::ChildTaskKind::OpenConcerns) => ChildTaskKind::OpenConcerns,
            _ => {
                return Err(Refusal::InvalidField {
                    field: "kind",
                    expected: "CHILD_TASK_KIND_VISITS_DUE or _OPEN_CONCERNS".into(),
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
                require_child_reader(&role)?;
                Ok::<_, Refusal>(state.child_tasks(
                    &role,
                    kind,
                    area.as_ref(),
                    UnixMs(now),
                    after,
                    limit,
                ))
            })
            .await??;
        // Each child listed is a read of a child's record: recorded before the answer.
        let directory = Arc::clone(&self.directory);
        let subjects: Vec<Subject> = page
            .tasks
            .iter()
            .map(|t| Subject::Person(t.person))
            .collect();
        blocking(move || {
            directory.record_reads(&subjects, key, "listed by ListChildTasks", UnixMs(now))
        })
        .await?;
        Ok(Response::new(pb::ListChildTasksResponse {
            tasks: page
                .tasks
                .into_iter()
                .map(|t| pb::ChildTask {
                    id: t.id.to_vec(),
                    child_id: t.person.0.to_vec(),
                    area_code: t.area.to_string(),
                    due_unix_ms: t.due.0,
                    detail: t.detail,
                })
                .collect(),
            next_page_token: page.next.map(hex::encode).unwrap_or_default(),
            as_of_unix_ms: now,
        }))
    }
}
