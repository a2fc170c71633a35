//! The default store: sled, embedded in the data directory, nothing to install.

use std::path::Path;

use super::{EntryIter, Store, StoreError};

/// The log in one sled tree, keyed by big-endian sequence number, so one `Batch` (atomic in
/// sled) holds a whole group commit.
pub struct SledStore {
    db: sled::Db,
    log: sled::Tree,
}

fn io(error: sled::Error) -> StoreError {
    match error {
        sled::Error::Corruption { .. } => StoreError::Corrupt(error.to_string()),
        other => StoreError::Io(other.to_string()),
    }
}

impl SledStore {
    /// Opens (or creates) the store in `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = sled::Config::new()
            .path(path)
            // Durability comes from the writer's explicit flush; no background flusher needed.
            .flush_every_ms(None)
            .open()
            .map_err(io)?;
        let log = db.open_tree("log").map_err(io)?;
        Ok(Self { db, log })
    }
}

impl Store for SledStore {
    fn len(&self) -> Result<u64, StoreError> {
        match self.log.last().map_err(io)? {
            None => Ok(0),
            Some((key, _)) => {
                let key: [u8; 8] = key.as_ref().try_into().map_err(|_| {
                    StoreError::Corrupt(format!("log key of {} bytes, expected 8", key.len()))
                })?;
                Ok(u64::from_be_bytes(key) + 1)
            }
        }
    }

    fn append(&self, first_sequence: u64, entries: &[Vec<u8>]) -> Result<(), StoreError> {
        let log_size = self.len()?;
        if first_sequence != log_size {
            return Err(StoreError::OutOfOrder {
                requested: first_sequence,
                log_size,
            });
        }
        let mut batch = sled::Batch::default();
        for (offset, entry) in (first_sequence..).zip(entries) {
            batch.insert(&offset.to_be_bytes(), entry.as_slice());
        }
        self.log.apply_batch(batch).map_err(io)
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(io)
    }

    fn entry(&self, sequence: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .log
            .get(sequence.to_be_bytes())
            .map_err(io)?
            .map(|v| v.to_vec()))
    }

    fn scan(&self, first_sequence: u64) -> EntryIter<'_> {
        let mut expected = first_sequence;
        Box::new(
            self.log
                .range(first_sequence.to_be_bytes()..)
                .map(move |item| {
                    let (key, value) = item.map_err(io)?;
                    let sequence = <[u8; 8]>::try_from(key.as_ref())
                        .map(u64::from_be_bytes)
                        .map_err(|_| StoreError::Corrupt("log key is not 8 bytes".into()))?;
                    if sequence != expected {
                        return Err(StoreError::Corrupt(format!(
                            "log has a gap: expected entry {expected}, found {sequence}"
                        )));
                    }
                    expected += 1;
                    Ok((sequence, value.to_vec()))
                }),
        )
    }

    fn size_on_disk(&self) -> Option<u64> {
        self.db.size_on_disk().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_is_positional_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = SledStore::open(dir.path()).unwrap();
            store.append(0, &[b"a".to_vec(), b"b".to_vec()]).unwrap();
            assert!(matches!(
                store.append(5, &[b"x".to_vec()]),
                Err(StoreError::OutOfOrder {
                    requested: 5,
                    log_size: 2
                })
            ));
            store.flush().unwrap();
        }
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.len().unwrap(), 2);
        assert_eq!(store.entry(1).unwrap().as_deref(), Some(&b"b"[..]));
        let all: Vec<_> = store.scan(0).map(Result::unwrap).collect();
        assert_eq!(all, vec![(0, b"a".to_vec()), (1, b"b".to_vec())]);
    }
}
