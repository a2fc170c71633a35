//! `shanzhi.audit.v1.AuditService`: checkpoints, proofs, entry ranges, receipts, key sets and
//! balance snapshots, for auditors who must not have to trust the server.

use std::sync::Arc;
use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::{ReadCredential, methods};
use super::error::ApiError;
use super::paging;
use crate::ledger::{Refusal, RequestId, State, require_log_reader};
use crate::log::merkle::{self, Hash};
use crate::pb::audit as pb;
use crate::pb::audit::audit_service_server::AuditService;
use crate::pb::points as points_pb;
use crate::store::{Store, StoredHashes};
use crate::writer::{LedgerHandle, SignedCheckpoint, now_unix_ms};

/// Most entries one `GetEntries` call returns.
pub const MAX_ENTRIES_PER_CALL: u64 = 10_000;
/// Entries are streamed in batches of about this many bytes.
const BATCH_BYTES: usize = 256 * 1024;

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

    /// The checkpoint for `size`, or the latest for 0; never-signed sizes are refused.
    fn signed(&self, store: &dyn Store, size: u64) -> Result<pb::Checkpoint, ApiError> {
        let (size, note) = match size {
            0 => store
                .latest_checkpoint()?
                .ok_or(ApiError::NoCheckpointYet)?,
            size => {
                let Some(note) = store.checkpoint(size)? else {
                    let latest = store.latest_checkpoint()?.map_or(0, |(s, _)| s);
                    return Err(Refusal::NeverSigned { size, latest }.into());
                };
                (size, note)
            }
        };
        let root = merkle::root(&StoredHashes(store), size)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(pb::Checkpoint {
            tree_size: size,
            root_hash: root.to_vec(),
            note,
        })
    }

    fn authorize_admin_or_auditor(
        state: &State,
        credential: &ReadCredential,
    ) -> Result<(), Refusal> {
        require_log_reader(&credential.role(state)?)
    }
}

/// Keys per `GetKeySet` page when the request does not say: 100.
pub const KEY_SET_DEFAULT_PAGE_SIZE: u32 = 100;
/// Most keys per `GetKeySet` page: 500.
pub const KEY_SET_MAX_PAGE_SIZE: u32 = 500;

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

#[tonic::async_trait]
impl AuditService for AuditApi {
    async fn get_checkpoint(
        &self,
        request: Request<pb::GetCheckpointRequest>,
    ) -> Result<Response<pb::Checkpoint>, Status> {
        let store = self.store()?;
        let checkpoint = self.signed(store.as_ref(), request.into_inner().tree_size)?;
        Ok(Response::new(checkpoint))
    }

    async fn get_inclusion_proof(
        &self,
        request: Request<pb::GetInclusionProofRequest>,
    ) -> Result<Response<pb::InclusionProof>, Status> {
        let request = request.into_inner();
        let store = self.store()?;
        let checkpoint = self.signed(store.as_ref(), request.tree_size)?;
        let index = match request.leaf {
            Some(pb::get_inclusion_proof_request::Leaf::LeafIndex(index)) => index,
            Some(pb::get_inclusion_proof_request::Leaf::LeafHash(hash)) => {
                let hash: Hash = hash
                    .as_slice()
                    .try_into()
                    .map_err(|_| Refusal::InvalidField {
                        field: "leaf_hash",
                        expected: "32 bytes".into(),
                        found: format!("{} bytes", hash.len()),
                    })?;
                store
                    .leaf_index(&hash)
                    .map_err(ApiError::from)?
                    .ok_or(Refusal::UnknownLeafHash)?
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
        if index >= checkpoint.tree_size {
            // Naming a size and an index past it contradicts itself; an entry past the
            // latest signed size will be covered by a later checkpoint.
            return Err(if request.tree_size != 0 {
                Refusal::LeafIndexPastSize {
                    index,
                    size: checkpoint.tree_size,
                }
            } else {
                Refusal::LeafPastLatest {
                    index,
                    latest: checkpoint.tree_size,
                }
            }
            .into());
        }
        let proof =
            merkle::inclusion_proof(&StoredHashes(store.as_ref()), index, checkpoint.tree_size)
                .map_err(ApiError::from)?;
        Ok(Response::new(pb::InclusionProof {
            leaf_index: index,
            tree_size: checkpoint.tree_size,
            hashes: hashes(proof),
        }))
    }

    async fn get_consistency_proof(
        &self,
        request: Request<pb::GetConsistencyProofRequest>,
    ) -> Result<Response<pb::ConsistencyProof>, Status> {
        let request = request.into_inner();
        if request.first_size == 0 {
            return Err(Refusal::InvalidField {
                field: "first_size",
                expected: "a signed size of at least 1".into(),
                found: "0".into(),
            }
            .into());
        }
        let store = self.store()?;
        let first = self.signed(store.as_ref(), request.first_size)?;
        let second = self.signed(store.as_ref(), request.second_size)?;
        if first.tree_size > second.tree_size {
            return Err(Refusal::ConsistencyOrder {
                first: first.tree_size,
                second: second.tree_size,
            }
            .into());
        }
        let proof = merkle::consistency_proof(
            &StoredHashes(store.as_ref()),
            first.tree_size,
            second.tree_size,
        )
        .map_err(ApiError::from)?;
        Ok(Response::new(pb::ConsistencyProof {
            first_size: first.tree_size,
            second_size: second.tree_size,
            hashes: hashes(proof),
        }))
    }

    type GetEntriesStream = tokio_stream::Iter<EntryBatches>;

    async fn get_entries(
        &self,
        request: Request<pb::GetEntriesRequest>,
    ) -> Result<Response<Self::GetEntriesStream>, Status> {
        let credential = ReadCredential::from_request(&request, methods::GET_ENTRIES)?;
        credential.verify(self.ledger.keys(), now_unix_ms(), self.max_skew)?;
        self.ledger
            .read(move |state| Self::authorize_admin_or_auditor(state, &credential))
            .await??;
        let request = request.into_inner();
        let store = self.store()?;
        let latest = self.signed(store.as_ref(), 0)?.tree_size;
        if request.start > request.end || request.end - request.start > MAX_ENTRIES_PER_CALL {
            return Err(Refusal::EntryRangeInvalid {
                start: request.start,
                end: request.end,
                max: MAX_ENTRIES_PER_CALL,
            }
            .into());
        }
        if request.end > latest {
            return Err(Refusal::EntryRangePastLatest {
                end: request.end,
                latest,
            }
            .into());
        }
        // Entries are read from the store as the stream is sent, one batch at a time, so
        // memory stays bounded by one batch whatever the range.
        Ok(Response::new(tokio_stream::iter(EntryBatches {
            store: Arc::downgrade(&store),
            next: request.start,
            end: request.end,
        })))
    }

    async fn get_transaction_receipt(
        &self,
        request: Request<pb::GetTransactionReceiptRequest>,
    ) -> Result<Response<pb::TransactionReceipt>, Status> {
        let credential = ReadCredential::from_request(&request, methods::GET_TRANSACTION_RECEIPT)?;
        credential.verify(self.ledger.keys(), now_unix_ms(), self.max_skew)?;
        let request_id = RequestId::from_slice(&request.into_inner().request_id)?;
        let (receipt, checkpoint, signer_public_key) = self
            .ledger
            .with_checkpoint(move |state, checkpoint| {
                let role = credential.role(state)?;
                let entry = state
                    .entry_for_request(&request_id)
                    .ok_or_else(|| Refusal::UnknownRequest(request_id.to_string()))?;
                if !state.may_read_entry(&role, entry) {
                    return Err(Refusal::OutOfScope {
                        role: role.name(),
                        scope: role.scope(),
                        requested: format!("entry {}", entry.sequence),
                    });
                }
                let signer = state
                    .key(&entry.signer)
                    .map(|k| k.public_key.to_bytes().to_vec())
                    .unwrap_or_default();
                Ok((
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
        let credential = ReadCredential::from_request(&request, methods::GET_KEY_SET)?;
        credential.verify(self.ledger.keys(), now_unix_ms(), self.max_skew)?;
        let request = request.into_inner();
        let limit = paging::page_size(
            request.page_size,
            KEY_SET_DEFAULT_PAGE_SIZE,
            KEY_SET_MAX_PAGE_SIZE,
        )?;
        let from = paging::page_token::<usize>(&request.page_token)?.unwrap_or(0);
        let store = self.store()?;
        let size = self.signed(store.as_ref(), request.tree_size)?.tree_size;
        let page = self
            .ledger
            .read(move |state| {
                Self::authorize_admin_or_auditor(state, &credential)?;
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
        let credential = ReadCredential::from_request(&request, methods::GET_STATE_SNAPSHOT)?;
        credential.verify(self.ledger.keys(), now_unix_ms(), self.max_skew)?;
        // Authorized before a checkpoint is forced, so other roles cannot make the writer
        // sign and sync one.
        let first = credential.clone();
        self.ledger
            .read(move |state| Self::authorize_admin_or_auditor(state, &first))
            .await??;
        let (checkpoint, accounts) = self
            .ledger
            .with_checkpoint(move |state, checkpoint| {
                Self::authorize_admin_or_auditor(state, &credential)?;
                let accounts = state
                    .accounts()
                    .iter()
                    .map(|a| state.account(a).map(points_pb::Account::from))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok::<_, Refusal>((checkpoint_message(checkpoint), accounts))
            })
            .await??;
        let mut messages = vec![pb::StateSnapshot {
            checkpoint: Some(checkpoint),
            accounts: Vec::new(),
            account_count: accounts.len() as u64,
        }];
        let mut bytes = 0;
        for account in accounts {
            let size = prost::Message::encoded_len(&account);
            let last = messages.last_mut().expect("the first message is there");
            if bytes + size > BATCH_BYTES && !last.accounts.is_empty() {
                messages.push(pb::StateSnapshot::default());
                bytes = 0;
            }
            bytes += size;
            messages
                .last_mut()
                .expect("a message is there")
                .accounts
                .push(account);
        }
        Ok(Response::new(tokio_stream::iter(
            messages.into_iter().map(Ok).collect::<Vec<_>>(),
        )))
    }
}

/// The entries `next .. end` as [`pb::EntryBatch`]es of at most about `BATCH_BYTES`, read
/// from the store lazily as the stream is polled.
pub struct EntryBatches {
    /// Weak, so an open stream does not keep the store open after the ledger stops.
    store: std::sync::Weak<dyn Store>,
    next: u64,
    end: u64,
}

impl Iterator for EntryBatches {
    type Item = Result<pb::EntryBatch, Status>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let mut batch = pb::EntryBatch {
            start: self.next,
            entries: Vec::new(),
        };
        let mut bytes = 0;
        let Some(store) = self.store.upgrade() else {
            self.end = self.next;
            return Some(Err(ApiError::StoreUnavailable(
                "the ledger is shutting down".into(),
            )
            .into()));
        };
        while self.next < self.end {
            let entry = match store.entry(self.next) {
                Ok(Some(entry)) => entry,
                Ok(None) => {
                    self.end = self.next;
                    return Some(Err(ApiError::Internal(
                        "a committed entry is missing from the store".into(),
                    )
                    .into()));
                }
                Err(e) => {
                    self.end = self.next;
                    return Some(Err(ApiError::from(e).into()));
                }
            };
            if bytes + entry.len() > BATCH_BYTES && !batch.entries.is_empty() {
                // Read again for the next batch; entries never change once written.
                break;
            }
            bytes += entry.len();
            batch.entries.push(entry);
            self.next += 1;
        }
        Some(Ok(batch))
    }
}
