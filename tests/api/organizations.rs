//! Social organizations through the real server: annual reports once per year and their
//! inspections; the abnormal list for a report missing after its due date or an
//! unreachable organization, its cures, and the serious list only after two years on it;
//! grants once per organization within a contest's budget and area, never to an organization
//! on the serious list; enforcement cases closed once, dissolving only by the bureau; every
//! refusal with its code and reason and nothing logged; and `shanzhi verify` replaying it all.

use shanzhi::client::{
    IdentityNumber, Signer, award_grant, close_enforcement_case, define_contest,
    file_annual_report, list_abnormal, list_serious, open_enforcement_case,
    record_annual_inspection, remove_from_abnormal_list,
};
use shanzhi::ledger::CivilDate;
use shanzhi::pb::organizations as opb;
use shanzhi::pb::points as pb;
use shanzhi::testkit::register_key;
use tonic::Code;

use crate::helpers::*;
use crate::subjects::programs_ledger;

const DIGEST: [u8; 32] = [4; 32];

/// A unified social credit code: `first17` and its GB 32100 check character.
pub(crate) fn credit_code(first17: &str) -> String {
    const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| CHARSET.iter().position(|c| *c == b).unwrap() * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    format!("{first17}{}", char::from(CHARSET[check]))
}

struct Orgs {
    app: TestApp,
    officer: Signer,
    elsewhere: Signer,
    /// Two organizations of the first township's village and one of the second township's.
    a: [u8; 16],
    b: [u8; 16],
    c: [u8; 16],
}

/// The programs' ledger with an organizations officer of each township and three registered
/// organizations.
async fn organizations_ledger() -> Orgs {
    let (mut app, _caseworker) = programs_ledger().await;
    let admin = app.admin.clone();
    let (officer, elsewhere) = township_officers(&app, "organizations").await;
    assert_eq!(credit_code("91350100M000100Y4"), "91350100M000100Y43");
    let mut ids = Vec::new();
    for (code, area) in [
        ("51420581MJH00001X", "420581100001"),
        ("51420581MJH00002X", "420581100001"),
        ("51420581MJH00003X", "420581200001"),
    ] {
        let registered = app
            .client
            .register_subject(&admin, IdentityNumber::Credit(credit_code(code)), area)
            .await
            .unwrap();
        ids.push(registered.id);
    }
    Orgs {
        app,
        officer,
        elsewhere,
        a: ids[0],
        b: ids[1],
        c: ids[2],
    }
}

fn this_year(app: &TestApp) -> u32 {
    let (year, _, _) = CivilDate::from_days(app.today()).unwrap().ymd();
    u32::try_from(year).unwrap()
}

fn contest(id: &str, area: &str, budget_fen: u64) -> pb::transaction_body::Operation {
    define_contest(opb::DefineContest {
        contest_id: id.into(),
        title: "宜都市公益创投大赛".into(),
        year: 2026,
        area_code: area.into(),
        budget_fen,
    })
}

fn grant(
    contest: &str,
    organization: [u8; 16],
    amount_fen: u64,
) -> pb::transaction_body::Operation {
    award_grant(opb::AwardGrant {
        contest_id: contest.into(),
        organization_id: organization.to_vec(),
        amount_fen,
        project_title: "留守儿童陪伴".into(),
        application_sha256: DIGEST.to_vec(),
    })
}

#[tokio::test]
async fn reports_lists_and_grants_follow_the_rules_and_the_serious_list_bars_grants() {
    let Orgs {
        mut app,
        officer,
        elsewhere,
        a,
        b,
        c,
    } = organizations_ledger().await;
    let admin = app.admin.clone();
    let year = this_year(&app);
    let last = year - 1;
    let two_ago = year - 2;

    // A's report of last year, filed and inspected.
    app.submit(&officer, file_annual_report(a, last, DIGEST))
        .await
        .unwrap();
    app.submit(
        &officer,
        record_annual_inspection(a, last, "qualified", DIGEST),
    )
    .await
    .unwrap();
    // B's report of two years ago is missing: B goes on the abnormal list.
    app.submit(&officer, list_abnormal(b, Some(two_ago), None))
        .await
        .unwrap();
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                file_annual_report(a, last, DIGEST),
                Code::AlreadyExists,
                "ANNUAL_REPORT_FILED",
            ),
            (
                &officer,
                file_annual_report(a, year, DIGEST),
                Code::FailedPrecondition,
                "REPORT_YEAR_NOT_ENDED",
            ),
            (
                &elsewhere,
                file_annual_report(a, two_ago, DIGEST),
                Code::PermissionDenied,
                "OUT_OF_SCOPE",
            ),
            (
                &officer,
                file_annual_report([9; 16], last, DIGEST),
                Code::NotFound,
                "UNKNOWN_ORGANIZATION",
            ),
            (
                &officer,
                record_annual_inspection(a, two_ago, "qualified", DIGEST),
                Code::FailedPrecondition,
                "NO_ANNUAL_REPORT",
            ),
            (
                &officer,
                record_annual_inspection(a, last, "qualified", DIGEST),
                Code::AlreadyExists,
                "ANNUAL_INSPECTION_RECORDED",
            ),
            (
                &officer,
                record_annual_inspection(a, last, "excellent", DIGEST),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            // A's report of last year is filed, not missing; this year's is not yet due.
            (
                &officer,
                list_abnormal(a, Some(last), None),
                Code::FailedPrecondition,
                "REPORT_NOT_MISSING",
            ),
            // This year's report is not even due: the year has not ended (REPORT_NOT_YET_DUE,
            // for last year's before 31 May, is tested on the state machine's clock).
            (
                &officer,
                list_abnormal(a, Some(year), None),
                Code::FailedPrecondition,
                "REPORT_YEAR_NOT_ENDED",
            ),
            (
                &officer,
                list_abnormal(a, None, None),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            // A year no report can be filed for is no ground: nothing could cure it.
            (
                &officer,
                list_abnormal(a, Some(1999), None),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (
                &officer,
                file_annual_report(a, 1999, DIGEST),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (
                &officer,
                list_abnormal(b, None, Some(DIGEST)),
                Code::FailedPrecondition,
                "ORGANIZATION_LISTED",
            ),
            // B's ground is not cured, and two years have not passed.
            (
                &officer,
                remove_from_abnormal_list(b, None, "补报"),
                Code::FailedPrecondition,
                "REPORT_STILL_MISSING",
            ),
            (
                &officer,
                list_serious(b, "满两年"),
                Code::PermissionDenied,
                "ROLE_NOT_ALLOWED",
            ),
            (
                &admin,
                list_serious(b, "满两年"),
                Code::FailedPrecondition,
                "ABNORMAL_FOR_LESS_THAN_TWO_YEARS",
            ),
            (
                &admin,
                list_serious(a, "not listed"),
                Code::FailedPrecondition,
                "NOT_ON_ABNORMAL_LIST",
            ),
        ],
    )
    .await;

    // A unreachable, then reached again: listed and removed with the evidence.
    app.submit(&officer, list_abnormal(a, None, Some(DIGEST)))
        .await
        .unwrap();
    assert_all_refused(
        &mut app,
        vec![(
            &officer,
            remove_from_abnormal_list(a, None, "联系上了"),
            Code::InvalidArgument,
            "INVALID_FIELD",
        )],
    )
    .await;
    app.submit(
        &officer,
        remove_from_abnormal_list(a, Some([6; 32]), "联系上了"),
    )
    .await
    .unwrap();
    let record = app.client.organization(&elsewhere, a).await.unwrap();
    assert_eq!(record.list, "");
    assert_eq!(record.status, "active");
    assert_eq!(
        record
            .history
            .iter()
            .map(|e| e.event.as_str())
            .collect::<Vec<_>>(),
        ["abnormal", "removed"]
    );
    assert_eq!(record.reports.len(), 1);
    assert_eq!(record.inspections[0].result, "qualified");

    // Grants: once per organization, within the budget and the area.
    app.submit(&admin, contest("venture", "420581100", 5_000_000))
        .await
        .unwrap();
    app.submit(&admin, grant("venture", a, 3_000_000))
        .await
        .unwrap();
    // B is on the abnormal list, not the serious one: it may be granted.
    app.submit(&admin, grant("venture", b, 1_000_000))
        .await
        .unwrap();
    assert_all_refused(
        &mut app,
        vec![
            (
                &admin,
                grant("venture", a, 1),
                Code::AlreadyExists,
                "GRANT_ALREADY_AWARDED",
            ),
            (
                &admin,
                grant("venture", c, 1),
                Code::FailedPrecondition,
                "GRANTEE_OUTSIDE_CONTEST_AREA",
            ),
            (
                &admin,
                grant("no-such-contest", a, 1),
                Code::NotFound,
                "UNKNOWN_CONTEST",
            ),
            (
                &officer,
                grant("venture", a, 1),
                Code::PermissionDenied,
                "ROLE_NOT_ALLOWED",
            ),
            (
                &admin,
                contest("venture", "420581", 1),
                Code::AlreadyExists,
                "ALREADY_REGISTERED",
            ),
        ],
    )
    .await;
    app.submit(&admin, contest("city", "420581", 2_000_000))
        .await
        .unwrap();
    app.submit(&admin, grant("city", c, 1_500_000))
        .await
        .unwrap();
    assert_all_refused(
        &mut app,
        vec![(
            &admin,
            grant("city", a, 500_001),
            Code::FailedPrecondition,
            "CONTEST_BUDGET_EXCEEDED",
        )],
    )
    .await;
    let venture = app.client.contest(&elsewhere, "venture").await.unwrap();
    assert_eq!(venture.granted_fen, 4_000_000);
    assert_eq!(venture.grants.len(), 2);

    // Two years on the abnormal list: the bureau moves B to the serious list, and no grant
    // goes to it any more.
    let listed = app.client.organization(&officer, b).await.unwrap();
    assert_eq!(listed.list, "abnormal");
    assert_eq!(listed.ground, "missing-report");
    assert_eq!(listed.ground_year, two_ago);
    // C, of the other township, is listed the same day for the same year, then files that
    // report late: its ground is cured, so it never goes to the serious list.
    app.submit(&elsewhere, list_abnormal(c, Some(two_ago), None))
        .await
        .unwrap();
    // Both lists in pages of one, in area order, with the totals of the whole list and of an
    // area.
    let page = |token: &str, area: &str| opb::ListListedRequest {
        list: "abnormal".into(),
        area_code: area.into(),
        page_size: 1,
        page_token: token.into(),
    };
    let first = app.client.listed(&officer, page("", "")).await.unwrap();
    assert_eq!(first.organizations[0].organization_id, b.to_vec());
    assert_eq!(first.total, 2);
    let second = app
        .client
        .listed(&officer, page(&first.next_page_token, ""))
        .await
        .unwrap();
    assert_eq!(second.organizations[0].organization_id, c.to_vec());
    assert!(second.next_page_token.is_empty());
    for (area, total, first_id) in [
        ("420581100", 1, b),
        ("420581200001", 1, c),
        ("420581", 2, b),
    ] {
        let listed = app.client.listed(&officer, page("", area)).await.unwrap();
        assert_eq!(
            (
                listed.total,
                listed.organizations[0].organization_id.clone()
            ),
            (total, first_id.to_vec()),
            "{area}"
        );
    }
    app.submit(&elsewhere, file_annual_report(c, two_ago, DIGEST))
        .await
        .unwrap();
    // The day before the second anniversary of B's listing, then the day itself.
    let from = CivilDate::parse("serious_from", &listed.serious_from)
        .unwrap()
        .days();
    app.advance_days(u64::from(from - app.today() - 1));
    assert_all_refused(
        &mut app,
        vec![(
            &admin,
            list_serious(b, "列入活动异常名录满两年"),
            Code::FailedPrecondition,
            "ABNORMAL_FOR_LESS_THAN_TWO_YEARS",
        )],
    )
    .await;
    app.advance_days(1);
    app.submit(&admin, list_serious(b, "列入活动异常名录满两年"))
        .await
        .unwrap();
    assert_all_refused(
        &mut app,
        vec![(
            &admin,
            list_serious(c, "满两年"),
            Code::FailedPrecondition,
            "REPORT_NOT_MISSING",
        )],
    )
    .await;
    app.submit(&elsewhere, remove_from_abnormal_list(c, None, "年报已补报"))
        .await
        .unwrap();
    assert_all_refused(
        &mut app,
        vec![
            (
                &admin,
                grant("city", b, 1),
                Code::FailedPrecondition,
                "GRANTEE_ON_SERIOUS_LIST",
            ),
            (
                &officer,
                remove_from_abnormal_list(b, None, "补报"),
                Code::FailedPrecondition,
                "NOT_ON_ABNORMAL_LIST",
            ),
        ],
    )
    .await;
    let serious = app
        .client
        .listed(
            &officer,
            opb::ListListedRequest {
                list: "serious".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(serious.total, 1);
    assert_eq!(serious.organizations[0].organization_id, b.to_vec());
    let abnormal = app
        .client
        .listed(
            &officer,
            opb::ListListedRequest {
                list: "abnormal".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(abnormal.total, 0);
    assert_reason(
        app.client
            .listed(
                &officer,
                opb::ListListedRequest {
                    list: "grey".into(),
                    ..Default::default()
                },
            )
            .await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    let b_record = app.client.organization(&officer, b).await.unwrap();
    assert_eq!(b_record.list, "serious");
    assert_eq!(b_record.abnormal_since, listed.abnormal_since);
    assert_eq!(
        b_record.grants.len(),
        1,
        "the grant before stays on its record"
    );
    assert_eq!(verify_whole_log(&mut app).await, app.log_size().await);
}

#[tokio::test]
async fn enforcement_cases_close_once_and_only_the_bureau_dissolves() {
    let Orgs {
        mut app,
        officer,
        elsewhere,
        a,
        ..
    } = organizations_ledger().await;
    let admin = app.admin.clone();
    let year = this_year(&app);
    let cleanup = |case: u8, organization: [u8; 16]| opb::OpenEnforcementCase {
        case_id: vec![case; 16],
        kind: "zombie-cleanup".into(),
        organization_id: organization.to_vec(),
        area_code: String::new(),
        name: String::new(),
        ground: "两年未开展活动".into(),
        evidence_sha256: DIGEST.to_vec(),
    };
    app.submit(&officer, open_enforcement_case(cleanup(1, a)))
        .await
        .unwrap();
    let with_area = opb::OpenEnforcementCase {
        area_code: "420581100".into(),
        ..cleanup(2, a)
    };
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                open_enforcement_case(cleanup(2, a)),
                Code::AlreadyExists,
                "CLEANUP_CASE_OPEN",
            ),
            (
                &elsewhere,
                open_enforcement_case(cleanup(2, a)),
                Code::PermissionDenied,
                "OUT_OF_SCOPE",
            ),
            (
                &officer,
                open_enforcement_case(with_area),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (
                &officer,
                close_enforcement_case([1; 16], "deregistered", DIGEST, "注销"),
                Code::PermissionDenied,
                "ROLE_NOT_ALLOWED",
            ),
            (
                &officer,
                close_enforcement_case([1; 16], "banned", DIGEST, "取缔"),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (
                &officer,
                close_enforcement_case([7; 16], "rectified", DIGEST, "整改"),
                Code::NotFound,
                "UNKNOWN_ENFORCEMENT_CASE",
            ),
        ],
    )
    .await;
    app.submit(&officer, list_abnormal(a, None, Some(DIGEST)))
        .await
        .unwrap();
    app.submit(
        &admin,
        close_enforcement_case([1; 16], "deregistered", DIGEST, "注销登记"),
    )
    .await
    .unwrap();
    // Dissolved, it leaves the abnormal list; its history keeps the listing.
    let record = app.client.organization(&officer, a).await.unwrap();
    assert_eq!(record.list, "");
    assert_eq!(
        record
            .history
            .iter()
            .map(|e| e.event.as_str())
            .collect::<Vec<_>>(),
        ["abnormal", "dissolved"]
    );
    let abnormal = app
        .client
        .listed(
            &officer,
            opb::ListListedRequest {
                list: "abnormal".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(abnormal.total, 0);
    assert_all_refused(
        &mut app,
        vec![
            (
                &admin,
                close_enforcement_case([1; 16], "rectified", DIGEST, "again"),
                Code::FailedPrecondition,
                "ENFORCEMENT_CASE_CLOSED",
            ),
            (
                &officer,
                file_annual_report(a, year - 1, DIGEST),
                Code::FailedPrecondition,
                "ORGANIZATION_DISSOLVED",
            ),
            (
                &officer,
                list_abnormal(a, None, Some(DIGEST)),
                Code::FailedPrecondition,
                "ORGANIZATION_DISSOLVED",
            ),
            (
                &officer,
                open_enforcement_case(cleanup(2, a)),
                Code::FailedPrecondition,
                "ORGANIZATION_DISSOLVED",
            ),
            (
                &officer,
                record_annual_inspection(a, year - 1, "qualified", DIGEST),
                Code::FailedPrecondition,
                "ORGANIZATION_DISSOLVED",
            ),
        ],
    )
    .await;
    app.submit(&admin, contest("venture", "420581", 1_000))
        .await
        .unwrap();
    assert_all_refused(
        &mut app,
        vec![(
            &admin,
            grant("venture", a, 1),
            Code::FailedPrecondition,
            "ORGANIZATION_DISSOLVED",
        )],
    )
    .await;
    assert_eq!(
        app.client.organization(&officer, a).await.unwrap().status,
        "deregistered"
    );

    // A report of an illegal organization, referred by the officer.
    let illegal = opb::OpenEnforcementCase {
        case_id: vec![3; 16],
        kind: "illegal-organization".into(),
        organization_id: Vec::new(),
        area_code: "420581100001".into(),
        name: "宜都市某某联谊会".into(),
        ground: "群众举报以协会名义收费".into(),
        evidence_sha256: DIGEST.to_vec(),
    };
    app.submit(&officer, open_enforcement_case(illegal))
        .await
        .unwrap();
    app.submit(
        &officer,
        close_enforcement_case([3; 16], "referred", DIGEST, "移送公安机关"),
    )
    .await
    .unwrap();
    let case = app
        .client
        .enforcement_case(&officer, [3; 16])
        .await
        .unwrap();
    assert_eq!(case.kind, "illegal-organization");
    assert_eq!(case.outcome, "referred");
    assert_eq!(case.name, "宜都市某某联谊会");
    // Cases are read by the bureau, auditors and the area's organizations officers only.
    assert_reason(
        app.client.enforcement_case(&elsewhere, [3; 16]).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    let caseworker = Signer::generate();
    app.submit(
        &admin,
        register_key(&caseworker, pb::Role::Caseworker, "420581100"),
    )
    .await
    .unwrap();
    assert_reason(
        app.client.enforcement_case(&caseworker, [3; 16]).await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    // An auditor reads every case; to an officer an unknown case reads as out of scope.
    let auditor = Signer::generate();
    app.submit(&admin, register_key(&auditor, pb::Role::Auditor, ""))
        .await
        .unwrap();
    assert_eq!(
        app.client
            .enforcement_case(&auditor, [3; 16])
            .await
            .unwrap()
            .outcome,
        "referred"
    );
    assert_reason(
        app.client.enforcement_case(&auditor, [8; 16]).await,
        Code::NotFound,
        "UNKNOWN_ENFORCEMENT_CASE",
    );
    assert_reason(
        app.client.enforcement_case(&officer, [8; 16]).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert_eq!(verify_whole_log(&mut app).await, app.log_size().await);
}
