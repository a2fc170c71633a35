//! The conformance vectors for third-party clients (`docs/clients.md`, `docs/vectors/*.json`).
//!
//! Every vector is regenerated here from fixed inputs (fixed secret keys, ledger id, request
//! ids, nonces and times) with the crate's public API, and compared with the committed files
//! byte for byte, so the document cannot drift from the code. Run with
//! `SHANZHI_UPDATE_VECTORS=1` to rewrite the files after an intended change (and update
//! `docs/clients.md` to match).
//!
//! The test also checks the code against the document, not only against itself: every body is
//! encoded a second time by a small hand-written protobuf writer that follows the canonical
//! rules of the document, every signed message is built by hand from the documented
//! concatenation, every key id is derived by hand, every signature is checked with
//! `verify_strict`, and every transaction is applied to the real state machine.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use prost::Message;
use sha2::{Digest, Sha256};
use shanzhi::api::auth::{self, ReadCredential, methods};
use shanzhi::client::Signer;
use shanzhi::crypto::{self, KeyDirectory, KeyFile, SigningContext};
use shanzhi::ledger::{
    self, AccountId, HouseholdId, LedgerId, LedgerParameters, RefusalClass, SignatureCheck, State,
    Transaction,
};
use shanzhi::log::checkpoint::{self, Checkpoint};
use shanzhi::log::merkle::{self, Frontier};
use shanzhi::pb::audit as audit_pb;
use shanzhi::pb::points as pb;
use shanzhi::pb::points::transaction_body::Operation as Op;

// ---------------------------------------------------------------------------------------------
// Fixed inputs
// ---------------------------------------------------------------------------------------------

/// The ledger id of every vector: raw bytes a0 a1 … af.
const LEDGER_ID: [u8; 16] = [
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
];
/// Commit time of entry 0 (2027-01-15 08:00:00 UTC); entry `n` commits at `T0 + n * 1000`.
const T0: u64 = 1_800_000_000_000;
/// Every body is valid for 10 minutes after its commit time (the CLI's default).
const VALID_FOR_MS: u64 = 600_000;
/// When the read credentials are made: after the last entry.
const READ_AT: u64 = T0 + 60_000;
/// The payment code's nonce: 00 01 … 0f.
const NONCE: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/// The fixed keys: (name, 32-byte secret key filled with one byte).
const KEYS: [(&str, u8); 5] = [
    ("bureau_admin", 0x01),
    ("log", 0x02),
    ("village_officer", 0x03),
    ("resident", 0x04),
    ("shop_terminal", 0x05),
];

fn secret(name: &str) -> [u8; 32] {
    let (_, byte) = KEYS.iter().find(|(n, _)| *n == name).expect("a fixed key");
    [*byte; 32]
}

fn signer(name: &str) -> Signer {
    Signer::new(KeyFile::new(SigningKey::from_bytes(&secret(name))))
}

fn request_id(sequence: u64) -> Vec<u8> {
    vec![0x10 + u8::try_from(sequence).expect("few entries"); 16]
}

fn committed_at(sequence: u64) -> u64 {
    T0 + sequence * 1000
}

// ---------------------------------------------------------------------------------------------
// The documented constructions, built by hand (not with the crate's helpers)
// ---------------------------------------------------------------------------------------------

/// `tag || 0x00 || ledger_id (16 raw bytes) || 0x00 || payload`.
fn domain_message(tag: &str, payload: &[u8]) -> Vec<u8> {
    [tag.as_bytes(), &[0], &LEDGER_ID, &[0], payload].concat()
}

/// `method || 0x00 || timestamp (decimal ASCII) || 0x00 || SHA-256(request bytes)`.
fn read_payload_by_hand(method: &str, timestamp: &str, request: &[u8]) -> Vec<u8> {
    [
        method.as_bytes(),
        &[0],
        timestamp.as_bytes(),
        &[0],
        Sha256::digest(request).as_slice(),
    ]
    .concat()
}

fn key_id_preimage(public_key: &[u8]) -> Vec<u8> {
    [b"shanzhi/key-id/v1".as_slice(), &[0], public_key].concat()
}

/// The first 16 bytes of `SHA-256("shanzhi/key-id/v1" || 0x00 || public key)`, lower-case hex.
fn key_id_by_hand(public_key: &[u8]) -> String {
    hex::encode(&Sha256::digest(key_id_preimage(public_key))[..16])
}

fn note_key_id_preimage(name: &str, public_key: &[u8]) -> Vec<u8> {
    [name.as_bytes(), b"\n\x01", public_key].concat()
}

/// RFC 6962 `MTH` over the leaves, straight from its recursive definition.
fn merkle_root_by_hand(entries: &[Vec<u8>]) -> [u8; 32] {
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
fn assert_verifies(public_key: &[u8], message: &[u8], signature: &[u8]) {
    let key = VerifyingKey::from_bytes(&public_key.try_into().expect("32 bytes")).unwrap();
    let signature = Signature::from_slice(signature).expect("64 bytes");
    key.verify_strict(message, &signature)
        .expect("the signature verifies with verify_strict");
}

/// A protobuf writer that follows the document's canonical rules: fields in field-number
/// order, scalars holding their default value (0, "", empty bytes) omitted, embedded messages
/// written whenever present (even when empty), each repeated element written.
mod wire {
    pub fn varint(mut value: u64, out: &mut Vec<u8>) {
        while value >= 0x80 {
            out.push((value as u8 & 0x7f) | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }

    fn key(field: u64, wire_type: u64, out: &mut Vec<u8>) {
        varint((field << 3) | wire_type, out);
    }

    /// A uint64 or enum field; nothing when 0.
    pub fn uint(field: u64, value: u64, out: &mut Vec<u8>) {
        if value != 0 {
            key(field, 0, out);
            varint(value, out);
        }
    }

    /// A string or bytes field; nothing when empty.
    pub fn bytes(field: u64, value: &[u8], out: &mut Vec<u8>) {
        if !value.is_empty() {
            message(field, value, out);
        }
    }

    /// An embedded message (or one repeated element): always written.
    pub fn message(field: u64, value: &[u8], out: &mut Vec<u8>) {
        key(field, 2, out);
        varint(value.len() as u64, out);
        out.extend_from_slice(value);
    }
}

fn encode_signature_by_hand(s: &pb::Signature) -> Vec<u8> {
    let mut out = Vec::new();
    wire::bytes(1, s.key_id.as_bytes(), &mut out);
    wire::bytes(2, &s.signature, &mut out);
    out
}

fn encode_authorization_by_hand(a: &pb::SpendAuthorization) -> Vec<u8> {
    let mut out = Vec::new();
    wire::bytes(1, a.household_id.as_bytes(), &mut out);
    wire::uint(2, a.max_points, &mut out);
    wire::bytes(3, &a.nonce, &mut out);
    wire::uint(4, a.not_after_unix_ms, &mut out);
    out
}

fn encode_payment_code_by_hand(c: &pb::SignedSpendAuthorization) -> Vec<u8> {
    let mut out = Vec::new();
    wire::bytes(1, &c.authorization, &mut out);
    if let Some(s) = &c.resident_signature {
        wire::message(2, &encode_signature_by_hand(s), &mut out);
    }
    out
}

fn encode_operation_by_hand(operation: &Op) -> (u64, Vec<u8>) {
    let mut m = Vec::new();
    let field = match operation {
        Op::Genesis(g) => {
            wire::bytes(1, &g.ledger_id, &mut m);
            wire::bytes(2, &g.admin_public_key, &mut m);
            wire::bytes(3, &g.log_public_key, &mut m);
            if let Some(p) = &g.parameters {
                let mut params = Vec::new();
                wire::uint(1, p.max_transaction_window_ms, &mut params);
                wire::uint(2, p.max_spend_authorization_window_ms, &mut params);
                wire::uint(3, p.max_refund_window_ms, &mut params);
                wire::message(4, &params, &mut m);
            }
            10
        }
        Op::RegisterKey(k) => {
            wire::bytes(1, &k.public_key, &mut m);
            wire::uint(2, k.role as u64, &mut m);
            wire::bytes(3, k.scope.as_bytes(), &mut m);
            wire::bytes(4, k.label.as_bytes(), &mut m);
            11
        }
        Op::RevokeKey(k) => {
            wire::bytes(1, k.key_id.as_bytes(), &mut m);
            wire::bytes(2, k.reason.as_bytes(), &mut m);
            12
        }
        Op::RegisterIssuer(i) => {
            wire::bytes(1, i.issuer_id.as_bytes(), &mut m);
            wire::uint(2, i.kind as u64, &mut m);
            wire::bytes(3, i.name.as_bytes(), &mut m);
            13
        }
        Op::RegisterHousehold(h) => {
            wire::bytes(1, h.household_id.as_bytes(), &mut m);
            wire::bytes(2, h.village_id.as_bytes(), &mut m);
            for key in &h.resident_public_keys {
                wire::message(3, key, &mut m);
            }
            14
        }
        Op::RegisterShop(s) => {
            wire::bytes(1, s.shop_id.as_bytes(), &mut m);
            wire::bytes(2, s.name.as_bytes(), &mut m);
            15
        }
        Op::AllocateBudget(a) => {
            wire::bytes(1, a.issuer_id.as_bytes(), &mut m);
            wire::uint(2, a.points, &mut m);
            wire::bytes(3, a.memo.as_bytes(), &mut m);
            16
        }
        Op::IssuePoints(i) => {
            points_action_by_hand(
                &i.issuer_id,
                &i.household_id,
                &i.rule_code,
                i.points,
                &i.memo,
                &mut m,
            );
            17
        }
        Op::DeductPoints(d) => {
            points_action_by_hand(
                &d.issuer_id,
                &d.household_id,
                &d.rule_code,
                d.points,
                &d.memo,
                &mut m,
            );
            18
        }
        Op::ReverseEntry(r) => {
            wire::uint(1, r.sequence, &mut m);
            wire::bytes(2, r.reason.as_bytes(), &mut m);
            19
        }
        Op::Redeem(r) => {
            wire::bytes(1, r.shop_id.as_bytes(), &mut m);
            wire::bytes(2, r.household_id.as_bytes(), &mut m);
            wire::uint(3, r.points, &mut m);
            if let Some(code) = &r.payment_code {
                wire::message(4, &encode_payment_code_by_hand(code), &mut m);
            }
            wire::uint(5, r.terminal_counter, &mut m);
            wire::bytes(6, r.memo.as_bytes(), &mut m);
            20
        }
    };
    (field, m)
}

fn points_action_by_hand(
    issuer: &str,
    household: &str,
    rule: &str,
    points: u64,
    memo: &str,
    out: &mut Vec<u8>,
) {
    wire::bytes(1, issuer.as_bytes(), out);
    wire::bytes(2, household.as_bytes(), out);
    wire::bytes(3, rule.as_bytes(), out);
    wire::uint(4, points, out);
    wire::bytes(5, memo.as_bytes(), out);
}

fn encode_body_by_hand(body: &pb::TransactionBody) -> Vec<u8> {
    let mut out = Vec::new();
    wire::bytes(1, &body.request_id, &mut out);
    wire::uint(2, body.not_after_unix_ms, &mut out);
    if let Some(operation) = &body.operation {
        let (field, message) = encode_operation_by_hand(operation);
        wire::message(field, &message, &mut out);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// A small deterministic JSON writer (keys in the order given, two-space indentation)
// ---------------------------------------------------------------------------------------------

enum Json {
    Str(String),
    Num(u64),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Json::Str(s.to_owned())
    }
}
impl From<String> for Json {
    fn from(s: String) -> Self {
        Json::Str(s)
    }
}
impl From<u64> for Json {
    fn from(n: u64) -> Self {
        Json::Num(n)
    }
}
impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Self {
        Json::Arr(items)
    }
}
impl From<Obj> for Json {
    fn from(obj: Obj) -> Self {
        Json::Obj(obj.0)
    }
}

/// An object under construction. The `p_*` methods follow the proto3 JSON mapping: field
/// names in lowerCamelCase, default values omitted, uint64 as a decimal string, bytes as
/// standard base64 with padding, enums by name.
struct Obj(Vec<(String, Json)>);

impl Obj {
    fn new() -> Self {
        Obj(Vec::new())
    }

    fn put(mut self, key: &str, value: impl Into<Json>) -> Self {
        self.0.push((key.to_owned(), value.into()));
        self
    }

    fn hex(self, key: &str, bytes: &[u8]) -> Self {
        self.put(key, hex::encode(bytes))
    }

    fn p_str(self, key: &str, value: &str) -> Self {
        if value.is_empty() {
            self
        } else {
            self.put(key, value)
        }
    }

    fn p_u64(self, key: &str, value: u64) -> Self {
        if value == 0 {
            self
        } else {
            self.put(key, value.to_string())
        }
    }

    fn p_bytes(self, key: &str, value: &[u8]) -> Self {
        if value.is_empty() {
            self
        } else {
            self.put(key, BASE64.encode(value))
        }
    }

    fn p_enum(self, key: &str, value: i32, name: &str) -> Self {
        if value == 0 {
            self
        } else {
            self.put(key, name)
        }
    }
}

fn escape(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_json(value: &Json, indent: usize, out: &mut String) {
    let pad = |n: usize| "  ".repeat(n);
    match value {
        Json::Str(s) => escape(s, out),
        Json::Num(n) => out.push_str(&n.to_string()),
        Json::Arr(items) if items.is_empty() => out.push_str("[]"),
        Json::Obj(fields) if fields.is_empty() => out.push_str("{}"),
        Json::Arr(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                write_json(item, indent + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Json::Obj(fields) => {
            out.push_str("{\n");
            for (i, (key, item)) in fields.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                escape(key, out);
                out.push_str(": ");
                write_json(item, indent + 1, out);
                out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
    }
}

fn to_text(value: impl Into<Json>) -> String {
    let mut out = String::new();
    write_json(&value.into(), 0, &mut out);
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------------
// Messages in the proto3 JSON mapping
// ---------------------------------------------------------------------------------------------

fn signature_json(s: &pb::Signature) -> Json {
    Obj::new()
        .p_str("keyId", &s.key_id)
        .p_bytes("signature", &s.signature)
        .into()
}

fn authorization_json(a: &pb::SpendAuthorization) -> Json {
    Obj::new()
        .p_str("householdId", &a.household_id)
        .p_u64("maxPoints", a.max_points)
        .p_bytes("nonce", &a.nonce)
        .p_u64("notAfterUnixMs", a.not_after_unix_ms)
        .into()
}

fn payment_code_json(c: &pb::SignedSpendAuthorization) -> Json {
    let mut obj = Obj::new().p_bytes("authorization", &c.authorization);
    if let Some(s) = &c.resident_signature {
        obj = obj.put("residentSignature", signature_json(s));
    }
    obj.into()
}

fn points_action_json(issuer: &str, household: &str, rule: &str, points: u64, memo: &str) -> Obj {
    Obj::new()
        .p_str("issuerId", issuer)
        .p_str("householdId", household)
        .p_str("ruleCode", rule)
        .p_u64("points", points)
        .p_str("memo", memo)
}

fn operation_json(operation: &Op) -> (&'static str, Json) {
    match operation {
        Op::Genesis(g) => {
            let mut obj = Obj::new()
                .p_bytes("ledgerId", &g.ledger_id)
                .p_bytes("adminPublicKey", &g.admin_public_key)
                .p_bytes("logPublicKey", &g.log_public_key);
            if let Some(p) = &g.parameters {
                let params = Obj::new()
                    .p_u64("maxTransactionWindowMs", p.max_transaction_window_ms)
                    .p_u64(
                        "maxSpendAuthorizationWindowMs",
                        p.max_spend_authorization_window_ms,
                    )
                    .p_u64("maxRefundWindowMs", p.max_refund_window_ms);
                obj = obj.put("parameters", params);
            }
            ("genesis", obj.into())
        }
        Op::RegisterKey(k) => {
            let role = pb::Role::try_from(k.role).map_or("", |r| r.as_str_name());
            let obj = Obj::new()
                .p_bytes("publicKey", &k.public_key)
                .p_enum("role", k.role, role)
                .p_str("scope", &k.scope)
                .p_str("label", &k.label);
            ("registerKey", obj.into())
        }
        Op::RevokeKey(k) => {
            let obj = Obj::new()
                .p_str("keyId", &k.key_id)
                .p_str("reason", &k.reason);
            ("revokeKey", obj.into())
        }
        Op::RegisterIssuer(i) => {
            let kind = pb::IssuerKind::try_from(i.kind).map_or("", |k| k.as_str_name());
            let obj = Obj::new()
                .p_str("issuerId", &i.issuer_id)
                .p_enum("kind", i.kind, kind)
                .p_str("name", &i.name);
            ("registerIssuer", obj.into())
        }
        Op::RegisterHousehold(h) => {
            let mut obj = Obj::new()
                .p_str("householdId", &h.household_id)
                .p_str("villageId", &h.village_id);
            if !h.resident_public_keys.is_empty() {
                let keys: Vec<Json> = h
                    .resident_public_keys
                    .iter()
                    .map(|k| BASE64.encode(k).into())
                    .collect();
                obj = obj.put("residentPublicKeys", keys);
            }
            ("registerHousehold", obj.into())
        }
        Op::RegisterShop(s) => {
            let obj = Obj::new()
                .p_str("shopId", &s.shop_id)
                .p_str("name", &s.name);
            ("registerShop", obj.into())
        }
        Op::AllocateBudget(a) => {
            let obj = Obj::new()
                .p_str("issuerId", &a.issuer_id)
                .p_u64("points", a.points)
                .p_str("memo", &a.memo);
            ("allocateBudget", obj.into())
        }
        Op::IssuePoints(i) => (
            "issuePoints",
            points_action_json(
                &i.issuer_id,
                &i.household_id,
                &i.rule_code,
                i.points,
                &i.memo,
            )
            .into(),
        ),
        Op::DeductPoints(d) => (
            "deductPoints",
            points_action_json(
                &d.issuer_id,
                &d.household_id,
                &d.rule_code,
                d.points,
                &d.memo,
            )
            .into(),
        ),
        Op::ReverseEntry(r) => {
            let obj = Obj::new()
                .p_u64("sequence", r.sequence)
                .p_str("reason", &r.reason);
            ("reverseEntry", obj.into())
        }
        Op::Redeem(r) => {
            let mut obj = Obj::new()
                .p_str("shopId", &r.shop_id)
                .p_str("householdId", &r.household_id)
                .p_u64("points", r.points);
            if let Some(code) = &r.payment_code {
                obj = obj.put("paymentCode", payment_code_json(code));
            }
            let obj = obj
                .p_u64("terminalCounter", r.terminal_counter)
                .p_str("memo", &r.memo);
            ("redeem", obj.into())
        }
    }
}

fn body_json(body: &pb::TransactionBody) -> Json {
    let mut obj = Obj::new()
        .p_bytes("requestId", &body.request_id)
        .p_u64("notAfterUnixMs", body.not_after_unix_ms);
    if let Some(operation) = &body.operation {
        let (name, value) = operation_json(operation);
        obj = obj.put(name, value);
    }
    obj.into()
}

fn account_ref_json(a: &pb::AccountRef) -> Json {
    let kind = pb::AccountKind::try_from(a.kind).map_or("", |k| k.as_str_name());
    Obj::new()
        .p_enum("kind", a.kind, kind)
        .p_str("id", &a.id)
        .into()
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

/// One transaction of the vector ledger.
struct Step {
    name: &'static str,
    description: &'static str,
    signer: &'static str,
    operation: Op,
}

/// The resident's payment code used by the redemption, and its parts.
struct PaymentCode {
    authorization: pb::SpendAuthorization,
    authorization_bytes: Vec<u8>,
    signed_message: Vec<u8>,
    signed: pb::SignedSpendAuthorization,
}

fn public_key(name: &str) -> Vec<u8> {
    signer(name).public_key()
}

fn payment_code() -> PaymentCode {
    let resident = signer("resident");
    let authorization = pb::SpendAuthorization {
        household_id: "hh-001".into(),
        max_points: 20,
        nonce: NONCE.to_vec(),
        // Valid 5 minutes past the redemption's commit time (entry 9).
        not_after_unix_ms: committed_at(9) + 300_000,
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

fn steps(code: &PaymentCode) -> Vec<Step> {
    vec![
        Step {
            name: "genesis",
            description: "Entry 0: creates the ledger; signed by the bureau admin key it names. \
                          Every parameter is the default.",
            signer: "bureau_admin",
            operation: Op::Genesis(pb::Genesis {
                ledger_id: LEDGER_ID.to_vec(),
                admin_public_key: public_key("bureau_admin"),
                log_public_key: public_key("log"),
                parameters: Some(pb::LedgerParameters {
                    max_transaction_window_ms: LedgerParameters::DEFAULT_MAX_TRANSACTION_WINDOW_MS,
                    max_spend_authorization_window_ms:
                        LedgerParameters::DEFAULT_MAX_SPEND_AUTHORIZATION_WINDOW_MS,
                    max_refund_window_ms: LedgerParameters::DEFAULT_MAX_REFUND_WINDOW_MS,
                }),
            }),
        },
        Step {
            name: "register_village",
            description: "The bureau registers a village issuer; the name is UTF-8 (7 \
                          characters, 21 bytes).",
            signer: "bureau_admin",
            operation: Op::RegisterIssuer(pb::RegisterIssuer {
                issuer_id: "gaoba".into(),
                kind: pb::IssuerKind::Village.into(),
                name: "高坝洲镇高坝村".into(),
            }),
        },
        Step {
            name: "register_officer_key_without_label",
            description: "The bureau registers the village officer's key. The label is empty, \
                          so the field is omitted: RegisterKey has fields 1, 2 and 3 only.",
            signer: "bureau_admin",
            operation: Op::RegisterKey(pb::RegisterKey {
                public_key: public_key("village_officer"),
                role: pb::Role::VillageOfficer.into(),
                scope: "gaoba".into(),
                label: String::new(),
            }),
        },
        Step {
            name: "register_household_with_resident_key",
            description: "The village officer registers a household with one resident key \
                          (registered with ROLE_RESIDENT, scope hh-001).",
            signer: "village_officer",
            operation: Op::RegisterHousehold(pb::RegisterHousehold {
                household_id: "hh-001".into(),
                village_id: "gaoba".into(),
                resident_public_keys: vec![public_key("resident")],
            }),
        },
        Step {
            name: "allocate_budget",
            description: "The bureau moves 1000 points of budget to the village.",
            signer: "bureau_admin",
            operation: Op::AllocateBudget(pb::AllocateBudget {
                issuer_id: "gaoba".into(),
                points: 1000,
                memo: "2026 Q4".into(),
            }),
        },
        Step {
            name: "issue_points_with_memo",
            description: "The village officer awards 30 points with a memo. The worked example \
                          of docs/clients.md.",
            signer: "village_officer",
            operation: Op::IssuePoints(pb::IssuePoints {
                issuer_id: "gaoba".into(),
                household_id: "hh-001".into(),
                rule_code: "ENV-01".into(),
                points: 30,
                memo: "cleaned the lane".into(),
            }),
        },
        Step {
            name: "deduct_points_without_memo",
            description: "The village officer deducts 5 points with no memo: the memo field \
                          (5) is omitted, not written as an empty string.",
            signer: "village_officer",
            operation: Op::DeductPoints(pb::DeductPoints {
                issuer_id: "gaoba".into(),
                household_id: "hh-001".into(),
                rule_code: "LITTER-01".into(),
                points: 5,
                memo: String::new(),
            }),
        },
        Step {
            name: "register_shop",
            description: "The bureau registers a partner shop.",
            signer: "bureau_admin",
            operation: Op::RegisterShop(pb::RegisterShop {
                shop_id: "shop-1".into(),
                name: "积分超市".into(),
            }),
        },
        Step {
            name: "register_terminal_key",
            description: "The bureau registers the shop's terminal key, with a label.",
            signer: "bureau_admin",
            operation: Op::RegisterKey(pb::RegisterKey {
                public_key: public_key("shop_terminal"),
                role: pb::Role::ShopTerminal.into(),
                scope: "shop-1".into(),
                label: "terminal 1".into(),
            }),
        },
        Step {
            name: "redeem_with_payment_code",
            description: "The terminal takes 12 points with the resident's payment code \
                          (payment_code.json), embedded as a SignedSpendAuthorization message; \
                          memo omitted.",
            signer: "shop_terminal",
            operation: Op::Redeem(pb::Redeem {
                shop_id: "shop-1".into(),
                household_id: "hh-001".into(),
                points: 12,
                payment_code: Some(code.signed.clone()),
                terminal_counter: 1,
                memo: String::new(),
            }),
        },
        Step {
            name: "reverse_deduction",
            description: "The village officer reverses its deduction (entry 6).",
            signer: "village_officer",
            operation: Op::ReverseEntry(pb::ReverseEntry {
                sequence: 6,
                reason: "entered for the wrong household".into(),
            }),
        },
    ]
}

/// Everything the files are made of, with every cross-check already done.
struct Generated {
    files: Vec<(&'static str, String)>,
    /// The worked example's body, signed message and signature, in hex.
    worked_example: [String; 3],
}

fn key_id_file() -> String {
    let keys: Vec<Json> = KEYS
        .iter()
        .map(|(name, _)| {
            let signer = signer(name);
            let public_key = signer.public_key();
            let key_id = key_id_by_hand(&public_key);
            assert_eq!(key_id, signer.key_id().to_string());
            assert_eq!(
                key_id,
                crypto::key_id(
                    &VerifyingKey::from_bytes(&public_key.clone().try_into().unwrap()).unwrap()
                )
                .to_string()
            );
            assert_eq!(
                public_key,
                SigningKey::from_bytes(&secret(name))
                    .verifying_key()
                    .to_bytes()
            );
            let text = signer.key_file().to_text();
            assert_eq!(
                text,
                format!(
                    "# shanzhi signing key. Keep it secret: anyone holding this file can sign as \
                     this key.\nkey-id: {key_id}\npublic-key: {}\nsecret-key: {}\n",
                    hex::encode(&public_key),
                    hex::encode(secret(name))
                )
            );
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("k.key");
            std::fs::write(&path, &text).unwrap();
            assert_eq!(KeyFile::read(&path).unwrap().key_id().to_string(), key_id);
            Obj::new()
                .put("name", *name)
                .hex("secret_key_hex", &secret(name))
                .hex("public_key_hex", &public_key)
                .hex("key_id_preimage_hex", &key_id_preimage(&public_key))
                .put("key_id", key_id)
                .put("key_file", text)
                .into()
        })
        .collect();
    to_text(
        Obj::new()
            .put(
                "description",
                "The fixed keys of every vector. secret_key_hex is the 32-byte Ed25519 secret \
                 key (the RFC 8032 seed). key_id is the first 16 bytes of \
                 SHA-256(key_id_preimage), where the preimage is \"shanzhi/key-id/v1\" || 0x00 \
                 || public key, written as 32 lower-case hex characters. key_file is the text of \
                 the key file `shanzhi keygen` would write for this key.",
            )
            .put("keys", keys),
    )
}

fn generate() -> Generated {
    let ledger_id = LedgerId(LEDGER_ID);
    let code = payment_code();
    let mut state = State::new();
    let mut frontier = Frontier::new();
    let mut entries: Vec<Vec<u8>> = Vec::new();
    let mut transactions: Vec<Json> = Vec::new();
    let mut worked_example = None;

    for (sequence, step) in (0u64..).zip(steps(&code)) {
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
            .apply(committed_at(sequence), &signed, SignatureCheck::Verify)
            .unwrap_or_else(|e| panic!("{}: refused by the state machine: {e}", step.name));
        assert_eq!(record.sequence, sequence);
        assert_eq!(record.committed_at, committed_at(sequence));

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
        state.account(&household).unwrap().balance,
        30 - 5 - 12 + 5,
        "the vector ledger moved the points it says"
    );

    let transaction_file = to_text(
        Obj::new()
            .put(
                "description",
                "A ledger of 11 entries, each signed by one of the fixed keys (key_id.json) and \
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

    let payment_code_file = payment_code_file(&code, &ledger_id);
    let read_file = read_credential_file(&state, &ledger_id);
    let checkpoint_file = checkpoint_file(&entries, &frontier);
    let non_canonical = non_canonical_file(&code);

    Generated {
        files: vec![
            ("key_id.json", key_id_file()),
            ("transaction.json", transaction_file),
            ("payment_code.json", payment_code_file),
            ("read_credential.json", read_file),
            ("checkpoint.json", checkpoint_file),
            ("non_canonical.json", non_canonical),
        ],
        worked_example: worked_example.expect("the worked example is among the steps"),
    }
}

fn payment_code_file(code: &PaymentCode, ledger_id: &LedgerId) -> String {
    let resident = signer("resident");
    let signature = &code.signed.resident_signature.as_ref().unwrap().signature;
    let printed = hex::encode(code.signed.encode_to_vec());
    assert_eq!(
        code.signed.encode_to_vec(),
        encode_payment_code_by_hand(&code.signed)
    );

    // What `shanzhi redeem --payment-code` accepts: the hex of a SignedSpendAuthorization.
    let decoded =
        pb::SignedSpendAuthorization::decode(hex::decode(&printed).unwrap().as_slice()).unwrap();
    assert_eq!(decoded, code.signed);

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
                 SignedSpendAuthorization in lower-case hex: what `shanzhi payment-code` prints \
                 and `shanzhi redeem --payment-code` takes.",
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
            .put(
                "used_by",
                "transaction.json: redeem_with_payment_code (sequence 9)",
            ),
    )
}

/// One read credential, made by hand and checked by the server's own credential code.
fn read_credential<T: Message + Clone>(
    state: &State,
    ledger_id: &LedgerId,
    (name, description, reader): (&str, &str, &str),
    method: &str,
    request: &T,
    request_json: Json,
) -> Json {
    let signer = signer(reader);
    let request_bytes = request.encode_to_vec();
    let timestamp = READ_AT.to_string();
    let payload = read_payload_by_hand(method, &timestamp, &request_bytes);
    assert_eq!(payload, auth::read_payload(method, &timestamp, request));
    let signed_message = domain_message("shanzhi/read/v1", &payload);
    assert_eq!(
        signed_message,
        crypto::signed_message(SigningContext::Read, ledger_id, &payload)
    );
    let signature = SigningKey::from_bytes(&secret(reader))
        .sign(&signed_message)
        .to_bytes();
    assert_verifies(&signer.public_key(), &signed_message, &signature);
    let key_id = key_id_by_hand(&signer.public_key());
    let signature_hex = hex::encode(signature);

    // The server's own check accepts exactly these metadata values.
    let mut grpc = tonic::Request::new(request.clone());
    let metadata = grpc.metadata_mut();
    metadata.insert("x-shanzhi-key-id", key_id.parse().unwrap());
    metadata.insert("x-shanzhi-timestamp", timestamp.parse().unwrap());
    metadata.insert("x-shanzhi-signature", signature_hex.parse().unwrap());
    let credential = ReadCredential::from_request(&grpc, method).unwrap();
    credential
        .verify(
            &KeyDirectory::new(*ledger_id, state),
            READ_AT,
            Duration::from_secs(300),
        )
        .unwrap_or_else(|e| panic!("{name}: the server refuses the credential: {e}"));
    credential.role(state).unwrap();

    // The crate's own client makes credentials of the same layout (with the current time).
    let live = signer.read_request(ledger_id, method, request.clone());
    let text = |key: &str| {
        live.metadata()
            .get(key)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(text(auth::KEY_ID_METADATA), key_id);
    let live_signature = hex::decode(text(auth::SIGNATURE_METADATA)).unwrap();
    assert_eq!(
        text(auth::SIGNATURE_METADATA),
        hex::encode(&live_signature),
        "lower-case hex"
    );
    assert_verifies(
        &signer.public_key(),
        &domain_message(
            "shanzhi/read/v1",
            &read_payload_by_hand(method, &text(auth::TIMESTAMP_METADATA), &request_bytes),
        ),
        &live_signature,
    );

    Obj::new()
        .put("name", name)
        .put("description", description)
        .put("reader", reader)
        .put("method", method)
        .put("request", request_json)
        .hex("request_hex", &request_bytes)
        .hex("request_sha256_hex", &Sha256::digest(&request_bytes))
        .put("timestamp", timestamp.clone())
        .hex("payload_hex", &payload)
        .hex("signed_message_hex", &signed_message)
        .hex("signature_hex", &signature)
        .put(
            "metadata",
            Obj::new()
                .put(auth::KEY_ID_METADATA, key_id)
                .put(auth::TIMESTAMP_METADATA, timestamp)
                .put(auth::SIGNATURE_METADATA, signature_hex),
        )
        .into()
}

fn read_credential_file(state: &State, ledger_id: &LedgerId) -> String {
    assert_eq!(
        methods::GET_ACCOUNT,
        "shanzhi.points.v1.QueryService/GetAccount"
    );
    assert_eq!(
        methods::GET_STATE_SNAPSHOT,
        "shanzhi.audit.v1.AuditService/GetStateSnapshot"
    );
    assert_eq!(
        [
            auth::KEY_ID_METADATA,
            auth::TIMESTAMP_METADATA,
            auth::SIGNATURE_METADATA
        ],
        [
            "x-shanzhi-key-id",
            "x-shanzhi-timestamp",
            "x-shanzhi-signature"
        ]
    );
    let account = pb::AccountRef {
        kind: pb::AccountKind::Household.into(),
        id: "hh-001".into(),
    };
    let household = AccountId::Household(HouseholdId::parse("household_id", "hh-001").unwrap());
    let resident_role = state
        .active_role(&signer("resident").key_id())
        .unwrap()
        .clone();
    assert!(state.may_read_account(&resident_role, &household));
    let get_account = read_credential(
        state,
        ledger_id,
        (
            "resident_get_account",
            "The resident reads its household. The request is GetAccountRequest { account: \
             { kind: ACCOUNT_KIND_HOUSEHOLD, id: \"hh-001\" } }.",
            "resident",
        ),
        methods::GET_ACCOUNT,
        &pb::GetAccountRequest {
            account: Some(account.clone()),
        },
        Obj::new().put("account", account_ref_json(&account)).into(),
    );
    let snapshot = read_credential(
        state,
        ledger_id,
        (
            "admin_get_state_snapshot",
            "The bureau admin asks for a balance snapshot. The request message has no fields, \
             so its encoding is empty and the hash is SHA-256 of zero bytes.",
            "bureau_admin",
        ),
        methods::GET_STATE_SNAPSHOT,
        &audit_pb::GetStateSnapshotRequest {},
        Obj::new().into(),
    );
    to_text(
        Obj::new()
            .put(
                "description",
                "Read credentials, made at timestamp (ms since the Unix epoch, as the decimal \
                 string sent in metadata). payload_hex = method || 0x00 || timestamp || 0x00 || \
                 SHA-256(request_hex); signed_message_hex = \"shanzhi/read/v1\" || 0x00 || ledger \
                 id (16 raw bytes) || 0x00 || payload. The server checks the timestamp against \
                 its clock (300 s by default), so these exact values are refused by a live \
                 server today; they are for checking your construction.",
            )
            .hex("ledger_id_hex", &LEDGER_ID)
            .put("signing_context", "shanzhi/read/v1")
            .put("credentials", vec![get_account, snapshot]),
    )
}

fn checkpoint_file(entries: &[Vec<u8>], frontier: &Frontier) -> String {
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
                "The checkpoint of the 11 entries of transaction.json, signed by the log key \
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

/// Bodies a client might produce that the server refuses with INVALID_ARGUMENT whatever their
/// signature, each next to the canonical body it should have been.
fn non_canonical_file(code: &PaymentCode) -> String {
    let issue = pb::TransactionBody {
        request_id: request_id(5),
        not_after_unix_ms: committed_at(5) + VALID_FOR_MS,
        operation: Some(Op::IssuePoints(pb::IssuePoints {
            issuer_id: "gaoba".into(),
            household_id: "hh-001".into(),
            rule_code: "ENV-01".into(),
            points: 30,
            memo: "cleaned the lane".into(),
        })),
    };
    let deduct = pb::TransactionBody {
        request_id: request_id(6),
        not_after_unix_ms: committed_at(6) + VALID_FOR_MS,
        operation: Some(Op::DeductPoints(pb::DeductPoints {
            issuer_id: "gaoba".into(),
            household_id: "hh-001".into(),
            rule_code: "LITTER-01".into(),
            points: 5,
            memo: String::new(),
        })),
    };
    let head = |body: &pb::TransactionBody| {
        let mut out = Vec::new();
        wire::bytes(1, &body.request_id, &mut out);
        wire::uint(2, body.not_after_unix_ms, &mut out);
        out
    };
    let operation =
        |body: &pb::TransactionBody| encode_operation_by_hand(body.operation.as_ref().unwrap());

    // 1. An empty memo written explicitly (protobuf.js does this for `memo: ""`).
    let (field, mut inner) = operation(&deduct);
    inner.extend_from_slice(&[0x2a, 0x00]);
    let mut explicit_empty = head(&deduct);
    wire::message(field, &inner, &mut explicit_empty);

    // 2. not_after before request_id.
    let mut reordered = Vec::new();
    wire::uint(2, deduct.not_after_unix_ms, &mut reordered);
    wire::bytes(1, &deduct.request_id, &mut reordered);
    let (field, inner) = operation(&deduct);
    wire::message(field, &inner, &mut reordered);

    // 3. An unknown field (99, varint 1) after the operation.
    let mut unknown = deduct.encode_to_vec();
    unknown.extend_from_slice(&[0x98, 0x06, 0x01]);

    // 4. points = 30 as a two-byte varint (0x9e 0x00) instead of 0x1e.
    let (field, inner) = operation(&issue);
    let at = inner
        .windows(2)
        .position(|w| w == [0x20, 0x1e])
        .expect("points field");
    let padded = [&inner[..at], &[0x20, 0x9e, 0x00], &inner[at + 2..]].concat();
    let mut long_varint = head(&issue);
    wire::message(field, &padded, &mut long_varint);

    // 5. A payment code whose authorization has an explicit zero (max_points written first as
    // 0 and then the real value).
    let mut authorization = Vec::new();
    wire::bytes(
        1,
        code.authorization.household_id.as_bytes(),
        &mut authorization,
    );
    authorization.extend_from_slice(&[0x10, 0x00]);
    authorization.extend_from_slice(&encode_authorization_by_hand(&code.authorization)[8..]);

    let cases = [
        (
            "explicit_empty_memo",
            "deduct_points_without_memo with the empty memo written as field 5, length 0 (2a 00)",
            explicit_empty,
            deduct.encode_to_vec(),
        ),
        (
            "fields_out_of_order",
            "deduct_points_without_memo with not_after_unix_ms (field 2) before request_id \
             (field 1)",
            reordered,
            deduct.encode_to_vec(),
        ),
        (
            "unknown_field",
            "deduct_points_without_memo followed by an unknown field 99 (varint 1): 98 06 01",
            unknown,
            deduct.encode_to_vec(),
        ),
        (
            "non_minimal_varint",
            "issue_points_with_memo with points = 30 written as the two-byte varint 9e 00",
            long_varint,
            issue.encode_to_vec(),
        ),
    ];
    let mut json: Vec<Json> = cases
        .into_iter()
        .map(|(name, description, bytes, canonical)| {
            assert_ne!(bytes, canonical);
            let refusal = Transaction::parse(&bytes).expect_err(name);
            assert_eq!(refusal.class(), RefusalClass::InvalidArgument, "{name}");
            assert!(Transaction::parse(&canonical).is_ok(), "{name}");
            Obj::new()
                .put("name", name)
                .put("description", description)
                .put("message", "TransactionBody")
                .hex("bytes_hex", &bytes)
                .hex("canonical_hex", &canonical)
                .put("expected_code", "INVALID_ARGUMENT")
                .into()
        })
        .collect();

    let refusal = ledger::decode_canonical::<pb::SpendAuthorization>(
        "payment_code.authorization",
        &authorization,
    )
    .expect_err("explicit zero refused");
    assert_eq!(refusal.class(), RefusalClass::InvalidArgument);
    json.push(
        Obj::new()
            .put("name", "authorization_with_explicit_zero")
            .put(
                "description",
                "The payment code's SpendAuthorization with max_points written twice, first as \
                 0 (10 00), then as 20. Refused inside a Redeem even when the resident's \
                 signature over these bytes is valid.",
            )
            .put("message", "SpendAuthorization")
            .hex("bytes_hex", &authorization)
            .hex("canonical_hex", &code.authorization_bytes)
            .put("expected_code", "INVALID_ARGUMENT")
            .into(),
    );

    to_text(
        Obj::new()
            .put(
                "description",
                "Encodings a protobuf library may produce that the server refuses with \
                 INVALID_ARGUMENT (the bytes do not re-encode to themselves), each with the \
                 canonical bytes it should have been. Your encoder must produce canonical_hex; \
                 your tests may check that you never send bytes_hex.",
            )
            .put("cases", json),
    )
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/vectors")
}

#[test]
fn client_conformance_vectors_match_the_code_and_the_committed_files() {
    let generated = generate();
    let dir = vectors_dir();
    if std::env::var("SHANZHI_UPDATE_VECTORS").as_deref() == Ok("1") {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &generated.files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        eprintln!(
            "rewrote {} files in {}",
            generated.files.len(),
            dir.display()
        );
    }
    let mut stale: Vec<String> = generated
        .files
        .iter()
        .filter(|(name, text)| std::fs::read_to_string(dir.join(name)).ok().as_ref() != Some(text))
        .map(|(name, _)| (*name).to_owned())
        .collect();
    for entry in std::fs::read_dir(&dir).into_iter().flatten() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && !generated.files.iter().any(|(n, _)| *n == name) {
            stale.push(format!("{name} (not generated any more)"));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/vectors: {stale:?} differ from what the code produces. If the change is intended, \
         rerun with SHANZHI_UPDATE_VECTORS=1 and update docs/clients.md to match."
    );

    // The document quotes the worked example and the limits; they must still be true.
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/clients.md"))
            .expect("docs/clients.md");
    for hex in &generated.worked_example {
        assert!(
            doc.contains(hex.as_str()),
            "docs/clients.md no longer shows the worked example's bytes {hex}"
        );
    }
    for (name, value) in [
        ("MAX_ENTITY_ID_LEN", ledger::MAX_ENTITY_ID_LEN as u64),
        ("MAX_RULE_CODE_LEN", ledger::MAX_RULE_CODE_LEN as u64),
        ("MAX_MEMO_LEN", ledger::MAX_MEMO_LEN as u64),
        ("MAX_NAME_CHARS", ledger::MAX_NAME_CHARS as u64),
        (
            "MAX_POINTS_PER_TRANSACTION",
            ledger::MAX_POINTS_PER_TRANSACTION,
        ),
        ("MAX_BODY_BYTES", ledger::MAX_BODY_BYTES as u64),
        ("MAX_RESIDENT_KEYS", ledger::MAX_RESIDENT_KEYS as u64),
    ] {
        let quoted = format!("`{name}` = {value}");
        assert!(doc.contains(&quoted), "docs/clients.md should say {quoted}");
    }
}
