//! The Prometheus endpoint: off unless asked for; after some traffic a scrape shows the
//! request counters moving by method, code and reason, the batch outcomes, the commit and
//! verification histograms, and gauges equal to what the ledger says.

use shanzhi::ledger::LedgerParameters;
use shanzhi::pb::points as pb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{TestApp, channel, issue};

/// `GET /metrics` over HTTP/1.1; the body.
async fn scrape(addr: std::net::SocketAddr) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: metrics\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    body.to_owned()
}

/// The value of the sample of `name` whose labels include every one of `labels`
/// (`key="value"`), or 0 when there is none.
fn value(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .filter(|(series, _)| {
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            metric == name && labels.iter().all(|label| rest.contains(label))
        })
        .map(|(_, v)| v.parse::<f64>().unwrap())
        .sum()
}

const SUBMIT: &str = r#"method="/shanzhi.points.v1.TransactionService/Submit""#;

#[tokio::test]
async fn metrics_are_off_unless_asked_for() {
    let app = TestApp::spawn().await;
    assert_eq!(app.server.as_ref().unwrap().metrics_addr, None);
}

#[tokio::test]
async fn a_scrape_after_traffic_shows_the_counters_moving() {
    let mut app = TestApp::spawn_configured(LedgerParameters::default(), |config| {
        config.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let addr = app.server.as_ref().unwrap().metrics_addr.unwrap();
    let village = app.village("v1").await;
    app.household(&village, "h1").await;
    app.allocate("v1", 100).await.unwrap();
    let before = scrape(addr).await;

    app.issue(&village.officer, "v1", "h1", 1).await.unwrap();
    app.issue(&village.officer, "v1", "h1", 2).await.unwrap();
    app.issue(&village.officer, "v1", "nobody", 3)
        .await
        .unwrap_err();
    let batch = [issue("v1", "h1", 4), issue("v1", "nobody", 5)]
        .into_iter()
        .map(|operation| {
            let body = app.client.body(operation, 60_000);
            village.officer.sign(&app.client.ledger_id, &body)
        })
        .collect();
    let results = app.client.submit_batch(batch).await.unwrap();
    assert_eq!(results.len(), 2);
    // A path under a served service that is not one of its methods counts as unknown.
    let mut raw = tonic::client::Grpc::new(channel(&app.url).await);
    raw.ready().await.unwrap();
    let unimplemented = raw
        .unary(
            tonic::Request::new(pb::GetLedgerInfoRequest {}),
            "/shanzhi.points.v1.TransactionService/NoSuchMethod"
                .parse()
                .unwrap(),
            tonic_prost::ProstCodec::<pb::GetLedgerInfoRequest, pb::LedgerInfo>::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(unimplemented.code(), tonic::Code::Unimplemented);
    // So does one refused before any method is looked up (a body past the size limit, under
    // a made-up method name each time): no made-up name becomes a label.
    for n in 0..3 {
        raw.ready().await.unwrap();
        let too_large = raw
            .unary(
                tonic::Request::new(pb::SignedTransaction {
                    body: vec![0; 64 * 1024],
                    signatures: Vec::new(),
                }),
                format!("/shanzhi.points.v1.TransactionService/MadeUp{n}")
                    .parse()
                    .unwrap(),
                tonic_prost::ProstCodec::<pb::SignedTransaction, pb::LedgerInfo>::default(),
            )
            .await
            .unwrap_err();
        assert_ne!(
            too_large.code(),
            tonic::Code::Unimplemented,
            "{too_large:?}"
        );
    }
    let size = app.log_size().await;
    let after = scrape(addr).await;

    let moved =
        |name: &str, labels: &[&str]| value(&after, name, labels) - value(&before, name, labels);
    assert_eq!(
        moved(
            "shanzhi_requests_total",
            &[SUBMIT, r#"code="OK""#, r#"reason="""#]
        ),
        2.0
    );
    assert_eq!(
        moved(
            "shanzhi_requests_total",
            &[
                SUBMIT,
                r#"code="NOT_FOUND""#,
                r#"reason="UNKNOWN_HOUSEHOLD""#
            ]
        ),
        1.0
    );
    assert_eq!(
        moved(
            "shanzhi_requests_total",
            &[r#"method="unknown""#, r#"code="UNIMPLEMENTED""#]
        ),
        1.0
    );
    assert_eq!(
        moved("shanzhi_requests_total", &[r#"method="unknown""#]),
        4.0
    );
    assert!(!after.contains("MadeUp"), "{after}");
    assert_eq!(
        moved(
            "shanzhi_batch_transactions_total",
            &[r#"outcome="committed""#]
        ),
        1.0
    );
    assert_eq!(
        moved(
            "shanzhi_batch_transactions_total",
            &[r#"outcome="refused""#, r#"reason="UNKNOWN_HOUSEHOLD""#]
        ),
        1.0
    );
    // Three single submissions and a batch of two verified; three entries committed.
    assert_eq!(moved("shanzhi_verify_seconds_count", &[]), 5.0);
    assert_eq!(moved("shanzhi_commit_group_entries_sum", &[]), 3.0);
    assert!(moved("shanzhi_flush_seconds_count", &[]) >= 3.0);
    assert_eq!(value(&after, "shanzhi_log_entries", &[]), size as f64);
    assert!(value(&after, "shanzhi_checkpoint_size", &[]) <= size as f64);
    assert!(value(&after, "shanzhi_store_bytes", &[]) > 0.0);
    assert_eq!(value(&after, "shanzhi_writer_queue_depth", &[]), 0.0);
    assert!(after.contains("shanzhi_checkpoint_age_seconds "), "{after}");
}
