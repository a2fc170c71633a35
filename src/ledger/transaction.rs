//! The domain form of a transaction: its operations, the limits every transaction keeps, and
//! the canonical decoding of its exact bytes. Parsing the wire form into these types is
//! [`crate::wire`]'s job; it checks everything that does not depend on the ledger's state
//! (field shapes, id syntax, key validity). What depends on state (authorization, balances)
//! is the state machine's job.

use ed25519_dalek::VerifyingKey;
use prost::Message;

use super::Refusal;
use super::ids::{LedgerId, RequestId};
use super::state::{
    AreasKind, AreasOp, BudgetKind, BudgetOp, CatalogueKind, CatalogueOp, ClaimsKind, ClaimsOp,
    MembersKind, MembersOp, PointsKind, PointsOp, PolicyKind, PolicyOp, RedemptionKind,
    RedemptionOp, RegistryKind, RegistryOp, ReversalKind, ReversalOp, SettlementKind, SettlementOp,
    SubjectsKind, SubjectsOp, TerminalsKind, TerminalsOp,
};
use super::state::{
    AssistanceKind, AssistanceOp, BenefitsKind, BenefitsOp, CaseworkKind, CaseworkOp, ChildrenKind,
    ChildrenOp, ElderlyKind, ElderlyOp, FuneralKind, FuneralOp, OrganizationsKind, OrganizationsOp,
    PlacesKind, PlacesOp, ProjectsKind, ProjectsOp, RescueKind, RescueOp,
};
use super::units::UnixMs;
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

/// What genesis fixes, once, in the first entry.
#[derive(Clone, Debug)]
pub struct Genesis {
    /// 16 random bytes naming this deployment; every signature covers it, so a transaction
    /// signed for one ledger is refused by every other.
    pub ledger_id: LedgerId,
    /// The first bureau admin's public key; it signs this genesis entry.
    pub admin_key: VerifyingKey,
    /// The public key that signs checkpoints of the verifiable log.
    pub log_key: VerifyingKey,
    /// The limits every later transaction keeps.
    pub parameters: LedgerParameters,
}

/// One operation of the ledger: genesis, or an operation of one family. Each family's room
/// (`state/<family>.rs`) defines its operations, their kinds and their rules, so a new
/// operation of a family changes that room, not this type.
#[derive(Clone, Debug)]
pub enum Operation {
    /// Creates the ledger (first entry only).
    Genesis(Genesis),
    /// Keys, issuers, households, shops.
    Registry(RegistryOp),
    /// Administrative areas (`shanzhi.registry.v1`).
    Areas(AreasOp),
    /// Rule catalogues (`shanzhi.governance.v1`).
    Catalogue(CatalogueOp),
    /// Village policies (`shanzhi.governance.v1`).
    Policy(PolicyOp),
    /// Households' members and officers' households (`shanzhi.registry.v1`).
    Members(MembersOp),
    /// The programs' subjects: persons and organizations (`shanzhi.registry.v1`).
    Subjects(SubjectsOp),
    /// The programs' cases (`shanzhi.casework.v1`).
    Casework(CaseworkOp),
    /// The programs' benefits: schemes, enrollments, payments, units
    /// (`shanzhi.benefits.v1`).
    Benefits(BenefitsOp),
    /// Social assistance's own rules: commitments, alerts, care agreements
    /// (`shanzhi.assistance.v1`).
    Assistance(AssistanceOp),
    /// The children's program: categories, visits, concern reports (`shanzhi.children.v1`).
    Children(ChildrenOp),
    /// Capital projects: plans, progress, corrections, milestones (`shanzhi.projects.v1`).
    Projects(ProjectsOp),
    /// Place names: naming applications, addresses, boundary inspections
    /// (`shanzhi.places.v1`).
    Places(PlacesOp),
    /// A social organizations operation (`shanzhi.organizations.v1`).
    Organizations(OrganizationsOp),
    /// A funeral operation (`shanzhi.funeral.v1`).
    Funeral(FuneralOp),
    /// An elderly care operation (`shanzhi.elderly.v1`).
    Elderly(ElderlyOp),
    /// A rescue and disability operation (`shanzhi.rescue.v1`).
    Rescue(RescueOp),
    /// Claims, reviews, notices and objections (`shanzhi.governance.v1`).
    Claims(ClaimsOp),
    /// The bureau fund's allocations.
    Budget(BudgetOp),
    /// Issues and deductions.
    Points(PointsOp),
    /// Sales at partner shops.
    Redemption(RedemptionOp),
    /// Compensating entries.
    Reversal(ReversalOp),
    /// Shops' terminals (`shanzhi.shops.v1`).
    Terminals(TerminalsOp),
    /// Closed periods and settlements (`shanzhi.shops.v1`).
    Settlement(SettlementOp),
}

/// The kind of an operation, as entries record it and history filters select it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// The genesis entry.
    Genesis,
    /// A registry operation.
    Registry(RegistryKind),
    /// An areas operation.
    Areas(AreasKind),
    /// A catalogue operation.
    Catalogue(CatalogueKind),
    /// A policy operation.
    Policy(PolicyKind),
    /// A members operation.
    Members(MembersKind),
    /// A subjects operation.
    Subjects(SubjectsKind),
    /// A casework operation.
    Casework(CaseworkKind),
    /// A benefits operation.
    Benefits(BenefitsKind),
    /// A social assistance operation.
    Assistance(AssistanceKind),
    /// A children's program operation.
    Children(ChildrenKind),
    /// A capital projects operation.
    Projects(ProjectsKind),
    /// A place names operation.
    Places(PlacesKind),
    /// A social organizations operation.
    Organizations(OrganizationsKind),
    /// A funeral operation.
    Funeral(FuneralKind),
    /// An elderly care operation.
    Elderly(ElderlyKind),
    /// A rescue operation.
    Rescue(RescueKind),
    /// A claims operation.
    Claims(ClaimsKind),
    /// A budget operation.
    Budget(BudgetKind),
    /// A points operation.
    Points(PointsKind),
    /// A redemption operation.
    Redemption(RedemptionKind),
    /// A reversal.
    Reversal(ReversalKind),
    /// A terminals operation.
    Terminals(TerminalsKind),
    /// A settlement operation.
    Settlement(SettlementKind),
}

impl OperationKind {
    /// A lowercase name for messages and the CLI, e.g. `issue-points`.
    pub fn name(self) -> &'static str {
        match self {
            OperationKind::Genesis => "genesis",
            OperationKind::Registry(kind) => kind.name(),
            OperationKind::Areas(kind) => kind.name(),
            OperationKind::Catalogue(kind) => kind.name(),
            OperationKind::Policy(kind) => kind.name(),
            OperationKind::Members(kind) => kind.name(),
            OperationKind::Subjects(kind) => kind.name(),
            OperationKind::Casework(kind) => kind.name(),
            OperationKind::Benefits(kind) => kind.name(),
            OperationKind::Assistance(kind) => kind.name(),
            OperationKind::Children(kind) => kind.name(),
            OperationKind::Projects(kind) => kind.name(),
            OperationKind::Places(kind) => kind.name(),
            OperationKind::Organizations(kind) => kind.name(),
            OperationKind::Funeral(kind) => kind.name(),
            OperationKind::Elderly(kind) => kind.name(),
            OperationKind::Rescue(kind) => kind.name(),
            OperationKind::Claims(kind) => kind.name(),
            OperationKind::Budget(kind) => kind.name(),
            OperationKind::Points(kind) => kind.name(),
            OperationKind::Redemption(kind) => kind.name(),
            OperationKind::Reversal(kind) => kind.name(),
            OperationKind::Terminals(kind) => kind.name(),
            OperationKind::Settlement(kind) => kind.name(),
        }
    }
}

impl Operation {
    /// The operation's kind.
    pub fn kind(&self) -> OperationKind {
        match self {
            Operation::Genesis(_) => OperationKind::Genesis,
            Operation::Registry(op) => OperationKind::Registry(op.kind()),
            Operation::Areas(op) => OperationKind::Areas(op.kind()),
            Operation::Catalogue(op) => OperationKind::Catalogue(op.kind()),
            Operation::Policy(op) => OperationKind::Policy(op.kind()),
            Operation::Members(op) => OperationKind::Members(op.kind()),
            Operation::Subjects(op) => OperationKind::Subjects(op.kind()),
            Operation::Casework(op) => OperationKind::Casework(op.kind()),
            Operation::Benefits(op) => OperationKind::Benefits(op.kind()),
            Operation::Assistance(op) => OperationKind::Assistance(op.kind()),
            Operation::Children(op) => OperationKind::Children(op.kind()),
            Operation::Projects(op) => OperationKind::Projects(op.kind()),
            Operation::Places(op) => OperationKind::Places(op.kind()),
            Operation::Organizations(op) => OperationKind::Organizations(op.kind()),
            Operation::Funeral(op) => OperationKind::Funeral(op.kind()),
            Operation::Elderly(op) => OperationKind::Elderly(op.kind()),
            Operation::Rescue(op) => OperationKind::Rescue(op.kind()),
            Operation::Claims(op) => OperationKind::Claims(op.kind()),
            Operation::Budget(op) => OperationKind::Budget(op.kind()),
            Operation::Points(op) => OperationKind::Points(op.kind()),
            Operation::Redemption(op) => OperationKind::Redemption(op.kind()),
            Operation::Reversal(op) => OperationKind::Reversal(op.kind()),
            Operation::Terminals(op) => OperationKind::Terminals(op.kind()),
            Operation::Settlement(op) => OperationKind::Settlement(op.kind()),
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
