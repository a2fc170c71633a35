//! The state machine: `apply` one log entry to the state, or refuse it and change nothing.
//!
//! The state is made of rooms, each owning its part: the key set ([`keys`]), the accounts and
//! lots ([`accounts`]), the journal of entries and its indexes ([`journal`]), and what
//! redemptions used up ([`redemption`]). Every rule of who may act or read is in
//! [`authority`]. Each operation family (registry, budget, points, redemption, reversal) has a
//! room that **checks** a transaction against the state without changing it and returns a
//! plan (or a [`Refusal`]); **committing** a plan cannot fail. So a refusal leaves the state
//! exactly as it was, and nothing on the writer's thread can panic half-way.
//!
//! Every part is a persistent structure (`imbl`), so a clone shares everything: the writer
//! publishes a clone after each durable group and readers use it without blocking the writer.

use ed25519_dalek::VerifyingKey;

use crate::crypto;
use crate::ledger::transaction::{LedgerParameters, Operation};
use crate::ledger::{AccountId, KeyId, LedgerId, Refusal, RequestId, Role, Sequence, UnixMs};

mod accounts;
mod apply;
mod areas;
mod assistance;
mod authority;
mod benefits;
mod boards;
mod budget;
mod casework;
mod catalogue;
mod children;
mod claims;
mod elderly;
mod funeral;
mod journal;
mod keys;
mod members;
mod organizations;
mod places;
mod points;
mod policy;
mod projects;
mod redemption;
mod registry;
mod reports;
mod rescue;
mod reversal;
mod settlement;
mod staged;
mod subjects;
mod terminals;
mod verify;
mod versions;
mod volunteering;

use apply::Context;

pub use accounts::{AccountView, LotView};
pub use areas::{AreaView, AreasKind, AreasOp};
pub use assistance::tasks::{Task, TaskKind, TaskPage};
pub use assistance::{
    ALERT_KINDS, Alert, AssistanceKind, AssistanceOp, CareAgreement, Commitment, MAX_VISITS,
};
pub use authority::{
    may_read_case, may_read_issuer_report, may_read_statement, may_see_near_match, read_denied,
    reads_everything, require_directory_exporter, require_identity_tagger, require_log_reader,
    require_near_match_reader, sees_benefits, sees_cases,
};
pub use authority::{require_child_reader, require_project_reader, sees_children, sees_projects};
pub use authority::{require_elder_reader, require_funeral_reader, sees_elder, sees_funeral};
pub use authority::{require_enforcement_reader, sees_enforcement_case};
pub use authority::{require_rescue_reader, sees_rescue};
pub use benefits::{
    BatchView, BenefitsKind, BenefitsOp, EnrollmentView, MAX_BATCH_LINES, PaymentLine,
    SchemeVersion, SchemeView, UnitHolder, UnitView,
};
pub use boards::{Board, BoardLine, BoardPeriod, MAX_BOARD_LINES};
pub use budget::{BudgetKind, BudgetOp};
pub use casework::lists::{CaseFilter, CasePage, CaseQuery};
pub use casework::types as case_types;
pub use casework::{
    CaseObjection, CaseStep, CaseView, CaseworkKind, CaseworkOp, ObjectionResolution,
};
pub use catalogue::{
    Cap, CapHolder, CapPeriod, CatalogueHeader, CatalogueKind, CatalogueOp, CatalogueRef,
    CatalogueScope, CatalogueStatus, CatalogueView, MAX_CAPS_PER_RULE, MAX_CATALOGUE_RULES,
    MAX_RULES_PER_ADD, Resolution, Rule, Sign, Which,
};
pub use children::tasks::ChildTaskKind;
pub use children::{
    CONCERN_SOURCES, CategoryRecord, ChildCategory, ChildFile, ChildVisit, ChildrenKind,
    ChildrenOp, ConcernReport, ConcernState, MAX_CHILD_VISITS,
};
pub use claims::{
    AwardRequest, Claim, ClaimRequest, ClaimStatus, ClaimsKind, ClaimsOp, ClaimsPage, Decision,
    MAX_CLAIMS_PER_NOTICE, Notice, NoticeView, Objection, Outcome, ReviewRecord,
};
pub use elderly::{
    ABILITY_LEVELS, AGE_TIERS, Adaptation, Assessment, CanteenView, Certificate, ElderView,
    ElderlyIndicators, ElderlyKind, ElderlyOp, INSTITUTION_STATUSES, InstitutionView,
    MAX_ADAPTATION_FEN, MAX_BEDS, MEAL_SLOTS, NURSING_BED_TARGET_PER_MILLE, Stamp, age_tier,
    meal_slot_at,
};
pub use funeral::{
    Booking, CEMETERY_KINDS, CemeteryView, DEFAULT_CYCLE_YEARS, DeathCase, FuneralKind, FuneralOp,
    GRAVE_STATES, GravePage, GraveStep, MAX_CYCLE_YEARS, MAX_PLOT_DM2, MAX_PLOTS_PER_DEFINITION,
    MAX_SUBSIDY_FEN, PlotHolder, PlotView, SCENES, ScatteredGraveView, Subsidy,
};
pub use journal::{EntryRecord, HistoryFilter, HistoryPage};
pub use keys::{KeyRecord, PublicKeys};
pub use members::{MembersKind, MembersOp, Membership, OfficerHousehold};
pub use organizations::{
    AbnormalGround, AnnualInspection, AnnualReport, CASE_KINDS, CASE_OUTCOMES, CLEANUP_OUTCOMES,
    CaseSubject, Closure, ContestView, EnforcementCase, Grant, ILLEGAL_OUTCOMES,
    INSPECTION_RESULTS, Listed, ListedPage, Listing, ListingChange, ListingEvent,
    OrganizationRecord, OrganizationStatus, OrganizationsKind, OrganizationsOp, report_due,
    serious_from,
};
pub use places::{
    AddressView, ApplicationState, INSPECTION_OUTCOMES, Inspection, MAX_PLACES, NameApplication,
    NameFields, PLACE_KINDS, PlaceView, PlacesKind, PlacesOp,
};
pub use points::{PointsAction, PointsKind, PointsOp};
pub use policy::{
    LotExpiry, MAX_CLAIM_AGE_DAYS, MAX_LOT_MONTHS, MAX_NOTICE_DAYS, MAX_REVIEWERS_REQUIRED,
    MAX_STAR_LEVELS, Policy, PolicyKind, PolicyOp, PolicyView,
};
pub use projects::portfolio::{Portfolio, PortfolioLine};
pub use projects::{
    Figure, MAX_CORRECTIONS, MAX_FEN, MAX_MILESTONES, MAX_PROJECTS, MAX_YEAR_PLANS, Milestone,
    ProjectView, ProjectsKind, ProjectsOp, YearPlan,
};
pub use redemption::{
    MAX_LINE_QUANTITY, MAX_SALE_LINES, PaymentCode, RedemptionKind, RedemptionOp, SaleLine,
};
pub use registry::{RegistryKind, RegistryOp};
pub use reports::IssuerMonth;
pub use rescue::{
    ADMISSION_GROUPS, AdmissionPage, AdmissionView, CAMPAIGN_KINDS, CampaignView, ESCORTS,
    EncounterView, MAX_CAMPAIGN_DAYS, RehabilitationView, RescueKind, RescueOp, RescueStamp,
};
pub use reversal::{ReversalKind, ReversalOp};
pub use settlement::{SettlementKind, SettlementOp, Statement, StatementLine};
pub use staged::TakenLot;
pub use subjects::{NearMatchFinding, SubjectView, SubjectsKind, SubjectsOp};
pub use terminals::{
    ACTIVATION_CODE_BYTES, MAX_ACTIVATION_WINDOW_MS, TerminalStatus, TerminalsKind, TerminalsOp,
    activation_code_hash,
};
pub use volunteering::{Activity, MAX_ACTIVITIES, MAX_SHIFT_HOURS};

/// What genesis fixed.
#[derive(Clone, Copy, Debug)]
struct LedgerFacts {
    ledger_id: LedgerId,
    log_key: VerifyingKey,
    parameters: LedgerParameters,
}

/// The ledger's whole derived state.
#[derive(Clone, Debug, Default)]
pub struct State {
    facts: Option<LedgerFacts>,
    keys: keys::KeySet,
    accounts: accounts::Accounts,
    journal: journal::Journal,
    redemptions: redemption::Redemptions,
    areas: areas::Areas,
    catalogues: catalogue::Catalogues,
    policies: policy::Policies,
    members: members::Members,
    subjects: subjects::Subjects,
    cases: casework::Cases,
    benefits: benefits::Benefits,
    assistance: assistance::Assistance,
    children: children::Children,
    projects: projects::Projects,
    places: places::Places,
    organizations: organizations::Organizations,
    funeral: funeral::Funeral,
    elderly: elderly::Elderly,
    rescue: rescue::Rescue,
    volunteering: volunteering::Volunteering,
    claims: claims::Claims,
    terminals: terminals::Terminals,
    settlement: settlement::Settlement,
    reports: reports::Reports,
}

/// `ALREADY_REGISTERED` if `map` holds `id`: the id a new record names is taken.
pub(super) fn require_new<K, V>(
    map: &imbl::OrdMap<K, V>,
    id: &K,
    kind: &'static str,
) -> Result<(), Refusal>
where
    K: Ord + Clone + std::fmt::Display,
    V: Clone,
{
    if map.contains_key(id) {
        return Err(Refusal::AlreadyRegistered {
            kind,
            id: id.to_string(),
        });
    }
    Ok(())
}

impl State {
    /// An empty state, before genesis.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of entries applied (the log size).
    pub fn len(&self) -> u64 {
        self.journal.len()
    }

    /// True before genesis.
    pub fn is_empty(&self) -> bool {
        self.journal.len() == 0
    }

    /// The ledger id (after genesis).
    pub fn ledger_id(&self) -> Option<LedgerId> {
        self.facts.map(|f| f.ledger_id)
    }

    /// The ledger parameters (after genesis).
    pub fn parameters(&self) -> Option<LedgerParameters> {
        self.facts.map(|f| f.parameters)
    }

    /// The log (checkpoint) public key (after genesis).
    pub fn log_key(&self) -> Option<VerifyingKey> {
        self.facts.map(|f| f.log_key)
    }

    /// The commit time of the last entry, or 0.
    pub fn last_committed_at(&self) -> UnixMs {
        self.journal.last_committed_at()
    }

    /// A registered key.
    pub fn key(&self, key_id: &KeyId) -> Option<&KeyRecord> {
        self.keys.get(key_id)
    }

    /// One page of the keys that could sign the entry at position `size`; see
    /// the key set room.
    pub fn key_set_page(
        &self,
        size: u64,
        from: usize,
        limit: usize,
    ) -> (Vec<(KeyId, &KeyRecord)>, Option<usize>) {
        self.keys.page(size, from, limit)
    }

    /// The role of a registered, unrevoked key that is not a blocked terminal.
    pub fn active_role(&self, key_id: &KeyId) -> Result<&Role, Refusal> {
        let role = self.keys.active_role(key_id)?;
        self.terminals.refuse_blocked(key_id)?;
        Ok(role)
    }

    /// The role `signer` acts in for `operation`: its registered role, or, for a terminal's
    /// activation signed by the new key it registers, the terminal role it asks for (the
    /// terminals room then checks the activation code).
    fn signer_role(&self, signer: &KeyId, operation: &Operation) -> Result<Role, Refusal> {
        if let Operation::Terminals(op @ TerminalsOp::ActivateTerminal { shop, .. }) = operation
            && self.keys.get(signer).is_none()
            && op.activated_key().map(crypto::key_id) == Some(*signer)
        {
            return Ok(Role::ShopTerminal(shop.clone()));
        }
        self.active_role(signer).cloned()
    }

    /// The entry at `sequence`.
    pub fn entry(&self, sequence: Sequence) -> Result<&EntryRecord, Refusal> {
        self.journal.entry(sequence)
    }

    /// The entry that committed `request_id`, if any.
    pub fn entry_for_request(&self, request_id: &RequestId) -> Option<&EntryRecord> {
        self.journal.entry_for_request(request_id)
    }

    /// One page of history matching `filter`, oldest first.
    pub fn history(&self, filter: &HistoryFilter) -> HistoryPage<'_> {
        self.journal.history(filter)
    }

    /// One page of the registered areas within `within` (all for `None`), in code order,
    /// after `after`, at most `limit`; and where the next page starts.
    pub fn areas_page(
        &self,
        within: Option<&crate::ledger::AreaCode>,
        after: Option<&crate::ledger::AreaCode>,
        limit: usize,
    ) -> (Vec<AreaView>, Option<crate::ledger::AreaCode>) {
        self.areas.page(within, after, limit)
    }

    /// The village area a village issuer is in, if it was placed.
    pub fn village_area(
        &self,
        village: &crate::ledger::IssuerId,
    ) -> Option<&crate::ledger::AreaCode> {
        self.areas.of_village(village)
    }

    /// Sum of all balances including the bureau fund; always 0 (points are conserved).
    pub fn total_balance(&self) -> i128 {
        self.accounts.total()
    }

    /// Every account that exists, in a stable order.
    pub fn accounts(&self) -> Vec<AccountId> {
        self.accounts.ids()
    }

    /// A view of one account.
    pub fn account(&self, account: &AccountId) -> Result<AccountView, Refusal> {
        // What is spendable is judged on the date of the last entry.
        let today = crate::ledger::CivilDate::of(self.last_committed_at());
        self.accounts.view(account, today)
    }

    /// Whether `role` may read `account` (the authority room decides).
    pub fn may_read_account(&self, role: &Role, account: &AccountId) -> bool {
        authority::may_read_account(&self.accounts, role, account)
    }

    /// The accounts staged for one transaction's checks at `ctx`'s commit date.
    fn stage(&self, ctx: &Context) -> staged::Staged<'_> {
        self.accounts.stage(
            crate::ledger::CivilDate::of(ctx.committed_at),
            &self.policies,
        )
    }

    /// Whether `role` may read `village`'s claims (of `household`, if given).
    pub fn may_read_claims(
        &self,
        role: &Role,
        village: &crate::ledger::IssuerId,
        household: Option<&crate::ledger::HouseholdId>,
    ) -> bool {
        authority::may_read_claims(&self.accounts, role, village, household)
    }

    /// Whether `role` may read a notice of `village`.
    pub fn may_read_notice(&self, role: &Role, village: &crate::ledger::IssuerId) -> bool {
        authority::may_read_notice(&self.accounts, role, village)
    }

    /// Whether `role` may read `entry`: it may read one of the entry's accounts.
    pub fn may_read_entry(&self, role: &Role, entry: &EntryRecord) -> bool {
        authority::may_read_entry(&self.accounts, role, entry)
    }
}

#[cfg(test)]
mod tests;
