//! Governance through the real server: catalogues adopted in steps and read back in force,
//! narrowing refused with its reason, village policies set and read, every refusal with its
//! code and reason and nothing changed, and a log holding all of it verifying.

use shanzhi::client::Signer;
use shanzhi::ledger::{CivilDate, UnixMs};
use shanzhi::pb::governance as gov;
use shanzhi::testkit::{
    add_rules, award_rule, city, default_policy, household_cap, open_catalogue, register_area,
    seal_catalogue, set_policy, set_village_area, township, village,
};
use tonic::Code;

use crate::helpers::*;

/// Tomorrow in China Standard Time: a date no commit of the test can be after, even across
/// midnight.
fn tomorrow() -> u32 {
    CivilDate::of(UnixMs(shanzhi::writer::now_unix_ms())).days() + 1
}

async fn adopt(
    app: &mut TestApp,
    signer: &Signer,
    scope: gov::CatalogueScope,
    version: u32,
    rules: &[gov::Rule],
) -> Result<shanzhi::pb::points::Receipt, tonic::Status> {
    let from = tomorrow();
    app.submit(signer, open_catalogue(scope.clone(), version, from, rules))
        .await?;
    app.submit(signer, add_rules(scope.clone(), version, rules))
        .await?;
    app.submit(signer, seal_catalogue(scope, version)).await
}

fn in_force(scope: gov::CatalogueScope, days: u32) -> gov::GetCatalogueRequest {
    gov::GetCatalogueRequest {
        scope: Some(scope),
        which: Some(gov::get_catalogue_request::Which::InForceOn(days)),
    }
}

#[tokio::test]
async fn catalogues_and_policies_are_adopted_read_and_verified_through_the_api() {
    let mut app = TestApp::spawn().await;
    let admin = app.admin.clone();
    let v1 = app.village("v1").await;
    for (code, name) in [
        ("420581", "宜都市"),
        ("420581101", "红花套镇"),
        ("420581101001", "渔洋溪村"),
    ] {
        app.submit(&admin, register_area(code, name)).await.unwrap();
    }
    app.submit(&admin, set_village_area("v1", "420581101001"))
        .await
        .unwrap();

    let mut env = award_rule("ENV-01", 10, 3);
    env.caps = vec![household_cap(gov::CapPeriod::Month, 30)];
    adopt(&mut app, &admin, city(), 1, std::slice::from_ref(&env))
        .await
        .unwrap();
    let mut narrower = env.clone();
    narrower.points_per_unit = 8;
    adopt(
        &mut app,
        &admin,
        township("420581101"),
        1,
        &[narrower.clone()],
    )
    .await
    .unwrap();

    // The village may not pay more than its township; refused with the reason, nothing
    // changed, and the message names the field.
    let size = app.log_size().await;
    let mut wider = narrower.clone();
    wider.points_per_unit = 9;
    let from = tomorrow();
    app.submit(
        &v1.officer,
        open_catalogue(village("v1"), 1, from, &[wider.clone()]),
    )
    .await
    .unwrap();
    app.submit(&v1.officer, add_rules(village("v1"), 1, &[wider]))
        .await
        .unwrap();
    let refused = app
        .submit(&v1.officer, seal_catalogue(village("v1"), 1))
        .await;
    assert_refused(refused.clone(), Code::FailedPrecondition, "points_per_unit");
    assert_reason(refused, Code::FailedPrecondition, "CATALOGUE_WIDENS_PARENT");
    assert_eq!(app.log_size().await, size + 2);
    // The village adopts a narrowing version 2 instead; version 1 stays abandoned.
    adopt(&mut app, &v1.officer, village("v1"), 2, &[narrower.clone()])
        .await
        .unwrap();

    // Any registered key reads what is in force; before its first day nothing is.
    let read = app
        .client
        .catalogue(&v1.officer, in_force(village("v1"), from))
        .await
        .unwrap();
    assert_eq!(read.version, 2);
    assert_eq!(read.status(), gov::CatalogueStatus::Sealed);
    assert_eq!(read.rules, vec![narrower]);
    assert_reason(
        app.client
            .catalogue(&admin, in_force(village("v1"), from - 1))
            .await,
        Code::NotFound,
        "UNKNOWN_CATALOGUE",
    );
    let abandoned = app
        .client
        .catalogue(
            &admin,
            gov::GetCatalogueRequest {
                scope: Some(village("v1")),
                which: Some(gov::get_catalogue_request::Which::Version(1)),
            },
        )
        .await
        .unwrap();
    assert_eq!(abandoned.status(), gov::CatalogueStatus::Abandoned);
    assert_reason(
        app.client
            .catalogue(
                &admin,
                gov::GetCatalogueRequest {
                    scope: Some(city()),
                    which: None,
                },
            )
            .await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    assert_reason(
        app.client
            .catalogue(&Signer::generate(), in_force(city(), from))
            .await,
        Code::Unauthenticated,
        "UNKNOWN_KEY",
    );

    // Policies: refused shapes and versions change nothing; the one set is read back.
    let other = app.village("v2").await;
    let size = app.log_size().await;
    let mut zero = default_policy("v1", 1, from);
    zero.notice_days = 0;
    assert_reason(
        app.submit(&v1.officer, set_policy(zero)).await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    assert_reason(
        app.submit(&v1.officer, set_policy(default_policy("v1", 2, from)))
            .await,
        Code::FailedPrecondition,
        "VERSION_NOT_NEXT",
    );
    assert_reason(
        app.submit(&v1.officer, set_policy(default_policy("v1", 1, from - 2)))
            .await,
        Code::FailedPrecondition,
        "EFFECTIVE_TOO_EARLY",
    );
    assert_reason(
        app.submit(&other.officer, set_policy(default_policy("v1", 1, from)))
            .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    assert_eq!(app.log_size().await, size);
    let set = app
        .submit(&v1.officer, set_policy(default_policy("v1", 1, from)))
        .await
        .unwrap();
    let policy = app
        .client
        .policy(
            &admin,
            gov::GetPolicyRequest {
                village_id: "v1".into(),
                which: Some(gov::get_policy_request::Which::InForceOn(from)),
            },
        )
        .await
        .unwrap();
    assert_eq!(policy.set_at, set.sequence);
    assert_eq!(policy.policy, Some(default_policy("v1", 1, from)));
    assert_reason(
        app.client
            .policy(
                &admin,
                gov::GetPolicyRequest {
                    village_id: "v2".into(),
                    which: Some(gov::get_policy_request::Which::Version(1)),
                },
            )
            .await,
        Code::NotFound,
        "UNKNOWN_POLICY",
    );

    // After a restart (a replay of the log) the same is read, and the log verifies.
    app.restart().await;
    let again = app
        .client
        .catalogue(&admin, in_force(village("v1"), from))
        .await
        .unwrap();
    assert_eq!(again, read);
    let size = app.log_size().await;
    assert_eq!(verify_whole_log(&mut app).await, size);
}
