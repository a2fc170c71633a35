//! Durability against the operating system, not against a comment: the real binary under
//! `strace` proves that every acknowledgement follows a real sync of the store's files, a
//! small tmpfs proves that a full disk fails closed and loses nothing acknowledged, and two
//! servers racing on one empty directory create one ledger.

use prost::Message;
use shanzhi::client::{LedgerClient, ServerSource, Signer};
use shanzhi::crypto::KeyFile;
use shanzhi::pb::points as pb;
use shanzhi::verifier::verify;
use tonic_health::pb::health_check_response::ServingStatus;

use crate::helpers::{
    LONG, Unmount, body, free_bytes, issue, mount_tmpfs, serve_process, system_facility,
    village_with_household, watch_health,
};

fn strace_available() -> bool {
    std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// How strace (`-xx`) prints bytes: `\x0a\x1b…`.
fn strace_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\x{b:02x}")).collect()
}

fn request_id_of(signed: &pb::SignedTransaction) -> Vec<u8> {
    pb::TransactionBody::decode(signed.body.as_slice())
        .unwrap()
        .request_id
}

/// One line of an `strace -f -xx -yy` trace, by the order strace saw it.
struct Call<'a> {
    pid: &'a str,
    text: &'a str,
}

fn calls(trace: &str) -> Vec<Call<'_>> {
    trace
        .lines()
        .filter_map(|line| {
            let (pid, text) = line.split_once(' ')?;
            Some(Call {
                pid,
                text: text.trim_start(),
            })
        })
        .collect()
}

/// How `-yy` shows a descriptor of the file at `path` (its end, escaped like the data).
fn file(path: &str) -> String {
    format!("{}>", strace_bytes(path.as_bytes()))
}

/// How `-yy` shows the store's `db` file (sled: the index, the tree, the count of entries).
fn db_file() -> String {
    file("/ledger/db")
}

/// How `-yy` shows the store's entries file.
fn entries_file() -> String {
    file("/ledger/entries")
}

/// Index of the line where the first `fdatasync`/`fsync` of `file` (as [`file`] shows it)
/// that started after `after` completed (its own line, or its `resumed` line).
fn sync_completed_after(calls: &[Call<'_>], file: &str, after: usize) -> Option<usize> {
    let is_sync = |text: &str| {
        (text.starts_with("fdatasync(") || text.starts_with("fsync(")) && text.contains(file)
    };
    let start = (after + 1..calls.len()).find(|&i| is_sync(calls[i].text))?;
    if !calls[start].text.contains("<unfinished ...>") {
        return calls[start].text.ends_with("= 0").then_some(start);
    }
    let pid = calls[start].pid;
    (start + 1..calls.len()).find(|&i| {
        calls[i].pid == pid
            && (calls[i].text.starts_with("<... fdatasync resumed>")
                || calls[i].text.starts_with("<... fsync resumed>"))
            && calls[i].text.ends_with("= 0")
    })
}

/// The strace wrapper that traces writes and syncs into `trace`.
fn strace_wrapper(trace: &str) -> Vec<&str> {
    vec![
        "strace",
        "-f",
        "-xx",
        "-yy",
        "-s",
        "1000000",
        "-e",
        "trace=pwrite64,pwritev,write,writev,sendmsg,sendto,fdatasync,fsync,sync_file_range",
        "-o",
        trace,
    ]
}

/// The real binary under strace (tracing into `<dir>/trace`), with village `v1`, household
/// `h1` and its officer.
struct Traced {
    dir: tempfile::TempDir,
    server: tokio::process::Child,
    client: LedgerClient,
    officer: Signer,
}

async fn traced_server() -> Traced {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let trace = dir.path().join("trace").to_str().unwrap().to_owned();
    let (server, url) = serve_process(&data, &strace_wrapper(&trace), &[]).await;
    let admin = Signer::new(KeyFile::read(&data.join("keys/bureau-admin.key")).unwrap());
    let mut client = LedgerClient::connect(&url).await.unwrap();
    let officer = village_with_household(&mut client, &admin).await;
    Traced {
        dir,
        server,
        client,
        officer,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledgement_follows_a_real_sync_of_the_store_file() {
    if !system_facility("strace", strace_available()) {
        return;
    }
    let Traced {
        dir,
        mut server,
        mut client,
        officer,
    } = traced_server().await;
    let trace_path = dir.path().join("trace");

    // Sequential writes, each acknowledged before the next is sent.
    let mut request_ids = Vec::new();
    for _ in 0..12 {
        let signed = officer.sign(&client.ledger_id, &body(issue("v1", "h1", 1)));
        request_ids.push(request_id_of(&signed));
        let receipt = client.submit_signed(signed).await.unwrap();
        assert!(!receipt.duplicate);
    }
    // Then batches: every transaction of one is acknowledged in the batch's one reply, which
    // must follow the sync of every entry in it.
    for _ in 0..3 {
        let batch: Vec<_> = (0..5)
            .map(|_| officer.sign(&client.ledger_id, &body(issue("v1", "h1", 1))))
            .collect();
        request_ids.extend(batch.iter().map(request_id_of));
        let results = client.submit_batch(batch).await.unwrap();
        assert!(
            results
                .iter()
                .all(|r| matches!(r.outcome, Some(pb::submit_result::Outcome::Committed(_))))
        );
    }
    server.start_kill().unwrap();
    server.wait().await.unwrap();

    let trace = std::fs::read_to_string(&trace_path).unwrap();
    let calls = calls(&trace);
    for (n, request_id) in request_ids.iter().enumerate() {
        let needle = strace_bytes(request_id);
        // The entry reaches the entries file, then that file is synced, then sled's db file
        // (which counts the entries durable) is synced, then the reply (the receipt carries
        // the request id) goes out on a TCP socket.
        let written = calls
            .iter()
            .position(|c| {
                c.text.starts_with("pwrite")
                    && c.text.contains(&entries_file())
                    && c.text.contains(&needle)
            })
            .unwrap_or_else(|| panic!("write {n}: its entry was never written to ledger/entries"));
        let synced = sync_completed_after(&calls, &entries_file(), written).unwrap_or_else(|| {
            panic!("write {n}: ledger/entries was never synced after its entry")
        });
        let counted = sync_completed_after(&calls, &db_file(), synced)
            .unwrap_or_else(|| panic!("write {n}: ledger/db was never synced after the entries"));
        let acknowledged = calls
            .iter()
            .position(|c| c.text.contains("TCP") && c.text.contains(&needle))
            .unwrap_or_else(|| panic!("write {n}: no reply carrying its request id"));
        assert!(
            written < synced && synced < counted && counted < acknowledged,
            "write {n}: entry written at line {written}, entries synced at line {synced}, db \
             synced at line {counted}, acknowledged at line {acknowledged}: the reply must \
             follow both syncs"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_directory_change_is_acknowledged_after_its_key_record_and_erasure_are_synced() {
    if !system_facility("strace", strace_available()) {
        return;
    }
    let Traced {
        dir,
        mut server,
        mut client,
        officer,
    } = traced_server().await;
    let trace_path = dir.path().join("trace");

    // A name set, corrected, then erased; each change carries a reason its reply echoes.
    use shanzhi::pb::directory as dpb;
    use shanzhi::pb::directory::change_body::Change;
    let set = |name: &str| {
        Change::SetName(dpb::SetName {
            display_name: name.into(),
        })
    };
    let changes = [
        (set("张建国户"), "reason-first-0001"),
        (set("张建华户"), "reason-second-002"),
        (Change::Erase(dpb::Erase {}), "reason-erasure-03"),
    ];
    let mut signed = Vec::new();
    for (revision, (change, reason)) in changes.into_iter().enumerate() {
        let body = dpb::ChangeBody {
            subject: Some(shanzhi::client::household_subject("h1")),
            revision: revision as u64,
            change: Some(change),
            reason: reason.into(),
        };
        let change = officer.sign_change(&client.ledger_id, &body);
        client.change_record(change.clone()).await.unwrap();
        signed.push((change, reason));
    }
    server.start_kill().unwrap();
    server.wait().await.unwrap();

    let trace = std::fs::read_to_string(&trace_path).unwrap();
    let calls = calls(&trace);
    let (keys, records) = (file("/directory/keys"), file("/directory/records/db"));
    let zeros = strace_bytes(&[0; 32]);
    let mut previous_ack = 0;
    for (n, (change, reason)) in signed.iter().enumerate() {
        // The record (which holds the hash of the signed body) reaches records/db, then
        // records/db is synced, then the reply (echoing the reason) goes out.
        let hash = strace_bytes(&shanzhi::crypto::sha256(&change.body));
        let written = calls
            .iter()
            .position(|c| {
                c.text.starts_with("pwrite") && c.text.contains(&records) && c.text.contains(&hash)
            })
            .unwrap_or_else(|| panic!("change {n}: its record was never written"));
        let synced = sync_completed_after(&calls, &records, written)
            .unwrap_or_else(|| panic!("change {n}: records/db was never synced after it"));
        let acknowledged = calls
            .iter()
            .position(|c| {
                c.text.contains("TCP") && c.text.contains(&strace_bytes(reason.as_bytes()))
            })
            .unwrap_or_else(|| panic!("change {n}: no reply carrying its reason"));
        assert!(
            previous_ack < written && written < synced && synced < acknowledged,
            "change {n}: record written at line {written}, synced at {synced}, acknowledged at \
             {acknowledged} (previous reply at {previous_ack})"
        );
        // A new name's key is written and synced before its record.
        if n < 2 {
            let key_written = (previous_ack..written)
                .find(|&i| calls[i].text.starts_with("pwrite") && calls[i].text.contains(&keys))
                .unwrap_or_else(|| panic!("change {n}: no key written before its record"));
            let key_synced = sync_completed_after(&calls, &keys, key_written)
                .unwrap_or_else(|| panic!("change {n}: the keyring was never synced"));
            assert!(
                key_synced < written,
                "change {n}: the record preceded its key's sync"
            );
        }
        // A correction or an erasure zeroes the old key, synced, before the reply.
        if n > 0 {
            let zeroed = (synced..acknowledged)
                .find(|&i| {
                    calls[i].text.starts_with("pwrite")
                        && calls[i].text.contains(&keys)
                        && calls[i].text.contains(&zeros)
                })
                .unwrap_or_else(|| {
                    panic!("change {n}: the old key was not zeroed before the reply")
                });
            let zero_synced = sync_completed_after(&calls, &keys, zeroed)
                .unwrap_or_else(|| panic!("change {n}: the zeroed key was never synced"));
            assert!(
                zero_synced < acknowledged,
                "change {n}: replied before the erasure synced"
            );
        }
        previous_ack = acknowledged;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_closed_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().join("small");
    if !system_facility("mounting a tmpfs (root)", mount_tmpfs(&mount, 32 << 20)) {
        return;
    }
    let _unmount = Unmount(&mount);
    // The tmpfs is the data directory, so the server's log (beside it) stays writable.
    let data = mount.clone();
    let grace = [
        "--shutdown-grace-secs",
        "1",
        "--store-stall-timeout-secs",
        "2",
        // The health watch below must outlive filling the disk.
        "--idle-timeout-secs",
        "600",
    ];
    let (mut server, url) = serve_process(&data, &[], &grace).await;
    let admin = Signer::new(KeyFile::read(&data.join("keys/bureau-admin.key")).unwrap());
    let log_key = KeyFile::read(&data.join("keys/log.key"))
        .unwrap()
        .signing_key
        .verifying_key();
    let mut client = LedgerClient::connect(&url).await.unwrap();
    let officer = village_with_household(&mut client, &admin).await;
    let mut watch = watch_health(&url).await;

    // Leave the store about 256 KiB, then write until the disk is full.
    let ballast = mount.join("ballast");
    let room = free_bytes(&mount).saturating_sub(256 << 10);
    std::fs::write(&ballast, vec![0u8; usize::try_from(room).unwrap()]).unwrap();
    let mut acknowledged = Vec::new();
    let mut unacknowledged = None;
    for _ in 0..100_000 {
        let signed = officer.sign(&client.ledger_id, &body(issue("v1", "h1", 1)));
        match tokio::time::timeout(LONG, client.submit_signed(signed.clone())).await {
            Ok(Ok(response)) => acknowledged.push((signed, response.receipt.unwrap().sequence)),
            // UNAVAILABLE when the store reported the error; when sled hangs instead, the
            // connection closes as the server exits.
            Ok(Err(status)) => {
                assert!(
                    matches!(
                        status.code(),
                        tonic::Code::Unavailable | tonic::Code::Unknown
                    ),
                    "{status:?}"
                );
                unacknowledged = Some(signed);
                break;
            }
            Err(_) => panic!(
                "a write on a full disk hung instead of failing; server log: {}",
                std::fs::read_to_string(data.with_extension("stderr")).unwrap_or_default()
            ),
        }
    }
    let unacknowledged = unacknowledged.expect("the disk filled up");
    assert!(!acknowledged.is_empty());

    // Health turns NOT_SERVING, then the server exits non-zero, saying why.
    let mut statuses = Vec::new();
    while let Ok(Ok(Some(update))) = tokio::time::timeout(LONG, watch.message()).await {
        statuses.push(update.status());
    }
    assert!(
        statuses.contains(&ServingStatus::NotServing),
        "health updates after the failure: {statuses:?}"
    );
    let status = tokio::time::timeout(LONG, server.wait())
        .await
        .expect("the server exits after a failed write")
        .unwrap();
    assert!(!status.success(), "exit status {status}");
    let stderr = std::fs::read_to_string(data.with_extension("stderr")).unwrap();
    assert!(stderr.contains("ledger store failed"), "{stderr}");

    // Space freed and restarted: every acknowledged write is there at its sequence, the
    // unacknowledged one commits at most once, and the whole log verifies.
    std::fs::remove_file(&ballast).unwrap();
    let (mut server, url) = serve_process(&data, &[], &grace).await;
    let mut client = LedgerClient::connect(&url).await.unwrap();
    for (signed, sequence) in &acknowledged {
        let again = client.submit_signed(signed.clone()).await.unwrap();
        assert!(again.duplicate);
        assert_eq!(again.receipt.unwrap().sequence, *sequence);
    }
    let first = client.submit_signed(unacknowledged.clone()).await.unwrap();
    let second = client.submit_signed(unacknowledged).await.unwrap();
    assert!(second.duplicate);
    assert_eq!(first.receipt, second.receipt);
    let mut source = ServerSource {
        client: &mut client,
        signer: &admin,
    };
    let report = verify(&mut source, &log_key, None).await.unwrap();
    assert_eq!(report.size, 5 + acknowledged.len() as u64 + 1);
    server.start_kill().unwrap();
    server.wait().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_racing_on_an_empty_directory_create_one_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let binary = env!("CARGO_BIN_EXE_shanzhi");
    let racers: Vec<_> = (0..2)
        .map(|_| {
            tokio::process::Command::new(binary)
                .args(["serve", "--listen", "127.0.0.1:0", "--data"])
                .arg(&data)
                .env("RUST_LOG", "warn")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .unwrap()
        })
        .collect();
    // The loser exits at once; the winner serves until killed. Wait for both to say so
    // before killing the winner: a racer slow to start must still find it holding the lock.
    let mut outcomes = Vec::new();
    for mut racer in racers {
        use tokio::io::AsyncBufReadExt;
        let mut stdout = tokio::io::BufReader::new(racer.stdout.take().unwrap()).lines();
        let mut said = String::new();
        let listening = tokio::time::timeout(LONG * 3, async {
            while let Ok(Some(line)) = stdout.next_line().await {
                said.push_str(&line);
                said.push('\n');
                if line.starts_with("shanzhi listening on") {
                    return true;
                }
            }
            false
        })
        .await
        .expect("each racer either serves or exits in time");
        outcomes.push((racer, listening, said));
    }
    let mut created = 0;
    let mut refused = 0;
    for (mut racer, listening, said) in outcomes {
        if listening {
            racer.start_kill().unwrap();
        }
        let output = racer.wait_with_output().await.unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if listening {
            assert!(said.contains("created a new ledger"), "{said}");
            created += 1;
        } else {
            assert!(
                stderr.contains("in use by another shanzhi process"),
                "stdout: {said}\nstderr: {stderr}"
            );
            assert!(!output.status.success());
            refused += 1;
        }
    }
    assert_eq!((created, refused), (1, 1));
}
