//! non_canonical.json: encodings the server refuses, each next to its canonical form.

use prost::Message;
use shanzhi::ledger::{self, RefusalClass, Transaction};
use shanzhi::pb::points as pb;
use shanzhi::pb::points::transaction_body::Operation as Op;

use super::fixture::{VALID_FOR_MS, committed_at, request_id};
use super::json::{Json, Obj, to_text};
use super::payment_code::PaymentCode;
use super::protobuf::{encode_authorization_by_hand, encode_operation_by_hand, wire};

/// Bodies a client might produce that the server refuses with INVALID_ARGUMENT whatever their
/// signature, each next to the canonical body it should have been.
pub(super) fn non_canonical_file(code: &PaymentCode) -> String {
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
