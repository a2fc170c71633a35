//! The auditor's checks, independent of the server: `shanzhi verify` and
//! `shanzhi verify-receipt`.
//!
//! `verify` takes the log's public key as its only trust anchor. It checks the checkpoint's
//! signature, its consistency with the checkpoint verified last time, downloads every entry,
//! recomputes the Merkle root, replays the whole log through the same state machine the server
//! runs (verifying every signature with `verify_strict` against the keys valid at that
//! position), and compares every account with the server's snapshot at the same size.

use std::collections::BTreeMap;

use ed25519_dalek::VerifyingKey;
use prost::Message;

use crate::crypto::{self, SigningContext};
use crate::ledger::{
    KeyId, LedgerId, OperationKind, RedemptionKind, Signatures, State, parse_public_key,
    replay_entry, replay_verifying_ahead,
};
use crate::log::checkpoint::{self, Checkpoint, CheckpointError};
use crate::log::merkle::{self, Frontier, Hash};
use crate::pb::audit as audit_pb;
use crate::pb::points as pb;

/// Where the verifier gets what it checks: the server, or (in tests) a server that lies.
#[allow(async_fn_in_trait)]
pub trait AuditSource {
    /// A checkpoint and every account's balance at its size.
    async fn snapshot(&mut self) -> Result<audit_pb::StateSnapshot, String>;
    /// The consistency proof between two signed sizes.
    async fn consistency_proof(&mut self, first: u64, second: u64) -> Result<Vec<Hash>, String>;
    /// Entries `start .. end`, as stored.
    async fn entries(&mut self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, String>;
}

/// Why verification failed. Each is a reason not to trust the server.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The server could not be asked (network, refusal); says nothing about the log.
    #[error("cannot get data from the server: {0}")]
    Source(String),
    /// The checkpoint's signature or form is wrong.
    #[error("the checkpoint does not check out")]
    Checkpoint(#[from] CheckpointError),
    /// The checkpoint belongs to another ledger.
    #[error("the checkpoint was signed for origin {found}, but the log's genesis names {expected}")]
    WrongLedger {
        /// The origin the genesis entry (or the earlier checkpoint) names.
        expected: String,
        /// The origin the checkpoint names.
        found: String,
    },
    #[error(
        "the log shrank: the checkpoint verified before covered {previous} entries, the server's \
         now covers {current}"
    )]
    /// The log is shorter than when it was verified last.
    Shrunk {
        /// Entries the earlier checkpoint covered.
        previous: u64,
        /// Entries the server's checkpoint covers now.
        current: u64,
    },
    #[error(
        "fork: the checkpoint of {current} entries is not consistent with the one of {previous} \
         entries verified before; the history was rewritten or the server shows different views"
    )]
    /// The two checkpoints cannot both be true: a fork.
    Inconsistent {
        /// Entries the earlier checkpoint covered.
        previous: u64,
        /// Entries the server's checkpoint covers now.
        current: u64,
    },
    #[error("the server sent {got} entries for {expected} positions")]
    /// The server answered an entry range with the wrong number of entries.
    WrongEntryCount {
        /// Entries asked for.
        expected: u64,
        /// Entries received.
        got: u64,
    },
    #[error("the entries' Merkle root does not match the signed checkpoint of {size} entries")]
    /// The entries hash to another root than the signed one.
    RootMismatch {
        /// The checkpoint's size.
        size: u64,
    },
    #[error("entry {sequence} does not replay: {reason}")]
    /// An entry the state machine refuses: the log holds something that could never have
    /// been accepted.
    Replay {
        /// The entry's position.
        sequence: u64,
        /// Why it does not replay.
        reason: String,
    },
    /// The genesis entry names another log key than the verifier's trust anchor.
    #[error("the genesis log key is not the key given to the verifier")]
    WrongLogKey,
    #[error("account {account}: the server says {server}, the replay says {replayed}")]
    /// The server's snapshot and the replay disagree about an account.
    Balance {
        /// The account.
        account: String,
        /// What the server says.
        server: String,
        /// What the replay says.
        replayed: String,
    },
}

/// What a successful verification established.
#[derive(Debug)]
pub struct VerifyReport {
    /// The verified checkpoint (keep it for the next run).
    pub checkpoint_note: String,
    /// Its size.
    pub size: u64,
    /// Its root.
    pub root: Hash,
    /// The size of the previously verified checkpoint it was proven consistent with.
    pub consistent_with: Option<u64>,
    /// Transaction signatures verified.
    pub signatures: u64,
    /// Payment codes (resident consents) verified.
    pub payment_codes: u64,
    /// Accounts compared.
    pub accounts: usize,
}

/// Entries fetched per request.
const ENTRIES_PER_REQUEST: u64 = 5_000;
/// Entries replayed at a time (about 13 MB of entries of 200 bytes).
const ENTRIES_PER_REPLAY: u64 = 16 * ENTRIES_PER_REQUEST;

fn origin_of(note: &str) -> &str {
    note.lines().next().unwrap_or_default()
}

/// Runs every check; `previous` is the checkpoint note verified last time, if any.
pub async fn verify(
    source: &mut impl AuditSource,
    log_key: &VerifyingKey,
    previous: Option<&str>,
) -> Result<VerifyReport, VerifyError> {
    let snapshot = source.snapshot().await.map_err(VerifyError::Source)?;
    let signed = snapshot
        .checkpoint
        .as_ref()
        .ok_or_else(|| VerifyError::Source("the snapshot has no checkpoint".into()))?;
    let note = signed.note.clone();
    let current = Checkpoint::verify(&note, log_key, origin_of(&note))?;

    let mut consistent_with = None;
    if let Some(previous) = previous {
        let old = Checkpoint::verify(previous, log_key, origin_of(previous))?;
        if old.origin != current.origin {
            return Err(VerifyError::WrongLedger {
                expected: old.origin,
                found: current.origin,
            });
        }
        if current.size < old.size {
            return Err(VerifyError::Shrunk {
                previous: old.size,
                current: current.size,
            });
        }
        let proof = if old.size == current.size {
            Vec::new()
        } else {
            source
                .consistency_proof(old.size, current.size)
                .await
                .map_err(VerifyError::Source)?
        };
        if !merkle::verify_consistency(old.size, current.size, &old.root, &current.root, &proof) {
            return Err(VerifyError::Inconsistent {
                previous: old.size,
                current: current.size,
            });
        }
        consistent_with = Some(old.size);
    }

    let mut frontier = Frontier::new();
    let mut state = State::new();
    let (mut signatures, mut payment_codes) = (0, 0);
    let mut start = 0;
    while start < current.size {
        // Several requests' entries replayed at once, so verifying ahead overlaps applying;
        // the first request's alone, so a fabricated genesis is refused before more is read.
        let at_once = if start == 0 {
            ENTRIES_PER_REQUEST
        } else {
            ENTRIES_PER_REPLAY
        };
        let end = (start + at_once).min(current.size);
        let mut entries = Vec::with_capacity((end - start) as usize);
        while (entries.len() as u64) < end - start {
            let from = start + entries.len() as u64;
            let upto = (from + ENTRIES_PER_REQUEST).min(end);
            let page = source
                .entries(from, upto)
                .await
                .map_err(VerifyError::Source)?;
            if page.len() as u64 != upto - from {
                return Err(VerifyError::WrongEntryCount {
                    expected: upto - from,
                    got: page.len() as u64,
                });
            }
            entries.extend(page);
        }
        if start == 0 {
            // Reject a fabricated log at its first entry, before replaying the rest.
            let first = entries.first().map(Vec::as_slice).unwrap_or_default();
            replay_entry(&mut state, 0, first, Signatures::VerifyAll).map_err(|reason| {
                VerifyError::Replay {
                    sequence: 0,
                    reason,
                }
            })?;
            genesis_matches(&state, log_key, &current.origin)?;
        }
        let skip = usize::from(start == 0);
        for bytes in &entries {
            frontier.append(bytes);
        }
        signatures += entries.len() as u64;
        replay_verifying_ahead(
            &mut state,
            start + skip as u64,
            &entries[skip..],
            |_, record| {
                if record.kind == OperationKind::Redemption(RedemptionKind::Redeem) {
                    payment_codes += 1;
                }
            },
        )
        .map_err(|(sequence, reason)| VerifyError::Replay { sequence, reason })?;
        start = end;
    }
    if frontier.root() != current.root {
        return Err(VerifyError::RootMismatch { size: current.size });
    }
    genesis_matches(&state, log_key, &current.origin)?;

    // Every account on either side must be equal on both.
    let mut server: BTreeMap<String, pb::Account> = BTreeMap::new();
    for account in snapshot.accounts {
        let key = format!("{:?}", account.account);
        if server.insert(key.clone(), account).is_some() {
            return Err(VerifyError::Balance {
                account: key,
                server: "the account twice".into(),
                replayed: "it once".into(),
            });
        }
    }
    let mut replayed: BTreeMap<String, pb::Account> = BTreeMap::new();
    for id in state.accounts() {
        let view = state.account(&id).map_err(|e| VerifyError::Replay {
            sequence: current.size,
            reason: e.to_string(),
        })?;
        let account = pb::Account::from(view);
        replayed.insert(format!("{:?}", account.account), account);
    }
    let keys: std::collections::BTreeSet<&String> = server.keys().chain(replayed.keys()).collect();
    for key in &keys {
        let (ours, theirs) = (replayed.get(*key), server.get(*key));
        if ours != theirs {
            return Err(VerifyError::Balance {
                account: (*key).clone(),
                server: theirs.map_or("nothing".into(), |a| format!("balance {}", a.balance)),
                replayed: ours.map_or("nothing".into(), |a| format!("balance {}", a.balance)),
            });
        }
    }
    Ok(VerifyReport {
        checkpoint_note: note,
        size: current.size,
        root: current.root,
        consistent_with,
        signatures,
        payment_codes,
        accounts: keys.len(),
    })
}

/// The genesis entry names the given log key and the checkpoint's ledger.
fn genesis_matches(state: &State, log_key: &VerifyingKey, origin: &str) -> Result<(), VerifyError> {
    if state.log_key() != Some(*log_key) {
        return Err(VerifyError::WrongLogKey);
    }
    let ledger_id = state.ledger_id().ok_or(VerifyError::WrongLogKey)?;
    if checkpoint::origin(&ledger_id) != origin {
        return Err(VerifyError::WrongLedger {
            expected: checkpoint::origin(&ledger_id),
            found: origin.to_owned(),
        });
    }
    Ok(())
}

/// Why a receipt does not check out.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    /// A part is missing or has the wrong shape.
    #[error("the receipt is malformed: {0}")]
    Malformed(String),
    /// The checkpoint's signature or form is wrong.
    #[error("the receipt's checkpoint does not check out")]
    Checkpoint(#[from] CheckpointError),
    /// The entry is not in the checkpointed tree.
    #[error("the inclusion proof does not lead from the entry to the checkpoint's root")]
    NotIncluded,
    /// The transaction's signature is not the signer's.
    #[error("the transaction's signature does not verify: {0}")]
    Signature(String),
}

/// What a receipt proves.
#[derive(Debug)]
pub struct ReceiptReport {
    /// The entry's position.
    pub sequence: u64,
    /// The checkpoint's size.
    pub tree_size: u64,
    /// The entry's commit time.
    pub committed_at: u64,
    /// The signer's key id.
    pub signer: String,
    /// The transaction body.
    pub body: pb::TransactionBody,
}

/// Checks a receipt offline with the log's public key: the checkpoint's signature, the
/// entry's inclusion in it, and the transaction's signature.
pub fn verify_receipt(
    receipt: &audit_pb::TransactionReceipt,
    log_key: &VerifyingKey,
) -> Result<ReceiptReport, ReceiptError> {
    let malformed = |why: &str| ReceiptError::Malformed(why.to_owned());
    let signed = receipt
        .checkpoint
        .as_ref()
        .ok_or_else(|| malformed("no checkpoint"))?;
    let checkpoint = Checkpoint::verify(&signed.note, log_key, origin_of(&signed.note))?;
    let proof = receipt
        .proof
        .as_ref()
        .ok_or_else(|| malformed("no proof"))?;
    if proof.tree_size != checkpoint.size {
        return Err(malformed("the proof is for another tree size"));
    }
    let hashes: Vec<Hash> = proof
        .hashes
        .iter()
        .map(|h| <[u8; 32]>::try_from(h.as_slice()))
        .collect::<Result<_, _>>()
        .map_err(|_| malformed("a proof hash is not 32 bytes"))?;
    let leaf = merkle::leaf_hash(&receipt.log_entry);
    if !merkle::verify_inclusion(
        proof.leaf_index,
        checkpoint.size,
        &leaf,
        &hashes,
        &checkpoint.root,
    ) {
        return Err(ReceiptError::NotIncluded);
    }
    let entry = pb::LogEntry::decode(receipt.log_entry.as_slice())
        .map_err(|e| ReceiptError::Malformed(e.to_string()))?;
    if entry.sequence != proof.leaf_index {
        return Err(malformed(
            "the entry's sequence is not the proof's leaf index",
        ));
    }
    let transaction = entry
        .transaction
        .ok_or_else(|| malformed("the entry carries no transaction"))?;
    let [signature] = transaction.signatures.as_slice() else {
        return Err(malformed("expected exactly one signature"));
    };
    let signer = parse_public_key("signer_public_key", &receipt.signer_public_key)
        .map_err(|e| ReceiptError::Signature(e.to_string()))?;
    let key_id = crypto::key_id(&signer);
    if KeyId::from_hex(&signature.key_id).ok() != Some(key_id) {
        return Err(ReceiptError::Signature(
            "the signer's public key does not match the signature's key id".into(),
        ));
    }
    let ledger_id = checkpoint
        .origin
        .strip_prefix("shanzhi/")
        .and_then(|hex| LedgerId::from_hex(hex).ok())
        .ok_or_else(|| malformed("the checkpoint's origin names no ledger"))?;
    crypto::verify(
        &signer,
        key_id,
        SigningContext::Transaction,
        &ledger_id,
        &transaction.body,
        &signature.signature,
    )
    .map_err(|e| ReceiptError::Signature(e.to_string()))?;
    let body = pb::TransactionBody::decode(transaction.body.as_slice())
        .map_err(|e| ReceiptError::Malformed(e.to_string()))?;
    Ok(ReceiptReport {
        sequence: entry.sequence,
        tree_size: checkpoint.size,
        committed_at: entry.committed_at_unix_ms,
        signer: signature.key_id.clone(),
        body,
    })
}
