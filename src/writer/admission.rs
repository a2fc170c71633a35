//! Admission before the writer: handlers verify Ed25519 signatures in parallel against a
//! shared, append-only directory of registered public keys, decode the body once, and hand
//! the writer an [`Admitted`] transaction, so the single writer only decides what depends on
//! the log position (is the key active, may it do this).

use std::sync::Arc;

use arc_swap::ArcSwap;
use ed25519_dalek::VerifyingKey;

use super::{Snapshot, TerminalRate};
use crate::crypto::{self, SigningContext};
use crate::ledger::{
    Admitted, KeyId, LedgerId, Operation, Refusal, Sequence, Signed, SpendSignature, State,
    TerminalRefusal, TerminalsOp,
};
use crate::pb::points as pb;

/// The registered public keys, with their revocation, as committed to the log: the key set of
/// the snapshot the writer publishes after each durable group commit (no copy of its own). A
/// key id is derived from its public key and never registered twice, so a public key, once
/// present, is right forever; revocation is final too. The writer still decides
/// authorization at the transaction's position.
pub struct KeyDirectory {
    ledger_id: LedgerId,
    snapshots: Arc<ArcSwap<Snapshot>>,
    /// The per-terminal request rate limit, once the server sets one.
    terminal_rate: std::sync::OnceLock<TerminalRate>,
}

#[derive(Clone, Copy)]
struct DirectoryKey {
    public_key: VerifyingKey,
    revoked_at: Option<u64>,
}

impl KeyDirectory {
    /// The keys of `state` (after genesis), fixed: for tests and tools.
    pub fn new(ledger_id: LedgerId, state: &State) -> Self {
        let snapshot = Snapshot {
            state: state.clone(),
            checkpoint: None,
        };
        Self::published(ledger_id, Arc::new(ArcSwap::from_pointee(snapshot)))
    }

    /// The keys of whatever snapshot the writer last published in `snapshots`.
    pub(super) fn published(ledger_id: LedgerId, snapshots: Arc<ArcSwap<Snapshot>>) -> Self {
        Self {
            ledger_id,
            snapshots,
            terminal_rate: std::sync::OnceLock::new(),
        }
    }

    /// The ledger id every signature covers.
    pub fn ledger_id(&self) -> LedgerId {
        self.ledger_id
    }

    /// Limits every shop terminal key to `per_sec` requests a second (bursts of twice that),
    /// counted after its signature verified; set once, by the server.
    pub fn limit_terminals(&self, per_sec: u32) {
        let _ = self.terminal_rate.set(TerminalRate::new(per_sec));
    }

    /// Refuses a terminal key past its request rate.
    fn within_rate(&self, key_id: KeyId) -> Result<(), Refusal> {
        let Some(rate) = self.terminal_rate.get() else {
            return Ok(());
        };
        let snapshot = self.snapshots.load();
        let terminal = snapshot
            .state
            .key(&key_id)
            .is_some_and(|k| matches!(k.role, crate::ledger::Role::ShopTerminal(_)));
        if terminal && !rate.take(key_id, std::time::Instant::now()) {
            return Err(TerminalRefusal::RateLimited {
                key_id,
                per_sec: rate.per_sec(),
            }
            .into());
        }
        Ok(())
    }

    fn get(&self, key_id: &KeyId) -> Option<DirectoryKey> {
        let snapshot = self.snapshots.load();
        let record = snapshot.state.key(key_id)?;
        Some(DirectoryKey {
            public_key: record.public_key,
            revoked_at: record.revoked_at.map(Sequence::get),
        })
    }

    /// The handler's admission, before anything reaches the writer: a body of at most
    /// [`MAX_BODY_BYTES`](crate::ledger::MAX_BODY_BYTES) and exactly one signature, by a
    /// registered and unrevoked key, verifying over the body; only then is the body decoded
    /// and parsed. For a redemption it also verifies the resident's payment code when its key
    /// is known here; otherwise the writer verifies it and refuses with the precise reason.
    pub fn admit(&self, signed: pb::SignedTransaction) -> Result<Admitted, Refusal> {
        let signed = Signed::new(signed)?;
        let key_id = signed.signer();
        let known = self.get(&key_id);
        let public_key = match known {
            Some(key) => key.public_key,
            // Only a terminal's activation is signed by a key not registered yet.
            None => signed
                .self_signed_key()
                .ok_or(Refusal::UnknownKey { key_id })?,
        };
        let verified = signed.verify(&public_key, &self.ledger_id)?;
        if let Some(revoked_at) = known.and_then(|key| key.revoked_at) {
            return Err(Refusal::KeyRevoked { key_id, revoked_at });
        }
        self.within_rate(key_id)?;
        let admitted = verified.parse(|code| match self.get(&code.resident_key) {
            Some(resident) => SpendSignature::verify(code, &resident.public_key, &self.ledger_id),
            None => Ok(SpendSignature::unchecked()),
        })?;
        if known.is_none()
            && let Operation::Terminals(TerminalsOp::ActivateTerminal { code, .. }) =
                &admitted.transaction().operation
        {
            // Without a known, unused code, an unregistered key costs the writer nothing.
            self.snapshots.load().state.check_activation_code(code)?;
        }
        Ok(admitted)
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
        crypto::verify(
            &key.public_key,
            key_id,
            context,
            &self.ledger_id,
            payload,
            signature,
        )?;
        match key.revoked_at {
            Some(revoked_at) => Err(Refusal::KeyRevoked { key_id, revoked_at }),
            None => self.within_rate(key_id),
        }
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
            .verify_and_apply(
                crate::ledger::UnixMs(crate::writer::now_unix_ms()),
                &admin.sign(&ledger_id, &body),
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
        assert!(directory.admit(good.clone()).is_ok());

        let mut forged = good.clone();
        forged.signatures[0].signature[7] ^= 0x20;
        assert!(matches!(
            directory.admit(forged.clone()).map(|_| ()),
            Err(Refusal::BadSignature { .. })
        ));

        let stranger = Signer::generate().sign(&ledger_id, &body);
        assert!(matches!(
            directory.admit(stranger.clone()).map(|_| ()),
            Err(Refusal::UnknownKey { .. })
        ));

        let mut unsigned = good.clone();
        unsigned.signatures.clear();
        assert_eq!(
            directory.admit(unsigned.clone()).map(|_| ()),
            Err(Refusal::SignatureCount { found: 0 })
        );
        let mut twice = good.clone();
        twice.signatures.push(good.signatures[0].clone());
        assert_eq!(
            directory.admit(twice.clone()).map(|_| ()),
            Err(Refusal::SignatureCount { found: 2 })
        );
        // An oversized body is refused before its signature is even looked at.
        let mut huge = stranger.clone();
        huge.body = vec![0; crate::ledger::MAX_BODY_BYTES + 1];
        assert!(matches!(
            directory.admit(huge.clone()).map(|_| ()),
            Err(Refusal::BodyTooLarge { .. })
        ));
    }
}
