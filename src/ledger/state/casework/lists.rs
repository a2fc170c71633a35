//! The lists of cases a caseworker works from: every case, cases overdue in their state
//! (its deadline passed by the server's clock), cases due for their periodic review, and
//! cases on public notice. Each list holds only the cases the reader sees
//! ([`sees_cases`](crate::ledger::sees_cases)) and is paged in case-id order; a page
//! examines at most [`MAX_EXAMINED`] cases, so a reader's request costs a bounded amount
//! whatever the log holds.

use super::{Case, CaseView};
use crate::ledger::state::{State, authority};
use crate::ledger::{AreaCode, CaseId, Role, UnixMs};

/// The most cases one page examines.
pub const MAX_EXAMINED: usize = 4_096;

/// Which cases a list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseFilter {
    /// Every case.
    All,
    /// Cases whose state's deadline has passed.
    Overdue,
    /// Cases whose periodic review is due.
    ReviewDue,
    /// Cases on public notice.
    OnNotice,
}

/// What a list asks for, beside the reader and the time.
#[derive(Clone, Debug)]
pub struct CaseQuery {
    /// Which cases.
    pub filter: CaseFilter,
    /// Only cases in this area or below it.
    pub area: Option<AreaCode>,
    /// Only cases of this case type's code.
    pub case_type: Option<String>,
    /// Only cases after this id (the previous page's cursor).
    pub after: Option<CaseId>,
    /// The most cases in the page.
    pub limit: usize,
}

/// One page of a list.
#[derive(Clone, Debug, Default)]
pub struct CasePage {
    /// The cases, in id order, without their steps and objections.
    pub cases: Vec<(CaseId, CaseView)>,
    /// Where the next page starts, if the list may go on.
    pub next: Option<CaseId>,
}

impl CaseFilter {
    fn holds(self, case: &Case, now: UnixMs) -> bool {
        match self {
            CaseFilter::All => true,
            CaseFilter::Overdue => case.due().is_some_and(|due| due <= now),
            CaseFilter::ReviewDue => case.review_due().is_some_and(|due| due <= now),
            CaseFilter::OnNotice => case.on_notice(),
        }
    }
}

impl State {
    /// A page of the cases `role` sees that `query` asks for, as of `now`.
    pub fn cases_page(&self, role: &Role, query: &CaseQuery, now: UnixMs) -> CasePage {
        use std::ops::Bound;
        let start = match query.after {
            Some(after) => Bound::Excluded(after),
            None => Bound::Unbounded,
        };
        let mut page = CasePage::default();
        let mut last = None;
        let cases = self.cases.cases.range((start, Bound::Unbounded));
        for (examined, (id, case)) in cases.enumerate() {
            if examined == MAX_EXAMINED || page.cases.len() == query.limit {
                // The cursor is the last case examined: the next page starts after it.
                page.next = last;
                return page;
            }
            last = Some(*id);
            let wanted = query.area.as_ref().is_none_or(|a| case.area.is_within(a))
                && query
                    .case_type
                    .as_deref()
                    .is_none_or(|code| case.case_type.code == code)
                && query.filter.holds(case, now)
                && authority::sees_cases(role, case.case_type.program, &case.area);
            if wanted {
                page.cases.push((*id, case.view(false)));
            }
        }
        page.next = None;
        page
    }
}
