//! The registry room: keys, issuers, households and shops.

use super::prelude::*;

#[test]
fn a_household_has_at_most_sixteen_active_resident_keys_however_they_were_registered() {
    let mut ledger = Ledger::new();
    let officer = ledger.issuer("a", pb::IssuerKind::Village, 0);
    ledger.household("h", "a");
    let register = |key: &Signer| {
        Op::RegisterKey(pb::RegisterKey {
            public_key: key.public_key(),
            role: pb::Role::Resident.into(),
            scope: "h".into(),
            label: String::new(),
        })
    };
    let keys: Vec<_> = (0..MAX_RESIDENT_KEYS).map(|_| Signer::generate()).collect();
    for key in &keys {
        ledger.apply(&officer, register(key)).unwrap();
    }
    let one_more = Signer::generate();
    let refused = ledger.apply(&officer, register(&one_more)).unwrap_err();
    assert!(
        matches!(refused, Refusal::ResidentKeysFull { max: 16, .. }),
        "{refused}"
    );
    // Revoking one makes room for another (a lost phone replaced).
    ledger
        .apply(
            &officer,
            Op::RevokeKey(pb::RevokeKey {
                key_id: keys[0].key_id().to_string(),
                reason: "phone lost".into(),
            }),
        )
        .unwrap();
    ledger.apply(&officer, register(&one_more)).unwrap();
}

#[test]
fn resident_keys_registered_with_the_household_count_towards_its_sixteen() {
    let mut ledger = Ledger::new();
    let officer = ledger.issuer("a", pb::IssuerKind::Village, 0);
    let with_household: Vec<_> = (0..10).map(|_| Signer::generate()).collect();
    let refs: Vec<&Signer> = with_household.iter().collect();
    ledger.admin_does(register_household("h", "a", &refs));
    for _ in 10..MAX_RESIDENT_KEYS {
        let key = Signer::generate();
        ledger
            .apply(&officer, register_key(&key, pb::Role::Resident, "h"))
            .unwrap();
    }
    let refused = ledger
        .apply(
            &officer,
            register_key(&Signer::generate(), pb::Role::Resident, "h"),
        )
        .unwrap_err();
    assert!(
        matches!(refused, Refusal::ResidentKeysFull { max: 16, .. }),
        "{refused}"
    );
    // Revoking a key that came with the household makes room too.
    ledger.apply(&officer, revoke(&with_household[3])).unwrap();
    ledger
        .apply(
            &officer,
            register_key(&Signer::generate(), pb::Role::Resident, "h"),
        )
        .unwrap();
}

#[test]
fn the_last_active_bureau_admin_key_cannot_be_revoked() {
    let mut ledger = Ledger::new();
    let genesis_admin = ledger.admin_signer();
    let second = Signer::generate();
    let third = Signer::generate();
    ledger.admin_does(register_key(&second, pb::Role::BureauAdmin, ""));
    ledger.admin_does(register_key(&third, pb::Role::BureauAdmin, ""));
    // Three active: two may go, in any order, by any admin.
    ledger.apply(&second, revoke(&third)).unwrap();
    ledger.apply(&second, revoke(&genesis_admin)).unwrap();
    // A revoked admin's revocation is not counted twice: `second` is the last one left.
    let refused = ledger.apply(&second, revoke(&second)).unwrap_err();
    assert!(
        matches!(refused, Refusal::LastAdminKey { key_id } if key_id == second.key_id()),
        "{refused}"
    );
    let again = ledger.apply(&second, revoke(&third)).unwrap_err();
    assert!(matches!(again, Refusal::AlreadyRevoked { .. }), "{again}");
    // With a new admin registered, the old one may go.
    let fourth = Signer::generate();
    ledger
        .apply(&second, register_key(&fourth, pb::Role::BureauAdmin, ""))
        .unwrap();
    ledger.apply(&fourth, revoke(&second)).unwrap();
    let refused = ledger.apply(&fourth, revoke(&fourth)).unwrap_err();
    assert!(matches!(refused, Refusal::LastAdminKey { .. }), "{refused}");
}
