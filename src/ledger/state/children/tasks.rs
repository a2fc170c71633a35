//! What the children's network has to do, as lists: children whose next visit is due (by the
//! server's clock) and concern reports not yet closed. Each list holds what the reader sees of
//! the program ([`sees_children`](crate::ledger::sees_children)), in id order, a page
//! examining at most 4,096 items, as the assistance lists.

use super::ConcernState;
use crate::ledger::state::assistance::tasks::{Task, TaskPage, page};
use crate::ledger::state::{State, authority};
use crate::ledger::{AreaCode, PersonId, ReportId, Role, UnixMs};

/// Which children's tasks a list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildTaskKind {
    /// Children with an active category whose next visit is due.
    VisitsDue,
    /// Concern reports reported or being verified.
    OpenConcerns,
}

impl State {
    /// A page of the `kind` children's tasks `role` sees in `area` (every area if `None`), as
    /// of `now`.
    pub fn child_tasks(
        &self,
        role: &Role,
        kind: ChildTaskKind,
        area: Option<&AreaCode>,
        now: UnixMs,
        after: Option<[u8; 16]>,
        limit: usize,
    ) -> TaskPage {
        let sees = |at: &AreaCode| {
            area.is_none_or(|a| at.is_within(a)) && authority::sees_children(role, at)
        };
        let c = &self.children;
        match kind {
            ChildTaskKind::VisitsDue => page(
                &c.files,
                after.map(PersonId),
                limit,
                |k| k.0,
                |child, file| {
                    let active = file.active()?;
                    let due = file.visit_due()?;
                    (due <= now && sees(&active.area)).then(|| Task {
                        id: child.0,
                        person: *child,
                        area: active.area.clone(),
                        due,
                        detail: active.category.name().into(),
                    })
                },
            ),
            ChildTaskKind::OpenConcerns => page(
                &c.reports,
                after.map(ReportId),
                limit,
                |k| k.0,
                |id, report| {
                    let open = matches!(
                        report.state,
                        ConcernState::Reported | ConcernState::Verifying
                    );
                    (open && sees(&report.area)).then(|| Task {
                        id: id.0,
                        person: report.child,
                        area: report.area.clone(),
                        due: report.reported.1,
                        detail: report.state.name().into(),
                    })
                },
            ),
        }
    }
}
