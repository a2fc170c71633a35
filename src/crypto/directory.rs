//! Signature checks before the writer: handlers verify Ed25519 signatures in parallel against
//! a shared, append-only directory of registered public keys, so the single writer only
//! decides what depends on the log position (is the key active, may it do this).

use std::collections::HashMap;
use std::sync::RwLock;

use ed25519_dalek::VerifyingKey;

use super::{SigningContext, verify};
use crate::ledger::{
    KeyId, LedgerId, Refusal, SignatureCheck, State, check_body_size, decode_canonical,
};
use crate::pb::points as pb;

/// Public keys by key id, with their revocation, as committed to the log (published by the
/// writer after each durable group commit). A key id is derived from its public key and
/// never registered twice, so a public key, once present, is right forever; revocation is
/// final too. The writer still decides authorization at the transaction's position.
pub struct KeyDirectory {
    ledger_id: LedgerId,
    keys: RwLock<Keys>,
}

#[derive(Default)]
struct Keys {
    by_id: HashMap<KeyId, DirectoryKey>,
    /// How many of the state's key changes are reflected here.
    changes_seen: usize,
}

#[derive(Clone, Copy)]
struct DirectoryKey {
    public_key: VerifyingKey,
    revoked_at: Option<u64>,
}

impl KeyDirectory {
    /// The keys of `state` (after genesis).
    pub fn new(ledger_id: LedgerId, state: &State) -> Self {
        let directory = Self {
            ledger_id,
            keys: RwLock::new(Keys::default()),
        };
        directory.update(state);
        directory
    }

    /// Takes in the key registrations and revocations `state` made since the last update;
    /// the work is proportional to those changes, not to the number of keys.
    pub fn update(&self, state: &State) {
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        let Keys {
            by_id,
            changes_seen,
        } = &mut *keys;
        for key_id in state.key_changes_from(*changes_seen) {
            if let Some(record) = state.key(key_id) {
                by_id.insert(
                    *key_id,
                    DirectoryKey {
                        public_key: record.public_key,
                        revoked_at: record.revoked_at.map(|s| s.get()),
                    },
                );
            }
        }
        *changes_seen = state.key_change_count();
    }

    fn get(&self, key_id: &KeyId) -> Option<DirectoryKey> {
        self.keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_id
            .get(key_id)
            .copied()
    }

    /// The handler's admission check, before anything reaches the writer and before the
    /// operation is parsed: a body of at most [`MAX_BODY_BYTES`](crate::ledger::MAX_BODY_BYTES),
    /// exactly one signature, by a registered and unrevoked key, verifying over the body.
    /// For a redemption it also verifies the resident's payment code when its key is known.
    /// `Ok(Trust)` means every signature verified here; `Ok(Verify)` means the payment code's
    /// key is not known here, so the writer verifies it and refuses with the precise reason.
    pub fn check(&self, signed: &pb::SignedTransaction) -> Result<SignatureCheck, Refusal> {
        check_body_size(&signed.body)?;
        let [signature] = signed.signatures.as_slice() else {
            return Err(Refusal::SignatureCount {
                found: signed.signatures.len(),
            });
        };
        let key_id = KeyId::from_hex(&signature.key_id)?;
        self.verify(
            key_id,
            SigningContext::Transaction,
            &signed.body,
            &signature.signature,
        )?;
        let Ok(body) = decode_canonical::<pb::TransactionBody>("transaction body", &signed.body)
        else {
            return Ok(SignatureCheck::Verify);
        };
        if let Some(pb::transaction_body::Operation::Redeem(redeem)) = &body.operation {
            let Some((code, resident)) = redeem
                .payment_code
                .as_ref()
                .and_then(|code| Some((code, code.resident_signature.as_ref()?)))
            else {
                return Ok(SignatureCheck::Verify);
            };
            let Some((resident_id, resident_key)) = self.lookup(&resident.key_id) else {
                return Ok(SignatureCheck::Verify);
            };
            verify(
                &resident_key,
                resident_id,
                SigningContext::SpendAuthorization,
                &self.ledger_id,
                &code.authorization,
                &resident.signature,
            )?;
        }
        Ok(SignatureCheck::Trust)
    }

    /// Verifies `signature` by a registered key over `payload` in `context`, then that the
    /// key is not revoked (so only its holder learns that it was).
    pub fn verify(
        &self,
        key_id: KeyId,
        context: SigningContext,
        payload: &[u8],
        signature: &[u8],
    ) -> Result<(), Refusal> {
        let key = self.get(&key_id).ok_or(Refusal::UnknownKey { key_id })?;
        verify(
            &key.public_key,
            key_id,
            context,
            &self.ledger_id,
            payload,
            signature,
        )?;
        match key.revoked_at {
            Some(revoked_at) => Err(Refusal::KeyRevoked { key_id, revoked_at }),
            None => Ok(()),
        }
    }

    fn lookup(&self, key_id: &str) -> Option<(KeyId, VerifyingKey)> {
        let key_id = KeyId::from_hex(key_id).ok()?;
        Some((key_id, self.get(&key_id)?.public_key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{Signer, new_body};
    use crate::pb::points::transaction_body::Operation;

    fn genesis_state(admin: &Signer, ledger_id: LedgerId) -> State {
        let body = new_body(
            Operation::Genesis(pb::Genesis {
                ledger_id: ledger_id.0.to_vec(),
                admin_public_key: admin.public_key(),
                log_public_key: Signer::generate().public_key(),
                parameters: Some(pb::LedgerParameters {
                    max_transaction_window_ms: 60_000,
                    max_spend_authorization_window_ms: 60_000,
                    max_refund_window_ms: 0,
                }),
            }),
            10_000,
        );
        let mut state = State::new();
        state
            .apply(
                crate::ledger::UnixMs(crate::writer::now_unix_ms()),
                &admin.sign(&ledger_id, &body),
                SignatureCheck::Verify,
            )
            .unwrap();
        state
    }

    #[test]
    fn only_signed_bodies_of_registered_keys_pass_the_handler() {
        let admin = Signer::generate();
        let ledger_id = LedgerId([5; 16]);
        let directory = KeyDirectory::new(ledger_id, &genesis_state(&admin, ledger_id));
        let body = new_body(
            Operation::RegisterShop(pb::RegisterShop {
                shop_id: "s".into(),
                name: "s".into(),
            }),
            10_000,
        );

        let good = admin.sign(&ledger_id, &body);
        assert_eq!(directory.check(&good), Ok(SignatureCheck::Trust));

        let mut forged = good.clone();
        forged.signatures[0].signature[7] ^= 0x20;
        assert!(matches!(
            directory.check(&forged),
            Err(Refusal::BadSignature { .. })
        ));

        let stranger = Signer::generate().sign(&ledger_id, &body);
        assert!(matches!(
            directory.check(&stranger),
            Err(Refusal::UnknownKey { .. })
        ));

        let mut unsigned = good.clone();
        unsigned.signatures.clear();
        assert_eq!(
            directory.check(&unsigned),
            Err(Refusal::SignatureCount { found: 0 })
        );
        let mut twice = good.clone();
        twice.signatures.push(good.signatures[0].clone());
        assert_eq!(
            directory.check(&twice),
            Err(Refusal::SignatureCount { found: 2 })
        );
        // An oversized body is refused before its signature is even looked at.
        let mut huge = stranger.clone();
        huge.body = vec![0; crate::ledger::MAX_BODY_BYTES + 1];
        assert!(matches!(
            directory.check(&huge),
            Err(Refusal::BodyTooLarge { .. })
        ));
    }
}
