//! Backup and restore of the log: `shanzhi backup` copies a running server's log up to its
//! latest signed checkpoint into one file, checked against that checkpoint's root as it is
//! written; `shanzhi restore` rebuilds a data directory from such a file by replaying every
//! entry (every signature verified, every rule applied), so the restored ledger is the one
//! that was signed and `shanzhi verify` passes on it against checkpoints taken before.
//!
//! The file (`.shanzhi-backup` by convention):
//!
//! | bytes | what |
//! | ---: | --- |
//! | 16 | [`MAGIC`] (its last byte is the format's version) |
//! | 4 + n | the checkpoint note's length (little-endian) and the note (UTF-8) |
//! | 8 + m, repeated | per entry, in log order: its length and CRC-32 (4 bytes each, little-endian) and the encoded `LogEntry` |
//! | 4 | `0xFFFFFFFF`: no more entries |
//! | 8 | the number of entries (little-endian): the checkpoint's size |
//! | 32 | SHA-256 of every byte before it |
//!
//! The directory of personal data is not in this file: it goes into a file of its own
//! (`personal.rs`), kept under the rules for personal data; a restore without it creates an
//! empty directory.

mod file;
mod personal;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::client::{LedgerClient, Signer};
use crate::crypto::KeyFile;
use crate::ledger::{State, replay_verifying_ahead};
use crate::log::checkpoint::{self, Checkpoint};
use crate::log::merkle::{Frontier, is_stored};
use crate::store::{Append, SledStore, Store};

pub use personal::{PersonalDataReport, personal_data_path};

use file::{Kind, Reader, Writer};

/// The first 16 bytes of a backup of the log; the last one is the format's version.
pub const MAGIC: &[u8; 16] = b"shanzhi backup\x00\x01";

/// A backup of the log.
const LOG: Kind = Kind {
    magic: MAGIC,
    name: "a shanzhi backup",
    item: "entry",
};
/// Entries asked for per request.
const PAGE: u64 = 5_000;
/// Entries replayed and stored at a time by a restore.
const CHUNK: usize = 16_384;

/// What a backup wrote.
#[derive(Debug)]
pub struct BackupReport {
    /// The log's backup.
    pub path: PathBuf,
    /// Entries in it: the size of the checkpoint it ends at.
    pub entries: u64,
    /// Bytes of the file.
    pub bytes: u64,
    /// The checkpoint note it carries.
    pub note: String,
    /// The directory's backup, unless it was left out.
    pub personal_data: Option<PersonalDataReport>,
}

/// Copies the server's log up to its latest signed checkpoint into `out`, and, when
/// `personal_data` names a file, every record of its directory of personal data into that
/// file (refused if either exists). `signer` must be allowed to read entries (the bureau
/// admin or an auditor), and to export the directory (the bureau admin). The entries are
/// checked against the checkpoint's root, and the checkpoint against the log key the genesis
/// entry names, before either file is put in place; the directory is exported first, so a
/// key that may not export it is refused before the log is copied.
pub async fn backup(
    client: &mut LedgerClient,
    signer: &Signer,
    out: &Path,
    personal_data: Option<&Path>,
) -> Result<BackupReport> {
    for path in std::iter::once(out).chain(personal_data) {
        if path.exists() {
            bail!("{} exists; a backup never replaces a file", path.display());
        }
    }
    if personal_data == Some(out) {
        bail!("the log and the personal data need two files");
    }
    let personal = match personal_data {
        Some(path) => Some(personal::export(client, signer, path).await?),
        None => None,
    };
    let (log, entries, note) = log(client, signer, out).await?;
    let bytes = log.bytes;
    log.persist(out)?;
    let personal_data = match personal {
        Some((sealed, report)) => {
            sealed.persist(&report.path).with_context(|| {
                format!(
                    "the log's backup {} was written, its personal data was not",
                    out.display()
                )
            })?;
            Some(report)
        }
        None => None,
    };
    Ok(BackupReport {
        path: out.to_owned(),
        entries,
        bytes,
        note,
        personal_data,
    })
}

/// The log up to its latest checkpoint, in a sealed file to be named `out`; its size and
/// note.
async fn log(
    client: &mut LedgerClient,
    signer: &Signer,
    out: &Path,
) -> Result<(file::Sealed, u64, String)> {
    let checkpoint = client
        .audit
        .get_checkpoint(crate::pb::audit::GetCheckpointRequest { tree_size: 0 })
        .await
        .map_err(|status| anyhow!("cannot get the latest checkpoint: {}", status.message()))?
        .into_inner();
    let note = checkpoint.note;
    let origin = checkpoint::origin(&client.ledger_id);
    let mut writer = Writer::create(out, LOG, &note)?;
    let mut frontier = Frontier::new();
    let mut state = State::new();
    let mut signed = None;
    let mut size = 1;
    while frontier.size() < size {
        let start = frontier.size();
        let end = (start + PAGE).min(size);
        let page = client
            .log_entries(signer, start, end)
            .await
            .map_err(|status| {
                anyhow!("cannot read entries {start}..{end}: {}", status.message())
            })?;
        if page.len() as u64 != end - start {
            bail!(
                "asked for entries {start}..{end}, the server sent {}",
                page.len()
            );
        }
        for entry in &page {
            frontier.append(entry);
            writer.item(entry)?;
        }
        if start == 0 {
            // The genesis entry names the log key the checkpoint must be signed with.
            crate::ledger::replay_entry(
                &mut state,
                0,
                &page[0],
                crate::ledger::Signatures::VerifyAll,
            )
            .map_err(|why| anyhow!("the first entry is not a genesis entry: {why}"))?;
            let log_key = state
                .log_key()
                .ok_or_else(|| anyhow!("the genesis entry names no log key"))?;
            let verified = Checkpoint::verify(&note, &log_key, &origin)
                .map_err(|e| anyhow!("the latest checkpoint does not verify: {e}"))?;
            size = verified.size;
            signed = Some(verified);
        }
    }
    let signed = signed.ok_or_else(|| anyhow!("the server sent no entries"))?;
    if frontier.root() != signed.root {
        bail!(
            "the {} entries the server sent do not hash to the root of its checkpoint: the backup \
             was not kept",
            signed.size
        );
    }
    Ok((writer.seal()?, signed.size, note))
}

/// What a restore rebuilt.
#[derive(Debug)]
pub struct RestoreReport {
    /// The new data directory.
    pub data_dir: PathBuf,
    /// Entries replayed into it.
    pub entries: u64,
    /// The ledger's id.
    pub ledger_id: crate::ledger::LedgerId,
    /// The directory's records, when its backup was given.
    pub personal_data: Option<PersonalDataReport>,
}

/// Rebuilds the data directory `data` (which must not exist or be empty) from the backup
/// `from`: every entry replayed with its signatures verified, the store written with its
/// tree, the backup's checkpoint stored and copied beside it, `log_key` (the ledger's log
/// key file, which the genesis entry must name) copied into `data/keys`, and the directory
/// of personal data: the records of the backup `personal_data` (read whole and checked before
/// anything is written; it must be of the same ledger), or empty.
///
/// The directory's identity key is copied from `identity_key` (the original directory's
/// `identity.key`); a log that registers persons or organizations is refused without it, since
/// a new key would give every identity number a new tag.
///
/// The restore holds the directory's lock throughout, so no `serve` can start in it, and
/// writes a marker first ([`crate::genesis::unfinished_restore_path`]) that it removes last:
/// a restore cut short leaves a directory nothing opens. When a check fails, what it wrote is
/// removed (and the directory itself if the restore created it).
pub fn restore(
    from: &Path,
    data: &Path,
    log_key: &Path,
    personal_data: Option<&Path>,
    identity_key: Option<&Path>,
) -> Result<RestoreReport> {
    let empty = |data: &Path| -> Result<bool> {
        Ok(std::fs::read_dir(data)
            .with_context(|| format!("cannot read {}", data.display()))?
            .filter_map(|entry| entry.ok())
            .all(|entry| entry.path() == crate::genesis::lock_path(data)))
    };
    let created = !data.exists();
    if !created && !empty(data)? {
        bail!(
            "{} is not empty; a restore only creates a new data directory",
            data.display()
        );
    }
    let key = KeyFile::read(log_key)?;
    if let Some(path) = identity_key {
        crate::directory::IdentityKey::read(path)?;
    }
    let (mut reader, note) = Reader::open(from, LOG)?;
    let personal = match personal_data {
        Some(path) => Some((path, personal::check(path)?)),
        None => None,
    };
    let lock = crate::genesis::DataDirLock::acquire(data)?;
    if !empty(data)? {
        bail!(
            "{} is not empty any more (another process wrote into it); a restore only creates \
             a new data directory",
            data.display()
        );
    }
    let marker = crate::genesis::unfinished_restore_path(data);
    let outcome = crate::store::write_durably(&marker, b"a shanzhi restore is writing here\n")
        .context("cannot write the restore's marker")
        .and_then(|()| rebuild(&mut reader, &note, data, &key, personal, identity_key))
        .and_then(|report| {
            std::fs::remove_file(&marker)
                .with_context(|| format!("cannot remove {}", marker.display()))?;
            crate::store::fsync_path(data)?;
            Ok(report)
        });
    if outcome.is_err() {
        // Only what this restore wrote: the directory was empty or absent.
        if let Ok(entries) = std::fs::read_dir(data) {
            for entry in entries.filter_map(|entry| entry.ok()) {
                let path = entry.path();
                if path == marker || path == crate::genesis::lock_path(data) {
                    continue;
                }
                let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
            }
        }
        let _ = std::fs::remove_file(&marker);
        drop(lock);
        if created {
            let _ = std::fs::remove_dir_all(data);
        } else {
            let _ = std::fs::remove_file(crate::genesis::lock_path(data));
        }
    }
    outcome
}

fn rebuild(
    reader: &mut Reader,
    note: &str,
    data: &Path,
    key: &KeyFile,
    personal_data: Option<(&Path, (crate::ledger::LedgerId, u64))>,
    identity_key: Option<&Path>,
) -> Result<RestoreReport> {
    std::fs::create_dir_all(genesis_keys(data))
        .with_context(|| format!("cannot create {}", data.display()))?;
    let store = SledStore::open(&crate::genesis::store_path(data))?;
    let mut state = State::new();
    let mut frontier = Frontier::new();
    loop {
        let chunk = reader.chunk(CHUNK)?;
        if chunk.is_empty() {
            break;
        }
        let first = state.len();
        if first == 0 {
            let genesis = &chunk[0];
            crate::ledger::replay_entry(
                &mut state,
                0,
                genesis,
                crate::ledger::Signatures::VerifyAll,
            )
            .map_err(|why| anyhow!("entry 0: {why}"))?;
            if state.log_key() != Some(key.signing_key.verifying_key()) {
                bail!(
                    "the log key file is not the key this ledger's genesis entry names: give the \
                     ledger's own log key (keys/log.key of the original data directory)"
                );
            }
            if let (Some((path, (named, _))), Some(ledger_id)) = (personal_data, state.ledger_id())
                && named != ledger_id
            {
                bail!(
                    "{} is the personal data of ledger {named}, not of the restored ledger \
                     {ledger_id}",
                    path.display()
                );
            }
        }
        let skip = usize::from(first == 0);
        replay_verifying_ahead(&mut state, first + skip as u64, &chunk[skip..], |_, _| {})
            .map_err(|(sequence, why)| anyhow!("entry {sequence}: {why}"))?;
        let (mut leaves, mut hashes) = (Vec::new(), Vec::new());
        for entry in &chunk {
            let completed = frontier.append(entry);
            leaves.push(completed[0].1);
            hashes.extend(completed.into_iter().filter(|(id, _)| is_stored(*id)));
        }
        store.append(Append {
            first_sequence: first,
            entries: &chunk,
            leaves: &leaves,
            hashes: &hashes,
            root: frontier.root(),
        })?;
    }
    let ledger_id = state
        .ledger_id()
        .ok_or_else(|| anyhow!("the backup holds no entries"))?;
    let log_key = state
        .log_key()
        .ok_or_else(|| anyhow!("the backup's first entry names no log key"))?;
    let signed = Checkpoint::verify(note, &log_key, &checkpoint::origin(&ledger_id))
        .map_err(|e| anyhow!("the backup's checkpoint does not verify: {e}"))?;
    if signed.size != state.len() || signed.root != frontier.root() {
        bail!(
            "the backup's {} entries are not the {} its checkpoint signs",
            state.len(),
            signed.size
        );
    }
    store.put_checkpoint(signed.size, note)?;
    store.flush()?;
    drop(store);
    crate::store::write_durably(
        &crate::genesis::checkpoint_witness_path(data),
        note.as_bytes(),
    )
    .context("cannot write the checkpoint copy")?;
    key.write_new(&crate::genesis::log_key_path(data))?;
    let (persons, organizations) = state.subject_counts();
    if identity_key.is_none() && persons + organizations > 0 {
        bail!(
            "the backup's log registers {persons} persons and {organizations} organizations, \
             whose identity tags were made with the directory's identity key: give it with \
             --identity-key (directory/identity.key of the original data directory, kept with \
             the log key)"
        );
    }
    let directory = crate::directory::path(data);
    crate::directory::Directory::create_with_identity_key(&directory, &ledger_id, identity_key)?;
    let personal_data = personal_data
        .map(|(path, _)| {
            personal::import(
                path,
                &directory,
                &ledger_id,
                |subject| state.knows_subject(subject),
                |subject| {
                    state
                        .program_subject(subject)
                        .ok()
                        .flatten()
                        .map(|(_, tag)| tag)
                },
            )
        })
        .transpose()?;
    for directory in [genesis_keys(data).as_path(), data] {
        crate::store::fsync_path(directory)?;
    }
    Ok(RestoreReport {
        data_dir: data.to_owned(),
        entries: state.len(),
        ledger_id,
        personal_data,
    })
}

fn genesis_keys(data: &Path) -> PathBuf {
    let keys = crate::genesis::keys_path(data);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if keys.exists() {
            let _ = std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o700));
        }
    }
    keys
}
