//! `shanzhi.points.v1.TransactionService`: ledger facts and signed transaction submission.

use tonic::{Request, Response, Status};

use super::error::ApiError;
use crate::ledger::Refusal;
use crate::pb::points as pb;
use crate::pb::points::transaction_service_server::TransactionService;
use crate::writer::{Committed, LedgerHandle};

/// Accepts signed transactions for the writer.
pub struct TransactionApi {
    ledger: LedgerHandle,
}

impl TransactionApi {
    /// Serves `ledger`.
    pub fn new(ledger: LedgerHandle) -> Self {
        Self { ledger }
    }
}

#[tonic::async_trait]
impl TransactionService for TransactionApi {
    async fn get_ledger_info(
        &self,
        _request: Request<pb::GetLedgerInfoRequest>,
    ) -> Result<Response<pb::LedgerInfo>, Status> {
        let now = self.ledger.now_unix_ms();
        let info = self
            .ledger
            .read(move |state| pb::LedgerInfo {
                ledger_id: state.ledger_id().map(|l| l.0.to_vec()).unwrap_or_default(),
                parameters: state.parameters().map(pb::LedgerParameters::from),
                log_size: state.len(),
                log_public_key: state
                    .log_key()
                    .map(|k| k.to_bytes().to_vec())
                    .unwrap_or_default(),
                server_time_unix_ms: now,
            })
            .await?;
        Ok(Response::new(info))
    }

    async fn submit(
        &self,
        request: Request<pb::SubmitRequest>,
    ) -> Result<Response<pb::SubmitResponse>, Status> {
        let transaction =
            request
                .into_inner()
                .transaction
                .ok_or_else(|| Refusal::InvalidField {
                    field: "transaction",
                    expected: "a SignedTransaction".into(),
                    found: "nothing".into(),
                })?;
        record_request_id(&transaction);
        match self.ledger.submit(transaction).await {
            Ok(committed) => Ok(Response::new(committed_response(&committed))),
            Err(error) => {
                let status = Status::from(error);
                tracing::info!(code = ?status.code(), why = status.message(), "transaction refused");
                Err(status)
            }
        }
    }

    async fn submit_batch(
        &self,
        request: Request<pb::SubmitBatchRequest>,
    ) -> Result<Response<pb::SubmitBatchResponse>, Status> {
        let transactions = request.into_inner().transactions;
        let results = self
            .ledger
            .submit_batch(transactions)
            .await
            .map_err(|error| {
                let status = Status::from(error);
                tracing::info!(code = ?status.code(), why = status.message(), "batch refused");
                status
            })?;
        let metrics = self.ledger.metrics();
        let results = results
            .into_iter()
            .map(|result| pb::SubmitResult {
                outcome: Some(match result {
                    Ok(committed) => {
                        metrics.batch_transaction(None);
                        pb::submit_result::Outcome::Committed(committed_response(&committed))
                    }
                    Err(error) => {
                        let error = ApiError::from(error);
                        metrics.batch_transaction(Some(error.reason()));
                        tracing::info!(reason = error.reason(), "transaction of a batch refused");
                        pb::submit_result::Outcome::Refused(pb::SubmitRefusal {
                            code: error.code() as i32,
                            reason: error.reason().to_owned(),
                            message: error.to_string(),
                        })
                    }
                }),
            })
            .collect();
        Ok(Response::new(pb::SubmitBatchResponse { results }))
    }
}

/// Only the request id of a `TransactionBody` (field 1); prost skips every other field.
#[derive(Clone, PartialEq, prost::Message)]
struct RequestIdOnly {
    #[prost(bytes = "vec", tag = "1")]
    request_id: Vec<u8>,
}

/// Puts the transaction's request id (hex) on the request's span, so every line logged
/// about it carries it; a body that does not decode, or an id that is not 16 bytes, leaves
/// it empty (admission refuses those with their reason).
fn record_request_id(transaction: &pb::SignedTransaction) {
    use prost::Message;
    if let Ok(body) = RequestIdOnly::decode(transaction.body.as_slice())
        && body.request_id.len() == 16
    {
        tracing::Span::current().record("request_id", hex::encode(&body.request_id));
    }
}

/// The reply for a committed transaction (logged at info, as every write is).
fn committed_response(committed: &Committed) -> pb::SubmitResponse {
    tracing::info!(
        sequence = committed.record.sequence.get(),
        kind = committed.record.kind.name(),
        signer = %committed.record.signer,
        duplicate = committed.duplicate,
        "transaction committed"
    );
    pb::SubmitResponse {
        receipt: Some(pb::Receipt::from(&committed.record)),
        duplicate: committed.duplicate,
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    #[test]
    fn the_request_id_is_read_from_the_body_alone() {
        let body = pb::TransactionBody {
            request_id: vec![7; 16],
            not_after_unix_ms: 1,
            ..Default::default()
        };
        let read = RequestIdOnly::decode(body.encode_to_vec().as_slice()).unwrap();
        assert_eq!(read.request_id, vec![7; 16]);
    }
}
