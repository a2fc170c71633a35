//! shanzhi (善治): the signed, verifiable points ledger of Yidu's "points in motion build good
//! governance" pilot.
//!
//! The ledger is a log: every change is a signed transaction appended to one log, and all
//! state (balances, lots, scores, keys) is computed from it by the pure state machine in
//! [`ledger`]. The server ([`server`], [`api`]) admits transactions through one writer
//! ([`writer`]) that commits them to the [`store`] with group commit.

// The library's own code never unwraps (Cargo.toml [lints]); its tests may.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod api;
pub mod backup;
pub mod bench;
pub mod client;
pub mod config;
pub mod connections;
pub mod crypto;
pub mod directory;
pub mod genesis;
pub mod ledger;
pub mod log;
pub mod metrics;
pub mod pb;
pub mod proposals;
pub mod server;
pub mod store;
pub mod testkit;
pub mod tls;
pub mod verifier;
pub mod wire;
pub mod writer;
