//! The keyring: one 32-byte key per directory record, in a file of fixed slots that is
//! overwritten in place. Erasing a record zeroes its slot and syncs the file, so the key,
//! and with it every copy of the record's ciphertext the record store may still hold (sled
//! keeps replaced values until it compacts), is gone from the file.
//!
//! A slot is 32 bytes at offset `32 × index`: it never straddles a 512-byte sector, so a
//! write of one slot is never torn across two. An all-zero slot holds no key (a generated key
//! is never all zero). Which slots are in use is known only from the records that name them:
//! at open, every slot no record names is zeroed, which completes an erasure or a replacement
//! that a crash interrupted between writing the record and zeroing the old key.

use std::collections::{BTreeSet, HashSet};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::store::{StoreError, fsync_path};

/// The length of a key and of its slot, in bytes.
pub const KEY_BYTES: usize = 32;

/// A record key, wiped from memory when dropped.
pub type RecordKey = Zeroizing<[u8; KEY_BYTES]>;

const ZEROS: [u8; KEY_BYTES] = [0; KEY_BYTES];

/// The slot file and which of its slots are free.
pub struct Keyring {
    file: File,
    path: PathBuf,
    /// Slots the file has.
    slots: u32,
    /// Slots holding no key, lowest first (reused before the file grows).
    free: BTreeSet<u32>,
}

fn io_error(path: &Path, what: &str, error: std::io::Error) -> StoreError {
    StoreError::Io(format!("cannot {what} {}: {error}", path.display()))
}

fn offset(slot: u32) -> u64 {
    u64::from(slot) * KEY_BYTES as u64
}

impl Keyring {
    /// Opens (or creates) the slot file at `path`. `in_use` are the slots the records name;
    /// every other slot is overwritten with zeros (and the file synced) before this returns,
    /// including a partial slot at the end (a crash while the file grew), made whole. Refuses
    /// a file too short for the slots the records name.
    pub fn open(path: &Path, in_use: &HashSet<u32>) -> Result<Self, StoreError> {
        let created = !path.exists();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| io_error(path, "open", e))?;
        if created {
            file.sync_all().map_err(|e| io_error(path, "sync", e))?;
            if let Some(parent) = path.parent() {
                fsync_path(parent)?;
            }
        }
        let length = file
            .metadata()
            .map_err(|e| io_error(path, "read the size of", e))?
            .len();
        let slots = u32::try_from(length.div_ceil(KEY_BYTES as u64))
            .map_err(|_| StoreError::Corrupt(format!("{} holds too many slots", path.display())))?;
        if let Some(beyond) = in_use.iter().find(|slot| **slot >= slots) {
            return Err(StoreError::Corrupt(format!(
                "{} holds {slots} key slots, but a record names slot {beyond}: the keyring was \
                 truncated or replaced; restore the directory from its backup",
                path.display()
            )));
        }
        let mut keyring = Self {
            file,
            path: path.to_owned(),
            slots,
            free: BTreeSet::new(),
        };
        // Zero every slot no record names, whatever it reads as: a zeroing whose sync failed
        // may read as zeros from the page cache while the disk still holds the key.
        for slot in (0..slots).filter(|slot| !in_use.contains(slot)) {
            keyring.write_slot(slot, &ZEROS)?;
            keyring.free.insert(slot);
        }
        keyring.sync()?;
        Ok(keyring)
    }

    /// The slots in use.
    pub fn in_use(&self) -> u32 {
        self.slots - self.free.len() as u32
    }

    /// Stores a new key in a free slot (the lowest, or a new one at the end) and syncs the
    /// file; returns the slot.
    pub fn store(&mut self, key: &RecordKey) -> Result<u32, StoreError> {
        let slot = self.put(key)?;
        self.sync()?;
        Ok(slot)
    }

    /// Writes a new key into a free slot without syncing (an import into a new directory
    /// syncs once, with [`Keyring::sync`], before any record names the slot).
    pub fn put(&mut self, key: &RecordKey) -> Result<u32, StoreError> {
        let slot = match self.free.first() {
            Some(slot) => *slot,
            None => self.slots,
        };
        self.write_slot(slot, key)?;
        if slot == self.slots {
            self.slots += 1;
        } else {
            self.free.remove(&slot);
        }
        Ok(slot)
    }

    /// The key in `slot`; `None` if the slot holds none.
    pub fn key(&self, slot: u32) -> Result<Option<RecordKey>, StoreError> {
        if slot >= self.slots {
            return Ok(None);
        }
        let key = self.read_raw(slot)?;
        Ok(key.iter().any(|b| *b != 0).then_some(key))
    }

    /// Zeroes `slot` in place and syncs the file: its key is gone.
    pub fn erase(&mut self, slot: u32) -> Result<(), StoreError> {
        if slot >= self.slots {
            return Ok(());
        }
        self.write_slot(slot, &ZEROS)?;
        self.sync()?;
        self.free.insert(slot);
        Ok(())
    }

    fn read_raw(&self, slot: u32) -> Result<RecordKey, StoreError> {
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        let length = self
            .file
            .metadata()
            .map_err(|e| io_error(&self.path, "read the size of", e))?
            .len();
        // A partial last slot reads as far as it goes; the rest counts as zero.
        let available = length.saturating_sub(offset(slot)).min(KEY_BYTES as u64) as usize;
        self.file
            .read_exact_at(&mut key[..available], offset(slot))
            .map_err(|e| io_error(&self.path, "read", e))?;
        Ok(key)
    }

    fn write_slot(&self, slot: u32, bytes: &[u8; KEY_BYTES]) -> Result<(), StoreError> {
        self.file
            .write_all_at(bytes, offset(slot))
            .map_err(|e| io_error(&self.path, "write", e))
    }

    /// `fdatasync`: the slot's bytes (and a grown file's size) are on stable storage.
    pub fn sync(&self) -> Result<(), StoreError> {
        self.file
            .sync_data()
            .map_err(|e| io_error(&self.path, "sync", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> RecordKey {
        Zeroizing::new([byte; KEY_BYTES])
    }

    #[test]
    fn slots_are_reused_lowest_first_and_erased_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let mut ring = Keyring::open(&path, &HashSet::new()).unwrap();
        assert_eq!(ring.store(&key(1)).unwrap(), 0);
        assert_eq!(ring.store(&key(2)).unwrap(), 1);
        assert_eq!(ring.store(&key(3)).unwrap(), 2);
        ring.erase(1).unwrap();
        assert_eq!(ring.key(1).unwrap(), None);
        assert_eq!(std::fs::read(&path).unwrap().len(), 3 * KEY_BYTES);
        assert_eq!(
            &std::fs::read(&path).unwrap()[KEY_BYTES..2 * KEY_BYTES],
            &[0; KEY_BYTES]
        );
        assert_eq!(ring.store(&key(4)).unwrap(), 1);
        assert_eq!(ring.key(1).unwrap().as_deref(), Some(&[4; KEY_BYTES]));
        assert_eq!(ring.in_use(), 3);
    }

    #[test]
    fn opening_zeroes_every_slot_no_record_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        {
            let mut ring = Keyring::open(&path, &HashSet::new()).unwrap();
            for byte in 1..=3 {
                ring.store(&key(byte)).unwrap();
            }
        }
        // A crash after slot 1's record was replaced but before its key was zeroed.
        let ring = Keyring::open(&path, &HashSet::from([0, 2])).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..KEY_BYTES], &[1; KEY_BYTES]);
        assert_eq!(&bytes[KEY_BYTES..2 * KEY_BYTES], &[0; KEY_BYTES]);
        assert_eq!(&bytes[2 * KEY_BYTES..], &[3; KEY_BYTES]);
        assert_eq!(ring.in_use(), 2);
    }

    #[test]
    fn a_torn_last_slot_is_zeroed_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        std::fs::write(&path, [[7u8; KEY_BYTES].as_slice(), &[9u8; 5]].concat()).unwrap();
        let mut ring = Keyring::open(&path, &HashSet::from([0])).unwrap();
        assert_eq!(std::fs::read(&path).unwrap().len(), 2 * KEY_BYTES);
        assert_eq!(ring.key(1).unwrap(), None);
        assert_eq!(ring.store(&key(5)).unwrap(), 1);
    }
}
