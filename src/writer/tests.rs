//! The writer against a store that fails or waits on demand: group commit, reads off the
//! writer, fail-stop on a failed flush or append, and the checkpoint copy.

use std::sync::atomic::{AtomicBool, Ordering};

use std::sync::Arc;

use super::*;
use crate::client::{Signer, new_body};
use crate::crypto::KeyFile;
use crate::genesis;
use crate::ledger::LedgerParameters;
use crate::log::merkle::SubtreeId;
use crate::pb::points as pb;
use crate::pb::points::transaction_body::Operation;
use crate::store::{Append, Store};
use crate::store::{EntryIter, SledStore};

/// A store whose appends or flushes fail on demand, whose flush can be held at a gate,
/// and which counts flushes.
struct TestStore {
    inner: SledStore,
    fail_append: AtomicBool,
    fail_flush: AtomicBool,
    gate: std::sync::Mutex<()>,
    flushes: std::sync::atomic::AtomicU64,
    flush_started: AtomicBool,
}

impl TestStore {
    fn open(dir: &std::path::Path) -> Self {
        Self {
            inner: SledStore::open(&genesis::store_path(dir)).unwrap(),
            fail_append: AtomicBool::new(false),
            fail_flush: AtomicBool::new(false),
            gate: std::sync::Mutex::new(()),
            flushes: std::sync::atomic::AtomicU64::new(0),
            flush_started: AtomicBool::new(false),
        }
    }
}

impl Store for TestStore {
    fn len(&self) -> Result<u64, StoreError> {
        self.inner.len()
    }
    fn append(&self, append: Append<'_>) -> Result<(), StoreError> {
        if self.fail_append.load(Ordering::SeqCst) {
            return Err(StoreError::Io("injected append failure".into()));
        }
        self.inner.append(append)
    }
    fn flush(&self) -> Result<(), StoreError> {
        self.flush_started.store(true, Ordering::SeqCst);
        let _open = self.gate.lock().unwrap();
        if self.fail_flush.load(Ordering::SeqCst) {
            return Err(StoreError::Io("injected flush failure".into()));
        }
        self.flushes.fetch_add(1, Ordering::SeqCst);
        self.inner.flush()
    }
    fn entry(&self, sequence: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.entry(sequence)
    }
    fn scan(&self, first: u64) -> EntryIter<'_> {
        self.inner.scan(first)
    }
    fn subtree_hash(&self, id: SubtreeId) -> Result<Option<Hash>, StoreError> {
        self.inner.subtree_hash(id)
    }
    fn leaf_index(&self, leaf_hash: &Hash) -> Result<Option<u64>, StoreError> {
        self.inner.leaf_index(leaf_hash)
    }
    fn put_checkpoint(&self, size: u64, note: &str) -> Result<(), StoreError> {
        self.inner.put_checkpoint(size, note)
    }
    fn checkpoint(&self, size: u64) -> Result<Option<String>, StoreError> {
        self.inner.checkpoint(size)
    }
    fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, StoreError> {
        self.inner.latest_checkpoint()
    }
}

/// Checkpoints only when asked, so tests count flushes exactly.
fn checkpointing(dir: &std::path::Path) -> Checkpointing {
    Checkpointing {
        log_key: KeyFile::read(&genesis::log_key_path(dir))
            .unwrap()
            .signing_key,
        every_entries: u64::MAX,
        witness: None,
    }
}

fn register_shop(
    admin: &Signer,
    ledger_id: &crate::ledger::LedgerId,
    id: &str,
) -> pb::SignedTransaction {
    let body = new_body(
        Operation::RegisterShop(pb::RegisterShop {
            shop_id: id.into(),
            name: id.into(),
        }),
        60_000,
    );
    admin.sign(ledger_id, &body)
}

// Holding the gate across awaits is the point: it blocks the writer thread's flush while
// this (single-threaded) test queues more submissions.
#[allow(clippy::await_holding_lock)]
#[tokio::test]
async fn concurrent_submissions_share_one_flush() {
    let dir = tempfile::tempdir().unwrap();
    let report = genesis::init(dir.path(), LedgerParameters::default()).unwrap();
    let admin = Arc::new(Signer::new(KeyFile::read(&report.admin_key_path).unwrap()));
    let store = Arc::new(TestStore::open(dir.path()));
    let (ledger, writer) = LedgerHandle::start(store.clone(), checkpointing(dir.path())).unwrap();
    // Start-up signed the first checkpoint; count from here.
    store.flushes.store(0, Ordering::SeqCst);
    store.flush_started.store(false, Ordering::SeqCst);

    // Hold the disk: the first submission's flush waits while 20 more queue up.
    let gate = store.gate.lock().unwrap();
    let first = tokio::spawn({
        let (ledger, admin) = (ledger.clone(), admin.clone());
        let shop = register_shop(&admin, &report.ledger_id, "s0");
        async move { ledger.submit(shop).await }
    });
    while !store.flush_started.load(Ordering::SeqCst) {
        tokio::task::yield_now().await;
    }
    let mut queued = Vec::new();
    for i in 1..=20 {
        let shop = register_shop(&admin, &report.ledger_id, &format!("s{i}"));
        let ledger = ledger.clone();
        queued.push(tokio::spawn(async move { ledger.submit(shop).await }));
    }
    while ledger.commands.capacity() != CHANNEL_CAPACITY - 20 {
        tokio::task::yield_now().await;
    }
    drop(gate);

    first.await.unwrap().unwrap();
    for task in queued {
        assert!(!task.await.unwrap().unwrap().duplicate);
    }
    // One flush for the first entry, one for the 20 that waited behind it.
    assert_eq!(store.flushes.load(Ordering::SeqCst), 2);
    drop(ledger);
    writer.join().unwrap().unwrap();
}

// Holding the gate across awaits is the point: the writer's flush waits at it while this
// test reads.
#[allow(clippy::await_holding_lock)]
#[tokio::test]
async fn reads_are_answered_while_the_writer_waits_on_the_disk_and_show_only_what_is_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let report = genesis::init(dir.path(), LedgerParameters::default()).unwrap();
    let admin = Signer::new(KeyFile::read(&report.admin_key_path).unwrap());
    let store = Arc::new(TestStore::open(dir.path()));
    let (ledger, writer) = LedgerHandle::start(store.clone(), checkpointing(dir.path())).unwrap();
    store.flush_started.store(false, Ordering::SeqCst);

    let gate = store.gate.lock().unwrap();
    let shop = register_shop(&admin, &report.ledger_id, "s1");
    let body: pb::TransactionBody = prost::Message::decode(shop.body.as_slice()).unwrap();
    let request_id = crate::ledger::RequestId::from_slice(&body.request_id).unwrap();
    let pending = tokio::spawn({
        let ledger = ledger.clone();
        async move { ledger.submit(shop).await }
    });
    while !store.flush_started.load(Ordering::SeqCst) {
        tokio::task::yield_now().await;
    }
    // The writer is inside the flush of the new entry. A read does not wait for it (it is
    // served from the published snapshot on this task) and does not see the entry, which is
    // not on disk yet.
    let during = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        ledger.read(move |state| (state.len(), state.entry_for_request(&request_id).is_some())),
    )
    .await
    .expect("a read waited for the writer's flush")
    .unwrap();
    assert_eq!(during, (1, false));
    drop(gate);

    let committed = pending.await.unwrap().unwrap();
    // Once acknowledged, the entry is in what every read sees.
    let after = ledger
        .read(move |state| state.entry_for_request(&request_id).map(|e| e.sequence))
        .await
        .unwrap();
    assert_eq!(after, Some(committed.record.sequence));
    drop(ledger);
    writer.join().unwrap().unwrap();
}

#[tokio::test]
async fn a_failed_flush_is_fatal_and_nothing_of_it_is_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let report = genesis::init(dir.path(), LedgerParameters::default()).unwrap();
    let admin = Signer::new(KeyFile::read(&report.admin_key_path).unwrap());
    let store = Arc::new(TestStore::open(dir.path()));
    let (ledger, writer) = LedgerHandle::start(store.clone(), checkpointing(dir.path())).unwrap();
    store.fail_flush.store(true, Ordering::SeqCst);

    // The flush fails: the client is told UNAVAILABLE, the writer stops with the error
    // instead of retrying (a later sync would prove nothing), and everything after it is
    // refused rather than shown an entry that is not on disk.
    let shop = register_shop(&admin, &report.ledger_id, "s1");
    let error = ledger.submit(shop.clone()).await.unwrap_err();
    assert!(matches!(error, SubmitError::Unavailable(_)), "{error}");
    let stopped = writer.join().unwrap().unwrap_err();
    assert!(
        stopped.to_string().contains("injected flush failure"),
        "{stopped}"
    );
    assert!(ledger.read(|state| state.len()).await.is_err());
    let later = register_shop(&admin, &report.ledger_id, "s2");
    assert!(matches!(
        ledger.submit(later).await,
        Err(SubmitError::Unavailable(_))
    ));
    let flushes = store.flushes.load(Ordering::SeqCst);
    drop(ledger);
    assert_eq!(
        store.flushes.load(Ordering::SeqCst),
        flushes,
        "no flush after the failure"
    );

    // A restart syncs what the store kept before serving it: the retry returns the entry.
    store.fail_flush.store(false, Ordering::SeqCst);
    let (ledger, writer) = LedgerHandle::start(store.clone(), checkpointing(dir.path())).unwrap();
    let committed = ledger.submit(shop.clone()).await.unwrap();
    assert!(committed.duplicate);
    assert_eq!(ledger.read(|state| state.len()).await.unwrap(), 2);

    // A failed append is fatal too, and leaves nothing behind: after a restart the retry
    // commits it anew.
    store.fail_append.store(true, Ordering::SeqCst);
    let second = register_shop(&admin, &report.ledger_id, "s2");
    assert!(ledger.submit(second.clone()).await.is_err());
    assert!(writer.join().unwrap().is_err());
    drop(ledger);
    store.fail_append.store(false, Ordering::SeqCst);
    let (ledger, writer) = LedgerHandle::start(store.clone(), checkpointing(dir.path())).unwrap();
    let committed = ledger.submit(second).await.unwrap();
    assert!(!committed.duplicate);
    assert_eq!(committed.record.sequence.get(), 2);

    drop(ledger);
    writer.join().unwrap().unwrap();
    let reopened = replay(store.as_ref()).unwrap();
    assert_eq!(reopened.state.len(), 3);
    assert_eq!(reopened.frontier.size(), 3);
}

#[tokio::test]
async fn no_checkpoint_is_served_that_its_copy_outside_the_store_does_not_hold() {
    let dir = tempfile::tempdir().unwrap();
    let report = genesis::init(dir.path(), LedgerParameters::default()).unwrap();
    let admin = Signer::new(KeyFile::read(&report.admin_key_path).unwrap());
    let store = Arc::new(TestStore::open(dir.path()));
    let copies = dir.path().join("copies");
    std::fs::create_dir(&copies).unwrap();
    let witness = copies.join("latest.checkpoint");
    let mut settings = checkpointing(dir.path());
    settings.witness = Some(witness.clone());
    let (ledger, writer) = LedgerHandle::start(store.clone(), settings).unwrap();
    let signed_at_start = std::fs::read_to_string(&witness).unwrap();
    assert_eq!(store.latest_checkpoint().unwrap().unwrap().0, 1);

    // The copy can no longer be written (its directory is now a file).
    std::fs::remove_dir_all(&copies).unwrap();
    std::fs::write(&copies, b"not a directory").unwrap();
    ledger
        .submit(register_shop(&admin, &report.ledger_id, "s1"))
        .await
        .unwrap();
    let refused = ledger.with_checkpoint(|_, c| c.size).await;
    assert!(matches!(refused, Err(SubmitError::Unavailable(_))));
    let stopped = writer.join().unwrap().unwrap_err();
    assert!(stopped.to_string().contains("checkpoint copy"), "{stopped}");
    // The store never held (so never served) a checkpoint the copy does not hold, and
    // writes are refused.
    assert_eq!(store.latest_checkpoint().unwrap().unwrap().0, 1);
    assert!(
        ledger
            .submit(register_shop(&admin, &report.ledger_id, "s2"))
            .await
            .is_err()
    );
    assert_eq!(std::fs::read(&copies).unwrap(), b"not a directory");
    assert!(signed_at_start.contains("\n1\n"), "{signed_at_start}");
}

#[tokio::test]
async fn a_failed_flush_answers_a_whole_batch_unavailable_and_resending_it_is_safe() {
    let dir = tempfile::tempdir().unwrap();
    let report = genesis::init(dir.path(), LedgerParameters::default()).unwrap();
    let admin = Signer::new(KeyFile::read(&report.admin_key_path).unwrap());
    let store = Arc::new(TestStore::open(dir.path()));
    let (ledger, writer) = LedgerHandle::start(store.clone(), checkpointing(dir.path())).unwrap();
    let batch: Vec<_> = (1..=3)
        .map(|i| register_shop(&admin, &report.ledger_id, &format!("s{i}")))
        .collect();

    // A failed append: the whole call fails, nothing of it is acknowledged or applied.
    store.fail_append.store(true, Ordering::SeqCst);
    let error = ledger.submit_batch(batch.clone()).await.unwrap_err();
    assert!(matches!(error, SubmitError::Unavailable(_)), "{error}");
    drop(ledger);
    assert!(writer.join().unwrap().is_err(), "the writer stops");
    store.fail_append.store(false, Ordering::SeqCst);
    let (ledger, writer) = LedgerHandle::start(store.clone(), checkpointing(dir.path())).unwrap();
    assert_eq!(ledger.read(|state| state.len()).await.unwrap(), 1);

    // A failed flush: the same. The process then stops; the store, opened again, cuts off
    // the batch it never counted durable, and the resent batch commits anew, in order.
    store.fail_flush.store(true, Ordering::SeqCst);
    let error = ledger.submit_batch(batch.clone()).await.unwrap_err();
    assert!(matches!(error, SubmitError::Unavailable(_)), "{error}");
    drop(ledger);
    assert!(writer.join().unwrap().is_err(), "the writer stops");
    drop(store);
    let store = Arc::new(TestStore::open(dir.path()));
    assert_eq!(
        store.len().unwrap(),
        1,
        "the unacknowledged batch is cut off"
    );
    let (ledger, writer) = LedgerHandle::start(store.clone(), checkpointing(dir.path())).unwrap();
    let results = ledger.submit_batch(batch).await.unwrap();
    let committed: Vec<(u64, bool)> = results
        .into_iter()
        .map(|result| {
            let committed = result.unwrap();
            (committed.record.sequence.get(), committed.duplicate)
        })
        .collect();
    assert_eq!(
        committed,
        [(1, false), (2, false), (3, false)],
        "each committed once, in order"
    );
    assert_eq!(ledger.read(|state| state.len()).await.unwrap(), 4);
    drop(ledger);
    writer.join().unwrap().unwrap();
}
