//! What the machine itself can do, measured in the same run as the server: Ed25519
//! `verify_strict` per second on one core and on all of them (the physical limit of a
//! service that checks a signature per transaction), and the process's memory.

use std::time::Instant;

use ed25519_dalek::{Signer as _, SigningKey};
use rayon::prelude::*;

/// Signatures verified per second.
#[derive(Debug, Clone, Copy)]
pub struct VerifyRate {
    /// On one thread.
    pub one_core: f64,
    /// On the verification pool (one thread per core).
    pub all_cores: f64,
    /// Threads in the pool.
    pub threads: usize,
}

/// Verifies `count` distinct signatures over 200-byte messages (about a transaction body),
/// each with its own key, first on one thread, then on rayon's pool.
pub fn verify_rate(count: usize) -> VerifyRate {
    let signed: Vec<_> = (0..count.max(1))
        .into_par_iter()
        .map(|i| {
            let key = SigningKey::from_bytes(&crate::crypto::random_bytes::<32>());
            let mut message = vec![0x42u8; 200];
            message[..8].copy_from_slice(&(i as u64).to_le_bytes());
            let signature = key.sign(&message);
            (key.verifying_key(), message, signature)
        })
        .collect();
    let check = |(key, message, signature): &(
        ed25519_dalek::VerifyingKey,
        Vec<u8>,
        ed25519_dalek::Signature,
    )| {
        assert!(key.verify_strict(message, signature).is_ok());
    };
    let started = Instant::now();
    signed.iter().for_each(check);
    let one_core = signed.len() as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    signed.par_iter().for_each(check);
    let all_cores = signed.len() as f64 / started.elapsed().as_secs_f64();
    VerifyRate {
        one_core,
        all_cores,
        threads: rayon::current_num_threads(),
    }
}

fn status_field(name: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                let rest = line.strip_prefix(name)?.strip_prefix(':')?;
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
        })
        .map_or(0, |kib| kib * 1024)
}

/// The process's resident memory now, in bytes (0 where `/proc` is not available).
pub fn resident_bytes() -> u64 {
    status_field("VmRSS")
}

/// The process's peak resident memory so far, in bytes.
pub fn peak_resident_bytes() -> u64 {
    status_field("VmHWM")
}
