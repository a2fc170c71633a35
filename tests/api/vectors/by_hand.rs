//! The documented constructions, built by hand (not with the crate's helpers).

use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use super::fixture::LEDGER_ID;

/// `tag || 0x00 || ledger_id (16 raw bytes) || 0x00 || payload`.
pub(super) fn domain_message(tag: &str, payload: &[u8]) -> Vec<u8> {
    [tag.as_bytes(), &[0], &LEDGER_ID, &[0], payload].concat()
}

/// `method || 0x00 || timestamp (decimal ASCII) || 0x00 || SHA-256(request bytes)`.
pub(super) fn read_payload_by_hand(method: &str, timestamp: &str, request: &[u8]) -> Vec<u8> {
    [
        method.as_bytes(),
        &[0],
        timestamp.as_bytes(),
        &[0],
        Sha256::digest(request).as_slice(),
    ]
    .concat()
}

pub(super) fn key_id_preimage(public_key: &[u8]) -> Vec<u8> {
    [b"shanzhi/key-id/v1".as_slice(), &[0], public_key].concat()
}

/// The first 16 bytes of `SHA-256("shanzhi/key-id/v1" || 0x00 || public key)`, lower-case hex.
pub(super) fn key_id_by_hand(public_key: &[u8]) -> String {
    hex::encode(&Sha256::digest(key_id_preimage(public_key))[..16])
}

pub(super) fn note_key_id_preimage(name: &str, public_key: &[u8]) -> Vec<u8> {
    [name.as_bytes(), b"\n\x01", public_key].concat()
}

/// RFC 6962 `MTH` over the leaves, straight from its recursive definition.
pub(super) fn merkle_root_by_hand(entries: &[Vec<u8>]) -> [u8; 32] {
    match entries {
        [] => Sha256::digest([]).into(),
        [entry] => Sha256::digest([&[0u8], entry.as_slice()].concat()).into(),
        _ => {
            let split = entries.len().next_power_of_two() / 2;
            let left = merkle_root_by_hand(&entries[..split]);
            let right = merkle_root_by_hand(&entries[split..]);
            Sha256::digest([&[1u8], left.as_slice(), right.as_slice()].concat()).into()
        }
    }
}

/// Checks `signature` with `verify_strict` under `public_key` over `message`.
#[track_caller]
pub(super) fn assert_verifies(public_key: &[u8], message: &[u8], signature: &[u8]) {
    let key = VerifyingKey::from_bytes(&public_key.try_into().expect("32 bytes")).unwrap();
    let signature = Signature::from_slice(signature).expect("64 bytes");
    key.verify_strict(message, &signature)
        .expect("the signature verifies with verify_strict");
}
