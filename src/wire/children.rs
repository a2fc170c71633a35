//! The children's program part of the wire: `ChildrenOperation` into its operations.

use crate::ledger::{
    AreaCode, CONCERN_SOURCES, CaseId, ChildCategory, ChildrenOp, Operation, PersonId, Refusal,
    ReportId, parse_memo,
};
use crate::pb::children as pb;

/// A child's id: a person's, named as the field the request gave.
pub fn child_id(bytes: &[u8]) -> Result<PersonId, Refusal> {
    PersonId::from_slice(bytes).map_err(|_| Refusal::InvalidField {
        field: "child_id",
        expected: "exactly 16 bytes".into(),
        found: format!("{} bytes", bytes.len()),
    })
}

/// The entry of `allowed` that `value` is, or `INVALID_FIELD` naming them.
pub(super) fn one_of(
    field: &'static str,
    value: &str,
    allowed: &[&'static str],
) -> Result<&'static str, Refusal> {
    if let Some(found) = allowed.iter().find(|a| **a == value) {
        return Ok(found);
    }
    Err(Refusal::InvalidField {
        field,
        expected: format!("one of {}", allowed.join(", ")),
        found: format!("{:?}", value.chars().take(32).collect::<String>()),
    })
}

impl TryFrom<&pb::ChildrenOperation> for Operation {
    type Error = Refusal;

    fn try_from(operation: &pb::ChildrenOperation) -> Result<Self, Refusal> {
        use pb::children_operation::Operation as Op;
        Ok(Operation::Children(
            match operation
                .operation
                .as_ref()
                .ok_or(Refusal::MissingOperation)?
            {
                Op::SetChildCategory(s) => {
                    let names: Vec<&str> = ChildCategory::ALL.iter().map(|c| c.name()).collect();
                    let category = one_of("category", &s.category, &names)
                        .map(ChildCategory::parse)?
                        .ok_or(Refusal::MissingOperation)?;
                    ChildrenOp::SetCategory {
                        child: child_id(&s.child_id)?,
                        category,
                        area: AreaCode::parse("area_code", &s.area_code)?,
                        evidence: <[u8; 32]>::try_from(s.evidence_sha256.as_slice()).map_err(
                            |_| Refusal::InvalidField {
                                field: "evidence_sha256",
                                expected: "the 32 bytes of a SHA-256 digest".into(),
                                found: format!("{} bytes", s.evidence_sha256.len()),
                            },
                        )?,
                    }
                }
                Op::EndChildCategory(e) => ChildrenOp::EndCategory {
                    child: child_id(&e.child_id)?,
                    reason: parse_memo("reason", &e.reason, true)?,
                },
                Op::ReportConcern(r) => ChildrenOp::ReportConcern {
                    report: ReportId::from_slice(&r.report_id)?,
                    child: child_id(&r.child_id)?,
                    source: one_of("source", &r.source, CONCERN_SOURCES)?.to_owned(),
                    area: AreaCode::parse("area_code", &r.area_code)?,
                },
                Op::VerifyConcern(v) => ChildrenOp::VerifyConcern {
                    report: ReportId::from_slice(&v.report_id)?,
                },
                Op::CloseConcern(c) => ChildrenOp::CloseConcern {
                    report: ReportId::from_slice(&c.report_id)?,
                    case: (!c.case_id.is_empty())
                        .then(|| CaseId::from_slice(&c.case_id))
                        .transpose()?,
                    reason: parse_memo("reason", &c.reason, true)?,
                },
                Op::RecordChildVisit(v) => ChildrenOp::RecordVisit {
                    child: child_id(&v.child_id)?,
                    note: parse_memo("note", &v.note, true)?,
                },
            },
        ))
    }
}
