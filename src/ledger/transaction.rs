//! Parsing a transaction body from its exact bytes into a domain [`Transaction`].
//!
//! Parsing checks everything that does not depend on the ledger's state: canonical encoding,
//! field shapes, id syntax, key validity. What depends on state (authorization, balances)
//! is the state machine's job.

use ed25519_dalek::VerifyingKey;
use prost::Message;

use super::ids::{
    HouseholdId, IssuerId, KeyId, LedgerId, PaymentNonce, RequestId, RuleCode, ShopId, parse_memo,
    parse_name,
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
        ledger_id: LedgerId,
        admin_key: VerifyingKey,
        log_key: VerifyingKey,
        parameters: LedgerParameters,
    },
    /// Registers a key with a role and scope.
    RegisterKey {
        public_key: VerifyingKey,
        role: Role,
        label: String,
    },
    /// Revokes a key.
    RevokeKey { key_id: KeyId, reason: String },
    /// Registers a village or program issuer.
    RegisterIssuer {
        issuer: IssuerId,
        kind: IssuerKind,
        name: String,
    },
    /// Registers a household in a village, with optional resident keys.
    RegisterHousehold {
        household: HouseholdId,
        village: IssuerId,
        resident_keys: Vec<VerifyingKey>,
    },
    /// Registers a partner shop.
    RegisterShop { shop: ShopId, name: String },
    /// Bureau fund → issuer.
    AllocateBudget {
        issuer: IssuerId,
        points: Points,
        memo: String,
    },
    /// Issuer → household.
    IssuePoints(PointsAction),
    /// Household → issuer.
    DeductPoints(PointsAction),
    /// A compensating entry for an earlier one.
    ReverseEntry { sequence: Sequence, reason: String },
    /// Household → shop, with the resident's consent.
    Redeem {
        shop: ShopId,
        household: HouseholdId,
        points: Points,
        payment_code: PaymentCode,
        terminal_counter: u64,
        memo: String,
    },
}

/// The kind of an operation, as listed in history filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperationKind {
    Genesis,
    RegisterKey,
    RevokeKey,
    RegisterIssuer,
    RegisterHousehold,
    RegisterShop,
    AllocateBudget,
    IssuePoints,
    DeductPoints,
    ReverseEntry,
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

fn parse_points(points: u64) -> Result<Points, Refusal> {
    if points == 0 || points > MAX_POINTS_PER_TRANSACTION {
        return Err(Refusal::PointsOutOfRange {
            found: points,
            max: MAX_POINTS_PER_TRANSACTION,
        });
    }
    Ok(Points(points))
}

fn parse_role(role: i32, scope: &str) -> Result<Role, Refusal> {
    let no_scope = |role: Role| {
        if scope.is_empty() {
            Ok(role)
        } else {
            Err(Refusal::InvalidField {
                field: "scope",
                expected: "empty for bureau admin and auditor keys".into(),
                found: format!("{scope:?}"),
            })
        }
    };
    match pb::Role::try_from(role) {
        Ok(pb::Role::BureauAdmin) => no_scope(Role::BureauAdmin),
        Ok(pb::Role::Auditor) => no_scope(Role::Auditor),
        Ok(pb::Role::VillageOfficer) => Ok(Role::VillageOfficer(IssuerId::parse("scope", scope)?)),
        Ok(pb::Role::ProgramIssuer) => Ok(Role::ProgramIssuer(IssuerId::parse("scope", scope)?)),
        Ok(pb::Role::ShopTerminal) => Ok(Role::ShopTerminal(ShopId::parse("scope", scope)?)),
        Ok(pb::Role::Resident) => Ok(Role::Resident(HouseholdId::parse("scope", scope)?)),
        Ok(pb::Role::Unspecified) | Err(_) => Err(Refusal::InvalidField {
            field: "role",
            expected: "one of bureau admin, village officer, program issuer, shop terminal, \
                       resident, auditor"
                .into(),
            found: role.to_string(),
        }),
    }
}

fn parse_points_action(
    issuer_id: &str,
    household_id: &str,
    rule_code: &str,
    points: u64,
    memo: &str,
) -> Result<PointsAction, Refusal> {
    Ok(PointsAction {
        issuer: IssuerId::parse("issuer_id", issuer_id)?,
        household: HouseholdId::parse("household_id", household_id)?,
        rule: RuleCode::parse_code(rule_code)?,
        points: parse_points(points)?,
        memo: parse_memo("memo", memo, false)?,
    })
}

fn parse_payment_code(code: Option<&pb::SignedSpendAuthorization>) -> Result<PaymentCode, Refusal> {
    let code = code.ok_or(Refusal::InvalidField {
        field: "payment_code",
        expected: "the resident's signed spend authorization".into(),
        found: "nothing".into(),
    })?;
    let authorization: pb::SpendAuthorization =
        decode_canonical("payment_code.authorization", &code.authorization)?;
    let signature = code
        .resident_signature
        .as_ref()
        .ok_or(Refusal::InvalidField {
            field: "payment_code.resident_signature",
            expected: "the resident key's signature".into(),
            found: "nothing".into(),
        })?;
    Ok(PaymentCode {
        household: HouseholdId::parse("payment_code.household_id", &authorization.household_id)?,
        max_points: parse_points(authorization.max_points)?,
        nonce: PaymentNonce::from_slice(&authorization.nonce)?,
        not_after: UnixMs(authorization.not_after_unix_ms),
        authorization_bytes: code.authorization.clone(),
        resident_key: KeyId::from_hex(&signature.key_id)?,
        resident_signature: signature.signature.clone(),
    })
}

impl Transaction {
    /// Decodes and parses a transaction body from its exact bytes.
    pub fn parse(body: &[u8]) -> Result<Self, Refusal> {
        let body: pb::TransactionBody = decode_canonical("transaction body", body)?;
        Self::from_body(&body)
    }

    /// Parses a decoded body; see [`Transaction::parse`].
    pub fn from_body(body: &pb::TransactionBody) -> Result<Self, Refusal> {
        use pb::transaction_body::Operation as Op;
        let request_id = RequestId::from_slice(&body.request_id)?;
        let operation = match body.operation.as_ref().ok_or(Refusal::MissingOperation)? {
            Op::Genesis(g) => {
                let parameters = g.parameters.unwrap_or_default();
                if parameters.max_transaction_window_ms == 0
                    || parameters.max_spend_authorization_window_ms == 0
                {
                    return Err(Refusal::InvalidField {
                        field: "parameters",
                        expected: "non-zero windows".into(),
                        found: format!("{parameters:?}"),
                    });
                }
                Operation::Genesis {
                    ledger_id: LedgerId::from_slice(&g.ledger_id)?,
                    admin_key: parse_public_key("admin_public_key", &g.admin_public_key)?,
                    log_key: parse_public_key("log_public_key", &g.log_public_key)?,
                    parameters: LedgerParameters {
                        max_transaction_window_ms: parameters.max_transaction_window_ms,
                        max_spend_authorization_window_ms: parameters
                            .max_spend_authorization_window_ms,
                        max_refund_window_ms: parameters.max_refund_window_ms,
                    },
                }
            }
            Op::RegisterKey(k) => Operation::RegisterKey {
                public_key: parse_public_key("public_key", &k.public_key)?,
                role: parse_role(k.role, &k.scope)?,
                label: parse_memo("label", &k.label, false)?,
            },
            Op::RevokeKey(k) => Operation::RevokeKey {
                key_id: KeyId::from_hex(&k.key_id)?,
                reason: parse_memo("reason", &k.reason, true)?,
            },
            Op::RegisterIssuer(i) => Operation::RegisterIssuer {
                issuer: IssuerId::parse("issuer_id", &i.issuer_id)?,
                kind: match pb::IssuerKind::try_from(i.kind) {
                    Ok(pb::IssuerKind::Village) => IssuerKind::Village,
                    Ok(pb::IssuerKind::Program) => IssuerKind::Program,
                    _ => {
                        return Err(Refusal::InvalidField {
                            field: "kind",
                            expected: "ISSUER_KIND_VILLAGE or ISSUER_KIND_PROGRAM".into(),
                            found: i.kind.to_string(),
                        });
                    }
                },
                name: parse_name(&i.name)?,
            },
            Op::RegisterHousehold(h) if h.resident_public_keys.len() > MAX_RESIDENT_KEYS => {
                return Err(Refusal::TooManyResidentKeys {
                    found: h.resident_public_keys.len(),
                    max: MAX_RESIDENT_KEYS,
                });
            }
            Op::RegisterHousehold(h) => Operation::RegisterHousehold {
                household: HouseholdId::parse("household_id", &h.household_id)?,
                village: IssuerId::parse("village_id", &h.village_id)?,
                resident_keys: h
                    .resident_public_keys
                    .iter()
                    .map(|k| parse_public_key("resident_public_keys", k))
                    .collect::<Result<_, _>>()?,
            },
            Op::RegisterShop(s) => Operation::RegisterShop {
                shop: ShopId::parse("shop_id", &s.shop_id)?,
                name: parse_name(&s.name)?,
            },
            Op::AllocateBudget(a) => Operation::AllocateBudget {
                issuer: IssuerId::parse("issuer_id", &a.issuer_id)?,
                points: parse_points(a.points)?,
                memo: parse_memo("memo", &a.memo, false)?,
            },
            Op::IssuePoints(i) => Operation::IssuePoints(parse_points_action(
                &i.issuer_id,
                &i.household_id,
                &i.rule_code,
                i.points,
                &i.memo,
            )?),
            Op::DeductPoints(d) => Operation::DeductPoints(parse_points_action(
                &d.issuer_id,
                &d.household_id,
                &d.rule_code,
                d.points,
                &d.memo,
            )?),
            Op::ReverseEntry(r) => Operation::ReverseEntry {
                sequence: Sequence(r.sequence),
                reason: parse_memo("reason", &r.reason, true)?,
            },
            Op::Redeem(r) => Operation::Redeem {
                shop: ShopId::parse("shop_id", &r.shop_id)?,
                household: HouseholdId::parse("household_id", &r.household_id)?,
                points: parse_points(r.points)?,
                payment_code: parse_payment_code(r.payment_code.as_ref())?,
                terminal_counter: r.terminal_counter,
                memo: parse_memo("memo", &r.memo, false)?,
            },
        };
        Ok(Self {
            request_id,
            not_after: UnixMs(body.not_after_unix_ms),
            operation,
        })
    }
}
