//! The directory of personal data through the real server: names set, corrected and erased
//! by signed changes outside the log (the log does not grow, `shanzhi verify` passes, no name
//! is on disk in clear), every refusal with its code and reason and nothing changed, reads by
//! scope, and records surviving a restart.

use prost::Message;
use shanzhi::client::{LedgerClient, Signer, household_subject, member_subject};
use shanzhi::crypto::KeyFile;
use shanzhi::pb::directory as dpb;
use shanzhi::pb::directory::change_body::Change;
use shanzhi::testkit::{on_disk, register_key, register_member, revoke};
use tonic::Code;
use tonic_health::pb::health_check_response::ServingStatus;

use crate::helpers::*;

fn set_name(name: &str) -> Change {
    Change::SetName(dpb::SetName {
        display_name: name.into(),
    })
}

fn erase() -> Change {
    Change::Erase(dpb::Erase {})
}

fn body(subject: dpb::Subject, revision: u64, change: Change) -> dpb::ChangeBody {
    dpb::ChangeBody {
        subject: Some(subject),
        revision,
        change: Some(change),
        reason: "registration".into(),
    }
}

/// Sends `change` of `subject` at `revision`, signed by `signer`.
async fn change(
    app: &mut TestApp,
    signer: &Signer,
    subject: dpb::Subject,
    revision: u64,
    change: Change,
) -> Result<dpb::Record, tonic::Status> {
    let signed = signer.sign_change(&app.client.ledger_id, &body(subject, revision, change));
    app.client.change_record(signed).await
}

async fn record(app: &mut TestApp, reader: &Signer, subject: dpb::Subject) -> dpb::Record {
    app.client
        .records(reader, vec![subject])
        .await
        .unwrap()
        .remove(0)
}

#[tokio::test]
async fn names_are_set_corrected_and_erased_outside_the_log_by_their_village() {
    let mut app = TestApp::spawn().await;
    let gaoba = app.village("gaoba").await;
    let home = app.household(&gaoba, "hh-001").await;
    let today = app.today();
    app.submit(&gaoba.officer, register_member("hh-001", 7, today))
        .await
        .unwrap();
    let admin = app.admin.clone();
    let (hh, member) = (household_subject("hh-001"), member_subject(&[7; 16]));
    let size = app.log_size().await;

    let set = change(
        &mut app,
        &gaoba.officer,
        hh.clone(),
        0,
        set_name("张建国户"),
    )
    .await
    .unwrap();
    assert_eq!(set.state(), dpb::RecordState::Present);
    assert_eq!((set.revision, set.display_name.as_str()), (1, "张建国户"));
    assert_eq!(set.changed_by, gaoba.officer.key_id().to_string());
    // The bureau names the member; the CLI's way: read the revision, then sign.
    let named = app
        .client
        .change_subject(
            &admin,
            member.clone(),
            None,
            set_name("张小红-marker"),
            "registration",
        )
        .await
        .unwrap();
    assert_eq!(named.revision, 1);

    // The same signed change resent (a lost reply) answers the same record.
    let signed = gaoba.officer.sign_change(
        &app.client.ledger_id,
        &body(hh.clone(), 1, set_name("张建华户")),
    );
    let corrected = app.client.change_record(signed.clone()).await.unwrap();
    assert_eq!(corrected.revision, 2);
    assert_eq!(app.client.change_record(signed).await.unwrap(), corrected);
    // The resident reads their household's names; an auditor reads too.
    for reader in [&home.resident, &admin] {
        let names = app
            .client
            .records(reader, vec![hh.clone(), member.clone()])
            .await
            .unwrap();
        assert_eq!(names[0].display_name, "张建华户");
        assert_eq!(names[1].display_name, "张小红-marker");
    }

    // Erasure: the name is gone, the revision stays, and erasing again is refused.
    let erased = change(&mut app, &gaoba.officer, member.clone(), 1, erase())
        .await
        .unwrap();
    assert_eq!(erased.state(), dpb::RecordState::Erased);
    assert_eq!((erased.revision, erased.display_name.as_str()), (2, ""));
    assert_reason(
        change(&mut app, &gaoba.officer, member.clone(), 2, erase()).await,
        Code::FailedPrecondition,
        "DIRECTORY_RECORD_ERASED",
    );

    // None of it is in the log: the log did not grow, and it verifies.
    assert_eq!(app.log_size().await, size);
    assert_eq!(verify_whole_log(&mut app).await, size);

    // Records survive a restart; no name was ever on disk in clear.
    app.restart().await;
    let names = app
        .client
        .records(&gaoba.officer, vec![hh, member])
        .await
        .unwrap();
    assert_eq!(
        (names[0].revision, names[0].display_name.as_str()),
        (2, "张建华户")
    );
    assert_eq!(names[1].state(), dpb::RecordState::Erased);
    for name in ["张建国户", "张建华户", "张小红-marker"] {
        let found = on_disk(app.data.path(), name.as_bytes());
        assert!(!found, "{name} is on disk in clear");
    }
}

#[tokio::test]
async fn every_directory_refusal_has_its_code_and_reason_and_changes_nothing() {
    let mut app = TestApp::spawn().await;
    let gaoba = app.village("gaoba").await;
    let other = app.village("other").await;
    let home = app.household(&gaoba, "hh-001").await;
    let shop = app.shop("shop-1").await;
    let admin = app.admin.clone();
    let hh = household_subject("hh-001");
    change(
        &mut app,
        &gaoba.officer,
        hh.clone(),
        0,
        set_name("张建国户"),
    )
    .await
    .unwrap();

    // Who may change: the village's officers and the bureau, nobody else.
    for (signer, code, reason) in [
        (&other.officer, Code::PermissionDenied, "OUT_OF_SCOPE"),
        (&home.resident, Code::PermissionDenied, "ROLE_NOT_ALLOWED"),
        (&shop.terminal, Code::PermissionDenied, "ROLE_NOT_ALLOWED"),
        (&Signer::generate(), Code::Unauthenticated, "UNKNOWN_KEY"),
    ] {
        assert_reason(
            change(&mut app, signer, hh.clone(), 1, set_name("冒名")).await,
            code,
            reason,
        );
    }
    // Who may read: not another village, a shop, a program, or another household's resident;
    // every subject of a read is checked, not only the first.
    let program = app.program("volunteers").await;
    let neighbour = app.household(&gaoba, "hh-003").await;
    for reader in [
        &other.officer,
        &shop.terminal,
        &program.officer,
        &neighbour.resident,
    ] {
        assert_reason(
            app.client.records(reader, vec![hh.clone()]).await,
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        );
    }
    assert_reason(
        app.client
            .records(
                &home.resident,
                vec![hh.clone(), household_subject("hh-003")],
            )
            .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    // An officer learns nothing about ids outside its village: an unregistered one is
    // refused like another village's.
    for subject in [household_subject("hh-404"), member_subject(&[9; 16])] {
        assert_reason(
            app.client
                .records(&other.officer, vec![subject.clone()])
                .await,
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        );
        assert_reason(
            change(&mut app, &other.officer, subject, 0, set_name("无")).await,
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        );
    }
    // Subjects that are not registered.
    assert_reason(
        change(
            &mut app,
            &admin,
            household_subject("hh-404"),
            0,
            set_name("无"),
        )
        .await,
        Code::NotFound,
        "UNKNOWN_HOUSEHOLD",
    );
    assert_reason(
        app.client
            .records(&admin, vec![member_subject(&[9; 16])])
            .await,
        Code::NotFound,
        "UNKNOWN_MEMBER",
    );
    // Revisions: an old one, a future one; erasing a record never written.
    for revision in [0, 5] {
        assert_reason(
            change(
                &mut app,
                &gaoba.officer,
                hh.clone(),
                revision,
                set_name("改"),
            )
            .await,
            Code::Aborted,
            "DIRECTORY_REVISION_MISMATCH",
        );
    }
    let empty = app.household(&gaoba, "hh-002").await;
    assert_reason(
        change(
            &mut app,
            &gaoba.officer,
            household_subject(&empty.id),
            0,
            erase(),
        )
        .await,
        Code::NotFound,
        "NO_DIRECTORY_RECORD",
    );
    // Fields.
    for name in ["", "   ", "a\nb", &"长".repeat(129)] {
        assert_reason(
            change(&mut app, &gaoba.officer, hh.clone(), 1, set_name(name)).await,
            Code::InvalidArgument,
            "INVALID_FIELD",
        );
    }
    let mut no_reason = body(hh.clone(), 1, set_name("改"));
    no_reason.reason = String::new();
    let signed = gaoba.officer.sign_change(&app.client.ledger_id, &no_reason);
    assert_reason(
        app.client.change_record(signed).await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    let mut no_change = body(hh.clone(), 1, set_name("改"));
    no_change.change = None;
    let signed = gaoba.officer.sign_change(&app.client.ledger_id, &no_change);
    assert_reason(
        app.client.change_record(signed).await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    assert_reason(
        app.client.records(&admin, vec![]).await,
        Code::InvalidArgument,
        "DIRECTORY_SUBJECT_COUNT",
    );
    assert_reason(
        app.client.records(&admin, vec![hh.clone(); 101]).await,
        Code::InvalidArgument,
        "DIRECTORY_SUBJECT_COUNT",
    );
    // The signed bytes: too large (before the signature is looked at), tampered with,
    // not canonical, signed for a transaction instead, or by a revoked key.
    let ledger_id = app.client.ledger_id;
    let mut large = gaoba
        .officer
        .sign_change(&ledger_id, &body(hh.clone(), 1, set_name("改")));
    large.body = vec![0; shanzhi::directory::MAX_CHANGE_BODY_BYTES + 1];
    large.signature = vec![0; 64];
    assert_reason(
        app.client.change_record(large).await,
        Code::InvalidArgument,
        "DIRECTORY_CHANGE_TOO_LARGE",
    );
    let mut tampered = gaoba
        .officer
        .sign_change(&ledger_id, &body(hh.clone(), 1, set_name("改")));
    tampered.body = body(hh.clone(), 1, set_name("篡改")).encode_to_vec();
    assert_reason(
        app.client.change_record(tampered).await,
        Code::Unauthenticated,
        "BAD_SIGNATURE",
    );
    let mut bytes = body(hh.clone(), 1, set_name("改")).encode_to_vec();
    bytes.extend([0x48, 0x01]); // an unknown field (9, a varint)
    let signature = shanzhi::crypto::sign(
        &gaoba.officer.key_file().signing_key,
        shanzhi::crypto::SigningContext::Directory,
        &ledger_id,
        &bytes,
    );
    let odd = dpb::SignedChange {
        body: bytes.clone(),
        key_id: gaoba.officer.key_id().to_string(),
        signature: signature.to_vec(),
    };
    assert_reason(
        app.client.change_record(odd).await,
        Code::InvalidArgument,
        "NON_CANONICAL",
    );
    let as_transaction = shanzhi::crypto::sign(
        &gaoba.officer.key_file().signing_key,
        shanzhi::crypto::SigningContext::Transaction,
        &ledger_id,
        &body(hh.clone(), 1, set_name("改")).encode_to_vec(),
    );
    let wrong_context = dpb::SignedChange {
        body: body(hh.clone(), 1, set_name("改")).encode_to_vec(),
        key_id: gaoba.officer.key_id().to_string(),
        signature: as_transaction.to_vec(),
    };
    assert_reason(
        app.client.change_record(wrong_context).await,
        Code::Unauthenticated,
        "BAD_SIGNATURE",
    );
    let departed = Signer::generate();
    app.submit(
        &admin,
        register_key(
            &departed,
            shanzhi::pb::points::Role::VillageOfficer,
            "gaoba",
        ),
    )
    .await
    .unwrap();
    app.submit(&admin, revoke(&departed)).await.unwrap();
    assert_reason(
        change(&mut app, &departed, hh.clone(), 1, set_name("改")).await,
        Code::PermissionDenied,
        "KEY_REVOKED",
    );

    // Nothing changed.
    let after = record(&mut app, &admin, hh).await;
    assert_eq!(
        (after.revision, after.display_name.as_str()),
        (1, "张建国户")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_stops_the_directory_and_loses_no_acknowledged_change() {
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().join("small");
    if !system_facility("mounting a tmpfs (root)", mount_tmpfs(&mount, 32 << 20)) {
        return;
    }
    let _unmount = Unmount(&mount);
    let data = mount.clone();
    let flags = ["--shutdown-grace-secs", "1", "--idle-timeout-secs", "600"];
    let (mut server, url) = serve_process(&data, &[], &flags).await;
    let admin = Signer::new(KeyFile::read(&data.join("keys/bureau-admin.key")).unwrap());
    let mut client = LedgerClient::connect(&url).await.unwrap();
    let officer = village_with_household(&mut client, &admin).await;
    let mut watch = watch_health(&url).await;

    // Leave the directory about 256 KiB, then correct one name until the disk is full.
    let ballast = mount.join("ballast");
    let room = free_bytes(&mount).saturating_sub(256 << 10);
    std::fs::write(&ballast, vec![0u8; usize::try_from(room).unwrap()]).unwrap();
    let name = |revision: u64| format!("{revision:0>120}");
    let mut acknowledged = 0;
    let mut unacknowledged = None;
    for revision in 0..100_000 {
        let change = officer.sign_change(
            &client.ledger_id,
            &body(household_subject("h1"), revision, set_name(&name(revision))),
        );
        match tokio::time::timeout(LONG, client.change_record(change.clone())).await {
            Ok(Ok(record)) => {
                assert_eq!(record.revision, revision + 1);
                acknowledged = revision + 1;
            }
            Ok(Err(status)) => {
                assert!(
                    matches!(status.code(), Code::Unavailable | Code::Unknown),
                    "{status:?}"
                );
                unacknowledged = Some(change);
                break;
            }
            Err(_) => panic!(
                "a directory change on a full disk hung instead of failing; server log: {}",
                std::fs::read_to_string(data.with_extension("stderr")).unwrap_or_default()
            ),
        }
    }
    let unacknowledged = unacknowledged.expect("the disk filled up");
    assert!(acknowledged > 0);

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
        .expect("the server exits after a failed directory write")
        .unwrap();
    assert!(!status.success(), "exit status {status}");
    let stderr = std::fs::read_to_string(data.with_extension("stderr")).unwrap();
    assert!(
        stderr.contains(
            "directory of personal data could not be opened, or a write or sync of it failed"
        ),
        "{stderr}"
    );

    // Space freed and restarted: the last acknowledged name (or the unacknowledged one, if it
    // reached the disk) is there; sending the unacknowledged change again applies it at most
    // once; and the keyring holds exactly one key, the record's.
    std::fs::remove_file(&ballast).unwrap();
    let (mut server, url) = serve_process(&data, &[], &flags).await;
    let mut client = LedgerClient::connect(&url).await.unwrap();
    let before = client
        .records(&officer, vec![household_subject("h1")])
        .await
        .unwrap()
        .remove(0);
    assert!(
        before.revision == acknowledged || before.revision == acknowledged + 1,
        "revision {} after {acknowledged} acknowledged changes",
        before.revision
    );
    assert_eq!(before.display_name, name(before.revision - 1));
    let after = client.change_record(unacknowledged.clone()).await.unwrap();
    assert_eq!(after.revision, acknowledged + 1);
    assert_eq!(after.display_name, name(acknowledged));
    assert_eq!(client.change_record(unacknowledged).await.unwrap(), after);
    let keys = std::fs::read(data.join("directory/keys")).unwrap();
    let held = keys
        .chunks(32)
        .filter(|k| k.iter().any(|b| *b != 0))
        .count();
    assert_eq!(held, 1, "keys held in {} slots", keys.len() / 32);
    server.start_kill().unwrap();
    server.wait().await.unwrap();
}

#[tokio::test]
async fn a_lost_directory_stops_the_server_from_starting_until_one_is_made_on_purpose() {
    let mut app = TestApp::spawn().await;
    let village = app.village("gaoba").await;
    app.household(&village, "hh-001").await;
    change(
        &mut app,
        &village.officer,
        household_subject("hh-001"),
        0,
        set_name("张建国户"),
    )
    .await
    .unwrap();
    app.server.take().unwrap().stop().await.unwrap();
    let directory = shanzhi::directory::path(app.data.path());
    std::fs::remove_dir_all(&directory).unwrap();

    let mut config = shanzhi::config::ServerConfig::new(app.data.path().to_owned());
    config.listen = "127.0.0.1:0".parse().unwrap();
    let refused = shanzhi::server::start(config.clone()).await.err().unwrap();
    let chain = format!(
        "{refused}: {}",
        std::error::Error::source(&refused).unwrap()
    );
    assert!(chain.contains("init-directory"), "{chain}");
    assert!(!directory.exists(), "a refused start created a directory");

    let made = std::process::Command::new(env!("CARGO_BIN_EXE_shanzhi"))
        .args(["init-directory", "--data"])
        .arg(app.data.path())
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_shanzhi"))
        .args(["init-directory", "--data"])
        .arg(app.data.path())
        .output()
        .unwrap();
    assert!(
        !again.status.success(),
        "a second init-directory replaced the directory"
    );

    // Served again, without the lost names: the record is absent, at revision 0.
    let server = shanzhi::server::start(config).await.unwrap();
    let mut client = LedgerClient::connect(&format!("http://{}", server.local_addr))
        .await
        .unwrap();
    let record = client
        .records(&app.admin, vec![household_subject("hh-001")])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        (record.state(), record.revision),
        (dpb::RecordState::Absent, 0)
    );
    server.stop().await.unwrap();
}
