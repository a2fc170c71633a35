//! Social assistance's own rules through the real server: the 告知承诺 fast track (a
//! commitment opens a verification task, listed once due and until it is made), monitoring
//! alerts (each listed until resolved, with the case it led to), and care agreements for
//! dispersed 特困 persons (at least one caregiver, a visit cadence, visits listed when due);
//! every refusal with its code and reason and nothing logged.

use shanzhi::client::{
    Signer, complete_verification, raise_alert, record_commitment, record_visit, resolve_alert,
    sign_care_agreement,
};
use shanzhi::pb::assistance as apb;
use shanzhi::pb::points as pb;
use shanzhi::testkit::register_key;
use tonic::Code;

use crate::casework::{open, reviewers, to, to_notice};
use crate::helpers::*;
use crate::subjects::{person_with_record, programs_ledger, resident_id};

async fn tasks(app: &mut TestApp, signer: &Signer, kind: apb::TaskKind) -> Vec<Vec<u8>> {
    let page = app
        .client
        .assistance_tasks(
            signer,
            apb::ListTasksRequest {
                kind: kind.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    page.tasks.into_iter().map(|t| t.id).collect()
}

/// A caseworker of the other township.
async fn elsewhere(app: &mut TestApp) -> Signer {
    let signer = Signer::generate();
    let admin = app.admin.clone();
    app.submit(
        &admin,
        register_key(&signer, pb::Role::Caseworker, "420581200"),
    )
    .await
    .unwrap();
    signer
}

#[tokio::test]
async fn a_commitment_opens_a_verification_listed_once_due_until_it_is_made() {
    let (mut app, caseworker) = programs_ledger().await;
    let other = elsewhere(&mut app).await;
    let person = person_with_record(&mut app, &caseworker, &resident_id("42058119800101001"))
        .await
        .id;
    let case = [1; 16];
    app.submit(&caseworker, open(case, person, "dibao/2"))
        .await
        .unwrap();
    let village = app.village("v1").await;
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &caseworker,
            record_commitment(case, 0),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &caseworker,
            record_commitment(case, 61),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &other,
            record_commitment(case, 14),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &village.officer,
            record_commitment(case, 14),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &caseworker,
            record_commitment([9; 16], 14),
            Code::NotFound,
            "UNKNOWN_CASE",
        ),
        (
            &caseworker,
            complete_verification(case, true, "x"),
            Code::FailedPrecondition,
            "NO_COMMITMENT",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(app.log_size().await, size, "refusals are not logged");
    app.submit(&caseworker, record_commitment(case, 14))
        .await
        .unwrap();
    assert_reason(
        app.submit(&caseworker, record_commitment(case, 14)).await,
        Code::FailedPrecondition,
        "ALREADY_COMMITTED",
    );
    use apb::TaskKind::VerificationsDue;
    assert!(
        tasks(&mut app, &caseworker, VerificationsDue)
            .await
            .is_empty()
    );
    app.advance_days(14);
    assert_eq!(
        tasks(&mut app, &caseworker, VerificationsDue).await,
        [case.to_vec()]
    );
    assert!(tasks(&mut app, &other, VerificationsDue).await.is_empty());
    app.submit(
        &caseworker,
        complete_verification(case, false, "income from a shop not declared"),
    )
    .await
    .unwrap();
    assert!(
        tasks(&mut app, &caseworker, VerificationsDue)
            .await
            .is_empty()
    );
    assert_reason(
        app.submit(&caseworker, complete_verification(case, true, "again"))
            .await,
        Code::FailedPrecondition,
        "ALREADY_VERIFIED",
    );
    // A temporary-aid case rejected: decided, so no commitment on it.
    let aid = [2; 16];
    app.submit(&caseworker, open(aid, person, "temporary-aid/1"))
        .await
        .unwrap();
    let (township, _, _) = reviewers(&mut app).await;
    app.submit(&caseworker, to(aid, "investigating"))
        .await
        .unwrap();
    app.submit(&township, to(aid, "rejected")).await.unwrap();
    assert_reason(
        app.submit(&caseworker, record_commitment(aid, 14)).await,
        Code::FailedPrecondition,
        "NOT_OPEN_ASSISTANCE_CASE",
    );
    verify_whole_log(&mut app).await;
}

#[tokio::test]
async fn an_alert_is_listed_until_it_is_resolved_with_the_case_it_led_to() {
    let (mut app, caseworker) = programs_ledger().await;
    let other = elsewhere(&mut app).await;
    let person = person_with_record(&mut app, &caseworker, &resident_id("42058119800101001"))
        .await
        .id;
    let neighbour = person_with_record(&mut app, &caseworker, &resident_id("42058119900202002"))
        .await
        .id;
    let alert = [5; 16];
    let raise = |kind: &str| raise_alert(alert, person, kind, "420581100001");
    for (signer, op, code, reason) in [
        (
            &caseworker,
            raise("lottery"),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &caseworker,
            raise_alert(alert, [9; 16], "disability", "420581100001"),
            Code::NotFound,
            "UNKNOWN_PERSON",
        ),
        (
            &other,
            raise("disability"),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    app.submit(&caseworker, raise("medical-expense"))
        .await
        .unwrap();
    assert_reason(
        app.submit(&caseworker, raise("medical-expense")).await,
        Code::AlreadyExists,
        "ALREADY_REGISTERED",
    );
    use apb::TaskKind::OpenAlerts;
    assert_eq!(
        tasks(&mut app, &caseworker, OpenAlerts).await,
        [alert.to_vec()]
    );
    assert!(tasks(&mut app, &other, OpenAlerts).await.is_empty());
    // Resolved with a temporary-aid case opened for the person, not for another.
    let (theirs, wrong) = ([1; 16], [2; 16]);
    app.submit(&caseworker, open(theirs, person, "temporary-aid/1"))
        .await
        .unwrap();
    app.submit(&caseworker, open(wrong, neighbour, "temporary-aid/1"))
        .await
        .unwrap();
    assert_reason(
        app.submit(&caseworker, resolve_alert(alert, Some(wrong), "aid opened"))
            .await,
        Code::FailedPrecondition,
        "CASE_OF_ANOTHER_PERSON",
    );
    // Nor with a case the caseworker does not act on (a children's case): refused for the
    // program before anything of the case is compared.
    let child = person_with_record(&mut app, &caseworker, &resident_id("42058120150101005"))
        .await
        .id;
    let director = Signer::generate();
    let admin = app.admin.clone();
    app.submit(
        &admin,
        register_key(&director, pb::Role::ChildDirector, "420581100001"),
    )
    .await
    .unwrap();
    let child_case = [3; 16];
    app.submit(
        &director,
        shanzhi::client::open_case(child_case, "child-protection/1", child, "420581100001"),
    )
    .await
    .unwrap();
    assert_reason(
        app.submit(
            &caseworker,
            resolve_alert(alert, Some(child_case), "aid opened"),
        )
        .await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    assert_reason(
        app.submit(&other, resolve_alert(alert, None, "x")).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    app.submit(
        &caseworker,
        resolve_alert(alert, Some(theirs), "aid opened"),
    )
    .await
    .unwrap();
    assert!(tasks(&mut app, &caseworker, OpenAlerts).await.is_empty());
    for (op, code, reason) in [
        (
            resolve_alert(alert, None, "again"),
            Code::FailedPrecondition,
            "ALERT_RESOLVED",
        ),
        (
            resolve_alert([9; 16], None, "x"),
            Code::NotFound,
            "UNKNOWN_ALERT",
        ),
    ] {
        assert_reason(app.submit(&caseworker, op).await, code, reason);
    }
    // A list needs its kind.
    assert_reason(
        app.client
            .assistance_tasks(&caseworker, apb::ListTasksRequest::default())
            .await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
}

#[tokio::test]
async fn a_dispersed_tekun_person_has_a_caregiver_and_visits_due_by_their_cadence() {
    let (mut app, caseworker) = programs_ledger().await;
    let (township, county, _) = reviewers(&mut app).await;
    let person = person_with_record(&mut app, &caseworker, &resident_id("42058119400101001"))
        .await
        .id;
    let caregiver = person_with_record(&mut app, &caseworker, &resident_id("42058119700303003"))
        .await
        .id;
    let (tekun, dibao) = ([1; 16], [2; 16]);
    for (case, case_type) in [(tekun, "tekun/1"), (dibao, "dibao/2")] {
        app.submit(&caseworker, open(case, person, case_type))
            .await
            .unwrap();
        to_notice(&mut app, &caseworker, &township, case).await;
    }
    app.advance_days(7);
    for case in [tekun, dibao] {
        app.submit(&county, to(case, "confirmed")).await.unwrap();
    }
    let agreement = [7; 16];
    let size = app.log_size().await;
    for (op, code, reason) in [
        (
            sign_care_agreement(agreement, dibao, &[caregiver], 30),
            Code::FailedPrecondition,
            "NOT_GRANTED_TEKUN_CASE",
        ),
        (
            sign_care_agreement(agreement, tekun, &[], 30),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            sign_care_agreement(agreement, tekun, &[caregiver, caregiver], 30),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            sign_care_agreement(agreement, tekun, &[person], 30),
            Code::InvalidArgument,
            "CAREGIVER_IS_CARED",
        ),
        (
            sign_care_agreement(agreement, tekun, &[[9; 16]], 30),
            Code::NotFound,
            "UNKNOWN_PERSON",
        ),
        (
            sign_care_agreement(agreement, tekun, &[caregiver], 0),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            record_visit(agreement, "x"),
            Code::NotFound,
            "UNKNOWN_AGREEMENT",
        ),
    ] {
        assert_reason(app.submit(&caseworker, op).await, code, reason);
    }
    assert_eq!(app.log_size().await, size, "refusals are not logged");
    app.submit(
        &caseworker,
        sign_care_agreement(agreement, tekun, &[caregiver], 30),
    )
    .await
    .unwrap();
    assert_reason(
        app.submit(
            &caseworker,
            sign_care_agreement([8; 16], tekun, &[caregiver], 30),
        )
        .await,
        Code::FailedPrecondition,
        "AGREEMENT_EXISTS",
    );
    use apb::TaskKind::VisitsDue;
    assert!(tasks(&mut app, &caseworker, VisitsDue).await.is_empty());
    app.advance_days(30);
    assert_eq!(
        tasks(&mut app, &township, VisitsDue).await,
        [agreement.to_vec()]
    );
    app.submit(&caseworker, record_visit(agreement, "well, house warm"))
        .await
        .unwrap();
    assert!(tasks(&mut app, &caseworker, VisitsDue).await.is_empty());
    let read = app
        .client
        .care_agreement(&township, agreement)
        .await
        .unwrap();
    assert_eq!(read.caregiver_ids, [caregiver.to_vec()]);
    assert_eq!(read.visits.len(), 1);
    assert_eq!(read.visits[0].note, "well, house warm");
    assert_eq!(
        read.visit_due_unix_ms,
        read.visits[0].at_unix_ms + 30 * 86_400_000
    );
    // The agreement follows its case: once the 特困 case ends at a review, no visit is due
    // and none is recorded.
    app.submit(&caseworker, to(tekun, "reviewing"))
        .await
        .unwrap();
    app.submit(&township, to(tekun, "ended")).await.unwrap();
    app.advance_days(31);
    assert!(tasks(&mut app, &township, VisitsDue).await.is_empty());
    let size = app.log_size().await;
    assert_reason(
        app.submit(&caseworker, record_visit(agreement, "after the end"))
            .await,
        Code::FailedPrecondition,
        "NOT_GRANTED_TEKUN_CASE",
    );
    assert_eq!(app.log_size().await, size);
    let village = app.village("v1").await;
    assert_reason(
        app.client.care_agreement(&village.officer, agreement).await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    verify_whole_log(&mut app).await;
}
