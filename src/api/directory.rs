//! `shanzhi.directory.v1.DirectoryService`: signed changes to the directory of personal data
//! and authenticated reads of it. Who may change and read a record is decided against the
//! ledger's latest published state (`state/authority.rs`); the directory itself only keeps
//! the records.

use std::sync::Arc;
use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::error::ApiError;
use crate::directory::identity::{CreditCode, ResidentId};
use crate::directory::{
    self, Directory, DirectoryRefusal, MAX_CURSOR_BYTES, MAX_RECORDS_PER_PAGE,
    MAX_SUBJECTS_PER_READ, RecordState,
};
use crate::ledger::{
    CivilDate, Refusal, Subject, UnixMs, may_see_near_match, require_directory_exporter,
    require_identity_tagger, require_near_match_reader,
};
use crate::pb::directory as pb;
use crate::pb::directory::directory_service_server::DirectoryService;
use crate::writer::LedgerHandle;

/// Serves the directory beside the ledger.
pub struct DirectoryApi {
    ledger: LedgerHandle,
    directory: Arc<Directory>,
    max_skew: Duration,
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
async fn blocking<T: Send + 'static>(
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
        let records = blocking(move || directory.records(&subjects)).await?;
        Ok(Response::new(pb::GetRecordsResponse {
            records: records.iter().map(pb::Record::from).collect(),
        }))
    }

    async fn list_near_matches(
        &self,
        request: Request<pb::ListNearMatchesRequest>,
    ) -> Result<Response<pb::ListNearMatchesResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let after = request.into_inner().after;
        if !after.is_empty() && after.len() != directory::NEAR_CURSOR_BYTES {
            return Err(Refusal::InvalidField {
                field: "after",
                expected: format!(
                    "empty, or the next_cursor of an earlier page ({} bytes)",
                    directory::NEAR_CURSOR_BYTES
                ),
                found: format!("{} bytes", after.len()),
            }
            .into());
        }
        let role = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_near_match_reader(&role)?;
                Ok::<_, Refusal>(role)
            })
            .await??;
        let directory = Arc::clone(&self.directory);
        let page = blocking(move || directory.near_matches(&after)).await?;
        let next_cursor = page.next.clone().unwrap_or_default();
        // Registered persons only, a group the reader may see, with a pair not yet reviewed.
        let matches = self
            .ledger
            .read(move |state| {
                page.groups
                    .into_iter()
                    .filter_map(|group| {
                        let known: Vec<_> = group
                            .into_iter()
                            .filter_map(|p| state.person(&p).map(|view| (p, view.area)))
                            .collect();
                        let areas: Vec<_> = known.iter().map(|(_, area)| area.clone()).collect();
                        let open = known.iter().enumerate().any(|(i, (a, _))| {
                            known[i + 1..]
                                .iter()
                                .any(|(b, _)| !state.near_match_reviewed(a, b))
                        });
                        (known.len() > 1 && open && may_see_near_match(&role, &areas)).then(|| {
                            pb::NearMatch {
                                person_ids: known.iter().map(|(p, _)| p.0.to_vec()).collect(),
                            }
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .await?;
        Ok(Response::new(pb::ListNearMatchesResponse {
            matches,
            next_cursor,
        }))
    }

    async fn identity_tag(
        &self,
        request: Request<pb::IdentityTagRequest>,
    ) -> Result<Response<pb::IdentityTagResponse>, Status> {
        use pb::identity_tag_request::Number;
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let key = reader.key_id();
        let role = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_identity_tagger(&role)?;
                Ok::<_, Refusal>(role)
            })
            .await??;
        let today = CivilDate::of(UnixMs(self.ledger.now_unix_ms()));
        let identity = self.directory.identity();
        let (tag, birth, sex, person) = match request.into_inner().number {
            Some(Number::ResidentIdNumber(text)) => {
                let id = ResidentId::parse(&text, today).map_err(|m| {
                    ApiError::Directory(DirectoryRefusal::MalformedIdNumber {
                        expected: m.expected,
                        found: m.found,
                    })
                })?;
                let tag = identity.resident_tag(&id);
                (tag, id.birth_date().get(), id.sex().name(), true)
            }
            Some(Number::CreditCode(text)) => {
                let code = CreditCode::parse(&text).map_err(|m| {
                    ApiError::Directory(DirectoryRefusal::MalformedCreditCode {
                        expected: m.expected,
                        found: m.found,
                    })
                })?;
                (identity.credit_tag(&code), 0, "", false)
            }
            None => {
                return Err(Refusal::InvalidField {
                    field: "number",
                    expected: "resident_id_number or credit_code".into(),
                    found: "nothing".into(),
                }
                .into());
            }
        };
        let asker = role.clone();
        let holder = self
            .ledger
            .read(move |state| {
                let holder = if person {
                    state.person_with_tag(&tag).map(Subject::Person)
                } else {
                    state.organization_with_tag(&tag).map(Subject::Organization)
                };
                holder.map(|subject| {
                    let covered = state.authorize_record_read(&asker, &subject).is_ok();
                    let id = match subject {
                        Subject::Person(id) => id.0,
                        Subject::Organization(id) => id.0,
                        Subject::Household(_) | Subject::Member(_) => [0; 16],
                    };
                    (id, covered)
                })
            })
            .await?;
        // Who asked and the tag's first bytes, never the number.
        tracing::info!(reader = %key, role = %role, tag = %tag, registered = holder.is_some(), "an identity tag was asked for");
        Ok(Response::new(pb::IdentityTagResponse {
            tag: tag.0.to_vec(),
            registered_id: match holder {
                Some((id, true)) => id.to_vec(),
                _ => Vec::new(),
            },
            birth_date: birth,
            sex: sex.to_owned(),
            registered_elsewhere: matches!(holder, Some((_, false))),
        }))
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
