//! Steps that name a claim, notice or objection that does not exist, or a claim of another
//! village, are refused with what they named and change nothing.

use super::claims::{refused, rules, world};
use super::prelude::*;

#[test]
fn steps_naming_what_does_not_exist_or_another_villages_claim_are_refused() {
    let mut w = world();
    let deed = w.ledger.today() - 2;
    w.ledger
        .apply(&w.proposer, submit_claim("c1", "h1", "ENV-01", 1, deed))
        .unwrap();
    w.ledger.apply(&w.reviewer, approve("c1")).unwrap();

    let l = &mut w.ledger;
    let refusal = refused(l, &w.reviewer, approve("c404"), "UNKNOWN_CLAIM");
    assert!(refusal.to_string().contains("c404"), "{refusal}");
    refused(l, &w.proposer, withdraw("c404"), "UNKNOWN_CLAIM");
    refused(l, &w.proposer, reverse_claim("c404"), "UNKNOWN_CLAIM");
    refused(
        l,
        &w.resident_h2,
        file_objection("o1", "c404"),
        "UNKNOWN_CLAIM",
    );
    refused(
        l,
        &w.proposer,
        open_notice("n1", "v1", &["c1", "c404"]),
        "UNKNOWN_CLAIM",
    );
    let refusal = refused(l, &w.proposer, finalize_notice("n404"), "UNKNOWN_NOTICE");
    assert!(refusal.to_string().contains("n404"), "{refusal}");
    let refusal = refused(
        l,
        &w.reviewer,
        resolve_objection("o404", true),
        "UNKNOWN_OBJECTION",
    );
    assert!(refusal.to_string().contains("o404"), "{refusal}");

    // A claim of village v2 cannot go on v1's notice board.
    let today = l.today();
    l.apply(&w.other_village, set_policy(default_policy("v2", 1, today)))
        .unwrap();
    l.adopt(&w.other_village, village("v2"), 1, today, &rules())
        .unwrap();
    l.apply(
        &w.other_village,
        submit_claim("c9", "h9", "ENV-01", 1, today),
    )
    .unwrap();
    let refusal = refused(
        l,
        &w.proposer,
        open_notice("n1", "v1", &["c1", "c9"]),
        "CLAIM_NOT_IN_VILLAGE",
    );
    assert!(refusal.to_string().contains("c9"), "{refusal}");
    // The same notice without it opens.
    l.apply(&w.proposer, open_notice("n1", "v1", &["c1"]))
        .unwrap();
}
