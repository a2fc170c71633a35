//! The programs' subjects: asking the directory for an identity number's tag, and
//! registering persons and organizations in the log with it.

use super::{LedgerClient, Signer};
use crate::api::auth::methods;
use crate::pb::directory as dpb;
use crate::pb::points as pb;
use crate::pb::registry as rpb;

/// An identity number to tag.
#[derive(Clone, Debug)]
pub enum IdentityNumber {
    /// A resident identity number (GB 11643).
    Resident(String),
    /// A unified social credit code (GB 32100).
    Credit(String),
}

/// The operation registering a person `person_id` with `id_tag` in `area_code`.
pub fn register_person(
    person_id: [u8; 16],
    id_tag: Vec<u8>,
    area_code: &str,
) -> pb::transaction_body::Operation {
    registry(rpb::registry_operation::Operation::RegisterPerson(
        rpb::RegisterPerson {
            person_id: person_id.to_vec(),
            id_tag,
            area_code: area_code.into(),
        },
    ))
}

/// The operation registering an organization `organization_id` with `code_tag` in
/// `area_code`.
pub fn register_organization(
    organization_id: [u8; 16],
    code_tag: Vec<u8>,
    area_code: &str,
) -> pb::transaction_body::Operation {
    registry(rpb::registry_operation::Operation::RegisterOrganization(
        rpb::RegisterOrganization {
            organization_id: organization_id.to_vec(),
            code_tag,
            area_code: area_code.into(),
        },
    ))
}

fn registry(operation: rpb::registry_operation::Operation) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Registry(rpb::RegistryOperation {
        operation: Some(operation),
    })
}

/// The operation linking a household member to the registered person they are, for good.
pub fn link_member_person(
    member_id: [u8; 16],
    person_id: [u8; 16],
) -> pb::transaction_body::Operation {
    registry(rpb::registry_operation::Operation::LinkMemberPerson(
        rpb::LinkMemberPerson {
            member_id: member_id.to_vec(),
            person_id: person_id.to_vec(),
        },
    ))
}

/// The operation recording the review of the near match of two persons.
pub fn review_near_match(
    first: [u8; 16],
    second: [u8; 16],
    finding: rpb::NearMatchFinding,
) -> pb::transaction_body::Operation {
    registry(rpb::registry_operation::Operation::ReviewNearMatch(
        rpb::ReviewNearMatch {
            first_person_id: first.to_vec(),
            second_person_id: second.to_vec(),
            finding: finding.into(),
        },
    ))
}

/// A subject registered by [`LedgerClient::register_subject`].
#[derive(Clone, Debug)]
pub struct Registered {
    /// The new subject's id.
    pub id: [u8; 16],
    /// The receipt of its registration.
    pub receipt: pb::Receipt,
    /// What the directory said of the number.
    pub tag: dpb::IdentityTagResponse,
}

impl LedgerClient {
    /// The identity tag of `number`, as `signer` (a bureau admin or caseworker).
    pub async fn identity_tag(
        &mut self,
        signer: &Signer,
        number: IdentityNumber,
    ) -> Result<dpb::IdentityTagResponse, tonic::Status> {
        use dpb::identity_tag_request::Number;
        let number = match number {
            IdentityNumber::Resident(text) => Number::ResidentIdNumber(text),
            IdentityNumber::Credit(text) => Number::CreditCode(text),
        };
        let request = signer.read_request(
            &self.ledger_id,
            methods::IDENTITY_TAG,
            dpb::IdentityTagRequest {
                number: Some(number),
            },
        );
        Ok(self.directory.identity_tag(request).await?.into_inner())
    }

    /// One page of near matches after `after` (empty: the first), as `signer`.
    pub async fn near_matches(
        &mut self,
        signer: &Signer,
        after: Vec<u8>,
    ) -> Result<dpb::ListNearMatchesResponse, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::LIST_NEAR_MATCHES,
            dpb::ListNearMatchesRequest { after },
        );
        Ok(self
            .directory
            .list_near_matches(request)
            .await?
            .into_inner())
    }

    /// Registers the person or organization of `number` in `area_code` under a new random id,
    /// as `signer`: the number's tag from the directory, then the registration in the log.
    /// A number already registered is refused by the ledger (`DUPLICATE_ID_NUMBER`,
    /// `DUPLICATE_CREDIT_CODE`), whose message names the subject that holds it.
    pub async fn register_subject(
        &mut self,
        signer: &Signer,
        number: IdentityNumber,
        area_code: &str,
    ) -> Result<Registered, tonic::Status> {
        let person = matches!(number, IdentityNumber::Resident(_));
        let tag = self.identity_tag(signer, number).await?;
        let id = crate::crypto::random_bytes::<16>();
        let operation = if person {
            register_person(id, tag.tag.clone(), area_code)
        } else {
            register_organization(id, tag.tag.clone(), area_code)
        };
        let receipt = self.submit(signer, operation).await?;
        Ok(Registered { id, receipt, tag })
    }
}
