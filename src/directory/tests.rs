//! The directory on its own: revisions, idempotent resends, erasure that leaves no key and no
//! clear name on disk, recovery of an interrupted erasure, and damaged records.

use super::*;
use crate::ledger::{HouseholdId, MemberId};
use crate::testkit::on_disk;

fn household(id: &str) -> Subject {
    Subject::Household(HouseholdId::parse("household_id", id).unwrap())
}

fn change(subject: &Subject, revision: u64, kind: ChangeKind, tag: u8) -> Change {
    Change {
        subject: subject.clone(),
        revision,
        kind,
        reason: format!("change {tag}"),
        signer: KeyId([9; 16]),
        body_hash: [tag; 32],
    }
}

fn set(subject: &Subject, revision: u64, name: &str, tag: u8) -> Change {
    change(subject, revision, ChangeKind::Set(name.into(), None), tag)
}

fn refusal(result: Result<Record, DirectoryError>) -> DirectoryRefusal {
    match result {
        Err(DirectoryError::Refused(refusal)) => refusal,
        other => panic!("expected a directory refusal, got {other:?}"),
    }
}

/// Runs `work` on the directory's open stores.
fn inside<T>(directory: &Directory, work: impl FnOnce(&mut Open) -> T) -> T {
    work(directory.lock().as_mut().unwrap())
}

fn key_of(directory: &Directory, subject: &Subject) -> RecordKey {
    inside(directory, |open| {
        let slot = open.stored(subject).unwrap().unwrap().slot().unwrap();
        open.keyring.key(slot).unwrap().unwrap()
    })
}

const NOW: UnixMs = UnixMs(1_790_000_000_000);
const LEDGER: LedgerId = LedgerId([5; 16]);

/// A new directory in `dir/directory`, created and opened.
fn fresh(dir: &tempfile::TempDir) -> Directory {
    let path = dir.path().join("directory");
    Directory::create(&path, &LEDGER).unwrap();
    reopen(dir)
}

fn reopen(dir: &tempfile::TempDir) -> Directory {
    Directory::open(&dir.path().join("directory"), &LEDGER).unwrap()
}

#[test]
fn a_record_is_set_corrected_and_erased_by_revision() {
    let dir = tempfile::tempdir().unwrap();
    let directory = fresh(&dir);
    let h = household("hh-001");
    let absent = directory.records(std::slice::from_ref(&h)).unwrap();
    assert_eq!(absent[0].state, RecordState::Absent);
    assert_eq!(absent[0].revision, 0);

    let first = directory.apply(&set(&h, 0, "张建国户", 1), NOW).unwrap();
    assert_eq!(
        (first.state, first.revision, first.display_name.as_deref()),
        (RecordState::Present, 1, Some("张建国户"))
    );
    assert_eq!(first.last_change.as_ref().unwrap().reason, "change 1");
    // A change of an old revision is refused and changes nothing.
    assert_eq!(
        refusal(directory.apply(&set(&h, 0, "其他", 2), NOW)),
        DirectoryRefusal::RevisionMismatch {
            subject: h.clone(),
            current: 1,
            found: 0
        }
    );
    // The same signed change again is answered with the record, not applied twice.
    assert_eq!(
        directory.apply(&set(&h, 0, "张建国户", 1), NOW).unwrap(),
        first
    );
    let corrected = directory.apply(&set(&h, 1, "张建华户", 3), NOW).unwrap();
    assert_eq!(corrected.revision, 2);
    assert_eq!(corrected.display_name.as_deref(), Some("张建华户"));
    assert_eq!(directory.keys_in_use(), 1);

    let erased = directory
        .apply(&change(&h, 2, ChangeKind::Erase, 4), NOW)
        .unwrap();
    assert_eq!((erased.state, erased.revision), (RecordState::Erased, 3));
    assert_eq!(erased.display_name, None);
    assert_eq!(erased.last_change.unwrap().reason, "change 4");
    assert_eq!(directory.keys_in_use(), 0);
    assert_eq!(
        refusal(directory.apply(&change(&h, 3, ChangeKind::Erase, 5), NOW)),
        DirectoryRefusal::AlreadyErased {
            subject: h.clone(),
            revision: 3
        }
    );
    let m = Subject::Member(MemberId([4; 16]));
    assert_eq!(
        refusal(directory.apply(&change(&m, 0, ChangeKind::Erase, 6), NOW)),
        DirectoryRefusal::NoRecord { subject: m }
    );
    // A name may be set again after an erasure; the revision goes on.
    let again = directory.apply(&set(&h, 3, "张建华户", 7), NOW).unwrap();
    assert_eq!((again.state, again.revision), (RecordState::Present, 4));
    // Closed (at shutdown): every call is refused as unavailable.
    directory.close();
    assert!(matches!(
        directory.records(&[h]),
        Err(DirectoryError::Unavailable(_))
    ));
}

#[test]
fn names_never_reach_the_disk_in_clear_and_a_replaced_or_erased_key_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let directory = fresh(&dir);
    let (h, m) = (household("hh-007"), Subject::Member(MemberId([7; 16])));
    let first_name = "李秀英-marker-one";
    directory.apply(&set(&h, 0, first_name, 1), NOW).unwrap();
    directory.apply(&set(&m, 0, "王小明", 2), NOW).unwrap();
    let first_key = key_of(&directory, &h);
    let member_key = key_of(&directory, &m);
    assert!(!on_disk(dir.path(), first_name.as_bytes()));
    assert!(on_disk(dir.path(), first_key.as_slice()));

    // A correction replaces the key: the old one is zeroed on disk.
    directory
        .apply(&set(&h, 1, "李秀英-marker-two", 3), NOW)
        .unwrap();
    let second_key = key_of(&directory, &h);
    assert!(!on_disk(dir.path(), first_key.as_slice()));
    assert!(on_disk(dir.path(), second_key.as_slice()));

    // An erasure zeroes the key; the other record is untouched.
    directory
        .apply(&change(&h, 2, ChangeKind::Erase, 4), NOW)
        .unwrap();
    drop(directory);
    assert!(!on_disk(dir.path(), second_key.as_slice()));
    assert!(!on_disk(dir.path(), b"marker"));
    assert!(on_disk(dir.path(), member_key.as_slice()));
    let directory = reopen(&dir);
    let records = directory.records(&[h, m]).unwrap();
    assert_eq!(records[0].state, RecordState::Erased);
    assert_eq!(records[1].display_name.as_deref(), Some("王小明"));
}

#[test]
fn opening_finishes_an_erasure_a_crash_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let h = household("hh-1");
    let directory = fresh(&dir);
    directory.apply(&set(&h, 0, "name", 1), NOW).unwrap();
    let key = key_of(&directory, &h);
    // The crash: the erasure's record is synced, but the key was not zeroed yet.
    let stored = Stored {
        revision: 2,
        changed_at_unix_ms: NOW.0,
        changed_by: vec![9; 16],
        change_hash: vec![2; 32],
        held: Some(Held::ErasureReason("erased".into())),
        near_key: Vec::new(),
    };
    inside(&directory, |open| {
        open.records
            .insert(subject_key(&h), stored.encode_to_vec())
            .unwrap();
        open.db.sync().unwrap();
    });
    drop(directory);
    assert!(on_disk(dir.path(), key.as_slice()));

    let directory = reopen(&dir);
    assert!(!on_disk(dir.path(), key.as_slice()));
    assert_eq!(directory.keys_in_use(), 0);
    assert_eq!(
        directory.records(&[h]).unwrap()[0].state,
        RecordState::Erased
    );
}

#[test]
fn a_record_whose_key_is_lost_or_whose_bytes_moved_reads_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (household("hh-a"), household("hh-b"));
    let directory = fresh(&dir);
    directory.apply(&set(&a, 0, "甲", 1), NOW).unwrap();
    directory.apply(&set(&b, 0, "乙", 2), NOW).unwrap();
    // Another record's bytes under this subject: the associated data does not match.
    inside(&directory, |open| {
        let moved = open.records.get(subject_key(&a)).unwrap().unwrap();
        open.records.insert(subject_key(&b), moved).unwrap();
    });
    assert!(matches!(
        directory.records(std::slice::from_ref(&b)),
        Err(DirectoryError::Refused(DirectoryRefusal::Damaged { .. }))
    ));
    // A key zeroed behind the directory's back.
    inside(&directory, |open| {
        let slot = open.stored(&a).unwrap().unwrap().slot().unwrap();
        open.keyring.erase(slot).unwrap();
    });
    assert_eq!(
        directory
            .records(std::slice::from_ref(&a))
            .unwrap_err()
            .to_string(),
        DirectoryRefusal::Damaged {
            subject: a,
            revision: 1
        }
        .to_string()
    );
}

#[test]
fn a_missing_or_foreign_directory_or_a_truncated_keyring_is_refused_not_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("directory");
    assert!(matches!(
        Directory::open(&path, &LEDGER),
        Err(StoreError::Corrupt(_))
    ));
    assert!(!path.exists(), "opening created a directory");
    let directory = fresh(&dir);
    directory
        .apply(&set(&household("hh-1"), 0, "name", 1), NOW)
        .unwrap();
    drop(directory);
    assert!(Directory::create(&path, &LEDGER).is_err());
    let other = Directory::open(&path, &LedgerId([6; 16])).err().unwrap();
    assert!(other.to_string().contains("not to this ledger"), "{other}");
    // The record names slot 0; a keyring emptied behind the directory's back is refused.
    std::fs::write(path.join("keys"), b"").unwrap();
    let truncated = Directory::open(&path, &LEDGER).err().unwrap();
    assert!(truncated.to_string().contains("truncated"), "{truncated}");
}

#[test]
fn an_export_pages_through_every_record_and_imports_into_a_new_directory_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let directory = fresh(&dir);
    let subjects: Vec<Subject> = (0..5)
        .map(|n| household(&format!("hh-{n:03}")))
        .chain([Subject::Member(MemberId([3; 16]))])
        .collect();
    for (tag, subject) in (1..).zip(&subjects) {
        directory
            .apply(&set(subject, 0, &format!("名字{tag}"), tag), NOW)
            .unwrap();
    }
    // One corrected, one erased.
    directory
        .apply(&set(&subjects[1], 1, "改名", 40), NOW)
        .unwrap();
    directory
        .apply(&change(&subjects[2], 1, ChangeKind::Erase, 41), NOW)
        .unwrap();

    let mut pages = Vec::new();
    let mut after = Vec::new();
    loop {
        let page = directory.export(&after, 2).unwrap();
        assert!(page.records.len() <= 2);
        pages.push(page.records.len());
        after = match page.next {
            Some(next) => next,
            None => break,
        };
    }
    assert_eq!(pages.iter().sum::<usize>(), subjects.len());
    let all = directory.export(&[], MAX_RECORDS_PER_PAGE).unwrap();
    assert!(all.next.is_none());
    assert_eq!(all.records.len(), subjects.len());
    let erased: Vec<_> = all
        .records
        .iter()
        .filter(|e| e.record.state == RecordState::Erased)
        .collect();
    assert_eq!(erased.len(), 1);
    assert_eq!(erased[0].record.subject, subjects[2]);
    assert_eq!(erased[0].change_hash, [41; 32]);

    // Into a new directory: the same records, each under a new key.
    let other = tempfile::tempdir().unwrap();
    let imported = fresh(&other);
    imported.import(&all.records).unwrap();
    assert_eq!(
        imported.records(&subjects).unwrap(),
        directory.records(&subjects).unwrap()
    );
    assert_ne!(
        key_of(&imported, &subjects[0]),
        key_of(&directory, &subjects[0])
    );
    assert_eq!(imported.keys_in_use(), 5);
    // The resend of the last change is recognized; another change of an old revision is not.
    let again = imported
        .apply(&set(&subjects[1], 1, "改名", 40), NOW)
        .unwrap();
    assert_eq!(again.revision, 2);
    assert_eq!(
        refusal(imported.apply(&set(&subjects[1], 1, "又改", 42), NOW)),
        DirectoryRefusal::RevisionMismatch {
            subject: subjects[1].clone(),
            current: 2,
            found: 1,
        }
    );
    // It survives reopening, and an import never overwrites a record.
    drop(imported);
    let reopened = Directory::open(&other.path().join("directory"), &LEDGER).unwrap();
    assert_eq!(
        reopened.records(&subjects).unwrap(),
        directory.records(&subjects).unwrap()
    );
    let why = reopened.import(&all.records[..1]).unwrap_err().to_string();
    assert!(why.contains("already holds a record"), "{why}");
}
