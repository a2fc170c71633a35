//! The catalogue family's types: scopes, versions, resolutions, rules and caps, the
//! operations and their kinds, and the views queries show.

use std::fmt;
use std::sync::Arc;

use crate::ledger::{AreaCode, CivilDate, IssuerId, Points, RuleCode, Sequence};

/// Whose catalogue.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CatalogueScope {
    /// The county-level city's, adopted by the bureau.
    City,
    /// A township's (a 9-digit area), adopted by the bureau.
    Township(AreaCode),
    /// A village issuer's own.
    Village(IssuerId),
    /// A program issuer's rules for awards by rule, adopted by the bureau.
    Program(IssuerId),
}

impl fmt::Display for CatalogueScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogueScope::City => f.write_str("the city"),
            CatalogueScope::Township(code) => write!(f, "township {code}"),
            CatalogueScope::Village(id) => write!(f, "village {id}"),
            CatalogueScope::Program(id) => write!(f, "program {id}"),
        }
    }
}

/// One version of one scope's catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogueRef {
    /// Whose.
    pub scope: CatalogueScope,
    /// Which version, from 1.
    pub version: u32,
}

impl fmt::Display for CatalogueRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "catalogue version {} of {}", self.version, self.scope)
    }
}

/// The decision that adopted a catalogue or a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// Its date.
    pub date: CivilDate,
    /// SHA-256 of its document.
    pub document_sha256: [u8; 32],
    /// Its title.
    pub title: String,
}

/// Whether a rule awards or deducts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    /// Good conduct: points credited.
    Award,
    /// A violation: points deducted.
    Deduction,
}

impl Sign {
    /// `award` or `deduction`.
    pub fn name(self) -> &'static str {
        match self {
            Sign::Award => "award",
            Sign::Deduction => "deduction",
        }
    }
}

/// Who a cap counts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CapHolder {
    /// The household.
    Household,
    /// The member a claim names.
    Member,
}

impl CapHolder {
    /// `household` or `member`.
    pub fn name(self) -> &'static str {
        match self {
            CapHolder::Household => "household",
            CapHolder::Member => "member",
        }
    }
}

/// The calendar period a cap counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CapPeriod {
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
    /// A calendar year.
    Year,
}

impl CapPeriod {
    /// `month`, `quarter` or `year`.
    pub fn name(self) -> &'static str {
        match self {
            CapPeriod::Month => "month",
            CapPeriod::Quarter => "quarter",
            CapPeriod::Year => "year",
        }
    }
}

/// The most points of one rule per holder and period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cap {
    /// Who it counts for.
    pub per: CapHolder,
    /// The period.
    pub period: CapPeriod,
    /// At least 1.
    pub max_points: Points,
}

/// One rule of a catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Its code, once per version.
    pub code: RuleCode,
    /// What it rewards or punishes.
    pub title: String,
    /// Its category.
    pub category: String,
    /// Award or deduction.
    pub sign: Sign,
    /// Points per unit, at least 1.
    pub points_per_unit: Points,
    /// The unit.
    pub unit: String,
    /// The most units per claim, at least 1.
    pub max_quantity: u32,
    /// Whether a claim must carry an evidence hash.
    pub evidence_required: bool,
    /// At most one per holder and period.
    pub caps: Vec<Cap>,
}

/// What `OpenCatalogue` declares about a version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogueHeader {
    /// The first date in force.
    pub effective_from: CivilDate,
    /// The first date no longer in force; `None` for open-ended.
    pub effective_to: Option<CivilDate>,
    /// The adopting resolution.
    pub resolution: Resolution,
    /// How many rules it has.
    pub rule_count: u32,
    /// SHA-256 over the rules, each length-prefixed, in order.
    pub rules_sha256: [u8; 32],
}

/// The catalogue family's operations.
#[derive(Clone, Debug)]
pub enum CatalogueOp {
    /// Opens the next version of a scope.
    Open {
        /// The version to open.
        catalogue: CatalogueRef,
        /// What it declares.
        header: CatalogueHeader,
    },
    /// Adds the next rules to the open version.
    AddRules {
        /// The open version.
        catalogue: CatalogueRef,
        /// 1 to [`MAX_RULES_PER_ADD`](super::MAX_RULES_PER_ADD) rules, in order.
        rules: Vec<Rule>,
        /// Their canonical encodings, each prefixed by its length as a varint, in order: what
        /// `rules_sha256` is computed over.
        framed: Vec<u8>,
    },
    /// Seals the open version.
    Seal {
        /// The open version.
        catalogue: CatalogueRef,
    },
}

/// The kinds of catalogue operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CatalogueKind {
    /// [`CatalogueOp::Open`].
    Open,
    /// [`CatalogueOp::AddRules`].
    AddRules,
    /// [`CatalogueOp::Seal`].
    Seal,
}

impl CatalogueOp {
    /// The operation's kind.
    pub fn kind(&self) -> CatalogueKind {
        match self {
            CatalogueOp::Open { .. } => CatalogueKind::Open,
            CatalogueOp::AddRules { .. } => CatalogueKind::AddRules,
            CatalogueOp::Seal { .. } => CatalogueKind::Seal,
        }
    }

    pub(super) fn catalogue(&self) -> &CatalogueRef {
        match self {
            CatalogueOp::Open { catalogue, .. }
            | CatalogueOp::AddRules { catalogue, .. }
            | CatalogueOp::Seal { catalogue } => catalogue,
        }
    }
}

impl CatalogueKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            CatalogueKind::Open => "open-catalogue",
            CatalogueKind::AddRules => "add-catalogue-rules",
            CatalogueKind::Seal => "seal-catalogue",
        }
    }
}

/// Where a catalogue version stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogueStatus {
    /// Opened, rules still arriving.
    Open,
    /// In force from its `effective_from`.
    Sealed,
    /// A later version was opened before it was sealed: never in force.
    Abandoned,
}

impl CatalogueStatus {
    /// A lowercase name for messages.
    pub fn name(self) -> &'static str {
        match self {
            CatalogueStatus::Open => "open",
            CatalogueStatus::Sealed => "sealed",
            CatalogueStatus::Abandoned => "abandoned",
        }
    }
}

/// One catalogue version as queries show it.
#[derive(Clone, Debug)]
pub struct CatalogueView {
    /// Which.
    pub catalogue: CatalogueRef,
    /// What it declared.
    pub header: CatalogueHeader,
    /// The rules added so far, in order.
    pub rules: Vec<Arc<Rule>>,
    /// Where it stands.
    pub status: CatalogueStatus,
    /// The entry that opened it.
    pub opened_at: Sequence,
    /// The entry that sealed it.
    pub sealed_at: Option<Sequence>,
}

/// Which version a query asks for.
#[derive(Clone, Copy, Debug)]
pub enum Which {
    /// The version in force on a date.
    InForceOn(CivilDate),
    /// A version by number.
    Version(u32),
}

impl fmt::Display for Which {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Which::InForceOn(date) => write!(f, "a version in force on {date}"),
            Which::Version(n) => write!(f, "version {n}"),
        }
    }
}
