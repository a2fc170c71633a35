//! The capital projects' refusals (`shanzhi.projects.v1`): progress reported once per month
//! and in order, a cumulative investment that only an audited correction lowers, milestones
//! reached once; nested in [`Refusal::Projects`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;

/// Why a capital projects operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProjectsRefusal {
    /// No project has this id.
    #[error("project_id: expected a project, found {0}, which no DefineProject made")]
    UnknownProject(String),
    /// The month was reported already.
    #[error(
        "period: expected a month not yet reported for project {project} (one report per month), found {period}, reported already"
    )]
    PeriodReported {
        /// The project.
        project: String,
        /// The month.
        period: String,
    },
    /// The month is before the last reported.
    #[error(
        "period: expected a month after {last}, the last reported for project {project}, found {found}"
    )]
    PeriodBeforeLast {
        /// The project.
        project: String,
        /// The last month reported.
        last: String,
        /// The month given.
        found: String,
    },
    /// A cumulative investment below the current one.
    #[error(
        "cumulative_fen: expected at least {current} fen, the cumulative investment of project {project} as of {period}, found {found}; only an audited CorrectInvestment lowers it"
    )]
    InvestmentDecreased {
        /// The project.
        project: String,
        /// Its current cumulative.
        current: u64,
        /// The month of the current figure.
        period: String,
        /// The cumulative given.
        found: u64,
    },
    /// A correction of a project with no report yet.
    #[error(
        "project {0}: expected a project with a reported cumulative investment to correct, found none reported"
    )]
    NothingReported(String),
    /// A correction to the current figure.
    #[error(
        "cumulative_fen: expected a cumulative other than project {project}'s current {current} fen (a correction changes it)"
    )]
    CorrectionUnchanged {
        /// The project.
        project: String,
        /// Its current cumulative.
        current: u64,
    },
    /// A report for a month that has not ended.
    #[error(
        "period: expected a month that has ended (before {now} by the entry's time), found {found}: a month's cumulative is reported once it is over"
    )]
    PeriodNotEnded {
        /// The month of the entry's commit time.
        now: String,
        /// The month given.
        found: String,
    },
    /// The project has no milestone of this code.
    #[error("milestone: expected one of project {project}'s milestones ({codes}), found {found:?}")]
    UnknownMilestone {
        /// The project.
        project: String,
        /// Its milestone codes.
        codes: String,
        /// The code given.
        found: String,
    },
    /// The milestone was reached already.
    #[error(
        "milestone {milestone}: expected a milestone not yet reached, found it reached on {on}"
    )]
    MilestoneReached {
        /// The milestone.
        milestone: String,
        /// When it was reached.
        on: String,
    },
    /// The ledger or a project holds as many of something as it may.
    #[error("{what}: the most the ledger keeps is {max}")]
    Full {
        /// What is full.
        what: &'static str,
        /// How many it holds.
        max: usize,
    },
}

impl ProjectsRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        use ProjectsRefusal::*;
        match self {
            UnknownProject(_) | UnknownMilestone { .. } => RefusalClass::NotFound,
            PeriodReported { .. } | MilestoneReached { .. } => RefusalClass::AlreadyExists,
            Full { .. } => RefusalClass::ResourceExhausted,
            _ => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use ProjectsRefusal::*;
        match self {
            UnknownProject(_) => "UNKNOWN_PROJECT",
            PeriodReported { .. } => "PERIOD_ALREADY_REPORTED",
            PeriodBeforeLast { .. } => "PERIOD_BEFORE_LAST_REPORTED",
            InvestmentDecreased { .. } => "INVESTMENT_DECREASED",
            NothingReported(_) => "NO_PROGRESS_REPORTED",
            CorrectionUnchanged { .. } => "CORRECTION_UNCHANGED",
            PeriodNotEnded { .. } => "PROGRESS_MONTH_NOT_ENDED",
            UnknownMilestone { .. } => "UNKNOWN_MILESTONE",
            MilestoneReached { .. } => "MILESTONE_REACHED",
            Full { .. } => "PROJECTS_FULL",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use ProjectsRefusal::*;
        let s = || "x".to_owned();
        [
            UnknownProject(s()),
            PeriodReported {
                project: s(),
                period: s(),
            },
            PeriodBeforeLast {
                project: s(),
                last: s(),
                found: s(),
            },
            InvestmentDecreased {
                project: s(),
                current: 2,
                period: s(),
                found: 1,
            },
            NothingReported(s()),
            CorrectionUnchanged {
                project: s(),
                current: 1,
            },
            PeriodNotEnded {
                now: s(),
                found: s(),
            },
            UnknownMilestone {
                project: s(),
                codes: s(),
                found: s(),
            },
            MilestoneReached {
                milestone: s(),
                on: s(),
            },
            Full { what: "x", max: 1 },
        ]
        .into_iter()
        .map(Refusal::Projects)
        .collect()
    }
}
