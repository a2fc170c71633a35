//! Authority: every rule of who may act and who may read, in one place. Each rule is a pure
//! function of the role (from the key set at the transaction's position) and the accounts.

use super::EntryRecord;
use super::accounts::Accounts;
use super::catalogue::CatalogueScope;
use super::points::PointsKind;
use super::redemption::RedemptionKind;
mod children;
mod elderly;
mod funeral;
mod organizations;
mod places;
mod programs;
mod projects;
mod rescue;

pub(in crate::ledger::state) use children::{require_category_setter, require_child_worker};
pub use children::{require_child_reader, sees_children};
pub(in crate::ledger::state) use elderly::require_elderly_officer;
pub use elderly::{require_elder_reader, sees_elder};
pub(in crate::ledger::state) use funeral::require_funeral_officer;
pub use funeral::{require_funeral_reader, sees_funeral};
pub(in crate::ledger::state) use organizations::require_organizations_officer;
pub use organizations::{require_enforcement_reader, sees_enforcement_case};
pub(in crate::ledger::state) use places::require_places_officer;
pub(in crate::ledger::state) use projects::require_project_reporter;
pub use projects::{require_project_reader, sees_projects};
pub(in crate::ledger::state) use rescue::require_rescue_officer;
pub use rescue::{require_rescue_reader, sees_rescue};

pub use programs::{
    may_act_on_case, may_hold_unit, may_read_case, may_see_near_match, require_identity_tagger,
    require_near_match_reader, require_program_officer_for, require_scheme_setter, sees_benefits,
    sees_cases,
};
pub(in crate::ledger::state) use programs::{
    may_hold_program_records, may_reach_program_record, require_admin_or_caseworker_for,
    require_case_opener,
};

use crate::ledger::{
    AccountId, HouseholdId, IssuerId, OperationKind, Refusal, Role, ShopId, Subject,
};

/// What is being done to a key, for [`may_manage_key`].
#[derive(Clone, Copy, Debug)]
pub(super) enum KeyAction {
    Register,
    Revoke,
}

impl KeyAction {
    fn operation(self) -> &'static str {
        match self {
            KeyAction::Register => "registering a key",
            KeyAction::Revoke => "revoking a key",
        }
    }
}

/// The refusal for a role that may not do `operation` at all.
fn not_allowed(role: &Role, operation: &'static str, expected: &'static str) -> Refusal {
    Refusal::NotAllowed {
        operation,
        expected,
        found: role.to_string(),
    }
}

/// Only a bureau admin.
pub(super) fn require_admin(role: &Role, operation: &'static str) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin => Ok(()),
        _ => Err(not_allowed(role, operation, "a bureau admin key")),
    }
}

/// A bureau admin, or an officer of `village` (the village of the household concerned).
pub(super) fn require_admin_or_village_of(
    role: &Role,
    operation: &'static str,
    village: &IssuerId,
) -> Result<(), Refusal> {
    require_admin_or_officer_of(
        role,
        operation,
        village,
        "a bureau admin or an officer of the household's village",
    )
}

/// A bureau admin, or an officer of `village`; `expected` says so in the refusal.
pub(super) fn require_admin_or_officer_of(
    role: &Role,
    operation: &'static str,
    village: &IssuerId,
    expected: &'static str,
) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin => Ok(()),
        Role::VillageOfficer(v) if v == village => Ok(()),
        Role::VillageOfficer(v) => Err(Refusal::OutOfScope {
            role: role.name(),
            scope: format!("village {v}"),
            requested: format!("village {village}"),
        }),
        _ => Err(not_allowed(role, operation, expected)),
    }
}

/// Only an officer of `village`.
pub(super) fn require_officer_of(
    role: &Role,
    operation: &'static str,
    village: &IssuerId,
) -> Result<(), Refusal> {
    match role {
        Role::VillageOfficer(v) if v == village => Ok(()),
        Role::VillageOfficer(v) => Err(Refusal::OutOfScope {
            role: role.name(),
            scope: format!("village {v}"),
            requested: format!("village {village}"),
        }),
        _ => Err(not_allowed(
            role,
            operation,
            "an officer of the claim's village",
        )),
    }
}

/// Who may object to a claim of `village` on notice: a resident of one of its households, an
/// officer of it, or an auditor (the supervision committee).
pub(super) fn may_object(
    accounts: &Accounts,
    role: &Role,
    village: &IssuerId,
) -> Result<(), Refusal> {
    let expected = "a resident or an officer of the claim's village, or an auditor";
    match role {
        Role::Auditor => Ok(()),
        Role::VillageOfficer(v) if v == village => Ok(()),
        Role::Resident(h) if accounts.village_of(h) == Some(village) => Ok(()),
        Role::VillageOfficer(_) | Role::Resident(_) => Err(Refusal::OutOfScope {
            role: role.name(),
            scope: role.to_string(),
            requested: format!("village {village}"),
        }),
        _ => Err(not_allowed(role, "objecting to a claim", expected)),
    }
}

/// Who may adopt a catalogue: a bureau admin any; an officer of a village its village's.
pub(super) fn may_adopt_catalogue(role: &Role, scope: &CatalogueScope) -> Result<(), Refusal> {
    match scope {
        CatalogueScope::Village(village) => require_admin_or_officer_of(
            role,
            "adopting a village catalogue",
            village,
            "a bureau admin or an officer of the village",
        ),
        CatalogueScope::City | CatalogueScope::Township(_) | CatalogueScope::Program(_) => {
            require_admin(role, "adopting a city, township or program catalogue")
        }
    }
}

/// Who may register or revoke a key with role `target`: a bureau admin any key; a village
/// officer only resident keys of its own village's households.
pub(super) fn may_manage_key(
    accounts: &Accounts,
    role: &Role,
    target: &Role,
    action: KeyAction,
) -> Result<(), Refusal> {
    match (role, target) {
        (Role::BureauAdmin, _) => Ok(()),
        (Role::VillageOfficer(_), Role::Resident(h)) => {
            let village = &accounts.household(h)?.village;
            require_admin_or_village_of(role, action.operation(), village)
        }
        _ => Err(not_allowed(
            role,
            action.operation(),
            match action {
                KeyAction::Register => {
                    "a bureau admin key (village officers may register resident keys of their \
                     own households)"
                }
                KeyAction::Revoke => {
                    "a bureau admin key (village officers may revoke resident keys of their \
                     own households)"
                }
            },
        )),
    }
}

/// The signer must be an officer of `issuer`; a village officer only for households of its
/// own village (`household_village`). Program issuers may act for any household (integrated
/// points).
pub(super) fn require_issuer_officer(
    role: &Role,
    operation: &'static str,
    issuer: &IssuerId,
    household_village: &IssuerId,
) -> Result<(), Refusal> {
    match role {
        Role::VillageOfficer(v) | Role::ProgramIssuer(v) if v != issuer => {
            Err(Refusal::OutOfScope {
                role: role.name(),
                scope: format!("issuer {v}"),
                requested: format!("issuer {issuer}"),
            })
        }
        Role::VillageOfficer(v) if household_village != v => Err(Refusal::OutOfScope {
            role: role.name(),
            scope: format!("households of village {v}"),
            requested: format!("a household of village {household_village}"),
        }),
        Role::VillageOfficer(_) | Role::ProgramIssuer(_) => Ok(()),
        _ => Err(not_allowed(
            role,
            operation,
            "a village officer or program issuer of that issuer",
        )),
    }
}

/// Only a terminal of `shop` redeems at it.
pub(super) fn require_terminal_of(role: &Role, shop: &ShopId) -> Result<(), Refusal> {
    match role {
        Role::ShopTerminal(s) if s == shop => Ok(()),
        Role::ShopTerminal(s) => Err(Refusal::OutOfScope {
            role: role.name(),
            scope: format!("shop {s}"),
            requested: format!("shop {shop}"),
        }),
        _ => Err(not_allowed(
            role,
            "redeeming points",
            "a shop terminal key of that shop",
        )),
    }
}

/// Who may reverse `original`: a bureau admin anything; an officer the issues and deductions
/// its own issuer made; a terminal its own shop's sales (the refund window is the reversal
/// room's rule).
pub(super) fn may_reverse(role: &Role, original: &EntryRecord) -> Result<(), Refusal> {
    let allowed = match role {
        Role::BureauAdmin => true,
        Role::VillageOfficer(i) | Role::ProgramIssuer(i) => {
            matches!(
                original.kind,
                OperationKind::Points(PointsKind::Issue | PointsKind::Deduct)
            ) && original.issuer.as_ref() == Some(i)
        }
        Role::ShopTerminal(s) => {
            original.kind == OperationKind::Redemption(RedemptionKind::Redeem)
                && original.accounts.contains(&AccountId::Shop(s.clone()))
        }
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(not_allowed(
            role,
            "reversing this entry",
            "a bureau admin, an officer of the issuer that made the issue or deduction, or \
             (for a redemption) a terminal of the entry's shop",
        ))
    }
}

/// A bureau admin, or a manager of `shop`.
pub(super) fn require_admin_or_manager_of(
    role: &Role,
    operation: &'static str,
    shop: &ShopId,
) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin => Ok(()),
        Role::ShopManager(s) if s == shop => Ok(()),
        Role::ShopManager(s) => Err(Refusal::OutOfScope {
            role: role.name(),
            scope: format!("shop {s}"),
            requested: format!("shop {shop}"),
        }),
        _ => Err(not_allowed(
            role,
            operation,
            "a bureau admin or a manager of the shop",
        )),
    }
}

/// Who may refund a sale of `shop`: a bureau admin, or a terminal or the manager of the shop
/// (the refund window is the redemption room's rule).
pub(super) fn may_refund(role: &Role, shop: &ShopId) -> Result<(), Refusal> {
    require_refunder(role)?;
    match role {
        Role::ShopTerminal(s) | Role::ShopManager(s) if s != shop => Err(Refusal::OutOfScope {
            role: role.name(),
            scope: format!("shop {s}"),
            requested: format!("shop {shop}"),
        }),
        _ => Ok(()),
    }
}

/// Whether `role` may refund any sale at all (before anything about the sale is told): a
/// bureau admin, a shop's terminal or manager.
pub(super) fn require_refunder(role: &Role) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin | Role::ShopTerminal(_) | Role::ShopManager(_) => Ok(()),
        _ => Err(not_allowed(
            role,
            "refunding a sale",
            "a bureau admin, or a terminal or the manager of the sale's shop",
        )),
    }
}

/// Who may settle `issuer`'s part of a statement: a bureau admin, or an officer of the issuer.
pub(super) fn may_settle(role: &Role, issuer: &IssuerId) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin => Ok(()),
        Role::VillageOfficer(i) | Role::ProgramIssuer(i) if i == issuer => Ok(()),
        Role::VillageOfficer(i) | Role::ProgramIssuer(i) => Err(Refusal::OutOfScope {
            role: role.name(),
            scope: format!("issuer {i}"),
            requested: format!("issuer {issuer}"),
        }),
        _ => Err(not_allowed(
            role,
            "settling a statement",
            "a bureau admin or an officer of the issuer",
        )),
    }
}

/// Whether `role` may read `shop`'s statement whose lines are of `issuers`: admins and
/// auditors, the shop's manager and terminals, officers of an issuer with a line in it.
pub fn may_read_statement(role: &Role, shop: &ShopId, issuers: &[&IssuerId]) -> bool {
    match role {
        Role::BureauAdmin | Role::Auditor => true,
        Role::ShopManager(s) | Role::ShopTerminal(s) => s == shop,
        Role::VillageOfficer(i) | Role::ProgramIssuer(i) => issuers.contains(&i),
        _ => false,
    }
}

/// Whether `role` may read `issuer`'s monthly report: admins and auditors, the issuer's
/// officers.
pub fn may_read_issuer_report(role: &Role, issuer: &IssuerId) -> bool {
    match role {
        Role::BureauAdmin | Role::Auditor => true,
        Role::VillageOfficer(i) | Role::ProgramIssuer(i) => i == issuer,
        _ => false,
    }
}

/// Whether `role` reads everything: bureau admins and auditors.
pub fn reads_everything(role: &Role) -> bool {
    matches!(role, Role::BureauAdmin | Role::Auditor)
}

/// Whether `role` may read `account`: admins and auditors read everything, a village its own
/// account and households, a program its own account, a shop its own account, a resident
/// their household.
pub(super) fn may_read_account(accounts: &Accounts, role: &Role, account: &AccountId) -> bool {
    match (role, account) {
        (Role::BureauAdmin | Role::Auditor, _) => true,
        (Role::VillageOfficer(v), AccountId::Issuer(i)) => v == i,
        (Role::VillageOfficer(v), AccountId::Household(h)) => accounts.village_of(h) == Some(v),
        (Role::ProgramIssuer(p), AccountId::Issuer(i)) => p == i,
        (Role::ShopTerminal(s) | Role::ShopManager(s), AccountId::Shop(t)) => s == t,
        (Role::Resident(h), AccountId::Household(g)) => h == g,
        _ => false,
    }
}

/// Whether `role` may read the claims of `village` (of `household`, if the read is about one
/// household): admins and auditors every claim, a village's officers its claims, a resident
/// their household's.
pub(super) fn may_read_claims(
    accounts: &Accounts,
    role: &Role,
    village: &IssuerId,
    household: Option<&HouseholdId>,
) -> bool {
    match role {
        Role::BureauAdmin | Role::Auditor => true,
        Role::VillageOfficer(v) => v == village,
        Role::Resident(h) => household == Some(h) && accounts.village_of(h) == Some(village),
        _ => false,
    }
}

/// Whether `role` may read a notice of `village` (公示 is public to the village): admins and
/// auditors, the village's officers, residents of its households.
pub(super) fn may_read_notice(accounts: &Accounts, role: &Role, village: &IssuerId) -> bool {
    match role {
        Role::BureauAdmin | Role::Auditor => true,
        Role::VillageOfficer(v) => v == village,
        Role::Resident(h) => accounts.village_of(h) == Some(village),
        _ => false,
    }
}

/// Whether `role` may read `entry`: it may read one of the entry's accounts.
pub(super) fn may_read_entry(accounts: &Accounts, role: &Role, entry: &EntryRecord) -> bool {
    reads_everything(role)
        || entry
            .accounts
            .iter()
            .any(|a| may_read_account(accounts, role, a))
}

/// Who may change a subject's directory record: a bureau admin (told if the subject is not
/// registered), or an officer of the village of the subject's household. An officer asking
/// about another village's subject or an unregistered one is refused alike, so no key learns
/// from the directory which ids are registered outside its scope.
pub(super) fn may_change_record(
    role: &Role,
    subject: &Subject,
    found: Result<(HouseholdId, IssuerId), Refusal>,
) -> Result<(), Refusal> {
    match (role, found) {
        (Role::BureauAdmin, found) => found.map(|_| ()),
        (Role::VillageOfficer(v), Ok((_, village))) if *v == village => Ok(()),
        (Role::VillageOfficer(_), _) => Err(read_denied(
            role,
            format!("the directory record of {subject}"),
        )),
        _ => Err(not_allowed(
            role,
            "changing a directory record",
            "a bureau admin or an officer of the household's village",
        )),
    }
}

/// Who may read a subject's directory record: admins and auditors (told if the subject is
/// not registered), the officers of its household's village, the household's residents;
/// everyone else, and anyone asking about an unregistered subject, is refused alike.
pub(super) fn may_read_record(
    role: &Role,
    subject: &Subject,
    found: Result<(HouseholdId, IssuerId), Refusal>,
) -> Result<(), Refusal> {
    match (role, found) {
        (Role::BureauAdmin | Role::Auditor, found) => found.map(|_| ()),
        (Role::VillageOfficer(v), Ok((_, village))) if *v == village => Ok(()),
        (Role::Resident(h), Ok((household, _))) if *h == household => Ok(()),
        _ => Err(read_denied(
            role,
            format!("the directory record of {subject}"),
        )),
    }
}

/// The refusal for a read outside the reader's scope.
pub fn read_denied(role: &Role, what: String) -> Refusal {
    Refusal::OutOfScope {
        role: role.name(),
        scope: match role.scope().as_str() {
            "" => "nothing".into(),
            scope => format!("its own scope ({scope})"),
        },
        requested: what,
    }
}

/// Only a bureau admin exports every record of the directory of personal data (its backup
/// file); auditors and officers read records by subject, within their scope.
pub fn require_directory_exporter(role: &Role) -> Result<(), Refusal> {
    require_admin(role, "exporting the directory of personal data")
}

/// Reads only bureau admins and auditors may make: the raw log, the key set and state
/// snapshots.
pub fn require_log_reader(role: &Role) -> Result<(), Refusal> {
    if reads_everything(role) {
        Ok(())
    } else {
        Err(not_allowed(
            role,
            "reading the whole log",
            "a bureau admin or auditor key",
        ))
    }
}
