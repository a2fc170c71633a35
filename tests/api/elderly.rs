//! Elderly care through the real server: institutions' beds and the nursing-bed ratio of
//! operating institutions only; grades by the bureau; staff certificates counted while
//! unexpired; happiness canteens with diners enrolled in the age tier their directory record
//! gives, one subsidized meal per diner, slot and day; home adaptations, one open per elder
//! within budget; insurance once per elder and year; the county's indicators; every refusal
//! with its code and reason and nothing logged; reads within scope; and `shanzhi verify`.

use shanzhi::client::register_death;
use shanzhi::client::{
    IdentityNumber, assess_ability, complete_adaptation, define_canteen, enroll_diner,
    enroll_insurance, grade_institution, open_adaptation, record_institution,
    record_staff_certificate, serve_meal,
};
use shanzhi::ledger::{CivilDate, LocalTime, MEAL_SLOTS, UnixMs, meal_slot_at};
use shanzhi::pb::elderly as epb;
use shanzhi::pb::points as pb;
use tonic::Code;

use crate::helpers::*;
use crate::organizations::credit_code;
use crate::subjects::{person_in_village, person_with_record, programs_ledger, resident_id};

const DIGEST: [u8; 32] = [2; 32];

fn institution(
    org: [u8; 16],
    total: u32,
    nursing: u32,
    status: &str,
) -> pb::transaction_body::Operation {
    record_institution(epb::RecordInstitution {
        organization_id: org.to_vec(),
        total_beds: total,
        nursing_beds: nursing,
        status: status.into(),
    })
}

fn certificate(id: u8, org: [u8; 16], valid_until: u32) -> pb::transaction_body::Operation {
    record_staff_certificate(epb::RecordStaffCertificate {
        certificate_id: vec![id; 16],
        organization_id: org.to_vec(),
        kind: "elderly-care-worker".into(),
        valid_until,
        certificate_sha256: DIGEST.to_vec(),
    })
}

fn diner(person: [u8; 16], tier: &str) -> pb::transaction_body::Operation {
    enroll_diner(epb::EnrollDiner {
        canteen_id: "yicun".into(),
        person_id: person.to_vec(),
        age_tier: tier.into(),
    })
}

fn meal(person: [u8; 16], slot: &str) -> pb::transaction_body::Operation {
    serve_meal(epb::ServeMeal {
        canteen_id: "yicun".into(),
        person_id: person.to_vec(),
        slot: slot.into(),
    })
}

#[tokio::test]
async fn institutions_canteens_adaptations_and_insurance_follow_their_rules() {
    let (mut app, caseworker) = programs_ledger().await;
    let admin = app.admin.clone();
    let (officer, elsewhere) = township_officers(&app, "elderly-care").await;
    let mut orgs = Vec::new();
    for code in [
        "52420581MJH00001X",
        "52420581MJH00002X",
        "52420581MJH00003X",
    ] {
        let registered = app
            .client
            .register_subject(
                &admin,
                IdentityNumber::Credit(credit_code(code)),
                "420581100001",
            )
            .await
            .unwrap();
        orgs.push(registered.id);
    }
    let (a, b, c) = (orgs[0], orgs[1], orgs[2]);
    let today = app.today();

    // Beds: only operating institutions count in the ratio.
    app.submit(&officer, institution(a, 100, 70, "operating"))
        .await
        .unwrap();
    app.submit(&officer, institution(b, 100, 20, "operating"))
        .await
        .unwrap();
    app.submit(&officer, institution(c, 50, 50, "suspended"))
        .await
        .unwrap();
    let before = app
        .client
        .elderly_indicators(&elsewhere, "", 0)
        .await
        .unwrap();
    assert_eq!(
        (
            before.institutions_operating,
            before.nursing_beds,
            before.total_beds
        ),
        (2, 90, 200)
    );
    assert_eq!(before.nursing_bed_per_mille, 450);
    assert!(!before.nursing_bed_target_met);
    app.submit(&officer, institution(b, 100, 60, "operating"))
        .await
        .unwrap();
    app.submit(
        &admin,
        grade_institution(epb::GradeInstitution {
            organization_id: a.to_vec(),
            grade: 4,
            conclusion_sha256: DIGEST.to_vec(),
        }),
    )
    .await
    .unwrap();
    app.submit(&officer, certificate(1, a, today + 30))
        .await
        .unwrap();
    let grade = |org: [u8; 16], grade: u32| {
        grade_institution(epb::GradeInstitution {
            organization_id: org.to_vec(),
            grade,
            conclusion_sha256: DIGEST.to_vec(),
        })
    };
    let unregistered_org = {
        let registered = app
            .client
            .register_subject(
                &admin,
                IdentityNumber::Credit(credit_code("52420581MJH00004X")),
                "420581100001",
            )
            .await
            .unwrap();
        registered.id
    };
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                institution(a, 10, 11, "operating"),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (
                &officer,
                institution(a, 10, 5, "open"),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (
                &elsewhere,
                institution(a, 10, 5, "operating"),
                Code::PermissionDenied,
                "OUT_OF_SCOPE",
            ),
            (
                &officer,
                grade(a, 5),
                Code::PermissionDenied,
                "ROLE_NOT_ALLOWED",
            ),
            (&admin, grade(a, 6), Code::InvalidArgument, "INVALID_FIELD"),
            (
                &admin,
                grade(unregistered_org, 3),
                Code::NotFound,
                "UNKNOWN_INSTITUTION",
            ),
            (
                &officer,
                certificate(1, a, today + 30),
                Code::AlreadyExists,
                "ALREADY_REGISTERED",
            ),
            (
                &officer,
                certificate(2, a, today - 1),
                Code::FailedPrecondition,
                "DATE_OUT_OF_RANGE",
            ),
            (
                &officer,
                certificate(3, unregistered_org, today + 30),
                Code::NotFound,
                "UNKNOWN_INSTITUTION",
            ),
        ],
    )
    .await;
    let read = app.client.institution(&elsewhere, a).await.unwrap();
    assert_eq!(
        (read.grade, read.certificates_valid, read.certificates),
        (4, 1, 1)
    );

    // Canteen diners in the tier their record's birth date gives.
    let elder = person_with_record(&mut app, &caseworker, &resident_id("42058119490101001"))
        .await
        .id;
    let young = person_with_record(&mut app, &caseworker, &resident_id("42058119700101002"))
        .await
        .id;
    let unrecorded = person_in_village(&mut app, &caseworker, &resident_id("42058119400101003"))
        .await
        .id;
    app.submit(
        &officer,
        define_canteen(epb::DefineCanteen {
            canteen_id: "yicun".into(),
            name: "一村幸福食堂".into(),
            area_code: "420581100001".into(),
        }),
    )
    .await
    .unwrap();
    let (year, _, _) = CivilDate::from_days(today).unwrap().ymd();
    // Born on 1 January 1949: this year's birthday has come.
    let age = u32::try_from(year - 1949).unwrap();
    let tier = if age >= 80 { "80-89" } else { "70-79" };
    let wrong = if tier == "70-79" { "80-89" } else { "70-79" };
    app.submit(&officer, diner(elder, tier)).await.unwrap();
    // The slot open now by the server's clock (away from a slot's edge), and one that is not.
    let local = |app: &TestApp| LocalTime::from_unix_ms(app.clock.now_unix_ms()).ms_of_day();
    let hour_ms: u64 = 3_600_000;
    if [10 * hour_ms, 15 * hour_ms, 24 * hour_ms]
        .iter()
        .any(|edge| edge.saturating_sub(local(&app)) < 120_000)
    {
        app.clock.advance(180_000);
    }
    let slot = MEAL_SLOTS[meal_slot_at(UnixMs(app.clock.now_unix_ms()))];
    let closed = *MEAL_SLOTS.iter().find(|s| **s != slot).unwrap();
    app.submit(&officer, meal(elder, slot)).await.unwrap();
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                meal(elder, slot),
                Code::AlreadyExists,
                "SUBSIDIZED_MEAL_TAKEN",
            ),
            (
                &officer,
                meal(elder, closed),
                Code::FailedPrecondition,
                "MEAL_SLOT_CLOSED",
            ),
            (
                &officer,
                meal(young, slot),
                Code::FailedPrecondition,
                "NOT_ENROLLED_DINER",
            ),
            (
                &officer,
                diner(elder, wrong),
                Code::FailedPrecondition,
                "AGE_TIER_MISMATCH",
            ),
            (
                &officer,
                diner(young, "60-69"),
                Code::FailedPrecondition,
                "AGE_TIER_MISMATCH",
            ),
            (
                &officer,
                diner(unrecorded, "80-89"),
                Code::FailedPrecondition,
                "RECORD_REQUIRED",
            ),
            (
                &elsewhere,
                diner(elder, tier),
                Code::PermissionDenied,
                "OUT_OF_SCOPE",
            ),
            (
                &officer,
                meal(elder, "supper"),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
        ],
    )
    .await;
    assert_all_refused(
        &mut app,
        vec![(
            &officer,
            enroll_diner(epb::EnrollDiner {
                canteen_id: "nowhere".into(),
                person_id: elder.to_vec(),
                age_tier: tier.into(),
            }),
            Code::NotFound,
            "UNKNOWN_CANTEEN",
        )],
    )
    .await;

    // Assessments, adaptations and insurance.
    app.submit(
        &officer,
        assess_ability(epb::AssessAbility {
            person_id: elder.to_vec(),
            level: "mildly-impaired".into(),
            report_sha256: DIGEST.to_vec(),
        }),
    )
    .await
    .unwrap();
    let open = |case: u8, person: [u8; 16]| {
        open_adaptation(epb::OpenAdaptation {
            case_id: vec![case; 16],
            person_id: person.to_vec(),
            budget_fen: 500_000,
            plan_sha256: DIGEST.to_vec(),
        })
    };
    let complete = |case: u8, cost: u64| {
        complete_adaptation(epb::CompleteAdaptation {
            case_id: vec![case; 16],
            cost_fen: cost,
            acceptance_sha256: DIGEST.to_vec(),
        })
    };
    let insure = |person: [u8; 16], year: u32| {
        enroll_insurance(epb::EnrollInsurance {
            person_id: person.to_vec(),
            policy_year: year,
            policy_sha256: DIGEST.to_vec(),
        })
    };
    let year = u32::try_from(year).unwrap();
    app.submit(&officer, open(1, elder)).await.unwrap();
    app.submit(&officer, insure(elder, year)).await.unwrap();
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                open(2, elder),
                Code::AlreadyExists,
                "ADAPTATION_OPEN",
            ),
            (
                &officer,
                complete(1, 500_001),
                Code::FailedPrecondition,
                "ADAPTATION_OVER_BUDGET",
            ),
            (
                &officer,
                complete(9, 1),
                Code::NotFound,
                "UNKNOWN_ADAPTATION",
            ),
            (
                &officer,
                insure(elder, year),
                Code::AlreadyExists,
                "INSURANCE_ENROLLED",
            ),
            (
                &officer,
                insure(elder, year + 2),
                Code::FailedPrecondition,
                "POLICY_YEAR_OUT_OF_RANGE",
            ),
        ],
    )
    .await;
    app.submit(&officer, complete(1, 480_000)).await.unwrap();
    assert_all_refused(
        &mut app,
        vec![(
            &officer,
            complete(1, 1),
            Code::FailedPrecondition,
            "ADAPTATION_COMPLETED",
        )],
    )
    .await;
    app.submit(&officer, open(2, elder)).await.unwrap();

    // A new day: a new meal in the slot.
    app.advance_days(1);
    app.submit(&officer, meal(elder, slot)).await.unwrap();
    let record = app.client.elder(&officer, elder).await.unwrap();
    let per_meal = if tier == "70-79" { 300 } else { 400 };
    assert_eq!((record.meals, record.meal_subsidy_fen), (2, 2 * per_meal));
    // The dead are served nothing more.
    app.submit(
        &admin,
        register_death([9; 16], young, app.today() - 1, None),
    )
    .await
    .unwrap();
    assert_all_refused(
        &mut app,
        vec![(
            &officer,
            assess_ability(epb::AssessAbility {
                person_id: young.to_vec(),
                level: "able".into(),
                report_sha256: DIGEST.to_vec(),
            }),
            Code::FailedPrecondition,
            "ELDER_DECEASED",
        )],
    )
    .await;
    assert_eq!(record.ability_level, "mildly-impaired");
    assert_eq!(
        (
            record.adaptation_state.as_str(),
            record.insured_years.clone()
        ),
        ("open", vec![year])
    );
    assert_reason(
        app.client.elder(&elsewhere, elder).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert_reason(
        app.client.elder(&caseworker, elder).await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );

    let city = app
        .client
        .elderly_indicators(&caseworker, "", year)
        .await
        .unwrap();
    assert_eq!(
        (
            city.nursing_beds,
            city.total_beds,
            city.nursing_bed_per_mille
        ),
        (130, 200, 650)
    );
    assert!(city.nursing_bed_target_met);
    assert_eq!(
        (
            city.certificates_valid,
            city.canteens,
            city.diners,
            city.meals
        ),
        (1, 1, 1, 2)
    );
    assert_eq!(city.meal_subsidy_fen, 2 * per_meal);
    assert_reason(
        app.client
            .elderly_indicators(&caseworker, "420581300", year)
            .await,
        Code::NotFound,
        "UNKNOWN_AREA",
    );
    assert_eq!(
        (
            city.adaptations_open,
            city.adaptations_completed,
            city.insured
        ),
        (1, 1, 1)
    );
    let other = app
        .client
        .elderly_indicators(&caseworker, "420581200", year)
        .await
        .unwrap();
    assert_eq!(
        (
            other.total_beds,
            other.diners,
            other.insured,
            other.adaptations_open
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(verify_whole_log(&mut app).await, app.log_size().await);
}
