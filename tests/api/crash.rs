//! The crash loop: the real binary under concurrent load, killed with SIGKILL at random
//! moments and restarted on the same directory. After every cycle: each acknowledged
//! transaction is present exactly once, every unacknowledged one is either fully there or
//! not at all (a retry settles it exactly once), and the balances add up.
//!
//! CI runs a few cycles; `SHANZHI_CRASH_CYCLES=100 cargo test --test api crash` runs more.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use shanzhi::client::{LedgerClient, ServerSource, Signer};
use shanzhi::crypto::{KeyFile, random_bytes};
use shanzhi::pb::points as pb;
use shanzhi::verifier::verify;

use crate::helpers::{body, household, issue, issuer, serve_process, village_with_household};

async fn start(data: &Path) -> (tokio::process::Child, String) {
    serve_process(data, &[], &[]).await
}

fn random_below(n: u64) -> u64 {
    u64::from_le_bytes(random_bytes::<8>()) % n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_transactions_survive_sigkill_exactly_once() {
    let cycles: usize = std::env::var("SHANZHI_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut server, url) = start(&data).await;
    let admin = Signer::new(KeyFile::read(&data.join("keys/bureau-admin.key")).unwrap());
    let mut client = LedgerClient::connect(&url).await.unwrap();
    let officer = std::sync::Arc::new(village_with_household(&mut client, &admin).await);

    // Every transaction ever sent, by request id, and the sequence it was acknowledged at.
    let mut sent: HashMap<Vec<u8>, pb::SignedTransaction> = HashMap::new();
    let mut acknowledged: HashMap<Vec<u8>, u64> = HashMap::new();
    let mut url = url;
    let log_key = KeyFile::read(&data.join("keys/log.key"))
        .unwrap()
        .signing_key
        .verifying_key();
    let mut verified: Option<String> = None;
    let mut acknowledged_before_crash = 0usize;
    for cycle in 0..cycles {
        let client = LedgerClient::connect(&url).await.unwrap();
        let mut workers = Vec::new();
        for _ in 0..8 {
            let mut client = client.clone();
            let officer = officer.clone();
            workers.push(tokio::spawn(async move {
                let mut results = Vec::new();
                for _ in 0..10_000 {
                    let signed = officer.sign(&client.ledger_id, &body(issue("v1", "h1", 1)));
                    let outcome = client.submit_signed(signed.clone()).await;
                    let failed = outcome.is_err();
                    results.push((signed, outcome.ok().and_then(|r| r.receipt)));
                    if failed {
                        break;
                    }
                }
                results
            }));
        }
        tokio::time::sleep(Duration::from_millis(20 + random_below(300))).await;
        server.start_kill().unwrap();
        server.wait().await.unwrap();
        for worker in workers {
            for (signed, receipt) in worker.await.unwrap() {
                let request_id = request_id_of(&signed);
                if let Some(receipt) = receipt {
                    acknowledged.insert(request_id.clone(), receipt.sequence);
                    acknowledged_before_crash += 1;
                }
                sent.insert(request_id, signed);
            }
        }

        let (restarted, new_url) = start(&data).await;
        server = restarted;
        url = new_url;
        let mut client = LedgerClient::connect(&url).await.unwrap();

        // Every acknowledged transaction is there, at the sequence it was acknowledged at.
        for (request_id, sequence) in &acknowledged {
            let receipt = client
                .receipt(&admin, request_id.clone())
                .await
                .unwrap_or_else(|e| panic!("cycle {cycle}: acknowledged entry lost: {e}"));
            assert_eq!(receipt.sequence, *sequence, "cycle {cycle}");
        }
        // Retrying anything sent settles it exactly once: acknowledged ones come back as
        // duplicates; the others either were committed (duplicate) or commit now.
        for (request_id, signed) in &sent {
            let response = client.submit_signed(signed.clone()).await.unwrap();
            let receipt = response.receipt.unwrap();
            if let Some(sequence) = acknowledged.get(request_id) {
                assert!(response.duplicate);
                assert_eq!(receipt.sequence, *sequence);
            }
            acknowledged.insert(request_id.clone(), receipt.sequence);
        }
        // Each transaction issued one point, exactly once; the village budget paid for it.
        let points = sent.len() as i64;
        assert_eq!(
            client
                .account(&admin, household("h1"))
                .await
                .unwrap()
                .balance,
            points,
            "cycle {cycle}"
        );
        assert_eq!(
            client.account(&admin, issuer("v1")).await.unwrap().balance,
            1_000_000 - points,
            "cycle {cycle}"
        );
        let sequences: std::collections::HashSet<u64> = acknowledged.values().copied().collect();
        assert_eq!(
            sequences.len(),
            acknowledged.len(),
            "two requests share an entry"
        );

        // The whole log verifies: signed checkpoint, Merkle root, every signature, a replay
        // equal to the server's balances, and consistency with the checkpoint verified in the
        // previous cycle, across the crash.
        let mut source = ServerSource {
            client: &mut client,
            signer: &admin,
        };
        let report = verify(&mut source, &log_key, verified.as_deref())
            .await
            .unwrap_or_else(|e| panic!("cycle {cycle}: {e}"));
        verified = Some(report.checkpoint_note);
        eprintln!(
            "cycle {cycle}: {} transactions sent so far, {} acknowledged before a crash, log \
             verified at {} entries",
            sent.len(),
            acknowledged_before_crash,
            report.size
        );
    }
    assert!(!acknowledged.is_empty());
    server.start_kill().unwrap();
}

fn request_id_of(signed: &pb::SignedTransaction) -> Vec<u8> {
    use prost::Message;
    pb::TransactionBody::decode(signed.body.as_slice())
        .unwrap()
        .request_id
}
