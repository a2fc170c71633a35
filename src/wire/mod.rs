//! Every conversion between the generated protobuf types ([`crate::pb`]) and the domain
//! ([`crate::ledger`]), in one place, as `From`/`TryFrom` impls: the log's wire format into a
//! [`Transaction`](crate::ledger::Transaction) (`body.rs`), and the domain's records into their
//! wire form and the references requests carry into the domain (`views.rs`); the shared
//! registry's areas (`areas.rs`); governance's catalogues and policies (`governance.rs`); shops' terminals (`shops.rs`). The API, the
//! verifier, genesis and the CLI all convert through here.

mod areas;
mod assistance;
mod benefits;
mod body;
mod casework;
mod children;
mod claims;
mod elderly;
mod funeral;
mod governance;
mod kinds;
mod organizations;
mod places;
mod policy;
mod projects;
mod rescue;
mod shops;
mod views;

pub use children::child_id;
pub use claims::claim_status_filter;
pub use governance::{catalogue_which, parse_scope, policy_which, rules_sha256};
pub use kinds::operation_kind_filter;
pub use places::place_id;
pub use views::account_id;
