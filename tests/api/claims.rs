//! Claims through the real server, with days passing on its clock (never by sleeping): a
//! village's month from claim to posting, the reads of claims and notices by who may read
//! them, and every refusal of points.md's "Authority" and "Issuance" lists with its code and
//! reason and nothing changed.

use prost::Message;
use shanzhi::client::Signer;
use shanzhi::pb::governance as gov;
use shanzhi::pb::points::transaction_body::Operation;
use shanzhi::testkit::{
    adopt_ops, approve, award_rule, deduction_rule, default_policy, file_objection,
    finalize_notice, household_cap, open_notice, register_member, reject, require_claims,
    resolve_objection, set_officer_household, set_policy, submit_claim, submit_claim_with, village,
};
use tonic::Code;

use crate::helpers::*;

/// A village ready for claims: a policy, a catalogue, two households with a resident each
/// and a member each, a proposer (of h1) and a reviewer (of no household of the village).
struct Ready {
    app: TestApp,
    proposer: Signer,
    reviewer: Signer,
    h1: Household,
    h2: Household,
    other: Village,
    today: u32,
}

async fn ready() -> Ready {
    let mut app = TestApp::spawn().await;
    // Start early in a month, so that the days the tests let pass stay in one month (caps
    // count per month of the deed).
    let (_, _, day) = shanzhi::ledger::CivilDate::from_days(app.today())
        .unwrap()
        .ymd();
    if day > 15 {
        app.advance_days(u64::from(32 - day));
    }
    let admin = app.admin.clone();
    let v1 = app.village("v1").await;
    let other = app.village("v2").await;
    app.allocate("v1", 100).await.unwrap();
    let reviewer = Signer::generate();
    app.submit(
        &admin,
        shanzhi::testkit::register_key(&reviewer, shanzhi::pb::points::Role::VillageOfficer, "v1"),
    )
    .await
    .unwrap();
    let h1 = app.household(&v1, "h1").await;
    let h2 = app.household(&v1, "h2").await;
    let today = app.today();
    for op in [
        register_member("h1", 1, today),
        register_member("h2", 2, today),
        set_officer_household(&v1.officer, Some("h1")),
        set_officer_household(&reviewer, None),
        set_policy(default_policy("v1", 1, today)),
    ] {
        app.submit(&admin, op).await.unwrap();
    }
    let mut env = award_rule("ENV-01", 5, 3);
    env.caps = vec![household_cap(gov::CapPeriod::Month, 20)];
    let mut help = award_rule("HELP-01", 30, 1);
    help.evidence_required = true;
    for op in adopt_ops(
        village("v1"),
        1,
        today,
        &[env, help, deduction_rule("LITTER-01", 10, 1)],
    ) {
        app.submit(&v1.officer, op).await.unwrap();
    }
    Ready {
        app,
        proposer: v1.officer,
        reviewer,
        h1,
        h2,
        other,
        today,
    }
}

/// Submits `op` as `signer`, expects `code` and `reason`, and checks the log did not grow.
async fn refused(app: &mut TestApp, signer: &Signer, op: Operation, code: Code, reason: &str) {
    let size = app.log_size().await;
    let result = app.submit(signer, op).await;
    assert_reason(result, code, reason);
    assert_eq!(app.log_size().await, size, "{reason}: the log grew");
}

#[tokio::test]
async fn a_village_month_from_claims_to_posted_points_through_the_api() {
    let Ready {
        mut app,
        proposer,
        reviewer,
        h1,
        h2,
        today,
        ..
    } = ready().await;
    for (claim, household) in [("c1", "h1"), ("c2", "h2"), ("c3", "h1")] {
        let deed = today;
        let rule = if claim == "c3" { "LITTER-01" } else { "ENV-01" };
        let quantity = if claim == "c3" { 1 } else { 2 };
        app.submit(
            &proposer,
            submit_claim(claim, household, rule, quantity, deed),
        )
        .await
        .unwrap();
        app.submit(&reviewer, approve(claim)).await.unwrap();
    }
    app.submit(&proposer, open_notice("n1", "v1", &["c1", "c2", "c3"]))
        .await
        .unwrap();
    // Pending points cannot be spent: not at a shop either.
    assert_eq!(app.balance(shanzhi::client::household("h1")).await, 0);
    let shop = app.shop("s-on-notice").await;
    let size = app.log_size().await;
    assert_reason(
        app.redeem(&shop, &h2, 5).await,
        Code::FailedPrecondition,
        "INSUFFICIENT_POINTS",
    );
    assert_eq!(app.log_size().await, size);
    // Objections: one upheld, one dismissed.
    app.submit(&h2.resident, file_objection("o1", "c1"))
        .await
        .unwrap();
    app.submit(&h1.resident, file_objection("o2", "c2"))
        .await
        .unwrap();
    let notice = app.client.notice(&h2.resident, "n1").await.unwrap();
    assert_eq!((notice.claims.len(), notice.objections.len()), (3, 2));
    assert_eq!(notice.ends_on, today + 7);
    app.advance_days(7);
    assert_reason(
        app.submit(&proposer, finalize_notice("n1")).await,
        Code::FailedPrecondition,
        "OBJECTION_OPEN",
    );
    app.submit(&reviewer, resolve_objection("o1", true))
        .await
        .unwrap();
    app.submit(&reviewer, resolve_objection("o2", false))
        .await
        .unwrap();
    let posted = app.submit(&proposer, finalize_notice("n1")).await.unwrap();
    // c2 posted 10 to h2; c1 rejected; c3 deducted 10 from h1, which held nothing: arrears.
    assert_eq!(app.balance(shanzhi::client::household("h2")).await, 10);
    let h1_account = app.account(shanzhi::client::household("h1")).await;
    assert_eq!(
        (
            h1_account.balance,
            h1_account.arrears,
            h1_account.earned_score
        ),
        (0, 10, -10)
    );
    assert_eq!(app.balance(shanzhi::client::issuer("v1")).await, 90);

    // Reads: the resident sees their household's claims only; the notice is public to the
    // village; a shop terminal reads neither.
    let mine = app
        .client
        .claims(
            &h1.resident,
            gov::ListClaimsRequest {
                village_id: "v1".into(),
                household_id: "h1".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let ids: Vec<_> = mine.claims.iter().map(|c| c.claim_id.as_str()).collect();
    assert_eq!(ids, ["c1", "c3"]);
    assert_eq!(mine.claims[0].status(), gov::ClaimStatus::Rejected);
    assert_eq!(mine.claims[1].status(), gov::ClaimStatus::Posted);
    assert_eq!(mine.claims[1].decided_at, posted.sequence);
    assert_eq!(mine.claims[1].batch_id, "n1");
    assert_reason(
        app.client.claim(&h1.resident, "c2").await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert_reason(
        app.client
            .claims(
                &h1.resident,
                gov::ListClaimsRequest {
                    village_id: "v1".into(),
                    ..Default::default()
                },
            )
            .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    let posted_only = app
        .client
        .claims(
            &reviewer,
            gov::ListClaimsRequest {
                village_id: "v1".into(),
                status: gov::ClaimStatus::Posted.into(),
                page_size: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(posted_only.claims.len(), 1);
    assert_eq!(posted_only.claims[0].claim_id, "c2");
    let shop = app.shop("s1").await;
    assert_reason(
        app.client.notice(&shop.terminal, "n1").await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    // The boards of the month of the posting: h2 red, h1 black.
    let board = app
        .client
        .board(
            &h2.resident,
            gov::GetBoardRequest {
                village_id: "v1".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let red: Vec<_> = board
        .red
        .iter()
        .map(|l| (l.household_id.as_str(), l.score))
        .collect();
    assert_eq!(red, [("h2", 10)]);
    let black: Vec<_> = board
        .black
        .iter()
        .map(|l| (l.household_id.as_str(), l.deducted))
        .collect();
    assert_eq!(black, [("h1", 10)]);
    assert_reason(
        app.client
            .board(
                &shop.terminal,
                gov::GetBoardRequest {
                    village_id: "v1".into(),
                    ..Default::default()
                },
            )
            .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert_reason(
        app.client
            .board(
                &h2.resident,
                gov::GetBoardRequest {
                    village_id: "v1".into(),
                    period: "2026-13".into(),
                    ..Default::default()
                },
            )
            .await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    let claim = app.client.claim(&app.admin.clone(), "c1").await.unwrap();
    assert_eq!(claim.reviews.len(), 1);
    assert_eq!(claim.points, 10);

    // Replayed on restart, the same; and the log verifies.
    app.restart().await;
    assert_eq!(app.client.claim(&reviewer, "c1").await.unwrap(), claim);
    let size = app.log_size().await;
    assert_eq!(verify_whole_log(&mut app).await, size);
}

#[tokio::test]
async fn every_authority_and_issuance_refusal_of_the_domain_through_the_api() {
    let Ready {
        mut app,
        proposer,
        reviewer,
        h1,
        other,
        today,
        ..
    } = ready().await;
    let admin = app.admin.clone();
    let a = &mut app;
    // Authority: a key outside its scope, a revoked key, the proposer or a member of the
    // benefiting household reviewing.
    refused(
        a,
        &other.officer,
        submit_claim("c", "h1", "ENV-01", 1, today),
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    )
    .await;
    refused(
        a,
        &h1.resident,
        submit_claim("c", "h1", "ENV-01", 1, today),
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    )
    .await;
    let revoked = Signer::generate();
    a.submit(
        &admin,
        shanzhi::testkit::register_key(&revoked, shanzhi::pb::points::Role::VillageOfficer, "v1"),
    )
    .await
    .unwrap();
    a.submit(&admin, shanzhi::testkit::revoke(&revoked))
        .await
        .unwrap();
    refused(
        a,
        &revoked,
        submit_claim("c", "h1", "ENV-01", 1, today),
        Code::PermissionDenied,
        "KEY_REVOKED",
    )
    .await;
    a.submit(&proposer, submit_claim("c1", "h1", "ENV-01", 2, today))
        .await
        .unwrap();
    refused(
        a,
        &proposer,
        approve("c1"),
        Code::PermissionDenied,
        "REVIEWER_CONFLICT",
    )
    .await;
    let member_of_h1 = Signer::generate();
    a.submit(
        &admin,
        shanzhi::testkit::register_key(
            &member_of_h1,
            shanzhi::pb::points::Role::VillageOfficer,
            "v1",
        ),
    )
    .await
    .unwrap();
    a.submit(&admin, set_officer_household(&member_of_h1, Some("h1")))
        .await
        .unwrap();
    refused(
        a,
        &member_of_h1,
        approve("c1"),
        Code::PermissionDenied,
        "REVIEWER_CONFLICT",
    )
    .await;

    // Issuance: a rule not in force on the deed's date, a quantity beyond the rule.
    refused(
        a,
        &proposer,
        submit_claim("c", "h1", "NONE-01", 1, today),
        Code::FailedPrecondition,
        "RULE_NOT_IN_FORCE",
    )
    .await;
    refused(
        a,
        &proposer,
        submit_claim("c", "h1", "ENV-01", 1, today - 1),
        Code::FailedPrecondition,
        "RULE_NOT_IN_FORCE",
    )
    .await;
    refused(
        a,
        &proposer,
        submit_claim("c", "h1", "ENV-01", 4, today),
        Code::FailedPrecondition,
        "QUANTITY_OVER_MAXIMUM",
    )
    .await;
    // An amount the caller chose: a claim has no field for it (an extra field is refused),
    // and once claims are required a direct issue is refused.
    let mut body = shanzhi::client::new_body(submit_claim("c9", "h1", "ENV-01", 1, today), 60_000);
    body.not_after_unix_ms = a.clock.now_unix_ms() + 60_000;
    let mut bytes = body.encode_to_vec();
    bytes.extend_from_slice(&[0xa8, 0x01, 0xe8, 0x07]); // field 21, varint 1000: "points"
    let size = a.log_size().await;
    let signed = proposer.sign_bytes(&a.client.ledger_id, bytes);
    assert_reason(
        a.client.submit_signed(signed).await,
        Code::InvalidArgument,
        "NON_CANONICAL",
    );
    assert_eq!(a.log_size().await, size);
    a.submit(&admin, require_claims()).await.unwrap();
    refused(
        a,
        &proposer,
        shanzhi::testkit::issue("v1", "h1", 10),
        Code::FailedPrecondition,
        "CLAIM_REQUIRED",
    )
    .await;
    // Beyond the cap, counting approved and pending claims: c1 (10, day 0) approved and on
    // notice, c2 (10, day 1) approved; c3 (5, day 2) would pass the 20 a month.
    a.submit(&reviewer, approve("c1")).await.unwrap();
    a.submit(&proposer, open_notice("n1", "v1", &["c1"]))
        .await
        .unwrap();
    a.advance_days(1);
    let day1 = a.today();
    a.submit(&proposer, submit_claim("c2", "h1", "ENV-01", 2, day1))
        .await
        .unwrap();
    a.submit(&reviewer, approve("c2")).await.unwrap();
    a.advance_days(1);
    let day2 = a.today();
    a.submit(&proposer, submit_claim("c3", "h1", "ENV-01", 1, day2))
        .await
        .unwrap();
    refused(
        a,
        &reviewer,
        approve("c3"),
        Code::FailedPrecondition,
        "CAP_EXCEEDED",
    )
    .await;
    a.submit(&reviewer, reject("c3")).await.unwrap();
    // Beyond the issuer's budget: 100, of which 20 reserved; two awards of 30 fit, a third
    // does not.
    for (claim, household, evidence) in [("b1", "h1", 1), ("b2", "h2", 2), ("b3", "h2", 3)] {
        let member = if household == "h1" { 1 } else { 2 };
        let deed = if claim == "b3" { day1 } else { day2 };
        a.submit(
            &proposer,
            submit_claim_with(
                claim,
                household,
                "HELP-01",
                1,
                deed,
                Some(member),
                Some(evidence),
            ),
        )
        .await
        .unwrap_or_else(|e| panic!("{claim}: {e:?}"));
    }
    a.submit(&reviewer, approve("b1")).await.unwrap();
    a.submit(&reviewer, approve("b2")).await.unwrap();
    refused(
        a,
        &reviewer,
        approve("b3"),
        Code::FailedPrecondition,
        "BUDGET_EXCEEDED",
    )
    .await;
    // The same deed twice: same rule, household and date (c2's), or the same evidence (b2's).
    refused(
        a,
        &proposer,
        submit_claim("d1", "h1", "ENV-01", 1, day1),
        Code::AlreadyExists,
        "DUPLICATE_DEED",
    )
    .await;
    refused(
        a,
        &proposer,
        submit_claim_with("d2", "h1", "HELP-01", 1, day1, Some(1), Some(2)),
        Code::AlreadyExists,
        "DUPLICATE_DEED",
    )
    .await;
    // Finalizing before the notice ends, or while an objection is open.
    refused(
        a,
        &proposer,
        finalize_notice("n1"),
        Code::FailedPrecondition,
        "NOTICE_NOT_ENDED",
    )
    .await;
    a.submit(&h1.resident, file_objection("o1", "c1"))
        .await
        .unwrap();
    a.advance_days(7);
    refused(
        a,
        &proposer,
        finalize_notice("n1"),
        Code::FailedPrecondition,
        "OBJECTION_OPEN",
    )
    .await;
    a.submit(&reviewer, resolve_objection("o1", false))
        .await
        .unwrap();
    let posted = a.submit(&proposer, finalize_notice("n1")).await.unwrap();
    // A posted entry is neither edited nor deleted: no review of a posted claim, and the
    // finalization is not an entry a reversal applies to.
    refused(
        a,
        &reviewer,
        approve("c1"),
        Code::FailedPrecondition,
        "CLAIM_STATE",
    )
    .await;
    refused(
        a,
        &admin,
        shanzhi::testkit::reverse(shanzhi::ledger::Sequence(posted.sequence)),
        Code::FailedPrecondition,
        "NOT_REVERSIBLE",
    )
    .await;
}

#[tokio::test]
async fn a_program_awards_by_its_rule_through_the_api() {
    let mut app = TestApp::spawn().await;
    let admin = app.admin.clone();
    let program = app.program("vol").await;
    let v1 = app.village("v1").await;
    app.allocate("vol", 50).await.unwrap();
    app.household(&v1, "h1").await;
    let today = app.today();
    for op in adopt_ops(
        shanzhi::testkit::program("vol"),
        1,
        today,
        &[award_rule("VOL-01", 10, 2)],
    ) {
        app.submit(&admin, op).await.unwrap();
    }
    app.submit(&admin, require_claims()).await.unwrap();
    let award = shanzhi::testkit::award_by_rule("vol", "act-1", "h1", "VOL-01", 2, today);
    let receipt = app.submit(&program.officer, award.clone()).await.unwrap();
    assert_eq!(receipt.postings.len(), 1);
    assert_eq!(app.balance(shanzhi::client::household("h1")).await, 20);
    refused(
        &mut app,
        &program.officer,
        award,
        Code::AlreadyExists,
        "DUPLICATE_DEED",
    )
    .await;
    refused(
        &mut app,
        &v1.officer,
        shanzhi::testkit::award_by_rule("vol", "act-2", "h1", "VOL-01", 1, today),
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    )
    .await;
}
