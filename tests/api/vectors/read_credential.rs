//! read_credential.json: read credentials, made by hand and checked by the server's own
//! credential code.

use std::time::Duration;

use ed25519_dalek::{Signer as _, SigningKey};
use prost::Message;
use sha2::{Digest, Sha256};
use shanzhi::api::auth::{self, ReadCredential, methods};
use shanzhi::crypto::{self, SigningContext};
use shanzhi::ledger::{AccountId, HouseholdId, LedgerId, State};
use shanzhi::pb::audit as audit_pb;
use shanzhi::pb::points as pb;
use shanzhi::writer::KeyDirectory;

use super::by_hand::{assert_verifies, domain_message, key_id_by_hand, read_payload_by_hand};
use super::fixture::{LEDGER_ID, READ_AT, secret, signer};
use super::json::{Json, Obj, to_text};
use super::proto_json::account_ref_json;

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
    let verified = credential
        .verify(
            &KeyDirectory::new(*ledger_id, state),
            READ_AT,
            Duration::from_secs(300),
        )
        .unwrap_or_else(|e| panic!("{name}: the server refuses the credential: {e}"));
    verified.role(state).unwrap();

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

pub(super) fn read_credential_file(state: &State, ledger_id: &LedgerId) -> String {
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
