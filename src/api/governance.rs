//! `shanzhi.governance.v1.GovernanceService`: reads of catalogues and village policies.

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use crate::ledger::{IssuerId, Refusal};
use crate::pb::governance as pb;
use crate::pb::governance::governance_service_server::GovernanceService;
use crate::wire::{catalogue_which, parse_scope, policy_which};
use crate::writer::LedgerHandle;

/// Serves governance reads from the published snapshot.
pub struct GovernanceApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl GovernanceApi {
    /// Serves `ledger`, accepting read credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }
}

#[tonic::async_trait]
impl GovernanceService for GovernanceApi {
    async fn get_catalogue(
        &self,
        request: Request<pb::GetCatalogueRequest>,
    ) -> Result<Response<pb::GetCatalogueResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request = request.into_inner();
        let scope = parse_scope("scope", request.scope.as_ref())?;
        let which = catalogue_which(request.which.as_ref())?;
        let catalogue = self
            .ledger
            .read(move |state| {
                // Any registered, unrevoked key reads catalogues: villages publish them.
                reader.role(state)?;
                state.catalogue(&scope, which).map(pb::Catalogue::from)
            })
            .await??;
        Ok(Response::new(pb::GetCatalogueResponse {
            catalogue: Some(catalogue),
        }))
    }

    async fn get_policy(
        &self,
        request: Request<pb::GetPolicyRequest>,
    ) -> Result<Response<pb::GetPolicyResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request = request.into_inner();
        let village = IssuerId::parse("village_id", &request.village_id)?;
        let which = policy_which(request.which.as_ref())?;
        let policy = self
            .ledger
            .read(move |state| {
                reader.role(state)?;
                Ok::<_, Refusal>(pb::GetPolicyResponse::from(state.policy(&village, which)?))
            })
            .await??;
        Ok(Response::new(policy))
    }
}
