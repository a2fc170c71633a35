//! The handle the API holds: it checks a submission's signatures on the caller's task, sends
//! commands to the writer's thread and waits for their answers, and serves reads from the
//! latest published [`Snapshot`] on the caller's task. Starting it opens the ledger.

use std::sync::{Arc, Weak};

use tokio::sync::{mpsc, oneshot};

use super::admission::KeyDirectory;
use super::commit::{Writer, WriterThread};
use super::replay::{check_witness, latest_checkpoint, replay};
use arc_swap::ArcSwap;

use super::{
    CHANNEL_CAPACITY, Checkpointing, Clock, Command, Committed, MAX_BATCH_TRANSACTIONS, OpenError,
    OutsideCheck, Replayed, SignedCheckpoint, Snapshot, StoreCallClock, SubmitError,
};
use crate::ledger::{Admitted, Refusal, State};
use crate::log::checkpoint;
use crate::metrics::{Metrics, Readings};
use crate::pb::points as pb;
use crate::store::{Store, StoreError};

/// A cheap, cloneable handle to the running writer. The writer stops (after a final flush)
/// when every handle is dropped.
#[derive(Clone)]
pub struct LedgerHandle {
    pub(super) commands: mpsc::Sender<Command>,
    /// Weak, so the store closes when the writer stops even if handles linger in
    /// connections that have not closed yet.
    store: Weak<dyn Store>,
    keys: Arc<KeyDirectory>,
    /// The latest durable state, published by the writer.
    snapshot: Arc<ArcSwap<Snapshot>>,
    store_calls: Arc<StoreCallClock>,
    /// Submissions that passed the handler's checks and were sent to the writer.
    admitted: Arc<std::sync::atomic::AtomicU64>,
    /// The clock that stamps entries.
    clock: Clock,
    /// Batches being verified at once: two per thread of the verification pool.
    verifying: Arc<tokio::sync::Semaphore>,
    metrics: Arc<Metrics>,
    /// The check against the directory, once the server sets one.
    outside: Arc<std::sync::OnceLock<Arc<dyn OutsideCheck>>>,
}

impl LedgerHandle {
    /// Replays the store and starts the writer on its own thread. Returns the handle and the
    /// thread, which ends after [`LedgerHandle::stop`] (or the last handle is dropped) and
    /// the final flush.
    pub fn start(
        store: Arc<dyn Store>,
        checkpointing: Checkpointing,
    ) -> Result<(Self, WriterThread), OpenError> {
        Self::start_with_clock(store, checkpointing, Clock::system())
    }

    /// As [`LedgerHandle::start`], with entries stamped by `clock`.
    pub fn start_with_clock(
        store: Arc<dyn Store>,
        checkpointing: Checkpointing,
        clock: Clock,
    ) -> Result<(Self, WriterThread), OpenError> {
        // What the store holds is made durable before any of it is replayed and served (the
        // store, when opened, cut off entries an earlier run wrote but never counted durable).
        store.flush()?;
        let Replayed { state, frontier } = replay(store.as_ref())?;
        let expected = state.log_key().ok_or(OpenError::Empty)?;
        if checkpointing.log_key.verifying_key() != expected {
            return Err(OpenError::WrongLogKey {
                given: hex::encode(checkpointing.log_key.verifying_key().as_bytes()),
                expected: hex::encode(expected.as_bytes()),
            });
        }
        tracing::info!(
            entries = state.len(),
            ledger_id = %state.ledger_id().map(|l| l.to_string()).unwrap_or_default(),
            "ledger replayed"
        );
        let ledger_id = state.ledger_id().ok_or(OpenError::Empty)?;
        let (commands, receiver) = mpsc::channel(CHANNEL_CAPACITY);
        let last_checkpoint = latest_checkpoint(store.as_ref())?;
        if let Some(path) = &checkpointing.witness {
            check_witness(store.as_ref(), &state, path)?;
        }
        let store_calls = Arc::new(StoreCallClock::default());
        let metrics = Arc::new(Metrics::new());
        let snapshot = Arc::new(ArcSwap::from_pointee(Snapshot {
            state: state.clone(),
            checkpoint: last_checkpoint.clone(),
        }));
        let keys = Arc::new(KeyDirectory::published(ledger_id, Arc::clone(&snapshot)));
        let mut writer = Writer {
            snapshot: Arc::clone(&snapshot),
            store_calls: Arc::clone(&store_calls),
            durable_len: state.len(),
            origin: checkpoint::origin(&ledger_id),
            state,
            frontier,
            store: Arc::clone(&store),
            checkpointing,
            last_checkpoint,
            clock: clock.clone(),
            metrics: Arc::clone(&metrics),
        };
        writer.checkpoint_if_behind(1)?;
        let thread = std::thread::Builder::new()
            .name("shanzhi-writer".into())
            .spawn(move || writer.run(receiver))
            .map_err(|e| OpenError::Store(StoreError::Io(format!("cannot start writer: {e}"))))?;
        Ok((
            Self {
                commands,
                store: Arc::downgrade(&store),
                keys,
                snapshot,
                store_calls,
                admitted: Arc::default(),
                clock,
                verifying: Arc::new(tokio::sync::Semaphore::new(
                    2 * rayon::current_num_threads(),
                )),
                metrics,
                outside: Arc::default(),
            },
            thread,
        ))
    }

    /// Sets the check every admitted transaction passes before it reaches the writer (once;
    /// later calls change nothing).
    pub fn set_outside_check(&self, check: Arc<dyn OutsideCheck>) {
        let _ = self.outside.set(check);
    }

    /// The outside check of one admitted transaction: none for a transaction that needs none
    /// or is in the log already (the writer answers a retry with its receipt), else on a
    /// blocking thread.
    async fn check_outside(&self, admitted: &Admitted) -> Result<(), SubmitError> {
        let Some(check) = self.outside.get() else {
            return Ok(());
        };
        let transaction = admitted.transaction();
        let snapshot = self.snapshot.load_full();
        if !check.concerns(transaction)
            || snapshot
                .state
                .entry_for_request(&transaction.request_id)
                .is_some()
        {
            return Ok(());
        }
        let (check, transaction, signer) =
            (Arc::clone(check), transaction.clone(), admitted.signer());
        let now = crate::ledger::UnixMs(self.clock.now_unix_ms());
        tokio::task::spawn_blocking(move || {
            check.check(&transaction, &signer, &snapshot.state, now)
        })
        .await
        .map_err(|_| SubmitError::Unavailable("the directory check stopped".into()))?
    }

    /// The time by the clock that stamps entries, in ms since the Unix epoch.
    pub fn now_unix_ms(&self) -> u64 {
        self.clock.now_unix_ms()
    }

    /// Submits a transaction; resolves once it is committed and on disk, or refused.
    /// Signatures by known keys are verified here, on the caller's task, so verification
    /// runs in parallel and the writer only decides what depends on the log.
    pub async fn submit(
        &self,
        transaction: pb::SignedTransaction,
    ) -> Result<Committed, SubmitError> {
        let verifying = std::time::Instant::now();
        let admitted = self.keys.admit(transaction);
        self.metrics
            .verify_seconds
            .observe(verifying.elapsed().as_secs_f64());
        let admitted = Box::new(admitted?);
        self.check_outside(&admitted).await?;
        self.admitted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Submit { admitted, reply })
            .await
            .map_err(|_| SubmitError::Unavailable("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| SubmitError::Unavailable("the writer stopped before replying".into()))?
    }

    /// Submits 1 to [`MAX_BATCH_TRANSACTIONS`] transactions, each decided on its own, and
    /// resolves once every committed one is on disk: one result per transaction, in order.
    /// Signatures are verified on the verification pool (rayon's, one thread per core), all
    /// of them before any reaches the writer, which then applies the admitted ones in order
    /// in one group commit. A failed store answers the whole call `Unavailable`; resending
    /// the same batch is safe.
    pub async fn submit_batch(
        &self,
        transactions: Vec<pb::SignedTransaction>,
    ) -> Result<Vec<Result<Committed, SubmitError>>, SubmitError> {
        if transactions.is_empty() || transactions.len() > MAX_BATCH_TRANSACTIONS {
            return Err(Refusal::BatchSize {
                found: transactions.len(),
                max: MAX_BATCH_TRANSACTIONS,
            }
            .into());
        }
        let count = transactions.len();
        let verifying = std::time::Instant::now();
        let checked = self.verify_in_parallel(transactions).await?;
        let each = verifying.elapsed().as_secs_f64() / count as f64;
        for _ in 0..count {
            self.metrics.verify_seconds.observe(each);
        }
        let mut results: Vec<Option<Result<Committed, SubmitError>>> = Vec::new();
        let mut admitted = Vec::new();
        for outcome in checked {
            match outcome {
                Ok(one) => match self.check_outside(&one).await {
                    Ok(()) => {
                        admitted.push(one);
                        results.push(None);
                    }
                    Err(error) => results.push(Some(Err(error))),
                },
                Err(refusal) => results.push(Some(Err(refusal.into()))),
            }
        }
        if !admitted.is_empty() {
            self.admitted
                .fetch_add(admitted.len() as u64, std::sync::atomic::Ordering::Relaxed);
            let (reply, answer) = oneshot::channel();
            self.commands
                .send(Command::SubmitMany { admitted, reply })
                .await
                .map_err(|_| SubmitError::Unavailable("the writer has stopped".into()))?;
            let mut committed = answer
                .await
                .map_err(|_| SubmitError::Unavailable("the writer stopped before replying".into()))?
                .into_iter();
            for slot in results.iter_mut().filter(|slot| slot.is_none()) {
                match committed.next() {
                    Some(Err(SubmitError::Unavailable(why))) => {
                        return Err(SubmitError::Unavailable(why));
                    }
                    Some(result) => *slot = Some(result),
                    None => {
                        return Err(SubmitError::Unavailable(
                            "the writer answered fewer transactions than it was sent".into(),
                        ));
                    }
                }
            }
        }
        Ok(results.into_iter().flatten().collect())
    }

    /// The handler's admission of every transaction, on the verification pool.
    async fn verify_in_parallel(
        &self,
        transactions: Vec<pb::SignedTransaction>,
    ) -> Result<Vec<Result<Admitted, Refusal>>, SubmitError> {
        use rayon::prelude::*;
        let keys = Arc::clone(&self.keys);
        // A slot of the pool, held by the job itself: a caller that goes away frees its
        // request permit, but not the slot until its job has stopped.
        let slot = Arc::clone(&self.verifying)
            .acquire_owned()
            .await
            .map_err(|_| SubmitError::Unavailable("signature verification stopped".into()))?;
        let (done, checked) = oneshot::channel::<Vec<Result<Admitted, Refusal>>>();
        rayon::spawn(move || {
            let _slot = slot;
            // Stops early (None) once the caller is gone: nothing of it would be answered.
            let outcomes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                transactions
                    .into_par_iter()
                    .map(|transaction| (!done.is_closed()).then(|| keys.admit(transaction)))
                    .collect::<Option<Vec<_>>>()
            }));
            // A panic drops `done`, which answers the caller UNAVAILABLE; the server goes on.
            if let Ok(Some(outcomes)) = outcomes {
                let _ = done.send(outcomes);
            }
        });
        checked
            .await
            .map_err(|_| SubmitError::Unavailable("signature verification stopped".into()))
    }

    /// The server's metrics.
    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.metrics)
    }

    /// What the metrics' gauges read now: the published log and checkpoint sizes, the
    /// commands waiting for the writer, the store's size on disk.
    pub fn metric_readings(&self) -> Readings {
        let snapshot = self.snapshot.load();
        Readings {
            log_entries: snapshot.state.len(),
            checkpoint_size: snapshot.checkpoint.as_ref().map_or(0, |c| c.size),
            queue_depth: self.commands.max_capacity() - self.commands.capacity(),
            store_bytes: self.store.upgrade().and_then(|store| store.size_on_disk()),
        }
    }

    /// The latest published snapshot: the state after the last durable group commit.
    /// Refused once the writer has stopped (the server is then going down).
    pub fn snapshot(&self) -> Result<Arc<Snapshot>, SubmitError> {
        if self.commands.is_closed() {
            return Err(SubmitError::Unavailable("the writer has stopped".into()));
        }
        Ok(self.snapshot.load_full())
    }

    /// Runs `query` on the latest published state, on the caller's task (everything it sees
    /// is on disk; the writer is not involved).
    pub async fn read<T>(&self, query: impl FnOnce(&State) -> T) -> Result<T, SubmitError> {
        Ok(query(&self.snapshot()?.state))
    }

    /// Signs a checkpoint if any committed entry is not yet covered by one.
    pub async fn tick(&self) -> Result<(), SubmitError> {
        self.commands
            .send(Command::Tick)
            .await
            .map_err(|_| SubmitError::Unavailable("the writer has stopped".into()))
    }

    /// Makes sure a signed checkpoint covers every committed entry, then runs `query` on the
    /// caller's task with the state and that checkpoint (both at the same size).
    pub async fn with_checkpoint<T>(
        &self,
        query: impl FnOnce(&State, &SignedCheckpoint) -> T,
    ) -> Result<T, SubmitError> {
        let unavailable =
            || SubmitError::Unavailable("no checkpoint could be signed; see the server log".into());
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Checkpointed(reply))
            .await
            .map_err(|_| SubmitError::Unavailable("the writer has stopped".into()))?;
        let snapshot = answer.await.map_err(|_| unavailable())?;
        let checkpoint = snapshot.checkpoint.as_ref().ok_or_else(unavailable)?;
        Ok(query(&snapshot.state, checkpoint))
    }

    /// The store, for reads of entries, hashes and checkpoints (which never change once
    /// written).
    pub fn store(&self) -> Result<Arc<dyn Store>, StoreError> {
        self.store
            .upgrade()
            .ok_or_else(|| StoreError::Io("the ledger is shutting down".into()))
    }

    /// Asks the writer to finish what it holds, flush and stop. Later submissions are
    /// answered UNAVAILABLE.
    pub async fn stop(&self) {
        let _ = self.commands.send(Command::Stop).await;
    }

    /// How many submissions passed the handler's checks and were sent to the writer so far.
    pub fn submissions_admitted(&self) -> u64 {
        self.admitted.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How long the writer's current store call has been running, if it is in one.
    pub fn store_call_running_for(&self) -> Option<std::time::Duration> {
        self.store_calls.running_for()
    }

    /// The registered public keys, for signature checks outside the writer.
    pub fn keys(&self) -> &KeyDirectory {
        &self.keys
    }

    /// The stored bytes of one entry (entries never change once written).
    pub fn stored_entry(&self, sequence: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.store()?.entry(sequence)
    }
}
