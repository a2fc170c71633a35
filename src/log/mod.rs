//! The verifiable log: the Merkle tree over every entry, signed checkpoints, proofs.

pub mod checkpoint;
pub mod merkle;
pub mod serving;
