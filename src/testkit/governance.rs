//! The test DSL's governance part: catalogues, their rules and village policies.

use crate::client::Signer;
use crate::ledger::{CivilDate, EntryRecord, Refusal, UnixMs};
use crate::pb::governance as gov;
use crate::pb::points::transaction_body::Operation as Op;
use crate::proposals;

use super::Ledger;

/// The city scope.
pub fn city() -> gov::CatalogueScope {
    gov::CatalogueScope {
        scope: Some(gov::catalogue_scope::Scope::City(gov::City {})),
    }
}

/// A township's scope.
pub fn township(code: &str) -> gov::CatalogueScope {
    gov::CatalogueScope {
        scope: Some(gov::catalogue_scope::Scope::TownshipCode(code.into())),
    }
}

/// A village's scope.
pub fn village(id: &str) -> gov::CatalogueScope {
    gov::CatalogueScope {
        scope: Some(gov::catalogue_scope::Scope::VillageId(id.into())),
    }
}

/// A program's scope.
pub fn program(id: &str) -> gov::CatalogueScope {
    gov::CatalogueScope {
        scope: Some(gov::catalogue_scope::Scope::ProgramId(id.into())),
    }
}

/// An award rule without caps or evidence: `points_per_unit` per time, at most
/// `max_quantity` times per claim.
pub fn award_rule(code: &str, points_per_unit: u64, max_quantity: u32) -> gov::Rule {
    gov::Rule {
        code: code.into(),
        title: format!("rule {code}"),
        category: "环境卫生".into(),
        sign: gov::Sign::Award.into(),
        points_per_unit,
        unit: "次".into(),
        max_quantity,
        evidence_required: false,
        caps: vec![],
    }
}

/// A deduction rule like [`award_rule`].
pub fn deduction_rule(code: &str, points_per_unit: u64, max_quantity: u32) -> gov::Rule {
    gov::Rule {
        sign: gov::Sign::Deduction.into(),
        ..award_rule(code, points_per_unit, max_quantity)
    }
}

/// A cap of `max_points` per household per `period`.
pub fn household_cap(period: gov::CapPeriod, max_points: u64) -> gov::Cap {
    gov::Cap {
        per: gov::CapHolder::Household.into(),
        period: period.into(),
        max_points,
    }
}

/// A resolution dated `date` (days), with a fixed document hash.
pub fn resolution(date: u32) -> gov::Resolution {
    gov::Resolution {
        date,
        document_sha256: vec![7; 32],
        title: "村民代表大会决议".into(),
    }
}

fn governance(operation: gov::governance_operation::Operation) -> Op {
    Op::Governance(gov::GovernanceOperation {
        operation: Some(operation),
    })
}

/// Opens version `version` of `scope`'s catalogue, in force from `from` (days), declaring
/// `rules`.
pub fn open_catalogue(
    scope: gov::CatalogueScope,
    version: u32,
    from: u32,
    rules: &[gov::Rule],
) -> Op {
    governance(gov::governance_operation::Operation::OpenCatalogue(
        gov::OpenCatalogue {
            scope: Some(scope),
            version,
            effective_from: from,
            effective_to: 0,
            resolution: Some(resolution(from)),
            rule_count: u32::try_from(rules.len()).unwrap_or(u32::MAX),
            rules_sha256: crate::wire::rules_sha256(rules).to_vec(),
        },
    ))
}

/// Adds `rules` to version `version` of `scope`'s catalogue.
pub fn add_rules(scope: gov::CatalogueScope, version: u32, rules: &[gov::Rule]) -> Op {
    governance(gov::governance_operation::Operation::AddCatalogueRules(
        gov::AddCatalogueRules {
            catalogue: Some(gov::CatalogueRef {
                scope: Some(scope),
                version,
            }),
            rules: rules.to_vec(),
        },
    ))
}

/// Seals version `version` of `scope`'s catalogue.
pub fn seal_catalogue(scope: gov::CatalogueScope, version: u32) -> Op {
    governance(gov::governance_operation::Operation::SealCatalogue(
        gov::SealCatalogue {
            catalogue: Some(gov::CatalogueRef {
                scope: Some(scope),
                version,
            }),
        },
    ))
}

/// Sets a village policy.
pub fn set_policy(policy: gov::SetVillagePolicy) -> Op {
    governance(gov::governance_operation::Operation::SetVillagePolicy(
        policy,
    ))
}

/// The proposed (documented default) policy of `village`, version `version`, from `from`.
pub fn default_policy(village: &str, version: u32, from: u32) -> gov::SetVillagePolicy {
    proposals::village_policy(village, version, from, resolution(from))
}

impl Ledger {
    /// The civil date of the next commit, as days.
    pub fn today(&self) -> u32 {
        CivilDate::of(UnixMs(self.now + 1)).days()
    }

    /// Adopts a catalogue in steps (open, rules 20 at a time, seal) signed by `signer`; the
    /// seal's entry, or the first refusal.
    pub fn adopt(
        &mut self,
        signer: &Signer,
        scope: gov::CatalogueScope,
        version: u32,
        from: u32,
        rules: &[gov::Rule],
    ) -> Result<EntryRecord, Refusal> {
        self.apply(signer, open_catalogue(scope.clone(), version, from, rules))?;
        for chunk in rules.chunks(crate::ledger::MAX_RULES_PER_ADD) {
            self.apply(signer, add_rules(scope.clone(), version, chunk))?;
        }
        self.apply(signer, seal_catalogue(scope, version))
    }
}
