//! The engine alone: a log of many entries built straight into a store (signed in parallel,
//! applied by the state machine, appended in large groups), then replayed the two ways the
//! project reads a whole log: the server's start-up (its own log, signatures verified when
//! admitted, so not again) and the auditor's replay (every signature checked with
//! `verify_strict`). No gRPC, no network: what the state machine and the store cost.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use prost::Message;
use rayon::prelude::*;

use crate::client::{Signer, new_body};
use crate::crypto::KeyFile;
use crate::genesis;
use crate::ledger::{LedgerParameters, Signatures, State, replay_entry, replay_verifying_ahead};
use crate::log::checkpoint::{self, Checkpoint};
use crate::log::merkle::{Frontier, is_stored};
use crate::pb::points as pb;
use crate::store::{Append, SledStore, Store};
use crate::testkit::{allocate, issue, register_household, register_issuer, register_key};

/// Entries appended to the store in one group while the log is built.
const BUILD_GROUP: usize = 10_000;
/// Entries read from the store at a time by the auditor's replay.
const REPLAY_CHUNK: usize = 65_536;

/// What replaying a large log cost.
#[derive(Debug)]
pub struct EngineReport {
    /// Entries in the log.
    pub entries: u64,
    /// Households registered in it.
    pub households: u64,
    /// Time to build it (sign, apply, append), for the record.
    pub build: Duration,
    /// Opening the store: every entry read and checked (checksum, leaf index, tree, root).
    pub open: Duration,
    /// The start-up path: opening the store, then [`crate::writer::replay`] (state, the
    /// tree's edge, checkpoint checks).
    pub replay_without_signatures: Duration,
    /// The auditor's path: every entry's signatures verified (ahead, on the pool), then
    /// applied in order.
    pub replay_with_signatures: Duration,
    /// Reading and decoding every entry from the store, nothing applied: the store's share
    /// of a replay.
    pub scan_and_decode: Duration,
    /// Resident memory the process grew by while building the log with its state alive
    /// (the state, sled's page cache, allocator slack), in bytes.
    pub state_bytes: u64,
    /// Of which while registering the households (the first entries), with whatever the
    /// build's start grew by (threads, sled's first pages).
    pub household_bytes: u64,
    /// Entries in the log when the households were registered.
    pub household_entries: u64,
    /// Bytes of the store directory, and of the entries alone.
    pub bytes_on_disk: u64,
    /// Sum of the encoded entries' lengths.
    pub entry_bytes: u64,
}

/// Builds a log of `entries` entries (among them `households` registrations, the rest issues
/// spread over those households) in a fresh data directory under `dir`, and replays it.
pub fn run(dir: &std::path::Path, entries: u64, households: u64) -> Result<EngineReport> {
    let data = dir.join("engine");
    let report = genesis::init(&data, LedgerParameters::default())?;
    let admin = Signer::new(KeyFile::read(&report.admin_key_path)?);
    let store = SledStore::open(&genesis::store_path(&data))?;
    let before = super::machine::resident_bytes();
    let started = Instant::now();
    let log_key = KeyFile::read(&report.log_key_path)?.signing_key;
    let mut registered = None;
    let built = build(
        &store,
        &admin,
        &report.ledger_id,
        entries,
        households,
        &mut |size| {
            registered.get_or_insert_with(|| (size, super::machine::resident_bytes()));
        },
    )?;
    let (household_entries, after_households) = registered.unwrap_or((0, before));
    sign_checkpoint(&store, &built, &log_key)?;
    let build_time = started.elapsed();
    let state_bytes = super::machine::resident_bytes().saturating_sub(before);
    drop(built);
    // Reopened, so the replays find sled's cache empty (the kernel's page cache is warm).
    drop(store);
    let started = Instant::now();
    let store = SledStore::open(&genesis::store_path(&data))?;
    let open = started.elapsed();
    let entries = store.len()?;

    let started = Instant::now();
    let mut decoded = 0u64;
    for item in store.scan(0) {
        let (_, bytes) = item?;
        decoded += pb::LogEntry::decode(bytes.as_slice())?.sequence & 1;
    }
    let scan_and_decode = started.elapsed();
    std::hint::black_box(decoded);

    let started = Instant::now();
    let replayed = crate::writer::replay(&store).context("start-up replay of the built log")?;
    let replay_without_signatures = open + started.elapsed();
    drop(replayed);

    let started = Instant::now();
    let mut state = State::new();
    let mut frontier = Frontier::new();
    let mut chunk = Vec::with_capacity(REPLAY_CHUNK);
    let mut scan = store.scan(0).peekable();
    while scan.peek().is_some() {
        chunk.clear();
        let mut first = None;
        for item in scan.by_ref().take(REPLAY_CHUNK) {
            let (sequence, bytes) = item?;
            first.get_or_insert(sequence);
            frontier.append(&bytes);
            chunk.push(bytes);
        }
        replay_verifying_ahead(&mut state, first.unwrap_or_default(), &chunk, |_, _| {})
            .map_err(|(sequence, reason)| anyhow::anyhow!("entry {sequence}: {reason}"))?;
    }
    let replay_with_signatures = started.elapsed();
    drop((state, scan));

    let entry_bytes = store
        .scan(0)
        .map(|item| item.map(|(_, bytes)| bytes.len() as u64))
        .sum::<Result<u64, _>>()?;
    drop(store);
    let bytes_on_disk = super::directory_size(&genesis::store_path(&data));
    std::fs::remove_dir_all(&data).ok();
    Ok(EngineReport {
        entries,
        households,
        build: build_time,
        open,
        replay_without_signatures,
        replay_with_signatures,
        scan_and_decode,
        state_bytes,
        household_bytes: after_households.saturating_sub(before),
        household_entries,
        bytes_on_disk,
        entry_bytes,
    })
}

/// Signs a checkpoint over the whole log, as the server does when it stops cleanly.
fn sign_checkpoint(
    store: &SledStore,
    (state, frontier): &(State, Frontier),
    log_key: &ed25519_dalek::SigningKey,
) -> Result<()> {
    let ledger_id = state.ledger_id().context("the built log has no genesis")?;
    let note = Checkpoint {
        origin: checkpoint::origin(&ledger_id),
        size: frontier.size(),
        root: frontier.root(),
    }
    .sign(log_key);
    store.put_checkpoint(frontier.size(), &note)?;
    store.flush()?;
    Ok(())
}

/// Appends entries to `store` as the writer would (applied in order, one group at a time,
/// the tree's stored hashes with them), without the network; `households_done` is called
/// with the log's size once every household is registered.
fn build(
    store: &SledStore,
    admin: &Signer,
    ledger_id: &crate::ledger::LedgerId,
    entries: u64,
    households: u64,
    households_done: &mut dyn FnMut(u64),
) -> Result<(State, Frontier)> {
    let crate::writer::Replayed {
        mut state,
        mut frontier,
    } = crate::writer::replay(store)?;
    let officer = Signer::generate();
    let setup = [
        (
            admin,
            register_issuer("engine-village", pb::IssuerKind::Village),
        ),
        (
            admin,
            register_key(&officer, pb::Role::VillageOfficer, "engine-village"),
        ),
        (admin, allocate("engine-village", 100_000_000_000)),
    ];
    let mut pending: Vec<pb::SignedTransaction> = setup
        .into_iter()
        .map(|(signer, operation)| signer.sign(ledger_id, &new_body(operation, 3_600_000)))
        .collect();
    let households = households.max(1);
    // The officer's transactions: the households' registrations first, then issues.
    let wanted = entries.saturating_sub(state.len() + pending.len() as u64);
    let mut next = 0u64;
    while next < wanted || !pending.is_empty() {
        if next >= households {
            // Every registration applied, nothing of the issues signed yet.
            households_done(state.len());
        }
        let room = BUILD_GROUP.saturating_sub(pending.len()) as u64;
        // The last registration ends a group, so memory is sampled right after it.
        let end = if next < households {
            households
        } else {
            wanted
        };
        let upto = (next + room).min(wanted).min(end);
        let signed: Vec<pb::SignedTransaction> = (next..upto)
            .into_par_iter()
            .map(|i| {
                let operation = if i < households {
                    register_household(&format!("hh-{i}"), "engine-village", &[])
                } else {
                    issue("engine-village", &format!("hh-{}", i % households), 1)
                };
                officer.sign(ledger_id, &new_body(operation, 3_600_000))
            })
            .collect();
        next = upto;
        pending.extend(signed);
        let first_sequence = state.len();
        let (mut encoded, mut leaves, mut hashes) = (Vec::new(), Vec::new(), Vec::new());
        for transaction in pending.drain(..) {
            let sequence = state.len();
            let bytes = pb::LogEntry {
                sequence,
                committed_at_unix_ms: crate::writer::now_unix_ms()
                    .max(state.last_committed_at().get()),
                transaction: Some(transaction),
            }
            .encode_to_vec();
            replay_entry(&mut state, sequence, &bytes, Signatures::OwnLog)
                .map_err(|reason| anyhow::anyhow!("building entry {sequence}: {reason}"))?;
            let completed = frontier.append(&bytes);
            leaves.push(completed[0].1);
            hashes.extend(completed.into_iter().filter(|(id, _)| is_stored(*id)));
            encoded.push(bytes);
        }
        if encoded.is_empty() {
            break;
        }
        store.append(Append {
            first_sequence,
            entries: &encoded,
            leaves: &leaves,
            hashes: &hashes,
            root: frontier.root(),
        })?;
    }
    store.flush()?;
    Ok((state, frontier))
}
