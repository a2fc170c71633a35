//! The directory's records in bulk: read a page at a time for its backup file
//! (`DirectoryService.ExportRecords`, `shanzhi backup`), and imported into the new, empty
//! directory a restore creates (`shanzhi restore --personal-data`).
//!
//! An import seals every present record again under a new key of its own; revisions, last
//! changes and change hashes are kept, so a change signed before the backup is refused or
//! recognized after the restore exactly as before.

use std::ops::Bound;

use prost::Message;

use super::keyring::RecordKey;
use super::sealed::{self, Contents, Held, Stored, subject_key, subject_of_key};
use super::{Directory, DirectoryError, Record, RecordState, fresh_key, io, unavailable, view};
use crate::store::StoreError;

/// The most records one export page holds.
pub const MAX_RECORDS_PER_PAGE: usize = 1_000;
/// The longest cursor an export accepts: a subject's key is `h` and a household id of at
/// most 64 characters, or `m` and a member's 16 bytes.
pub const MAX_CURSOR_BYTES: usize = 65;

/// A record as a backup holds it: the record and the SHA-256 of its last change's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exported {
    /// The record (present or erased, never absent).
    pub record: Record,
    /// SHA-256 of the signed body of its last change.
    pub change_hash: [u8; 32],
}

/// One page of an export.
#[derive(Debug)]
pub struct Page {
    /// The records, in the order of their keys.
    pub records: Vec<Exported>,
    /// Where the next page starts (the last record's key); `None` when this is the last.
    pub next: Option<Vec<u8>>,
}

impl Directory {
    /// Up to `limit` records (at most [`MAX_RECORDS_PER_PAGE`]) whose keys follow `after`
    /// (empty: from the first), decrypted. Authorization is the caller's.
    pub fn export(&self, after: &[u8], limit: usize) -> Result<Page, DirectoryError> {
        let limit = limit.clamp(1, MAX_RECORDS_PER_PAGE);
        self.with_open(|open| {
            let range = (Bound::Excluded(after.to_vec()), Bound::Unbounded);
            let mut records = Vec::new();
            let mut last = None;
            for item in open.records.range::<Vec<u8>, _>(range) {
                if records.len() == limit {
                    return Ok(Page {
                        records,
                        next: last,
                    });
                }
                let (key, value) = item.map_err(|e| unavailable(io(e)))?;
                let corrupt = || {
                    unavailable(StoreError::Corrupt(format!(
                        "a directory record under a key of {} bytes does not decode",
                        key.len()
                    )))
                };
                let subject = subject_of_key(&key).ok_or_else(corrupt)?;
                let stored = Stored::decode(value.as_ref()).map_err(|_| corrupt())?;
                let change_hash =
                    <[u8; 32]>::try_from(stored.change_hash.as_slice()).map_err(|_| corrupt())?;
                let record = view(&open.keyring, &subject, Some(&stored))?;
                records.push(Exported {
                    record,
                    change_hash,
                });
                last = Some(key.to_vec());
            }
            Ok(Page {
                records,
                next: None,
            })
        })
    }

    /// Writes `records` into this directory, which must hold none of their subjects (a
    /// restore imports into the directory it has just created), each subject once: every key
    /// first, synced, then every record, synced.
    pub fn import(&self, records: &[Exported]) -> Result<(), StoreError> {
        let identity = &self.identity;
        let imported = self.with_open(|open| {
            let mut batch = sled::Batch::default();
            let near = open
                .db
                .db()
                .open_tree(super::near::NEAR_TREE)
                .map_err(|e| unavailable(io(e)))?;
            let mut seen = std::collections::HashSet::new();
            for exported in records {
                let record = &exported.record;
                let key = subject_key(&record.subject);
                if !seen.insert(key.clone())
                    || open
                        .records
                        .contains_key(&key)
                        .map_err(|e| unavailable(io(e)))?
                {
                    return Err(unavailable(StoreError::Corrupt(format!(
                        "the directory already holds a record of {}; an import only fills a \
                         new directory",
                        record.subject
                    ))));
                }
                let mut stored = stored(open, exported).map_err(unavailable)?;
                if let (Some(name), Some(super::Details::Person(person))) =
                    (&record.display_name, &record.details)
                {
                    let near_key = identity.near_key(name, person);
                    super::near::reindex(&near, &record.subject, None, Some(&near_key))
                        .map_err(unavailable)?;
                    stored.near_key = near_key.to_vec();
                }
                batch.insert(key, stored.encode_to_vec());
            }
            open.keyring.sync().map_err(unavailable)?;
            open.records
                .apply_batch(batch)
                .map_err(|e| unavailable(io(e)))?;
            open.db.sync().map_err(unavailable)
        });
        imported.map_err(|e| match e {
            DirectoryError::Unavailable(why) => StoreError::Io(why),
            other => StoreError::Io(other.to_string()),
        })
    }
}

/// The stored form of an exported record, its contents sealed under a new key (written to
/// the keyring, not yet synced).
fn stored(open: &mut super::Open, exported: &Exported) -> Result<Stored, StoreError> {
    let record = &exported.record;
    let refuse = |why: &str| {
        StoreError::Corrupt(format!(
            "the exported record of {} (revision {}) {why}",
            record.subject, record.revision
        ))
    };
    let change = record
        .last_change
        .as_ref()
        .ok_or_else(|| refuse("names no last change"))?;
    if record.revision == 0 {
        return Err(refuse("has revision 0"));
    }
    let held = match (&record.state, &record.display_name) {
        (RecordState::Present, Some(display_name)) => {
            let key: RecordKey = fresh_key();
            let slot = open.keyring.put(&key)?;
            let mut contents = Contents {
                display_name: display_name.clone(),
                reason: change.reason.clone(),
                ..Contents::default()
            };
            if let Some(details) = &record.details {
                details.seal_into(&mut contents);
            }
            Held::Sealed(sealed::seal(
                &record.subject,
                record.revision,
                &key,
                slot,
                &contents,
            ))
        }
        (RecordState::Erased, None) => Held::ErasureReason(change.reason.clone()),
        _ => return Err(refuse("is neither a present name nor an erasure")),
    };
    Ok(Stored {
        revision: record.revision,
        changed_at_unix_ms: change.at.0,
        changed_by: change.by.0.to_vec(),
        change_hash: exported.change_hash.to_vec(),
        held: Some(held),
        near_key: Vec::new(),
    })
}
