//! Every reason the ledger refuses a transaction or a read, each with a message that says what
//! was expected and what was found.

use super::ids::{
    AreaCode, ClaimId, HouseholdId, IssuerId, KeyId, MemberId, NoticeId, ObjectionId, RuleCode,
    ShopId,
};
use super::units::Sequence;

/// Why the ledger refused. Nothing is applied when a refusal is returned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    // --- shape ---
    /// A request field is malformed or outside its limits.
    #[error("{field}: expected {expected}, found {found}")]
    InvalidField {
        /// The request field's name, e.g. `household_id` (sent as ErrorInfo metadata `field`).
        field: &'static str,
        /// What the field must hold, in words.
        expected: String,
        /// What it held: the value, its length, or "nothing" when it was missing.
        found: String,
    },
    /// Bytes that should be a protobuf message do not decode as one.
    #[error("{what} is not a valid protobuf message: {reason}")]
    Undecodable {
        /// What the bytes should be, e.g. `transaction body` or `payment_code.authorization`.
        what: &'static str,
        /// The protobuf decoder's error message.
        reason: String,
    },
    /// A message decodes, but its bytes are not the canonical encoding of its fields.
    #[error(
        "{what} is not canonical: it must be exactly the bytes its fields encode to, with fields \
         in order and no unknown fields (found {found} bytes, canonical form is {canonical} bytes)"
    )]
    NonCanonical {
        /// What the bytes are, e.g. `transaction body` or `payment_code.authorization`.
        what: &'static str,
        /// The length of the bytes received, in bytes.
        found: usize,
        /// The length of the canonical re-encoding of the same fields, in bytes.
        canonical: usize,
    },
    /// The transaction body sets no operation.
    #[error("transaction body has no operation: expected exactly one operation to be set")]
    MissingOperation,
    /// The transaction body is larger than [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES); checked
    /// before anything else.
    #[error("transaction body: expected at most {max} bytes, found {found}")]
    BodyTooLarge {
        /// The body's length, in bytes.
        found: usize,
        /// The largest body accepted, in bytes.
        max: usize,
    },
    /// One `RegisterHousehold` carries more resident keys than one operation may.
    #[error("resident_public_keys: expected at most {max} keys per household, found {found}")]
    TooManyResidentKeys {
        /// The number of resident keys the operation carries.
        found: usize,
        /// The most resident keys one operation may carry
        /// ([`MAX_RESIDENT_KEYS`](super::MAX_RESIDENT_KEYS)).
        max: usize,
    },
    /// Registering one more resident key would give the household more active resident keys
    /// than allowed.
    #[error(
        "household {household} already has {max} active resident keys, the most allowed; revoke \
         one first"
    )]
    ResidentKeysFull {
        /// The household the new key would act for.
        household: HouseholdId,
        /// The most active resident keys one household may have
        /// ([`MAX_RESIDENT_KEYS`](super::MAX_RESIDENT_KEYS)).
        max: usize,
    },
    /// An amount of points (of an operation or a payment code's maximum) is 0 or above the
    /// most one transaction may move.
    #[error("points: expected at least 1 and at most {max}, found {found}")]
    PointsOutOfRange {
        /// The amount given, in points.
        found: u64,
        /// The most one transaction may move, in points
        /// ([`MAX_POINTS_PER_TRANSACTION`](super::MAX_POINTS_PER_TRANSACTION)).
        max: u64,
    },
    /// The transaction's `not_after` is further ahead of its commit time than the ledger's
    /// transaction window allows.
    #[error(
        "not_after_unix_ms: expected at most {max_window_ms} ms after commit time {now}, found \
         {not_after} (window too long; sign with a shorter validity)"
    )]
    WindowTooLong {
        /// The transaction's `not_after_unix_ms`, in ms since the Unix epoch.
        not_after: u64,
        /// The commit time, in ms since the Unix epoch.
        now: u64,
        /// The ledger's `max_transaction_window_ms`: the longest allowed gap, in ms.
        max_window_ms: u64,
    },
    /// An Ed25519 public key of small order (a weak key), refused wherever a key is given.
    #[error("weak (small-order) public key {public_key} refused: generate a new key pair")]
    WeakKey {
        /// The refused key's 32 bytes, in lower-case hex.
        public_key: String,
    },
    /// A genesis operation anywhere but as the log's first entry.
    #[error("genesis is only valid as the first entry of the log; this ledger already has one")]
    GenesisNotFirst,
    /// The log does not start with a genesis entry.
    #[error("the log must start with a genesis entry; found another operation at sequence 0")]
    GenesisMissing,
    /// A batch submission with no transactions or more than the server takes in one call.
    #[error("expected a batch of 1 to {max} transactions, found {found}")]
    BatchSize {
        /// Transactions in the batch.
        found: usize,
        /// The most one batch may carry.
        max: usize,
    },
    // --- authentication ---
    /// A signed transaction does not carry exactly one signature.
    #[error("expected exactly one signature (the acting key's), found {found}")]
    SignatureCount {
        /// The number of signatures it carries.
        found: usize,
    },
    /// The signing key (or a payment code's resident key) is not registered.
    #[error("key {key_id} is not registered in this ledger")]
    UnknownKey {
        /// The id of the unregistered key.
        key_id: KeyId,
    },
    /// A signature does not verify over the signed bytes and this ledger's id.
    #[error(
        "signature by key {key_id} does not verify over this body and ledger id (expected an \
         Ed25519 signature over \"shanzhi/{context}/v1\" || 0x00 || ledger_id || 0x00 || bytes)"
    )]
    BadSignature {
        /// The key the signature is said to be by.
        key_id: KeyId,
        /// The signing context's short name in the tag `shanzhi/<context>/v1`: `tx` for a
        /// transaction body, `spend` for a payment code.
        context: &'static str,
    },
    /// A retry of an already committed body, signed by another key than the one that
    /// committed it.
    #[error(
        "this body was committed as entry {sequence}, signed by key {signer}; a retry must carry \
         that key's signature"
    )]
    NotOriginalSigner {
        /// The log sequence of the entry the body was committed as.
        sequence: u64,
        /// The key that signed the committed entry.
        signer: KeyId,
    },
    /// A read's credential metadata is missing or malformed.
    #[error(
        "read credentials: expected metadata x-shanzhi-key-id, x-shanzhi-timestamp and \
         x-shanzhi-signature; {problem}"
    )]
    ReadCredentialMalformed {
        /// What is wrong, e.g. "x-shanzhi-timestamp is missing".
        problem: String,
    },
    /// A read credential's timestamp is further from the server's clock than the allowed skew.
    #[error(
        "read credentials: timestamp {timestamp} is more than {skew_ms} ms from the server's \
         clock {now}; make a fresh credential (and check the client's clock)"
    )]
    ReadCredentialStale {
        /// The credential's timestamp, in ms since the Unix epoch.
        timestamp: u64,
        /// The largest allowed difference from the server's clock, either way, in ms.
        skew_ms: u64,
        /// The server's clock when it checked, in ms since the Unix epoch.
        now: u64,
    },
    /// A read credential's signature does not verify over the read's payload.
    #[error(
        "read credentials: signature by key {key_id} does not verify: expected an Ed25519 \
         signature over \"shanzhi/read/v1\" || 0x00 || ledger_id (16 raw bytes) || 0x00 || \
         {method} (the method, no leading slash) || 0x00 || {timestamp} (the decimal string sent \
         in x-shanzhi-timestamp) || 0x00 || SHA-256 of the request message's canonical encoding \
         (32 raw bytes)"
    )]
    ReadCredentialBadSignature {
        /// The key named in `x-shanzhi-key-id`.
        key_id: KeyId,
        /// The gRPC method the signature must cover, without a leading slash.
        method: String,
        /// The timestamp exactly as sent in `x-shanzhi-timestamp` (decimal ms since the Unix
        /// epoch).
        timestamp: String,
    },
    // --- authorization ---
    /// The signing key (or a payment code's resident key) was revoked.
    #[error("key {key_id} was revoked at entry {revoked_at} and can no longer act")]
    KeyRevoked {
        /// The revoked key.
        key_id: KeyId,
        /// The log sequence of the entry that revoked it.
        revoked_at: u64,
    },
    /// The signing key's role may not do this operation at all.
    #[error("{operation} needs {expected}; the signing key is a {found}")]
    NotAllowed {
        /// The operation, in words, e.g. "registering an issuer".
        operation: &'static str,
        /// The roles that may do it, in words.
        expected: &'static str,
        /// The signing key's role with its scope, e.g. "village officer of gaoba".
        found: String,
    },
    /// The signing key's role may do this, but not for this issuer, village, shop, household
    /// or entry.
    #[error("the signing {role} key may act only for {scope}, not for {requested}")]
    OutOfScope {
        /// The signing key's role name, without its scope, e.g. "village officer".
        role: &'static str,
        /// What the key may act for or read, in words.
        scope: String,
        /// What the request asked to act for or read, in words.
        requested: String,
    },
    /// Revoking this key would leave the ledger without an active bureau admin key.
    #[error("revoking key {key_id} would leave the ledger without an active bureau admin key")]
    LastAdminKey {
        /// The last active bureau admin key, which the request would revoke.
        key_id: KeyId,
    },
    // --- not found ---
    /// No issuer is registered with this id.
    #[error("issuer {0} is not registered")]
    UnknownIssuer(IssuerId),
    /// No household is registered with this id.
    #[error("household {0} is not registered")]
    UnknownHousehold(HouseholdId),
    /// No shop is registered with this id.
    #[error("shop {0} is not registered")]
    UnknownShop(ShopId),
    /// The log has no entry at this sequence.
    #[error("no entry at sequence {sequence}: the log has {log_size} entries")]
    UnknownEntry {
        /// The log sequence asked for.
        sequence: u64,
        /// The number of entries in the log; valid sequences are below it.
        log_size: u64,
    },
    /// No committed transaction has this request id (given in hex).
    #[error("no transaction with request id {0} was committed")]
    UnknownRequest(String),
    /// The key a `RevokeKey` names is not registered.
    #[error("key {0} to revoke is not registered")]
    UnknownKeyToRevoke(KeyId),
    /// No area is registered with this division code.
    #[error("area {0} is not registered")]
    UnknownArea(AreaCode),
    /// An area's parent (the city of a township, the township of a village) is not
    /// registered yet.
    #[error("area {code} needs its parent area {parent} registered first")]
    ParentAreaMissing {
        /// The area being registered.
        code: AreaCode,
        /// Its parent's code (its first 6 or 9 digits).
        parent: AreaCode,
    },
    /// No such catalogue version, or no version of the scope in force on the date asked.
    #[error("catalogue of {scope}: expected {expected}, found none")]
    UnknownCatalogue {
        /// Whose catalogue, e.g. `village v1`.
        scope: String,
        /// What was asked for, e.g. `version 3` or `a version in force on 2026-12-01`.
        expected: String,
    },
    /// No such policy version of the village, or none in force on the date asked.
    #[error("policy of village {village}: expected {expected}, found none")]
    UnknownPolicy {
        /// The village issuer.
        village: IssuerId,
        /// What was asked for.
        expected: String,
    },
    /// No member with this id is in a household.
    #[error("member {0} is not in any household")]
    UnknownMember(MemberId),
    /// No claim with this id.
    #[error("claim {0} does not exist")]
    UnknownClaim(ClaimId),
    /// No notice batch with this id.
    #[error("notice {0} does not exist")]
    UnknownNotice(NoticeId),
    /// No objection with this id.
    #[error("objection {0} does not exist")]
    UnknownObjection(ObjectionId),
    // --- already exists ---
    /// The same deed is already claimed by a claim that still stands.
    #[error("expected a deed not claimed yet, found claim {claim} with {why}")]
    DuplicateDeed {
        /// The earlier claim.
        claim: ClaimId,
        /// What they share: the same rule, household and deed date, or the same evidence.
        why: &'static str,
    },
    /// The filer already has an open objection to this claim.
    #[error(
        "claim {claim}: expected one open objection per filer, found one by key {key_id} open already"
    )]
    ObjectionAlreadyOpen {
        /// The claim.
        claim: ClaimId,
        /// The filer's key.
        key_id: KeyId,
    },
    /// The reviewer already approved this claim.
    #[error("claim {claim}: expected an approval by another reviewer, found key {reviewer} again")]
    AlreadyReviewed {
        /// The claim.
        claim: ClaimId,
        /// The reviewer's key.
        reviewer: KeyId,
    },
    /// Claims were already required.
    #[error(
        "RequireClaims: expected claims not required yet, found them required since entry {since}"
    )]
    ClaimsAlreadyRequired {
        /// The entry that required them.
        since: Sequence,
    },
    /// The notice was already finalized.
    #[error(
        "notice {notice}: expected a notice not finalized yet, found it finalized at entry {at}"
    )]
    NoticeFinalized {
        /// The batch.
        notice: NoticeId,
        /// The entry that finalized it.
        at: Sequence,
    },
    /// The member is in a household already.
    #[error(
        "member {member}: expected a member in no household, found one in household {household} (record that they left first)"
    )]
    MemberInHousehold {
        /// The member.
        member: MemberId,
        /// Their current household.
        household: HouseholdId,
    },
    /// A rule code is already in the catalogue version (or twice in one request).
    #[error("{catalogue}: expected each rule code once, found {rule} twice")]
    DuplicateRuleCode {
        /// The catalogue version, e.g. `catalogue version 2 of village v1`.
        catalogue: String,
        /// The repeated code.
        rule: RuleCode,
    },
    /// An issuer, household, shop or key with this id is already registered.
    #[error("{kind} {id} is already registered")]
    AlreadyRegistered {
        /// What is already registered: "issuer", "household", "shop", "key" or "area".
        kind: &'static str,
        /// Its id (a key's id in hex).
        id: String,
    },
    /// A village issuer is placed in an area that is not a village area.
    #[error("area {code}: expected a {expected} area (12 digits), found a {found} area")]
    WrongAreaLevel {
        /// The area named.
        code: AreaCode,
        /// The level needed: "village".
        expected: &'static str,
        /// The area's level: "city" or "township".
        found: &'static str,
    },
    /// The village issuer is already in this area.
    #[error("village {village} is already in area {area}: nothing to change")]
    VillageAreaAlreadySet {
        /// The village issuer.
        village: IssuerId,
        /// The area it is in.
        area: AreaCode,
    },
    /// A second county-level city was registered: the ledger serves one.
    #[error("the ledger's city is {city}; a ledger serves one county-level city")]
    CityAlreadyRegistered {
        /// The city already registered.
        city: AreaCode,
    },
    /// Another village issuer is already placed in the area.
    #[error("area {area} already holds village {village}; one village issuer per area")]
    AreaTaken {
        /// The area named.
        area: AreaCode,
        /// The village issuer already in it.
        village: IssuerId,
    },
    /// The request id was already committed with a different body.
    #[error(
        "request id {request_id} was already used by entry {sequence} with a different body: \
         choose a new request id for a new transaction"
    )]
    RequestIdReused {
        /// The reused request id, in hex.
        request_id: String,
        /// The log sequence of the entry that used it.
        sequence: u64,
    },
    // --- failed precondition ---
    /// The transaction's `not_after` is before its commit time.
    #[error("transaction expired: not_after_unix_ms {not_after} is before commit time {now}")]
    Expired {
        /// The transaction's `not_after_unix_ms`, in ms since the Unix epoch.
        not_after: u64,
        /// The commit time, in ms since the Unix epoch.
        now: u64,
    },
    /// The issuer is of the other kind than the operation needs (e.g. a household's village
    /// is a program).
    #[error("issuer {issuer} is a {found}; expected a {expected}")]
    WrongIssuerKind {
        /// The issuer named in the request.
        issuer: IssuerId,
        /// The kind the operation needs: "village" or "program".
        expected: &'static str,
        /// The issuer's kind: "village" or "program".
        found: &'static str,
    },
    /// An account holds fewer points than a debit (or a reversal's debit) takes.
    #[error(
        "insufficient {what}: {account} holds {available} points, the request needs {requested}"
    )]
    Insufficient {
        /// Which balance is short, e.g. "budget", "spendable balance" or "the bureau fund".
        what: &'static str,
        /// The account that is short, in words, with the issuer whose points it lacks when
        /// points are taken per issuer.
        account: String,
        /// The points the account holds (of that issuer, when per issuer).
        available: u64,
        /// The points the debit needs.
        requested: u64,
    },
    /// The key to revoke is already revoked.
    #[error("key {key_id} is already revoked (at entry {revoked_at})")]
    AlreadyRevoked {
        /// The key to revoke.
        key_id: KeyId,
        /// The log sequence of the entry that revoked it.
        revoked_at: u64,
    },
    /// The entry to reverse was already reversed.
    #[error(
        "entry {sequence} was already reversed by entry {reversed_by}; each entry is reversible once"
    )]
    AlreadyReversed {
        /// The log sequence of the entry to reverse.
        sequence: u64,
        /// The log sequence of the entry that reversed it.
        reversed_by: u64,
    },
    /// The entry to reverse is of a kind that cannot be reversed.
    #[error(
        "entry {sequence} is a {kind}; only allocations, issues, deductions and redemptions can be reversed"
    )]
    NotReversible {
        /// The log sequence of the entry to reverse.
        sequence: u64,
        /// Its operation kind, as [`OperationKind::name`](super::OperationKind::name) gives
        /// it, e.g. "register-key".
        kind: &'static str,
    },
    /// A shop terminal tries to reverse an entry older than the ledger's refund window.
    #[error(
        "entry {sequence} is {age_ms} ms old, past the {window_ms} ms refund window for \
         terminals; ask the bureau to reverse it"
    )]
    RefundWindowPassed {
        /// The log sequence of the entry to reverse.
        sequence: u64,
        /// The time from that entry's commit to this commit, in ms.
        age_ms: u64,
        /// The ledger's `max_refund_window_ms`, in ms.
        window_ms: u64,
    },
    /// A sum of points would exceed what the ledger can represent; the text names the sum,
    /// e.g. "a balance beyond 2^63 - 1".
    #[error("arithmetic overflow: {0} would exceed the largest representable number of points")]
    Overflow(&'static str),
    // --- the families' own refusals, each in its file ---
    /// A terminals refusal (`terminals.rs`).
    #[error(transparent)]
    Terminal(#[from] TerminalRefusal),
    /// A sale's refusal (`sale.rs`).
    #[error(transparent)]
    Sale(#[from] SaleRefusal),
    /// A settlement refusal (`settlement.rs`).
    #[error(transparent)]
    Settlement(#[from] SettlementRefusal),
    /// An audit service refusal (`audit.rs`).
    #[error(transparent)]
    Audit(#[from] AuditRefusal),
    /// A governance refusal (`governance.rs`): catalogues, policies, claims, notices.
    #[error(transparent)]
    Governance(#[from] GovernanceRefusal),
    /// A subjects refusal (`subjects.rs`): persons and organizations.
    #[error(transparent)]
    Subject(#[from] SubjectRefusal),
    /// A casework refusal (`casework.rs`).
    #[error(transparent)]
    Casework(#[from] CaseworkRefusal),
    /// A benefits refusal (`benefits.rs`): schemes, enrollments, payments, units.
    #[error(transparent)]
    Benefits(#[from] BenefitsRefusal),
    /// A social assistance refusal (`assistance.rs`).
    #[error(transparent)]
    Assistance(#[from] AssistanceRefusal),
    /// A children's program refusal (`children.rs`).
    #[error(transparent)]
    Children(#[from] ChildrenRefusal),
    /// A capital projects refusal (`projects.rs`).
    #[error(transparent)]
    Projects(#[from] ProjectsRefusal),
    /// A place names refusal (`places.rs`).
    #[error(transparent)]
    Places(#[from] PlacesRefusal),
    /// A social organizations refusal (`organizations.rs`).
    #[error(transparent)]
    Organizations(#[from] OrganizationsRefusal),
    /// A funeral refusal (`funeral.rs`).
    #[error(transparent)]
    Funeral(#[from] FuneralRefusal),
    /// An elderly care refusal (`elderly.rs`).
    #[error(transparent)]
    Elderly(#[from] ElderlyRefusal),
    /// A refusal of points for volunteers (`volunteering.rs`).
    #[error(transparent)]
    Volunteering(#[from] VolunteeringRefusal),
    /// A rescue refusal (`rescue.rs`).
    #[error(transparent)]
    Rescue(#[from] RescueRefusal),
}

mod assistance;
mod audit;
mod benefits;
mod casework;
mod children;
mod class;
mod elderly;
mod funeral;
mod governance;
mod organizations;
mod places;
mod projects;
mod rescue;
mod sale;
mod settlement;
mod subjects;
mod terminals;
mod volunteering;

pub use assistance::AssistanceRefusal;
pub use audit::AuditRefusal;
pub use benefits::BenefitsRefusal;
pub use casework::CaseworkRefusal;
pub use children::ChildrenRefusal;
pub use class::RefusalClass;
pub use elderly::ElderlyRefusal;
pub use funeral::FuneralRefusal;
pub use governance::GovernanceRefusal;
pub use organizations::OrganizationsRefusal;
pub use places::PlacesRefusal;
pub use projects::ProjectsRefusal;
pub use rescue::RescueRefusal;
pub use sale::SaleRefusal;
pub use settlement::SettlementRefusal;
pub use subjects::SubjectRefusal;
pub use terminals::TerminalRefusal;
pub use volunteering::VolunteeringRefusal;

#[cfg(test)]
mod samples;
#[cfg(test)]
pub(crate) use samples::one_of_each;
