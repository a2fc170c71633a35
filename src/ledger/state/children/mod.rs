//! The children's program (未成年人保护, 儿童福利): a child's **category** (orphan, de facto
//! unsupported, in difficulty, left-behind), at most one active at a time, confirmed and ended
//! by the township's child supervisor, with the village child director's **visits** at the
//! category's cadence; and **concern reports** (from mandatory reporters, the public or a data
//! match), reported → verifying → closed with the child-protection case opened for it, or
//! without one. The cases themselves are casework cases of `child-protection/1`
//! (`casework/types.rs`). What is due is listed by `tasks.rs`. The age rules (under 18, under
//! 16 for left-behind) need the birth date, which only the directory holds: the handler checks
//! them before the writer (`directory/present.rs`).

mod category;
pub mod tasks;

pub use category::ChildCategory;

use std::sync::Arc;

use imbl::OrdMap;

use super::journal::Effects;
use super::{Context, State, authority};
use crate::ledger::{
    AreaCode, AreaLevel, CaseId, CaseworkRefusal, ChildrenRefusal, KeyId, PersonId, Program,
    Refusal, ReportId, Role, Sequence, SubjectRefusal, UnixMs,
};

/// A day, in ms.
const DAY_MS: u64 = 86_400_000;

/// Where a concern report comes from.
pub const CONCERN_SOURCES: &[&str] = &["mandatory-reporter", "public", "data-match"];

/// The children's program's operations.
#[derive(Clone, Debug)]
pub enum ChildrenOp {
    /// Confirms a child's category.
    SetCategory {
        /// The child (a registered person).
        child: PersonId,
        /// The category.
        category: ChildCategory,
        /// The child's village.
        area: AreaCode,
        /// SHA-256 of the salted evidence.
        evidence: [u8; 32],
    },
    /// Ends a child's active category.
    EndCategory {
        /// The child.
        child: PersonId,
        /// Why (no personal data).
        reason: String,
    },
    /// Records a concern report.
    ReportConcern {
        /// The new report.
        report: ReportId,
        /// The child.
        child: PersonId,
        /// Its source (`CONCERN_SOURCES`).
        source: String,
        /// The village it is followed up in.
        area: AreaCode,
    },
    /// Starts verifying a report.
    VerifyConcern {
        /// The report.
        report: ReportId,
    },
    /// Closes a report being verified, with the case opened for it if any.
    CloseConcern {
        /// The report.
        report: ReportId,
        /// The child-protection case opened.
        case: Option<CaseId>,
        /// Why (no personal data).
        reason: String,
    },
    /// Records a visit to a child with an active category.
    RecordVisit {
        /// The child.
        child: PersonId,
        /// What was seen (no personal data).
        note: String,
    },
}

/// The kinds of children's program operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChildrenKind {
    /// [`ChildrenOp::SetCategory`].
    SetCategory,
    /// [`ChildrenOp::EndCategory`].
    EndCategory,
    /// [`ChildrenOp::ReportConcern`].
    ReportConcern,
    /// [`ChildrenOp::VerifyConcern`].
    VerifyConcern,
    /// [`ChildrenOp::CloseConcern`].
    CloseConcern,
    /// [`ChildrenOp::RecordVisit`].
    RecordVisit,
}

impl ChildrenOp {
    /// The operation's kind.
    pub fn kind(&self) -> ChildrenKind {
        match self {
            ChildrenOp::SetCategory { .. } => ChildrenKind::SetCategory,
            ChildrenOp::EndCategory { .. } => ChildrenKind::EndCategory,
            ChildrenOp::ReportConcern { .. } => ChildrenKind::ReportConcern,
            ChildrenOp::VerifyConcern { .. } => ChildrenKind::VerifyConcern,
            ChildrenOp::CloseConcern { .. } => ChildrenKind::CloseConcern,
            ChildrenOp::RecordVisit { .. } => ChildrenKind::RecordVisit,
        }
    }
}

impl ChildrenKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            ChildrenKind::SetCategory => "set-child-category",
            ChildrenKind::EndCategory => "end-child-category",
            ChildrenKind::ReportConcern => "report-concern",
            ChildrenKind::VerifyConcern => "verify-concern",
            ChildrenKind::CloseConcern => "close-concern",
            ChildrenKind::RecordVisit => "record-child-visit",
        }
    }
}

/// One category of a child, active until ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryRecord {
    /// The category.
    pub category: ChildCategory,
    /// The child's village.
    pub area: AreaCode,
    /// SHA-256 of the salted evidence.
    pub evidence: [u8; 32],
    /// Who set it, when.
    pub set: (KeyId, UnixMs),
    /// Who ended it, when, why; `None` while active.
    pub ended: Option<(KeyId, UnixMs, String)>,
}

/// A visit to a child.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildVisit {
    /// The key that recorded it.
    pub by: KeyId,
    /// When.
    pub at: UnixMs,
    /// What was seen.
    pub note: String,
    /// Its entry.
    pub sequence: Sequence,
}

/// A child's file as the log made it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChildFile {
    /// Every category, the first first; the last may be active.
    pub categories: Vec<CategoryRecord>,
    /// The latest visits (at most `MAX_CHILD_VISITS`), the first first.
    pub visits: Vec<ChildVisit>,
    /// The reports about the child (at most `MAX_REPORTS_PER_CHILD`).
    pub reports: Vec<ReportId>,
}

impl ChildFile {
    /// The active category.
    pub fn active(&self) -> Option<&CategoryRecord> {
        self.categories.last().filter(|c| c.ended.is_none())
    }

    /// When the next visit is due: a cadence after the last visit under the active category,
    /// or after the category was set.
    pub fn visit_due(&self) -> Option<UnixMs> {
        let active = self.active()?;
        let since = self
            .visits
            .last()
            .map_or(active.set.1, |v| v.at)
            .max(active.set.1);
        Some(UnixMs(since.0.saturating_add(
            u64::from(active.category.visit_every_days()) * DAY_MS,
        )))
    }
}

/// A concern report's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConcernState {
    /// Reported, not yet verified.
    Reported,
    /// Being verified.
    Verifying,
    /// Closed with a case opened.
    CaseOpened,
    /// Closed without a case.
    Closed,
}

impl ConcernState {
    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            ConcernState::Reported => "reported",
            ConcernState::Verifying => "verifying",
            ConcernState::CaseOpened => "case-opened",
            ConcernState::Closed => "closed",
        }
    }
}

/// A concern report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConcernReport {
    /// The child.
    pub child: PersonId,
    /// Its source.
    pub source: String,
    /// The village it is followed up in.
    pub area: AreaCode,
    /// Its state.
    pub state: ConcernState,
    /// Who recorded it, when.
    pub reported: (KeyId, UnixMs),
    /// Once closed: the case opened if any, by whom, why, when.
    pub closed: Option<(Option<CaseId>, KeyId, String, UnixMs)>,
}

/// The most visits a child's file keeps (the cadence needs only the latest).
pub const MAX_CHILD_VISITS: usize = 1_024;
/// The most categories a child's file holds.
pub const MAX_CATEGORIES_PER_CHILD: usize = 64;
/// The most concern reports about one child.
pub const MAX_REPORTS_PER_CHILD: usize = 256;

/// Everything the children's program holds.
#[derive(Clone, Debug, Default)]
pub(super) struct Children {
    files: OrdMap<PersonId, Arc<ChildFile>>,
    reports: OrdMap<ReportId, Arc<ConcernReport>>,
}

/// A checked children's operation.
#[derive(Debug)]
pub(super) enum Plan {
    File(PersonId, ChildFile),
    Report(ReportId, ConcernReport, Option<(PersonId, ChildFile)>),
}

impl Plan {
    pub(super) fn commit(self, state: &mut State) -> Effects {
        let children = &mut state.children;
        match self {
            Plan::File(child, file) => {
                children.files.insert(child, Arc::new(file));
            }
            Plan::Report(id, report, file) => {
                children.reports.insert(id, Arc::new(report));
                if let Some((child, file)) = file {
                    children.files.insert(child, Arc::new(file));
                }
            }
        }
        Effects::default()
    }
}

/// The child, checked before anything else of it: the signer's role (`check` names who
/// may), then that the child is registered and in an area the signer covers, so a key of
/// another area learns nothing of the child (not a category, an age, a record) but
/// `OUT_OF_SCOPE`. Answers the child's registered area.
fn reach_child(
    state: &State,
    child: &PersonId,
    check: impl Fn(Option<&AreaCode>) -> Result<(), Refusal>,
) -> Result<AreaCode, Refusal> {
    check(None)?;
    let registered = state
        .person(child)
        .ok_or(SubjectRefusal::UnknownPerson(*child))?;
    check(Some(&registered.area))?;
    Ok(registered.area)
}

/// `area` is a village on the path of the child's registered area (the child's own village,
/// or one of the registered township's), or `INVALID_FIELD`.
fn require_childs_village(area: &AreaCode, registered: &AreaCode) -> Result<(), Refusal> {
    if area.level() == AreaLevel::Village && area.is_within(registered) {
        return Ok(());
    }
    if area.level() == AreaLevel::Village && registered.is_within(area) {
        return Ok(());
    }
    Err(Refusal::InvalidField {
        field: "area_code",
        expected: "the child's village (12 digits), where the child director visits".into(),
        found: if area.level() == AreaLevel::Village {
            "another village".into()
        } else {
            format!("a {} area", area.level().name())
        },
    })
}

/// Checks a children's operation.
pub(super) fn check(state: &State, ctx: &Context, op: &ChildrenOp) -> Result<Plan, Refusal> {
    let children = &state.children;
    let file = |child: &PersonId| {
        children
            .files
            .get(child)
            .map(|f| ChildFile::clone(f))
            .unwrap_or_default()
    };
    let active = |child: &PersonId, file: &ChildFile| {
        file.active()
            .cloned()
            .ok_or_else(|| Refusal::from(ChildrenRefusal::NoActiveCategory(child.to_string())))
    };
    match op {
        ChildrenOp::SetCategory {
            child,
            category,
            area,
            evidence,
        } => {
            let operation = "setting a child's category";
            let registered = reach_child(state, child, |area| {
                authority::require_category_setter(&ctx.role, operation, area)
            })?;
            require_childs_village(area, &registered)?;
            authority::require_category_setter(&ctx.role, operation, Some(area))?;
            state.areas.require(area)?;
            let mut file = file(child);
            if let Some(current) = file.active() {
                return Err(ChildrenRefusal::CategoryActive(current.category.name()).into());
            }
            if file.categories.len() >= MAX_CATEGORIES_PER_CHILD {
                return Err(ChildrenRefusal::FileFull {
                    what: "categories",
                    max: MAX_CATEGORIES_PER_CHILD,
                }
                .into());
            }
            file.categories.push(CategoryRecord {
                category: *category,
                area: area.clone(),
                evidence: *evidence,
                set: (ctx.signer, ctx.committed_at),
                ended: None,
            });
            Ok(Plan::File(*child, file))
        }
        ChildrenOp::EndCategory { child, reason } => {
            let operation = "ending a child's category";
            reach_child(state, child, |area| {
                authority::require_category_setter(&ctx.role, operation, area)
            })?;
            let mut file = file(child);
            let current = active(child, &file)?;
            authority::require_category_setter(
                &ctx.role,
                "ending a child's category",
                Some(&current.area),
            )?;
            if let Some(last) = file.categories.last_mut() {
                last.ended = Some((ctx.signer, ctx.committed_at, reason.clone()));
            }
            Ok(Plan::File(*child, file))
        }
        ChildrenOp::ReportConcern {
            report,
            child,
            source,
            area,
        } => {
            let operation = "recording a concern report";
            let registered = reach_child(state, child, |area| {
                authority::require_child_worker(&ctx.role, operation, area)
            })?;
            require_childs_village(area, &registered)?;
            authority::require_child_worker(&ctx.role, operation, Some(area))?;
            state.areas.require(area)?;
            if children.reports.contains_key(report) {
                return Err(Refusal::AlreadyRegistered {
                    kind: "concern report",
                    id: report.to_string(),
                });
            }
            let mut file = file(child);
            if file.reports.len() >= MAX_REPORTS_PER_CHILD {
                return Err(ChildrenRefusal::FileFull {
                    what: "concern reports",
                    max: MAX_REPORTS_PER_CHILD,
                }
                .into());
            }
            file.reports.push(*report);
            Ok(Plan::Report(
                *report,
                ConcernReport {
                    child: *child,
                    source: source.clone(),
                    area: area.clone(),
                    state: ConcernState::Reported,
                    reported: (ctx.signer, ctx.committed_at),
                    closed: None,
                },
                Some((*child, file)),
            ))
        }
        ChildrenOp::VerifyConcern { report: id } => {
            let report = concern(state, ctx, id, "verifying a concern report")?;
            expect_state(&report, ConcernState::Reported)?;
            let mut next = ConcernReport::clone(&report);
            next.state = ConcernState::Verifying;
            Ok(Plan::Report(*id, next, None))
        }
        ChildrenOp::CloseConcern {
            report: id,
            case,
            reason,
        } => {
            let report = concern(state, ctx, id, "closing a concern report")?;
            expect_state(&report, ConcernState::Verifying)?;
            if let Some(case) = case {
                let view = state
                    .case(case)
                    .ok_or(CaseworkRefusal::UnknownCase(*case))?;
                // A case the signer acts on (the bureau admin sees every one): nothing learned
                // of other areas' or programs' cases.
                if ctx.role != Role::BureauAdmin {
                    authority::may_act_on_case(
                        &ctx.role,
                        "closing a concern report",
                        Some((view.case_type.program, &view.area)),
                    )?;
                }
                if view.case_type.program != Program::Children {
                    return Err(ChildrenRefusal::NotAChildrensCase(view.case_type.code).into());
                }
                if view.person != report.child {
                    return Err(crate::ledger::AssistanceRefusal::CaseOfAnotherPerson.into());
                }
            }
            let mut next = ConcernReport::clone(&report);
            next.state = if case.is_some() {
                ConcernState::CaseOpened
            } else {
                ConcernState::Closed
            };
            next.closed = Some((*case, ctx.signer, reason.clone(), ctx.committed_at));
            Ok(Plan::Report(*id, next, None))
        }
        ChildrenOp::RecordVisit { child, note } => {
            let operation = "recording a visit to a child";
            reach_child(state, child, |area| {
                authority::require_child_worker(&ctx.role, operation, area)
            })?;
            let mut file = file(child);
            let current = active(child, &file)?;
            authority::require_child_worker(&ctx.role, operation, Some(&current.area))?;
            if file.visits.len() >= MAX_CHILD_VISITS {
                file.visits.remove(0);
            }
            file.visits.push(ChildVisit {
                by: ctx.signer,
                at: ctx.committed_at,
                note: note.clone(),
                sequence: ctx.sequence,
            });
            Ok(Plan::File(*child, file))
        }
    }
}

/// The report `id`, checked for the signer's role before it is looked up and for its area
/// after.
fn concern(
    state: &State,
    ctx: &Context,
    id: &ReportId,
    operation: &'static str,
) -> Result<Arc<ConcernReport>, Refusal> {
    authority::require_child_worker(&ctx.role, operation, None)?;
    let report = state
        .children
        .reports
        .get(id)
        .cloned()
        .ok_or_else(|| ChildrenRefusal::UnknownReport(id.to_string()))?;
    authority::require_child_worker(&ctx.role, operation, Some(&report.area))?;
    Ok(report)
}

/// `CONCERN_NOT_IN_STATE` unless the report is in `expected`.
fn expect_state(report: &ConcernReport, expected: ConcernState) -> Result<(), Refusal> {
    if report.state == expected {
        return Ok(());
    }
    Err(ChildrenRefusal::ConcernNotInState {
        expected: expected.name(),
        found: report.state.name(),
    }
    .into())
}

impl State {
    /// A child's file, if the log holds anything about the child.
    pub fn child_file(&self, child: &PersonId) -> Option<ChildFile> {
        self.children.files.get(child).map(|f| (**f).clone())
    }

    /// A concern report.
    pub fn concern_report(&self, id: &ReportId) -> Option<ConcernReport> {
        self.children.reports.get(id).map(|r| (**r).clone())
    }

    /// Whether `signer` may set `category` for `child` in `area`: the checks of the handler's
    /// directory check (`directory/present.rs`) before it reads the child's record.
    pub fn may_set_child_category(
        &self,
        signer: &KeyId,
        child: &PersonId,
        area: &AreaCode,
    ) -> Result<super::SubjectView, Refusal> {
        let role = self
            .key(signer)
            .map(|key| key.role.clone())
            .ok_or(Refusal::UnknownKey { key_id: *signer })?;
        let operation = "setting a child's category";
        let registered = reach_child(self, child, |area| {
            authority::require_category_setter(&role, operation, area)
        })?;
        require_childs_village(area, &registered)?;
        authority::require_category_setter(&role, operation, Some(area))?;
        self.person(child)
            .ok_or_else(|| SubjectRefusal::UnknownPerson(*child).into())
    }

    /// Whether `role` sees the child's file: the children's network of the child's registered
    /// area (and bureau admins and auditors); `None` for a child the log does not hold.
    pub fn sees_child(&self, role: &Role, child: &PersonId) -> Option<bool> {
        let registered = self.person(child)?;
        Some(authority::sees_children(role, &registered.area))
    }
}
