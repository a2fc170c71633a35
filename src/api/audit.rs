//! `shanzhi.audit.v1.AuditService`: checkpoints, proofs, entry ranges, receipts, key sets and
//! balance snapshots, for auditors who must not have to trust the server.

use std::sync::Arc;
use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::{Reader, authenticate};
use super::error::ApiError;
use super::paging;
use crate::ledger::{EntryRecord, Refusal, RequestId, State, require_log_reader};
use crate::log::merkle::{self, Hash};
use crate::log::serving::{
    BATCH_BYTES, EntryBatch, EntryBatches, LogReader, ServeError, SignedSize,
};
use crate::pb::audit as pb;
use crate::pb::audit::audit_service_server::AuditService;
use crate::pb::points as points_pb;
use crate::store::{Store, StoredHashes};
use crate::writer::{LedgerHandle, SignedCheckpoint};

/// Serves the audit service from the store and the writer.
pub struct AuditApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl AuditApi {
    /// Serves `ledger`, accepting read credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }

    fn store(&self) -> Result<Arc<dyn Store>, ApiError> {
        Ok(self.ledger.store()?)
    }

    fn authorize_admin_or_auditor(state: &State, reader: &Reader) -> Result<(), Refusal> {
        require_log_reader(&reader.role(state)?)
    }
}

/// Keys per `GetKeySet` page when the request does not say: 100.
pub const KEY_SET_DEFAULT_PAGE_SIZE: u32 = 100;
/// Most keys per `GetKeySet` page: 500.
pub const KEY_SET_MAX_PAGE_SIZE: u32 = 500;

/// The entry that committed `request_id`, if `reader` may read it in `state`.
fn readable_entry<'s>(
    state: &'s State,
    reader: &Reader,
    request_id: &RequestId,
) -> Result<&'s EntryRecord, Refusal> {
    let role = reader.role(state)?;
    let entry = state
        .entry_for_request(request_id)
        .ok_or_else(|| Refusal::UnknownRequest(request_id.to_string()))?;
    if !state.may_read_entry(&role, entry) {
        return Err(Refusal::OutOfScope {
            role: role.name(),
            scope: role.scope(),
            requested: format!("entry {}", entry.sequence),
        });
    }
    Ok(entry)
}

fn hashes(proof: Vec<Hash>) -> Vec<Vec<u8>> {
    proof.into_iter().map(|h| h.to_vec()).collect()
}

fn checkpoint_message(checkpoint: &SignedCheckpoint) -> pb::Checkpoint {
    pb::Checkpoint {
        tree_size: checkpoint.size,
        root_hash: checkpoint.root.to_vec(),
        note: checkpoint.note.clone(),
    }
}

fn signed_message(signed: SignedSize) -> pb::Checkpoint {
    pb::Checkpoint {
        tree_size: signed.size,
        root_hash: signed.root.to_vec(),
        note: signed.note,
    }
}

fn batch_message(batch: Result<EntryBatch, ServeError>) -> Result<pb::EntryBatch, Status> {
    let batch = batch.map_err(ApiError::from)?;
    Ok(pb::EntryBatch {
        start: batch.start,
        entries: batch.entries,
    })
}

#[tonic::async_trait]
impl AuditService for AuditApi {
    async fn get_checkpoint(
        &self,
        request: Request<pb::GetCheckpointRequest>,
    ) -> Result<Response<pb::Checkpoint>, Status> {
        let store = self.store()?;
        let signed = LogReader::new(store.as_ref())
            .signed(request.into_inner().tree_size)
            .map_err(ApiError::from)?;
        Ok(Response::new(signed_message(signed)))
    }

    async fn get_inclusion_proof(
        &self,
        request: Request<pb::GetInclusionProofRequest>,
    ) -> Result<Response<pb::InclusionProof>, Status> {
        let request = request.into_inner();
        let store = self.store()?;
        let log = LogReader::new(store.as_ref());
        let index = match request.leaf {
            Some(pb::get_inclusion_proof_request::Leaf::LeafIndex(index)) => index,
            Some(pb::get_inclusion_proof_request::Leaf::LeafHash(hash)) => {
                log.leaf_index(&hash).map_err(ApiError::from)?
            }
            None => {
                return Err(Refusal::InvalidField {
                    field: "leaf",
                    expected: "leaf_index or leaf_hash".into(),
                    found: "neither".into(),
                }
                .into());
            }
        };
        let (checkpoint, proof) = log
            .inclusion(index, request.tree_size)
            .map_err(ApiError::from)?;
        Ok(Response::new(pb::InclusionProof {
            leaf_index: index,
            tree_size: checkpoint.size,
            hashes: hashes(proof),
        }))
    }

    async fn get_consistency_proof(
        &self,
        request: Request<pb::GetConsistencyProofRequest>,
    ) -> Result<Response<pb::ConsistencyProof>, Status> {
        let request = request.into_inner();
        let store = self.store()?;
        let (first, second, proof) = LogReader::new(store.as_ref())
            .consistency(request.first_size, request.second_size)
            .map_err(ApiError::from)?;
        Ok(Response::new(pb::ConsistencyProof {
            first_size: first.size,
            second_size: second.size,
            hashes: hashes(proof),
        }))
    }

    type GetEntriesStream = tokio_stream::Iter<EntryMessages>;

    async fn get_entries(
        &self,
        request: Request<pb::GetEntriesRequest>,
    ) -> Result<Response<Self::GetEntriesStream>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        self.ledger
            .read(move |state| Self::authorize_admin_or_auditor(state, &reader))
            .await??;
        let request = request.into_inner();
        let store = self.store()?;
        LogReader::new(store.as_ref())
            .check_range(request.start, request.end)
            .map_err(ApiError::from)?;
        // Entries are read from the store as the stream is sent, one batch at a time.
        let batches = EntryBatches::new(&store, request.start, request.end);
        let to_message: fn(_) -> _ = batch_message;
        Ok(Response::new(tokio_stream::iter(batches.map(to_message))))
    }

    async fn get_transaction_receipt(
        &self,
        request: Request<pb::GetTransactionReceiptRequest>,
    ) -> Result<Response<pb::TransactionReceipt>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request_id = RequestId::from_slice(&request.into_inner().request_id)?;
        // The reader may see the entry (checked on the published snapshot) before a checkpoint
        // is forced, so no other reader can make the writer sign and sync one.
        let first = reader.clone();
        self.ledger
            .read(move |state| readable_entry(state, &first, &request_id).map(|_| ()))
            .await??;
        let (receipt, checkpoint, signer_public_key) = self
            .ledger
            .with_checkpoint(move |state, checkpoint| {
                let entry = readable_entry(state, &reader, &request_id)?;
                let signer = state
                    .key(&entry.signer)
                    .map(|k| k.public_key.to_bytes().to_vec())
                    .unwrap_or_default();
                Ok::<_, Refusal>((
                    points_pb::Receipt::from(entry),
                    checkpoint_message(checkpoint),
                    signer,
                ))
            })
            .await??;
        let store = self.store()?;
        let log_entry = store
            .entry(receipt.sequence)
            .map_err(ApiError::from)?
            .ok_or_else(|| {
                ApiError::Internal("a committed entry is missing from the store".into())
            })?;
        let proof = merkle::inclusion_proof(
            &StoredHashes(store.as_ref()),
            receipt.sequence,
            checkpoint.tree_size,
        )
        .map_err(ApiError::from)?;
        Ok(Response::new(pb::TransactionReceipt {
            log_entry,
            proof: Some(pb::InclusionProof {
                leaf_index: receipt.sequence,
                tree_size: checkpoint.tree_size,
                hashes: hashes(proof),
            }),
            checkpoint: Some(checkpoint),
            signer_public_key,
            receipt: Some(receipt),
        }))
    }

    async fn get_key_set(
        &self,
        request: Request<pb::GetKeySetRequest>,
    ) -> Result<Response<pb::KeySet>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request = request.into_inner();
        let limit = paging::page_size(
            request.page_size,
            KEY_SET_DEFAULT_PAGE_SIZE,
            KEY_SET_MAX_PAGE_SIZE,
        )?;
        let from = paging::page_token::<usize>(&request.page_token)?.unwrap_or(0);
        let store = self.store()?;
        let size = LogReader::new(store.as_ref())
            .signed(request.tree_size)
            .map_err(ApiError::from)?
            .size;
        let page = self
            .ledger
            .read(move |state| {
                Self::authorize_admin_or_auditor(state, &reader)?;
                let (keys, next) = state.key_set_page(size, from, limit);
                let keys = keys.into_iter().map(pb::Key::from).collect();
                Ok::<_, Refusal>(pb::KeySet {
                    tree_size: size,
                    keys,
                    next_page_token: next.map(|n| n.to_string()).unwrap_or_default(),
                })
            })
            .await??;
        Ok(Response::new(page))
    }

    type GetStateSnapshotStream =
        tokio_stream::Iter<std::vec::IntoIter<Result<pb::StateSnapshot, Status>>>;

    async fn get_state_snapshot(
        &self,
        request: Request<pb::GetStateSnapshotRequest>,
    ) -> Result<Response<Self::GetStateSnapshotStream>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        // Authorized before a checkpoint is forced, so other roles cannot make the writer
        // sign and sync one.
        let first = reader.clone();
        self.ledger
            .read(move |state| Self::authorize_admin_or_auditor(state, &first))
            .await??;
        let (checkpoint, accounts) = self
            .ledger
            .with_checkpoint(move |state, checkpoint| {
                Self::authorize_admin_or_auditor(state, &reader)?;
                let accounts = state
                    .accounts()
                    .iter()
                    .map(|a| state.account(a).map(points_pb::Account::from))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok::<_, Refusal>((checkpoint_message(checkpoint), accounts))
            })
            .await??;
        // The first message carries the checkpoint and the count; each holds about
        // BATCH_BYTES of accounts.
        let mut messages = Vec::new();
        let mut current = pb::StateSnapshot {
            checkpoint: Some(checkpoint),
            accounts: Vec::new(),
            account_count: accounts.len() as u64,
        };
        let mut bytes = 0;
        for account in accounts {
            let size = prost::Message::encoded_len(&account);
            if bytes + size > BATCH_BYTES && !current.accounts.is_empty() {
                messages.push(std::mem::take(&mut current));
                bytes = 0;
            }
            bytes += size;
            current.accounts.push(account);
        }
        messages.push(current);
        Ok(Response::new(tokio_stream::iter(
            messages.into_iter().map(Ok).collect::<Vec<_>>(),
        )))
    }
}

/// The stream of `GetEntries`: the log's entry batches in their wire form.
pub type EntryMessages = std::iter::Map<
    EntryBatches,
    fn(Result<EntryBatch, ServeError>) -> Result<pb::EntryBatch, Status>,
>;
