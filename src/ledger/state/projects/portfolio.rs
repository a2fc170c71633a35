//! The portfolio of capital projects: for each project the reader sees, planned against
//! invested, in all and for one year, and its milestones reached, due and overdue.

use std::sync::Arc;

use super::{ProjectView, State};
use crate::ledger::{AreaCode, CivilDate, Role, sees_projects};

/// One project's line of the portfolio.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortfolioLine {
    /// The project (shared with the state, not copied).
    pub project: Arc<ProjectView>,
    /// Its current cumulative investment, in fen.
    pub invested_fen: u64,
    /// invested × 1000 / planned, rounded down.
    pub completion_per_mille: u64,
    /// The year's plan, in fen (0 if none).
    pub year_planned_fen: u64,
    /// What was invested in the year, in fen (negative if a correction lowered it).
    pub year_invested_fen: i64,
    /// Milestones reached.
    pub milestones_reached: u32,
    /// Milestones past their due date and not reached.
    pub milestones_overdue: u32,
}

/// The portfolio.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Portfolio {
    /// The year of the year columns.
    pub year: u32,
    /// One line per project, in id order.
    pub lines: Vec<PortfolioLine>,
}

impl ProjectView {
    /// The cumulative investment at the end of `year`: the last figure for a month of that
    /// year or before, or 0.
    pub fn cumulative_through(&self, year: u32) -> u64 {
        self.figures
            .iter()
            .rev()
            .find(|f| f.period.year <= i64::from(year))
            .map_or(0, |f| f.cumulative_fen)
    }

    /// What was invested in `year`: the cumulative at its end less that at the year before's.
    pub fn invested_in(&self, year: u32) -> i64 {
        let end = i128::from(self.cumulative_through(year));
        let start = i128::from(self.cumulative_through(year.saturating_sub(1)));
        // Both are at most 10^15, so the difference fits; were it not to, it would saturate.
        let clamped = (end - start).clamp(i128::from(i64::MIN), i128::from(i64::MAX));
        i64::try_from(clamped).unwrap_or_default()
    }
}

impl State {
    /// The portfolio of the projects `role` sees (within `within`, if given), with the year
    /// columns for `year`, milestones judged overdue on `today`.
    pub fn portfolio(
        &self,
        role: &Role,
        within: Option<&AreaCode>,
        year: u32,
        today: CivilDate,
    ) -> Portfolio {
        let lines = self
            .projects
            .projects
            .values()
            .filter(|p| sees_projects(role, &p.area))
            .filter(|p| within.is_none_or(|w| p.area.is_within(w)))
            .map(|p| {
                let invested = p.invested_fen();
                let count = |f: &dyn Fn(&super::Milestone) -> bool| {
                    u32::try_from(p.milestones.iter().filter(|m| f(m)).count()).unwrap_or(0)
                };
                PortfolioLine {
                    invested_fen: invested,
                    completion_per_mille: u64::try_from(
                        u128::from(invested) * 1000 / u128::from(p.planned_fen.max(1)),
                    )
                    .unwrap_or(u64::MAX),
                    year_planned_fen: p
                        .years
                        .iter()
                        .find(|y| y.year == year)
                        .map_or(0, |y| y.planned_fen),
                    year_invested_fen: p.invested_in(year),
                    milestones_reached: count(&|m| m.reached.is_some()),
                    milestones_overdue: count(&|m| m.reached.is_none() && m.due < today),
                    project: Arc::clone(p),
                }
            })
            .collect();
        Portfolio { year, lines }
    }
}
