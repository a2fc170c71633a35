//! Opening a ledger: replaying the store into a state and a Merkle frontier, and checking
//! that the stored tree, the latest checkpoint and its copy outside the store agree with the
//! entries.

use super::{OpenError, SignedCheckpoint};
use crate::ledger::{Signatures, State, replay_entry};
use crate::log::checkpoint::{self, Checkpoint};
use crate::log::merkle::{self, Frontier};
use crate::store::{Store, StoreError, StoredHashes};

/// The ledger as rebuilt from the store.
pub struct Replayed {
    /// Balances, keys, indexes.
    pub state: State,
    /// The Merkle tree's right edge.
    pub frontier: Frontier,
}

/// Rebuilds the state by replaying every stored entry, and the Merkle tree by hashing them.
/// Signatures were verified when each entry was admitted; authorization and every balance
/// rule run again. The stored tree hashes and the latest checkpoint must agree with the
/// entries.
pub fn replay(store: &dyn Store) -> Result<Replayed, OpenError> {
    let mut state = State::new();
    let mut frontier = Frontier::new();
    // Entries past the latest signed checkpoint are covered by no signed root (after a
    // crash, up to a second's worth): each is checked against the leaf-index key written
    // with it, since leaf hashes themselves are not stored.
    let covered = store.latest_checkpoint()?.map_or(0, |(size, _)| size);
    for item in store.scan(0) {
        let (sequence, bytes) = item?;
        let damaged = |reason: String| OpenError::Damaged { sequence, reason };
        if sequence >= covered && store.leaf_index(&merkle::leaf_hash(&bytes))? != Some(sequence) {
            return Err(damaged(
                "its leaf hash is not the one written with it (no signed checkpoint covers it)"
                    .into(),
            ));
        }
        for (id, hash) in frontier.append(&bytes) {
            if merkle::is_stored(id) && store.subtree_hash(id)? != Some(hash) {
                return Err(damaged(format!(
                    "the stored Merkle hash {}/{} does not match the entries",
                    id.level, id.index
                )));
            }
        }
        replay_entry(&mut state, sequence, &bytes, Signatures::OwnLog).map_err(damaged)?;
    }
    if state.is_empty() {
        return Err(OpenError::Empty);
    }
    let mismatch = |what: String| OpenError::TreeMismatch(what);
    let stored = StoredHashes(store);
    let stored_root =
        merkle::root(&stored, frontier.size()).map_err(|e| mismatch(e.to_string()))?;
    if stored_root != frontier.root() {
        return Err(mismatch(format!(
            "the stored root of {} entries differs from the entries' root",
            frontier.size()
        )));
    }
    if let Some((size, note)) = store.latest_checkpoint()? {
        let (ledger_id, log_key) = state
            .ledger_id()
            .zip(state.log_key())
            .ok_or(OpenError::Empty)?;
        let signed = Checkpoint::verify(&note, &log_key, &checkpoint::origin(&ledger_id))
            .map_err(|e| mismatch(format!("checkpoint {size}: {e}")))?;
        let root = (signed.size == size && size <= frontier.size())
            .then(|| merkle::root(&stored, size).ok())
            .flatten();
        if root != Some(signed.root) {
            return Err(mismatch(format!(
                "checkpoint {size} does not match the stored entries"
            )));
        }
    }
    Ok(Replayed { state, frontier })
}

/// The store must still hold everything the last signed checkpoint (kept outside it) covers.
pub(super) fn check_witness(
    store: &dyn Store,
    state: &State,
    path: &std::path::Path,
) -> Result<(), OpenError> {
    let note = match std::fs::read_to_string(path) {
        Ok(note) => note,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(OpenError::Store(StoreError::Io(format!(
                "{}: {e}",
                path.display()
            ))));
        }
    };
    let (ledger_id, log_key) = state
        .ledger_id()
        .zip(state.log_key())
        .ok_or(OpenError::Empty)?;
    let mismatch = |why: String| OpenError::TreeMismatch(format!("{}: {why}", path.display()));
    let signed = Checkpoint::verify(&note, &log_key, &checkpoint::origin(&ledger_id))
        .map_err(|e| mismatch(e.to_string()))?;
    if signed.size > state.len() {
        return Err(mismatch(format!(
            "a checkpoint of {} entries was signed, but the store holds only {}; it lost \
             entries and must be restored from a backup",
            signed.size,
            state.len()
        )));
    }
    let root =
        merkle::root(&StoredHashes(store), signed.size).map_err(|e| mismatch(e.to_string()))?;
    if root != signed.root {
        return Err(mismatch(format!(
            "the store's first {} entries are not the ones that were signed",
            signed.size
        )));
    }
    Ok(())
}

pub(super) fn latest_checkpoint(store: &dyn Store) -> Result<Option<SignedCheckpoint>, OpenError> {
    let Some((size, note)) = store.latest_checkpoint()? else {
        return Ok(None);
    };
    let root = merkle::root(&StoredHashes(store), size)
        .map_err(|e| OpenError::TreeMismatch(e.to_string()))?;
    Ok(Some(SignedCheckpoint { size, root, note }))
}
