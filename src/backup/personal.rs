//! The backup of the directory of personal data: a file of its own (`<backup>.personal-data`
//! by default), separate from the log's backup so it can be kept, moved and destroyed under
//! the rules for personal data, while the log's backup (ids, points, signatures) is kept for
//! audit.
//!
//! Its framing is the log backup's (`file.rs`), with its own magic; the header names the
//! ledger and when the export began, and each item is an encoded
//! `shanzhi.directory.v1.ExportedRecord`: a present name in clear, or an erasure's revision,
//! signer, time and reason. A restore seals every name again under a new key. A name erased
//! after the backup was taken is in the backup: after a restore, apply again every erasure and
//! correction made since the time it names.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use prost::Message;

use super::file::{Kind, Reader, Sealed, Writer};
use crate::client::{LedgerClient, Signer};
use crate::directory::{Directory, Exported, LastChange, Record, RecordState};
use crate::ledger::{KeyId, LedgerId, Subject, UnixMs};
use crate::pb::directory as pb;

/// A backup of the directory of personal data.
const PERSONAL: Kind = Kind {
    magic: b"shanzhi people\x00\x01",
    name: "a shanzhi backup of personal data",
    item: "record",
};

/// The header's first line.
const TITLE: &str = "shanzhi directory of personal data";

/// Records imported at a time by a restore.
const CHUNK: usize = 4_096;

/// What a backup of the directory holds.
#[derive(Debug)]
pub struct PersonalDataReport {
    /// The file.
    pub path: PathBuf,
    /// Records holding a name.
    pub present: u64,
    /// Erased records (their revision and erasure only).
    pub erased: u64,
    /// Records a restore left out: of subjects registered after the log's checkpoint, so not
    /// in the restored log (0 for a backup).
    pub left_out: u64,
    /// When the export began, ms since the Unix epoch (the backup's clock).
    pub taken_at_unix_ms: u64,
    /// Bytes of the file (0 when read for a restore).
    pub bytes: u64,
}

/// The default name of the directory's backup beside the log's backup `out`.
pub fn personal_data_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".personal-data");
    PathBuf::from(name)
}

fn header(ledger_id: &LedgerId, taken_at_unix_ms: u64) -> String {
    format!("{TITLE}\nledger {ledger_id}\ntaken-at-unix-ms {taken_at_unix_ms}\n")
}

fn parse_header(path: &Path, header: &str) -> Result<(LedgerId, u64)> {
    let bad = || {
        anyhow!(
            "{}: the header {header:?} is not one this build wrote",
            path.display()
        )
    };
    let mut lines = header.lines();
    if lines.next() != Some(TITLE) {
        return Err(bad());
    }
    let ledger = lines
        .next()
        .and_then(|line| line.strip_prefix("ledger "))
        .and_then(|hex| LedgerId::from_hex(hex).ok())
        .ok_or_else(bad)?;
    let taken = lines
        .next()
        .and_then(|line| line.strip_prefix("taken-at-unix-ms "))
        .and_then(|ms| ms.parse().ok())
        .ok_or_else(bad)?;
    Ok((ledger, taken))
}

/// Exports every record of the server's directory into a sealed file to be named `path`.
/// `signer` must be the bureau admin.
pub(super) async fn export(
    client: &mut LedgerClient,
    signer: &Signer,
    path: &Path,
) -> Result<(Sealed, PersonalDataReport)> {
    let taken_at_unix_ms = crate::writer::now_unix_ms();
    let mut writer = Writer::create(path, PERSONAL, &header(&client.ledger_id, taken_at_unix_ms))?;
    let (mut present, mut erased) = (0, 0);
    let mut after = Vec::new();
    loop {
        let page = client
            .export_records(signer, after.clone())
            .await
            .map_err(|status| {
                anyhow!(
                    "cannot export the directory of personal data: {} (a bureau admin key \
                     exports it; --no-personal-data backs up the log alone)",
                    status.message()
                )
            })?;
        for item in &page.records {
            match exported(item)?.record.state {
                RecordState::Erased => erased += 1,
                _ => present += 1,
            }
            writer.item(&item.encode_to_vec())?;
        }
        if page.next_cursor.is_empty() {
            break;
        }
        if page.next_cursor <= after {
            bail!("the server's export did not move past its last page");
        }
        after = page.next_cursor;
    }
    let sealed = writer.seal()?;
    let report = PersonalDataReport {
        path: path.to_owned(),
        present,
        erased,
        left_out: 0,
        taken_at_unix_ms,
        bytes: sealed.bytes,
    };
    Ok((sealed, report))
}

/// Reads the whole file (every checksum and the digest) and gives its ledger and time,
/// before a restore writes anything.
pub(super) fn check(path: &Path) -> Result<(LedgerId, u64)> {
    let (mut reader, header) = Reader::open(path, PERSONAL)?;
    let named = parse_header(path, &header)?;
    loop {
        let chunk = reader.chunk(CHUNK)?;
        if chunk.is_empty() {
            return Ok(named);
        }
        let first = reader.read - chunk.len() as u64;
        for (at, item) in (first..).zip(&chunk) {
            decode(path, at, item)?;
        }
    }
}

/// Imports the backup `path` of the ledger `ledger_id` into the new, empty directory at
/// `directory`: the records of subjects the restored log `knows`. The directory is exported
/// before the log's latest checkpoint is fetched, and a checkpoint may lag the state the
/// export read, so the file may hold records of households or members registered after the
/// checkpoint: those are left out (their subjects are not in the restored log, and a subject
/// registered again later must not inherit them) and counted. A person's or organization's
/// number must give the identity tag the log registered (`tag_of`) under the new directory's
/// identity key: a mismatch means the wrong `--identity-key`, and the restore is refused.
pub(super) fn import(
    path: &Path,
    directory: &Path,
    ledger_id: &LedgerId,
    knows: impl Fn(&Subject) -> bool,
    tag_of: impl Fn(&Subject) -> Option<crate::ledger::IdTag>,
) -> Result<PersonalDataReport> {
    let (mut reader, header) = Reader::open(path, PERSONAL)?;
    let (named, taken_at_unix_ms) = parse_header(path, &header)?;
    if named != *ledger_id {
        bail!(
            "{} is the personal data of ledger {named}, not of the restored ledger {ledger_id}",
            path.display()
        );
    }
    let directory = Directory::open(directory, ledger_id)?;
    let (mut present, mut erased, mut left_out) = (0, 0, 0);
    loop {
        let chunk = reader.chunk(CHUNK)?;
        if chunk.is_empty() {
            break;
        }
        let first = reader.read - chunk.len() as u64;
        let mut records = (first..)
            .zip(&chunk)
            .map(|(at, item)| decode(path, at, item))
            .collect::<Result<Vec<_>>>()?;
        let before = records.len();
        records.retain(|record| knows(&record.record.subject));
        left_out += (before - records.len()) as u64;
        for record in &records {
            if let Some(details) = &record.record.details
                && directory.identity().details_tag(details) != tag_of(&record.record.subject)
            {
                bail!(
                    "the number in the record of {} does not give the identity tag the log \
                     registered: the --identity-key given is not the one the tags were made with \
                     (give directory/identity.key of the original data directory)",
                    record.record.subject
                );
            }
            match record.record.state {
                RecordState::Erased => erased += 1,
                _ => present += 1,
            }
        }
        directory
            .import(&records)
            .with_context(|| format!("cannot import the records of {}", path.display()))?;
    }
    Ok(PersonalDataReport {
        path: path.to_owned(),
        present,
        erased,
        left_out,
        taken_at_unix_ms,
        bytes: 0,
    })
}

fn decode(path: &Path, at: u64, item: &[u8]) -> Result<Exported> {
    let item = pb::ExportedRecord::decode(item)
        .map_err(|e| anyhow!("{}: record {at} does not decode: {e}", path.display()))?;
    exported(&item).with_context(|| format!("{}: record {at}", path.display()))
}

/// An exported record as the directory takes it back.
fn exported(item: &pb::ExportedRecord) -> Result<Exported> {
    let record = item
        .record
        .as_ref()
        .ok_or_else(|| anyhow!("an exported record without its record"))?;
    let subject = record
        .subject
        .as_ref()
        .ok_or_else(|| anyhow!("an exported record without its subject"))?;
    let subject = Subject::try_from(subject)?;
    let (state, display_name) = match pb::RecordState::try_from(record.state) {
        Ok(pb::RecordState::Present) if !record.display_name.is_empty() => {
            (RecordState::Present, Some(record.display_name.clone()))
        }
        Ok(pb::RecordState::Erased) if record.display_name.is_empty() => {
            (RecordState::Erased, None)
        }
        _ => bail!(
            "the exported record of {subject} is neither a name nor an erasure (state {})",
            record.state
        ),
    };
    let change_hash = <[u8; 32]>::try_from(item.change_hash.as_slice()).map_err(|_| {
        anyhow!(
            "the exported record of {subject}: a change hash of {} bytes",
            item.change_hash.len()
        )
    })?;
    let by = KeyId::from_hex(&record.changed_by)?;
    let details = crate::directory::details_of(record)?;
    let fits = matches!(
        (&subject, &details),
        (Subject::Household(_) | Subject::Member(_), None)
            | (
                Subject::Person(_),
                Some(crate::directory::Details::Person(_))
            )
            | (
                Subject::Organization(_),
                Some(crate::directory::Details::Organization(_))
            )
    ) || state == RecordState::Erased && details.is_none();
    if !fits {
        bail!("the exported record of {subject} holds another kind of record than its subject's");
    }
    Ok(Exported {
        record: Record {
            subject,
            state,
            revision: record.revision,
            display_name,
            details,
            last_change: Some(LastChange {
                at: UnixMs(record.changed_at_unix_ms),
                by,
                reason: record.reason.clone(),
            }),
        },
        change_hash,
    })
}
