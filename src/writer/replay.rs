//! Opening a ledger: replaying the store into a state, reading the Merkle frontier from the
//! stored tree (which the store checked against its entries when it opened), and checking
//! that the latest checkpoint and its copy outside the store sign that tree.

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

/// Rebuilds the state by replaying every stored entry. Signatures were verified when each
/// entry was admitted; authorization and every balance rule run again. The Merkle tree's
/// edge is read from the stored tree, which the store checked against its entries when it
/// opened (see [`crate::store::SledStore`]); the latest checkpoint must sign its root.
pub fn replay(store: &dyn Store) -> Result<Replayed, OpenError> {
    let mut state = State::new();
    for item in store.scan(0) {
        let (sequence, bytes) = item?;
        replay_entry(&mut state, sequence, &bytes, Signatures::OwnLog)
            .map_err(|reason| OpenError::Damaged { sequence, reason })?;
    }
    if state.is_empty() {
        return Err(OpenError::Empty);
    }
    let mismatch = |what: String| OpenError::TreeMismatch(what);
    let stored = StoredHashes(store);
    let frontier = Frontier::load(&stored, state.len()).map_err(|e| mismatch(e.to_string()))?;
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
