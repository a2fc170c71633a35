//! The directory's own refusals. Signatures, keys, fields and scopes are refused with the
//! ledger's [`Refusal`]s; these are what only the directory can say.

use tonic::Code;

use crate::ledger::{Refusal, Subject};

/// Why the directory did not do what a request asked. Nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryRefusal {
    /// A change names a revision other than the record's current one (another change came
    /// first, or this is an old change sent again).
    #[error(
        "the directory record of {subject} is at revision {current}, but the change replaces \
         revision {found}: read the record again and sign a change of revision {current}"
    )]
    RevisionMismatch {
        /// Whose record.
        subject: Subject,
        /// The record's revision.
        current: u64,
        /// The revision the change named.
        found: u64,
    },
    /// An erasure of a subject that has no record.
    #[error("the directory holds no record of {subject}: expected one to erase, found none")]
    NoRecord {
        /// Whose record.
        subject: Subject,
    },
    /// An erasure of a record already erased.
    #[error("the directory record of {subject} was already erased at revision {revision}")]
    AlreadyErased {
        /// Whose record.
        subject: Subject,
        /// The erasure's revision.
        revision: u64,
    },
    /// A change body larger than the directory accepts; checked before its signature.
    #[error("directory change body: expected at most {max} bytes, found {found}")]
    ChangeTooLarge {
        /// The body's length, in bytes.
        found: usize,
        /// The largest body accepted.
        max: usize,
    },
    /// A read of too many subjects, or of none.
    #[error("subjects: expected 1 to {max} subjects, found {found}")]
    SubjectCount {
        /// The number of subjects asked for.
        found: usize,
        /// The most one read may ask for.
        max: usize,
    },
    /// A resident identity number that is not well formed (GB 11643).
    #[error("resident_id_number: expected {expected}, found {found}")]
    MalformedIdNumber {
        /// What it must be.
        expected: String,
        /// What was found (never the number itself).
        found: String,
    },
    /// A unified social credit code that is not well formed (GB 32100).
    #[error("credit_code: expected {expected}, found {found}")]
    MalformedCreditCode {
        /// What it must be.
        expected: String,
        /// What was found.
        found: String,
    },
    /// A person's identity number, or an organization's credit code, that is not the one
    /// the subject was registered with (its identity tag is not the log's).
    #[error(
        "the number given for {subject} is not the one it was registered with (its identity \
         tag is not the log's): a subject's number is fixed when it is registered; for a \
         mistaken registration, register the right number as a new subject"
    )]
    IdentityMismatch {
        /// Whose record.
        subject: Subject,
    },
    /// A stored record whose key is missing or whose ciphertext does not decrypt: the
    /// directory's files were damaged or edited.
    #[error(
        "the directory record of {subject} (revision {revision}) cannot be decrypted: its key \
         is missing or the stored bytes are damaged; restore the directory from its backup, \
         then apply again every erasure and correction made since that backup"
    )]
    Damaged {
        /// Whose record.
        subject: Subject,
        /// The record's revision.
        revision: u64,
    },
}

impl DirectoryRefusal {
    /// The gRPC code (the README's error table).
    pub fn code(&self) -> Code {
        match self {
            DirectoryRefusal::RevisionMismatch { .. } => Code::Aborted,
            DirectoryRefusal::NoRecord { .. } => Code::NotFound,
            DirectoryRefusal::AlreadyErased { .. } | DirectoryRefusal::IdentityMismatch { .. } => {
                Code::FailedPrecondition
            }
            DirectoryRefusal::ChangeTooLarge { .. }
            | DirectoryRefusal::SubjectCount { .. }
            | DirectoryRefusal::MalformedIdNumber { .. }
            | DirectoryRefusal::MalformedCreditCode { .. } => Code::InvalidArgument,
            DirectoryRefusal::Damaged { .. } => Code::DataLoss,
        }
    }

    /// The stable reason (the README lists every one).
    pub fn reason(&self) -> &'static str {
        match self {
            DirectoryRefusal::RevisionMismatch { .. } => "DIRECTORY_REVISION_MISMATCH",
            DirectoryRefusal::NoRecord { .. } => "NO_DIRECTORY_RECORD",
            DirectoryRefusal::AlreadyErased { .. } => "DIRECTORY_RECORD_ERASED",
            DirectoryRefusal::ChangeTooLarge { .. } => "DIRECTORY_CHANGE_TOO_LARGE",
            DirectoryRefusal::SubjectCount { .. } => "DIRECTORY_SUBJECT_COUNT",
            DirectoryRefusal::Damaged { .. } => "DIRECTORY_RECORD_DAMAGED",
            DirectoryRefusal::MalformedIdNumber { .. } => "MALFORMED_ID_NUMBER",
            DirectoryRefusal::MalformedCreditCode { .. } => "MALFORMED_CREDIT_CODE",
            DirectoryRefusal::IdentityMismatch { .. } => "ID_NUMBER_MISMATCH",
        }
    }

    /// One of each, for the test that the README lists every reason.
    pub fn one_of_each() -> Vec<DirectoryRefusal> {
        let subject = Subject::Member(crate::ledger::MemberId([1; 16]));
        vec![
            DirectoryRefusal::RevisionMismatch {
                subject: subject.clone(),
                current: 2,
                found: 1,
            },
            DirectoryRefusal::NoRecord {
                subject: subject.clone(),
            },
            DirectoryRefusal::AlreadyErased {
                subject: subject.clone(),
                revision: 3,
            },
            DirectoryRefusal::ChangeTooLarge { found: 2, max: 1 },
            DirectoryRefusal::IdentityMismatch {
                subject: subject.clone(),
            },
            DirectoryRefusal::SubjectCount { found: 0, max: 1 },
            DirectoryRefusal::MalformedIdNumber {
                expected: "e".into(),
                found: "f".into(),
            },
            DirectoryRefusal::MalformedCreditCode {
                expected: "e".into(),
                found: "f".into(),
            },
            DirectoryRefusal::Damaged {
                subject,
                revision: 1,
            },
        ]
    }
}

/// Why a directory call failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum DirectoryError {
    /// The ledger's refusal: a field, a signature, a key, a scope, an unknown subject.
    #[error(transparent)]
    Ledger(#[from] Refusal),
    /// The directory's own refusal.
    #[error(transparent)]
    Refused(#[from] DirectoryRefusal),
    /// A write or sync of the directory failed: it takes no more changes, and the server
    /// stops (fail-stop, as for the ledger's store).
    #[error("the directory store is unavailable: {0}")]
    Unavailable(String),
}
