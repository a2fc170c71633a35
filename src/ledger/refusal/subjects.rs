//! The subjects family's refusals (`shanzhi.registry.v1`: persons and organizations), nested
//! in [`Refusal::Subject`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;
use crate::ledger::{OrganizationId, PersonId};

/// Why a subjects operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubjectRefusal {
    /// The resident identity number's tag is already a registered person's.
    #[error(
        "id_tag: expected the tag of a resident identity number no person holds, found one a \
         registered person holds: one person per identity number (IdentityTag names the person \
         to a key whose area covers theirs)"
    )]
    DuplicateIdNumber,
    /// The credit code's tag is already a registered organization's.
    #[error(
        "code_tag: expected the tag of a credit code no organization holds, found one a \
         registered organization holds: one organization per unified social credit code"
    )]
    DuplicateCreditCode,
    /// A near match already reviewed.
    #[error(
        "the near match of persons {first} and {second} was reviewed at entry {at}: a pair is \
         reviewed once"
    )]
    NearMatchReviewed {
        /// The pair's lower id.
        first: PersonId,
        /// The other.
        second: PersonId,
        /// The entry of the review.
        at: u64,
    },
    /// No person is registered with this id.
    #[error("person_id: expected a registered person, found {0}, which no RegisterPerson made")]
    UnknownPerson(PersonId),
    /// No organization is registered with this id.
    #[error(
        "organization_id: expected a registered organization, found {0}, which no \
         RegisterOrganization made"
    )]
    UnknownOrganization(OrganizationId),
}

impl SubjectRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        match self {
            SubjectRefusal::DuplicateIdNumber
            | SubjectRefusal::DuplicateCreditCode
            | SubjectRefusal::NearMatchReviewed { .. } => RefusalClass::AlreadyExists,
            SubjectRefusal::UnknownPerson(_) | SubjectRefusal::UnknownOrganization(_) => {
                RefusalClass::NotFound
            }
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        match self {
            SubjectRefusal::DuplicateIdNumber => "DUPLICATE_ID_NUMBER",
            SubjectRefusal::DuplicateCreditCode => "DUPLICATE_CREDIT_CODE",
            SubjectRefusal::NearMatchReviewed { .. } => "NEAR_MATCH_REVIEWED",
            SubjectRefusal::UnknownPerson(_) => "UNKNOWN_PERSON",
            SubjectRefusal::UnknownOrganization(_) => "UNKNOWN_ORGANIZATION",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        [
            SubjectRefusal::DuplicateIdNumber,
            SubjectRefusal::DuplicateCreditCode,
            SubjectRefusal::NearMatchReviewed {
                first: PersonId([1; 16]),
                second: PersonId([2; 16]),
                at: 3,
            },
            SubjectRefusal::UnknownPerson(PersonId([3; 16])),
            SubjectRefusal::UnknownOrganization(OrganizationId([4; 16])),
        ]
        .into_iter()
        .map(Refusal::Subject)
        .collect()
    }
}
