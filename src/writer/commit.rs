//! The writer's thread: group commit (apply in order, one store batch, one flush and sync,
//! then replies and reads), checkpoint signing, and fail-stop on any store error.

use std::sync::Arc;

use prost::Message;
use tokio::sync::{mpsc, oneshot};

use arc_swap::ArcSwap;

use super::{
    Checkpointing, Clock, Command, Committed, MAX_BATCH, MAX_CLOCK_REGRESSION_MS, SignedCheckpoint,
    Snapshot, StoreCallClock, SubmitError,
};
use crate::ledger::{Admitted, State, UnixMs};
use crate::log::checkpoint::Checkpoint;
use crate::log::merkle::{Frontier, Hash, SubtreeId, is_stored};
use crate::pb::points as pb;
use crate::store::{Append, Store, StoreError, write_durably};

pub(super) struct Writer {
    pub(super) state: State,
    pub(super) frontier: Frontier,
    pub(super) store: Arc<dyn Store>,
    pub(super) origin: String,
    pub(super) checkpointing: Checkpointing,
    pub(super) last_checkpoint: Option<SignedCheckpoint>,
    /// Published after every durable batch and every checkpoint, for every read.
    pub(super) snapshot: Arc<ArcSwap<Snapshot>>,
    /// The log size known to be on disk; replies and reads wait until the state's size
    /// equals it.
    pub(super) durable_len: u64,
    /// Running time of the current store call, watched by the server.
    pub(super) store_calls: Arc<StoreCallClock>,
    /// Stamps entries.
    pub(super) clock: Clock,
    /// Group sizes, flush times, checkpoint times.
    pub(super) metrics: Arc<crate::metrics::Metrics>,
}

/// The writer's thread. It ends with `Ok` after a requested stop and a successful final
/// flush, and with the store's error when a write, sync or checkpoint failed (fatal).
pub type WriterThread = std::thread::JoinHandle<Result<(), StoreError>>;

/// An answer waiting for the group's flush.
enum Reply {
    One(
        oneshot::Sender<Result<Committed, SubmitError>>,
        Box<Result<Committed, SubmitError>>,
    ),
    Many(
        oneshot::Sender<Vec<Result<Committed, SubmitError>>>,
        Vec<Result<Committed, SubmitError>>,
    ),
}

impl Reply {
    fn send(self) {
        match self {
            Reply::One(reply, result) => {
                let _ = reply.send(*result);
            }
            Reply::Many(reply, results) => {
                let _ = reply.send(results);
            }
        }
    }

    /// Answers everything it holds `UNAVAILABLE` instead.
    fn fail(self, error: &StoreError) {
        let unavailable = || {
            Err(SubmitError::Unavailable(format!(
                "{error}; the server is stopping and must be restarted"
            )))
        };
        match self {
            Reply::One(reply, _) => {
                let _ = reply.send(unavailable());
            }
            Reply::Many(reply, results) => {
                let _ = reply.send(results.iter().map(|_| unavailable()).collect());
            }
        }
    }
}

impl Writer {
    pub(super) fn run(mut self, mut receiver: mpsc::Receiver<Command>) -> Result<(), StoreError> {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        let mut stopping = false;
        while !stopping && let Some(first) = receiver.blocking_recv() {
            let mut weight = first.weight();
            batch.push(first);
            while weight < MAX_BATCH {
                match receiver.try_recv() {
                    Ok(command) => {
                        weight += command.weight();
                        batch.push(command);
                    }
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
        // A clean stop leaves every entry under a signed checkpoint, which the next start
        // checks the entries against (besides the root the store records with its count).
        self.checkpoint_if_behind(1)?;
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
        let mut leaves = Vec::new();
        let mut hashes = Vec::new();
        let mut replies: Vec<Reply> = Vec::new();
        let mut checkpointed = Vec::new();
        let mut tick = false;
        for command in batch {
            match command {
                Command::Checkpointed(reply) => checkpointed.push(reply),
                Command::Tick => tick = true,
                Command::Stop => {}
                Command::Submit { admitted, reply } => {
                    let result = self.admit(*admitted, &mut encoded, &mut leaves, &mut hashes);
                    replies.push(Reply::One(reply, Box::new(result)));
                }
                Command::SubmitMany { admitted, reply } => {
                    let results = admitted
                        .into_iter()
                        .map(|one| self.admit(one, &mut encoded, &mut leaves, &mut hashes))
                        .collect();
                    replies.push(Reply::Many(reply, results));
                }
            }
        }
        let mut written = Ok(());
        self.store_calls.begin();
        if !encoded.is_empty() {
            written = self.store.append(Append {
                first_sequence,
                entries: &encoded,
                leaves: &leaves,
                hashes: &hashes,
                root: self.frontier.root(),
            });
        }
        // Nothing is replied or read until everything the state holds is on disk.
        if written.is_ok() && self.state.len() > self.durable_len {
            let flushing = std::time::Instant::now();
            written = self.store.flush();
            self.metrics
                .flush_seconds
                .observe(flushing.elapsed().as_secs_f64());
            self.metrics
                .group_transactions
                .observe((self.state.len() - self.durable_len) as f64);
            if written.is_ok() {
                self.durable_len = self.state.len();
                self.publish();
                tracing::debug!(entries = encoded.len(), first_sequence, "group committed");
            }
        }
        self.store_calls.end();
        if let Err(error) = written {
            // Nothing in this batch is acknowledged, not even refusals (they may depend on
            // entries that are not on disk), and nothing of it was published.
            for reply in replies {
                reply.fail(&error);
            }
            return Err(error);
        }
        for reply in replies {
            reply.send();
        }
        let behind = if !checkpointed.is_empty() || tick {
            1
        } else {
            self.checkpointing.every_entries.max(1)
        };
        // A checkpoint that cannot be made durable is as fatal as a failed flush; dropping the
        // closures answers them UNAVAILABLE.
        self.checkpoint_if_behind(behind)?;
        if self.last_checkpoint.is_some() {
            let snapshot = self.snapshot.load_full();
            for reply in checkpointed {
                let _ = reply.send(Arc::clone(&snapshot));
            }
        }
        Ok(())
    }

    /// Publishes the durable state and the latest checkpoint for readers: a clone that
    /// shares every map with the writer's state.
    pub(super) fn publish(&self) {
        self.snapshot.store(Arc::new(Snapshot {
            state: self.state.clone(),
            checkpoint: self.last_checkpoint.clone(),
        }));
    }

    /// Signs and stores a checkpoint of the durable log if at least `behind` entries are not
    /// covered by the last one.
    pub(super) fn checkpoint_if_behind(&mut self, behind: u64) -> Result<(), StoreError> {
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
        self.metrics.checkpoint_signed();
        tracing::debug!(size, "checkpoint signed");
        self.last_checkpoint = Some(SignedCheckpoint { size, root, note });
        self.publish();
        Ok(())
    }

    fn admit(
        &mut self,
        admitted: Admitted,
        encoded: &mut Vec<Vec<u8>>,
        leaves: &mut Vec<Hash>,
        hashes: &mut Vec<(SubtreeId, Hash)>,
    ) -> Result<Committed, SubmitError> {
        let now = self.clock.now_unix_ms();
        let last = self.state.last_committed_at().get();
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
        let (record, duplicate) = self.state.admit(UnixMs(now), &admitted)?;
        let mut record = record.clone();
        if duplicate {
            // A retry gets the receipt as it was first given, even if the entry has been
            // reversed since (history and GetEntry show the reversal).
            record.reversed_by = None;
        }
        if !duplicate {
            let entry = pb::LogEntry {
                sequence: record.sequence.get(),
                committed_at_unix_ms: record.committed_at.get(),
                transaction: Some(admitted.into_signed()),
            };
            let bytes = entry.encode_to_vec();
            let completed = self.frontier.append(&bytes);
            leaves.push(completed[0].1);
            hashes.extend(completed.into_iter().filter(|(id, _)| is_stored(*id)));
            encoded.push(bytes);
        }
        Ok(Committed { record, duplicate })
    }
}
