//! The access log: every read of a person's record appends an event (who read it, when, and
//! the purpose they gave) before the record is answered, synced, so no answered read goes
//! unrecorded. Each event carries a hash chaining it to the one before
//! (`SHA-256("shanzhi/access/v1" ‖ 0 ‖ previous hash ‖ sequence ‖ time ‖ reader ‖ 0 ‖ subject
//! ‖ 0 ‖ purpose)`), so an auditor who keeps the hash of the last event they saw can tell when
//! an earlier one was changed or removed. It holds no personal data: subject ids, key ids and
//! purposes only. Tree `access` of the record store, keyed by the event's sequence.

use prost::Message;

use super::{Directory, DirectoryError, Record, io, unavailable, view};
use crate::ledger::{KeyId, Subject, UnixMs};
use crate::pb::directory as pb;
use crate::store::StoreError;

/// The record store's tree of the access log.
const ACCESS_TREE: &str = "access";

/// The most events one page lists.
pub const MAX_ACCESS_EVENTS_PER_PAGE: usize = 1000;

/// An event as stored.
#[derive(Clone, PartialEq, prost::Message)]
struct Stored {
    #[prost(uint64, tag = "1")]
    at_unix_ms: u64,
    #[prost(bytes = "vec", tag = "2")]
    reader: Vec<u8>,
    /// The encoded `Subject` message.
    #[prost(bytes = "vec", tag = "3")]
    subject: Vec<u8>,
    #[prost(string, tag = "4")]
    purpose: String,
    #[prost(bytes = "vec", tag = "5")]
    hash: Vec<u8>,
}

/// One recorded read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessEvent {
    /// Its place in the access log, from 0.
    pub sequence: u64,
    /// When the read was answered.
    pub at: UnixMs,
    /// The reader's key.
    pub reader: KeyId,
    /// Whose record.
    pub subject: Subject,
    /// Why.
    pub purpose: String,
    /// Its hash, chaining it to the event before.
    pub hash: [u8; 32],
}

/// The hash of the event at `sequence` after the event whose hash is `previous`; `subject` is
/// the encoded `Subject` message.
pub fn access_hash(
    previous: &[u8; 32],
    sequence: u64,
    at: UnixMs,
    reader: &KeyId,
    subject: &[u8],
    purpose: &str,
) -> [u8; 32] {
    crate::crypto::sha256(
        &[
            b"shanzhi/access/v1\0".as_slice(),
            previous,
            &sequence.to_be_bytes(),
            &at.0.to_be_bytes(),
            &reader.0,
            b"\0",
            subject,
            b"\0",
            purpose.as_bytes(),
        ]
        .concat(),
    )
}

fn corrupt(sequence: u64) -> StoreError {
    StoreError::Corrupt(format!("access log event {sequence} does not decode"))
}

impl Directory {
    /// The records of `subjects`, read by `reader` for `purpose` at `now`: each person's read
    /// is appended to the access log and synced before any record is answered.
    pub fn read_records(
        &self,
        subjects: &[Subject],
        reader: KeyId,
        purpose: &str,
        now: UnixMs,
    ) -> Result<Vec<Record>, DirectoryError> {
        self.with_open(|open| {
            Self::append_reads(open, subjects, reader, purpose, now)
                .inspect_err(|e| self.fail(e))
                .map_err(unavailable)?;
            subjects
                .iter()
                .map(|subject| {
                    let stored = open.stored(subject).map_err(unavailable)?;
                    view(&open.keyring, subject, stored.as_ref())
                })
                .collect()
        })
    }

    /// Records that `reader` read what the log holds about the persons of `subjects` (a
    /// child's file) for `purpose` at `now`: appended to the access log and synced before it
    /// answers, so the caller answers only a recorded read.
    pub fn record_reads(
        &self,
        subjects: &[Subject],
        reader: KeyId,
        purpose: &str,
        now: UnixMs,
    ) -> Result<(), DirectoryError> {
        self.with_open(|open| {
            Self::append_reads(open, subjects, reader, purpose, now)
                .inspect_err(|e| self.fail(e))
                .map_err(unavailable)
        })
    }

    /// Appends an event per person of `subjects` and syncs (nothing when there is none).
    fn append_reads(
        open: &super::Open,
        subjects: &[Subject],
        reader: KeyId,
        purpose: &str,
        now: UnixMs,
    ) -> Result<(), StoreError> {
        {
            let persons: Vec<&Subject> = subjects
                .iter()
                .filter(|s| matches!(s, Subject::Person(_)))
                .collect();
            if !persons.is_empty() {
                let appended = (|| {
                    let tree = open.db.db().open_tree(ACCESS_TREE).map_err(io)?;
                    let (mut sequence, mut previous) = match tree.last().map_err(io)? {
                        Some((key, value)) => {
                            let last = u64::from_be_bytes(
                                key.as_ref().try_into().map_err(|_| corrupt(0))?,
                            );
                            let stored =
                                Stored::decode(value.as_ref()).map_err(|_| corrupt(last))?;
                            let hash: [u8; 32] =
                                stored.hash.try_into().map_err(|_| corrupt(last))?;
                            (last + 1, hash)
                        }
                        None => (0, [0; 32]),
                    };
                    for subject in persons {
                        let subject = pb::Subject::from(subject).encode_to_vec();
                        let hash =
                            access_hash(&previous, sequence, now, &reader, &subject, purpose);
                        let stored = Stored {
                            at_unix_ms: now.0,
                            reader: reader.0.to_vec(),
                            subject,
                            purpose: purpose.to_owned(),
                            hash: hash.to_vec(),
                        };
                        tree.insert(sequence.to_be_bytes(), stored.encode_to_vec())
                            .map_err(io)?;
                        (sequence, previous) = (sequence + 1, hash);
                    }
                    open.db.sync()
                })();
                appended?;
            }
            Ok(())
        }
    }

    /// Up to `limit` events of the access log from `from` on.
    pub fn access_events(
        &self,
        from: u64,
        limit: usize,
    ) -> Result<Vec<AccessEvent>, DirectoryError> {
        self.with_open(|open| {
            let tree = open
                .db
                .db()
                .open_tree(ACCESS_TREE)
                .map_err(|e| unavailable(io(e)))?;
            let mut events = Vec::new();
            for item in tree.range(from.to_be_bytes()..).take(limit) {
                let (key, value) = item.map_err(|e| unavailable(io(e)))?;
                let sequence = u64::from_be_bytes(
                    key.as_ref()
                        .try_into()
                        .map_err(|_| unavailable(corrupt(0)))?,
                );
                let bad = || unavailable(corrupt(sequence));
                let stored = Stored::decode(value.as_ref()).map_err(|_| bad())?;
                let subject = pb::Subject::decode(stored.subject.as_slice()).map_err(|_| bad())?;
                events.push(AccessEvent {
                    sequence,
                    at: UnixMs(stored.at_unix_ms),
                    reader: KeyId::from_slice(&stored.reader).map_err(|_| bad())?,
                    subject: Subject::try_from(&subject).map_err(|_| bad())?,
                    purpose: stored.purpose,
                    hash: stored.hash.try_into().map_err(|_| bad())?,
                });
            }
            Ok(events)
        })
    }
}
