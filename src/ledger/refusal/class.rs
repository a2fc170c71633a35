//! What each refusal is, for clients: its class (which decides its gRPC status code) and its
//! stable, machine-readable reason.

use super::Refusal;

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
    /// The signer is over a rate the server allows; retry after a pause.
    ResourceExhausted,
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
            | BatchSize { .. }
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
            | UnknownKeyToRevoke(_)
            | UnknownArea(_)
            | ParentAreaMissing { .. }
            | UnknownCatalogue { .. }
            | UnknownPolicy { .. }
            | UnknownMember(_)
            | UnknownClaim(_)
            | UnknownNotice(_)
            | UnknownObjection(_) => C::NotFound,
            AlreadyRegistered { .. }
            | RequestIdReused { .. }
            | VillageAreaAlreadySet { .. }
            | CityAlreadyRegistered { .. }
            | AreaTaken { .. }
            | DuplicateRuleCode { .. }
            | DuplicateDeed { .. }
            | AlreadyReviewed { .. }
            | ObjectionAlreadyOpen { .. }
            | ClaimsAlreadyRequired { .. }
            | NoticeFinalized { .. }
            | MemberInHousehold { .. } => C::AlreadyExists,
            Expired { .. }
            | WrongIssuerKind { .. }
            | WrongAreaLevel { .. }
            | Insufficient { .. }
            | AlreadyRevoked { .. }
            | AlreadyReversed { .. }
            | NotReversible { .. }
            | RefundWindowPassed { .. }
            | ResidentKeysFull { .. }
            | LastAdminKey { .. } => C::FailedPrecondition,
            Terminal(refusal) => refusal.class(),
            Sale(refusal) => refusal.class(),
            Settlement(refusal) => refusal.class(),
            Governance(refusal) => refusal.class(),
            Audit(refusal) => refusal.class(),
            Subject(refusal) => refusal.class(),
            Casework(refusal) => refusal.class(),
            Benefits(refusal) => refusal.class(),
            Assistance(refusal) => refusal.class(),
            Children(refusal) => refusal.class(),
            Projects(refusal) => refusal.class(),
            Places(refusal) => refusal.class(),
            Organizations(refusal) => refusal.class(),
            Funeral(refusal) => refusal.class(),
            Elderly(refusal) => refusal.class(),
            Volunteering(refusal) => refusal.class(),
            Rescue(refusal) => refusal.class(),
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
            BatchSize { .. } => "BATCH_SIZE",
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
            UnknownArea(_) => "UNKNOWN_AREA",
            ParentAreaMissing { .. } => "PARENT_AREA_MISSING",
            WrongAreaLevel { .. } => "WRONG_AREA_LEVEL",
            VillageAreaAlreadySet { .. } => "VILLAGE_AREA_ALREADY_SET",
            AreaTaken { .. } => "AREA_TAKEN",
            CityAlreadyRegistered { .. } => "CITY_ALREADY_REGISTERED",
            UnknownCatalogue { .. } => "UNKNOWN_CATALOGUE",
            UnknownPolicy { .. } => "UNKNOWN_POLICY",
            DuplicateRuleCode { .. } => "DUPLICATE_RULE_CODE",
            UnknownMember(_) => "UNKNOWN_MEMBER",
            UnknownClaim(_) => "UNKNOWN_CLAIM",
            UnknownNotice(_) => "UNKNOWN_NOTICE",
            UnknownObjection(_) => "UNKNOWN_OBJECTION",
            DuplicateDeed { .. } => "DUPLICATE_DEED",
            AlreadyReviewed { .. } => "ALREADY_REVIEWED",
            ObjectionAlreadyOpen { .. } => "OBJECTION_ALREADY_OPEN",
            ClaimsAlreadyRequired { .. } => "CLAIMS_ALREADY_REQUIRED",
            NoticeFinalized { .. } => "NOTICE_FINALIZED",
            MemberInHousehold { .. } => "MEMBER_IN_HOUSEHOLD",
            Terminal(refusal) => refusal.reason(),
            Sale(refusal) => refusal.reason(),
            Settlement(refusal) => refusal.reason(),
            Governance(refusal) => refusal.reason(),
            Audit(refusal) => refusal.reason(),
            Subject(refusal) => refusal.reason(),
            Casework(refusal) => refusal.reason(),
            Benefits(refusal) => refusal.reason(),
            Assistance(refusal) => refusal.reason(),
            Children(refusal) => refusal.reason(),
            Projects(refusal) => refusal.reason(),
            Places(refusal) => refusal.reason(),
            Organizations(refusal) => refusal.reason(),
            Funeral(refusal) => refusal.reason(),
            Elderly(refusal) => refusal.reason(),
            Volunteering(refusal) => refusal.reason(),
            Rescue(refusal) => refusal.reason(),
            AlreadyRegistered { .. } => "ALREADY_REGISTERED",
            RequestIdReused { .. } => "REQUEST_ID_REUSED",
            Expired { .. } => "TRANSACTION_EXPIRED",
            WrongIssuerKind { .. } => "WRONG_ISSUER_KIND",
            Insufficient { .. } => "INSUFFICIENT_POINTS",
            AlreadyRevoked { .. } => "KEY_ALREADY_REVOKED",
            AlreadyReversed { .. } => "ALREADY_REVERSED",
            NotReversible { .. } => "NOT_REVERSIBLE",
            RefundWindowPassed { .. } => "REFUND_WINDOW_PASSED",
            ResidentKeysFull { .. } => "RESIDENT_KEYS_FULL",
            Overflow(_) => "OVERFLOW",
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
