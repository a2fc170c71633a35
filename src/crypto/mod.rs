//! Ed25519 signing and verification with domain separation, key ids, and key files.
//!
//! Every signed message is `"shanzhi/<context>/v1" || 0x00 || ledger_id || 0x00 || payload`:
//! the context tag stops a signature made for one purpose (a transaction, a payment code, a
//! read) from being accepted for another, and the ledger id stops replay against another
//! deployment.

mod directory;
mod keyfile;

pub use directory::KeyDirectory;
pub use keyfile::{KeyFile, KeyFileError};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::ledger::{KeyId, LedgerId, Refusal};

/// What a signature is for. Each context has its own tag in the signed message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigningContext {
    /// A transaction body: `shanzhi/tx/v1`.
    Transaction,
    /// A resident's payment code (spend authorization): `shanzhi/spend/v1`.
    SpendAuthorization,
    /// A read credential in gRPC metadata: `shanzhi/read/v1`.
    Read,
}

impl SigningContext {
    /// The short name used in the tag `shanzhi/<name>/v1`.
    pub fn name(self) -> &'static str {
        match self {
            SigningContext::Transaction => "tx",
            SigningContext::SpendAuthorization => "spend",
            SigningContext::Read => "read",
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

/// Parses a 32-byte Ed25519 public key, refusing malformed and weak (small-order) keys.
pub fn parse_public_key(field: &'static str, bytes: &[u8]) -> Result<VerifyingKey, Refusal> {
    let array = <[u8; 32]>::try_from(bytes).map_err(|_| Refusal::InvalidField {
        field,
        expected: "a 32-byte Ed25519 public key".into(),
        found: format!("{} bytes", bytes.len()),
    })?;
    let key = VerifyingKey::from_bytes(&array).map_err(|_| Refusal::InvalidField {
        field,
        expected: "a valid Ed25519 point".into(),
        found: hex::encode(array),
    })?;
    if key.is_weak() {
        return Err(Refusal::WeakKey {
            public_key: hex::encode(array),
        });
    }
    Ok(key)
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
) -> Result<(), Refusal> {
    let bad = || Refusal::BadSignature {
        key_id,
        context: context.name(),
    };
    let signature = Signature::from_slice(signature).map_err(|_| bad())?;
    public_key
        .verify_strict(&signed_message(context, ledger_id, payload), &signature)
        .map_err(|_| bad())
}

/// Fills `N` bytes from the operating system's random source.
///
/// # Panics
/// If the OS has no random source, which leaves no safe way to make keys or request ids.
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

    #[test]
    fn small_order_public_keys_are_refused() {
        // The identity point (y = 1) has order 1.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(matches!(
            parse_public_key("public_key", &identity),
            Err(Refusal::WeakKey { .. })
        ));
        assert!(parse_public_key("public_key", &[1u8; 31]).is_err());
    }
}
