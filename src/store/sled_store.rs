//! The default store: sled, embedded in the data directory, nothing to install.
//!
//! Everything lives in one sled tree so that one `Batch` (atomic in sled) holds a whole group
//! commit. Keys carry a one-byte prefix:
//!
//! | key | value |
//! | --- | --- |
//! | `e` + sequence (8 bytes, big-endian) | encoded `LogEntry` |
//! | `h` + level (1 byte) + index (8 bytes) | complete-subtree hash (32 bytes), levels 8, 16, … only |
//! | `l` + first 8 bytes of the leaf hash + sequence (8 bytes) | nothing |
//! | `c` + tree size (8 bytes) | signed checkpoint note (UTF-8) |
//!
//! So an entry costs its own key and one short index key; the tree adds one key per 256
//! entries (see [`crate::log::merkle::is_stored`]): leaf hashes and the levels between are
//! recomputed. The leaf index keys on a prefix of the hash, and a lookup checks each
//! candidate's leaf hash, so two entries sharing a prefix are both found and told apart.
//! Stores written before this layout (every level's hash stored, the index keyed by the
//! whole leaf hash with the sequence as value) are read as they are.
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

/// Bytes of a leaf hash the index keys on.
const LEAF_PREFIX: usize = 8;

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
        if append.leaves.len() != append.entries.len() {
            return Err(StoreError::Corrupt(format!(
                "an append of {} entries carries {} leaf hashes",
                append.entries.len(),
                append.leaves.len()
            )));
        }
        let mut batch = sled::Batch::default();
        for (sequence, entry) in (append.first_sequence..).zip(append.entries) {
            batch.insert(entry_key(sequence), entry.as_slice());
        }
        for (sequence, leaf) in (append.first_sequence..).zip(append.leaves) {
            batch.insert(
                key(b'l', &[&leaf[..LEAF_PREFIX], &sequence.to_be_bytes()]),
                &[][..],
            );
        }
        for (id, hash) in append.hashes {
            batch.insert(hash_key(*id), &hash[..]);
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
        let damaged = || StoreError::Corrupt("a leaf index key is damaged".into());
        for item in self
            .log
            .scan_prefix(key(b'l', &[&leaf_hash[..LEAF_PREFIX]]))
        {
            let (key, value) = item.map_err(io)?;
            let sequence = match key.len() {
                // 'l' + prefix + sequence.
                17 => u64::from_be_bytes(key[9..].try_into().map_err(|_| damaged())?),
                // The earlier layout: 'l' + the whole leaf hash, the sequence as the value.
                33 if key[1..] == leaf_hash[..] => {
                    let sequence = value.as_ref().try_into().map_err(|_| damaged())?;
                    return Ok(Some(u64::from_be_bytes(sequence)));
                }
                33 => continue,
                _ => return Err(damaged()),
            };
            let entry = self.entry(sequence)?.ok_or_else(damaged)?;
            if crate::log::merkle::leaf_hash(&entry) == *leaf_hash {
                return Ok(Some(sequence));
            }
        }
        Ok(None)
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
            leaves: &entries
                .iter()
                .map(|e| crate::log::merkle::leaf_hash(e))
                .collect::<Vec<_>>(),
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

#[cfg(test)]
mod compact_tree_tests {
    use super::*;
    use crate::log::merkle::{self, Frontier, is_stored};
    use crate::store::StoredHashes;

    /// `count` entries appended in groups of `group`, as the writer does, with the roots of
    /// every size along the way.
    fn filled(count: u64, group: usize) -> (tempfile::TempDir, SledStore, Vec<Hash>) {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        let mut frontier = Frontier::new();
        let mut roots = vec![frontier.root()];
        let entries: Vec<Vec<u8>> = (0..count)
            .map(|i| format!("entry number {i}").into_bytes())
            .collect();
        for (chunk_index, chunk) in entries.chunks(group).enumerate() {
            let (mut leaves, mut hashes) = (Vec::new(), Vec::new());
            for entry in chunk {
                let completed = frontier.append(entry);
                leaves.push(completed[0].1);
                hashes.extend(completed.into_iter().filter(|(id, _)| is_stored(*id)));
                roots.push(frontier.root());
            }
            store
                .append(Append {
                    first_sequence: (chunk_index * group) as u64,
                    entries: chunk,
                    leaves: &leaves,
                    hashes: &hashes,
                })
                .unwrap();
        }
        (dir, store, roots)
    }

    #[test]
    fn roots_and_proofs_from_the_compact_tree_verify_for_every_size() {
        let (_dir, store, roots) = filled(700, 37);
        let stored = StoredHashes(&store);
        // One stored hash per 256 entries: levels 8 (indexes 0 and 1), nothing else.
        let kept = store.log.scan_prefix([b'h']).count();
        assert_eq!(kept, 2);
        for size in 1..=700u64 {
            assert_eq!(merkle::root(&stored, size).unwrap(), roots[size as usize]);
        }
        for (index, size) in [
            (0, 1),
            (0, 700),
            (255, 256),
            (256, 700),
            (511, 512),
            (699, 700),
        ] {
            let entry = store.entry(index).unwrap().unwrap();
            let proof = merkle::inclusion_proof(&stored, index, size).unwrap();
            assert!(merkle::verify_inclusion(
                index,
                size,
                &merkle::leaf_hash(&entry),
                &proof,
                &roots[size as usize]
            ));
        }
        for (old, new) in [(1, 700), (255, 257), (256, 512), (300, 699), (512, 700)] {
            let proof = merkle::consistency_proof(&stored, old, new).unwrap();
            assert!(merkle::verify_consistency(
                old,
                new,
                &roots[old as usize],
                &roots[new as usize],
                &proof
            ));
        }
    }

    #[test]
    fn the_leaf_index_finds_every_entry_and_reads_the_earlier_layout() {
        let (_dir, store, _) = filled(300, 64);
        for sequence in [0, 1, 150, 299] {
            let entry = store.entry(sequence).unwrap().unwrap();
            assert_eq!(
                store.leaf_index(&merkle::leaf_hash(&entry)).unwrap(),
                Some(sequence)
            );
        }
        assert_eq!(store.leaf_index(&[7; 32]).unwrap(), None);
        // A key of the earlier layout, with a leaf hash sharing the new keys' prefix space.
        let old = merkle::leaf_hash(b"written by an earlier version");
        store
            .log
            .insert(key(b'l', &[&old]), &42u64.to_be_bytes()[..])
            .unwrap();
        assert_eq!(store.leaf_index(&old).unwrap(), Some(42));
    }
}
