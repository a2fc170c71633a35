//! The capital projects through the real server: a project defined once by the bureau with
//! its planned investment in fen, yearly plans and milestones; progress reported once per
//! month, in order, never decreasing except by the bureau's audited correction; milestones
//! reached once; the portfolio of planned against invested, in all and for a year; reads only
//! within scope; every refusal with its code and reason and nothing logged; and `shanzhi
//! verify` replaying it all.

use shanzhi::client::{
    Signer, correct_investment, define_project, reach_milestone, report_progress,
};
use shanzhi::ledger::CivilDate;
use shanzhi::pb::points as pb;
use shanzhi::pb::projects as ppb;
use shanzhi::testkit::register_key;
use tonic::Code;

use crate::helpers::*;
use crate::subjects::programs_ledger;

const AUDIT: [u8; 32] = [9; 32];

fn day(text: &str) -> u32 {
    CivilDate::parse("date", text).unwrap().days()
}

/// The Honggao regional elderly centre of the plan: 10 million yuan, 8 million in 2023.
fn honggao() -> ppb::DefineProject {
    ppb::DefineProject {
        project_id: "honggao-elderly-centre".into(),
        name: "红高片区区域性养老服务中心".into(),
        area_code: "420581200".into(),
        planned_fen: 1_000_000_000,
        years: vec![ppb::YearPlan {
            year: 2023,
            planned_fen: 800_000_000,
        }],
        milestones: vec![
            ppb::Milestone {
                code: "approval".into(),
                title: "审批手续".into(),
                due_date: day("2023-06-30"),
            },
            ppb::Milestone {
                code: "completion".into(),
                title: "竣工".into(),
                due_date: day("2024-12-31"),
            },
        ],
        approval_sha256: vec![1; 32],
    }
}

/// The ledger of the programs' tests, with a projects officer of the second township (where
/// Honggao is), one of the first, and the project defined.
async fn projects_ledger() -> (TestApp, Signer, Signer) {
    let (app, _caseworker) = programs_ledger().await;
    let admin = app.admin.clone();
    let officer = Signer::generate();
    let elsewhere = Signer::generate();
    for (signer, scope) in [
        (&officer, "projects/420581200"),
        (&elsewhere, "projects/420581100"),
    ] {
        app.submit(
            &admin,
            register_key(signer, pb::Role::ProgramOfficer, scope),
        )
        .await
        .unwrap();
    }
    app.submit(&admin, define_project(honggao())).await.unwrap();
    (app, officer, elsewhere)
}

#[tokio::test]
async fn a_project_is_defined_once_by_the_bureau_with_its_plans_in_fen() {
    let (mut app, officer, _) = projects_ledger().await;
    let admin = app.admin.clone();
    let with = |edit: fn(&mut ppb::DefineProject)| {
        let mut d = honggao();
        d.project_id = "another".into();
        edit(&mut d);
        define_project(d)
    };
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &officer,
            with(|_| {}),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &admin,
            define_project(honggao()),
            Code::AlreadyExists,
            "ALREADY_REGISTERED",
        ),
        (
            &admin,
            with(|d| d.area_code = "420581300".into()),
            Code::NotFound,
            "UNKNOWN_AREA",
        ),
        (
            &admin,
            with(|d| d.planned_fen = 0),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &admin,
            with(|d| d.years[0].planned_fen = 1_000_000_001),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &admin,
            with(|d| d.milestones[1].code = "approval".into()),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &admin,
            with(|d| d.approval_sha256.truncate(31)),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(
        app.log_size().await,
        size,
        "refused definitions are not logged"
    );
    let project = app
        .client
        .project(&officer, "honggao-elderly-centre")
        .await
        .unwrap();
    assert_eq!(project.planned_fen, 1_000_000_000);
    assert_eq!(project.years[0].planned_fen, 800_000_000);
    assert_eq!(project.milestones.len(), 2);
    assert_eq!(project.invested_fen, 0);
    assert_eq!(project.defined_by, admin.key_id().to_string());
}

#[tokio::test]
async fn progress_is_reported_once_a_month_in_order_and_lowered_only_by_an_audited_correction() {
    let (mut app, officer, elsewhere) = projects_ledger().await;
    let admin = app.admin.clone();
    let id = "honggao-elderly-centre";
    app.submit(
        &officer,
        report_progress(id, "2023-03", 100_000_000, "地基"),
    )
    .await
    .unwrap();
    app.submit(&officer, report_progress(id, "2023-05", 300_000_000, ""))
        .await
        .unwrap();
    let this_month = {
        let now = shanzhi::writer::now_unix_ms();
        shanzhi::ledger::Period::containing(now).to_string()
    };
    let caseworker = Signer::generate();
    app.submit(
        &admin,
        register_key(&caseworker, pb::Role::Caseworker, "420581200"),
    )
    .await
    .unwrap();
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &officer,
            report_progress(id, "2023-05", 300_000_000, ""),
            Code::AlreadyExists,
            "PERIOD_ALREADY_REPORTED",
        ),
        (
            &officer,
            report_progress(id, "2023-04", 300_000_000, ""),
            Code::FailedPrecondition,
            "PERIOD_BEFORE_LAST_REPORTED",
        ),
        (
            &officer,
            report_progress(id, "2023-06", 299_999_999, ""),
            Code::FailedPrecondition,
            "INVESTMENT_DECREASED",
        ),
        (
            &officer,
            report_progress(id, &this_month, 400_000_000, ""),
            Code::FailedPrecondition,
            "PROGRESS_MONTH_NOT_ENDED",
        ),
        (
            &officer,
            report_progress(id, "2023-03", 300_000_000, ""),
            Code::AlreadyExists,
            "PERIOD_ALREADY_REPORTED",
        ),
        (
            &officer,
            report_progress(id, "1999-12", 400_000_000, ""),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &elsewhere,
            report_progress("nowhere", "2023-06", 1, ""),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &officer,
            report_progress("nowhere", "2023-06", 1, ""),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &admin,
            report_progress("nowhere", "2023-06", 1, ""),
            Code::NotFound,
            "UNKNOWN_PROJECT",
        ),
        (
            &elsewhere,
            report_progress(id, "2023-06", 400_000_000, ""),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
        (
            &caseworker,
            report_progress(id, "2023-06", 400_000_000, ""),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &officer,
            report_progress(id, "2023-13", 400_000_000, ""),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            &officer,
            correct_investment(id, 250_000_000, AUDIT, "审计调减"),
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        ),
        (
            &admin,
            correct_investment(id, 300_000_000, AUDIT, "审计"),
            Code::FailedPrecondition,
            "CORRECTION_UNCHANGED",
        ),
        (
            &admin,
            correct_investment(id, 250_000_000, AUDIT, ""),
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(app.log_size().await, size, "refused reports are not logged");

    // Only the audit lowers it; later months build on the corrected figure.
    app.submit(
        &admin,
        correct_investment(id, 250_000_000, AUDIT, "审计调减 5000 万元"),
    )
    .await
    .unwrap();
    app.submit(&officer, report_progress(id, "2023-06", 280_000_000, ""))
        .await
        .unwrap();
    app.submit(&officer, report_progress(id, "2024-01", 900_000_000, ""))
        .await
        .unwrap();
    let project = app.client.project(&officer, id).await.unwrap();
    let figures: Vec<(String, u64, bool)> = project
        .figures
        .iter()
        .map(|f| (f.period.clone(), f.cumulative_fen, f.correction))
        .collect();
    assert_eq!(
        figures,
        [
            ("2023-03".to_owned(), 100_000_000, false),
            ("2023-05".to_owned(), 300_000_000, false),
            ("2023-05".to_owned(), 250_000_000, true),
            ("2023-06".to_owned(), 280_000_000, false),
            ("2024-01".to_owned(), 900_000_000, false),
        ]
    );
    assert_eq!(project.figures[2].audit_sha256, AUDIT.to_vec());
    assert_eq!(project.invested_fen, 900_000_000);

    // A project never reported has nothing to correct.
    let mut other = honggao();
    other.project_id = "welfare-homes".into();
    app.submit(&admin, define_project(other)).await.unwrap();
    assert_reason(
        app.submit(
            &admin,
            correct_investment("welfare-homes", 1, AUDIT, "审计"),
        )
        .await,
        Code::FailedPrecondition,
        "NO_PROGRESS_REPORTED",
    );
    assert_eq!(verify_whole_log(&mut app).await, app.log_size().await);
}

#[tokio::test]
async fn milestones_are_reached_once_and_the_portfolio_weighs_planned_against_invested() {
    let (mut app, officer, elsewhere) = projects_ledger().await;
    let admin = app.admin.clone();
    let id = "honggao-elderly-centre";
    let mut qilin = honggao();
    qilin.project_id = "qilinshan-cemetery".into();
    qilin.name = "麒麟山公墓及配套设施建设项目".into();
    qilin.area_code = "420581100".into();
    qilin.planned_fen = 13_828_000_000;
    qilin.years[0].planned_fen = 3_000_000_000;
    app.submit(&admin, define_project(qilin)).await.unwrap();
    let today = CivilDate::of(shanzhi::ledger::UnixMs(shanzhi::writer::now_unix_ms()));
    let size = app.log_size().await;
    for (signer, op, code, reason) in [
        (
            &officer,
            reach_milestone(id, "opening", day("2023-05-01")),
            Code::NotFound,
            "UNKNOWN_MILESTONE",
        ),
        (
            &officer,
            reach_milestone(id, "approval", today.days() + 2),
            Code::FailedPrecondition,
            "DATE_OUT_OF_RANGE",
        ),
        (
            &elsewhere,
            reach_milestone(id, "approval", day("2023-05-01")),
            Code::PermissionDenied,
            "OUT_OF_SCOPE",
        ),
    ] {
        assert_reason(app.submit(signer, op).await, code, reason);
    }
    assert_eq!(app.log_size().await, size);
    app.submit(&officer, reach_milestone(id, "approval", day("2023-05-01")))
        .await
        .unwrap();
    assert_reason(
        app.submit(&officer, reach_milestone(id, "approval", day("2023-05-02")))
            .await,
        Code::AlreadyExists,
        "MILESTONE_REACHED",
    );
    app.submit(&officer, report_progress(id, "2022-12", 50_000_000, ""))
        .await
        .unwrap();
    app.submit(&officer, report_progress(id, "2023-12", 850_000_000, ""))
        .await
        .unwrap();
    app.submit(
        &elsewhere,
        report_progress("qilinshan-cemetery", "2023-12", 3_456_000_000, ""),
    )
    .await
    .unwrap();

    let portfolio = app.client.portfolio(&admin, "", 2023).await.unwrap();
    assert_eq!(portfolio.year, 2023);
    let lines: Vec<(&str, u64, u64, u64, i64, u32, u32)> = portfolio
        .lines
        .iter()
        .map(|l| {
            (
                l.project_id.as_str(),
                l.invested_fen,
                l.completion_per_mille,
                l.year_planned_fen,
                l.year_invested_fen,
                l.milestones_reached,
                l.milestones_overdue,
            )
        })
        .collect();
    // Honggao: 850 of 1000 (10 million yuan) by the end of 2023, 800 of it in 2023; its
    // completion milestone (due 2024-12-31) is overdue by now. Qilinshan: 3456 of 13828.
    assert_eq!(
        lines,
        [
            (
                "honggao-elderly-centre",
                850_000_000,
                850,
                800_000_000,
                800_000_000,
                1,
                1
            ),
            (
                "qilinshan-cemetery",
                3_456_000_000,
                249,
                3_000_000_000,
                3_456_000_000,
                0,
                2
            ),
        ]
    );
    assert_eq!(portfolio.planned_fen, 14_828_000_000);
    assert_eq!(portfolio.invested_fen, 4_306_000_000);
    assert_eq!(portfolio.year_invested_fen, 4_256_000_000);

    // A projects officer sees their area's projects only; other roles none.
    let mine = app.client.portfolio(&officer, "", 2023).await.unwrap();
    assert_eq!(mine.lines.len(), 1);
    assert_eq!(mine.lines[0].project_id, id);
    let within = app
        .client
        .portfolio(&admin, "420581100", 2023)
        .await
        .unwrap();
    assert_eq!(within.lines.len(), 1);
    assert_eq!(within.lines[0].project_id, "qilinshan-cemetery");
    assert_reason(
        app.client.project(&elsewhere, id).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    let caseworker = Signer::generate();
    app.submit(
        &admin,
        register_key(&caseworker, pb::Role::Caseworker, "420581200"),
    )
    .await
    .unwrap();
    assert_reason(
        app.client.portfolio(&caseworker, "", 0).await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    assert_reason(
        app.client.project(&admin, "nowhere").await,
        Code::NotFound,
        "UNKNOWN_PROJECT",
    );
    // To a projects officer, an unknown project and another area's read alike.
    assert_reason(
        app.client.project(&elsewhere, "nowhere").await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    // An audit may also raise a figure; the year column follows it.
    app.submit(
        &admin,
        correct_investment(id, 860_000_000, AUDIT, "审计调增 10 万元"),
    )
    .await
    .unwrap();
    let portfolio = app.client.portfolio(&admin, "", 2023).await.unwrap();
    assert_eq!(portfolio.lines[0].year_invested_fen, 810_000_000);
    assert_eq!(portfolio.year_planned_fen, 3_800_000_000);
    assert_reason(
        app.client.portfolio(&admin, "", 1999).await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    assert_eq!(verify_whole_log(&mut app).await, app.log_size().await);
}
