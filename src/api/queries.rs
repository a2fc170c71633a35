//! `shanzhi.points.v1.QueryService`: authenticated, scoped reads of accounts, entries,
//! receipts and history.

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use super::error::ApiError;
use super::paging;
use crate::ledger::{
    HistoryFilter, Refusal, RequestId, Sequence, UnixMs, read_denied, reads_everything,
};
use crate::pb::points as pb;
use crate::pb::points::query_service_server::QueryService;
use crate::wire;
use crate::writer::LedgerHandle;

/// Entries per history page when the request says 0.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Most entries per history page.
pub const MAX_PAGE_SIZE: u32 = 500;

/// Serves reads from the writer's committed state.
pub struct QueryApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl QueryApi {
    /// Serves `ledger`, accepting read credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }
}

#[tonic::async_trait]
impl QueryService for QueryApi {
    async fn get_account(
        &self,
        request: Request<pb::GetAccountRequest>,
    ) -> Result<Response<pb::Account>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let account = request.into_inner().account;
        let view = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                let account = wire::account_id(account.as_ref())?;
                if !state.may_read_account(&role, &account) {
                    return Err(read_denied(&role, account.to_string()));
                }
                state.account(&account)
            })
            .await??;
        Ok(Response::new(pb::Account::from(view)))
    }

    async fn get_entry(
        &self,
        request: Request<pb::GetEntryRequest>,
    ) -> Result<Response<pb::Entry>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let sequence = request.into_inner().sequence;
        let receipt = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                let entry = state.entry(Sequence(sequence))?;
                if !state.may_read_entry(&role, entry) {
                    return Err(read_denied(&role, format!("entry {sequence}")));
                }
                Ok(pb::Receipt::from(entry))
            })
            .await??;
        let log_entry = self
            .ledger
            .stored_entry(sequence)
            .map_err(ApiError::from)?
            .ok_or_else(|| {
                ApiError::Internal(format!("entry {sequence} is missing from the store"))
            })?;
        Ok(Response::new(pb::Entry {
            log_entry,
            receipt: Some(receipt),
        }))
    }

    async fn get_receipt(
        &self,
        request: Request<pb::GetReceiptRequest>,
    ) -> Result<Response<pb::Receipt>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request_id = request.into_inner().request_id;
        let receipt = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                let request_id = RequestId::from_slice(&request_id)?;
                let entry = state
                    .entry_for_request(&request_id)
                    .ok_or_else(|| Refusal::UnknownRequest(request_id.to_string()))?;
                if !state.may_read_entry(&role, entry) {
                    return Err(read_denied(&role, format!("entry {}", entry.sequence)));
                }
                Ok(pb::Receipt::from(entry))
            })
            .await??;
        Ok(Response::new(receipt))
    }

    async fn list_history(
        &self,
        request: Request<pb::ListHistoryRequest>,
    ) -> Result<Response<pb::ListHistoryResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request = request.into_inner();
        let page = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                let filter = history_filter(&request)?;
                match &filter.account {
                    Some(account) if !state.may_read_account(&role, account) => {
                        return Err(read_denied(&role, account.to_string()));
                    }
                    None if !reads_everything(&role) => {
                        return Err(read_denied(&role, "the whole history (set account)".into()));
                    }
                    _ => {}
                }
                let page = state.history(&filter);
                Ok(pb::ListHistoryResponse {
                    entries: page.entries.into_iter().map(pb::Receipt::from).collect(),
                    next_page_token: page.next_after.map(|s| s.to_string()).unwrap_or_default(),
                })
            })
            .await??;
        Ok(Response::new(page))
    }
}

fn history_filter(request: &pb::ListHistoryRequest) -> Result<HistoryFilter, Refusal> {
    let limit = paging::page_size(request.page_size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
    let after = paging::page_token::<u64>(&request.page_token)?.map(Sequence);
    let nonzero = |t: u64| (t != 0).then_some(UnixMs(t));
    Ok(HistoryFilter {
        account: request
            .account
            .as_ref()
            .map(|a| wire::account_id(Some(a)))
            .transpose()?,
        kind: wire::operation_kind_filter(request.kind)?,
        since: nonzero(request.since_unix_ms),
        until: nonzero(request.until_unix_ms),
        after,
        limit,
    })
}
