//! The casework engine through the real server: a 低保 case opened for a registered person
//! and moved by the table's actors, and each refusal with its code and reason and nothing
//! changed: a transition not in the table, a reviewer of the wrong tier, one outside the
//! case's area, a notice not yet run, an unknown case type; objections to the notice; a
//! person without a present record; the lists of cases overdue, due for review and on
//! notice; the case types' tables.

use shanzhi::client::{
    Signer, file_case_objection, person_subject, resolve_case_objection, transition_case,
};
use shanzhi::pb::casework as cw;
use shanzhi::pb::points as pb;
use shanzhi::testkit::register_key;
use tonic::Code;

use crate::helpers::*;
use crate::subjects::{person_with_record, programs_ledger, resident_id};

fn casework(operation: cw::casework_operation::Operation) -> pb::transaction_body::Operation {
    pb::transaction_body::Operation::Casework(cw::CaseworkOperation {
        operation: Some(operation),
    })
}

/// A case opened in the village where the test persons live (420581100001).
pub(crate) fn open(
    case: [u8; 16],
    person: [u8; 16],
    case_type: &str,
) -> pb::transaction_body::Operation {
    open_in(case, person, case_type, "420581100001")
}

/// A case opened in `area_code`.
fn open_in(
    case: [u8; 16],
    person: [u8; 16],
    case_type: &str,
    area_code: &str,
) -> pb::transaction_body::Operation {
    casework(cw::casework_operation::Operation::OpenCase(cw::OpenCase {
        case_id: case.to_vec(),
        case_type: case_type.into(),
        person_id: person.to_vec(),
        area_code: area_code.into(),
    }))
}

/// A transition to `state`, reviewed yearly when it is confirmed.
pub(crate) fn to(case: [u8; 16], state: &str) -> pb::transaction_body::Operation {
    let cadence = if state == "confirmed" { "yearly" } else { "" };
    transition_case(case, state, "household visited", cadence)
}

/// Township, county and other-township reviewers registered by the admin.
pub(crate) async fn reviewers(app: &mut TestApp) -> (Signer, Signer, Signer) {
    let admin = app.admin.clone();
    let signers = [Signer::generate(), Signer::generate(), Signer::generate()];
    for (signer, scope) in signers.iter().zip(["420581100", "420581", "420581200"]) {
        app.submit(&admin, register_key(signer, pb::Role::Reviewer, scope))
            .await
            .unwrap();
    }
    let [township, county, elsewhere] = signers;
    (township, county, elsewhere)
}

/// Takes `case` from submitted to on notice.
pub(crate) async fn to_notice(
    app: &mut TestApp,
    caseworker: &Signer,
    township: &Signer,
    case: [u8; 16],
) {
    app.submit(caseworker, to(case, "investigating"))
        .await
        .unwrap();
    for state in ["township-reviewed", "on-notice"] {
        app.submit(township, to(case, state)).await.unwrap();
    }
}

#[tokio::test]
async fn a_dibao_case_moves_only_as_its_table_allows() {
    let (mut app, caseworker) = programs_ledger().await;
    let person = person_with_record(&mut app, &caseworker, &resident_id("42058119800101001"))
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
    app.submit(&caseworker, open(case, person, "dibao/2"))
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
    assert_eq!(read.case_type, "dibao/2");
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

#[tokio::test]
async fn objections_hold_a_notice_and_an_upheld_one_sends_the_case_back() {
    let (mut app, caseworker) = programs_ledger().await;
    let person = person_with_record(&mut app, &caseworker, &resident_id("42058119800101001"))
        .await
        .id;
    let (township, county, elsewhere) = reviewers(&mut app).await;
    let case = [4; 16];
    app.submit(&caseworker, open(case, person, "dibao/2"))
        .await
        .unwrap();
    let object = || file_case_objection(case, "a car registered to the household");
    // Objections are filed while the case is on notice.
    assert_reason(
        app.submit(&caseworker, object()).await,
        Code::FailedPrecondition,
        "NOT_ON_NOTICE",
    );
    to_notice(&mut app, &caseworker, &township, case).await;
    let size = app.log_size().await;
    for (signer, code, reason) in [
        (&elsewhere, Code::PermissionDenied, "OUT_OF_SCOPE"),
        (
            &app.admin.clone(),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
    ] {
        assert_reason(app.submit(signer, object()).await, code, reason);
    }
    assert_eq!(
        app.log_size().await,
        size,
        "refused objections are not logged"
    );
    app.submit(&caseworker, object()).await.unwrap();
    app.advance_days(7);
    // The notice has run, but an objection holds it.
    assert_reason(
        app.submit(&county, to(case, "confirmed")).await,
        Code::FailedPrecondition,
        "OBJECTION_UNRESOLVED",
    );
    let resolve = |number, upheld| resolve_case_objection(case, number, upheld, "car checked");
    for (signer, op, code, reason) in [
        (
            &caseworker,
            resolve(1, true),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &county,
            resolve(1, true),
            Code::PermissionDenied,
            "TIER_NOT_ALLOWED",
        ),
        (
            &township,
            resolve(2, true),
            Code::NotFound,
            "UNKNOWN_CASE_OBJECTION",
        ),
        (
            &township,
            resolve(0, true),
            Code::NotFound,
            "UNKNOWN_CASE_OBJECTION",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    // Upheld: back to investigating, and a resolution is final.
    app.submit(&township, resolve(1, true)).await.unwrap();
    let read = app.client.case(&township, case).await.unwrap();
    assert_eq!(read.state, "investigating");
    assert_eq!(
        read.steps.last().unwrap().reason,
        "objection 1 upheld: car checked"
    );
    assert_reason(
        app.submit(&township, resolve(1, false)).await,
        Code::FailedPrecondition,
        "CASE_OBJECTION_RESOLVED",
    );
    // A second notice runs its full 7 days again; a dismissed objection leaves it on notice.
    for state in ["township-reviewed", "on-notice"] {
        app.submit(&township, to(case, state)).await.unwrap();
    }
    app.submit(&caseworker, object()).await.unwrap();
    app.submit(&township, resolve(2, false)).await.unwrap();
    assert_eq!(
        app.client.case(&township, case).await.unwrap().state,
        "on-notice"
    );
    assert_reason(
        app.submit(&county, to(case, "confirmed")).await,
        Code::FailedPrecondition,
        "STATE_NOT_OVER",
    );
    app.advance_days(7);
    // Confirming names how often the case is reviewed.
    for cadence in ["", "monthly"] {
        assert_reason(
            app.submit(&county, transition_case(case, "confirmed", "ok", cadence))
                .await,
            Code::InvalidArgument,
            "INVALID_FIELD",
        );
    }
    app.submit(
        &county,
        transition_case(case, "confirmed", "notice over", "half-yearly"),
    )
    .await
    .unwrap();
    let read = app.client.case(&county, case).await.unwrap();
    assert_eq!(read.state, "confirmed");
    assert_eq!(read.review_cadence, "half-yearly");
    assert_eq!(
        read.review_due_unix_ms,
        read.since_unix_ms + 182 * 86_400_000
    );
    let objections: Vec<(u32, bool, bool)> = read
        .objections
        .iter()
        .map(|o| (o.number, o.resolved, o.upheld))
        .collect();
    assert_eq!(objections, [(1, true, true), (2, true, false)]);
    assert_eq!(read.objections[0].filed_by, caseworker.key_id().to_string());
    assert_eq!(
        read.objections[1].resolved_by,
        township.key_id().to_string()
    );
    verify_whole_log(&mut app).await;
}

#[tokio::test]
async fn a_case_is_opened_only_for_a_person_with_a_present_record() {
    let (mut app, caseworker) = programs_ledger().await;
    // Registered, but no record yet.
    let bare = crate::subjects::person_in_village(
        &mut app,
        &caseworker,
        &resident_id("42058119800101001"),
    )
    .await
    .id;
    let size = app.log_size().await;
    let refused = assert_reason(
        app.submit(&caseworker, open([1; 16], bare, "dibao/2"))
            .await,
        Code::FailedPrecondition,
        "RECORD_REQUIRED",
    );
    assert!(
        refused.message().contains("found no record"),
        "{}",
        refused.message()
    );
    // With a record it opens; once the record is erased, no further case does.
    let person = person_with_record(&mut app, &caseworker, &resident_id("42058119900202002"))
        .await
        .id;
    // Applied for where the person lives (their record: village 420581100001), or in an area on
    // its path; not in another township, even by the admin.
    let admin = app.admin.clone();
    let away = open_in([5; 16], person, "dibao/2", "420581200001");
    assert_reason(
        app.submit(&admin, away).await,
        Code::FailedPrecondition,
        "NOT_WHERE_ONE_LIVES",
    );
    let township_case = open_in([6; 16], person, "dibao/2", "420581100");
    app.submit(&caseworker, township_case).await.unwrap();
    app.submit(&caseworker, open([2; 16], person, "dibao/2"))
        .await
        .unwrap();
    app.client
        .change_subject(
            &caseworker,
            person_subject(&person),
            None,
            shanzhi::pb::directory::change_body::Change::Erase(shanzhi::pb::directory::Erase {}),
            "moved away",
        )
        .await
        .unwrap();
    let size_before = app.log_size().await;
    let refused = assert_reason(
        app.submit(&caseworker, open([3; 16], person, "temporary-aid/1"))
            .await,
        Code::FailedPrecondition,
        "RECORD_REQUIRED",
    );
    assert!(
        refused.message().contains("erased"),
        "{}",
        refused.message()
    );
    assert_eq!(app.log_size().await, size_before, "nothing logged");
    assert_eq!(size_before, size + 3, "the person and the two cases");
    // The state machine's own refusals still come first for an unknown person.
    assert_reason(
        app.submit(&caseworker, open([4; 16], [9; 16], "dibao/2"))
            .await,
        Code::NotFound,
        "UNKNOWN_PERSON",
    );
}

fn list(filter: cw::CaseFilter, page_size: u32, page_token: &str) -> cw::ListCasesRequest {
    cw::ListCasesRequest {
        filter: filter.into(),
        page_size,
        page_token: page_token.into(),
        ..Default::default()
    }
}

async fn listed(app: &mut TestApp, signer: &Signer, filter: cw::CaseFilter) -> Vec<[u8; 16]> {
    let mut ids = Vec::new();
    let mut token = String::new();
    loop {
        let page = app
            .client
            .cases(signer, list(filter, 1, &token))
            .await
            .unwrap();
        assert!(page.cases.len() <= 1);
        ids.extend(
            page.cases
                .iter()
                .map(|c| <[u8; 16]>::try_from(c.case_id.as_slice()).unwrap()),
        );
        if page.next_page_token.is_empty() {
            return ids;
        }
        token = page.next_page_token;
    }
}

#[tokio::test]
async fn lists_show_cases_overdue_due_for_review_and_on_notice_within_scope() {
    let (mut app, caseworker) = programs_ledger().await;
    let (township, county, elsewhere) = reviewers(&mut app).await;
    let admin = app.admin.clone();
    let officers = [Signer::generate(), Signer::generate(), Signer::generate()];
    for (signer, scope) in officers.iter().zip([
        "assistance/420581100",
        "children/420581",
        "assistance/420581200",
    ]) {
        app.submit(
            &admin,
            register_key(signer, pb::Role::ProgramOfficer, scope),
        )
        .await
        .unwrap();
    }
    let [assistance, children, assistance_elsewhere] = &officers;
    let mut persons = Vec::new();
    for number in [
        "42058119800101001",
        "42058119900202002",
        "42058119700303003",
    ] {
        persons.push(
            person_with_record(&mut app, &caseworker, &resident_id(number))
                .await
                .id,
        );
    }
    // Case 1 stays submitted; case 2 goes on notice; case 3 is confirmed half-yearly.
    let cases = [[1; 16], [2; 16], [3; 16]];
    for (case, person) in cases.iter().zip(&persons) {
        app.submit(&caseworker, open(*case, *person, "dibao/2"))
            .await
            .unwrap();
    }
    to_notice(&mut app, &caseworker, &township, cases[1]).await;
    to_notice(&mut app, &caseworker, &township, cases[2]).await;
    app.advance_days(7);
    app.submit(
        &county,
        transition_case(cases[2], "confirmed", "notice over", "half-yearly"),
    )
    .await
    .unwrap();
    use cw::CaseFilter::*;
    assert_eq!(listed(&mut app, &caseworker, All).await, cases);
    // Submitted has 5 days and on notice 15: after 7 days only case 1 is overdue.
    assert_eq!(listed(&mut app, &caseworker, Overdue).await, [cases[0]]);
    assert_eq!(listed(&mut app, &caseworker, OnNotice).await, [cases[1]]);
    assert!(listed(&mut app, &caseworker, ReviewDue).await.is_empty());
    app.advance_days(182);
    assert_eq!(listed(&mut app, &township, ReviewDue).await, [cases[2]]);
    assert_eq!(
        listed(&mut app, assistance, Overdue).await,
        [cases[0], cases[1]]
    );
    // Keys of another area or program see none of them.
    for signer in [&elsewhere, children, assistance_elsewhere] {
        assert!(listed(&mut app, signer, All).await.is_empty());
    }
    assert_reason(
        app.client.case(children, cases[0]).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    // A list item leaves out steps; the case's own read has them.
    let page = app
        .client
        .cases(&county, list(ReviewDue, 0, ""))
        .await
        .unwrap();
    assert_eq!(page.cases.len(), 1);
    assert!(page.cases[0].steps.is_empty());
    assert_eq!(page.cases[0].review_cadence, "half-yearly");
    assert!(page.as_of_unix_ms >= page.cases[0].review_due_unix_ms);
    // Refused: no filter, a bad page size or token, an unknown type, a village officer.
    for (asked, reason) in [
        (list(Unspecified, 0, ""), "INVALID_FIELD"),
        (list(All, 501, ""), "INVALID_FIELD"),
        (list(All, 0, "zz"), "INVALID_FIELD"),
    ] {
        assert_reason(
            app.client.cases(&caseworker, asked).await,
            Code::InvalidArgument,
            reason,
        );
    }
    assert_reason(
        app.client
            .cases(
                &caseworker,
                cw::ListCasesRequest {
                    case_type: "dibao/9".into(),
                    ..list(All, 0, "")
                },
            )
            .await,
        Code::NotFound,
        "UNKNOWN_CASE_TYPE",
    );
    let village = app.village("v1").await;
    assert_reason(
        app.client.cases(&village.officer, list(All, 0, "")).await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    // The area and type filters.
    let narrowed = app
        .client
        .cases(
            &admin,
            cw::ListCasesRequest {
                area_code: "420581200".into(),
                ..list(All, 0, "")
            },
        )
        .await
        .unwrap();
    assert!(narrowed.cases.is_empty());
    let typed = app
        .client
        .cases(
            &admin,
            cw::ListCasesRequest {
                case_type: "temporary-aid/1".into(),
                ..list(All, 0, "")
            },
        )
        .await
        .unwrap();
    assert!(typed.cases.is_empty());
}

#[tokio::test]
async fn the_case_types_tables_are_listed() {
    let (mut app, caseworker) = programs_ledger().await;
    let types = app.client.case_types(&caseworker).await.unwrap().case_types;
    let dibao = types.iter().find(|t| t.code == "dibao/2").unwrap();
    assert_eq!(dibao.program, "assistance");
    assert_eq!(dibao.states[0].name, "submitted");
    assert_eq!(dibao.notice_state, "on-notice");
    assert_eq!(dibao.objections_resolved_by, "township reviewer");
    assert_eq!(dibao.objection_upheld_to, "investigating");
    assert_eq!(dibao.review_state, "confirmed");
    let cadences: Vec<(&str, u32)> = dibao
        .review_cadences
        .iter()
        .map(|c| (c.name.as_str(), c.days))
        .collect();
    assert_eq!(cadences, [("yearly", 365), ("half-yearly", 182)]);
    let confirm = dibao
        .transitions
        .iter()
        .find(|t| t.from_state == "on-notice" && t.to_state == "confirmed")
        .unwrap();
    assert_eq!(
        (confirm.actor.as_str(), confirm.after_days),
        ("county reviewer", 7)
    );
    let aid = types.iter().find(|t| t.code == "temporary-aid/1").unwrap();
    assert!(aid.notice_state.is_empty() && aid.review_cadences.is_empty());
}

#[tokio::test]
async fn the_record_check_holds_in_batches_on_retries_and_after_the_signers_authority() {
    use crate::batch::{refused, signed};
    let (mut app, caseworker) = programs_ledger().await;
    let (township, _, _) = reviewers(&mut app).await;
    // A person registered in the same batch as their case has no record yet: refused.
    let number = resident_id("42058119800101001");
    let tag = app
        .client
        .identity_tag(
            &caseworker,
            shanzhi::client::IdentityNumber::Resident(number),
        )
        .await
        .unwrap()
        .tag;
    let fresh = [8; 16];
    let batch = vec![
        signed(
            &app,
            &caseworker,
            shanzhi::client::register_person(fresh, tag, "420581100001"),
        ),
        signed(&app, &caseworker, open([1; 16], fresh, "dibao/2")),
    ];
    let results = app.client.clone().submit_batch(batch).await.unwrap();
    assert_eq!(refused(&results[0]), None);
    assert_eq!(
        refused(&results[1]),
        Some((Code::NotFound, "UNKNOWN_PERSON"))
    );
    // A key that may not open the case is refused for that, before the directory is read.
    assert_reason(
        app.submit(&township, open([1; 16], fresh, "dibao/2")).await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    let elsewhere = Signer::generate();
    let admin = app.admin.clone();
    app.submit(
        &admin,
        register_key(&elsewhere, pb::Role::Caseworker, "420581200"),
    )
    .await
    .unwrap();
    // Nor may a caseworker of another township open a case for this township's person.
    let person = person_with_record(&mut app, &caseworker, &resident_id("42058119900202002"))
        .await
        .id;
    let foreign = open_in([2; 16], person, "dibao/2", "420581200001");
    let refusal = assert_reason(
        app.submit(&elsewhere, foreign).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert!(
        !refusal.message().contains("420581100"),
        "{}",
        refusal.message()
    );
    // A city-level case could never be decided by a township reviewer.
    let high = open_in([2; 16], person, "dibao/2", "420581");
    assert_reason(
        app.submit(&admin, high).await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    // A retry of a committed opening gets its receipt, even once the record is erased.
    let retry = signed(&app, &caseworker, open([3; 16], person, "dibao/2"));
    let first = app
        .client
        .clone()
        .submit_signed(retry.clone())
        .await
        .unwrap();
    app.client
        .change_subject(
            &caseworker,
            person_subject(&person),
            None,
            shanzhi::pb::directory::change_body::Change::Erase(shanzhi::pb::directory::Erase {}),
            "moved away",
        )
        .await
        .unwrap();
    let again = app.client.clone().submit_signed(retry).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(again.receipt, first.receipt);
    // Out of area, a step names neither the case's area nor its table.
    let refusal = assert_reason(
        app.submit(&elsewhere, to([3; 16], "no-such-state")).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert!(
        !refusal.message().contains("420581100") && !refusal.message().contains("dibao"),
        "{}",
        refusal.message()
    );
}
