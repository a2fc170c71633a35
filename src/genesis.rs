//! Creating a new ledger: a random ledger id, a bureau admin key, a separate log key, and the
//! genesis entry, written to a data directory that must not already hold a ledger.

use std::path::{Path, PathBuf};

use prost::Message;

use crate::crypto::{self, KeyFile, KeyFileError, SigningContext};
use crate::ledger::{LedgerId, LedgerParameters, State, UnixMs};
use crate::pb::points as pb;
use crate::store::{Append, SledStore, Store, StoreError};
use crate::writer::now_unix_ms;

/// Where a data directory keeps the store.
pub fn store_path(data_dir: &Path) -> PathBuf {
    data_dir.join("ledger")
}

/// Where a data directory keeps the genesis key files.
pub fn keys_path(data_dir: &Path) -> PathBuf {
    data_dir.join("keys")
}

/// Where a data directory keeps a copy of the latest signed checkpoint, outside the store.
pub fn checkpoint_witness_path(data_dir: &Path) -> PathBuf {
    data_dir.join("latest.checkpoint")
}

/// Where a data directory keeps the log (checkpoint) key the server signs with.
pub fn log_key_path(data_dir: &Path) -> PathBuf {
    keys_path(data_dir).join("log.key")
}

/// Where a data directory keeps the lock file that one process holds while it uses it.
pub fn lock_path(data_dir: &Path) -> PathBuf {
    data_dir.join(".shanzhi.lock")
}

/// The marker `shanzhi restore` writes into a data directory first and removes last: while
/// it is there, the directory holds half a restore, and nothing opens it.
pub fn unfinished_restore_path(data_dir: &Path) -> PathBuf {
    data_dir.join("RESTORE-UNFINISHED")
}

/// An exclusive lock on a data directory (an advisory `flock` on its `.shanzhi.lock`),
/// held by the one process that creates or serves the ledger in it; released when dropped
/// or when the process ends, however it ends.
#[derive(Debug)]
pub struct DataDirLock {
    _file: std::fs::File,
    data_dir: PathBuf,
}

impl DataDirLock {
    /// Takes the lock, creating the data directory if it is missing. Refused at once (not
    /// waited for) if another process holds it, or if it holds a restore that did not finish.
    pub fn acquire(data_dir: &Path) -> Result<Self, GenesisError> {
        std::fs::create_dir_all(data_dir).map_err(|source| GenesisError::CreateDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = lock_path(data_dir);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| GenesisError::CreateDir {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) if unfinished_restore_path(data_dir).exists() => {
                Err(GenesisError::UnfinishedRestore(data_dir.to_owned()))
            }
            Ok(()) => Ok(Self {
                _file: file,
                data_dir: data_dir.to_owned(),
            }),
            Err(std::fs::TryLockError::WouldBlock) => Err(GenesisError::InUse(data_dir.to_owned())),
            Err(std::fs::TryLockError::Error(source)) => {
                Err(GenesisError::CreateDir { path, source })
            }
        }
    }

    /// The locked data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

/// True if `data_dir` already holds a ledger store or key files.
pub fn exists(data_dir: &Path) -> bool {
    store_path(data_dir).exists() || keys_path(data_dir).exists()
}

/// What genesis created.
#[derive(Debug)]
pub struct GenesisReport {
    /// The new ledger's id.
    pub ledger_id: LedgerId,
    /// The bureau admin key file (mode 0600).
    pub admin_key_path: PathBuf,
    /// The log (checkpoint) key file (mode 0600).
    pub log_key_path: PathBuf,
}

/// Why genesis failed.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// The directory already holds a ledger.
    #[error(
        "{0} already holds a ledger (found ledger/ or keys/); refusing to touch it. Use another \
         directory, or `shanzhi serve` to serve this one"
    )]
    AlreadyInitialized(PathBuf),
    /// A directory could not be created.
    #[error("cannot create {path}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Another process holds the directory's lock.
    #[error(
        "{0} is in use by another shanzhi process (it holds {0}/.shanzhi.lock); stop it first, \
         or use another data directory"
    )]
    InUse(PathBuf),
    /// A restore into the directory stopped before it finished.
    #[error(
        "{0} holds a restore that did not finish (it holds {0}/RESTORE-UNFINISHED): remove the \
         directory and run `shanzhi restore` again"
    )]
    UnfinishedRestore(PathBuf),
    /// A new directory for a log that registers persons, without the identity key.
    #[error(
        "the log registers {0} persons and organizations, whose identity tags were made with the \
         lost directory's identity key: give the copy kept with the log key (--identity-key); a \
         new key would let every one of them be registered again"
    )]
    IdentityKeyNeeded(u64),
    /// A key file could not be written.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The state machine refused the genesis entry (bad parameters).
    #[error("the genesis entry was refused")]
    Refused(#[from] crate::ledger::Refusal),
}

/// Creates a ledger in `data_dir` (created if missing), holding its lock meanwhile. Refuses
/// if it already holds one or another process holds its lock.
pub fn init(data_dir: &Path, parameters: LedgerParameters) -> Result<GenesisReport, GenesisError> {
    init_locked(&DataDirLock::acquire(data_dir)?, parameters)
}

/// Creates a ledger in the data directory whose lock the caller holds. Refuses if it already
/// holds one. Everything is synced before this returns.
pub fn init_locked(
    lock: &DataDirLock,
    parameters: LedgerParameters,
) -> Result<GenesisReport, GenesisError> {
    let data_dir = lock.data_dir();
    if exists(data_dir) {
        return Err(GenesisError::AlreadyInitialized(data_dir.to_owned()));
    }
    let keys_dir = keys_path(data_dir);
    std::fs::create_dir_all(&keys_dir).map_err(|source| GenesisError::CreateDir {
        path: keys_dir.clone(),
        source,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&keys_dir, std::fs::Permissions::from_mode(0o700));
    }
    let admin = KeyFile::new(crypto::generate_signing_key());
    let log = KeyFile::new(crypto::generate_signing_key());
    let admin_key_path = keys_dir.join("bureau-admin.key");
    let log_key_path = log_key_path(data_dir);
    admin.write_new(&admin_key_path)?;
    log.write_new(&log_key_path)?;

    let ledger_id = LedgerId(crypto::random_bytes());
    let now = now_unix_ms();
    let body = pb::TransactionBody {
        request_id: crypto::random_bytes::<16>().to_vec(),
        not_after_unix_ms: now + parameters.max_transaction_window_ms,
        operation: Some(pb::transaction_body::Operation::Genesis(pb::Genesis {
            ledger_id: ledger_id.0.to_vec(),
            admin_public_key: admin.signing_key.verifying_key().to_bytes().to_vec(),
            log_public_key: log.signing_key.verifying_key().to_bytes().to_vec(),
            parameters: Some(parameters.into()),
        })),
    }
    .encode_to_vec();
    let signature = crypto::sign(
        &admin.signing_key,
        SigningContext::Transaction,
        &ledger_id,
        &body,
    );
    let transaction = pb::SignedTransaction {
        body,
        signatures: vec![pb::Signature {
            key_id: admin.key_id().to_string(),
            signature: signature.to_vec(),
        }],
    };
    // The same state machine that will replay it checks the genesis entry first.
    let mut state = State::new();
    let committed_at = state
        .verify_and_apply(UnixMs(now), &transaction)?
        .committed_at;
    let entry = pb::LogEntry {
        sequence: 0,
        committed_at_unix_ms: committed_at.get(),
        transaction: Some(transaction),
    };
    let bytes = entry.encode_to_vec();
    let leaf = crate::log::merkle::leaf_hash(&bytes);
    let store = SledStore::open(&store_path(data_dir))?;
    store.append(Append {
        first_sequence: 0,
        entries: &[bytes],
        leaves: &[leaf],
        hashes: &[],
        // The root of a one-entry tree is its leaf hash.
        root: leaf,
    })?;
    store.flush()?;
    crate::directory::Directory::create(&crate::directory::path(data_dir), &ledger_id)?;
    for directory in [keys_dir.as_path(), data_dir] {
        crate::store::fsync_path(directory)?;
    }
    Ok(GenesisReport {
        ledger_id,
        admin_key_path,
        log_key_path,
    })
}

/// Creates an empty directory of personal data for the ledger in `data_dir` (whose directory
/// was lost, or which was created before the directory existed): every name is gone, and
/// the ledger is served without them. Refuses if the directory exists; takes the data
/// directory's lock. A log that registers persons or organizations needs the lost directory's
/// identity key (`identity_key`, the copy kept with the log key): a new key would give every
/// identity number a new tag and let each be registered again. Returns the ledger's id.
pub fn init_directory(
    data_dir: &Path,
    identity_key: Option<&Path>,
) -> Result<LedgerId, GenesisError> {
    let _lock = DataDirLock::acquire(data_dir)?;
    let store = SledStore::open(&store_path(data_dir))?;
    let missing = || StoreError::Corrupt(format!("{} holds no genesis entry", data_dir.display()));
    let bytes = store.entry(0)?.ok_or_else(missing)?;
    let entry = pb::LogEntry::decode(bytes.as_slice()).map_err(|_| missing())?;
    let body = entry.transaction.ok_or_else(missing)?.body;
    let crate::ledger::Operation::Genesis(genesis) =
        crate::ledger::Transaction::parse(&body)?.operation
    else {
        return Err(missing().into());
    };
    if identity_key.is_none() {
        let subjects = registered_subjects(&store)?;
        if subjects > 0 {
            return Err(GenesisError::IdentityKeyNeeded(subjects));
        }
    }
    crate::directory::Directory::create_with_identity_key(
        &crate::directory::path(data_dir),
        &genesis.ledger_id,
        identity_key,
    )?;
    Ok(genesis.ledger_id)
}

/// How many persons and organizations the log registers (read without replaying it).
fn registered_subjects(store: &SledStore) -> Result<u64, GenesisError> {
    use crate::ledger::{Operation, SubjectsOp, Transaction};
    let mut count = 0;
    for sequence in 1..store.len()? {
        let Some(bytes) = store.entry(sequence)? else {
            continue;
        };
        let Some(body) = pb::LogEntry::decode(bytes.as_slice())
            .ok()
            .and_then(|entry| entry.transaction)
            .map(|transaction| transaction.body)
        else {
            continue;
        };
        if let Ok(Transaction {
            operation:
                Operation::Subjects(
                    SubjectsOp::RegisterPerson { .. } | SubjectsOp::RegisterOrganization { .. },
                ),
            ..
        }) = Transaction::parse(&body)
        {
            count += 1;
        }
    }
    Ok(count)
}
