//! Serving the verifiable log from the store: which sizes were signed, inclusion and
//! consistency proofs between signed sizes, and entry ranges in bounded batches. The audit
//! service calls these; the rules about which requests make sense live here.

use std::sync::{Arc, Weak};

use super::merkle::{self, Hash, ProofError};
use crate::ledger::{AuditRefusal, Refusal};
use crate::store::{Store, StoreError, StoredHashes};

/// Most entries one entry-range request may ask for.
pub const MAX_ENTRIES_PER_CALL: u64 = 10_000;
/// Entries are sent in batches of about this many bytes.
pub const BATCH_BYTES: usize = 256 * 1024;

/// Why a log read could not be served.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The request asks for something the log cannot answer (a size never signed, …).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// No checkpoint has been signed yet.
    #[error("no checkpoint has been signed yet")]
    NoCheckpointYet,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A proof could not be computed.
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// The store lacks what it committed (damage).
    #[error("{0}")]
    Missing(String),
}

/// A signed size: a checkpoint the log key signed, with the root it commits to.
#[derive(Clone, Debug)]
pub struct SignedSize {
    /// Tree size.
    pub size: u64,
    /// Merkle root of the first `size` entries.
    pub root: Hash,
    /// The signed note.
    pub note: String,
}

/// The log as the store holds it.
pub struct LogReader<'a> {
    store: &'a dyn Store,
}

impl<'a> LogReader<'a> {
    /// Reads `store`.
    pub fn new(store: &'a dyn Store) -> Self {
        Self { store }
    }

    /// The checkpoint of `size`, or the latest for 0; a size never signed is refused.
    pub fn signed(&self, size: u64) -> Result<SignedSize, ServeError> {
        let (size, note) = match size {
            0 => self
                .store
                .latest_checkpoint()?
                .ok_or(ServeError::NoCheckpointYet)?,
            size => {
                let Some(note) = self.store.checkpoint(size)? else {
                    let latest = self.store.latest_checkpoint()?.map_or(0, |(s, _)| s);
                    return Err(Refusal::from(AuditRefusal::NeverSigned { size, latest }).into());
                };
                (size, note)
            }
        };
        let root = merkle::root(&StoredHashes(self.store), size)?;
        Ok(SignedSize { size, root, note })
    }

    /// The position of the entry whose leaf hash is `hash`.
    pub fn leaf_index(&self, hash: &[u8]) -> Result<u64, ServeError> {
        let hash: Hash = hash.try_into().map_err(|_| Refusal::InvalidField {
            field: "leaf_hash",
            expected: "32 bytes".into(),
            found: format!("{} bytes", hash.len()),
        })?;
        Ok(self
            .store
            .leaf_index(&hash)?
            .ok_or(Refusal::from(AuditRefusal::UnknownLeafHash))?)
    }

    /// The proof that entry `index` is in the signed size `size` (0: the latest).
    pub fn inclusion(&self, index: u64, size: u64) -> Result<(SignedSize, Vec<Hash>), ServeError> {
        let checkpoint = self.signed(size)?;
        if index >= checkpoint.size {
            // Naming a size and an index past it contradicts itself; an entry past the
            // latest signed size will be covered by a later checkpoint.
            return Err(if size != 0 {
                Refusal::from(AuditRefusal::LeafIndexPastSize {
                    index,
                    size: checkpoint.size,
                })
            } else {
                Refusal::from(AuditRefusal::LeafPastLatest {
                    index,
                    latest: checkpoint.size,
                })
            }
            .into());
        }
        let proof = merkle::inclusion_proof(&StoredHashes(self.store), index, checkpoint.size)?;
        Ok((checkpoint, proof))
    }

    /// The proof that signed size `first` is a prefix of signed size `second` (0: the latest).
    pub fn consistency(
        &self,
        first: u64,
        second: u64,
    ) -> Result<(SignedSize, SignedSize, Vec<Hash>), ServeError> {
        if first == 0 {
            return Err(Refusal::InvalidField {
                field: "first_size",
                expected: "a signed size of at least 1".into(),
                found: "0".into(),
            }
            .into());
        }
        let first = self.signed(first)?;
        let second = self.signed(second)?;
        if first.size > second.size {
            return Err(Refusal::from(AuditRefusal::ConsistencyOrder {
                first: first.size,
                second: second.size,
            })
            .into());
        }
        let proof = merkle::consistency_proof(&StoredHashes(self.store), first.size, second.size)?;
        Ok((first, second, proof))
    }

    /// Checks an entry range `start .. end`: at most [`MAX_ENTRIES_PER_CALL`] entries, all
    /// covered by the latest signed size.
    pub fn check_range(&self, start: u64, end: u64) -> Result<(), ServeError> {
        let latest = self.signed(0)?.size;
        if start > end || end - start > MAX_ENTRIES_PER_CALL {
            return Err(Refusal::from(AuditRefusal::EntryRangeInvalid {
                start,
                end,
                max: MAX_ENTRIES_PER_CALL,
            })
            .into());
        }
        if end > latest {
            return Err(Refusal::from(AuditRefusal::EntryRangePastLatest { end, latest }).into());
        }
        Ok(())
    }
}

/// One batch of stored entries: their first position and their exact bytes.
#[derive(Clone, Debug)]
pub struct EntryBatch {
    /// Position of the first entry.
    pub start: u64,
    /// The stored entries, in order.
    pub entries: Vec<Vec<u8>>,
}

/// The entries `next .. end` as batches of at most about [`BATCH_BYTES`], read from the store
/// lazily as the iterator is advanced, so memory stays bounded by one batch whatever the
/// range.
pub struct EntryBatches {
    /// Weak, so an open stream does not keep the store open after the ledger stops.
    store: Weak<dyn Store>,
    next: u64,
    end: u64,
}

impl EntryBatches {
    /// The entries `start .. end` of `store` (checked by [`LogReader::check_range`]).
    pub fn new(store: &Arc<dyn Store>, start: u64, end: u64) -> Self {
        Self {
            store: Arc::downgrade(store),
            next: start,
            end,
        }
    }
}

impl Iterator for EntryBatches {
    type Item = Result<EntryBatch, ServeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let mut batch = EntryBatch {
            start: self.next,
            entries: Vec::new(),
        };
        let mut bytes = 0;
        let Some(store) = self.store.upgrade() else {
            self.end = self.next;
            return Some(Err(ServeError::Store(StoreError::Io(
                "the ledger is shutting down".into(),
            ))));
        };
        while self.next < self.end {
            let entry = match store.entry(self.next) {
                Ok(Some(entry)) => entry,
                Ok(None) => {
                    self.end = self.next;
                    return Some(Err(ServeError::Missing(
                        "a committed entry is missing from the store".into(),
                    )));
                }
                Err(e) => {
                    self.end = self.next;
                    return Some(Err(e.into()));
                }
            };
            if bytes + entry.len() > BATCH_BYTES && !batch.entries.is_empty() {
                // Read again for the next batch; entries never change once written.
                break;
            }
            bytes += entry.len();
            batch.entries.push(entry);
            self.next += 1;
        }
        Some(Ok(batch))
    }
}
