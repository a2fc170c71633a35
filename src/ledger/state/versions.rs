//! Versioned signed data (catalogues, village policies): how versions are numbered, when a
//! new one may start, and which one is in force on a date. Shared by the catalogue and policy
//! rooms so both follow one rule.

use super::Context;
use crate::ledger::{CivilDate, Refusal};

/// Refuses `found` unless it is `next`, the one after the last version opened or set.
pub(super) fn require_next(what: String, next: usize, found: u32) -> Result<(), Refusal> {
    if found as usize != next {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::VersionNotNext {
                what,
                expected: u32::try_from(next).unwrap_or(u32::MAX),
                found,
            },
        ));
    }
    Ok(())
}

/// Refuses a start (`from`) of `what` (a catalogue, a policy) before the commit date, and, if
/// it replaces an earlier version (`replaced`: its number and start), on or before the commit
/// date (what was in force earlier today stays so) or before the start of the version it
/// replaces.
pub(super) fn require_start(
    ctx: &Context,
    what: &str,
    from: CivilDate,
    replaced: Option<(u32, CivilDate)>,
) -> Result<(), Refusal> {
    let today = CivilDate::of(ctx.committed_at);
    if from < today {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::EffectiveTooEarly {
                earliest: today,
                because: format!("the commit date: {what} is never back-dated"),
                found: from,
            },
        ));
    }
    if let Some((number, start)) = replaced {
        let tomorrow = today.add_days(1);
        if from < tomorrow {
            return Err(Refusal::from(
                crate::ledger::GovernanceRefusal::EffectiveTooEarly {
                    earliest: tomorrow,
                    because: format!(
                        "the day after the commit date: it replaces version {number}, which stays \
                     in force for the rest of today"
                    ),
                    found: from,
                },
            ));
        }
        if from < start {
            return Err(Refusal::from(
                crate::ledger::GovernanceRefusal::EffectiveTooEarly {
                    earliest: start,
                    because: format!("the start of version {number}, which it replaces"),
                    found: from,
                },
            ));
        }
    }
    Ok(())
}

/// Refuses a resolution dated after the commit date: a decision not taken yet.
pub(super) fn require_resolution_taken(ctx: &Context, date: CivilDate) -> Result<(), Refusal> {
    let today = CivilDate::of(ctx.committed_at);
    if date > today {
        return Err(Refusal::from(
            crate::ledger::GovernanceRefusal::DateOutOfRange {
                field: "resolution.date",
                expected: format!("on or before the commit date {today}"),
                found: date,
            },
        ));
    }
    Ok(())
}

/// Of `len` versions whose starts (`start_of(i)`) never decrease, the last that starts on or
/// before `date`: a binary search, so a long history costs O(log n).
pub(super) fn latest_started(
    len: usize,
    start_of: impl Fn(usize) -> CivilDate,
    date: CivilDate,
) -> Option<usize> {
    let (mut low, mut high) = (0, len);
    // Invariant: every index below `low` starts on or before `date`, none from `high` on.
    while low < high {
        let mid = low + (high - low) / 2;
        if start_of(mid) <= date {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    low.checked_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_started_version_is_found_by_binary_search() {
        let day = |d| CivilDate::from_days(d).unwrap();
        let starts = [10, 10, 20, 30, 30, 40];
        let find = |d| latest_started(starts.len(), |i| day(starts[i]), day(d));
        assert_eq!(find(9), None);
        assert_eq!(find(10), Some(1));
        assert_eq!(find(19), Some(1));
        assert_eq!(find(20), Some(2));
        assert_eq!(find(35), Some(4));
        assert_eq!(find(99), Some(5));
        assert_eq!(latest_started(0, |_| day(1), day(5)), None);
    }
}
