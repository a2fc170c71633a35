//! The directory of personal data (`shanzhi.directory.v1`): the display names of households
//! and members, outside the log, correctable and erasable by signed changes
//! (`docs/design/directory.md`). The log speaks only of household ids and pseudonymous member
//! ids; nothing here is in the log or its Merkle tree, so `shanzhi verify` never needs it.
//!
//! On disk, in `<data>/directory/`: `records/` (a sled database: per subject, its revision,
//! last change and encrypted contents) and `keys` (the keyring: one key per record,
//! overwritten in place). A record's name never reaches the disk in clear, and erasing or
//! replacing it zeroes its key, so the ciphertext sled may keep until it compacts can never
//! be read again.
//!
//! Every change is applied under one lock and acknowledged only after its key, its record and
//! the old key's zeroing are synced; a failed write or sync stops the directory (and the
//! server) for good, as for the ledger's store.

mod access;
mod change;
mod export;
pub mod identity;
mod keyring;
mod near;
mod person;
mod present;
mod refusal;
mod sealed;
mod tag;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use prost::Message;

pub use access::{AccessEvent, MAX_ACCESS_EVENTS_PER_PAGE, access_hash};
pub use change::{Change, ChangeKind, MAX_CHANGE_BODY_BYTES, admit};
pub use export::{Exported, MAX_CURSOR_BYTES, MAX_RECORDS_PER_PAGE, Page};
pub use near::{MAX_NEAR_GROUPS_PER_PAGE, NEAR_CURSOR_BYTES, NearPage};
pub use person::{
    Details, MAX_PHONE_CHARS, OrganizationDetails, PersonDetails, details_of, parse_phone,
};
pub use refusal::{DirectoryError, DirectoryRefusal};
pub use tag::{IDENTITY_KEY_FILE, IdentityKey};

use keyring::{KEY_BYTES, Keyring, RecordKey};
use sealed::{Contents, Held, Stored, subject_key};

use crate::ledger::{KeyId, LedgerId, Subject, UnixMs};
use crate::store::{DurableDb, StoreError};
use crate::writer::StoreCallClock;

/// The most subjects one read may ask for.
pub const MAX_SUBJECTS_PER_READ: usize = 100;

/// What the directory holds for a subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordState {
    /// No record was ever written.
    Absent,
    /// A display name.
    Present,
    /// Erased: only the revision and the erasure's signer, time and reason stay.
    Erased,
}

/// A subject's record, decrypted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Whose record.
    pub subject: Subject,
    /// What is held.
    pub state: RecordState,
    /// 0 when none was ever written, then one more per change.
    pub revision: u64,
    /// The display name (present records only): a person's or organization's name.
    pub display_name: Option<String>,
    /// A person's or organization's details (present records of those only).
    pub details: Option<Details>,
    /// The last change's time, signer and reason.
    pub last_change: Option<LastChange>,
}

/// Who made a record's last change, when and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastChange {
    /// When it was applied.
    pub at: UnixMs,
    /// The key that signed it.
    pub by: KeyId,
    /// Its reason.
    pub reason: String,
}

/// The directory: its record store and keyring while open, and whether it has failed.
pub struct Directory {
    /// The open stores, behind the lock every change and read takes; `None` once closed.
    open: Mutex<Option<Open>>,
    /// Set by [`Directory::close`].
    closed: AtomicBool,
    failure: tokio::sync::watch::Sender<Option<String>>,
    /// When the call holding the lock began, for the server's stall watchdog.
    calls: StoreCallClock,
    /// The identity key the log's identity tags are made with (`tag.rs`).
    identity: IdentityKey,
}

/// The directory's stores.
struct Open {
    db: DurableDb,
    records: sled::Tree,
    keyring: Keyring,
}

/// The data directory's `directory/` (created at genesis).
pub fn path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("directory")
}

fn io(error: sled::Error) -> StoreError {
    StoreError::Io(error.to_string())
}

fn corrupt(subject: &Subject) -> StoreError {
    StoreError::Corrupt(format!("the directory record of {subject} does not decode"))
}

/// The file in the directory naming the ledger it belongs to (its id, in hex).
const MARKER: &str = "ledger-id";

impl Directory {
    /// Creates an empty directory for the ledger `ledger_id` in `path` (at genesis, or by
    /// `shanzhi init-directory`), synced; refuses if `path` exists.
    pub fn create(path: &Path, ledger_id: &LedgerId) -> Result<(), StoreError> {
        Self::create_with_identity_key(path, ledger_id, None)
    }

    /// Like [`Directory::create`], with the identity key copied from the key file
    /// `identity_key` (a restore of a log whose tags were made with it) instead of a new one.
    pub fn create_with_identity_key(
        path: &Path,
        ledger_id: &LedgerId,
        identity_key: Option<&Path>,
    ) -> Result<(), StoreError> {
        if path.exists() {
            return Err(StoreError::Io(format!(
                "{} exists already; refusing to replace a directory of personal data",
                path.display()
            )));
        }
        std::fs::create_dir_all(path)
            .map_err(|e| StoreError::Io(format!("cannot create {}: {e}", path.display())))?;
        let marker = path.join(MARKER);
        std::fs::write(&marker, ledger_id.to_string())
            .map_err(|e| StoreError::Io(format!("cannot write {}: {e}", marker.display())))?;
        crate::store::fsync_path(&marker)?;
        if let Some(from) = identity_key {
            IdentityKey::install(from, path)?;
        }
        // The stores, created and synced, then the directory entries.
        drop(Self::open_stores(path)?);
        crate::store::fsync_path(path)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::store::fsync_path(parent)?;
        }
        Ok(())
    }

    /// Opens the directory of the ledger `ledger_id` in `path`: the record store, then the
    /// keyring, which zeroes every slot no record names (finishing an erasure a crash
    /// interrupted). Refuses a missing directory or one of another ledger (a lost directory
    /// must never silently become an empty one: every name would be gone and every old
    /// signed change of revision 0 valid again).
    pub fn open(path: &Path, ledger_id: &LedgerId) -> Result<Self, StoreError> {
        let marker = path.join(MARKER);
        let found = std::fs::read_to_string(&marker).map_err(|e| {
            StoreError::Corrupt(format!(
                "{} cannot be read ({e}): the directory of personal data is missing or \
                 incomplete. Restore it from its backup (then apply again every erasure made \
                 since); to serve this ledger without names, run `shanzhi init-directory` \
                 (with --identity-key, the copy kept with the log key, if it registers persons)",
                marker.display()
            ))
        })?;
        if found.trim() != ledger_id.to_string() {
            return Err(StoreError::Corrupt(format!(
                "{} belongs to ledger {:?}, not to this ledger {ledger_id}",
                path.display(),
                found.trim()
            )));
        }
        Self::open_stores(path)
    }

    fn open_stores(path: &Path) -> Result<Self, StoreError> {
        let db = DurableDb::open(&path.join("records"))?;
        let records = db.db().open_tree("records").map_err(io)?;
        let mut in_use = HashSet::new();
        for item in records.iter() {
            let (key, value) = item.map_err(io)?;
            let stored = Stored::decode(value.as_ref()).map_err(|_| {
                StoreError::Corrupt(format!("a directory record ({} key bytes)", key.len()))
            })?;
            in_use.extend(stored.slot());
        }
        let keyring = Keyring::open(&path.join("keys"), &in_use)?;
        let meta = db.db().open_tree("meta").map_err(io)?;
        let identity = IdentityKey::load_or_create(path, &meta)?;
        // The near-match index is derived from the records: made whole again at every open
        // (an entry a crash lost, records set before the index existed).
        near::repair(&db, &records, &keyring, &identity)?;
        db.sync()?;
        Ok(Self {
            identity,
            open: Mutex::new(Some(Open {
                db,
                records,
                keyring,
            })),
            closed: AtomicBool::new(false),
            failure: tokio::sync::watch::Sender::new(None),
            calls: StoreCallClock::default(),
        })
    }

    /// The identity key the log's identity tags are made with.
    pub fn identity(&self) -> &IdentityKey {
        &self.identity
    }

    /// Closes the stores (at shutdown, so the next open finds them free even while a
    /// connection still holds the service); every later call is `UNAVAILABLE`. Never waits:
    /// a change in progress closes them when it returns (synced), and one stuck in a stalled
    /// disk keeps them until the process exits.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        if let Ok(mut open) = self.open.try_lock() {
            open.take();
        }
    }

    /// Stops the directory for good with `why` (a stalled store call, seen by the server's
    /// watchdog): every later call is `UNAVAILABLE`, and the server stops.
    pub fn fail_with(&self, why: String) {
        self.fail(&StoreError::Io(why));
    }

    /// How long the current call (a change's writes and syncs, or a read) has been running,
    /// if one is: the server stops when it passes the store stall timeout, as for the
    /// ledger's store (a full disk can make sled hang instead of failing).
    pub fn call_running_for(&self) -> Option<std::time::Duration> {
        self.calls.running_for()
    }

    /// Resolves with the reason once a write or sync of the directory has failed.
    pub fn failed(&self) -> tokio::sync::watch::Receiver<Option<String>> {
        self.failure.subscribe()
    }

    /// How many records hold a key (present records); 0 once closed.
    pub fn keys_in_use(&self) -> u32 {
        self.lock().as_ref().map_or(0, |open| open.keyring.in_use())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Open>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `work` on the open stores, unless the directory failed or was closed.
    fn with_open<T>(
        &self,
        work: impl FnOnce(&mut Open) -> Result<T, DirectoryError>,
    ) -> Result<T, DirectoryError> {
        let mut guard = self.lock();
        if let Some(why) = self.failure.borrow().clone() {
            return Err(DirectoryError::Unavailable(why));
        }
        if self.closed.load(Ordering::SeqCst) {
            guard.take();
        }
        match guard.as_mut() {
            Some(open) => {
                self.calls.begin();
                let done = work(open);
                self.calls.end();
                if self.closed.load(Ordering::SeqCst) {
                    guard.take();
                }
                done
            }
            None => Err(DirectoryError::Unavailable(
                "the directory is closed: the server is shutting down".into(),
            )),
        }
    }

    /// The records of `subjects`, in order. Authorization is the caller's.
    #[cfg(test)]
    pub(crate) fn records(&self, subjects: &[Subject]) -> Result<Vec<Record>, DirectoryError> {
        self.with_open(|open| {
            subjects
                .iter()
                .map(|subject| {
                    let stored = open.stored(subject).map_err(unavailable)?;
                    view(&open.keyring, subject, stored.as_ref())
                })
                .collect()
        })
    }

    /// Applies a verified, authorized change at time `now`, and returns the record after it.
    /// A change already applied (the same signed body, one revision back) returns the record
    /// again and changes nothing.
    pub fn apply(&self, change: &Change, now: UnixMs) -> Result<Record, DirectoryError> {
        self.with_open(|open| {
            let subject = &change.subject;
            let current = open.stored(subject).map_err(unavailable)?;
            let revision = current.as_ref().map_or(0, |c| c.revision);
            if let Some(current) = &current
                && current.change_hash == change.body_hash
                && change.revision.checked_add(1) == Some(current.revision)
            {
                return view(&open.keyring, subject, Some(current));
            }
            if change.revision != revision {
                return Err(DirectoryRefusal::RevisionMismatch {
                    subject: subject.clone(),
                    current: revision,
                    found: change.revision,
                }
                .into());
            }
            let old_slot = current.as_ref().and_then(Stored::slot);
            if change.kind == ChangeKind::Erase {
                match &current {
                    None => {
                        return Err(DirectoryRefusal::NoRecord {
                            subject: subject.clone(),
                        }
                        .into());
                    }
                    Some(erased) if old_slot.is_none() => {
                        return Err(DirectoryRefusal::AlreadyErased {
                            subject: subject.clone(),
                            revision: erased.revision,
                        }
                        .into());
                    }
                    Some(_) => {}
                }
            }
            let near = match &change.kind {
                ChangeKind::Set(name, Some(Details::Person(person))) => {
                    Some(self.identity.near_key(name, person))
                }
                _ => None,
            };
            let old_near = current.as_ref().map(|c| c.near_key.clone());
            let written = open.write(change, revision + 1, old_slot, now, (old_near, near));
            written.inspect_err(|e| self.fail(e)).map_err(unavailable)
        })
    }

    fn fail(&self, error: &StoreError) {
        tracing::error!(%error, "the directory store failed; it takes no more changes");
        self.failure
            .send_if_modified(|slot| slot.is_none() && slot.replace(error.to_string()).is_none());
    }
}

impl Open {
    fn stored(&self, subject: &Subject) -> Result<Option<Stored>, StoreError> {
        self.records
            .get(subject_key(subject))
            .map_err(io)?
            .map(|value| Stored::decode(value.as_ref()).map_err(|_| corrupt(subject)))
            .transpose()
    }

    /// Writes the change's record at `revision` and zeroes the old key, each step synced:
    /// the new key, then the record, then the old key's zeroing. A crash between steps
    /// leaves a key no record names, which the next open zeroes.
    fn write(
        &mut self,
        change: &Change,
        revision: u64,
        old_slot: Option<u32>,
        now: UnixMs,
        (old_near, near): (Option<Vec<u8>>, Option<[u8; 32]>),
    ) -> Result<Record, StoreError> {
        let held = match &change.kind {
            ChangeKind::Set(display_name, details) => {
                let key = fresh_key();
                let slot = self.keyring.store(&key)?;
                let mut contents = Contents {
                    display_name: display_name.clone(),
                    reason: change.reason.clone(),
                    ..Contents::default()
                };
                if let Some(details) = details {
                    details.seal_into(&mut contents);
                }
                Held::Sealed(sealed::seal(
                    &change.subject,
                    revision,
                    &key,
                    slot,
                    &contents,
                ))
            }
            ChangeKind::Erase => Held::ErasureReason(change.reason.clone()),
        };
        let stored = Stored {
            revision,
            changed_at_unix_ms: now.0,
            changed_by: change.signer.0.to_vec(),
            change_hash: change.body_hash.to_vec(),
            held: Some(held),
            near_key: near.map(|k| k.to_vec()).unwrap_or_default(),
        };
        // The new index entry, then the record, then the old entry's removal, one sync: an
        // entry without its record is never listed, and one a crash lost is made again at the
        // next open (`near.rs`).
        let tree = self.db.db().open_tree(near::NEAR_TREE).map_err(io)?;
        let old_near = old_near.filter(|k| !k.is_empty());
        near::reindex(
            &tree,
            &change.subject,
            None,
            near.as_ref().map(|k| k.as_slice()),
        )?;
        self.records
            .insert(subject_key(&change.subject), stored.encode_to_vec())
            .map_err(io)?;
        near::reindex(
            &tree,
            &change.subject,
            old_near.as_deref(),
            near.as_ref().map(|k| k.as_slice()),
        )?;
        self.db.sync()?;
        if let Some(old) = old_slot {
            self.keyring.erase(old)?;
        }
        tracing::info!(
            subject = %change.subject,
            revision,
            signer = %change.signer,
            erased = change.kind == ChangeKind::Erase,
            "directory record changed"
        );
        view(&self.keyring, &change.subject, Some(&stored)).map_err(|_| corrupt(&change.subject))
    }
}

fn unavailable(error: StoreError) -> DirectoryError {
    DirectoryError::Unavailable(error.to_string())
}

/// A new random key, never all zero (an all-zero slot means "no key").
fn fresh_key() -> RecordKey {
    loop {
        let key = zeroize::Zeroizing::new(crate::crypto::random_bytes::<KEY_BYTES>());
        if key.iter().any(|b| *b != 0) {
            return key;
        }
    }
}

/// A stored record as a [`Record`], decrypting its contents.
fn view(
    keyring: &Keyring,
    subject: &Subject,
    stored: Option<&Stored>,
) -> Result<Record, DirectoryError> {
    let Some(stored) = stored else {
        return Ok(Record {
            subject: subject.clone(),
            state: RecordState::Absent,
            revision: 0,
            display_name: None,
            details: None,
            last_change: None,
        });
    };
    let damaged = || DirectoryRefusal::Damaged {
        subject: subject.clone(),
        revision: stored.revision,
    };
    let by = KeyId::from_slice(&stored.changed_by).map_err(|_| damaged())?;
    let (state, display_name, details, reason) = match &stored.held {
        Some(Held::Sealed(sealed)) => {
            let key = keyring
                .key(sealed.slot)
                .map_err(unavailable)?
                .ok_or_else(damaged)?;
            let contents =
                sealed::open(subject, stored.revision, &key, sealed).ok_or_else(damaged)?;
            let details = Details::unseal(&contents).map_err(|()| damaged())?;
            (
                RecordState::Present,
                Some(contents.display_name.clone()),
                details,
                contents.reason.clone(),
            )
        }
        Some(Held::ErasureReason(reason)) => (RecordState::Erased, None, None, reason.clone()),
        None => return Err(damaged().into()),
    };
    Ok(Record {
        subject: subject.clone(),
        state,
        revision: stored.revision,
        display_name,
        details,
        last_change: Some(LastChange {
            at: UnixMs(stored.changed_at_unix_ms),
            by,
            reason,
        }),
    })
}
