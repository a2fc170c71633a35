//! The rescue operations (campaigns, encounters, admissions, tracing notices, stays,
//! discharges, rehabilitation) and reads. Each operation is built from its message.

use super::{LedgerClient, Signer};
use crate::api::auth::methods;
use crate::pb::points as pb;
use crate::pb::rescue as lpb;

use lpb::rescue_operation::Operation as L;

fn rescue(operation: L) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Rescue(lpb::RescueOperation {
        operation: Some(operation),
    })
}

/// Defines a seasonal campaign.
pub fn define_campaign(message: lpb::DefineCampaign) -> pb::transaction_body::Operation {
    rescue(L::DefineCampaign(message))
}

/// Records a patrol's encounter, help accepted or declined.
pub fn record_encounter(message: lpb::RecordEncounter) -> pb::transaction_body::Operation {
    rescue(L::RecordEncounter(message))
}

/// Admits a registered or an unidentified person to the rescue station.
pub fn admit(message: lpb::Admit) -> pb::transaction_body::Operation {
    rescue(L::Admit(message))
}

/// Records an unidentified person's family-tracing notice.
pub fn publish_tracing_notice(
    message: lpb::PublishTracingNotice,
) -> pb::transaction_body::Operation {
    rescue(L::PublishTracingNotice(message))
}

/// Records why an adult's stay passes 10 days.
pub fn extend_stay(message: lpb::ExtendStay) -> pb::transaction_body::Operation {
    rescue(L::ExtendStay(message))
}

/// Discharges an admission with its escort.
pub fn discharge(message: lpb::Discharge) -> pb::transaction_body::Operation {
    rescue(L::Discharge(message))
}

/// Records consent to rehabilitation.
pub fn record_consent(message: lpb::RecordConsent) -> pb::transaction_body::Operation {
    rescue(L::RecordConsent(message))
}

/// Records the consent withdrawn.
pub fn withdraw_consent(message: lpb::WithdrawConsent) -> pb::transaction_body::Operation {
    rescue(L::WithdrawConsent(message))
}

/// Records a rehabilitation session.
pub fn record_session(message: lpb::RecordSession) -> pb::transaction_body::Operation {
    rescue(L::RecordSession(message))
}

impl LedgerClient {
    /// An admission, read for `purpose`, as `signer`.
    pub async fn admission(
        &mut self,
        signer: &Signer,
        admission_id: [u8; 16],
        purpose: &str,
    ) -> Result<lpb::Admission, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_ADMISSION,
            lpb::GetAdmissionRequest {
                admission_id: admission_id.to_vec(),
                purpose: purpose.into(),
            },
        );
        Ok(self.rescue.get_admission(request).await?.into_inner())
    }

    /// A campaign with its counts, as `signer`.
    pub async fn campaign(
        &mut self,
        signer: &Signer,
        campaign_id: &str,
    ) -> Result<lpb::Campaign, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_CAMPAIGN,
            lpb::GetCampaignRequest {
                campaign_id: campaign_id.into(),
            },
        );
        Ok(self.rescue.get_campaign(request).await?.into_inner())
    }

    /// A person's rehabilitation, read for `purpose`, as `signer`.
    pub async fn rehabilitation(
        &mut self,
        signer: &Signer,
        person_id: [u8; 16],
        purpose: &str,
    ) -> Result<lpb::Rehabilitation, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_REHABILITATION,
            lpb::GetRehabilitationRequest {
                person_id: person_id.to_vec(),
                purpose: purpose.into(),
            },
        );
        Ok(self.rescue.get_rehabilitation(request).await?.into_inner())
    }

    /// One page of an area's open admissions, as `signer`.
    pub async fn open_admissions(
        &mut self,
        signer: &Signer,
        ask: lpb::ListOpenAdmissionsRequest,
    ) -> Result<lpb::ListOpenAdmissionsResponse, tonic::Status> {
        let request = signer.read_request(&self.ledger_id, methods::LIST_OPEN_ADMISSIONS, ask);
        Ok(self
            .rescue
            .list_open_admissions(request)
            .await?
            .into_inner())
    }
}
