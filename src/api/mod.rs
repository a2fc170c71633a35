//! The gRPC layer: one file per service. Handlers decode, call the domain, and map domain
//! errors to `tonic::Status` through [`error::ApiError`]; nothing here decides a business
//! rule.

pub mod assistance;
pub mod audit;
pub mod auth;
pub mod benefits;
pub mod casework;
pub mod children;
pub mod directory;
mod directory_subjects;
pub mod elderly;
pub mod error;
pub mod funeral;
pub mod governance;
pub mod organizations;
pub(crate) mod paging;
pub mod places;
pub mod projects;
pub mod queries;
pub mod registry;
pub mod rescue;
pub mod shed;
pub mod shops;
pub mod transactions;

pub use error::{ApiError, code_for, reason_of};
