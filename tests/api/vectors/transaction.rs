//! transaction.json: the vector ledger, each transaction signed, cross-checked and applied to
//! the real state machine in order.

use ed25519_dalek::{Signer as _, SigningKey};
use prost::Message;
use sha2::{Digest, Sha256};
use shanzhi::crypto::{self, SigningContext};
use shanzhi::ledger::{AccountId, HouseholdId, LedgerId, State, Transaction, UnixMs};
use shanzhi::log::merkle::{self, Frontier};
use shanzhi::pb::points as pb;

use super::by_hand::{assert_verifies, domain_message, key_id_by_hand};
use super::fixture::{
    CLAIMS_FROM, FINALIZED_AT, LEDGER_ID, VALID_FOR_MS, committed_at, request_id, secret, signer,
    steps,
};
use super::json::{Json, Obj, to_text};
use super::payment_code::PaymentCode;
use super::proto_json::body_json;
use super::protobuf::encode_body_by_hand;

/// The vector ledger once every transaction is applied, and transaction.json.
pub(super) struct Ledger {
    pub(super) state: State,
    pub(super) frontier: Frontier,
    /// The encoded log entries, in sequence order.
    pub(super) entries: Vec<Vec<u8>>,
    pub(super) file: String,
    /// The worked example's body, signed message and signature, in hex.
    pub(super) worked_example: [String; 3],
}

pub(super) fn ledger(code: &PaymentCode) -> Ledger {
    let ledger_id = LedgerId(LEDGER_ID);
    let mut state = State::new();
    let mut frontier = Frontier::new();
    let mut entries: Vec<Vec<u8>> = Vec::new();
    let mut transactions: Vec<Json> = Vec::new();
    let mut worked_example = None;

    let all = steps(code);
    assert_eq!(all[CLAIMS_FROM as usize].name, "submit_claim");
    assert_eq!(all[FINALIZED_AT as usize].name, "finalize_notice");
    for (sequence, step) in (0u64..).zip(all) {
        let signer = signer(step.signer);
        let body = pb::TransactionBody {
            request_id: request_id(sequence),
            not_after_unix_ms: committed_at(sequence) + VALID_FOR_MS,
            operation: Some(step.operation),
        };
        let body_bytes = body.encode_to_vec();
        assert_eq!(
            body_bytes,
            encode_body_by_hand(&body),
            "{}: prost and the documented canonical rules disagree",
            step.name
        );
        Transaction::parse(&body_bytes)
            .unwrap_or_else(|e| panic!("{}: the body does not parse: {e}", step.name));

        let signed = signer.sign(&ledger_id, &body);
        assert_eq!(signed.body, body_bytes);
        let [signature] = signed.signatures.as_slice() else {
            panic!("one signature");
        };
        let signed_message = domain_message("shanzhi/tx/v1", &body_bytes);
        assert_eq!(
            signed_message,
            crypto::signed_message(SigningContext::Transaction, &ledger_id, &body_bytes)
        );
        let by_hand = SigningKey::from_bytes(&secret(step.signer))
            .sign(&signed_message)
            .to_bytes();
        assert_eq!(signature.signature, by_hand);
        assert_verifies(&signer.public_key(), &signed_message, &signature.signature);
        assert_eq!(signature.key_id, key_id_by_hand(&signer.public_key()));

        let record = state
            .verify_and_apply(UnixMs(committed_at(sequence)), &signed)
            .unwrap_or_else(|e| panic!("{}: refused by the state machine: {e}", step.name));
        assert_eq!(record.sequence.get(), sequence);
        assert_eq!(record.committed_at.get(), committed_at(sequence));

        let log_entry = pb::LogEntry {
            sequence,
            committed_at_unix_ms: committed_at(sequence),
            transaction: Some(signed.clone()),
        }
        .encode_to_vec();
        frontier.append(&log_entry);
        let leaf = merkle::leaf_hash(&log_entry);
        assert_eq!(
            leaf.as_slice(),
            Sha256::digest([&[0u8], log_entry.as_slice()].concat()).as_slice()
        );
        entries.push(log_entry.clone());

        if step.name == "issue_points_with_memo" {
            worked_example = Some([
                hex::encode(&body_bytes),
                hex::encode(&signed_message),
                hex::encode(&signature.signature),
            ]);
        }
        transactions.push(
            Obj::new()
                .put("name", step.name)
                .put("description", step.description)
                .put("sequence", sequence)
                .put("committed_at_unix_ms", committed_at(sequence))
                .put("signer", step.signer)
                .put("signer_key_id", signature.key_id.clone())
                .put("body", body_json(&body))
                .hex("body_hex", &body_bytes)
                .hex("body_sha256_hex", &Sha256::digest(&body_bytes))
                .hex("signed_message_hex", &signed_message)
                .hex("signature_hex", &signature.signature)
                .hex("signed_transaction_hex", &signed.encode_to_vec())
                .hex("log_entry_hex", &log_entry)
                .hex("leaf_hash_hex", &leaf)
                .into(),
        );
    }
    let household = AccountId::Household(HouseholdId::parse("household_id", "hh-001").unwrap());
    assert_eq!(
        state.account(&household).unwrap().balance(),
        30 - 5 - 12 + 5 + 3 * 4 + 2 * 10 - 3 * 4,
        "the vector ledger moved the points it says (c-001 posted 3 × 4 and reversed, an award \
         of 2 × 10)"
    );

    let transaction_file = to_text(
        Obj::new()
            .put(
                "description",
                "A ledger of 43 entries, each signed by one of the fixed keys (key_id.json) and \
                 accepted by the state machine in this order. body is the TransactionBody in the \
                 proto3 JSON mapping (lowerCamelCase names, uint64 as strings, bytes as base64, \
                 default values omitted); body_hex is its canonical encoding, the only one the \
                 server accepts. signed_message_hex = \"shanzhi/tx/v1\" || 0x00 || ledger id (16 \
                 raw bytes) || 0x00 || body. signed_transaction_hex is the encoded \
                 SignedTransaction that goes in SubmitRequest.transaction. log_entry_hex is the \
                 LogEntry the server stores (with the commit time the server would choose; here \
                 fixed), leaf_hash_hex its Merkle leaf hash SHA-256(0x00 || entry).",
            )
            .hex("ledger_id_hex", &LEDGER_ID)
            .put("signing_context", "shanzhi/tx/v1")
            .put("transactions", transactions),
    );

    Ledger {
        state,
        frontier,
        entries,
        file: transaction_file,
        worked_example: worked_example.expect("the worked example is among the steps"),
    }
}
