//! The governance service's reads (catalogues, policies, claims, notices, boards), each
//! with a read credential.

use super::{LedgerClient, Signer};
use crate::api::auth::methods;

impl LedgerClient {
    /// Reads a catalogue version as `signer`.
    pub async fn catalogue(
        &mut self,
        signer: &Signer,
        request: crate::pb::governance::GetCatalogueRequest,
    ) -> Result<crate::pb::governance::Catalogue, tonic::Status> {
        let request = signer.read_request(&self.ledger_id, methods::GET_CATALOGUE, request);
        let response = self.governance.get_catalogue(request).await?.into_inner();
        response
            .catalogue
            .ok_or_else(|| tonic::Status::internal("the server sent no catalogue"))
    }

    /// Reads a village policy version as `signer`.
    pub async fn policy(
        &mut self,
        signer: &Signer,
        request: crate::pb::governance::GetPolicyRequest,
    ) -> Result<crate::pb::governance::GetPolicyResponse, tonic::Status> {
        let request = signer.read_request(&self.ledger_id, methods::GET_POLICY, request);
        self.governance
            .get_policy(request)
            .await
            .map(tonic::Response::into_inner)
    }

    /// Reads a claim as `signer`.
    pub async fn claim(
        &mut self,
        signer: &Signer,
        claim_id: &str,
    ) -> Result<crate::pb::governance::ClaimView, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_CLAIM,
            crate::pb::governance::GetClaimRequest {
                claim_id: claim_id.into(),
            },
        );
        let response = self.governance.get_claim(request).await?.into_inner();
        response
            .claim
            .ok_or_else(|| tonic::Status::internal("the server sent no claim"))
    }

    /// Reads a volunteer activity as `signer`.
    pub async fn volunteer_activity(
        &mut self,
        signer: &Signer,
        activity_id: &str,
    ) -> Result<crate::pb::governance::VolunteerActivity, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_VOLUNTEER_ACTIVITY,
            crate::pb::governance::GetVolunteerActivityRequest {
                activity_id: activity_id.into(),
            },
        );
        let response = self
            .governance
            .get_volunteer_activity(request)
            .await?
            .into_inner();
        response
            .activity
            .ok_or_else(|| tonic::Status::internal("the server sent no activity"))
    }

    /// Reads one page of a village's claims as `signer`.
    pub async fn claims(
        &mut self,
        signer: &Signer,
        request: crate::pb::governance::ListClaimsRequest,
    ) -> Result<crate::pb::governance::ListClaimsResponse, tonic::Status> {
        let request = signer.read_request(&self.ledger_id, methods::LIST_CLAIMS, request);
        self.governance
            .list_claims(request)
            .await
            .map(tonic::Response::into_inner)
    }

    /// Reads a village's boards as `signer`.
    pub async fn board(
        &mut self,
        signer: &Signer,
        request: crate::pb::governance::GetBoardRequest,
    ) -> Result<crate::pb::governance::GetBoardResponse, tonic::Status> {
        let request = signer.read_request(&self.ledger_id, methods::GET_BOARD, request);
        self.governance
            .get_board(request)
            .await
            .map(tonic::Response::into_inner)
    }

    /// Reads a notice batch as `signer`.
    pub async fn notice(
        &mut self,
        signer: &Signer,
        batch_id: &str,
    ) -> Result<crate::pb::governance::NoticeView, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_NOTICE,
            crate::pb::governance::GetNoticeRequest {
                batch_id: batch_id.into(),
            },
        );
        let response = self.governance.get_notice(request).await?.into_inner();
        response
            .notice
            .ok_or_else(|| tonic::Status::internal("the server sent no notice"))
    }
}
