//! `shanzhi.shops.v1.ShopsService`: shops' statements, from the published snapshot.

use std::time::Duration;

use tonic::{Request, Response, Status};

use super::auth::authenticate;
use crate::ledger::{
    IssuerId, Period, Refusal, ShopId, Statement, may_read_issuer_report, may_read_statement,
    read_denied,
};
use crate::pb::shops as pb;
use crate::pb::shops::shops_service_server::ShopsService;
use crate::writer::LedgerHandle;

/// Serves the shops' reads.
pub struct ShopsApi {
    ledger: LedgerHandle,
    max_skew: Duration,
}

impl ShopsApi {
    /// Serves `ledger`, accepting read credentials up to `max_skew` from the server's clock.
    pub fn new(ledger: LedgerHandle, max_skew: Duration) -> Self {
        Self { ledger, max_skew }
    }
}

/// A statement in its wire form.
pub fn statement_view(
    shop: &ShopId,
    month: Period,
    statement: &Statement,
    closed: bool,
) -> pb::Statement {
    pb::Statement {
        shop_id: shop.to_string(),
        month: month.to_string(),
        closed,
        entries: statement.entries,
        entries_hash: statement.entries_hash.to_vec(),
        lines: statement
            .lines
            .iter()
            .map(|(issuer, line)| pb::StatementLine {
                issuer_id: issuer.to_string(),
                sold: line.sold.get(),
                refunded: line.refunded.get(),
                receivable: line.receivable().get(),
                settled_at: line.settled.as_ref().map_or(0, |(at, _)| at.get()),
                payment_reference: line
                    .settled
                    .as_ref()
                    .map(|(_, reference)| reference.clone())
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

fn wide(points: i128) -> i64 {
    i64::try_from(points).unwrap_or(if points < 0 { i64::MIN } else { i64::MAX })
}

#[tonic::async_trait]
impl ShopsService for ShopsApi {
    async fn get_issuer_report(
        &self,
        request: Request<pb::GetIssuerReportRequest>,
    ) -> Result<Response<pb::GetIssuerReportResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request = request.into_inner();
        let issuer = IssuerId::parse("issuer_id", &request.issuer_id)?;
        let month = Period::parse("month", &request.month)?;
        let report = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                state.account(&crate::ledger::AccountId::Issuer(issuer.clone()))?;
                if !may_read_issuer_report(&role, &issuer) {
                    return Err(read_denied(&role, format!("the report of issuer {issuer}")));
                }
                let (report, outstanding) = state.issuer_report(&issuer, month);
                Ok::<_, Refusal>(pb::IssuerReport {
                    issuer_id: issuer.to_string(),
                    month: month.to_string(),
                    budget: wide(report.budget),
                    issued: wide(report.issued),
                    deducted: wide(report.deducted),
                    redeemed: report
                        .redeemed
                        .iter()
                        .map(|(shop, points)| pb::ShopPoints {
                            shop_id: shop.to_string(),
                            points: wide(*points),
                        })
                        .collect(),
                    refunded: wide(report.refunded),
                    settled: wide(report.settled),
                    expired: wide(report.expired),
                    outstanding: outstanding.get(),
                })
            })
            .await??;
        Ok(Response::new(pb::GetIssuerReportResponse {
            report: Some(report),
        }))
    }

    async fn get_statement(
        &self,
        request: Request<pb::GetStatementRequest>,
    ) -> Result<Response<pb::GetStatementResponse>, Status> {
        let reader = authenticate(&request, self.ledger.keys(), self.max_skew)?;
        let request = request.into_inner();
        let shop = ShopId::parse("shop_id", &request.shop_id)?;
        let month = Period::parse("month", &request.month)?;
        let statement = self
            .ledger
            .read(move |state| {
                let role = reader.role(state)?;
                state.account(&crate::ledger::AccountId::Shop(shop.clone()))?;
                let (statement, closed) = state.statement(&shop, month);
                let issuers: Vec<_> = statement.lines.keys().collect();
                if !may_read_statement(&role, &shop, &issuers) {
                    return Err(read_denied(&role, format!("the statement of shop {shop}")));
                }
                Ok::<_, Refusal>(statement_view(&shop, month, &statement, closed))
            })
            .await??;
        Ok(Response::new(pb::GetStatementResponse {
            statement: Some(statement),
        }))
    }
}
