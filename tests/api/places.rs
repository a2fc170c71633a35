//! Place names through the real server: a place named only by an approved application, never
//! with a name another place holds in an overlapping scope, renamed with its former names
//! kept; door numbers once per approved road, free again when an address is retired;
//! boundary inspections between two areas of one level; every refusal with its code and
//! reason and nothing logged; and `shanzhi verify` replaying it all.

use shanzhi::client::{
    Signer, apply_for_name, assign_address, decide_name_application, record_boundary_inspection,
    retire_address,
};
use shanzhi::ledger::CivilDate;
use shanzhi::pb::places as lpb;
use tonic::Code;

use crate::helpers::*;
use crate::subjects::programs_ledger;

const ANNOUNCEMENT: [u8; 32] = [5; 32];

fn application(id: u8, kind: &str, name: &str, area: &str) -> lpb::ApplyForName {
    lpb::ApplyForName {
        application_id: vec![id; 16],
        place_id: Vec::new(),
        kind: kind.into(),
        name: name.into(),
        pinyin: "Qingjiang Lu".into(),
        meaning: "along the Qing river".into(),
        location: "from the bridge to the station".into(),
        area_code: area.into(),
    }
}

fn rename(id: u8, place: u8, name: &str) -> lpb::ApplyForName {
    lpb::ApplyForName {
        place_id: vec![place; 16],
        kind: String::new(),
        area_code: String::new(),
        ..application(id, "", name, "")
    }
}

/// The programs' ledger with a places officer of the first township and one of the second.
async fn places_ledger() -> (TestApp, Signer, Signer) {
    let (app, _caseworker) = programs_ledger().await;
    let (officer, elsewhere) = township_officers(&app, "places").await;
    (app, officer, elsewhere)
}

#[tokio::test]
async fn a_name_is_given_only_by_approval_and_never_twice_in_an_overlapping_scope() {
    let (mut app, officer, elsewhere) = places_ledger().await;
    let admin = app.admin.clone();
    let approve = |id: u8| decide_name_application([id; 16], Some(ANNOUNCEMENT), "名称规范");
    // 清江路 in the first township, approved.
    app.submit(
        &officer,
        apply_for_name(application(1, "road", "清江路", "420581100")),
    )
    .await
    .unwrap();
    assert_reason(
        app.client.place(&officer, [1; 16]).await,
        Code::NotFound,
        "UNKNOWN_PLACE",
    );
    app.submit(&admin, approve(1)).await.unwrap();
    // The same name in the second township: no overlap, so allowed; in the first township's
    // village, or for the whole city, it overlaps.
    app.submit(
        &elsewhere,
        apply_for_name(application(2, "road", "清江路", "420581200")),
    )
    .await
    .unwrap();
    app.submit(&admin, approve(2)).await.unwrap();
    let size = app.log_size().await;
    let mut empty_pinyin = application(9, "road", "新路", "420581100");
    empty_pinyin.pinyin = String::new();
    let mut no_meaning = application(9, "road", "新路", "420581100");
    no_meaning.meaning = String::new();
    for (signer, op, code, reason) in [
        (
            &officer,
            apply_for_name(application(3, "road", "清江路", "420581100001")),
            Code::AlreadyExists,
            "NAME_TAKEN",
        ),
        (
            &admin,
            apply_for_name(application(3, "bridge", "清江路", "420581")),
            Code::AlreadyExists,
            "NAME_TAKEN",
        ),
        (
            &officer,
            apply_for_name(application(1, "road", "另一路", "420581100")),
            Code::AlreadyExists,
            "ALREADY_REGISTERED",
        ),
        (
            &elsewhere,
            apply_for_name(application(3, "road", "新路", "420581100")),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &officer,
            apply_for_name(application(3, "river", "新河", "420581100")),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &officer,
            apply_for_name(empty_pinyin),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &officer,
            apply_for_name(no_meaning),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &officer,
            apply_for_name(rename(3, 1, "清江路")),
            Code::FailedPrecondition,
            "NAME_UNCHANGED",
        ),
        (
            &officer,
            apply_for_name(rename(3, 7, "新路")),
            Code::NotFound,
            "UNKNOWN_PLACE",
        ),
        (
            &officer,
            approve(1),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &admin,
            approve(1),
            Code::FailedPrecondition,
            "APPLICATION_DECIDED",
        ),
        (&admin, approve(8), Code::NotFound, "UNKNOWN_APPLICATION"),
        (
            &admin,
            decide_name_application([1; 16], Some(ANNOUNCEMENT), ""),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(app.log_size().await, size, "refused names are not logged");

    // Two pending applications for one name: the second approval is refused.
    app.submit(
        &officer,
        apply_for_name(application(4, "street", "桂花街", "420581100")),
    )
    .await
    .unwrap();
    app.submit(
        &officer,
        apply_for_name(application(5, "square", "桂花街", "420581100001")),
    )
    .await
    .unwrap();
    app.submit(&admin, approve(4)).await.unwrap();
    assert_reason(
        app.submit(&admin, approve(5)).await,
        Code::AlreadyExists,
        "NAME_TAKEN",
    );
    app.submit(&admin, decide_name_application([5; 16], None, "重名"))
        .await
        .unwrap();
    let rejected = app
        .client
        .name_application(&officer, [5; 16])
        .await
        .unwrap();
    assert_eq!(rejected.state, "rejected");

    // Renamed: the old name is history, and free for another place.
    app.submit(&officer, apply_for_name(rename(6, 1, "清江大道")))
        .await
        .unwrap();
    app.submit(&admin, approve(6)).await.unwrap();
    let place = app.client.place(&officer, [1; 16]).await.unwrap();
    assert_eq!(place.name, "清江大道");
    assert_eq!(place.kind, "road");
    assert_eq!(place.former_names.len(), 1);
    assert_eq!(place.former_names[0].name, "清江路");
    assert_eq!(place.announcement_sha256, ANNOUNCEMENT.to_vec());
    app.submit(
        &officer,
        apply_for_name(application(7, "bridge", "清江路", "420581100")),
    )
    .await
    .unwrap();
    // A rename to a name taken in an overlapping scope, or a look-alike spelling, is refused.
    assert_reason(
        app.submit(&officer, apply_for_name(rename(8, 1, "桂花街")))
            .await,
        Code::AlreadyExists,
        "NAME_TAKEN",
    );
    for look_alike in ["清江大道 ", "清江\u{200B}大道", "清江大道１"] {
        assert_reason(
            app.submit(
                &officer,
                apply_for_name(application(8, "road", look_alike, "420581100")),
            )
            .await,
            Code::InvalidArgument,
            "INVALID_FIELD",
        );
    }
    assert_eq!(verify_whole_log(&mut app).await, app.log_size().await);
}

#[tokio::test]
async fn a_door_number_is_used_once_per_road_and_boundaries_are_inspected() {
    let (mut app, officer, elsewhere) = places_ledger().await;
    let admin = app.admin.clone();
    for (id, kind, name) in [(1, "road", "清江路"), (2, "bridge", "清江桥")] {
        app.submit(
            &officer,
            apply_for_name(application(id, kind, name, "420581100")),
        )
        .await
        .unwrap();
        app.submit(
            &admin,
            decide_name_application([id; 16], Some(ANNOUNCEMENT), "名称规范"),
        )
        .await
        .unwrap();
    }
    app.submit(
        &officer,
        apply_for_name(application(3, "road", "未批路", "420581100")),
    )
    .await
    .unwrap();
    app.submit(
        &officer,
        assign_address([10; 16], [1; 16], "18", "420581100001"),
    )
    .await
    .unwrap();
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &officer,
            assign_address([11; 16], [1; 16], "18", "420581100001"),
            Code::AlreadyExists,
            "DOOR_NUMBER_TAKEN",
        ),
        (
            &officer,
            assign_address([11; 16], [2; 16], "1", "420581100001"),
            Code::FailedPrecondition,
            "NOT_A_ROAD",
        ),
        (
            &officer,
            assign_address([11; 16], [3; 16], "1", "420581100001"),
            Code::NotFound,
            "UNKNOWN_PLACE",
        ),
        (
            &officer,
            assign_address([10; 16], [1; 16], "20", "420581100001"),
            Code::AlreadyExists,
            "ALREADY_REGISTERED",
        ),
        (
            &officer,
            assign_address([11; 16], [1; 16], "18 号", "420581100001"),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &elsewhere,
            assign_address([11; 16], [1; 16], "20", "420581200001"),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &elsewhere,
            assign_address([11; 16], [1; 16], "20", "420581100001"),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &officer,
            retire_address([12; 16], "拆除"),
            Code::NotFound,
            "UNKNOWN_ADDRESS",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(
        app.log_size().await,
        size,
        "refused addresses are not logged"
    );
    // Retired, the number is free again; a retired address stays retired.
    app.submit(&officer, retire_address([10; 16], "拆除"))
        .await
        .unwrap();
    assert_reason(
        app.submit(&officer, retire_address([10; 16], "拆除")).await,
        Code::FailedPrecondition,
        "ADDRESS_RETIRED",
    );
    app.submit(
        &officer,
        assign_address([11; 16], [1; 16], "18", "420581100001"),
    )
    .await
    .unwrap();
    let road = app.client.place(&elsewhere, [1; 16]).await.unwrap();
    let doors: Vec<(&str, bool)> = road
        .addresses
        .iter()
        .map(|a| (a.door_number.as_str(), a.retired_reason.is_empty()))
        .collect();
    assert_eq!(doors, [("18", true)], "a retired address leaves the road");

    // Boundary inspections: two areas of one level, by an officer covering either.
    let today = CivilDate::of(shanzhi::ledger::UnixMs(shanzhi::writer::now_unix_ms())).days();
    let inspect = |id: u8, a: &str, b: &str, on: u32, outcome: &str| {
        record_boundary_inspection(lpb::RecordBoundaryInspection {
            inspection_id: vec![id; 16],
            area_code: a.into(),
            other_area_code: b.into(),
            inspected_on: on,
            outcome: outcome.into(),
            note: "界桩 3 号".into(),
        })
    };
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &officer,
            inspect(1, "420581100", "420581200001", today, "intact"),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &officer,
            inspect(1, "420581100", "420581100", today, "intact"),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &officer,
            inspect(1, "420581100", "420581200", today, "lost"),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &officer,
            inspect(1, "420581100", "420581200", today + 2, "intact"),
            Code::FailedPrecondition,
            "DATE_OUT_OF_RANGE",
        ),
        (
            &officer,
            inspect(1, "420581100", "420581300", today, "intact"),
            Code::NotFound,
            "UNKNOWN_AREA",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(app.log_size().await, size);
    app.submit(
        &officer,
        inspect(1, "420581100", "420581200", today, "damaged"),
    )
    .await
    .unwrap();
    app.submit(
        &elsewhere,
        inspect(2, "420581200", "420581100", today, "intact"),
    )
    .await
    .unwrap();
    let boundary = app
        .client
        .boundary(&officer, "420581200", "420581100")
        .await
        .unwrap();
    let outcomes: Vec<&str> = boundary
        .inspections
        .iter()
        .map(|i| i.outcome.as_str())
        .collect();
    assert_eq!(outcomes, ["damaged", "intact"]);
    assert_eq!(verify_whole_log(&mut app).await, app.log_size().await);
}
