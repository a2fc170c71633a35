//! What social assistance workers have to do, as lists: alerts not yet resolved,
//! commitments (告知承诺) whose verification is due (by the server's clock) and not made, and
//! care agreements whose next visit is due. Each list holds what the reader sees of the
//! assistance program ([`sees_cases`](crate::ledger::sees_cases)), in id order, a page
//! examining at most [`MAX_EXAMINED`] items.

use std::ops::Bound;
use std::sync::Arc;

use imbl::OrdMap;

use crate::ledger::state::{State, authority};
use crate::ledger::{AreaCode, PersonId, Program, Role, UnixMs};

/// The most items one page examines.
pub const MAX_EXAMINED: usize = 4_096;

/// Which tasks a list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskKind {
    /// Alerts not yet resolved.
    OpenAlerts,
    /// Commitments whose verification is due and not made.
    VerificationsDue,
    /// Care agreements whose next visit is due.
    VisitsDue,
}

/// One task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    /// The alert, case (for a verification) or agreement.
    pub id: [u8; 16],
    /// The person concerned.
    pub person: PersonId,
    /// The area.
    pub area: AreaCode,
    /// When it was due (for alerts: when raised).
    pub due: UnixMs,
    /// What it is: the alert's kind, or the verification's or visit's.
    pub detail: String,
}

/// One page of tasks.
#[derive(Clone, Debug, Default)]
pub struct TaskPage {
    /// The tasks.
    pub tasks: Vec<Task>,
    /// Where the next page starts, if the list may go on.
    pub next: Option<[u8; 16]>,
}

/// A page of `map` after `after`, holding the items `pick` makes a task of (the children's
/// lists use it too).
pub(in crate::ledger::state) fn page<K, V>(
    map: &OrdMap<K, Arc<V>>,
    after: Option<K>,
    limit: usize,
    bytes: impl Fn(&K) -> [u8; 16],
    pick: impl Fn(&K, &V) -> Option<Task>,
) -> TaskPage
where
    K: Ord + Clone,
{
    let start = after.map_or(Bound::Unbounded, Bound::Excluded);
    let mut out = TaskPage::default();
    let mut last = None;
    for (examined, (key, value)) in map.range((start, Bound::Unbounded)).enumerate() {
        if examined == MAX_EXAMINED || out.tasks.len() == limit {
            out.next = last;
            return out;
        }
        last = Some(bytes(key));
        if let Some(task) = pick(key, value) {
            out.tasks.push(task);
        }
    }
    out
}

impl State {
    /// A page of the `kind` tasks `role` sees in `area` (every area if `None`), as of `now`.
    pub fn assistance_tasks(
        &self,
        role: &Role,
        kind: TaskKind,
        area: Option<&AreaCode>,
        now: UnixMs,
        after: Option<[u8; 16]>,
        limit: usize,
    ) -> TaskPage {
        let sees = |at: &AreaCode| {
            area.is_none_or(|a| at.is_within(a))
                && authority::sees_cases(role, Program::Assistance, at)
        };
        let a = &self.assistance;
        match kind {
            TaskKind::OpenAlerts => page(
                &a.alerts,
                after.map(crate::ledger::AlertId),
                limit,
                |k| k.0,
                |id, alert| {
                    (alert.resolved.is_none() && sees(&alert.area)).then(|| Task {
                        id: id.0,
                        person: alert.person,
                        area: alert.area.clone(),
                        due: alert.at,
                        detail: alert.kind.clone(),
                    })
                },
            ),
            TaskKind::VerificationsDue => page(
                &a.commitments,
                after.map(crate::ledger::CaseId),
                limit,
                |k| k.0,
                |case, c| {
                    (c.verified.is_none() && c.due <= now && sees(&c.area)).then(|| Task {
                        id: case.0,
                        person: c.person,
                        area: c.area.clone(),
                        due: c.due,
                        detail: "verification of a commitment".into(),
                    })
                },
            ),
            TaskKind::VisitsDue => page(
                &a.agreements,
                after.map(crate::ledger::AgreementId),
                limit,
                |k| k.0,
                |id, agreement| {
                    let due = agreement.visit_due();
                    let granted = self.case_granted(&agreement.case);
                    (granted && due <= now && sees(&agreement.area)).then(|| Task {
                        id: id.0,
                        person: agreement.person,
                        area: agreement.area.clone(),
                        due,
                        detail: format!("a visit every {} days", agreement.visit_every_days),
                    })
                },
            ),
        }
    }
}
