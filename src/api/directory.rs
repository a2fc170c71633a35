//! `shanzhi.directory.v1.DirectoryService`: signed changes to the directory of personal data
//! and authenticated reads of it. Who may change and read a record is decided against the
//! ledger's latest published state (`state/authority.rs`); the directory itself only keeps
//! the records.

use std::sync::Arc;
use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::error::ApiError;
use crate::directory::{
    self, Directory, DirectoryRefusal, MAX_CURSOR_BYTES, MAX_RECORDS_PER_PAGE,
    MAX_SUBJECTS_PER_READ, RecordState,
};
use crate::ledger::{CivilDate, Refusal, Subject, UnixMs, parse_memo, require_directory_exporter};
use crate::pb::directory as pb;
use crate::pb::directory::directory_service_server::DirectoryService;
use crate::writer::LedgerHandle;

/// Serves the directory beside the ledger.
pub struct DirectoryApi {
    pub(super) ledger: LedgerHandle,
    pub(super) directory: Arc<Directory>,
    pub(super) max_skew: Duration,
}

impl DirectoryApi {
    /// Serves `directory`, authorizing against `ledger`; read credentials up to `max_skew`
    /// from the server's clock.
    pub fn new(ledger: LedgerHandle, directory: Arc<Directory>, max_skew: Duration) -> Self {
        Self {
            ledger,
            directory,
            max_skew,
        }
    }
}

/// Runs a directory call (synced disk I/O under the directory's lock) off the runtime.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, directory::DirectoryError> + Send + 'static,
) -> Result<T, Status> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(format!("a directory call did not finish: {e}")))?
        .map_err(Status::from)
}

#[tonic::async_trait]
impl DirectoryService for DirectoryApi {
    async fn change(
        &self,
        request: Request<pb::ChangeRequest>,
    ) -> Result<Response<pb::ChangeResponse>, Status> {
        let signed = request
            .into_inner()
            .change
            .ok_or_else(|| Refusal::InvalidField {
                field: "change",
                expected: "a SignedChange".into(),
                found: "nothing".into(),
            })?;
        let today = CivilDate::of(UnixMs(self.ledger.now_unix_ms()));
        let change = directory::admit(&signed, self.ledger.keys(), today)?;
        let (signer, subject) = (change.signer, change.subject.clone());
        let details = match &change.kind {
            directory::ChangeKind::Set(_, details) => details.clone(),
            directory::ChangeKind::Erase => None,
        };
        // Where the person lives is one of the ledger's areas; a hukou may be anywhere in
        // China (a division code, checked for its form only).
        let areas = match &details {
            Some(directory::Details::Person(person)) => vec![person.residence_area.clone()],
            _ => Vec::new(),
        };
        let registered = self
            .ledger
            .read(move |state| {
                let role = state.active_role(&signer)?;
                state.authorize_record_change(role, &subject)?;
                areas.iter().try_for_each(|area| state.require_area(area))?;
                Ok::<_, Refusal>(state.program_subject(&subject)?.map(|(_, tag)| tag))
            })
            .await??;
        // A person's number, or an organization's code, is the one it was registered with.
        if let (Some(registered), Some(details)) = (registered, &details)
            && self.directory.identity().details_tag(details) != Some(registered)
        {
            return Err(ApiError::Directory(DirectoryRefusal::IdentityMismatch {
                subject: change.subject.clone(),
            })
            .into());
        }
        let now = UnixMs(self.ledger.now_unix_ms());
        let directory = Arc::clone(&self.directory);
        let record = blocking(move || directory.apply(&change, now)).await?;
        Ok(Response::new(pb::ChangeResponse {
            record: Some(pb::Record::from(&record)),
        }))
    }

    async fn get_records(
        &self,
        request: Request<pb::GetRecordsRequest>,
    ) -> Result<Response<pb::GetRecordsResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let asked = &request.get_ref().subjects;
        if asked.is_empty() || asked.len() > MAX_SUBJECTS_PER_READ {
            return Err(ApiError::Directory(DirectoryRefusal::SubjectCount {
                found: asked.len(),
                max: MAX_SUBJECTS_PER_READ,
            })
            .into());
        }
        let subjects = asked
            .iter()
            .map(Subject::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        // A person's read is recorded with its purpose (`directory/access.rs`).
        let persons = subjects.iter().any(|s| matches!(s, Subject::Person(_)));
        let purpose = parse_memo("purpose", &request.get_ref().purpose, persons)?;
        let key = reader.key_id();
        let checked = subjects.clone();
        self.ledger
            .read(move |state| {
                let role = reader.role(state)?;
                checked
                    .iter()
                    .try_for_each(|subject| state.authorize_record_read(&role, subject))
            })
            .await??;
        let directory = Arc::clone(&self.directory);
        let now = UnixMs(self.ledger.now_unix_ms());
        let records =
            blocking(move || directory.read_records(&subjects, key, &purpose, now)).await?;
        Ok(Response::new(pb::GetRecordsResponse {
            records: records.iter().map(pb::Record::from).collect(),
        }))
    }

    async fn list_near_matches(
        &self,
        request: Request<pb::ListNearMatchesRequest>,
    ) -> Result<Response<pb::ListNearMatchesResponse>, Status> {
        self.near_matches(request).await
    }

    async fn identity_tag(
        &self,
        request: Request<pb::IdentityTagRequest>,
    ) -> Result<Response<pb::IdentityTagResponse>, Status> {
        self.tag(request).await
    }

    async fn list_access_events(
        &self,
        request: Request<pb::ListAccessEventsRequest>,
    ) -> Result<Response<pb::ListAccessEventsResponse>, Status> {
        self.access_log(request).await
    }

    async fn export_records(
        &self,
        request: Request<pb::ExportRecordsRequest>,
    ) -> Result<Response<pb::ExportRecordsResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let after = request.into_inner().after;
        if after.len() > MAX_CURSOR_BYTES {
            return Err(Refusal::InvalidField {
                field: "after",
                expected: format!(
                    "empty, or the next_cursor of an earlier page (at most {MAX_CURSOR_BYTES} \
                     bytes)"
                ),
                found: format!("{} bytes", after.len()),
            }
            .into());
        }
        let key = reader.key_id();
        self.ledger
            .read(move |state| require_directory_exporter(&reader.role(state)?))
            .await??;
        // Every page is logged (a page asked from any cursor holds personal data), the first
        // as the export's start.
        if after.is_empty() {
            tracing::info!(reader = %key, "the directory of personal data is being exported");
        } else {
            tracing::info!(reader = %key, after = %hex::encode(&after), "a page of the directory of personal data is being exported");
        }
        let directory = Arc::clone(&self.directory);
        let page = blocking(move || directory.export(&after, MAX_RECORDS_PER_PAGE)).await?;
        Ok(Response::new(pb::ExportRecordsResponse {
            records: page
                .records
                .iter()
                .map(|exported| pb::ExportedRecord {
                    record: Some(pb::Record::from(&exported.record)),
                    change_hash: exported.change_hash.to_vec(),
                })
                .collect(),
            next_cursor: page.next.unwrap_or_default(),
        }))
    }
}

impl From<&directory::Record> for pb::Record {
    fn from(record: &directory::Record) -> Self {
        let state = match record.state {
            RecordState::Absent => pb::RecordState::Absent,
            RecordState::Present => pb::RecordState::Present,
            RecordState::Erased => pb::RecordState::Erased,
        };
        let change = record.last_change.as_ref();
        pb::Record {
            subject: Some(pb::Subject::from(&record.subject)),
            state: state.into(),
            revision: record.revision,
            display_name: record.display_name.clone().unwrap_or_default(),
            changed_at_unix_ms: change.map_or(0, |c| c.at.0),
            changed_by: change.map(|c| c.by.to_string()).unwrap_or_default(),
            reason: change.map(|c| c.reason.clone()).unwrap_or_default(),
            person: match &record.details {
                Some(directory::Details::Person(person)) => Some(person.into()),
                _ => None,
            },
            organization: match &record.details {
                Some(directory::Details::Organization(organization)) => Some(organization.into()),
                _ => None,
            },
        }
    }
}
