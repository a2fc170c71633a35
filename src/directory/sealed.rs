//! How a record is stored: its revision and last change in clear, its contents (the name and
//! the change's reason) encrypted with ChaCha20-Poly1305 under a key of its own, held in the
//! keyring. The associated data binds the ciphertext to its subject and revision, so stored
//! bytes cannot be moved to another record or revision.
//!
//! The value under a subject's key in the `records` tree is an encoded [`Stored`].

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use prost::Message;

use super::keyring::RecordKey;
use crate::ledger::Subject;

/// The length of a nonce, in bytes.
const NONCE_BYTES: usize = 12;

/// A stored record.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Stored {
    /// The revision: one more per change.
    #[prost(uint64, tag = "1")]
    pub revision: u64,
    /// When the last change was applied, ms since the Unix epoch.
    #[prost(uint64, tag = "2")]
    pub changed_at_unix_ms: u64,
    /// The key id (16 bytes) that signed the last change.
    #[prost(bytes = "vec", tag = "3")]
    pub changed_by: Vec<u8>,
    /// SHA-256 of the last change's signed body, which makes a resent change idempotent.
    #[prost(bytes = "vec", tag = "4")]
    pub change_hash: Vec<u8>,
    /// What the record holds.
    #[prost(oneof = "Held", tags = "5, 6")]
    pub held: Option<Held>,
    /// A present person record's near key (`near.rs`), empty otherwise.
    #[prost(bytes = "vec", tag = "7")]
    pub near_key: Vec<u8>,
}

/// What a stored record holds.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum Held {
    /// Encrypted contents.
    #[prost(message, tag = "5")]
    Sealed(Sealed),
    /// The erasure's reason: the contents and their key are gone.
    #[prost(string, tag = "6")]
    ErasureReason(String),
}

/// Encrypted contents and where their key is.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Sealed {
    /// The keyring slot of the key.
    #[prost(uint32, tag = "1")]
    pub slot: u32,
    /// The nonce.
    #[prost(bytes = "vec", tag = "2")]
    pub nonce: Vec<u8>,
    /// The encrypted, authenticated [`Contents`].
    #[prost(bytes = "vec", tag = "3")]
    pub ciphertext: Vec<u8>,
}

/// A record's personal data: the name (a household's, a member's, a person's or an
/// organization's), and a person's or organization's details.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Contents {
    /// The display name.
    #[prost(string, tag = "1")]
    pub display_name: String,
    /// The reason of the change that set it.
    #[prost(string, tag = "2")]
    pub reason: String,
    /// A person's resident identity number (empty for other subjects).
    #[prost(string, tag = "3")]
    pub resident_id_number: String,
    /// A person's phone, or empty.
    #[prost(string, tag = "4")]
    pub phone: String,
    /// A person's hukou area.
    #[prost(string, tag = "5")]
    pub hukou_area: String,
    /// A person's residence area.
    #[prost(string, tag = "6")]
    pub residence_area: String,
    /// An organization's credit code.
    #[prost(string, tag = "7")]
    pub credit_code: String,
}

impl Stored {
    /// The slot of the record's key, if it holds contents.
    pub fn slot(&self) -> Option<u32> {
        match &self.held {
            Some(Held::Sealed(sealed)) => Some(sealed.slot),
            _ => None,
        }
    }
}

/// The key of a subject's record in the `records` tree: `h` + household id, or `m`, `p` or
/// `o` + the member's, person's or organization's 16 bytes.
pub fn subject_key(subject: &Subject) -> Vec<u8> {
    match subject {
        Subject::Household(id) => [b"h".as_slice(), id.to_string().as_bytes()].concat(),
        Subject::Member(id) => [b"m".as_slice(), &id.0].concat(),
        Subject::Person(id) => [b"p".as_slice(), &id.0].concat(),
        Subject::Organization(id) => [b"o".as_slice(), &id.0].concat(),
    }
}

/// The subject a key of the `records` tree names (the inverse of [`subject_key`]).
pub fn subject_of_key(key: &[u8]) -> Option<Subject> {
    match key.split_first()? {
        (b'h', id) => std::str::from_utf8(id)
            .ok()
            .and_then(|id| crate::ledger::HouseholdId::parse("household_id", id).ok())
            .map(Subject::Household),
        (b'm', id) => crate::ledger::MemberId::from_slice(id)
            .ok()
            .map(Subject::Member),
        (b'p', id) => crate::ledger::PersonId::from_slice(id)
            .ok()
            .map(Subject::Person),
        (b'o', id) => crate::ledger::OrganizationId::from_slice(id)
            .ok()
            .map(Subject::Organization),
        _ => None,
    }
}

fn associated_data(subject: &Subject, revision: u64) -> Vec<u8> {
    [
        b"shanzhi/directory-record/v1\0".as_slice(),
        &subject_key(subject),
        b"\0",
        &revision.to_be_bytes(),
    ]
    .concat()
}

/// Encrypts `contents` of `subject` at `revision` under `key` in `slot`.
pub fn seal(
    subject: &Subject,
    revision: u64,
    key: &RecordKey,
    slot: u32,
    contents: &Contents,
) -> Sealed {
    let nonce = crate::crypto::random_bytes::<NONCE_BYTES>();
    let plaintext = zeroize::Zeroizing::new(contents.encode_to_vec());
    let aad = associated_data(subject, revision);
    #[allow(
        clippy::expect_used,
        reason = "ChaCha20-Poly1305 encryption fails only for plaintexts past 256 GiB"
    )]
    let ciphertext = ChaCha20Poly1305::new(key.as_ref().into())
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &plaintext,
                aad: &aad,
            },
        )
        .expect("a directory record is far below ChaCha20-Poly1305's length limit");
    Sealed {
        slot,
        nonce: nonce.to_vec(),
        ciphertext,
    }
}

/// Decrypts a record of `subject` at `revision`; `None` if it does not authenticate.
pub fn open(
    subject: &Subject,
    revision: u64,
    key: &RecordKey,
    sealed: &Sealed,
) -> Option<Contents> {
    if sealed.nonce.len() != NONCE_BYTES {
        return None;
    }
    let aad = associated_data(subject, revision);
    let plaintext = ChaCha20Poly1305::new(key.as_ref().into())
        .decrypt(
            Nonce::from_slice(&sealed.nonce),
            Payload {
                msg: &sealed.ciphertext,
                aad: &aad,
            },
        )
        .ok()
        .map(zeroize::Zeroizing::new)?;
    Contents::decode(plaintext.as_slice()).ok()
}
