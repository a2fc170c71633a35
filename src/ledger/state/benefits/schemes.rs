//! Benefit schemes and their versioned parameters: a scheme is defined once, for a program,
//! with the case types whose granted cases it enrolls and the group of schemes it excludes
//! (低保 and 特困 are one group); each version of its parameters sets the standard (the most
//! a month's entitlement may be, in integer fen) from a month on. A version applies to
//! months after every month the versions before it and the payments already made cover, so
//! what was paid is never re-priced.

use std::sync::Arc;

use imbl::Vector;

use super::{Benefits, BenefitsOp};
use crate::ledger::case_types;
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{BenefitsRefusal, CaseworkRefusal, Period, Program, Refusal, Sequence};

/// A version of a scheme's parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemeVersion {
    /// Its number, from 1.
    pub version: u32,
    /// The first month it applies to.
    pub effective_from: Period,
    /// The standard, in fen a month.
    pub monthly_fen: u64,
    /// The entry that set it.
    pub sequence: Sequence,
}

/// A scheme as readers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemeView {
    /// Its code.
    pub code: String,
    /// Its program.
    pub program: Program,
    /// The case types it enrolls.
    pub case_types: Vec<&'static str>,
    /// Its exclusion group.
    pub exclusive_group: Option<String>,
    /// Every version of its parameters, the first first.
    pub versions: Vec<SchemeVersion>,
}

#[derive(Clone, Debug)]
pub(in crate::ledger::state) struct Scheme {
    pub(super) program: Program,
    pub(super) case_types: Vec<&'static case_types::CaseType>,
    pub(super) exclusive_group: Option<String>,
    versions: Vector<SchemeVersion>,
    /// The latest month a payment batch of the scheme paid.
    pub(super) paid_through: Option<Period>,
}

impl Scheme {
    /// The standard in effect in `period`, if a version covers it.
    pub(super) fn standard(&self, period: Period) -> Option<u64> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.effective_from <= period)
            .map(|v| v.monthly_fen)
    }

    pub(super) fn view(&self, code: &str) -> SchemeView {
        SchemeView {
            code: code.to_owned(),
            program: self.program,
            case_types: self.case_types.iter().map(|t| t.code).collect(),
            exclusive_group: self.exclusive_group.clone(),
            versions: self.versions.iter().cloned().collect(),
        }
    }
}

#[derive(Debug)]
pub(in crate::ledger::state) enum Plan {
    Define(String, Scheme),
    Version(String, SchemeVersion),
}

impl Plan {
    pub(super) fn commit(self, benefits: &mut Benefits) {
        match self {
            Plan::Define(code, scheme) => {
                benefits.schemes.insert(code, Arc::new(scheme));
            }
            Plan::Version(code, version) => {
                if let Some(scheme) = benefits.schemes.get(&code) {
                    let mut scheme = Scheme::clone(scheme);
                    scheme.versions.push_back(version);
                    benefits.schemes.insert(code, Arc::new(scheme));
                }
            }
        }
    }
}

impl Benefits {
    /// The scheme `code`, or `UNKNOWN_SCHEME`.
    pub(super) fn scheme(&self, code: &str) -> Result<&Arc<Scheme>, Refusal> {
        self.schemes
            .get(code)
            .ok_or_else(|| BenefitsRefusal::UnknownScheme(code.to_owned()).into())
    }
}

pub(super) fn check(state: &State, ctx: &Context, op: &BenefitsOp) -> Result<Plan, Refusal> {
    match op {
        BenefitsOp::DefineScheme {
            code,
            program,
            case_types: codes,
            exclusive_group,
        } => {
            authority::require_scheme_setter(&ctx.role, *program)?;
            if state.benefits.schemes.contains_key(code) {
                return Err(Refusal::AlreadyRegistered {
                    kind: "scheme",
                    id: code.clone(),
                });
            }
            let mut tables = Vec::new();
            for code in codes {
                let (_, table) = case_types::case_type(code)
                    .ok_or_else(|| CaseworkRefusal::UnknownCaseType(code.clone()))?;
                if table.program != *program {
                    return Err(Refusal::InvalidField {
                        field: "case_types",
                        expected: format!("case types of program {}", program.name()),
                        found: format!("{code} of program {}", table.program.name()),
                    });
                }
                tables.push(table);
            }
            Ok(Plan::Define(
                code.clone(),
                Scheme {
                    program: *program,
                    case_types: tables,
                    exclusive_group: exclusive_group.clone(),
                    versions: Vector::new(),
                    paid_through: None,
                },
            ))
        }
        BenefitsOp::SetParameters {
            scheme: code,
            version,
            effective_from,
            monthly_fen,
        } => {
            let scheme = state.benefits.scheme(code)?;
            authority::require_scheme_setter(&ctx.role, scheme.program)?;
            let expected = u32::try_from(scheme.versions.len() + 1).unwrap_or(u32::MAX);
            if *version != expected {
                return Err(BenefitsRefusal::VersionOutOfOrder {
                    expected,
                    found: *version,
                }
                .into());
            }
            let latest = scheme
                .versions
                .last()
                .map(|v| v.effective_from)
                .max(scheme.paid_through);
            if let Some(latest) = latest.filter(|latest| effective_from <= latest) {
                return Err(BenefitsRefusal::ParametersBehind {
                    latest: latest.to_string(),
                    found: effective_from.to_string(),
                }
                .into());
            }
            Ok(Plan::Version(
                code.clone(),
                SchemeVersion {
                    version: *version,
                    effective_from: *effective_from,
                    monthly_fen: *monthly_fen,
                    sequence: ctx.sequence,
                },
            ))
        }
        _ => unreachable!("dispatched by benefits::check"),
    }
}

impl State {
    /// Every scheme, by code.
    pub fn schemes(&self) -> Vec<SchemeView> {
        self.benefits
            .schemes
            .iter()
            .map(|(code, scheme)| scheme.view(code))
            .collect()
    }
}
