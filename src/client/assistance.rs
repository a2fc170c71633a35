//! Social assistance's own operations (commitments, alerts, care agreements) and reads.

use super::{LedgerClient, Signer};
use crate::api::auth::methods;
use crate::pb::assistance as apb;
use crate::pb::points as pb;

use apb::assistance_operation::Operation as A;

fn assistance(operation: A) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Assistance(apb::AssistanceOperation {
        operation: Some(operation),
    })
}

/// Records the commitment (告知承诺) of case `case_id`, verified within `days`.
pub fn record_commitment(case_id: [u8; 16], days: u32) -> pb::transaction_body::Operation {
    assistance(A::RecordCommitment(apb::RecordCommitment {
        case_id: case_id.to_vec(),
        verify_within_days: days,
    }))
}

/// Records the verification of case `case_id`'s commitment.
pub fn complete_verification(
    case_id: [u8; 16],
    truthful: bool,
    reason: &str,
) -> pb::transaction_body::Operation {
    assistance(A::CompleteVerification(apb::CompleteVerification {
        case_id: case_id.to_vec(),
        truthful,
        reason: reason.into(),
    }))
}

/// Raises alert `alert_id` of `kind` about `person_id` in `area_code`.
pub fn raise_alert(
    alert_id: [u8; 16],
    person_id: [u8; 16],
    kind: &str,
    area_code: &str,
) -> pb::transaction_body::Operation {
    assistance(A::RaiseAlert(apb::RaiseAlert {
        alert_id: alert_id.to_vec(),
        person_id: person_id.to_vec(),
        kind: kind.into(),
        area_code: area_code.into(),
    }))
}

/// Resolves alert `alert_id`, with the case it led to if any.
pub fn resolve_alert(
    alert_id: [u8; 16],
    case_id: Option<[u8; 16]>,
    reason: &str,
) -> pb::transaction_body::Operation {
    assistance(A::ResolveAlert(apb::ResolveAlert {
        alert_id: alert_id.to_vec(),
        case_id: case_id.map(|c| c.to_vec()).unwrap_or_default(),
        reason: reason.into(),
    }))
}

/// Signs care agreement `agreement_id` on 特困 case `case_id`.
pub fn sign_care_agreement(
    agreement_id: [u8; 16],
    case_id: [u8; 16],
    caregivers: &[[u8; 16]],
    visit_every_days: u32,
) -> pb::transaction_body::Operation {
    assistance(A::SignCareAgreement(apb::SignCareAgreement {
        agreement_id: agreement_id.to_vec(),
        case_id: case_id.to_vec(),
        caregiver_ids: caregivers.iter().map(|c| c.to_vec()).collect(),
        visit_every_days,
    }))
}

/// Records a visit under agreement `agreement_id`.
pub fn record_visit(agreement_id: [u8; 16], note: &str) -> pb::transaction_body::Operation {
    assistance(A::RecordVisit(apb::RecordVisit {
        agreement_id: agreement_id.to_vec(),
        note: note.into(),
        ..Default::default()
    }))
}

/// A volunteer's visit under a care agreement: activity `activity_id`, which the program's
/// issuer may award points for once.
pub fn record_volunteer_visit(
    agreement_id: [u8; 16],
    note: &str,
    volunteer_id: [u8; 16],
    activity_id: &str,
) -> pb::transaction_body::Operation {
    assistance(A::RecordVisit(apb::RecordVisit {
        agreement_id: agreement_id.to_vec(),
        note: note.into(),
        volunteer_id: volunteer_id.to_vec(),
        activity_id: activity_id.into(),
    }))
}

impl LedgerClient {
    /// One page of assistance tasks, as `signer`.
    pub async fn assistance_tasks(
        &mut self,
        signer: &Signer,
        asked: apb::ListTasksRequest,
    ) -> Result<apb::ListTasksResponse, tonic::Status> {
        let request = signer.read_request(&self.ledger_id, methods::LIST_TASKS, asked);
        Ok(self.assistance.list_tasks(request).await?.into_inner())
    }

    /// A care agreement, as `signer`.
    pub async fn care_agreement(
        &mut self,
        signer: &Signer,
        id: [u8; 16],
    ) -> Result<apb::CareAgreement, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_CARE_AGREEMENT,
            apb::GetCareAgreementRequest {
                agreement_id: id.to_vec(),
            },
        );
        Ok(self
            .assistance
            .get_care_agreement(request)
            .await?
            .into_inner())
    }
}
