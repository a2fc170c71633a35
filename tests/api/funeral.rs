//! Funeral through the real server: one death case per person, the certificate before a
//! cremation, a plot or a subsidy; each scene booked once, an ash placement after its
//! cremation; a plot held by one deceased for its term (free again once the term ends), one
//! plot per deceased, ash graves at most 1 m², a village public cemetery for its own
//! villagers; the subsidy once; scattered graves identified, cleared and verified by another
//! key; every refusal with its code and reason and nothing logged; reads only within scope;
//! and `shanzhi verify` replaying it all.

use shanzhi::client::{
    IdentityNumber, Signer, advance_scattered_grave, allocate_plot, book_funeral_service,
    define_cemetery, define_plots, grant_funeral_subsidy, identify_scattered_grave,
    record_death_certificate, register_death, release_plot, renew_plot,
};
use shanzhi::pb::funeral as fpb;
use tonic::Code;

use crate::helpers::*;
use crate::subjects::{person_in_village, programs_ledger, resident_id};

const CERTIFICATE: [u8; 32] = [3; 32];

struct Funeral {
    app: TestApp,
    caseworker: Signer,
    officer: Signer,
    elsewhere: Signer,
}

/// The programs' ledger with a funeral officer of each township.
async fn funeral_ledger() -> Funeral {
    let (app, caseworker) = programs_ledger().await;
    let (officer, elsewhere) = township_officers(&app, "funeral").await;
    Funeral {
        app,
        caseworker,
        officer,
        elsewhere,
    }
}

/// A person of the first township's village, dead yesterday, with a death case `case`
/// (opened by `officer`, with the certificate if `certified`).
async fn death(f: &mut Funeral, number: &str, case: u8, certified: bool) -> ([u8; 16], u32) {
    let person = person_in_village(&mut f.app, &f.caseworker, &resident_id(number)).await;
    let died_on = f.app.today() - 1;
    f.app
        .submit(
            &f.officer,
            register_death(
                [case; 16],
                person.id,
                died_on,
                certified.then_some(CERTIFICATE),
            ),
        )
        .await
        .unwrap();
    (person.id, died_on)
}

#[tokio::test]
async fn a_death_case_needs_its_certificate_and_books_each_scene_once() {
    let mut f = funeral_ledger().await;
    let (person, died_on) = death(&mut f, "42058119400101001", 1, false).await;
    let today = f.app.today();
    let Funeral {
        mut app,
        caseworker,
        officer,
        elsewhere,
    } = f;
    let admin = app.admin.clone();
    let book = |scene: &str, on: u32| book_funeral_service([1; 16], scene, on, "宜都市殡仪馆");
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                register_death([2; 16], person, died_on, None),
                Code::AlreadyExists,
                "DEATH_ALREADY_REGISTERED",
            ),
            (
                &elsewhere,
                register_death([2; 16], person, died_on, None),
                Code::PermissionDenied,
                "OUT_OF_SCOPE",
            ),
            (
                &officer,
                register_death([2; 16], [7; 16], died_on, None),
                Code::NotFound,
                "UNKNOWN_PERSON",
            ),
            (
                &officer,
                book("cremation", died_on + 2),
                Code::FailedPrecondition,
                "DEATH_CERTIFICATE_REQUIRED",
            ),
            (
                &officer,
                grant_funeral_subsidy([1; 16], 150_000, "basic funeral services"),
                Code::FailedPrecondition,
                "DEATH_CERTIFICATE_REQUIRED",
            ),
            (
                &officer,
                book("ash-placement", died_on + 3),
                Code::FailedPrecondition,
                "CREMATION_NOT_BOOKED",
            ),
            (
                &officer,
                book("vigil", died_on - 1),
                Code::FailedPrecondition,
                "DATE_OUT_OF_RANGE",
            ),
            (
                &officer,
                book("banquet", today),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (
                &officer,
                book("vigil", today + 400),
                Code::FailedPrecondition,
                "DATE_OUT_OF_RANGE",
            ),
            (
                &officer,
                grant_funeral_subsidy([1; 16], 1_000_001, "above the ceiling"),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (
                &officer,
                book_funeral_service([9; 16], "vigil", died_on, "hall"),
                Code::NotFound,
                "UNKNOWN_DEATH_CASE",
            ),
            (
                &elsewhere,
                book("vigil", died_on),
                Code::PermissionDenied,
                "OUT_OF_SCOPE",
            ),
        ],
    )
    .await;
    // A death tomorrow is refused for a new person.
    let other = person_in_village(&mut app, &caseworker, &resident_id("42058119400101002")).await;
    assert_all_refused(
        &mut app,
        vec![(
            &officer,
            register_death([2; 16], other.id, today + 1, None),
            Code::FailedPrecondition,
            "DATE_OUT_OF_RANGE",
        )],
    )
    .await;

    app.submit(&officer, record_death_certificate([1; 16], CERTIFICATE))
        .await
        .unwrap();
    app.submit(&officer, book("transport", today))
        .await
        .unwrap();
    // Memorials recur.
    for _ in 0..2 {
        app.submit(&officer, book("memorial", today + 30))
            .await
            .unwrap();
    }
    app.submit(&officer, book("cremation", died_on + 2))
        .await
        .unwrap();
    app.submit(&officer, book("ash-placement", died_on + 3))
        .await
        .unwrap();
    app.submit(
        &officer,
        grant_funeral_subsidy([1; 16], 150_000, "basic funeral services"),
    )
    .await
    .unwrap();
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                record_death_certificate([1; 16], CERTIFICATE),
                Code::AlreadyExists,
                "DEATH_CERTIFICATE_RECORDED",
            ),
            (
                &officer,
                book("cremation", died_on + 3),
                Code::AlreadyExists,
                "SCENE_ALREADY_BOOKED",
            ),
            (
                &admin,
                grant_funeral_subsidy([1; 16], 150_000, "again"),
                Code::AlreadyExists,
                "FUNERAL_SUBSIDY_GRANTED",
            ),
        ],
    )
    .await;
    let case = app.client.death_case(&officer, [1; 16]).await.unwrap();
    assert_eq!(
        case.bookings
            .iter()
            .map(|b| b.scene.as_str())
            .collect::<Vec<_>>(),
        [
            "transport",
            "memorial",
            "memorial",
            "cremation",
            "ash-placement"
        ]
    );
    assert_eq!(case.subsidy_fen, 150_000);
    assert_eq!(case.certificate_sha256, CERTIFICATE.to_vec());
    assert_eq!(case.area_code, "420581100001");
    // Read only within scope, and only by the funeral roles.
    assert_reason(
        app.client.death_case(&elsewhere, [1; 16]).await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert_reason(
        app.client.death_case(&caseworker, [1; 16]).await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    assert_eq!(verify_whole_log(&mut app).await, app.log_size().await);
}

#[tokio::test]
async fn a_plot_is_held_once_per_term_and_a_village_cemetery_serves_its_villagers() {
    let mut f = funeral_ledger().await;
    let admin = f.app.admin.clone();
    let cemetery = |id: &str, area: &str, kind: &str, cycle_years: u32| {
        define_cemetery(fpb::DefineCemetery {
            cemetery_id: id.into(),
            name: "公墓".into(),
            area_code: area.into(),
            kind: kind.into(),
            cycle_years,
        })
    };
    for op in [
        cemetery("yicun", "420581100001", "village-public", 0),
        cemetery("qilinshan", "420581", "public-welfare", 0),
        cemetery("short", "420581100", "public-welfare", 2),
    ] {
        f.app.submit(&admin, op).await.unwrap();
    }
    f.app
        .submit(&f.officer, define_plots("yicun", &["A-1", "A-2"], 80))
        .await
        .unwrap();
    f.app
        .submit(&f.officer, define_plots("short", &["S-1"], 100))
        .await
        .unwrap();
    f.app
        .submit(
            &admin,
            define_plots("qilinshan", &["Q-1", "Q-2", "Q-3"], 60),
        )
        .await
        .unwrap();
    let (_, _) = death(&mut f, "42058119400101011", 1, true).await;
    let (_, _) = death(&mut f, "42058119400101012", 3, false).await;
    let (_, _) = death(&mut f, "42058119400101013", 4, true).await;
    // A person of the second township, whose death the bureau registers.
    let outsider = f
        .app
        .client
        .register_subject(
            &admin,
            IdentityNumber::Resident(resident_id("42058119400101014")),
            "420581200001",
        )
        .await
        .unwrap();
    let yesterday = f.app.today() - 1;
    f.app
        .submit(
            &admin,
            register_death([2; 16], outsider.id, yesterday, Some(CERTIFICATE)),
        )
        .await
        .unwrap();
    let Funeral {
        mut app,
        officer,
        elsewhere,
        ..
    } = f;
    app.submit(&officer, allocate_plot("yicun", "A-1", [1; 16]))
        .await
        .unwrap();
    let too_large = define_plots("yicun", &["A-3"], 101);
    let twice = define_plots("yicun", &["A-3", "A-3"], 80);
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                allocate_plot("yicun", "A-1", [4; 16]),
                Code::AlreadyExists,
                "PLOT_ALLOCATED",
            ),
            (
                &officer,
                allocate_plot("yicun", "A-2", [1; 16]),
                Code::AlreadyExists,
                "DECEASED_HAS_PLOT",
            ),
            (
                &officer,
                allocate_plot("yicun", "A-2", [3; 16]),
                Code::FailedPrecondition,
                "DEATH_CERTIFICATE_REQUIRED",
            ),
            (
                &admin,
                allocate_plot("yicun", "A-2", [2; 16]),
                Code::FailedPrecondition,
                "NOT_A_VILLAGER",
            ),
            (
                &officer,
                allocate_plot("yicun", "A-9", [4; 16]),
                Code::NotFound,
                "UNKNOWN_PLOT",
            ),
            (
                &officer,
                allocate_plot("nowhere", "A-1", [4; 16]),
                Code::NotFound,
                "UNKNOWN_CEMETERY",
            ),
            (&officer, too_large, Code::InvalidArgument, "INVALID_FIELD"),
            (&officer, twice, Code::InvalidArgument, "INVALID_FIELD"),
            (
                &officer,
                define_plots("yicun", &["A-1"], 80),
                Code::AlreadyExists,
                "ALREADY_REGISTERED",
            ),
            (
                &officer,
                define_plots("qilinshan", &["Q-9"], 80),
                Code::PermissionDenied,
                "OUT_OF_SCOPE",
            ),
            (
                &officer,
                cemetery("new", "420581100", "village-public", 0),
                Code::PermissionDenied,
                "ROLE_NOT_ALLOWED",
            ),
            (
                &admin,
                cemetery("new", "420581100", "village-public", 0),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (
                &admin,
                cemetery("yicun", "420581100001", "village-public", 0),
                Code::AlreadyExists,
                "ALREADY_REGISTERED",
            ),
        ],
    )
    .await;
    // A city cemetery takes anyone of the city.
    app.submit(&admin, allocate_plot("qilinshan", "Q-1", [2; 16]))
        .await
        .unwrap();
    let plot = app.client.plot(&officer, "yicun", "A-1").await.unwrap();
    assert_eq!(plot.case_id, vec![1; 16]);
    let (year, month, day) = shanzhi::ledger::CivilDate::from_days(app.today())
        .unwrap()
        .ymd();
    let anniversary = shanzhi::ledger::CivilDate::from_ymd(year + 20, month, day)
        .unwrap_or_else(|| shanzhi::ledger::CivilDate::from_ymd(year + 20, 3, 1).unwrap());
    assert_eq!(
        plot.held_until,
        shanzhi::ledger::CivilDate::from_days(anniversary.days() - 1)
            .unwrap()
            .to_string(),
        "held for 20 years"
    );
    assert_reason(
        app.client.plot(&elsewhere, "yicun", "A-1").await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );

    // A two-year term: the plot stays held through it and after it, until the family renews
    // it or the remains are moved and the plot released.
    app.submit(&officer, allocate_plot("short", "S-1", [4; 16]))
        .await
        .unwrap();
    let listed = app.client.cemeteries(&admin, "").await.unwrap();
    assert_eq!(
        listed
            .cemeteries
            .iter()
            .map(|c| (c.cemetery_id.as_str(), c.plots_allocated, c.plots))
            .collect::<Vec<_>>(),
        [("qilinshan", 1, 3), ("short", 1, 1), ("yicun", 1, 2)]
    );
    assert_eq!((listed.plots_allocated, listed.plots), (3, 6));
    app.submit(&officer, record_death_certificate([3; 16], CERTIFICATE))
        .await
        .unwrap();
    let agreement = [8; 32];
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                allocate_plot("short", "S-1", [3; 16]),
                Code::AlreadyExists,
                "PLOT_ALLOCATED",
            ),
            (
                &officer,
                renew_plot("short", "S-1", agreement),
                Code::FailedPrecondition,
                "RENEWAL_NOT_DUE",
            ),
            (
                &admin,
                release_plot("qilinshan", "Q-2", [9; 32], "moved"),
                Code::FailedPrecondition,
                "PLOT_NOT_HELD",
            ),
        ],
    )
    .await;
    app.advance_days(2 * 366);
    let short = app.client.cemeteries(&officer, "420581100").await.unwrap();
    assert_eq!(
        short
            .cemeteries
            .iter()
            .map(|c| (
                c.cemetery_id.as_str(),
                c.plots_allocated,
                c.plots_term_ended
            ))
            .collect::<Vec<_>>(),
        [("short", 1, 1), ("yicun", 1, 0)],
        "the officer sees the cemeteries of their township; the short term has ended"
    );
    assert_all_refused(
        &mut app,
        vec![(
            &officer,
            allocate_plot("short", "S-1", [3; 16]),
            Code::AlreadyExists,
            "PLOT_ALLOCATED",
        )],
    )
    .await;
    let before = app.client.plot(&officer, "short", "S-1").await.unwrap();
    app.submit(&officer, renew_plot("short", "S-1", agreement))
        .await
        .unwrap();
    let renewed = app.client.plot(&officer, "short", "S-1").await.unwrap();
    assert_eq!(renewed.renewals, 1);
    assert!(renewed.held_until > before.held_until, "{renewed:?}");
    let short = app.client.cemeteries(&officer, "420581100").await.unwrap();
    assert_eq!(short.plots_term_ended, 0);
    // The remains moved: the plot is free, the old case holds none, another deceased gets it.
    app.submit(
        &officer,
        release_plot("short", "S-1", [9; 32], "moved to an ecological burial"),
    )
    .await
    .unwrap();
    assert_eq!(
        app.client
            .death_case(&officer, [4; 16])
            .await
            .unwrap()
            .plot_code,
        ""
    );
    app.submit(&officer, allocate_plot("short", "S-1", [3; 16]))
        .await
        .unwrap();
    let plot = app.client.plot(&officer, "short", "S-1").await.unwrap();
    assert_eq!(
        (plot.case_id, plot.allocations, plot.renewals),
        (vec![3; 16], 2, 0)
    );
    let short = app.client.cemeteries(&officer, "420581100").await.unwrap();
    assert_eq!(short.plots_allocated, 2);
    assert_eq!(verify_whole_log(&mut app).await, app.log_size().await);
}

#[tokio::test]
async fn a_scattered_grave_is_cleared_then_verified_by_another_key() {
    let Funeral {
        mut app,
        officer,
        elsewhere,
        ..
    } = funeral_ledger().await;
    let admin = app.admin.clone();
    let grave = |id: u8| {
        identify_scattered_grave(fpb::IdentifyScatteredGrave {
            grave_id: vec![id; 16],
            area_code: "420581100001".into(),
            location: "the hillside above the school".into(),
            evidence_sha256: vec![6; 32],
        })
    };
    app.submit(&officer, grave(1)).await.unwrap();
    app.submit(&officer, grave(2)).await.unwrap();
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                advance_scattered_grave([1; 16], "verified", [6; 32], ""),
                Code::FailedPrecondition,
                "SCATTERED_GRAVE_OUT_OF_ORDER",
            ),
            (&elsewhere, grave(3), Code::PermissionDenied, "OUT_OF_SCOPE"),
            (
                &officer,
                grave(1),
                Code::AlreadyExists,
                "ALREADY_REGISTERED",
            ),
            (
                &officer,
                advance_scattered_grave([9; 16], "cleared", [6; 32], ""),
                Code::NotFound,
                "UNKNOWN_SCATTERED_GRAVE",
            ),
        ],
    )
    .await;
    app.submit(
        &officer,
        advance_scattered_grave([1; 16], "cleared", [7; 32], "moved to the cemetery"),
    )
    .await
    .unwrap();
    assert_all_refused(
        &mut app,
        vec![(
            &officer,
            advance_scattered_grave([1; 16], "verified", [8; 32], ""),
            Code::FailedPrecondition,
            "VERIFIER_IS_CLEARER",
        )],
    )
    .await;
    app.submit(
        &admin,
        advance_scattered_grave([1; 16], "verified", [8; 32], "checked on site"),
    )
    .await
    .unwrap();
    assert_all_refused(
        &mut app,
        vec![(
            &admin,
            advance_scattered_grave([1; 16], "verified", [8; 32], ""),
            Code::FailedPrecondition,
            "SCATTERED_GRAVE_OUT_OF_ORDER",
        )],
    )
    .await;
    // Two pages of one grave each; the counts on every page.
    let ask = |token: String| fpb::ListScatteredGravesRequest {
        area_code: "420581100".into(),
        page_size: 1,
        page_token: token,
    };
    let first = app
        .client
        .scattered_graves(&officer, ask(String::new()))
        .await
        .unwrap();
    assert_eq!(first.graves.len(), 1);
    assert_eq!(first.graves[0].state, "verified");
    assert_eq!(first.graves[0].steps.len(), 3);
    assert_eq!((first.identified, first.cleared, first.verified), (1, 0, 1));
    let second = app
        .client
        .scattered_graves(&officer, ask(first.next_page_token.clone()))
        .await
        .unwrap();
    assert_eq!(second.graves[0].grave_id, vec![2; 16]);
    assert!(second.next_page_token.is_empty());
    assert_eq!((second.identified, second.verified), (1, 1));
    assert_reason(
        app.client
            .scattered_graves(&elsewhere, ask(String::new()))
            .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert_eq!(verify_whole_log(&mut app).await, app.log_size().await);
}
