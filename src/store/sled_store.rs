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
//! **Durability.** sled 0.34's `flush` ends in `sync_file_range` on Linux, which persists
//! neither the file's size nor the disk's write cache, and sled writes large pages to
//! separate blob files without syncing them. So [`SledStore::flush`] follows sled's flush
//! with a real `fdatasync` of the `db` file, an `fsync` of every blob file not yet synced,
//! and of the `blobs/` directory when it gained files. A failed sync is reported, never
//! retried: after a write error the kernel may drop dirty pages, so a later successful sync
//! proves nothing (the writer treats any error here as fatal).

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{Append, EntryIter, Store, StoreError};
use crate::log::merkle::{Hash, SubtreeId};

/// The sled-backed store.
pub struct SledStore {
    db: sled::Db,
    log: sled::Tree,
    /// sled's log file (`<path>/db`), opened separately so it can be `fdatasync`ed.
    db_file: File,
    /// Its path, for error messages.
    db_path: PathBuf,
    /// sled's blob directory (`<path>/blobs`).
    blobs: PathBuf,
    /// Blob files already fsynced.
    synced_blobs: Mutex<HashSet<std::ffi::OsString>>,
}

fn sync_error(what: &Path, error: std::io::Error) -> StoreError {
    StoreError::Io(format!("cannot sync {}: {error}", what.display()))
}

/// `fsync` of a file or directory (a directory's, so entries created in it survive a power
/// cut).
pub fn fsync_path(path: &Path) -> Result<(), StoreError> {
    File::open(path)
        .and_then(|opened| opened.sync_all())
        .map_err(|e| sync_error(path, e))
}

fn io(error: sled::Error) -> StoreError {
    match error {
        sled::Error::Corruption { .. } => StoreError::Corrupt(error.to_string()),
        other => StoreError::Io(other.to_string()),
    }
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

/// How long [`SledStore::open`] waits for sled's file lock to be released by a handle of
/// this same process that was just dropped (sled's background threads release it a moment
/// after the `Db` is dropped, e.g. right after genesis created the store).
const LOCK_RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

fn open_db(path: &Path) -> Result<sled::Db, StoreError> {
    let deadline = std::time::Instant::now() + LOCK_RELEASE_WAIT;
    loop {
        let opened = sled::Config::new()
            .path(path)
            // Durability comes from the writer's explicit flush; no background flusher needed.
            .flush_every_ms(None)
            .open();
        match opened {
            // sled reports a held lock as `Other` with this text around the OS error.
            Err(sled::Error::Io(e))
                if e.to_string().starts_with("could not acquire lock")
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other.map_err(io),
        }
    }
}

impl SledStore {
    /// Opens (or creates) the store in `path`, and syncs the files and directory entries
    /// opening it may have created (sled's `conf`, the directory, and its parent when the
    /// store was created). What the log holds is synced by the first [`Store::flush`], which
    /// the writer makes before it replays anything.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let created = !path.exists();
        let db = open_db(path)?;
        let log = db.open_tree("log").map_err(io)?;
        let db_path = path.join("db");
        let db_file = File::open(&db_path).map_err(|e| {
            StoreError::Io(format!("cannot open {} to sync it: {e}", db_path.display()))
        })?;
        let store = Self {
            db,
            log,
            db_file,
            db_path,
            blobs: path.join("blobs"),
            synced_blobs: Mutex::new(HashSet::new()),
        };
        // sled writes its `conf` file at creation without syncing it.
        fsync_path(&path.join("conf"))?;
        fsync_path(path)?;
        if created && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fsync_path(parent)?;
        }
        Ok(store)
    }

    /// `fsync` of every blob file not synced yet, then of the blob directory if any was.
    fn sync_blobs(&self) -> Result<(), StoreError> {
        let entries = match std::fs::read_dir(&self.blobs) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(sync_error(&self.blobs, e)),
        };
        let mut synced = self.synced_blobs.lock().unwrap_or_else(|e| e.into_inner());
        let mut present = HashSet::with_capacity(synced.len());
        let mut new_files = false;
        for entry in entries {
            let entry = entry.map_err(|e| sync_error(&self.blobs, e))?;
            let name = entry.file_name();
            present.insert(name.clone());
            if synced.contains(&name) {
                continue;
            }
            let path = entry.path();
            match File::open(&path) {
                Ok(file) => file.sync_all().map_err(|e| sync_error(&path, e))?,
                // sled removes blobs it no longer needs; one gone is nothing to sync.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(sync_error(&path, e)),
            }
            synced.insert(name);
            new_files = true;
        }
        // Forget blobs sled has removed, so the set stays as small as the directory.
        synced.retain(|name| present.contains(name));
        if new_files {
            fsync_path(&self.blobs)?;
        }
        Ok(())
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
        self.db.flush().map_err(io)?;
        self.db_file
            .sync_data()
            .map_err(|e| sync_error(&self.db_path, e))?;
        self.sync_blobs()
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
        self.db.size_on_disk().ok()
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
