//! Identifiers of the domain. Each is parsed once at the edge, so an invalid id never enters
//! the state machine.

use std::fmt;

pub use crate::crypto::{KeyId, LedgerId};

use super::Refusal;

/// Longest issuer, household or shop id, in bytes.
pub const MAX_ENTITY_ID_LEN: usize = 64;
/// Longest rule code, in bytes.
pub const MAX_RULE_CODE_LEN: usize = 32;
/// Longest memo or reason, in bytes.
pub const MAX_MEMO_LEN: usize = 280;
/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 128;

/// An administrative division code (行政区划代码): 6 digits for a county-level city (Yidu is
/// 420581), 9 for a township, 12 for a village. A code's first 6 or 9 digits name its parent.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaCode(String);

/// The level of an area, given by its code's length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AreaLevel {
    /// A county-level city (6 digits).
    City,
    /// A township (乡镇, 9 digits).
    Township,
    /// A village (村, 12 digits).
    Village,
}

impl AreaLevel {
    /// How far below the city it is: 0 for the city, 2 for villages.
    pub fn depth(self) -> u8 {
        match self {
            AreaLevel::City => 0,
            AreaLevel::Township => 1,
            AreaLevel::Village => 2,
        }
    }

    /// "city", "township" or "village".
    pub fn name(self) -> &'static str {
        match self {
            AreaLevel::City => "city",
            AreaLevel::Township => "township",
            AreaLevel::Village => "village",
        }
    }
}

impl AreaCode {
    /// Parses 6, 9 or 12 ASCII digits; `field` names the request field in the refusal.
    pub fn parse(field: &'static str, value: &str) -> Result<Self, Refusal> {
        let digits = value.bytes().all(|b| b.is_ascii_digit());
        if !digits || !matches!(value.len(), 6 | 9 | 12) {
            return Err(Refusal::InvalidField {
                field,
                expected: "an area code of 6, 9 or 12 digits".into(),
                found: format!("{value:?}"),
            });
        }
        Ok(Self(value.to_owned()))
    }

    /// The level its length gives.
    pub fn level(&self) -> AreaLevel {
        match self.0.len() {
            6 => AreaLevel::City,
            9 => AreaLevel::Township,
            _ => AreaLevel::Village,
        }
    }

    /// The parent area: a village's township, a township's city; none for a city.
    pub fn parent(&self) -> Option<AreaCode> {
        match self.level() {
            AreaLevel::City => None,
            AreaLevel::Township => Some(Self(self.0[..6].to_owned())),
            AreaLevel::Village => Some(Self(self.0[..9].to_owned())),
        }
    }

    /// This area and the areas above it, itself first (a village, its township, the city).
    pub fn and_above(&self) -> Vec<AreaCode> {
        let mut areas = vec![self.clone()];
        while let Some(parent) = areas.last().and_then(AreaCode::parent) {
            areas.push(parent);
        }
        areas
    }

    /// Whether this area is `other` or lies below it.
    pub fn is_within(&self, other: &AreaCode) -> bool {
        self.0.starts_with(&other.0)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_token(field: &'static str, value: &str, max: usize) -> Result<(), Refusal> {
    let valid = !value.is_empty()
        && value.len() <= max
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(Refusal::InvalidField {
            field,
            expected: format!("1 to {max} characters from [A-Za-z0-9._-]"),
            found: format!("{value:?}"),
        })
    }
}

macro_rules! entity_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parses an id of 1 to 64 characters from `[A-Za-z0-9._-]`; `field` names the
            /// request field in the refusal.
            pub fn parse(field: &'static str, value: &str) -> Result<Self, Refusal> {
                check_token(field, value, MAX_ENTITY_ID_LEN)?;
                Ok(Self(value.to_owned()))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

entity_id!(
    /// A village committee or program issuer account.
    IssuerId
);
entity_id!(
    /// A household (户) account.
    HouseholdId
);
entity_id!(
    /// A partner shop account.
    ShopId
);
entity_id!(
    /// A rule of the points catalogue (积分目录), e.g. `ENV-01`.
    RuleCode
);
entity_id!(
    /// A claim of a deed under a catalogue rule.
    ClaimId
);
entity_id!(
    /// A batch of claims on public notice (公示).
    NoticeId
);
entity_id!(
    /// An objection to a claim on notice.
    ObjectionId
);
entity_id!(
    /// A capital project of the bureau (e.g. `qilinshan-cemetery`).
    ProjectId
);
entity_id!(
    /// A charity venture contest (公益创投大赛, e.g. `venture-2026`).
    ContestId
);
entity_id!(
    /// A cemetery (e.g. `qilinshan`).
    CemeteryId
);
entity_id!(
    /// A happiness canteen (幸福食堂).
    CanteenId
);
entity_id!(
    /// A seasonal rescue campaign (e.g. `winter-2026`).
    CampaignId
);

/// Checks a code of request field `field` (a shop's item code): 1 to [`MAX_RULE_CODE_LEN`]
/// characters from `[A-Za-z0-9._-]`.
pub fn parse_code(field: &'static str, value: &str) -> Result<String, Refusal> {
    check_token(field, value, MAX_RULE_CODE_LEN)?;
    Ok(value.to_owned())
}

impl RuleCode {
    /// Parses a rule code of 1 to 32 characters from `[A-Za-z0-9._-]`.
    pub fn parse_code(value: &str) -> Result<Self, Refusal> {
        check_token("rule_code", value, MAX_RULE_CODE_LEN)?;
        Ok(Self(value.to_owned()))
    }
}

/// Checks a free-text memo or reason: at most [`MAX_MEMO_LEN`] bytes, no control characters.
pub fn parse_memo(field: &'static str, value: &str, required: bool) -> Result<String, Refusal> {
    if (required && value.trim().is_empty())
        || value.len() > MAX_MEMO_LEN
        || value.chars().any(char::is_control)
    {
        return Err(Refusal::InvalidField {
            field,
            expected: format!(
                "{} at most {MAX_MEMO_LEN} bytes of text without control characters",
                if required { "1 to" } else { "" }
            )
            .trim()
            .to_owned(),
            found: format!("{} bytes", value.len()),
        });
    }
    Ok(value.to_owned())
}

/// Checks a display name: 1 to [`MAX_NAME_CHARS`] characters, no control characters.
pub fn parse_name(value: &str) -> Result<String, Refusal> {
    parse_text("name", value)
}

/// Checks a short text of request field `field` (a title, a category, a unit): 1 to
/// [`MAX_NAME_CHARS`] characters, no control characters.
pub fn parse_text(field: &'static str, value: &str) -> Result<String, Refusal> {
    let chars = value.chars().count();
    if value.trim().is_empty() || chars > MAX_NAME_CHARS || value.chars().any(char::is_control) {
        return Err(Refusal::InvalidField {
            field,
            expected: format!("1 to {MAX_NAME_CHARS} characters without control characters"),
            found: format!("{chars} characters"),
        });
    }
    Ok(value.to_owned())
}

/// Parsing of a 16-byte id from a request, with the ledger's refusals.
macro_rules! bytes16_parse {
    ($name:ident, $field:literal) => {
        impl $name {
            /// Parses exactly 16 bytes.
            pub fn from_slice(bytes: &[u8]) -> Result<Self, Refusal> {
                <[u8; 16]>::try_from(bytes)
                    .map(Self)
                    .map_err(|_| Refusal::InvalidField {
                        field: $field,
                        expected: "exactly 16 bytes".into(),
                        found: format!("{} bytes", bytes.len()),
                    })
            }

            /// Parses 32 lower-case hex characters, the only form accepted: a key id travels
            /// outside the signature, so a second spelling would let whoever relays a
            /// transaction change the stored entry.
            pub fn from_hex(text: &str) -> Result<Self, Refusal> {
                let invalid = || Refusal::InvalidField {
                    field: $field,
                    expected: "32 lower-case hex characters".into(),
                    found: format!("{text:?}"),
                };
                if text.bytes().any(|b| b.is_ascii_uppercase()) {
                    return Err(invalid());
                }
                let bytes = hex::decode(text).map_err(|_| invalid())?;
                Self::from_slice(&bytes)
            }
        }
    };
}

macro_rules! bytes16 {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        crate::crypto::id16!($(#[$doc])* $name);
        bytes16_parse!($name, $field);
    };
}

bytes16!(
    /// A place name's application (and a new place's id: the application's).
    PlaceId,
    "place_id"
);
bytes16!(
    /// A standard address.
    AddressId,
    "address_id"
);
bytes16!(
    /// A boundary inspection.
    InspectionId,
    "inspection_id"
);
bytes16!(
    /// An enforcement case of the social organizations program (a zombie clean-up, a report
    /// of an illegal organization).
    EnforcementCaseId,
    "case_id"
);
bytes16!(
    /// A death case of the funeral program (16 random bytes).
    DeathCaseId,
    "case_id"
);
bytes16!(
    /// A scattered grave in a no-burial zone (16 random bytes).
    GraveId,
    "grave_id"
);
bytes16!(
    /// A staff certificate at an elderly care institution (16 random bytes).
    CertificateId,
    "certificate_id"
);
bytes16!(
    /// A home adaptation case (16 random bytes).
    AdaptationId,
    "case_id"
);
bytes16!(
    /// A patrol's encounter (16 random bytes).
    EncounterId,
    "encounter_id"
);
bytes16!(
    /// An admission to the rescue station (16 random bytes).
    AdmissionId,
    "admission_id"
);
bytes16!(
    /// A client-chosen idempotency key, unique forever in a ledger.
    RequestId,
    "request_id"
);
bytes16!(
    /// A member of a household: a pseudonymous subject id (16 random bytes). Names never
    /// enter the log; they live in the erasable directory.
    MemberId,
    "member_id"
);
bytes16!(
    /// A person in the bureau's programs: a pseudonymous subject id (16 random bytes). The
    /// person's name and identity number live in the erasable directory.
    PersonId,
    "person_id"
);
bytes16!(
    /// An organization in the bureau's programs: a pseudonymous subject id (16 random bytes).
    OrganizationId,
    "organization_id"
);
bytes16!(
    /// A case of the bureau's programs (16 random bytes).
    CaseId,
    "case_id"
);
bytes16!(
    /// An enrollment of a person in a benefit scheme (16 random bytes).
    EnrollmentId,
    "enrollment_id"
);
bytes16!(
    /// A payment batch of a benefit scheme (16 random bytes).
    BatchId,
    "batch_id"
);
bytes16!(
    /// A unit held by one holder at a time: a bed, a plot, a niche, a meal slot (16 random
    /// bytes).
    UnitId,
    "unit_id"
);
bytes16!(
    /// A monitoring alert of social assistance (16 random bytes).
    AlertId,
    "alert_id"
);
bytes16!(
    /// A care agreement for a dispersed 特困 person (16 random bytes).
    AgreementId,
    "agreement_id"
);
bytes16!(
    /// A concern report about a child (16 random bytes).
    ReportId,
    "report_id"
);
bytes16_parse!(LedgerId, "ledger_id");
bytes16_parse!(KeyId, "key_id");
bytes16!(
    /// The single-use nonce of a payment code.
    PaymentNonce,
    "nonce"
);

/// Whose personal record, in the directory (never in the log): a household or a member of
/// one, or a person or organization of the bureau's programs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// A registered household.
    Household(HouseholdId),
    /// A registered member.
    Member(MemberId),
    /// A registered person of the bureau's programs.
    Person(PersonId),
    /// A registered organization of the bureau's programs.
    Organization(OrganizationId),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Household(id) => write!(f, "household {id}"),
            Subject::Member(id) => write!(f, "member {id}"),
            Subject::Person(id) => write!(f, "person {id}"),
            Subject::Organization(id) => write!(f, "organization {id}"),
        }
    }
}

/// A bureau program, as a program officer's scope names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Program {
    /// Social assistance (社会救助): 低保, 特困, 临时救助.
    Assistance,
    /// Children's welfare (儿童福利).
    Children,
    /// Rescue of people in difficulty, and disability services.
    Rescue,
    /// Funeral services and cemeteries.
    Funeral,
    /// Elderly care.
    ElderlyCare,
    /// Place names and addresses.
    Places,
    /// Social organizations.
    Organizations,
    /// Capital projects.
    Projects,
}

impl Program {
    /// Every program.
    pub const ALL: [Program; 8] = [
        Program::Assistance,
        Program::Children,
        Program::Rescue,
        Program::Funeral,
        Program::ElderlyCare,
        Program::Places,
        Program::Organizations,
        Program::Projects,
    ];

    /// Its name in scopes: `assistance`, `elderly-care`, ...
    pub fn name(self) -> &'static str {
        match self {
            Program::Assistance => "assistance",
            Program::Children => "children",
            Program::Rescue => "rescue",
            Program::Funeral => "funeral",
            Program::ElderlyCare => "elderly-care",
            Program::Places => "places",
            Program::Organizations => "organizations",
            Program::Projects => "projects",
        }
    }

    /// The program named `text`; `field` names the request field in the refusal.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, Refusal> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == text)
            .ok_or_else(|| Refusal::InvalidField {
                field,
                expected: format!("a program: {}", Self::ALL.map(Program::name).join(", ")),
                found: format!("{text:?}"),
            })
    }
}

/// The identity tag of an identity number (a resident identity number or a unified social
/// credit code): HMAC-SHA256 under the directory's identity key, which never enters the log.
/// Equal numbers give equal tags, so the state machine keeps one subject per number on
/// replay; without the key, a tag does not say which number it is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdTag(pub [u8; 32]);

impl IdTag {
    /// Parses exactly 32 bytes of request field `field`.
    pub fn from_slice(field: &'static str, bytes: &[u8]) -> Result<Self, Refusal> {
        <[u8; 32]>::try_from(bytes)
            .map(Self)
            .map_err(|_| Refusal::InvalidField {
                field,
                expected: "an identity tag of exactly 32 bytes (DirectoryService.IdentityTag)"
                    .into(),
                found: format!("{} bytes", bytes.len()),
            })
    }
}

impl fmt::Debug for IdTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdTag({self})")
    }
}

/// The first 8 bytes in hex: enough to tell tags apart in messages.
impl fmt::Display for IdTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}…", hex::encode(&self.0[..8]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_case_key_ids_are_refused() {
        let key = crate::crypto::generate_signing_key().verifying_key();
        let id = crate::crypto::key_id(&key).to_string();
        assert!(KeyId::from_hex(&id).is_ok());
        assert!(KeyId::from_hex(&id.to_uppercase()).is_err());
    }
}
