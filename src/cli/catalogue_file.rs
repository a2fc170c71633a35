//! The catalogue file: a catalogue version as JSON that a person can write and read, what
//! `adopt-catalogue --file` submits and `catalogue --json` prints (so a village can start from
//! its township's catalogue: print it, change the scope, the version and what it narrows, and
//! adopt it). Dates are `YYYY-MM-DD` in China Standard Time.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use shanzhi::ledger::CivilDate;
use shanzhi::pb::governance as pb;

/// A catalogue version.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueFile {
    /// `city`, `township:<9-digit code>`, `village:<issuer id>` or `program:<issuer id>`.
    pub scope: String,
    /// 1, 2, …
    pub version: u32,
    /// The first date in force.
    pub effective_from: String,
    /// The first date no longer in force; absent for open-ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<String>,
    /// The adopting resolution.
    pub resolution: ResolutionFile,
    /// The rules, in order.
    pub rules: Vec<RuleFile>,
}

/// The adopting resolution.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionFile {
    /// Its date.
    pub date: String,
    /// Its title.
    pub title: String,
    /// SHA-256 of its document, 64 hex characters (`sha256sum` of the scan or text).
    pub document_sha256: String,
}

/// One rule.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// e.g. `ENV-01`.
    pub code: String,
    /// What it rewards or punishes.
    pub title: String,
    /// Its category.
    pub category: String,
    /// `award` or `deduction`.
    pub sign: String,
    /// Points per unit.
    pub points_per_unit: u64,
    /// The unit, e.g. 次.
    pub unit: String,
    /// The most units per claim.
    pub max_quantity: u32,
    /// Whether a claim needs an evidence hash.
    #[serde(default)]
    pub evidence_required: bool,
    /// Caps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caps: Vec<CapFile>,
}

/// A cap.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CapFile {
    /// `household` or `member`.
    pub per: String,
    /// `month`, `quarter` or `year`.
    pub period: String,
    /// The most points.
    pub max_points: u64,
}

/// Parses a scope as the CLI spells it.
pub fn parse_scope(text: &str) -> Result<pb::CatalogueScope> {
    use pb::catalogue_scope::Scope;
    let scope = match text.split_once(':') {
        None if text == "city" => Scope::City(pb::City {}),
        Some(("township", code)) => Scope::TownshipCode(code.into()),
        Some(("village", id)) => Scope::VillageId(id.into()),
        Some(("program", id)) => Scope::ProgramId(id.into()),
        _ => bail!(
            "scope: expected city, township:<code>, village:<id> or program:<id>, found {text:?}"
        ),
    };
    Ok(pb::CatalogueScope { scope: Some(scope) })
}

/// A scope as the CLI spells it.
pub fn scope_text(scope: Option<&pb::CatalogueScope>) -> String {
    use pb::catalogue_scope::Scope;
    match scope.and_then(|s| s.scope.as_ref()) {
        Some(Scope::City(_)) => "city".into(),
        Some(Scope::TownshipCode(code)) => format!("township:{code}"),
        Some(Scope::VillageId(id)) => format!("village:{id}"),
        Some(Scope::ProgramId(id)) => format!("program:{id}"),
        None => String::new(),
    }
}

/// Parses a `YYYY-MM-DD` date of field `what` into its wire value.
pub fn date(what: &'static str, text: &str) -> Result<u32> {
    Ok(CivilDate::parse(what, text)?.days())
}

/// A wire date as `YYYY-MM-DD` ("" for 0).
pub fn date_text(days: u32) -> String {
    CivilDate::from_days(days).map_or_else(String::new, |d| d.to_string())
}

fn choice<T: Copy>(what: &str, text: &str, choices: &[(&str, T)]) -> Result<T> {
    choices
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, value)| *value)
        .with_context(|| {
            let names: Vec<_> = choices.iter().map(|(n, _)| *n).collect();
            format!(
                "{what}: expected one of {}, found {text:?}",
                names.join(", ")
            )
        })
}

const SIGNS: &[(&str, pb::Sign)] = &[
    ("award", pb::Sign::Award),
    ("deduction", pb::Sign::Deduction),
];
const HOLDERS: &[(&str, pb::CapHolder)] = &[
    ("household", pb::CapHolder::Household),
    ("member", pb::CapHolder::Member),
];
const PERIODS: &[(&str, pb::CapPeriod)] = &[
    ("month", pb::CapPeriod::Month),
    ("quarter", pb::CapPeriod::Quarter),
    ("year", pb::CapPeriod::Year),
];

fn name_of<T: Copy + PartialEq>(choices: &[(&'static str, T)], value: T) -> String {
    choices
        .iter()
        .find(|(_, v)| *v == value)
        .map_or_else(|| "unspecified".into(), |(n, _)| (*n).into())
}

/// A cap holder as the file spells it.
pub fn holder_name(per: pb::CapHolder) -> String {
    name_of(HOLDERS, per)
}

/// A cap period as the file spells it.
pub fn period_name(period: pb::CapPeriod) -> String {
    name_of(PERIODS, period)
}

/// A 32-byte digest from 64 hex characters.
pub fn sha256_hex(what: &str, text: &str) -> Result<Vec<u8>> {
    let bytes = hex::decode(text.trim())
        .ok()
        .filter(|b| b.len() == 32)
        .with_context(|| {
            format!("{what}: expected 64 hex characters (a SHA-256), found {text:?}")
        })?;
    Ok(bytes)
}

impl CatalogueFile {
    /// The wire rules, in order.
    pub fn rules(&self) -> Result<Vec<pb::Rule>> {
        self.rules
            .iter()
            .map(|r| {
                Ok(pb::Rule {
                    code: r.code.clone(),
                    title: r.title.clone(),
                    category: r.category.clone(),
                    sign: choice("sign", &r.sign, SIGNS)?.into(),
                    points_per_unit: r.points_per_unit,
                    unit: r.unit.clone(),
                    max_quantity: r.max_quantity,
                    evidence_required: r.evidence_required,
                    caps: r
                        .caps
                        .iter()
                        .map(|c| {
                            Ok(pb::Cap {
                                per: choice("caps.per", &c.per, HOLDERS)?.into(),
                                period: choice("caps.period", &c.period, PERIODS)?.into(),
                                max_points: c.max_points,
                            })
                        })
                        .collect::<Result<_>>()?,
                })
            })
            .collect()
    }

    /// The `OpenCatalogue` that declares this version.
    pub fn open(&self) -> Result<pb::OpenCatalogue> {
        let rules = self.rules()?;
        Ok(pb::OpenCatalogue {
            scope: Some(parse_scope(&self.scope)?),
            version: self.version,
            effective_from: date("effective_from", &self.effective_from)?,
            effective_to: match &self.effective_to {
                Some(to) => date("effective_to", to)?,
                None => 0,
            },
            resolution: Some(pb::Resolution {
                date: date("resolution.date", &self.resolution.date)?,
                document_sha256: sha256_hex(
                    "resolution.document_sha256",
                    &self.resolution.document_sha256,
                )?,
                title: self.resolution.title.clone(),
            }),
            rule_count: u32::try_from(rules.len()).context("too many rules")?,
            rules_sha256: shanzhi::wire::rules_sha256(&rules).to_vec(),
        })
    }

    /// The file form of a catalogue the server sent.
    pub fn from_wire(catalogue: &pb::Catalogue) -> Self {
        let resolution = catalogue.resolution.clone().unwrap_or_default();
        CatalogueFile {
            scope: scope_text(catalogue.scope.as_ref()),
            version: catalogue.version,
            effective_from: date_text(catalogue.effective_from),
            effective_to: (catalogue.effective_to != 0).then(|| date_text(catalogue.effective_to)),
            resolution: ResolutionFile {
                date: date_text(resolution.date),
                title: resolution.title,
                document_sha256: hex::encode(resolution.document_sha256),
            },
            rules: catalogue
                .rules
                .iter()
                .map(|r| RuleFile {
                    code: r.code.clone(),
                    title: r.title.clone(),
                    category: r.category.clone(),
                    sign: name_of(SIGNS, r.sign()),
                    points_per_unit: r.points_per_unit,
                    unit: r.unit.clone(),
                    max_quantity: r.max_quantity,
                    evidence_required: r.evidence_required,
                    caps: r
                        .caps
                        .iter()
                        .map(|c| CapFile {
                            per: name_of(HOLDERS, c.per()),
                            period: name_of(PERIODS, c.period()),
                            max_points: c.max_points,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
