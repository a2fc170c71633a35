//! Slow and idle clients cost the server nothing it cannot bound: streams that send headers
//! and never a body hold no concurrency permit and are refused after the read timeout, and
//! a connection with nothing in flight is closed after the idle timeout.

use std::time::Duration;

use shanzhi::client::{LedgerClient, Signer};
use shanzhi::config::ServerConfig;
use shanzhi::crypto::KeyFile;
use shanzhi::genesis;
use shanzhi::ledger::LedgerParameters;
use tokio::io::AsyncReadExt;

use crate::helpers::{LONG, body, issue, village_with_household};

async fn start(
    configure: impl FnOnce(&mut ServerConfig),
) -> (shanzhi::server::RunningServer, tempfile::TempDir, Signer) {
    let data = tempfile::tempdir().unwrap();
    let report = genesis::init(data.path(), LedgerParameters::default()).unwrap();
    let admin = Signer::new(KeyFile::read(&report.admin_key_path).unwrap());
    let mut config = ServerConfig::new(data.path().to_owned());
    config.listen = "127.0.0.1:0".parse().unwrap();
    configure(&mut config);
    let server = shanzhi::server::start(config).await.unwrap();
    (server, data, admin)
}

/// Opens an HTTP/2 connection and starts `streams` Submit requests that send their headers
/// and nothing else; returns their response futures (and keeps the connection driven).
async fn headers_only(
    addr: std::net::SocketAddr,
    streams: usize,
) -> Vec<h2::client::ResponseFuture> {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut client, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut responses = Vec::new();
    for _ in 0..streams {
        client = client.ready().await.unwrap();
        let request = tonic::codegen::http::Request::post(format!(
            "http://{addr}/shanzhi.points.v1.TransactionService/Submit"
        ))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(())
        .unwrap();
        let (response, send) = client.send_request(request, false).unwrap();
        // Never send the body; keep the stream open.
        std::mem::forget(send);
        responses.push(response);
    }
    responses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_that_send_only_headers_hold_no_permits() {
    let read_timeout = Duration::from_secs(5);
    let (server, _data, admin) = start(|config| {
        config.max_concurrent_requests = 16;
        config.request_read_timeout = read_timeout;
    })
    .await;
    let addr = server.local_addr;
    let stalled_since = std::time::Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..3 {
        stalled.extend(headers_only(addr, 40).await);
    }
    // 120 stalled streams, 16 permits: a real client still gets its writes done.
    let mut client = LedgerClient::connect(&format!("http://{addr}"))
        .await
        .unwrap();
    let officer = village_with_household(&mut client, &admin).await;
    let signed = officer.sign(&client.ledger_id, &body(issue("v1", "h1", 1)));
    client.submit_signed(signed).await.unwrap();
    // ...while every stalled stream was still within its read window (else the test would
    // prove nothing: a permit taken on arrival would have been given back by now).
    assert!(
        stalled_since.elapsed() < read_timeout,
        "the writes took longer than the read timeout; raise it"
    );

    // Each stalled stream is answered DEADLINE_EXCEEDED after the read timeout.
    for response in stalled {
        let response = tokio::time::timeout(LONG, response)
            .await
            .expect("a stalled stream is answered")
            .unwrap();
        assert_eq!(
            response.headers().get("grpc-status").unwrap(),
            &(tonic::Code::DeadlineExceeded as i32).to_string(),
            "{:?}",
            response.headers()
        );
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_connection_with_nothing_in_flight_is_closed_after_the_idle_timeout() {
    let (server, _data, _admin) = start(|config| {
        config.idle_timeout = Duration::from_secs(1);
    })
    .await;
    let mut idle = tokio::net::TcpStream::connect(server.local_addr)
        .await
        .unwrap();
    let mut buffer = Vec::new();
    // The server sends its HTTP/2 preface, then closes the connection: read to the end.
    let closed = tokio::time::timeout(LONG, idle.read_to_end(&mut buffer)).await;
    assert!(closed.is_ok(), "an idle connection stayed open");
    server.stop().await.unwrap();
}

/// CPU time (user + system, in clock ticks) the process has used so far.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the
    // 13th.
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crowd_cannot_take_the_descriptors_the_store_needs() {
    let prlimit = std::process::Command::new("prlimit")
        .arg("--version")
        .output();
    if !crate::helpers::system_facility("prlimit", prlimit.is_ok_and(|o| o.status.success())) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // 128 descriptors: the server keeps 64 for itself and serves at most 64 connections.
    let (mut server, url) = crate::helpers::serve_process(
        &data,
        &["prlimit", "--nofile=128:128"],
        &["--idle-timeout-secs", "600"],
    )
    .await;
    let pid = server.id().unwrap();
    let addr: std::net::SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    let admin = Signer::new(KeyFile::read(&data.join("keys/bureau-admin.key")).unwrap());
    let mut client = LedgerClient::connect(&url).await.unwrap();
    let officer = village_with_household(&mut client, &admin).await;
    // More connections than the server has descriptors for (the rest wait in the listen
    // backlog of 128).
    let mut crowd = Vec::new();
    for _ in 0..150 {
        crowd.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = cpu_ticks(pid);
    // Writes still commit, checkpoints included: the store never runs out of descriptors
    // (before the cap followed the limit, a failed open here stopped the server).
    for _ in 0..20 {
        let signed = officer.sign(&client.ledger_id, &body(issue("v1", "h1", 1)));
        client.submit_signed(signed).await.unwrap();
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let used = cpu_ticks(pid) - before;
    // A spinning accept loop burns about 200 ticks (100 per second) in two seconds.
    assert!(
        used < 50,
        "the server used {used} ticks of CPU in 2 s under the crowd"
    );
    assert!(server.try_wait().unwrap().is_none(), "the server stopped");
    let stderr = std::fs::read_to_string(data.with_extension("stderr")).unwrap();
    assert!(stderr.contains("lowering --max-connections"), "{stderr}");

    // Once the crowd leaves, new connections are served again.
    drop(crowd);
    let fresh = tokio::time::timeout(LONG, async {
        loop {
            if let Ok(client) = LedgerClient::connect(&url).await {
                return client;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the server accepts again after descriptors are freed");
    drop(fresh);
    server.start_kill().unwrap();
    server.wait().await.unwrap();
}

#[tokio::test]
async fn an_open_health_watch_keeps_its_connection_past_the_idle_timeout() {
    use tonic_health::pb::health_check_response::ServingStatus;
    let (server, _data, _admin) = start(|config| {
        config.idle_timeout = Duration::from_secs(1);
        config.shutdown_grace = Duration::from_millis(300);
    })
    .await;
    let mut watch = crate::helpers::watch_health(&format!("http://{}", server.local_addr)).await;
    // Three idle timeouts with only the watch open: the stream counts as in flight.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let stopping = tokio::spawn(server.stop());
    let next = tokio::time::timeout(LONG, watch.message())
        .await
        .expect("the watcher hears about the shutdown")
        .expect("the watch's connection is still open")
        .unwrap();
    assert_eq!(next.status(), ServingStatus::NotServing);
    stopping.await.unwrap().unwrap();
}

#[tokio::test]
async fn bodies_past_the_receive_budget_are_refused_and_nothing_is_done() {
    // A budget smaller than one signed transaction: every submission is refused on arrival.
    let (server, _data, admin) = start(|config| config.receive_budget_bytes = 64).await;
    let mut client = LedgerClient::connect(&format!("http://{}", server.local_addr))
        .await
        .unwrap();
    let refused = client
        .submit(
            &admin,
            crate::helpers::register_issuer("v1", shanzhi::pb::points::IssuerKind::Village),
        )
        .await;
    crate::helpers::assert_reason(
        refused,
        tonic::Code::ResourceExhausted,
        "RECEIVE_BUDGET_EXHAUSTED",
    );
    assert_eq!(server.submissions_admitted(), 0);
    server.stop().await.unwrap();
}
