//! `DirectoryService.ExportRecords` through the real server: the bureau admin pages through
//! every record; every other key, an unknown key and an oversized cursor are refused with
//! their code and reason.

use shanzhi::client::{Signer, household_subject};
use shanzhi::pb::directory as dpb;
use shanzhi::testkit::register_key;
use tonic::Code;

use crate::helpers::*;

#[tokio::test]
async fn only_the_bureau_admin_exports_the_directory() {
    let mut app = TestApp::spawn().await;
    let village = app.village("v1").await;
    let home = app.household(&village, "h1").await;
    let body = dpb::ChangeBody {
        subject: Some(household_subject("h1")),
        revision: 0,
        change: Some(dpb::change_body::Change::SetName(dpb::SetName {
            display_name: "张建国户".into(),
        })),
        reason: "registration".into(),
    };
    let signed = village.officer.sign_change(&app.client.ledger_id, &body);
    app.client.change_record(signed.clone()).await.unwrap();

    let admin = app.admin.clone();
    let page = app.client.export_records(&admin, Vec::new()).await.unwrap();
    assert!(page.next_cursor.is_empty());
    assert_eq!(page.records.len(), 1);
    let exported = &page.records[0];
    let record = exported.record.as_ref().unwrap();
    assert_eq!(record.display_name, "张建国户");
    assert_eq!(record.revision, 1);
    assert_eq!(
        exported.change_hash,
        shanzhi::crypto::sha256(&signed.body).to_vec()
    );

    let auditor = Signer::generate();
    app.submit(
        &admin,
        register_key(&auditor, shanzhi::pb::points::Role::Auditor, ""),
    )
    .await
    .unwrap();
    for reader in [&auditor, &village.officer, &home.resident] {
        assert_reason(
            app.client.export_records(reader, Vec::new()).await,
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        );
    }
    assert_reason(
        app.client
            .export_records(&Signer::generate(), Vec::new())
            .await,
        Code::Unauthenticated,
        "UNKNOWN_KEY",
    );
    assert_reason(
        app.client
            .export_records(&admin, vec![b'h'; shanzhi::directory::MAX_CURSOR_BYTES + 1])
            .await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    // A cursor past every record: an empty last page.
    let past = app.client.export_records(&admin, vec![0xff]).await.unwrap();
    assert!(past.records.is_empty() && past.next_cursor.is_empty());
}
