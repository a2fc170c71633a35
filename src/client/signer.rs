//! The signer: one key that signs transaction bodies, payment codes and read credentials.

use prost::Message;

use crate::api::auth::{KEY_ID_METADATA, SIGNATURE_METADATA, TIMESTAMP_METADATA, read_payload};
use crate::crypto::{self, KeyFile, SigningContext};
use crate::ledger::{KeyId, LedgerId};
use crate::pb::points as pb;
use crate::writer::now_unix_ms;

/// Signs transactions, payment codes and read credentials with one key.
#[derive(Clone)]
pub struct Signer {
    pub(super) key: KeyFile,
}

/// A new transaction body with a random request id, valid for `valid_for_ms` from now.
pub fn new_body(
    operation: pb::transaction_body::Operation,
    valid_for_ms: u64,
) -> pb::TransactionBody {
    pb::TransactionBody {
        request_id: crypto::random_bytes::<16>().to_vec(),
        not_after_unix_ms: now_unix_ms() + valid_for_ms,
        operation: Some(operation),
    }
}

impl Signer {
    /// Wraps a key.
    pub fn new(key: KeyFile) -> Self {
        Self { key }
    }

    /// A signer with a fresh random key (for tests and `keygen`).
    pub fn generate() -> Self {
        Self::new(KeyFile::new(crypto::generate_signing_key()))
    }

    /// The key id.
    pub fn key_id(&self) -> KeyId {
        self.key.key_id()
    }

    /// The 32-byte public key.
    pub fn public_key(&self) -> Vec<u8> {
        self.key.signing_key.verifying_key().to_bytes().to_vec()
    }

    /// The underlying key file.
    pub fn key_file(&self) -> &KeyFile {
        &self.key
    }

    /// Encodes and signs a body for `ledger_id`.
    pub fn sign(&self, ledger_id: &LedgerId, body: &pb::TransactionBody) -> pb::SignedTransaction {
        self.sign_bytes(ledger_id, body.encode_to_vec())
    }

    /// Signs already-encoded body bytes exactly as given.
    pub fn sign_bytes(&self, ledger_id: &LedgerId, body: Vec<u8>) -> pb::SignedTransaction {
        let signature = crypto::sign(
            &self.key.signing_key,
            SigningContext::Transaction,
            ledger_id,
            &body,
        );
        pb::SignedTransaction {
            body,
            signatures: vec![pb::Signature {
                key_id: self.key_id().to_string(),
                signature: signature.to_vec(),
            }],
        }
    }

    /// A resident's payment code: consent to spend up to `max_points` of `household_id`,
    /// valid for `valid_for_ms`, usable once.
    pub fn payment_code(
        &self,
        ledger_id: &LedgerId,
        household_id: &str,
        max_points: u64,
        valid_for_ms: u64,
    ) -> pb::SignedSpendAuthorization {
        self.payment_code_until(
            ledger_id,
            household_id,
            max_points,
            now_unix_ms() + valid_for_ms,
        )
    }

    /// A resident's payment code valid until `not_after_unix_ms`; see
    /// [`Signer::payment_code`].
    pub fn payment_code_until(
        &self,
        ledger_id: &LedgerId,
        household_id: &str,
        max_points: u64,
        not_after_unix_ms: u64,
    ) -> pb::SignedSpendAuthorization {
        self.sign_spend_authorization(
            ledger_id,
            &pb::SpendAuthorization {
                household_id: household_id.to_owned(),
                max_points,
                nonce: crypto::random_bytes::<16>().to_vec(),
                not_after_unix_ms,
                shop_id: String::new(),
            },
        )
    }

    /// Signs a spend authorization (a payment code) exactly as given.
    pub fn sign_spend_authorization(
        &self,
        ledger_id: &LedgerId,
        authorization: &pb::SpendAuthorization,
    ) -> pb::SignedSpendAuthorization {
        let authorization = authorization.encode_to_vec();
        let signature = crypto::sign(
            &self.key.signing_key,
            SigningContext::SpendAuthorization,
            ledger_id,
            &authorization,
        );
        pb::SignedSpendAuthorization {
            authorization,
            resident_signature: Some(pb::Signature {
                key_id: self.key_id().to_string(),
                signature: signature.to_vec(),
            }),
        }
    }

    /// Wraps `message` in a request carrying a read credential for `method`
    /// (e.g. `shanzhi.points.v1.QueryService/GetAccount`).
    pub fn read_request<T: Message>(
        &self,
        ledger_id: &LedgerId,
        method: &str,
        message: T,
    ) -> tonic::Request<T> {
        let timestamp = now_unix_ms().to_string();
        let signature = crypto::sign(
            &self.key.signing_key,
            SigningContext::Read,
            ledger_id,
            &read_payload(method, &timestamp, &message),
        );
        let mut request = tonic::Request::new(message);
        let metadata = request.metadata_mut();
        #[allow(
            clippy::expect_used,
            reason = "hex and decimal digits are always valid ASCII metadata"
        )]
        let ascii = |s: String| s.parse().expect("hex and digits are valid metadata");
        metadata.insert(KEY_ID_METADATA, ascii(self.key_id().to_string()));
        metadata.insert(TIMESTAMP_METADATA, ascii(timestamp));
        metadata.insert(SIGNATURE_METADATA, ascii(hex::encode(signature)));
        request
    }
}
