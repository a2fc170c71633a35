//! Backup during writes, restore, and `verify` of the restored ledger against a checkpoint
//! verified before the backup; the directory of personal data in a file of its own, restored
//! with its revisions; a restore refuses a damaged backup, a wrong log key, another ledger's
//! personal data and a data directory that is not empty, and leaves nothing behind when it
//! refuses; a key that may not export the personal data leaves no file.

use std::path::Path;

use shanzhi::client::{LedgerClient, ServerSource, Signer, household_subject};
use shanzhi::config::ServerConfig;
use shanzhi::pb::directory as dpb;

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

/// A signed change setting `subject`'s name (or erasing it) at `revision`.
fn signed_change(
    app: &TestApp,
    signer: &Signer,
    subject: &str,
    revision: u64,
    name: Option<&str>,
) -> dpb::SignedChange {
    let change = match name {
        Some(name) => dpb::change_body::Change::SetName(dpb::SetName {
            display_name: name.into(),
        }),
        None => dpb::change_body::Change::Erase(dpb::Erase {}),
    };
    let body = dpb::ChangeBody {
        subject: Some(household_subject(subject)),
        revision,
        change: Some(change),
        reason: "registration".into(),
    };
    signer.sign_change(&app.client.ledger_id, &body)
}

/// Runs `shanzhi backup` against `app` with `key` and `extra` arguments, off the runtime.
async fn backup(app: &TestApp, key: &Path, out: &Path, extra: &[&str]) -> (bool, String) {
    let mut args: Vec<String> = ["backup", "--server", &app.url, "--key", path(key), "--out"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(path(out).to_owned());
    args.extend(extra.iter().map(|s| s.to_string()));
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        shanzhi(&args)
    })
    .await
    .unwrap()
}

const MARKER: &str = "张建国户-backup-marker";

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
    // Names: one kept, one set and then erased.
    app.household(&village, "h2").await;
    let named = signed_change(&app, &village.officer, "h1", 0, Some(MARKER));
    app.client.change_record(named.clone()).await.unwrap();
    let gone = signed_change(
        &app,
        &village.officer,
        "h2",
        0,
        Some("李四户-erased-marker"),
    );
    app.client.change_record(gone).await.unwrap();
    let erasure = signed_change(&app, &village.officer, "h2", 1, None);
    app.client.change_record(erasure).await.unwrap();
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
    let (ok, said) = backup(&app, &admin_key, &file, &[]).await;
    assert!(ok, "{said}");
    assert!(said.contains("(1 records with a name, 1 erased)"), "{said}");
    writer.await.unwrap();
    // The names are in their own file, and only there.
    let personal = dir.path().join("ledger.shanzhi-backup.personal-data");
    let contains = |bytes: &[u8], needle: &str| {
        bytes
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
    };
    let log_bytes = std::fs::read(&file).unwrap();
    let personal_bytes = std::fs::read(&personal).unwrap();
    assert!(!contains(&log_bytes, MARKER), "a name in the log's backup");
    assert!(contains(&personal_bytes, MARKER));
    assert!(!contains(&personal_bytes, "李四户-erased-marker"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&personal).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the personal data is readable by others: {mode:o}"
        );
    }
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
        "--personal-data",
        path(&personal),
    ]);
    assert!(ok, "{said}");
    assert!(
        said.contains("restored 1 records with a name and 1 erased"),
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

    // The names came back with their revisions: the same records as the original's.
    let subjects = vec![household_subject("h1"), household_subject("h2")];
    let restored_records = client.records(&admin, subjects.clone()).await.unwrap();
    let original_records = app.client.records(&admin, subjects).await.unwrap();
    assert_eq!(restored_records, original_records);
    assert_eq!(restored_records[0].display_name, MARKER);
    assert_eq!(restored_records[1].state(), dpb::RecordState::Erased);
    assert_eq!(restored_records[1].revision, 2);
    // The change that set the name, sent again, changes nothing (its hash came back too);
    // an old change of another revision is refused as before.
    let again = client.change_record(named).await.unwrap();
    assert_eq!(again, restored_records[0]);
    let stale = signed_change(&app, &village.officer, "h1", 0, Some("冒名"));
    crate::helpers::assert_reason(
        client.change_record(stale).await,
        tonic::Code::Aborted,
        "DIRECTORY_REVISION_MISMATCH",
    );
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
    let (ok, said) = backup(&app, &admin_key, &file, &[]).await;
    assert!(ok, "{said}");
    // A second backup to the same file is refused, and so is one whose personal data would
    // replace a file.
    let (ok, said) = backup(&app, &admin_key, &file, &["--no-personal-data"]).await;
    assert!(!ok && said.contains("exists"), "{said}");
    let other = dir.path().join("other.shanzhi-backup");
    let taken = dir.path().join("taken");
    std::fs::write(&taken, "x").unwrap();
    let (ok, said) = backup(
        &app,
        &admin_key,
        &other,
        &["--personal-data-out", path(&taken)],
    )
    .await;
    assert!(!ok && said.contains("exists"), "{said}");
    assert!(!other.exists());
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "x");
    let personal = dir.path().join("b.shanzhi-backup.personal-data");
    let log_key_file = app.data.path().join("keys/log.key");
    let restore_with = |from: &Path, data: &Path, key: &Path, extra: &[&str]| {
        let mut args = vec![
            "restore",
            "--from",
            path(from),
            "--data",
            path(data),
            "--log-key",
            path(key),
        ];
        args.extend_from_slice(extra);
        shanzhi(&args)
    };
    let restore = |from: &Path, data: &Path, key: &Path| restore_with(from, data, key, &[]);

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
        !ok && (said.contains("damaged") || said.contains("checksum")),
        "{said}"
    );
    assert!(!target.exists(), "a refused restore leaves nothing");

    // Damaged personal data: refused before anything is written.
    let mut bytes = std::fs::read(&personal).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let damaged_personal = dir.path().join("damaged.personal-data");
    std::fs::write(&damaged_personal, &bytes).unwrap();
    let (ok, said) = restore_with(
        &file,
        &target,
        &log_key_file,
        &["--personal-data", path(&damaged_personal)],
    );
    assert!(!ok && said.contains("SHA-256"), "{said}");
    assert!(!target.exists(), "a refused restore leaves nothing");

    // Another ledger's personal data: refused once the ledger is known, leaving nothing.
    let mut stranger = TestApp::spawn().await;
    let stranger_village = stranger.village("v9").await;
    stranger.household(&stranger_village, "h9").await;
    let strangers = dir.path().join("stranger.shanzhi-backup");
    let stranger_key = stranger.data.path().join("keys/bureau-admin.key");
    let (ok, said) = backup(&stranger, &stranger_key, &strangers, &[]).await;
    assert!(ok, "{said}");
    let strangers_personal = dir.path().join("stranger.shanzhi-backup.personal-data");
    let (ok, said) = restore_with(
        &file,
        &target,
        &log_key_file,
        &["--personal-data", path(&strangers_personal)],
    );
    assert!(!ok && said.contains("not of the restored ledger"), "{said}");
    assert!(!target.exists(), "a refused restore leaves nothing");

    // A directory that was there, empty, before a refused restore stays, empty.
    let prepared = dir.path().join("prepared");
    std::fs::create_dir(&prepared).unwrap();
    let (ok, said) = restore_with(
        &file,
        &prepared,
        &log_key_file,
        &["--personal-data", path(&strangers_personal)],
    );
    assert!(!ok && said.contains("not of the restored ledger"), "{said}");
    assert_eq!(
        std::fs::read_dir(&prepared).unwrap().count(),
        0,
        "a refused restore leaves the directory as it found it"
    );

    // A directory that holds something.
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("precious"), "x").unwrap();
    let (ok, said) = restore(&file, &target, &log_key_file);
    assert!(!ok && said.contains("not empty"), "{said}");
    assert_eq!(
        std::fs::read_to_string(target.join("precious")).unwrap(),
        "x"
    );

    // And the good one restores, with or without its personal data.
    let fresh = dir.path().join("fresh");
    let (ok, said) = restore(&file, &fresh, &log_key_file);
    assert!(
        ok && said.contains("directory of personal data is empty"),
        "{said}"
    );
    let whole = dir.path().join("whole");
    let (ok, said) = restore_with(
        &file,
        &whole,
        &log_key_file,
        &["--personal-data", path(&personal)],
    );
    assert!(ok && said.contains("restored 0 records"), "{said}");
}

// Two workers: the test runs the CLI as a child process while its server answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_backs_up_the_log_alone_and_no_file_is_left_when_refused_the_names() {
    let app = TestApp::spawn().await;
    let auditor = Signer::generate();
    app.submit(
        &app.admin.clone(),
        shanzhi::testkit::register_key(&auditor, shanzhi::pb::points::Role::Auditor, ""),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let auditor_key = dir.path().join("auditor.key");
    auditor.key_file().write_new(&auditor_key).unwrap();
    let file = dir.path().join("a.shanzhi-backup");
    let (ok, said) = backup(&app, &auditor_key, &file, &[]).await;
    assert!(
        !ok && said.contains("exporting the directory of personal data")
            && said.contains("--no-personal-data"),
        "{said}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("auditor.key")]);
    let (ok, said) = backup(&app, &auditor_key, &file, &["--no-personal-data"]).await;
    assert!(ok && said.contains("was not backed up"), "{said}");
    assert!(file.exists());
    assert!(!dir.path().join("a.shanzhi-backup.personal-data").exists());
}

// Two workers: the test runs the CLI as a child process while its server answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_leaves_out_names_its_log_does_not_know_and_one_cut_short_is_never_served() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    app.household(&village, "h1").await;
    let named = signed_change(&app, &village.officer, "h1", 0, Some(MARKER));
    app.client.change_record(named).await.unwrap();
    crate::helpers::covering_size(&mut app).await;
    let dir = tempfile::tempdir().unwrap();
    let admin_key = app.data.path().join("keys/bureau-admin.key");
    let first = dir.path().join("first.shanzhi-backup");
    let (ok, said) = backup(&app, &admin_key, &first, &[]).await;
    assert!(ok, "{said}");
    // A household registered and named after the first backup's checkpoint: the second
    // backup's names hold it.
    app.household(&village, "h3").await;
    let later = signed_change(&app, &village.officer, "h3", 0, Some("王五户"));
    app.client.change_record(later).await.unwrap();
    let second = dir.path().join("second.shanzhi-backup");
    let (ok, said) = backup(&app, &admin_key, &second, &[]).await;
    assert!(ok, "{said}");
    assert!(said.contains("(2 records with a name, 0 erased)"), "{said}");

    // The first log with the second names: h3 is not in that log, so its name is left out.
    let restored = dir.path().join("restored");
    let log_key_file = app.data.path().join("keys/log.key");
    let second_personal = dir.path().join("second.shanzhi-backup.personal-data");
    let (ok, said) = shanzhi(&[
        "restore",
        "--from",
        path(&first),
        "--data",
        path(&restored),
        "--log-key",
        path(&log_key_file),
        "--personal-data",
        path(&second_personal),
    ]);
    assert!(ok, "{said}");
    assert!(
        said.contains("restored 1 records with a name and 0 erased")
            && said.contains("left out 1 records"),
        "{said}"
    );
    assert!(!restored.join("RESTORE-UNFINISHED").exists());

    // A restore cut short leaves its marker: neither serve nor another restore opens it.
    std::fs::write(restored.join("RESTORE-UNFINISHED"), b"").unwrap();
    let mut config = ServerConfig::new(restored.clone());
    config.listen = "127.0.0.1:0".parse().unwrap();
    let why = match shanzhi::server::start(config.clone()).await {
        Ok(_) => panic!("served a directory holding half a restore"),
        Err(error) => error.to_string(),
    };
    assert!(why.contains("did not finish"), "{why}");
    std::fs::remove_file(restored.join("RESTORE-UNFINISHED")).unwrap();
    let server = shanzhi::server::start(config)
        .await
        .expect("serves once done");
    let mut client = LedgerClient::connect(&format!("http://{}", server.local_addr))
        .await
        .unwrap();
    let admin = app.admin.clone();
    let records = client
        .records(&admin, vec![household_subject("h1")])
        .await
        .unwrap();
    assert_eq!(records[0].display_name, MARKER);
    server.stop().await.unwrap();
}
