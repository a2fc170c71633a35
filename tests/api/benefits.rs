//! The programs' benefits through the real server: schemes with versioned parameters in fen,
//! enrollments on confirmed cases (at most one active per person and scheme, never 低保 and
//! 特困 at once), monthly payment batches that pay each month once (and the bank's CSV),
//! overpayments owed back after an enrollment ends and their recovery, and units held by one
//! holder at a time; each refusal with its code and reason and nothing logged.

use shanzhi::client::{
    Signer, allocate_unit, define_scheme, define_unit, end_enrollment, enroll, issue_payment_batch,
    record_recovery, release_unit, set_scheme_parameters,
};
use shanzhi::ledger::Period;
use shanzhi::pb::points as pb;
use shanzhi::testkit::register_key;
use tonic::Code;

use crate::casework::{open, reviewers, to, to_notice};
use crate::helpers::*;
use crate::subjects::{person_with_record, programs_ledger, resident_id};

/// Program officers: assistance for the city, for the first township and for the second;
/// children for the city.
async fn officers(app: &mut TestApp) -> [Signer; 4] {
    let admin = app.admin.clone();
    let signers = [
        Signer::generate(),
        Signer::generate(),
        Signer::generate(),
        Signer::generate(),
    ];
    for (signer, scope) in signers.iter().zip([
        "assistance/420581",
        "assistance/420581100",
        "assistance/420581200",
        "children/420581",
    ]) {
        app.submit(
            &admin,
            register_key(signer, pb::Role::ProgramOfficer, scope),
        )
        .await
        .unwrap();
    }
    signers
}

/// The month of the server's clock.
fn this_month(app: &TestApp) -> Period {
    Period::containing(app.clock.now_unix_ms())
}

/// A case of `case_type` for `person`, opened and taken to confirmed (7 days pass).
async fn confirmed(
    app: &mut TestApp,
    caseworker: &Signer,
    (township, county): (&Signer, &Signer),
    case: [u8; 16],
    person: [u8; 16],
    case_type: &str,
) {
    app.submit(caseworker, open(case, person, case_type))
        .await
        .unwrap();
    to_notice(app, caseworker, township, case).await;
    app.advance_days(7);
    app.submit(county, to(case, "confirmed")).await.unwrap();
}

/// The dibao scheme (on table dibao/2, in `group`) defined by `city`, paying 720 yuan a month
/// from this month; returns that month.
async fn dibao_from_this_month(app: &mut TestApp, city: &Signer, group: &str) -> Period {
    app.submit(
        city,
        define_scheme("dibao", "assistance", &["dibao/2"], group),
    )
    .await
    .unwrap();
    let month = this_month(app);
    app.submit(
        city,
        set_scheme_parameters("dibao", 1, &month.to_string(), 72_000),
    )
    .await
    .unwrap();
    month
}

#[tokio::test]
async fn a_person_is_enrolled_once_per_scheme_and_never_in_dibao_and_tekun_at_once() {
    let (mut app, caseworker) = programs_ledger().await;
    let (township, county, _) = reviewers(&mut app).await;
    let [city, local, elsewhere, children] = officers(&mut app).await;
    let person = person_with_record(&mut app, &caseworker, &resident_id("42058119800101001"))
        .await
        .id;
    let dibao = || define_scheme("dibao", "assistance", &["dibao/2"], "basic-livelihood");
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (&local, dibao(), Code::PermissionDenied, "ROLE_NOT_ALLOWED"),
        (
            &children,
            dibao(),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &city,
            define_scheme("dibao", "assistance", &["dibao/9"], ""),
            Code::NotFound,
            "UNKNOWN_CASE_TYPE",
        ),
        (
            &city,
            define_scheme("dibao", "children", &["dibao/2"], ""),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(app.log_size().await, size, "refused schemes are not logged");
    app.submit(&city, dibao()).await.unwrap();
    assert_reason(
        app.submit(&city, dibao()).await,
        Code::AlreadyExists,
        "ALREADY_REGISTERED",
    );
    app.submit(
        &city,
        define_scheme("tekun", "assistance", &["tekun/1"], "basic-livelihood"),
    )
    .await
    .unwrap();
    let month = this_month(&app);
    assert_reason(
        app.submit(
            &city,
            set_scheme_parameters("dibao", 2, &month.to_string(), 72_000),
        )
        .await,
        Code::FailedPrecondition,
        "SCHEME_VERSION_OUT_OF_ORDER",
    );
    for scheme in ["dibao", "tekun"] {
        app.submit(
            &city,
            set_scheme_parameters(scheme, 1, &month.to_string(), 72_000),
        )
        .await
        .unwrap();
    }
    assert_reason(
        app.submit(
            &city,
            set_scheme_parameters("dibao", 2, &month.to_string(), 75_000),
        )
        .await,
        Code::FailedPrecondition,
        "PARAMETERS_BEHIND",
    );

    // A case that is not confirmed grants nothing.
    let (case, tekun_case) = ([1; 16], [2; 16]);
    app.submit(&caseworker, open(case, person, "dibao/2"))
        .await
        .unwrap();
    let from = this_month(&app).next().to_string();
    let first = [10; 16];
    assert_reason(
        app.submit(&local, enroll(first, "dibao", case, &from, 50_000))
            .await,
        Code::FailedPrecondition,
        "CASE_NOT_GRANTED",
    );
    to_notice(&mut app, &caseworker, &township, case).await;
    app.advance_days(7);
    app.submit(&county, to(case, "confirmed")).await.unwrap();
    let from = this_month(&app).to_string();
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &local,
            enroll(first, "dibao", case, &from, 72_001),
            Code::FailedPrecondition,
            "ABOVE_STANDARD",
        ),
        (
            &local,
            enroll(first, "dibao", case, &from, 0),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &local,
            enroll(first, "dibao", case, &month.previous().to_string(), 50_000),
            Code::FailedPrecondition,
            "BEFORE_APPLICATION",
        ),
        (
            &local,
            enroll(first, "tekun", case, &from, 50_000),
            Code::FailedPrecondition,
            "CASE_NOT_GRANTED",
        ),
        (
            &local,
            enroll(first, "wubao", case, &from, 50_000),
            Code::NotFound,
            "UNKNOWN_SCHEME",
        ),
        (
            &elsewhere,
            enroll(first, "dibao", case, &from, 50_000),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &children,
            enroll(first, "dibao", case, &from, 50_000),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &caseworker,
            enroll(first, "dibao", case, &from, 50_000),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(
        app.log_size().await,
        size,
        "refused enrollments are not logged"
    );
    app.submit(&local, enroll(first, "dibao", case, &from, 50_000))
        .await
        .unwrap();
    // A second active enrollment of the person in the scheme, on the same case.
    assert_reason(
        app.submit(&local, enroll([11; 16], "dibao", case, &from, 40_000))
            .await,
        Code::FailedPrecondition,
        "ALREADY_ENROLLED",
    );
    // 特困 on its own confirmed case, while the person is in 低保: refused.
    confirmed(
        &mut app,
        &caseworker,
        (&township, &county),
        tekun_case,
        person,
        "tekun/1",
    )
    .await;
    let refused = assert_reason(
        app.submit(
            &local,
            enroll(
                [12; 16],
                "tekun",
                tekun_case,
                &this_month(&app).to_string(),
                60_000,
            ),
        )
        .await,
        Code::FailedPrecondition,
        "EXCLUSIVE_SCHEME",
    );
    assert!(refused.message().contains("dibao"), "{}", refused.message());
    let read = app.client.enrollment(&local, first).await.unwrap();
    assert_eq!((read.scheme.as_str(), read.monthly_fen), ("dibao", 50_000));
    assert_eq!(read.person_id, person.to_vec());
    assert!(read.last_period.is_empty());
    for (signer, code, reason) in [
        (&elsewhere, Code::PermissionDenied, "OUT_OF_SCOPE"),
        (&children, Code::PermissionDenied, "OUT_OF_SCOPE"),
    ] {
        assert_reason(app.client.enrollment(signer, first).await, code, reason);
    }
    let village = app.village("v1").await;
    for id in [first, [99; 16]] {
        assert_reason(
            app.client.enrollment(&village.officer, id).await,
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        );
    }
    // Once 低保 ends, 特困 may begin, after the last month of 低保: not in it.
    let month = this_month(&app);
    app.submit(
        &local,
        end_enrollment(first, &month.to_string(), "moved to tekun"),
    )
    .await
    .unwrap();
    assert_reason(
        app.submit(
            &local,
            enroll([12; 16], "tekun", tekun_case, &month.to_string(), 60_000),
        )
        .await,
        Code::FailedPrecondition,
        "EXCLUSIVE_SCHEME",
    );
    assert_reason(
        app.submit(&local, end_enrollment(first, &month.to_string(), "again"))
            .await,
        Code::FailedPrecondition,
        "ENROLLMENT_ENDED",
    );
    app.submit(
        &local,
        enroll(
            [12; 16],
            "tekun",
            tekun_case,
            &month.next().to_string(),
            60_000,
        ),
    )
    .await
    .unwrap();
    let schemes = app.client.schemes(&caseworker).await.unwrap();
    let names: Vec<(&str, &str)> = schemes
        .iter()
        .map(|s| (s.scheme.as_str(), s.exclusive_group.as_str()))
        .collect();
    assert_eq!(
        names,
        [("dibao", "basic-livelihood"), ("tekun", "basic-livelihood")]
    );
    verify_whole_log(&mut app).await;
}

#[tokio::test]
async fn a_month_is_paid_once_and_an_overpayment_is_recovered_up_to_what_is_owed() {
    let (mut app, caseworker) = programs_ledger().await;
    let (township, county, _) = reviewers(&mut app).await;
    let [city, local, elsewhere, _] = officers(&mut app).await;
    let person = person_with_record(&mut app, &caseworker, &resident_id("42058119800101001"))
        .await
        .id;
    let first_month = dibao_from_this_month(&mut app, &city, "basic-livelihood").await;
    let case = [1; 16];
    confirmed(
        &mut app,
        &caseworker,
        (&township, &county),
        case,
        person,
        "dibao/2",
    )
    .await;
    let enrollment = [10; 16];
    let month = this_month(&app);
    app.submit(
        &local,
        enroll(enrollment, "dibao", case, &month.to_string(), 50_050),
    )
    .await
    .unwrap();
    let batch = |id: [u8; 16], period: Period, area: &str| {
        issue_payment_batch(id, "dibao", area, &period.to_string())
    };
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &local,
            batch([20; 16], month.next(), "420581100"),
            Code::FailedPrecondition,
            "PERIOD_NOT_STARTED",
        ),
        (
            &elsewhere,
            batch([20; 16], month, "420581100"),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &city,
            batch([20; 16], month, "420581999"),
            Code::NotFound,
            "UNKNOWN_AREA",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(app.log_size().await, size);
    app.submit(&local, batch([20; 16], month, "420581100"))
        .await
        .unwrap();
    // The month is paid: no second batch pays it again, not even from the village.
    for area in ["420581100", "420581100001", "420581"] {
        assert_reason(
            app.submit(&city, batch([21; 16], month, area)).await,
            Code::FailedPrecondition,
            "NOTHING_TO_PAY",
        );
    }
    assert_reason(
        app.submit(&local, batch([20; 16], month.previous(), "420581100"))
            .await,
        Code::AlreadyExists,
        "ALREADY_REGISTERED",
    );
    let paid = app.client.payment_batch(&local, [20; 16]).await.unwrap();
    assert_eq!(paid.lines.len(), 1);
    assert!(
        paid.csv.ends_with("\r\n") && paid.csv.matches("\r\n").count() == 2,
        "RFC 4180 lines end in CRLF: {:?}",
        paid.csv
    );
    assert_eq!(paid.total_fen, 50_050);
    let mut csv = paid.csv.lines();
    assert_eq!(
        csv.next(),
        Some("batch_id,period,scheme,enrollment_id,person_id,area_code,amount_fen,amount_yuan")
    );
    assert_eq!(
        csv.next().unwrap(),
        format!(
            "{},{month},dibao,{},{},420581100001,50050,500.50",
            hex::encode([20; 16]),
            hex::encode(enrollment),
            hex::encode(person)
        )
    );
    assert_eq!(csv.next(), None);
    assert_reason(
        app.client.payment_batch(&elsewhere, [20; 16]).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    // A new standard applies after the months paid; the next month is paid at it.
    assert_reason(
        app.submit(
            &city,
            set_scheme_parameters("dibao", 2, &month.to_string(), 40_000),
        )
        .await,
        Code::FailedPrecondition,
        "PARAMETERS_BEHIND",
    );
    app.submit(
        &city,
        set_scheme_parameters("dibao", 2, &month.next().to_string(), 40_000),
    )
    .await
    .unwrap();
    app.advance_days(35);
    let next = month.next();
    assert_reason(
        app.submit(&local, batch([22; 16], next, "420581")).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    app.submit(&city, batch([22; 16], next, "420581"))
        .await
        .unwrap();
    let paid = app.client.payment_batch(&city, [22; 16]).await.unwrap();
    assert_eq!(paid.total_fen, 40_000, "capped by the standard in effect");

    // Ended after the first month: the second is owed back, and recovered up to that.
    assert_reason(
        app.submit(
            &local,
            end_enrollment(enrollment, &month.previous().previous().to_string(), "x"),
        )
        .await,
        Code::FailedPrecondition,
        "END_BEFORE_START",
    );
    app.submit(
        &local,
        end_enrollment(enrollment, &month.to_string(), "income rose"),
    )
    .await
    .unwrap();
    let read = app.client.enrollment(&local, enrollment).await.unwrap();
    assert_eq!(read.last_period, month.to_string());
    assert_eq!(read.overpaid_fen, 40_000);
    assert_reason(
        app.submit(&local, record_recovery(enrollment, 40_001, "repaid"))
            .await,
        Code::FailedPrecondition,
        "ABOVE_OWED",
    );
    assert_reason(
        app.submit(&local, record_recovery(enrollment, 0, "repaid"))
            .await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    app.submit(
        &local,
        record_recovery(enrollment, 30_000, "repaid in cash"),
    )
    .await
    .unwrap();
    app.submit(&local, record_recovery(enrollment, 10_000, "withheld"))
        .await
        .unwrap();
    assert_reason(
        app.submit(&local, record_recovery(enrollment, 1, "more"))
            .await,
        Code::FailedPrecondition,
        "ABOVE_OWED",
    );
    assert_eq!(
        app.client
            .enrollment(&local, enrollment)
            .await
            .unwrap()
            .recovered_fen,
        40_000
    );
    // Enrolled again, but not for a month the first enrollment covered or was paid for.
    for from in [month, next] {
        assert_reason(
            app.submit(
                &local,
                enroll([11; 16], "dibao", case, &from.to_string(), 30_000),
            )
            .await,
            Code::FailedPrecondition,
            "PERIOD_OVERLAPS",
        );
    }
    // No standard covers the month before the first version.
    assert_reason(
        app.submit(&city, batch([23; 16], first_month.previous(), "420581"))
            .await,
        Code::FailedPrecondition,
        "NO_STANDARD",
    );
    assert_reason(
        app.submit(&local, record_recovery([99; 16], 1, "x")).await,
        Code::NotFound,
        "UNKNOWN_ENROLLMENT",
    );
    assert_reason(
        app.client.payment_batch(&local, [99; 16]).await,
        Code::NotFound,
        "UNKNOWN_BATCH",
    );
    verify_whole_log(&mut app).await;
}

#[tokio::test]
async fn a_unit_is_held_by_one_holder_at_a_time() {
    let (mut app, caseworker) = programs_ledger().await;
    let admin = app.admin.clone();
    let elderly = Signer::generate();
    app.submit(
        &admin,
        register_key(&elderly, pb::Role::ProgramOfficer, "elderly-care/420581100"),
    )
    .await
    .unwrap();
    let home = app
        .client
        .register_subject(
            &caseworker,
            shanzhi::client::IdentityNumber::Credit("91350100M000100Y43".into()),
            "420581100",
        )
        .await
        .unwrap()
        .id;
    let (operator, stranger) = (Signer::generate(), Signer::generate());
    for signer in [&operator, &stranger] {
        let org = if std::ptr::eq(signer, &operator) {
            hex::encode(home)
        } else {
            let other = app
                .client
                .register_subject(
                    &caseworker,
                    shanzhi::client::IdentityNumber::Credit("91420581MA4F00001G".into()),
                    "420581100",
                )
                .await
                .unwrap()
                .id;
            hex::encode(other)
        };
        app.submit(
            &admin,
            register_key(signer, pb::Role::FacilityOperator, &org),
        )
        .await
        .unwrap();
    }
    let [first, second] = [
        person_with_record(&mut app, &caseworker, &resident_id("42058119400101001"))
            .await
            .id,
        person_with_record(&mut app, &caseworker, &resident_id("42058119410101001"))
            .await
            .id,
    ];
    let bed = [5; 16];
    let define = |kind: &str| {
        define_unit(
            bed,
            kind,
            "Bed 12",
            "elderly-care",
            "420581100001",
            Some(home),
        )
    };
    assert_reason(
        app.submit(&elderly, define("sofa")).await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    assert_reason(
        app.submit(&operator, define("bed")).await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    app.submit(&elderly, define("bed")).await.unwrap();
    app.submit(&elderly, allocate_unit(bed, first))
        .await
        .unwrap();
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &elderly,
            allocate_unit(bed, second),
            Code::FailedPrecondition,
            "UNIT_TAKEN",
        ),
        (
            &operator,
            allocate_unit(bed, second),
            Code::FailedPrecondition,
            "UNIT_TAKEN",
        ),
        (
            &stranger,
            release_unit(bed, "left"),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &caseworker,
            release_unit(bed, "left"),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &elderly,
            allocate_unit([6; 16], second),
            Code::NotFound,
            "UNKNOWN_UNIT",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(app.log_size().await, size, "refusals change nothing");
    let unit = app.client.unit(&operator, bed).await.unwrap();
    assert_eq!(unit.holder_person_id, first.to_vec());
    assert_eq!(unit.allocated_by, elderly.key_id().to_string());
    assert_reason(
        app.client.unit(&stranger, bed).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    // The operator of the bed's home releases it and gives it to the next resident.
    app.submit(&operator, release_unit(bed, "moved to hospital"))
        .await
        .unwrap();
    assert_reason(
        app.submit(&operator, release_unit(bed, "again")).await,
        Code::FailedPrecondition,
        "UNIT_FREE",
    );
    app.submit(&operator, allocate_unit(bed, second))
        .await
        .unwrap();
    let unit = app.client.unit(&elderly, bed).await.unwrap();
    assert_eq!(unit.holder_person_id, second.to_vec());
    assert_eq!(unit.allocations, 2);
    verify_whole_log(&mut app).await;
}

#[tokio::test]
async fn a_case_ended_at_its_review_is_paid_no_more() {
    let (mut app, caseworker) = programs_ledger().await;
    let (township, county, _) = reviewers(&mut app).await;
    let [city, local, _, _] = officers(&mut app).await;
    let person = person_with_record(&mut app, &caseworker, &resident_id("42058119800101001"))
        .await
        .id;
    dibao_from_this_month(&mut app, &city, "").await;
    let case = [1; 16];
    confirmed(
        &mut app,
        &caseworker,
        (&township, &county),
        case,
        person,
        "dibao/2",
    )
    .await;
    let month = this_month(&app);
    app.submit(
        &local,
        enroll([10; 16], "dibao", case, &month.to_string(), 50_000),
    )
    .await
    .unwrap();
    // Reviewed and ended, while nobody ended the enrollment.
    app.submit(&caseworker, to(case, "reviewing"))
        .await
        .unwrap();
    app.submit(&township, to(case, "ended")).await.unwrap();
    assert_reason(
        app.submit(
            &local,
            issue_payment_batch([20; 16], "dibao", "420581100", &month.to_string()),
        )
        .await,
        Code::FailedPrecondition,
        "NOTHING_TO_PAY",
    );
}
