//! Integration tests: a real shanzhi server on 127.0.0.1:0 with a temporary data directory,
//! driven through its gRPC API.

mod audit;
mod cli;
mod crash;
mod durability;
mod flow;
mod helpers;
mod refusals;
mod restart;
mod server;
mod slow_clients;
mod vectors;
