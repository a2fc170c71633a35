//! The catalogue family: rule catalogues (积分目录) of the city, its townships, its villages
//! and the bureau's programs, versioned and dated. A version is adopted in steps (a body is at
//! most 4 KiB): opened with its dates, resolution, rule count and the hash of its rules; filled
//! with rules in order; sealed once every rule arrived and the hash matches. Only a sealed
//! version is in force, from its `effective_from`; a correction is the next version.
//!
//! A township's catalogue narrows the city's, a village's its township's and the city's
//! ([`narrowing`]): checked when a version is sealed, against the parents in force on its
//! `effective_from`. Nothing is inherited silently: a village lists every rule it uses.

use std::sync::Arc;

use imbl::{OrdMap, Vector};
use sha2::{Digest, Sha256};

use super::journal::Effects;
use super::versions::{self, latest_started};
use super::{Context, State, authority};
use crate::ledger::{
    AccountId, AreaCode, AreaLevel, CivilDate, IssuerKind, Refusal, RuleCode, Sequence,
};

mod narrowing;
mod types;

pub use types::{
    Cap, CapHolder, CapPeriod, CatalogueHeader, CatalogueKind, CatalogueOp, CatalogueRef,
    CatalogueScope, CatalogueStatus, CatalogueView, Resolution, Rule, Sign, Which,
};

/// The most rules one catalogue version may have: 500.
pub const MAX_CATALOGUE_RULES: u32 = 500;
/// The most rules one `AddCatalogueRules` may carry: 20 (a body is at most 4 KiB).
pub const MAX_RULES_PER_ADD: usize = 20;
/// The most caps one rule may have: 6 (one per holder and period).
pub const MAX_CAPS_PER_RULE: usize = 6;

#[derive(Clone, Debug)]
struct Version {
    header: CatalogueHeader,
    rules: Vector<Arc<Rule>>,
    codes: OrdMap<RuleCode, usize>,
    hasher: Sha256,
    opened_at: Sequence,
    sealed_at: Option<Sequence>,
}

impl Version {
    fn rule(&self, code: &RuleCode) -> Option<&Arc<Rule>> {
        self.codes.get(code).and_then(|&i| self.rules.get(i))
    }
}

/// Every scope's catalogue versions, version `n` at index `n - 1`, and the indexes of the
/// sealed ones (their starts never decrease: a version may not start before the one it
/// replaces).
#[derive(Clone, Debug, Default)]
pub(super) struct Catalogues {
    scopes: OrdMap<CatalogueScope, Vector<Arc<Version>>>,
    sealed: OrdMap<CatalogueScope, Vector<usize>>,
}

impl Catalogues {
    fn versions(&self, scope: &CatalogueScope) -> Option<&Vector<Arc<Version>>> {
        self.scopes.get(scope)
    }

    fn version(&self, catalogue: &CatalogueRef) -> Option<&Arc<Version>> {
        let index = usize::try_from(catalogue.version.checked_sub(1)?).ok()?;
        self.versions(&catalogue.scope)?.get(index)
    }

    /// The number and start of the last sealed version of `scope`.
    fn last_sealed(&self, scope: &CatalogueScope) -> Option<(u32, CivilDate)> {
        let index = *self.sealed.get(scope)?.last()?;
        let version = self.versions(scope)?.get(index)?;
        Some((number_of(index), version.header.effective_from))
    }

    /// The sealed versions of `scope` in force on some day of `[from, to)` (`to` `None`: no
    /// end), with their numbers, in order. A sealed version is in force from its start until
    /// its end or the start of the next sealed version, whichever is first.
    fn in_force_during(
        &self,
        scope: &CatalogueScope,
        from: CivilDate,
        to: Option<CivilDate>,
    ) -> Vec<(u32, &Arc<Version>)> {
        let (Some(versions), Some(sealed)) = (self.versions(scope), self.sealed.get(scope)) else {
            return Vec::new();
        };
        let start_of = |k: usize| {
            sealed
                .get(k)
                .and_then(|&i| versions.get(i))
                .map_or(CivilDate::MAX, |v| v.header.effective_from)
        };
        let first = latest_started(sealed.len(), start_of, from).unwrap_or(0);
        let mut found = Vec::new();
        for k in first..sealed.len() {
            let start = start_of(k);
            if to.is_some_and(|to| start >= to) {
                break;
            }
            let Some(version) = sealed.get(k).and_then(|&i| versions.get(i)) else {
                continue;
            };
            let next_start = (k + 1 < sealed.len()).then(|| start_of(k + 1));
            let end = match (version.header.effective_to, next_start) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if start < end.unwrap_or(CivilDate::MAX) && end.is_none_or(|end| from < end) {
                found.push((number_of(sealed[k]), version));
            }
        }
        found
    }

    /// The sealed version of `scope` in force on `date`, with its number.
    fn in_force(&self, scope: &CatalogueScope, date: CivilDate) -> Option<(u32, &Arc<Version>)> {
        self.in_force_during(scope, date, Some(date.add_days(1)))
            .into_iter()
            .next()
    }

    /// The rule `code` of `scope`'s catalogue in force on `date`, with the version's number.
    pub(super) fn rule_in_force(
        &self,
        scope: &CatalogueScope,
        date: CivilDate,
        code: &RuleCode,
    ) -> Option<(u32, Arc<Rule>)> {
        let (number, version) = self.in_force(scope, date)?;
        version.rule(code).map(|rule| (number, Arc::clone(rule)))
    }

    fn status(versions: &Vector<Arc<Version>>, index: usize) -> CatalogueStatus {
        match versions.get(index) {
            Some(v) if v.sealed_at.is_some() => CatalogueStatus::Sealed,
            _ if index + 1 == versions.len() => CatalogueStatus::Open,
            _ => CatalogueStatus::Abandoned,
        }
    }

    fn view(&self, scope: &CatalogueScope, number: u32) -> Option<CatalogueView> {
        let versions = self.versions(scope)?;
        let index = usize::try_from(number.checked_sub(1)?).ok()?;
        let version = versions.get(index)?;
        Some(CatalogueView {
            catalogue: CatalogueRef {
                scope: scope.clone(),
                version: number,
            },
            header: version.header.clone(),
            rules: version.rules.iter().cloned().collect(),
            status: Self::status(versions, index),
            opened_at: version.opened_at,
            sealed_at: version.sealed_at,
        })
    }
}

/// The number of the version at `index`.
fn number_of(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

impl State {
    /// A version of a scope's catalogue: in force on a date (sealed), or by number.
    pub fn catalogue(
        &self,
        scope: &CatalogueScope,
        which: Which,
    ) -> Result<CatalogueView, Refusal> {
        let number = match which {
            Which::InForceOn(date) => self.catalogues.in_force(scope, date).map(|(n, _)| n),
            Which::Version(n) => Some(n),
        };
        number
            .and_then(|n| self.catalogues.view(scope, n))
            .ok_or_else(|| Refusal::UnknownCatalogue {
                scope: scope.to_string(),
                expected: which.to_string(),
            })
    }

    /// The catalogues that bind `scope`'s (its parents), nearest first: a village's township
    /// (if the village is placed in an area) and the city; a township's city.
    fn parent_scopes(&self, scope: &CatalogueScope) -> Vec<CatalogueScope> {
        match scope {
            CatalogueScope::City | CatalogueScope::Program(_) => vec![],
            CatalogueScope::Township(_) => vec![CatalogueScope::City],
            CatalogueScope::Village(village) => {
                let township = self.village_area(village).and_then(AreaCode::parent);
                township
                    .map(CatalogueScope::Township)
                    .into_iter()
                    .chain([CatalogueScope::City])
                    .collect()
            }
        }
    }
}

/// A catalogue operation checked to fit.
#[derive(Debug)]
pub(super) enum Plan {
    Open {
        catalogue: CatalogueRef,
        header: CatalogueHeader,
    },
    Add {
        catalogue: CatalogueRef,
        rules: Vec<Rule>,
        framed: Vec<u8>,
    },
    Seal {
        catalogue: CatalogueRef,
    },
}

impl Plan {
    pub(super) fn commit(self, state: &mut State, ctx: &Context) -> Effects {
        let involved = |scope: &CatalogueScope| match scope {
            CatalogueScope::Village(id) | CatalogueScope::Program(id) => {
                Effects::involving(vec![AccountId::Issuer(id.clone())])
            }
            _ => Effects::default(),
        };
        match self {
            Plan::Open { catalogue, header } => {
                let effects = involved(&catalogue.scope);
                let version = Version {
                    header,
                    rules: Vector::new(),
                    codes: OrdMap::new(),
                    hasher: Sha256::new(),
                    opened_at: ctx.sequence,
                    sealed_at: None,
                };
                state
                    .catalogues
                    .scopes
                    .entry(catalogue.scope)
                    .or_default()
                    .push_back(Arc::new(version));
                effects
            }
            Plan::Add {
                catalogue,
                rules,
                framed,
            } => {
                let effects = involved(&catalogue.scope);
                update(state, &catalogue, |version| {
                    for rule in rules {
                        version.codes.insert(rule.code.clone(), version.rules.len());
                        version.rules.push_back(Arc::new(rule));
                    }
                    version.hasher.update(&framed);
                });
                effects
            }
            Plan::Seal { catalogue } => {
                let effects = involved(&catalogue.scope);
                update(state, &catalogue, |version| {
                    version.sealed_at = Some(ctx.sequence);
                });
                state
                    .catalogues
                    .sealed
                    .entry(catalogue.scope)
                    .or_default()
                    .push_back(catalogue.version.saturating_sub(1) as usize);
                effects
            }
        }
    }
}

/// Changes a version that the check found.
fn update(state: &mut State, catalogue: &CatalogueRef, change: impl FnOnce(&mut Version)) {
    let index = catalogue.version.saturating_sub(1) as usize;
    if let Some(versions) = state.catalogues.scopes.get_mut(&catalogue.scope)
        && let Some(version) = versions.get_mut(index)
    {
        change(Arc::make_mut(version));
    }
}

/// Checks that a scope exists: a registered township area, village or program issuer.
fn check_scope(state: &State, scope: &CatalogueScope) -> Result<(), Refusal> {
    match scope {
        CatalogueScope::City => Ok(()),
        CatalogueScope::Township(code) => {
            state.areas.require(code)?;
            if code.level() != AreaLevel::Township {
                return Err(Refusal::WrongAreaLevel {
                    code: code.clone(),
                    expected: AreaLevel::Township.name(),
                    found: code.level().name(),
                });
            }
            Ok(())
        }
        CatalogueScope::Village(id) => state.accounts.expect_issuer_kind(id, IssuerKind::Village),
        CatalogueScope::Program(id) => state.accounts.expect_issuer_kind(id, IssuerKind::Program),
    }
}

/// The version an add or a seal names, which must be the open one.
fn open_version<'a>(state: &'a State, catalogue: &CatalogueRef) -> Result<&'a Version, Refusal> {
    let versions = state.catalogues.versions(&catalogue.scope);
    let version = state
        .catalogues
        .version(catalogue)
        .ok_or_else(|| Refusal::UnknownCatalogue {
            scope: catalogue.scope.to_string(),
            expected: Which::Version(catalogue.version).to_string(),
        })?;
    let index = catalogue.version.saturating_sub(1) as usize;
    match versions.map(|v| Catalogues::status(v, index)) {
        Some(CatalogueStatus::Open) => Ok(version),
        status => Err(Refusal::from(
            crate::ledger::GovernanceRefusal::CatalogueNotOpen {
                catalogue: catalogue.to_string(),
                status: status.unwrap_or(CatalogueStatus::Abandoned).name(),
            },
        )),
    }
}

/// Refuses unless every rule narrows the rule of the same code of each parent catalogue of
/// `scope` (the township's, the city's) in force on some day of `[from, to)`.
pub(in crate::ledger::state) fn narrows_parents<'r>(
    state: &State,
    scope: &CatalogueScope,
    from: CivilDate,
    to: Option<CivilDate>,
    rules: impl Iterator<Item = &'r Rule> + Clone,
) -> Result<(), Refusal> {
    for parent in state.parent_scopes(scope) {
        for (number, parent_version) in state.catalogues.in_force_during(&parent, from, to) {
            let parent_ref = CatalogueRef {
                scope: parent.clone(),
                version: number,
            };
            for rule in rules.clone() {
                if let Some(parent_rule) = parent_version.rule(&rule.code) {
                    narrowing::check(&parent_ref, parent_rule, rule)?;
                }
            }
        }
    }
    Ok(())
}

/// The deduction rule `code` of the nearest parent catalogue of `scope` in force on `date`
/// (the township's, then the city's), with that version's number: deductions are the
/// parent's exactly, so a claim is priced by it even if the village has not adopted it yet.
pub(in crate::ledger::state) fn parent_deduction(
    state: &State,
    scope: &CatalogueScope,
    date: CivilDate,
    code: &RuleCode,
) -> Option<(u32, Arc<Rule>)> {
    state.parent_scopes(scope).into_iter().find_map(|parent| {
        state
            .catalogues
            .rule_in_force(&parent, date, code)
            .filter(|(_, rule)| rule.sign == Sign::Deduction)
    })
}

/// Refuses a catalogue of `scope` that leaves out a deduction of a parent catalogue in force
/// on some day of `[from, to)`: a village may not drop what its township or the city deducts.
fn includes_parent_deductions(
    state: &State,
    scope: &CatalogueScope,
    from: CivilDate,
    to: Option<CivilDate>,
    version: &Version,
) -> Result<(), Refusal> {
    for parent in state.parent_scopes(scope) {
        for (number, parent_version) in state.catalogues.in_force_during(&parent, from, to) {
            let missing = parent_version
                .rules
                .iter()
                .find(|r| r.sign == Sign::Deduction && version.rule(&r.code).is_none());
            if let Some(rule) = missing {
                return Err(Refusal::from(
                    crate::ledger::GovernanceRefusal::CatalogueWidensParent {
                        rule: rule.code.clone(),
                        parent: CatalogueRef {
                            scope: parent.clone(),
                            version: number,
                        }
                        .to_string(),
                        field: "rules",
                        expected: "the parent's deduction listed".into(),
                        found: "no rule of that code".into(),
                    },
                ));
            }
        }
    }
    Ok(())
}

/// Checks a catalogue operation.
pub(super) fn check(state: &State, ctx: &Context, op: &CatalogueOp) -> Result<Plan, Refusal> {
    let catalogue = op.catalogue();
    authority::may_adopt_catalogue(&ctx.role, &catalogue.scope)?;
    check_scope(state, &catalogue.scope)?;
    match op {
        CatalogueOp::Open { catalogue, header } => {
            let versions = state.catalogues.versions(&catalogue.scope);
            versions::require_next(
                format!("catalogue of {}", catalogue.scope),
                versions.map_or(0, |v| v.len()) + 1,
                catalogue.version,
            )?;
            versions::require_start(
                ctx,
                "a catalogue",
                header.effective_from,
                state.catalogues.last_sealed(&catalogue.scope),
            )?;
            versions::require_resolution_taken(ctx, header.resolution.date)?;
            Ok(Plan::Open {
                catalogue: catalogue.clone(),
                header: header.clone(),
            })
        }
        CatalogueOp::AddRules {
            catalogue,
            rules,
            framed,
        } => {
            let version = open_version(state, catalogue)?;
            let found = version.rules.len() as u64 + rules.len() as u64;
            if found > u64::from(version.header.rule_count) {
                return Err(Refusal::from(
                    crate::ledger::GovernanceRefusal::CatalogueRuleCount {
                        catalogue: catalogue.to_string(),
                        declared: version.header.rule_count,
                        found,
                    },
                ));
            }
            for (i, rule) in rules.iter().enumerate() {
                if version.codes.contains_key(&rule.code)
                    || rules[..i].iter().any(|r| r.code == rule.code)
                {
                    return Err(Refusal::DuplicateRuleCode {
                        catalogue: catalogue.to_string(),
                        rule: rule.code.clone(),
                    });
                }
            }
            Ok(Plan::Add {
                catalogue: catalogue.clone(),
                rules: rules.clone(),
                framed: framed.clone(),
            })
        }
        CatalogueOp::Seal { catalogue } => {
            let version = open_version(state, catalogue)?;
            if version.rules.len() as u64 != u64::from(version.header.rule_count) {
                return Err(Refusal::from(
                    crate::ledger::GovernanceRefusal::CatalogueRuleCount {
                        catalogue: catalogue.to_string(),
                        declared: version.header.rule_count,
                        found: version.rules.len() as u64,
                    },
                ));
            }
            let computed: [u8; 32] = version.hasher.clone().finalize().into();
            if computed != version.header.rules_sha256 {
                return Err(Refusal::from(
                    crate::ledger::GovernanceRefusal::CatalogueHashMismatch {
                        catalogue: catalogue.to_string(),
                        declared: hex::encode(version.header.rules_sha256),
                        computed: hex::encode(computed),
                    },
                ));
            }
            versions::require_start(
                ctx,
                "a catalogue",
                version.header.effective_from,
                state.catalogues.last_sealed(&catalogue.scope),
            )?;
            narrows_parents(
                state,
                &catalogue.scope,
                version.header.effective_from,
                version.header.effective_to,
                version.rules.iter().map(Arc::as_ref),
            )?;
            includes_parent_deductions(
                state,
                &catalogue.scope,
                version.header.effective_from,
                version.header.effective_to,
                version,
            )?;
            Ok(Plan::Seal {
                catalogue: catalogue.clone(),
            })
        }
    }
}
