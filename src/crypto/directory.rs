//! Signature checks before the writer: handlers verify Ed25519 signatures in parallel against
//! a shared, append-only directory of registered public keys, so the single writer only
//! decides what depends on the log position (is the key active, may it do this).

use std::collections::HashMap;
use std::sync::RwLock;

use ed25519_dalek::VerifyingKey;

use super::{SigningContext, verify};
use crate::ledger::{KeyId, LedgerId, Refusal, SignatureCheck, State, decode_canonical};
use crate::pb::points as pb;

/// Public keys by key id, as registered in the committed log. A key id is derived from its
/// public key and never registered twice, so an entry, once present, is right forever;
/// revocation is the writer's business.
pub struct KeyDirectory {
    ledger_id: LedgerId,
    keys: RwLock<HashMap<KeyId, VerifyingKey>>,
}

impl KeyDirectory {
    /// The keys of `state` (after genesis).
    pub fn new(ledger_id: LedgerId, state: &State) -> Self {
        let directory = Self {
            ledger_id,
            keys: RwLock::new(HashMap::new()),
        };
        directory.update(state);
        directory
    }

    /// Adds the keys `state` registered since the last update.
    pub fn update(&self, state: &State) {
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        if keys.len() == state.key_count() {
            return;
        }
        for (id, record) in state.keys() {
            keys.entry(*id).or_insert(record.public_key);
        }
    }

    fn get(&self, key_id: &KeyId) -> Option<VerifyingKey> {
        self.keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key_id)
            .copied()
    }

    /// Verifies the transaction's signature and, for a redemption, the resident's payment
    /// code. `Ok(Trust)` means both verified and the writer need not verify again;
    /// `Ok(Verify)` means a key is not (yet) known here or the shape is off, so the writer
    /// verifies and refuses with the precise reason. A signature that does not verify is
    /// refused here.
    pub fn check(&self, signed: &pb::SignedTransaction) -> Result<SignatureCheck, Refusal> {
        let [signature] = signed.signatures.as_slice() else {
            return Ok(SignatureCheck::Verify);
        };
        let Some((key_id, key)) = self.lookup(&signature.key_id) else {
            return Ok(SignatureCheck::Verify);
        };
        verify(
            &key,
            key_id,
            SigningContext::Transaction,
            &self.ledger_id,
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

    /// Verifies `signature` by a registered key over `payload` in `context`.
    pub fn verify(
        &self,
        key_id: KeyId,
        context: SigningContext,
        payload: &[u8],
        signature: &[u8],
    ) -> Result<(), Refusal> {
        let key = self.get(&key_id).ok_or(Refusal::UnknownKey { key_id })?;
        verify(&key, key_id, context, &self.ledger_id, payload, signature)
    }

    fn lookup(&self, key_id: &str) -> Option<(KeyId, VerifyingKey)> {
        let key_id = KeyId::from_hex(key_id).ok()?;
        Some((key_id, self.get(&key_id)?))
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
                crate::writer::now_unix_ms(),
                &admin.sign(&ledger_id, &body),
                SignatureCheck::Verify,
            )
            .unwrap();
        state
    }

    #[test]
    fn known_keys_are_verified_here_and_unknown_keys_left_to_the_writer() {
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
        assert_eq!(directory.check(&stranger), Ok(SignatureCheck::Verify));
    }
}
