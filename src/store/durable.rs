//! A sled database whose writes are durable when [`DurableDb::sync`] returns: sled's own
//! flush, then a real `fdatasync` of its `db` file, an `fsync` of every blob file not yet
//! synced, and of the `blobs/` directory when it gained files.
//!
//! sled 0.34's `flush` ends in `sync_file_range` on Linux, which persists neither the file's
//! size nor the disk's write cache, and sled writes large pages to separate blob files
//! without syncing them. A failed sync is reported, never retried: after a write error the
//! kernel may drop dirty pages, so a later successful sync proves nothing (callers treat any
//! error here as fatal). The ledger's store and the directory of personal data both stand on
//! this.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::StoreError;

/// A sled database with a real sync.
pub struct DurableDb {
    db: sled::Db,
    /// sled's log file (`<path>/db`), opened separately so it can be `fdatasync`ed.
    db_file: File,
    /// Its path, for error messages.
    db_path: PathBuf,
    /// sled's blob directory (`<path>/blobs`).
    blobs: PathBuf,
    /// Blob files already fsynced.
    synced_blobs: Mutex<HashSet<std::ffi::OsString>>,
}

pub(super) fn sync_error(what: &Path, error: std::io::Error) -> StoreError {
    StoreError::Io(format!("cannot sync {}: {error}", what.display()))
}

/// `fsync` of a file or directory (a directory's, so entries created in it survive a power
/// cut).
pub fn fsync_path(path: &Path) -> Result<(), StoreError> {
    File::open(path)
        .and_then(|opened| opened.sync_all())
        .map_err(|e| sync_error(path, e))
}

/// A sled error as a store error.
pub(super) fn io(error: sled::Error) -> StoreError {
    match error {
        sled::Error::Corruption { .. } => StoreError::Corrupt(error.to_string()),
        other => StoreError::Io(other.to_string()),
    }
}

/// How long [`DurableDb::open`] waits for sled's file lock to be released by a handle of
/// this same process that was just dropped (sled's background threads release it a moment
/// after the `Db` is dropped, e.g. right after genesis created the store).
const LOCK_RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

fn open_db(path: &Path) -> Result<sled::Db, StoreError> {
    let deadline = std::time::Instant::now() + LOCK_RELEASE_WAIT;
    loop {
        let opened = sled::Config::new()
            .path(path)
            // Durability comes from an explicit sync; no background flusher needed.
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

impl DurableDb {
    /// Opens (or creates) the database in `path`, and syncs the files and directory entries
    /// opening it may have created (sled's `conf`, the directory, and its parent when the
    /// database was created). What it holds is synced by the first [`DurableDb::sync`].
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let created = !path.exists();
        let db = open_db(path)?;
        let db_path = path.join("db");
        let db_file = File::open(&db_path).map_err(|e| {
            StoreError::Io(format!("cannot open {} to sync it: {e}", db_path.display()))
        })?;
        let durable = Self {
            db,
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
        Ok(durable)
    }

    /// The database.
    pub fn db(&self) -> &sled::Db {
        &self.db
    }

    /// Makes everything written durable: sled's flush, then `fdatasync` of the `db` file and
    /// `fsync` of new blob files. An error is final (see the module's documentation).
    pub fn sync(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(io)?;
        self.db_file
            .sync_data()
            .map_err(|e| sync_error(&self.db_path, e))?;
        self.sync_blobs()
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
