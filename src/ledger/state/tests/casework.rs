//! The casework room: cases opened for registered persons and moved only as their case
//! type's table allows, by the table's actor (a caseworker, or a reviewer of the tier) of the
//! case's area, after the days a state must last; and the property test: random
//! transitions by random actors on random days happen exactly when the table allows them,
//! and replaying the log gives the live cases; the same for the children's table, whose steps
//! only the child directors and supervisors it names take.

use proptest::prelude::*;

use super::prelude::*;
use crate::pb::casework as cw;

const DAY_MS: u64 = 86_400_000;
const CASE: [u8; 16] = [7; 16];
const PERSON: [u8; 16] = [5; 16];

fn casework(operation: cw::casework_operation::Operation) -> Op {
    Op::Casework(cw::CaseworkOperation {
        operation: Some(operation),
    })
}

fn open_case(case: [u8; 16], case_type: &str, area: &str) -> Op {
    casework(cw::casework_operation::Operation::OpenCase(cw::OpenCase {
        case_id: case.to_vec(),
        case_type: case_type.into(),
        person_id: PERSON.to_vec(),
        area_code: area.into(),
    }))
}

/// A transition to `to`, with a yearly review cadence when `to` is reviewed (confirmed).
fn transition(case: [u8; 16], to: &str) -> Op {
    let cadence = if to == "confirmed" { "yearly" } else { "" };
    crate::client::transition_case(case, to, "checked at home", cadence)
}

fn file_objection(case: [u8; 16]) -> Op {
    crate::client::file_case_objection(case, "income not declared")
}

fn resolve(case: [u8; 16], number: u32, upheld: bool) -> Op {
    crate::client::resolve_case_objection(case, number, upheld, "checked")
}

/// Who acts in the tests: a role, a scope, and what the table may see of them.
struct Actor {
    signer: Signer,
    caseworker: bool,
    tier: Option<case_types::Tier>,
    /// Whether their area covers the case's (420581100001).
    covers: bool,
}

/// Yidu, two townships, a village; a person; every kind of actor, in and out of the area.
fn setup() -> (Ledger, Vec<Actor>) {
    let mut ledger = Ledger::new();
    for (code, name) in [
        ("420581", "宜都市"),
        ("420581100", "陆城街道"),
        ("420581100001", "一村"),
        ("420581200", "红花套镇"),
    ] {
        ledger.admin_does(register_area(code, name));
    }
    ledger.admin_does(crate::client::register_person(
        PERSON,
        vec![1; 32],
        "420581100001",
    ));
    use case_types::Tier::*;
    let kinds = [
        (pb::Role::Caseworker, "420581100", true, None, true),
        (pb::Role::Caseworker, "420581200", true, None, false),
        (
            pb::Role::Reviewer,
            "420581100001",
            false,
            Some(Village),
            true,
        ),
        (pb::Role::Reviewer, "420581100", false, Some(Township), true),
        (
            pb::Role::Reviewer,
            "420581200",
            false,
            Some(Township),
            false,
        ),
        (pb::Role::Reviewer, "420581", false, Some(County), true),
        (
            pb::Role::ProgramOfficer,
            "assistance/420581",
            false,
            None,
            true,
        ),
    ];
    let actors = kinds
        .into_iter()
        .map(|(role, scope, caseworker, tier, covers)| {
            let signer = Signer::generate();
            ledger.admin_does(register_key(&signer, role, scope));
            Actor {
                signer,
                caseworker,
                tier,
                covers,
            }
        })
        .collect();
    (ledger, actors)
}

#[test]
fn a_case_moves_only_as_its_table_says_and_each_step_is_recorded() {
    let (mut ledger, actors) = setup();
    let [caseworker, elsewhere, _, township, _, county, _] = &actors[..] else {
        unreachable!()
    };
    let refused = |ledger: &mut Ledger, signer: &Signer, op: Op| {
        let before = ledger.state.case(&CaseId(CASE));
        let why = ledger.apply(signer, op).unwrap_err();
        assert_eq!(
            ledger.state.case(&CaseId(CASE)),
            before,
            "a refusal changed the case"
        );
        why
    };
    // Opening: a caseworker of the area, a known type, a registered person.
    let why = refused(
        &mut ledger,
        &elsewhere.signer,
        open_case(CASE, "dibao/2", "420581100001"),
    );
    assert_eq!(why.reason(), "OUT_OF_SCOPE");
    let why = refused(
        &mut ledger,
        &caseworker.signer,
        open_case(CASE, "dibao/9", "420581100001"),
    );
    assert_eq!(why.reason(), "UNKNOWN_CASE_TYPE");
    ledger
        .apply(
            &caseworker.signer,
            open_case(CASE, "dibao/2", "420581100001"),
        )
        .unwrap();
    let why = refused(
        &mut ledger,
        &caseworker.signer,
        open_case(CASE, "dibao/2", "420581100001"),
    );
    assert_eq!(why.reason(), "ALREADY_REGISTERED");

    // Not in the table: skipping the investigation.
    let why = refused(&mut ledger, &county.signer, transition(CASE, "confirmed"));
    assert_eq!(why.reason(), "TRANSITION_NOT_ALLOWED");
    assert!(why.to_string().contains("\"investigating\""), "{why}");
    // The right step by the wrong actor, then by the right one.
    let why = refused(
        &mut ledger,
        &township.signer,
        transition(CASE, "investigating"),
    );
    assert_eq!(why.reason(), "ROLE_NOT_ALLOWED");
    ledger
        .apply(&caseworker.signer, transition(CASE, "investigating"))
        .unwrap();
    // A reviewer of another tier.
    let why = refused(
        &mut ledger,
        &county.signer,
        transition(CASE, "township-reviewed"),
    );
    assert_eq!(why.reason(), "TIER_NOT_ALLOWED");
    ledger
        .apply(&township.signer, transition(CASE, "township-reviewed"))
        .unwrap();
    ledger
        .apply(&township.signer, transition(CASE, "on-notice"))
        .unwrap();
    // The notice runs 7 days.
    ledger.now += 6 * DAY_MS;
    let why = refused(&mut ledger, &county.signer, transition(CASE, "confirmed"));
    assert_eq!(why.reason(), "STATE_NOT_OVER");
    ledger.now += DAY_MS;
    let confirmed = ledger
        .apply(&county.signer, transition(CASE, "confirmed"))
        .unwrap();
    let case = ledger.state.case(&CaseId(CASE)).unwrap();
    assert_eq!(case.state, "confirmed");
    assert_eq!(case.due, None);
    let path: Vec<&str> = case.steps.iter().map(|s| s.to).collect();
    assert_eq!(
        path,
        [
            "submitted",
            "investigating",
            "township-reviewed",
            "on-notice",
            "confirmed"
        ]
    );
    let last = case.steps.last().unwrap();
    assert_eq!(last.by, county.signer.key_id());
    assert_eq!(last.reason, "checked at home");
    assert_eq!(last.at, confirmed.committed_at);
    assert_eq!(case.cadence, Some("yearly"));
    // A cadence belongs only to the reviewed state.
    let why = refused(
        &mut ledger,
        &caseworker.signer,
        crate::client::transition_case(CASE, "reviewing", "yearly review", "yearly"),
    );
    assert_eq!(why.reason(), "INVALID_FIELD");
    assert_eq!(
        case.review_due.unwrap().0,
        confirmed.committed_at.0 + 365 * DAY_MS
    );
    // A confirmed case only goes to its review.
    let why = refused(
        &mut ledger,
        &township.signer,
        transition(CASE, "investigating"),
    );
    assert_eq!(why.reason(), "TRANSITION_NOT_ALLOWED");
    assert!(why.to_string().contains("\"reviewing\""), "{why}");
    assert_eq!(ledger.replay().unwrap().case(&CaseId(CASE)), Some(case));
}

#[test]
fn a_first_table_case_confirms_without_a_cadence_and_a_case_holds_at_most_256_steps() {
    let (mut ledger, actors) = setup();
    let [caseworker, _, _, township, _, county, _] = &actors[..] else {
        unreachable!()
    };
    let plain = |to: &str| crate::client::transition_case(CASE, to, "checked", "");
    ledger
        .apply(
            &caseworker.signer,
            open_case(CASE, "dibao/1", "420581100001"),
        )
        .unwrap();
    ledger
        .apply(&caseworker.signer, plain("investigating"))
        .unwrap();
    // Round and round between investigating and the township's review, up to the cap.
    let mut steps = 2;
    while steps < 255 {
        let to = if steps % 2 == 0 {
            "township-reviewed"
        } else {
            "investigating"
        };
        ledger.apply(&township.signer, plain(to)).unwrap();
        steps += 1;
    }
    ledger.apply(&township.signer, plain("on-notice")).unwrap();
    assert_eq!(ledger.state.case(&CaseId(CASE)).unwrap().steps.len(), 256);
    ledger.now += 7 * DAY_MS;
    let why = ledger
        .apply(&county.signer, plain("confirmed"))
        .unwrap_err();
    assert_eq!(why.reason(), "CASE_STEPS_FULL");
    // Below the cap, dibao/1 (no reviews) confirms with no cadence, as its first logs did.
    let second = [8; 16];
    ledger
        .apply(
            &caseworker.signer,
            open_case(second, "dibao/1", "420581100001"),
        )
        .unwrap();
    let plain = |to: &str| crate::client::transition_case(second, to, "checked", "");
    ledger
        .apply(&caseworker.signer, plain("investigating"))
        .unwrap();
    ledger
        .apply(&township.signer, plain("township-reviewed"))
        .unwrap();
    ledger.apply(&township.signer, plain("on-notice")).unwrap();
    let why = ledger
        .apply(&caseworker.signer, file_objection(second))
        .unwrap_err();
    assert_eq!(why.reason(), "NOT_ON_NOTICE", "dibao/1 has no objections");
    ledger.now += 7 * DAY_MS;
    ledger.apply(&county.signer, plain("confirmed")).unwrap();
    let case = ledger.state.case(&CaseId(second)).unwrap();
    assert_eq!((case.state, case.cadence), ("confirmed", None));
    assert_eq!(ledger.replay().unwrap().case(&CaseId(second)), Some(case));
}

const STATES: [&str; 9] = [
    "submitted",
    "investigating",
    "township-reviewed",
    "on-notice",
    "confirmed",
    "rejected",
    "reviewing",
    "ended",
    "no-such-state",
];
/// The random actions past the states: filing an objection, resolving the first open one.
const FILE: usize = STATES.len();
const RESOLVE: usize = STATES.len() + 1;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Random transitions, objections and resolutions by random actors on random days: each
    /// happens exactly when the table has it for that actor, its days are over and no
    /// objection holds the notice; a refusal changes nothing, and the log replays to the
    /// live case. Two steps in three are steered towards a move the table has from the
    /// case's state, by an actor it names, so the runs reach notices, objections and reviews.
    #[test]
    fn only_table_transitions_happen_and_replay_equals_live(
        steps in prop::collection::vec(
            (0usize..7, 0usize..RESOLVE + 1, 0u64..9, any::<bool>(), 0u8..3, any::<usize>()),
            1..64,
        )
    ) {
        let (mut ledger, actors) = setup();
        ledger
            .apply(&actors[0].signer, open_case(CASE, "dibao/2", "420581100001"))
            .unwrap();
        let table = &case_types::DIBAO_2;
        let notice = table.notice.as_ref().unwrap();
        let (mut state, mut since, mut taken) = (0usize, ledger.now, 1usize);
        let (mut filed, mut resolved) = (0u32, 0u32);
                for (who, action, days, upheld, steer, pick) in steps {
            ledger.now += days * DAY_MS;
            let on_notice = table.states[state].name == notice.state;
            let decides = |to: usize| table.state(STATES[to]).is_some_and(|s| table.states[s].decided);
            // Whether the model allows `action` by `actor` now.
            let allows = |action: usize, actor: &Actor, now: u64| {
                let takes = |by: case_types::Actor| match by {
                    case_types::Actor::Caseworker => actor.caseworker,
                    case_types::Actor::Reviewer(tier) => actor.tier == Some(tier),
                    // dibao/2 names no child director or supervisor, and no actor here is one.
                    case_types::Actor::ChildDirector | case_types::Actor::ChildSupervisor => false,
                };
                match action {
                    FILE => on_notice && actor.covers && (actor.caseworker || actor.tier.is_some()),
                    RESOLVE => {
                        resolved < filed
                            && actor.covers
                            && takes(notice.resolved_by)
                            && (!upheld || on_notice)
                    }
                    to => table.leaving(state).any(|rule| {
                        rule.to == STATES[to]
                            && actor.covers
                            && takes(rule.by)
                            && now + 1 >= since + u64::from(rule.after_days) * DAY_MS
                    }) && (resolved == filed || (!on_notice && !decides(to))),
                }
            };
            let (action, who) = if steer == 0 {
                (action, who)
            } else {
                // A move the table has from here (days aside), by an actor who may take it.
                let far = u64::MAX / 2;
                let moves: Vec<usize> = (0..=RESOLVE)
                    .filter(|a| actors.iter().any(|actor| allows(*a, actor, far)))
                    .collect();
                match moves.get(pick % moves.len().max(1)) {
                    Some(&a) => {
                        let able: Vec<usize> = (0..actors.len())
                            .filter(|i| allows(a, &actors[*i], far))
                            .collect();
                        (a, able[(pick / 16) % able.len()])
                    }
                    None => (action, who),
                }
            };
            let actor = &actors[who];
            let allowed = allows(action, actor, ledger.now);
            let op = match action {
                FILE => file_objection(CASE),
                RESOLVE => resolve(CASE, resolved + 1, upheld),
                to => transition(CASE, STATES[to]),
            };
            let result = ledger.apply(&actor.signer, op);
            prop_assert_eq!(
                result.is_ok(), allowed, "{:?}: action {} by actor {} in {}", result, action, who, state
            );
            if let Ok(entry) = result {
                let moved_to = match action {
                    FILE => {
                        filed += 1;
                        None
                    }
                    RESOLVE => {
                        resolved += 1;
                        upheld.then_some(notice.upheld_to)
                    }
                    to => Some(STATES[to]),
                };
                if let Some(to) = moved_to {
                    state = table.state(to).unwrap();
                    since = entry.committed_at.0;
                    taken += 1;
                }
            }
            let case = ledger.state.case(&CaseId(CASE)).unwrap();
            prop_assert_eq!(case.state, table.states[state].name);
            prop_assert_eq!(case.steps.len(), taken);
            prop_assert_eq!(case.since.0, since);
            // Confirmed (the reviewed state) is entered with a yearly cadence, by `transition`.
            let reviewed = table.states[state].name == "confirmed";
            prop_assert_eq!(case.cadence, reviewed.then_some("yearly"));
            prop_assert_eq!(
                case.review_due.map(|d| d.0),
                reviewed.then_some(since + 365 * DAY_MS)
            );
            prop_assert_eq!(case.objections.len(), filed as usize);
            prop_assert_eq!(
                case.objections.iter().filter(|o| o.resolution.is_some()).count(),
                resolved as usize
            );
        }
        prop_assert_eq!(
            ledger.replay().unwrap().case(&CaseId(CASE)),
            ledger.state.case(&CaseId(CASE))
        );
    }
}

/// The states of child-protection/1, and one it does not have.
const CHILD_STATES: [&str; 7] = [
    "new",
    "assessment",
    "plan",
    "services",
    "monitoring",
    "closed",
    "no-such-state",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The children's table, by random actors of both networks and of the caseworkers'
    /// programs: a step happens exactly when the table has it from the case's state and the
    /// signer is the child director or supervisor it names, of the case's area; a refusal
    /// changes nothing, and the log replays to the live case. Two steps in three are steered
    /// to a move the table has, by an actor who may take it, so runs reach closed and reopen.
    #[test]
    fn only_the_networks_table_steps_happen_on_a_childs_case(
        steps in prop::collection::vec((0usize..6, 0usize..CHILD_STATES.len(), 0u8..3, any::<usize>()), 1..48)
    ) {
        let (mut ledger, mut actors) = setup();
        ledger.admin_does(register_area("420581200001", "渔洋溪村"));
        // The network: a director and a supervisor of the case's area, and of the other
        // township; what the model sees of each is (director, supervisor, covers).
        let mut network = Vec::new();
        for (role, scope, covers) in [
            (pb::Role::ChildDirector, "420581100001", true),
            (pb::Role::ChildSupervisor, "420581100", true),
            (pb::Role::ChildDirector, "420581200001", false),
            (pb::Role::ChildSupervisor, "420581200", false),
        ] {
            let signer = Signer::generate();
            ledger.admin_does(register_key(&signer, role, scope));
            network.push((signer, role == pb::Role::ChildDirector, covers));
        }
        // Two of the caseworkers' keys, which never act on a child's case.
        let caseworker = actors.remove(0);
        let township = actors.remove(2);
        let everyone: Vec<(&Signer, Option<(bool, bool)>)> = network
            .iter()
            .map(|(s, director, covers)| (s, Some((*director, *covers))))
            .chain([(&caseworker.signer, None), (&township.signer, None)])
            .collect();
        ledger
            .apply(&network[0].0, open_case(CASE, "child-protection/1", "420581100001"))
            .unwrap();
        let table = &case_types::CHILD_PROTECTION_1;
        let (mut state, mut taken) = (0usize, 1usize);
        for (who, to, steer, pick) in steps {
            let allows = |to: usize, who: usize, state: usize| {
                let Some((director, covers)) = everyone[who].1 else { return false };
                table.leaving(state).any(|rule| {
                    rule.to == CHILD_STATES[to]
                        && covers
                        && match rule.by {
                            case_types::Actor::ChildDirector => director,
                            case_types::Actor::ChildSupervisor => !director,
                            _ => false,
                        }
                })
            };
            let (to, who) = if steer == 0 {
                (to, who)
            } else {
                let moves: Vec<(usize, usize)> = (0..CHILD_STATES.len())
                    .flat_map(|t| (0..everyone.len()).map(move |w| (t, w)))
                    .filter(|(t, w)| allows(*t, *w, state))
                    .collect();
                moves.get(pick % moves.len().max(1)).copied().unwrap_or((to, who))
            };
            let allowed = allows(to, who, state);
            let result = ledger.apply(everyone[who].0, transition(CASE, CHILD_STATES[to]));
            prop_assert_eq!(result.is_ok(), allowed, "{:?}: to {} by {} in {}", result, to, who, state);
            if result.is_ok() {
                state = table.state(CHILD_STATES[to]).unwrap();
                taken += 1;
            }
            let case = ledger.state.case(&CaseId(CASE)).unwrap();
            prop_assert_eq!(case.state, table.states[state].name);
            prop_assert_eq!(case.steps.len(), taken);
        }
        prop_assert_eq!(
            ledger.replay().unwrap().case(&CaseId(CASE)),
            ledger.state.case(&CaseId(CASE))
        );
    }
}
