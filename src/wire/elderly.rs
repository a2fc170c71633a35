//! The elderly care part of the wire: `ElderlyOperation` into its operations.

use super::children::one_of;
use super::governance::parse_sha256;
use crate::ledger::{
    ABILITY_LEVELS, AGE_TIERS, AdaptationId, AreaCode, CanteenId, CertificateId, CivilDate,
    ClaimId, ElderlyOp, INSTITUTION_STATUSES, MAX_ADAPTATION_FEN, MAX_BEDS, MAX_SHIFT_HOURS,
    MEAL_SLOTS, Operation, OrganizationId, PersonId, Refusal, parse_code, parse_text,
};
use crate::pb::elderly as pb;

fn canteen(value: &str) -> Result<CanteenId, Refusal> {
    CanteenId::parse("canteen_id", value)
}

fn fen(field: &'static str, value: u64, positive: bool) -> Result<u64, Refusal> {
    if value > MAX_ADAPTATION_FEN || (positive && value == 0) {
        return Err(Refusal::InvalidField {
            field,
            expected: format!(
                "{} to {MAX_ADAPTATION_FEN} fen (100,000 yuan)",
                u8::from(positive)
            ),
            found: value.to_string(),
        });
    }
    Ok(value)
}

fn beds(r: &pb::RecordInstitution) -> Result<(u32, u32), Refusal> {
    if r.total_beds == 0 || r.total_beds > MAX_BEDS {
        return Err(Refusal::InvalidField {
            field: "total_beds",
            expected: format!("1 to {MAX_BEDS} beds"),
            found: r.total_beds.to_string(),
        });
    }
    if r.nursing_beds > r.total_beds {
        return Err(Refusal::InvalidField {
            field: "nursing_beds",
            expected: format!("at most the {} beds in all", r.total_beds),
            found: r.nursing_beds.to_string(),
        });
    }
    Ok((r.total_beds, r.nursing_beds))
}

impl TryFrom<&pb::ElderlyOperation> for Operation {
    type Error = Refusal;

    fn try_from(operation: &pb::ElderlyOperation) -> Result<Self, Refusal> {
        use pb::elderly_operation::Operation as Op;
        let tiers: Vec<&'static str> = AGE_TIERS.iter().map(|(t, _, _)| *t).collect();
        Ok(Operation::Elderly(
            match operation
                .operation
                .as_ref()
                .ok_or(Refusal::MissingOperation)?
            {
                Op::RecordInstitution(r) => {
                    let (total_beds, nursing_beds) = beds(r)?;
                    ElderlyOp::RecordInstitution {
                        organization: OrganizationId::from_slice(&r.organization_id)?,
                        total_beds,
                        nursing_beds,
                        status: one_of("status", &r.status, INSTITUTION_STATUSES)?,
                    }
                }
                Op::GradeInstitution(g) => ElderlyOp::Grade {
                    organization: OrganizationId::from_slice(&g.organization_id)?,
                    grade: match u8::try_from(g.grade) {
                        Ok(grade @ 1..=5) => grade,
                        _ => {
                            return Err(Refusal::InvalidField {
                                field: "grade",
                                expected: "a grade from 1 to 5".into(),
                                found: g.grade.to_string(),
                            });
                        }
                    },
                    conclusion: parse_sha256("conclusion_sha256", &g.conclusion_sha256)?,
                },
                Op::RecordStaffCertificate(c) => ElderlyOp::Certificate {
                    certificate: CertificateId::from_slice(&c.certificate_id)?,
                    organization: OrganizationId::from_slice(&c.organization_id)?,
                    kind: parse_code("kind", &c.kind)?,
                    valid_until: CivilDate::from_wire("valid_until", c.valid_until)?,
                    digest: parse_sha256("certificate_sha256", &c.certificate_sha256)?,
                },
                Op::AssessAbility(a) => ElderlyOp::Assess {
                    person: PersonId::from_slice(&a.person_id)?,
                    level: one_of("level", &a.level, ABILITY_LEVELS)?,
                    report: parse_sha256("report_sha256", &a.report_sha256)?,
                },
                Op::DefineCanteen(d) => ElderlyOp::DefineCanteen {
                    canteen: canteen(&d.canteen_id)?,
                    name: parse_text("name", &d.name)?,
                    area: AreaCode::parse("area_code", &d.area_code)?,
                },
                Op::EnrollDiner(e) => ElderlyOp::EnrollDiner {
                    canteen: canteen(&e.canteen_id)?,
                    person: PersonId::from_slice(&e.person_id)?,
                    tier: one_of("age_tier", &e.age_tier, &tiers)?,
                },
                Op::ServeMeal(m) => ElderlyOp::ServeMeal {
                    canteen: canteen(&m.canteen_id)?,
                    person: PersonId::from_slice(&m.person_id)?,
                    slot: one_of("slot", &m.slot, MEAL_SLOTS)?,
                },
                Op::OpenAdaptation(o) => ElderlyOp::OpenAdaptation {
                    case: AdaptationId::from_slice(&o.case_id)?,
                    person: PersonId::from_slice(&o.person_id)?,
                    budget_fen: fen("budget_fen", o.budget_fen, true)?,
                    plan: parse_sha256("plan_sha256", &o.plan_sha256)?,
                },
                Op::CompleteAdaptation(c) => ElderlyOp::CompleteAdaptation {
                    case: AdaptationId::from_slice(&c.case_id)?,
                    cost_fen: fen("cost_fen", c.cost_fen, false)?,
                    acceptance: parse_sha256("acceptance_sha256", &c.acceptance_sha256)?,
                },
                Op::EnrollInsurance(i) => ElderlyOp::Insure {
                    person: PersonId::from_slice(&i.person_id)?,
                    year: if (2000..=9999).contains(&i.policy_year) {
                        i.policy_year
                    } else {
                        return Err(Refusal::InvalidField {
                            field: "policy_year",
                            expected: "a year from 2000 to 9999".into(),
                            found: i.policy_year.to_string(),
                        });
                    },
                    policy: parse_sha256("policy_sha256", &i.policy_sha256)?,
                },
                Op::RecordVolunteerShift(s) => ElderlyOp::VolunteerShift {
                    activity: ClaimId::parse("activity_id", &s.activity_id)?,
                    canteen: canteen(&s.canteen_id)?,
                    volunteer: PersonId::from_slice(&s.volunteer_id)?,
                    day: CivilDate::from_wire("day", s.day)?,
                    hours: if (1..=MAX_SHIFT_HOURS).contains(&s.hours) {
                        s.hours
                    } else {
                        return Err(Refusal::InvalidField {
                            field: "hours",
                            expected: format!("1 to {MAX_SHIFT_HOURS} hours"),
                            found: s.hours.to_string(),
                        });
                    },
                },
            },
        ))
    }
}
