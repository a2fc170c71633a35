//! The default store: sled, embedded in the data directory, nothing to install.
//!
//! Everything lives in one sled tree so that one `Batch` (atomic in sled) holds a whole group
//! commit. Keys carry a one-byte prefix:
//!
//! | key | value |
//! | --- | --- |
//! | `e` + sequence (8 bytes, big-endian) | encoded `LogEntry` |
//! | `h` + level (1 byte) + index (8 bytes) | complete-subtree hash (32 bytes) |
//! | `l` + leaf hash (32 bytes) | sequence (8 bytes) |
//! | `c` + tree size (8 bytes) | signed checkpoint note (UTF-8) |
//!
//! **Durability.** [`SledStore::flush`] is [`DurableDb::sync`]: sled's flush followed by a
//! real `fdatasync` of its files (sled's own ends in `sync_file_range`, which persists neither
//! the file's size nor the disk's write cache). A failed sync is reported, never retried.

use std::path::Path;

use super::durable::{DurableDb, io};
use super::{Append, EntryIter, Store, StoreError};
use crate::log::merkle::{Hash, SubtreeId};

/// The sled-backed store.
pub struct SledStore {
    durable: DurableDb,
    log: sled::Tree,
}

fn key(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut key = vec![prefix];
    for part in parts {
        key.extend_from_slice(part);
    }
    key
}

fn entry_key(sequence: u64) -> Vec<u8> {
    key(b'e', &[&sequence.to_be_bytes()])
}

fn hash_key(id: SubtreeId) -> Vec<u8> {
    key(b'h', &[&[id.level], &id.index.to_be_bytes()])
}

fn checkpoint_key(size: u64) -> Vec<u8> {
    key(b'c', &[&size.to_be_bytes()])
}

fn sequence_of(key: &[u8], prefix: u8) -> Result<u64, StoreError> {
    match key.split_first() {
        Some((p, rest)) if *p == prefix => <[u8; 8]>::try_from(rest)
            .map(u64::from_be_bytes)
            .map_err(|_| StoreError::Corrupt(format!("key of {} bytes", key.len()))),
        _ => Err(StoreError::Corrupt("unexpected key prefix".into())),
    }
}

impl SledStore {
    /// Opens (or creates) the store in `path` (see [`DurableDb::open`]). What the log holds is
    /// synced by the first [`Store::flush`], which the writer makes before it replays
    /// anything.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let durable = DurableDb::open(path)?;
        let log = durable.db().open_tree("log").map_err(io)?;
        Ok(Self { durable, log })
    }
}

impl Store for SledStore {
    fn len(&self) -> Result<u64, StoreError> {
        match self.log.scan_prefix([b'e']).next_back() {
            None => Ok(0),
            Some(item) => Ok(sequence_of(&item.map_err(io)?.0, b'e')? + 1),
        }
    }

    fn append(&self, append: Append<'_>) -> Result<(), StoreError> {
        let log_size = self.len()?;
        if append.first_sequence != log_size {
            return Err(StoreError::OutOfOrder {
                requested: append.first_sequence,
                log_size,
            });
        }
        let mut batch = sled::Batch::default();
        for (sequence, entry) in (append.first_sequence..).zip(append.entries) {
            batch.insert(entry_key(sequence), entry.as_slice());
        }
        for (id, hash) in append.hashes {
            batch.insert(hash_key(*id), &hash[..]);
            if id.level == 0 {
                batch.insert(key(b'l', &[hash]), &id.index.to_be_bytes()[..]);
            }
        }
        self.log.apply_batch(batch).map_err(io)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.durable.sync()
    }

    fn entry(&self, sequence: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .log
            .get(entry_key(sequence))
            .map_err(io)?
            .map(|v| v.to_vec()))
    }

    fn scan(&self, first_sequence: u64) -> EntryIter<'_> {
        let mut expected = first_sequence;
        Box::new(
            self.log
                .range(entry_key(first_sequence)..entry_key(u64::MAX))
                .map(move |item| {
                    let (key, value) = item.map_err(io)?;
                    let sequence = sequence_of(&key, b'e')?;
                    if sequence != expected {
                        return Err(StoreError::Corrupt(format!(
                            "log has a gap: expected entry {expected}, found {sequence}"
                        )));
                    }
                    expected += 1;
                    Ok((sequence, value.to_vec()))
                }),
        )
    }

    fn subtree_hash(&self, id: SubtreeId) -> Result<Option<Hash>, StoreError> {
        match self.log.get(hash_key(id)).map_err(io)? {
            None => Ok(None),
            Some(value) => <[u8; 32]>::try_from(value.as_ref())
                .map(Some)
                .map_err(|_| StoreError::Corrupt("a stored hash is not 32 bytes".into())),
        }
    }

    fn leaf_index(&self, leaf_hash: &Hash) -> Result<Option<u64>, StoreError> {
        match self.log.get(key(b'l', &[leaf_hash])).map_err(io)? {
            None => Ok(None),
            Some(value) => <[u8; 8]>::try_from(value.as_ref())
                .map(|b| Some(u64::from_be_bytes(b)))
                .map_err(|_| StoreError::Corrupt("a leaf index is not 8 bytes".into())),
        }
    }

    fn put_checkpoint(&self, size: u64, note: &str) -> Result<(), StoreError> {
        self.log
            .insert(checkpoint_key(size), note.as_bytes())
            .map(|_| ())
            .map_err(io)
    }

    fn checkpoint(&self, size: u64) -> Result<Option<String>, StoreError> {
        self.log
            .get(checkpoint_key(size))
            .map_err(io)?
            .map(|v| {
                String::from_utf8(v.to_vec())
                    .map_err(|_| StoreError::Corrupt("a checkpoint is not UTF-8".into()))
            })
            .transpose()
    }

    fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, StoreError> {
        match self.log.scan_prefix([b'c']).next_back() {
            None => Ok(None),
            Some(item) => {
                let (key, value) = item.map_err(io)?;
                let note = String::from_utf8(value.to_vec())
                    .map_err(|_| StoreError::Corrupt("a checkpoint is not UTF-8".into()))?;
                Ok(Some((sequence_of(&key, b'c')?, note)))
            }
        }
    }

    fn size_on_disk(&self) -> Option<u64> {
        self.durable.db().size_on_disk().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn append(store: &SledStore, first: u64, entries: &[Vec<u8>]) -> Result<(), StoreError> {
        store.append(Append {
            first_sequence: first,
            entries,
            hashes: &[],
        })
    }

    #[test]
    fn append_is_positional_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = SledStore::open(dir.path()).unwrap();
            append(&store, 0, &[b"a".to_vec(), b"b".to_vec()]).unwrap();
            assert!(matches!(
                append(&store, 5, &[b"x".to_vec()]),
                Err(StoreError::OutOfOrder {
                    requested: 5,
                    log_size: 2
                })
            ));
            store.put_checkpoint(2, "note two").unwrap();
            store.put_checkpoint(1, "note one").unwrap();
            store.flush().unwrap();
        }
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.len().unwrap(), 2);
        assert_eq!(store.entry(1).unwrap().as_deref(), Some(&b"b"[..]));
        let all: Vec<_> = store.scan(0).map(Result::unwrap).collect();
        assert_eq!(all, vec![(0, b"a".to_vec()), (1, b"b".to_vec())]);
        assert_eq!(store.checkpoint(1).unwrap().as_deref(), Some("note one"));
        assert_eq!(
            store.latest_checkpoint().unwrap(),
            Some((2, "note two".to_owned()))
        );
    }
}
