//! The store: an append-only log of encoded entries, written in atomic batches and flushed
//! durably. Everything else is derived from it by replay.
//!
//! The trait is small on purpose so a PostgreSQL implementation (one table keyed by
//! sequence, `INSERT` in one transaction, `COMMIT` as the flush) fits it as well as sled.

mod sled_store;

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

/// An append-only log of encoded `LogEntry` bytes, positions 0, 1, 2, ...
pub trait Store: Send + Sync + 'static {
    /// The number of entries stored.
    fn len(&self) -> Result<u64, StoreError>;

    /// True when no entry is stored.
    fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }

    /// Appends `entries` at positions `first_sequence ..`, all or none. `first_sequence` must
    /// equal [`Store::len`]. Not durable until [`Store::flush`] returns.
    fn append(&self, first_sequence: u64, entries: &[Vec<u8>]) -> Result<(), StoreError>;

    /// Makes every appended entry durable.
    fn flush(&self) -> Result<(), StoreError>;

    /// The entry at `sequence`, if stored.
    fn entry(&self, sequence: u64) -> Result<Option<Vec<u8>>, StoreError>;

    /// Entries from `first_sequence` on, in order.
    fn scan(&self, first_sequence: u64) -> EntryIter<'_>;

    /// Bytes the store occupies on disk, when known.
    fn size_on_disk(&self) -> Option<u64> {
        None
    }
}
