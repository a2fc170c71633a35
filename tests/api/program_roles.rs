//! The programs' roles through the real server: each registered by the bureau admin with a
//! scope of its own form (an area, a tier's area, a program and an area, a village or a
//! township, an organization), every malformed or unknown scope refused with nothing changed,
//! the key set showing role and scope, and none of them able to do what a caseworker does.

use shanzhi::client::{IdentityNumber, Signer, person_subject, register_person, review_near_match};
use shanzhi::pb::points as pb;
use shanzhi::pb::registry::NearMatchFinding;
use shanzhi::testkit::register_key;
use tonic::Code;

use crate::helpers::*;
use crate::subjects::{programs_ledger, resident_id};

#[tokio::test]
async fn the_programs_roles_take_their_own_scopes() {
    let (mut app, caseworker) = programs_ledger().await;
    let admin = app.admin.clone();
    let canteen = app
        .client
        .register_subject(
            &caseworker,
            IdentityNumber::Credit("91350100M000100Y43".into()),
            "420581100",
        )
        .await
        .unwrap();
    let canteen = hex::encode(canteen.id);

    let size = app.log_size().await;
    let refused: [(pb::Role, &str, Code, &str); 8] = [
        (
            pb::Role::Reviewer,
            "420581900",
            Code::NotFound,
            "UNKNOWN_AREA",
        ),
        (
            pb::Role::ProgramOfficer,
            "assistance",
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            pb::Role::ProgramOfficer,
            "welfare/420581100",
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            pb::Role::ProgramOfficer,
            "children/420581900",
            Code::NotFound,
            "UNKNOWN_AREA",
        ),
        (
            pb::Role::ChildDirector,
            "420581100",
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            pb::Role::ChildSupervisor,
            "420581100001",
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (
            pb::Role::FacilityOperator,
            "00000000000000000000000000000000",
            Code::NotFound,
            "UNKNOWN_ORGANIZATION",
        ),
        (
            pb::Role::FacilityOperator,
            "canteen-1",
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
    ];
    for (role, scope, code, reason) in refused {
        assert_reason(
            app.submit(&admin, register_key(&Signer::generate(), role, scope))
                .await,
            code,
            reason,
        );
    }
    assert_eq!(app.log_size().await, size, "no refusal changed the log");

    let keys: Vec<(Signer, pb::Role, String)> = [
        (pb::Role::Reviewer, "420581".to_owned()),
        (pb::Role::Reviewer, "420581100".to_owned()),
        (pb::Role::ProgramOfficer, "assistance/420581100".to_owned()),
        (pb::Role::ProgramOfficer, "elderly-care/420581".to_owned()),
        (pb::Role::ChildDirector, "420581100001".to_owned()),
        (pb::Role::ChildSupervisor, "420581100".to_owned()),
        (pb::Role::FacilityOperator, canteen),
    ]
    .into_iter()
    .map(|(role, scope)| (Signer::generate(), role, scope))
    .collect();
    for (signer, role, scope) in &keys {
        app.submit(&admin, register_key(signer, *role, scope))
            .await
            .unwrap();
    }
    let signed = covering_size(&mut app).await;
    let set = app.client.key_set(&admin, signed).await.unwrap();
    for (signer, role, scope) in &keys {
        let key = set
            .iter()
            .find(|k| k.key_id == signer.key_id().to_string())
            .unwrap();
        assert_eq!((key.role(), key.scope.as_str()), (*role, scope.as_str()));
    }

    // None of them registers persons, asks for identity tags or reads persons' records: what
    // each may do comes with the programs' casework.
    let tag = app
        .client
        .identity_tag(
            &caseworker,
            IdentityNumber::Resident(resident_id("42058119800101001")),
        )
        .await
        .unwrap();
    let person = crate::subjects::person_in_village(
        &mut app,
        &caseworker,
        &resident_id("42058119900101002"),
    )
    .await
    .id;
    for (signer, _, _) in &keys {
        assert_reason(
            app.submit(
                signer,
                register_person([3; 16], tag.tag.clone(), "420581100001"),
            )
            .await,
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        );
        assert_reason(
            app.client
                .identity_tag(
                    signer,
                    IdentityNumber::Resident(resident_id("42058119800101001")),
                )
                .await,
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        );
        assert_reason(
            app.client
                .records_for(signer, vec![person_subject(&person)], "a look")
                .await,
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        );
        assert_reason(
            app.client.near_matches(signer, Vec::new()).await,
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        );
        assert_reason(
            app.client.access_events(signer, 0, 0).await,
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        );
        assert_reason(
            app.submit(
                signer,
                review_near_match(person, [5; 16], NearMatchFinding::Distinct),
            )
            .await,
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        );
    }
}
