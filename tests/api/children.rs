//! The children's program through the real server: one active category per child (under 18,
//! under 16 for left-behind, by the directory record), visits due at the category's cadence,
//! concern reports verified and closed with a child-protection case or without, the case
//! workflow (new → assessment → plan → services → monitoring → closed, reopenable) taken by
//! the village's child director and the township's supervisor, and a child's file read only
//! within scope, every read recorded in the access log; every refusal with its code and
//! reason and nothing logged.

use shanzhi::client::{
    Signer, close_concern, end_child_category, open_case, record_child_visit, report_concern,
    set_child_category, transition_case, verify_concern,
};
use shanzhi::pb::children as cpb;
use shanzhi::pb::points as pb;
use shanzhi::testkit::{register_area, register_key};
use tonic::Code;

use crate::casework::open;
use crate::helpers::*;
use crate::subjects::{person_in_village, person_with_record, programs_ledger, resident_id};

const VILLAGE: &str = "420581100001";
const EVIDENCE: [u8; 32] = [7; 32];

/// The children's network: the first village's director, the first township's supervisor,
/// the second village's director and the second township's supervisor.
struct Network {
    director: Signer,
    supervisor: Signer,
    director_elsewhere: Signer,
    supervisor_elsewhere: Signer,
}

async fn network(app: &mut TestApp) -> Network {
    let admin = app.admin.clone();
    let network = Network {
        director: Signer::generate(),
        supervisor: Signer::generate(),
        director_elsewhere: Signer::generate(),
        supervisor_elsewhere: Signer::generate(),
    };
    for (signer, role, area) in [
        (&network.director, pb::Role::ChildDirector, VILLAGE),
        (&network.supervisor, pb::Role::ChildSupervisor, "420581100"),
        (
            &network.director_elsewhere,
            pb::Role::ChildDirector,
            "420581200001",
        ),
        (
            &network.supervisor_elsewhere,
            pb::Role::ChildSupervisor,
            "420581200",
        ),
    ] {
        app.submit(&admin, register_key(signer, role, area))
            .await
            .unwrap();
    }
    network
}

/// The first 17 characters of a Yidu identity number of a person born on 1 January, `years`
/// ago by the wall clock (so `years` old all this year, whatever year the test runs), with
/// sequence `sequence`.
fn born(years: i64, sequence: &str) -> String {
    let now = shanzhi::ledger::UnixMs(shanzhi::writer::now_unix_ms());
    let (year, _, _) = shanzhi::ledger::CivilDate::of(now).ymd();
    format!("420581{}0101{sequence}", year - years)
}

/// A person of `first17` (the number without its check character) registered with a record
/// in the first village.
async fn registered_child(app: &mut TestApp, caseworker: &Signer, first17: &str) -> [u8; 16] {
    person_with_record(app, caseworker, &resident_id(first17))
        .await
        .id
}

/// Every event of the access log, as the bureau admin reads it.
async fn recorded(app: &mut TestApp) -> Vec<shanzhi::pb::directory::AccessEvent> {
    let admin = app.admin.clone();
    app.client.access_events(&admin, 0, 0).await.unwrap().events
}

async fn tasks(app: &mut TestApp, signer: &Signer, kind: cpb::ChildTaskKind) -> Vec<Vec<u8>> {
    app.client
        .child_tasks(
            signer,
            cpb::ListChildTasksRequest {
                kind: kind.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .tasks
        .into_iter()
        .map(|t| t.id)
        .collect()
}

#[tokio::test]
async fn a_child_holds_one_active_category_and_only_while_young_enough() {
    let (mut app, caseworker) = programs_ledger().await;
    let net = network(&mut app).await;
    let child = registered_child(&mut app, &caseworker, &born(10, "001")).await;
    let seventeen = person_with_record(&mut app, &caseworker, &resident_id(&born(17, "002")))
        .await
        .id;
    let adult = person_with_record(&mut app, &caseworker, &resident_id("42058119900101003"))
        .await
        .id;
    let unrecorded = person_in_village(&mut app, &caseworker, &resident_id(&born(9, "004")))
        .await
        .id;
    let set = |person, category| set_child_category(person, category, VILLAGE, EVIDENCE);
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &net.director,
            set(child, "orphan"),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &caseworker,
            set(child, "orphan"),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &net.supervisor_elsewhere,
            set(child, "orphan"),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &net.supervisor,
            set_child_category(child, "orphan", "420581100", EVIDENCE),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &net.supervisor,
            set(child, "poor"),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &net.supervisor,
            shorten_evidence(set(child, "orphan")),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &net.supervisor,
            set(unrecorded, "orphan"),
            Code::FailedPrecondition,
            "RECORD_REQUIRED",
        ),
        (
            &net.supervisor,
            set(adult, "in-difficulty"),
            Code::FailedPrecondition,
            "CHILD_TOO_OLD",
        ),
        (
            &net.supervisor,
            set(seventeen, "left-behind"),
            Code::FailedPrecondition,
            "CHILD_TOO_OLD",
        ),
        (
            &net.supervisor,
            end_child_category(child, "none yet"),
            Code::FailedPrecondition,
            "NO_ACTIVE_CATEGORY",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(
        app.log_size().await,
        size,
        "refused categories are not logged"
    );
    // Seventeen is too old to be left behind, not to be in difficulty.
    app.submit(&net.supervisor, set(seventeen, "in-difficulty"))
        .await
        .unwrap();
    app.submit(&net.supervisor, set(child, "left-behind"))
        .await
        .unwrap();
    let refused = assert_reason(
        app.submit(&net.supervisor, set(child, "orphan")).await,
        Code::FailedPrecondition,
        "CATEGORY_ACTIVE",
    );
    assert!(
        refused.message().contains("left-behind"),
        "{}",
        refused.message()
    );
    // Another township's supervisor, even naming a village of their own, learns nothing of
    // the child (not its category, age or record) and changes nothing; a village off the
    // child's path is refused to the child's own supervisor too.
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &net.supervisor_elsewhere,
            set_child_category(child, "orphan", "420581200001", EVIDENCE),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &net.supervisor_elsewhere,
            set_child_category(adult, "orphan", "420581200001", EVIDENCE),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &net.supervisor_elsewhere,
            set_child_category(unrecorded, "orphan", "420581200001", EVIDENCE),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &net.supervisor_elsewhere,
            end_child_category(child, "moved"),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &net.director_elsewhere,
            report_concern([3; 16], child, "public", "420581200001"),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &net.supervisor,
            set_child_category(seventeen, "orphan", "420581200001", EVIDENCE),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
    ] {
        let refused = assert_reason(app.submit(signer, op).await, code, reason);
        for leak in ["left-behind", "in-difficulty", "found one of", "record"] {
            assert!(
                !refused.message().contains(leak),
                "{leak}: {}",
                refused.message()
            );
        }
    }
    assert_eq!(app.log_size().await, size);
    assert_reason(
        app.submit(&net.director, end_child_category(child, "parents home"))
            .await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    assert_reason(
        app.submit(
            &net.supervisor_elsewhere,
            end_child_category(child, "parents home"),
        )
        .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    app.submit(&net.supervisor, end_child_category(child, "parents home"))
        .await
        .unwrap();
    app.submit(&app.admin.clone(), set(child, "de-facto-unsupported"))
        .await
        .unwrap();
    let file = app
        .client
        .child_file(&net.director, child, "monthly follow-up")
        .await
        .unwrap();
    let history: Vec<(&str, bool)> = file
        .categories
        .iter()
        .map(|c| (c.category.as_str(), c.ended_by.is_empty()))
        .collect();
    assert_eq!(
        history,
        [("left-behind", false), ("de-facto-unsupported", true)]
    );
    let active = file.active.unwrap();
    assert_eq!(active.category, "de-facto-unsupported");
    assert_eq!(active.evidence_sha256, EVIDENCE.to_vec());
    assert_eq!(file.categories[0].end_reason, "parents home");
}

/// `op` with its evidence cut to 31 bytes.
fn shorten_evidence(mut op: pb::transaction_body::Operation) -> pb::transaction_body::Operation {
    if let pb::transaction_body::Operation::Children(cpb::ChildrenOperation {
        operation: Some(cpb::children_operation::Operation::SetChildCategory(s)),
    }) = &mut op
    {
        s.evidence_sha256.truncate(31);
    }
    op
}

#[tokio::test]
async fn visits_fall_due_at_the_categorys_cadence_and_are_listed_within_scope() {
    let (mut app, caseworker) = programs_ledger().await;
    let net = network(&mut app).await;
    let child = registered_child(&mut app, &caseworker, &born(10, "001")).await;
    let size = app.log_size().await;
    assert_reason(
        app.submit(&net.director, record_child_visit(child, "at home"))
            .await,
        Code::FailedPrecondition,
        "NO_ACTIVE_CATEGORY",
    );
    assert_eq!(app.log_size().await, size);
    app.submit(
        &net.supervisor,
        set_child_category(child, "in-difficulty", VILLAGE, EVIDENCE),
    )
    .await
    .unwrap();
    let due = cpb::ChildTaskKind::VisitsDue;
    assert!(tasks(&mut app, &net.director, due).await.is_empty());
    // In difficulty: a visit a month.
    app.advance_days(31);
    let admin = app.admin.clone();
    let before = recorded(&mut app).await.len();
    for signer in [&net.director, &net.supervisor, &admin] {
        assert_eq!(tasks(&mut app, signer, due).await, [child.to_vec()]);
    }
    for signer in [&net.director_elsewhere, &net.supervisor_elsewhere] {
        assert!(tasks(&mut app, signer, due).await.is_empty());
    }
    // Each child a list showed is a recorded read: three lists of one child.
    let log = recorded(&mut app).await;
    assert_eq!(log.len(), before + 3);
    assert!(
        log[before..]
            .iter()
            .all(|e| e.purpose == "listed by ListChildTasks")
    );
    assert_reason(
        app.client
            .child_tasks(
                &caseworker,
                cpb::ListChildTasksRequest {
                    kind: due.into(),
                    ..Default::default()
                },
            )
            .await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    assert_reason(
        app.client
            .child_tasks(&net.director, cpb::ListChildTasksRequest::default())
            .await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &net.director_elsewhere,
            record_child_visit(child, "at home"),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &caseworker,
            record_child_visit(child, "at home"),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &net.director,
            record_child_visit(child, ""),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(app.log_size().await, size);
    app.submit(&net.director, record_child_visit(child, "at school, well"))
        .await
        .unwrap();
    assert!(tasks(&mut app, &net.director, due).await.is_empty());
    let file = app
        .client
        .child_file(&net.supervisor, child, "supervision")
        .await
        .unwrap();
    assert_eq!(file.visits.len(), 1);
    assert_eq!(file.visits[0].note, "at school, well");
    assert!(file.visit_due_unix_ms > file.visits[0].at_unix_ms);
    // Ended, the child is due no visit.
    app.advance_days(31);
    app.submit(
        &net.supervisor,
        end_child_category(child, "family recovered"),
    )
    .await
    .unwrap();
    assert!(tasks(&mut app, &net.director, due).await.is_empty());
}

#[tokio::test]
async fn a_concern_report_is_verified_then_closed_with_a_case_or_without() {
    let (mut app, caseworker) = programs_ledger().await;
    let net = network(&mut app).await;
    let child = registered_child(&mut app, &caseworker, &born(10, "001")).await;
    let sibling = registered_child(&mut app, &caseworker, &born(8, "002")).await;
    let report = [1; 16];
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &caseworker,
            report_concern(report, child, "public", VILLAGE),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &net.director_elsewhere,
            report_concern(report, child, "public", VILLAGE),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &net.director,
            report_concern(report, child, "rumour", VILLAGE),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &net.director,
            report_concern(report, [9; 16], "public", VILLAGE),
            Code::NotFound,
            "UNKNOWN_PERSON",
        ),
        (
            &net.director,
            verify_concern(report),
            Code::NotFound,
            "UNKNOWN_REPORT",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(app.log_size().await, size);
    app.submit(
        &net.director,
        report_concern(report, child, "mandatory-reporter", VILLAGE),
    )
    .await
    .unwrap();
    assert_reason(
        app.submit(
            &net.director,
            report_concern(report, child, "public", VILLAGE),
        )
        .await,
        Code::AlreadyExists,
        "ALREADY_REGISTERED",
    );
    let open_concerns = cpb::ChildTaskKind::OpenConcerns;
    assert_eq!(
        tasks(&mut app, &net.supervisor, open_concerns).await,
        [report.to_vec()]
    );
    assert!(
        tasks(&mut app, &net.supervisor_elsewhere, open_concerns)
            .await
            .is_empty()
    );
    assert_reason(
        app.submit(&net.director, close_concern(report, None, "checked"))
            .await,
        Code::FailedPrecondition,
        "CONCERN_NOT_IN_STATE",
    );
    app.submit(&net.director, verify_concern(report))
        .await
        .unwrap();
    assert_reason(
        app.submit(&net.director, verify_concern(report)).await,
        Code::FailedPrecondition,
        "CONCERN_NOT_IN_STATE",
    );
    // The case it opens: a child-protection case, of this child.
    let case = [2; 16];
    let dibao = [3; 16];
    let other = [4; 16];
    app.submit(&caseworker, open(dibao, child, "dibao/2"))
        .await
        .unwrap();
    app.submit(
        &net.director,
        open_case(other, "child-protection/1", sibling, VILLAGE),
    )
    .await
    .unwrap();
    app.submit(
        &net.director,
        open_case(case, "child-protection/1", child, VILLAGE),
    )
    .await
    .unwrap();
    let size = app.log_size().await;
    let admin = app.admin.clone();
    for (signer, closing, code, reason) in [
        // The director may not even look at a case of the caseworkers' programs.
        (
            &net.director,
            dibao,
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &admin,
            dibao,
            Code::FailedPrecondition,
            "NOT_A_CHILDRENS_CASE",
        ),
        (
            &net.director,
            other,
            Code::FailedPrecondition,
            "CASE_OF_ANOTHER_PERSON",
        ),
        (&net.director, [5; 16], Code::NotFound, "UNKNOWN_CASE"),
    ] {
        assert_reason(
            app.submit(signer, close_concern(report, Some(closing), "case opened"))
                .await,
            code,
            reason,
        );
    }
    assert_eq!(app.log_size().await, size);
    app.submit(
        &net.director,
        close_concern(report, Some(case), "case opened"),
    )
    .await
    .unwrap();
    assert!(
        tasks(&mut app, &net.supervisor, open_concerns)
            .await
            .is_empty()
    );
    let file = app
        .client
        .child_file(&net.supervisor, child, "concern follow-up")
        .await
        .unwrap();
    assert_eq!(file.reports.len(), 1);
    assert_eq!(file.reports[0].state, "case-opened");
    assert_eq!(file.reports[0].source, "mandatory-reporter");
    assert_eq!(file.reports[0].case_id, case.to_vec());
    // A second report, closed without a case.
    let unfounded = [6; 16];
    app.submit(
        &net.supervisor,
        report_concern(unfounded, sibling, "data-match", VILLAGE),
    )
    .await
    .unwrap();
    app.submit(&net.supervisor, verify_concern(unfounded))
        .await
        .unwrap();
    app.submit(
        &net.supervisor,
        close_concern(unfounded, None, "family visited, no risk found"),
    )
    .await
    .unwrap();
    assert_reason(
        app.submit(&net.supervisor, close_concern(unfounded, None, "again"))
            .await,
        Code::FailedPrecondition,
        "CONCERN_NOT_IN_STATE",
    );
}

fn step(case: [u8; 16], to: &str) -> pb::transaction_body::Operation {
    transition_case(case, to, "as planned", "")
}

#[tokio::test]
async fn a_child_protection_case_moves_by_director_and_supervisor_and_reopens() {
    let (mut app, caseworker) = programs_ledger().await;
    let net = network(&mut app).await;
    let child = registered_child(&mut app, &caseworker, &born(10, "001")).await;
    let adult = person_with_record(&mut app, &caseworker, &resident_id("42058119900101003"))
        .await
        .id;
    let case = [1; 16];
    let admin = app.admin.clone();
    app.submit(&admin, register_area("420581100002", "二村"))
        .await
        .unwrap();
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &caseworker,
            open_case(case, "child-protection/1", child, VILLAGE),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &net.director_elsewhere,
            open_case(case, "child-protection/1", child, VILLAGE),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &net.director,
            open_case(case, "dibao/2", child, VILLAGE),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &net.supervisor,
            open_case(case, "child-protection/1", child, "420581100"),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &net.director,
            open_case(case, "child-protection/1", adult, VILLAGE),
            Code::FailedPrecondition,
            "CHILD_TOO_OLD",
        ),
        // Another village of the child's township is not where the child is followed.
        (
            &net.supervisor,
            open_case(case, "child-protection/1", child, "420581100002"),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(app.log_size().await, size);
    app.submit(
        &net.director,
        open_case(case, "child-protection/1", child, VILLAGE),
    )
    .await
    .unwrap();
    // Each step by the actor its table names; another is refused and nothing changes.
    let d = &net.director;
    let s = &net.supervisor;
    for (signer, to, refused) in [
        (&caseworker, "assessment", Some("ROLE_NOT_ALLOWED")),
        (&net.director_elsewhere, "assessment", Some("OUT_OF_SCOPE")),
        (d, "plan", Some("TRANSITION_NOT_ALLOWED")),
        (d, "assessment", None),
        (d, "plan", None),
        (d, "services", Some("ROLE_NOT_ALLOWED")),
        (s, "services", None),
        (d, "monitoring", None),
        (d, "closed", Some("ROLE_NOT_ALLOWED")),
        (s, "closed", None),
        (s, "services", Some("TRANSITION_NOT_ALLOWED")),
        (s, "assessment", None),
    ] {
        let before = app.log_size().await;
        let result = app.submit(signer, step(case, to)).await;
        match refused {
            Some(reason) => {
                let code = match reason {
                    "TRANSITION_NOT_ALLOWED" => Code::FailedPrecondition,
                    _ => Code::PermissionDenied,
                };
                assert_reason(result, code, reason);
                assert_eq!(app.log_size().await, before, "{to}");
            }
            None => {
                result.unwrap();
            }
        }
    }
    // A children's case is read for a purpose, and the read is recorded.
    let before = recorded(&mut app).await.len();
    assert_reason(
        app.client.case(&net.supervisor, case).await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    let read = app
        .client
        .case_for(&net.supervisor, case, "supervision")
        .await
        .unwrap();
    let log = recorded(&mut app).await;
    assert_eq!(log.len(), before + 1);
    assert_eq!(log[before].purpose, "child's case: supervision");
    assert_eq!(log[before].reader, net.supervisor.key_id().to_string());
    assert_eq!(read.state, "assessment");
    let states: Vec<&str> = read.steps.iter().map(|s| s.to_state.as_str()).collect();
    assert_eq!(
        states,
        [
            "new",
            "assessment",
            "plan",
            "services",
            "monitoring",
            "closed",
            "assessment"
        ]
    );
    // Children's cases are not caseworkers' to read, nor another township's; nor listed to
    // them, and each listed to the network is recorded.
    for signer in [&caseworker, &net.supervisor_elsewhere] {
        assert_reason(
            app.client.case_for(signer, case, "curious").await,
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        );
    }
    let all = shanzhi::pb::casework::ListCasesRequest {
        filter: shanzhi::pb::casework::CaseFilter::All.into(),
        ..Default::default()
    };
    let before = recorded(&mut app).await.len();
    for (signer, listed) in [
        (&caseworker, 0),
        (&net.supervisor_elsewhere, 0),
        (&net.director, 1),
    ] {
        let page = app.client.cases(signer, all.clone()).await.unwrap();
        assert_eq!(page.cases.len(), listed);
    }
    let log = recorded(&mut app).await;
    assert_eq!(log.len(), before + 1);
    assert_eq!(log[before].purpose, "listed by ListCases");
}

#[tokio::test]
async fn a_childs_file_is_read_only_within_scope_and_every_read_is_recorded() {
    let (mut app, caseworker) = programs_ledger().await;
    let net = network(&mut app).await;
    let child = registered_child(&mut app, &caseworker, &born(10, "001")).await;
    app.submit(
        &net.supervisor,
        set_child_category(child, "orphan", VILLAGE, EVIDENCE),
    )
    .await
    .unwrap();
    let admin = app.admin.clone();
    let auditor = Signer::generate();
    let officer = Signer::generate();
    let other_officer = Signer::generate();
    for (signer, role, scope) in [
        (&auditor, pb::Role::Auditor, ""),
        (&officer, pb::Role::ProgramOfficer, "children/420581100"),
        (
            &other_officer,
            pb::Role::ProgramOfficer,
            "assistance/420581",
        ),
    ] {
        app.submit(&admin, register_key(signer, role, scope))
            .await
            .unwrap();
    }
    let before = recorded(&mut app).await.len();
    for (signer, asked, purpose, code, reason) in [
        (
            &net.director_elsewhere,
            child,
            "curious",
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &net.supervisor_elsewhere,
            child,
            "curious",
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &caseworker,
            child,
            "curious",
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &other_officer,
            child,
            "curious",
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &net.director,
            child,
            "",
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        // A child the log knows nothing of reads as one out of scope: no probing.
        (
            &net.director,
            [9; 16],
            "curious",
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
    ] {
        assert_reason(
            app.client.child_file(signer, asked, purpose).await,
            code,
            reason,
        );
    }
    assert_eq!(
        recorded(&mut app).await.len(),
        before,
        "refused reads are not recorded"
    );
    for (signer, purpose) in [
        (&net.director, "home visit planning"),
        (&net.supervisor, "supervision"),
        (&officer, "subsidy check"),
        (&auditor, "annual audit"),
    ] {
        let file = app.client.child_file(signer, child, purpose).await.unwrap();
        assert_eq!(file.active.unwrap().category, "orphan");
        let log = recorded(&mut app).await;
        let last = log.last().unwrap();
        assert_eq!(last.reader, signer.key_id().to_string());
        assert_eq!(last.purpose, format!("child's file: {purpose}"));
    }
    assert_eq!(recorded(&mut app).await.len(), before + 4);
}
