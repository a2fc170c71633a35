//! Every reason the ledger refuses a transaction or a read, each with a message that says what
//! was expected and what was found.

use super::ids::{HouseholdId, IssuerId, KeyId, ShopId};

/// The class of a refusal; the API layer maps each to one gRPC status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalClass {
    /// The request is malformed; resending it unchanged can never succeed.
    InvalidArgument,
    /// No valid signature from a registered key.
    Unauthenticated,
    /// The key is valid but its role, scope or status does not allow this.
    PermissionDenied,
    /// The request names something that does not exist.
    NotFound,
    /// The request would create something that already exists.
    AlreadyExists,
    /// The ledger's state does not allow this now (balance, budget, time, order).
    FailedPrecondition,
}

/// Why the ledger refused. Nothing is applied when a refusal is returned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    // --- shape ---
    #[error("{field}: expected {expected}, found {found}")]
    InvalidField {
        field: &'static str,
        expected: String,
        found: String,
    },
    #[error("{what} is not a valid protobuf message: {reason}")]
    Undecodable { what: &'static str, reason: String },
    #[error(
        "{what} is not canonical: it must be exactly the bytes its fields encode to, with fields \
         in order and no unknown fields (found {found} bytes, canonical form is {canonical} bytes)"
    )]
    NonCanonical {
        what: &'static str,
        found: usize,
        canonical: usize,
    },
    #[error("transaction body has no operation: expected exactly one operation to be set")]
    MissingOperation,
    #[error("transaction body: expected at most {max} bytes, found {found}")]
    BodyTooLarge { found: usize, max: usize },
    #[error("resident_public_keys: expected at most {max} keys per household, found {found}")]
    TooManyResidentKeys { found: usize, max: usize },
    #[error(
        "household {household} already has {max} active resident keys, the most allowed; revoke \
         one first"
    )]
    ResidentKeysFull { household: HouseholdId, max: usize },
    #[error("points: expected at least 1 and at most {max}, found {found}")]
    PointsOutOfRange { found: u64, max: u64 },
    #[error(
        "not_after_unix_ms: expected at most {max_window_ms} ms after commit time {now}, found \
         {not_after} (window too long; sign with a shorter validity)"
    )]
    WindowTooLong {
        not_after: u64,
        now: u64,
        max_window_ms: u64,
    },
    #[error("weak (small-order) public key {public_key} refused: generate a new key pair")]
    WeakKey { public_key: String },
    #[error("genesis is only valid as the first entry of the log; this ledger already has one")]
    GenesisNotFirst,
    #[error("the log must start with a genesis entry; found another operation at sequence 0")]
    GenesisMissing,
    // --- authentication ---
    #[error("expected exactly one signature (the acting key's), found {found}")]
    SignatureCount { found: usize },
    #[error("key {key_id} is not registered in this ledger")]
    UnknownKey { key_id: KeyId },
    #[error(
        "signature by key {key_id} does not verify over this body and ledger id (expected an \
         Ed25519 signature over \"shanzhi/{context}/v1\" || 0x00 || ledger_id || 0x00 || bytes)"
    )]
    BadSignature {
        key_id: KeyId,
        context: &'static str,
    },
    #[error(
        "this body was committed as entry {sequence}, signed by key {signer}; a retry must carry \
         that key's signature"
    )]
    NotOriginalSigner { sequence: u64, signer: KeyId },
    #[error("read credentials: {0}")]
    BadReadCredentials(String),
    // --- authorization ---
    #[error("key {key_id} was revoked at entry {revoked_at} and can no longer act")]
    KeyRevoked { key_id: KeyId, revoked_at: u64 },
    #[error("{operation} needs {expected}; the signing key is a {found}")]
    NotAllowed {
        operation: &'static str,
        expected: &'static str,
        found: String,
    },
    #[error("the signing {role} key may act only for {scope}, not for {requested}")]
    OutOfScope {
        role: &'static str,
        scope: String,
        requested: String,
    },
    #[error("revoking key {key_id} would leave the ledger without an active bureau admin key")]
    LastAdminKey { key_id: KeyId },
    // --- not found ---
    #[error("issuer {0} is not registered")]
    UnknownIssuer(IssuerId),
    #[error("household {0} is not registered")]
    UnknownHousehold(HouseholdId),
    #[error("shop {0} is not registered")]
    UnknownShop(ShopId),
    #[error("no entry at sequence {sequence}: the log has {log_size} entries")]
    UnknownEntry { sequence: u64, log_size: u64 },
    #[error("no transaction with request id {0} was committed")]
    UnknownRequest(String),
    #[error("key {0} to revoke is not registered")]
    UnknownKeyToRevoke(KeyId),
    // --- already exists ---
    #[error("{kind} {id} is already registered")]
    AlreadyRegistered { kind: &'static str, id: String },
    #[error(
        "request id {request_id} was already used by entry {sequence} with a different body: \
         choose a new request id for a new transaction"
    )]
    RequestIdReused { request_id: String, sequence: u64 },
    // --- failed precondition ---
    #[error("transaction expired: not_after_unix_ms {not_after} is before commit time {now}")]
    Expired { not_after: u64, now: u64 },
    #[error("issuer {issuer} is a {found}; expected a {expected}")]
    WrongIssuerKind {
        issuer: IssuerId,
        expected: &'static str,
        found: &'static str,
    },
    #[error(
        "insufficient {what}: {account} holds {available} points, the request needs {requested}"
    )]
    Insufficient {
        what: &'static str,
        account: String,
        available: u64,
        requested: u64,
    },
    #[error("key {key_id} is already revoked (at entry {revoked_at})")]
    AlreadyRevoked { key_id: KeyId, revoked_at: u64 },
    #[error(
        "entry {sequence} was already reversed by entry {reversed_by}; each entry is reversible once"
    )]
    AlreadyReversed { sequence: u64, reversed_by: u64 },
    #[error(
        "entry {sequence} is a {kind}; only allocations, issues, deductions and redemptions can be reversed"
    )]
    NotReversible { sequence: u64, kind: &'static str },
    #[error(
        "entry {sequence} is {age_ms} ms old, past the {window_ms} ms refund window for \
         terminals; ask the bureau to reverse it"
    )]
    RefundWindowPassed {
        sequence: u64,
        age_ms: u64,
        window_ms: u64,
    },
    #[error("payment code: {0}")]
    PaymentCode(String),
    #[error(
        "terminal counter must strictly increase: key {key_id} last used {last}, found {found}"
    )]
    TerminalCounter {
        key_id: KeyId,
        last: u64,
        found: u64,
    },
    #[error("arithmetic overflow: {0} would exceed the largest representable number of points")]
    Overflow(&'static str),
}

impl Refusal {
    /// The refusal's class, which decides its gRPC status code.
    pub fn class(&self) -> RefusalClass {
        use Refusal::*;
        use RefusalClass as C;
        match self {
            InvalidField { .. }
            | Undecodable { .. }
            | NonCanonical { .. }
            | MissingOperation
            | BodyTooLarge { .. }
            | TooManyResidentKeys { .. }
            | PointsOutOfRange { .. }
            | WindowTooLong { .. }
            | WeakKey { .. }
            | GenesisNotFirst
            | GenesisMissing
            | Overflow(_) => C::InvalidArgument,
            SignatureCount { .. }
            | NotOriginalSigner { .. }
            | UnknownKey { .. }
            | BadSignature { .. }
            | BadReadCredentials(_) => C::Unauthenticated,
            KeyRevoked { .. } | NotAllowed { .. } | OutOfScope { .. } => C::PermissionDenied,
            UnknownIssuer(_)
            | UnknownHousehold(_)
            | UnknownShop(_)
            | UnknownEntry { .. }
            | UnknownRequest(_)
            | UnknownKeyToRevoke(_) => C::NotFound,
            AlreadyRegistered { .. } | RequestIdReused { .. } => C::AlreadyExists,
            Expired { .. }
            | WrongIssuerKind { .. }
            | Insufficient { .. }
            | AlreadyRevoked { .. }
            | AlreadyReversed { .. }
            | NotReversible { .. }
            | PaymentCode(_)
            | RefundWindowPassed { .. }
            | TerminalCounter { .. }
            | ResidentKeysFull { .. }
            | LastAdminKey { .. } => C::FailedPrecondition,
        }
    }
}
