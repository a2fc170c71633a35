//! A signed change to the directory, checked in the handler before it reaches the directory:
//! the body's size, then its signature by a registered, unrevoked key, then its fields.

use crate::crypto::{self, SigningContext};
use crate::ledger::{
    HouseholdId, KeyId, MemberId, Refusal, Subject, decode_canonical, parse_memo, parse_text,
};
use crate::pb::directory as pb;
use crate::writer::KeyDirectory;

use super::{DirectoryError, DirectoryRefusal};

/// The largest change body accepted, in bytes: far above any valid one (a 128-character name
/// and a 280-byte reason), checked before the signature.
pub const MAX_CHANGE_BODY_BYTES: usize = 2048;

/// What a change does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Sets (or corrects) the display name.
    SetName(String),
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
            None => Err(Refusal::InvalidField {
                field: "subject",
                expected: "a household_id or a member_id".into(),
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
            }),
        }
    }
}

/// Checks a signed change in the handler: size, signature by a registered and unrevoked key,
/// canonical body, fields. Authorization (the signer's role and the subject's village) is
/// decided against the ledger's state afterwards.
pub fn admit(signed: &pb::SignedChange, keys: &KeyDirectory) -> Result<Change, DirectoryError> {
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
            ChangeKind::SetName(parse_text("display_name", &set.display_name)?)
        }
        Some(pb::change_body::Change::Erase(_)) => ChangeKind::Erase,
        None => {
            return Err(Refusal::InvalidField {
                field: "change",
                expected: "set_name or erase".into(),
                found: "nothing".into(),
            }
            .into());
        }
    };
    Ok(Change {
        subject,
        revision: body.revision,
        kind,
        reason: parse_memo("reason", &body.reason, true)?,
        signer,
        body_hash: crypto::sha256(&signed.body),
    })
}
