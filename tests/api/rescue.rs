//! Rescue and disability through the real server: a declined encounter never followed by an
//! admission; campaigns counting the encounters within their days and area; one open admission
//! per person; an unidentified person's tracing notice due in 24 hours and required before the
//! discharge; an adult's stay past 10 days discharged only with a reason; minors, elderly and
//! disabled people never discharged unescorted; consent before any rehabilitation session;
//! reads within scope and recorded; every refusal with its code and reason and nothing logged;
//! and `shanzhi verify` replaying it all.

use shanzhi::client::{
    admit, define_campaign, discharge, extend_stay, publish_tracing_notice, record_consent,
    record_encounter, record_session, withdraw_consent,
};
use shanzhi::pb::points as pb;
use shanzhi::pb::rescue as rpb;
use tonic::Code;

use crate::helpers::*;
use crate::subjects::{person_with_record, programs_ledger, resident_id};

const DIGEST: [u8; 32] = [3; 32];

fn encounter(id: u8, help: &str, campaign: &str) -> pb::transaction_body::Operation {
    record_encounter(rpb::RecordEncounter {
        encounter_id: vec![id; 16],
        area_code: "420581100001".into(),
        help: help.into(),
        campaign_id: campaign.into(),
        note: "water and a hat".into(),
    })
}

fn admission(
    id: u8,
    person: Option<[u8; 16]>,
    group: &str,
    from: Option<u8>,
) -> pb::transaction_body::Operation {
    admit(rpb::Admit {
        admission_id: vec![id; 16],
        area_code: "420581100".into(),
        person_id: person.map(|p| p.to_vec()).unwrap_or_default(),
        group: group.into(),
        encounter_id: from.map(|e| vec![e; 16]).unwrap_or_default(),
    })
}

fn leave(id: u8, escort: &str) -> pb::transaction_body::Operation {
    discharge(rpb::Discharge {
        admission_id: vec![id; 16],
        escort: escort.into(),
        handover_sha256: if escort == "none" {
            Vec::new()
        } else {
            DIGEST.to_vec()
        },
        note: String::new(),
    })
}

#[tokio::test]
async fn help_is_voluntary_and_the_vulnerable_leave_only_escorted() {
    let (mut app, caseworker) = programs_ledger().await;
    let admin = app.admin.clone();
    let (officer, elsewhere) = township_officers(&app, "rescue").await;
    let today = app.today();
    app.submit(
        &officer,
        define_campaign(rpb::DefineCampaign {
            campaign_id: "summer".into(),
            kind: "summer-cool".into(),
            area_code: "420581100".into(),
            starts_on: today - 1,
            ends_on: today + 60,
        }),
    )
    .await
    .unwrap();
    app.submit(&officer, encounter(1, "accepted", "summer"))
        .await
        .unwrap();
    app.submit(&officer, encounter(2, "declined", "summer"))
        .await
        .unwrap();
    let minor = person_with_record(&mut app, &caseworker, &resident_id("42058120150101001"))
        .await
        .id;
    let adult = person_with_record(&mut app, &caseworker, &resident_id("42058119800101002"))
        .await
        .id;
    // The minor from the accepted encounter; an unidentified adult.
    app.submit(&officer, admission(1, Some(minor), "minor", Some(1)))
        .await
        .unwrap();
    app.submit(&officer, admission(2, None, "adult", None))
        .await
        .unwrap();
    let too_long = define_campaign(rpb::DefineCampaign {
        campaign_id: "long".into(),
        kind: "winter-warmth".into(),
        area_code: "420581100".into(),
        starts_on: today,
        ends_on: today + 200,
    });
    let ended = define_campaign(rpb::DefineCampaign {
        campaign_id: "ended".into(),
        kind: "winter-warmth".into(),
        area_code: "420581100".into(),
        starts_on: today - 30,
        ends_on: today - 2,
    });
    app.submit(&officer, ended).await.unwrap();
    assert_all_refused(
        &mut app,
        vec![
            // Help is voluntary: the declined encounter stays declined.
            (
                &officer,
                admission(3, Some(adult), "adult", Some(2)),
                Code::FailedPrecondition,
                "HELP_DECLINED",
            ),
            (
                &officer,
                admission(3, Some(adult), "adult", Some(1)),
                Code::AlreadyExists,
                "ENCOUNTER_ADMITTED",
            ),
            (
                &officer,
                admission(3, Some(minor), "minor", None),
                Code::AlreadyExists,
                "ALREADY_ADMITTED",
            ),
            // The group is the record's: the 1980 adult is no elderly person, no minor.
            (
                &officer,
                admission(3, Some(adult), "elderly", None),
                Code::FailedPrecondition,
                "ADMISSION_GROUP_MISMATCH",
            ),
            (
                &officer,
                admission(3, Some(adult), "minor", None),
                Code::FailedPrecondition,
                "ADMISSION_GROUP_MISMATCH",
            ),
            (
                &officer,
                admission(3, Some(adult), "adult", Some(9)),
                Code::NotFound,
                "UNKNOWN_ENCOUNTER",
            ),
            (
                &officer,
                admission(3, Some(adult), "child", None),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (
                &elsewhere,
                admission(3, Some(adult), "adult", None),
                Code::PermissionDenied,
                "OUT_OF_SCOPE",
            ),
            (
                &officer,
                encounter(3, "accepted", "ended"),
                Code::FailedPrecondition,
                "CAMPAIGN_NOT_RUNNING",
            ),
            (
                &officer,
                encounter(3, "accepted", "nowhere"),
                Code::NotFound,
                "UNKNOWN_CAMPAIGN",
            ),
            (
                &officer,
                encounter(3, "maybe", ""),
                Code::InvalidArgument,
                "INVALID_FIELD",
            ),
            (&officer, too_long, Code::InvalidArgument, "INVALID_FIELD"),
            // Minors are never discharged unescorted.
            (
                &officer,
                leave(1, "none"),
                Code::FailedPrecondition,
                "UNESCORTED_DISCHARGE",
            ),
            // The unidentified adult: no discharge before the tracing notice.
            (
                &officer,
                leave(2, "none"),
                Code::FailedPrecondition,
                "TRACING_NOTICE_REQUIRED",
            ),
            (
                &officer,
                publish_tracing_notice(rpb::PublishTracingNotice {
                    admission_id: vec![1; 16],
                    notice_sha256: DIGEST.to_vec(),
                }),
                Code::FailedPrecondition,
                "TRACING_NOT_NEEDED",
            ),
            (
                &officer,
                extend_stay(rpb::ExtendStay {
                    admission_id: vec![1; 16],
                    reason: "awaiting the guardian".into(),
                }),
                Code::FailedPrecondition,
                "STAY_NOT_LIMITED",
            ),
        ],
    )
    .await;
    let campaign = app.client.campaign(&officer, "summer").await.unwrap();
    assert_eq!(
        (
            campaign.encounters,
            campaign.accepted,
            campaign.declined,
            campaign.admissions
        ),
        (2, 1, 1, 1)
    );
    // The notice is due in 24 hours: overdue a day later, and the stay past 10 days needs
    // its reason.
    app.advance_days(2);
    let open = app
        .client
        .open_admissions(
            &officer,
            rpb::ListOpenAdmissionsRequest {
                area_code: "420581100".into(),
                purpose: "daily round".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let unidentified = open
        .admissions
        .iter()
        .find(|a| a.admission_id == vec![2; 16])
        .unwrap();
    assert!(unidentified.tracing_overdue && !unidentified.stay_overdue);
    let notice = publish_tracing_notice(rpb::PublishTracingNotice {
        admission_id: vec![2; 16],
        notice_sha256: DIGEST.to_vec(),
    });
    app.submit(&officer, notice.clone()).await.unwrap();
    app.advance_days(10);
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                notice,
                Code::AlreadyExists,
                "TRACING_NOTICE_PUBLISHED",
            ),
            (
                &officer,
                leave(2, "none"),
                Code::FailedPrecondition,
                "STAY_REASON_REQUIRED",
            ),
        ],
    )
    .await;
    let reason = extend_stay(rpb::ExtendStay {
        admission_id: vec![2; 16],
        reason: "medical treatment".into(),
    });
    app.submit(&officer, reason.clone()).await.unwrap();
    assert_all_refused(
        &mut app,
        vec![(
            &officer,
            reason.clone(),
            Code::AlreadyExists,
            "STAY_ALREADY_EXTENDED",
        )],
    )
    .await;
    app.submit(&officer, leave(2, "none")).await.unwrap();
    app.submit(&officer, leave(1, "guardian")).await.unwrap();
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                reason,
                Code::FailedPrecondition,
                "ADMISSION_DISCHARGED",
            ),
            (
                &officer,
                leave(1, "family"),
                Code::FailedPrecondition,
                "ADMISSION_DISCHARGED",
            ),
            (
                &officer,
                leave(9, "family"),
                Code::NotFound,
                "UNKNOWN_ADMISSION",
            ),
        ],
    )
    .await;
    // Discharged, the minor may be admitted again.
    app.submit(&officer, admission(3, Some(minor), "minor", None))
        .await
        .unwrap();
    let read = app
        .client
        .admission(&officer, [3; 16], "follow-up")
        .await
        .unwrap();
    assert_eq!(read.person_id, minor.to_vec());
    assert_reason(
        app.client.admission(&elsewhere, [3; 16], "curious").await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert_reason(
        app.client.admission(&caseworker, [3; 16], "curious").await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    // The read of the minor's admission is in the access log.
    let log = app.client.access_events(&admin, 0, 1000).await.unwrap();
    assert!(
        log.events
            .iter()
            .any(|e| e.purpose == "rescue admission: follow-up"),
        "{log:?}"
    );

    // Rehabilitation: consent before any session, withdrawn at will.
    let session = || {
        record_session(rpb::RecordSession {
            person_id: adult.to_vec(),
            kind: "skills-training".into(),
            note: String::new(),
        })
    };
    let consent = || {
        record_consent(rpb::RecordConsent {
            person_id: adult.to_vec(),
            consent_sha256: DIGEST.to_vec(),
        })
    };
    let withdraw = || {
        withdraw_consent(rpb::WithdrawConsent {
            person_id: adult.to_vec(),
            note: String::new(),
        })
    };
    assert_all_refused(
        &mut app,
        vec![
            (
                &officer,
                session(),
                Code::FailedPrecondition,
                "CONSENT_REQUIRED",
            ),
            (
                &officer,
                withdraw(),
                Code::FailedPrecondition,
                "CONSENT_REQUIRED",
            ),
        ],
    )
    .await;
    app.submit(&officer, consent()).await.unwrap();
    app.submit(&officer, session()).await.unwrap();
    app.submit(&officer, withdraw()).await.unwrap();
    assert_all_refused(
        &mut app,
        vec![(
            &officer,
            session(),
            Code::FailedPrecondition,
            "CONSENT_REQUIRED",
        )],
    )
    .await;
    app.submit(&officer, consent()).await.unwrap();
    assert_all_refused(
        &mut app,
        vec![
            (&officer, consent(), Code::AlreadyExists, "CONSENT_RECORDED"),
            (
                &elsewhere,
                session(),
                Code::PermissionDenied,
                "OUT_OF_SCOPE",
            ),
        ],
    )
    .await;
    let rehab = app
        .client
        .rehabilitation(&officer, adult, "review")
        .await
        .unwrap();
    assert_eq!(
        (
            rehab.consent,
            rehab.consents,
            rehab.withdrawals,
            rehab.sessions
        ),
        (true, 2, 1, 1)
    );
    assert_eq!(verify_whole_log(&mut app).await, app.log_size().await);
}
