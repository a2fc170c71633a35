//! Verifying a signed transaction against the key set at this position: which key must have
//! signed it, the auditor's verification, and the key set handed to verification ahead of
//! the state ([`crate::ledger::replay_verifying_ahead`]).

use ed25519_dalek::VerifyingKey;

use super::{EntryRecord, PublicKeys, State};
use crate::crypto;
use crate::ledger::admitted::{Admitted, Signed, SpendSignature};
use crate::ledger::transaction::{Genesis, Operation, Transaction};
use crate::ledger::{LedgerId, Refusal, UnixMs};
use crate::pb::points as pb;

impl State {
    /// The public keys registered so far (a clone sharing the key set's maps, cheap to take
    /// and untouched by later entries unless they register keys).
    pub fn public_keys(&self) -> PublicKeys {
        PublicKeys::new(&self.keys, self.ledger_id())
    }

    /// Verifies a signed transaction against this state's key set, the way an auditor does:
    /// the signer must be a registered key (for the genesis entry, the admin key it names) and
    /// its signature must verify. A payment code's signature is verified when the redemption
    /// is applied, in the order of its rules.
    pub fn verify(&self, signed: pb::SignedTransaction) -> Result<Admitted, Refusal> {
        let signed = Signed::new(signed)?;
        let (public_key, ledger_id) = self.signing_key(&signed)?;
        signed
            .verify(&public_key, &ledger_id)?
            .parse(|_| Ok(SpendSignature::unchecked()))
    }

    /// The public key `signed` must verify under at this position, and the ledger it is signed
    /// for: the registered key it names, the key a terminal's activation registers when it
    /// signs it, or for the genesis entry the admin key it names.
    pub fn signing_key(&self, signed: &Signed) -> Result<(VerifyingKey, LedgerId), Refusal> {
        let signer = signed.signer();
        match self.facts {
            Some(facts) => {
                let public_key = match self.keys.get(&signer) {
                    Some(key) => key.public_key,
                    None => signed
                        .self_signed_key()
                        .ok_or(Refusal::UnknownKey { key_id: signer })?,
                };
                Ok((public_key, facts.ledger_id))
            }
            None => {
                let Operation::Genesis(Genesis {
                    ledger_id,
                    admin_key,
                    ..
                }) = Transaction::parse(signed.body())?.operation
                else {
                    return Err(Refusal::GenesisMissing);
                };
                if crypto::key_id(&admin_key) != signer {
                    return Err(Refusal::UnknownKey { key_id: signer });
                }
                Ok((admin_key, ledger_id))
            }
        }
    }

    /// [`State::verify`], then [`State::apply`].
    pub fn verify_and_apply(
        &mut self,
        committed_at: UnixMs,
        signed: &pb::SignedTransaction,
    ) -> Result<&EntryRecord, Refusal> {
        let admitted = self.verify(signed.clone())?;
        self.apply(committed_at, &admitted)
    }
}
