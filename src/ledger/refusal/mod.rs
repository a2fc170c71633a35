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
    #[error(
        "read credentials: expected metadata x-shanzhi-key-id, x-shanzhi-timestamp and \
         x-shanzhi-signature; {problem}"
    )]
    ReadCredentialMalformed { problem: String },
    #[error(
        "read credentials: timestamp {timestamp} is more than {skew_ms} ms from the server's \
         clock {now}; make a fresh credential (and check the client's clock)"
    )]
    ReadCredentialStale {
        timestamp: u64,
        skew_ms: u64,
        now: u64,
    },
    #[error(
        "read credentials: signature by key {key_id} does not verify: expected an Ed25519 \
         signature over \"shanzhi/read/v1\" || 0x00 || ledger_id (16 raw bytes) || 0x00 || \
         {method} (the method, no leading slash) || 0x00 || {timestamp} (the decimal string sent \
         in x-shanzhi-timestamp) || 0x00 || SHA-256 of the request message's canonical encoding \
         (32 raw bytes)"
    )]
    ReadCredentialBadSignature {
        key_id: KeyId,
        method: String,
        timestamp: String,
    },
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
    #[error(
        "payment code: signed by a {role} key; expected a resident key of household {household}"
    )]
    PaymentCodeNotResident {
        role: String,
        household: HouseholdId,
    },
    #[error("payment code: issued for household {code_household}, not for household {household}")]
    PaymentCodeOtherHousehold {
        code_household: HouseholdId,
        household: HouseholdId,
    },
    #[error("payment code: allows at most {max_points} points; the sale asks for {points}")]
    PaymentCodeOverMaximum { max_points: u64, points: u64 },
    #[error("payment code: expired at {not_after} (now {now}); ask the resident for a new code")]
    PaymentCodeExpired { not_after: u64, now: u64 },
    #[error("payment code: valid until {not_after}, more than the allowed {window_ms} ms ahead")]
    PaymentCodeTooLong { not_after: u64, window_ms: u64 },
    #[error("payment code: nonce {nonce} was already used")]
    PaymentCodeReused { nonce: String },

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
    // --- the audit service ---
    #[error(
        "tree size {size} was never signed; ask for a signed size (the latest is {latest}) or 0 \
         for the latest"
    )]
    NeverSigned { size: u64, latest: u64 },
    #[error("entry {index} is not in the tree of size {size}: expected leaf_index < tree_size")]
    LeafIndexPastSize { index: u64, size: u64 },
    #[error(
        "entry {index} is not in the tree of size {latest}, the latest signed size; retry after \
         the next checkpoint"
    )]
    LeafPastLatest { index: u64, latest: u64 },
    #[error("no entry has this leaf hash")]
    UnknownLeafHash,
    #[error("first_size {first} is larger than second_size {second}")]
    ConsistencyOrder { first: u64, second: u64 },
    #[error("expected start <= end and at most {max} entries; found {start} .. {end}")]
    EntryRangeInvalid { start: u64, end: u64, max: u64 },
    #[error(
        "end {end} is past the latest signed size {latest}; ask for at most {latest}, or retry \
         after the next checkpoint"
    )]
    EntryRangePastLatest { end: u64, latest: u64 },
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
            | LeafIndexPastSize { .. }
            | ConsistencyOrder { .. }
            | EntryRangeInvalid { .. }
            | Overflow(_) => C::InvalidArgument,
            SignatureCount { .. }
            | NotOriginalSigner { .. }
            | UnknownKey { .. }
            | BadSignature { .. }
            | ReadCredentialMalformed { .. }
            | ReadCredentialStale { .. }
            | ReadCredentialBadSignature { .. } => C::Unauthenticated,
            KeyRevoked { .. } | NotAllowed { .. } | OutOfScope { .. } => C::PermissionDenied,
            UnknownIssuer(_)
            | UnknownHousehold(_)
            | UnknownShop(_)
            | UnknownEntry { .. }
            | UnknownRequest(_)
            | UnknownLeafHash
            | UnknownKeyToRevoke(_) => C::NotFound,
            AlreadyRegistered { .. } | RequestIdReused { .. } => C::AlreadyExists,
            Expired { .. }
            | WrongIssuerKind { .. }
            | Insufficient { .. }
            | AlreadyRevoked { .. }
            | AlreadyReversed { .. }
            | NotReversible { .. }
            | PaymentCodeNotResident { .. }
            | PaymentCodeOtherHousehold { .. }
            | PaymentCodeOverMaximum { .. }
            | PaymentCodeExpired { .. }
            | PaymentCodeTooLong { .. }
            | PaymentCodeReused { .. }
            | RefundWindowPassed { .. }
            | TerminalCounter { .. }
            | ResidentKeysFull { .. }
            | NeverSigned { .. }
            | LeafPastLatest { .. }
            | EntryRangePastLatest { .. }
            | LastAdminKey { .. } => C::FailedPrecondition,
        }
    }

    /// The refusal's stable, machine-readable reason (sent as `google.rpc.ErrorInfo.reason`,
    /// listed in the README's error table): clients match on it, never on the message.
    pub fn reason(&self) -> &'static str {
        use Refusal::*;
        match self {
            InvalidField { .. } => "INVALID_FIELD",
            Undecodable { .. } => "UNDECODABLE",
            NonCanonical { .. } => "NON_CANONICAL",
            MissingOperation => "MISSING_OPERATION",
            BodyTooLarge { .. } => "BODY_TOO_LARGE",
            TooManyResidentKeys { .. } => "TOO_MANY_RESIDENT_KEYS",
            PointsOutOfRange { .. } => "POINTS_OUT_OF_RANGE",
            WindowTooLong { .. } => "WINDOW_TOO_LONG",
            WeakKey { .. } => "WEAK_KEY",
            GenesisNotFirst => "GENESIS_NOT_FIRST",
            GenesisMissing => "GENESIS_MISSING",
            SignatureCount { .. } => "SIGNATURE_COUNT",
            UnknownKey { .. } => "UNKNOWN_KEY",
            BadSignature { .. } => "BAD_SIGNATURE",
            NotOriginalSigner { .. } => "NOT_ORIGINAL_SIGNER",
            ReadCredentialMalformed { .. } => "READ_CREDENTIAL_MALFORMED",
            ReadCredentialStale { .. } => "READ_CREDENTIAL_STALE",
            ReadCredentialBadSignature { .. } => "READ_CREDENTIAL_BAD_SIGNATURE",
            KeyRevoked { .. } => "KEY_REVOKED",
            NotAllowed { .. } => "ROLE_NOT_ALLOWED",
            OutOfScope { .. } => "OUT_OF_SCOPE",
            LastAdminKey { .. } => "LAST_ADMIN_KEY",
            UnknownIssuer(_) => "UNKNOWN_ISSUER",
            UnknownHousehold(_) => "UNKNOWN_HOUSEHOLD",
            UnknownShop(_) => "UNKNOWN_SHOP",
            UnknownEntry { .. } => "UNKNOWN_ENTRY",
            UnknownRequest(_) => "UNKNOWN_REQUEST",
            UnknownKeyToRevoke(_) => "UNKNOWN_KEY_TO_REVOKE",
            AlreadyRegistered { .. } => "ALREADY_REGISTERED",
            RequestIdReused { .. } => "REQUEST_ID_REUSED",
            Expired { .. } => "TRANSACTION_EXPIRED",
            WrongIssuerKind { .. } => "WRONG_ISSUER_KIND",
            Insufficient { .. } => "INSUFFICIENT_POINTS",
            AlreadyRevoked { .. } => "KEY_ALREADY_REVOKED",
            AlreadyReversed { .. } => "ALREADY_REVERSED",
            NotReversible { .. } => "NOT_REVERSIBLE",
            RefundWindowPassed { .. } => "REFUND_WINDOW_PASSED",
            PaymentCodeNotResident { .. } => "PAYMENT_CODE_NOT_RESIDENT",
            PaymentCodeOtherHousehold { .. } => "PAYMENT_CODE_OTHER_HOUSEHOLD",
            PaymentCodeOverMaximum { .. } => "PAYMENT_CODE_OVER_MAXIMUM",
            PaymentCodeExpired { .. } => "PAYMENT_CODE_EXPIRED",
            PaymentCodeTooLong { .. } => "PAYMENT_CODE_TOO_LONG",
            PaymentCodeReused { .. } => "PAYMENT_CODE_REUSED",
            TerminalCounter { .. } => "TERMINAL_COUNTER_NOT_INCREASING",
            ResidentKeysFull { .. } => "RESIDENT_KEYS_FULL",
            Overflow(_) => "OVERFLOW",
            NeverSigned { .. } => "TREE_SIZE_NEVER_SIGNED",
            LeafIndexPastSize { .. } => "LEAF_INDEX_PAST_SIZE",
            LeafPastLatest { .. } => "LEAF_PAST_LATEST_SIGNED",
            UnknownLeafHash => "UNKNOWN_LEAF_HASH",
            ConsistencyOrder { .. } => "CONSISTENCY_ORDER",
            EntryRangeInvalid { .. } => "ENTRY_RANGE_INVALID",
            EntryRangePastLatest { .. } => "ENTRY_RANGE_PAST_LATEST_SIGNED",
        }
    }

    /// The field a refusal is about, when there is one (sent as ErrorInfo metadata `field`).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::InvalidField { field, .. } => Some(field),
            _ => None,
        }
    }
}

#[cfg(test)]
mod samples;
#[cfg(test)]
pub(crate) use samples::one_of_each;
