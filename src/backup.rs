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
//! The directory of personal data is not in this file: it is kept under its own rules, and a
//! restore creates an empty one (names are then entered again or restored separately).

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};

use crate::client::{LedgerClient, Signer};
use crate::crypto::KeyFile;
use crate::ledger::{State, replay_verifying_ahead};
use crate::log::checkpoint::{self, Checkpoint};
use crate::log::merkle::{Frontier, is_stored};
use crate::store::{Append, SledStore, Store};

/// The first 16 bytes of a backup file; the last one is the format's version.
pub const MAGIC: &[u8; 16] = b"shanzhi backup\x00\x01";
/// Marks the end of the entries.
const END: u32 = u32::MAX;
/// The longest entry a backup may hold (as the store's entries file).
const MAX_ENTRY: u32 = 16 << 20;
/// Entries asked for per request.
const PAGE: u64 = 5_000;
/// Entries replayed and stored at a time by a restore.
const CHUNK: usize = 16_384;

/// What a backup wrote.
#[derive(Debug)]
pub struct BackupReport {
    /// The file.
    pub path: PathBuf,
    /// Entries in it: the size of the checkpoint it ends at.
    pub entries: u64,
    /// Bytes of the file.
    pub bytes: u64,
    /// The checkpoint note it carries.
    pub note: String,
}

/// Writes a backup file: a temporary file beside `path`, synced and renamed into place only
/// once whole, so a backup cut short leaves no file that looks complete.
struct Writer {
    file: BufWriter<tempfile::NamedTempFile>,
    hash: Sha256,
    count: u64,
}

impl Writer {
    fn create(path: &Path, note: &str) -> Result<Self> {
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let temporary = tempfile::Builder::new()
            .prefix(".shanzhi-backup.")
            .tempfile_in(directory)
            .with_context(|| format!("cannot create a file in {}", directory.display()))?;
        let mut writer = Self {
            file: BufWriter::with_capacity(1 << 20, temporary),
            hash: Sha256::new(),
            count: 0,
        };
        writer.put(MAGIC)?;
        let length = u32::try_from(note.len()).context("a checkpoint note over 4 GiB")?;
        writer.put(&length.to_le_bytes())?;
        writer.put(note.as_bytes())?;
        Ok(writer)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.hash.update(bytes);
        self.file
            .write_all(bytes)
            .context("cannot write the backup")
    }

    fn entry(&mut self, entry: &[u8]) -> Result<()> {
        let length = u32::try_from(entry.len())
            .ok()
            .filter(|length| *length <= MAX_ENTRY)
            .ok_or_else(|| anyhow!("an entry of {} bytes", entry.len()))?;
        self.put(&length.to_le_bytes())?;
        self.put(&crc32fast::hash(entry).to_le_bytes())?;
        self.put(entry)?;
        self.count += 1;
        Ok(())
    }

    fn finish(mut self, path: &Path) -> Result<u64> {
        self.put(&END.to_le_bytes())?;
        let count = self.count.to_le_bytes();
        self.put(&count)?;
        let digest = self.hash.finalize_reset();
        self.file
            .write_all(&digest)
            .context("cannot write the backup")?;
        let temporary = self
            .file
            .into_inner()
            .map_err(|e| anyhow!("cannot write the backup: {}", e.error()))?;
        temporary
            .as_file()
            .sync_all()
            .context("cannot sync the backup")?;
        let bytes = temporary.as_file().metadata()?.len();
        temporary
            .persist(path)
            .map_err(|e| anyhow!("cannot name the backup {}: {}", path.display(), e.error))?;
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        crate::store::fsync_path(directory)?;
        Ok(bytes)
    }
}

/// Copies the server's log up to its latest signed checkpoint into `out` (refused if `out`
/// exists). `signer` must be allowed to read entries (the bureau admin or an auditor). The
/// entries are checked against the checkpoint's root, and the checkpoint against the log
/// key the genesis entry names, before the file is put in place.
pub async fn backup(
    client: &mut LedgerClient,
    signer: &Signer,
    out: &Path,
) -> Result<BackupReport> {
    if out.exists() {
        bail!("{} exists; a backup never replaces a file", out.display());
    }
    let checkpoint = client
        .audit
        .get_checkpoint(crate::pb::audit::GetCheckpointRequest { tree_size: 0 })
        .await
        .map_err(|status| anyhow!("cannot get the latest checkpoint: {}", status.message()))?
        .into_inner();
    let note = checkpoint.note;
    let origin = checkpoint::origin(&client.ledger_id);
    let mut writer = Writer::create(out, &note)?;
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
            writer.entry(entry)?;
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
    let bytes = writer.finish(out)?;
    Ok(BackupReport {
        path: out.to_owned(),
        entries: signed.size,
        bytes,
        note,
    })
}

/// Reads a backup file, checking its frames as it goes and its count and digest at the end.
struct Reader {
    file: BufReader<std::fs::File>,
    hash: Sha256,
    path: PathBuf,
    read: u64,
    done: bool,
}

impl Reader {
    fn open(path: &Path) -> Result<(Self, String)> {
        let file = std::fs::File::open(path)
            .with_context(|| format!("cannot open the backup {}", path.display()))?;
        let mut reader = Self {
            file: BufReader::with_capacity(1 << 20, file),
            hash: Sha256::new(),
            path: path.to_owned(),
            read: 0,
            done: false,
        };
        let mut magic = [0u8; 16];
        reader.take(&mut magic)?;
        if magic != *MAGIC {
            bail!(
                "{} is not a shanzhi backup this build can read (it does not start with {:?})",
                path.display(),
                String::from_utf8_lossy(MAGIC)
            );
        }
        let length = reader.u32()?;
        if length > MAX_ENTRY {
            bail!("{}: a checkpoint note of {length} bytes", path.display());
        }
        let mut note = vec![0u8; length as usize];
        reader.take(&mut note)?;
        let note = String::from_utf8(note)
            .map_err(|_| anyhow!("{}: the checkpoint note is not UTF-8", path.display()))?;
        Ok((reader, note))
    }

    fn take(&mut self, into: &mut [u8]) -> Result<()> {
        self.file.read_exact(into).map_err(|e| {
            anyhow!(
                "{} ends early (after entry {}): {e}; the backup is damaged or was cut short",
                self.path.display(),
                self.read
            )
        })?;
        self.hash.update(&*into);
        Ok(())
    }

    fn u32(&mut self) -> Result<u32> {
        let mut bytes = [0u8; 4];
        self.take(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    /// Up to `most` entries; empty once every entry was read and the file checked whole.
    fn chunk(&mut self, most: usize) -> Result<Vec<Vec<u8>>> {
        let mut entries = Vec::new();
        while !self.done && entries.len() < most {
            let length = self.u32()?;
            if length == END {
                self.finish()?;
                break;
            }
            if length > MAX_ENTRY {
                bail!(
                    "{}: entry {} says it is {length} bytes long",
                    self.path.display(),
                    self.read
                );
            }
            let stored = self.u32()?;
            let mut entry = vec![0u8; length as usize];
            self.take(&mut entry)?;
            let computed = crc32fast::hash(&entry);
            if computed != stored {
                bail!(
                    "{}: entry {} does not match its checksum (stored {stored:08x}, its bytes \
                     give {computed:08x})",
                    self.path.display(),
                    self.read
                );
            }
            self.read += 1;
            entries.push(entry);
        }
        Ok(entries)
    }

    fn finish(&mut self) -> Result<()> {
        let mut count = [0u8; 8];
        self.take(&mut count)?;
        let count = u64::from_le_bytes(count);
        let computed = self.hash.finalize_reset();
        let mut stored = [0u8; 32];
        self.file
            .read_exact(&mut stored)
            .map_err(|e| anyhow!("{} ends before its digest: {e}", self.path.display()))?;
        if stored != computed.as_slice() {
            bail!(
                "{} does not match its SHA-256 digest: the backup is damaged",
                self.path.display()
            );
        }
        if count != self.read {
            bail!(
                "{} says it holds {count} entries and holds {}",
                self.path.display(),
                self.read
            );
        }
        let mut rest = [0u8; 1];
        if self.file.read(&mut rest)? != 0 {
            bail!("{} has bytes after its digest", self.path.display());
        }
        self.done = true;
        Ok(())
    }
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
}

/// Rebuilds the data directory `data` (which must not exist or be empty) from the backup
/// `from`: every entry replayed with its signatures verified, the store written with its
/// tree, the backup's checkpoint stored and copied beside it, `log_key` (the ledger's log
/// key file, which the genesis entry must name) copied into `data/keys`, and an empty
/// directory of personal data. Nothing is left in `data` if any check fails.
pub fn restore(from: &Path, data: &Path, log_key: &Path) -> Result<RestoreReport> {
    if data.exists()
        && std::fs::read_dir(data)
            .with_context(|| format!("cannot read {}", data.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} is not empty; a restore only creates a new data directory",
            data.display()
        );
    }
    let key = KeyFile::read(log_key)?;
    let (mut reader, note) = Reader::open(from)?;
    let outcome = rebuild(&mut reader, &note, data, &key);
    if outcome.is_err() {
        // Only what this restore created: the directory was empty or absent.
        let _ = std::fs::remove_dir_all(data);
    }
    outcome
}

fn rebuild(reader: &mut Reader, note: &str, data: &Path, key: &KeyFile) -> Result<RestoreReport> {
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
    crate::directory::Directory::create(&crate::directory::path(data), &ledger_id)?;
    for directory in [genesis_keys(data).as_path(), data] {
        crate::store::fsync_path(directory)?;
    }
    Ok(RestoreReport {
        data_dir: data.to_owned(),
        entries: state.len(),
        ledger_id,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn written(entries: &[&[u8]]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.shanzhi-backup");
        let mut writer = Writer::create(&path, "a note\n").unwrap();
        for entry in entries {
            writer.entry(entry).unwrap();
        }
        writer.finish(&path).unwrap();
        (dir, path)
    }

    #[test]
    fn a_backup_file_reads_back_and_any_damage_is_refused() {
        let (_dir, path) = written(&[b"first", b"second", b"third"]);
        let (mut reader, note) = Reader::open(&path).unwrap();
        assert_eq!(note, "a note\n");
        assert_eq!(
            reader.chunk(2).unwrap(),
            vec![b"first".to_vec(), b"second".to_vec()]
        );
        assert_eq!(reader.chunk(2).unwrap(), vec![b"third".to_vec()]);
        assert!(reader.chunk(2).unwrap().is_empty());

        let bytes = std::fs::read(&path).unwrap();
        let read_all = |bytes: &[u8]| -> Result<u64> {
            std::fs::write(&path, bytes).unwrap();
            let (mut reader, _) = Reader::open(&path)?;
            while !reader.chunk(10)?.is_empty() {}
            Ok(reader.read)
        };
        assert_eq!(read_all(&bytes).unwrap(), 3);
        // A flipped byte in an entry: its checksum.
        let mut flipped = bytes.clone();
        let at = 16 + 4 + 7 + 8 + 1;
        flipped[at] ^= 1;
        let why = read_all(&flipped).unwrap_err().to_string();
        assert!(why.contains("entry 0 does not match its checksum"), "{why}");
        // Cut short: the digest or the entries are missing.
        let why = read_all(&bytes[..bytes.len() - 10])
            .unwrap_err()
            .to_string();
        assert!(why.contains("ends before its digest"), "{why}");
        let why = read_all(&bytes[..40]).unwrap_err().to_string();
        assert!(why.contains("ends early"), "{why}");
        // A changed note (checksums do not cover it): the digest.
        let mut noted = bytes.clone();
        noted[16 + 4] = b'A';
        let why = read_all(&noted).unwrap_err().to_string();
        assert!(why.contains("SHA-256"), "{why}");
        // Bytes after the end.
        let mut longer = bytes.clone();
        longer.push(0);
        let why = read_all(&longer).unwrap_err().to_string();
        assert!(why.contains("after its digest"), "{why}");
        // Not a backup.
        let why = read_all(b"something else entirely")
            .unwrap_err()
            .to_string();
        assert!(why.contains("not a shanzhi backup"), "{why}");
    }
}
