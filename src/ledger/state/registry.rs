//! The registry family: keys (register, revoke), issuers, households and shops.

use ed25519_dalek::VerifyingKey;

use super::accounts::{Household, Issuer, Shop};
use super::authority::{self, KeyAction};
use super::journal::Effects;
use super::keys::KeyRecord;
use super::staged::AccountChanges;
use super::{Context, State};
use crate::ledger::{
    AccountId, CivilDate, HouseholdId, IssuerId, IssuerKind, KeyId, MAX_RESIDENT_KEYS, Program,
    Refusal, Role, ShopId,
};

/// The registry's operations.
#[derive(Clone, Debug)]
pub enum RegistryOp {
    /// Registers a key with a role and scope.
    RegisterKey {
        /// The new key (small-order keys are refused).
        public_key: VerifyingKey,
        /// The role the key acts in, with its scope.
        role: Role,
        /// A short description for people, e.g. "Gaoba village terminal 2"; no personal data;
        /// at most 280 bytes, may be empty.
        label: String,
    },
    /// Revokes a key.
    RevokeKey {
        /// The key to revoke.
        key_id: KeyId,
        /// Why, e.g. a lost phone or a staff change: free text for people, no personal data;
        /// 1 to 280 bytes.
        reason: String,
    },
    /// Registers a village or program issuer.
    RegisterIssuer {
        /// The new issuer's id, unique among issuers.
        issuer: IssuerId,
        /// Village committee or program.
        kind: IssuerKind,
        /// Display name, 1 to 128 characters (e.g. "红花套镇渔洋溪村").
        name: String,
        /// For a program issuer, the bureau program it awards for: its awards then cite that
        /// program's records of volunteers' activities.
        program: Option<Program>,
    },
    /// Registers a household in a village, with optional resident keys.
    RegisterHousehold {
        /// The new household's id, unique among households; never a resident ID number.
        household: HouseholdId,
        /// The village issuer the household belongs to.
        village: IssuerId,
        /// Resident (consent) keys registered with it, at most
        /// [`MAX_RESIDENT_KEYS`]; they sign payment codes. May be empty.
        resident_keys: Vec<VerifyingKey>,
    },
    /// Registers a partner shop.
    RegisterShop {
        /// The new shop's id, unique among shops.
        shop: ShopId,
        /// Display name, 1 to 128 characters.
        name: String,
    },
}

/// The kinds of registry operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegistryKind {
    /// [`RegistryOp::RegisterKey`].
    RegisterKey,
    /// [`RegistryOp::RevokeKey`].
    RevokeKey,
    /// [`RegistryOp::RegisterIssuer`].
    RegisterIssuer,
    /// [`RegistryOp::RegisterHousehold`].
    RegisterHousehold,
    /// [`RegistryOp::RegisterShop`].
    RegisterShop,
}

impl RegistryOp {
    /// The operation's kind.
    pub fn kind(&self) -> RegistryKind {
        match self {
            RegistryOp::RegisterKey { .. } => RegistryKind::RegisterKey,
            RegistryOp::RevokeKey { .. } => RegistryKind::RevokeKey,
            RegistryOp::RegisterIssuer { .. } => RegistryKind::RegisterIssuer,
            RegistryOp::RegisterHousehold { .. } => RegistryKind::RegisterHousehold,
            RegistryOp::RegisterShop { .. } => RegistryKind::RegisterShop,
        }
    }
}

impl RegistryKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            RegistryKind::RegisterKey => "register-key",
            RegistryKind::RevokeKey => "revoke-key",
            RegistryKind::RegisterIssuer => "register-issuer",
            RegistryKind::RegisterHousehold => "register-household",
            RegistryKind::RegisterShop => "register-shop",
        }
    }
}

/// Checks a registry operation.
pub(super) fn check(state: &State, ctx: &Context, op: &RegistryOp) -> Result<Plan, Refusal> {
    match op {
        RegistryOp::RegisterKey {
            public_key, role, ..
        } => register_key(state, ctx, public_key, role),
        RegistryOp::RevokeKey { key_id, .. } => revoke_key(state, ctx, key_id),
        RegistryOp::RegisterIssuer {
            issuer,
            kind,
            name,
            program,
        } => register_issuer(state, ctx, issuer, *kind, name, *program),
        RegistryOp::RegisterHousehold {
            household,
            village,
            resident_keys,
        } => register_household(state, ctx, household, village, resident_keys),
        RegistryOp::RegisterShop { shop, name } => register_shop(state, ctx, shop, name),
    }
}

/// What a registry operation will change.
#[derive(Debug)]
pub(super) struct Plan {
    keys: Vec<(KeyId, KeyRecord)>,
    revoke: Option<KeyId>,
    changes: AccountChanges,
    accounts: Vec<AccountId>,
    /// A household registered: it belongs to its village from the commit date.
    household: Option<HouseholdId>,
}

impl Plan {
    fn new(changes: AccountChanges, accounts: Vec<AccountId>) -> Self {
        Self {
            keys: Vec::new(),
            revoke: None,
            changes,
            accounts,
            household: None,
        }
    }

    pub(super) fn commit(self, state: &mut State, ctx: &Context) -> Effects {
        self.changes.commit(&mut state.accounts);
        for (key_id, record) in self.keys {
            state.keys.register(key_id, record);
        }
        if let Some(key_id) = self.revoke {
            state.keys.revoke(key_id, ctx.sequence);
        }
        if let Some(household) = self.household {
            state
                .members
                .household_registered(household, CivilDate::of(ctx.committed_at));
        }
        Effects::involving(self.accounts)
    }
}

/// Checks that the scope of a role being registered exists and has the right kind.
fn check_scope_exists(state: &State, role: &Role) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin | Role::Auditor => Ok(()),
        Role::VillageOfficer(v) => state.accounts.expect_issuer_kind(v, IssuerKind::Village),
        Role::ProgramIssuer(p) => state.accounts.expect_issuer_kind(p, IssuerKind::Program),
        Role::ShopTerminal(s) | Role::ShopManager(s) => state.accounts.shop(s).map(|_| ()),
        Role::Resident(h) => state.accounts.household(h).map(|_| ()),
        Role::Caseworker(area)
        | Role::Reviewer(area)
        | Role::ProgramOfficer(_, area)
        | Role::ChildDirector(area)
        | Role::ChildSupervisor(area) => state.areas.require(area),
        Role::FacilityOperator(organization) => {
            state.organization(organization).map(|_| ()).ok_or_else(|| {
                crate::ledger::SubjectRefusal::UnknownOrganization(*organization).into()
            })
        }
    }
}

fn new_key(ctx: &Context, public_key: VerifyingKey, role: Role) -> KeyRecord {
    KeyRecord {
        public_key,
        role,
        registered_at: ctx.sequence,
        revoked_at: None,
    }
}

fn register_key(
    state: &State,
    ctx: &Context,
    public_key: &VerifyingKey,
    role: &Role,
) -> Result<Plan, Refusal> {
    authority::may_manage_key(&state.accounts, &ctx.role, role, KeyAction::Register)?;
    check_scope_exists(state, role)?;
    let key_id = state.keys.check_new(public_key)?;
    let mut staged = state.stage(ctx);
    if let Role::Resident(h) = role {
        let household = staged.household_mut(h)?;
        if household.active_resident_keys >= MAX_RESIDENT_KEYS {
            return Err(Refusal::ResidentKeysFull {
                household: h.clone(),
                max: MAX_RESIDENT_KEYS,
            });
        }
        household.active_resident_keys += 1;
    }
    let mut plan = Plan::new(staged.into_changes(), vec![]);
    plan.keys
        .push((key_id, new_key(ctx, *public_key, role.clone())));
    Ok(plan)
}

fn revoke_key(state: &State, ctx: &Context, key_id: &KeyId) -> Result<Plan, Refusal> {
    let target = state
        .keys
        .get(key_id)
        .ok_or(Refusal::UnknownKeyToRevoke(*key_id))?;
    authority::may_manage_key(&state.accounts, &ctx.role, &target.role, KeyAction::Revoke)?;
    if let Some(revoked_at) = target.revoked_at {
        return Err(Refusal::AlreadyRevoked {
            key_id: *key_id,
            revoked_at: revoked_at.get(),
        });
    }
    if target.role == Role::BureauAdmin && state.keys.active_admins() <= 1 {
        return Err(Refusal::LastAdminKey { key_id: *key_id });
    }
    let mut staged = state.stage(ctx);
    if let Role::Resident(h) = &target.role {
        let household = staged.household_mut(h)?;
        household.active_resident_keys = household.active_resident_keys.saturating_sub(1);
    }
    let mut plan = Plan::new(staged.into_changes(), vec![]);
    plan.revoke = Some(*key_id);
    Ok(plan)
}

fn register_issuer(
    state: &State,
    ctx: &Context,
    issuer: &IssuerId,
    kind: IssuerKind,
    name: &str,
    program: Option<Program>,
) -> Result<Plan, Refusal> {
    authority::require_admin(&ctx.role, "registering an issuer")?;
    if program.is_some() && kind != IssuerKind::Program {
        return Err(Refusal::InvalidField {
            field: "program",
            expected: "empty for a village issuer (only a program issuer awards for a program)"
                .into(),
            found: program.map_or("", Program::name).into(),
        });
    }
    if state.accounts.has_issuer(issuer) {
        return Err(Refusal::AlreadyRegistered {
            kind: "issuer",
            id: issuer.to_string(),
        });
    }
    let mut staged = state.stage(ctx);
    staged.add_issuer(issuer.clone(), Issuer::new(kind, name.to_owned(), program));
    Ok(Plan::new(
        staged.into_changes(),
        vec![AccountId::Issuer(issuer.clone())],
    ))
}

fn register_household(
    state: &State,
    ctx: &Context,
    household: &HouseholdId,
    village: &IssuerId,
    resident_keys: &[VerifyingKey],
) -> Result<Plan, Refusal> {
    authority::require_admin_or_village_of(&ctx.role, "registering a household", village)?;
    state
        .accounts
        .expect_issuer_kind(village, IssuerKind::Village)?;
    if state.accounts.has_household(household) {
        return Err(Refusal::AlreadyRegistered {
            kind: "household",
            id: household.to_string(),
        });
    }
    let mut keys: Vec<(KeyId, KeyRecord)> = Vec::with_capacity(resident_keys.len());
    for key in resident_keys {
        let key_id = state.keys.check_new(key)?;
        if keys.iter().any(|(id, _)| *id == key_id) {
            return Err(Refusal::AlreadyRegistered {
                kind: "key",
                id: key_id.to_string(),
            });
        }
        keys.push((
            key_id,
            new_key(ctx, *key, Role::Resident(household.clone())),
        ));
    }
    let mut staged = state.stage(ctx);
    staged.add_household(
        household.clone(),
        Household::new(village.clone(), keys.len()),
    );
    let mut plan = Plan::new(
        staged.into_changes(),
        vec![
            AccountId::Household(household.clone()),
            AccountId::Issuer(village.clone()),
        ],
    );
    plan.keys = keys;
    plan.household = Some(household.clone());
    Ok(plan)
}

fn register_shop(state: &State, ctx: &Context, shop: &ShopId, name: &str) -> Result<Plan, Refusal> {
    authority::require_admin(&ctx.role, "registering a shop")?;
    if state.accounts.has_shop(shop) {
        return Err(Refusal::AlreadyRegistered {
            kind: "shop",
            id: shop.to_string(),
        });
    }
    let mut staged = state.stage(ctx);
    staged.add_shop(shop.clone(), Shop::new(name.to_owned()));
    Ok(Plan::new(
        staged.into_changes(),
        vec![AccountId::Shop(shop.clone())],
    ))
}
