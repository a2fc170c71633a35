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
