//! Durability across restarts: a restart on the same directory keeps every balance and entry.

use shanzhi::genesis;
use shanzhi::ledger::LedgerParameters;

use crate::helpers::*;

#[tokio::test]
async fn a_restart_on_the_same_directory_keeps_every_balance_and_entry() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    let elderly = app.program("elderly").await;
    let home = app.household(&village, "h1").await;
    let shop_fixture = app.shop("s1").await;
    app.allocate("v1", 100).await.unwrap();
    app.allocate("elderly", 100).await.unwrap();
    app.issue(&village.officer, "v1", "h1", 30).await.unwrap();
    app.issue(&elderly.officer, "elderly", "h1", 15)
        .await
        .unwrap();
    let deduction = app.deduct(&village.officer, "v1", "h1", 4).await.unwrap();
    app.reverse(&village.officer, deduction.sequence)
        .await
        .unwrap();
    app.redeem(&shop_fixture, &home, 20).await.unwrap();

    let accounts = [
        bureau_fund(),
        issuer("v1"),
        issuer("elderly"),
        household("h1"),
        shop("s1"),
    ];
    let mut before = Vec::new();
    for account in &accounts {
        before.push(app.account(account.clone()).await);
    }
    let history_before = app.whole_history().await;
    let ledger_id = app.client.ledger_id;

    app.restart().await;

    assert_eq!(app.client.ledger_id, ledger_id);
    let mut after = Vec::new();
    for account in &accounts {
        after.push(app.account(account.clone()).await);
    }
    assert_eq!(after, before);
    assert_eq!(app.whole_history().await, history_before);

    // Keys, nonces, counters and request ids survive too: the ledger keeps working and still
    // refuses what it refused before.
    app.issue(&village.officer, "v1", "h1", 1).await.unwrap();
    assert_eq!(app.balance(household("h1")).await, 30 + 15 - 20 + 1);
}

#[tokio::test]
async fn init_refuses_a_directory_in_use_or_already_holding_a_ledger() {
    let mut app = TestApp::spawn().await;
    let error = genesis::init(app.data.path(), LedgerParameters::default()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("in use by another shanzhi process"),
        "unexpected error: {error}"
    );
    app.server.take().unwrap().stop().await.unwrap();
    let error = genesis::init(app.data.path(), LedgerParameters::default()).unwrap_err();
    assert!(
        error.to_string().contains("already holds a ledger"),
        "unexpected error: {error}"
    );
}

#[tokio::test]
async fn genesis_key_files_are_private() {
    let data = tempfile::tempdir().unwrap();
    let report = genesis::init(data.path(), LedgerParameters::default()).unwrap();
    use std::os::unix::fs::PermissionsExt;
    for path in [&report.admin_key_path, &report.log_key_path] {
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} has mode {mode:o}", path.display());
    }
    assert_ne!(
        std::fs::read_to_string(&report.admin_key_path).unwrap(),
        std::fs::read_to_string(&report.log_key_path).unwrap()
    );
}

/// A ledger with an issue at entry 3, its server stopped.
async fn stopped_ledger() -> TestApp {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    app.household(&village, "h1").await;
    app.allocate("v1", 100).await.unwrap();
    app.issue(&village.officer, "v1", "h1", 10).await.unwrap();
    app.server.take().unwrap().stop().await.unwrap();
    app
}

/// The store's entries file (a 16-byte header, then per entry its length and CRC-32, 4
/// bytes each, little-endian, and its bytes) and where each entry's frame starts.
fn entries_file(data: &std::path::Path) -> (std::path::PathBuf, Vec<u8>, Vec<usize>) {
    let path = genesis::store_path(data).join("entries");
    let bytes = std::fs::read(&path).unwrap();
    let mut frames = Vec::new();
    let mut at = 16;
    while at < bytes.len() {
        frames.push(at);
        at += 8 + u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    }
    (path, bytes, frames)
}

/// Flips the last byte of stored entry 3 behind the server's back, and writes the checksum
/// that matches the damaged bytes (as someone rewriting the log would), so that only the
/// log's own hashes can tell.
fn damage_entry_3(data: &std::path::Path) {
    let (path, mut bytes, frames) = entries_file(data);
    let (start, end) = (frames[3] + 8, frames[4]);
    bytes[end - 1] ^= 0x01;
    let checksum = crc32fast::hash(&bytes[start..end]);
    bytes[frames[3] + 4..start].copy_from_slice(&checksum.to_le_bytes());
    std::fs::write(path, bytes).unwrap();
}

/// Records in the store, as its count of durable entries and their root, those of the
/// entries file as it is now: what someone rewriting the store and its record together
/// would leave.
fn record_count_and_root(data: &std::path::Path) {
    let (_, bytes, frames) = entries_file(data);
    let mut frontier = shanzhi::log::merkle::Frontier::new();
    let ends = frames.iter().skip(1).copied().chain([bytes.len()]);
    for (start, end) in frames.iter().zip(ends) {
        frontier.append(&bytes[start + 8..end]);
    }
    let mut count = (frames.len() as u64).to_be_bytes().to_vec();
    count.extend_from_slice(&frontier.root());
    let db = sled::open(genesis::store_path(data)).unwrap();
    db.open_tree("log").unwrap().insert(b"n", count).unwrap();
    db.flush().unwrap();
}

/// Starts a server on the app's data directory; it must refuse. Returns why.
async fn refused_start(app: &TestApp) -> String {
    let mut config = shanzhi::config::ServerConfig::new(app.data.path().to_owned());
    config.listen = "127.0.0.1:0".parse().unwrap();
    match shanzhi::server::start(config).await {
        Ok(_) => panic!("a server started on a damaged log"),
        Err(error) => format!("{:#}", anyhow::Error::from(error)),
    }
}

#[tokio::test]
async fn a_damaged_entry_stops_the_server_from_starting_with_a_clear_message() {
    let app = stopped_ledger().await;
    damage_entry_3(app.data.path());
    let message = refused_start(&app).await;
    assert!(message.contains("damaged"), "{message}");
}

/// An entry rewritten together with the store's record of its root (the count and root in
/// sled) is caught by the signed checkpoint that covers it.
#[tokio::test]
async fn an_entry_rewritten_with_the_stores_record_is_caught_by_the_signed_checkpoint() {
    let app = stopped_ledger().await;
    damage_entry_3(app.data.path());
    record_count_and_root(app.data.path());
    let message = refused_start(&app).await;
    assert!(
        message.contains("checkpoint") && message.contains("does not match the stored entries"),
        "{message}"
    );
}

/// An entry no signed checkpoint covers (as after a crash) is still checked: against the
/// root recorded with the count of durable entries.
#[tokio::test]
async fn a_damaged_entry_past_every_checkpoint_stops_the_server_from_starting() {
    let app = stopped_ledger().await;
    // Remove every checkpoint, in the store and its copy outside it, so that no signed root
    // covers the damaged entry.
    {
        let db = sled::open(genesis::store_path(app.data.path())).unwrap();
        let log = db.open_tree("log").unwrap();
        for key in log.scan_prefix([b'c']).keys() {
            log.remove(key.unwrap()).unwrap();
        }
        db.flush().unwrap();
    }
    damage_entry_3(app.data.path());
    std::fs::remove_file(genesis::checkpoint_witness_path(app.data.path())).unwrap();
    let message = refused_start(&app).await;
    assert!(
        message.contains("damaged") && message.contains("root recorded"),
        "{message}"
    );
}

#[tokio::test]
async fn a_store_that_lost_signed_entries_is_refused_rather_than_signed_again() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    app.household(&village, "h1").await;
    app.allocate("v1", 100).await.unwrap();
    app.issue(&village.officer, "v1", "h1", 10).await.unwrap();
    // An admin snapshot makes the server sign a checkpoint covering every entry.
    let signed = app
        .client
        .state_snapshot(&app.admin)
        .await
        .unwrap()
        .checkpoint
        .unwrap()
        .tree_size;
    app.server.take().unwrap().stop().await.unwrap();

    // The store loses its last entry and every checkpoint that covered it, as a damaged
    // store could; only the copy of the checkpoint outside the store remembers.
    {
        let db = sled::open(genesis::store_path(app.data.path())).unwrap();
        let log = db.open_tree("log").unwrap();
        let (path, bytes, frames) = entries_file(app.data.path());
        let kept = signed as usize - 1;
        std::fs::write(path, &bytes[..frames[kept]]).unwrap();
        // The count and the root of the entries kept, as a store that lost the last one
        // and its record would hold: only the signed checkpoint can tell.
        let mut frontier = shanzhi::log::merkle::Frontier::new();
        for (start, end) in frames.iter().zip(&frames[1..]).take(kept) {
            frontier.append(&bytes[start + 8..*end]);
        }
        let mut count = (kept as u64).to_be_bytes().to_vec();
        count.extend_from_slice(&frontier.root());
        log.insert(b"n", count).unwrap();
        for item in log.scan_prefix([b'c']) {
            let (key, _) = item.unwrap();
            if u64::from_be_bytes(key[1..9].try_into().unwrap()) >= signed {
                log.remove(key).unwrap();
            }
        }
        db.flush().unwrap();
    }

    let mut config = shanzhi::config::ServerConfig::new(app.data.path().to_owned());
    config.listen = "127.0.0.1:0".parse().unwrap();
    let error = match shanzhi::server::start(config).await {
        Ok(_) => panic!("a server started on a store that lost signed entries"),
        Err(error) => error,
    };
    let message = format!("{:#}", anyhow::Error::from(error));
    assert!(message.contains("lost entries"), "{message}");
}
