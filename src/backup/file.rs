//! The framing both backup files share: a 16-byte magic (its last byte the format's
//! version), a header (length and UTF-8 text), one frame per item (its length and CRC-32,
//! 4 bytes each, little-endian, then its bytes), `0xFFFFFFFF`, the number of items (8 bytes,
//! little-endian) and the SHA-256 of every byte before it.
//!
//! A file is written to a temporary file beside its final name, synced, and renamed into
//! place only once whole and checked, so a backup cut short never leaves a file that looks
//! complete.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};

/// Marks the end of the items.
const END: u32 = u32::MAX;
/// The longest item (and header) a file may hold (as the store's entries file).
pub const MAX_ITEM: u32 = 16 << 20;

/// The most bytes of items [`Reader::chunk`] gathers before it returns them: 64 MiB.
pub const MAX_CHUNK_BYTES: usize = 64 << 20;

/// What a file holds and how its items are named in messages.
#[derive(Clone, Copy, Debug)]
pub struct Kind {
    /// Its first 16 bytes.
    pub magic: &'static [u8; 16],
    /// What it is, for messages ("a shanzhi backup").
    pub name: &'static str,
    /// What an item is, for messages ("entry").
    pub item: &'static str,
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Writes a file of `kind`.
pub struct Writer {
    file: BufWriter<tempfile::NamedTempFile>,
    hash: Sha256,
    count: u64,
    kind: Kind,
}

/// A whole file, synced under a temporary name beside where it goes.
pub struct Sealed {
    file: tempfile::NamedTempFile,
    /// Its length, in bytes.
    pub bytes: u64,
}

impl Writer {
    /// Starts a file that will be named `path` (its temporary file is created beside it).
    pub fn create(path: &Path, kind: Kind, header: &str) -> Result<Self> {
        let directory = parent_of(path);
        let temporary = tempfile::Builder::new()
            .prefix(".shanzhi-backup.")
            .tempfile_in(directory)
            .with_context(|| format!("cannot create a file in {}", directory.display()))?;
        let mut writer = Self {
            file: BufWriter::with_capacity(1 << 20, temporary),
            hash: Sha256::new(),
            count: 0,
            kind,
        };
        writer.put(kind.magic)?;
        let length = u32::try_from(header.len())
            .ok()
            .filter(|length| *length <= MAX_ITEM)
            .ok_or_else(|| anyhow!("a header of {} bytes", header.len()))?;
        writer.put(&length.to_le_bytes())?;
        writer.put(header.as_bytes())?;
        Ok(writer)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.hash.update(bytes);
        self.file
            .write_all(bytes)
            .context("cannot write the backup")
    }

    /// Appends one item.
    pub fn item(&mut self, item: &[u8]) -> Result<()> {
        let length = u32::try_from(item.len())
            .ok()
            .filter(|length| *length <= MAX_ITEM)
            .ok_or_else(|| anyhow!("an {} of {} bytes", self.kind.item, item.len()))?;
        self.put(&length.to_le_bytes())?;
        self.put(&crc32fast::hash(item).to_le_bytes())?;
        self.put(item)?;
        self.count += 1;
        Ok(())
    }

    /// Ends the file and syncs it under its temporary name.
    pub fn seal(mut self) -> Result<Sealed> {
        self.put(&END.to_le_bytes())?;
        let count = self.count.to_le_bytes();
        self.put(&count)?;
        let digest = self.hash.finalize_reset();
        self.file
            .write_all(&digest)
            .context("cannot write the backup")?;
        let file = self
            .file
            .into_inner()
            .map_err(|e| anyhow!("cannot write the backup: {}", e.error()))?;
        file.as_file()
            .sync_all()
            .context("cannot sync the backup")?;
        let bytes = file.as_file().metadata()?.len();
        Ok(Sealed { file, bytes })
    }
}

impl Sealed {
    /// Names the file `path` (refused if something has that name) and syncs its directory.
    pub fn persist(self, path: &Path) -> Result<()> {
        self.file
            .persist_noclobber(path)
            .map_err(|e| anyhow!("cannot name the backup {}: {}", path.display(), e.error))?;
        crate::store::fsync_path(parent_of(path))?;
        Ok(())
    }
}

/// Reads a file of `kind`, checking its frames as it goes and its count and digest at the
/// end.
pub struct Reader {
    file: BufReader<std::fs::File>,
    hash: Sha256,
    path: PathBuf,
    kind: Kind,
    /// Items read so far.
    pub read: u64,
    done: bool,
}

impl Reader {
    /// Opens `path` and reads its header.
    pub fn open(path: &Path, kind: Kind) -> Result<(Self, String)> {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut reader = Self {
            file: BufReader::with_capacity(1 << 20, file),
            hash: Sha256::new(),
            path: path.to_owned(),
            kind,
            read: 0,
            done: false,
        };
        let mut magic = [0u8; 16];
        reader.take(&mut magic)?;
        if magic != *kind.magic {
            bail!(
                "{} is not {} this build can read (it does not start with {:?})",
                path.display(),
                kind.name,
                String::from_utf8_lossy(kind.magic)
            );
        }
        let length = reader.u32()?;
        if length > MAX_ITEM {
            bail!("{}: a header of {length} bytes", path.display());
        }
        let mut header = vec![0u8; length as usize];
        reader.take(&mut header)?;
        let header = String::from_utf8(header)
            .map_err(|_| anyhow!("{}: the header is not UTF-8", path.display()))?;
        Ok((reader, header))
    }

    fn take(&mut self, into: &mut [u8]) -> Result<()> {
        self.file.read_exact(into).map_err(|e| {
            anyhow!(
                "{} ends early (after {} {}): {e}; the file is damaged or was cut short",
                self.path.display(),
                self.kind.item,
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

    /// Up to `most` items, and no more once they hold [`MAX_CHUNK_BYTES`] (so a file
    /// claiming many large items costs a bounded amount of memory at a time); empty once
    /// every item was read and the file checked whole.
    pub fn chunk(&mut self, most: usize) -> Result<Vec<Vec<u8>>> {
        let mut items = Vec::new();
        let mut held = 0usize;
        while !self.done && items.len() < most && held < MAX_CHUNK_BYTES {
            let length = self.u32()?;
            if length == END {
                self.finish()?;
                break;
            }
            let item = self.kind.item;
            if length > MAX_ITEM {
                bail!(
                    "{}: {item} {} says it is {length} bytes long",
                    self.path.display(),
                    self.read
                );
            }
            let stored = self.u32()?;
            let mut bytes = vec![0u8; length as usize];
            self.take(&mut bytes)?;
            let computed = crc32fast::hash(&bytes);
            if computed != stored {
                bail!(
                    "{}: {item} {} does not match its checksum (stored {stored:08x}, its bytes \
                     give {computed:08x})",
                    self.path.display(),
                    self.read
                );
            }
            self.read += 1;
            held += bytes.len();
            items.push(bytes);
        }
        Ok(items)
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
                "{} does not match its SHA-256 digest: the file is damaged",
                self.path.display()
            );
        }
        if count != self.read {
            bail!(
                "{} says it holds {count} {}s and holds {}",
                self.path.display(),
                self.kind.item,
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

#[cfg(test)]
mod tests {
    use super::*;

    const KIND: Kind = Kind {
        magic: b"shanzhi testing\x01",
        name: "a test file",
        item: "entry",
    };

    fn written(entries: &[&[u8]]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.shanzhi-backup");
        let mut writer = Writer::create(&path, KIND, "a note\n").unwrap();
        for entry in entries {
            writer.item(entry).unwrap();
        }
        writer.seal().unwrap().persist(&path).unwrap();
        (dir, path)
    }

    #[test]
    fn a_file_reads_back_and_any_damage_is_refused() {
        let (_dir, path) = written(&[b"first", b"second", b"third"]);
        let (mut reader, note) = Reader::open(&path, KIND).unwrap();
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
            let (mut reader, _) = Reader::open(&path, KIND)?;
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
        // A changed header (checksums do not cover it): the digest.
        let mut noted = bytes.clone();
        noted[16 + 4] = b'A';
        let why = read_all(&noted).unwrap_err().to_string();
        assert!(why.contains("SHA-256"), "{why}");
        // Bytes after the end.
        let mut longer = bytes.clone();
        longer.push(0);
        let why = read_all(&longer).unwrap_err().to_string();
        assert!(why.contains("after its digest"), "{why}");
        // Another kind of file.
        let why = read_all(b"something else entirely")
            .unwrap_err()
            .to_string();
        assert!(why.contains("is not a test file"), "{why}");
    }

    #[test]
    fn a_sealed_file_never_replaces_one_and_leaves_no_temporary_file() {
        let (dir, path) = written(&[b"one"]);
        let before = std::fs::read(&path).unwrap();
        let mut writer = Writer::create(&path, KIND, "other").unwrap();
        writer.item(b"two").unwrap();
        let why = writer
            .seal()
            .unwrap()
            .persist(&path)
            .unwrap_err()
            .to_string();
        assert!(why.contains("cannot name the backup"), "{why}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("b.shanzhi-backup")]);
    }
}
