//! The benefits part of the wire: `BenefitsOperation` into the benefits family's operations.

use crate::ledger::{
    AreaCode, BatchId, BenefitsOp, CaseId, EnrollmentId, Operation, OrganizationId, Period,
    PersonId, Program, Refusal, UnitId, parse_code, parse_memo, parse_text,
};
use crate::pb::benefits as pb;

/// The highest standard or monthly amount accepted, in fen (1,000,000 yuan a month): far
/// above any real one, and low enough that no batch total can overflow.
pub const MAX_MONTHLY_FEN: u64 = 100_000_000;

/// A monthly amount in fen, 1 to [`MAX_MONTHLY_FEN`].
fn monthly(field: &'static str, fen: u64) -> Result<u64, Refusal> {
    if (1..=MAX_MONTHLY_FEN).contains(&fen) {
        Ok(fen)
    } else {
        Err(Refusal::InvalidField {
            field,
            expected: format!("1 to {MAX_MONTHLY_FEN} fen"),
            found: fen.to_string(),
        })
    }
}

/// The most case types one scheme names.
const MAX_SCHEME_CASE_TYPES: usize = 16;

impl TryFrom<&pb::BenefitsOperation> for Operation {
    type Error = Refusal;

    fn try_from(operation: &pb::BenefitsOperation) -> Result<Self, Refusal> {
        use pb::benefits_operation::Operation as Op;
        let scheme = |text: &str| parse_code("scheme", text);
        Ok(Operation::Benefits(
            match operation
                .operation
                .as_ref()
                .ok_or(Refusal::MissingOperation)?
            {
                Op::DefineScheme(d) => {
                    if d.case_types.len() > MAX_SCHEME_CASE_TYPES {
                        return Err(Refusal::InvalidField {
                            field: "case_types",
                            expected: format!("at most {MAX_SCHEME_CASE_TYPES} case types"),
                            found: d.case_types.len().to_string(),
                        });
                    }
                    BenefitsOp::DefineScheme {
                        code: scheme(&d.scheme)?,
                        program: Program::parse("program", &d.program)?,
                        case_types: d
                            .case_types
                            .iter()
                            .map(|t| parse_text("case_types", t))
                            .collect::<Result<_, _>>()?,
                        exclusive_group: (!d.exclusive_group.is_empty())
                            .then(|| parse_code("exclusive_group", &d.exclusive_group))
                            .transpose()?,
                    }
                }
                Op::SetSchemeParameters(p) => BenefitsOp::SetParameters {
                    scheme: scheme(&p.scheme)?,
                    version: p.version,
                    effective_from: Period::parse("effective_from", &p.effective_from)?,
                    monthly_fen: monthly("monthly_fen", p.monthly_fen)?,
                },
                Op::Enroll(e) => BenefitsOp::Enroll {
                    enrollment: EnrollmentId::from_slice(&e.enrollment_id)?,
                    scheme: scheme(&e.scheme)?,
                    case: CaseId::from_slice(&e.case_id)?,
                    from: Period::parse("from_period", &e.from_period)?,
                    monthly_fen: monthly("monthly_fen", e.monthly_fen)?,
                },
                Op::EndEnrollment(e) => BenefitsOp::EndEnrollment {
                    enrollment: EnrollmentId::from_slice(&e.enrollment_id)?,
                    last: Period::parse("last_period", &e.last_period)?,
                    reason: parse_memo("reason", &e.reason, true)?,
                },
                Op::IssuePaymentBatch(b) => BenefitsOp::IssuePaymentBatch {
                    batch: BatchId::from_slice(&b.batch_id)?,
                    scheme: scheme(&b.scheme)?,
                    area: AreaCode::parse("area_code", &b.area_code)?,
                    period: Period::parse("period", &b.period)?,
                },
                Op::RecordRecovery(r) => BenefitsOp::RecordRecovery {
                    enrollment: EnrollmentId::from_slice(&r.enrollment_id)?,
                    amount_fen: match r.amount_fen {
                        0 => {
                            return Err(Refusal::InvalidField {
                                field: "amount_fen",
                                expected: "at least 1 fen".into(),
                                found: "0".into(),
                            });
                        }
                        fen => fen,
                    },
                    reason: parse_memo("reason", &r.reason, true)?,
                },
                Op::DefineUnit(u) => BenefitsOp::DefineUnit {
                    unit: UnitId::from_slice(&u.unit_id)?,
                    kind: parse_code("kind", &u.kind)?,
                    label: parse_text("label", &u.label)?,
                    program: Program::parse("program", &u.program)?,
                    area: AreaCode::parse("area_code", &u.area_code)?,
                    organization: (!u.organization_id.is_empty())
                        .then(|| OrganizationId::from_slice(&u.organization_id))
                        .transpose()?,
                },
                Op::AllocateUnit(a) => BenefitsOp::AllocateUnit {
                    unit: UnitId::from_slice(&a.unit_id)?,
                    person: PersonId::from_slice(&a.person_id)?,
                },
                Op::ReleaseUnit(r) => BenefitsOp::ReleaseUnit {
                    unit: UnitId::from_slice(&r.unit_id)?,
                    reason: parse_memo("reason", &r.reason, true)?,
                },
            },
        ))
    }
}
