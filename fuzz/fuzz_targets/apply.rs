//! The state machine's apply on arbitrary transaction bodies, signed by each role's key so the
//! fuzzer reaches the business rules. Nothing may panic; a refusal changes nothing; points
//! are conserved. The world is built with the state machine's test DSL
//! (`shanzhi::testkit`), from fixed keys so runs are reproducible.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shanzhi::client::Signer;
use shanzhi::ledger::UnixMs;
use shanzhi::pb::points as pb;
use shanzhi::pb::points::transaction_body::Operation as Op;
use shanzhi::testkit::{Ledger, allocate, issue, register_household, register_key, seeded_signer};

struct World {
    ledger: Ledger,
    signers: Vec<Signer>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let mut ledger = Ledger::with_admin(seeded_signer(1), seeded_signer(2));
        let officer = seeded_signer(3);
        let terminal = seeded_signer(4);
        let resident = seeded_signer(5);
        let program = seeded_signer(6);
        for op in [
            Op::RegisterIssuer(pb::RegisterIssuer {
                issuer_id: "v".into(),
                kind: pb::IssuerKind::Village.into(),
                name: "v".into(),
                program: String::new(),
            }),
            Op::RegisterIssuer(pb::RegisterIssuer {
                issuer_id: "p".into(),
                kind: pb::IssuerKind::Program.into(),
                name: "p".into(),
                program: String::new(),
            }),
            Op::RegisterShop(pb::RegisterShop {
                shop_id: "s".into(),
                name: "s".into(),
            }),
            register_key(&officer, pb::Role::VillageOfficer, "v"),
            register_key(&program, pb::Role::ProgramIssuer, "p"),
            register_key(&terminal, pb::Role::ShopTerminal, "s"),
            register_household("h", "v", &[&resident]),
            allocate("v", 1000),
            allocate("p", 1000),
        ] {
            ledger.admin_does(op);
        }
        ledger
            .apply(&officer, issue("v", "h", 100))
            .expect("the fuzzing world builds");
        World {
            signers: vec![ledger.admin_signer(), officer, program, terminal, resident],
            ledger,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&who, body)) = data.split_first() else {
        return;
    };
    let world = world();
    let signer = &world.signers[who as usize % world.signers.len()];
    let signed = signer.sign_bytes(&world.ledger.ledger_id, body.to_vec());
    let mut state = world.ledger.state.clone();
    let before = state.len();
    let views = |state: &shanzhi::ledger::State| {
        let accounts = state.accounts();
        accounts
            .iter()
            .map(|a| state.account(a))
            .collect::<Vec<_>>()
    };
    let accounts_before = views(&state);
    match state.verify_and_apply(UnixMs(world.ledger.now + 1), &signed) {
        Ok(_) => assert_eq!(state.len(), before + 1),
        Err(_) => {
            assert_eq!(state.len(), before, "a refusal must not add an entry");
            assert_eq!(
                views(&state),
                accounts_before,
                "a refusal must change no account"
            );
        }
    }
    assert_eq!(state.total_balance(), 0, "points are conserved");
});
