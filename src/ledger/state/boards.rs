//! Boards (红黑榜) and star levels, read from the households' scores: a village's households
//! by earned score in a month, quarter or year (counted in the month of each posting; a
//! reversal corrects the month of the entry it reverses), those with deductions in it, and
//! each household's star level from its score of the period's whole year and the village
//! policy's thresholds. Spending never lowers a score. A read-only room: it adds no operation.

use std::fmt;

use super::State;
use crate::ledger::{CivilDate, HouseholdId, IssuerId, Period, Refusal};

/// The most households a board lists on each side: 100.
pub const MAX_BOARD_LINES: usize = 100;

/// The calendar period of a board (China Standard Time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoardPeriod {
    /// A month.
    Month(Period),
    /// A quarter, 1 to 4, of a year.
    Quarter {
        /// The year.
        year: i64,
        /// 1 to 4.
        quarter: u8,
    },
    /// A year.
    Year(i64),
}

impl BoardPeriod {
    /// Parses `YYYY-MM`, `YYYY-Qn` or `YYYY`; `field` names the request field.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, Refusal> {
        let invalid = || Refusal::InvalidField {
            field,
            expected: "a month YYYY-MM, a quarter YYYY-Q1 to YYYY-Q4, or a year YYYY".into(),
            found: format!("{text:?}"),
        };
        let year = |y: &str| {
            (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
                .then(|| y.parse::<i64>().ok())
                .flatten()
                .filter(|y| (1970..=9999).contains(y))
        };
        match text.split_once('-') {
            None => year(text).map(BoardPeriod::Year).ok_or_else(invalid),
            Some((y, q)) if q.len() == 2 && q.starts_with('Q') => {
                let quarter = q[1..].parse::<u8>().ok().filter(|q| (1..=4).contains(q));
                match (year(y), quarter) {
                    (Some(year), Some(quarter)) => Ok(BoardPeriod::Quarter { year, quarter }),
                    _ => Err(invalid()),
                }
            }
            Some((y, m)) => {
                let month = (m.len() == 2)
                    .then(|| m.parse::<u8>().ok())
                    .flatten()
                    .filter(|m| (1..=12).contains(m));
                match (year(y), month) {
                    (Some(year), Some(month)) => Ok(BoardPeriod::Month(Period { year, month })),
                    _ => Err(invalid()),
                }
            }
        }
    }

    /// The period containing `date`'s month.
    pub fn month_of(date: CivilDate) -> Self {
        let (year, month, _) = date.ymd();
        BoardPeriod::Month(Period { year, month })
    }

    fn contains(self, month: Period) -> bool {
        match self {
            BoardPeriod::Month(p) => p == month,
            BoardPeriod::Quarter { year, quarter } => {
                month.year == year && (month.month - 1) / 3 + 1 == quarter
            }
            BoardPeriod::Year(year) => month.year == year,
        }
    }

    fn year(self) -> i64 {
        match self {
            BoardPeriod::Month(p) => p.year,
            BoardPeriod::Quarter { year, .. } | BoardPeriod::Year(year) => year,
        }
    }

    /// The period's last day, whose policy gives the star thresholds.
    fn last_day(self) -> Option<CivilDate> {
        let (year, month) = match self {
            BoardPeriod::Month(p) => (p.year, p.month),
            BoardPeriod::Quarter { year, quarter } => (year, quarter * 3),
            BoardPeriod::Year(year) => (year, 12),
        };
        (28..=31)
            .rev()
            .find_map(|day| CivilDate::from_ymd(year, month, day))
    }
}

impl fmt::Display for BoardPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoardPeriod::Month(p) => p.fmt(f),
            BoardPeriod::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            BoardPeriod::Year(year) => write!(f, "{year:04}"),
        }
    }
}

/// One household on a board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardLine {
    /// The household.
    pub household: HouseholdId,
    /// Its earned score in the period.
    pub score: i64,
    /// Points deducted from it in the period.
    pub deducted: i64,
    /// Its star level: how many of the policy's thresholds its score of the period's year
    /// reaches.
    pub stars: u32,
}

/// A village's board for a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Board {
    /// The period.
    pub period: BoardPeriod,
    /// The red board: households with a positive score, highest first.
    pub red: Vec<BoardLine>,
    /// The black board: households with deductions, most deducted first.
    pub black: Vec<BoardLine>,
}

impl State {
    /// `village`'s board for `period`, at most `top` households on each side (ties in id
    /// order). Reads each household of the village once, on the reader's task.
    pub fn board(
        &self,
        village: &IssuerId,
        period: BoardPeriod,
        top: usize,
    ) -> Result<Board, Refusal> {
        self.accounts
            .expect_issuer_kind(village, crate::ledger::IssuerKind::Village)?;
        let thresholds = period
            .last_day()
            .and_then(|day| self.policies.in_force(village, day))
            .map(|p| p.policy.star_thresholds.clone())
            .unwrap_or_default();
        let year = period.year();
        let mut lines: Vec<BoardLine> = self
            .accounts
            .households_of(village)
            .map(|(id, household)| {
                let (score, deducted) = household.score_and_deducted(|p| period.contains(p));
                let (yearly, _) = household.score_and_deducted(|p| p.year == year);
                let stars = thresholds
                    .iter()
                    .take_while(|t| i128::from(yearly) >= t.wide())
                    .count();
                BoardLine {
                    household: id.clone(),
                    score,
                    deducted,
                    stars: u32::try_from(stars).unwrap_or(u32::MAX),
                }
            })
            .collect();
        let mut black: Vec<BoardLine> = lines.iter().filter(|l| l.deducted > 0).cloned().collect();
        black.sort_by(|a, b| {
            b.deducted
                .cmp(&a.deducted)
                .then(a.household.cmp(&b.household))
        });
        black.truncate(top);
        lines.retain(|l| l.score > 0);
        lines.sort_by(|a, b| b.score.cmp(&a.score).then(a.household.cmp(&b.household)));
        lines.truncate(top);
        Ok(Board {
            period,
            red: lines,
            black,
        })
    }
}
