//! The social assistance part of the wire: `AssistanceOperation` into its operations.

use crate::ledger::{
    ALERT_KINDS, AgreementId, AlertId, AreaCode, AssistanceOp, CaseId, ClaimId, Operation,
    PersonId, Refusal, parse_memo,
};
use crate::pb::assistance as pb;

/// The most days a commitment's verification may take.
const MAX_VERIFY_DAYS: u32 = 60;
/// The most days between visits of a care agreement.
const MAX_VISIT_DAYS: u32 = 90;
/// The most caregivers of one agreement.
const MAX_CAREGIVERS: usize = 4;

fn within(field: &'static str, value: u32, max: u32) -> Result<u32, Refusal> {
    if (1..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Refusal::InvalidField {
            field,
            expected: format!("1 to {max}"),
            found: value.to_string(),
        })
    }
}

impl TryFrom<&pb::AssistanceOperation> for Operation {
    type Error = Refusal;

    fn try_from(operation: &pb::AssistanceOperation) -> Result<Self, Refusal> {
        use pb::assistance_operation::Operation as Op;
        Ok(Operation::Assistance(
            match operation
                .operation
                .as_ref()
                .ok_or(Refusal::MissingOperation)?
            {
                Op::RecordCommitment(c) => AssistanceOp::RecordCommitment {
                    case: CaseId::from_slice(&c.case_id)?,
                    verify_within_days: within(
                        "verify_within_days",
                        c.verify_within_days,
                        MAX_VERIFY_DAYS,
                    )?,
                },
                Op::CompleteVerification(v) => AssistanceOp::CompleteVerification {
                    case: CaseId::from_slice(&v.case_id)?,
                    truthful: v.truthful,
                    reason: parse_memo("reason", &v.reason, true)?,
                },
                Op::RaiseAlert(a) => {
                    if !ALERT_KINDS.contains(&a.kind.as_str()) {
                        return Err(Refusal::InvalidField {
                            field: "kind",
                            expected: format!("one of {}", ALERT_KINDS.join(", ")),
                            found: format!("{:?}", a.kind.chars().take(32).collect::<String>()),
                        });
                    }
                    AssistanceOp::RaiseAlert {
                        alert: AlertId::from_slice(&a.alert_id)?,
                        person: PersonId::from_slice(&a.person_id)?,
                        kind: a.kind.clone(),
                        area: AreaCode::parse("area_code", &a.area_code)?,
                    }
                }
                Op::ResolveAlert(r) => AssistanceOp::ResolveAlert {
                    alert: AlertId::from_slice(&r.alert_id)?,
                    case: (!r.case_id.is_empty())
                        .then(|| CaseId::from_slice(&r.case_id))
                        .transpose()?,
                    reason: parse_memo("reason", &r.reason, true)?,
                },
                Op::SignCareAgreement(s) => {
                    let caregivers = s
                        .caregiver_ids
                        .iter()
                        .map(|id| PersonId::from_slice(id))
                        .collect::<Result<Vec<_>, _>>()?;
                    let distinct = caregivers
                        .iter()
                        .collect::<std::collections::BTreeSet<_>>()
                        .len();
                    if caregivers.is_empty()
                        || caregivers.len() > MAX_CAREGIVERS
                        || distinct != caregivers.len()
                    {
                        return Err(Refusal::InvalidField {
                            field: "caregiver_ids",
                            expected: format!("1 to {MAX_CAREGIVERS} persons, none twice"),
                            found: format!("{} persons, {distinct} distinct", caregivers.len()),
                        });
                    }
                    AssistanceOp::SignCareAgreement {
                        agreement: AgreementId::from_slice(&s.agreement_id)?,
                        case: CaseId::from_slice(&s.case_id)?,
                        caregivers,
                        visit_every_days: within(
                            "visit_every_days",
                            s.visit_every_days,
                            MAX_VISIT_DAYS,
                        )?,
                    }
                }
                Op::RecordVisit(v) => AssistanceOp::RecordVisit {
                    agreement: AgreementId::from_slice(&v.agreement_id)?,
                    note: parse_memo("note", &v.note, true)?,
                    volunteer: match (v.volunteer_id.is_empty(), v.activity_id.is_empty()) {
                        (true, true) => None,
                        (false, false) => Some((
                            PersonId::from_slice(&v.volunteer_id)?,
                            ClaimId::parse("activity_id", &v.activity_id)?,
                        )),
                        (volunteer_empty, _) => {
                            return Err(Refusal::InvalidField {
                                field: "activity_id",
                                expected: "an activity id with a volunteer_id, and neither \
                                           without one"
                                    .into(),
                                found: if volunteer_empty {
                                    "an activity id without a volunteer".into()
                                } else {
                                    "a volunteer without an activity id".into()
                                },
                            });
                        }
                    },
                },
            },
        ))
    }
}
