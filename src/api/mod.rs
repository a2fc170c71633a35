//! The gRPC layer: one file per service. Handlers decode, call the domain, and map domain
//! errors to `tonic::Status`; nothing here decides a business rule.

pub mod audit;
pub mod auth;
pub(crate) mod convert;
pub mod queries;
pub mod shed;
pub mod transactions;

use tonic::{Code, Status};

use crate::ledger::{Refusal, RefusalClass};
use crate::writer::SubmitError;

/// The gRPC code for each class of refusal (the README's error table).
pub fn code_for(class: RefusalClass) -> Code {
    match class {
        RefusalClass::InvalidArgument => Code::InvalidArgument,
        RefusalClass::Unauthenticated => Code::Unauthenticated,
        RefusalClass::PermissionDenied => Code::PermissionDenied,
        RefusalClass::NotFound => Code::NotFound,
        RefusalClass::AlreadyExists => Code::AlreadyExists,
        RefusalClass::FailedPrecondition => Code::FailedPrecondition,
    }
}

impl From<Refusal> for Status {
    fn from(refusal: Refusal) -> Self {
        Status::new(code_for(refusal.class()), refusal.to_string())
    }
}

impl From<SubmitError> for Status {
    fn from(error: SubmitError) -> Self {
        match error {
            SubmitError::Refused(refusal) => refusal.into(),
            SubmitError::Unavailable(_) => Status::unavailable(error.to_string()),
        }
    }
}
