//! The casework family: the cases of the bureau's programs. A case is opened for a registered
//! person in an area and moved through the states of its case type, whose table
//! (`types.rs`) says which transitions exist, who may take each (a caseworker, or a reviewer
//! of a tier) and after how many days in a state (a public notice). Every transition records
//! the signer, the reason and the commit time; a transition not in the table is refused.

pub mod types;

use std::sync::Arc;

use imbl::{OrdMap, Vector};

use super::authority;
use super::journal::Effects;
use super::{Context, State};
use crate::ledger::{
    AreaCode, CaseId, CaseworkRefusal, KeyId, PersonId, Refusal, Role, Sequence, SubjectRefusal,
    UnixMs,
};
use types::{Actor, CaseType, Tier, TransitionRule};

/// A day, in ms.
const DAY_MS: u64 = 86_400_000;

/// The casework family's operations.
#[derive(Clone, Debug)]
pub enum CaseworkOp {
    /// Opens a case in its type's first state.
    OpenCase {
        /// The new case's id.
        case: CaseId,
        /// Its case type's code.
        case_type: String,
        /// The person it is about.
        person: PersonId,
        /// The area it is handled in.
        area: AreaCode,
    },
    /// Moves a case to another state.
    Transition {
        /// The case.
        case: CaseId,
        /// The state it moves to.
        to: String,
        /// Why.
        reason: String,
    },
}

/// The kinds of casework operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaseworkKind {
    /// [`CaseworkOp::OpenCase`].
    OpenCase,
    /// [`CaseworkOp::Transition`].
    Transition,
}

impl CaseworkOp {
    /// The operation's kind.
    pub fn kind(&self) -> CaseworkKind {
        match self {
            CaseworkOp::OpenCase { .. } => CaseworkKind::OpenCase,
            CaseworkOp::Transition { .. } => CaseworkKind::Transition,
        }
    }
}

impl CaseworkKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            CaseworkKind::OpenCase => "open-case",
            CaseworkKind::Transition => "transition-case",
        }
    }
}

/// One step of a case's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseStep {
    /// The state it left (`None` for the opening).
    pub from: Option<&'static str>,
    /// The state it entered.
    pub to: &'static str,
    /// The key that signed it.
    pub by: KeyId,
    /// Why (empty for the opening).
    pub reason: String,
    /// Its commit time.
    pub at: UnixMs,
    /// Its entry.
    pub sequence: Sequence,
}

/// A case as the log made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseView {
    /// Its case type.
    pub case_type: &'static CaseType,
    /// The person.
    pub person: PersonId,
    /// The area.
    pub area: AreaCode,
    /// Its state.
    pub state: &'static str,
    /// When it entered its state.
    pub since: UnixMs,
    /// When it is overdue in its state, if the state has a deadline.
    pub due: Option<UnixMs>,
    /// Every step, the opening first.
    pub steps: Vec<CaseStep>,
}

#[derive(Clone, Debug)]
pub(super) struct Case {
    case_type: &'static CaseType,
    person: PersonId,
    area: AreaCode,
    state: usize,
    since: UnixMs,
    steps: Vector<CaseStep>,
}

/// Every case.
#[derive(Clone, Debug, Default)]
pub(super) struct Cases {
    cases: OrdMap<CaseId, Arc<Case>>,
}

/// A checked casework operation.
#[derive(Debug)]
pub(super) enum Plan {
    Open(CaseId, Case),
    Move(CaseId, usize, CaseStep),
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        match self {
            Plan::Open(id, case) => {
                state.cases.cases.insert(id, Arc::new(case));
            }
            Plan::Move(id, to, step) => {
                if let Some(case) = state.cases.cases.get(&id) {
                    let mut case = Case::clone(case);
                    case.state = to;
                    case.since = step.at;
                    case.steps.push_back(step);
                    state.cases.cases.insert(id, Arc::new(case));
                }
            }
        }
        Effects::default()
    }
}

/// Checks a casework operation.
pub(super) fn check(state: &State, ctx: &Context, op: &CaseworkOp) -> Result<Plan, Refusal> {
    match op {
        CaseworkOp::OpenCase {
            case,
            case_type,
            person,
            area,
        } => {
            authority::require_admin_or_caseworker_for(&ctx.role, "opening a case", area)?;
            let (_, table) = types::case_type(case_type)
                .ok_or_else(|| CaseworkRefusal::UnknownCaseType(case_type.clone()))?;
            state.areas.require(area)?;
            if state.person(person).is_none() {
                return Err(SubjectRefusal::UnknownPerson(*person).into());
            }
            if state.cases.cases.contains_key(case) {
                return Err(Refusal::AlreadyRegistered {
                    kind: "case",
                    id: case.to_string(),
                });
            }
            let first = table.states[0].name;
            Ok(Plan::Open(
                *case,
                Case {
                    case_type: table,
                    person: *person,
                    area: area.clone(),
                    state: 0,
                    since: ctx.committed_at,
                    steps: Vector::unit(CaseStep {
                        from: None,
                        to: first,
                        by: ctx.signer,
                        reason: String::new(),
                        at: ctx.committed_at,
                        sequence: ctx.sequence,
                    }),
                },
            ))
        }
        CaseworkOp::Transition { case, to, reason } => {
            let current = state
                .cases
                .cases
                .get(case)
                .ok_or(CaseworkRefusal::UnknownCase(*case))?;
            let table = current.case_type;
            let from = table.states[current.state].name;
            let rules: Vec<&TransitionRule> = table
                .leaving(current.state)
                .filter(|t| t.to == to)
                .collect();
            let Some(target) = table.state(to).filter(|_| !rules.is_empty()) else {
                return Err(CaseworkRefusal::TransitionNotAllowed {
                    case_type: table.code,
                    from,
                    to: to.clone(),
                    allowed: table.leaving(current.state).map(|t| t.to).collect(),
                }
                .into());
            };
            // The first rule the signer may take (a table may let two actors take one step).
            let mut refusal = None;
            let rule =
                rules
                    .iter()
                    .find(|rule| match may_take(&ctx.role, rule.by, &current.area) {
                        Ok(()) => true,
                        Err(why) => {
                            refusal.get_or_insert(why);
                            false
                        }
                    });
            let Some(rule) = rule else {
                return Err(refusal.unwrap_or_else(|| Refusal::NotAllowed {
                    operation: "moving a case",
                    expected: "the actor the case type's table names",
                    found: ctx.role.to_string(),
                }));
            };
            let until = UnixMs(
                current
                    .since
                    .0
                    .saturating_add(u64::from(rule.after_days) * DAY_MS),
            );
            if ctx.committed_at < until {
                return Err(CaseworkRefusal::StateNotOver {
                    state: from,
                    days: rule.after_days,
                    until: until.0,
                }
                .into());
            }
            Ok(Plan::Move(
                *case,
                target,
                CaseStep {
                    from: Some(from),
                    to: table.states[target].name,
                    by: ctx.signer,
                    reason: reason.clone(),
                    at: ctx.committed_at,
                    sequence: ctx.sequence,
                },
            ))
        }
    }
}

/// Whether `role` may take a transition the table gives to `actor`, for a case in `area`.
fn may_take(role: &Role, actor: Actor, area: &AreaCode) -> Result<(), Refusal> {
    let not_allowed = || Refusal::NotAllowed {
        operation: "moving a case",
        expected: "the actor the case type's table names for this transition",
        found: role.to_string(),
    };
    match (actor, role) {
        (Actor::Caseworker, Role::Caseworker(_)) => {
            authority::require_admin_or_caseworker_for(role, "moving a case", area)
        }
        (Actor::Reviewer(tier), Role::Reviewer(scope)) => {
            let found = Tier::of(scope.level());
            if found != tier {
                return Err(CaseworkRefusal::WrongTier {
                    expected: tier.name(),
                    found: found.name(),
                }
                .into());
            }
            if area.is_within(scope) {
                Ok(())
            } else {
                Err(authority::read_denied(
                    role,
                    "a case of another area".into(),
                ))
            }
        }
        _ => Err(not_allowed()),
    }
}

impl State {
    /// A case.
    pub fn case(&self, case: &CaseId) -> Option<CaseView> {
        self.cases.cases.get(case).map(|case| {
            let rule = &case.case_type.states[case.state];
            CaseView {
                case_type: case.case_type,
                person: case.person,
                area: case.area.clone(),
                state: rule.name,
                since: case.since,
                due: rule
                    .deadline_days
                    .map(|days| UnixMs(case.since.0.saturating_add(u64::from(days) * DAY_MS))),
                steps: case.steps.iter().cloned().collect(),
            }
        })
    }
}
