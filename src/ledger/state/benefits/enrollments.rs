//! Enrollments: a person in a scheme, on a case that grants it (a confirmed 低保 case), from
//! a month on, for a monthly amount no higher than the scheme's standard. At most one active
//! enrollment per person and scheme, and none in two schemes of one exclusion group, by
//! construction (`Benefits::active`); a new enrollment starts after the last month of the
//! person's earlier ones in the scheme, so no month is entitled twice. Ending an enrollment
//! earlier than months already paid makes those payments owed back, and recoveries record
//! what came back, never more than is owed.

use std::sync::Arc;

use super::{Benefits, BenefitsOp};
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{
    AreaCode, BenefitsRefusal, CaseId, CaseworkRefusal, EnrollmentId, Period, PersonId, Program,
    Refusal, Sequence,
};

/// An enrollment as readers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrollmentView {
    /// Its scheme.
    pub scheme: String,
    /// The person.
    pub person: PersonId,
    /// The case that granted it.
    pub case: CaseId,
    /// The case's area.
    pub area: AreaCode,
    /// Its first month.
    pub from: Period,
    /// Its monthly amount, in fen.
    pub monthly_fen: u64,
    /// Its last month and why it ended, once it has.
    pub ended: Option<(Period, String)>,
    /// What was paid for months after its last (owed back), in fen.
    pub overpaid_fen: u64,
    /// What of that was recovered, in fen.
    pub recovered_fen: u64,
    /// The entry that enrolled it.
    pub sequence: Sequence,
}

#[derive(Clone, Debug)]
pub(in crate::ledger::state) struct Enrollment {
    pub(super) scheme: String,
    pub(super) person: PersonId,
    pub(super) case: CaseId,
    pub(super) area: AreaCode,
    pub(super) from: Period,
    pub(super) monthly_fen: u64,
    pub(super) ended: Option<(Period, String)>,
    overpaid_fen: u64,
    recovered_fen: u64,
    sequence: Sequence,
}

impl Enrollment {
    /// Whether it is entitled in `period`.
    pub(super) fn covers(&self, period: Period) -> bool {
        self.from <= period && self.ended.as_ref().is_none_or(|(last, _)| period <= *last)
    }

    pub(super) fn view(&self) -> EnrollmentView {
        EnrollmentView {
            scheme: self.scheme.clone(),
            person: self.person,
            case: self.case,
            area: self.area.clone(),
            from: self.from,
            monthly_fen: self.monthly_fen,
            ended: self.ended.clone(),
            overpaid_fen: self.overpaid_fen,
            recovered_fen: self.recovered_fen,
            sequence: self.sequence,
        }
    }
}

#[derive(Debug)]
pub(in crate::ledger::state) enum Plan {
    Enroll(EnrollmentId, Enrollment),
    /// The enrollment, its last month, why, what is owed back, and the last month it
    /// covered or was paid for (no later enrollment of the person in the scheme or its group
    /// may start before it).
    End(EnrollmentId, Period, String, u64, Period),
    Recover(EnrollmentId, u64),
}

impl Plan {
    pub(super) fn commit(self, benefits: &mut Benefits) {
        match self {
            Plan::Enroll(id, enrollment) => {
                let key = (enrollment.person, enrollment.scheme.clone());
                benefits.active.insert(key, id);
                benefits
                    .by_area
                    .insert((enrollment.scheme.clone(), enrollment.area.clone(), id));
                benefits.enrollments.insert(id, Arc::new(enrollment));
            }
            Plan::End(id, last, reason, overpaid, covered) => {
                if let Some(old) = benefits.enrollments.get(&id) {
                    let mut enrollment = Enrollment::clone(old);
                    let key = (enrollment.person, enrollment.scheme.clone());
                    benefits.active.remove(&key);
                    let kept = benefits.last_ended.get(&key).copied();
                    benefits
                        .last_ended
                        .insert(key, kept.map_or(covered, |kept| kept.max(covered)));
                    enrollment.ended = Some((last, reason));
                    enrollment.overpaid_fen = overpaid;
                    benefits.enrollments.insert(id, Arc::new(enrollment));
                }
            }
            Plan::Recover(id, amount) => {
                if let Some(old) = benefits.enrollments.get(&id) {
                    let mut enrollment = Enrollment::clone(old);
                    enrollment.recovered_fen = enrollment.recovered_fen.saturating_add(amount);
                    benefits.enrollments.insert(id, Arc::new(enrollment));
                }
            }
        }
    }
}

impl Benefits {
    /// The enrollment `id`, or `UNKNOWN_ENROLLMENT`.
    fn enrollment(&self, id: &EnrollmentId) -> Result<&Arc<Enrollment>, Refusal> {
        self.enrollments
            .get(id)
            .ok_or_else(|| BenefitsRefusal::UnknownEnrollment(id.to_string()).into())
    }
}

pub(super) fn check(state: &State, ctx: &Context, op: &BenefitsOp) -> Result<Plan, Refusal> {
    let benefits = &state.benefits;
    match op {
        BenefitsOp::Enroll {
            enrollment,
            scheme: code,
            case,
            from,
            monthly_fen,
        } => {
            let scheme = benefits.scheme(code)?;
            let granted = state
                .case(case)
                .ok_or(CaseworkRefusal::UnknownCase(*case))?;
            authority::require_program_officer_for(
                &ctx.role,
                "enrolling a person in a scheme",
                scheme.program,
                &granted.area,
            )?;
            if benefits.enrollments.contains_key(enrollment) {
                return Err(Refusal::AlreadyRegistered {
                    kind: "enrollment",
                    id: enrollment.to_string(),
                });
            }
            let takes = scheme
                .case_types
                .iter()
                .any(|t| t.code == granted.case_type.code)
                && granted.case_type.granted_in.contains(&granted.state);
            if !takes {
                let codes: Vec<&str> = scheme.case_types.iter().map(|t| t.code).collect();
                let states: Vec<&str> = scheme
                    .case_types
                    .iter()
                    .flat_map(|t| t.granted_in.iter().copied())
                    .collect();
                return Err(BenefitsRefusal::CaseNotGranted {
                    expected: if codes.is_empty() {
                        "no case type".into()
                    } else {
                        codes.join(", ")
                    },
                    states: states.join(", "),
                    case_type: granted.case_type.code,
                    state: granted.state,
                }
                .into());
            }
            let person = granted.person;
            if let Some(active) = benefits.active.get(&(person, code.clone())) {
                return Err(BenefitsRefusal::AlreadyEnrolled {
                    scheme: code.clone(),
                    enrollment: active.to_string(),
                }
                .into());
            }
            if let Some(group) = &scheme.exclusive_group {
                // Another scheme of the group, in which the person is enrolled, or was for
                // a month this enrollment would cover too.
                let other = benefits.schemes.iter().find(|(other, s)| {
                    let key = (person, (*other).clone());
                    *other != code
                        && s.exclusive_group.as_ref() == Some(group)
                        && (benefits.active.contains_key(&key)
                            || benefits
                                .last_ended
                                .get(&key)
                                .is_some_and(|last| from <= last))
                });
                if let Some((other, _)) = other {
                    return Err(BenefitsRefusal::ExclusiveScheme {
                        scheme: code.clone(),
                        other: other.clone(),
                        group: group.clone(),
                    }
                    .into());
                }
            }
            if let Some(last) = benefits.last_ended.get(&(person, code.clone()))
                && from <= last
            {
                return Err(BenefitsRefusal::PeriodOverlaps {
                    last: last.to_string(),
                    found: from.to_string(),
                }
                .into());
            }
            // No arrears from before the application.
            let applied = granted
                .steps
                .first()
                .map_or(Period::containing(ctx.committed_at.0), |s| {
                    Period::containing(s.at.0)
                });
            if *from < applied {
                return Err(BenefitsRefusal::BeforeApplication {
                    applied: applied.to_string(),
                    found: from.to_string(),
                }
                .into());
            }
            let standard = scheme
                .standard(*from)
                .ok_or_else(|| BenefitsRefusal::NoStandard(from.to_string()))?;
            if *monthly_fen == 0 || *monthly_fen > standard {
                return Err(BenefitsRefusal::AboveStandard {
                    standard,
                    period: from.to_string(),
                    found: *monthly_fen,
                }
                .into());
            }
            Ok(Plan::Enroll(
                *enrollment,
                Enrollment {
                    scheme: code.clone(),
                    person,
                    case: *case,
                    area: granted.area,
                    from: *from,
                    monthly_fen: *monthly_fen,
                    ended: None,
                    overpaid_fen: 0,
                    recovered_fen: 0,
                    sequence: ctx.sequence,
                },
            ))
        }
        BenefitsOp::EndEnrollment {
            enrollment: id,
            last,
            reason,
        } => {
            let enrollment = benefits.enrollment(id)?;
            let program = benefits.scheme(&enrollment.scheme)?.program;
            authority::require_program_officer_for(
                &ctx.role,
                "ending an enrollment",
                program,
                &enrollment.area,
            )?;
            if enrollment.ended.is_some() {
                return Err(BenefitsRefusal::EnrollmentEnded(id.to_string()).into());
            }
            if *last < enrollment.from.previous() {
                return Err(BenefitsRefusal::EndBeforeStart {
                    from: enrollment.from.to_string(),
                    found: last.to_string(),
                }
                .into());
            }
            // What was paid for months after the last is owed back.
            let after: Vec<(Period, u64)> = benefits
                .paid
                .range((*id, last.next())..)
                .take_while(|((paid_id, _), _)| paid_id == id)
                .map(|((_, month), (_, fen))| (*month, *fen))
                .collect();
            let overpaid = after.iter().map(|(_, fen)| *fen).sum();
            let covered = after.last().map_or(*last, |(month, _)| *month);
            Ok(Plan::End(*id, *last, reason.clone(), overpaid, covered))
        }
        BenefitsOp::RecordRecovery {
            enrollment: id,
            amount_fen,
            reason: _,
        } => {
            let enrollment = benefits.enrollment(id)?;
            let program = benefits.scheme(&enrollment.scheme)?.program;
            authority::require_program_officer_for(
                &ctx.role,
                "recording a recovery",
                program,
                &enrollment.area,
            )?;
            let owed = enrollment
                .overpaid_fen
                .saturating_sub(enrollment.recovered_fen);
            if *amount_fen == 0 || *amount_fen > owed {
                return Err(BenefitsRefusal::AboveOwed {
                    owed,
                    found: *amount_fen,
                }
                .into());
            }
            Ok(Plan::Recover(*id, *amount_fen))
        }
        _ => unreachable!("dispatched by benefits::check"),
    }
}

impl State {
    /// A scheme of `program` that `person` is actively enrolled in, if any: at most one
    /// enrollment per scheme, so a walk over the schemes.
    pub(in crate::ledger::state) fn active_scheme_of(
        &self,
        person: &PersonId,
        program: Program,
    ) -> Option<String> {
        self.benefits
            .active
            .range((*person, String::new())..)
            .take_while(|((p, _), _)| p == person)
            .map(|((_, scheme), _)| scheme)
            .find(|scheme| {
                self.benefits
                    .schemes
                    .get(*scheme)
                    .is_some_and(|s| s.program == program)
            })
            .cloned()
    }

    /// An enrollment.
    pub fn enrollment(&self, id: &EnrollmentId) -> Option<EnrollmentView> {
        self.benefits.enrollments.get(id).map(|e| e.view())
    }
}
