//! `shanzhi.registry.v1.RegistryService`: reads of the shared registry (areas so far).

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::paging;
use crate::ledger::{AreaCode, Refusal};
use crate::pb::registry as pb;
use crate::pb::registry::registry_service_server::RegistryService;
use crate::writer::LedgerHandle;

/// Areas per `ListAreas` page when the request does not say: 100.
pub const AREAS_DEFAULT_PAGE_SIZE: u32 = 100;
/// Most areas per `ListAreas` page: 500.
pub const AREAS_MAX_PAGE_SIZE: u32 = 500;

/// Serves the registry's reads from the published snapshot.
pub struct RegistryApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl RegistryApi {
    /// Serves `ledger`, accepting read credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }
}

#[tonic::async_trait]
impl RegistryService for RegistryApi {
    async fn list_areas(
        &self,
        request: Request<pb::ListAreasRequest>,
    ) -> Result<Response<pb::ListAreasResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request = request.into_inner();
        let limit = paging::page_size(
            request.page_size,
            AREAS_DEFAULT_PAGE_SIZE,
            AREAS_MAX_PAGE_SIZE,
        )?;
        let within = match request.within.as_str() {
            "" => None,
            code => Some(AreaCode::parse("within", code)?),
        };
        let after = match request.page_token.as_str() {
            "" => None,
            token => Some(AreaCode::parse("page_token", token)?),
        };
        let page = self
            .ledger
            .read(move |state| {
                // Any registered, unrevoked key reads areas: they are public facts.
                reader.role(state)?;
                let (areas, next) = state.areas_page(within.as_ref(), after.as_ref(), limit);
                Ok::<_, Refusal>(pb::ListAreasResponse {
                    areas: areas.into_iter().map(pb::Area::from).collect(),
                    next_page_token: next.map(|c| c.to_string()).unwrap_or_default(),
                })
            })
            .await??;
        Ok(Response::new(page))
    }
}
