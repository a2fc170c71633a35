//! The ledger's gRPC services, in one list: each is built over the ledger (and the directory,
//! for those that record reads of sensitive records in its access log), gets the message
//! limits and the load shedder (one shared pool of permits), and is named for its health
//! status. A new program's service is one line here.

use std::sync::Arc;
use std::time::Duration;

use tonic::service::RoutesBuilder;

use crate::api::assistance::AssistanceApi;
use crate::api::audit::AuditApi;
use crate::api::benefits::BenefitsApi;
use crate::api::casework::CaseworkApi;
use crate::api::children::ChildrenApi;
use crate::api::directory::DirectoryApi;
use crate::api::elderly::ElderlyApi;
use crate::api::funeral::FuneralApi;
use crate::api::governance::GovernanceApi;
use crate::api::organizations::OrganizationsApi;
use crate::api::places::PlacesApi;
use crate::api::projects::ProjectsApi;
use crate::api::queries::QueryApi;
use crate::api::registry::RegistryApi;
use crate::api::rescue::RescueApi;
use crate::api::shed::{Admission, Shed};
use crate::api::shops::ShopsApi;
use crate::api::transactions::TransactionApi;
use crate::config::MAX_REPLY_BYTES;
use crate::directory::Directory;
use crate::pb::assistance::assistance_service_server::AssistanceServiceServer;
use crate::pb::audit::audit_service_server::AuditServiceServer;
use crate::pb::benefits::benefits_service_server::BenefitsServiceServer;
use crate::pb::casework::casework_service_server::CaseworkServiceServer;
use crate::pb::children::children_service_server::ChildrenServiceServer;
use crate::pb::directory::directory_service_server::DirectoryServiceServer;
use crate::pb::elderly::elderly_service_server::ElderlyServiceServer;
use crate::pb::funeral::funeral_service_server::FuneralServiceServer;
use crate::pb::governance::governance_service_server::GovernanceServiceServer;
use crate::pb::organizations::organizations_service_server::OrganizationsServiceServer;
use crate::pb::places::places_service_server::PlacesServiceServer;
use crate::pb::points::query_service_server::QueryServiceServer;
use crate::pb::points::transaction_service_server::TransactionServiceServer;
use crate::pb::projects::projects_service_server::ProjectsServiceServer;
use crate::pb::registry::registry_service_server::RegistryServiceServer;
use crate::pb::rescue::rescue_service_server::RescueServiceServer;
use crate::pb::shops::shops_service_server::ShopsServiceServer;
use crate::writer::LedgerHandle;

/// What every ledger service is built with.
pub(super) struct Shared {
    /// The ledger.
    pub ledger: LedgerHandle,
    /// The directory beside it.
    pub directory: Arc<Directory>,
    /// How far a read credential's time may be from the server's clock.
    pub skew: Duration,
    /// The largest message a service decodes (a batch's limit, the largest).
    pub max_decoding_bytes: usize,
    /// The shared pool of permits.
    pub permits: Arc<tokio::sync::Semaphore>,
    /// The shedder's admission limits.
    pub admission: Admission,
}

/// Adds every ledger service to `routes`; answers their gRPC service names.
pub(super) fn add(routes: &mut RoutesBuilder, shared: Shared) -> Vec<&'static str> {
    let Shared {
        ledger,
        directory,
        skew,
        max_decoding_bytes,
        permits,
        admission,
    } = shared;
    let mut names: Vec<&'static str> = Vec::new();
    macro_rules! ledger_services {
        ($($server:expr),+ $(,)?) => {$({
            // The shedder bounds each method's request before decoding; tonic's own limit
            // only has to admit the largest (a batch).
            let server = $server
                .max_decoding_message_size(max_decoding_bytes)
                .max_encoding_message_size(MAX_REPLY_BYTES);
            names.push(service_name(&server));
            routes.add_service(Shed::new(server, Arc::clone(&permits), admission.clone()));
        })+};
    }
    // The services that record reads of sensitive records in the directory's access log.
    let dir = || Arc::clone(&directory);
    ledger_services![
        TransactionServiceServer::new(TransactionApi::new(ledger.clone())),
        QueryServiceServer::new(QueryApi::new(ledger.clone(), skew)),
        AuditServiceServer::new(AuditApi::new(ledger.clone(), skew)),
        RegistryServiceServer::new(RegistryApi::new(ledger.clone(), skew)),
        GovernanceServiceServer::new(GovernanceApi::new(ledger.clone(), skew)),
        ShopsServiceServer::new(ShopsApi::new(ledger.clone(), skew)),
        CaseworkServiceServer::new(CaseworkApi::new(ledger.clone(), dir(), skew)),
        BenefitsServiceServer::new(BenefitsApi::new(ledger.clone(), skew)),
        AssistanceServiceServer::new(AssistanceApi::new(ledger.clone(), skew)),
        ChildrenServiceServer::new(ChildrenApi::new(ledger.clone(), dir(), skew)),
        ProjectsServiceServer::new(ProjectsApi::new(ledger.clone(), skew)),
        PlacesServiceServer::new(PlacesApi::new(ledger.clone(), skew)),
        OrganizationsServiceServer::new(OrganizationsApi::new(ledger.clone(), skew)),
        FuneralServiceServer::new(FuneralApi::new(ledger.clone(), skew)),
        ElderlyServiceServer::new(ElderlyApi::new(ledger.clone(), skew)),
        RescueServiceServer::new(RescueApi::new(ledger.clone(), dir(), skew)),
        DirectoryServiceServer::new(DirectoryApi::new(ledger, directory, skew)),
    ];
    names
}

/// The gRPC service name of a generated server.
fn service_name<S: tonic::server::NamedService>(_: &S) -> &'static str {
    S::NAME
}
