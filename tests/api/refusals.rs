//! Every refusal through the real server: the right gRPC code, a message saying what was
//! expected, and nothing applied.

use prost::Message;
use shanzhi::client::Signer;
use shanzhi::ledger::LedgerParameters;
use shanzhi::pb::points as pb;
use shanzhi::pb::points::transaction_body::Operation;
use tonic::Code;

use crate::helpers::*;

/// A ledger with one village (budget 100), one household holding 10 points, and a shop.
async fn funded() -> (TestApp, Village, Household, Shop) {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    let home = app.household(&village, "h1").await;
    let shop = app.shop("s1").await;
    app.allocate("v1", 100).await.unwrap();
    app.issue(&village.officer, "v1", "h1", 10).await.unwrap();
    (app, village, home, shop)
}

/// Snapshot of every balance and the log size, to prove a refusal changed nothing.
async fn snapshot(app: &mut TestApp) -> Vec<i64> {
    vec![
        app.log_size().await as i64,
        app.balance(bureau_fund()).await,
        app.balance(issuer("v1")).await,
        app.balance(household("h1")).await,
        app.balance(shop("s1")).await,
    ]
}

#[tokio::test]
async fn malformed_bodies_are_invalid_arguments_and_change_nothing() {
    let (mut app, village, _, _) = funded().await;
    let before = snapshot(&mut app).await;
    let ledger = app.client.ledger_id;

    let mut short_id = body(issue("v1", "h1", 1));
    short_id.request_id = vec![1, 2, 3];
    assert_refused(
        app.client.submit_body(&village.officer, &short_id).await,
        Code::InvalidArgument,
        "request_id: expected exactly 16 bytes, found 3 bytes",
    );

    assert_refused(
        app.submit(&village.officer, issue("v1", "h1", 0)).await,
        Code::InvalidArgument,
        "points: expected at least 1",
    );
    assert_refused(
        app.submit(&village.officer, issue("v1", "h 1", 1)).await,
        Code::InvalidArgument,
        "household_id: expected 1 to 64 characters from [A-Za-z0-9._-]",
    );

    let mut no_operation = body(issue("v1", "h1", 1));
    no_operation.operation = None;
    assert_refused(
        app.client
            .submit_body(&village.officer, &no_operation)
            .await,
        Code::InvalidArgument,
        "no operation",
    );

    // An unknown field appended to a valid body (field 99, varint 1).
    let mut bytes = body(issue("v1", "h1", 1)).encode_to_vec();
    bytes.extend_from_slice(&[0x98, 0x06, 0x01]);
    assert_refused(
        app.client
            .submit_signed(village.officer.sign_bytes(&ledger, bytes))
            .await,
        Code::InvalidArgument,
        "not canonical",
    );

    // The same field twice (not_after repeated): decodes, but not canonically.
    let mut bytes = body(issue("v1", "h1", 1)).encode_to_vec();
    bytes.extend_from_slice(&[0x10, 0x01]);
    assert_refused(
        app.client
            .submit_signed(village.officer.sign_bytes(&ledger, bytes))
            .await,
        Code::InvalidArgument,
        "not canonical",
    );

    assert_refused(
        app.client
            .submit_signed(village.officer.sign_bytes(&ledger, vec![0xff, 0xff]))
            .await,
        Code::InvalidArgument,
        "not a valid protobuf message",
    );

    let mut too_long = body(issue("v1", "h1", 1));
    too_long.not_after_unix_ms += LedgerParameters::DEFAULT_MAX_TRANSACTION_WINDOW_MS;
    assert_refused(
        app.client.submit_body(&village.officer, &too_long).await,
        Code::InvalidArgument,
        "window too long",
    );

    assert_refused(
        app.client
            .submit(
                &app.admin,
                Operation::RegisterKey(pb::RegisterKey {
                    public_key: Signer::generate().public_key(),
                    role: 42,
                    scope: String::new(),
                    label: String::new(),
                }),
            )
            .await,
        Code::InvalidArgument,
        "role: expected one of",
    );

    assert_refused(
        app.client
            .transactions
            .submit(pb::SubmitRequest { transaction: None })
            .await,
        Code::InvalidArgument,
        "transaction: expected a SignedTransaction",
    );
    assert_eq!(snapshot(&mut app).await, before);
}

#[tokio::test]
async fn weak_keys_are_refused_at_registration() {
    let mut app = TestApp::spawn().await;
    let mut identity = vec![0u8; 32];
    identity[0] = 1;
    assert_refused(
        app.client
            .submit(
                &app.admin,
                Operation::RegisterKey(pb::RegisterKey {
                    public_key: identity,
                    role: pb::Role::Auditor.into(),
                    scope: String::new(),
                    label: String::new(),
                }),
            )
            .await,
        Code::InvalidArgument,
        "weak (small-order) public key",
    );
}

#[tokio::test]
async fn forged_replayed_and_missing_signatures_are_unauthenticated() {
    let (mut app, village, _, _) = funded().await;
    let before = snapshot(&mut app).await;
    let ledger = app.client.ledger_id;

    // Forged: signed by an unregistered key but claiming the officer's key id.
    let impostor = Signer::generate();
    let mut forged = impostor.sign(&ledger, &body(issue("v1", "h1", 5)));
    forged.signatures[0].key_id = village.officer.key_id().to_string();
    assert_refused(
        app.client.submit_signed(forged).await,
        Code::Unauthenticated,
        "does not verify",
    );

    // Replayed: the officer's genuine signature moved onto another body.
    let genuine = village.officer.sign(&ledger, &body(issue("v1", "h1", 1)));
    let mut replayed = village.officer.sign(&ledger, &body(issue("v1", "h1", 9)));
    replayed.signatures = genuine.signatures.clone();
    assert_refused(
        app.client.submit_signed(replayed).await,
        Code::Unauthenticated,
        "does not verify",
    );

    // Signed for another ledger (another county, or staging).
    let other_ledger = shanzhi::ledger::LedgerId([9; 16]);
    assert_refused(
        app.client
            .submit_signed(
                village
                    .officer
                    .sign(&other_ledger, &body(issue("v1", "h1", 1))),
            )
            .await,
        Code::Unauthenticated,
        "does not verify",
    );

    assert_refused(
        app.submit(&impostor, issue("v1", "h1", 1)).await,
        Code::Unauthenticated,
        "is not registered",
    );

    let mut unsigned = genuine.clone();
    unsigned.signatures.clear();
    assert_refused(
        app.client.submit_signed(unsigned).await,
        Code::Unauthenticated,
        "expected exactly one signature",
    );

    let mut twice = genuine.clone();
    twice.signatures.push(genuine.signatures[0].clone());
    assert_refused(
        app.client.submit_signed(twice).await,
        Code::Unauthenticated,
        "expected exactly one signature",
    );
    assert_eq!(snapshot(&mut app).await, before);
}

#[tokio::test]
async fn roles_and_scopes_are_enforced_from_the_key_set() {
    let (mut app, village, home, shop_fixture) = funded().await;
    let other = app.village("v2").await;
    let other_home = app.household(&other, "h2").await;
    app.allocate("v2", 50).await.unwrap();
    let other_shop = app.shop("s2").await;
    let before = snapshot(&mut app).await;

    // An officer of v2 cannot spend v1's budget, nor award v1's households from v2's.
    assert_refused(
        app.issue(&other.officer, "v1", "h1", 1).await,
        Code::PermissionDenied,
        "may act only for issuer v2, not for issuer v1",
    );
    assert_refused(
        app.issue(&other.officer, "v2", "h1", 1).await,
        Code::PermissionDenied,
        "households of village v2",
    );
    // Admin-only operations.
    assert_refused(
        app.submit(
            &village.officer,
            register_issuer("v3", pb::IssuerKind::Village),
        )
        .await,
        Code::PermissionDenied,
        "needs a bureau admin key",
    );
    assert_refused(
        app.submit(
            &village.officer,
            Operation::AllocateBudget(pb::AllocateBudget {
                issuer_id: "v1".into(),
                points: 5,
                memo: String::new(),
            }),
        )
        .await,
        Code::PermissionDenied,
        "needs a bureau admin key",
    );
    assert_refused(
        app.submit(
            &village.officer,
            register_key(&Signer::generate(), pb::Role::VillageOfficer, "v1"),
        )
        .await,
        Code::PermissionDenied,
        "registering a key needs",
    );
    // A resident key cannot issue points; an admin does not issue either.
    assert_refused(
        app.issue(&home.resident, "v1", "h1", 1).await,
        Code::PermissionDenied,
        "issuing points needs a village officer or program issuer",
    );
    // A terminal acting for another shop.
    let code = app.payment_code(&home.resident, "h1", 5);
    let op = app.redeem_op("s1", "h1", 5, code);
    assert_refused(
        app.submit(&other_shop.terminal, op).await,
        Code::PermissionDenied,
        "may act only for shop s2, not for shop s1",
    );
    // A village officer cannot register households in another village.
    assert_refused(
        app.submit(
            &other.officer,
            Operation::RegisterHousehold(pb::RegisterHousehold {
                household_id: "h9".into(),
                village_id: "v1".into(),
                resident_public_keys: vec![],
            }),
        )
        .await,
        Code::PermissionDenied,
        "village v2",
    );
    // Reversal by an officer of an uninvolved issuer.
    let sale = app.redeem(&shop_fixture, &home, 1).await.unwrap();
    assert_refused(
        app.reverse(&other.officer, sale.sequence).await,
        Code::PermissionDenied,
        "reversing this entry needs",
    );
    let _ = other_home;
    assert_eq!(app.balance(household("h1")).await, before[3] - 1);
    assert_eq!(app.balance(issuer("v1")).await, before[2]);
}

#[tokio::test]
async fn a_revoked_key_can_no_longer_write_or_read() {
    let (mut app, village, _, _) = funded().await;
    let key_id = village.officer.key_id().to_string();
    app.client
        .submit(
            &app.admin,
            Operation::RevokeKey(pb::RevokeKey {
                key_id: key_id.clone(),
                reason: "officer left the committee".into(),
            }),
        )
        .await
        .unwrap();
    assert_refused(
        app.issue(&village.officer, "v1", "h1", 1).await,
        Code::PermissionDenied,
        "was revoked at entry",
    );
    assert_refused(
        app.client.account(&village.officer, household("h1")).await,
        Code::PermissionDenied,
        "was revoked",
    );
    assert_refused(
        app.client
            .submit(
                &app.admin,
                Operation::RevokeKey(pb::RevokeKey {
                    key_id,
                    reason: "again".into(),
                }),
            )
            .await,
        Code::FailedPrecondition,
        "already revoked",
    );
    // The last bureau admin key cannot be revoked.
    let admin_id = app.admin.key_id().to_string();
    assert_refused(
        app.client
            .submit(
                &app.admin,
                Operation::RevokeKey(pb::RevokeKey {
                    key_id: admin_id,
                    reason: "oops".into(),
                }),
            )
            .await,
        Code::FailedPrecondition,
        "without an active bureau admin key",
    );
}

#[tokio::test]
async fn unknown_things_are_not_found_and_duplicates_already_exist() {
    let (mut app, village, _, _) = funded().await;
    assert_refused(
        app.issue(&village.officer, "v1", "nobody", 1).await,
        Code::NotFound,
        "household nobody is not registered",
    );
    assert_refused(
        app.allocate("ghost-village", 1).await,
        Code::NotFound,
        "issuer ghost-village is not registered",
    );
    assert_refused(
        app.reverse(&Signer::generate(), 1).await,
        Code::Unauthenticated,
        "is not registered",
    );
    assert_refused(
        app.client
            .submit(
                &app.admin,
                Operation::ReverseEntry(pb::ReverseEntry {
                    sequence: 10_000,
                    reason: "typo".into(),
                }),
            )
            .await,
        Code::NotFound,
        "no entry at sequence 10000",
    );
    assert_refused(
        app.client
            .submit(
                &app.admin,
                Operation::RevokeKey(pb::RevokeKey {
                    key_id: "00".repeat(16),
                    reason: "lost".into(),
                }),
            )
            .await,
        Code::NotFound,
        "to revoke is not registered",
    );
    assert_refused(
        app.client
            .submit(&app.admin, register_issuer("v1", pb::IssuerKind::Village))
            .await,
        Code::AlreadyExists,
        "issuer v1 is already registered",
    );
    assert_refused(
        app.submit(
            &village.officer,
            Operation::RegisterHousehold(pb::RegisterHousehold {
                household_id: "h1".into(),
                village_id: "v1".into(),
                resident_public_keys: vec![],
            }),
        )
        .await,
        Code::AlreadyExists,
        "household h1 is already registered",
    );
    assert_refused(
        app.client
            .submit(
                &app.admin,
                register_key(&village.officer, pb::Role::Auditor, ""),
            )
            .await,
        Code::AlreadyExists,
        "is already registered",
    );
    assert_refused(
        app.client.receipt(&app.admin, vec![7; 16]).await,
        Code::NotFound,
        "no transaction with request id",
    );
}

#[tokio::test]
async fn balances_budgets_and_time_are_failed_preconditions() {
    let (mut app, village, home, shop_fixture) = funded().await;
    let before = snapshot(&mut app).await;
    assert_refused(
        app.issue(&village.officer, "v1", "h1", 91).await,
        Code::FailedPrecondition,
        "insufficient budget: issuer v1 holds 90 points, the request needs 91",
    );
    assert_refused(
        app.deduct(&village.officer, "v1", "h1", 11).await,
        Code::FailedPrecondition,
        "insufficient spendable balance",
    );
    assert_refused(
        app.redeem(&shop_fixture, &home, 11).await,
        Code::FailedPrecondition,
        "insufficient spendable balance",
    );
    let mut expired = body(issue("v1", "h1", 1));
    expired.not_after_unix_ms = 1_000;
    assert_refused(
        app.client.submit_body(&village.officer, &expired).await,
        Code::FailedPrecondition,
        "transaction expired",
    );
    assert_eq!(snapshot(&mut app).await, before);
}

#[tokio::test]
async fn payment_codes_need_the_residents_consent_once_within_limits() {
    let (mut app, village, home, shop_fixture) = funded().await;
    let neighbour = app.household(&village, "h2").await;
    let ledger = app.client.ledger_id;

    // Reused code.
    let code = app.payment_code(&home.resident, "h1", 3);
    let op = app.redeem_op("s1", "h1", 2, code.clone());
    app.submit(&shop_fixture.terminal, op).await.unwrap();
    let op = app.redeem_op("s1", "h1", 1, code);
    let reused = app.submit(&shop_fixture.terminal, op).await;
    assert_reason(
        reused.clone(),
        Code::FailedPrecondition,
        "PAYMENT_CODE_REUSED",
    );
    assert_refused(reused, Code::FailedPrecondition, "was already used");
    let before = snapshot(&mut app).await;

    // Over its maximum.
    let code = app.payment_code(&home.resident, "h1", 3);
    let op = app.redeem_op("s1", "h1", 4, code);
    let refused = app.submit(&shop_fixture.terminal, op).await;
    assert_reason(
        refused.clone(),
        Code::FailedPrecondition,
        "PAYMENT_CODE_OVER_MAXIMUM",
    );
    assert_refused(refused, Code::FailedPrecondition, "allows at most 3 points");
    // For one shop, presented at another.
    let only_s2 = home.resident.sign_spend_authorization(
        &ledger,
        &pb::SpendAuthorization {
            household_id: "h1".into(),
            max_points: 3,
            nonce: shanzhi::crypto::random_bytes::<16>().to_vec(),
            not_after_unix_ms: shanzhi::writer::now_unix_ms() + CODE_VALIDITY_MS,
            shop_id: "s2".into(),
        },
    );
    let op = app.redeem_op("s1", "h1", 1, only_s2);
    let refused = app.submit(&shop_fixture.terminal, op).await;
    assert_reason(
        refused.clone(),
        Code::FailedPrecondition,
        "PAYMENT_CODE_OTHER_SHOP",
    );
    assert_refused(refused, Code::FailedPrecondition, "valid only at shop s2");
    // Signed by a resident of another household (for that household, or for this one).
    let code = app.payment_code(&home.resident, "h1", 3);
    let op = app.redeem_op("s1", "h2", 1, code);
    let refused = app.submit(&shop_fixture.terminal, op).await;
    assert_reason(
        refused.clone(),
        Code::FailedPrecondition,
        "PAYMENT_CODE_NOT_RESIDENT",
    );
    assert_refused(
        refused,
        Code::FailedPrecondition,
        "resident key of household h2",
    );
    let code = app.payment_code(&neighbour.resident, "h1", 3);
    let op = app.redeem_op("s1", "h1", 1, code);
    let refused = app.submit(&shop_fixture.terminal, op).await;
    assert_reason(
        refused.clone(),
        Code::FailedPrecondition,
        "PAYMENT_CODE_NOT_RESIDENT",
    );
    assert_refused(
        refused,
        Code::FailedPrecondition,
        "expected a resident key of household h1",
    );
    // A household's own resident's code, naming another household.
    let code = app.payment_code(&neighbour.resident, "h1", 3);
    let op = app.redeem_op("s1", "h2", 1, code);
    let refused = app.submit(&shop_fixture.terminal, op).await;
    assert_reason(
        refused.clone(),
        Code::FailedPrecondition,
        "PAYMENT_CODE_OTHER_HOUSEHOLD",
    );
    assert_refused(refused, Code::FailedPrecondition, "h1");
    // Expired.
    let expired = home.resident.payment_code(&ledger, "h1", 3, 0);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let op = app.redeem_op("s1", "h1", 1, expired);
    let refused = app.submit(&shop_fixture.terminal, op).await;
    assert_reason(
        refused.clone(),
        Code::FailedPrecondition,
        "PAYMENT_CODE_EXPIRED",
    );
    assert_refused(refused, Code::FailedPrecondition, "expired");
    // Valid far longer than the ledger allows.
    let long = home
        .resident
        .payment_code(&ledger, "h1", 3, 24 * 3600 * 1000);
    let op = app.redeem_op("s1", "h1", 1, long);
    let refused = app.submit(&shop_fixture.terminal, op).await;
    assert_reason(
        refused.clone(),
        Code::FailedPrecondition,
        "PAYMENT_CODE_TOO_LONG",
    );
    assert_refused(refused, Code::FailedPrecondition, "more than the allowed");
    // Forged consent: the code's signature does not verify.
    let mut forged = app.payment_code(&home.resident, "h1", 3);
    forged.resident_signature.as_mut().unwrap().signature[0] ^= 1;
    let op = app.redeem_op("s1", "h1", 1, forged);
    let refused = app.submit(&shop_fixture.terminal, op).await;
    assert_reason(refused.clone(), Code::Unauthenticated, "BAD_SIGNATURE");
    assert_refused(refused, Code::Unauthenticated, "does not verify");
    // No consent at all.
    let op = Operation::Redeem(pb::Redeem {
        shop_id: "s1".into(),
        household_id: "h1".into(),
        points: 1,
        payment_code: None,
        terminal_counter: 1_000,
        memo: String::new(),
        lines: shanzhi::testkit::one_line(1),
    });
    let refused = app.submit(&shop_fixture.terminal, op).await;
    assert_reason(refused.clone(), Code::InvalidArgument, "INVALID_FIELD");
    assert_refused(
        refused,
        Code::InvalidArgument,
        "payment_code: expected the resident's signed spend authorization",
    );
    // Lines that do not add up to the points, no lines, a line of nothing.
    for (lines, reason) in [
        (shanzhi::testkit::one_line(3), "SALE_TOTAL_MISMATCH"),
        (vec![], "INVALID_FIELD"),
        (
            vec![pb::SaleLine {
                quantity: 0,
                ..shanzhi::testkit::one_line(2).remove(0)
            }],
            "INVALID_FIELD",
        ),
    ] {
        let code = app.payment_code(&home.resident, "h1", 3);
        let mut op = app.redeem_op("s1", "h1", 2, code);
        if let Operation::Redeem(redeem) = &mut op {
            redeem.lines = lines;
        }
        assert_reason(
            app.submit(&shop_fixture.terminal, op).await,
            Code::InvalidArgument,
            reason,
        );
    }
    // A terminal counter that goes back.
    let code = app.payment_code(&home.resident, "h1", 3);
    let op = Operation::Redeem(pb::Redeem {
        shop_id: "s1".into(),
        household_id: "h1".into(),
        points: 1,
        payment_code: Some(code),
        terminal_counter: 1,
        memo: String::new(),
        lines: shanzhi::testkit::one_line(1),
    });
    let refused = app.submit(&shop_fixture.terminal, op).await;
    assert_reason(
        refused.clone(),
        Code::FailedPrecondition,
        "TERMINAL_COUNTER_NOT_INCREASING",
    );
    assert_refused(
        refused,
        Code::FailedPrecondition,
        "terminal counter must strictly increase",
    );
    assert_eq!(snapshot(&mut app).await, before);
}

#[tokio::test]
async fn reads_are_authenticated_and_scoped() {
    let (mut app, village, home, shop_fixture) = funded().await;
    let other = app.village("v2").await;
    app.household(&other, "h2").await;
    let auditor = Signer::generate();
    app.client
        .submit(&app.admin, register_key(&auditor, pb::Role::Auditor, ""))
        .await
        .unwrap();

    assert_refused(
        app.client.account(&home.resident, household("h2")).await,
        Code::PermissionDenied,
        "not for household h2",
    );
    assert_refused(
        app.client.account(&village.officer, household("h2")).await,
        Code::PermissionDenied,
        "not for household h2",
    );
    assert_refused(
        app.client
            .account(&shop_fixture.terminal, household("h1"))
            .await,
        Code::PermissionDenied,
        "not for household h1",
    );
    assert_refused(
        app.client
            .history(&village.officer, pb::ListHistoryRequest::default())
            .await,
        Code::PermissionDenied,
        "the whole history",
    );
    assert_refused(
        app.client.entry(&home.resident, 1).await,
        Code::PermissionDenied,
        "entry 1",
    );
    assert_refused(
        app.client
            .account(&Signer::generate(), household("h1"))
            .await,
        Code::Unauthenticated,
        "is not registered",
    );
    // The auditor reads everything.
    assert_eq!(
        app.client
            .account(&auditor, household("h2"))
            .await
            .unwrap()
            .balance,
        0
    );
    assert!(
        !app.client
            .history(&auditor, pb::ListHistoryRequest::default())
            .await
            .unwrap()
            .entries
            .is_empty()
    );

    // No credential at all, and a credential for another method.
    assert_refused(
        app.client
            .queries
            .get_account(pb::GetAccountRequest {
                account: Some(household("h1")),
            })
            .await,
        Code::Unauthenticated,
        "x-shanzhi-key-id is missing",
    );
    let ledger = app.client.ledger_id;
    let wrong_method = auditor.read_request(
        &ledger,
        shanzhi::api::auth::methods::LIST_HISTORY,
        pb::GetAccountRequest {
            account: Some(household("h1")),
        },
    );
    // The message describes the read credential's own signed bytes: the method the server
    // expected and the timestamp it received.
    let sent_at = wrong_method
        .metadata()
        .get("x-shanzhi-timestamp")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let status = app
        .client
        .queries
        .get_account(wrong_method)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    for needle in [
        "does not verify",
        "\"shanzhi/read/v1\"",
        "shanzhi.points.v1.QueryService/GetAccount (the method, no leading slash)",
        &format!("{sent_at} (the decimal string sent in x-shanzhi-timestamp)"),
        "SHA-256 of the request message's canonical encoding",
    ] {
        assert!(
            status.message().contains(needle),
            "{needle:?} not in {}",
            status.message()
        );
    }
    // A credential made for one request cannot be replayed to ask for another.
    let mut swapped = home.resident.read_request(
        &ledger,
        shanzhi::api::auth::methods::GET_ACCOUNT,
        pb::GetAccountRequest {
            account: Some(household("h1")),
        },
    );
    *swapped.get_mut() = pb::GetAccountRequest {
        account: Some(household("h2")),
    };
    assert_refused(
        app.client.queries.get_account(swapped).await,
        Code::Unauthenticated,
        "does not verify",
    );
    // A stale credential.
    let mut stale = auditor.read_request(
        &ledger,
        shanzhi::api::auth::methods::GET_ACCOUNT,
        pb::GetAccountRequest {
            account: Some(household("h1")),
        },
    );
    stale
        .metadata_mut()
        .insert("x-shanzhi-timestamp", "1000".parse().unwrap());
    assert_refused(
        app.client.queries.get_account(stale).await,
        Code::Unauthenticated,
        "from the server's clock",
    );
    assert_refused(
        app.client
            .history(
                &auditor,
                pb::ListHistoryRequest {
                    page_size: 501,
                    ..Default::default()
                },
            )
            .await,
        Code::InvalidArgument,
        "page_size",
    );
}

#[tokio::test]
async fn nothing_unauthenticated_or_oversized_reaches_the_writer() {
    let (mut app, village, _, _) = funded().await;
    let before = snapshot(&mut app).await;
    let ledger = app.client.ledger_id;
    let reached_writer = |app: &TestApp| app.server.as_ref().unwrap().submissions_admitted();
    let admitted_before = reached_writer(&app);

    // A body over the cap is refused before its signature is looked at, signed or not.
    let stranger = Signer::generate();
    let mut huge = stranger.sign(&ledger, &body(issue("v1", "h1", 1)));
    huge.body = vec![0x0a; shanzhi::ledger::MAX_BODY_BYTES + 1];
    huge.signatures.clear();
    let refused = app.client.submit_signed(huge).await;
    assert_reason(refused.clone(), Code::InvalidArgument, "BODY_TOO_LARGE");
    assert_refused(
        refused,
        Code::InvalidArgument,
        "expected at most 4096 bytes",
    );

    assert_eq!(
        reached_writer(&app),
        admitted_before,
        "refused in the handler"
    );

    // A household with more resident keys than allowed (signed by its officer: the writer
    // decides this one).
    let keys = (0..=shanzhi::ledger::MAX_RESIDENT_KEYS)
        .map(|_| Signer::generate().public_key())
        .collect();
    assert_refused(
        app.submit(
            &village.officer,
            Operation::RegisterHousehold(pb::RegisterHousehold {
                household_id: "h-many".into(),
                village_id: "v1".into(),
                resident_public_keys: keys,
            }),
        )
        .await,
        Code::InvalidArgument,
        "expected at most 16 keys",
    );

    // A committed body re-sent unsigned or by a stranger learns nothing about the log.
    let committed = village.officer.sign(&ledger, &body(issue("v1", "h1", 1)));
    app.client.submit_signed(committed.clone()).await.unwrap();
    let admitted_before = reached_writer(&app);
    let mut unsigned = committed.clone();
    unsigned.signatures.clear();
    let mut restranged = committed.clone();
    restranged.signatures = stranger
        .sign(&ledger, &body(issue("v1", "h1", 1)))
        .signatures;
    // Nor does a stranger's new body under a request id already used (today that would
    // have told the entry's sequence).
    let mut reused = pb::TransactionBody::decode(committed.body.as_slice()).unwrap();
    reused.not_after_unix_ms += 1;
    let reused = stranger.sign(&ledger, &reused);
    for copy in [unsigned, restranged, reused] {
        let status = app.client.submit_signed(copy).await.unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{}", status.message());
        assert!(!status.message().contains("entry"), "{}", status.message());
    }

    // The key id travels outside the signature: only its canonical (lower-case) form.
    let mut shouted = village.officer.sign(&ledger, &body(issue("v1", "h1", 1)));
    shouted.signatures[0].key_id = shouted.signatures[0].key_id.to_uppercase();
    assert_refused(
        app.client.submit_signed(shouted).await,
        Code::InvalidArgument,
        "32 lower-case hex characters",
    );
    assert_eq!(
        reached_writer(&app),
        admitted_before,
        "none of these reached the writer"
    );

    // A revoked key is refused in the handler, retries of its own committed bodies included.
    app.client
        .submit(
            &app.admin,
            Operation::RevokeKey(pb::RevokeKey {
                key_id: village.officer.key_id().to_string(),
                reason: "officer left the committee".into(),
            }),
        )
        .await
        .unwrap();
    let admitted_before = reached_writer(&app);
    assert_refused(
        app.client.submit_signed(committed).await,
        Code::PermissionDenied,
        "was revoked at entry",
    );
    assert_eq!(
        reached_writer(&app),
        admitted_before,
        "refused in the handler"
    );
    let after = snapshot(&mut app).await;
    assert_eq!(after[0], before[0] + 2, "only the issue and the revocation");
}

#[tokio::test]
async fn a_retry_after_a_reversal_returns_the_original_receipt() {
    let (mut app, village, _, _) = funded().await;
    let ledger = app.client.ledger_id;
    let signed = village.officer.sign(&ledger, &body(issue("v1", "h1", 3)));
    let first = app.client.submit_signed(signed.clone()).await.unwrap();
    let sequence = first.receipt.as_ref().unwrap().sequence;
    app.reverse(&village.officer, sequence).await.unwrap();
    let again = app.client.submit_signed(signed).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(again.receipt, first.receipt);
    assert_eq!(again.receipt.unwrap().reversed_by, None);
}
