//! Social organizations (社会组织管理), for organizations registered in the registry (one
//! per unified social credit code): **annual reports** once per year and their
//! **inspections** (`reports.rs`); the **abnormal list** (活动异常名录) for a report missing
//! after its due date or an organization that cannot be reached, and the **serious-violation
//! list** (严重违法失信名单) after two years on it (`lists.rs`); **enforcement cases**, the
//! clean-up of zombie organizations and reports of illegal ones (`enforcement.rs`); and
//! **charity venture contests** whose grants never go to an organization on the serious list
//! (`contests.rs`).

mod contests;
mod enforcement;
mod lists;
mod reports;

use std::sync::Arc;

use imbl::{OrdMap, OrdSet};

use super::journal::Effects;
use super::{Context, State};
use crate::ledger::{
    AreaCode, CivilDate, ContestId, EnforcementCaseId, KeyId, OrganizationId, OrganizationsRefusal,
    Refusal, Sequence, SubjectRefusal,
};

pub use contests::{ContestView, Grant};
pub use enforcement::{CaseSubject, Closure, EnforcementCase};
pub use lists::{Listed, ListedPage};

/// An annual inspection's results.
pub const INSPECTION_RESULTS: &[&str] = &["qualified", "basically-qualified", "unqualified"];
/// An enforcement case's kinds.
pub const CASE_KINDS: &[&str] = &["zombie-cleanup", "illegal-organization"];
/// How a zombie clean-up ends.
pub const CLEANUP_OUTCOMES: &[&str] = &["rectified", "deregistered", "revoked"];
/// How a report of an illegal organization ends.
pub const ILLEGAL_OUTCOMES: &[&str] = &["banned", "not-illegal", "referred"];
/// Every case outcome, of either kind.
pub const CASE_OUTCOMES: &[&str] = &[
    "rectified",
    "deregistered",
    "revoked",
    "banned",
    "not-illegal",
    "referred",
];
/// A year's annual report is due by this month and day of the year after (31 May).
pub const REPORT_DUE: (u8, u8) = (5, 31);
/// The years an organization stays on the abnormal list before it may be moved to the
/// serious list.
pub const SERIOUS_AFTER_YEARS: i64 = 2;
/// The most contests the ledger holds.
pub const MAX_CONTESTS: usize = 1_000;
/// The most grants of one contest.
pub const MAX_GRANTS: usize = 1_000;
/// The most enforcement cases the ledger holds, closed ones included.
pub const MAX_CASES: usize = 1_000_000;
/// The most enforcement cases open at once in one area: past it, a case waits until some
/// are closed (one officer cannot stop the program for every other area).
pub const MAX_OPEN_CASES_PER_AREA: u32 = 1_000;
/// The most listings and removals kept of one organization (the latest).
pub const MAX_LISTING_EVENTS: usize = 64;
/// The first year an annual report is for.
pub const FIRST_REPORT_YEAR: u32 = 2000;

/// Whether an organization still exists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrganizationStatus {
    /// Registered and operating.
    #[default]
    Active,
    /// Deregistered (注销) after a clean-up.
    Deregistered,
    /// Its registration revoked (撤销登记) after a clean-up.
    Revoked,
}

impl OrganizationStatus {
    /// Its name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            OrganizationStatus::Active => "active",
            OrganizationStatus::Deregistered => "deregistered",
            OrganizationStatus::Revoked => "revoked",
        }
    }
}

/// Why an organization is on the abnormal list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbnormalGround {
    /// The annual report of this year is missing after its due date.
    MissingReport(u32),
    /// It cannot be reached at its registered address.
    Unreachable,
}

impl AbnormalGround {
    /// Its name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            AbnormalGround::MissingReport(_) => "missing-report",
            AbnormalGround::Unreachable => "unreachable",
        }
    }

    /// A missing report's year, or 0.
    pub fn year(self) -> u32 {
        match self {
            AbnormalGround::MissingReport(year) => year,
            AbnormalGround::Unreachable => 0,
        }
    }
}

/// The list an organization is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing {
    /// The abnormal list, since a date.
    Abnormal {
        /// Why.
        ground: AbnormalGround,
        /// Since when.
        since: CivilDate,
    },
    /// The serious-violation list.
    Serious {
        /// The abnormal listing's ground.
        ground: AbnormalGround,
        /// When it was put on the abnormal list.
        abnormal_since: CivilDate,
        /// When it was moved to the serious list.
        since: CivilDate,
    },
}

impl Listing {
    /// The list's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Listing::Abnormal { .. } => "abnormal",
            Listing::Serious { .. } => "serious",
        }
    }
}

/// An annual report as filed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnualReport {
    /// The year reported on.
    pub year: u32,
    /// SHA-256 of the report.
    pub report: [u8; 32],
    /// When it was filed.
    pub filed_on: CivilDate,
    /// Who filed it.
    pub by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

impl AnnualReport {
    /// Whether it was filed after its due date.
    pub fn late(&self) -> bool {
        self.filed_on > report_due(self.year)
    }
}

/// An annual inspection's conclusion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnnualInspection {
    /// The year inspected.
    pub year: u32,
    /// One of [`INSPECTION_RESULTS`].
    pub result: &'static str,
    /// SHA-256 of the conclusion.
    pub conclusion: [u8; 32],
    /// Who recorded it.
    pub by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

/// What happened to an organization's listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListingChange {
    /// Put on the abnormal list.
    Abnormal(AbnormalGround),
    /// Removed from the abnormal list.
    Removed,
    /// Moved to the serious list.
    Serious,
    /// Taken off its list because it was deregistered or revoked.
    Dissolved,
}

impl ListingChange {
    /// Its name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            ListingChange::Abnormal(_) => "abnormal",
            ListingChange::Removed => "removed",
            ListingChange::Serious => "serious",
            ListingChange::Dissolved => "dissolved",
        }
    }
}

/// A listing or removal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingEvent {
    /// What changed.
    pub change: ListingChange,
    /// When.
    pub on: CivilDate,
    /// A removal's or a serious listing's reason.
    pub reason: String,
    /// The evidence cited.
    pub evidence: Option<[u8; 32]>,
    /// Who.
    pub by: KeyId,
    /// Its entry.
    pub sequence: Sequence,
}

/// An organization's record in the program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrganizationRecord {
    /// Whether it still exists.
    pub status: OrganizationStatus,
    /// The list it is on now.
    pub listing: Option<Listing>,
    /// Its annual reports, by year.
    pub reports: Vec<AnnualReport>,
    /// Its annual inspections, by year.
    pub inspections: Vec<AnnualInspection>,
    /// Every listing and removal, in log order.
    pub history: Vec<ListingEvent>,
    /// Its open zombie clean-up case.
    pub open_cleanup: Option<EnforcementCaseId>,
    /// The grants it received, with their contests, in log order (at most one per contest).
    pub grants: Vec<(ContestId, Grant)>,
}

impl OrganizationRecord {
    /// The report of `year`, if filed.
    pub fn report(&self, year: u32) -> Option<&AnnualReport> {
        self.reports.iter().find(|r| r.year == year)
    }
}

/// The date a year's annual report is due: 31 May of the year after.
pub fn report_due(year: u32) -> CivilDate {
    let (month, day) = REPORT_DUE;
    CivilDate::from_ymd(i64::from(year) + 1, month, day).unwrap_or(CivilDate::MAX)
}

/// The first date an organization on the abnormal list since `since` may be moved to the
/// serious list: the same date two years later (1 March for 29 February).
pub fn serious_from(since: CivilDate) -> CivilDate {
    let (year, month, day) = since.ymd();
    let year = year + SERIOUS_AFTER_YEARS;
    CivilDate::from_ymd(year, month, day)
        .or_else(|| CivilDate::from_ymd(year, 3, 1))
        .unwrap_or(CivilDate::MAX)
}

/// The social organizations' operations.
#[derive(Clone, Debug)]
pub enum OrganizationsOp {
    /// Files an annual report.
    FileReport {
        /// The organization.
        organization: OrganizationId,
        /// The year reported on.
        year: u32,
        /// SHA-256 of the report.
        report: [u8; 32],
    },
    /// Records an annual inspection.
    Inspect {
        /// The organization.
        organization: OrganizationId,
        /// The year inspected.
        year: u32,
        /// One of [`INSPECTION_RESULTS`].
        result: &'static str,
        /// SHA-256 of the conclusion.
        conclusion: [u8; 32],
    },
    /// Puts an organization on the abnormal list.
    ListAbnormal {
        /// The organization.
        organization: OrganizationId,
        /// Why.
        ground: AbnormalGround,
        /// For an unreachable organization, the failed contacts' record.
        evidence: Option<[u8; 32]>,
    },
    /// Removes an organization from the abnormal list.
    RemoveAbnormal {
        /// The organization.
        organization: OrganizationId,
        /// For an unreachable organization, the record of contact restored.
        evidence: Option<[u8; 32]>,
        /// Why.
        reason: String,
    },
    /// Moves an organization to the serious list.
    ListSerious {
        /// The organization.
        organization: OrganizationId,
        /// Why.
        reason: String,
    },
    /// Opens an enforcement case.
    OpenCase {
        /// The new case.
        case: EnforcementCaseId,
        /// What it is about.
        subject: CaseSubject,
        /// What was found or reported.
        ground: String,
        /// SHA-256 of the evidence.
        evidence: [u8; 32],
    },
    /// Closes an enforcement case.
    CloseCase {
        /// The case.
        case: EnforcementCaseId,
        /// One of the kind's outcomes.
        outcome: &'static str,
        /// SHA-256 of the decision.
        decision: [u8; 32],
        /// Why.
        reason: String,
    },
    /// Defines a charity venture contest.
    DefineContest {
        /// The new contest.
        contest: ContestId,
        /// Its title.
        title: String,
        /// Its year.
        year: u32,
        /// The area whose organizations may be granted.
        area: AreaCode,
        /// The budget, in fen.
        budget_fen: u64,
    },
    /// Awards a contest's grant.
    AwardGrant {
        /// The contest.
        contest: ContestId,
        /// The organization.
        organization: OrganizationId,
        /// In fen.
        amount_fen: u64,
        /// The project's title.
        title: String,
        /// SHA-256 of the application.
        application: [u8; 32],
    },
}

/// The kinds of social organizations operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrganizationsKind {
    /// [`OrganizationsOp::FileReport`].
    FileReport,
    /// [`OrganizationsOp::Inspect`].
    Inspect,
    /// [`OrganizationsOp::ListAbnormal`].
    ListAbnormal,
    /// [`OrganizationsOp::RemoveAbnormal`].
    RemoveAbnormal,
    /// [`OrganizationsOp::ListSerious`].
    ListSerious,
    /// [`OrganizationsOp::OpenCase`].
    OpenCase,
    /// [`OrganizationsOp::CloseCase`].
    CloseCase,
    /// [`OrganizationsOp::DefineContest`].
    DefineContest,
    /// [`OrganizationsOp::AwardGrant`].
    AwardGrant,
}

impl OrganizationsOp {
    /// The operation's kind.
    pub fn kind(&self) -> OrganizationsKind {
        use OrganizationsKind as K;
        match self {
            OrganizationsOp::FileReport { .. } => K::FileReport,
            OrganizationsOp::Inspect { .. } => K::Inspect,
            OrganizationsOp::ListAbnormal { .. } => K::ListAbnormal,
            OrganizationsOp::RemoveAbnormal { .. } => K::RemoveAbnormal,
            OrganizationsOp::ListSerious { .. } => K::ListSerious,
            OrganizationsOp::OpenCase { .. } => K::OpenCase,
            OrganizationsOp::CloseCase { .. } => K::CloseCase,
            OrganizationsOp::DefineContest { .. } => K::DefineContest,
            OrganizationsOp::AwardGrant { .. } => K::AwardGrant,
        }
    }
}

impl OrganizationsKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            OrganizationsKind::FileReport => "file-annual-report",
            OrganizationsKind::Inspect => "record-annual-inspection",
            OrganizationsKind::ListAbnormal => "list-abnormal",
            OrganizationsKind::RemoveAbnormal => "remove-from-abnormal-list",
            OrganizationsKind::ListSerious => "list-serious",
            OrganizationsKind::OpenCase => "open-enforcement-case",
            OrganizationsKind::CloseCase => "close-enforcement-case",
            OrganizationsKind::DefineContest => "define-contest",
            OrganizationsKind::AwardGrant => "award-grant",
        }
    }
}

/// Everything the social organizations program holds.
#[derive(Clone, Debug, Default)]
pub(super) struct Organizations {
    records: OrdMap<OrganizationId, Arc<OrganizationRecord>>,
    /// The organizations on each list (`[abnormal, serious]`) by area, so that an area's are
    /// one range (an area's code begins every code below it).
    listed: [OrdSet<(AreaCode, OrganizationId)>; 2],
    /// How many organizations are on each list within each area (an area and those above).
    listed_counts: OrdMap<(bool, AreaCode), u64>,
    cases: OrdMap<EnforcementCaseId, Arc<EnforcementCase>>,
    /// How many cases are open in each area.
    open_cases: OrdMap<AreaCode, u32>,
    contests: OrdMap<ContestId, Arc<ContestView>>,
}

impl Organizations {
    /// Moves `id` (of `area`) from the list it was on to the one it is on now, counting it in
    /// its area and the areas above.
    fn relist(
        &mut self,
        id: OrganizationId,
        area: &AreaCode,
        before: Option<Listing>,
        after: Option<Listing>,
    ) {
        let serious = |l: Listing| matches!(l, Listing::Serious { .. });
        let list = |serious: bool| usize::from(serious);
        let areas = area.and_above();
        if let Some(serious) = before.map(serious) {
            self.listed[list(serious)].remove(&(area.clone(), id));
            for a in &areas {
                let key = (serious, a.clone());
                let left = self
                    .listed_counts
                    .get(&key)
                    .map_or(0, |n| n.saturating_sub(1));
                if left == 0 {
                    self.listed_counts.remove(&key);
                } else {
                    self.listed_counts.insert(key, left);
                }
            }
        }
        if let Some(serious) = after.map(serious) {
            self.listed[list(serious)].insert((area.clone(), id));
            for a in areas {
                *self.listed_counts.entry((serious, a)).or_insert(0) += 1;
            }
        }
    }
}

/// A checked social organizations operation: what it writes.
#[derive(Debug, Default)]
pub(super) struct Plan {
    organization: Option<(OrganizationId, OrganizationRecord)>,
    case: Option<(EnforcementCaseId, EnforcementCase)>,
    contest: Option<(ContestId, ContestView)>,
}

impl Plan {
    fn organization(id: OrganizationId, record: OrganizationRecord) -> Self {
        Self {
            organization: Some((id, record)),
            ..Self::default()
        }
    }

    pub(super) fn commit(self, state: &mut State) -> Effects {
        if let Some((id, record)) = self.organization {
            let area = state.organization(&id).map(|s| s.area);
            let o = &mut state.organizations;
            let before = o.records.get(&id).and_then(|r| r.listing);
            if let Some(area) = area
                && before != record.listing
            {
                o.relist(id, &area, before, record.listing);
            }
            o.records.insert(id, Arc::new(record));
        }
        let o = &mut state.organizations;
        if let Some((id, case)) = self.case {
            let was_open = o.cases.get(&id).is_some_and(|c| c.closed.is_none());
            let open = o.open_cases.get(&case.area).copied().unwrap_or(0);
            let open = match (was_open, case.closed.is_none()) {
                (false, true) => open + 1,
                (true, false) => open.saturating_sub(1),
                _ => open,
            };
            if open == 0 {
                o.open_cases.remove(&case.area);
            } else {
                o.open_cases.insert(case.area.clone(), open);
            }
            o.cases.insert(id, Arc::new(case));
        }
        if let Some((id, contest)) = self.contest {
            o.contests.insert(id, Arc::new(contest));
        }
        Effects::default()
    }
}

/// The registered organization `id` and its program record (empty before its first
/// operation), checked for the signer: a bureau admin, or an organizations officer whose
/// area covers the organization's.
fn reach(
    state: &State,
    ctx: &Context,
    id: &OrganizationId,
    operation: &'static str,
) -> Result<(AreaCode, OrganizationRecord), Refusal> {
    super::authority::require_organizations_officer(&ctx.role, operation, None)?;
    let registered = state
        .organization(id)
        .ok_or(SubjectRefusal::UnknownOrganization(*id))?;
    super::authority::require_organizations_officer(&ctx.role, operation, Some(&registered.area))?;
    Ok((registered.area, state.organization_record(id)))
}

/// `record` unless it is deregistered or revoked.
fn require_active(id: &OrganizationId, record: &OrganizationRecord) -> Result<(), Refusal> {
    match record.status {
        OrganizationStatus::Active => Ok(()),
        status => Err(OrganizationsRefusal::Dissolved {
            organization: id.to_string(),
            status: status.name(),
        }
        .into()),
    }
}

/// Checks a social organizations operation.
pub(super) fn check(state: &State, ctx: &Context, op: &OrganizationsOp) -> Result<Plan, Refusal> {
    match op {
        OrganizationsOp::FileReport { .. } | OrganizationsOp::Inspect { .. } => {
            reports::check(state, ctx, op)
        }
        OrganizationsOp::ListAbnormal { .. }
        | OrganizationsOp::RemoveAbnormal { .. }
        | OrganizationsOp::ListSerious { .. } => lists::check(state, ctx, op),
        OrganizationsOp::OpenCase { .. } | OrganizationsOp::CloseCase { .. } => {
            enforcement::check(state, ctx, op)
        }
        OrganizationsOp::DefineContest { .. } | OrganizationsOp::AwardGrant { .. } => {
            contests::check(state, ctx, op)
        }
    }
}

impl State {
    /// A registered organization's program record (empty if it has none yet).
    pub fn organization_record(&self, id: &OrganizationId) -> OrganizationRecord {
        self.organizations
            .records
            .get(id)
            .map(|r| (**r).clone())
            .unwrap_or_default()
    }

    /// An enforcement case.
    pub fn enforcement_case(&self, id: &EnforcementCaseId) -> Option<EnforcementCase> {
        self.organizations.cases.get(id).map(|c| (**c).clone())
    }

    /// A contest.
    pub fn contest(&self, id: &ContestId) -> Option<ContestView> {
        self.organizations.contests.get(id).map(|c| (**c).clone())
    }
}
