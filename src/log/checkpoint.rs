//! Checkpoints in the C2SP `tlog-checkpoint` signed-note format:
//!
//! ```text
//! shanzhi/0b1e…          origin: names this ledger
//! 1234                   tree size, decimal
//! q0pU…=                 root hash, base64
//!
//! — shanzhi/0b1e… AAAAAbase64(key id || signature)
//! ```
//!
//! The signature is Ed25519 by the ledger's log key over the text above the blank line; the
//! 4-byte key id is `SHA-256(name || "\n" || 0x01 || public key)[..4]`, per the signed-note
//! specification.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::merkle::Hash;
use crate::ledger::LedgerId;

/// A tree head: the log's size and root hash, for one origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Names the log: `shanzhi/<ledger id hex>`.
    pub origin: String,
    /// Number of entries.
    pub size: u64,
    /// Merkle root of those entries.
    pub root: Hash,
}

/// Why a checkpoint note was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The note is not a checkpoint in the signed-note form.
    #[error("malformed checkpoint: {0}")]
    Malformed(String),
    /// No signature line of the expected signer.
    #[error("the checkpoint has no signature by {name} with key id {key_id}")]
    NoSignature {
        /// The signer name expected.
        name: String,
        /// The note key id expected, hex.
        key_id: String,
    },
    /// The expected signer's signature does not verify.
    #[error("the checkpoint's signature by {0} does not verify")]
    BadSignature(String),
    /// The checkpoint is for another log.
    #[error("the checkpoint is for origin {found}, expected {expected}")]
    WrongOrigin {
        /// The origin expected.
        expected: String,
        /// The origin the note names.
        found: String,
    },
}

/// The origin line (and signer name) of a ledger's checkpoints.
pub fn origin(ledger_id: &LedgerId) -> String {
    format!("shanzhi/{ledger_id}")
}

/// The signed-note key id of an Ed25519 key with `name`.
pub fn note_key_id(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n\x01");
    hasher.update(key.as_bytes());
    let digest = hasher.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

impl Checkpoint {
    /// The note text that is signed.
    pub fn text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root)
        )
    }

    /// The signed note, signed by `key` under the origin as name.
    pub fn sign(&self, key: &SigningKey) -> String {
        let text = self.text();
        let signature = key.sign(text.as_bytes());
        let mut blob = note_key_id(&self.origin, &key.verifying_key()).to_vec();
        blob.extend_from_slice(&signature.to_bytes());
        format!("{text}\n\u{2014} {} {}\n", self.origin, BASE64.encode(blob))
    }

    /// Parses a signed note and verifies its signature by `key` (named by the origin).
    pub fn verify(
        note: &str,
        key: &VerifyingKey,
        expected_origin: &str,
    ) -> Result<Self, CheckpointError> {
        let malformed = |why: &str| CheckpointError::Malformed(why.to_owned());
        let (text, signatures) = note
            .split_once("\n\n")
            .ok_or_else(|| malformed("no blank line before the signatures"))?;
        let text = format!("{text}\n");
        let mut lines = text.lines();
        let origin = lines.next().ok_or_else(|| malformed("no origin line"))?;
        if origin != expected_origin {
            return Err(CheckpointError::WrongOrigin {
                expected: expected_origin.to_owned(),
                found: origin.to_owned(),
            });
        }
        let size_line = lines.next().ok_or_else(|| malformed("no size line"))?;
        let size: u64 = size_line
            .parse()
            .ok()
            .filter(|_| size_line == "0" || !size_line.starts_with('0'))
            .ok_or_else(|| malformed("the size is not a decimal number"))?;
        let root: Hash = lines
            .next()
            .and_then(|line| BASE64.decode(line).ok())
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| malformed("the root is not 32 bytes of base64"))?;

        let key_id = note_key_id(origin, key);
        let prefix = format!("\u{2014} {origin} ");
        let signature = signatures
            .lines()
            .filter_map(|line| line.strip_prefix(&prefix))
            .filter_map(|blob| BASE64.decode(blob).ok())
            .find(|blob| blob.len() == 68 && blob[..4] == key_id)
            .ok_or_else(|| CheckpointError::NoSignature {
                name: origin.to_owned(),
                key_id: hex::encode(key_id),
            })?;
        let signature = Signature::from_slice(&signature[4..])
            .map_err(|_| CheckpointError::BadSignature(origin.to_owned()))?;
        key.verify_strict(text.as_bytes(), &signature)
            .map_err(|_| CheckpointError::BadSignature(origin.to_owned()))?;
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::generate_signing_key;

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            origin: origin(&LedgerId([0xab; 16])),
            size: 42,
            root: [7; 32],
        }
    }

    #[test]
    fn a_signed_checkpoint_round_trips_in_the_signed_note_format() {
        let key = generate_signing_key();
        let note = checkpoint().sign(&key);
        let lines: Vec<&str> = note.lines().collect();
        assert_eq!(lines[0], "shanzhi/abababababababababababababababab");
        assert_eq!(lines[1], "42");
        assert_eq!(lines[3], "");
        assert!(lines[4].starts_with("\u{2014} shanzhi/abab"));
        let parsed = Checkpoint::verify(&note, &key.verifying_key(), &checkpoint().origin).unwrap();
        assert_eq!(parsed, checkpoint());
    }

    #[test]
    fn a_checkpoint_by_another_key_or_altered_is_refused() {
        let key = generate_signing_key();
        let note = checkpoint().sign(&key);
        let other = generate_signing_key();
        assert!(matches!(
            Checkpoint::verify(&note, &other.verifying_key(), &checkpoint().origin),
            Err(CheckpointError::NoSignature { .. })
        ));
        let altered = note.replacen("\n42\n", "\n43\n", 1);
        assert_eq!(
            Checkpoint::verify(&altered, &key.verifying_key(), &checkpoint().origin),
            Err(CheckpointError::BadSignature(checkpoint().origin))
        );
        assert!(matches!(
            Checkpoint::verify(&note, &key.verifying_key(), "shanzhi/other"),
            Err(CheckpointError::WrongOrigin { .. })
        ));
    }
}
