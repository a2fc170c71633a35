//! The directory service: signed changes to display names and authenticated reads of them.

use prost::Message;

use super::{LedgerClient, Signer};
use crate::api::auth::methods;
use crate::crypto::{self, SigningContext};
use crate::ledger::LedgerId;
use crate::pb::directory as pb;

impl Signer {
    /// Encodes and signs a directory change for `ledger_id`.
    pub fn sign_change(&self, ledger_id: &LedgerId, body: &pb::ChangeBody) -> pb::SignedChange {
        let body = body.encode_to_vec();
        let signature = crypto::sign(
            &self.key.signing_key,
            SigningContext::Directory,
            ledger_id,
            &body,
        );
        pb::SignedChange {
            body,
            key_id: self.key_id().to_string(),
            signature: signature.to_vec(),
        }
    }
}

/// A household subject.
pub fn household_subject(id: &str) -> pb::Subject {
    pb::Subject {
        subject: Some(pb::subject::Subject::HouseholdId(id.to_owned())),
    }
}

/// A member subject.
pub fn member_subject(id: &[u8]) -> pb::Subject {
    pb::Subject {
        subject: Some(pb::subject::Subject::MemberId(id.to_vec())),
    }
}

/// A person subject.
pub fn person_subject(id: &[u8]) -> pb::Subject {
    pb::Subject {
        subject: Some(pb::subject::Subject::PersonId(id.to_vec())),
    }
}

/// An organization subject.
pub fn organization_subject(id: &[u8]) -> pb::Subject {
    pb::Subject {
        subject: Some(pb::subject::Subject::OrganizationId(id.to_vec())),
    }
}

impl LedgerClient {
    /// Sends a signed directory change; returns the record after it.
    pub async fn change_record(
        &mut self,
        change: pb::SignedChange,
    ) -> Result<pb::Record, tonic::Status> {
        self.directory
            .change(pb::ChangeRequest {
                change: Some(change),
            })
            .await?
            .into_inner()
            .record
            .ok_or_else(|| tonic::Status::internal("the server sent no record"))
    }

    /// Reads the records of `subjects` as `signer`.
    pub async fn records(
        &mut self,
        signer: &Signer,
        subjects: Vec<pb::Subject>,
    ) -> Result<Vec<pb::Record>, tonic::Status> {
        self.records_for(signer, subjects, "").await
    }

    /// The records of `subjects` read for `purpose` (required when a person is asked for:
    /// the access log records it).
    pub async fn records_for(
        &mut self,
        signer: &Signer,
        subjects: Vec<pb::Subject>,
        purpose: &str,
    ) -> Result<Vec<pb::Record>, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_RECORDS,
            pb::GetRecordsRequest {
                subjects,
                purpose: purpose.to_owned(),
            },
        );
        Ok(self
            .directory
            .get_records(request)
            .await?
            .into_inner()
            .records)
    }

    /// Up to `page_size` events of the access log from `from_sequence` on, as `signer` (a
    /// bureau admin or auditor).
    pub async fn access_events(
        &mut self,
        signer: &Signer,
        from_sequence: u64,
        page_size: u32,
    ) -> Result<pb::ListAccessEventsResponse, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::LIST_ACCESS_EVENTS,
            pb::ListAccessEventsRequest {
                from_sequence,
                page_size,
            },
        );
        Ok(self
            .directory
            .list_access_events(request)
            .await?
            .into_inner())
    }

    /// One page of the whole directory after `after` (empty: the first), as `signer` (the
    /// bureau admin).
    pub async fn export_records(
        &mut self,
        signer: &Signer,
        after: Vec<u8>,
    ) -> Result<pb::ExportRecordsResponse, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::EXPORT_RECORDS,
            pb::ExportRecordsRequest { after },
        );
        Ok(self.directory.export_records(request).await?.into_inner())
    }

    /// Signs and sends `change` to `subject`'s record at `revision`, or, when `None`, at the
    /// revision the record has now (read first as `signer`).
    pub async fn change_subject(
        &mut self,
        signer: &Signer,
        subject: pb::Subject,
        revision: Option<u64>,
        change: pb::change_body::Change,
        reason: &str,
    ) -> Result<pb::Record, tonic::Status> {
        let revision = match revision {
            Some(revision) => revision,
            None => {
                // A read like any other: for a person, the access log records it.
                let current = self
                    .records_for(
                        signer,
                        vec![subject.clone()],
                        "reading the revision to change",
                    )
                    .await?;
                current.first().map_or(0, |record| record.revision)
            }
        };
        let body = pb::ChangeBody {
            subject: Some(subject),
            revision,
            change: Some(change),
            reason: reason.to_owned(),
        };
        let signed = signer.sign_change(&self.ledger_id, &body);
        self.change_record(signed).await
    }
}
