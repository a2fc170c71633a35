//! The store: an append-only log of encoded entries with the hashes of its Merkle tree,
//! written in atomic batches and flushed durably, and the signed checkpoints. Balances and
//! indexes are derived from the entries by replay.
//!
//! The trait is small on purpose so a PostgreSQL implementation (tables keyed by sequence,
//! subtree and size, `INSERT`s in one transaction, `COMMIT` as the flush) fits it as well as
//! sled.

mod sled_store;

use crate::log::merkle::{Hash, ProofError, SubtreeHashes, SubtreeId};

pub use sled_store::SledStore;

/// Why the store failed. The writer answers `UNAVAILABLE` and rebuilds its state from the
/// store when a write or flush fails.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage I/O failed: {0}")]
    Io(String),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error(
        "append at sequence {requested} refused: the log has {log_size} entries (only the next \
         position can be written)"
    )]
    OutOfOrder { requested: u64, log_size: u64 },
}

/// Stored entries in order: `(sequence, encoded LogEntry)`.
pub type EntryIter<'a> = Box<dyn Iterator<Item = Result<(u64, Vec<u8>), StoreError>> + Send + 'a>;

/// What one group commit appends: entries at consecutive positions, and the Merkle hashes
/// they complete.
pub struct Append<'a> {
    /// Position of the first entry; must equal [`Store::len`].
    pub first_sequence: u64,
    /// Encoded `LogEntry` bytes.
    pub entries: &'a [Vec<u8>],
    /// Complete-subtree hashes the entries complete (leaf hashes included).
    pub hashes: &'a [(SubtreeId, Hash)],
}

/// An append-only log of encoded `LogEntry` bytes (positions 0, 1, 2, ...), the hashes of
/// its Merkle tree, and its signed checkpoints.
pub trait Store: Send + Sync + 'static {
    /// The number of entries stored.
    fn len(&self) -> Result<u64, StoreError>;

    /// True when no entry is stored.
    fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }

    /// Appends entries and their hashes, all or none. Not durable until [`Store::flush`].
    fn append(&self, append: Append<'_>) -> Result<(), StoreError>;

    /// Makes everything written durable.
    fn flush(&self) -> Result<(), StoreError>;

    /// The entry at `sequence`, if stored.
    fn entry(&self, sequence: u64) -> Result<Option<Vec<u8>>, StoreError>;

    /// Entries from `first_sequence` on, in order.
    fn scan(&self, first_sequence: u64) -> EntryIter<'_>;

    /// A stored complete-subtree hash.
    fn subtree_hash(&self, id: SubtreeId) -> Result<Option<Hash>, StoreError>;

    /// The position of the entry with this leaf hash, if any.
    fn leaf_index(&self, leaf_hash: &Hash) -> Result<Option<u64>, StoreError>;

    /// Stores a signed checkpoint note for `size` (durable with the next flush).
    fn put_checkpoint(&self, size: u64, note: &str) -> Result<(), StoreError>;

    /// The checkpoint signed for exactly `size`, if any.
    fn checkpoint(&self, size: u64) -> Result<Option<String>, StoreError>;

    /// The checkpoint with the largest size, if any.
    fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, StoreError>;

    /// Bytes the store occupies on disk, when known.
    fn size_on_disk(&self) -> Option<u64> {
        None
    }
}

/// Reads complete-subtree hashes from a store, for roots and proofs.
pub struct StoredHashes<'a>(pub &'a dyn Store);

impl SubtreeHashes for StoredHashes<'_> {
    fn subtree_hash(&self, id: SubtreeId) -> Result<Hash, ProofError> {
        self.0
            .subtree_hash(id)
            .map_err(|e| ProofError::Store(e.to_string()))?
            .ok_or(ProofError::Missing {
                level: id.level,
                index: id.index,
            })
    }
}

/// Writes a small file beside the store (a checkpoint copy, a verifier's state) so that a
/// crash leaves either the old or the new contents, durably: temporary file, fsync, rename,
/// fsync of the directory.
pub fn write_durably(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let temporary = path.with_extension("tmp");
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(contents)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    };
    std::fs::File::open(directory)?.sync_all()
}
