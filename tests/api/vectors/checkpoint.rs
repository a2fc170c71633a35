//! checkpoint.json: the checkpoint of the vector ledger in the C2SP signed-note format.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer as _, SigningKey};
use sha2::{Digest, Sha256};
use shanzhi::ledger::LedgerId;
use shanzhi::log::checkpoint::{self, Checkpoint};
use shanzhi::log::merkle::{self, Frontier};

use super::by_hand::{assert_verifies, merkle_root_by_hand, note_key_id_preimage};
use super::fixture::{LEDGER_ID, secret};
use super::json::{Json, Obj, to_text};

pub(super) fn checkpoint_file(entries: &[Vec<u8>], frontier: &Frontier) -> String {
    let log = SigningKey::from_bytes(&secret("log"));
    let log_public = log.verifying_key().to_bytes();
    let origin = format!("shanzhi/{}", hex::encode(LEDGER_ID));
    assert_eq!(origin, checkpoint::origin(&LedgerId(LEDGER_ID)));
    let root = merkle_root_by_hand(entries);
    assert_eq!(root, frontier.root());
    let size = entries.len() as u64;
    let checkpoint = Checkpoint {
        origin: origin.clone(),
        size,
        root,
    };

    let text = format!("{origin}\n{size}\n{}\n", BASE64.encode(root));
    assert_eq!(text, checkpoint.text());
    let preimage = note_key_id_preimage(&origin, &log_public);
    let note_key_id: [u8; 4] = Sha256::digest(&preimage)[..4].try_into().unwrap();
    assert_eq!(
        note_key_id,
        checkpoint::note_key_id(&origin, &log.verifying_key())
    );
    let signature = log.sign(text.as_bytes()).to_bytes();
    assert_verifies(&log_public, text.as_bytes(), &signature);
    let blob = BASE64.encode([note_key_id.as_slice(), &signature].concat());
    let signature_line = format!("\u{2014} {origin} {blob}");
    let note = format!("{text}\n{signature_line}\n");
    assert_eq!(note, checkpoint.sign(&log));
    assert_eq!(
        Checkpoint::verify(&note, &log.verifying_key(), &origin).unwrap(),
        checkpoint
    );
    // The verifier key string a generic C2SP signed-note library takes (shanzhi itself takes
    // the log key as 64 hex characters).
    let vkey = format!(
        "{origin}+{}+{}",
        hex::encode(note_key_id),
        BASE64.encode([&[1u8], log_public.as_slice()].concat())
    );

    to_text(
        Obj::new()
            .put(
                "description",
                "The checkpoint of the 43 entries of transaction.json, signed by the log key \
                 (key_id.json: log) in the C2SP tlog-checkpoint signed-note format. The signed \
                 bytes are note_text exactly (three lines, each ending in 0x0A). The signature \
                 line is U+2014 EM DASH, a space, the origin, a space and base64(note key id (4 \
                 bytes) || Ed25519 signature (64 bytes)). note_key_id = SHA-256(origin || 0x0A \
                 || 0x01 || log public key)[0..4]. note_verifier_key is the C2SP verifier key \
                 string for generic signed-note libraries; shanzhi itself never prints or reads \
                 it.",
            )
            .hex("ledger_id_hex", &LEDGER_ID)
            .put("origin", origin)
            .hex("log_public_key_hex", &log_public)
            .hex("note_key_id_preimage_hex", &preimage)
            .hex("note_key_id_hex", &note_key_id)
            .put("tree_size", size)
            .put(
                "leaf_hashes_hex",
                entries
                    .iter()
                    .map(|e| hex::encode(merkle::leaf_hash(e)).into())
                    .collect::<Vec<Json>>(),
            )
            .hex("root_hash_hex", &root)
            .put("root_hash_base64", BASE64.encode(root))
            .put("note_text", text.clone())
            .hex("signed_message_hex", text.as_bytes())
            .hex("signature_hex", &signature)
            .put("signature_line", signature_line)
            .put("note", note)
            .put("note_verifier_key", vkey),
    )
}
