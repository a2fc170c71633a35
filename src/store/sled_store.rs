//! The default store: sled, embedded in the data directory, nothing to install, with the
//! entries themselves in an append-only file beside it ([`super::entry_file`]).
//!
//! sled holds the tree and the count, in one tree whose keys carry a one-byte prefix:
//!
//! | key | value |
//! | --- | --- |
//! | `n` | entries durable in the entries file (8 bytes, big-endian), then the Merkle root of those entries (32 bytes) |
//! | `h` + level (1 byte) + index (8 bytes) | complete-subtree hash (32 bytes), levels 8, 16, … only |
//! | `c` + tree size (8 bytes) | signed checkpoint note (UTF-8) |
//!
//! So an entry costs its bytes and an 8-byte frame in the file; the tree adds one key per 256
//! entries (see [`crate::log::merkle::is_stored`]): leaf hashes and the levels between are
//! recomputed. The index from leaf hash to position is kept in memory ([`LeafIndex`]).
//!
//! **Opening checks the entries.** Opening reads every durable entry once: its checksum
//! (in the file's frame), its leaf hash (into the index), the stored subtree hashes it
//! completes, and at the end the root of them all against the root recorded with the count,
//! all before anything past the count is cut off.
//! So an entry changed after it was made durable is found when the store opens, whether or
//! not a signed checkpoint covers it yet, and the tree the store serves proofs from is the
//! tree of its entries.
//!
//! **Durability.** [`SledStore::flush`] syncs the entries file (`fdatasync`), then records in
//! sled how many entries it holds and their root, then makes sled durable
//! ([`DurableDb::sync`]: sled's flush and a real `fdatasync` of its files). So the count sled
//! holds never exceeds what the file holds on disk. On open, entries past that count (a group
//! written but never acknowledged before a crash) are cut off; fewer entries than the count
//! is damage, and the store is refused. Tree hashes of a group cut off that way may remain
//! in sled: a tree hash is written again when its subtree completes again. A failed sync is
//! reported, never retried.
//!
//! **Earlier layouts.** Stores written before the entries file kept each entry in sled under
//! `e` + sequence; opening one moves them into the file (the file written and synced first,
//! then the `e` keys removed and the count set in one sled batch, so a move cut short starts
//! again). Stores written before the index moved into memory kept a key per entry under
//! `l` and a count without a root: opening one checks the entries past its latest signed
//! checkpoint against those keys (as that layout's start-up did), records the root of its
//! entries with the count and syncs, then removes the keys (any left by a removal cut
//! short go at the next open). A binary of the layout before then refuses the store (its
//! count is 40 bytes, it expects 8).

use std::path::Path;
use std::sync::{Mutex, RwLock};

use super::durable::{DurableDb, fsync_path, io};
use super::entry_file::{EntryFile, NoCheck, OpenCheck, SMALLEST_FRAME};
use super::leaf_index::LeafIndex;
use super::{Append, EntryIter, Store, StoreError};
use crate::log::merkle::{self, Frontier, Hash, SubtreeId, is_stored};

/// The entries file's name inside the store's directory.
pub const ENTRIES_FILE: &str = "entries";

/// The sled-backed store.
pub struct SledStore {
    durable: DurableDb,
    pub(super) log: sled::Tree,
    entries: EntryFile,
    leaves: RwLock<LeafIndex>,
    /// Serializes appends and flushes, so the count and root a flush records are the ones it
    /// synced; holds the root of the entries appended so far.
    writing: Mutex<Hash>,
}

fn key(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut key = vec![prefix];
    for part in parts {
        key.extend_from_slice(part);
    }
    key
}

/// The key of the count of durable entries and their root.
const COUNT_KEY: &[u8] = b"n";

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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The count of durable entries and, unless the store is of the layout before roots were
/// recorded, their root.
fn recorded(log: &sled::Tree) -> Result<(u64, Option<Hash>), StoreError> {
    let Some(value) = log.get(COUNT_KEY).map_err(io)? else {
        return Ok((0, Some(merkle::empty_root())));
    };
    let mut count = [0u8; 8];
    let mut root = [0u8; 32];
    match value.len() {
        8 => {
            count.copy_from_slice(&value);
            Ok((u64::from_be_bytes(count), None))
        }
        40 => {
            count.copy_from_slice(&value[..8]);
            root.copy_from_slice(&value[8..]);
            Ok((u64::from_be_bytes(count), Some(root)))
        }
        other => Err(StoreError::Corrupt(format!(
            "the stored count of entries is {other} bytes long, expected 40 (the count and \
             the root of the entries) or 8 (an earlier layout)"
        ))),
    }
}

fn count_value(count: u64, root: &Hash) -> Vec<u8> {
    let mut value = count.to_be_bytes().to_vec();
    value.extend_from_slice(root);
    value
}

/// What the pass over the entries builds and checks when the store opens.
struct Opening<'a> {
    log: &'a sled::Tree,
    file: &'a Path,
    count: u64,
    /// The root recorded with the count; `None` in a store of the layout before.
    recorded_root: Option<Hash>,
    /// In a store of the layout before: the size its latest checkpoint signs. Entries from
    /// there on are checked against the index keys written with them, as that layout did.
    legacy_covered: Option<u64>,
    frontier: Frontier,
    leaves: LeafIndex,
}

impl OpenCheck for Opening<'_> {
    fn entry(&mut self, sequence: u64, entry: &[u8]) -> Result<(), StoreError> {
        let completed = self.frontier.append(entry);
        let leaf = completed[0].1;
        self.leaves.insert(&leaf, sequence);
        if let Some(covered) = self.legacy_covered
            && sequence >= covered
            && !legacy_index_key(self.log, &leaf, sequence)?
        {
            return Err(StoreError::Corrupt(format!(
                "entry {sequence} in {} is past the latest signed checkpoint ({covered}) and its \
                 leaf hash is not the one indexed when it was written: it was changed after \
                 it was written",
                self.file.display()
            )));
        }
        for (id, hash) in completed.into_iter().filter(|(id, _)| is_stored(*id)) {
            let stored = self.log.get(hash_key(id)).map_err(io)?;
            if stored.as_deref() != Some(&hash[..]) {
                return Err(StoreError::Corrupt(format!(
                    "the Merkle hash of entries {}..={sequence} (level {}, index {}) is {} in \
                     the store, the entries give {}",
                    id.index << id.level,
                    id.level,
                    id.index,
                    stored.map_or_else(|| "missing".into(), |s| hex(&s)),
                    hex(&hash)
                )));
            }
        }
        Ok(())
    }

    fn all_read(&mut self) -> Result<(), StoreError> {
        let root = self.frontier.root();
        match self.recorded_root {
            Some(recorded) if recorded != root => Err(StoreError::Corrupt(format!(
                "the {} entries in {} do not hash to the root recorded when they were made \
                 durable (recorded {}, the entries give {}): an entry was changed after it was \
                 written",
                self.count,
                self.file.display(),
                hex(&recorded),
                hex(&root)
            ))),
            _ => Ok(()),
        }
    }
}

/// Whether the layout before indexed `leaf` at `sequence`: `l` + 8 bytes of it + the
/// sequence, or (the layout before that) `l` + the whole hash with the sequence as value.
fn legacy_index_key(log: &sled::Tree, leaf: &Hash, sequence: u64) -> Result<bool, StoreError> {
    if log
        .contains_key(key(b'l', &[&leaf[..8], &sequence.to_be_bytes()]))
        .map_err(io)?
    {
        return Ok(true);
    }
    Ok(log
        .get(key(b'l', &[leaf]))
        .map_err(io)?
        .is_some_and(|value| value.as_ref() == sequence.to_be_bytes()))
}

impl SledStore {
    /// Opens (or creates) the store in `path` (see [`DurableDb::open`]), moving the entries
    /// of an earlier layout into the entries file, checking the durable entries against
    /// their stored tree and root, and only then cutting off entries written but never
    /// counted durable. What the log holds is synced by the first [`Store::flush`], which
    /// the writer makes before it replays anything.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let durable = DurableDb::open(path)?;
        let log = durable.db().open_tree("log").map_err(io)?;
        move_entries_out_of_sled(&durable, &log, path)?;
        let (count, recorded_root) = recorded(&log)?;
        let legacy_covered = match recorded_root {
            Some(_) => None,
            None => Some(match log.scan_prefix([b'c']).keys().next_back() {
                Some(key) => sequence_of(&key.map_err(io)?, b'c')?,
                None => 0,
            }),
        };
        let file = path.join(ENTRIES_FILE);
        // Room for the entries counted, as far as the file could hold real ones (a damaged
        // count is refused by the file, not allocated for).
        let plausible = std::fs::metadata(&file).map_or(0, |m| m.len() / SMALLEST_FRAME);
        let mut opening = Opening {
            log: &log,
            file: &file,
            count,
            recorded_root,
            legacy_covered,
            frontier: Frontier::new(),
            leaves: LeafIndex::with_capacity(usize::try_from(count.min(plausible)).unwrap_or(0)),
        };
        let entries = EntryFile::open(&file, count, &mut opening)?;
        let Opening {
            frontier, leaves, ..
        } = opening;
        let root = frontier.root();
        if recorded_root.is_none() {
            // The layout before: the root recorded (and synced) first, its index keys
            // removed after, so a removal cut short is finished by the next open.
            log.insert(COUNT_KEY, count_value(count, &root))
                .map_err(io)?;
            durable.sync()?;
            tracing::info!(
                entries = count,
                "recorded the root of the log's entries beside their count; the leaf index is \
                 now kept in memory"
            );
        }
        remove_index_keys(&durable, &log)?;
        // The file may have just been created.
        fsync_path(path)?;
        Ok(Self {
            durable,
            log,
            entries,
            leaves: RwLock::new(leaves),
            writing: Mutex::new(root),
        })
    }
}

/// Keys of the `l` index a store of the layout before kept, removed per this many.
const REMOVE_CHUNK: usize = 4096;

/// Removes what remains of the layout before's per-entry index keys (nothing, once done).
fn remove_index_keys(durable: &DurableDb, log: &sled::Tree) -> Result<(), StoreError> {
    let mut removed = 0usize;
    loop {
        let mut batch = sled::Batch::default();
        let mut keys = 0;
        for key in log.scan_prefix([b'l']).keys().take(REMOVE_CHUNK) {
            batch.remove(key.map_err(io)?);
            keys += 1;
        }
        if keys == 0 {
            break;
        }
        log.apply_batch(batch).map_err(io)?;
        removed += keys;
    }
    if removed > 0 {
        durable.sync()?;
        tracing::info!(
            removed,
            "removed the per-entry index keys of the earlier layout"
        );
    }
    Ok(())
}

/// Moves the entries of the earlier layout (`e` + sequence in sled) into the entries file.
fn move_entries_out_of_sled(
    durable: &DurableDb,
    log: &sled::Tree,
    path: &Path,
) -> Result<(), StoreError> {
    if log.scan_prefix([b'e']).next().is_none() {
        return Ok(());
    }
    let file_path = path.join(ENTRIES_FILE);
    // A move cut short left every entry in sled: start the file again.
    match std::fs::remove_file(&file_path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(StoreError::Io(format!(
                "cannot remove {}: {e}",
                file_path.display()
            )));
        }
        _ => {}
    }
    let file = EntryFile::open(&file_path, 0, &mut NoCheck)?;
    let (mut count, mut group) = (0u64, Vec::new());
    for item in log.scan_prefix([b'e']) {
        let (key, value) = item.map_err(io)?;
        let sequence = sequence_of(&key, b'e')?;
        if sequence != count {
            return Err(StoreError::Corrupt(format!(
                "log has a gap: expected entry {count}, found {sequence}"
            )));
        }
        group.push(value.to_vec());
        count += 1;
        if group.len() == 4096 {
            file.append(&group)?;
            group.clear();
        }
    }
    file.append(&group)?;
    file.sync()?;
    fsync_path(path)?;
    let mut batch = sled::Batch::default();
    for key in log.scan_prefix([b'e']).keys() {
        batch.remove(key.map_err(io)?);
    }
    batch.insert(COUNT_KEY, &count.to_be_bytes()[..]);
    log.apply_batch(batch).map_err(io)?;
    durable.sync()?;
    tracing::info!(
        entries = count,
        "moved the log's entries from sled into the entries file"
    );
    Ok(())
}

impl Store for SledStore {
    fn len(&self) -> Result<u64, StoreError> {
        Ok(self.entries.len())
    }

    fn append(&self, append: Append<'_>) -> Result<(), StoreError> {
        let mut root = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let log_size = self.entries.len();
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
        // The tree hashes first: if they fail, nothing of the group is in the log (a hash
        // past the count is written again when its subtree completes again).
        if !append.hashes.is_empty() {
            let mut batch = sled::Batch::default();
            for (id, hash) in append.hashes {
                batch.insert(hash_key(*id), &hash[..]);
            }
            self.log.apply_batch(batch).map_err(io)?;
        }
        self.entries.append(append.entries)?;
        // The count and the root stay paired: both now describe the entries appended.
        *root = append.root;
        let mut leaves = self.leaves.write().unwrap_or_else(|e| e.into_inner());
        for (sequence, leaf) in (append.first_sequence..).zip(append.leaves) {
            leaves.insert(leaf, sequence);
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), StoreError> {
        let root = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let count = self.entries.len();
        self.entries.sync()?;
        self.log
            .insert(COUNT_KEY, count_value(count, &root))
            .map_err(io)?;
        self.durable.sync()
    }

    fn entry(&self, sequence: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.entries.entry(sequence)
    }

    fn scan(&self, first_sequence: u64) -> EntryIter<'_> {
        Box::new(
            self.entries
                .scan(first_sequence)
                .map(|item| item.map(|(sequence, entry, _)| (sequence, entry))),
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
        let candidates = self
            .leaves
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .candidates(leaf_hash);
        for sequence in candidates {
            if let Some(entry) = self.entry(sequence)?
                && merkle::leaf_hash(&entry) == *leaf_hash
            {
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
        let sled = self.durable.db().size_on_disk().ok()?;
        let file = std::fs::metadata(self.entries.path()).ok()?.len();
        Some(sled + file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::recovery_tests::try_append as append;

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
                    root: frontier.root(),
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
    fn the_leaf_index_finds_every_entry_after_appends_and_after_reopening() {
        let (dir, store, _) = filled(300, 64);
        let look_up = |store: &SledStore| {
            for sequence in [0, 1, 150, 299] {
                let entry = store.entry(sequence).unwrap().unwrap();
                assert_eq!(
                    store.leaf_index(&merkle::leaf_hash(&entry)).unwrap(),
                    Some(sequence)
                );
            }
            assert_eq!(store.leaf_index(&[7; 32]).unwrap(), None);
        };
        look_up(&store);
        store.flush().unwrap();
        drop(store);
        look_up(&SledStore::open(dir.path()).unwrap());
    }
}
