//! Backup during writes, restore, and `verify` of the restored ledger against a checkpoint
//! verified before the backup; a restore refuses a damaged backup, a wrong log key and a
//! data directory that is not empty, and leaves nothing behind when it refuses.

use std::path::Path;

use shanzhi::client::{LedgerClient, ServerSource};
use shanzhi::config::ServerConfig;

use crate::helpers::{TestApp, log_key};

const BIN: &str = env!("CARGO_BIN_EXE_shanzhi");

fn shanzhi(args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(BIN)
        .args(args)
        .env_remove("SHANZHI_SERVER")
        .env_remove("SHANZHI_KEY")
        .output()
        .unwrap();
    let mut text = String::from_utf8(output.stdout).unwrap();
    text.push_str(&String::from_utf8(output.stderr).unwrap());
    (output.status.success(), text)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

// Two workers: the test runs the CLI as a child process while its server answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_writes_restores_to_a_ledger_that_verifies() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    app.household(&village, "h1").await;
    app.allocate("v1", 1_000_000).await.unwrap();
    for _ in 0..20 {
        app.issue(&village.officer, "v1", "h1", 1).await.unwrap();
    }
    // An auditor's view before the backup: the checkpoint it verified.
    let key = log_key(&mut app).await;
    let admin = app.admin.clone();
    let before = shanzhi::verifier::verify(
        &mut ServerSource {
            client: &mut app.client,
            signer: &admin,
        },
        &key,
        None,
    )
    .await
    .unwrap();

    // Writes keep coming while the backup runs.
    let writer = {
        let url = app.url.clone();
        let officer = village.officer.clone();
        tokio::spawn(async move {
            let mut client = LedgerClient::connect(&url).await.unwrap();
            for _ in 0..200 {
                client
                    .submit(&officer, crate::helpers::issue("v1", "h1", 1))
                    .await
                    .unwrap();
            }
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ledger.shanzhi-backup");
    let admin_key = app.data.path().join("keys/bureau-admin.key");
    let (ok, said) = tokio::task::spawn_blocking({
        let (url, file, admin_key) = (app.url.clone(), file.clone(), admin_key.clone());
        move || {
            shanzhi(&[
                "backup",
                "--server",
                &url,
                "--key",
                path(&admin_key),
                "--out",
                path(&file),
            ])
        }
    })
    .await
    .unwrap();
    assert!(ok, "{said}");
    assert!(said.contains("not in it"), "{said}");
    writer.await.unwrap();
    // A second backup to the same file is refused.
    let (ok, said) = shanzhi(&[
        "backup",
        "--server",
        &app.url,
        "--key",
        path(&admin_key),
        "--out",
        path(&file),
    ]);
    assert!(!ok && said.contains("exists"), "{said}");

    let restored = dir.path().join("restored");
    let log_key_file = app.data.path().join("keys/log.key");
    let (ok, said) = shanzhi(&[
        "restore",
        "--from",
        path(&file),
        "--data",
        path(&restored),
        "--log-key",
        path(&log_key_file),
    ]);
    assert!(ok, "{said}");
    assert!(
        said.contains("directory of personal data is empty"),
        "{said}"
    );

    // The restored ledger serves the entries the original had at the backup's size, and
    // verifies against the checkpoint verified before the backup.
    let mut config = ServerConfig::new(restored.clone());
    config.listen = "127.0.0.1:0".parse().unwrap();
    let server = shanzhi::server::start(config)
        .await
        .expect("the restored ledger serves");
    let mut client = LedgerClient::connect(&format!("http://{}", server.local_addr))
        .await
        .unwrap();
    let after = shanzhi::verifier::verify(
        &mut ServerSource {
            client: &mut client,
            signer: &admin,
        },
        &key,
        Some(&before.checkpoint_note),
    )
    .await
    .unwrap();
    assert_eq!(after.consistent_with, Some(before.size));
    // Up to the latest checkpoint when the backup began: at least what was verified before.
    assert!(after.size >= before.size);
    let restored_entries = client.log_entries(&admin, 0, after.size).await.unwrap();
    let original_entries = app.client.log_entries(&admin, 0, after.size).await.unwrap();
    assert_eq!(restored_entries, original_entries);
    // And the original, grown further, is consistent with what was restored.
    let original_now = crate::helpers::verify_whole_log(&mut app).await;
    assert!(original_now >= after.size);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_restore_refuses_damage_a_wrong_key_and_a_full_directory_and_leaves_nothing() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    app.household(&village, "h1").await;
    app.allocate("v1", 100).await.unwrap();
    app.issue(&village.officer, "v1", "h1", 1).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.shanzhi-backup");
    let admin_key = app.data.path().join("keys/bureau-admin.key");
    let (ok, said) = tokio::task::spawn_blocking({
        let (url, file, admin_key) = (app.url.clone(), file.clone(), admin_key.clone());
        move || {
            shanzhi(&[
                "backup",
                "--server",
                &url,
                "--key",
                path(&admin_key),
                "--out",
                path(&file),
            ])
        }
    })
    .await
    .unwrap();
    assert!(ok, "{said}");
    let log_key_file = app.data.path().join("keys/log.key");
    let restore = |from: &Path, data: &Path, key: &Path| {
        shanzhi(&[
            "restore",
            "--from",
            path(from),
            "--data",
            path(data),
            "--log-key",
            path(key),
        ])
    };

    // The admin key is not the log key the genesis entry names.
    let target = dir.path().join("restored");
    let (ok, said) = restore(&file, &target, &admin_key);
    assert!(
        !ok && said.contains("not the key this ledger's genesis entry names"),
        "{said}"
    );
    assert!(!target.exists(), "a refused restore leaves nothing");

    // A damaged backup.
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    let damaged = dir.path().join("damaged.shanzhi-backup");
    std::fs::write(&damaged, &bytes).unwrap();
    let (ok, said) = restore(&damaged, &target, &log_key_file);
    assert!(
        !ok && said.contains("damaged") || said.contains("checksum"),
        "{said}"
    );
    assert!(!target.exists(), "a refused restore leaves nothing");

    // A directory that holds something.
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("precious"), "x").unwrap();
    let (ok, said) = restore(&file, &target, &log_key_file);
    assert!(!ok && said.contains("not empty"), "{said}");
    assert_eq!(
        std::fs::read_to_string(target.join("precious")).unwrap(),
        "x"
    );

    // And the good one restores.
    let fresh = dir.path().join("fresh");
    let (ok, said) = restore(&file, &fresh, &log_key_file);
    assert!(ok, "{said}");
}
