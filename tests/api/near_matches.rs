//! Near matches through the real server: persons whose records share a name (spaces and
//! middle dots aside), a birth date and a residence area are listed for review and never
//! merged; a correction moves a person out of a group and back; a review, a signed decision
//! in the log, takes the pair off the list once and for all; who may list and review, and
//! every refusal with its code and reason.

use shanzhi::client::{Signer, person_subject, review_near_match};
use shanzhi::pb::directory as dpb;
use shanzhi::pb::points as pb;
use shanzhi::pb::registry::NearMatchFinding;
use shanzhi::testkit::register_key;
use tonic::Code;

use crate::helpers::*;
use crate::subjects::{person_in_village, programs_ledger, resident_id};

/// Registers the person of `number` and sets their record with `name`.
async fn person(app: &mut TestApp, caseworker: &Signer, number: &str, name: &str) -> [u8; 16] {
    let registered = person_in_village(app, caseworker, number).await;
    rename(app, caseworker, registered.id, number, name, 0).await;
    registered.id
}

async fn rename(
    app: &mut TestApp,
    caseworker: &Signer,
    id: [u8; 16],
    number: &str,
    name: &str,
    revision: u64,
) {
    app.client
        .change_subject(
            caseworker,
            person_subject(&id),
            Some(revision),
            dpb::change_body::Change::SetPerson(dpb::SetPerson {
                name: name.into(),
                resident_id_number: number.into(),
                phone: String::new(),
                hukou_area: "420581100001".into(),
                residence_area: "420581100".into(),
            }),
            "registration",
        )
        .await
        .unwrap();
}

async fn listed(app: &mut TestApp, reader: &Signer) -> Vec<Vec<[u8; 16]>> {
    let page = app.client.near_matches(reader, Vec::new()).await.unwrap();
    assert!(page.next_cursor.is_empty());
    page.matches
        .into_iter()
        .map(|m| {
            let mut ids: Vec<[u8; 16]> = m
                .person_ids
                .iter()
                .map(|id| <[u8; 16]>::try_from(id.as_slice()).unwrap())
                .collect();
            ids.sort();
            ids
        })
        .collect()
}

#[tokio::test]
async fn persons_alike_are_listed_until_reviewed_and_never_merged() {
    let (mut app, caseworker) = programs_ledger().await;
    // Two numbers with one birth date (1952-03-15), and a third born another day.
    let (n1, n2, n3) = (
        resident_id("42058119520315002"),
        resident_id("42058119520315011"),
        resident_id("42058119520316002"),
    );
    let p1 = person(&mut app, &caseworker, &n1, "王秀英").await;
    let p2 = person(&mut app, &caseworker, &n2, "王 秀英").await;
    person(&mut app, &caseworker, &n3, "王秀英").await;
    let mut pair = [p1, p2];
    pair.sort();
    assert_eq!(listed(&mut app, &caseworker).await, vec![pair.to_vec()]);
    let admin = app.admin.clone();
    assert_eq!(listed(&mut app, &admin).await, vec![pair.to_vec()]);

    // A caseworker of the other township sees none of it; a village officer may not ask.
    let elsewhere = Signer::generate();
    app.submit(
        &admin,
        register_key(&elsewhere, pb::Role::Caseworker, "420581200"),
    )
    .await
    .unwrap();
    assert!(listed(&mut app, &elsewhere).await.is_empty());
    let village = app.village("v1").await;
    assert_reason(
        app.client.near_matches(&village.officer, Vec::new()).await,
        Code::PermissionDenied,
        "ROLE_NOT_ALLOWED",
    );
    assert_reason(
        app.client.near_matches(&caseworker, vec![1; 5]).await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );

    // A correction of one name takes the pair apart; correcting it back brings it again.
    rename(&mut app, &caseworker, p2, &n2, "王秀兰", 1).await;
    assert!(listed(&mut app, &caseworker).await.is_empty());
    rename(&mut app, &caseworker, p2, &n2, "王·秀英", 2).await;
    assert_eq!(listed(&mut app, &caseworker).await, vec![pair.to_vec()]);

    // Reviews: refused ones change nothing; an accepted one takes the pair off the list.
    let size = app.log_size().await;
    assert_reason(
        app.submit(
            &elsewhere,
            review_near_match(p1, p2, NearMatchFinding::Distinct),
        )
        .await,
        Code::PermissionDenied,
        "OUT_OF_SCOPE",
    );
    let refused = app
        .submit(
            &elsewhere,
            review_near_match(p1, p2, NearMatchFinding::Distinct),
        )
        .await
        .unwrap_err();
    assert!(
        !refused.message().contains("42058110"),
        "the refusal names an area: {}",
        refused.message()
    );
    // A key that may not review learns nothing of who is registered.
    for other in [p1, [9; 16]] {
        assert_reason(
            app.submit(
                &village.officer,
                review_near_match(other, p2, NearMatchFinding::Distinct),
            )
            .await,
            Code::PermissionDenied,
            "ROLE_NOT_ALLOWED",
        );
    }
    assert_reason(
        app.submit(
            &caseworker,
            review_near_match(p1, p1, NearMatchFinding::Distinct),
        )
        .await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    assert_reason(
        app.submit(
            &caseworker,
            review_near_match(p1, [9; 16], NearMatchFinding::Distinct),
        )
        .await,
        Code::NotFound,
        "UNKNOWN_PERSON",
    );
    assert_reason(
        app.submit(
            &caseworker,
            review_near_match(p1, p2, NearMatchFinding::Unspecified),
        )
        .await,
        Code::InvalidArgument,
        "INVALID_FIELD",
    );
    assert_eq!(app.log_size().await, size);
    app.submit(
        &caseworker,
        review_near_match(p2, p1, NearMatchFinding::Distinct),
    )
    .await
    .unwrap();
    assert!(listed(&mut app, &caseworker).await.is_empty());
    assert_reason(
        app.submit(
            &admin,
            review_near_match(p1, p2, NearMatchFinding::SamePerson),
        )
        .await,
        Code::AlreadyExists,
        "NEAR_MATCH_REVIEWED",
    );
    // Both persons are still there, each with their own record: nothing was merged.
    let records = app
        .client
        .records_for(
            &admin,
            vec![person_subject(&p1), person_subject(&p2)],
            "case review",
        )
        .await
        .unwrap();
    assert_eq!(records[0].person.as_ref().unwrap().resident_id_number, n1);
    assert_eq!(records[1].person.as_ref().unwrap().resident_id_number, n2);

    // A third alike person makes an unreviewed pair again, with both of the others.
    let n4 = resident_id("42058119520315029");
    let p4 = person(&mut app, &caseworker, &n4, "王秀英").await;
    let mut group = vec![p1, p2, p4];
    group.sort();
    assert_eq!(listed(&mut app, &caseworker).await, vec![group]);
    // After a restart too (the index is in the record store, the reviews in the log), even
    // one whose index was lost: every open makes it whole again from the records.
    app.restart_after(|data| {
        let db = sled::open(data.join("directory/records")).unwrap();
        let near = db.open_tree("near").unwrap();
        assert!(!near.is_empty());
        near.clear().unwrap();
        db.flush().unwrap();
    })
    .await;
    assert_eq!(listed(&mut app, &caseworker).await.len(), 1);
    // An erasure takes a person out of every group.
    for (id, revision) in [(p4, 1), (p1, 1)] {
        app.client
            .change_subject(
                &caseworker,
                person_subject(&id),
                Some(revision),
                dpb::change_body::Change::Erase(dpb::Erase {}),
                "the person asked",
            )
            .await
            .unwrap();
    }
    assert!(listed(&mut app, &caseworker).await.is_empty());
}
