//! Admission: a signed transaction is decoded once and its signatures are checked once, and
//! what the state machine applies is the result, an [`Admitted`] transaction. Outside this
//! crate the types are the proof: an `Admitted` can only be made by verifying the signature
//! with the signer's public key ([`Signed::verify`]). Inside it, the replay of the server's
//! own log, whose every entry was verified when it was admitted, says so instead
//! (`Signed::from_own_log`, crate-private, called only with the store's bytes).

use ed25519_dalek::VerifyingKey;

use super::state::{PaymentCode, RedemptionOp};
use super::transaction::{Operation, Transaction, check_body_size, decode_canonical};
use super::{KeyId, LedgerId, Refusal};
use crate::crypto::{self, SigningContext};
use crate::pb::points as pb;

/// A signed transaction of an acceptable size with exactly one signature, not yet verified.
#[derive(Clone, Debug)]
pub struct Signed {
    signed: pb::SignedTransaction,
    signer: KeyId,
}

/// A transaction whose signature was verified, not yet decoded.
#[derive(Clone, Debug)]
pub struct Verified {
    signed: pb::SignedTransaction,
    signer: KeyId,
    own_log: bool,
}

/// How the resident's payment-code signature of a redemption was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpendSignature(SpendCheck);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SpendCheck {
    /// Verified before admission (or the operation carries no payment code).
    Verified,
    /// The resident key was not known where the transaction was admitted: the state machine
    /// verifies it against its key set, and refuses with the precise reason.
    Unchecked,
}

impl SpendSignature {
    /// Verifies the payment code's signature with the resident key's `public_key`.
    pub fn verify(
        code: &PaymentCode,
        public_key: &VerifyingKey,
        ledger_id: &LedgerId,
    ) -> Result<Self, Refusal> {
        crypto::verify(
            public_key,
            code.resident_key,
            SigningContext::SpendAuthorization,
            ledger_id,
            &code.authorization_bytes,
            &code.resident_signature,
        )?;
        Ok(Self(SpendCheck::Verified))
    }

    /// Not checked yet: the state machine checks it.
    pub fn unchecked() -> Self {
        Self(SpendCheck::Unchecked)
    }
}

/// A transaction ready for the state machine: decoded from its exact bytes, its signature
/// verified (and, for a redemption, how its payment code was checked).
#[derive(Clone, Debug)]
pub struct Admitted {
    signed: pb::SignedTransaction,
    transaction: Transaction,
    body_sha256: [u8; 32],
    signer: KeyId,
    spend: SpendSignature,
}

impl Signed {
    /// Checks the shape every transaction must have before anything else is looked at: a body
    /// of at most [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES) and exactly one signature with a
    /// well-formed key id.
    pub fn new(signed: pb::SignedTransaction) -> Result<Self, Refusal> {
        check_body_size(&signed.body)?;
        let [signature] = signed.signatures.as_slice() else {
            return Err(Refusal::SignatureCount {
                found: signed.signatures.len(),
            });
        };
        let signer = KeyId::from_hex(&signature.key_id)?;
        Ok(Self { signed, signer })
    }

    /// An entry of the server's own log: its signatures were verified when it was admitted,
    /// so replaying it at start-up does not verify them again (authorization, every balance
    /// rule and the key set's checks still run).
    pub(crate) fn from_own_log(signed: pb::SignedTransaction) -> Result<Verified, Refusal> {
        let Self { signed, signer } = Self::new(signed)?;
        Ok(Verified {
            signed,
            signer,
            own_log: true,
        })
    }

    /// The key a terminal's activation registers, when it is this transaction's signer: the
    /// one transaction signed by a key that is not registered yet (it proves possession of
    /// the key; the activation code proves the right to register it). `None` for anything
    /// else, or a body that does not parse.
    pub fn self_signed_key(&self) -> Option<VerifyingKey> {
        let transaction = Transaction::parse(&self.signed.body).ok()?;
        match &transaction.operation {
            Operation::Terminals(op) => op
                .activated_key()
                .filter(|key| crypto::key_id(key) == self.signer)
                .copied(),
            _ => None,
        }
    }

    /// The key id the signature names.
    pub fn signer(&self) -> KeyId {
        self.signer
    }

    /// The exact body bytes.
    pub fn body(&self) -> &[u8] {
        &self.signed.body
    }

    /// Verifies the signature (`verify_strict`) with the signer's public key.
    pub fn verify(
        self,
        public_key: &VerifyingKey,
        ledger_id: &LedgerId,
    ) -> Result<Verified, Refusal> {
        let signature = self
            .signed
            .signatures
            .first()
            .map(|s| s.signature.as_slice())
            .unwrap_or_default();
        crypto::verify(
            public_key,
            self.signer,
            SigningContext::Transaction,
            ledger_id,
            &self.signed.body,
            signature,
        )?;
        Ok(Verified {
            signed: self.signed,
            signer: self.signer,
            own_log: false,
        })
    }
}

impl Verified {
    /// Decodes the body (it must be canonical) and parses it; `spend` checks a redemption's
    /// payment code (it is not called for other operations, nor for the server's own log).
    pub fn parse(
        self,
        spend: impl FnOnce(&PaymentCode) -> Result<SpendSignature, Refusal>,
    ) -> Result<Admitted, Refusal> {
        let body: pb::TransactionBody = decode_canonical("transaction body", &self.signed.body)?;
        let transaction = Transaction::try_from(&body)?;
        let spend = match &transaction.operation {
            _ if self.own_log => SpendSignature(SpendCheck::Verified),
            Operation::Redemption(RedemptionOp::Redeem { payment_code, .. }) => {
                spend(payment_code)?
            }
            _ => SpendSignature(SpendCheck::Verified),
        };
        Ok(Admitted {
            body_sha256: crypto::sha256(&self.signed.body),
            signed: self.signed,
            transaction,
            signer: self.signer,
            spend,
        })
    }
}

impl Admitted {
    /// The parsed body.
    pub fn transaction(&self) -> &Transaction {
        &self.transaction
    }

    /// The key that signed.
    pub fn signer(&self) -> KeyId {
        self.signer
    }

    /// SHA-256 of the exact body bytes.
    pub fn body_sha256(&self) -> [u8; 32] {
        self.body_sha256
    }

    /// Whether the state machine must still verify the payment code's signature.
    pub fn spend_unchecked(&self) -> bool {
        self.spend.0 == SpendCheck::Unchecked
    }

    /// The signed transaction exactly as received, for the log.
    pub fn into_signed(self) -> pb::SignedTransaction {
        self.signed
    }
}
