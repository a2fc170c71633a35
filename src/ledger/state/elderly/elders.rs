//! Elders' records: ability assessments (the latest counts), home adaptation cases (one open
//! per elder, completed once within its budget) and accident insurance (once per elder and
//! policy year).

use super::{ABILITY_LEVELS, Count, ElderlyOp, Plan, Stamp, elder};
use crate::ledger::state::require_new;
use crate::ledger::state::{Context, State, authority};
use crate::ledger::{
    AdaptationId, AreaCode, CanteenId, CivilDate, ElderlyRefusal, PersonId, Refusal,
};

/// An ability assessment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    /// One of [`ABILITY_LEVELS`].
    pub level: &'static str,
    /// When.
    pub on: CivilDate,
    /// SHA-256 of the report.
    pub report: [u8; 32],
    /// Who.
    pub stamp: Stamp,
}

/// A home adaptation case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adaptation {
    /// The elder.
    pub person: PersonId,
    /// Their area.
    pub area: AreaCode,
    /// The budget, in fen.
    pub budget_fen: u64,
    /// SHA-256 of the plan.
    pub plan: [u8; 32],
    /// Once completed: the cost and the acceptance record's SHA-256.
    pub completed: Option<(u64, [u8; 32], Stamp)>,
    /// Who opened it.
    pub stamp: Stamp,
}

/// An elder's record in elderly care.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ElderView {
    /// The latest assessment.
    pub assessment: Option<Assessment>,
    /// How many assessments were recorded.
    pub assessments: u32,
    /// The canteen they dine at, with their tier.
    pub diner: Option<(CanteenId, &'static str)>,
    /// Subsidized meals served.
    pub meals: u64,
    /// Their subsidy, in fen.
    pub meal_subsidy_fen: u64,
    /// Their open or last adaptation case.
    pub adaptation: Option<AdaptationId>,
    /// The policy years they are insured for, in order.
    pub insured: Vec<u32>,
}

pub(super) fn check(state: &State, ctx: &Context, op: &ElderlyOp) -> Result<Plan, Refusal> {
    let stamp = Stamp {
        by: ctx.signer,
        sequence: ctx.sequence,
    };
    let today = CivilDate::of(ctx.committed_at);
    match op {
        ElderlyOp::Assess {
            person,
            level,
            report,
        } => {
            let (_, mut record) = elder(state, ctx, person, "assessing an elder")?;
            debug_assert!(ABILITY_LEVELS.contains(level));
            record.assessments = record.assessments.saturating_add(1);
            record.assessment = Some(Assessment {
                level,
                on: today,
                report: *report,
                stamp,
            });
            Ok(Plan {
                elder: Some((*person, record)),
                ..Plan::default()
            })
        }
        ElderlyOp::OpenAdaptation {
            case,
            person,
            budget_fen,
            plan,
        } => {
            let (area, mut record) = elder(state, ctx, person, "opening a home adaptation")?;
            if let Some(open) = record
                .adaptation
                .and_then(|id| state.adaptation(&id).map(|a| (id, a)))
                .filter(|(_, a)| a.completed.is_none())
            {
                return Err(ElderlyRefusal::AdaptationOpen {
                    person: person.to_string(),
                    case: open.0.to_string(),
                }
                .into());
            }
            require_new(&state.elderly.adaptations, case, "adaptation case")?;
            record.adaptation = Some(*case);
            Ok(Plan {
                elder: Some((*person, record)),
                adaptation: Some((
                    *case,
                    Adaptation {
                        person: *person,
                        area: area.clone(),
                        budget_fen: *budget_fen,
                        plan: *plan,
                        completed: None,
                        stamp,
                    },
                )),
                count: Some(Count::Adaptation(area, false)),
                ..Plan::default()
            })
        }
        ElderlyOp::CompleteAdaptation {
            case: id,
            cost_fen,
            acceptance,
        } => {
            const OPERATION: &str = "completing a home adaptation";
            authority::require_elderly_officer(&ctx.role, OPERATION, None)?;
            let mut case = state
                .adaptation(id)
                .ok_or_else(|| ElderlyRefusal::UnknownAdaptation(id.to_string()))?;
            authority::require_elderly_officer(&ctx.role, OPERATION, Some(&case.area))?;
            if case.completed.is_some() {
                return Err(ElderlyRefusal::AdaptationCompleted(id.to_string()).into());
            }
            if *cost_fen > case.budget_fen {
                return Err(ElderlyRefusal::OverBudget {
                    case: id.to_string(),
                    budget: case.budget_fen,
                    found: *cost_fen,
                }
                .into());
            }
            case.completed = Some((*cost_fen, *acceptance, stamp));
            let area = case.area.clone();
            Ok(Plan {
                adaptation: Some((*id, case)),
                count: Some(Count::Adaptation(area, true)),
                ..Plan::default()
            })
        }
        ElderlyOp::Insure {
            person,
            year,
            policy: _,
        } => {
            let (area, mut record) = elder(state, ctx, person, "enrolling an elder in insurance")?;
            let this_year = u32::try_from(today.ymd().0).unwrap_or(u32::MAX);
            if *year != this_year && *year != this_year + 1 {
                return Err(ElderlyRefusal::PolicyYear {
                    this_year,
                    found: *year,
                }
                .into());
            }
            if record.insured.contains(year) {
                return Err(ElderlyRefusal::InsuranceEnrolled {
                    person: person.to_string(),
                    year: *year,
                }
                .into());
            }
            record.insured.push(*year);
            record.insured.sort_unstable();
            Ok(Plan {
                elder: Some((*person, record)),
                count: Some(Count::Insured(area, *year)),
                ..Plan::default()
            })
        }
        _ => unreachable!("dispatched by elderly::check"),
    }
}
