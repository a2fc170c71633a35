//! Governance: the wire's `GovernanceOperation` into the catalogue and policy families'
//! operations, checking every field that does not depend on the state, and catalogues and
//! policies into their wire form.

use prost::Message;

use crate::ledger::{
    AreaCode, Cap, CapHolder, CapPeriod, CatalogueHeader, CatalogueOp, CatalogueRef,
    CatalogueScope, CatalogueStatus, CatalogueView, CivilDate, IssuerId, MAX_CAPS_PER_RULE,
    MAX_CATALOGUE_RULES, MAX_POINTS_PER_TRANSACTION, MAX_RULES_PER_ADD, Operation, Points,
    PolicyOp, Refusal, Resolution, Rule, RuleCode, Sign, Which, parse_text,
};
use crate::ledger::{ClaimId, ClaimsOp, NoticeId, ObjectionId, parse_memo};
use crate::pb::governance as pb;

pub(super) fn missing(field: &'static str, expected: &str) -> Refusal {
    Refusal::InvalidField {
        field,
        expected: expected.into(),
        found: "nothing".into(),
    }
}

pub(super) fn out_of_range(field: &'static str, expected: String, found: impl ToString) -> Refusal {
    Refusal::InvalidField {
        field,
        expected,
        found: found.to_string(),
    }
}

/// A version number of field `field`: at least 1.
pub(super) fn parse_version(field: &'static str, version: u32) -> Result<u32, Refusal> {
    if version == 0 {
        return Err(out_of_range(
            field,
            "a version number, at least 1".into(),
            0,
        ));
    }
    Ok(version)
}

/// A 32-byte SHA-256 digest of field `field`.
pub(super) fn parse_sha256(field: &'static str, bytes: &[u8]) -> Result<[u8; 32], Refusal> {
    <[u8; 32]>::try_from(bytes).map_err(|_| Refusal::InvalidField {
        field,
        expected: "a 32-byte SHA-256 digest".into(),
        found: format!("{} bytes", bytes.len()),
    })
}

/// A catalogue's scope (exactly one case).
pub fn parse_scope(
    field: &'static str,
    scope: Option<&pb::CatalogueScope>,
) -> Result<CatalogueScope, Refusal> {
    use pb::catalogue_scope::Scope;
    let expected = "one of city, township_code, village_id, program_id";
    Ok(
        match scope
            .and_then(|s| s.scope.as_ref())
            .ok_or_else(|| missing(field, expected))?
        {
            Scope::City(pb::City {}) => CatalogueScope::City,
            Scope::TownshipCode(code) => {
                CatalogueScope::Township(AreaCode::parse("township_code", code)?)
            }
            Scope::VillageId(id) => CatalogueScope::Village(IssuerId::parse("village_id", id)?),
            Scope::ProgramId(id) => CatalogueScope::Program(IssuerId::parse("program_id", id)?),
        },
    )
}

fn parse_ref(reference: Option<&pb::CatalogueRef>) -> Result<CatalogueRef, Refusal> {
    let reference = reference.ok_or_else(|| missing("catalogue", "a scope and a version"))?;
    Ok(CatalogueRef {
        scope: parse_scope("catalogue.scope", reference.scope.as_ref())?,
        version: parse_version("version", reference.version)?,
    })
}

/// The adopting resolution of something in force from `effective_from`: dated on or before it.
pub(super) fn parse_resolution(
    resolution: Option<&pb::Resolution>,
    effective_from: CivilDate,
) -> Result<Resolution, Refusal> {
    let resolution = resolution.ok_or_else(|| missing("resolution", "the adopting resolution"))?;
    let date = CivilDate::from_wire("resolution.date", resolution.date)?;
    if date > effective_from {
        return Err(out_of_range(
            "resolution.date",
            format!("on or before effective_from {effective_from}"),
            date,
        ));
    }
    Ok(Resolution {
        date,
        document_sha256: parse_sha256("resolution.document_sha256", &resolution.document_sha256)?,
        title: parse_text("resolution.title", &resolution.title)?,
    })
}

/// A rule of a catalogue, with every field checked.
fn parse_rule(rule: &pb::Rule) -> Result<Rule, Refusal> {
    let sign = match pb::Sign::try_from(rule.sign) {
        Ok(pb::Sign::Award) => Sign::Award,
        Ok(pb::Sign::Deduction) => Sign::Deduction,
        _ => {
            return Err(out_of_range(
                "rules.sign",
                "SIGN_AWARD or SIGN_DEDUCTION".into(),
                rule.sign,
            ));
        }
    };
    if rule.points_per_unit == 0 || rule.points_per_unit > MAX_POINTS_PER_TRANSACTION {
        return Err(out_of_range(
            "rules.points_per_unit",
            format!("1 to {MAX_POINTS_PER_TRANSACTION}"),
            rule.points_per_unit,
        ));
    }
    let most = u64::from(rule.max_quantity).saturating_mul(rule.points_per_unit);
    if rule.max_quantity == 0 || most > MAX_POINTS_PER_TRANSACTION {
        return Err(out_of_range(
            "rules.max_quantity",
            format!(
                "at least 1, with points_per_unit × max_quantity at most \
                 {MAX_POINTS_PER_TRANSACTION}"
            ),
            rule.max_quantity,
        ));
    }
    if rule.caps.len() > MAX_CAPS_PER_RULE {
        return Err(out_of_range(
            "rules.caps",
            format!("at most {MAX_CAPS_PER_RULE} caps"),
            rule.caps.len(),
        ));
    }
    let mut caps: Vec<Cap> = Vec::with_capacity(rule.caps.len());
    for cap in &rule.caps {
        let per = match pb::CapHolder::try_from(cap.per) {
            Ok(pb::CapHolder::Household) => CapHolder::Household,
            Ok(pb::CapHolder::Member) => CapHolder::Member,
            _ => {
                return Err(out_of_range(
                    "rules.caps.per",
                    "CAP_HOLDER_HOUSEHOLD or CAP_HOLDER_MEMBER".into(),
                    cap.per,
                ));
            }
        };
        let period = match pb::CapPeriod::try_from(cap.period) {
            Ok(pb::CapPeriod::Month) => CapPeriod::Month,
            Ok(pb::CapPeriod::Quarter) => CapPeriod::Quarter,
            Ok(pb::CapPeriod::Year) => CapPeriod::Year,
            _ => {
                return Err(out_of_range(
                    "rules.caps.period",
                    "CAP_PERIOD_MONTH, CAP_PERIOD_QUARTER or CAP_PERIOD_YEAR".into(),
                    cap.period,
                ));
            }
        };
        if cap.max_points == 0 || cap.max_points > MAX_POINTS_PER_TRANSACTION {
            return Err(out_of_range(
                "rules.caps.max_points",
                format!("1 to {MAX_POINTS_PER_TRANSACTION}"),
                cap.max_points,
            ));
        }
        if caps.iter().any(|c| c.per == per && c.period == period) {
            return Err(out_of_range(
                "rules.caps",
                "at most one cap per holder and period".into(),
                format!("two caps per {per:?} per {period:?}").to_lowercase(),
            ));
        }
        caps.push(Cap {
            per,
            period,
            max_points: Points(cap.max_points),
        });
    }
    Ok(Rule {
        code: RuleCode::parse_code(&rule.code)?,
        title: parse_text("rules.title", &rule.title)?,
        category: parse_text("rules.category", &rule.category)?,
        sign,
        points_per_unit: Points(rule.points_per_unit),
        unit: parse_text("rules.unit", &rule.unit)?,
        max_quantity: rule.max_quantity,
        evidence_required: rule.evidence_required,
        caps,
    })
}

fn parse_open(open: &pb::OpenCatalogue) -> Result<CatalogueOp, Refusal> {
    let version = parse_version("version", open.version)?;
    let effective_from = CivilDate::from_wire("effective_from", open.effective_from)?;
    let effective_to = match open.effective_to {
        0 => None,
        days => {
            let to = CivilDate::from_wire("effective_to", days)?;
            if to <= effective_from {
                return Err(out_of_range(
                    "effective_to",
                    format!("0 (open-ended) or a date after effective_from {effective_from}"),
                    to,
                ));
            }
            Some(to)
        }
    };
    let resolution = parse_resolution(open.resolution.as_ref(), effective_from)?;
    if open.rule_count == 0 || open.rule_count > MAX_CATALOGUE_RULES {
        return Err(out_of_range(
            "rule_count",
            format!("1 to {MAX_CATALOGUE_RULES}"),
            open.rule_count,
        ));
    }
    Ok(CatalogueOp::Open {
        catalogue: CatalogueRef {
            scope: parse_scope("scope", open.scope.as_ref())?,
            version,
        },
        header: CatalogueHeader {
            effective_from,
            effective_to,
            resolution,
            rule_count: open.rule_count,
            rules_sha256: parse_sha256("rules_sha256", &open.rules_sha256)?,
        },
    })
}

/// Says which rule of the request a field refusal is about.
fn in_rule(refusal: Refusal, index: usize, rule: &pb::Rule) -> Refusal {
    match refusal {
        Refusal::InvalidField {
            field,
            expected,
            found,
        } => Refusal::InvalidField {
            field,
            expected,
            found: format!("{found} (in rules[{index}], code {:?})", rule.code),
        },
        other => other,
    }
}

fn parse_add(add: &pb::AddCatalogueRules) -> Result<CatalogueOp, Refusal> {
    if add.rules.is_empty() || add.rules.len() > MAX_RULES_PER_ADD {
        return Err(out_of_range(
            "rules",
            format!("1 to {MAX_RULES_PER_ADD} rules"),
            add.rules.len(),
        ));
    }
    // A program only awards, and its awards are capped per household.
    let program = matches!(
        add.catalogue
            .as_ref()
            .and_then(|c| c.scope.as_ref())
            .and_then(|s| s.scope.as_ref()),
        Some(pb::catalogue_scope::Scope::ProgramId(_))
    );
    if program {
        for (i, rule) in add.rules.iter().enumerate() {
            if rule.sign != pb::Sign::Award as i32 {
                return Err(in_rule(
                    out_of_range(
                        "rules.sign",
                        "SIGN_AWARD: a program's catalogue only awards".into(),
                        rule.sign,
                    ),
                    i,
                    rule,
                ));
            }
            if rule
                .caps
                .iter()
                .any(|c| c.per != pb::CapHolder::Household as i32)
            {
                return Err(in_rule(
                    out_of_range(
                        "rules.caps.per",
                        "CAP_HOLDER_HOUSEHOLD: a program's awards are capped per household".into(),
                        "a cap per member",
                    ),
                    i,
                    rule,
                ));
            }
        }
    }
    // The body is canonical, so each rule re-encodes to exactly the bytes that were signed.
    let framed = add
        .rules
        .iter()
        .flat_map(Message::encode_length_delimited_to_vec)
        .collect();
    Ok(CatalogueOp::AddRules {
        catalogue: parse_ref(add.catalogue.as_ref())?,
        rules: add
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| parse_rule(rule).map_err(|refusal| in_rule(refusal, i, rule)))
            .collect::<Result<_, _>>()?,
        framed,
    })
}

use super::claims::{parse_award, parse_claim, parse_notice, parse_resolve, parse_review};
use super::policy::parse_policy;

impl TryFrom<&pb::GovernanceOperation> for Operation {
    type Error = Refusal;

    fn try_from(operation: &pb::GovernanceOperation) -> Result<Self, Refusal> {
        use pb::governance_operation::Operation as Op;
        Ok(
            match operation
                .operation
                .as_ref()
                .ok_or(Refusal::MissingOperation)?
            {
                Op::OpenCatalogue(open) => Operation::Catalogue(parse_open(open)?),
                Op::AddCatalogueRules(add) => Operation::Catalogue(parse_add(add)?),
                Op::SealCatalogue(seal) => Operation::Catalogue(CatalogueOp::Seal {
                    catalogue: parse_ref(seal.catalogue.as_ref())?,
                }),
                Op::SetVillagePolicy(set) => Operation::Policy(PolicyOp::Set(parse_policy(set)?)),
                Op::SubmitClaim(submit) => {
                    Operation::Claims(ClaimsOp::Submit(parse_claim(submit)?))
                }
                Op::ReviewClaim(review) => Operation::Claims(parse_review(review)?),
                Op::WithdrawClaim(w) => Operation::Claims(ClaimsOp::Withdraw {
                    claim: ClaimId::parse("claim_id", &w.claim_id)?,
                    reason: parse_memo("reason", &w.reason, true)?,
                }),
                Op::OpenNotice(open) => Operation::Claims(parse_notice(open)?),
                Op::FileObjection(o) => Operation::Claims(ClaimsOp::FileObjection {
                    objection: ObjectionId::parse("objection_id", &o.objection_id)?,
                    claim: ClaimId::parse("claim_id", &o.claim_id)?,
                    reason: parse_memo("reason", &o.reason, true)?,
                }),
                Op::ResolveObjection(r) => Operation::Claims(parse_resolve(r)?),
                Op::FinalizeNotice(f) => Operation::Claims(ClaimsOp::FinalizeNotice {
                    notice: NoticeId::parse("batch_id", &f.batch_id)?,
                }),
                Op::RequireClaims(pb::RequireClaims {}) => {
                    Operation::Claims(ClaimsOp::RequireClaims)
                }
                Op::AwardByRule(award) => Operation::Claims(parse_award(award)?),
                Op::ReverseClaim(r) => Operation::Claims(ClaimsOp::Reverse {
                    claim: ClaimId::parse("claim_id", &r.claim_id)?,
                    reason: parse_memo("reason", &r.reason, true)?,
                }),
                Op::ExpireLots(run) => Operation::Claims(ClaimsOp::ExpireLots {
                    village: IssuerId::parse("village_id", &run.village_id)?,
                    up_to: CivilDate::from_wire("up_to", run.up_to)?,
                }),
            },
        )
    }
}

/// Which version a query asks for: in force on a date (`Ok(days)`) or by number
/// (`Err(number)`), exactly one.
fn parse_which(which: Option<Result<u32, u32>>) -> Result<Which, Refusal> {
    match which {
        Some(Ok(days)) => Ok(Which::InForceOn(CivilDate::from_wire("in_force_on", days)?)),
        Some(Err(number)) => Ok(Which::Version(parse_version("version", number)?)),
        None => Err(missing("which", "in_force_on (a date) or version")),
    }
}

/// Which catalogue version a `GetCatalogue` asks for.
pub fn catalogue_which(which: Option<&pb::get_catalogue_request::Which>) -> Result<Which, Refusal> {
    use pb::get_catalogue_request::Which as W;
    parse_which(which.map(|w| match *w {
        W::InForceOn(days) => Ok(days),
        W::Version(number) => Err(number),
    }))
}

/// Which policy version a `GetPolicy` asks for.
pub fn policy_which(which: Option<&pb::get_policy_request::Which>) -> Result<Which, Refusal> {
    use pb::get_policy_request::Which as W;
    parse_which(which.map(|w| match *w {
        W::InForceOn(days) => Ok(days),
        W::Version(number) => Err(number),
    }))
}

impl From<&CatalogueScope> for pb::CatalogueScope {
    fn from(scope: &CatalogueScope) -> Self {
        use pb::catalogue_scope::Scope;
        pb::CatalogueScope {
            scope: Some(match scope {
                CatalogueScope::City => Scope::City(pb::City {}),
                CatalogueScope::Township(code) => Scope::TownshipCode(code.to_string()),
                CatalogueScope::Village(id) => Scope::VillageId(id.to_string()),
                CatalogueScope::Program(id) => Scope::ProgramId(id.to_string()),
            }),
        }
    }
}

impl From<&Resolution> for pb::Resolution {
    fn from(resolution: &Resolution) -> Self {
        pb::Resolution {
            date: resolution.date.days(),
            document_sha256: resolution.document_sha256.to_vec(),
            title: resolution.title.clone(),
        }
    }
}

impl From<&Rule> for pb::Rule {
    fn from(rule: &Rule) -> Self {
        pb::Rule {
            code: rule.code.to_string(),
            title: rule.title.clone(),
            category: rule.category.clone(),
            sign: match rule.sign {
                Sign::Award => pb::Sign::Award,
                Sign::Deduction => pb::Sign::Deduction,
            }
            .into(),
            points_per_unit: rule.points_per_unit.get(),
            unit: rule.unit.clone(),
            max_quantity: rule.max_quantity,
            evidence_required: rule.evidence_required,
            caps: rule
                .caps
                .iter()
                .map(|cap| pb::Cap {
                    per: match cap.per {
                        CapHolder::Household => pb::CapHolder::Household,
                        CapHolder::Member => pb::CapHolder::Member,
                    }
                    .into(),
                    period: match cap.period {
                        CapPeriod::Month => pb::CapPeriod::Month,
                        CapPeriod::Quarter => pb::CapPeriod::Quarter,
                        CapPeriod::Year => pb::CapPeriod::Year,
                    }
                    .into(),
                    max_points: cap.max_points.get(),
                })
                .collect(),
        }
    }
}

impl From<CatalogueView> for pb::Catalogue {
    fn from(view: CatalogueView) -> Self {
        pb::Catalogue {
            scope: Some((&view.catalogue.scope).into()),
            version: view.catalogue.version,
            effective_from: view.header.effective_from.days(),
            effective_to: view.header.effective_to.map_or(0, CivilDate::days),
            resolution: Some((&view.header.resolution).into()),
            rule_count: view.header.rule_count,
            rules_sha256: view.header.rules_sha256.to_vec(),
            rules: view.rules.iter().map(|r| pb::Rule::from(&**r)).collect(),
            status: match view.status {
                CatalogueStatus::Open => pb::CatalogueStatus::Open,
                CatalogueStatus::Sealed => pb::CatalogueStatus::Sealed,
                CatalogueStatus::Abandoned => pb::CatalogueStatus::Abandoned,
            }
            .into(),
            opened_at: view.opened_at.get(),
            sealed_at: view.sealed_at.map_or(0, |s| s.get()),
        }
    }
}

/// The `rules_sha256` of a catalogue's rules, in order: SHA-256 over each rule's encoding
/// prefixed by its length as a varint (what `OpenCatalogue` declares and the seal checks).
pub fn rules_sha256(rules: &[pb::Rule]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for rule in rules {
        hasher.update(rule.encode_length_delimited_to_vec());
    }
    hasher.finalize().into()
}
