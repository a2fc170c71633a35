//! A signed change to the directory, checked in the handler before it reaches the directory:
//! the body's size, then its signature by a registered, unrevoked key, then its fields.

use crate::crypto::{self, SigningContext};
use crate::ledger::{
    AreaCode, CivilDate, HouseholdId, KeyId, MemberId, OrganizationId, PersonId, Refusal, Subject,
    decode_canonical, parse_memo, parse_text,
};
use crate::pb::directory as pb;
use crate::writer::KeyDirectory;

use super::identity::{CreditCode, ResidentId};
use super::{
    Details, DirectoryError, DirectoryRefusal, OrganizationDetails, PersonDetails, parse_phone,
};

/// The largest change body accepted, in bytes: far above any valid one (a 128-character name
/// and a 280-byte reason), checked before the signature.
pub const MAX_CHANGE_BODY_BYTES: usize = 2048;

/// What a change does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Sets (or corrects) the display name, and a person's or organization's details.
    Set(String, Option<Details>),
    /// Erases the record.
    Erase,
}

/// A verified, parsed change.
#[derive(Clone, Debug)]
pub struct Change {
    /// Whose record.
    pub subject: Subject,
    /// The revision it replaces.
    pub revision: u64,
    /// What it does.
    pub kind: ChangeKind,
    /// Why.
    pub reason: String,
    /// The key that signed it.
    pub signer: KeyId,
    /// SHA-256 of the signed body.
    pub body_hash: [u8; 32],
}

impl TryFrom<&pb::Subject> for Subject {
    type Error = Refusal;

    fn try_from(subject: &pb::Subject) -> Result<Self, Refusal> {
        match &subject.subject {
            Some(pb::subject::Subject::HouseholdId(id)) => {
                Ok(Subject::Household(HouseholdId::parse("household_id", id)?))
            }
            Some(pb::subject::Subject::MemberId(id)) => {
                Ok(Subject::Member(MemberId::from_slice(id)?))
            }
            Some(pb::subject::Subject::PersonId(id)) => {
                Ok(Subject::Person(PersonId::from_slice(id)?))
            }
            Some(pb::subject::Subject::OrganizationId(id)) => {
                Ok(Subject::Organization(OrganizationId::from_slice(id)?))
            }
            None => Err(Refusal::InvalidField {
                field: "subject",
                expected: "a household_id, member_id, person_id or organization_id".into(),
                found: "nothing".into(),
            }),
        }
    }
}

impl From<&Subject> for pb::Subject {
    fn from(subject: &Subject) -> Self {
        pb::Subject {
            subject: Some(match subject {
                Subject::Household(id) => pb::subject::Subject::HouseholdId(id.to_string()),
                Subject::Member(id) => pb::subject::Subject::MemberId(id.0.to_vec()),
                Subject::Person(id) => pb::subject::Subject::PersonId(id.0.to_vec()),
                Subject::Organization(id) => pb::subject::Subject::OrganizationId(id.0.to_vec()),
            }),
        }
    }
}

/// Checks a signed change in the handler: size, signature by a registered and unrevoked key,
/// canonical body, fields (an identity number against `today`, its birth date not after it).
/// Authorization (the signer's role and the subject's village or area) and a number against
/// the subject's identity tag are decided against the ledger's state afterwards.
pub fn admit(
    signed: &pb::SignedChange,
    keys: &KeyDirectory,
    today: CivilDate,
) -> Result<Change, DirectoryError> {
    if signed.body.len() > MAX_CHANGE_BODY_BYTES {
        return Err(DirectoryRefusal::ChangeTooLarge {
            found: signed.body.len(),
            max: MAX_CHANGE_BODY_BYTES,
        }
        .into());
    }
    let signer = KeyId::from_hex(&signed.key_id)?;
    keys.verify(
        signer,
        SigningContext::Directory,
        &signed.body,
        &signed.signature,
    )?;
    let body: pb::ChangeBody = decode_canonical("directory change body", &signed.body)?;
    let subject = Subject::try_from(&body.subject.clone().unwrap_or_default())?;
    let kind = match &body.change {
        Some(pb::change_body::Change::SetName(set)) => {
            ChangeKind::Set(parse_text("display_name", &set.display_name)?, None)
        }
        Some(pb::change_body::Change::SetPerson(set)) => {
            let id = ResidentId::parse(&set.resident_id_number, today).map_err(|m| {
                DirectoryRefusal::MalformedIdNumber {
                    expected: m.expected,
                    found: m.found,
                }
            })?;
            let details = PersonDetails::new(
                &id,
                parse_phone(&set.phone)?,
                AreaCode::parse("hukou_area", &set.hukou_area)?,
                AreaCode::parse("residence_area", &set.residence_area)?,
            );
            ChangeKind::Set(
                parse_text("name", &set.name)?,
                Some(Details::Person(details)),
            )
        }
        Some(pb::change_body::Change::SetOrganization(set)) => {
            let code = CreditCode::parse(&set.credit_code).map_err(|m| {
                DirectoryRefusal::MalformedCreditCode {
                    expected: m.expected,
                    found: m.found,
                }
            })?;
            let details = OrganizationDetails {
                credit_code: code.as_str().to_owned(),
            };
            ChangeKind::Set(
                parse_text("name", &set.name)?,
                Some(Details::Organization(details)),
            )
        }
        Some(pb::change_body::Change::Erase(_)) => ChangeKind::Erase,
        None => {
            return Err(Refusal::InvalidField {
                field: "change",
                expected: "set_name, set_person, set_organization or erase".into(),
                found: "nothing".into(),
            }
            .into());
        }
    };
    // Each kind of subject takes its own kind of record.
    let fits = matches!(
        (&subject, &kind),
        (_, ChangeKind::Erase)
            | (
                Subject::Household(_) | Subject::Member(_),
                ChangeKind::Set(_, None)
            )
            | (
                Subject::Person(_),
                ChangeKind::Set(_, Some(Details::Person(_)))
            )
            | (
                Subject::Organization(_),
                ChangeKind::Set(_, Some(Details::Organization(_)))
            )
    );
    if !fits {
        return Err(Refusal::InvalidField {
            field: "change",
            expected: "set_name for a household or member, set_person for a person, \
                       set_organization for an organization"
                .into(),
            found: format!("another kind of record for {subject}"),
        }
        .into());
    }
    Ok(Change {
        subject,
        revision: body.revision,
        kind,
        reason: parse_memo("reason", &body.reason, true)?,
        signer,
        body_hash: crypto::sha256(&signed.body),
    })
}
