//! The directory service's calls about the programs' persons and organizations: identity
//! tags, near matches and the access log (`directory.rs` serves records and changes).

use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::directory::{DirectoryApi, blocking};
use super::error::ApiError;
use crate::directory::identity::{CreditCode, ResidentId};
use crate::directory::{self, DirectoryRefusal, MAX_ACCESS_EVENTS_PER_PAGE};
use crate::ledger::{
    CivilDate, Refusal, Subject, UnixMs, may_see_near_match, require_identity_tagger,
    require_log_reader, require_near_match_reader,
};
use crate::pb::directory as pb;

impl DirectoryApi {
    pub(super) async fn near_matches(
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

    pub(super) async fn tag(
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

    pub(super) async fn access_log(
        &self,
        request: Request<pb::ListAccessEventsRequest>,
    ) -> Result<Response<pb::ListAccessEventsResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let asked = request.into_inner();
        let limit = match asked.page_size as usize {
            0 => 100,
            n if n <= MAX_ACCESS_EVENTS_PER_PAGE => n,
            n => {
                return Err(Refusal::InvalidField {
                    field: "page_size",
                    expected: format!("0 (for 100) to {MAX_ACCESS_EVENTS_PER_PAGE}"),
                    found: n.to_string(),
                }
                .into());
            }
        };
        self.ledger
            .read(move |state| require_log_reader(&reader.role(state)?))
            .await??;
        let directory = Arc::clone(&self.directory);
        let from = asked.from_sequence;
        let events = blocking(move || directory.access_events(from, limit)).await?;
        let next_sequence = events.last().map_or(from, |e| e.sequence + 1);
        Ok(Response::new(pb::ListAccessEventsResponse {
            events: events
                .into_iter()
                .map(|e| pb::AccessEvent {
                    sequence: e.sequence,
                    at_unix_ms: e.at.0,
                    reader: e.reader.to_string(),
                    subject: Some(pb::Subject::from(&e.subject)),
                    purpose: e.purpose,
                    hash: e.hash.to_vec(),
                })
                .collect(),
            next_sequence,
        }))
    }
}
