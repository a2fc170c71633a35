//! The entries file across crashes, damage and upgrades: what was never counted durable is
//! cut off, what was counted must be there whole, and a store of the earlier layout moves
//! its entries into the file.

use std::os::unix::fs::FileExt;

use super::entry_file::MAGIC;
use super::sled_store::ENTRIES_FILE;
use super::{Append, SledStore, Store, StoreError};
use crate::log::merkle;

fn append(store: &SledStore, first: u64, entries: &[Vec<u8>]) {
    let leaves: Vec<_> = entries.iter().map(|e| merkle::leaf_hash(e)).collect();
    store
        .append(Append {
            first_sequence: first,
            entries,
            leaves: &leaves,
            hashes: &[],
        })
        .unwrap();
}

fn entries(count: u64, size: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| {
            let mut entry = format!("entry {i} ").into_bytes();
            entry.resize(size.max(entry.len()), b'.');
            entry
        })
        .collect()
}

fn all(store: &SledStore) -> Vec<Vec<u8>> {
    store.scan(0).map(|item| item.unwrap().1).collect()
}

/// Sets the store's count of durable entries behind its back; returns the one it replaced.
fn set_count(path: &std::path::Path, count: u64) -> u64 {
    let db = sled::open(path).unwrap();
    let log = db.open_tree("log").unwrap();
    let old = log.insert(b"n", &count.to_be_bytes()[..]).unwrap().unwrap();
    db.flush().unwrap();
    u64::from_be_bytes(old.as_ref().try_into().unwrap())
}

fn corrupt(opened: Result<SledStore, StoreError>) -> String {
    match opened {
        Err(StoreError::Corrupt(why)) => why,
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("a damaged store was opened"),
    }
}

#[test]
fn entries_never_counted_durable_are_cut_off_when_the_store_opens() {
    let dir = tempfile::tempdir().unwrap();
    let written = entries(5, 40);
    {
        let store = SledStore::open(dir.path()).unwrap();
        append(&store, 0, &written[..3]);
        store.flush().unwrap();
        // A group written but not flushed, as when the process dies before its sync.
        append(&store, 3, &written[3..]);
        assert_eq!(store.len().unwrap(), 5);
    }
    // And half a frame after it, as a write torn by a power cut.
    let file = dir.path().join(ENTRIES_FILE);
    let length = std::fs::metadata(&file).unwrap().len();
    let handle = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
    handle.write_all_at(&[9, 0, 0, 0, 1], length).unwrap();
    drop(handle);

    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(store.len().unwrap(), 3);
    assert_eq!(all(&store), written[..3]);
    // What was cut off is kept beside the file, never destroyed.
    let kept = std::fs::read(dir.path().join(format!("{ENTRIES_FILE}.unacknowledged-3"))).unwrap();
    assert_eq!(kept.len(), 2 * (8 + 40) + 5);
    assert_eq!(&kept[8..48], written[3].as_slice());
    assert_eq!(std::fs::metadata(&file).unwrap().len(), length - 2 * 48);
    assert_eq!(store.entry(3).unwrap(), None);
    // The leaf-index key of a cut-off entry finds nothing.
    assert_eq!(
        store.leaf_index(&merkle::leaf_hash(&written[3])).unwrap(),
        None
    );
    append(&store, 3, &written[3..4]);
    store.flush().unwrap();
    drop(store);
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(all(&store), written[..4]);
    assert_eq!(
        store.leaf_index(&merkle::leaf_hash(&written[3])).unwrap(),
        Some(3)
    );
}

#[test]
fn a_file_missing_counted_entries_or_failing_a_checksum_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(dir.path()).unwrap();
        append(&store, 0, &entries(3, 40));
        store.flush().unwrap();
    }
    let file = dir.path().join(ENTRIES_FILE);
    let length = std::fs::metadata(&file).unwrap().len();

    // A byte flipped inside entry 1 (each frame: 8 bytes of header, 40 of entry).
    let handle = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&file)
        .unwrap();
    let inside_entry_1 = MAGIC.len() as u64 + 48 + 8 + 20;
    let mut byte = [0u8];
    handle.read_exact_at(&mut byte, inside_entry_1).unwrap();
    handle.write_all_at(&[byte[0] ^ 1], inside_entry_1).unwrap();
    let why = corrupt(SledStore::open(dir.path()));
    assert!(why.contains("entry 1 does not match its checksum"), "{why}");
    handle.write_all_at(&byte, inside_entry_1).unwrap();
    drop(SledStore::open(dir.path()).unwrap());

    // The last entry lost.
    handle.set_len(length - 10).unwrap();
    let why = corrupt(SledStore::open(dir.path()));
    assert!(
        why.contains("ends inside entry 2") && why.contains("counts 3 entries"),
        "{why}"
    );

    // A count of entries larger than the file could hold (a damaged count).
    let saved = set_count(dir.path(), 1 << 61);
    let why = corrupt(SledStore::open(dir.path()));
    assert!(
        why.contains("2305843009213693952 entries") && why.contains("at most"),
        "{why}"
    );
    set_count(dir.path(), saved);

    // A file of a later layout.
    let mut later = *MAGIC;
    later[MAGIC.len() - 1] = 2;
    handle.write_all_at(&later, 0).unwrap();
    let why = corrupt(SledStore::open(dir.path()));
    assert!(why.contains("version 2"), "{why}");
}

#[test]
fn a_missing_entries_file_is_refused_and_not_created_again() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(dir.path()).unwrap();
        append(&store, 0, &entries(2, 40));
        store.flush().unwrap();
    }
    let file = dir.path().join(ENTRIES_FILE);
    std::fs::remove_file(&file).unwrap();
    let why = corrupt(SledStore::open(dir.path()));
    assert!(
        why.contains("is missing") && why.contains("counts 2 entries"),
        "{why}"
    );
    assert!(!file.exists());
}

#[test]
fn entries_larger_than_a_read_are_scanned_and_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let written = vec![
        vec![1u8; 10],
        vec![2u8; 1_500_000],
        vec![3u8; 20],
        vec![4u8; 3_000_000],
    ];
    {
        let store = SledStore::open(dir.path()).unwrap();
        append(&store, 0, &written);
        store.flush().unwrap();
        assert_eq!(all(&store), written);
    }
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(all(&store), written);
    let from_two: Vec<_> = store.scan(2).map(|item| item.unwrap()).collect();
    assert_eq!(
        from_two,
        vec![(2, written[2].clone()), (3, written[3].clone())]
    );
    assert_eq!(store.entry(1).unwrap().as_ref(), Some(&written[1]));
    assert_eq!(store.entry(4).unwrap(), None);
    assert_eq!(store.scan(9).count(), 0);
}

/// A store as the earlier layout wrote it: every entry in sled under `e` + sequence.
fn earlier_layout(path: &std::path::Path, written: &[Vec<u8>]) {
    let db = sled::open(path).unwrap();
    let log = db.open_tree("log").unwrap();
    for (sequence, entry) in (0u64..).zip(written) {
        let mut key = vec![b'e'];
        key.extend_from_slice(&sequence.to_be_bytes());
        log.insert(key, entry.as_slice()).unwrap();
        let mut index = vec![b'l'];
        index.extend_from_slice(&merkle::leaf_hash(entry)[..8]);
        index.extend_from_slice(&sequence.to_be_bytes());
        log.insert(index, &[][..]).unwrap();
    }
    db.flush().unwrap();
}

#[test]
fn a_store_of_the_earlier_layout_moves_its_entries_into_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let written = entries(5_000, 60);
    earlier_layout(dir.path(), &written);
    // A move cut short before: a file holding part of the entries, and garbage.
    std::fs::write(
        dir.path().join(ENTRIES_FILE),
        [MAGIC.as_slice(), b"half a move"].concat(),
    )
    .unwrap();
    {
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.len().unwrap(), 5_000);
        assert_eq!(all(&store), written);
        assert_eq!(
            store.log.scan_prefix([b'e']).count(),
            0,
            "no entry left in sled"
        );
        assert_eq!(
            store
                .leaf_index(&merkle::leaf_hash(&written[4_321]))
                .unwrap(),
            Some(4_321)
        );
        append(&store, 5_000, &entries(1, 60));
        store.flush().unwrap();
    }
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(store.len().unwrap(), 5_001);
    assert_eq!(store.entry(4_999).unwrap().as_ref(), Some(&written[4_999]));
}
