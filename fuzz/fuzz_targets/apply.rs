//! The state machine's apply on arbitrary transaction bodies, signed by each role's key so the
//! fuzzer reaches the business rules. Nothing may panic; a refusal changes nothing; points
//! are conserved.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shanzhi::client::Signer;
use shanzhi::ledger::{LedgerId, SignatureCheck, State};
use shanzhi::pb::points as pb;
use shanzhi::pb::points::transaction_body::Operation as Op;

const LEDGER: LedgerId = LedgerId([9; 16]);
const NOW: u64 = 1_800_000_000_000;

struct World {
    state: State,
    signers: Vec<Signer>,
}

/// A fixed key per role, so runs are reproducible.
fn signer(seed: u8) -> Signer {
    Signer::new(shanzhi::crypto::KeyFile::new(
        shanzhi::crypto::SigningKey::from_bytes(&[seed; 32]),
    ))
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let admin = signer(1);
        let mut state = State::new();
        let mut sequence = 0u8;
        let mut apply = |state: &mut State, by: &Signer, op: Op| {
            sequence += 1;
            let body = pb::TransactionBody {
                request_id: vec![sequence; 16],
                not_after_unix_ms: NOW + 1000,
                operation: Some(op),
            };
            state
                .apply(NOW, &by.sign(&LEDGER, &body), SignatureCheck::Verify)
                .expect("the fuzzing world builds");
        };
        apply(
            &mut state,
            &admin,
            Op::Genesis(pb::Genesis {
                ledger_id: LEDGER.0.to_vec(),
                admin_public_key: admin.public_key(),
                log_public_key: signer(2).public_key(),
                parameters: Some(pb::LedgerParameters {
                    max_transaction_window_ms: 60_000,
                    max_spend_authorization_window_ms: 60_000,
                    max_refund_window_ms: 60_000,
                }),
            }),
        );
        let officer = signer(3);
        let terminal = signer(4);
        let resident = signer(5);
        let program = signer(6);
        for op in [
            Op::RegisterIssuer(pb::RegisterIssuer {
                issuer_id: "v".into(),
                kind: pb::IssuerKind::Village.into(),
                name: "v".into(),
            }),
            Op::RegisterIssuer(pb::RegisterIssuer {
                issuer_id: "p".into(),
                kind: pb::IssuerKind::Program.into(),
                name: "p".into(),
            }),
            Op::RegisterShop(pb::RegisterShop {
                shop_id: "s".into(),
                name: "s".into(),
            }),
            Op::RegisterKey(pb::RegisterKey {
                public_key: officer.public_key(),
                role: pb::Role::VillageOfficer.into(),
                scope: "v".into(),
                label: String::new(),
            }),
            Op::RegisterKey(pb::RegisterKey {
                public_key: program.public_key(),
                role: pb::Role::ProgramIssuer.into(),
                scope: "p".into(),
                label: String::new(),
            }),
            Op::RegisterKey(pb::RegisterKey {
                public_key: terminal.public_key(),
                role: pb::Role::ShopTerminal.into(),
                scope: "s".into(),
                label: String::new(),
            }),
            Op::RegisterHousehold(pb::RegisterHousehold {
                household_id: "h".into(),
                village_id: "v".into(),
                resident_public_keys: vec![resident.public_key()],
            }),
            Op::AllocateBudget(pb::AllocateBudget {
                issuer_id: "v".into(),
                points: 1000,
                memo: String::new(),
            }),
            Op::AllocateBudget(pb::AllocateBudget {
                issuer_id: "p".into(),
                points: 1000,
                memo: String::new(),
            }),
        ] {
            apply(&mut state, &admin, op);
        }
        apply(
            &mut state,
            &officer,
            Op::IssuePoints(pb::IssuePoints {
                issuer_id: "v".into(),
                household_id: "h".into(),
                rule_code: "R".into(),
                points: 100,
                memo: String::new(),
            }),
        );
        World {
            state,
            signers: vec![admin, officer, program, terminal, resident],
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&who, body)) = data.split_first() else {
        return;
    };
    let world = world();
    let signer = &world.signers[who as usize % world.signers.len()];
    let signed = signer.sign_bytes(&LEDGER, body.to_vec());
    let mut state = world.state.clone();
    let before = state.len();
    match state.apply(NOW + 1, &signed, SignatureCheck::Verify) {
        Ok(_) => assert_eq!(state.len(), before + 1),
        Err(_) => assert_eq!(state.len(), before, "a refusal must change nothing"),
    }
    assert_eq!(state.total_balance(), 0, "points are conserved");
});
