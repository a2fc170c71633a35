//! `shanzhi.rescue.v1.RescueService`: an admission, a campaign's counts, a person's
//! rehabilitation and the open admissions of an area, against the ledger's latest published
//! state. Rescue and rehabilitation clients' records are sensitive: bureau admins, auditors
//! and the rescue officers of the record's area read them, and each read of a registered
//! person's admission or rehabilitation is recorded, with its purpose, in the directory's
//! access log before it is answered.

use std::sync::Arc;
use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::directory::blocking;
use super::paging;
use crate::directory::Directory;
use crate::ledger::{
    AdmissionId, AdmissionView, AreaCode, CampaignId, KeyId, PersonId, Refusal, RescueRefusal,
    Subject, SubjectRefusal, UnixMs, parse_memo, read_denied, require_rescue_reader, sees_rescue,
};
use crate::pb::rescue as pb;
use crate::pb::rescue::rescue_service_server::RescueService;
use crate::writer::LedgerHandle;

/// The page size of the open admissions when none is asked.
const DEFAULT_PAGE_SIZE: u32 = 100;
/// The largest page of the open admissions.
const MAX_PAGE_SIZE: u32 = 500;

/// Serves rescue records.
pub struct RescueApi {
    ledger: LedgerHandle,
    directory: Arc<Directory>,
    max_skew: Duration,
}

impl RescueApi {
    /// Serves `ledger`, recording reads of persons' records in `directory`'s access log; read
    /// credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, directory: Arc<Directory>, max_skew: Duration) -> Self {
        Self {
            ledger,
            directory,
            max_skew,
        }
    }

    /// Records a read of `person`'s record by `key`, synced before the answer.
    async fn record_read(
        &self,
        person: PersonId,
        key: KeyId,
        purpose: String,
    ) -> Result<(), Status> {
        let directory = Arc::clone(&self.directory);
        let now = UnixMs(self.ledger.now_unix_ms());
        blocking(move || directory.record_reads(&[Subject::Person(person)], key, &purpose, now))
            .await?;
        Ok(())
    }
}

fn admission_message(id: AdmissionId, a: &AdmissionView, now: UnixMs) -> pb::Admission {
    pb::Admission {
        admission_id: id.0.to_vec(),
        area_code: a.area.to_string(),
        person_id: a.person.map(|p| p.0.to_vec()).unwrap_or_default(),
        group: a.group.into(),
        admitted_at_unix_ms: a.stamp.at.0,
        tracing_due_unix_ms: a.tracing_due().map_or(0, |d| d.0),
        tracing_published_unix_ms: a.tracing.map_or(0, |(at, _)| at.0),
        extension_reason: a.extension.clone().unwrap_or_default(),
        escort: a.discharged.map(|(e, _)| e.to_owned()).unwrap_or_default(),
        discharged_at_unix_ms: a.discharged.map_or(0, |(_, at)| at.0),
        tracing_overdue: a.tracing_overdue(now),
        stay_overdue: a.stay_overdue(now),
    }
}

#[tonic::async_trait]
impl RescueService for RescueApi {
    async fn get_admission(
        &self,
        request: Request<pb::GetAdmissionRequest>,
    ) -> Result<Response<pb::Admission>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = AdmissionId::from_slice(&request.get_ref().admission_id)?;
        let purpose = parse_memo("purpose", &request.get_ref().purpose, true)?;
        let key = reader.key_id();
        let admission = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_rescue_reader(&role)?;
                let admission = state
                    .admission(&id)
                    .ok_or_else(|| RescueRefusal::UnknownAdmission(id.to_string()))?;
                if !sees_rescue(&role, &admission.area) {
                    return Err(read_denied(&role, format!("admission {id}")));
                }
                Ok::<_, Refusal>(admission)
            })
            .await??;
        if let Some(person) = admission.person {
            self.record_read(person, key, format!("rescue admission: {purpose}"))
                .await?;
        }
        let now = UnixMs(self.ledger.now_unix_ms());
        Ok(Response::new(admission_message(id, &admission, now)))
    }

    async fn get_campaign(
        &self,
        request: Request<pb::GetCampaignRequest>,
    ) -> Result<Response<pb::Campaign>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let id = CampaignId::parse("campaign_id", &request.get_ref().campaign_id)?;
        let key = id.clone();
        let c = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_rescue_reader(&role)?;
                let campaign = state
                    .campaign(&key)
                    .ok_or_else(|| RescueRefusal::UnknownCampaign(key.to_string()))?;
                if !sees_rescue(&role, &campaign.area) {
                    return Err(read_denied(&role, format!("campaign {key}")));
                }
                Ok::<_, Refusal>(campaign)
            })
            .await??;
        Ok(Response::new(pb::Campaign {
            campaign_id: id.to_string(),
            kind: c.kind.into(),
            area_code: c.area.to_string(),
            starts_on: c.starts_on.to_string(),
            ends_on: c.ends_on.to_string(),
            encounters: c.encounters,
            accepted: c.accepted,
            declined: c.encounters - c.accepted,
            admissions: c.admissions,
        }))
    }

    async fn get_rehabilitation(
        &self,
        request: Request<pb::GetRehabilitationRequest>,
    ) -> Result<Response<pb::Rehabilitation>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let person = PersonId::from_slice(&request.get_ref().person_id)?;
        let purpose = parse_memo("purpose", &request.get_ref().purpose, true)?;
        let key = reader.key_id();
        let (area, r) = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_rescue_reader(&role)?;
                let registered = state
                    .person(&person)
                    .ok_or(SubjectRefusal::UnknownPerson(person))?;
                if !sees_rescue(&role, &registered.area) {
                    return Err(read_denied(
                        &role,
                        format!("the rehabilitation of {person}"),
                    ));
                }
                Ok::<_, Refusal>((registered.area, state.rehabilitation(&person)))
            })
            .await??;
        self.record_read(person, key, format!("rehabilitation: {purpose}"))
            .await?;
        Ok(Response::new(pb::Rehabilitation {
            person_id: person.0.to_vec(),
            area_code: area.to_string(),
            consent: r.consent,
            consents: r.consents,
            withdrawals: r.withdrawals,
            sessions: r.sessions,
            last_session_kind: r.last.as_ref().map(|(k, _)| k.clone()).unwrap_or_default(),
            last_session_unix_ms: r.last.as_ref().map_or(0, |(_, s)| s.at.0),
        }))
    }

    async fn list_open_admissions(
        &self,
        request: Request<pb::ListOpenAdmissionsRequest>,
    ) -> Result<Response<pb::ListOpenAdmissionsResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let ask = request.get_ref();
        let area = AreaCode::parse("area_code", &ask.area_code)?;
        let after = paging::id_page_token(&ask.page_token)?.map(AdmissionId);
        let size = paging::page_size(ask.page_size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
        let purpose = parse_memo("purpose", &ask.purpose, true)?;
        let key = reader.key_id();
        let page = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                require_rescue_reader(&role)?;
                if !sees_rescue(&role, &area) {
                    return Err(read_denied(&role, format!("area {area}")));
                }
                Ok::<_, Refusal>(state.open_admissions(&area, after, size))
            })
            .await??;
        // Every registered person listed is a read, recorded before the answer.
        let persons: Vec<Subject> = page
            .admissions
            .iter()
            .filter_map(|(_, a)| a.person.map(Subject::Person))
            .collect();
        if !persons.is_empty() {
            let directory = Arc::clone(&self.directory);
            let now = UnixMs(self.ledger.now_unix_ms());
            let purpose = format!("open admissions: {purpose}");
            blocking(move || directory.record_reads(&persons, key, &purpose, now)).await?;
        }
        let now = UnixMs(self.ledger.now_unix_ms());
        Ok(Response::new(pb::ListOpenAdmissionsResponse {
            admissions: page
                .admissions
                .iter()
                .map(|(id, a)| admission_message(*id, a, now))
                .collect(),
            next_page_token: page.next.map(|n| hex::encode(n.0)).unwrap_or_default(),
        }))
    }
}
