//! Shops' terminals through the real server: a manager's one-time activation code, a
//! terminal activating its own new key with it (the one transaction signed by a key not yet
//! registered, checked in the handler before it may reach the writer), blocking, unblocking
//! and retiring, and a log holding all of it verifying.

use shanzhi::client::{Signer, activate_terminal_operation, household, shop};
use shanzhi::pb::points as pb;
use shanzhi::pb::shops::TerminalStatus as Status;
use shanzhi::testkit::{
    close_period, code, create_activation_code, refund_sale, register_key, set_terminal_status,
    settle_statement,
};
use tonic::Code;

use crate::helpers::*;

/// Village gaoba with 100 points of budget, and its household hh-001 holding `points` of
/// them.
async fn gaoba_household(app: &mut TestApp, points: u64) -> (Village, Household) {
    let village = app.village("gaoba").await;
    let home = app.household(&village, "hh-001").await;
    app.allocate("gaoba", 100).await.unwrap();
    app.submit(
        &village.officer,
        shanzhi::testkit::issue("gaoba", "hh-001", points),
    )
    .await
    .unwrap();
    (village, home)
}

#[tokio::test]
async fn a_terminal_activates_itself_with_a_one_time_code_and_its_manager_blocks_and_retires_it() {
    let mut app = TestApp::spawn().await;
    let admin = app.admin.clone();
    let (_, home) = gaoba_household(&mut app, 50).await;
    let other_shop = app.shop("shop-2").await;
    app.submit(
        &admin,
        pb::transaction_body::Operation::RegisterShop(pb::RegisterShop {
            shop_id: "shop-1".into(),
            name: "积分超市".into(),
        }),
    )
    .await
    .unwrap();
    let manager = Signer::generate();
    app.submit(
        &admin,
        register_key(&manager, pb::Role::ShopManager, "shop-1"),
    )
    .await
    .unwrap();

    // The manager creates a code valid an hour; only its hash enters the log.
    let ledger_id = app.client.ledger_id;
    let until = app.clock.now_unix_ms() + 3_600_000;
    app.submit(
        &manager,
        create_activation_code(&ledger_id, "shop-1", &code(1), until),
    )
    .await
    .unwrap();
    assert_reason(
        app.submit(
            &manager,
            create_activation_code(&ledger_id, "shop-2", &code(2), until),
        )
        .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );

    // A bad code from an unregistered key is refused in the handler: it never reaches the
    // writer.
    let stranger = Signer::generate();
    let admitted = app.server.as_ref().unwrap().submissions_admitted();
    let size = app.log_size().await;
    assert_reason(
        app.submit(
            &stranger,
            activate_terminal_operation("shop-1", &code(9), &stranger),
        )
        .await,
        Code::NotFound,
        "UNKNOWN_ACTIVATION_CODE",
    );
    // Signed by a key other than the one it would register: an unknown signer.
    let terminal = Signer::generate();
    assert_reason(
        app.submit(
            &stranger,
            activate_terminal_operation("shop-1", &code(1), &terminal),
        )
        .await,
        Code::Unauthenticated,
        "UNKNOWN_KEY",
    );
    assert_eq!(
        app.server.as_ref().unwrap().submissions_admitted(),
        admitted
    );
    assert_eq!(app.log_size().await, size);

    // The terminal activates itself, once.
    app.submit(
        &terminal,
        activate_terminal_operation("shop-1", &code(1), &terminal),
    )
    .await
    .unwrap();
    let late = Signer::generate();
    assert_reason(
        app.submit(
            &late,
            activate_terminal_operation("shop-1", &code(1), &late),
        )
        .await,
        Code::FailedPrecondition,
        "ACTIVATION_CODE_USED",
    );
    let shop_1 = Shop {
        id: "shop-1".into(),
        terminal: terminal.clone(),
    };
    app.redeem(&shop_1, &home, 5).await.unwrap();
    // The manager reads its shop's account, not another's.
    let account = app.client.account(&manager, shop("shop-1")).await.unwrap();
    assert_eq!(account.balance, 5);
    assert_reason(
        app.client.account(&manager, shop("shop-2")).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );

    // Blocked, the terminal can neither sell nor read; unblocked, it can again.
    let key = terminal.key_id().to_string();
    app.submit(&manager, set_terminal_status(&key, Status::Blocked))
        .await
        .unwrap();
    assert_reason(
        app.redeem(&shop_1, &home, 5).await,
        Code::PermissionDenied,
        "KEY_BLOCKED",
    );
    assert_reason(
        app.client.account(&terminal, shop("shop-1")).await,
        Code::PermissionDenied,
        "KEY_BLOCKED",
    );
    assert_reason(
        app.submit(
            &other_shop.terminal,
            set_terminal_status(&key, Status::Active),
        )
        .await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    app.submit(&manager, set_terminal_status(&key, Status::Active))
        .await
        .unwrap();
    app.redeem(&shop_1, &home, 5).await.unwrap();
    app.submit(&manager, set_terminal_status(&key, Status::Retired))
        .await
        .unwrap();
    assert_reason(
        app.redeem(&shop_1, &home, 5).await,
        Code::PermissionDenied,
        "KEY_REVOKED",
    );
    assert_eq!(app.balance(household("hh-001")).await, 40);

    // A code expires.
    let until = app.clock.now_unix_ms() + 60_000;
    app.submit(
        &admin,
        create_activation_code(&ledger_id, "shop-1", &code(3), until),
    )
    .await
    .unwrap();
    app.advance_days(1);
    assert_reason(
        app.submit(
            &late,
            activate_terminal_operation("shop-1", &code(3), &late),
        )
        .await,
        Code::FailedPrecondition,
        "ACTIVATION_CODE_EXPIRED",
    );

    // The log holding all of it verifies; a restart replays it to the same keys.
    let size = app.log_size().await;
    assert_eq!(verify_whole_log(&mut app).await, size);
    app.restart().await;
    assert_reason(
        app.client.account(&terminal, shop("shop-1")).await,
        Code::PermissionDenied,
        "KEY_REVOKED",
    );
}

#[tokio::test]
async fn a_sale_is_refunded_in_parts_to_its_issuers_and_never_past_what_it_took() {
    let mut app = TestApp::spawn().await;
    let village = app.village("gaoba").await;
    let program = app.program("volunteers").await;
    let home = app.household(&village, "hh-001").await;
    app.allocate("gaoba", 100).await.unwrap();
    app.allocate("volunteers", 100).await.unwrap();
    app.submit(
        &village.officer,
        shanzhi::testkit::issue("gaoba", "hh-001", 30),
    )
    .await
    .unwrap();
    app.submit(
        &program.officer,
        shanzhi::testkit::issue("volunteers", "hh-001", 10),
    )
    .await
    .unwrap();
    let shop_1 = app.shop("shop-1").await;
    let other = app.shop("shop-2").await;
    let sale = app.redeem(&shop_1, &home, 40).await.unwrap().sequence;
    let before = app.log_size().await;

    // Refused, nothing applied: more than the sale, another shop's terminal, not a sale.
    assert_reason(
        app.submit(&shop_1.terminal, refund_sale(sale, 41)).await,
        Code::FailedPrecondition,
        "REFUND_OVER_SALE",
    );
    assert_reason(
        app.submit(&other.terminal, refund_sale(sale, 1)).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert_reason(
        app.submit(&shop_1.terminal, refund_sale(sale - 1, 1)).await,
        Code::FailedPrecondition,
        "NOT_A_SALE",
    );
    assert_eq!(app.log_size().await, before);

    // A partial refund: 20 of 40, three quarters to the village, a quarter to the program.
    let refund = app
        .submit(&shop_1.terminal, refund_sale(sale, 20))
        .await
        .unwrap();
    let moved: Vec<(String, u64)> = refund
        .postings
        .iter()
        .map(|p| (p.issuer_id.clone(), p.points))
        .collect();
    assert_eq!(moved, vec![("gaoba".into(), 15), ("volunteers".into(), 5)]);
    assert_eq!(app.balance(household("hh-001")).await, 20);
    assert_eq!(app.balance(shop("shop-1")).await, 20);
    assert_reason(
        app.submit(&shop_1.terminal, refund_sale(sale, 21)).await,
        Code::FailedPrecondition,
        "REFUND_OVER_SALE",
    );
    assert_reason(
        app.reverse(&app.admin.clone(), sale).await,
        Code::FailedPrecondition,
        "SALE_PARTLY_REFUNDED",
    );
    // Past the window only the bureau refunds what remains.
    app.advance_days(8);
    assert_reason(
        app.submit(&shop_1.terminal, refund_sale(sale, 1)).await,
        Code::FailedPrecondition,
        "REFUND_WINDOW_PASSED",
    );
    app.submit(&app.admin.clone(), refund_sale(sale, 20))
        .await
        .unwrap();
    assert_eq!(app.balance(household("hh-001")).await, 40);
    assert_eq!(app.balance(shop("shop-1")).await, 0);
    let size = app.log_size().await;
    assert_eq!(verify_whole_log(&mut app).await, size);
}

#[tokio::test]
async fn a_closed_months_statement_is_settled_once_by_each_issuer_and_never_touched_again() {
    let mut app = TestApp::spawn().await;
    let (village, home) = gaoba_household(&mut app, 30).await;
    let other = app.village("other").await;
    let shop_1 = app.shop("shop-1").await;
    let receipt = app.redeem(&shop_1, &home, 12).await.unwrap();
    app.submit(&shop_1.terminal, refund_sale(receipt.sequence, 2))
        .await
        .unwrap();
    let month = shanzhi::ledger::Period::containing(receipt.committed_at_unix_ms).to_string();
    let admin = app.admin.clone();

    // The statement, read by the shop's terminal, the issuer, the bureau; not another village.
    let statement = app
        .client
        .statement(&shop_1.terminal, "shop-1", &month)
        .await
        .unwrap();
    assert_eq!((statement.closed, statement.entries), (false, 2));
    let line = &statement.lines[0];
    assert_eq!(
        (
            line.issuer_id.as_str(),
            line.sold,
            line.refunded,
            line.receivable
        ),
        ("gaoba", 12, 2, 10)
    );
    assert!(
        app.client
            .statement(&village.officer, "shop-1", &month)
            .await
            .is_ok()
    );
    assert_reason(
        app.client.statement(&other.officer, "shop-1", &month).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert_reason(
        app.submit(
            &village.officer,
            settle_statement("shop-1", &month, "gaoba", 10),
        )
        .await,
        Code::FailedPrecondition,
        "PERIOD_OPEN",
    );
    assert_reason(
        app.submit(&admin, close_period(&month)).await,
        Code::FailedPrecondition,
        "PERIOD_NOT_ENDED",
    );

    // The month ends, then the 7-day refund window after it; it is closed; nothing touches it.
    app.advance_days(40);
    app.submit(&admin, close_period(&month)).await.unwrap();
    assert_reason(
        app.submit(&admin, refund_sale(receipt.sequence, 1)).await,
        Code::FailedPrecondition,
        "PERIOD_CLOSED",
    );
    assert_reason(
        app.reverse(&admin, receipt.sequence).await,
        Code::FailedPrecondition,
        "PERIOD_CLOSED",
    );
    // Settled once, for exactly what is owed, by the issuer.
    let before = app.log_size().await;
    assert_reason(
        app.submit(
            &village.officer,
            settle_statement("shop-1", &month, "gaoba", 12),
        )
        .await,
        Code::FailedPrecondition,
        "SETTLEMENT_MISMATCH",
    );
    assert_reason(
        app.submit(
            &other.officer,
            settle_statement("shop-1", &month, "gaoba", 10),
        )
        .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert_reason(
        app.submit(
            &other.officer,
            settle_statement("shop-1", &month, "other", 1),
        )
        .await,
        Code::NotFound,
        "NOTHING_TO_SETTLE",
    );
    assert_eq!(app.log_size().await, before);
    app.submit(
        &village.officer,
        settle_statement("shop-1", &month, "gaoba", 10),
    )
    .await
    .unwrap();
    assert_reason(
        app.submit(
            &village.officer,
            settle_statement("shop-1", &month, "gaoba", 10),
        )
        .await,
        Code::AlreadyExists,
        "ALREADY_SETTLED",
    );
    assert_eq!(app.balance(shop("shop-1")).await, 0);
    let settled = app
        .client
        .statement(&admin, "shop-1", &month)
        .await
        .unwrap();
    assert!(settled.closed);
    assert_eq!(settled.lines[0].payment_reference, "BANK-2026-0001");
    assert_eq!(settled.entries_hash, statement.entries_hash);
    // The issuer's report of the month: its sales at the shop and the refund; read by its
    // officers and the bureau, not by another village or the shop.
    let report = app
        .client
        .issuer_report(&village.officer, "gaoba", &month)
        .await
        .unwrap();
    assert_eq!((report.issued, report.refunded), (30, 2));
    assert_eq!(report.redeemed[0].shop_id, "shop-1");
    assert_eq!(report.redeemed[0].points, 12);
    assert_eq!(report.outstanding, 20);
    for reader in [&other.officer, &shop_1.terminal] {
        assert_reason(
            app.client.issuer_report(reader, "gaoba", &month).await,
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        );
    }
    // The statement survives a restart, and the log verifies.
    app.restart().await;
    let replayed = app
        .client
        .statement(&admin, "shop-1", &month)
        .await
        .unwrap();
    assert_eq!(replayed, settled);
    let size = app.log_size().await;
    assert_eq!(verify_whole_log(&mut app).await, size);
}

#[tokio::test]
async fn a_terminal_past_its_request_rate_is_refused_and_nothing_is_done() {
    let mut app = TestApp::spawn_configured(shanzhi::ledger::LedgerParameters::default(), |c| {
        c.terminal_requests_per_sec = 1;
    })
    .await;
    let (village, home) = gaoba_household(&mut app, 30).await;
    let shop_1 = app.shop("shop-1").await;
    // A burst of two, then one a second: ten sales at once cannot all go in.
    let mut refused = 0;
    for _ in 0..10 {
        match app.redeem(&shop_1, &home, 1).await {
            Ok(_) => {}
            Err(status) => {
                assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
                assert_eq!(
                    shanzhi::api::reason_of(&status).as_deref(),
                    Some("TERMINAL_RATE_LIMITED")
                );
                refused += 1;
            }
        }
    }
    assert!(
        refused >= 1,
        "ten sales in a row all went in at one a second"
    );
    // Nothing was done for the refused ones; reads count too; others are not limited.
    assert_eq!(app.balance(shop("shop-1")).await, 10 - refused);
    assert!(
        app.client
            .account(&village.officer, household("hh-001"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_household_past_its_daily_redemption_limit_is_refused_at_every_shop() {
    let mut app = TestApp::spawn().await;
    let (village, home) = gaoba_household(&mut app, 60).await;
    let mut policy = shanzhi::testkit::default_policy("gaoba", 1, app.today());
    policy.daily_redemption_limit = 25;
    app.submit(&village.officer, shanzhi::testkit::set_policy(policy))
        .await
        .unwrap();
    let (shop_1, shop_2) = (app.shop("shop-1").await, app.shop("shop-2").await);
    app.redeem(&shop_1, &home, 20).await.unwrap();
    assert_reason(
        app.redeem(&shop_2, &home, 6).await,
        Code::FailedPrecondition,
        "DAILY_REDEMPTION_LIMIT",
    );
    app.redeem(&shop_2, &home, 5).await.unwrap();
    // The next day (by the server's clock, so the code is signed for it too).
    app.advance_days(1);
    let ledger_id = app.client.ledger_id;
    let code = home.resident.payment_code_until(
        &ledger_id,
        "hh-001",
        25,
        app.clock.now_unix_ms() + 60_000,
    );
    let sale = app.redeem_op("shop-1", "hh-001", 25, code);
    app.submit(&shop_1.terminal, sale).await.unwrap();
    assert_eq!(app.balance(household("hh-001")).await, 10);
}
