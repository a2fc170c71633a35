//! Read credentials: every query carries, in gRPC metadata, a key id, a timestamp and a
//! signature by that key over the method, the timestamp and the request's hash. The key's
//! registered role then decides what it may read.

use std::time::Duration;

use prost::Message;

use crate::crypto::{self, SigningContext};
use crate::ledger::{KeyId, Refusal, Role, State};
use crate::writer::KeyDirectory;

/// Metadata key: the reader's key id (32 hex characters).
pub const KEY_ID_METADATA: &str = "x-shanzhi-key-id";
/// Metadata key: milliseconds since the Unix epoch when the credential was made.
pub const TIMESTAMP_METADATA: &str = "x-shanzhi-timestamp";
/// Metadata key: hex Ed25519 signature over `"shanzhi/read/v1" || 0x00 || ledger_id || 0x00 ||
/// method || 0x00 || timestamp || 0x00 || SHA-256(encoded request message)`.
pub const SIGNATURE_METADATA: &str = "x-shanzhi-signature";

/// The payload a read credential signs: the full method name
/// (`shanzhi.points.v1.QueryService/GetAccount`), the decimal timestamp, and the SHA-256 of
/// the encoded request message, separated by zero bytes. Binding the request means a
/// captured credential cannot be replayed to ask for anything else.
pub fn read_payload(method: &str, timestamp: &str, request: &impl Message) -> Vec<u8> {
    let mut payload = Vec::with_capacity(method.len() + timestamp.len() + 34);
    payload.extend_from_slice(method.as_bytes());
    payload.push(0);
    payload.extend_from_slice(timestamp.as_bytes());
    payload.push(0);
    payload.extend_from_slice(&crypto::sha256(&request.encode_to_vec()));
    payload
}

/// The full names of the authenticated read methods, as read credentials sign them.
pub mod methods {
    /// `QueryService.GetAccount`.
    pub const GET_ACCOUNT: &str = "shanzhi.points.v1.QueryService/GetAccount";
    /// `QueryService.GetEntry`.
    pub const GET_ENTRY: &str = "shanzhi.points.v1.QueryService/GetEntry";
    /// `QueryService.GetReceipt`.
    pub const GET_RECEIPT: &str = "shanzhi.points.v1.QueryService/GetReceipt";
    /// `QueryService.ListHistory`.
    pub const LIST_HISTORY: &str = "shanzhi.points.v1.QueryService/ListHistory";
    /// `AuditService.GetEntries`.
    pub const GET_ENTRIES: &str = "shanzhi.audit.v1.AuditService/GetEntries";
    /// `AuditService.GetTransactionReceipt`.
    pub const GET_TRANSACTION_RECEIPT: &str = "shanzhi.audit.v1.AuditService/GetTransactionReceipt";
    /// `AuditService.GetKeySet`.
    pub const GET_KEY_SET: &str = "shanzhi.audit.v1.AuditService/GetKeySet";
    /// `AuditService.GetStateSnapshot`.
    pub const GET_STATE_SNAPSHOT: &str = "shanzhi.audit.v1.AuditService/GetStateSnapshot";
    /// `RegistryService.ListAreas`.
    pub const LIST_AREAS: &str = "shanzhi.registry.v1.RegistryService/ListAreas";
    /// `GovernanceService.GetCatalogue`.
    pub const GET_CATALOGUE: &str = "shanzhi.governance.v1.GovernanceService/GetCatalogue";
    /// `GovernanceService.GetPolicy`.
    pub const GET_POLICY: &str = "shanzhi.governance.v1.GovernanceService/GetPolicy";
    /// `GovernanceService.GetClaim`.
    pub const GET_CLAIM: &str = "shanzhi.governance.v1.GovernanceService/GetClaim";
    /// `GovernanceService.ListClaims`.
    pub const LIST_CLAIMS: &str = "shanzhi.governance.v1.GovernanceService/ListClaims";
    /// `GovernanceService.GetNotice`.
    pub const GET_NOTICE: &str = "shanzhi.governance.v1.GovernanceService/GetNotice";
    /// `ShopsService.GetIssuerReport`.
    pub const GET_ISSUER_REPORT: &str = "shanzhi.shops.v1.ShopsService/GetIssuerReport";
    /// `ShopsService.GetStatement`.
    pub const GET_STATEMENT: &str = "shanzhi.shops.v1.ShopsService/GetStatement";
    /// `DirectoryService.GetRecords`.
    pub const GET_RECORDS: &str = "shanzhi.directory.v1.DirectoryService/GetRecords";
    /// `DirectoryService.ExportRecords`.
    pub const EXPORT_RECORDS: &str = "shanzhi.directory.v1.DirectoryService/ExportRecords";
    /// `DirectoryService.IdentityTag`.
    pub const IDENTITY_TAG: &str = "shanzhi.directory.v1.DirectoryService/IdentityTag";
    /// `CaseworkService.GetCase`.
    pub const GET_CASE: &str = "shanzhi.casework.v1.CaseworkService/GetCase";
    /// `CaseworkService.ListCases`.
    pub const LIST_CASES: &str = "shanzhi.casework.v1.CaseworkService/ListCases";
    /// `CaseworkService.ListCaseTypes`.
    pub const LIST_CASE_TYPES: &str = "shanzhi.casework.v1.CaseworkService/ListCaseTypes";
    /// `AssistanceService.ListTasks`.
    pub const LIST_TASKS: &str = "shanzhi.assistance.v1.AssistanceService/ListTasks";
    /// `AssistanceService.GetCareAgreement`.
    pub const GET_CARE_AGREEMENT: &str = "shanzhi.assistance.v1.AssistanceService/GetCareAgreement";
    /// `ChildrenService.GetChild`.
    pub const GET_CHILD: &str = "shanzhi.children.v1.ChildrenService/GetChild";
    /// `ChildrenService.ListChildTasks`.
    pub const LIST_CHILD_TASKS: &str = "shanzhi.children.v1.ChildrenService/ListChildTasks";
    /// `ProjectsService.GetProject`.
    pub const GET_PROJECT: &str = "shanzhi.projects.v1.ProjectsService/GetProject";
    /// `ProjectsService.GetPortfolio`.
    pub const GET_PORTFOLIO: &str = "shanzhi.projects.v1.ProjectsService/GetPortfolio";
    /// `PlacesService.GetPlace`.
    pub const GET_PLACE: &str = "shanzhi.places.v1.PlacesService/GetPlace";
    /// `PlacesService.GetNameApplication`.
    pub const GET_NAME_APPLICATION: &str = "shanzhi.places.v1.PlacesService/GetNameApplication";
    /// `PlacesService.GetBoundary`.
    pub const GET_BOUNDARY: &str = "shanzhi.places.v1.PlacesService/GetBoundary";
    /// `OrganizationsService.GetOrganization`.
    pub const GET_ORGANIZATION: &str =
        "shanzhi.organizations.v1.OrganizationsService/GetOrganization";
    /// `OrganizationsService.ListListed`.
    pub const LIST_LISTED: &str = "shanzhi.organizations.v1.OrganizationsService/ListListed";
    /// `OrganizationsService.GetEnforcementCase`.
    pub const GET_ENFORCEMENT_CASE: &str =
        "shanzhi.organizations.v1.OrganizationsService/GetEnforcementCase";
    /// `OrganizationsService.GetContest`.
    pub const GET_CONTEST: &str = "shanzhi.organizations.v1.OrganizationsService/GetContest";
    /// `FuneralService.GetDeathCase`.
    pub const GET_DEATH_CASE: &str = "shanzhi.funeral.v1.FuneralService/GetDeathCase";
    /// `FuneralService.ListCemeteries`.
    pub const LIST_CEMETERIES: &str = "shanzhi.funeral.v1.FuneralService/ListCemeteries";
    /// `FuneralService.GetPlot`.
    pub const GET_PLOT: &str = "shanzhi.funeral.v1.FuneralService/GetPlot";
    /// `FuneralService.ListScatteredGraves`.
    pub const LIST_SCATTERED_GRAVES: &str = "shanzhi.funeral.v1.FuneralService/ListScatteredGraves";
    /// `ElderlyService.GetInstitution`.
    pub const GET_INSTITUTION: &str = "shanzhi.elderly.v1.ElderlyService/GetInstitution";
    /// `ElderlyService.GetElder`.
    pub const GET_ELDER: &str = "shanzhi.elderly.v1.ElderlyService/GetElder";
    /// `ElderlyService.GetIndicators`.
    pub const GET_ELDERLY_INDICATORS: &str = "shanzhi.elderly.v1.ElderlyService/GetIndicators";
    /// `RescueService.GetAdmission`.
    pub const GET_ADMISSION: &str = "shanzhi.rescue.v1.RescueService/GetAdmission";
    /// `RescueService.GetCampaign`.
    pub const GET_CAMPAIGN: &str = "shanzhi.rescue.v1.RescueService/GetCampaign";
    /// `RescueService.GetRehabilitation`.
    pub const GET_REHABILITATION: &str = "shanzhi.rescue.v1.RescueService/GetRehabilitation";
    /// `RescueService.ListOpenAdmissions`.
    pub const LIST_OPEN_ADMISSIONS: &str = "shanzhi.rescue.v1.RescueService/ListOpenAdmissions";
    /// `BenefitsService.ListSchemes`.
    pub const LIST_SCHEMES: &str = "shanzhi.benefits.v1.BenefitsService/ListSchemes";
    /// `BenefitsService.GetEnrollment`.
    pub const GET_ENROLLMENT: &str = "shanzhi.benefits.v1.BenefitsService/GetEnrollment";
    /// `BenefitsService.GetPaymentBatch`.
    pub const GET_PAYMENT_BATCH: &str = "shanzhi.benefits.v1.BenefitsService/GetPaymentBatch";
    /// `BenefitsService.GetUnit`.
    pub const GET_UNIT: &str = "shanzhi.benefits.v1.BenefitsService/GetUnit";
    /// `DirectoryService.ListNearMatches`.
    pub const LIST_NEAR_MATCHES: &str = "shanzhi.directory.v1.DirectoryService/ListNearMatches";
    /// `DirectoryService.ListAccessEvents`.
    pub const LIST_ACCESS_EVENTS: &str = "shanzhi.directory.v1.DirectoryService/ListAccessEvents";
    /// `GovernanceService.GetBoard`.
    pub const GET_BOARD: &str = "shanzhi.governance.v1.GovernanceService/GetBoard";
    /// `GovernanceService.GetVolunteerActivity`.
    pub const GET_VOLUNTEER_ACTIVITY: &str =
        "shanzhi.governance.v1.GovernanceService/GetVolunteerActivity";
}

/// The full method name (`shanzhi.points.v1.QueryService/GetAccount`) a request was routed
/// to, put in its extensions by the ledger services' wrapper from the request path: the
/// server checks credentials against the route it serves, never against a hand-written name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutedMethod(pub String);

impl RoutedMethod {
    /// From an HTTP/2 `:path` such as `/shanzhi.points.v1.QueryService/GetAccount`.
    pub fn from_path(path: &str) -> Self {
        Self(path.strip_prefix('/').unwrap_or(path).to_owned())
    }
}

/// Who is reading: a verified read credential's key. Its role is looked up at the position
/// of the state the read runs on.
#[derive(Clone, Debug)]
pub struct Reader {
    key_id: KeyId,
}

impl Reader {
    /// The reader's role in `state`; refused if the key was revoked there.
    pub fn role(&self, state: &State) -> Result<Role, Refusal> {
        state.active_role(&self.key_id).cloned()
    }

    /// The reader's key.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }
}

/// Authenticates a read: the request's metadata must carry a credential for the method the
/// request was routed to, made within `max_skew` of now, signed by a registered, unrevoked
/// key. Runs on the caller's task.
pub fn authenticate<T: Message>(
    request: &tonic::Request<T>,
    keys: &KeyDirectory,
    max_skew: Duration,
) -> Result<Reader, Refusal> {
    let method = request
        .extensions()
        .get::<RoutedMethod>()
        .ok_or_else(|| missing("the request's route is unknown to the server"))?;
    let credential = ReadCredential::from_request(request, &method.0)?;
    credential.verify(keys, crate::writer::now_unix_ms(), max_skew)
}

/// A read credential taken from request metadata, not yet verified.
#[derive(Clone, Debug)]
pub struct ReadCredential {
    key_id: KeyId,
    method: String,
    timestamp: String,
    signature: Vec<u8>,
    payload: Vec<u8>,
}

fn missing(what: &str) -> Refusal {
    Refusal::ReadCredentialMalformed {
        problem: what.to_owned(),
    }
}

impl ReadCredential {
    /// Takes the credential for `method` (e.g. [`methods::GET_ACCOUNT`]) from a request's
    /// metadata.
    pub fn from_request<T: Message>(
        request: &tonic::Request<T>,
        method: &str,
    ) -> Result<Self, Refusal> {
        let text = |key: &str| {
            request
                .metadata()
                .get(key)
                .ok_or_else(|| missing(&format!("{key} is missing")))?
                .to_str()
                .map(str::to_owned)
                .map_err(|_| missing(&format!("{key} is not ASCII")))
        };
        let key_id = KeyId::from_hex(&text(KEY_ID_METADATA)?)
            .map_err(|_| missing(&format!("{KEY_ID_METADATA} is not 32 hex characters")))?;
        let signature = hex::decode(text(SIGNATURE_METADATA)?)
            .map_err(|_| missing(&format!("{SIGNATURE_METADATA} is not hex")))?;
        let timestamp = text(TIMESTAMP_METADATA)?;
        Ok(Self {
            key_id,
            method: method.to_owned(),
            payload: read_payload(method, &timestamp, request.get_ref()),
            timestamp,
            signature,
        })
    }

    /// Checks the timestamp (at most `max_skew` from `now_ms`) and the signature against the
    /// registered keys, and gives the reader. Runs on the caller's task, not the writer's.
    pub fn verify(
        &self,
        keys: &KeyDirectory,
        now_ms: u64,
        max_skew: Duration,
    ) -> Result<Reader, Refusal> {
        let timestamp: u64 = self
            .timestamp
            .parse()
            .map_err(|_| missing(&format!("{TIMESTAMP_METADATA} is not a decimal number")))?;
        let skew = u64::try_from(max_skew.as_millis()).unwrap_or(u64::MAX);
        if timestamp.abs_diff(now_ms) > skew {
            return Err(Refusal::ReadCredentialStale {
                timestamp,
                skew_ms: skew,
                now: now_ms,
            });
        }
        keys.verify(
            self.key_id,
            SigningContext::Read,
            &self.payload,
            &self.signature,
        )
        .map_err(|refusal| match refusal {
            Refusal::BadSignature { key_id, .. } => Refusal::ReadCredentialBadSignature {
                key_id,
                method: self.method.clone(),
                timestamp: self.timestamp.clone(),
            },
            other => other,
        })?;
        Ok(Reader {
            key_id: self.key_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::methods;
    use crate::pb;

    /// Every RPC of the generated services, as `package.Service/Method`.
    fn generated_methods() -> Vec<String> {
        let set = prost_types::FileDescriptorSet::decode(pb::FILE_DESCRIPTOR_SET).unwrap();
        let mut names = Vec::new();
        for file in &set.file {
            for service in &file.service {
                for method in &service.method {
                    names.push(format!(
                        "{}.{}/{}",
                        file.package(),
                        service.name(),
                        method.name()
                    ));
                }
            }
        }
        names
    }

    #[test]
    fn the_method_names_clients_sign_are_the_generated_services_routes() {
        use pb::assistance::assistance_service_server::SERVICE_NAME as ASSISTANCE;
        use pb::audit::audit_service_server::SERVICE_NAME as AUDIT;
        use pb::benefits::benefits_service_server::SERVICE_NAME as BENEFITS;
        use pb::casework::casework_service_server::SERVICE_NAME as CASEWORK;
        use pb::children::children_service_server::SERVICE_NAME as CHILDREN;
        use pb::elderly::elderly_service_server::SERVICE_NAME as ELDERLY;
        use pb::funeral::funeral_service_server::SERVICE_NAME as FUNERAL;
        use pb::governance::governance_service_server::SERVICE_NAME as GOVERNANCE;
        use pb::organizations::organizations_service_server::SERVICE_NAME as ORGANIZATIONS;
        use pb::places::places_service_server::SERVICE_NAME as PLACES;
        use pb::points::query_service_server::SERVICE_NAME as QUERY;
        use pb::projects::projects_service_server::SERVICE_NAME as PROJECTS;
        use pb::registry::registry_service_server::SERVICE_NAME as REGISTRY;
        use pb::rescue::rescue_service_server::SERVICE_NAME as RESCUE;
        let generated = generated_methods();
        let signed = [
            methods::GET_ACCOUNT,
            methods::GET_ENTRY,
            methods::GET_RECEIPT,
            methods::LIST_HISTORY,
            methods::GET_ENTRIES,
            methods::GET_TRANSACTION_RECEIPT,
            methods::GET_KEY_SET,
            methods::GET_STATE_SNAPSHOT,
            methods::LIST_AREAS,
            methods::GET_CATALOGUE,
            methods::GET_POLICY,
            methods::GET_CLAIM,
            methods::LIST_CLAIMS,
            methods::GET_NOTICE,
            methods::GET_BOARD,
            methods::GET_VOLUNTEER_ACTIVITY,
            methods::GET_CASE,
            methods::LIST_CASES,
            methods::LIST_CASE_TYPES,
            methods::LIST_SCHEMES,
            methods::GET_ENROLLMENT,
            methods::GET_PAYMENT_BATCH,
            methods::GET_UNIT,
            methods::LIST_TASKS,
            methods::GET_CARE_AGREEMENT,
            methods::GET_CHILD,
            methods::LIST_CHILD_TASKS,
            methods::GET_PROJECT,
            methods::GET_PORTFOLIO,
            methods::GET_PLACE,
            methods::GET_NAME_APPLICATION,
            methods::GET_BOUNDARY,
            methods::GET_ORGANIZATION,
            methods::LIST_LISTED,
            methods::GET_ENFORCEMENT_CASE,
            methods::GET_CONTEST,
            methods::GET_DEATH_CASE,
            methods::LIST_CEMETERIES,
            methods::GET_PLOT,
            methods::LIST_SCATTERED_GRAVES,
            methods::GET_INSTITUTION,
            methods::GET_ELDER,
            methods::GET_ELDERLY_INDICATORS,
            methods::GET_ADMISSION,
            methods::GET_CAMPAIGN,
            methods::GET_REHABILITATION,
            methods::LIST_OPEN_ADMISSIONS,
        ];
        for method in signed {
            assert!(generated.iter().any(|g| g == method), "{method} is no RPC");
            assert!(
                [
                    QUERY,
                    AUDIT,
                    REGISTRY,
                    GOVERNANCE,
                    CASEWORK,
                    BENEFITS,
                    ASSISTANCE,
                    CHILDREN,
                    PROJECTS,
                    PLACES,
                    ORGANIZATIONS,
                    FUNERAL,
                    ELDERLY,
                    RESCUE,
                ]
                .iter()
                .any(|service| method.starts_with(&format!("{service}/"))),
                "{method}"
            );
        }
        // Every query, registry and governance read needs a credential, so every one has a
        // name here.
        for read in generated.iter().filter(|g| {
            [
                QUERY,
                REGISTRY,
                GOVERNANCE,
                CASEWORK,
                BENEFITS,
                ASSISTANCE,
                CHILDREN,
                PROJECTS,
                PLACES,
                ORGANIZATIONS,
                FUNERAL,
                ELDERLY,
                RESCUE,
            ]
            .iter()
            .any(|service| g.starts_with(&format!("{service}/")))
        }) {
            assert!(signed.contains(&read.as_str()), "{read} has no constant");
        }
    }
}
