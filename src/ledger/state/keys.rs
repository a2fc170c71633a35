//! The key set: every registered key with its role, scope, registration and revocation, in
//! log order. Authorization is always decided from the key set at the transaction's position.

use ed25519_dalek::VerifyingKey;
use imbl::{HashMap, Vector};

use crate::crypto;
use crate::ledger::{KeyId, Refusal, Role, Sequence};

/// A registered key.
#[derive(Clone, Debug)]
pub struct KeyRecord {
    /// The Ed25519 public key.
    pub public_key: VerifyingKey,
    /// Role and scope.
    pub role: Role,
    /// The entry that registered it.
    pub registered_at: Sequence,
    /// The entry that revoked it, if any.
    pub revoked_at: Option<Sequence>,
}

/// The public keys of a key set, for verifying signatures away from the state (a clone that
/// shares the key set's maps).
#[derive(Clone, Debug)]
pub struct PublicKeys {
    keys: KeySet,
    ledger_id: Option<crate::ledger::LedgerId>,
}

impl PublicKeys {
    pub(super) fn new(keys: &KeySet, ledger_id: Option<crate::ledger::LedgerId>) -> Self {
        Self {
            keys: keys.clone(),
            ledger_id,
        }
    }

    /// The public key registered under `key_id`, revoked or not.
    pub fn get(&self, key_id: &KeyId) -> Option<&VerifyingKey> {
        self.keys.get(key_id).map(|record| &record.public_key)
    }

    /// The ledger the keys belong to (`None` before the genesis entry).
    pub fn ledger_id(&self) -> Option<crate::ledger::LedgerId> {
        self.ledger_id
    }
}

/// Every key the log registered.
#[derive(Clone, Debug, Default)]
pub(super) struct KeySet {
    keys: HashMap<KeyId, KeyRecord>,
    /// Every registered key, in log order (so `registered_at` never decreases along it).
    registrations: Vector<KeyId>,
    /// Bureau admin keys not revoked: the last one cannot be revoked.
    active_admins: usize,
}

impl KeySet {
    pub(super) fn get(&self, key_id: &KeyId) -> Option<&KeyRecord> {
        self.keys.get(key_id)
    }

    /// The role of a registered, unrevoked key.
    pub(super) fn active_role(&self, key_id: &KeyId) -> Result<&Role, Refusal> {
        let key = self
            .keys
            .get(key_id)
            .ok_or(Refusal::UnknownKey { key_id: *key_id })?;
        match key.revoked_at {
            Some(revoked_at) => Err(Refusal::KeyRevoked {
                key_id: *key_id,
                revoked_at: revoked_at.get(),
            }),
            None => Ok(&key.role),
        }
    }

    pub(super) fn active_admins(&self) -> usize {
        self.active_admins
    }

    /// Refuses a public key that is already registered; its key id otherwise.
    pub(super) fn check_new(&self, public_key: &VerifyingKey) -> Result<KeyId, Refusal> {
        let key_id = crypto::key_id(public_key);
        if self.keys.contains_key(&key_id) {
            return Err(Refusal::AlreadyRegistered {
                kind: "key",
                id: key_id.to_string(),
            });
        }
        Ok(key_id)
    }

    /// Registers a key checked by [`KeySet::check_new`].
    pub(super) fn register(&mut self, key_id: KeyId, record: KeyRecord) {
        if record.role == Role::BureauAdmin {
            self.active_admins += 1;
        }
        self.registrations.push_back(key_id);
        self.keys.insert(key_id, record);
    }

    /// Marks a registered, unrevoked key revoked at `at`.
    pub(super) fn revoke(&mut self, key_id: KeyId, at: Sequence) {
        if let Some(key) = self.keys.get_mut(&key_id) {
            if key.role == Role::BureauAdmin && key.revoked_at.is_none() {
                self.active_admins -= 1;
            }
            key.revoked_at = Some(at);
        }
    }

    /// One page of the keys that could sign the entry at position `size` (registered before
    /// it, not revoked before it), in registration order: it looks at most `limit`
    /// registrations from index `from` on, and returns the keys among them and the index to
    /// continue from (`None` after the last). A page may hold fewer than `limit` keys.
    pub(super) fn page(
        &self,
        size: u64,
        from: usize,
        limit: usize,
    ) -> (Vec<(KeyId, &KeyRecord)>, Option<usize>) {
        let registered = |i: usize| {
            self.keys
                .get(&self.registrations[i])
                .map_or(u64::MAX, |k| k.registered_at.get())
        };
        // Registrations are in log order, so those before `size` are a prefix.
        let (mut low, mut high) = (0, self.registrations.len());
        while low < high {
            let middle = low + (high - low) / 2;
            if registered(middle) < size {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        let before = low;
        let start = from.min(before);
        let end = from.saturating_add(limit).min(before);
        let keys = (start..end)
            .map(|i| &self.registrations[i])
            .filter_map(|id| Some((*id, self.keys.get(id)?)))
            .filter(|(_, key)| key.revoked_at.is_none_or(|revoked| revoked.get() >= size))
            .collect();
        (keys, (end < before).then_some(end))
    }
}
