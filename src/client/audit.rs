//! The audit service's reads (key set, snapshot, log entries, proofs, receipts) and the
//! server as the verifier's source.

use super::{LedgerClient, Signer};
use crate::api::auth::methods;
use crate::log::merkle::Hash;
use crate::pb::audit as audit_pb;
use crate::verifier::AuditSource;
impl LedgerClient {
    /// Every key that could sign at signed size `tree_size` (0: the latest), all pages
    /// (bureau admin or auditor).
    pub async fn key_set(
        &mut self,
        signer: &Signer,
        mut tree_size: u64,
    ) -> Result<Vec<audit_pb::Key>, tonic::Status> {
        let mut keys = Vec::new();
        let mut page_token = String::new();
        loop {
            let request = signer.read_request(
                &self.ledger_id,
                methods::GET_KEY_SET,
                audit_pb::GetKeySetRequest {
                    tree_size,
                    page_size: 0,
                    page_token,
                },
            );
            let page = self.audit.get_key_set(request).await?.into_inner();
            keys.extend(page.keys);
            if page.next_page_token.is_empty() {
                return Ok(keys);
            }
            // Every page at the size of the first, even if a later checkpoint is signed.
            tree_size = page.tree_size;
            page_token = page.next_page_token;
        }
    }

    /// A checkpoint and every account at its size (bureau admin or auditor).
    pub async fn state_snapshot(
        &mut self,
        signer: &Signer,
    ) -> Result<audit_pb::StateSnapshot, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_STATE_SNAPSHOT,
            audit_pb::GetStateSnapshotRequest {},
        );
        let mut stream = self.audit.get_state_snapshot(request).await?.into_inner();
        let mut snapshot = stream
            .message()
            .await?
            .ok_or_else(|| tonic::Status::data_loss("the snapshot stream was empty"))?;
        let expected = snapshot.account_count;
        while let Some(batch) = stream.message().await? {
            if batch.checkpoint.is_some() {
                return Err(tonic::Status::data_loss(
                    "a second checkpoint in one snapshot",
                ));
            }
            snapshot.accounts.extend(batch.accounts);
            if snapshot.accounts.len() as u64 > expected {
                return Err(tonic::Status::data_loss(format!(
                    "the snapshot announced {expected} accounts and sent more"
                )));
            }
        }
        if snapshot.accounts.len() as u64 != expected {
            return Err(tonic::Status::data_loss(format!(
                "the snapshot announced {expected} accounts and sent {}",
                snapshot.accounts.len()
            )));
        }
        Ok(snapshot)
    }

    /// Entries `start .. end` as stored (bureau admin or auditor).
    pub async fn log_entries(
        &mut self,
        signer: &Signer,
        start: u64,
        end: u64,
    ) -> Result<Vec<Vec<u8>>, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_ENTRIES,
            audit_pb::GetEntriesRequest { start, end },
        );
        let mut stream = self.audit.get_entries(request).await?.into_inner();
        let expected = end.saturating_sub(start);
        let mut entries = Vec::new();
        while let Some(batch) = stream.message().await? {
            if batch.start != start + entries.len() as u64 {
                return Err(tonic::Status::data_loss(format!(
                    "an entry batch starts at {}, expected {}",
                    batch.start,
                    start + entries.len() as u64
                )));
            }
            entries.extend(batch.entries);
            if entries.len() as u64 > expected {
                return Err(tonic::Status::data_loss(format!(
                    "asked for {expected} entries, the server sent more"
                )));
            }
        }
        Ok(entries)
    }

    /// A consistency proof between two signed sizes (public).
    pub async fn consistency_proof(
        &mut self,
        first_size: u64,
        second_size: u64,
    ) -> Result<Vec<Vec<u8>>, tonic::Status> {
        Ok(self
            .audit
            .get_consistency_proof(audit_pb::GetConsistencyProofRequest {
                first_size,
                second_size,
            })
            .await?
            .into_inner()
            .hashes)
    }

    /// The offline-checkable receipt of a transaction.
    pub async fn transaction_receipt(
        &mut self,
        signer: &Signer,
        request_id: Vec<u8>,
    ) -> Result<audit_pb::TransactionReceipt, tonic::Status> {
        let request = signer.read_request(
            &self.ledger_id,
            methods::GET_TRANSACTION_RECEIPT,
            audit_pb::GetTransactionReceiptRequest { request_id },
        );
        self.audit
            .get_transaction_receipt(request)
            .await
            .map(tonic::Response::into_inner)
    }
}

/// The server as the verifier's source, read with an auditor's (or admin's) key.
pub struct ServerSource<'a> {
    /// The connection.
    pub client: &'a mut LedgerClient,
    /// The auditor key.
    pub signer: &'a Signer,
}

fn describe(status: tonic::Status) -> String {
    format!("{:?}: {}", status.code(), status.message())
}

impl AuditSource for ServerSource<'_> {
    async fn snapshot(&mut self) -> Result<audit_pb::StateSnapshot, String> {
        self.client
            .state_snapshot(self.signer)
            .await
            .map_err(describe)
    }

    async fn consistency_proof(&mut self, first: u64, second: u64) -> Result<Vec<Hash>, String> {
        self.client
            .consistency_proof(first, second)
            .await
            .map_err(describe)?
            .into_iter()
            .map(|h| {
                <[u8; 32]>::try_from(h.as_slice()).map_err(|_| "a hash is not 32 bytes".into())
            })
            .collect()
    }

    async fn entries(&mut self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, String> {
        self.client
            .log_entries(self.signer, start, end)
            .await
            .map_err(describe)
    }
}
