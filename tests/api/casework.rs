//! The casework engine through the real server: a 低保 case opened for a registered person
//! and moved by the table's actors, and each refusal with its code and reason and nothing
//! changed: a transition not in the table, a reviewer of the wrong tier, one outside the
//! case's area, a notice not yet run, an unknown case type.

use shanzhi::client::Signer;
use shanzhi::pb::casework as cw;
use shanzhi::pb::points as pb;
use shanzhi::testkit::register_key;
use tonic::Code;

use crate::helpers::*;
use crate::subjects::{person_in_village, programs_ledger, resident_id};

fn casework(operation: cw::casework_operation::Operation) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Casework(cw::CaseworkOperation {
        operation: Some(operation),
    })
}

fn open(case: [u8; 16], person: [u8; 16], case_type: &str) -> pb::transaction_body::Operation {
    casework(cw::casework_operation::Operation::OpenCase(cw::OpenCase {
        case_id: case.to_vec(),
        case_type: case_type.into(),
        person_id: person.to_vec(),
        area_code: "420581100001".into(),
    }))
}

fn to(case: [u8; 16], state: &str) -> pb::transaction_body::Operation {
    casework(cw::casework_operation::Operation::TransitionCase(
        cw::TransitionCase {
            case_id: case.to_vec(),
            to_state: state.into(),
            reason: "household visited".into(),
        },
    ))
}

#[tokio::test]
async fn a_dibao_case_moves_only_as_its_table_allows() {
    let (mut app, caseworker) = programs_ledger().await;
    let person = person_in_village(&mut app, &caseworker, &resident_id("42058119800101001"))
        .await
        .id;
    let admin = app.admin.clone();
    let reviewer = |scope: &'static str| {
        let signer = Signer::generate();
        (signer, scope)
    };
    let (township, county, elsewhere) = (
        reviewer("420581100"),
        reviewer("420581"),
        reviewer("420581200"),
    );
    for (signer, scope) in [&township, &county, &elsewhere] {
        app.submit(&admin, register_key(signer, pb::Role::Reviewer, scope))
            .await
            .unwrap();
    }
    let case = [3; 16];
    assert_reason(
        app.submit(&caseworker, open(case, person, "dibao/7")).await,
        Code::NotFound,
        "UNKNOWN_CASE_TYPE",
    );
    app.submit(&caseworker, open(case, person, "dibao/1"))
        .await
        .unwrap();
    let size = app.log_size().await;
    for (signer, state, code, reason) in [
        (
            &county.0,
            "confirmed",
            Code::FailedPrecondition,
            "TRANSITION_NOT_ALLOWED",
        ),
        (
            &township.0,
            "investigating",
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &admin,
            "investigating",
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
    ] {
        assert_reason(app.submit(signer, to(case, state)).await, code, reason);
    }
    app.submit(&caseworker, to(case, "investigating"))
        .await
        .unwrap();
    let size_after = app.log_size().await;
    assert_eq!(size_after, size + 1, "only the allowed step was logged");
    assert_reason(
        app.submit(&county.0, to(case, "township-reviewed")).await,
        Code::PermissionDenied,
        "TIER_NOT_ALLOWED",
    );
    assert_reason(
        app.submit(&elsewhere.0, to(case, "township-reviewed"))
            .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    app.submit(&township.0, to(case, "township-reviewed"))
        .await
        .unwrap();
    app.submit(&township.0, to(case, "on-notice"))
        .await
        .unwrap();
    assert_reason(
        app.submit(&county.0, to(case, "confirmed")).await,
        Code::FailedPrecondition,
        "STATE_NOT_OVER",
    );
    app.advance_days(7);
    app.submit(&county.0, to(case, "confirmed")).await.unwrap();
    assert_reason(
        app.submit(&caseworker, to([9; 16], "investigating")).await,
        Code::NotFound,
        "UNKNOWN_CASE",
    );
    // The case as the log made it: every step with its signer and reason.
    let read = app.client.case(&township.0, case).await.unwrap();
    assert_eq!(read.case_type, "dibao/1");
    assert_eq!(read.state, "confirmed");
    assert_eq!(read.due_unix_ms, 0);
    let path: Vec<(&str, &str)> = read
        .steps
        .iter()
        .map(|s| (s.from_state.as_str(), s.to_state.as_str()))
        .collect();
    assert_eq!(
        path,
        [
            ("", "submitted"),
            ("submitted", "investigating"),
            ("investigating", "township-reviewed"),
            ("township-reviewed", "on-notice"),
            ("on-notice", "confirmed"),
        ]
    );
    assert_eq!(read.steps[4].by, county.0.key_id().to_string());
    assert_eq!(read.steps[4].reason, "household visited");
    assert_reason(
        app.client.case(&elsewhere.0, case).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    let village = app.village("v1").await;
    for id in [case, [9; 16]] {
        assert_reason(
            app.client.case(&village.officer, id).await,
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        );
    }
    assert_reason(
        app.client.case(&caseworker, [9; 16]).await,
        Code::NotFound,
        "UNKNOWN_CASE",
    );
    verify_whole_log(&mut app).await;
}
