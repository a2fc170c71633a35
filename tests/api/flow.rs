//! The whole points flow through the real server: budget, issue, deduct, redeem, reverse,
//! idempotent retries, queries and pagination.

use prost::Message;
use shanzhi::pb::points as pb;
use tonic::Code;

use crate::helpers::*;

#[tokio::test]
async fn points_flow_from_bureau_fund_through_households_to_a_shop() {
    let mut app = TestApp::spawn().await;
    let village = app.village("gaoba").await;
    let elderly = app.program("elderly-care").await;
    let home = app.household(&village, "hh-001").await;
    let market = app.shop("supermarket-1").await;

    app.allocate("gaoba", 1_000).await.unwrap();
    app.allocate("elderly-care", 500).await.unwrap();
    app.issue(&village.officer, "gaoba", "hh-001", 30)
        .await
        .unwrap();
    // Integrated points: a program issues to the same household.
    app.issue(&elderly.officer, "elderly-care", "hh-001", 20)
        .await
        .unwrap();
    app.deduct(&village.officer, "gaoba", "hh-001", 5)
        .await
        .unwrap();

    // Redeemable everywhere: 40 points, the oldest lots first (gaoba's 25, then 15 of the
    // program's 20), with the per-issuer breakdown settlement needs.
    let receipt = app.redeem(&market, &home, 40).await.unwrap();
    let breakdown: Vec<(String, u64)> = receipt
        .postings
        .iter()
        .map(|p| (p.issuer_id.clone(), p.points))
        .collect();
    assert_eq!(
        breakdown,
        vec![("gaoba".to_owned(), 25), ("elderly-care".to_owned(), 15)]
    );

    let account = app.account(household("hh-001")).await;
    assert_eq!(account.balance, 5);
    // Spending lowers the balance, never the score; the deduction lowered both.
    assert_eq!(account.earned_score, 45);
    assert_eq!(account.holdings.len(), 1);
    assert_eq!(account.holdings[0].issuer_id, "elderly-care");
    assert_eq!(account.holdings[0].points, 5);

    assert_eq!(app.balance(issuer("gaoba")).await, 1_000 - 30 + 5);
    assert_eq!(app.balance(issuer("elderly-care")).await, 500 - 20);
    assert_eq!(app.balance(shop("supermarket-1")).await, 40);
    assert_eq!(app.balance(bureau_fund()).await, -1_500);

    // Conservation: every point the fund backed is somewhere.
    let total = app.balance(bureau_fund()).await
        + app.balance(issuer("gaoba")).await
        + app.balance(issuer("elderly-care")).await
        + app.balance(household("hh-001")).await
        + app.balance(shop("supermarket-1")).await;
    assert_eq!(total, 0);
}

#[tokio::test]
async fn a_resident_and_a_terminal_see_their_own_accounts() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    let home = app.household(&village, "h1").await;
    let shop_fixture = app.shop("s1").await;
    app.allocate("v1", 100).await.unwrap();
    app.issue(&village.officer, "v1", "h1", 10).await.unwrap();
    app.redeem(&shop_fixture, &home, 4).await.unwrap();

    let mine = app
        .client
        .account(&home.resident, household("h1"))
        .await
        .unwrap();
    assert_eq!(mine.balance, 6);
    let takings = app
        .client
        .account(&shop_fixture.terminal, shop("s1"))
        .await
        .unwrap();
    assert_eq!(takings.balance, 4);
    let officer_view = app
        .client
        .account(&village.officer, household("h1"))
        .await
        .unwrap();
    assert_eq!(officer_view.balance, 6);
    let history = app
        .client
        .history(
            &home.resident,
            pb::ListHistoryRequest {
                account: Some(household("h1")),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let kinds: Vec<i32> = history.entries.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            pb::OperationKind::RegisterHousehold as i32,
            pb::OperationKind::IssuePoints as i32,
            pb::OperationKind::Redeem as i32
        ]
    );
}

#[tokio::test]
async fn reversing_an_issue_restores_budget_balance_and_score_once_only() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    app.household(&village, "h1").await;
    app.allocate("v1", 100).await.unwrap();
    let issued = app.issue(&village.officer, "v1", "h1", 30).await.unwrap();

    let reversal = app
        .reverse(&village.officer, issued.sequence)
        .await
        .unwrap();
    assert_eq!(reversal.reverses, Some(issued.sequence));
    assert_eq!(reversal.postings[0].debit, Some(household("h1")));
    assert_eq!(reversal.postings[0].credit, Some(issuer("v1")));

    let account = app.account(household("h1")).await;
    assert_eq!(account.balance, 0);
    assert_eq!(account.earned_score, 0);
    assert_eq!(app.balance(issuer("v1")).await, 100);

    let size = app.log_size().await;
    assert_refused(
        app.reverse(&village.officer, issued.sequence).await,
        Code::FailedPrecondition,
        "already reversed",
    );
    assert_refused(
        app.reverse(&village.officer, reversal.sequence).await,
        Code::FailedPrecondition,
        "only allocations, issues, deductions and redemptions",
    );
    assert_eq!(app.log_size().await, size);

    let original = app
        .client
        .entry(&app.admin, issued.sequence)
        .await
        .unwrap()
        .receipt
        .unwrap();
    assert_eq!(original.reversed_by, Some(reversal.sequence));
}

#[tokio::test]
async fn a_refund_reverses_a_redemption_back_into_the_same_issuers_lots() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    let home = app.household(&village, "h1").await;
    let shop_fixture = app.shop("s1").await;
    app.allocate("v1", 100).await.unwrap();
    app.issue(&village.officer, "v1", "h1", 10).await.unwrap();
    let sale = app.redeem(&shop_fixture, &home, 7).await.unwrap();

    app.reverse(&shop_fixture.terminal, sale.sequence)
        .await
        .unwrap();
    let account = app.account(household("h1")).await;
    assert_eq!(account.balance, 10);
    assert_eq!(account.holdings[0].issuer_id, "v1");
    assert_eq!(app.balance(shop("s1")).await, 0);
}

#[tokio::test]
async fn a_retried_request_returns_the_original_receipt_and_writes_nothing() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    app.household(&village, "h1").await;
    app.allocate("v1", 100).await.unwrap();

    let body = body(issue("v1", "h1", 10));
    let first = app
        .client
        .submit_body(&village.officer, &body)
        .await
        .unwrap();
    assert!(!first.duplicate);
    let size = app.log_size().await;

    let retry = app
        .client
        .submit_body(&village.officer, &body)
        .await
        .unwrap();
    assert!(retry.duplicate);
    assert_eq!(retry.receipt, first.receipt);
    assert_eq!(app.log_size().await, size);
    assert_eq!(app.balance(household("h1")).await, 10);

    // A copy of the committed body without the original signer's signature learns nothing.
    let mut unsigned = village.officer.sign(&app.client.ledger_id, &body);
    unsigned.signatures.clear();
    assert_refused(
        app.client.submit_signed(unsigned).await,
        Code::Unauthenticated,
        "expected exactly one signature",
    );
    assert_refused(
        app.client.submit_body(&app.admin, &body).await,
        Code::Unauthenticated,
        "a retry must carry that key's signature",
    );

    // Same request id, different body: refused.
    let mut changed = body.clone();
    changed.operation = Some(issue("v1", "h1", 11).clone());
    assert_refused(
        app.client.submit_body(&village.officer, &changed).await,
        Code::AlreadyExists,
        "was already used by entry",
    );
    assert_eq!(app.balance(household("h1")).await, 10);
}

#[tokio::test]
async fn history_filters_by_account_kind_and_time_and_pages_without_gaps() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    app.household(&village, "h1").await;
    app.household(&village, "h2").await;
    app.allocate("v1", 1_000).await.unwrap();
    let mut issued_to_h1 = Vec::new();
    for points in 1..=12 {
        issued_to_h1.push(
            app.issue(&village.officer, "v1", "h1", points)
                .await
                .unwrap(),
        );
        app.issue(&village.officer, "v1", "h2", points)
            .await
            .unwrap();
    }

    // Pages of 5 over h1's issues: 5 + 5 + 2, in order, nothing twice.
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = app
            .client
            .history(
                &village.officer,
                pb::ListHistoryRequest {
                    account: Some(household("h1")),
                    kind: pb::OperationKind::IssuePoints.into(),
                    page_size: 5,
                    page_token: token.clone(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        pages += 1;
        seen.extend(page.entries.iter().map(|e| e.sequence));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(pages, 3);
    let expected: Vec<u64> = issued_to_h1.iter().map(|r| r.sequence).collect();
    assert_eq!(seen, expected);

    // A time range: from the 4th issue to (excluding) the 9th issue's time.
    let since = issued_to_h1[3].committed_at_unix_ms;
    let until = issued_to_h1[8].committed_at_unix_ms;
    let page = app
        .client
        .history(
            &app.admin,
            pb::ListHistoryRequest {
                account: Some(household("h1")),
                since_unix_ms: since,
                until_unix_ms: until,
                page_size: 500,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!page.entries.is_empty());
    assert!(
        page.entries
            .iter()
            .all(|e| e.committed_at_unix_ms >= since && e.committed_at_unix_ms < until)
    );
    assert!(
        page.entries
            .iter()
            .any(|e| e.sequence == issued_to_h1[3].sequence)
    );

    // The whole log as the bureau sees it: every sequence exactly once, in order.
    let all = app.whole_history().await;
    let sequences: Vec<u64> = all.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, (0..app.log_size().await).collect::<Vec<_>>());
}

#[tokio::test]
async fn an_entry_is_stored_with_the_exact_body_bytes_that_were_signed() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    app.household(&village, "h1").await;
    app.allocate("v1", 100).await.unwrap();
    let body = body(issue("v1", "h1", 10));
    let signed = village.officer.sign(&app.client.ledger_id, &body);
    let receipt = app
        .client
        .submit_signed(signed.clone())
        .await
        .unwrap()
        .receipt
        .unwrap();

    let entry = app
        .client
        .entry(&app.admin, receipt.sequence)
        .await
        .unwrap();
    let stored = pb::LogEntry::decode(entry.log_entry.as_slice()).unwrap();
    assert_eq!(stored.sequence, receipt.sequence);
    assert_eq!(stored.committed_at_unix_ms, receipt.committed_at_unix_ms);
    assert_eq!(stored.transaction, Some(signed));

    let by_request = app
        .client
        .receipt(&village.officer, body.request_id.clone())
        .await
        .unwrap();
    assert_eq!(by_request, receipt);
}
