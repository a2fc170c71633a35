//! The entries file across crashes, damage and upgrades: what was never counted durable is
//! cut off, what was counted must be there whole, and a store of the earlier layout moves
//! its entries into the file.

use std::os::unix::fs::FileExt;

use super::entry_file::MAGIC;
use super::sled_store::ENTRIES_FILE;
use super::{Append, SledStore, Store, StoreError};
use crate::log::merkle;

/// Appends `entries` at `first` as the writer does: with their leaf hashes, the stored
/// hashes they complete and the root of the log with them.
pub(super) fn try_append(
    store: &SledStore,
    first: u64,
    entries: &[Vec<u8>],
) -> Result<(), StoreError> {
    let mut frontier = merkle::Frontier::new();
    for item in store.scan(0).take(first as usize) {
        frontier.append(&item?.1);
    }
    let (mut leaves, mut hashes) = (Vec::new(), Vec::new());
    for entry in entries {
        let completed = frontier.append(entry);
        leaves.push(completed[0].1);
        hashes.extend(
            completed
                .into_iter()
                .filter(|(id, _)| merkle::is_stored(*id)),
        );
    }
    store.append(Append {
        first_sequence: first,
        entries,
        leaves: &leaves,
        hashes: &hashes,
        root: frontier.root(),
    })
}

fn append(store: &SledStore, first: u64, entries: &[Vec<u8>]) {
    try_append(store, first, entries).unwrap();
}

/// The store's sled database, opened behind its back. A store just dropped may hold sled's
/// lock for a moment more (its flusher thread), so the open is tried again for a while.
fn sled_db(path: &std::path::Path) -> sled::Db {
    for _ in 0..200 {
        match sled::open(path) {
            Ok(db) => return db,
            Err(sled::Error::Io(e)) if e.to_string().contains("lock") => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(other) => panic!("{other}"),
        }
    }
    panic!("sled's lock on {} was not released", path.display())
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
    let db = sled_db(path);
    let log = db.open_tree("log").unwrap();
    let old = log.get(b"n").unwrap().unwrap();
    assert_eq!(old.len(), 40, "the count, then the root");
    let mut value = old.to_vec();
    value[..8].copy_from_slice(&count.to_be_bytes());
    log.insert(b"n", value).unwrap();
    db.flush().unwrap();
    u64::from_be_bytes(old[..8].try_into().unwrap())
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

/// A store as the earlier layout wrote it: every entry in sled under `e` + sequence, a key
/// per entry indexing its leaf hash, the stored tree hashes.
fn earlier_layout(path: &std::path::Path, written: &[Vec<u8>]) {
    let db = sled_db(path);
    let log = db.open_tree("log").unwrap();
    let mut frontier = merkle::Frontier::new();
    for (sequence, entry) in (0u64..).zip(written) {
        for (id, hash) in frontier.append(entry) {
            if merkle::is_stored(id) {
                let mut key = vec![b'h', id.level];
                key.extend_from_slice(&id.index.to_be_bytes());
                log.insert(key, &hash[..]).unwrap();
            }
        }
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
            store.log.scan_prefix([b'l']).count(),
            0,
            "no index key left in sled"
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

/// Changes the bytes of entry `sequence` (each frame: 8 bytes of header, `size` of entry)
/// and rewrites its checksum to match, as damage the checksum cannot see would.
fn rewrite_entry(path: &std::path::Path, sequence: u64, size: u64) {
    let file = path.join(ENTRIES_FILE);
    let handle = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&file)
        .unwrap();
    let frame = MAGIC.len() as u64 + sequence * (8 + size);
    let mut entry = vec![0u8; size as usize];
    handle.read_exact_at(&mut entry, frame + 8).unwrap();
    entry[size as usize - 1] ^= 1;
    handle.write_all_at(&entry, frame + 8).unwrap();
    handle
        .write_all_at(&crc32fast::hash(&entry).to_le_bytes(), frame + 4)
        .unwrap();
}

#[test]
fn an_entry_changed_with_a_matching_checksum_is_refused_by_the_recorded_root() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(dir.path()).unwrap();
        let written = entries(5, 40);
        append(&store, 0, &written[..3]);
        store.flush().unwrap();
        append(&store, 3, &written[3..]);
        store.flush().unwrap();
    }
    rewrite_entry(dir.path(), 3, 40);
    let why = corrupt(SledStore::open(dir.path()));
    assert!(
        why.contains("5 entries") && why.contains("root recorded"),
        "{why}"
    );
    rewrite_entry(dir.path(), 3, 40);
    drop(SledStore::open(dir.path()).unwrap());
}

#[test]
fn an_entry_under_a_stored_tree_hash_changed_is_refused_with_its_range() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(dir.path()).unwrap();
        append(&store, 0, &entries(300, 40));
        store.flush().unwrap();
    }
    rewrite_entry(dir.path(), 100, 40);
    let why = corrupt(SledStore::open(dir.path()));
    assert!(
        why.contains("entries 0..=255") && why.contains("level 8, index 0"),
        "{why}"
    );
}

/// A store as the layout before the recorded root left it: `written` durable, a key per
/// entry indexing its leaf hash (both of that layout's forms), a count without a root.
/// Returns the root the store recorded before it was turned back.
fn layout_before_the_root(path: &std::path::Path, written: &[Vec<u8>]) -> Vec<u8> {
    let root = {
        let store = SledStore::open(path).unwrap();
        append(&store, 0, written);
        store.flush().unwrap();
        store.log.get(b"n").unwrap().unwrap()[8..].to_vec()
    };
    let db = sled_db(path);
    let log = db.open_tree("log").unwrap();
    for (sequence, entry) in (0u64..).zip(written) {
        let mut index = vec![b'l'];
        if sequence == 7 {
            // The layout before that: the whole leaf hash as the key.
            index.extend_from_slice(&merkle::leaf_hash(entry));
            log.insert(index, &sequence.to_be_bytes()[..]).unwrap();
            continue;
        }
        index.extend_from_slice(&merkle::leaf_hash(entry)[..8]);
        index.extend_from_slice(&sequence.to_be_bytes());
        log.insert(index, &[][..]).unwrap();
    }
    log.insert(b"n", &(written.len() as u64).to_be_bytes()[..])
        .unwrap();
    db.flush().unwrap();
    root
}

#[test]
fn a_store_of_the_layout_before_the_root_checks_its_tail_against_its_index_keys() {
    let dir = tempfile::tempdir().unwrap();
    layout_before_the_root(dir.path(), &entries(600, 40));
    // No checkpoint: every entry is past the latest one. The last (in no stored tree hash)
    // rewritten with a matching checksum.
    rewrite_entry(dir.path(), 599, 40);
    let why = corrupt(SledStore::open(dir.path()));
    assert!(
        why.contains("entry 599") && why.contains("past the latest signed checkpoint (0)"),
        "{why}"
    );
    // Nothing was migrated: the count is still the old one, the keys are there.
    let db = sled_db(dir.path());
    let log = db.open_tree("log").unwrap();
    assert_eq!(log.get(b"n").unwrap().unwrap().len(), 8);
    assert_eq!(log.scan_prefix([b'l']).count(), 600);
}

#[test]
fn a_removal_of_index_keys_cut_short_is_finished_by_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let written = entries(300, 40);
    layout_before_the_root(dir.path(), &written);
    drop(SledStore::open(dir.path()).unwrap());
    // As if the process died after recording the root, with keys not yet removed.
    {
        let db = sled_db(dir.path());
        let log = db.open_tree("log").unwrap();
        for sequence in [3u64, 200] {
            let mut index = vec![b'l'];
            index.extend_from_slice(&merkle::leaf_hash(&written[sequence as usize])[..8]);
            index.extend_from_slice(&sequence.to_be_bytes());
            log.insert(index, &[][..]).unwrap();
        }
        db.flush().unwrap();
    }
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(store.log.scan_prefix([b'l']).count(), 0);
    assert_eq!(store.log.get(b"n").unwrap().unwrap().len(), 40);
}

#[test]
fn a_count_damaged_low_is_refused_before_anything_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(dir.path()).unwrap();
        append(&store, 0, &entries(5, 40));
        store.flush().unwrap();
    }
    let file = dir.path().join(ENTRIES_FILE);
    let before = std::fs::read(&file).unwrap();
    set_count(dir.path(), 3);
    let why = corrupt(SledStore::open(dir.path()));
    assert!(why.contains("root recorded"), "{why}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the file is untouched"
    );
    assert!(
        !dir.path()
            .join(format!("{ENTRIES_FILE}.unacknowledged-3"))
            .exists()
    );
    set_count(dir.path(), 5);
    assert_eq!(SledStore::open(dir.path()).unwrap().len().unwrap(), 5);
}

#[test]
fn a_tree_hash_left_by_a_group_cut_off_is_written_again_by_the_entries_that_follow() {
    let dir = tempfile::tempdir().unwrap();
    let first = entries(200, 40);
    {
        let store = SledStore::open(dir.path()).unwrap();
        append(&store, 0, &first);
        store.flush().unwrap();
        // A group that completes the first 256 entries' hash, never made durable.
        let mut lost = entries(100, 40);
        for entry in &mut lost {
            entry[0] = b'L';
        }
        append(&store, 200, &lost);
    }
    {
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.len().unwrap(), 200);
        // Other entries complete it now.
        let mut next = entries(100, 40);
        for entry in &mut next {
            entry[0] = b'N';
        }
        append(&store, 200, &next);
        store.flush().unwrap();
    }
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(store.len().unwrap(), 300);
    let kept = std::fs::read(
        dir.path()
            .join(format!("{ENTRIES_FILE}.unacknowledged-200")),
    );
    assert_eq!(kept.unwrap().len(), 100 * 48);
}

#[test]
fn a_store_whose_count_has_no_root_drops_its_index_keys_and_records_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let written = entries(600, 40);
    let root = layout_before_the_root(dir.path(), &written);
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(store.log.scan_prefix([b'l']).count(), 0);
    let recorded = store.log.get(b"n").unwrap().unwrap();
    assert_eq!(&recorded[..8], &600u64.to_be_bytes());
    assert_eq!(&recorded[8..], root.as_slice());
    for sequence in [0, 7, 599] {
        assert_eq!(
            store
                .leaf_index(&merkle::leaf_hash(&written[sequence as usize]))
                .unwrap(),
            Some(sequence)
        );
    }
}

#[test]
fn a_second_cut_at_the_same_count_keeps_the_first_copy() {
    let dir = tempfile::tempdir().unwrap();
    let written = entries(5, 40);
    let cut_twice = |tail: &[Vec<u8>]| {
        let store = SledStore::open(dir.path()).unwrap();
        append(&store, 3, tail);
    };
    {
        let store = SledStore::open(dir.path()).unwrap();
        append(&store, 0, &written[..3]);
        store.flush().unwrap();
    }
    cut_twice(&written[3..]);
    cut_twice(&written[3..4]);
    drop(SledStore::open(dir.path()).unwrap());
    let kept = |name: &str| std::fs::read(dir.path().join(name)).unwrap().len();
    assert_eq!(kept(&format!("{ENTRIES_FILE}.unacknowledged-3")), 2 * 48);
    assert_eq!(kept(&format!("{ENTRIES_FILE}.unacknowledged-3.2")), 48);
}
