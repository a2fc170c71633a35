//! The single writer: the one task that owns the ledger's [`State`] and Merkle [`Frontier`](crate::log::merkle::Frontier)
//! and appends to the store.
//!
//! Handlers send commands over a channel. The writer takes every command waiting (up to
//! [`MAX_BATCH`]), applies the transactions in order, appends all new entries and the Merkle
//! hashes they complete in one atomic store batch, flushes once (group commit), and only then
//! publishes a [`Snapshot`] of the state and replies, so neither a reply nor a read ever shows
//! anything that is not on disk. Reads never reach the writer: they run on the caller's task
//! against the latest published snapshot, an immutable clone that shares its structure with
//! the writer's state (persistent maps), so publishing costs no copy of the ledger.
//! It signs checkpoints of flushed sizes only, so no two checkpoints can disagree.
//!
//! **Fail-stop.** A failed append, flush or sync, or a checkpoint that cannot be written, is
//! fatal: after a write error the kernel may drop dirty pages, so a later successful sync
//! would prove nothing. The writer answers everything it holds `UNAVAILABLE`, stops without
//! touching the store again, and its thread returns the error; the server then reports
//! NOT_SERVING and exits non-zero so a supervisor restarts it, and the restart's replay (which
//! syncs before serving) recovers exactly what is on disk.

use ed25519_dalek::SigningKey;
use tokio::sync::oneshot;

use crate::ledger::{Admitted, EntryRecord, Refusal, State};
use crate::log::merkle::Hash;
use crate::store::StoreError;

mod admission;
mod clock;
mod commit;
mod handle;
mod rate;
mod replay;

pub use admission::KeyDirectory;

/// A check of an admitted transaction against what lives outside the log (the directory of
/// personal data), made in the handler after its signatures and before the writer: the
/// state machine cannot see the directory, and its refusals must not cost the writer. The
/// handler skips it for a transaction already in the log (a retry gets its receipt), and runs
/// it on a blocking thread, since it may wait for the directory's lock.
pub trait OutsideCheck: Send + Sync {
    /// Whether `transaction` needs the check at all (cheap, on the caller's task).
    fn concerns(&self, transaction: &crate::ledger::Transaction) -> bool;

    /// Refuses `transaction` signed by `signer` (by the published `state`, at `now` by the
    /// clock that stamps entries) when what it needs outside the log is missing, or answers
    /// unavailable when that cannot be read.
    fn check(
        &self,
        transaction: &crate::ledger::Transaction,
        signer: &crate::ledger::KeyId,
        state: &crate::ledger::State,
        now: crate::ledger::UnixMs,
    ) -> Result<(), SubmitError>;
}
pub use clock::{Clock, MAX_CLOCK_REGRESSION_MS, StoreCallClock, now_unix_ms};
pub use commit::WriterThread;
pub use handle::LedgerHandle;
pub use rate::TerminalRate;
pub use replay::{Replayed, replay};

/// Transactions the writer takes into one group commit before it stops taking more (a batch
/// submission is taken whole, so a group may exceed this by less than
/// [`MAX_BATCH_TRANSACTIONS`]).
pub const MAX_BATCH: usize = 512;
/// Most transactions one `SubmitBatch` call may carry.
pub const MAX_BATCH_TRANSACTIONS: usize = 256;
/// Commands that may wait for the writer before senders wait too.
pub const CHANNEL_CAPACITY: usize = 4096;

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
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// There is no genesis entry.
    #[error("the store holds no ledger (no genesis entry); run `shanzhi init` first")]
    Empty,
    #[error(
        "stored entry {sequence} cannot be replayed ({reason}); the data directory is damaged \
         and the server refuses to serve balances it cannot trust"
    )]
    /// A stored entry does not replay.
    Damaged {
        /// The entry's position.
        sequence: u64,
        /// Why it does not replay.
        reason: String,
    },
    #[error(
        "the stored Merkle tree or checkpoint does not match the entries ({0}); the data \
         directory is damaged and the server refuses to serve it"
    )]
    /// The stored tree, checkpoint or checkpoint copy disagrees with the entries.
    TreeMismatch(String),
    #[error(
        "the log key given ({given}) is not the ledger's log key ({expected}, from genesis); \
         use the data directory's keys/log.key"
    )]
    /// The log key given is not the one genesis named.
    WrongLogKey {
        /// The public key given, hex.
        given: String,
        /// The public key genesis named, hex.
        expected: String,
    },
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

/// What readers see: the state of a durable log size and the latest signed checkpoint
/// (which covers at most that size).
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The state after the last durable group commit.
    pub state: State,
    /// The latest signed checkpoint, if any.
    pub checkpoint: Option<SignedCheckpoint>,
}

enum Command {
    Submit {
        /// Decoded and verified by the handler.
        admitted: Box<Admitted>,
        reply: oneshot::Sender<Result<Committed, SubmitError>>,
    },
    /// Several transactions, applied in order in the same group commit, each decided on its
    /// own; answered with one result per transaction.
    SubmitMany {
        /// Decoded and verified by the handler.
        admitted: Vec<Admitted>,
        reply: oneshot::Sender<Vec<Result<Committed, SubmitError>>>,
    },
    /// Sign a checkpoint if any entry is not yet covered by one.
    Tick,
    /// Make sure a checkpoint covers every entry, then answer with the snapshot it covers.
    Checkpointed(oneshot::Sender<std::sync::Arc<Snapshot>>),
    /// Finish the current batch, flush, and stop.
    Stop,
}

impl Command {
    /// The transactions it carries, which count against [`MAX_BATCH`].
    fn weight(&self) -> usize {
        match self {
            Command::SubmitMany { admitted, .. } => admitted.len(),
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests;
