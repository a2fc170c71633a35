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

/// The date of the resolutions the builders cite: the day of [`T0`](super::T0), so never
/// after a commit of a test.
pub fn resolved_on() -> u32 {
    CivilDate::of(UnixMs(super::T0)).days()
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
            resolution: Some(resolution(resolved_on().min(from))),
            rule_count: u32::try_from(rules.len()).unwrap_or(u32::MAX),
            rules_sha256: crate::wire::rules_sha256(rules).to_vec(),
        },
    ))
}

/// [`open_catalogue`], changed by `edit` (an end date, another resolution, a bad field).
pub fn open_catalogue_with(
    scope: gov::CatalogueScope,
    version: u32,
    from: u32,
    rules: &[gov::Rule],
    edit: impl FnOnce(&mut gov::OpenCatalogue),
) -> Op {
    let mut op = open_catalogue(scope, version, from, rules);
    if let Op::Governance(gov::GovernanceOperation {
        operation: Some(gov::governance_operation::Operation::OpenCatalogue(open)),
    }) = &mut op
    {
        edit(open);
    }
    op
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
    proposals::village_policy(village, version, from, resolution(resolved_on().min(from)))
}

/// The steps that adopt a catalogue: open, its rules 20 at a time, seal.
pub fn adopt_ops(
    scope: gov::CatalogueScope,
    version: u32,
    from: u32,
    rules: &[gov::Rule],
) -> Vec<Op> {
    let mut ops = vec![open_catalogue(scope.clone(), version, from, rules)];
    for chunk in rules.chunks(crate::ledger::MAX_RULES_PER_ADD) {
        ops.push(add_rules(scope.clone(), version, chunk));
    }
    ops.push(seal_catalogue(scope, version));
    ops
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
        let mut last = None;
        for op in adopt_ops(scope, version, from, rules) {
            last = Some(self.apply(signer, op)?);
        }
        last.ok_or(Refusal::MissingOperation)
    }
}

/// A registry operation.
fn registry(operation: crate::pb::registry::registry_operation::Operation) -> Op {
    Op::Registry(crate::pb::registry::RegistryOperation {
        operation: Some(operation),
    })
}

/// A member (subject id `[byte; 16]`) joins a household on `joined_on` (days).
pub fn register_member(household: &str, member: u8, joined_on: u32) -> Op {
    use crate::pb::registry as reg;
    registry(reg::registry_operation::Operation::RegisterMember(
        reg::RegisterMember {
            household_id: household.into(),
            member_id: vec![member; 16],
            joined_on,
        },
    ))
}

/// A member leaves their household on `left_on`.
pub fn member_left(member: u8, left_on: u32) -> Op {
    use crate::pb::registry as reg;
    registry(reg::registry_operation::Operation::MemberLeft(
        reg::MemberLeft {
            member_id: vec![member; 16],
            left_on,
        },
    ))
}

/// A household leaves its village on `left_on`.
pub fn household_left(household: &str, left_on: u32) -> Op {
    use crate::pb::registry as reg;
    registry(reg::registry_operation::Operation::HouseholdLeft(
        reg::HouseholdLeft {
            household_id: household.into(),
            left_on,
        },
    ))
}

/// Records an officer key's household (`None`: none of the village's).
pub fn set_officer_household(officer: &Signer, household: Option<&str>) -> Op {
    use crate::pb::registry as reg;
    use reg::set_officer_household::Household;
    registry(reg::registry_operation::Operation::SetOfficerHousehold(
        reg::SetOfficerHousehold {
            key_id: officer.key_id().to_string(),
            household: Some(match household {
                Some(h) => Household::HouseholdId(h.into()),
                None => Household::None(reg::NoHousehold {}),
            }),
        },
    ))
}

/// A claim of `quantity` units of `rule` for `household`, deed on `deed_date` (days), no
/// member, no evidence.
pub fn submit_claim(claim: &str, household: &str, rule: &str, quantity: u32, deed_date: u32) -> Op {
    governance(gov::governance_operation::Operation::SubmitClaim(
        gov::SubmitClaim {
            claim_id: claim.into(),
            household_id: household.into(),
            member_id: vec![],
            rule_code: rule.into(),
            quantity,
            deed_date,
            evidence_sha256: vec![],
            memo: String::new(),
        },
    ))
}

/// A claim like [`submit_claim`] with a member and an evidence hash.
pub fn submit_claim_with(
    claim: &str,
    household: &str,
    rule: &str,
    quantity: u32,
    deed_date: u32,
    member: Option<u8>,
    evidence: Option<u8>,
) -> Op {
    governance(gov::governance_operation::Operation::SubmitClaim(
        gov::SubmitClaim {
            claim_id: claim.into(),
            household_id: household.into(),
            member_id: member.map(|m| vec![m; 16]).unwrap_or_default(),
            rule_code: rule.into(),
            quantity,
            deed_date,
            evidence_sha256: evidence.map(|e| vec![e; 32]).unwrap_or_default(),
            memo: String::new(),
        },
    ))
}

fn review(claim: &str, decision: gov::review_claim::Decision) -> Op {
    governance(gov::governance_operation::Operation::ReviewClaim(
        gov::ReviewClaim {
            claim_id: claim.into(),
            decision: Some(decision),
            reason: "reviewed".into(),
        },
    ))
}

/// Approves a claim.
pub fn approve(claim: &str) -> Op {
    review(claim, gov::review_claim::Decision::Approve(gov::Approve {}))
}

/// Rejects a claim.
pub fn reject(claim: &str) -> Op {
    review(claim, gov::review_claim::Decision::Reject(gov::Reject {}))
}

/// Approves a claim with another quantity.
pub fn adjust(claim: &str, quantity: u32) -> Op {
    review(claim, gov::review_claim::Decision::AdjustQuantity(quantity))
}

/// Withdraws a claim.
pub fn withdraw(claim: &str) -> Op {
    governance(gov::governance_operation::Operation::WithdrawClaim(
        gov::WithdrawClaim {
            claim_id: claim.into(),
            reason: "withdrawn".into(),
        },
    ))
}

/// Opens a notice batch of `village`'s claims.
pub fn open_notice(batch: &str, village: &str, claims: &[&str]) -> Op {
    governance(gov::governance_operation::Operation::OpenNotice(
        gov::OpenNotice {
            batch_id: batch.into(),
            village_id: village.into(),
            claim_ids: claims.iter().map(|c| (*c).into()).collect(),
        },
    ))
}

/// Objects to a claim on notice.
pub fn file_objection(objection: &str, claim: &str) -> Op {
    governance(gov::governance_operation::Operation::FileObjection(
        gov::FileObjection {
            objection_id: objection.into(),
            claim_id: claim.into(),
            reason: "the lane was not cleaned".into(),
        },
    ))
}

/// Resolves an objection: upheld or dismissed.
pub fn resolve_objection(objection: &str, upheld: bool) -> Op {
    use gov::resolve_objection::Decision;
    governance(gov::governance_operation::Operation::ResolveObjection(
        gov::ResolveObjection {
            objection_id: objection.into(),
            decision: Some(if upheld {
                Decision::Upheld(gov::Upheld {})
            } else {
                Decision::Dismissed(gov::Dismissed {})
            }),
            reason: "checked on site".into(),
        },
    ))
}

/// Finalizes a notice batch.
pub fn finalize_notice(batch: &str) -> Op {
    governance(gov::governance_operation::Operation::FinalizeNotice(
        gov::FinalizeNotice {
            batch_id: batch.into(),
        },
    ))
}

/// From now on, points only through claims.
pub fn require_claims() -> Op {
    governance(gov::governance_operation::Operation::RequireClaims(
        gov::RequireClaims {},
    ))
}

/// A program's award of `quantity` units of `rule` to `household` for `activity`, on
/// `deed_date` (days), without evidence.
pub fn award_by_rule(
    program: &str,
    activity: &str,
    household: &str,
    rule: &str,
    quantity: u32,
    deed_date: u32,
) -> Op {
    governance(gov::governance_operation::Operation::AwardByRule(
        gov::AwardByRule {
            program_id: program.into(),
            activity_id: activity.into(),
            household_id: household.into(),
            rule_code: rule.into(),
            quantity,
            deed_date,
            evidence_sha256: vec![],
            memo: String::new(),
        },
    ))
}

/// An expiry run for `village`'s lots expired by `up_to` (days).
pub fn expire_lots(village: &str, up_to: u32) -> Op {
    governance(gov::governance_operation::Operation::ExpireLots(
        gov::ExpireLots {
            village_id: village.into(),
            up_to,
        },
    ))
}

/// Reverses a posted claim.
pub fn reverse_claim(claim: &str) -> Op {
    governance(gov::governance_operation::Operation::ReverseClaim(
        gov::ReverseClaim {
            claim_id: claim.into(),
            reason: "posted for the wrong household".into(),
        },
    ))
}
