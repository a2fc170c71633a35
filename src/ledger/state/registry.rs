//! The registry family: keys (register, revoke), issuers, households and shops.

use ed25519_dalek::VerifyingKey;

use super::accounts::{Household, Issuer, Shop};
use super::authority::{self, KeyAction};
use super::journal::Effects;
use super::keys::KeyRecord;
use super::staged::AccountChanges;
use super::{Context, State};
use crate::ledger::{
    AccountId, HouseholdId, IssuerId, IssuerKind, KeyId, MAX_RESIDENT_KEYS, Refusal, Role, ShopId,
};

/// What a registry operation will change.
#[derive(Debug)]
pub(super) struct Plan {
    keys: Vec<(KeyId, KeyRecord)>,
    revoke: Option<KeyId>,
    changes: AccountChanges,
    accounts: Vec<AccountId>,
}

impl Plan {
    fn new(changes: AccountChanges, accounts: Vec<AccountId>) -> Self {
        Self {
            keys: Vec::new(),
            revoke: None,
            changes,
            accounts,
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
        Effects::involving(self.accounts)
    }
}

/// Checks that the scope of a role being registered exists and has the right kind.
fn check_scope_exists(state: &State, role: &Role) -> Result<(), Refusal> {
    match role {
        Role::BureauAdmin | Role::Auditor => Ok(()),
        Role::VillageOfficer(v) => state.accounts.expect_issuer_kind(v, IssuerKind::Village),
        Role::ProgramIssuer(p) => state.accounts.expect_issuer_kind(p, IssuerKind::Program),
        Role::ShopTerminal(s) => state.accounts.shop(s).map(|_| ()),
        Role::Resident(h) => state.accounts.household(h).map(|_| ()),
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

pub(super) fn register_key(
    state: &State,
    ctx: &Context,
    public_key: &VerifyingKey,
    role: &Role,
) -> Result<Plan, Refusal> {
    authority::may_manage_key(&state.accounts, &ctx.role, role, KeyAction::Register)?;
    check_scope_exists(state, role)?;
    let key_id = state.keys.check_new(public_key)?;
    let mut staged = state.accounts.stage();
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

pub(super) fn revoke_key(state: &State, ctx: &Context, key_id: &KeyId) -> Result<Plan, Refusal> {
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
    let mut staged = state.accounts.stage();
    if let Role::Resident(h) = &target.role {
        let household = staged.household_mut(h)?;
        household.active_resident_keys = household.active_resident_keys.saturating_sub(1);
    }
    let mut plan = Plan::new(staged.into_changes(), vec![]);
    plan.revoke = Some(*key_id);
    Ok(plan)
}

pub(super) fn register_issuer(
    state: &State,
    ctx: &Context,
    issuer: &IssuerId,
    kind: IssuerKind,
    name: &str,
) -> Result<Plan, Refusal> {
    authority::require_admin(&ctx.role, "registering an issuer")?;
    if state.accounts.has_issuer(issuer) {
        return Err(Refusal::AlreadyRegistered {
            kind: "issuer",
            id: issuer.to_string(),
        });
    }
    let mut staged = state.accounts.stage();
    staged.add_issuer(issuer.clone(), Issuer::new(kind, name.to_owned()));
    Ok(Plan::new(
        staged.into_changes(),
        vec![AccountId::Issuer(issuer.clone())],
    ))
}

pub(super) fn register_household(
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
    let mut staged = state.accounts.stage();
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
    Ok(plan)
}

pub(super) fn register_shop(
    state: &State,
    ctx: &Context,
    shop: &ShopId,
    name: &str,
) -> Result<Plan, Refusal> {
    authority::require_admin(&ctx.role, "registering a shop")?;
    if state.accounts.has_shop(shop) {
        return Err(Refusal::AlreadyRegistered {
            kind: "shop",
            id: shop.to_string(),
        });
    }
    let mut staged = state.accounts.stage();
    staged.add_shop(shop.clone(), Shop::new(name.to_owned()));
    Ok(Plan::new(
        staged.into_changes(),
        vec![AccountId::Shop(shop.clone())],
    ))
}
