//! The capital projects (民政重点项目): each with its planned investment in integer fen,
//! yearly plans and milestones, defined by the bureau; its **progress** reported once per
//! month, in order, as a cumulative investment that never decreases; an **audited
//! correction** (the bureau, citing the audit report) is the only way to lower it; and its
//! **milestones** reached once each. The portfolio of planned against invested is
//! `portfolio.rs`.

pub mod portfolio;

use std::sync::Arc;

use imbl::OrdMap;

use super::journal::Effects;
use super::{Context, State, authority};
use crate::ledger::state::require_new;
use crate::ledger::{
    AreaCode, CivilDate, GovernanceRefusal, KeyId, Period, ProjectId, ProjectsRefusal, Refusal,
    Sequence, UnixMs,
};

/// The largest amount in fen (10^15 fen: ten trillion yuan).
pub const MAX_FEN: u64 = 1_000_000_000_000_000;
/// The most projects the ledger holds.
pub const MAX_PROJECTS: usize = 1_000;
/// The most yearly plans of a project.
pub const MAX_YEAR_PLANS: usize = 20;
/// The most milestones of a project.
pub const MAX_MILESTONES: usize = 8;
/// The most corrections of a project (its reports are bounded by the months that have begun).
pub const MAX_CORRECTIONS: usize = 256;

/// A year's planned investment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearPlan {
    /// The year.
    pub year: u32,
    /// What is planned to be invested in it, in fen.
    pub planned_fen: u64,
}

/// A milestone of a project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Milestone {
    /// Its code.
    pub code: String,
    /// What it is.
    pub title: String,
    /// When it is due.
    pub due: CivilDate,
    /// When it was reached, and the key that recorded it.
    pub reached: Option<(CivilDate, KeyId)>,
}

/// A cumulative investment as reported or corrected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figure {
    /// The month it is for.
    pub period: Period,
    /// The cumulative investment, in fen.
    pub cumulative_fen: u64,
    /// For an audited correction, the audit report's SHA-256.
    pub audit: Option<[u8; 32]>,
    /// The report's note or the correction's reason.
    pub text: String,
    /// Who recorded it, when, at which entry.
    pub by: KeyId,
    /// When.
    pub at: UnixMs,
    /// Its entry.
    pub sequence: Sequence,
}

/// A project as the log made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectView {
    /// Its id.
    pub id: ProjectId,
    /// Its name.
    pub name: String,
    /// The area it is built in or serves.
    pub area: AreaCode,
    /// The total planned investment, in fen.
    pub planned_fen: u64,
    /// The yearly plans, by year.
    pub years: Vec<YearPlan>,
    /// The milestones, as defined.
    pub milestones: Vec<Milestone>,
    /// SHA-256 of the approval document.
    pub approval: [u8; 32],
    /// Every report and correction, in log order (their months never decrease).
    pub figures: Vec<Figure>,
    /// The key that defined it.
    pub defined_by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

impl ProjectView {
    /// The current cumulative investment: the last figure's, or 0.
    pub fn invested_fen(&self) -> u64 {
        self.figures.last().map_or(0, |f| f.cumulative_fen)
    }

    /// The last month reported.
    pub fn last_period(&self) -> Option<Period> {
        self.figures.last().map(|f| f.period)
    }

    fn corrections(&self) -> usize {
        self.figures.iter().filter(|f| f.audit.is_some()).count()
    }
}

/// The capital projects' operations.
#[derive(Clone, Debug)]
pub enum ProjectsOp {
    /// Defines a project.
    Define(Box<ProjectView>),
    /// Reports a month's cumulative investment.
    ReportProgress {
        /// The project.
        project: ProjectId,
        /// The month.
        period: Period,
        /// The cumulative investment, in fen.
        cumulative_fen: u64,
        /// What was built (no personal data).
        note: String,
    },
    /// Corrects the current cumulative investment after an audit.
    CorrectInvestment {
        /// The project.
        project: ProjectId,
        /// The corrected cumulative, in fen.
        cumulative_fen: u64,
        /// SHA-256 of the audit report.
        audit: [u8; 32],
        /// Why.
        reason: String,
    },
    /// Records a milestone reached.
    ReachMilestone {
        /// The project.
        project: ProjectId,
        /// The milestone's code.
        milestone: String,
        /// When.
        reached_on: CivilDate,
    },
}

/// The kinds of capital projects operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProjectsKind {
    /// [`ProjectsOp::Define`].
    Define,
    /// [`ProjectsOp::ReportProgress`].
    ReportProgress,
    /// [`ProjectsOp::CorrectInvestment`].
    CorrectInvestment,
    /// [`ProjectsOp::ReachMilestone`].
    ReachMilestone,
}

impl ProjectsOp {
    /// The operation's kind.
    pub fn kind(&self) -> ProjectsKind {
        match self {
            ProjectsOp::Define(_) => ProjectsKind::Define,
            ProjectsOp::ReportProgress { .. } => ProjectsKind::ReportProgress,
            ProjectsOp::CorrectInvestment { .. } => ProjectsKind::CorrectInvestment,
            ProjectsOp::ReachMilestone { .. } => ProjectsKind::ReachMilestone,
        }
    }
}

impl ProjectsKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            ProjectsKind::Define => "define-project",
            ProjectsKind::ReportProgress => "report-progress",
            ProjectsKind::CorrectInvestment => "correct-investment",
            ProjectsKind::ReachMilestone => "reach-milestone",
        }
    }
}

/// Everything the capital projects hold.
#[derive(Clone, Debug, Default)]
pub(super) struct Projects {
    projects: OrdMap<ProjectId, Arc<ProjectView>>,
}

/// A checked projects operation: the project as it becomes.
#[derive(Debug)]
pub(super) struct Plan(ProjectView);

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        let project = self.0;
        state
            .projects
            .projects
            .insert(project.id.clone(), Arc::new(project));
        Effects::default()
    }
}

/// Checks a projects operation.
pub(super) fn check(state: &State, ctx: &Context, op: &ProjectsOp) -> Result<Plan, Refusal> {
    match op {
        ProjectsOp::Define(project) => {
            authority::require_admin(&ctx.role, "defining a capital project")?;
            state.areas.require(&project.area)?;
            require_new(&state.projects.projects, &project.id, "project")?;
            if state.projects.projects.len() >= MAX_PROJECTS {
                return Err(ProjectsRefusal::Full {
                    what: "projects",
                    max: MAX_PROJECTS,
                }
                .into());
            }
            let mut project = ProjectView::clone(project);
            project.defined_by = ctx.signer;
            project.sequence = ctx.sequence;
            Ok(Plan(project))
        }
        ProjectsOp::ReportProgress {
            project,
            period,
            cumulative_fen,
            note,
        } => {
            let mut project = reach(state, ctx, project, "reporting a project's progress")?;
            let now = Period::containing(ctx.committed_at.get());
            if *period >= now {
                return Err(ProjectsRefusal::PeriodNotEnded {
                    now: now.to_string(),
                    found: period.to_string(),
                }
                .into());
            }
            if let Some(last) = project.figures.last() {
                if project.figures.iter().any(|f| f.period == *period) {
                    return Err(ProjectsRefusal::PeriodReported {
                        project: project.id.to_string(),
                        period: period.to_string(),
                    }
                    .into());
                }
                if *period < last.period {
                    return Err(ProjectsRefusal::PeriodBeforeLast {
                        project: project.id.to_string(),
                        last: last.period.to_string(),
                        found: period.to_string(),
                    }
                    .into());
                }
                if *cumulative_fen < last.cumulative_fen {
                    return Err(ProjectsRefusal::InvestmentDecreased {
                        project: project.id.to_string(),
                        current: last.cumulative_fen,
                        period: last.period.to_string(),
                        found: *cumulative_fen,
                    }
                    .into());
                }
            }
            project.figures.push(Figure {
                period: *period,
                cumulative_fen: *cumulative_fen,
                audit: None,
                text: note.clone(),
                by: ctx.signer,
                at: ctx.committed_at,
                sequence: ctx.sequence,
            });
            Ok(Plan(project))
        }
        ProjectsOp::CorrectInvestment {
            project,
            cumulative_fen,
            audit,
            reason,
        } => {
            authority::require_admin(&ctx.role, "correcting a project's investment")?;
            let mut project = reach(state, ctx, project, "correcting a project's investment")?;
            let Some(last) = project.figures.last().cloned() else {
                return Err(ProjectsRefusal::NothingReported(project.id.to_string()).into());
            };
            if *cumulative_fen == last.cumulative_fen {
                return Err(ProjectsRefusal::CorrectionUnchanged {
                    project: project.id.to_string(),
                    current: *cumulative_fen,
                }
                .into());
            }
            if project.corrections() >= MAX_CORRECTIONS {
                return Err(ProjectsRefusal::Full {
                    what: "a project's corrections",
                    max: MAX_CORRECTIONS,
                }
                .into());
            }
            project.figures.push(Figure {
                period: last.period,
                cumulative_fen: *cumulative_fen,
                audit: Some(*audit),
                text: reason.clone(),
                by: ctx.signer,
                at: ctx.committed_at,
                sequence: ctx.sequence,
            });
            Ok(Plan(project))
        }
        ProjectsOp::ReachMilestone {
            project,
            milestone,
            reached_on,
        } => {
            let mut project = reach(state, ctx, project, "recording a project's milestone")?;
            let today = CivilDate::of(ctx.committed_at);
            if *reached_on > today {
                return Err(GovernanceRefusal::DateOutOfRange {
                    field: "reached_on",
                    expected: format!("a date not after {today}"),
                    found: *reached_on,
                }
                .into());
            }
            let codes = project
                .milestones
                .iter()
                .map(|m| m.code.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let codes = if codes.is_empty() {
                "it has none".to_owned()
            } else {
                codes
            };
            let id = project.id.to_string();
            let Some(found) = project.milestones.iter_mut().find(|m| &m.code == milestone) else {
                return Err(ProjectsRefusal::UnknownMilestone {
                    project: id,
                    codes,
                    found: milestone.clone(),
                }
                .into());
            };
            if let Some((on, _)) = found.reached {
                return Err(ProjectsRefusal::MilestoneReached {
                    milestone: milestone.clone(),
                    on: on.to_string(),
                }
                .into());
            }
            found.reached = Some((*reached_on, ctx.signer));
            Ok(Plan(project))
        }
    }
}

/// The project `id`, checked for the signer's role before it is looked up and for its area
/// after (a key of another area learns only `OUT_OF_SCOPE`).
fn reach(
    state: &State,
    ctx: &Context,
    id: &ProjectId,
    operation: &'static str,
) -> Result<ProjectView, Refusal> {
    authority::require_project_reporter(&ctx.role, operation, None)?;
    let project = state.projects.projects.get(id).ok_or_else(|| {
        // An unknown project reads as one out of scope to a key that does not see every
        // project: an officer of one area learns nothing of which ids exist elsewhere.
        if ctx.role == crate::ledger::Role::BureauAdmin {
            Refusal::from(ProjectsRefusal::UnknownProject(id.to_string()))
        } else {
            crate::ledger::read_denied(&ctx.role, format!("project {id}"))
        }
    })?;
    authority::require_project_reporter(&ctx.role, operation, Some(&project.area))?;
    Ok(ProjectView::clone(project))
}

impl State {
    /// A project.
    pub fn project(&self, id: &ProjectId) -> Option<ProjectView> {
        self.projects.projects.get(id).map(|p| (**p).clone())
    }
}
