//! The casework family: the cases of the bureau's programs. A case is opened for a registered
//! person in an area and moved through the states of its case type, whose table
//! (`types.rs`) says which transitions exist, who may take each (a caseworker, or a reviewer
//! of a tier) and after how many days in a state (a public notice). Every transition records
//! the signer, the reason and the commit time; a transition not in the table is refused.
//! Objections to a public notice are in `objections.rs`, the lists of cases in `lists.rs`.

pub mod lists;
mod objections;
mod opening;
pub mod types;

use std::sync::Arc;

use imbl::{OrdMap, Vector};

use super::authority;
use super::journal::Effects;
use super::{Context, State};
use crate::ledger::{
    AreaCode, AreaLevel, CaseId, CaseworkRefusal, KeyId, PersonId, Refusal, Role, Sequence, UnixMs,
};
pub use objections::{CaseObjection, ObjectionResolution};
use types::{Actor, Cadence, CaseType, Tier, TransitionRule};

/// A day, in ms.
const DAY_MS: u64 = 86_400_000;

/// The most steps one case holds, its opening included (a case going round the same states
/// cannot grow without bound).
pub const MAX_CASE_STEPS: usize = 256;

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
        /// The review cadence, when the state it enters is reviewed (`yearly`).
        cadence: Option<String>,
    },
    /// Records an objection to a case on public notice.
    FileObjection {
        /// The case.
        case: CaseId,
        /// What is objected (no personal data).
        ground: String,
    },
    /// Resolves an objection: upheld (the case moves back, as its table says) or dismissed.
    ResolveObjection {
        /// The case.
        case: CaseId,
        /// The objection's number in the case (1 for its first).
        objection: u32,
        /// Whether it is upheld.
        upheld: bool,
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
    /// [`CaseworkOp::FileObjection`].
    FileObjection,
    /// [`CaseworkOp::ResolveObjection`].
    ResolveObjection,
}

impl CaseworkOp {
    /// The operation's kind.
    pub fn kind(&self) -> CaseworkKind {
        match self {
            CaseworkOp::OpenCase { .. } => CaseworkKind::OpenCase,
            CaseworkOp::Transition { .. } => CaseworkKind::Transition,
            CaseworkOp::FileObjection { .. } => CaseworkKind::FileObjection,
            CaseworkOp::ResolveObjection { .. } => CaseworkKind::ResolveObjection,
        }
    }
}

impl CaseworkKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            CaseworkKind::OpenCase => "open-case",
            CaseworkKind::Transition => "transition-case",
            CaseworkKind::FileObjection => "file-case-objection",
            CaseworkKind::ResolveObjection => "resolve-case-objection",
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
    /// Its review cadence, while it is in its type's reviewed state.
    pub cadence: Option<&'static str>,
    /// When its next review is due, while it is in its type's reviewed state.
    pub review_due: Option<UnixMs>,
    /// Every step, the opening first (left out of lists).
    pub steps: Vec<CaseStep>,
    /// Every objection filed, the first first (left out of lists).
    pub objections: Vec<CaseObjection>,
}

#[derive(Clone, Debug)]
pub(super) struct Case {
    case_type: &'static CaseType,
    person: PersonId,
    area: AreaCode,
    state: usize,
    since: UnixMs,
    cadence: Option<&'static Cadence>,
    steps: Vector<CaseStep>,
    objections: Vector<CaseObjection>,
}

impl Case {
    fn state_name(&self) -> &'static str {
        self.case_type.states[self.state].name
    }

    /// Whether the case is on its type's public notice.
    fn on_notice(&self) -> bool {
        self.case_type
            .notice
            .as_ref()
            .is_some_and(|notice| notice.state == self.state_name())
    }

    /// When it is overdue in its state.
    fn due(&self) -> Option<UnixMs> {
        self.case_type.states[self.state]
            .deadline_days
            .map(|days| after_days(self.since, days))
    }

    /// When its next review is due.
    fn review_due(&self) -> Option<UnixMs> {
        self.cadence.map(|c| after_days(self.since, c.days))
    }

    /// Enters state `to` by `step`, with `cadence` if `to` is reviewed.
    fn enter(&mut self, to: usize, step: CaseStep, cadence: Option<&'static Cadence>) {
        self.state = to;
        self.since = step.at;
        self.cadence = cadence;
        self.steps.push_back(step);
    }
}

/// `days` days after `at`.
fn after_days(at: UnixMs, days: u32) -> UnixMs {
    UnixMs(at.0.saturating_add(u64::from(days) * DAY_MS))
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
    Move(CaseId, usize, CaseStep, Option<&'static Cadence>),
    Object(CaseId, CaseObjection),
    Resolve(CaseId, u32, ObjectionResolution, Option<(usize, CaseStep)>),
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        match self {
            Plan::Open(id, case) => {
                state.cases.cases.insert(id, Arc::new(case));
            }
            Plan::Move(id, to, step, cadence) => {
                state.cases.change(id, |case| case.enter(to, step, cadence));
            }
            Plan::Object(id, objection) => {
                state
                    .cases
                    .change(id, |case| case.objections.push_back(objection));
            }
            Plan::Resolve(id, number, resolution, back) => {
                state.cases.change(id, |case| {
                    if let Some(objection) = case.objections.get_mut(number as usize - 1) {
                        objection.resolution = Some(resolution);
                    }
                    if let Some((to, step)) = back {
                        case.enter(to, step, None);
                    }
                });
            }
        }
        Effects::default()
    }
}

impl Cases {
    /// Changes the case `id` (checked to exist by the plan).
    fn change(&mut self, id: CaseId, change: impl FnOnce(&mut Case)) {
        if let Some(case) = self.cases.get(&id) {
            let mut case = Case::clone(case);
            change(&mut case);
            self.cases.insert(id, Arc::new(case));
        }
    }

    /// The case `id`, or `UNKNOWN_CASE`.
    fn get(&self, id: &CaseId) -> Result<&Arc<Case>, Refusal> {
        self.cases
            .get(id)
            .ok_or_else(|| CaseworkRefusal::UnknownCase(*id).into())
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
            let table = opening::opening(state, &ctx.role, case_type, person, area)?;
            if let Some(tier) = table.deepest_tier()
                && AreaLevel::depth(area.level()) < tier.depth()
            {
                return Err(Refusal::InvalidField {
                    field: "area_code",
                    expected: format!(
                        "an area of {} level or below (the {} table's {} reviewers decide)",
                        tier.name(),
                        table.code,
                        tier.name()
                    ),
                    found: format!("a {} area", area.level().name()),
                });
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
                    cadence: None,
                    objections: Vector::new(),
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
        CaseworkOp::Transition {
            case,
            to,
            reason,
            cadence,
        } => {
            // The role first: a key that acts on no case learns nothing of this one.
            authority::may_act_on_case(&ctx.role, "moving a case", None)?;
            let current = state.cases.get(case)?;
            authority::may_act_on_case(
                &ctx.role,
                "moving a case",
                Some((current.case_type.program, &current.area)),
            )?;
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
                    operation: "this step of the case",
                    expected: "the actor the case type's table names",
                    found: ctx.role.to_string(),
                }));
            };
            let until = after_days(current.since, rule.after_days);
            if ctx.committed_at < until {
                return Err(CaseworkRefusal::StateNotOver {
                    state: from,
                    days: rule.after_days,
                    until: until.0,
                    found: ctx.committed_at.0,
                }
                .into());
            }
            objections::require_resolved(current, table.states[target].decided)?;
            require_room(current)?;
            let cadence = review_cadence(table, table.states[target].name, cadence.as_deref())?;
            Ok(Plan::Move(
                *case,
                target,
                step(ctx, from, table.states[target].name, reason),
                cadence,
            ))
        }
        CaseworkOp::FileObjection { case, ground } => {
            authority::may_act_on_case(&ctx.role, "filing an objection", None)?;
            objections::check_filing(state.cases.get(case)?, ctx, *case, ground)
        }
        CaseworkOp::ResolveObjection {
            case,
            objection,
            upheld,
            reason,
        } => objections::check_resolution(
            {
                authority::may_act_on_case(&ctx.role, "resolving an objection", None)?;
                state.cases.get(case)?
            },
            ctx,
            *case,
            *objection,
            *upheld,
            reason,
        ),
    }
}

/// Refuses a step of `case` once it holds [`MAX_CASE_STEPS`].
fn require_room(case: &Case) -> Result<(), Refusal> {
    if case.steps.len() >= MAX_CASE_STEPS {
        return Err(CaseworkRefusal::CaseStepsFull {
            max: MAX_CASE_STEPS,
        }
        .into());
    }
    Ok(())
}

/// A step of the case by the context's signer, now.
fn step(ctx: &Context, from: &'static str, to: &'static str, reason: &str) -> CaseStep {
    CaseStep {
        from: Some(from),
        to,
        by: ctx.signer,
        reason: reason.to_owned(),
        at: ctx.committed_at,
        sequence: ctx.sequence,
    }
}

/// The cadence a transition into `to` gives: one of the table's when `to` is its reviewed
/// state (required), none otherwise (refused if named).
fn review_cadence(
    table: &'static CaseType,
    to: &str,
    named: Option<&str>,
) -> Result<Option<&'static Cadence>, Refusal> {
    let reviewed = table.review.as_ref().filter(|review| review.state == to);
    let names = |review: &types::ReviewRule| {
        review
            .cadences
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (reviewed, named) {
        (None, None) => Ok(None),
        (None, Some(found)) => Err(Refusal::InvalidField {
            field: "review_cadence",
            expected: format!("empty: {} cases are not reviewed in {to:?}", table.code),
            found: format!("{found:?}"),
        }),
        (Some(review), named) => named
            .and_then(|name| review.cadence(name))
            .map(Some)
            .ok_or_else(|| Refusal::InvalidField {
                field: "review_cadence",
                expected: format!("one of {} for a case entering {to:?}", names(review)),
                found: format!("{:?}", named.unwrap_or_default()),
            }),
    }
}

/// Whether `role` may take a transition the table gives to `actor`, for a case in `area`.
pub(super) fn may_take(role: &Role, actor: Actor, area: &AreaCode) -> Result<(), Refusal> {
    let not_allowed = || Refusal::NotAllowed {
        operation: "this step of the case",
        expected: actor.describe(),
        found: role.to_string(),
    };
    match (actor, role) {
        (Actor::Caseworker, Role::Caseworker(scope)) => {
            if area.is_within(scope) {
                Ok(())
            } else {
                Err(authority::read_denied(
                    role,
                    "a case of another area".into(),
                ))
            }
        }
        (Actor::ChildDirector, Role::ChildDirector(scope))
        | (Actor::ChildSupervisor, Role::ChildSupervisor(scope)) => {
            if area.is_within(scope) {
                Ok(())
            } else {
                Err(authority::read_denied(
                    role,
                    "a case of another area".into(),
                ))
            }
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

impl Case {
    /// The case as readers see it, with its steps and objections if `whole`.
    fn view(&self, whole: bool) -> CaseView {
        CaseView {
            case_type: self.case_type,
            person: self.person,
            area: self.area.clone(),
            state: self.state_name(),
            since: self.since,
            due: self.due(),
            cadence: self.cadence.map(|c| c.name),
            review_due: self.review_due(),
            steps: if whole {
                self.steps.iter().cloned().collect()
            } else {
                Vec::new()
            },
            objections: if whole {
                self.objections.iter().cloned().collect()
            } else {
                Vec::new()
            },
        }
    }
}

impl State {
    /// A case's type code and state, without its history.
    pub fn case_state(&self, case: &CaseId) -> Option<(&'static str, &'static str)> {
        self.cases
            .cases
            .get(case)
            .map(|c| (c.case_type.code, c.state_name()))
    }

    /// Whether a case is in a state its type grants its benefit in.
    pub fn case_granted(&self, case: &CaseId) -> bool {
        self.cases
            .cases
            .get(case)
            .is_some_and(|c| c.case_type.granted_in.contains(&c.state_name()))
    }

    /// A case, with every step and objection.
    pub fn case(&self, case: &CaseId) -> Option<CaseView> {
        self.cases.cases.get(case).map(|case| case.view(true))
    }
}
