//! The social organizations' refusals (`shanzhi.organizations.v1`): reports once per year,
//! inspections of filed reports, the abnormal list's grounds and cures, the serious list after
//! two years, one open clean-up per organization, and grants only within a contest's budget
//! and never to an organization on the serious list; nested in [`Refusal::Organizations`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;

/// Why a social organizations operation was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OrganizationsRefusal {
    /// A report for a year that has not ended, or before the first.
    #[error(
        "year: expected a year that has ended, from {first} to {}, found {found}",
        this_year.saturating_sub(1)
    )]
    YearNotEnded {
        /// The first year accepted.
        first: u32,
        /// The commit's year.
        this_year: u32,
        /// The year given.
        found: u32,
    },
    /// The year's report was filed already.
    #[error(
        "year: expected a year without an annual report of organization {organization}, found {year}, filed on {on}"
    )]
    ReportFiled {
        /// The organization.
        organization: String,
        /// The year.
        year: u32,
        /// When it was filed.
        on: String,
    },
    /// An inspection of a report not filed.
    #[error(
        "year: expected a year whose annual report organization {organization} has filed, found {year} without one"
    )]
    NoReport {
        /// The organization.
        organization: String,
        /// The year.
        year: u32,
    },
    /// The year's inspection was recorded already.
    #[error(
        "year: expected a year not yet inspected for organization {organization}, found {year} inspected already"
    )]
    InspectionRecorded {
        /// The organization.
        organization: String,
        /// The year.
        year: u32,
    },
    /// A deregistered or revoked organization.
    #[error("organization {organization}: expected an active organization, found it {status}")]
    Dissolved {
        /// The organization.
        organization: String,
        /// Its status.
        status: &'static str,
    },
    /// An organization on a list already.
    #[error(
        "organization {organization}: expected an organization on no list, found it on the {list} list since {since}"
    )]
    AlreadyListed {
        /// The organization.
        organization: String,
        /// The list.
        list: &'static str,
        /// Since when.
        since: String,
    },
    /// A report listed as missing before its due date.
    #[error(
        "year: expected a year whose annual report was due before today ({today}), found {year}, due by {due}"
    )]
    ReportNotDue {
        /// The year.
        year: u32,
        /// Its due date.
        due: String,
        /// The commit date.
        today: String,
    },
    /// A report listed as missing that was filed.
    #[error(
        "year: expected a year whose annual report organization {organization} has not filed, found {year}, filed on {on}"
    )]
    ReportNotMissing {
        /// The organization.
        organization: String,
        /// The year.
        year: u32,
        /// When it was filed.
        on: String,
    },
    /// A removal or serious listing of an organization not on the abnormal list.
    #[error(
        "organization {organization}: expected an organization on the abnormal list, found it {found}"
    )]
    NotAbnormal {
        /// The organization.
        organization: String,
        /// Where it is.
        found: String,
    },
    /// A removal for a missing report still missing.
    #[error(
        "organization {organization}: expected its annual report of {year}, the ground of its listing, filed before removal, found none"
    )]
    ReportStillMissing {
        /// The organization.
        organization: String,
        /// The year.
        year: u32,
    },
    /// A serious listing before two years on the abnormal list.
    #[error(
        "organization {organization}: expected two years on the abnormal list before the serious list (from {from}), found it listed since {since}"
    )]
    ListedTooRecently {
        /// The organization.
        organization: String,
        /// When it was put on the abnormal list.
        since: String,
        /// The first date it may be moved.
        from: String,
    },
    /// No enforcement case has this id.
    #[error(
        "case_id: expected an enforcement case, found {0}, which no OpenEnforcementCase opened"
    )]
    UnknownCase(String),
    /// The case was closed already.
    #[error("case {case}: expected an open enforcement case, found it closed {outcome} on {on}")]
    CaseClosed {
        /// The case.
        case: String,
        /// Its outcome.
        outcome: &'static str,
        /// When.
        on: String,
    },
    /// A second open clean-up case.
    #[error(
        "organization {organization}: expected no open zombie clean-up case, found case {case} open"
    )]
    CleanupOpen {
        /// The organization.
        organization: String,
        /// The open case.
        case: String,
    },
    /// No contest has this id.
    #[error("contest_id: expected a contest, found {0}, which no DefineContest made")]
    UnknownContest(String),
    /// A grant to an organization on the serious list.
    #[error(
        "organization {organization}: expected an organization off the serious-violation list (no grant goes to one on it), found it on the list since {since}"
    )]
    OnSeriousList {
        /// The organization.
        organization: String,
        /// Since when.
        since: String,
    },
    /// A second grant of one contest.
    #[error(
        "organization {organization}: expected one grant per organization in contest {contest}, found one awarded already"
    )]
    GrantAwarded {
        /// The organization.
        organization: String,
        /// The contest.
        contest: String,
    },
    /// A grant beyond the budget.
    #[error(
        "amount_fen: expected at most {left} fen, what is left of contest {contest}'s budget, found {found}"
    )]
    BudgetExceeded {
        /// The contest.
        contest: String,
        /// What is left.
        left: u64,
        /// The amount given.
        found: u64,
    },
    /// A grant to an organization outside the contest's area.
    #[error(
        "organization {organization}: expected an organization of area {contest_area}, the contest's, found one of {area}"
    )]
    OutsideContestArea {
        /// The organization.
        organization: String,
        /// Its area.
        area: String,
        /// The contest's area.
        contest_area: String,
    },
    /// The ledger or an organization holds as many of something as it may.
    #[error("{what}: the most the ledger keeps is {max}")]
    Full {
        /// What is full.
        what: &'static str,
        /// How many it holds.
        max: usize,
    },
}

impl OrganizationsRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        use OrganizationsRefusal::*;
        match self {
            UnknownCase(_) | UnknownContest(_) => RefusalClass::NotFound,
            ReportFiled { .. }
            | InspectionRecorded { .. }
            | CleanupOpen { .. }
            | GrantAwarded { .. } => RefusalClass::AlreadyExists,
            Full { .. } => RefusalClass::ResourceExhausted,
            _ => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use OrganizationsRefusal::*;
        match self {
            YearNotEnded { .. } => "REPORT_YEAR_NOT_ENDED",
            ReportFiled { .. } => "ANNUAL_REPORT_FILED",
            NoReport { .. } => "NO_ANNUAL_REPORT",
            InspectionRecorded { .. } => "ANNUAL_INSPECTION_RECORDED",
            Dissolved { .. } => "ORGANIZATION_DISSOLVED",
            AlreadyListed { .. } => "ORGANIZATION_LISTED",
            ReportNotDue { .. } => "REPORT_NOT_YET_DUE",
            ReportNotMissing { .. } => "REPORT_NOT_MISSING",
            NotAbnormal { .. } => "NOT_ON_ABNORMAL_LIST",
            ReportStillMissing { .. } => "REPORT_STILL_MISSING",
            ListedTooRecently { .. } => "ABNORMAL_FOR_LESS_THAN_TWO_YEARS",
            UnknownCase(_) => "UNKNOWN_ENFORCEMENT_CASE",
            CaseClosed { .. } => "ENFORCEMENT_CASE_CLOSED",
            CleanupOpen { .. } => "CLEANUP_CASE_OPEN",
            UnknownContest(_) => "UNKNOWN_CONTEST",
            OnSeriousList { .. } => "GRANTEE_ON_SERIOUS_LIST",
            GrantAwarded { .. } => "GRANT_ALREADY_AWARDED",
            BudgetExceeded { .. } => "CONTEST_BUDGET_EXCEEDED",
            OutsideContestArea { .. } => "GRANTEE_OUTSIDE_CONTEST_AREA",
            Full { .. } => "ORGANIZATIONS_FULL",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use OrganizationsRefusal::*;
        let s = || "x".to_owned();
        [
            YearNotEnded {
                first: 2000,
                this_year: 2026,
                found: 2026,
            },
            ReportFiled {
                organization: s(),
                year: 1,
                on: s(),
            },
            NoReport {
                organization: s(),
                year: 1,
            },
            InspectionRecorded {
                organization: s(),
                year: 1,
            },
            Dissolved {
                organization: s(),
                status: "revoked",
            },
            AlreadyListed {
                organization: s(),
                list: "abnormal",
                since: s(),
            },
            ReportNotDue {
                year: 1,
                due: s(),
                today: s(),
            },
            ReportNotMissing {
                organization: s(),
                year: 1,
                on: s(),
            },
            NotAbnormal {
                organization: s(),
                found: s(),
            },
            ReportStillMissing {
                organization: s(),
                year: 1,
            },
            ListedTooRecently {
                organization: s(),
                since: s(),
                from: s(),
            },
            UnknownCase(s()),
            CaseClosed {
                case: s(),
                outcome: "rectified",
                on: s(),
            },
            CleanupOpen {
                organization: s(),
                case: s(),
            },
            UnknownContest(s()),
            OnSeriousList {
                organization: s(),
                since: s(),
            },
            GrantAwarded {
                organization: s(),
                contest: s(),
            },
            BudgetExceeded {
                contest: s(),
                left: 1,
                found: 2,
            },
            OutsideContestArea {
                organization: s(),
                area: s(),
                contest_area: s(),
            },
            Full { what: "x", max: 1 },
        ]
        .into_iter()
        .map(Refusal::Organizations)
        .collect()
    }
}
