//! The server's infrastructure: health, reflection, graceful shutdown.

use shanzhi::pb::points as pb;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

use crate::helpers::*;

#[tokio::test]
async fn health_reports_serving_for_the_points_services() {
    let app = TestApp::spawn().await;
    let mut health = HealthClient::new(channel(&app.url).await);
    for service in [
        "shanzhi.points.v1.TransactionService",
        "shanzhi.points.v1.QueryService",
        "shanzhi.audit.v1.AuditService",
    ] {
        let status = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap()
            .into_inner()
            .status;
        assert_eq!(status, ServingStatus::Serving as i32, "{service}");
    }
}

#[tokio::test]
async fn reflection_lists_every_service() {
    let app = TestApp::spawn().await;
    let mut reflection = ServerReflectionClient::new(channel(&app.url).await);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = reflection
        .server_reflection_info(tokio_stream::once(request))
        .await
        .unwrap()
        .into_inner();
    let response = responses.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!(
            "expected a list of services, got {:?}",
            response.message_response
        );
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    for expected in [
        "shanzhi.points.v1.TransactionService",
        "shanzhi.points.v1.QueryService",
        "shanzhi.audit.v1.AuditService",
        "grpc.health.v1.Health",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[tokio::test]
async fn ledger_info_is_public_and_describes_the_ledger() {
    let mut app = TestApp::spawn().await;
    let info = app
        .client
        .transactions
        .get_ledger_info(pb::GetLedgerInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(info.ledger_id, app.client.ledger_id.0.to_vec());
    assert_eq!(info.log_size, 1);
    assert_eq!(info.log_public_key.len(), 32);
    let parameters = info.parameters.unwrap();
    assert_eq!(parameters.max_transaction_window_ms, 24 * 3600 * 1000);
    let _ = app.log_size().await;
}

#[tokio::test]
async fn concurrent_submissions_all_commit_exactly_once() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    app.household(&village, "h1").await;
    app.allocate("v1", 10_000).await.unwrap();
    let officer = std::sync::Arc::new(village.officer);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let mut client = app.client.clone();
        let officer = officer.clone();
        tasks.push(tokio::spawn(async move {
            client
                .submit(&officer, issue("v1", "h1", 2))
                .await
                .unwrap()
                .sequence
        }));
    }
    let mut sequences = Vec::new();
    for task in tasks {
        sequences.push(task.await.unwrap());
    }
    sequences.sort_unstable();
    sequences.dedup();
    assert_eq!(sequences.len(), 50);
    assert_eq!(app.balance(household("h1")).await, 100);
    assert_eq!(app.balance(issuer("v1")).await, 10_000 - 100);
}

#[tokio::test]
async fn an_oversized_request_is_refused_and_the_server_keeps_serving() {
    let mut app = TestApp::spawn().await;
    let huge = pb::SignedTransaction {
        body: vec![0u8; 2 * 1024 * 1024],
        signatures: vec![],
    };
    let status = app.client.submit_signed(huge).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::OutOfRange, "{status:?}");
    assert!(
        status.message().contains("message length too large"),
        "{status:?}"
    );
    assert_eq!(app.log_size().await, 1);
}

#[tokio::test]
async fn shutdown_reports_not_serving_and_does_not_wait_forever_for_open_streams() {
    let data = tempfile::tempdir().unwrap();
    shanzhi::genesis::init(data.path(), shanzhi::ledger::LedgerParameters::default()).unwrap();
    let mut config = shanzhi::config::ServerConfig::new(data.path().to_owned());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.shutdown_grace = std::time::Duration::from_millis(300);
    let server = shanzhi::server::start(config).await.unwrap();
    let url = format!("http://{}", server.local_addr);

    // A client watching the overall health keeps its stream open through the shutdown.
    let mut watch = watch_health(&url).await;

    let stopping = tokio::spawn(server.stop());
    let next = tokio::time::timeout(LONG, watch.message())
        .await
        .expect("the watcher hears about the shutdown")
        .unwrap()
        .unwrap();
    assert_eq!(next.status, ServingStatus::NotServing as i32);
    tokio::time::timeout(LONG, stopping)
        .await
        .expect("stop returns after the grace period despite the open stream")
        .unwrap()
        .unwrap();

    // The store was closed: the same directory opens again at once.
    let mut config = shanzhi::config::ServerConfig::new(data.path().to_owned());
    config.listen = "127.0.0.1:0".parse().unwrap();
    shanzhi::server::start(config)
        .await
        .unwrap()
        .stop()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_its_capacity_the_server_sheds_load_and_stays_correct() {
    let data = tempfile::tempdir().unwrap();
    let report =
        shanzhi::genesis::init(data.path(), shanzhi::ledger::LedgerParameters::default()).unwrap();
    let mut config = shanzhi::config::ServerConfig::new(data.path().to_owned());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.max_concurrent_requests = 2;
    let server = shanzhi::server::start(config).await.unwrap();
    let url = format!("http://{}", server.local_addr);
    let admin = shanzhi::client::Signer::new(
        shanzhi::crypto::KeyFile::read(&report.admin_key_path).unwrap(),
    );
    let mut client = shanzhi::client::LedgerClient::connect(&url).await.unwrap();
    let officer = std::sync::Arc::new(village_with_household(&mut client, &admin).await);

    // A health probe on its own connection keeps getting answers through the overload.
    let probe = {
        let mut health = HealthClient::new(channel(&url).await);
        tokio::spawn(async move {
            let mut answers = 0;
            for _ in 0..50 {
                let status = health
                    .check(HealthCheckRequest {
                        service: String::new(),
                    })
                    .await
                    .expect("health is never shed")
                    .into_inner()
                    .status;
                assert_eq!(status, ServingStatus::Serving as i32);
                answers += 1;
            }
            answers
        })
    };

    // 64 clients at once against a capacity of 2 requests.
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let mut client = client.clone();
        let officer = officer.clone();
        tasks.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for _ in 0..10 {
                outcomes.push(
                    client
                        .submit(&officer, issue("v1", "h1", 1))
                        .await
                        .map(|_| ()),
                );
            }
            outcomes
        }));
    }
    let (mut committed, mut shed) = (0, 0);
    for task in tasks {
        for outcome in task.await.unwrap() {
            match outcome {
                Ok(()) => committed += 1,
                Err(status) => {
                    assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
                    shed += 1;
                }
            }
        }
    }
    eprintln!("overload: {committed} committed, {shed} shed with RESOURCE_EXHAUSTED");
    assert!(shed > 0, "640 requests against a capacity of 2 shed none");
    assert_eq!(probe.await.unwrap(), 50);
    assert!(committed > 0);
    // Every committed request is there exactly once, nothing else; the server still works.
    let balance = loop {
        match client.account(&admin, household("h1")).await {
            Ok(account) => break account.balance,
            Err(status) if status.code() == tonic::Code::ResourceExhausted => continue,
            Err(status) => panic!("{status:?}"),
        }
    };
    assert_eq!(balance, committed);
    client.submit(&officer, issue("v1", "h1", 1)).await.unwrap();
    server.stop().await.unwrap();
}
