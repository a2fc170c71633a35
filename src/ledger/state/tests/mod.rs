//! The state machine's tests: the state machine on its own, no server, no store, time chosen
//! by the test. Each file tests one room; `model` runs random operations against a reference
//! model.

mod apply;
mod areas;
mod authority;
mod awards;
mod boards;
mod budget;
mod casework;
mod catalogue;
mod claims;
mod claims_model;
mod claims_rules;
mod elderly;
mod expiry;
mod lookups;
mod members;
mod model;
mod narrowing;
mod organizations;
mod places;
mod points;
mod policy;
mod projects;
mod redemption;
mod refunds;
mod registry;
mod replay_ahead;
mod reversal;
mod settlement;
mod settlement_model;
mod terminals;
mod volunteering;

/// What every test file uses.
mod prelude {
    pub(super) use std::collections::BTreeMap;

    pub(super) use super::super::*;
    pub(super) use crate::client::Signer;
    pub(super) use crate::ledger::*;
    pub(super) use crate::pb::points as pb;
    pub(super) use crate::pb::points::transaction_body::Operation as Op;
    pub(super) use crate::testkit::*;
}
