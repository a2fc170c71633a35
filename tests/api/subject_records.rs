//! The directory records of the programs' persons and organizations through the real server:
//! a person's name, identity number (with the birth date and sex it gives), phone and areas set
//! by a caseworker of the person's area and read back; every refusal with its code and reason
//! and the record unchanged (another number than the registered one, a malformed one, an
//! unknown area, an unknown person, a name-only change, a bad phone, a caseworker of another
//! area, a village officer); the record in the directory's export; and after an erasure the
//! log still verifies and none of it is anywhere on disk in clear.

use shanzhi::client::{IdentityNumber, Signer, organization_subject, person_subject};
use shanzhi::pb::directory as dpb;
use shanzhi::pb::points as pb;
use shanzhi::testkit::register_key;
use tonic::Code;

use crate::helpers::*;
use crate::subjects::{person_in_village, programs_ledger, resident_id};

const NAME: &str = "王秀英-record-marker";
const PHONE: &str = "13907170001";

fn set_person(number: &str, hukou: &str, residence: &str, phone: &str) -> dpb::change_body::Change {
    dpb::change_body::Change::SetPerson(dpb::SetPerson {
        name: NAME.into(),
        resident_id_number: number.into(),
        phone: phone.into(),
        hukou_area: hukou.into(),
        residence_area: residence.into(),
    })
}

/// Every file under `dir`, read whole.
fn files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            found.push((path, bytes));
        }
    }
    found
}

#[tokio::test]
async fn a_persons_record_is_set_read_refused_and_erased_without_a_trace_on_disk() {
    let (mut app, caseworker) = programs_ledger().await;
    // A number whose check character is X, given in lower case.
    let number = resident_id("42058119520315009");
    assert!(number.ends_with('X'));
    let person = person_in_village(&mut app, &caseworker, &number).await;
    let subject = person_subject(&person.id);
    let record = app
        .client
        .change_subject(
            &caseworker,
            subject.clone(),
            Some(0),
            // A hukou outside the ledger's city (Beijing's Xicheng): checked for its form only.
            set_person(&number.to_lowercase(), "110102", "420581100", PHONE),
            "registration",
        )
        .await
        .unwrap();
    assert_eq!(record.display_name, NAME);
    let details = record.person.clone().unwrap();
    assert_eq!(details.resident_id_number, number);
    assert_eq!(details.birth_date, 19520315);
    assert_eq!(details.sex, "male");
    assert_eq!(details.hukou_area, "110102");
    assert_eq!(details.phone, PHONE);
    assert_eq!(details.residence_area, "420581100");
    let admin = app.admin.clone();
    // A person's record is read for a stated purpose, or not at all.
    assert_reason(
        app.client.records(&admin, vec![subject.clone()]).await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    let read = app
        .client
        .records_for(&admin, vec![subject.clone()], "case review")
        .await
        .unwrap();
    assert_eq!(read[0], record);

    // Refused, and the record stays at revision 1.
    let other = resident_id("42058119600101003");
    let refusals: [(dpb::change_body::Change, Code, &str); 7] = [
        (
            set_person(&other, "420581100001", "420581100", PHONE),
            Code::FailedPrecondition,
            "ID_NUMBER_MISMATCH",
        ),
        (
            set_person("42058119520315009", "420581100001", "420581100", PHONE),
            Code::InvalidArgument,
            "MALFORMED_ID_NUMBER",
        ),
        (
            set_person(&number, "420581100001", "420581100002", PHONE),
            Code::NotFound,
            "UNKNOWN_AREA",
        ),
        (
            set_person(&number, "4205", "420581100", PHONE),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            set_person(&number, "420581100001", "420581100", "call me"),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            dpb::change_body::Change::SetName(dpb::SetName {
                display_name: "x".into(),
            }),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            dpb::change_body::Change::SetOrganization(dpb::SetOrganization {
                name: "x".into(),
                credit_code: "91350100M000100Y43".into(),
            }),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
    ];
    for (change, code, reason) in refusals {
        assert_reason(
            app.client
                .change_subject(&caseworker, subject.clone(), Some(1), change, "correction")
                .await,
            code,
            reason,
        );
    }
    // Unknown person.
    assert_reason(
        app.client
            .change_subject(
                &caseworker,
                person_subject(&[7; 16]),
                Some(0),
                set_person(&number, "420581100001", "420581100", PHONE),
                "registration",
            )
            .await,
        Code::NotFound,
        "UNKNOWN_PERSON",
    );
    // A caseworker of the other township may neither read nor change it; nor may a village
    // officer read it.
    let elsewhere = Signer::generate();
    app.submit(
        &admin,
        register_key(&elsewhere, pb::Role::Caseworker, "420581200"),
    )
    .await
    .unwrap();
    assert_reason(
        app.client
            .records_for(&elsewhere, vec![subject.clone()], "case review")
            .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert_reason(
        app.client
            .change_subject(
                &elsewhere,
                subject.clone(),
                Some(1),
                set_person(&number, "420581100001", "420581100", PHONE),
                "correction",
            )
            .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    let village = app.village("v1").await;
    assert_reason(
        app.client
            .records_for(&village.officer, vec![subject.clone()], "case review")
            .await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    // Refused alike whether or not the person exists: no key outside learns who is registered.
    assert_reason(
        app.client
            .records_for(
                &village.officer,
                vec![person_subject(&[7; 16])],
                "case review",
            )
            .await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    let unchanged = app
        .client
        .records_for(&admin, vec![subject.clone()], "case review")
        .await
        .unwrap();
    assert_eq!(unchanged[0], record, "no refusal changed the record");

    // The directory's export carries the whole record (for its backup file).
    let page = app.client.export_records(&admin, Vec::new()).await.unwrap();
    let exported = page
        .records
        .iter()
        .find(|e| e.record.as_ref().and_then(|r| r.subject.clone()) == Some(subject.clone()))
        .unwrap();
    assert_eq!(exported.record.as_ref().unwrap().person, record.person);

    // Nothing of it in clear on disk, before the erasure and after it.
    let secrets = [number.as_str(), NAME, PHONE];
    let in_clear = |app: &TestApp| {
        files(app.data.path())
            .into_iter()
            .filter(|(_, bytes)| {
                secrets
                    .iter()
                    .any(|s| bytes.windows(s.len()).any(|w| w == s.as_bytes()))
            })
            .map(|(path, _)| path)
            .collect::<Vec<_>>()
    };
    assert_eq!(in_clear(&app), Vec::<std::path::PathBuf>::new());
    let erased = app
        .client
        .change_subject(
            &caseworker,
            subject.clone(),
            Some(1),
            dpb::change_body::Change::Erase(dpb::Erase {}),
            "the person asked",
        )
        .await
        .unwrap();
    assert_eq!(erased.state(), dpb::RecordState::Erased);
    assert_eq!(erased.person, None);
    assert_eq!(erased.display_name, "");
    verify_whole_log(&mut app).await;
    app.restart().await;
    let after = app
        .client
        .records_for(&admin, vec![subject], "case review")
        .await
        .unwrap();
    assert_eq!(after[0].state(), dpb::RecordState::Erased);
    assert_eq!(after[0].revision, 2);
    assert_eq!(in_clear(&app), Vec::<std::path::PathBuf>::new());

    // Every answered read of the person is in the access log, in order, chained by hash; the
    // refused ones are not. Only bureau admins and auditors list it.
    let log = app.client.access_events(&admin, 0, 0).await.unwrap();
    let readers: Vec<&str> = log.events.iter().map(|e| e.reader.as_str()).collect();
    let admin_id = admin.key_id().to_string();
    assert_eq!(readers, vec![admin_id.as_str(); 3], "{log:?}");
    assert_eq!(log.next_sequence, 3);
    let mut previous = [0u8; 32];
    for event in &log.events {
        assert_eq!(event.purpose, "case review");
        assert_eq!(event.subject.as_ref(), Some(&person_subject(&person.id)));
        let hash = shanzhi::directory::access_hash(
            &previous,
            event.sequence,
            shanzhi::ledger::UnixMs(event.at_unix_ms),
            &shanzhi::ledger::KeyId::from_hex(&event.reader).unwrap(),
            &prost::Message::encode_to_vec(event.subject.as_ref().unwrap()),
            &event.purpose,
        );
        assert_eq!(
            event.hash,
            hash.to_vec(),
            "the chain breaks at {}",
            event.sequence
        );
        previous = hash;
    }
    assert_reason(
        app.client.access_events(&caseworker, 0, 0).await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    assert_reason(
        app.client.access_events(&admin, 0, 1001).await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
}

#[tokio::test]
async fn an_organizations_record_keeps_its_registered_credit_code() {
    let (mut app, caseworker) = programs_ledger().await;
    let organization = app
        .client
        .register_subject(
            &caseworker,
            IdentityNumber::Credit("91350100M000100Y43".into()),
            "420581100",
        )
        .await
        .unwrap();
    let subject = organization_subject(&organization.id);
    let set = |code: &str| {
        dpb::change_body::Change::SetOrganization(dpb::SetOrganization {
            name: "陆城街道幸福食堂".into(),
            credit_code: code.into(),
        })
    };
    assert_reason(
        app.client
            .change_subject(
                &caseworker,
                subject.clone(),
                Some(0),
                set("91110000802100433B"),
                "r",
            )
            .await,
        Code::FailedPrecondition,
        "ID_NUMBER_MISMATCH",
    );
    let record = app
        .client
        .change_subject(
            &caseworker,
            subject,
            Some(0),
            set("91350100m000100y43"),
            "r",
        )
        .await
        .unwrap();
    assert_eq!(
        record.organization.unwrap().credit_code,
        "91350100M000100Y43"
    );
}

/// Runs the binary with `args` against `url`; its success and output.
fn cli(url: &str, args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_shanzhi"))
        .args(args)
        .env("SHANZHI_SERVER", url)
        .env_remove("SHANZHI_KEY")
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// Stops the server, lets `edit` change the directory's access log, starts it again.
async fn with_access_tree(app: &mut TestApp, edit: impl FnOnce(&sled::Tree)) {
    app.restart_after(|data| {
        let db = sled::open(data.join("directory/records")).unwrap();
        edit(&db.open_tree("access").unwrap());
        db.flush().unwrap();
    })
    .await;
}

// Two workers: the test runs the CLI as a child process while its server answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_log_shows_an_event_removed_or_cut_off() {
    use sha2::Digest;
    let (mut app, caseworker) = programs_ledger().await;
    let number = resident_id("42058119520315009");
    let person = person_in_village(&mut app, &caseworker, &number).await;
    let subject = person_subject(&person.id);
    app.client
        .change_subject(
            &caseworker,
            subject.clone(),
            Some(0),
            set_person(&number, "420581100001", "420581100", PHONE),
            "registration",
        )
        .await
        .unwrap();
    let admin = app.admin.clone();
    for purpose in ["eligibility check", "annual review"] {
        app.client
            .records_for(&admin, vec![subject.clone()], purpose)
            .await
            .unwrap();
    }
    let log = app.client.access_events(&admin, 0, 0).await.unwrap();
    assert_eq!(log.events.len(), 2);
    // The first event's hash, computed here from its definition (not the server's code).
    let first = &log.events[0];
    let mut hasher = sha2::Sha256::new();
    hasher.update(b"shanzhi/access/v1\0");
    hasher.update([0u8; 32]);
    hasher.update(0u64.to_be_bytes());
    hasher.update(first.at_unix_ms.to_be_bytes());
    hasher.update(admin.key_id().0);
    hasher.update(b"\0");
    hasher.update(prost::Message::encode_to_vec(&subject));
    hasher.update(b"\0");
    hasher.update(b"eligibility check");
    assert_eq!(first.hash, hasher.finalize().to_vec());

    let admin_key = app.data.path().join("keys/bureau-admin.key");
    let admin_key = admin_key.to_str().unwrap().to_owned();
    let kept = format!("1:{}", hex::encode(&log.events[1].hash));
    let url = app.url.clone();
    let (ok, said) = tokio::task::spawn_blocking({
        let (kept, key) = (kept.clone(), admin_key.clone());
        move || cli(&url, &["access-log", "--key", &key, "--expect", &kept])
    })
    .await
    .unwrap();
    assert!(ok && said.contains("chain checked: 2 events"), "{said}");

    // The first event removed: the chain no longer starts at 0.
    with_access_tree(&mut app, |tree| {
        tree.remove(0u64.to_be_bytes()).unwrap();
    })
    .await;
    let url = app.url.clone();
    let (ok, said) = tokio::task::spawn_blocking({
        let key = admin_key.clone();
        move || cli(&url, &["access-log", "--key", &key])
    })
    .await
    .unwrap();
    assert!(!ok && said.contains("skips from event 0 to 1"), "{said}");
    // The rest cut off too: the event kept from the earlier run is gone.
    with_access_tree(&mut app, |tree| {
        tree.remove(1u64.to_be_bytes()).unwrap();
    })
    .await;
    let url = app.url.clone();
    let (ok, said) = tokio::task::spawn_blocking(move || {
        cli(
            &url,
            &["access-log", "--key", &admin_key, "--expect", &kept],
        )
    })
    .await
    .unwrap();
    assert!(
        !ok && said.contains("kept from an earlier run is gone"),
        "{said}"
    );
}
