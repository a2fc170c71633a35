//! Every error the API can answer with, and its one mapping to `tonic::Status`: the gRPC code
//! (the README's error table), a message that says what was expected and what was found, and
//! a stable machine-readable reason in a `google.rpc.ErrorInfo` detail (domain `shanzhi`), so
//! clients and tests match reasons, never English text.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::directory::{DirectoryError, DirectoryRefusal};
use crate::ledger::{Refusal, RefusalClass};
use crate::log::merkle::ProofError;
use crate::log::serving::ServeError;
use crate::store::StoreError;
use crate::writer::SubmitError;

/// The `ErrorInfo.domain` of every reason.
pub const REASON_DOMAIN: &str = "shanzhi";

/// Why a request was not answered with what it asked for.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The ledger refused: the request was wrong, unauthorized, or the state does not allow
    /// it. Nothing was done.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The directory of personal data refused. Nothing was done.
    #[error(transparent)]
    Directory(#[from] DirectoryRefusal),
    /// The store failed or the writer stopped; a write may or may not be on disk. Resend the
    /// same signed bytes once the server is back.
    #[error("the ledger store is unavailable: {0}; resend the same signed transaction")]
    StoreUnavailable(String),
    /// The directory of personal data failed (the server stops) or is closed (shutting
    /// down); a change may or may not be on disk. Resend the same signed change once the
    /// server is back: if it was applied, the reply is the record it made.
    #[error(
        "the directory of personal data is unavailable: {0}; resend the same signed change once \
         the server is back"
    )]
    DirectoryUnavailable(String),
    /// No checkpoint has been signed yet (a new ledger, for at most a second).
    #[error("no checkpoint has been signed yet; retry in a second")]
    NoCheckpointYet,
    /// A proof could not be built for these sizes (a request the tree cannot answer).
    #[error("{0}")]
    ProofNotPossible(String),
    /// Something the server guarantees did not hold (a stored entry missing, a stored hash
    /// missing): a bug or a damaged store, never the client's fault.
    #[error("internal error: {0}")]
    Internal(String),
    /// The request's body did not arrive in full in time.
    #[error(
        "the request was not received in full within {ms} ms (--request-read-timeout-ms); \
         nothing was done"
    )]
    ReadTimeout {
        /// The read timeout, in ms.
        ms: u128,
    },
    /// The request is larger than the server accepts.
    #[error(
        "message length too large: expected a request of at most {max} bytes \
         (--max-message-bytes; --max-batch-message-bytes for SubmitBatch), found a larger one"
    )]
    MessageTooLarge {
        /// The largest request accepted, in bytes.
        max: usize,
    },
    /// The request's body broke off.
    #[error("the request body failed: {0}")]
    BodyFailed(String),
    /// The server is at its concurrency limit.
    #[error(
        "the server is at its concurrency limit (--max-concurrent-requests); nothing was done, \
         retry after a pause"
    )]
    ConcurrencyLimit,
    /// The server is receiving as many request bytes as it allows at once.
    #[error(
        "the server is receiving as many request bytes as it allows at once \
         (--receive-budget-bytes); nothing was done, retry after a pause"
    )]
    ReceiveBudget,
}

impl From<SubmitError> for ApiError {
    fn from(error: SubmitError) -> Self {
        match error {
            SubmitError::Refused(refusal) => ApiError::Refused(refusal),
            SubmitError::Unavailable(why) => ApiError::StoreUnavailable(why),
        }
    }
}

impl From<DirectoryError> for ApiError {
    fn from(error: DirectoryError) -> Self {
        match error {
            DirectoryError::Ledger(refusal) => ApiError::Refused(refusal),
            DirectoryError::Refused(refusal) => ApiError::Directory(refusal),
            DirectoryError::Unavailable(why) => ApiError::DirectoryUnavailable(why),
        }
    }
}

impl From<DirectoryError> for Status {
    fn from(error: DirectoryError) -> Self {
        ApiError::from(error).into()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError::StoreUnavailable(error.to_string())
    }
}

impl From<ServeError> for ApiError {
    fn from(error: ServeError) -> Self {
        match error {
            ServeError::Refused(refusal) => ApiError::Refused(refusal),
            ServeError::NoCheckpointYet => ApiError::NoCheckpointYet,
            ServeError::Store(error) => error.into(),
            ServeError::Proof(error) => error.into(),
            ServeError::Missing(what) => ApiError::Internal(what),
        }
    }
}

impl From<ProofError> for ApiError {
    fn from(error: ProofError) -> Self {
        match error {
            ProofError::Invalid(why) => ApiError::ProofNotPossible(why),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// The gRPC code for each class of refusal (the README's error table).
pub fn code_for(class: RefusalClass) -> Code {
    match class {
        RefusalClass::InvalidArgument => Code::InvalidArgument,
        RefusalClass::Unauthenticated => Code::Unauthenticated,
        RefusalClass::PermissionDenied => Code::PermissionDenied,
        RefusalClass::NotFound => Code::NotFound,
        RefusalClass::AlreadyExists => Code::AlreadyExists,
        RefusalClass::FailedPrecondition => Code::FailedPrecondition,
        RefusalClass::ResourceExhausted => Code::ResourceExhausted,
    }
}

impl ApiError {
    /// The gRPC code.
    pub fn code(&self) -> Code {
        match self {
            ApiError::Refused(refusal) => code_for(refusal.class()),
            ApiError::Directory(refusal) => refusal.code(),
            ApiError::StoreUnavailable(_)
            | ApiError::DirectoryUnavailable(_)
            | ApiError::NoCheckpointYet => Code::Unavailable,
            ApiError::ProofNotPossible(_) => Code::InvalidArgument,
            ApiError::Internal(_) => Code::Internal,
            ApiError::ReadTimeout { .. } => Code::DeadlineExceeded,
            ApiError::MessageTooLarge { .. } => Code::OutOfRange,
            ApiError::BodyFailed(_) => Code::Cancelled,
            ApiError::ConcurrencyLimit | ApiError::ReceiveBudget => Code::ResourceExhausted,
        }
    }

    /// The stable reason (the README lists every one).
    pub fn reason(&self) -> &'static str {
        match self {
            ApiError::Refused(refusal) => refusal.reason(),
            ApiError::Directory(refusal) => refusal.reason(),
            ApiError::StoreUnavailable(_) => "STORE_UNAVAILABLE",
            ApiError::DirectoryUnavailable(_) => "DIRECTORY_UNAVAILABLE",
            ApiError::NoCheckpointYet => "NO_CHECKPOINT_YET",
            ApiError::ProofNotPossible(_) => "PROOF_NOT_POSSIBLE",
            ApiError::Internal(_) => "INTERNAL",
            ApiError::ReadTimeout { .. } => "REQUEST_READ_TIMEOUT",
            ApiError::MessageTooLarge { .. } => "MESSAGE_TOO_LARGE",
            ApiError::BodyFailed(_) => "REQUEST_BODY_FAILED",
            ApiError::ConcurrencyLimit => "CONCURRENCY_LIMIT",
            ApiError::ReceiveBudget => "RECEIVE_BUDGET_EXHAUSTED",
        }
    }
}

impl From<ApiError> for Status {
    fn from(error: ApiError) -> Self {
        let mut metadata = std::collections::HashMap::new();
        if let ApiError::Refused(refusal) = &error
            && let Some(field) = refusal.field()
        {
            metadata.insert("field".to_owned(), field.to_owned());
        }
        let details = ErrorDetails::with_error_info(error.reason(), REASON_DOMAIN, metadata);
        Status::with_error_details(error.code(), error.to_string(), details)
    }
}

impl From<Refusal> for Status {
    fn from(refusal: Refusal) -> Self {
        ApiError::Refused(refusal).into()
    }
}

impl From<SubmitError> for Status {
    fn from(error: SubmitError) -> Self {
        ApiError::from(error).into()
    }
}

/// The reason a status carries, if it carries one (for clients and tests).
pub fn reason_of(status: &Status) -> Option<String> {
    status
        .get_details_error_info()
        .filter(|info| info.domain == REASON_DOMAIN)
        .map(|info| info.reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every API error that is not a refusal.
    fn the_others() -> Vec<ApiError> {
        vec![
            ApiError::StoreUnavailable("s".into()),
            ApiError::DirectoryUnavailable("d".into()),
            ApiError::NoCheckpointYet,
            ApiError::ProofNotPossible("p".into()),
            ApiError::Internal("i".into()),
            ApiError::ReadTimeout { ms: 1 },
            ApiError::MessageTooLarge { max: 1 },
            ApiError::BodyFailed("b".into()),
            ApiError::ConcurrencyLimit,
            ApiError::ReceiveBudget,
        ]
    }

    use crate::metrics::code_name;

    #[test]
    fn every_reason_is_in_the_readme_with_its_code_and_sent_as_error_info() {
        let readme = include_str!("../../README.md");
        let errors: Vec<ApiError> = crate::ledger::one_of_each()
            .into_iter()
            .map(ApiError::Refused)
            .chain(
                DirectoryRefusal::one_of_each()
                    .into_iter()
                    .map(ApiError::Directory),
            )
            .chain(the_others())
            .collect();
        let mut missing = Vec::new();
        for error in errors {
            let row = format!("| `{}` | `{}` |", error.reason(), code_name(error.code()));
            if !readme.contains(&row) {
                missing.push(row);
            }
            let (reason, code) = (error.reason(), error.code());
            let status = Status::from(error);
            assert_eq!(status.code(), code);
            assert_eq!(reason_of(&status).as_deref(), Some(reason));
        }
        assert!(
            missing.is_empty(),
            "the README's reason table lacks:\n{}",
            missing.join("\n")
        );
    }
}
