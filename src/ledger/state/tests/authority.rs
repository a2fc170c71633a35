//! Every role × every operation, and every role × every account read: allowed or refused
//! with PERMISSION_DENIED, including a revoked key and keys of another scope.

use super::prelude::*;

struct World {
    ledger: Ledger,
    actors: Vec<(&'static str, Signer)>,
    issue_entry: Sequence,
    allocation_entry: Sequence,
    sale_entry: Sequence,
    resident_h1_spare: Signer,
}

fn key(ledger: &mut Ledger, role: pb::Role, scope: &str) -> Signer {
    let signer = Signer::generate();
    ledger.admin_does(Op::RegisterKey(pb::RegisterKey {
        public_key: signer.public_key(),
        role: role.into(),
        scope: scope.into(),
        label: String::new(),
    }));
    signer
}

fn world() -> World {
    let mut ledger = Ledger::new();
    let officer_v1 = ledger.issuer("v1", pb::IssuerKind::Village, 1000);
    let officer_v2 = ledger.issuer("v2", pb::IssuerKind::Village, 1000);
    let program = ledger.issuer("p", pb::IssuerKind::Program, 1000);
    ledger.household("h1", "v1");
    ledger.household("h3", "v2");
    for (code, name) in [
        ("420581", "宜都市"),
        ("420581101", "红花套镇"),
        ("420581101001", "v1"),
    ] {
        ledger.admin_does(register_area(code, name));
    }
    for shop in ["s1", "s2"] {
        ledger.admin_does(Op::RegisterShop(pb::RegisterShop {
            shop_id: shop.into(),
            name: shop.into(),
        }));
    }
    let auditor = key(&mut ledger, pb::Role::Auditor, "");
    let terminal_s1 = key(&mut ledger, pb::Role::ShopTerminal, "s1");
    let terminal_s2 = key(&mut ledger, pb::Role::ShopTerminal, "s2");
    let resident_h1 = key(&mut ledger, pb::Role::Resident, "h1");
    let resident_h3 = key(&mut ledger, pb::Role::Resident, "h3");
    let resident_h1_spare = key(&mut ledger, pb::Role::Resident, "h1");
    let manager_s1 = key(&mut ledger, pb::Role::ShopManager, "s1");
    let revoked = key(&mut ledger, pb::Role::VillageOfficer, "v1");
    ledger.admin_does(Op::RevokeKey(pb::RevokeKey {
        key_id: revoked.key_id().to_string(),
        reason: "left".into(),
    }));
    ledger.apply(&officer_v1, issue("v1", "h1", 100)).unwrap();
    let issue_entry = ledger
        .apply(&officer_v1, issue("v1", "h1", 10))
        .unwrap()
        .sequence;
    let allocation_entry = ledger
        .admin_does(Op::AllocateBudget(pb::AllocateBudget {
            issuer_id: "v2".into(),
            points: 10,
            memo: String::new(),
        }))
        .sequence;
    let code = ledger.payment_code(&resident_h1, "h1", 5);
    let sale_entry = ledger
        .apply(&terminal_s1, redeem("s1", "h1", 5, code, 1))
        .unwrap()
        .sequence;
    let admin = ledger.admin_signer();
    // Governance: a policy and a catalogue for v1, drafts of the city's and the township's
    // catalogues, a claim under review and one on notice (proposed by the bureau, so that
    // v1's officer, whose household is recorded, may review it).
    let today = ledger.today();
    ledger.admin_does(set_policy(default_policy("v1", 1, today)));
    let rules: Vec<_> = ["ENV-01", "ENV-02", "ENV-03"]
        .iter()
        .map(|code| award_rule(code, 1, 9))
        .collect();
    ledger.admin_does(open_catalogue(village("v1"), 1, today, &rules));
    ledger.admin_does(add_rules(village("v1"), 1, &rules));
    ledger.admin_does(seal_catalogue(village("v1"), 1));
    ledger.admin_does(open_catalogue(city(), 1, today, &[award_rule("A", 1, 1)]));
    ledger.admin_does(open_catalogue(
        township("420581101"),
        1,
        today,
        &[award_rule("A", 1, 1)],
    ));
    ledger.admin_does(add_rules(
        township("420581101"),
        1,
        &[award_rule("A", 1, 1)],
    ));
    ledger.admin_does(set_officer_household(&officer_v1, None));
    for op in adopt_ops(
        crate::testkit::program("p"),
        1,
        today,
        &[award_rule("P-01", 1, 9)],
    ) {
        ledger.admin_does(op);
    }
    ledger.admin_does(submit_claim("under-review", "h1", "ENV-01", 1, today));
    ledger.admin_does(submit_claim("on-notice", "h1", "ENV-02", 2, today));
    ledger.apply(&officer_v1, approve("on-notice")).unwrap();
    ledger.admin_does(open_notice("n0", "v1", &["on-notice"]));
    World {
        ledger,
        actors: vec![
            ("bureau admin", admin),
            ("auditor", auditor),
            ("officer of v1", officer_v1),
            ("officer of v2", officer_v2),
            ("program issuer of p", program),
            ("terminal of s1", terminal_s1),
            ("terminal of s2", terminal_s2),
            ("resident of h1", resident_h1),
            ("resident of h3", resident_h3),
            ("revoked officer of v1", revoked),
            ("manager of s1", manager_s1),
        ],
        issue_entry,
        allocation_entry,
        sale_entry,
        resident_h1_spare,
    }
}

#[test]
fn every_role_may_do_exactly_what_its_registration_allows() {
    let world = world();
    type Build = Box<dyn Fn(&World) -> Op>;
    let operations: Vec<(&str, Build, &[&str])> = vec![
        (
            "register an auditor key",
            Box::new(|_| {
                Op::RegisterKey(pb::RegisterKey {
                    public_key: Signer::generate().public_key(),
                    role: pb::Role::Auditor.into(),
                    scope: String::new(),
                    label: String::new(),
                })
            }),
            &["bureau admin"],
        ),
        (
            "register a resident key of h1",
            Box::new(|_| {
                Op::RegisterKey(pb::RegisterKey {
                    public_key: Signer::generate().public_key(),
                    role: pb::Role::Resident.into(),
                    scope: "h1".into(),
                    label: String::new(),
                })
            }),
            &["bureau admin", "officer of v1"],
        ),
        (
            "revoke a resident key of h1",
            Box::new(|w| {
                Op::RevokeKey(pb::RevokeKey {
                    key_id: w.resident_h1_spare.key_id().to_string(),
                    reason: "lost phone".into(),
                })
            }),
            &["bureau admin", "officer of v1"],
        ),
        (
            "register an issuer",
            Box::new(|_| {
                Op::RegisterIssuer(pb::RegisterIssuer {
                    issuer_id: "v9".into(),
                    kind: pb::IssuerKind::Village.into(),
                    name: "v9".into(),
                    program: String::new(),
                })
            }),
            &["bureau admin"],
        ),
        (
            "register a household in v1",
            Box::new(|_| {
                Op::RegisterHousehold(pb::RegisterHousehold {
                    household_id: "h9".into(),
                    village_id: "v1".into(),
                    resident_public_keys: vec![],
                })
            }),
            &["bureau admin", "officer of v1"],
        ),
        (
            "register a shop",
            Box::new(|_| {
                Op::RegisterShop(pb::RegisterShop {
                    shop_id: "s9".into(),
                    name: "s9".into(),
                })
            }),
            &["bureau admin"],
        ),
        (
            "register an area",
            Box::new(|_| register_area("420581102", "高坝洲镇")),
            &["bureau admin"],
        ),
        (
            "place v1 in its village area",
            Box::new(|_| set_village_area("v1", "420581101001")),
            &["bureau admin"],
        ),
        (
            "open a city catalogue",
            Box::new(|w| open_catalogue(city(), 2, w.ledger.today(), &[award_rule("A", 1, 1)])),
            &["bureau admin"],
        ),
        (
            "open a program catalogue",
            Box::new(|w| {
                open_catalogue(
                    program("p"),
                    2,
                    w.ledger.today() + 1,
                    &[award_rule("A", 1, 1)],
                )
            }),
            &["bureau admin"],
        ),
        (
            "open v1's catalogue",
            Box::new(|w| {
                open_catalogue(
                    village("v1"),
                    2,
                    w.ledger.today() + 1,
                    &[award_rule("A", 1, 1)],
                )
            }),
            &["bureau admin", "officer of v1"],
        ),
        (
            "set v1's policy",
            Box::new(|w| set_policy(default_policy("v1", 2, w.ledger.today() + 1))),
            &["bureau admin", "officer of v1"],
        ),
        (
            "open a township catalogue",
            Box::new(|w| {
                open_catalogue(
                    township("420581101"),
                    2,
                    w.ledger.today(),
                    &[award_rule("A", 1, 1)],
                )
            }),
            &["bureau admin"],
        ),
        (
            "add rules to the city's draft",
            Box::new(|_| add_rules(city(), 1, &[award_rule("A", 1, 1)])),
            &["bureau admin"],
        ),
        (
            "seal the township's draft",
            Box::new(|_| seal_catalogue(township("420581101"), 1)),
            &["bureau admin"],
        ),
        (
            "register a member of h1",
            Box::new(|w| register_member("h1", 5, w.ledger.today())),
            &["bureau admin", "officer of v1"],
        ),
        (
            "record the household of v1's officer",
            Box::new(|w| set_officer_household(&w.actors[2].1, Some("h1"))),
            &["bureau admin"],
        ),
        (
            "submit a claim for h1",
            Box::new(|w| submit_claim("new", "h1", "ENV-03", 1, w.ledger.today())),
            &["bureau admin", "officer of v1"],
        ),
        (
            "approve a claim of v1",
            Box::new(|_| approve("under-review")),
            &["officer of v1"],
        ),
        (
            "object to a claim of v1 on notice",
            Box::new(|_| file_objection("o", "on-notice")),
            &["auditor", "officer of v1", "resident of h1"],
        ),
        (
            "withdraw the bureau's claim",
            Box::new(|_| withdraw("under-review")),
            &["bureau admin"],
        ),
        (
            "award by p's rule to h1",
            Box::new(|w| award_by_rule("p", "act-1", "h1", "P-01", 1, w.ledger.today())),
            &["program issuer of p"],
        ),
        (
            "require claims",
            Box::new(|_| require_claims()),
            &["bureau admin"],
        ),
        (
            "allocate budget",
            Box::new(|_| {
                Op::AllocateBudget(pb::AllocateBudget {
                    issuer_id: "v1".into(),
                    points: 1,
                    memo: String::new(),
                })
            }),
            &["bureau admin"],
        ),
        (
            "issue from v1 to h1",
            Box::new(|_| issue("v1", "h1", 1)),
            &["officer of v1"],
        ),
        (
            "issue from p to h1",
            Box::new(|_| issue("p", "h1", 1)),
            &["program issuer of p"],
        ),
        (
            "issue from v2 to h1",
            Box::new(|_| issue("v2", "h1", 1)),
            &[],
        ),
        (
            "deduct for v1 from h1",
            Box::new(|_| deduct("v1", "h1", 1)),
            &["officer of v1"],
        ),
        (
            "reverse v1's issue",
            Box::new(|w| reverse(w.issue_entry)),
            &["bureau admin", "officer of v1"],
        ),
        (
            "reverse a budget allocation",
            Box::new(|w| reverse(w.allocation_entry)),
            &["bureau admin"],
        ),
        (
            "refund a sale at s1",
            Box::new(|w| reverse(w.sale_entry)),
            &["bureau admin", "terminal of s1"],
        ),
        (
            "refund part of the sale at s1",
            Box::new(|w| refund_sale(w.sale_entry.get(), 1)),
            &["bureau admin", "terminal of s1", "manager of s1"],
        ),
        (
            "create an activation code for s1",
            Box::new(|w| {
                create_activation_code(&w.ledger.ledger_id, "s1", &code(7), w.ledger.now + 60_000)
            }),
            &["bureau admin", "manager of s1"],
        ),
        (
            "block the terminal of s1",
            Box::new(|w| {
                let terminal = w.actors[5].1.key_id().to_string();
                set_terminal_status(&terminal, crate::pb::shops::TerminalStatus::Blocked)
            }),
            &["bureau admin", "manager of s1"],
        ),
        (
            "redeem at s1 for h1",
            Box::new(|w| {
                let resident = &w.actors[7].1;
                let code = w.ledger.payment_code(resident, "h1", 1);
                redeem("s1", "h1", 1, code, 99)
            }),
            &["terminal of s1"],
        ),
    ];
    let mut checked = 0;
    for (operation, build, allowed) in &operations {
        for (actor, signer) in &world.actors {
            let mut ledger = world.ledger.clone();
            let result = ledger.apply(signer, build(&world));
            if allowed.contains(actor) {
                assert!(result.is_ok(), "{actor} should {operation}: {result:?}");
            } else {
                let refusal = result.expect_err(&format!("{actor} must not {operation}"));
                assert_eq!(
                    refusal.class(),
                    RefusalClass::PermissionDenied,
                    "{actor} / {operation}: {refusal}"
                );
                if *actor == "revoked officer of v1" {
                    assert!(matches!(refusal, Refusal::KeyRevoked { .. }), "{refusal}");
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, operations.len() * world.actors.len());
}

#[test]
fn every_role_reads_exactly_its_own_accounts() {
    let world = world();
    let state = &world.ledger.state;
    let account = |kind: &str, id: &str| match kind {
        "issuer" => AccountId::Issuer(IssuerId::parse("id", id).unwrap()),
        "household" => AccountId::Household(HouseholdId::parse("id", id).unwrap()),
        "shop" => AccountId::Shop(ShopId::parse("id", id).unwrap()),
        _ => AccountId::BureauFund,
    };
    let accounts = [
        ("fund", ""),
        ("issuer", "v1"),
        ("issuer", "v2"),
        ("issuer", "p"),
        ("household", "h1"),
        ("household", "h3"),
        ("shop", "s1"),
        ("shop", "s2"),
    ];
    let readable: &[(&str, &[&str])] = &[
        (
            "bureau admin",
            &["", "v1", "v2", "p", "h1", "h3", "s1", "s2"],
        ),
        ("auditor", &["", "v1", "v2", "p", "h1", "h3", "s1", "s2"]),
        ("officer of v1", &["v1", "h1"]),
        ("officer of v2", &["v2", "h3"]),
        ("program issuer of p", &["p"]),
        ("terminal of s1", &["s1"]),
        ("terminal of s2", &["s2"]),
        ("resident of h1", &["h1"]),
        ("resident of h3", &["h3"]),
        ("manager of s1", &["s1"]),
    ];
    for (actor, allowed) in readable {
        let signer = &world.actors.iter().find(|(a, _)| a == actor).unwrap().1;
        let role = state.active_role(&signer.key_id()).unwrap();
        for (kind, id) in accounts {
            let expected = allowed.contains(&id);
            assert_eq!(
                state.may_read_account(role, &account(kind, id)),
                expected,
                "{actor} reading {kind} {id}"
            );
        }
    }
    let revoked = &world.actors[9].1;
    assert!(matches!(
        state.active_role(&revoked.key_id()),
        Err(Refusal::KeyRevoked { .. })
    ));
}
