//! The single writer: the one task that owns the ledger's [`State`] and Merkle [`Frontier`]
//! and appends to the store.
//!
//! Handlers send commands over a channel. The writer takes every command waiting (up to
//! [`MAX_BATCH`]), applies the transactions in order, appends all new entries and the Merkle
//! hashes they complete in one atomic store batch, flushes once (group commit), and only then
//! replies and runs reads, so a reply or a read never shows anything that is not on disk.
//! It signs checkpoints of flushed sizes only, so no two checkpoints can disagree.
//!
//! **Fail-stop.** A failed append, flush or sync, or a checkpoint that cannot be written, is
//! fatal: after a write error the kernel may drop dirty pages, so a later successful sync
//! would prove nothing. The writer answers everything it holds `UNAVAILABLE`, stops without
//! touching the store again, and its thread returns the error; the server then reports
//! NOT_SERVING and exits non-zero so a supervisor restarts it, and the restart's replay (which
//! syncs before serving) recovers exactly what is on disk.

use std::sync::{Arc, Weak};
use std::time::{SystemTime, UNIX_EPOCH};

use ed25519_dalek::SigningKey;
use prost::Message;
use tokio::sync::{mpsc, oneshot};

use crate::crypto::KeyDirectory;
use crate::ledger::{EntryRecord, Refusal, SignatureCheck, State};
use crate::log::checkpoint::{self, Checkpoint};
use crate::log::merkle::{Frontier, Hash, SubtreeId};
use crate::pb::points as pb;
use crate::store::{Append, Store, StoreError, write_durably};

mod replay;

pub use replay::{Replayed, replay};
use replay::{check_witness, latest_checkpoint};

/// Most commands handled in one group commit.
pub const MAX_BATCH: usize = 512;
/// Commands that may wait for the writer before senders wait too.
pub const CHANNEL_CAPACITY: usize = 4096;
/// How far the wall clock may be behind the last entry's commit time before writes are
/// refused. Smaller steps back are absorbed: commit times never decrease.
pub const MAX_CLOCK_REGRESSION_MS: u64 = 2_000;

/// When the writer's current store call (append, flush, checkpoint) began, on a monotonic
/// clock (ms since the clock was made, plus one); 0 while it is not in one. A store that never
/// returns (sled 0.34 can wait forever for a log buffer whose write failed on a full disk) is
/// seen from outside through this clock, so the server can fail closed instead of hanging.
/// Monotonic, so a step of the wall clock neither fakes a stall nor hides one.
#[derive(Debug)]
pub struct StoreCallClock {
    began: std::sync::atomic::AtomicU64,
    epoch: std::time::Instant,
}

impl Default for StoreCallClock {
    fn default() -> Self {
        Self {
            began: std::sync::atomic::AtomicU64::new(0),
            epoch: std::time::Instant::now(),
        }
    }
}

impl StoreCallClock {
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .saturating_add(1)
    }

    fn begin(&self) {
        self.began
            .store(self.now(), std::sync::atomic::Ordering::SeqCst);
    }

    fn end(&self) {
        self.began.store(0, std::sync::atomic::Ordering::SeqCst);
    }

    /// How long the current store call has been running, if one is.
    pub fn running_for(&self) -> Option<std::time::Duration> {
        match self.began.load(std::sync::atomic::Ordering::SeqCst) {
            0 => None,
            began => Some(std::time::Duration::from_millis(
                self.now().saturating_sub(began),
            )),
        }
    }
}

/// A committed transaction, as the writer reports it.
#[derive(Clone, Debug)]
pub struct Committed {
    /// What the entry did.
    pub record: EntryRecord,
    /// True if the request id and body were committed earlier: nothing new was written.
    pub duplicate: bool,
}

/// Why a submission did not commit.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The ledger refused the transaction; nothing was applied.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The store failed or the writer stopped; the transaction may or may not be on disk.
    /// Resending the same signed transaction (after the server restarts) is safe: it returns
    /// the receipt if the entry was written.
    #[error("the ledger store is unavailable: {0}; resend the same signed transaction")]
    Unavailable(String),
}

/// Why the ledger could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the store holds no ledger (no genesis entry); run `shanzhi init` first")]
    Empty,
    #[error(
        "stored entry {sequence} cannot be replayed ({reason}); the data directory is damaged \
         and the server refuses to serve balances it cannot trust"
    )]
    Damaged { sequence: u64, reason: String },
    #[error(
        "the stored Merkle tree or checkpoint does not match the entries ({0}); the data \
         directory is damaged and the server refuses to serve it"
    )]
    TreeMismatch(String),
    #[error(
        "the log key given ({given}) is not the ledger's log key ({expected}, from genesis); \
         use the data directory's keys/log.key"
    )]
    WrongLogKey { given: String, expected: String },
}

/// A checkpoint the log key signed, with what it says.
#[derive(Clone, Debug)]
pub struct SignedCheckpoint {
    /// Tree size.
    pub size: u64,
    /// Root hash.
    pub root: Hash,
    /// The signed note.
    pub note: String,
}

/// How the writer signs checkpoints.
pub struct Checkpointing {
    /// The ledger's log key (its public half is in the genesis entry).
    pub log_key: SigningKey,
    /// Sign a checkpoint once this many entries are not yet covered by one. Independently,
    /// [`LedgerHandle::tick`] signs one when any entry is not yet covered.
    pub every_entries: u64,
    /// A file outside the store that keeps the latest signed checkpoint (fsynced). If the
    /// store ever loses entries a signed checkpoint covered, the server refuses to start
    /// rather than sign a second, different history for the same sizes.
    pub witness: Option<std::path::PathBuf>,
}

impl Checkpointing {
    /// Default: a checkpoint at least every 1000 entries.
    pub const DEFAULT_EVERY_ENTRIES: u64 = 1000;
}

type ReadFn = Box<dyn FnOnce(&State) + Send>;
type CheckpointedFn = Box<dyn FnOnce(&State, &SignedCheckpoint) + Send>;

enum Command {
    Submit {
        transaction: pb::SignedTransaction,
        /// Whether the handler already verified every signature.
        check: SignatureCheck,
        reply: oneshot::Sender<Result<Committed, SubmitError>>,
    },
    Read(ReadFn),
    /// Sign a checkpoint if any entry is not yet covered by one.
    Tick,
    /// Make sure a checkpoint covers every entry, then run the function with it.
    Checkpointed(CheckpointedFn),
    /// Finish the current batch, flush, and stop.
    Stop,
}

/// A cheap, cloneable handle to the running writer. The writer stops (after a final flush)
/// when every handle is dropped.
#[derive(Clone)]
pub struct LedgerHandle {
    commands: mpsc::Sender<Command>,
    /// Weak, so the store closes when the writer stops even if handles linger in
    /// connections that have not closed yet.
    store: Weak<dyn Store>,
    keys: Arc<KeyDirectory>,
    store_calls: Arc<StoreCallClock>,
    /// Submissions that passed the handler's checks and were sent to the writer.
    admitted: Arc<std::sync::atomic::AtomicU64>,
}

/// Milliseconds since the Unix epoch by the wall clock.
pub fn now_unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl LedgerHandle {
    /// Replays the store and starts the writer on its own thread. Returns the handle and the
    /// thread, which ends after [`LedgerHandle::stop`] (or the last handle is dropped) and
    /// the final flush.
    pub fn start(
        store: Arc<dyn Store>,
        checkpointing: Checkpointing,
    ) -> Result<(Self, WriterThread), OpenError> {
        // Whatever an earlier run wrote but did not sync is made durable before any of it is
        // replayed and served.
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
        let keys = Arc::new(KeyDirectory::new(ledger_id, &state));
        let (commands, receiver) = mpsc::channel(CHANNEL_CAPACITY);
        let last_checkpoint = latest_checkpoint(store.as_ref())?;
        if let Some(path) = &checkpointing.witness {
            check_witness(store.as_ref(), &state, path)?;
        }
        let store_calls = Arc::new(StoreCallClock::default());
        let mut writer = Writer {
            store_calls: Arc::clone(&store_calls),
            durable_len: state.len(),
            origin: checkpoint::origin(&ledger_id),
            state,
            frontier,
            store: Arc::clone(&store),
            keys: Arc::clone(&keys),
            checkpointing,
            last_checkpoint,
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
                store_calls,
                admitted: Arc::default(),
            },
            thread,
        ))
    }

    /// Submits a transaction; resolves once it is committed and on disk, or refused.
    /// Signatures by known keys are verified here, on the caller's task, so verification
    /// runs in parallel and the writer only decides what depends on the log.
    pub async fn submit(
        &self,
        transaction: pb::SignedTransaction,
    ) -> Result<Committed, SubmitError> {
        let check = self.keys.check(&transaction)?;
        self.admitted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Submit {
                transaction,
                check,
                reply,
            })
            .await
            .map_err(|_| SubmitError::Unavailable("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| SubmitError::Unavailable("the writer stopped before replying".into()))?
    }

    /// Runs `query` on the committed state (everything it sees is on disk).
    pub async fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&State) -> T + Send + 'static,
    ) -> Result<T, SubmitError> {
        let (reply, answer) = oneshot::channel();
        let read: ReadFn = Box::new(move |state| {
            let _ = reply.send(query(state));
        });
        self.commands
            .send(Command::Read(read))
            .await
            .map_err(|_| SubmitError::Unavailable("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| SubmitError::Unavailable("the writer stopped before replying".into()))
    }

    /// Signs a checkpoint if any committed entry is not yet covered by one.
    pub async fn tick(&self) -> Result<(), SubmitError> {
        self.commands
            .send(Command::Tick)
            .await
            .map_err(|_| SubmitError::Unavailable("the writer has stopped".into()))
    }

    /// Makes sure a signed checkpoint covers every committed entry, then runs `query` with
    /// the state and that checkpoint (both at the same size).
    pub async fn with_checkpoint<T: Send + 'static>(
        &self,
        query: impl FnOnce(&State, &SignedCheckpoint) -> T + Send + 'static,
    ) -> Result<T, SubmitError> {
        let (reply, answer) = oneshot::channel();
        let run: CheckpointedFn = Box::new(move |state, checkpoint| {
            let _ = reply.send(query(state, checkpoint));
        });
        self.commands
            .send(Command::Checkpointed(run))
            .await
            .map_err(|_| SubmitError::Unavailable("the writer has stopped".into()))?;
        answer.await.map_err(|_| {
            SubmitError::Unavailable("no checkpoint could be signed; see the server log".into())
        })
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

struct Writer {
    state: State,
    frontier: Frontier,
    store: Arc<dyn Store>,
    origin: String,
    checkpointing: Checkpointing,
    last_checkpoint: Option<SignedCheckpoint>,
    /// Published after every durable batch, for the handlers' signature checks.
    keys: Arc<KeyDirectory>,
    /// The log size known to be on disk; replies and reads wait until the state's size
    /// equals it.
    durable_len: u64,
    /// Running time of the current store call, watched by the server.
    store_calls: Arc<StoreCallClock>,
}

/// The writer's thread. It ends with `Ok` after a requested stop and a successful final
/// flush, and with the store's error when a write, sync or checkpoint failed (fatal).
pub type WriterThread = std::thread::JoinHandle<Result<(), StoreError>>;

type Reply = (
    oneshot::Sender<Result<Committed, SubmitError>>,
    Result<Committed, SubmitError>,
);

impl Writer {
    fn run(mut self, mut receiver: mpsc::Receiver<Command>) -> Result<(), StoreError> {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        let mut stopping = false;
        while !stopping && let Some(first) = receiver.blocking_recv() {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match receiver.try_recv() {
                    Ok(command) => batch.push(command),
                    Err(_) => break,
                }
            }
            stopping = batch.iter().any(|c| matches!(c, Command::Stop));
            let committed = self.commit_batch(batch.drain(..));
            self.store_calls.end();
            if let Err(error) = committed {
                // Whatever is still queued is dropped, which answers it UNAVAILABLE. The store
                // is not touched again: a later sync would prove nothing.
                receiver.close();
                tracing::error!(
                    %error,
                    entries_on_disk = self.durable_len,
                    "the store failed; the writer stops and the server must be restarted"
                );
                return Err(error);
            }
        }
        receiver.close();
        self.store_calls.begin();
        if let Err(error) = self.store.flush() {
            tracing::error!(%error, "final flush failed");
            return Err(error);
        }
        tracing::info!(entries = self.state.len(), "writer stopped");
        Ok(())
    }

    fn commit_batch(&mut self, batch: impl Iterator<Item = Command>) -> Result<(), StoreError> {
        let span = tracing::debug_span!("group_commit");
        let _guard = span.enter();
        let first_sequence = self.state.len();
        let mut encoded = Vec::new();
        let mut hashes = Vec::new();
        let mut replies: Vec<Reply> = Vec::new();
        let mut reads = Vec::new();
        let mut checkpointed = Vec::new();
        let mut tick = false;
        for command in batch {
            match command {
                Command::Read(read) => reads.push(read),
                Command::Checkpointed(run) => checkpointed.push(run),
                Command::Tick => tick = true,
                Command::Stop => {}
                Command::Submit {
                    transaction,
                    check,
                    reply,
                } => {
                    let result = self.admit(transaction, check, &mut encoded, &mut hashes);
                    replies.push((reply, result));
                }
            }
        }
        let mut written = Ok(());
        self.store_calls.begin();
        if !encoded.is_empty() {
            written = self.store.append(Append {
                first_sequence,
                entries: &encoded,
                hashes: &hashes,
            });
        }
        // Nothing is replied or read until everything the state holds is on disk.
        if written.is_ok() && self.state.len() > self.durable_len {
            written = self.store.flush();
            if written.is_ok() {
                self.durable_len = self.state.len();
                self.keys.update(&self.state);
                tracing::debug!(entries = encoded.len(), first_sequence, "group committed");
            }
        }
        self.store_calls.end();
        if let Err(error) = written {
            // Nothing in this batch is acknowledged, not even refusals (they may depend on
            // entries that are not on disk); dropping the reads answers them UNAVAILABLE.
            for (reply, _) in replies {
                let _ = reply.send(Err(SubmitError::Unavailable(format!(
                    "{error}; the server is stopping and must be restarted"
                ))));
            }
            return Err(error);
        }
        for (reply, result) in replies {
            let _ = reply.send(result);
        }
        for read in reads {
            read(&self.state);
        }
        let behind = if !checkpointed.is_empty() || tick {
            1
        } else {
            self.checkpointing.every_entries.max(1)
        };
        // A checkpoint that cannot be made durable is as fatal as a failed flush; dropping the
        // closures answers them UNAVAILABLE.
        self.checkpoint_if_behind(behind)?;
        if let Some(checkpoint) = &self.last_checkpoint {
            for run in checkpointed {
                run(&self.state, checkpoint);
            }
        }
        Ok(())
    }

    /// Signs and stores a checkpoint of the durable log if at least `behind` entries are not
    /// covered by the last one.
    fn checkpoint_if_behind(&mut self, behind: u64) -> Result<(), StoreError> {
        let size = self.frontier.size();
        let covered = self.last_checkpoint.as_ref().map_or(0, |c| c.size);
        if size < covered.saturating_add(behind) || size != self.durable_len {
            return Ok(());
        }
        let root = self.frontier.root();
        let note = Checkpoint {
            origin: self.origin.clone(),
            size,
            root,
        }
        .sign(&self.checkpointing.log_key);
        self.store_calls.begin();
        // The copy outside the store is written (and synced) first: the store serves a
        // checkpoint as soon as it holds it, so the copy must never be behind what was served.
        if let Some(path) = &self.checkpointing.witness {
            write_durably(path, note.as_bytes()).map_err(|e| {
                StoreError::Io(format!(
                    "cannot write the checkpoint copy {}: {e}",
                    path.display()
                ))
            })?;
        }
        self.store.put_checkpoint(size, &note)?;
        self.store.flush()?;
        self.store_calls.end();
        tracing::debug!(size, "checkpoint signed");
        self.last_checkpoint = Some(SignedCheckpoint { size, root, note });
        Ok(())
    }

    fn admit(
        &mut self,
        transaction: pb::SignedTransaction,
        check: SignatureCheck,
        encoded: &mut Vec<Vec<u8>>,
        hashes: &mut Vec<(SubtreeId, Hash)>,
    ) -> Result<Committed, SubmitError> {
        let now = now_unix_ms();
        let last = self.state.last_committed_at();
        if now.saturating_add(MAX_CLOCK_REGRESSION_MS) < last {
            tracing::error!(
                now,
                last,
                "the wall clock is behind the last committed entry"
            );
            return Err(SubmitError::Unavailable(format!(
                "the server's clock ({now} ms) is {} ms behind the last committed entry; writes \
                 resume when it catches up (run NTP in slewing mode, never step the clock back)",
                last - now
            )));
        }
        let (record, duplicate) = self.state.admit(now, &transaction, check)?;
        let mut record = record.clone();
        if duplicate {
            // A retry gets the receipt as it was first given, even if the entry has been
            // reversed since (history and GetEntry show the reversal).
            record.reversed_by = None;
        }
        if !duplicate {
            let entry = pb::LogEntry {
                sequence: record.sequence,
                committed_at_unix_ms: record.committed_at,
                transaction: Some(transaction),
            };
            let bytes = entry.encode_to_vec();
            hashes.extend(self.frontier.append(&bytes));
            encoded.push(bytes);
        }
        Ok(Committed { record, duplicate })
    }
}

#[cfg(test)]
mod tests;
