//! A client for the ledger: builds and signs transaction bodies, payment codes and read
//! credentials. The CLI and the integration tests both use it.

use tonic::transport::Channel;

use crate::api::auth::methods;
use crate::ledger::LedgerId;
use crate::pb::assistance::assistance_service_client::AssistanceServiceClient;
use crate::pb::audit::audit_service_client::AuditServiceClient;
use crate::pb::benefits::benefits_service_client::BenefitsServiceClient;
use crate::pb::casework::casework_service_client::CaseworkServiceClient;
use crate::pb::children::children_service_client::ChildrenServiceClient;
use crate::pb::directory::directory_service_client::DirectoryServiceClient;
use crate::pb::elderly::elderly_service_client::ElderlyServiceClient;
use crate::pb::funeral::funeral_service_client::FuneralServiceClient;
use crate::pb::governance::governance_service_client::GovernanceServiceClient;
use crate::pb::organizations::organizations_service_client::OrganizationsServiceClient;
use crate::pb::places::places_service_client::PlacesServiceClient;
use crate::pb::points as pb;
use crate::pb::points::query_service_client::QueryServiceClient;
use crate::pb::points::transaction_service_client::TransactionServiceClient;
use crate::pb::projects::projects_service_client::ProjectsServiceClient;
use crate::pb::registry::registry_service_client::RegistryServiceClient;
use crate::pb::rescue::rescue_service_client::RescueServiceClient;
use crate::pb::shops::shops_service_client::ShopsServiceClient;

mod assistance;
mod audit;
mod benefits;
mod casework;
mod children;
mod directory;
mod elderly;
mod funeral;
mod governance;
mod organizations;
mod payment_code;
mod places;
mod projects;
mod rescue;
mod shops;
mod signer;
mod subjects;
use crate::writer::now_unix_ms;
pub use assistance::{
    complete_verification, raise_alert, record_commitment, record_visit, record_volunteer_visit,
    resolve_alert, sign_care_agreement,
};
pub use audit::ServerSource;
pub use benefits::{
    allocate_unit, define_scheme, define_unit, end_enrollment, enroll, issue_payment_batch,
    record_recovery, release_unit, set_scheme_parameters,
};
pub use casework::{file_case_objection, open_case, resolve_case_objection, transition_case};
pub use children::{
    close_concern, end_child_category, record_child_visit, report_concern, set_child_category,
    verify_concern,
};
pub use directory::{household_subject, member_subject, organization_subject, person_subject};
pub use elderly::{
    assess_ability, complete_adaptation, define_canteen, enroll_diner, enroll_insurance,
    grade_institution, open_adaptation, record_institution, record_staff_certificate,
    record_volunteer_shift, serve_meal,
};
pub use funeral::{
    advance_scattered_grave, allocate_plot, book_funeral_service, define_cemetery, define_plots,
    grant_funeral_subsidy, identify_scattered_grave, record_death_certificate, register_death,
    release_plot, renew_plot,
};
pub use organizations::{
    award_grant, close_enforcement_case, define_contest, file_annual_report, list_abnormal,
    list_serious, open_enforcement_case, record_annual_inspection, remove_from_abnormal_list,
};
pub use payment_code::{
    PAYMENT_CODE_PREFIX, parse_payment_code, payment_code_qr, payment_code_text,
};
pub use places::{
    apply_for_name, assign_address, decide_name_application, record_boundary_inspection,
    retire_address,
};
pub use projects::{correct_investment, define_project, reach_milestone, report_progress};
pub use rescue::{
    admit, define_campaign, discharge, extend_stay, publish_tracing_notice, record_consent,
    record_encounter, record_session, withdraw_consent,
};
pub use shops::{
    activate_terminal_operation, activation_code_text, new_activation_code, parse_activation_code,
};
pub use signer::{Signer, new_body};
pub use subjects::{
    IdentityNumber, Registered, link_member_person, register_organization, register_person,
    review_near_match,
};

/// A connection to a shanzhi server that knows the ledger id.
#[derive(Clone)]
pub struct LedgerClient {
    /// The ledger id every signature covers.
    pub ledger_id: LedgerId,
    /// The transaction service.
    pub transactions: TransactionServiceClient<Channel>,
    /// The query service.
    pub queries: QueryServiceClient<Channel>,
    /// The audit service.
    pub audit: AuditServiceClient<Channel>,
    /// The registry service.
    pub registry: RegistryServiceClient<Channel>,
    /// How far the server's clock was ahead of this machine's when connecting, in ms
    /// (negative: behind). New bodies take their validity from the server's clock, so a
    /// device whose clock is wrong still signs bodies the server accepts.
    pub server_ahead_ms: i64,
    /// The governance service.
    pub governance: GovernanceServiceClient<Channel>,
    /// The directory service.
    pub directory: DirectoryServiceClient<Channel>,
    /// The shops service.
    pub shops: ShopsServiceClient<Channel>,
    /// The casework service.
    pub casework: CaseworkServiceClient<Channel>,
    /// The benefits service.
    pub benefits: BenefitsServiceClient<Channel>,
    /// The social assistance service.
    pub assistance: AssistanceServiceClient<Channel>,
    /// The children's program service.
    pub children: ChildrenServiceClient<Channel>,
    /// The capital projects service.
    pub projects: ProjectsServiceClient<Channel>,
    /// The place names service.
    pub places: PlacesServiceClient<Channel>,
    /// The social organizations service.
    pub organizations: OrganizationsServiceClient<Channel>,
    /// The funeral service.
    pub funeral: FuneralServiceClient<Channel>,
    /// The elderly care service.
    pub elderly: ElderlyServiceClient<Channel>,
    /// The rescue service.
    pub rescue: RescueServiceClient<Channel>,
}

/// Why a client could not connect.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// No connection.
    #[error("cannot connect to {url}")]
    Transport {
        /// The server's URL.
        url: String,
        /// Why.
        source: tonic::transport::Error,
    },
    /// The TLS material is missing, unreadable, or does not fit the URL.
    #[error("cannot reach {url} over TLS: {why}")]
    Tls {
        /// The server's URL.
        url: String,
        /// What was expected and what was found.
        why: String,
    },
    /// The server did not say which ledger it serves.
    #[error("{url} did not answer GetLedgerInfo: {status}")]
    Info {
        /// The server's URL.
        url: String,
        /// Its answer.
        status: tonic::Status,
    },
    /// The ledger id the server sent is not 16 bytes.
    #[error("{url} sent a malformed ledger id")]
    BadLedgerId {
        /// The server's URL.
        url: String,
    },
}

impl LedgerClient {
    /// Connects (plaintext, or TLS with the system's defaults refused: use
    /// [`LedgerClient::connect_with`] for `https://`) and fetches the ledger id.
    pub async fn connect(url: &str) -> Result<Self, ConnectError> {
        Self::connect_with(url, &crate::tls::ClientTls::default()).await
    }

    /// Connects with TLS material (a CA for the server's certificate, a client certificate
    /// for mTLS) and fetches the ledger id. An `https://` URL needs a CA; TLS files with an
    /// `http://` URL are refused rather than silently unused.
    pub async fn connect_with(
        url: &str,
        tls: &crate::tls::ClientTls,
    ) -> Result<Self, ConnectError> {
        let channel = channel(url, tls).await?;
        Self::over(url, channel).await
    }

    /// Fetches the ledger id over `channel`, connected to `url`.
    async fn over(url: &str, channel: Channel) -> Result<Self, ConnectError> {
        let mut transactions = TransactionServiceClient::new(channel.clone());
        let info = transactions
            .get_ledger_info(pb::GetLedgerInfoRequest {})
            .await
            .map_err(|status| ConnectError::Info {
                url: url.to_owned(),
                status,
            })?
            .into_inner();
        let ledger_id =
            LedgerId::from_slice(&info.ledger_id).map_err(|_| ConnectError::BadLedgerId {
                url: url.to_owned(),
            })?;
        let wide = |ms: u64| i128::from(ms);
        // A server that sends no time (0) is taken to agree with this machine's clock.
        let ahead = match info.server_time_unix_ms {
            0 => 0,
            server => wide(server) - wide(now_unix_ms()),
        };
        let server_ahead_ms = i64::try_from(ahead).unwrap_or(0);
        Ok(Self {
            ledger_id,
            transactions,
            queries: QueryServiceClient::new(channel.clone()),
            audit: AuditServiceClient::new(channel.clone()),
            registry: RegistryServiceClient::new(channel.clone()),
            server_ahead_ms,
            governance: GovernanceServiceClient::new(channel.clone()),
            directory: DirectoryServiceClient::new(channel.clone()),
            casework: CaseworkServiceClient::new(channel.clone()),
            benefits: BenefitsServiceClient::new(channel.clone()),
            assistance: AssistanceServiceClient::new(channel.clone()),
            children: ChildrenServiceClient::new(channel.clone()),
            projects: ProjectsServiceClient::new(channel.clone()),
            places: PlacesServiceClient::new(channel.clone()),
            organizations: OrganizationsServiceClient::new(channel.clone()),
            funeral: FuneralServiceClient::new(channel.clone()),
            elderly: ElderlyServiceClient::new(channel.clone()),
            rescue: RescueServiceClient::new(channel.clone()),
            shops: ShopsServiceClient::new(channel),
        })
    }

    /// Submits an already signed transaction.
    pub async fn submit_signed(
        &mut self,
        transaction: pb::SignedTransaction,
    ) -> Result<pb::SubmitResponse, tonic::Status> {
        self.transactions
            .submit(pb::SubmitRequest {
                transaction: Some(transaction),
            })
            .await
            .map(tonic::Response::into_inner)
    }

    /// Submits up to 256 signed transactions in one call; one result per transaction, in
    /// order (a refusal answers only its own transaction).
    pub async fn submit_batch(
        &mut self,
        transactions: Vec<pb::SignedTransaction>,
    ) -> Result<Vec<pb::SubmitResult>, tonic::Status> {
        self.transactions
            .submit_batch(pb::SubmitBatchRequest { transactions })
            .await
            .map(|response| response.into_inner().results)
    }

    /// Signs `body` with `signer` and submits it.
    pub async fn submit_body(
        &mut self,
        signer: &Signer,
        body: &pb::TransactionBody,
    ) -> Result<pb::SubmitResponse, tonic::Status> {
        let signed = signer.sign(&self.ledger_id, body);
        self.submit_signed(signed).await
    }

    /// The server's time now, as estimated from its clock when connecting.
    pub fn server_now_unix_ms(&self) -> u64 {
        let now = i128::from(now_unix_ms()) + i128::from(self.server_ahead_ms);
        u64::try_from(now.max(0)).unwrap_or(u64::MAX)
    }

    /// Today by the server's clock, in China Standard Time, as days since 1970-01-01.
    pub fn server_today(&self) -> u32 {
        crate::ledger::CivilDate::of(crate::ledger::UnixMs(self.server_now_unix_ms())).days()
    }

    /// A new body for `operation` with a random request id, valid for `valid_for_ms` from the
    /// server's time.
    pub fn body(
        &self,
        operation: pb::transaction_body::Operation,
        valid_for_ms: u64,
    ) -> pb::TransactionBody {
        let mut body = new_body(operation, valid_for_ms);
        body.not_after_unix_ms = self.server_now_unix_ms().saturating_add(valid_for_ms);
        body
    }

    /// Builds a body for `operation` (fresh request id, valid 10 minutes), signs and submits.
    pub async fn submit(
        &mut self,
        signer: &Signer,
        operation: pb::transaction_body::Operation,
    ) -> Result<pb::Receipt, tonic::Status> {
        let body = self.body(operation, 10 * 60 * 1000);
        let response = self.submit_body(signer, &body).await?;
        response
            .receipt
            .ok_or_else(|| tonic::Status::internal("the server sent no receipt"))
    }

    /// Reads an account as `signer`.
    pub async fn account(
        &mut self,
        signer: &Signer,
        account: pb::AccountRef,
    ) -> Result<pb::Account, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_ACCOUNT,
            pb::GetAccountRequest {
                account: Some(account),
            },
        );
        self.queries
            .get_account(request)
            .await
            .map(tonic::Response::into_inner)
    }

    /// Reads one page of the registered areas as `signer`.
    pub async fn areas(
        &mut self,
        signer: &Signer,
        request: crate::pb::registry::ListAreasRequest,
    ) -> Result<crate::pb::registry::ListAreasResponse, tonic::Status> {
        let request = signer.read_request(&self.ledger_id, methods::LIST_AREAS, request);
        self.registry
            .list_areas(request)
            .await
            .map(tonic::Response::into_inner)
    }

    /// Reads one page of history as `signer`.
    pub async fn history(
        &mut self,
        signer: &Signer,
        request: pb::ListHistoryRequest,
    ) -> Result<pb::ListHistoryResponse, tonic::Status> {
        let request = signer.read_request(&self.ledger_id, methods::LIST_HISTORY, request);
        self.queries
            .list_history(request)
            .await
            .map(tonic::Response::into_inner)
    }

    /// Reads one entry as `signer`.
    pub async fn entry(
        &mut self,
        signer: &Signer,
        sequence: u64,
    ) -> Result<pb::Entry, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_ENTRY,
            pb::GetEntryRequest { sequence },
        );
        self.queries
            .get_entry(request)
            .await
            .map(tonic::Response::into_inner)
    }

    /// Reads a receipt by request id as `signer`.
    pub async fn receipt(
        &mut self,
        signer: &Signer,
        request_id: Vec<u8>,
    ) -> Result<pb::Receipt, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_RECEIPT,
            pb::GetReceiptRequest { request_id },
        );
        self.queries
            .get_receipt(request)
            .await
            .map(tonic::Response::into_inner)
    }
}

/// An account reference for a household.
pub fn household(id: &str) -> pb::AccountRef {
    pb::AccountRef {
        kind: pb::AccountKind::Household.into(),
        id: id.to_owned(),
    }
}

/// An account reference for an issuer.
pub fn issuer(id: &str) -> pb::AccountRef {
    pb::AccountRef {
        kind: pb::AccountKind::Issuer.into(),
        id: id.to_owned(),
    }
}

/// An account reference for a shop.
pub fn shop(id: &str) -> pb::AccountRef {
    pb::AccountRef {
        kind: pb::AccountKind::Shop.into(),
        id: id.to_owned(),
    }
}

/// The account reference of the bureau fund.
pub fn bureau_fund() -> pb::AccountRef {
    pb::AccountRef {
        kind: pb::AccountKind::BureauFund.into(),
        id: String::new(),
    }
}

/// A channel to `url`, with TLS material for an `https://` URL (a CA for the server's
/// certificate, a client certificate for mTLS). An `https://` URL needs a CA; TLS files with
/// an `http://` URL are refused rather than silently unused.
pub async fn channel(url: &str, tls: &crate::tls::ClientTls) -> Result<Channel, ConnectError> {
    let mut endpoint = Channel::from_shared(url.to_owned()).map_err(|e| ConnectError::Info {
        url: url.to_owned(),
        status: tonic::Status::invalid_argument(e.to_string()),
    })?;
    let config = tls.config().map_err(|source| ConnectError::Tls {
        url: url.to_owned(),
        why: source.to_string(),
    })?;
    let https = url.starts_with("https://");
    match (config, https) {
        (Some(config), true) => {
            endpoint = endpoint
                .tls_config(config)
                .map_err(|source| ConnectError::Transport {
                    url: url.to_owned(),
                    source,
                })?;
        }
        (None, true) => {
            return Err(ConnectError::Tls {
                url: url.to_owned(),
                why: "an https:// server needs --ca, the CA certificate its certificate \
                          chains to"
                    .into(),
            });
        }
        (Some(_), false) => {
            return Err(ConnectError::Tls {
                url: url.to_owned(),
                why: "TLS files were given for an http:// URL; use https://".into(),
            });
        }
        (None, false) => {}
    }
    let channel = endpoint
        .connect()
        .await
        .map_err(|source| ConnectError::Transport {
            url: url.to_owned(),
            source,
        })?;
    Ok(channel)
}
