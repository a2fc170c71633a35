//! The log's entries in one append-only file (`<store>/entries`), beside sled.
//!
//! Layout: a 16-byte header ([`MAGIC`], whose last byte is the layout's version), then one
//! frame per entry in log order:
//!
//! | bytes | what |
//! | ---: | --- |
//! | 4 | length of the entry, little-endian |
//! | 4 | CRC-32 (IEEE) of the entry, little-endian |
//! | length | the encoded `LogEntry` |
//!
//! So an entry costs 8 bytes beyond itself, and appending a group is one `pwrite` at the
//! end. The file is only ever appended to, except that opening it cuts off whatever follows
//! the entries the store counts as durable (a group written but not acknowledged before a
//! crash). The offset of every frame is kept in memory (8 bytes per entry), rebuilt on open
//! by reading the file once, which also checks every frame's checksum.
//!
//! **Durability.** [`EntryFile::sync`] is `fdatasync`. The store counts an entry as durable
//! only after that returned (see [`super::SledStore`]). A failed sync is final: the file
//! refuses every later write and sync.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::StoreError;

/// The first 16 bytes of the file; the last one is the layout's version.
pub const MAGIC: &[u8; 16] = b"shanzhi entries\x01";
/// Bytes before an entry's own bytes in its frame.
pub const FRAME_HEADER: usize = 8;
/// Bytes read at a time when the file is scanned.
const READ_CHUNK: usize = 1 << 20;
/// The longest entry a frame may hold (an encoded `LogEntry` is a few KiB): a damaged length
/// field is refused instead of read.
pub const MAX_ENTRY_BYTES: usize = 16 << 20;

/// The fewest bytes a frame of a real entry takes: its header and at least a signature.
/// Only used to size what opening allocates.
pub const SMALLEST_FRAME: u64 = FRAME_HEADER as u64 + 64;

/// What opening the file asks of the store about the durable entries it reads.
pub trait OpenCheck {
    /// Entry `sequence`, whose frame's checksum matched.
    fn entry(&mut self, sequence: u64, entry: &[u8]) -> Result<(), StoreError>;
    /// Every durable entry has been read; nothing is cut off before this returns `Ok`.
    fn all_read(&mut self) -> Result<(), StoreError>;
}

/// Checks nothing.
pub struct NoCheck;

impl OpenCheck for NoCheck {
    fn entry(&mut self, _: u64, _: &[u8]) -> Result<(), StoreError> {
        Ok(())
    }

    fn all_read(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// `<path>.<suffix>`, or with `.2`, `.3`, … after it if that exists: a copy kept earlier is
/// never overwritten.
fn free_name(path: &Path, suffix: &str) -> PathBuf {
    let named = |n: u32| {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".{suffix}"));
        if n > 1 {
            name.push(format!(".{n}"));
        }
        PathBuf::from(name)
    };
    (1..)
        .map(named)
        .find(|candidate| !candidate.exists())
        .unwrap_or_else(|| named(1))
}

/// The entries file, open for appending and reading.
pub struct EntryFile {
    file: File,
    path: PathBuf,
    /// `offsets[i]` is where frame `i` starts; the last element is where the next one goes.
    offsets: RwLock<Vec<u64>>,
    /// Set by a failed write or sync: nothing is written or synced again.
    failed: AtomicBool,
}

/// The frame of `entry`.
fn frame(entry: &[u8], into: &mut Vec<u8>) -> Result<(), StoreError> {
    let length = u32::try_from(entry.len())
        .ok()
        .filter(|_| entry.len() <= MAX_ENTRY_BYTES)
        .ok_or_else(|| {
            StoreError::Io(format!(
                "an entry of {} bytes is longer than the {MAX_ENTRY_BYTES} an entry may be",
                entry.len()
            ))
        })?;
    into.extend_from_slice(&length.to_le_bytes());
    into.extend_from_slice(&crc32fast::hash(entry).to_le_bytes());
    into.extend_from_slice(entry);
    Ok(())
}

impl EntryFile {
    /// Opens the file at `path` holding `durable` entries (creates it when `durable` is 0):
    /// every one of them must be there, whole, with its checksum. Whatever follows them
    /// (never acknowledged: a group written before a crash cut its sync short) is moved to
    /// a file beside it, `<path>.unacknowledged-<durable>` (`.2`, `.3`, … after it if one is
    /// there already), and cut off, so nothing is
    /// destroyed even if the count were wrong. `check` sees every durable entry, in order,
    /// as the pass that checks them reads it, and is asked once all are read, before
    /// anything is cut off; an error it returns is the open's, and leaves the file as it was.
    pub fn open(path: &Path, durable: u64, check: &mut dyn OpenCheck) -> Result<Self, StoreError> {
        let io = |what: &str, e: std::io::Error| {
            StoreError::Io(format!("cannot {what} {}: {e}", path.display()))
        };
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(durable == 0)
            .truncate(false)
            .open(path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => StoreError::Corrupt(format!(
                    "{} is missing, but the store counts {durable} entries in it",
                    path.display()
                )),
                _ => io("open", e),
            })?;
        let length = file
            .metadata()
            .map_err(|e| io("read the size of", e))?
            .len();
        let header_length = MAGIC.len() as u64;
        if length < header_length {
            if durable > 0 {
                return Err(StoreError::Corrupt(format!(
                    "{} is {length} bytes long, but the store counts {durable} entries in it",
                    path.display()
                )));
            }
            // Created now, or a creation cut short: start it again.
            file.set_len(0).map_err(|e| io("truncate", e))?;
            file.write_all_at(MAGIC, 0).map_err(|e| io("write", e))?;
            file.sync_all().map_err(|e| io("sync", e))?;
        } else {
            let mut header = [0u8; MAGIC.len()];
            file.read_exact_at(&mut header, 0)
                .map_err(|e| io("read", e))?;
            if header == [0; MAGIC.len()] && durable == 0 {
                // A creation cut short before its sync: nothing was ever counted in it.
                file.set_len(0).map_err(|e| io("truncate", e))?;
                file.write_all_at(MAGIC, 0).map_err(|e| io("write", e))?;
                file.sync_all().map_err(|e| io("sync", e))?;
            } else if header != *MAGIC {
                let last = MAGIC.len() - 1;
                let why = if header[..last] == MAGIC[..last] {
                    format!(
                        "its layout is version {}, this build reads version {}",
                        header[last], MAGIC[last]
                    )
                } else {
                    format!(
                        "it does not start with the header {:?}",
                        String::from_utf8_lossy(MAGIC)
                    )
                };
                return Err(StoreError::Corrupt(format!(
                    "{} is not an entries file this build can read: {why}",
                    path.display()
                )));
            }
        }
        let opened = Self {
            file,
            path: path.to_owned(),
            offsets: RwLock::new(vec![MAGIC.len() as u64]),
            failed: AtomicBool::new(false),
        };
        let length = opened.file_len()?;
        let room = (length - header_length) / FRAME_HEADER as u64;
        if durable > room {
            return Err(StoreError::Corrupt(format!(
                "the store counts {durable} entries in {}, but its {length} bytes hold at most \
                 {room}",
                path.display()
            )));
        }
        // Room for the entries counted as far as the file could hold real ones (a damaged
        // count is refused below, not allocated for).
        let plausible = (length - header_length) / SMALLEST_FRAME;
        let mut offsets = Vec::with_capacity(durable.min(plausible) as usize + 1);
        offsets.push(MAGIC.len() as u64);
        for item in Frames::new(&opened, 0, header_length, length, durable) {
            let (sequence, entry, next) = item.map_err(|error| match error {
                StoreError::Corrupt(why) => StoreError::Corrupt(format!(
                    "{}: {why}; the store counts {durable} entries in it",
                    path.display()
                )),
                other => other,
            })?;
            check.entry(sequence, &entry)?;
            offsets.push(next);
        }
        check.all_read()?;
        let end = *offsets.last().unwrap_or(&(MAGIC.len() as u64));
        if length > end {
            let mut tail = vec![0; (length - end) as usize];
            opened
                .file
                .read_exact_at(&mut tail, end)
                .map_err(|e| io("read", e))?;
            let kept = free_name(path, &format!("unacknowledged-{durable}"));
            super::write_durably(&kept, &tail).map_err(|e| {
                StoreError::Io(format!("cannot keep the tail in {}: {e}", kept.display()))
            })?;
            tracing::warn!(
                path = %path.display(),
                bytes = tail.len(),
                kept = %kept.display(),
                "cut off what follows the entries counted durable (written but never \
                 acknowledged before the last stop); a copy is kept"
            );
            opened.file.set_len(end).map_err(|e| io("truncate", e))?;
            opened.file.sync_all().map_err(|e| io("sync", e))?;
        }
        *opened.offsets.write().unwrap_or_else(|e| e.into_inner()) = offsets;
        Ok(opened)
    }

    fn file_len(&self) -> Result<u64, StoreError> {
        self.file.metadata().map(|m| m.len()).map_err(|e| {
            StoreError::Io(format!(
                "cannot read the size of {}: {e}",
                self.path.display()
            ))
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Entries in the file (written, durable or not).
    pub fn len(&self) -> u64 {
        self.offsets.read().unwrap_or_else(|e| e.into_inner()).len() as u64 - 1
    }

    /// Appends `entries` at the end (not durable until [`EntryFile::sync`]). Appends must
    /// not run concurrently (the store serializes them); reads may.
    pub fn append(&self, entries: &[Vec<u8>]) -> Result<(), StoreError> {
        self.usable()?;
        let mut buffer = Vec::with_capacity(entries.iter().map(|e| e.len() + FRAME_HEADER).sum());
        let mut ends = Vec::with_capacity(entries.len());
        for entry in entries {
            frame(entry, &mut buffer)?;
            ends.push(buffer.len() as u64);
        }
        // Readers wait only for the offsets to be extended, not for the write.
        let end = *self
            .offsets
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .last()
            .unwrap_or(&(MAGIC.len() as u64));
        if let Err(e) = self.file.write_all_at(&buffer, end) {
            self.failed.store(true, Ordering::SeqCst);
            return Err(StoreError::Io(format!(
                "cannot write to {}: {e}",
                self.path.display()
            )));
        }
        let mut offsets = self.offsets.write().unwrap_or_else(|e| e.into_inner());
        offsets.extend(ends.into_iter().map(|relative| end + relative));
        Ok(())
    }

    /// `fdatasync`: on return, every appended entry is on stable storage.
    pub fn sync(&self) -> Result<(), StoreError> {
        self.usable()?;
        self.file.sync_data().map_err(|e| {
            self.failed.store(true, Ordering::SeqCst);
            StoreError::Io(format!("cannot sync {}: {e}", self.path.display()))
        })
    }

    fn usable(&self) -> Result<(), StoreError> {
        if self.failed.load(Ordering::SeqCst) {
            return Err(StoreError::Io(format!(
                "{} failed to write or sync before; nothing more is written to it",
                self.path.display()
            )));
        }
        Ok(())
    }

    /// The entry at `sequence`, if written.
    pub fn entry(&self, sequence: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let (start, end) = {
            let offsets = self.offsets.read().unwrap_or_else(|e| e.into_inner());
            match (
                offsets.get(sequence as usize),
                offsets.get(sequence as usize + 1),
            ) {
                (Some(start), Some(end)) => (*start, *end),
                _ => return Ok(None),
            }
        };
        let mut frame = vec![0; (end - start) as usize];
        self.file
            .read_exact_at(&mut frame, start)
            .map_err(|e| StoreError::Io(format!("cannot read {}: {e}", self.path.display())))?;
        let mut frames = Frames::over(frame, sequence);
        match frames.next() {
            Some(Ok((_, entry, _))) => Ok(Some(entry)),
            Some(Err(StoreError::Corrupt(why))) => Err(StoreError::Corrupt(format!(
                "{} at bytes {start}..{end}: {why}",
                self.path.display()
            ))),
            Some(Err(error)) => Err(error),
            None => Err(StoreError::Corrupt(format!(
                "{}: entry {sequence} at bytes {start}..{end} could not be read",
                self.path.display()
            ))),
        }
    }

    /// Entries from `first` up to those written now, in order.
    pub fn scan(&self, first: u64) -> Frames<'_> {
        let offsets = self.offsets.read().unwrap_or_else(|e| e.into_inner());
        let count = (offsets.len() as u64 - 1).saturating_sub(first);
        let start = offsets.get(first as usize).copied().unwrap_or(0);
        let end = *offsets.last().unwrap_or(&0);
        Frames::new(self, first, start, end, count)
    }
}

/// Frames read in order from the file (or from bytes in memory): `(sequence, entry, offset
/// of the next frame)`, each checked against its checksum.
pub struct Frames<'a> {
    file: Option<&'a EntryFile>,
    /// Bytes read but not parsed yet, starting at file offset `at`.
    buffer: Vec<u8>,
    used: usize,
    at: u64,
    end: u64,
    sequence: u64,
    left: u64,
}

impl<'a> Frames<'a> {
    fn new(file: &'a EntryFile, sequence: u64, start: u64, end: u64, count: u64) -> Self {
        Self {
            file: Some(file),
            buffer: Vec::new(),
            used: 0,
            at: start,
            end,
            sequence,
            left: count,
        }
    }

    fn over(bytes: Vec<u8>, sequence: u64) -> Self {
        let end = bytes.len() as u64;
        Self {
            file: None,
            buffer: bytes,
            used: 0,
            at: 0,
            end,
            sequence,
            left: 1,
        }
    }

    /// Makes at least `wanted` unparsed bytes available; false at the end of the file.
    fn fill(&mut self, wanted: usize) -> Result<bool, StoreError> {
        if self.buffer.len() - self.used >= wanted {
            return Ok(true);
        }
        let Some(file) = self.file else {
            return Ok(false);
        };
        self.buffer.drain(..self.used);
        self.at += self.used as u64;
        self.used = 0;
        let have = self.buffer.len() as u64;
        let available = self.end.saturating_sub(self.at + have);
        if have + available < wanted as u64 {
            return Ok(false);
        }
        let read = (wanted as u64 - have).max(READ_CHUNK as u64).min(available);
        let old = self.buffer.len();
        self.buffer.resize(old + read as usize, 0);
        file.file
            .read_exact_at(&mut self.buffer[old..], self.at + have)
            .map_err(|e| StoreError::Io(format!("cannot read {}: {e}", file.path.display())))?;
        Ok(true)
    }

    fn read_one(&mut self) -> Result<(u64, Vec<u8>, u64), StoreError> {
        let sequence = self.sequence;
        let cut = || StoreError::Corrupt(format!("the file ends inside entry {sequence}"));
        if !self.fill(FRAME_HEADER)? {
            if self.fill(1)? {
                return Err(cut());
            }
            return Err(StoreError::Corrupt(format!(
                "the file holds {sequence} entries"
            )));
        }
        let header = &self.buffer[self.used..self.used + FRAME_HEADER];
        let length = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let checksum = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if length > MAX_ENTRY_BYTES {
            return Err(StoreError::Corrupt(format!(
                "entry {sequence} says it is {length} bytes long, more than the \
                 {MAX_ENTRY_BYTES} an entry may be"
            )));
        }
        if !self.fill(FRAME_HEADER + length)? {
            return Err(cut());
        }
        let start = self.used + FRAME_HEADER;
        let entry = self.buffer[start..start + length].to_vec();
        let computed = crc32fast::hash(&entry);
        if computed != checksum {
            return Err(StoreError::Corrupt(format!(
                "entry {sequence} does not match its checksum (stored {checksum:08x}, its bytes \
                 give {computed:08x})"
            )));
        }
        self.used = start + length;
        self.sequence += 1;
        Ok((sequence, entry, self.at + self.used as u64))
    }
}

impl Iterator for Frames<'_> {
    type Item = Result<(u64, Vec<u8>, u64), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let item = self.read_one();
        // After damage, nothing more is read.
        self.left = if item.is_ok() { self.left - 1 } else { 0 };
        Some(item)
    }
}
