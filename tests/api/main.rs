//! Integration tests: a real shanzhi server on 127.0.0.1:0 with a temporary data directory,
//! driven through its gRPC API.

// Tests may unwrap: a panic is a failed test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod assistance;
mod audit;
mod backup;
mod batch;
mod bench;
mod benefits;
mod casework;
mod children;
mod claims;
mod cli;
mod cli_governance;
mod config;
mod crash;
mod deploy;
mod directory;
mod directory_export;
mod durability;
mod elderly;
mod flow;
mod funeral;
mod governance;
mod helpers;
mod logs;
mod metrics;
mod near_matches;
mod organizations;
mod places;
mod program_roles;
mod projects;
mod readme;
mod refusals;
mod registry;
mod rescue;
mod restart;
mod server;
mod shops;
mod slow_clients;
mod subject_records;
mod subjects;
mod tls;
mod vectors;
mod volunteering;
