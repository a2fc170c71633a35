//! The pure domain: identifiers, transactions, the state machine and its refusals.
//!
//! Nothing here knows about gRPC or the store. The server uses [`State::apply`] to accept
//! transactions; a restart and the auditor's verifier replay the log through the same code
//! and must reach the same state. Time comes only from each entry's commit timestamp.

mod admitted;
mod ids;
mod period;
mod refusal;
mod replay;
mod state;
mod transaction;
mod units;

pub use admitted::{Admitted, Signed, SpendSignature, Verified};
pub use ids::*;
pub use period::{CivilDate, LocalTime, Period};
#[cfg(test)]
pub(crate) use refusal::one_of_each;
pub use refusal::{
    AssistanceRefusal, AuditRefusal, BenefitsRefusal, CaseworkRefusal, ChildrenRefusal,
    ElderlyRefusal, FuneralRefusal, GovernanceRefusal, OrganizationsRefusal, PlacesRefusal,
    ProjectsRefusal, Refusal, RefusalClass, RescueRefusal, SaleRefusal, SettlementRefusal,
    SubjectRefusal, TerminalRefusal, VolunteeringRefusal,
};
pub use replay::{Signatures, replay_entry, replay_verifying_ahead};
pub use state::PublicKeys;
pub use state::{
    ABILITY_LEVELS, AGE_TIERS, Adaptation, Assessment, CanteenView, Certificate, ElderView,
    ElderlyIndicators, ElderlyKind, ElderlyOp, INSTITUTION_STATUSES, InstitutionView,
    MAX_ADAPTATION_FEN, MAX_BEDS, MEAL_SLOTS, NURSING_BED_TARGET_PER_MILLE, Stamp, age_tier,
    meal_slot_at, require_elder_reader, sees_elder,
};
pub use state::{
    ACTIVATION_CODE_BYTES, MAX_ACTIVATION_WINDOW_MS, TerminalStatus, TerminalsKind, TerminalsOp,
    activation_code_hash,
};
pub use state::{
    ADMISSION_GROUPS, AdmissionPage, AdmissionView, CAMPAIGN_KINDS, CampaignView, ESCORTS,
    EncounterView, MAX_CAMPAIGN_DAYS, RehabilitationView, RescueKind, RescueOp, RescueStamp,
    require_rescue_reader, sees_rescue,
};
pub use state::{
    ALERT_KINDS, Alert, AssistanceKind, AssistanceOp, CareAgreement, Commitment, MAX_VISITS, Task,
    TaskKind, TaskPage,
};
pub use state::{
    AbnormalGround, AnnualInspection, AnnualReport, CASE_KINDS, CASE_OUTCOMES, CLEANUP_OUTCOMES,
    CaseSubject, Closure, ContestView, EnforcementCase, Grant, ILLEGAL_OUTCOMES,
    INSPECTION_RESULTS, Listed, ListedPage, Listing, ListingChange, ListingEvent,
    OrganizationRecord, OrganizationStatus, OrganizationsKind, OrganizationsOp, report_due,
    require_enforcement_reader, sees_enforcement_case, serious_from,
};
pub use state::{
    AccountView, AreaView, AreasKind, AreasOp, BudgetKind, BudgetOp, Cap, CapHolder, CapPeriod,
    CatalogueHeader, CatalogueKind, CatalogueOp, CatalogueRef, CatalogueScope, CatalogueStatus,
    CatalogueView, EntryRecord, HistoryFilter, HistoryPage, KeyRecord, LotExpiry,
    MAX_CAPS_PER_RULE, MAX_CATALOGUE_RULES, MAX_CLAIM_AGE_DAYS, MAX_LOT_MONTHS, MAX_NOTICE_DAYS,
    MAX_REVIEWERS_REQUIRED, MAX_RULES_PER_ADD, MAX_STAR_LEVELS, PaymentCode, PointsAction,
    PointsKind, PointsOp, Policy, PolicyKind, PolicyOp, PolicyView, RedemptionKind, RedemptionOp,
    RegistryKind, RegistryOp, Resolution, ReversalKind, ReversalOp, Rule, Sign, State, Which,
    may_read_case, may_read_issuer_report, may_read_statement, may_see_near_match, read_denied,
    reads_everything, require_directory_exporter, require_identity_tagger, require_log_reader,
    require_near_match_reader, sees_benefits, sees_cases,
};
pub use state::{Activity, MAX_ACTIVITIES, MAX_SHIFT_HOURS};
pub use state::{
    AddressView, ApplicationState, INSPECTION_OUTCOMES, Inspection, MAX_PLACES, NameApplication,
    NameFields, PLACE_KINDS, PlaceView, PlacesKind, PlacesOp,
};
pub use state::{
    AwardRequest, Board, BoardLine, BoardPeriod, Claim, ClaimRequest, ClaimStatus, ClaimsKind,
    ClaimsOp, ClaimsPage, Decision, LotView, MAX_BOARD_LINES, MAX_CLAIMS_PER_NOTICE, MembersKind,
    MembersOp, Membership, Notice, NoticeView, Objection, OfficerHousehold, Outcome, ReviewRecord,
    TakenLot,
};
pub use state::{
    BatchView, BenefitsKind, BenefitsOp, EnrollmentView, MAX_BATCH_LINES, PaymentLine,
    SchemeVersion, SchemeView, UnitHolder, UnitView,
};
pub use state::{
    Booking, CEMETERY_KINDS, CemeteryView, DEFAULT_CYCLE_YEARS, DeathCase, FuneralKind, FuneralOp,
    GRAVE_STATES, GravePage, GraveStep, MAX_CYCLE_YEARS, MAX_PLOT_DM2, MAX_PLOTS_PER_DEFINITION,
    MAX_SUBSIDY_FEN, PlotHolder, PlotView, SCENES, ScatteredGraveView, Subsidy,
    require_funeral_reader, sees_funeral,
};
pub use state::{
    CONCERN_SOURCES, CategoryRecord, ChildCategory, ChildFile, ChildTaskKind, ChildVisit,
    ChildrenKind, ChildrenOp, ConcernReport, ConcernState, MAX_CHILD_VISITS, require_child_reader,
    sees_children,
};
pub use state::{
    CaseFilter, CaseObjection, CasePage, CaseQuery, CaseStep, CaseView, CaseworkKind, CaseworkOp,
    ObjectionResolution, case_types,
};
pub use state::{
    Figure, MAX_CORRECTIONS, MAX_FEN, MAX_MILESTONES, MAX_PROJECTS, MAX_YEAR_PLANS, Milestone,
    Portfolio, PortfolioLine, ProjectView, ProjectsKind, ProjectsOp, YearPlan,
    require_project_reader, sees_projects,
};
pub use state::{IssuerMonth, SettlementKind, SettlementOp, Statement, StatementLine};
pub use state::{MAX_LINE_QUANTITY, MAX_SALE_LINES, SaleLine};
pub use state::{NearMatchFinding, SubjectView, SubjectsKind, SubjectsOp};
pub use transaction::*;
pub use units::{Points, Sequence, UnixMs};

use std::fmt;

/// What a key may do, and for whom. The scope is part of the role, so a scoped role without
/// its scope cannot be represented.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Bureau staff: registrations, keys, budgets.
    BureauAdmin,
    /// An officer of one village committee.
    VillageOfficer(IssuerId),
    /// An issuing officer of one bureau program.
    ProgramIssuer(IssuerId),
    /// A redemption terminal of one shop.
    ShopTerminal(ShopId),
    /// A resident's consent key for one household.
    Resident(HouseholdId),
    /// Reads everything, moves nothing.
    Auditor,
    /// A partner shop's manager: its terminals and its account.
    ShopManager(ShopId),
    /// A caseworker of the bureau's programs, for an area and every area below it.
    Caseworker(AreaCode),
    /// A reviewer of the programs' cases, at the tier of the area's level (village,
    /// township, county), for the area and below.
    Reviewer(AreaCode),
    /// An officer of one bureau program, for an area and below.
    ProgramOfficer(Program, AreaCode),
    /// A village child director (a village area).
    ChildDirector(AreaCode),
    /// A township child supervisor (a township area).
    ChildSupervisor(AreaCode),
    /// The operator of one facility, a registered organization.
    FacilityOperator(OrganizationId),
}

impl Role {
    /// The role's name without its scope.
    pub fn name(&self) -> &'static str {
        match self {
            Role::BureauAdmin => "bureau admin",
            Role::VillageOfficer(_) => "village officer",
            Role::ProgramIssuer(_) => "program issuer",
            Role::ShopTerminal(_) => "shop terminal",
            Role::Resident(_) => "resident",
            Role::Auditor => "auditor",
            Role::ShopManager(_) => "shop manager",
            Role::Caseworker(_) => "caseworker",
            Role::Reviewer(_) => "reviewer",
            Role::ProgramOfficer(..) => "program officer",
            Role::ChildDirector(_) => "child director",
            Role::ChildSupervisor(_) => "child supervisor",
            Role::FacilityOperator(_) => "facility operator",
        }
    }

    /// The scope id, or "" for unscoped roles.
    pub fn scope(&self) -> String {
        match self {
            Role::BureauAdmin | Role::Auditor => String::new(),
            Role::VillageOfficer(id) | Role::ProgramIssuer(id) => id.to_string(),
            Role::ShopTerminal(id) | Role::ShopManager(id) => id.to_string(),
            Role::Resident(id) => id.to_string(),
            Role::Caseworker(area)
            | Role::Reviewer(area)
            | Role::ChildDirector(area)
            | Role::ChildSupervisor(area) => area.to_string(),
            Role::ProgramOfficer(program, area) => format!("{}/{area}", program.name()),
            Role::FacilityOperator(organization) => organization.to_string(),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.scope().as_str() {
            "" => f.write_str(self.name()),
            scope => write!(f, "{} of {scope}", self.name()),
        }
    }
}

/// An account that holds points.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountId {
    /// Backs every point; the only account that may go negative.
    BureauFund,
    /// A village or program issuer: its balance is its unspent budget.
    Issuer(IssuerId),
    /// A household's points (its lots; what is spendable is the lots not past their expiry).
    Household(HouseholdId),
    /// A shop's points taken in redemptions.
    Shop(ShopId),
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountId::BureauFund => f.write_str("bureau fund"),
            AccountId::Issuer(id) => write!(f, "issuer {id}"),
            AccountId::Household(id) => write!(f, "household {id}"),
            AccountId::Shop(id) => write!(f, "shop {id}"),
        }
    }
}

/// One movement of points between two accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posting {
    /// Loses the points.
    pub debit: AccountId,
    /// Gains the points.
    pub credit: AccountId,
    /// At least 1.
    pub points: Points,
    /// Whose points moved: the issuer that backs them, which settlement charges for what a
    /// shop took. For a budget allocation, the issuer that receives the budget.
    pub issuer: IssuerId,
}

impl Posting {
    /// The issuer tag as receipts carry it: only for postings that move a household's or a
    /// shop's points (a budget allocation's receipt leaves it empty, as it always has).
    pub fn holder_issuer(&self) -> Option<&IssuerId> {
        let held = |a: &AccountId| matches!(a, AccountId::Household(_) | AccountId::Shop(_));
        (held(&self.debit) || held(&self.credit)).then_some(&self.issuer)
    }
}
