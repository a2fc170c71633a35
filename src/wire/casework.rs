//! The casework part of the wire: `CaseworkOperation` into the casework family's operations.

use crate::ledger::{AreaCode, CaseId, CaseworkOp, Operation, PersonId, Refusal, parse_memo};
use crate::pb::casework as pb;

/// The longest case type code accepted.
const MAX_CASE_TYPE_CHARS: usize = 64;

impl TryFrom<&pb::CaseworkOperation> for Operation {
    type Error = Refusal;

    fn try_from(operation: &pb::CaseworkOperation) -> Result<Self, Refusal> {
        use pb::casework_operation::Operation as Op;
        let bounded = |field: &'static str, text: &str| {
            if text.is_empty() || text.chars().count() > MAX_CASE_TYPE_CHARS {
                return Err(Refusal::InvalidField {
                    field,
                    expected: format!("1 to {MAX_CASE_TYPE_CHARS} characters"),
                    found: format!("{} characters", text.chars().count()),
                });
            }
            Ok(text.to_owned())
        };
        Ok(Operation::Casework(
            match operation
                .operation
                .as_ref()
                .ok_or(Refusal::MissingOperation)?
            {
                Op::OpenCase(o) => CaseworkOp::OpenCase {
                    case: CaseId::from_slice(&o.case_id)?,
                    case_type: bounded("case_type", &o.case_type)?,
                    person: PersonId::from_slice(&o.person_id)?,
                    area: AreaCode::parse("area_code", &o.area_code)?,
                },
                Op::TransitionCase(t) => CaseworkOp::Transition {
                    case: CaseId::from_slice(&t.case_id)?,
                    to: bounded("to_state", &t.to_state)?,
                    reason: parse_memo("reason", &t.reason, true)?,
                    cadence: (!t.review_cadence.is_empty())
                        .then(|| bounded("review_cadence", &t.review_cadence))
                        .transpose()?,
                },
                Op::FileObjection(o) => CaseworkOp::FileObjection {
                    case: CaseId::from_slice(&o.case_id)?,
                    ground: parse_memo("ground", &o.ground, true)?,
                },
                Op::ResolveObjection(r) => CaseworkOp::ResolveObjection {
                    case: CaseId::from_slice(&r.case_id)?,
                    objection: r.objection,
                    upheld: r.upheld,
                    reason: parse_memo("reason", &r.reason, true)?,
                },
            },
        ))
    }
}
