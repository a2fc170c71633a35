//! payment_code.json: the resident's payment code used by the redemption.

use ed25519_dalek::{Signer as _, SigningKey};
use prost::Message;
use shanzhi::crypto::{self, SigningContext};
use shanzhi::ledger::LedgerId;
use shanzhi::pb::points as pb;

use super::by_hand::{assert_verifies, domain_message, key_id_by_hand};
use super::fixture::{LEDGER_ID, NONCE, committed_at, secret, signer};
use super::json::{Obj, to_text};
use super::proto_json::{authorization_json, payment_code_json};
use super::protobuf::{encode_authorization_by_hand, encode_payment_code_by_hand};

/// The resident's payment code used by the redemption, and its parts.
pub(super) struct PaymentCode {
    pub(super) authorization: pb::SpendAuthorization,
    pub(super) authorization_bytes: Vec<u8>,
    pub(super) signed_message: Vec<u8>,
    pub(super) signed: pb::SignedSpendAuthorization,
}
pub(super) fn payment_code() -> PaymentCode {
    let resident = signer("resident");
    let authorization = pb::SpendAuthorization {
        household_id: "hh-001".into(),
        max_points: 20,
        nonce: NONCE.to_vec(),
        // Valid 5 minutes past the redemption's commit time (entry 9), at any shop.
        not_after_unix_ms: committed_at(9) + 300_000,
        shop_id: String::new(),
    };
    let authorization_bytes = authorization.encode_to_vec();
    assert_eq!(
        authorization_bytes,
        encode_authorization_by_hand(&authorization),
        "prost and the documented canonical rules disagree on the spend authorization"
    );
    let signed_message = domain_message("shanzhi/spend/v1", &authorization_bytes);
    assert_eq!(
        signed_message,
        crypto::signed_message(
            SigningContext::SpendAuthorization,
            &LedgerId(LEDGER_ID),
            &authorization_bytes
        )
    );
    let key = SigningKey::from_bytes(&secret("resident"));
    let signature = key.sign(&signed_message).to_bytes();
    assert_eq!(
        signature,
        crypto::sign(
            &key,
            SigningContext::SpendAuthorization,
            &LedgerId(LEDGER_ID),
            &authorization_bytes
        )
    );
    assert_verifies(&resident.public_key(), &signed_message, &signature);
    let signed = pb::SignedSpendAuthorization {
        authorization: authorization_bytes.clone(),
        resident_signature: Some(pb::Signature {
            key_id: key_id_by_hand(&resident.public_key()),
            signature: signature.to_vec(),
        }),
    };
    PaymentCode {
        authorization,
        authorization_bytes,
        signed_message,
        signed,
    }
}
pub(super) fn payment_code_file(code: &PaymentCode, ledger_id: &LedgerId) -> String {
    let resident = signer("resident");
    let signature = &code.signed.resident_signature.as_ref().unwrap().signature;
    let printed = hex::encode(code.signed.encode_to_vec());
    assert_eq!(
        code.signed.encode_to_vec(),
        encode_payment_code_by_hand(&code.signed)
    );

    // What `shanzhi payment-code` prints and `shanzhi redeem --payment-code` takes: SZP1. and
    // the unpadded base64url of the encoded SignedSpendAuthorization.
    let text = shanzhi::client::payment_code_text(&code.signed);
    let by_hand = format!("SZP1.{}", base64_url_by_hand(&code.signed.encode_to_vec()));
    assert_eq!(text, by_hand);
    assert_eq!(
        shanzhi::client::parse_payment_code(&text).unwrap(),
        code.signed
    );

    // The crate's own payment codes have the documented layout (their nonce and expiry are
    // random and time-dependent, so only their shape and signature are checked).
    let live = resident.payment_code(ledger_id, "hh-001", 20, 60_000);
    let live_authorization = pb::SpendAuthorization::decode(live.authorization.as_slice()).unwrap();
    assert_eq!(
        live.authorization,
        encode_authorization_by_hand(&live_authorization)
    );
    assert_eq!(live_authorization.nonce.len(), 16);
    let live_signature = live.resident_signature.as_ref().unwrap();
    assert_eq!(
        live_signature.key_id,
        key_id_by_hand(&resident.public_key())
    );
    assert_verifies(
        &resident.public_key(),
        &domain_message("shanzhi/spend/v1", &live.authorization),
        &live_signature.signature,
    );

    to_text(
        Obj::new()
            .put(
                "description",
                "The resident's payment code used by redeem_with_payment_code in \
                 transaction.json. authorization is the SpendAuthorization in the proto3 JSON \
                 mapping; authorization_hex its canonical encoding, the exact bytes signed and \
                 carried. signed_message_hex = \"shanzhi/spend/v1\" || 0x00 || ledger id (16 raw \
                 bytes) || 0x00 || authorization. payment_code_hex is the encoded \
                 SignedSpendAuthorization in lower-case hex; payment_code_text is the same \
                 bytes as a phone shows them (in a QR code): SZP1. followed by their unpadded \
                 base64url, what `shanzhi payment-code` prints and `shanzhi redeem \
                 --payment-code` takes.",
            )
            .hex("ledger_id_hex", &LEDGER_ID)
            .put("signing_context", "shanzhi/spend/v1")
            .put("resident_key_id", resident.key_id().to_string())
            .hex("resident_public_key_hex", &resident.public_key())
            .put("authorization", authorization_json(&code.authorization))
            .hex("authorization_hex", &code.authorization_bytes)
            .hex("signed_message_hex", &code.signed_message)
            .hex("signature_hex", signature)
            .put(
                "signed_spend_authorization",
                payment_code_json(&code.signed),
            )
            .put("payment_code_hex", printed)
            .put("payment_code_text", text)
            .put(
                "used_by",
                "transaction.json: redeem_with_payment_code (sequence 9)",
            ),
    )
}

/// RFC 4648 §5 base64url without padding, written out so the vector does not trust the crate
/// it checks.
fn base64_url_by_hand(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}
