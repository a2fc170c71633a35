//! `--log-format json`: one JSON object a line, and a request's line carries its span:
//! method, request id, code, reason and latency.

use shanzhi::client::{LedgerClient, Signer};
use shanzhi::crypto::KeyFile;

use crate::helpers::{allocate, serve_process};

#[tokio::test]
async fn json_logs_carry_each_requests_method_request_id_code_reason_and_latency() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (child, url) =
        serve_process(&data, &["env", "RUST_LOG=info"], &["--log-format", "json"]).await;
    let admin = Signer::new(KeyFile::read(&data.join("keys/bureau-admin.key")).unwrap());
    let mut client = LedgerClient::connect(&url).await.unwrap();
    let body = client.body(allocate("nobody", 5), 60_000);
    let request_id = hex::encode(&body.request_id);
    let refused = client.submit_body(&admin, &body).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::NotFound);
    drop(client);
    drop(child);

    let log = std::fs::read_to_string(data.with_extension("stderr")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let answered = lines
        .iter()
        .find(|line| {
            line["fields"]["message"] == "answered"
                && line["span"]["method"] == "/shanzhi.points.v1.TransactionService/Submit"
        })
        .unwrap_or_else(|| panic!("no line for the submission in {log}"));
    let span = &answered["span"];
    assert_eq!(span["request_id"], request_id.as_str(), "{answered}");
    assert_eq!(span["code"], "NOT_FOUND", "{answered}");
    assert_eq!(span["reason"], "UNKNOWN_ISSUER", "{answered}");
    assert!(span["latency_ms"].as_f64().unwrap() > 0.0, "{answered}");
    assert_eq!(answered["level"], "INFO");
}
