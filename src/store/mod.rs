//! The store: an append-only log of encoded entries with the hashes of its Merkle tree,
//! written in atomic batches and flushed durably, and the signed checkpoints. Balances and
//! indexes are derived from the entries by replay.
//!
//! The trait is small on purpose so a PostgreSQL implementation (tables keyed by sequence,
//! subtree and size, `INSERT`s in one transaction, `COMMIT` as the flush) fits it as well as
//! sled.

mod durable;
mod entry_file;
mod leaf_index;
#[cfg(test)]
mod recovery_tests;
mod sled_store;

use crate::log::merkle::{
    self, Hash, ProofError, SubtreeHashes, SubtreeId, TILE_HEIGHT, is_stored,
};

pub use durable::{DurableDb, fsync_path};
pub use sled_store::SledStore;

/// Why the store failed. A failed write or flush is fatal to the writer: it answers
/// `UNAVAILABLE` and stops, and the server exits non-zero.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    /// An I/O call failed (a failed write or sync is fatal to the writer).
    #[error("storage I/O failed: {0}")]
    Io(String),
    /// Stored bytes are not what was written.
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// An append not at the next position.
    #[error(
        "append at sequence {requested} refused: the log has {log_size} entries (only the next \
         position can be written)"
    )]
    OutOfOrder {
        /// The position asked for.
        requested: u64,
        /// Entries the log holds.
        log_size: u64,
    },
}

/// Stored entries in order: `(sequence, encoded LogEntry)`.
pub type EntryIter<'a> = Box<dyn Iterator<Item = Result<(u64, Vec<u8>), StoreError>> + Send + 'a>;

/// What one group commit appends: entries at consecutive positions, their leaf hashes (for
/// the index by leaf hash), and the stored Merkle hashes they complete.
pub struct Append<'a> {
    /// Position of the first entry; must equal [`Store::len`].
    pub first_sequence: u64,
    /// Encoded `LogEntry` bytes.
    pub entries: &'a [Vec<u8>],
    /// The leaf hash of each entry, in the same order.
    pub leaves: &'a [Hash],
    /// The hashes of the complete subtrees the entries complete at stored levels
    /// ([`merkle::is_stored`]); the store keeps no others.
    pub hashes: &'a [(SubtreeId, Hash)],
    /// The root of the log's Merkle tree with these entries appended: recorded with the
    /// count at the next flush, and checked against the entries when the store opens.
    pub root: Hash,
}

/// An append-only log of encoded `LogEntry` bytes (positions 0, 1, 2, ...), the hashes of
/// its Merkle tree, and its signed checkpoints.
///
/// Opening an implementation checks that the stored tree hashes and the root recorded at
/// the last flush are those of its entries (as [`SledStore::open`] does): the writer's
/// replay reads the tree's edge from the stored hashes and relies on it.
pub trait Store: Send + Sync + 'static {
    /// The number of entries stored.
    fn len(&self) -> Result<u64, StoreError>;

    /// True when no entry is stored.
    fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }

    /// Appends entries and their hashes, all or none. Not durable until [`Store::flush`].
    fn append(&self, append: Append<'_>) -> Result<(), StoreError>;

    /// Makes everything written durable: on return, it is on stable storage (a real
    /// `fsync`/`fdatasync`, not only handed to the kernel). An error is final: the caller
    /// must not retry and treat earlier writes as durable (the writer stops).
    fn flush(&self) -> Result<(), StoreError>;

    /// The entry at `sequence`, if stored.
    fn entry(&self, sequence: u64) -> Result<Option<Vec<u8>>, StoreError>;

    /// Entries from `first_sequence` on, in order.
    fn scan(&self, first_sequence: u64) -> EntryIter<'_>;

    /// A stored complete-subtree hash (only [`merkle::is_stored`] levels are stored).
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

/// Complete-subtree hashes for roots and proofs: read from the store at the stored levels
/// (8, 16, …), recomputed for every other level from at most `2^(TILE_HEIGHT-1)` = 128 items
/// of the stored row below it (stored hashes, or at the bottom the entries themselves). A root
/// or an inclusion or consistency proof therefore reads at most a few hundred entries (the
/// groups of 256 its edges fall in) and a few hundred stored hashes per 8 levels, whatever
/// the log's size.
pub struct StoredHashes<'a>(pub &'a dyn Store);

impl StoredHashes<'_> {
    /// The leaf hashes of entries `first .. first + count`.
    fn leaves(&self, first: u64, count: u64) -> Result<Vec<Hash>, ProofError> {
        let mut leaves = Vec::with_capacity(count as usize);
        for item in self.0.scan(first).take(count as usize) {
            let (_, entry) = item.map_err(|e| ProofError::Store(e.to_string()))?;
            leaves.push(merkle::leaf_hash(&entry));
        }
        if leaves.len() as u64 != count {
            return Err(ProofError::Missing {
                level: 0,
                index: first + leaves.len() as u64,
            });
        }
        Ok(leaves)
    }

    fn stored(&self, id: SubtreeId) -> Result<Hash, ProofError> {
        self.0
            .subtree_hash(id)
            .map_err(|e| ProofError::Store(e.to_string()))?
            .ok_or(ProofError::Missing {
                level: id.level,
                index: id.index,
            })
    }
}

impl SubtreeHashes for StoredHashes<'_> {
    fn subtree_hash(&self, id: SubtreeId) -> Result<Hash, ProofError> {
        if is_stored(id) {
            return self.stored(id);
        }
        let row = id.level - id.level % TILE_HEIGHT;
        let width = id.level - row;
        let first = id.index << width;
        let count = 1u64 << width;
        let hashes = if row == 0 {
            self.leaves(first, count)?
        } else {
            (first..first + count)
                .map(|index| self.stored(SubtreeId { level: row, index }))
                .collect::<Result<_, _>>()?
        };
        Ok(merkle::fold_complete(hashes))
    }
}

/// Writes a small file beside the store (a checkpoint copy, a verifier's state) so that a
/// crash leaves either the old or the new contents, durably: a temporary file with a unique
/// name in the same directory (so two writers never share one), fsync, rename, fsync of the
/// directory.
pub fn write_durably(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    };
    let prefix = format!(
        ".{}.",
        path.file_name()
            .map_or_else(|| "file".into(), |name| name.to_string_lossy())
    );
    let mut temporary = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(directory)?;
    temporary.write_all(contents)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    std::fs::File::open(directory)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::write_durably;

    #[test]
    fn durable_writes_of_files_sharing_a_stem_never_collide() {
        let dir = tempfile::tempdir().unwrap();
        let writers: Vec<_> = ["state.one", "state.two"]
            .into_iter()
            .map(|name| {
                let path = dir.path().join(name);
                std::thread::spawn(move || {
                    for round in 0..200 {
                        let contents = format!("{name} {round}");
                        write_durably(&path, contents.as_bytes()).unwrap();
                        assert_eq!(std::fs::read_to_string(&path).unwrap(), contents);
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["state.one", "state.two"],
            "no temporary file is left behind"
        );
    }
}
