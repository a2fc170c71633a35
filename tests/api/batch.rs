//! `SubmitBatch` through the real server: each transaction of a batch decided on its own (a
//! forged, unknown or over-budget one answers only itself), results in the order sent,
//! duplicates within and across batches, the batch bounds, a batch larger than the ordinary
//! message limit, and concurrent retries of the same batch committing each entry once.

use shanzhi::client::{Signer, household};
use shanzhi::pb::points as pb;
use shanzhi::testkit::issue;
use tonic::Code;

use crate::helpers::*;

pub(crate) fn signed(
    app: &TestApp,
    signer: &Signer,
    operation: pb::transaction_body::Operation,
) -> pb::SignedTransaction {
    let mut body = app.client.body(operation, 10 * 60 * 1000);
    body.not_after_unix_ms = app.clock.now_unix_ms() + 10 * 60 * 1000;
    signer.sign(&app.client.ledger_id, &body)
}

/// The reason of a refused result, or `None` for a committed one.
pub(crate) fn refused(result: &pb::SubmitResult) -> Option<(Code, &str)> {
    match result
        .outcome
        .as_ref()
        .expect("every result has an outcome")
    {
        pb::submit_result::Outcome::Committed(_) => None,
        pb::submit_result::Outcome::Refused(refusal) => {
            Some((Code::from_i32(refusal.code), refusal.reason.as_str()))
        }
    }
}

fn committed(result: &pb::SubmitResult) -> &pb::SubmitResponse {
    match result.outcome.as_ref() {
        Some(pb::submit_result::Outcome::Committed(response)) => response,
        other => panic!("expected a committed result, found {other:?}"),
    }
}

#[tokio::test]
async fn each_transaction_of_a_batch_is_decided_on_its_own_and_answered_in_order() {
    let mut app = TestApp::spawn().await;
    let village = app.village("gaoba").await;
    app.household(&village, "hh-001").await;
    app.allocate("gaoba", 100).await.unwrap();
    let before = app.log_size().await;

    let good = signed(&app, &village.officer, issue("gaoba", "hh-001", 30));
    let mut forged = signed(&app, &village.officer, issue("gaoba", "hh-001", 5));
    forged.signatures[0].signature[3] ^= 1;
    let stranger = signed(&app, &Signer::generate(), issue("gaoba", "hh-001", 5));
    let over_budget = signed(&app, &village.officer, issue("gaoba", "hh-001", 1000));
    let second = signed(&app, &village.officer, issue("gaoba", "hh-001", 20));
    let nobody = signed(&app, &village.officer, issue("gaoba", "hh-404", 1));
    let batch = vec![
        good.clone(),
        forged,
        stranger,
        over_budget,
        second.clone(),
        good.clone(),
        nobody,
    ];
    let results = app.client.clone().submit_batch(batch).await.unwrap();
    assert_eq!(results.len(), 7, "one result per transaction");
    assert_eq!(refused(&results[0]), None);
    assert_eq!(
        refused(&results[1]),
        Some((Code::Unauthenticated, "BAD_SIGNATURE"))
    );
    assert_eq!(
        refused(&results[2]),
        Some((Code::Unauthenticated, "UNKNOWN_KEY"))
    );
    assert_eq!(
        refused(&results[3]).map(|(code, _)| code),
        Some(Code::FailedPrecondition)
    );
    assert_eq!(refused(&results[4]), None);
    // The same signed transaction again in the same batch: its receipt, nothing new.
    assert!(!committed(&results[0]).duplicate);
    assert!(committed(&results[5]).duplicate);
    assert_eq!(
        committed(&results[5]).receipt,
        committed(&results[0]).receipt
    );
    assert_eq!(
        refused(&results[6]),
        Some((Code::NotFound, "UNKNOWN_HOUSEHOLD"))
    );
    let first = committed(&results[0]).receipt.as_ref().unwrap().sequence;
    let then = committed(&results[4]).receipt.as_ref().unwrap().sequence;
    assert_eq!(
        (first, then),
        (before, before + 1),
        "applied in the order sent"
    );
    assert_eq!(
        app.log_size().await,
        before + 2,
        "only the two accepted entries"
    );
    assert_eq!(app.balance(household("hh-001")).await, 50);
    verify_whole_log(&mut app).await;

    // Sent again later, the batch's accepted transactions are duplicates.
    let again = app
        .client
        .clone()
        .submit_batch(vec![good, second])
        .await
        .unwrap();
    assert!(again.iter().all(|r| committed(r).duplicate));
    assert_eq!(app.log_size().await, before + 2);
}

#[tokio::test]
async fn a_batch_must_hold_1_to_256_transactions_and_may_be_larger_than_one_message() {
    let mut app = TestApp::spawn().await;
    let village = app.village("gaoba").await;
    app.household(&village, "hh-001").await;
    app.allocate("gaoba", 1_000).await.unwrap();
    let before = app.log_size().await;

    assert_reason(
        app.client.clone().submit_batch(Vec::new()).await,
        Code::InvalidArgument,
        "BATCH_SIZE",
    );
    let many: Vec<_> = (0..257)
        .map(|_| signed(&app, &village.officer, issue("gaoba", "hh-001", 1)))
        .collect();
    assert_reason(
        app.client.clone().submit_batch(many.clone()).await,
        Code::InvalidArgument,
        "BATCH_SIZE",
    );
    assert_eq!(
        app.log_size().await,
        before,
        "a refused batch writes nothing"
    );

    // 256 transactions are far more than the 16 KiB an ordinary request may carry.
    let full: Vec<_> = many.into_iter().take(256).collect();
    let bytes: usize = full.iter().map(prost::Message::encoded_len).sum();
    assert!(
        bytes > shanzhi::config::DEFAULT_MAX_MESSAGE_BYTES,
        "{bytes} bytes"
    );
    let results = app.client.clone().submit_batch(full).await.unwrap();
    assert!(results.iter().all(|r| refused(r).is_none()));
    assert_eq!(app.log_size().await, before + 256);
    assert_eq!(app.balance(household("hh-001")).await, 256);

    // The ordinary limit still holds for every other method.
    let mut oversized = signed(&app, &village.officer, issue("gaoba", "hh-001", 1));
    oversized.body = vec![0; shanzhi::config::DEFAULT_MAX_MESSAGE_BYTES + 1];
    assert_reason(
        app.client.clone().submit_signed(oversized).await,
        Code::OutOfRange,
        "MESSAGE_TOO_LARGE",
    );
}

#[tokio::test]
async fn concurrent_retries_of_one_batch_commit_each_transaction_once() {
    let mut app = TestApp::spawn().await;
    let village = app.village("gaoba").await;
    app.household(&village, "hh-001").await;
    app.allocate("gaoba", 10_000).await.unwrap();
    let before = app.log_size().await;
    let batch: Vec<_> = (0..100)
        .map(|_| signed(&app, &village.officer, issue("gaoba", "hh-001", 3)))
        .collect();
    let retries: Vec<_> = (0..4)
        .map(|_| {
            let (mut client, batch) = (app.client.clone(), batch.clone());
            tokio::spawn(async move { client.submit_batch(batch).await })
        })
        .collect();
    let mut answers = Vec::new();
    for retry in retries {
        answers.push(retry.await.unwrap().unwrap());
    }
    for position in 0..100 {
        let receipts: Vec<_> = answers
            .iter()
            .map(|results| committed(&results[position]))
            .collect();
        assert_eq!(
            receipts.iter().filter(|r| !r.duplicate).count(),
            1,
            "exactly one call committed transaction {position}"
        );
        assert!(receipts.windows(2).all(|w| w[0].receipt == w[1].receipt));
    }
    assert_eq!(app.log_size().await, before + 100);
    assert_eq!(app.balance(household("hh-001")).await, 300);
    verify_whole_log(&mut app).await;
}
