//! The programs' subjects through the real server: identity numbers checked (GB 11643, GB
//! 32100) and turned into identity tags by the directory; persons and organizations registered
//! in the log by tag, one per number, by a bureau admin or a caseworker of the area; every
//! refusal with its code and reason and nothing changed; the rule kept after a restart and by
//! `verify`; and no identity number anywhere in the stored log.

use shanzhi::client::{IdentityNumber, Signer, register_organization, register_person};
use shanzhi::pb::points as pb;
use shanzhi::testkit::{register_area, register_key};
use tonic::Code;

use crate::helpers::*;

/// An 18-character resident identity number from its first 17 digits (GB 11643 check).
pub(crate) fn resident_id(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = match (12 - sum % 11) % 11 {
        10 => 'X',
        v => char::from(b'0' + v as u8),
    };
    format!("{first17}{check}")
}

const CREDIT_CODE: &str = "91350100M000100Y43";

/// Yidu, two townships, a village in each; a caseworker of the first township.
pub(crate) async fn programs_ledger() -> (TestApp, Signer) {
    let app = TestApp::spawn().await;
    let admin = app.admin.clone();
    for (code, name) in [
        ("420581", "宜都市"),
        ("420581100", "陆城街道"),
        ("420581100001", "一村"),
        ("420581200", "红花套镇"),
        ("420581200001", "渔洋溪村"),
    ] {
        app.submit(&admin, register_area(code, name)).await.unwrap();
    }
    let caseworker = Signer::generate();
    app.submit(
        &admin,
        register_key(&caseworker, pb::Role::Caseworker, "420581100"),
    )
    .await
    .unwrap();
    (app, caseworker)
}

/// Registers the person of `number` in the first township's village, as `caseworker`.
pub(crate) async fn person_in_village(
    app: &mut TestApp,
    caseworker: &Signer,
    number: &str,
) -> shanzhi::client::Registered {
    app.client
        .register_subject(
            caseworker,
            IdentityNumber::Resident(number.into()),
            "420581100001",
        )
        .await
        .unwrap()
}

/// A person registered in village 420581100001 with their directory record set (name, the
/// number, a phone, hukou and residence there): what opening a case needs.
pub(crate) async fn person_with_record(
    app: &mut TestApp,
    caseworker: &Signer,
    number: &str,
) -> shanzhi::client::Registered {
    let person = person_in_village(app, caseworker, number).await;
    app.client
        .change_subject(
            caseworker,
            shanzhi::client::person_subject(&person.id),
            Some(0),
            shanzhi::pb::directory::change_body::Change::SetPerson(
                shanzhi::pb::directory::SetPerson {
                    name: "李桂兰".into(),
                    resident_id_number: number.into(),
                    phone: "13907170002".into(),
                    hukou_area: "420581100001".into(),
                    residence_area: "420581100001".into(),
                },
            ),
            "application",
        )
        .await
        .unwrap();
    person
}

#[tokio::test]
async fn one_person_per_identity_number_registered_by_tag_within_the_caseworkers_area() {
    let (mut app, caseworker) = programs_ledger().await;
    let number = resident_id("42058119800101001");
    let tag = app
        .client
        .identity_tag(&caseworker, IdentityNumber::Resident(number.clone()))
        .await
        .unwrap();
    assert_eq!(tag.tag.len(), 32);
    assert!(tag.registered_id.is_empty());
    assert_eq!(tag.birth_date, 19800101);
    assert_eq!(tag.sex, "male");

    // Registered by the caseworker in a village of their township.
    let registered = person_in_village(&mut app, &caseworker, &number).await;
    let again = app
        .client
        .identity_tag(&caseworker, IdentityNumber::Resident(number.clone()))
        .await
        .unwrap();
    assert_eq!(again.tag, tag.tag, "one number, one tag");
    assert_eq!(again.registered_id, registered.id.to_vec());

    // A number whose check character is X is one number in either case.
    let x = resident_id("42058119800101005");
    assert!(x.ends_with('X'));
    app.client
        .register_subject(
            &caseworker,
            IdentityNumber::Resident(x.to_lowercase()),
            "420581100001",
        )
        .await
        .unwrap();
    assert_reason(
        app.client
            .register_subject(&caseworker, IdentityNumber::Resident(x), "420581100001")
            .await,
        Code::AlreadyExists,
        "DUPLICATE_ID_NUMBER",
    );
    // A caseworker of another area learns that the number is taken, not by whom.
    let elsewhere = Signer::generate();
    let admin = app.admin.clone();
    app.submit(
        &admin,
        register_key(&elsewhere, pb::Role::Caseworker, "420581200"),
    )
    .await
    .unwrap();
    let seen = app
        .client
        .identity_tag(&elsewhere, IdentityNumber::Resident(number.clone()))
        .await
        .unwrap();
    assert_eq!(seen.tag, tag.tag);
    assert!(seen.registered_id.is_empty() && seen.registered_elsewhere);
    assert!(!again.registered_elsewhere);

    // The same number again, under another id: refused, nothing changed.
    let size = app.log_size().await;
    assert_reason(
        app.submit(
            &caseworker,
            register_person([9; 16], tag.tag.clone(), "420581100001"),
        )
        .await,
        Code::AlreadyExists,
        "DUPLICATE_ID_NUMBER",
    );
    // The same id again with another number.
    let other = app
        .client
        .identity_tag(
            &caseworker,
            IdentityNumber::Resident(resident_id("42058119900202002")),
        )
        .await
        .unwrap();
    assert_reason(
        app.submit(
            &caseworker,
            register_person(registered.id, other.tag.clone(), "420581100001"),
        )
        .await,
        Code::AlreadyExists,
        "ALREADY_REGISTERED",
    );
    // Outside the caseworker's township, and in an area nobody registered.
    assert_reason(
        app.submit(
            &caseworker,
            register_person([8; 16], other.tag.clone(), "420581200001"),
        )
        .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert_reason(
        app.submit(
            &admin,
            register_person([8; 16], other.tag.clone(), "420581300001"),
        )
        .await,
        Code::NotFound,
        "UNKNOWN_AREA",
    );
    // A tag that is not 32 bytes.
    assert_reason(
        app.submit(
            &admin,
            register_person([8; 16], vec![1; 31], "420581100001"),
        )
        .await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    assert_eq!(app.log_size().await, size, "no refusal changed the log");

    // The bureau admin may register anywhere; the rule holds for them too.
    app.submit(
        &admin,
        register_person([8; 16], other.tag.clone(), "420581200001"),
    )
    .await
    .unwrap();
    assert_reason(
        app.submit(
            &admin,
            register_person([7; 16], tag.tag.clone(), "420581200001"),
        )
        .await,
        Code::AlreadyExists,
        "DUPLICATE_ID_NUMBER",
    );

    // Kept on replay: after a restart the duplicate is still refused, the tag still names
    // the person, and the whole log verifies.
    app.restart().await;
    assert_reason(
        app.submit(
            &admin,
            register_person([6; 16], tag.tag.clone(), "420581100001"),
        )
        .await,
        Code::AlreadyExists,
        "DUPLICATE_ID_NUMBER",
    );
    let after = app
        .client
        .identity_tag(&admin, IdentityNumber::Resident(number.clone()))
        .await
        .unwrap();
    assert_eq!(after.tag, tag.tag, "the identity key outlives a restart");
    assert_eq!(after.registered_id, registered.id.to_vec());
    verify_whole_log(&mut app).await;

    // No identity number is in any stored entry.
    let size = app.log_size().await;
    let entries = app.client.log_entries(&admin, 0, size).await.unwrap();
    let numbers = [number.clone(), resident_id("42058119900202002")];
    for entry in &entries {
        let bytes = prost::Message::encode_to_vec(entry);
        for number in &numbers {
            for spelling in [number.clone(), number[..17].to_owned()] {
                assert!(
                    !bytes
                        .windows(spelling.len())
                        .any(|w| w == spelling.as_bytes()),
                    "an identity number is in the log"
                );
            }
        }
    }
}

#[tokio::test]
async fn malformed_numbers_and_keys_that_may_not_ask_are_refused() {
    let (mut app, caseworker) = programs_ledger().await;
    let mut wrong_check = resident_id("42058119800101001").into_bytes();
    wrong_check[17] = if wrong_check[17] == b'0' { b'1' } else { b'0' };
    for (number, found) in [
        (String::from_utf8(wrong_check).unwrap(), "does not match"),
        ("4205811980010100".into(), "16 characters"),
        (resident_id("42058119801301001"), "digits 7-14"),
        ("42058119800101001A".into(), "does not match"),
    ] {
        let refused = app
            .client
            .identity_tag(&caseworker, IdentityNumber::Resident(number.clone()))
            .await;
        assert_refused(refused, Code::InvalidArgument, found);
        let refused = app
            .client
            .identity_tag(&caseworker, IdentityNumber::Resident(number.clone()))
            .await
            .unwrap_err();
        assert_eq!(
            shanzhi::api::reason_of(&refused).as_deref(),
            Some("MALFORMED_ID_NUMBER")
        );
        assert!(
            !refused.message().contains(&number),
            "the refusal repeats the number: {}",
            refused.message()
        );
    }
    for code in ["91350100M000100Y44", "91350100M00O100Y43", "9135"] {
        assert_reason(
            app.client
                .identity_tag(&caseworker, IdentityNumber::Credit(code.into()))
                .await,
            Code::InvalidArgument,
            "MALFORMED_CREDIT_CODE",
        );
    }
    // A village officer may neither ask for a tag nor register a person.
    let village = app.village("v1").await;
    assert_reason(
        app.client
            .identity_tag(
                &village.officer,
                IdentityNumber::Resident(resident_id("42058119800101001")),
            )
            .await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    let tag = app
        .client
        .identity_tag(
            &caseworker,
            IdentityNumber::Resident(resident_id("42058119800101001")),
        )
        .await
        .unwrap();
    assert_reason(
        app.submit(
            &village.officer,
            register_person([1; 16], tag.tag, "420581100001"),
        )
        .await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    // A caseworker key for an area nobody registered.
    let admin = app.admin.clone();
    assert_reason(
        app.submit(
            &admin,
            register_key(&Signer::generate(), pb::Role::Caseworker, "420581900"),
        )
        .await,
        Code::NotFound,
        "UNKNOWN_AREA",
    );
}

#[tokio::test]
async fn one_organization_per_credit_code() {
    let (mut app, caseworker) = programs_ledger().await;
    let registered = app
        .client
        .register_subject(
            &caseworker,
            IdentityNumber::Credit(CREDIT_CODE.to_lowercase()),
            "420581100",
        )
        .await
        .unwrap();
    let tag = app
        .client
        .identity_tag(&caseworker, IdentityNumber::Credit(CREDIT_CODE.into()))
        .await
        .unwrap();
    assert_eq!(tag.registered_id, registered.id.to_vec());
    assert_eq!(tag.birth_date, 0);
    let size = app.log_size().await;
    assert_reason(
        app.submit(
            &caseworker,
            register_organization([5; 16], tag.tag.clone(), "420581100"),
        )
        .await,
        Code::AlreadyExists,
        "DUPLICATE_CREDIT_CODE",
    );
    assert_eq!(app.log_size().await, size);
}

#[tokio::test]
async fn a_restore_of_a_log_with_persons_needs_the_identity_key_and_keeps_their_tags() {
    let (mut app, caseworker) = programs_ledger().await;
    let number = resident_id("42058119800101001");
    let registered = person_in_village(&mut app, &caseworker, &number).await;
    covering_size(&mut app).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ledger.shanzhi-backup");
    let admin = app.admin.clone();
    shanzhi::backup::backup(&mut app.client, &admin, &file, None)
        .await
        .unwrap();
    let log_key = app.data.path().join("keys/log.key");
    let identity_key = app.data.path().join("directory/identity.key");

    // Without the identity key: refused, and nothing is left.
    let target = dir.path().join("restored");
    let why = shanzhi::backup::restore(&file, &target, &log_key, None, None)
        .unwrap_err()
        .to_string();
    assert!(
        why.contains("registers 1 persons") && why.contains("--identity-key"),
        "{why}"
    );
    assert!(!target.exists());

    // With it: the restored directory makes the same tags, so the person is found and a
    // second registration of the number is refused there too.
    shanzhi::backup::restore(&file, &target, &log_key, None, Some(&identity_key)).unwrap();
    let mut config = shanzhi::config::ServerConfig::new(target.clone());
    config.listen = "127.0.0.1:0".parse().unwrap();
    let server = shanzhi::server::start(config).await.unwrap();
    let mut client =
        shanzhi::client::LedgerClient::connect(&format!("http://{}", server.local_addr))
            .await
            .unwrap();
    let tag = client
        .identity_tag(&admin, IdentityNumber::Resident(number))
        .await
        .unwrap();
    assert_eq!(tag.registered_id, registered.id.to_vec());
    let body = client.body(register_person([4; 16], tag.tag, "420581100001"), 60_000);
    assert_reason(
        client.submit_body(&admin, &body).await,
        Code::AlreadyExists,
        "DUPLICATE_ID_NUMBER",
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_new_directory_for_a_log_with_persons_needs_its_identity_key() {
    let (mut app, caseworker) = programs_ledger().await;
    let number = resident_id("42058119800101001");
    let registered = person_in_village(&mut app, &caseworker, &number).await;
    app.server.take().unwrap().stop().await.unwrap();
    let kept = tempfile::tempdir().unwrap();
    let key_copy = kept.path().join("identity.key");
    let directory = app.data.path().join("directory");
    std::fs::copy(directory.join("identity.key"), &key_copy).unwrap();
    // The directory is lost; a new one without the key is refused, and makes nothing.
    std::fs::remove_dir_all(&directory).unwrap();
    let why = shanzhi::genesis::init_directory(app.data.path(), None)
        .unwrap_err()
        .to_string();
    assert!(
        why.contains("registers 1 persons") && why.contains("--identity-key"),
        "{why}"
    );
    assert!(!directory.exists());
    // With the kept key, the tags are the same: the person is found, and not registered again.
    shanzhi::genesis::init_directory(app.data.path(), Some(&key_copy)).unwrap();
    let (server, url) = crate::helpers::start(&app.data, &app.clock).await;
    let mut client = shanzhi::client::LedgerClient::connect(&url).await.unwrap();
    let admin = app.admin.clone();
    let tag = client
        .identity_tag(&admin, IdentityNumber::Resident(number))
        .await
        .unwrap();
    assert_eq!(tag.registered_id, registered.id.to_vec());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_restore_with_another_identity_key_is_refused_by_the_persons_records() {
    let (mut app, caseworker) = programs_ledger().await;
    let number = resident_id("42058119800101001");
    let registered = person_in_village(&mut app, &caseworker, &number).await;
    app.client
        .change_subject(
            &caseworker,
            shanzhi::client::person_subject(&registered.id),
            Some(0),
            shanzhi::pb::directory::change_body::Change::SetPerson(
                shanzhi::pb::directory::SetPerson {
                    name: "李四".into(),
                    resident_id_number: number,
                    phone: String::new(),
                    hukou_area: "420581100001".into(),
                    residence_area: "420581100001".into(),
                },
            ),
            "registration",
        )
        .await
        .unwrap();
    covering_size(&mut app).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ledger.shanzhi-backup");
    let personal = dir.path().join("ledger.shanzhi-backup.personal-data");
    let admin = app.admin.clone();
    shanzhi::backup::backup(&mut app.client, &admin, &file, Some(&personal))
        .await
        .unwrap();
    let log_key = app.data.path().join("keys/log.key");
    // Another ledger's identity key.
    let (stranger, _) = programs_ledger().await;
    let wrong = stranger.data.path().join("directory/identity.key");
    let target = dir.path().join("restored");
    let why = shanzhi::backup::restore(&file, &target, &log_key, Some(&personal), Some(&wrong))
        .unwrap_err()
        .to_string();
    assert!(why.contains("not the one the tags were made with"), "{why}");
    assert!(!target.exists(), "a refused restore leaves nothing");
    let right = app.data.path().join("directory/identity.key");
    shanzhi::backup::restore(&file, &target, &log_key, Some(&personal), Some(&right)).unwrap();
}
