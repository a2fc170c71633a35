//! The shared registry's areas through the real server: registering areas parent first,
//! placing and moving a village, every refusal with its code and reason and nothing changed, reads
//! by any registered key, and a log holding all of it verifying.

use shanzhi::client::Signer;
use shanzhi::pb::registry as registry_pb;
use shanzhi::testkit::{register_area, set_village_area};
use tonic::Code;

use crate::helpers::*;

async fn areas(app: &mut TestApp, reader: &Signer, within: &str) -> Vec<(String, String)> {
    app.client
        .areas(
            reader,
            registry_pb::ListAreasRequest {
                within: within.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .areas
        .into_iter()
        .map(|a| (a.code, a.village_id))
        .collect()
}

#[tokio::test]
async fn areas_are_registered_parent_first_and_villages_placed_and_moved_through_the_api() {
    let mut app = TestApp::spawn().await;
    let village = app.village("yuyangxi").await;
    let admin = app.admin.clone();

    // Refused, nothing applied: a village area before its township.
    let size = app.log_size().await;
    assert_reason(
        app.submit(&admin, register_area("420581101001", "渔洋溪村"))
            .await,
        Code::NotFound,
        "PARENT_AREA_MISSING",
    );
    assert_reason(
        app.submit(&admin, register_area("4205811", "宜都")).await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    assert_eq!(app.log_size().await, size);

    for (code, name) in [
        ("420581", "宜都市"),
        ("420581101", "红花套镇"),
        ("420581101001", "渔洋溪村"),
        ("420581101002", "杨家畈村"),
    ] {
        app.submit(&admin, register_area(code, name)).await.unwrap();
    }
    assert_reason(
        app.submit(&admin, register_area("420581", "宜都市")).await,
        Code::AlreadyExists,
        "ALREADY_REGISTERED",
    );
    // Only the bureau places a village, only in a village area.
    let size = app.log_size().await;
    assert_reason(
        app.submit(
            &village.officer,
            set_village_area("yuyangxi", "420581101001"),
        )
        .await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    assert_reason(
        app.submit(&admin, set_village_area("yuyangxi", "420581101"))
            .await,
        Code::FailedPrecondition,
        "WRONG_AREA_LEVEL",
    );
    assert_reason(
        app.submit(&admin, set_village_area("yuyangxi", "420581101009"))
            .await,
        Code::NotFound,
        "UNKNOWN_AREA",
    );
    assert_eq!(app.log_size().await, size);
    app.submit(&admin, set_village_area("yuyangxi", "420581101001"))
        .await
        .unwrap();
    assert_reason(
        app.submit(&admin, set_village_area("yuyangxi", "420581101001"))
            .await,
        Code::AlreadyExists,
        "VILLAGE_AREA_ALREADY_SET",
    );
    app.village("other").await;
    assert_reason(
        app.submit(&admin, set_village_area("other", "420581101001"))
            .await,
        Code::AlreadyExists,
        "AREA_TAKEN",
    );
    assert_reason(
        app.submit(&admin, register_area("420582", "当阳市")).await,
        Code::AlreadyExists,
        "CITY_ALREADY_REGISTERED",
    );
    // A mistake corrected: the village moves, and frees the area it was in.
    app.submit(&admin, set_village_area("yuyangxi", "420581101002"))
        .await
        .unwrap();
    app.submit(&admin, set_village_area("other", "420581101001"))
        .await
        .unwrap();

    // Any registered key reads the areas, in code order, within a township.
    let listed = areas(&mut app, &village.officer, "420581101").await;
    assert_eq!(
        listed,
        vec![
            ("420581101".to_owned(), String::new()),
            ("420581101001".to_owned(), "other".to_owned()),
            ("420581101002".to_owned(), "yuyangxi".to_owned()),
        ]
    );
    // A page of one, then the rest.
    let first = app
        .client
        .areas(
            &admin,
            registry_pb::ListAreasRequest {
                within: String::new(),
                page_size: 1,
                page_token: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(first.areas.len(), 1);
    assert_eq!(first.next_page_token, "420581");
    // A page token before the range asked for starts at the range.
    let from_start = app
        .client
        .areas(
            &admin,
            registry_pb::ListAreasRequest {
                within: "420581101".into(),
                page_size: 0,
                page_token: "420581".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(from_start.areas.len(), 3);
    assert_eq!(from_start.next_page_token, "");
    // A stranger's key reads nothing.
    let stranger = Signer::generate();
    assert_reason(
        app.client
            .areas(&stranger, registry_pb::ListAreasRequest::default())
            .await,
        Code::Unauthenticated,
        "UNKNOWN_KEY",
    );

    // The log with areas in it verifies.
    let size = app.log_size().await;
    assert_eq!(verify_whole_log(&mut app).await, size);
}
