//! The claims room: a deed claimed, reviewed, noticed, objected to and posted; every refusal
//! of points.md's Authority and Issuance with nothing changed; caps, budgets, arrears; and a
//! replay reaching the same claims.

use super::prelude::*;
use crate::pb::governance as gov;

pub(super) const DAY_MS: u64 = 86_400_000;

/// A village v1 (budget 1000) with a policy, a catalogue, households h1 and h2 and a member
/// of each; officers: `proposer` (of h1), `reviewer` (of h2), `outsider` (no household of the
/// village), `unrecorded` (household never recorded); v2 with household h9 and no policy.
pub(super) struct World {
    pub(super) ledger: Ledger,
    pub(super) proposer: Signer,
    pub(super) reviewer: Signer,
    pub(super) outsider: Signer,
    pub(super) unrecorded: Signer,
    pub(super) other_village: Signer,
    pub(super) resident_h2: Signer,
    pub(super) resident_h9: Signer,
    pub(super) auditor: Signer,
    /// The day the households were registered; deeds from then on are claimable.
    pub(super) registered: u32,
}

pub(super) fn officer(ledger: &mut Ledger, village: &str) -> Signer {
    let signer = Signer::generate();
    ledger.admin_does(register_key(&signer, pb::Role::VillageOfficer, village));
    signer
}

pub(super) fn rules() -> Vec<gov::Rule> {
    let mut env = award_rule("ENV-01", 5, 3);
    env.caps = vec![household_cap(gov::CapPeriod::Month, 30)];
    let mut help = award_rule("HELP-01", 20, 1);
    help.evidence_required = true;
    help.caps = vec![gov::Cap {
        per: gov::CapHolder::Member.into(),
        period: gov::CapPeriod::Year.into(),
        max_points: 40,
    }];
    vec![
        env,
        help,
        deduction_rule("LITTER-01", 30, 1),
        award_rule("BIG-01", 400, 1),
    ]
}

pub(super) fn world() -> World {
    let mut ledger = Ledger::new();
    let proposer = ledger.issuer("v1", pb::IssuerKind::Village, 1000);
    let other_village = ledger.issuer("v2", pb::IssuerKind::Village, 1000);
    let reviewer = officer(&mut ledger, "v1");
    let outsider = officer(&mut ledger, "v1");
    let unrecorded = officer(&mut ledger, "v1");
    let registered = ledger.today();
    for (household, village) in [("h1", "v1"), ("h2", "v1"), ("h9", "v2")] {
        ledger.household(household, village);
    }
    let resident_h2 = Signer::generate();
    let resident_h9 = Signer::generate();
    let auditor = Signer::generate();
    ledger.admin_does(register_key(&resident_h2, pb::Role::Resident, "h2"));
    ledger.admin_does(register_key(&resident_h9, pb::Role::Resident, "h9"));
    ledger.admin_does(register_key(&auditor, pb::Role::Auditor, ""));
    ledger.admin_does(register_member("h1", 1, registered));
    ledger.admin_does(register_member("h2", 2, registered));
    ledger.admin_does(set_officer_household(&proposer, Some("h1")));
    ledger.admin_does(set_officer_household(&reviewer, Some("h2")));
    ledger.admin_does(set_officer_household(&outsider, None));
    ledger
        .apply(&proposer, set_policy(default_policy("v1", 1, registered)))
        .unwrap();
    ledger
        .adopt(&proposer, village("v1"), 1, registered, &rules())
        .unwrap();
    // Ten days later: deeds since the registration can be claimed.
    ledger.now += 10 * DAY_MS;
    World {
        ledger,
        proposer,
        reviewer,
        outsider,
        unrecorded,
        other_village,
        resident_h2,
        resident_h9,
        auditor,
        registered,
    }
}

pub(super) fn claim_of(ledger: &Ledger, id: &str) -> std::sync::Arc<Claim> {
    ledger
        .state
        .claim(&ClaimId::parse("claim_id", id).unwrap())
        .unwrap()
}

pub(super) fn household_view(ledger: &Ledger, id: &str) -> AccountView {
    ledger
        .state
        .account(&AccountId::Household(HouseholdId::parse("h", id).unwrap()))
        .unwrap()
}

pub(super) fn arrears_of(ledger: &Ledger, id: &str) -> Points {
    match household_view(ledger, id) {
        AccountView::Household { arrears, .. } => arrears,
        other => panic!("{other:?}"),
    }
}

/// Applies `op` as `signer`, expects `reason`, and checks that nothing changed.
#[track_caller]
pub(super) fn refused(ledger: &mut Ledger, signer: &Signer, op: Op, reason: &str) -> Refusal {
    let before = ledger.snapshot();
    let refusal = ledger.apply(signer, op).unwrap_err();
    assert_eq!(refusal.reason(), reason, "{refusal}");
    assert_eq!(ledger.snapshot(), before, "{refusal} changed something");
    refusal
}

#[test]
fn a_claim_is_priced_by_its_rule_reviewed_noticed_and_posted() {
    let mut w = world();
    let deed = w.ledger.today() - 2;
    let submitted = w
        .ledger
        .apply(&w.proposer, submit_claim("c1", "h1", "ENV-01", 3, deed))
        .unwrap();
    let claim = claim_of(&w.ledger, "c1");
    assert_eq!(
        (claim.points, claim.status.clone()),
        (Points(15), ClaimStatus::UnderReview)
    );
    assert_eq!(claim.submitted_at, submitted.sequence);
    // Nothing moves before posting.
    assert_eq!(
        w.ledger
            .balance(AccountId::Household(id(HouseholdId::parse, "h1"))),
        0
    );
    w.ledger.apply(&w.reviewer, approve("c1")).unwrap();
    assert_eq!(claim_of(&w.ledger, "c1").status, ClaimStatus::Approved);
    w.ledger
        .apply(&w.proposer, open_notice("n1", "v1", &["c1"]))
        .unwrap();
    let notice = w
        .ledger
        .state
        .notice(&NoticeId::parse("n", "n1").unwrap())
        .unwrap();
    assert_eq!(notice.notice.ends_on.days(), w.ledger.today() + 7);
    // The points are pending: not spendable, and the notice runs 7 days.
    assert_eq!(
        w.ledger
            .balance(AccountId::Household(id(HouseholdId::parse, "h1"))),
        0
    );
    w.ledger.now += 6 * DAY_MS;
    refused(
        &mut w.ledger,
        &w.proposer,
        finalize_notice("n1"),
        "NOTICE_NOT_ENDED",
    );
    w.ledger.now += DAY_MS;
    let posted = w.ledger.apply(&w.proposer, finalize_notice("n1")).unwrap();
    assert_eq!(posted.postings.len(), 1);
    assert_eq!(
        claim_of(&w.ledger, "c1").status,
        ClaimStatus::Posted(posted.sequence)
    );
    assert_eq!(
        w.ledger
            .balance(AccountId::Household(id(HouseholdId::parse, "h1"))),
        15
    );
    assert_eq!(
        w.ledger
            .balance(AccountId::Issuer(id(IssuerId::parse, "v1"))),
        985
    );
    let AccountView::Household { earned_score, .. } = household_view(&w.ledger, "h1") else {
        panic!()
    };
    assert_eq!(earned_score, 15);
    refused(
        &mut w.ledger,
        &w.proposer,
        finalize_notice("n1"),
        "NOTICE_FINALIZED",
    );
    refused(&mut w.ledger, &w.reviewer, approve("c1"), "CLAIM_STATE");
    assert_eq!(w.ledger.state.total_balance(), 0);
}

#[test]
fn every_submission_that_does_not_fit_is_refused_and_changes_nothing() {
    let mut w = world();
    let today = w.ledger.today();
    let p = w.proposer.clone();
    let l = &mut w.ledger;
    refused(
        l,
        &p,
        submit_claim("c", "h1", "NONE-01", 1, today),
        "RULE_NOT_IN_FORCE",
    );
    refused(
        l,
        &p,
        submit_claim("c", "h1", "ENV-01", 4, today),
        "QUANTITY_OVER_MAXIMUM",
    );
    refused(
        l,
        &p,
        submit_claim("c", "h1", "ENV-01", 1, today + 1),
        "DATE_OUT_OF_RANGE",
    );
    refused(
        l,
        &p,
        submit_claim("c", "h1", "ENV-01", 1, w.registered - 1),
        "RULE_NOT_IN_FORCE",
    );
    // A household registered today did not belong to the village yesterday.
    l.household("h3", "v1");
    refused(
        l,
        &p,
        submit_claim("c", "h3", "ENV-01", 1, today - 1),
        "NOT_IN_VILLAGE_ON_DATE",
    );
    let help =
        |member, evidence| submit_claim_with("c", "h1", "HELP-01", 1, today, member, evidence);
    refused(l, &p, help(Some(1), None), "EVIDENCE_REQUIRED");
    refused(l, &p, help(None, Some(7)), "MEMBER_REQUIRED");
    refused(l, &p, help(Some(2), Some(7)), "NOT_MEMBER_ON_DATE");
    refused(
        l,
        &w.other_village,
        submit_claim("c", "h1", "ENV-01", 1, today),
        "OUT_OF_SCOPE",
    );
    refused(
        l,
        &w.resident_h2,
        submit_claim("c", "h2", "ENV-01", 1, today),
        "ROLE_NOT_ALLOWED",
    );
    refused(
        l,
        &w.other_village,
        submit_claim("c", "h9", "ENV-01", 1, today),
        "NO_POLICY_IN_FORCE",
    );
    refused(
        l,
        &p,
        submit_claim("c", "h7", "ENV-01", 1, today),
        "UNKNOWN_HOUSEHOLD",
    );
    // The same deed twice, or the same evidence twice, while the first stands.
    l.apply(&p, submit_claim("c1", "h1", "ENV-01", 1, today))
        .unwrap();
    refused(
        l,
        &p,
        submit_claim("c2", "h1", "ENV-01", 2, today),
        "DUPLICATE_DEED",
    );
    refused(
        l,
        &p,
        submit_claim("c1", "h1", "ENV-01", 1, today - 1),
        "ALREADY_REGISTERED",
    );
    l.apply(&p, help(Some(1), Some(7))).unwrap();
    let again = submit_claim_with("c3", "h2", "HELP-01", 1, today, Some(2), Some(7));
    refused(l, &p, again.clone(), "DUPLICATE_DEED");
    // Once the first is withdrawn, the deed can be claimed again.
    l.apply(&p, withdraw("c1")).unwrap();
    l.apply(&p, submit_claim("c2", "h1", "ENV-01", 2, today))
        .unwrap();
    // A deed older than the policy allows (90 days).
    l.now += 100 * DAY_MS;
    let today = l.today();
    refused(
        l,
        &p,
        submit_claim("c4", "h1", "ENV-01", 1, today - 91),
        "DATE_OUT_OF_RANGE",
    );
    l.apply(&p, submit_claim("c4", "h1", "ENV-01", 1, today - 90))
        .unwrap();
}

#[test]
fn no_reviewer_proposed_or_benefits_from_the_claim() {
    let mut w = world();
    let today = w.ledger.today();
    let l = &mut w.ledger;
    l.apply(&w.proposer, submit_claim("c1", "h1", "ENV-01", 1, today))
        .unwrap();
    l.apply(&w.proposer, submit_claim("c2", "h2", "ENV-01", 1, today))
        .unwrap();
    refused(l, &w.proposer, approve("c1"), "REVIEWER_CONFLICT");
    refused(l, &w.reviewer, approve("c2"), "REVIEWER_CONFLICT");
    refused(l, &w.unrecorded, approve("c1"), "OFFICER_HOUSEHOLD_UNKNOWN");
    refused(l, &w.other_village, approve("c1"), "OUT_OF_SCOPE");
    refused(l, &w.auditor, approve("c1"), "ROLE_NOT_ALLOWED");
    refused(l, &w.outsider, adjust("c1", 4), "QUANTITY_OVER_MAXIMUM");
    refused(l, &w.outsider, adjust("c1", 1), "INVALID_FIELD");
    refused(l, &w.reviewer, withdraw("c1"), "ROLE_NOT_ALLOWED");
    l.apply(&w.outsider, approve("c2")).unwrap();
    refused(l, &w.outsider, approve("c2"), "CLAIM_STATE");
    l.apply(&w.outsider, reject("c1")).unwrap();
    assert!(matches!(claim_of(l, "c1").status, ClaimStatus::Rejected(_)));
    refused(l, &w.proposer, withdraw("c1"), "CLAIM_STATE");
}

#[test]
fn distinct_approvals_are_counted_and_an_adjustment_voids_earlier_ones() {
    let mut w = world();
    let today = w.ledger.today();
    let mut two = default_policy("v1", 2, today + 1);
    two.reviewers_required = 2;
    w.ledger.apply(&w.proposer, set_policy(two)).unwrap();
    w.ledger.now += DAY_MS;
    let today = w.ledger.today();
    let l = &mut w.ledger;
    l.apply(&w.proposer, submit_claim("c1", "h1", "ENV-01", 3, today))
        .unwrap();
    l.apply(&w.reviewer, approve("c1")).unwrap();
    refused(l, &w.reviewer, approve("c1"), "ALREADY_REVIEWED");
    assert_eq!(claim_of(l, "c1").status, ClaimStatus::UnderReview);
    l.apply(&w.outsider, adjust("c1", 2)).unwrap();
    let adjusted = claim_of(l, "c1");
    assert_eq!((adjusted.points, adjusted.approvals.len()), (Points(10), 1));
    assert_eq!(adjusted.status, ClaimStatus::UnderReview);
    l.apply(&w.reviewer, approve("c1")).unwrap();
    let approved = claim_of(l, "c1");
    assert_eq!(
        (approved.status.clone(), approved.reviews.len()),
        (ClaimStatus::Approved, 3)
    );
}

#[test]
fn caps_count_approved_pending_and_posted_claims_and_budgets_count_reservations() {
    let mut w = world();
    let today = w.ledger.today();
    let (p, r) = (w.proposer.clone(), w.outsider.clone());
    let l = &mut w.ledger;
    // ENV-01 caps a household at 30 points a month (of the deed's date).
    for (claim, deed) in [("c1", today), ("c2", today - 1)] {
        l.apply(&p, submit_claim(claim, "h1", "ENV-01", 3, deed))
            .unwrap();
        l.apply(&r, approve(claim)).unwrap();
    }
    l.apply(&p, submit_claim("c3", "h1", "ENV-01", 1, today - 2))
        .unwrap();
    let cap = refused(l, &r, approve("c3"), "CAP_EXCEEDED");
    assert!(cap.to_string().contains("at most 30"), "{cap}");
    // Withdrawing an approved claim frees its part of the cap.
    l.apply(&p, withdraw("c2")).unwrap();
    l.apply(&r, approve("c3")).unwrap();
    // Another household has its own cap.
    l.apply(&p, submit_claim("c4", "h2", "ENV-01", 3, today))
        .unwrap();
    l.apply(&r, approve("c4")).unwrap();

    // Budget: 1000, of which 35 is reserved; 400 + 400 fit, a third 400 does not, and a
    // direct issue may not take what is reserved.
    for (claim, household, deed) in [
        ("b1", "h1", today),
        ("b2", "h2", today),
        ("b3", "h1", today - 1),
    ] {
        l.apply(&p, submit_claim(claim, household, "BIG-01", 1, deed))
            .unwrap();
    }
    l.apply(&r, approve("b1")).unwrap();
    l.apply(&r, approve("b2")).unwrap();
    let budget = refused(l, &r, approve("b3"), "BUDGET_EXCEEDED");
    assert!(budget.to_string().contains("found 165"), "{budget}");
    refused(l, &p, issue("v1", "h1", 200), "BUDGET_EXCEEDED");
    l.apply(&p, issue("v1", "h1", 165)).unwrap();
    // Posted claims still count: c1 and c3 (20 of h1's 30) posted, c4 pending; another 15
    // for h1 this month does not fit.
    l.apply(&p, open_notice("n1", "v1", &["c1", "c3"])).unwrap();
    l.apply(&p, open_notice("n2", "v1", &["c4"])).unwrap();
    l.now += 7 * DAY_MS;
    l.apply(&p, finalize_notice("n1")).unwrap();
    l.apply(&p, submit_claim("c6", "h1", "ENV-01", 3, today - 3))
        .unwrap();
    refused(l, &r, approve("c6"), "CAP_EXCEEDED");
    // 10 more fit the cap (and, with more budget, the budget).
    l.apply(&p, submit_claim("c7", "h1", "ENV-01", 2, today - 4))
        .unwrap();
    refused(l, &r, approve("c7"), "BUDGET_EXCEEDED");
    let admin = l.admin_signer();
    l.apply(&admin, allocate("v1", 10)).unwrap();
    l.apply(&r, approve("c7")).unwrap();
}

#[test]
fn objections_block_their_claim_until_resolved_and_an_upheld_one_rejects_it() {
    let mut w = world();
    let today = w.ledger.today();
    let (p, r) = (w.proposer.clone(), w.outsider.clone());
    let l = &mut w.ledger;
    for (claim, household) in [("c1", "h1"), ("c2", "h2")] {
        l.apply(&p, submit_claim(claim, household, "ENV-01", 2, today))
            .unwrap();
        l.apply(&r, approve(claim)).unwrap();
    }
    l.apply(&p, submit_claim("c3", "h1", "ENV-01", 1, today - 1))
        .unwrap();
    refused(l, &p, open_notice("n1", "v1", &["c1", "c3"]), "CLAIM_STATE");
    refused(
        l,
        &w.other_village,
        open_notice("n1", "v1", &["c1"]),
        "OUT_OF_SCOPE",
    );
    l.apply(&p, open_notice("n1", "v1", &["c1", "c2"])).unwrap();
    refused(l, &p, open_notice("n2", "v1", &["c1"]), "CLAIM_STATE");
    // Who may object: residents and officers of the village, auditors.
    refused(
        l,
        &w.resident_h9,
        file_objection("o1", "c1"),
        "OUT_OF_SCOPE",
    );
    refused(
        l,
        &w.other_village,
        file_objection("o1", "c1"),
        "OUT_OF_SCOPE",
    );
    refused(l, &p, file_objection("o1", "c3"), "CLAIM_STATE");
    l.apply(&w.resident_h2, file_objection("o1", "c1")).unwrap();
    l.apply(&w.auditor, file_objection("o2", "c2")).unwrap();
    refused(l, &p, file_objection("o1", "c2"), "ALREADY_REGISTERED");
    l.now += 7 * DAY_MS;
    refused(l, &w.reviewer, file_objection("o3", "c2"), "NOTICE_ENDED");
    let blocked = refused(l, &p, finalize_notice("n1"), "OBJECTION_OPEN");
    assert!(blocked.to_string().contains("c1"), "{blocked}");
    // The resolver passes the reviewers' conflict check.
    refused(l, &p, resolve_objection("o1", true), "REVIEWER_CONFLICT");
    refused(
        l,
        &w.unrecorded,
        resolve_objection("o1", true),
        "OFFICER_HOUSEHOLD_UNKNOWN",
    );
    l.apply(&r, resolve_objection("o1", true)).unwrap();
    refused(l, &r, resolve_objection("o1", false), "OBJECTION_RESOLVED");
    assert!(matches!(claim_of(l, "c1").status, ClaimStatus::Rejected(_)));
    refused(l, &r, finalize_notice("n1"), "OBJECTION_OPEN");
    refused(
        l,
        &w.reviewer,
        resolve_objection("o2", false),
        "REVIEWER_CONFLICT",
    );
    l.apply(&r, resolve_objection("o2", false)).unwrap();
    let posted = l.apply(&p, finalize_notice("n1")).unwrap();
    assert!(matches!(claim_of(l, "c1").status, ClaimStatus::Rejected(_)));
    assert_eq!(
        claim_of(l, "c2").status,
        ClaimStatus::Posted(posted.sequence)
    );
    assert_eq!(
        l.balance(AccountId::Household(id(HouseholdId::parse, "h1"))),
        0
    );
    assert_eq!(
        l.balance(AccountId::Household(id(HouseholdId::parse, "h2"))),
        10
    );
    // The rejected claim's deed can be claimed again, and its cap was freed.
    l.apply(&p, submit_claim("c5", "h1", "ENV-01", 2, today))
        .unwrap();
}

#[test]
fn once_claims_are_required_points_come_only_through_them() {
    let mut w = world();
    let l = &mut w.ledger;
    refused(l, &w.proposer, require_claims(), "ROLE_NOT_ALLOWED");
    let admin = l.admin_signer();
    l.apply(&admin, require_claims()).unwrap();
    refused(l, &admin, require_claims(), "CLAIMS_ALREADY_REQUIRED");
    refused(l, &w.proposer, issue("v1", "h1", 1), "CLAIM_REQUIRED");
    refused(l, &w.proposer, deduct("v1", "h1", 1), "CLAIM_REQUIRED");
    let today = l.today();
    l.apply(&w.proposer, submit_claim("c1", "h1", "ENV-01", 1, today))
        .unwrap();
}

#[test]
fn replaying_the_log_reaches_the_same_claims() {
    let mut w = world();
    let today = w.ledger.today();
    let (p, r) = (w.proposer.clone(), w.outsider.clone());
    let l = &mut w.ledger;
    for (claim, household) in [("c1", "h1"), ("c2", "h2")] {
        l.apply(&p, submit_claim(claim, household, "ENV-01", 2, today))
            .unwrap();
        l.apply(&r, approve(claim)).unwrap();
    }
    l.apply(&p, open_notice("n1", "v1", &["c1", "c2"])).unwrap();
    l.apply(&w.resident_h2, file_objection("o1", "c1")).unwrap();
    l.apply(&r, resolve_objection("o1", true)).unwrap();
    l.now += 7 * DAY_MS;
    l.apply(&p, finalize_notice("n1")).unwrap();
    let replayed = l.replay().unwrap();
    for claim in ["c1", "c2"] {
        let id = ClaimId::parse("c", claim).unwrap();
        assert_eq!(replayed.claim(&id).unwrap(), l.state.claim(&id).unwrap());
    }
    let n1 = NoticeId::parse("n", "n1").unwrap();
    assert_eq!(
        replayed.notice(&n1).unwrap().objections,
        l.state.notice(&n1).unwrap().objections
    );
    let page = replayed.claims_page(&id(IssuerId::parse, "v1"), Some("posted"), None, None, 10);
    assert_eq!(page.claims.len(), 1);
    let live = l.snapshot();
    l.state = replayed;
    assert_eq!(l.snapshot(), live);
}
