//! The social organizations part of the wire: `OrganizationsOperation` into its operations.

use super::children::one_of;
use super::governance::parse_sha256;
use super::projects::fen;
use crate::ledger::{
    AbnormalGround, AreaCode, CASE_KINDS, CASE_OUTCOMES, CaseSubject, ContestId, EnforcementCaseId,
    INSPECTION_RESULTS, Operation, OrganizationId, OrganizationsOp, Refusal, parse_memo,
    parse_text,
};
use crate::pb::organizations as pb;

fn organization(bytes: &[u8]) -> Result<OrganizationId, Refusal> {
    OrganizationId::from_slice(bytes)
}

/// A digest that must be empty (`None`) or 32 bytes.
fn optional_sha256(field: &'static str, bytes: &[u8]) -> Result<Option<[u8; 32]>, Refusal> {
    match bytes {
        [] => Ok(None),
        bytes => parse_sha256(field, bytes).map(Some),
    }
}

/// A field that must be empty for this kind of request.
fn empty(field: &'static str, empty: bool, when: &str) -> Result<(), Refusal> {
    if empty {
        return Ok(());
    }
    Err(Refusal::InvalidField {
        field,
        expected: format!("empty {when}"),
        found: "a value".into(),
    })
}

fn ground(l: &pb::ListAbnormal) -> Result<(AbnormalGround, Option<[u8; 32]>), Refusal> {
    let evidence = optional_sha256("evidence_sha256", &l.evidence_sha256)?;
    match one_of("ground", &l.ground, &["missing-report", "unreachable"])? {
        "missing-report" => {
            empty(
                "evidence_sha256",
                evidence.is_none(),
                "for a missing report (the ledger knows it is missing)",
            )?;
            Ok((AbnormalGround::MissingReport(year(l.year)?), None))
        }
        _ => {
            empty("year", l.year == 0, "for an unreachable organization")?;
            let evidence = evidence.ok_or_else(|| Refusal::InvalidField {
                field: "evidence_sha256",
                expected: "the SHA-256 of the record of the failed contacts".into(),
                found: "empty".into(),
            })?;
            Ok((AbnormalGround::Unreachable, Some(evidence)))
        }
    }
}

fn case_subject(o: &pb::OpenEnforcementCase) -> Result<CaseSubject, Refusal> {
    match one_of("kind", &o.kind, CASE_KINDS)? {
        "zombie-cleanup" => {
            empty(
                "area_code",
                o.area_code.is_empty(),
                "for a zombie clean-up (the organization's area is the case's)",
            )?;
            empty("name", o.name.is_empty(), "for a zombie clean-up")?;
            Ok(CaseSubject::Cleanup(organization(&o.organization_id)?))
        }
        _ => {
            empty(
                "organization_id",
                o.organization_id.is_empty(),
                "for an illegal organization (it is not registered)",
            )?;
            Ok(CaseSubject::Illegal {
                area: AreaCode::parse("area_code", &o.area_code)?,
                name: parse_text("name", &o.name)?,
            })
        }
    }
}

fn year(value: u32) -> Result<u32, Refusal> {
    if !(2000..=9999).contains(&value) {
        return Err(Refusal::InvalidField {
            field: "year",
            expected: "a year from 2000 to 9999".into(),
            found: value.to_string(),
        });
    }
    Ok(value)
}

impl TryFrom<&pb::OrganizationsOperation> for Operation {
    type Error = Refusal;

    fn try_from(operation: &pb::OrganizationsOperation) -> Result<Self, Refusal> {
        use pb::organizations_operation::Operation as Op;
        Ok(Operation::Organizations(
            match operation
                .operation
                .as_ref()
                .ok_or(Refusal::MissingOperation)?
            {
                Op::FileAnnualReport(f) => OrganizationsOp::FileReport {
                    organization: organization(&f.organization_id)?,
                    year: year(f.year)?,
                    report: parse_sha256("report_sha256", &f.report_sha256)?,
                },
                Op::RecordAnnualInspection(i) => OrganizationsOp::Inspect {
                    organization: organization(&i.organization_id)?,
                    year: year(i.year)?,
                    result: one_of("result", &i.result, INSPECTION_RESULTS)?,
                    conclusion: parse_sha256("conclusion_sha256", &i.conclusion_sha256)?,
                },
                Op::ListAbnormal(l) => {
                    let (ground, evidence) = ground(l)?;
                    OrganizationsOp::ListAbnormal {
                        organization: organization(&l.organization_id)?,
                        ground,
                        evidence,
                    }
                }
                Op::RemoveFromAbnormalList(r) => OrganizationsOp::RemoveAbnormal {
                    organization: organization(&r.organization_id)?,
                    evidence: optional_sha256("evidence_sha256", &r.evidence_sha256)?,
                    reason: parse_memo("reason", &r.reason, true)?,
                },
                Op::ListSerious(l) => OrganizationsOp::ListSerious {
                    organization: organization(&l.organization_id)?,
                    reason: parse_memo("reason", &l.reason, true)?,
                },
                Op::OpenEnforcementCase(o) => OrganizationsOp::OpenCase {
                    case: EnforcementCaseId::from_slice(&o.case_id)?,
                    subject: case_subject(o)?,
                    ground: parse_memo("ground", &o.ground, true)?,
                    evidence: parse_sha256("evidence_sha256", &o.evidence_sha256)?,
                },
                Op::CloseEnforcementCase(c) => OrganizationsOp::CloseCase {
                    case: EnforcementCaseId::from_slice(&c.case_id)?,
                    outcome: one_of("outcome", &c.outcome, CASE_OUTCOMES)?,
                    decision: parse_sha256("decision_sha256", &c.decision_sha256)?,
                    reason: parse_memo("reason", &c.reason, true)?,
                },
                Op::DefineContest(d) => OrganizationsOp::DefineContest {
                    contest: ContestId::parse("contest_id", &d.contest_id)?,
                    title: parse_text("title", &d.title)?,
                    year: year(d.year)?,
                    area: AreaCode::parse("area_code", &d.area_code)?,
                    budget_fen: fen("budget_fen", d.budget_fen, true)?,
                },
                Op::AwardGrant(a) => OrganizationsOp::AwardGrant {
                    contest: ContestId::parse("contest_id", &a.contest_id)?,
                    organization: organization(&a.organization_id)?,
                    amount_fen: fen("amount_fen", a.amount_fen, true)?,
                    title: parse_text("project_title", &a.project_title)?,
                    application: parse_sha256("application_sha256", &a.application_sha256)?,
                },
            },
        ))
    }
}
