//! Points for volunteers through the real server: a program records a volunteer's activity
//! (a canteen shift, a volunteer's care visit to a dispersed 特困 person), and an issuer of
//! that program awards points for it once, on its day, within its units, to the household
//! the volunteer (a linked member) belonged to that day; never to a person the program serves,
//! nor to the household of the person visited; every refusal with its code and reason and
//! nothing logged; and `shanzhi verify` over it all.

use shanzhi::client::{
    Signer, define_canteen, enroll_diner, link_member_person, record_volunteer_shift,
    record_volunteer_visit, sign_care_agreement,
};
use shanzhi::pb::elderly as epb;
use shanzhi::pb::points as pb;
use shanzhi::testkit::{
    adopt_ops, award_by_rule, award_rule, program, register_key, register_member,
    register_program_issuer,
};
use tonic::Code;

use crate::casework::{open, reviewers, to, to_notice};
use crate::helpers::*;
use crate::subjects::{person_in_village, person_with_record, programs_ledger, resident_id};

/// A program issuer of bureau program `bureau` with an issuing key, a budget of 1,000 and
/// the award rule `VOL-01` (5 points a unit, at most 8 units) in force from `from`.
async fn program_issuer(app: &mut TestApp, id: &str, bureau: &str, from: u32) -> Signer {
    let admin = app.admin.clone();
    app.submit(&admin, register_program_issuer(id, bureau))
        .await
        .unwrap();
    let officer = Signer::generate();
    app.submit(&admin, register_key(&officer, pb::Role::ProgramIssuer, id))
        .await
        .unwrap();
    app.allocate(id, 1_000).await.unwrap();
    for op in adopt_ops(program(id), 1, from, &[award_rule("VOL-01", 5, 8)]) {
        app.submit(&admin, op).await.unwrap();
    }
    officer
}

fn shift(
    activity: &str,
    volunteer: [u8; 16],
    day: u32,
    hours: u32,
) -> pb::transaction_body::Operation {
    record_volunteer_shift(epb::RecordVolunteerShift {
        activity_id: activity.into(),
        canteen_id: "yicun".into(),
        volunteer_id: volunteer.to_vec(),
        day,
        hours,
    })
}

#[tokio::test]
async fn canteen_shifts_and_care_visits_earn_points_once_for_the_volunteers_household_only() {
    let (mut app, caseworker) = programs_ledger().await;
    let admin = app.admin.clone();

    // A dispersed 特困 person, cared for under an agreement with a caregiver.
    let (township, county, _) = reviewers(&mut app).await;
    let cared = person_with_record(&mut app, &caseworker, &resident_id("42058119400101001"))
        .await
        .id;
    let caregiver = person_in_village(&mut app, &caseworker, &resident_id("42058119700303003"))
        .await
        .id;
    // The volunteers and the elder, registered before the server's clock moves on.
    let volunteer = person_in_village(&mut app, &caseworker, &resident_id("42058119900505005"))
        .await
        .id;
    let diner = person_with_record(&mut app, &caseworker, &resident_id("42058119500202002"))
        .await
        .id;
    let relative = person_in_village(&mut app, &caseworker, &resident_id("42058119800404004"))
        .await
        .id;
    let unlinked = person_in_village(&mut app, &caseworker, &resident_id("42058119910606006"))
        .await
        .id;
    let tekun = [1; 16];
    app.submit(&caseworker, open(tekun, cared, "tekun/1"))
        .await
        .unwrap();
    to_notice(&mut app, &caseworker, &township, tekun).await;
    app.advance_days(7);
    app.submit(&county, to(tekun, "confirmed")).await.unwrap();
    let agreement = [7; 16];
    app.submit(
        &caseworker,
        sign_care_agreement(agreement, tekun, &[caregiver], 30),
    )
    .await
    .unwrap();
    let today = app.today();

    // Households h1 (the volunteer's), h2 (an elder diner's), h3 (the cared person's, with
    // a relative), each with a member linked to their person.
    let v1 = app.village("v1").await;
    let other_village = app.village("v2").await;
    for h in ["h1", "h2", "h3"] {
        app.household(&v1, h).await;
    }
    for (household, member) in [("h1", 1), ("h2", 2), ("h3", 3), ("h3", 4)] {
        app.submit(&v1.officer, register_member(household, member, today))
            .await
            .unwrap();
    }
    let size = app.log_size().await;
    assert_all_refused(
        &mut app,
        vec![
            (
                &v1.officer,
                link_member_person([9; 16], volunteer),
                Code::NotFound,
                "UNKNOWN_MEMBER",
            ),
            (
                &v1.officer,
                link_member_person([1; 16], [9; 16]),
                Code::NotFound,
                "UNKNOWN_PERSON",
            ),
            (
                &other_village.officer,
                link_member_person([1; 16], volunteer),
                Code::PermissionDenied,
                "OUT_OF_SCOPE",
            ),
        ],
    )
    .await;
    assert_eq!(app.log_size().await, size);
    for (member, person) in [(1, volunteer), (2, diner), (3, cared), (4, relative)] {
        app.submit(&v1.officer, link_member_person([member; 16], person))
            .await
            .unwrap();
    }
    assert_all_refused(
        &mut app,
        vec![
            (
                &v1.officer,
                link_member_person([1; 16], unlinked),
                Code::AlreadyExists,
                "ALREADY_LINKED",
            ),
            (
                &admin,
                link_member_person([1; 16], volunteer),
                Code::AlreadyExists,
                "ALREADY_LINKED",
            ),
        ],
    )
    .await;
    // One person per member both ways: a member without a link cannot take a linked person.
    app.submit(&v1.officer, register_member("h1", 5, today))
        .await
        .unwrap();
    assert_reason(
        app.submit(&v1.officer, link_member_person([5; 16], volunteer))
            .await,
        Code::AlreadyExists,
        "ALREADY_LINKED",
    );

    // The canteen, its elder diner, and shifts by the volunteer, the diner and someone
    // unlinked.
    let (officer, elsewhere) = township_officers(&app, "elderly-care").await;
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
    app.submit(
        &officer,
        enroll_diner(epb::EnrollDiner {
            canteen_id: "yicun".into(),
            person_id: diner.to_vec(),
            age_tier: "70-79".into(),
        }),
    )
    .await
    .unwrap();
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                shift("s-1", volunteer, today, 13),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (
                &officer,
                shift("s-1", volunteer, today + 1, 3),
                Code::FailedPrecondition,
                "DATE_OUT_OF_RANGE",
            ),
            (
                &elsewhere,
                shift("s-1", volunteer, today, 3),
                Code::PermissionDenied,
                "OUT_OF_SCOPE",
            ),
            (
                &officer,
                shift("s-1", [9; 16], today, 3),
                Code::NotFound,
                "UNKNOWN_PERSON",
            ),
            (
                &officer,
                record_volunteer_shift(epb::RecordVolunteerShift {
                    activity_id: "s-1".into(),
                    canteen_id: "nowhere".into(),
                    volunteer_id: volunteer.to_vec(),
                    day: today,
                    hours: 3,
                }),
                Code::NotFound,
                "UNKNOWN_CANTEEN",
            ),
        ],
    )
    .await;
    for (activity, person) in [("s-1", volunteer), ("s-2", diner), ("s-3", unlinked)] {
        app.submit(&officer, shift(activity, person, today, 3))
            .await
            .unwrap();
    }
    assert_reason(
        app.submit(&officer, shift("s-1", volunteer, today, 3))
            .await,
        Code::AlreadyExists,
        "ALREADY_REGISTERED",
    );

    // Awards by the elderly care issuer: every mismatch refused, then one award, once.
    let elderly = program_issuer(&mut app, "eld-vol", "elderly-care", today).await;
    let award = |activity: &str, household: &str, quantity: u32, day: u32| {
        award_by_rule("eld-vol", activity, household, "VOL-01", quantity, day)
    };
    let size = app.log_size().await;
    assert_all_refused(
        &mut app,
        vec![
            (
                &elderly,
                award("s-9", "h1", 3, today),
                Code::NotFound,
                "UNKNOWN_ACTIVITY",
            ),
            (
                &elderly,
                award("s-1", "h1", 4, today),
                Code::InvalidArgument,
                "ACTIVITY_MISMATCH",
            ),
            (
                &elderly,
                award("s-1", "h1", 3, today - 1),
                Code::InvalidArgument,
                "ACTIVITY_MISMATCH",
            ),
            (
                &elderly,
                award("s-1", "h2", 3, today),
                Code::FailedPrecondition,
                "VOLUNTEER_NOT_IN_HOUSEHOLD",
            ),
            (
                &elderly,
                award("s-2", "h2", 3, today),
                Code::FailedPrecondition,
                "AWARD_TO_SERVED_PERSON",
            ),
            (
                &elderly,
                award("s-3", "h1", 3, today),
                Code::FailedPrecondition,
                "VOLUNTEER_NOT_LINKED",
            ),
        ],
    )
    .await;
    assert_eq!(app.log_size().await, size, "refusals are not logged");
    let receipt = app
        .submit(&elderly, award("s-1", "h1", 3, today))
        .await
        .unwrap();
    assert_eq!(receipt.postings.len(), 1);
    assert_eq!(app.balance(shanzhi::client::household("h1")).await, 15);
    assert_reason(
        app.submit(&elderly, award("s-1", "h1", 3, today)).await,
        Code::AlreadyExists,
        "DUPLICATE_DEED",
    );
    // Another issuer of the same program cannot award the activity again; an issuer of
    // another program cannot award it at all.
    let second = program_issuer(&mut app, "eld-vol-2", "elderly-care", today).await;
    assert_reason(
        app.submit(
            &second,
            award_by_rule("eld-vol-2", "s-1", "h1", "VOL-01", 3, today),
        )
        .await,
        Code::AlreadyExists,
        "DUPLICATE_DEED",
    );
    let assistance = program_issuer(&mut app, "as-vol", "assistance", today).await;
    // The activity read by the program's issuers and the officer who recorded it, not by
    // another program's issuer or another officer.
    for reader in [&elderly, &second, &officer, &admin] {
        let read = app.client.volunteer_activity(reader, "s-1").await.unwrap();
        assert_eq!(
            (
                read.program.as_str(),
                read.kind.as_str(),
                read.site.as_str()
            ),
            ("elderly-care", "canteen-shift", "yicun")
        );
        assert_eq!(
            (read.volunteer_id.as_slice(), read.day, read.units),
            (volunteer.as_slice(), today, 3)
        );
        assert!(read.awarded && read.awarded_at_sequence == receipt.sequence);
    }
    assert!(
        !app.client
            .volunteer_activity(&officer, "s-2")
            .await
            .unwrap()
            .awarded
    );
    for reader in [&assistance, &elsewhere] {
        assert_reason(
            app.client.volunteer_activity(reader, "s-1").await,
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        );
    }
    assert_reason(
        app.client.volunteer_activity(&admin, "s-9").await,
        Code::NotFound,
        "UNKNOWN_ACTIVITY",
    );
    assert_reason(
        app.submit(
            &assistance,
            award_by_rule("as-vol", "s-2", "h2", "VOL-01", 3, today),
        )
        .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );

    // Volunteers' care visits: never by a caregiver or the cared person; awarded to the
    // volunteer's household, never to the cared person's.
    let visit = |volunteer: [u8; 16], activity: &str| {
        record_volunteer_visit(agreement, "meals and medicine checked", volunteer, activity)
    };
    assert_all_refused(
        &mut app,
        vec![
            (
                &caseworker,
                visit(caregiver, "v-1"),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (
                &caseworker,
                visit(cared, "v-1"),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (
                &caseworker,
                visit(volunteer, "s-1"),
                Code::AlreadyExists,
                "ALREADY_REGISTERED",
            ),
        ],
    )
    .await;
    app.submit(&caseworker, visit(volunteer, "v-1"))
        .await
        .unwrap();
    app.submit(&caseworker, visit(relative, "v-2"))
        .await
        .unwrap();
    let award = |activity: &str, household: &str| {
        award_by_rule("as-vol", activity, household, "VOL-01", 1, today)
    };
    assert_reason(
        app.submit(&assistance, award("v-2", "h3")).await,
        Code::FailedPrecondition,
        "AWARD_TO_SERVED_PERSON",
    );
    app.submit(&assistance, award("v-1", "h1")).await.unwrap();
    assert_eq!(app.balance(shanzhi::client::household("h1")).await, 20);
    let agreement_read = app
        .client
        .care_agreement(&caseworker, agreement)
        .await
        .unwrap();
    assert_eq!(agreement_read.visits.len(), 2);

    // Another department's program (no bureau program) awards as before, citing no record.
    let department = app.program("dept").await;
    app.allocate("dept", 100).await.unwrap();
    for op in adopt_ops(program("dept"), 1, today, &[award_rule("VOL-01", 5, 8)]) {
        app.submit(&admin, op).await.unwrap();
    }
    app.submit(
        &department.officer,
        award_by_rule("dept", "drive-1", "h2", "VOL-01", 1, today),
    )
    .await
    .unwrap();
    assert_eq!(app.balance(shanzhi::client::household("h2")).await, 5);
    for (issuer, bureau_program) in [
        ("eld-vol", "elderly-care"),
        ("as-vol", "assistance"),
        ("dept", ""),
    ] {
        let account = app.account(shanzhi::client::issuer(issuer)).await;
        assert_eq!(account.program, bureau_program, "{issuer}");
    }
    verify_whole_log(&mut app).await;
}
