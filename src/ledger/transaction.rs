//! The domain form of a transaction: its operations, the limits every transaction keeps, and
//! the canonical decoding of its exact bytes. Parsing the wire form into these types is
//! [`crate::wire`]'s job; it checks everything that does not depend on the ledger's state
//! (field shapes, id syntax, key validity). What depends on state (authorization, balances)
//! is the state machine's job.

use ed25519_dalek::VerifyingKey;
use prost::Message;

use super::ids::{
    HouseholdId, IssuerId, KeyId, LedgerId, PaymentNonce, RequestId, RuleCode, ShopId,
};
use super::units::{Points, Sequence, UnixMs};
use super::{Refusal, Role};
use crate::crypto::{self, BadSignature, PublicKeyError};
use crate::pb::points as pb;

/// The most points one transaction may move: 10^12, far above any real budget and far below
/// overflow of sums.
pub const MAX_POINTS_PER_TRANSACTION: u64 = 1_000_000_000_000;
/// The largest transaction body accepted, in bytes: 4 KiB. The largest valid body (a
/// household with [`MAX_RESIDENT_KEYS`] keys, or an operation with a full memo and names) is
/// well under it. Checked in the handler before any signature or parsing, and on replay.
pub const MAX_BODY_BYTES: usize = 4096;
/// The most points the bureau fund may back in all (2^63 - 1): every balance and score is
/// then within a signed 64-bit integer, so the wire's `int64` fields hold every value exactly.
pub const MAX_BACKED_POINTS: u64 = i64::MAX as u64;
/// The most resident (consent) keys one `RegisterHousehold` may carry: 16.
pub const MAX_RESIDENT_KEYS: usize = 16;

/// Parses a public key from request field `field`; see [`crypto::parse_public_key`].
pub fn parse_public_key(field: &'static str, bytes: &[u8]) -> Result<VerifyingKey, Refusal> {
    crypto::parse_public_key(bytes).map_err(|error| match error {
        PublicKeyError::Length(found) => Refusal::InvalidField {
            field,
            expected: "a 32-byte Ed25519 public key".into(),
            found: format!("{found} bytes"),
        },
        PublicKeyError::NotAPoint(found) => Refusal::InvalidField {
            field,
            expected: "a valid Ed25519 point".into(),
            found,
        },
        PublicKeyError::NonCanonical(found) => Refusal::InvalidField {
            field,
            expected: "the canonical encoding of an Ed25519 point".into(),
            found,
        },
        PublicKeyError::Weak(public_key) => Refusal::WeakKey { public_key },
    })
}

impl From<BadSignature> for Refusal {
    fn from(error: BadSignature) -> Self {
        Refusal::BadSignature {
            key_id: error.key_id,
            context: error.context,
        }
    }
}

/// Refuses a body larger than [`MAX_BODY_BYTES`].
pub fn check_body_size(body: &[u8]) -> Result<(), Refusal> {
    if body.len() > MAX_BODY_BYTES {
        return Err(Refusal::BodyTooLarge {
            found: body.len(),
            max: MAX_BODY_BYTES,
        });
    }
    Ok(())
}

/// Decodes `bytes` as `M` and requires that re-encoding gives the same bytes, which refuses
/// unknown fields, duplicated or reordered fields and non-minimal varints.
pub fn decode_canonical<M: Message + Default>(
    what: &'static str,
    bytes: &[u8],
) -> Result<M, Refusal> {
    let message = M::decode(bytes).map_err(|e| Refusal::Undecodable {
        what,
        reason: e.to_string(),
    })?;
    let canonical = message.encode_to_vec();
    if canonical != bytes {
        return Err(Refusal::NonCanonical {
            what,
            found: bytes.len(),
            canonical: canonical.len(),
        });
    }
    Ok(message)
}

/// A parsed transaction body.
#[derive(Clone, Debug)]
pub struct Transaction {
    /// The idempotency key.
    pub request_id: RequestId,
    /// The body is refused after this time.
    pub not_after: UnixMs,
    /// What to do.
    pub operation: Operation,
}

/// Whether an issuer is a village committee or a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssuerKind {
    /// A village committee (村委会).
    Village,
    /// A bureau program or another department.
    Program,
}

impl IssuerKind {
    /// "village" or "program".
    pub fn name(self) -> &'static str {
        match self {
            IssuerKind::Village => "village",
            IssuerKind::Program => "program",
        }
    }
}

/// Parameters fixed at genesis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LedgerParameters {
    /// Longest allowed gap between commit time and a transaction's `not_after`, in ms.
    pub max_transaction_window_ms: u64,
    /// Longest allowed validity of a payment code, in ms.
    pub max_spend_authorization_window_ms: u64,
    /// How long after a sale its shop's terminal may refund it, in ms.
    pub max_refund_window_ms: u64,
}

impl LedgerParameters {
    /// Default transaction window: 24 hours, so a village app may sign and submit later the
    /// same day.
    pub const DEFAULT_MAX_TRANSACTION_WINDOW_MS: u64 = 24 * 60 * 60 * 1000;
    /// Default payment code validity: 15 minutes.
    pub const DEFAULT_MAX_SPEND_AUTHORIZATION_WINDOW_MS: u64 = 15 * 60 * 1000;
    /// Default refund window for terminals: 7 days.
    pub const DEFAULT_MAX_REFUND_WINDOW_MS: u64 = 7 * 24 * 60 * 60 * 1000;
}

impl Default for LedgerParameters {
    fn default() -> Self {
        Self {
            max_transaction_window_ms: Self::DEFAULT_MAX_TRANSACTION_WINDOW_MS,
            max_spend_authorization_window_ms: Self::DEFAULT_MAX_SPEND_AUTHORIZATION_WINDOW_MS,
            max_refund_window_ms: Self::DEFAULT_MAX_REFUND_WINDOW_MS,
        }
    }
}

/// A resident's payment code, parsed.
#[derive(Clone, Debug)]
pub struct PaymentCode {
    /// The household whose points may be spent.
    pub household: HouseholdId,
    /// The most points the shop may take.
    pub max_points: Points,
    /// Single-use nonce.
    pub nonce: PaymentNonce,
    /// Void after this time.
    pub not_after: UnixMs,
    /// The exact encoded authorization bytes the resident signed.
    pub authorization_bytes: Vec<u8>,
    /// The resident key that signed.
    pub resident_key: KeyId,
    /// The resident's 64-byte signature.
    pub resident_signature: Vec<u8>,
}

/// A movement of issuer, household and rule: shared by issue and deduct.
#[derive(Clone, Debug)]
pub struct PointsAction {
    /// The issuer that pays (issue) or receives (deduct).
    pub issuer: IssuerId,
    /// The household that receives (issue) or loses (deduct).
    pub household: HouseholdId,
    /// The catalogue rule.
    pub rule: RuleCode,
    /// Points, 1 ..= [`MAX_POINTS_PER_TRANSACTION`].
    pub points: Points,
    /// Free text, no personal data.
    pub memo: String,
}

/// One operation of the ledger.
#[derive(Clone, Debug)]
pub enum Operation {
    /// Creates the ledger (first entry only).
    Genesis {
        /// 16 random bytes naming this deployment; every signature covers it, so a
        /// transaction signed for one ledger is refused by every other.
        ledger_id: LedgerId,
        /// The first bureau admin's public key; it signs this genesis entry.
        admin_key: VerifyingKey,
        /// The public key that signs checkpoints of the verifiable log.
        log_key: VerifyingKey,
        /// The limits every later transaction keeps.
        parameters: LedgerParameters,
    },
    /// Registers a key with a role and scope.
    RegisterKey {
        /// The new key (small-order keys are refused).
        public_key: VerifyingKey,
        /// The role the key acts in, with its scope.
        role: Role,
        /// A short description for people, e.g. "Gaoba village terminal 2"; no personal data;
        /// at most 280 bytes, may be empty.
        label: String,
    },
    /// Revokes a key.
    RevokeKey {
        /// The key to revoke.
        key_id: KeyId,
        /// Why, e.g. a lost phone or a staff change: free text for people, no personal data;
        /// 1 to 280 bytes.
        reason: String,
    },
    /// Registers a village or program issuer.
    RegisterIssuer {
        /// The new issuer's id, unique among issuers.
        issuer: IssuerId,
        /// Village committee or program.
        kind: IssuerKind,
        /// Display name, 1 to 128 characters (e.g. "红花套镇渔洋溪村").
        name: String,
    },
    /// Registers a household in a village, with optional resident keys.
    RegisterHousehold {
        /// The new household's id, unique among households; never a resident ID number.
        household: HouseholdId,
        /// The village issuer the household belongs to.
        village: IssuerId,
        /// Resident (consent) keys registered with it, at most [`MAX_RESIDENT_KEYS`]; they
        /// sign payment codes. May be empty.
        resident_keys: Vec<VerifyingKey>,
    },
    /// Registers a partner shop.
    RegisterShop {
        /// The new shop's id, unique among shops.
        shop: ShopId,
        /// Display name, 1 to 128 characters.
        name: String,
    },
    /// Bureau fund → issuer.
    AllocateBudget {
        /// The issuer whose budget receives the points.
        issuer: IssuerId,
        /// Points, 1 ..= [`MAX_POINTS_PER_TRANSACTION`].
        points: Points,
        /// Why, e.g. "2026 Q4 village budget": free text for people, no personal data; at
        /// most 280 bytes.
        memo: String,
    },
    /// Issuer → household.
    IssuePoints(PointsAction),
    /// Household → issuer.
    DeductPoints(PointsAction),
    /// A compensating entry for an earlier one.
    ReverseEntry {
        /// The log sequence of the entry to reverse.
        sequence: Sequence,
        /// Why: free text for people, no personal data; 1 to 280 bytes.
        reason: String,
    },
    /// Household → shop, with the resident's consent.
    Redeem {
        /// The shop whose terminal signs, and which receives the points.
        shop: ShopId,
        /// The household that pays.
        household: HouseholdId,
        /// Points, 1 ..= [`MAX_POINTS_PER_TRANSACTION`], at most the payment code's
        /// `max_points`.
        points: Points,
        /// The resident's consent.
        payment_code: PaymentCode,
        /// The terminal's own counter; it must be above the last one its key used.
        terminal_counter: u64,
        /// What was sold: free text for people, no personal data; at most 280 bytes.
        memo: String,
    },
}

/// The kind of an operation, as listed in history filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// [`Operation::Genesis`].
    Genesis,
    /// [`Operation::RegisterKey`].
    RegisterKey,
    /// [`Operation::RevokeKey`].
    RevokeKey,
    /// [`Operation::RegisterIssuer`].
    RegisterIssuer,
    /// [`Operation::RegisterHousehold`].
    RegisterHousehold,
    /// [`Operation::RegisterShop`].
    RegisterShop,
    /// [`Operation::AllocateBudget`].
    AllocateBudget,
    /// [`Operation::IssuePoints`].
    IssuePoints,
    /// [`Operation::DeductPoints`].
    DeductPoints,
    /// [`Operation::ReverseEntry`].
    ReverseEntry,
    /// [`Operation::Redeem`].
    Redeem,
}

impl OperationKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            OperationKind::Genesis => "genesis",
            OperationKind::RegisterKey => "register-key",
            OperationKind::RevokeKey => "revoke-key",
            OperationKind::RegisterIssuer => "register-issuer",
            OperationKind::RegisterHousehold => "register-household",
            OperationKind::RegisterShop => "register-shop",
            OperationKind::AllocateBudget => "allocate-budget",
            OperationKind::IssuePoints => "issue-points",
            OperationKind::DeductPoints => "deduct-points",
            OperationKind::ReverseEntry => "reverse-entry",
            OperationKind::Redeem => "redeem",
        }
    }
}

impl Operation {
    /// The operation's kind.
    pub fn kind(&self) -> OperationKind {
        match self {
            Operation::Genesis { .. } => OperationKind::Genesis,
            Operation::RegisterKey { .. } => OperationKind::RegisterKey,
            Operation::RevokeKey { .. } => OperationKind::RevokeKey,
            Operation::RegisterIssuer { .. } => OperationKind::RegisterIssuer,
            Operation::RegisterHousehold { .. } => OperationKind::RegisterHousehold,
            Operation::RegisterShop { .. } => OperationKind::RegisterShop,
            Operation::AllocateBudget { .. } => OperationKind::AllocateBudget,
            Operation::IssuePoints(_) => OperationKind::IssuePoints,
            Operation::DeductPoints(_) => OperationKind::DeductPoints,
            Operation::ReverseEntry { .. } => OperationKind::ReverseEntry,
            Operation::Redeem { .. } => OperationKind::Redeem,
        }
    }
}

impl Transaction {
    /// Decodes and parses a transaction body from its exact bytes (the parsing is the wire
    /// module's `TryFrom<&pb::TransactionBody>`).
    pub fn parse(body: &[u8]) -> Result<Self, Refusal> {
        let body: pb::TransactionBody = decode_canonical("transaction body", body)?;
        Self::try_from(&body)
    }
}
