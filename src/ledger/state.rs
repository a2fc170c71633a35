//! The state machine: `apply` one log entry to the state, or refuse it and change nothing.
//!
//! Every operation first checks everything it needs (authorization, existence, balances) and
//! only then mutates, so a refusal leaves the state exactly as it was.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use ed25519_dalek::VerifyingKey;
#[cfg(test)]
use prost::Message;

use super::ids::{HouseholdId, IssuerId, KeyId, LedgerId, PaymentNonce, RequestId, ShopId};
use super::transaction::{
    IssuerKind, LedgerParameters, Operation, OperationKind, PaymentCode, PointsAction, Transaction,
    decode_canonical,
};
use super::{AccountId, Period, Posting, Refusal, Role};
use crate::crypto::{self, SigningContext};
use crate::pb::points as pb;

/// Whether [`State::apply`] checks Ed25519 signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Verify every signature (admission of new transactions; the auditor's replay).
    Verify,
    /// Trust signatures already verified when the entry was admitted (the server's own
    /// start-up replay of its own log). Authorization is still decided from the key set.
    Trust,
}

/// A registered key.
#[derive(Clone, Debug)]
pub struct KeyRecord {
    /// The Ed25519 public key.
    pub public_key: VerifyingKey,
    /// Role and scope.
    pub role: Role,
    /// The entry that registered it.
    pub registered_at: u64,
    /// The entry that revoked it, if any.
    pub revoked_at: Option<u64>,
}

/// What one committed entry did; the source of receipts and history.
#[derive(Clone, Debug)]
pub struct EntryRecord {
    /// Position in the log.
    pub sequence: u64,
    /// Commit time, ms since the Unix epoch.
    pub committed_at: u64,
    /// The idempotency key.
    pub request_id: RequestId,
    /// SHA-256 of the body bytes.
    pub body_sha256: [u8; 32],
    /// The key that signed.
    pub signer: KeyId,
    /// The operation's kind.
    pub kind: OperationKind,
    /// Points moved.
    pub postings: Vec<Posting>,
    /// Accounts the entry registered, acted for, or moved points of.
    pub accounts: Vec<AccountId>,
    /// For issues and deductions, the issuer whose officer acted; for allocations, the
    /// receiving issuer.
    pub issuer: Option<IssuerId>,
    /// The entry that reversed this one.
    pub reversed_by: Option<u64>,
    /// For a reversal, the entry it reversed.
    pub reverses: Option<u64>,
}

#[derive(Clone, Debug)]
struct Lot {
    issuer: IssuerId,
    remaining: u64,
}

#[derive(Clone, Debug)]
struct Issuer {
    kind: IssuerKind,
    name: String,
    balance: u64,
}

#[derive(Clone, Debug)]
struct Household {
    village: IssuerId,
    /// At most one per issuer, oldest first (the issuer whose points the household has held
    /// longest without interruption); spending consumes the oldest lots first.
    lots: VecDeque<Lot>,
    balance: u64,
    earned_score: i64,
    period_scores: BTreeMap<Period, i64>,
    /// Resident keys registered for it and not revoked; at most
    /// [`MAX_RESIDENT_KEYS`](super::MAX_RESIDENT_KEYS).
    active_resident_keys: usize,
}

#[derive(Clone, Debug)]
struct Shop {
    name: String,
    balance: u64,
    holdings: BTreeMap<IssuerId, u64>,
}

#[derive(Clone, Copy, Debug)]
struct LedgerFacts {
    ledger_id: LedgerId,
    log_key: VerifyingKey,
    parameters: LedgerParameters,
}

/// A read-only view of one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountView {
    /// The account.
    pub account: AccountId,
    /// Balance; negative only for the bureau fund. Never beyond ±(2^63 - 1): allocations
    /// past [`MAX_BACKED_POINTS`](super::MAX_BACKED_POINTS) are refused.
    pub balance: i64,
    /// Households: lifetime earned score.
    pub earned_score: i64,
    /// Households: earned score per month.
    pub period_scores: Vec<(Period, i64)>,
    /// Households and shops: balance per issuing issuer.
    pub holdings: Vec<(IssuerId, u64)>,
    /// Households: village id; issuers: kind.
    pub detail: String,
    /// Issuers and shops: display name.
    pub name: String,
}

/// Filters for [`State::history`].
#[derive(Clone, Debug, Default)]
pub struct HistoryFilter {
    /// Only entries involving this account.
    pub account: Option<AccountId>,
    /// Only entries of this kind.
    pub kind: Option<OperationKind>,
    /// Only entries committed at or after this time (ms).
    pub since: Option<u64>,
    /// Only entries committed before this time (ms).
    pub until: Option<u64>,
    /// Start after this sequence (from a page token).
    pub after: Option<u64>,
    /// At most this many entries.
    pub limit: usize,
}

/// One page of history.
#[derive(Clone, Debug)]
pub struct HistoryPage<'a> {
    /// Matching entries, oldest first.
    pub entries: Vec<&'a EntryRecord>,
    /// Where the next page starts, if more entries may match.
    pub next_after: Option<u64>,
}

/// The ledger's whole derived state.
#[derive(Clone, Debug, Default)]
pub struct State {
    facts: Option<LedgerFacts>,
    keys: HashMap<KeyId, KeyRecord>,
    /// Every key registration and revocation, in log order: lets the handlers' key
    /// directory follow the key set incrementally.
    key_changes: Vec<KeyId>,
    /// Every registered key, in log order (so `registered_at` never decreases along it).
    key_registrations: Vec<KeyId>,
    issuers: BTreeMap<IssuerId, Issuer>,
    households: BTreeMap<HouseholdId, Household>,
    shops: BTreeMap<ShopId, Shop>,
    /// Balance of the bureau fund: minus the points it has backed.
    bureau_fund: i128,
    entries: Vec<EntryRecord>,
    request_ids: HashMap<RequestId, u64>,
    used_nonces: HashSet<PaymentNonce>,
    terminal_counters: HashMap<KeyId, u64>,
    account_index: HashMap<AccountId, Vec<u64>>,
}

/// Everything an operation decided, to be written into the state once all checks passed.
struct Effects {
    postings: Vec<Posting>,
    accounts: Vec<AccountId>,
    issuer: Option<IssuerId>,
    reverses: Option<u64>,
}

impl Effects {
    fn none(accounts: Vec<AccountId>) -> Self {
        Self {
            postings: Vec::new(),
            accounts,
            issuer: None,
            reverses: None,
        }
    }
}

impl State {
    /// An empty state, before genesis.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of entries applied (the log size).
    pub fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    /// True before genesis.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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
    pub fn last_committed_at(&self) -> u64 {
        self.entries.last().map_or(0, |e| e.committed_at)
    }

    /// A registered key.
    pub fn key(&self, key_id: &KeyId) -> Option<&KeyRecord> {
        self.keys.get(key_id)
    }

    /// Every key registration and revocation so far, in log order (a key appears once per
    /// change).
    pub fn key_changes(&self) -> &[KeyId] {
        &self.key_changes
    }

    /// One page of the keys that could sign the entry at position `size` (registered before
    /// it, not revoked before it), in registration order: it looks at most `limit`
    /// registrations from index `from` on, and returns the keys among them and the index to
    /// continue from (`None` after the last). A page may hold fewer than `limit` keys.
    pub fn key_set_page(
        &self,
        size: u64,
        from: usize,
        limit: usize,
    ) -> (Vec<(KeyId, &KeyRecord)>, Option<usize>) {
        let registered = |id: &KeyId| self.keys.get(id).map_or(u64::MAX, |k| k.registered_at);
        let before = self
            .key_registrations
            .partition_point(|id| registered(id) < size);
        let end = from.saturating_add(limit).min(before);
        let keys = self
            .key_registrations
            .get(from..end)
            .unwrap_or_default()
            .iter()
            .filter_map(|id| Some((*id, self.keys.get(id)?)))
            .filter(|(_, key)| key.revoked_at.is_none_or(|revoked| revoked >= size))
            .collect();
        (keys, (end < before).then_some(end))
    }

    /// The entry at `sequence`.
    pub fn entry(&self, sequence: u64) -> Result<&EntryRecord, Refusal> {
        self.entries
            .get(usize::try_from(sequence).unwrap_or(usize::MAX))
            .ok_or(Refusal::UnknownEntry {
                sequence,
                log_size: self.len(),
            })
    }

    /// The entry that committed `request_id`, if any.
    pub fn entry_for_request(&self, request_id: &RequestId) -> Option<&EntryRecord> {
        self.request_ids
            .get(request_id)
            .map(|&s| &self.entries[s as usize])
    }

    /// Sum of all balances including the bureau fund; always 0 (points are conserved).
    pub fn total_balance(&self) -> i128 {
        self.bureau_fund
            + self
                .issuers
                .values()
                .map(|i| i128::from(i.balance))
                .sum::<i128>()
            + self
                .households
                .values()
                .map(|h| i128::from(h.balance))
                .sum::<i128>()
            + self
                .shops
                .values()
                .map(|s| i128::from(s.balance))
                .sum::<i128>()
    }

    /// Every account that exists, in a stable order.
    pub fn accounts(&self) -> Vec<AccountId> {
        std::iter::once(AccountId::BureauFund)
            .chain(self.issuers.keys().cloned().map(AccountId::Issuer))
            .chain(self.households.keys().cloned().map(AccountId::Household))
            .chain(self.shops.keys().cloned().map(AccountId::Shop))
            .collect()
    }

    /// A view of one account.
    pub fn account(&self, account: &AccountId) -> Result<AccountView, Refusal> {
        let mut view = AccountView {
            account: account.clone(),
            balance: 0,
            earned_score: 0,
            period_scores: Vec::new(),
            holdings: Vec::new(),
            detail: String::new(),
            name: String::new(),
        };
        let exact = |balance: i128| {
            i64::try_from(balance).map_err(|_| Refusal::Overflow("a balance beyond 2^63 - 1"))
        };
        match account {
            AccountId::BureauFund => {
                view.balance = exact(self.bureau_fund)?;
                view.name = "bureau fund".into();
            }
            AccountId::Issuer(id) => {
                let issuer = self.issuer(id)?;
                view.balance = exact(issuer.balance.into())?;
                view.detail = issuer.kind.name().into();
                view.name.clone_from(&issuer.name);
            }
            AccountId::Household(id) => {
                let household = self.household(id)?;
                view.balance = exact(household.balance.into())?;
                view.earned_score = household.earned_score;
                view.period_scores = household
                    .period_scores
                    .iter()
                    .map(|(p, s)| (*p, *s))
                    .collect();
                let mut holdings: BTreeMap<IssuerId, u64> = BTreeMap::new();
                for lot in &household.lots {
                    *holdings.entry(lot.issuer.clone()).or_default() += lot.remaining;
                }
                view.holdings = holdings.into_iter().collect();
                view.detail = household.village.to_string();
            }
            AccountId::Shop(id) => {
                let shop = self.shop(id)?;
                view.balance = exact(shop.balance.into())?;
                view.holdings = shop.holdings.iter().map(|(i, p)| (i.clone(), *p)).collect();
                view.name.clone_from(&shop.name);
            }
        }
        Ok(view)
    }

    /// Whether `role` may read `account`: admins and auditors read everything, a village its
    /// own account and households, a program its own account, a shop its own account, a
    /// resident their household.
    pub fn may_read_account(&self, role: &Role, account: &AccountId) -> bool {
        match (role, account) {
            (Role::BureauAdmin | Role::Auditor, _) => true,
            (Role::VillageOfficer(v), AccountId::Issuer(i)) => v == i,
            (Role::VillageOfficer(v), AccountId::Household(h)) => {
                self.households.get(h).is_some_and(|h| &h.village == v)
            }
            (Role::ProgramIssuer(p), AccountId::Issuer(i)) => p == i,
            (Role::ShopTerminal(s), AccountId::Shop(t)) => s == t,
            (Role::Resident(h), AccountId::Household(g)) => h == g,
            _ => false,
        }
    }

    /// Whether `role` may read `entry`: it may read one of the entry's accounts.
    pub fn may_read_entry(&self, role: &Role, entry: &EntryRecord) -> bool {
        matches!(role, Role::BureauAdmin | Role::Auditor)
            || entry
                .accounts
                .iter()
                .any(|a| self.may_read_account(role, a))
    }

    /// One page of history matching `filter`, oldest first.
    pub fn history(&self, filter: &HistoryFilter) -> HistoryPage<'_> {
        /// Bounds the work of one page when few entries match.
        const MAX_SCANNED: usize = 100_000;
        // The candidate sequences, ascending: one account's index, or the whole log.
        let index = filter.account.as_ref().map(|account| {
            self.account_index
                .get(account)
                .map_or(&[][..], Vec::as_slice)
        });
        let len = index.map_or(self.entries.len(), <[u64]>::len);
        let sequence_at = |i: usize| index.map_or(i as u64, |index| index[i]);
        let first_where_not = |pred: &dyn Fn(u64) -> bool| {
            let (mut low, mut high) = (0, len);
            while low < high {
                let middle = low + (high - low) / 2;
                if pred(sequence_at(middle)) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            low
        };
        // Sequences ascend and commit times never decrease along the log, so every bound
        // is a binary search.
        let committed = |s: u64| self.entries[s as usize].committed_at;
        let mut start = filter
            .after
            .map_or(0, |after| first_where_not(&|s| s <= after));
        if let Some(since) = filter.since {
            start = start.max(first_where_not(&|s| committed(s) < since));
        }
        let end = filter
            .until
            .map_or(len, |until| first_where_not(&|s| committed(s) < until));
        let mut entries = Vec::new();
        let mut next_after = None;
        for (scanned, i) in (start..end).enumerate() {
            let sequence = sequence_at(i);
            let entry = &self.entries[sequence as usize];
            if filter.kind.is_none_or(|k| k == entry.kind) {
                entries.push(entry);
            }
            let is_last = i + 1 == end;
            if !is_last && (entries.len() == filter.limit || scanned + 1 == MAX_SCANNED) {
                next_after = Some(sequence);
                break;
            }
        }
        HistoryPage {
            entries,
            next_after,
        }
    }

    /// Refusal if `request_id` was committed with another body; the original entry if it was
    /// committed with the same body; `None` if it is new.
    pub fn check_request(
        &self,
        request_id: &RequestId,
        body_sha256: &[u8; 32],
    ) -> Result<Option<&EntryRecord>, Refusal> {
        match self.entry_for_request(request_id) {
            None => Ok(None),
            Some(entry) if &entry.body_sha256 == body_sha256 => Ok(Some(entry)),
            Some(entry) => Err(Refusal::RequestIdReused {
                request_id: request_id.to_string(),
                sequence: entry.sequence,
            }),
        }
    }

    /// Applies one signed transaction as the next log entry, committed at `committed_at`
    /// (ms since the Unix epoch, never before the previous entry). On success the state has
    /// advanced by one entry and its record is returned; on refusal nothing changed.
    pub fn apply(
        &mut self,
        committed_at: u64,
        signed: &pb::SignedTransaction,
        check: SignatureCheck,
    ) -> Result<&EntryRecord, Refusal> {
        super::check_body_size(&signed.body)?;
        let body: pb::TransactionBody = decode_canonical("transaction body", &signed.body)?;
        let tx = Transaction::from_body(&body)?;
        let body_sha256 = crypto::sha256(&signed.body);
        if let Some(entry) = self.entry_for_request(&tx.request_id) {
            return Err(Refusal::RequestIdReused {
                request_id: tx.request_id.to_string(),
                sequence: entry.sequence,
            });
        }
        let sequence = self.len();
        let committed_at = committed_at.max(self.last_committed_at());
        let facts = match (&tx.operation, self.facts) {
            (Operation::Genesis { .. }, Some(_)) => return Err(Refusal::GenesisNotFirst),
            (
                Operation::Genesis {
                    ledger_id,
                    admin_key,
                    log_key,
                    parameters,
                },
                None,
            ) => {
                let facts = LedgerFacts {
                    ledger_id: *ledger_id,
                    log_key: *log_key,
                    parameters: *parameters,
                };
                let signer = self.check_signature(signed, &facts, Some(admin_key), check)?;
                check_window(
                    tx.not_after,
                    committed_at,
                    parameters.max_transaction_window_ms,
                )?;
                self.facts = Some(facts);
                self.key_changes.push(signer);
                self.key_registrations.push(signer);
                self.keys.insert(
                    signer,
                    KeyRecord {
                        public_key: *admin_key,
                        role: Role::BureauAdmin,
                        registered_at: 0,
                        revoked_at: None,
                    },
                );
                self.record(
                    sequence,
                    committed_at,
                    &tx,
                    body_sha256,
                    signer,
                    Effects::none(vec![]),
                );
                return Ok(self.entries.last().expect("just pushed"));
            }
            (_, None) => return Err(Refusal::GenesisMissing),
            (_, Some(facts)) => facts,
        };
        check_window(
            tx.not_after,
            committed_at,
            facts.parameters.max_transaction_window_ms,
        )?;
        let signer = self.check_signature(signed, &facts, None, check)?;
        let role = self.active_role(&signer)?.clone();
        let effects = self.execute(
            sequence,
            committed_at,
            &facts,
            &tx.operation,
            signer,
            &role,
            check,
        )?;
        self.record(sequence, committed_at, &tx, body_sha256, signer, effects);
        Ok(self.entries.last().expect("just pushed"))
    }

    fn record(
        &mut self,
        sequence: u64,
        committed_at: u64,
        tx: &Transaction,
        body_sha256: [u8; 32],
        signer: KeyId,
        effects: Effects,
    ) {
        let mut accounts = effects.accounts;
        for posting in &effects.postings {
            accounts.push(posting.debit.clone());
            accounts.push(posting.credit.clone());
        }
        accounts.sort();
        accounts.dedup();
        for account in &accounts {
            self.account_index
                .entry(account.clone())
                .or_default()
                .push(sequence);
        }
        if let Some(reversed) = effects.reverses {
            self.entries[reversed as usize].reversed_by = Some(sequence);
        }
        self.request_ids.insert(tx.request_id, sequence);
        self.entries.push(EntryRecord {
            sequence,
            committed_at,
            request_id: tx.request_id,
            body_sha256,
            signer,
            kind: tx.operation.kind(),
            postings: effects.postings,
            accounts,
            issuer: effects.issuer,
            reversed_by: None,
            reverses: effects.reverses,
        });
    }

    /// Exactly one signature, by a registered key (or the genesis admin key), verifying over
    /// the body. Returns the signer's key id.
    fn check_signature(
        &self,
        signed: &pb::SignedTransaction,
        facts: &LedgerFacts,
        genesis_key: Option<&VerifyingKey>,
        check: SignatureCheck,
    ) -> Result<KeyId, Refusal> {
        let [signature] = signed.signatures.as_slice() else {
            return Err(Refusal::SignatureCount {
                found: signed.signatures.len(),
            });
        };
        let key_id = KeyId::from_hex(&signature.key_id)?;
        let public_key = match genesis_key {
            Some(key) if crypto::key_id(key) == key_id => key,
            Some(_) => return Err(Refusal::UnknownKey { key_id }),
            None => {
                &self
                    .keys
                    .get(&key_id)
                    .ok_or(Refusal::UnknownKey { key_id })?
                    .public_key
            }
        };
        if check == SignatureCheck::Verify {
            crypto::verify(
                public_key,
                key_id,
                SigningContext::Transaction,
                &facts.ledger_id,
                &signed.body,
                &signature.signature,
            )?;
        }
        Ok(key_id)
    }

    /// The role of a registered, unrevoked key.
    pub fn active_role(&self, key_id: &KeyId) -> Result<&Role, Refusal> {
        let key = self
            .keys
            .get(key_id)
            .ok_or(Refusal::UnknownKey { key_id: *key_id })?;
        match key.revoked_at {
            Some(revoked_at) => Err(Refusal::KeyRevoked {
                key_id: *key_id,
                revoked_at,
            }),
            None => Ok(&key.role),
        }
    }

    fn issuer(&self, id: &IssuerId) -> Result<&Issuer, Refusal> {
        self.issuers
            .get(id)
            .ok_or_else(|| Refusal::UnknownIssuer(id.clone()))
    }

    fn household(&self, id: &HouseholdId) -> Result<&Household, Refusal> {
        self.households
            .get(id)
            .ok_or_else(|| Refusal::UnknownHousehold(id.clone()))
    }

    fn shop(&self, id: &ShopId) -> Result<&Shop, Refusal> {
        self.shops
            .get(id)
            .ok_or_else(|| Refusal::UnknownShop(id.clone()))
    }

    fn check_new_key(&self, public_key: &VerifyingKey) -> Result<KeyId, Refusal> {
        let key_id = crypto::key_id(public_key);
        if self.keys.contains_key(&key_id) {
            return Err(Refusal::AlreadyRegistered {
                kind: "key",
                id: key_id.to_string(),
            });
        }
        Ok(key_id)
    }

    /// Checks that the scope of a role being registered exists and has the right kind.
    fn check_scope_exists(&self, role: &Role) -> Result<(), Refusal> {
        match role {
            Role::BureauAdmin | Role::Auditor => Ok(()),
            Role::VillageOfficer(v) => self.expect_issuer_kind(v, IssuerKind::Village),
            Role::ProgramIssuer(p) => self.expect_issuer_kind(p, IssuerKind::Program),
            Role::ShopTerminal(s) => self.shop(s).map(|_| ()),
            Role::Resident(h) => self.household(h).map(|_| ()),
        }
    }

    fn expect_issuer_kind(&self, id: &IssuerId, expected: IssuerKind) -> Result<(), Refusal> {
        let issuer = self.issuer(id)?;
        if issuer.kind != expected {
            return Err(Refusal::WrongIssuerKind {
                issuer: id.clone(),
                expected: expected.name(),
                found: issuer.kind.name(),
            });
        }
        Ok(())
    }

    /// A village officer may manage only households of its own village.
    fn require_admin_or_village_of(
        &self,
        role: &Role,
        operation: &'static str,
        household_village: &IssuerId,
    ) -> Result<(), Refusal> {
        match role {
            Role::BureauAdmin => Ok(()),
            Role::VillageOfficer(v) if v == household_village => Ok(()),
            Role::VillageOfficer(v) => Err(Refusal::OutOfScope {
                role: role.name(),
                scope: format!("village {v}"),
                requested: format!("village {household_village}"),
            }),
            _ => Err(Refusal::NotAllowed {
                operation,
                expected: "a bureau admin or an officer of the household's village",
                found: role.to_string(),
            }),
        }
    }

    /// The signer must be an officer of `issuer`; a village officer only for households of
    /// its own village. Program issuers may act for any household (integrated points).
    fn require_issuer_officer(
        &self,
        role: &Role,
        operation: &'static str,
        issuer: &IssuerId,
        household: &Household,
    ) -> Result<(), Refusal> {
        match role {
            Role::VillageOfficer(v) | Role::ProgramIssuer(v) if v != issuer => {
                Err(Refusal::OutOfScope {
                    role: role.name(),
                    scope: format!("issuer {v}"),
                    requested: format!("issuer {issuer}"),
                })
            }
            Role::VillageOfficer(v) if &household.village != v => Err(Refusal::OutOfScope {
                role: role.name(),
                scope: format!("households of village {v}"),
                requested: format!("a household of village {}", household.village),
            }),
            Role::VillageOfficer(_) | Role::ProgramIssuer(_) => Ok(()),
            _ => Err(Refusal::NotAllowed {
                operation,
                expected: "a village officer or program issuer of that issuer",
                found: role.to_string(),
            }),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn execute(
        &mut self,
        sequence: u64,
        committed_at: u64,
        facts: &LedgerFacts,
        operation: &Operation,
        signer: KeyId,
        role: &Role,
        check: SignatureCheck,
    ) -> Result<Effects, Refusal> {
        let admin_only = |operation: &'static str| {
            if *role == Role::BureauAdmin {
                Ok(())
            } else {
                Err(Refusal::NotAllowed {
                    operation,
                    expected: "a bureau admin key",
                    found: role.to_string(),
                })
            }
        };
        match operation {
            Operation::Genesis { .. } => Err(Refusal::GenesisNotFirst),
            Operation::RegisterKey {
                public_key,
                role: new_role,
                label: _,
            } => {
                match (role, new_role) {
                    (Role::BureauAdmin, _) => {}
                    (Role::VillageOfficer(_), Role::Resident(h)) => {
                        let village = self.household(h)?.village.clone();
                        self.require_admin_or_village_of(role, "registering a key", &village)?;
                    }
                    _ => {
                        return Err(Refusal::NotAllowed {
                            operation: "registering a key",
                            expected: "a bureau admin key (village officers may register \
                                       resident keys of their own households)",
                            found: role.to_string(),
                        });
                    }
                }
                self.check_scope_exists(new_role)?;
                let key_id = self.check_new_key(public_key)?;
                if let Role::Resident(h) = new_role {
                    let active = self.household(h)?.active_resident_keys;
                    if active >= super::MAX_RESIDENT_KEYS {
                        return Err(Refusal::ResidentKeysFull {
                            household: h.clone(),
                            max: super::MAX_RESIDENT_KEYS,
                        });
                    }
                    if let Some(household) = self.households.get_mut(h) {
                        household.active_resident_keys += 1;
                    }
                }
                self.key_changes.push(key_id);
                self.key_registrations.push(key_id);
                self.keys.insert(
                    key_id,
                    KeyRecord {
                        public_key: *public_key,
                        role: new_role.clone(),
                        registered_at: sequence,
                        revoked_at: None,
                    },
                );
                Ok(Effects::none(vec![]))
            }
            Operation::RevokeKey { key_id, reason: _ } => {
                let target = self
                    .keys
                    .get(key_id)
                    .ok_or(Refusal::UnknownKeyToRevoke(*key_id))?;
                match (role, &target.role) {
                    (Role::BureauAdmin, _) => {}
                    (Role::VillageOfficer(_), Role::Resident(h)) => {
                        let village = self.household(h)?.village.clone();
                        self.require_admin_or_village_of(role, "revoking a key", &village)?;
                    }
                    _ => {
                        return Err(Refusal::NotAllowed {
                            operation: "revoking a key",
                            expected: "a bureau admin key (village officers may revoke \
                                       resident keys of their own households)",
                            found: role.to_string(),
                        });
                    }
                }
                if let Some(revoked_at) = target.revoked_at {
                    return Err(Refusal::AlreadyRevoked {
                        key_id: *key_id,
                        revoked_at,
                    });
                }
                if target.role == Role::BureauAdmin {
                    let active_admins = self
                        .keys
                        .values()
                        .filter(|k| k.role == Role::BureauAdmin && k.revoked_at.is_none())
                        .count();
                    if active_admins <= 1 {
                        return Err(Refusal::LastAdminKey { key_id: *key_id });
                    }
                }
                if let Some(key) = self.keys.get_mut(key_id) {
                    key.revoked_at = Some(sequence);
                    self.key_changes.push(*key_id);
                    if let Role::Resident(h) = &key.role
                        && let Some(household) = self.households.get_mut(h)
                    {
                        household.active_resident_keys -= 1;
                    }
                }
                Ok(Effects::none(vec![]))
            }
            Operation::RegisterIssuer { issuer, kind, name } => {
                admin_only("registering an issuer")?;
                if self.issuers.contains_key(issuer) {
                    return Err(Refusal::AlreadyRegistered {
                        kind: "issuer",
                        id: issuer.to_string(),
                    });
                }
                self.issuers.insert(
                    issuer.clone(),
                    Issuer {
                        kind: *kind,
                        name: name.clone(),
                        balance: 0,
                    },
                );
                Ok(Effects::none(vec![AccountId::Issuer(issuer.clone())]))
            }
            Operation::RegisterHousehold {
                household,
                village,
                resident_keys,
            } => {
                self.require_admin_or_village_of(role, "registering a household", village)?;
                self.expect_issuer_kind(village, IssuerKind::Village)?;
                if self.households.contains_key(household) {
                    return Err(Refusal::AlreadyRegistered {
                        kind: "household",
                        id: household.to_string(),
                    });
                }
                let mut new_keys = Vec::with_capacity(resident_keys.len());
                for key in resident_keys {
                    let key_id = self.check_new_key(key)?;
                    if new_keys.iter().any(|(id, _)| *id == key_id) {
                        return Err(Refusal::AlreadyRegistered {
                            kind: "key",
                            id: key_id.to_string(),
                        });
                    }
                    new_keys.push((key_id, *key));
                }
                let active_resident_keys = new_keys.len();
                for (key_id, public_key) in new_keys {
                    self.key_changes.push(key_id);
                    self.key_registrations.push(key_id);
                    self.keys.insert(
                        key_id,
                        KeyRecord {
                            public_key,
                            role: Role::Resident(household.clone()),
                            registered_at: sequence,
                            revoked_at: None,
                        },
                    );
                }
                self.households.insert(
                    household.clone(),
                    Household {
                        village: village.clone(),
                        lots: VecDeque::new(),
                        balance: 0,
                        earned_score: 0,
                        period_scores: BTreeMap::new(),
                        active_resident_keys,
                    },
                );
                Ok(Effects::none(vec![
                    AccountId::Household(household.clone()),
                    AccountId::Issuer(village.clone()),
                ]))
            }
            Operation::RegisterShop { shop, name } => {
                admin_only("registering a shop")?;
                if self.shops.contains_key(shop) {
                    return Err(Refusal::AlreadyRegistered {
                        kind: "shop",
                        id: shop.to_string(),
                    });
                }
                self.shops.insert(
                    shop.clone(),
                    Shop {
                        name: name.clone(),
                        balance: 0,
                        holdings: BTreeMap::new(),
                    },
                );
                Ok(Effects::none(vec![AccountId::Shop(shop.clone())]))
            }
            Operation::AllocateBudget {
                issuer,
                points,
                memo: _,
            } => {
                admin_only("allocating budget")?;
                let balance = self.issuer(issuer)?.balance;
                let new_balance = balance
                    .checked_add(*points)
                    .ok_or(Refusal::Overflow("the issuer's budget"))?;
                if -(self.bureau_fund - i128::from(*points)) > i128::from(super::MAX_BACKED_POINTS)
                {
                    return Err(Refusal::Overflow(
                        "the points the bureau fund backs (at most 2^63 - 1 in all)",
                    ));
                }
                self.bureau_fund -= i128::from(*points);
                self.issuer_mut(issuer).balance = new_balance;
                Ok(Effects {
                    postings: vec![Posting {
                        debit: AccountId::BureauFund,
                        credit: AccountId::Issuer(issuer.clone()),
                        points: *points,
                        issuer: None,
                    }],
                    accounts: vec![],
                    issuer: Some(issuer.clone()),
                    reverses: None,
                })
            }
            Operation::IssuePoints(action) => {
                let household = self.household(&action.household)?;
                self.require_issuer_officer(role, "issuing points", &action.issuer, household)?;
                let household_balance = household.balance;
                let issuer = self.issuer(&action.issuer)?;
                if issuer.balance < action.points {
                    return Err(Refusal::Insufficient {
                        what: "budget",
                        account: format!("issuer {}", action.issuer),
                        available: issuer.balance,
                        requested: action.points,
                    });
                }
                household_balance
                    .checked_add(action.points)
                    .ok_or(Refusal::Overflow("the household's balance"))?;
                self.issuer_mut(&action.issuer).balance -= action.points;
                let period = Period::containing(committed_at);
                let household = self.household_mut(&action.household);
                household.add_lot(action.issuer.clone(), action.points);
                household.add_score(period, i128::from(action.points));
                Ok(Effects {
                    postings: vec![issue_posting(action)],
                    accounts: vec![],
                    issuer: Some(action.issuer.clone()),
                    reverses: None,
                })
            }
            Operation::DeductPoints(action) => {
                let household = self.household(&action.household)?;
                self.require_issuer_officer(role, "deducting points", &action.issuer, household)?;
                self.issuer(&action.issuer)?;
                // The deducting issuer's own points go first. Each part returns to the issuer
                // that backed it, so no issuer's budget grows with another issuer's points.
                let taken = household.plan_take(action.points, Some(&action.issuer))?;
                for (lot_issuer, points) in &taken {
                    self.issuer(lot_issuer)?
                        .balance
                        .checked_add(*points)
                        .ok_or(Refusal::Overflow("the issuer's budget"))?;
                }
                let period = Period::containing(committed_at);
                let household = self.household_mut(&action.household);
                household.take(&taken);
                household.add_score(period, -i128::from(action.points));
                for (lot_issuer, points) in &taken {
                    self.issuer_mut(lot_issuer).balance += points;
                }
                Ok(Effects {
                    postings: taken
                        .into_iter()
                        .map(|(lot_issuer, points)| Posting {
                            debit: AccountId::Household(action.household.clone()),
                            credit: AccountId::Issuer(lot_issuer.clone()),
                            points,
                            issuer: Some(lot_issuer),
                        })
                        .collect(),
                    accounts: vec![AccountId::Issuer(action.issuer.clone())],
                    issuer: Some(action.issuer.clone()),
                    reverses: None,
                })
            }
            Operation::ReverseEntry {
                sequence: target,
                reason: _,
            } => self.reverse(
                *target,
                role,
                committed_at,
                facts.parameters.max_refund_window_ms,
            ),
            Operation::Redeem {
                shop,
                household,
                points,
                payment_code,
                terminal_counter,
                memo: _,
            } => {
                match role {
                    Role::ShopTerminal(s) if s == shop => {}
                    Role::ShopTerminal(s) => {
                        return Err(Refusal::OutOfScope {
                            role: role.name(),
                            scope: format!("shop {s}"),
                            requested: format!("shop {shop}"),
                        });
                    }
                    _ => {
                        return Err(Refusal::NotAllowed {
                            operation: "redeeming points",
                            expected: "a shop terminal key of that shop",
                            found: role.to_string(),
                        });
                    }
                }
                self.shop(shop)?;
                let household_state = self.household(household)?;
                self.check_payment_code(
                    facts,
                    committed_at,
                    household,
                    *points,
                    payment_code,
                    check,
                )?;
                if let Some(&last) = self.terminal_counters.get(&signer)
                    && *terminal_counter <= last
                {
                    return Err(Refusal::TerminalCounter {
                        key_id: signer,
                        last,
                        found: *terminal_counter,
                    });
                }
                let taken = household_state.plan_take(*points, None)?;
                let shop_balance = self.shop(shop)?.balance;
                shop_balance
                    .checked_add(*points)
                    .ok_or(Refusal::Overflow("the shop's balance"))?;
                self.household_mut(household).take(&taken);
                let shop_state = self.shops.get_mut(shop).expect("checked above");
                shop_state.balance += points;
                for (issuer, taken_points) in &taken {
                    *shop_state.holdings.entry(issuer.clone()).or_default() += taken_points;
                }
                self.used_nonces.insert(payment_code.nonce);
                self.terminal_counters.insert(signer, *terminal_counter);
                Ok(Effects {
                    postings: taken
                        .into_iter()
                        .map(|(issuer, points)| Posting {
                            debit: AccountId::Household(household.clone()),
                            credit: AccountId::Shop(shop.clone()),
                            points,
                            issuer: Some(issuer),
                        })
                        .collect(),
                    accounts: vec![],
                    issuer: None,
                    reverses: None,
                })
            }
        }
    }

    fn check_payment_code(
        &self,
        facts: &LedgerFacts,
        committed_at: u64,
        household: &HouseholdId,
        points: u64,
        code: &PaymentCode,
        check: SignatureCheck,
    ) -> Result<(), Refusal> {
        let resident = self
            .keys
            .get(&code.resident_key)
            .ok_or(Refusal::UnknownKey {
                key_id: code.resident_key,
            })?;
        if check == SignatureCheck::Verify {
            crypto::verify(
                &resident.public_key,
                code.resident_key,
                SigningContext::SpendAuthorization,
                &facts.ledger_id,
                &code.authorization_bytes,
                &code.resident_signature,
            )?;
        }
        match (&resident.role, resident.revoked_at) {
            (_, Some(revoked_at)) => {
                return Err(Refusal::KeyRevoked {
                    key_id: code.resident_key,
                    revoked_at,
                });
            }
            (Role::Resident(h), None) if h == household => {}
            (other, None) => {
                return Err(Refusal::PaymentCodeNotResident {
                    role: other.to_string(),
                    household: household.clone(),
                });
            }
        }
        if &code.household != household {
            return Err(Refusal::PaymentCodeOtherHousehold {
                code_household: code.household.clone(),
                household: household.clone(),
            });
        }
        if points > code.max_points {
            return Err(Refusal::PaymentCodeOverMaximum {
                max_points: code.max_points,
                points,
            });
        }
        if committed_at > code.not_after {
            return Err(Refusal::PaymentCodeExpired {
                not_after: code.not_after,
                now: committed_at,
            });
        }
        let window = facts.parameters.max_spend_authorization_window_ms;
        if code.not_after - committed_at > window {
            return Err(Refusal::PaymentCodeTooLong {
                not_after: code.not_after,
                window_ms: window,
            });
        }
        if self.used_nonces.contains(&code.nonce) {
            return Err(Refusal::PaymentCodeReused {
                nonce: code.nonce.to_string(),
            });
        }
        Ok(())
    }

    fn reverse(
        &mut self,
        target: u64,
        role: &Role,
        committed_at: u64,
        refund_window_ms: u64,
    ) -> Result<Effects, Refusal> {
        let original = self.entry(target)?;
        if let Some(reversed_by) = original.reversed_by {
            return Err(Refusal::AlreadyReversed {
                sequence: target,
                reversed_by,
            });
        }
        let reversible = matches!(
            original.kind,
            OperationKind::AllocateBudget
                | OperationKind::IssuePoints
                | OperationKind::DeductPoints
                | OperationKind::Redeem
        );
        if !reversible {
            return Err(Refusal::NotReversible {
                sequence: target,
                kind: original.kind.name(),
            });
        }
        let kind = original.kind;
        let original_period = Period::containing(original.committed_at);
        // Reversal postings swap debit and credit; the issuer tag stays.
        let postings: Vec<Posting> = original
            .postings
            .iter()
            .map(|p| Posting {
                debit: p.credit.clone(),
                credit: p.debit.clone(),
                points: p.points,
                issuer: p.issuer.clone(),
            })
            .collect();
        // Who may reverse: a bureau admin anything; an officer the issues and deductions its
        // own issuer made; a terminal its own shop's sales within the refund window.
        let allowed = match role {
            Role::BureauAdmin => true,
            Role::VillageOfficer(i) | Role::ProgramIssuer(i) => {
                matches!(
                    kind,
                    OperationKind::IssuePoints | OperationKind::DeductPoints
                ) && original.issuer.as_ref() == Some(i)
            }
            Role::ShopTerminal(s) => {
                kind == OperationKind::Redeem
                    && original.accounts.contains(&AccountId::Shop(s.clone()))
            }
            Role::Resident(_) | Role::Auditor => false,
        };
        if !allowed {
            return Err(Refusal::NotAllowed {
                operation: "reversing this entry",
                expected: "a bureau admin, an officer of the issuer that made the issue or \
                           deduction, or (for a redemption) a terminal of the entry's shop",
                found: role.to_string(),
            });
        }
        if let Role::ShopTerminal(_) = role {
            let age = committed_at.saturating_sub(original.committed_at);
            if age > refund_window_ms {
                return Err(Refusal::RefundWindowPassed {
                    sequence: target,
                    age_ms: age,
                    window_ms: refund_window_ms,
                });
            }
        }
        // Check every debit of the reversal can be paid: issuers by their whole balance,
        // households and shops by what they hold of each issuer's points.
        let mut needs: BTreeMap<(AccountId, Option<IssuerId>), u64> = BTreeMap::new();
        for p in &postings {
            let tag = match p.debit {
                AccountId::Household(_) | AccountId::Shop(_) => p.issuer.clone(),
                AccountId::BureauFund | AccountId::Issuer(_) => None,
            };
            *needs.entry((p.debit.clone(), tag)).or_default() += p.points;
        }
        for ((account, issuer), points) in &needs {
            let available = match (account, issuer) {
                (AccountId::BureauFund, _) => u64::MAX,
                (AccountId::Issuer(i), _) => self.issuer(i)?.balance,
                (AccountId::Household(h), Some(i)) => self.household(h)?.holding(i),
                (AccountId::Shop(s), Some(i)) => {
                    self.shop(s)?.holdings.get(i).copied().unwrap_or(0)
                }
                (AccountId::Household(_) | AccountId::Shop(_), None) => 0,
            };
            if available < *points {
                return Err(Refusal::Insufficient {
                    what: "balance to reverse",
                    account: match issuer {
                        Some(i) => format!("{account} (points from issuer {i})"),
                        None => account.to_string(),
                    },
                    available,
                    requested: *points,
                });
            }
        }
        // And every credit fits.
        let mut gains: BTreeMap<AccountId, u64> = BTreeMap::new();
        for p in &postings {
            let gain = gains.entry(p.credit.clone()).or_default();
            *gain = gain
                .checked_add(p.points)
                .ok_or(Refusal::Overflow("the reversal"))?;
        }
        for (account, gain) in &gains {
            let balance = match account {
                AccountId::BureauFund => 0,
                AccountId::Issuer(i) => self.issuer(i)?.balance,
                AccountId::Household(h) => self.household(h)?.balance,
                AccountId::Shop(s) => self.shop(s)?.balance,
            };
            balance
                .checked_add(*gain)
                .ok_or(Refusal::Overflow("the reversal's credit"))?;
        }
        for p in &postings {
            self.move_points(p);
        }
        let score_change: i128 = match kind {
            OperationKind::IssuePoints => {
                -postings.iter().map(|p| i128::from(p.points)).sum::<i128>()
            }
            OperationKind::DeductPoints => postings.iter().map(|p| i128::from(p.points)).sum(),
            _ => 0,
        };
        if score_change != 0
            && let Some(AccountId::Household(h)) = postings
                .iter()
                .flat_map(|p| [&p.debit, &p.credit])
                .find(|a| matches!(a, AccountId::Household(_)))
        {
            let h = h.clone();
            self.household_mut(&h)
                .add_score(original_period, score_change);
        }
        Ok(Effects {
            postings,
            accounts: vec![],
            issuer: None,
            reverses: Some(target),
        })
    }

    /// Applies a posting whose debit was already checked.
    fn move_points(&mut self, p: &Posting) {
        match &p.debit {
            AccountId::BureauFund => self.bureau_fund -= i128::from(p.points),
            AccountId::Issuer(i) => {
                let issuer = self.issuer_mut(i);
                debug_assert!(issuer.balance >= p.points, "reversal debit was checked");
                issuer.balance = issuer.balance.saturating_sub(p.points);
            }
            AccountId::Household(h) => {
                let issuer = p
                    .issuer
                    .clone()
                    .expect("household postings carry an issuer");
                self.household_mut(h).take(&[(issuer, p.points)]);
            }
            AccountId::Shop(s) => {
                let shop = self.shops.get_mut(s).expect("checked");
                shop.balance -= p.points;
                if let Some(issuer) = &p.issuer
                    && let Some(held) = shop.holdings.get_mut(issuer)
                {
                    *held -= p.points;
                    if *held == 0 {
                        shop.holdings.remove(issuer);
                    }
                }
            }
        }
        match &p.credit {
            AccountId::BureauFund => self.bureau_fund += i128::from(p.points),
            AccountId::Issuer(i) => self.issuer_mut(i).balance += p.points,
            AccountId::Household(h) => {
                let issuer = p
                    .issuer
                    .clone()
                    .expect("household postings carry an issuer");
                self.household_mut(h).add_lot(issuer, p.points);
            }
            AccountId::Shop(s) => {
                let shop = self.shops.get_mut(s).expect("checked");
                shop.balance += p.points;
                if let Some(issuer) = &p.issuer {
                    *shop.holdings.entry(issuer.clone()).or_default() += p.points;
                }
            }
        }
    }

    fn issuer_mut(&mut self, id: &IssuerId) -> &mut Issuer {
        self.issuers
            .get_mut(id)
            .expect("existence checked before mutation")
    }

    fn household_mut(&mut self, id: &HouseholdId) -> &mut Household {
        self.households
            .get_mut(id)
            .expect("existence checked before mutation")
    }
}

fn issue_posting(action: &PointsAction) -> Posting {
    Posting {
        debit: AccountId::Issuer(action.issuer.clone()),
        credit: AccountId::Household(action.household.clone()),
        points: action.points,
        issuer: Some(action.issuer.clone()),
    }
}

fn check_window(not_after: u64, now: u64, max_window_ms: u64) -> Result<(), Refusal> {
    if not_after < now {
        return Err(Refusal::Expired { not_after, now });
    }
    if not_after - now > max_window_ms {
        return Err(Refusal::WindowTooLong {
            not_after,
            now,
            max_window_ms,
        });
    }
    Ok(())
}

impl Household {
    fn holding(&self, issuer: &IssuerId) -> u64 {
        self.lots
            .iter()
            .filter(|l| &l.issuer == issuer)
            .map(|l| l.remaining)
            .sum()
    }

    /// Credits `points` of `issuer`: into the household's lot of that issuer if it holds one
    /// (lots merge per issuer until lots carry an expiry, so a household holds at most one lot
    /// per issuer and every balance operation is bounded by the number of issuers), else into
    /// a new, youngest lot.
    fn add_lot(&mut self, issuer: IssuerId, points: u64) {
        self.balance += points;
        match self.lots.iter_mut().find(|lot| lot.issuer == issuer) {
            Some(lot) => lot.remaining += points,
            None => self.lots.push_back(Lot {
                issuer,
                remaining: points,
            }),
        }
    }

    fn add_score(&mut self, period: Period, change: i128) {
        let change = i64::try_from(change).unwrap_or(if change < 0 { i64::MIN } else { i64::MAX });
        self.earned_score = self.earned_score.saturating_add(change);
        let score = self.period_scores.entry(period).or_default();
        *score = score.saturating_add(change);
    }

    /// Which issuers' points spending `points` would take: lots of `prefer` first, then the
    /// oldest lots. Refuses if the balance is short.
    fn plan_take(
        &self,
        points: u64,
        prefer: Option<&IssuerId>,
    ) -> Result<Vec<(IssuerId, u64)>, Refusal> {
        if self.balance < points {
            return Err(Refusal::Insufficient {
                what: "spendable balance",
                account: "the household".into(),
                available: self.balance,
                requested: points,
            });
        }
        let mut plan: Vec<(IssuerId, u64)> = Vec::new();
        let mut left = points;
        let preferred = self.lots.iter().filter(|l| Some(&l.issuer) == prefer);
        let others = self.lots.iter().filter(|l| Some(&l.issuer) != prefer);
        for lot in preferred.chain(others) {
            if left == 0 {
                break;
            }
            let take = lot.remaining.min(left);
            left -= take;
            match plan.iter_mut().find(|(i, _)| *i == lot.issuer) {
                Some((_, p)) => *p += take,
                None => plan.push((lot.issuer.clone(), take)),
            }
        }
        Ok(plan)
    }

    /// Takes the planned points per issuer, oldest lots of each issuer first.
    fn take(&mut self, plan: &[(IssuerId, u64)]) {
        for (issuer, points) in plan {
            let mut left = *points;
            for lot in self.lots.iter_mut().filter(|l| &l.issuer == issuer) {
                let take = lot.remaining.min(left);
                lot.remaining -= take;
                left -= take;
                if left == 0 {
                    break;
                }
            }
            debug_assert_eq!(left, 0, "take is only called with a checked plan");
            self.balance -= points - left;
        }
        self.lots.retain(|l| l.remaining > 0);
    }
}

impl State {
    /// Admits a signed transaction: the original record (and `true`) if its request id and
    /// body were already committed and this copy is signed by the original signer, otherwise
    /// [`State::apply`] with `check`.
    pub fn admit(
        &mut self,
        committed_at: u64,
        signed: &pb::SignedTransaction,
        check: SignatureCheck,
    ) -> Result<(&EntryRecord, bool), Refusal> {
        super::check_body_size(&signed.body)?;
        let body: pb::TransactionBody = decode_canonical("transaction body", &signed.body)?;
        let request_id = RequestId::from_slice(&body.request_id)?;
        let body_sha256 = crypto::sha256(&signed.body);
        let Some(facts) = self.facts else {
            let record = self.apply(committed_at, signed, check)?;
            return Ok((record, false));
        };
        // Signature and signer come first: nothing about the log (not even whether a request
        // id was used) is told to an unsigned copy or a revoked key, retries included.
        let signer = self.check_signature(signed, &facts, None, check)?;
        self.active_role(&signer)?;
        let original = self
            .check_request(&request_id, &body_sha256)?
            .map(|e| (e.sequence, e.signer));
        if let Some((sequence, original_signer)) = original {
            // The original receipt goes only to a retry signed by the original signer.
            if signer != original_signer {
                return Err(Refusal::NotOriginalSigner {
                    sequence,
                    signer: original_signer,
                });
            }
            return Ok((&self.entries[sequence as usize], true));
        }
        let record = self.apply(committed_at, signed, check)?;
        Ok((record, false))
    }
}

#[cfg(test)]
mod tests_support {
    //! Helpers for the state machine's tests: a ledger in memory, time chosen by the test.

    use super::*;
    use crate::client::Signer;
    use crate::pb::points::transaction_body::Operation as Op;

    pub const T0: u64 = 1_796_000_000_000;

    #[derive(Clone)]
    pub struct Ledger {
        pub state: State,
        pub admin: Signer,
        pub ledger_id: LedgerId,
        pub now: u64,
        /// Every committed transaction with its commit time: the log.
        pub log: Vec<(u64, pb::SignedTransaction)>,
    }

    impl Ledger {
        pub fn new() -> Self {
            let admin = Signer::generate();
            let ledger_id = LedgerId([3; 16]);
            let mut ledger = Self {
                state: State::new(),
                admin,
                ledger_id,
                now: T0,
                log: Vec::new(),
            };
            let genesis = Op::Genesis(pb::Genesis {
                ledger_id: ledger_id.0.to_vec(),
                admin_public_key: ledger.admin.public_key(),
                log_public_key: Signer::generate().public_key(),
                parameters: Some(pb::LedgerParameters {
                    max_transaction_window_ms: 60_000,
                    max_spend_authorization_window_ms: 60_000,
                    max_refund_window_ms: 1_000,
                }),
            });
            let admin = Signer::new(crate::crypto::KeyFile::new(
                ledger.admin.key_file().signing_key.clone(),
            ));
            ledger.apply(&admin, genesis).expect("genesis applies");
            ledger
        }

        pub fn signed(&self, signer: &Signer, operation: Op) -> pb::SignedTransaction {
            let body = pb::TransactionBody {
                request_id: crate::crypto::random_bytes::<16>().to_vec(),
                not_after_unix_ms: self.now + 30_000,
                operation: Some(operation),
            };
            signer.sign(&self.ledger_id, &body)
        }

        pub fn apply(&mut self, signer: &Signer, operation: Op) -> Result<EntryRecord, Refusal> {
            let signed = self.signed(signer, operation);
            self.now += 1;
            let entry = self
                .state
                .apply(self.now, &signed, SignatureCheck::Verify)
                .cloned()?;
            self.log.push((entry.committed_at, signed));
            Ok(entry)
        }

        pub fn admin_does(&mut self, operation: Op) -> EntryRecord {
            let admin = Signer::new(crate::crypto::KeyFile::new(
                self.admin.key_file().signing_key.clone(),
            ));
            self.apply(&admin, operation)
                .expect("admin operation applies")
        }

        pub fn issuer(&mut self, id: &str, kind: pb::IssuerKind, budget: u64) -> Signer {
            self.admin_does(Op::RegisterIssuer(pb::RegisterIssuer {
                issuer_id: id.into(),
                kind: kind.into(),
                name: id.into(),
            }));
            let officer = Signer::generate();
            let role = match kind {
                pb::IssuerKind::Village => pb::Role::VillageOfficer,
                _ => pb::Role::ProgramIssuer,
            };
            self.admin_does(Op::RegisterKey(pb::RegisterKey {
                public_key: officer.public_key(),
                role: role.into(),
                scope: id.into(),
                label: String::new(),
            }));
            if budget > 0 {
                self.admin_does(Op::AllocateBudget(pb::AllocateBudget {
                    issuer_id: id.into(),
                    points: budget,
                    memo: String::new(),
                }));
            }
            officer
        }

        pub fn household(&mut self, id: &str, village: &str) {
            self.admin_does(Op::RegisterHousehold(pb::RegisterHousehold {
                household_id: id.into(),
                village_id: village.into(),
                resident_public_keys: vec![],
            }));
        }

        pub fn balance(&self, account: AccountId) -> i128 {
            self.state.account(&account).unwrap().balance.into()
        }

        /// Every account view and the log size: equal snapshots mean nothing changed.
        pub fn snapshot(&self) -> (u64, Vec<AccountView>) {
            let views = self
                .state
                .accounts()
                .iter()
                .map(|a| self.state.account(a).unwrap())
                .collect();
            (self.state.len(), views)
        }
    }

    pub fn issue(issuer: &str, household: &str, points: u64) -> Op {
        Op::IssuePoints(pb::IssuePoints {
            issuer_id: issuer.into(),
            household_id: household.into(),
            rule_code: "R1".into(),
            points,
            memo: String::new(),
        })
    }

    pub fn deduct(issuer: &str, household: &str, points: u64) -> Op {
        Op::DeductPoints(pb::DeductPoints {
            issuer_id: issuer.into(),
            household_id: household.into(),
            rule_code: "R2".into(),
            points,
            memo: String::new(),
        })
    }

    pub fn reverse(sequence: u64) -> Op {
        Op::ReverseEntry(pb::ReverseEntry {
            sequence,
            reason: "mistake".into(),
        })
    }

    pub fn id<T>(parse: fn(&'static str, &str) -> Result<T, Refusal>, text: &str) -> T {
        parse("id", text).unwrap()
    }

    impl Ledger {
        /// A signer holding the admin key.
        pub fn admin_signer(&self) -> Signer {
            Signer::new(crate::crypto::KeyFile::new(
                self.admin.key_file().signing_key.clone(),
            ))
        }
    }

    /// A resident's payment code, valid 10 s from the ledger's clock.
    pub fn payment_code(
        ledger: &Ledger,
        resident: &Signer,
        household: &str,
        max_points: u64,
    ) -> pb::SignedSpendAuthorization {
        let authorization = pb::SpendAuthorization {
            household_id: household.into(),
            max_points,
            nonce: crate::crypto::random_bytes::<16>().to_vec(),
            not_after_unix_ms: ledger.now + 10_000,
        }
        .encode_to_vec();
        let signature = crate::crypto::sign(
            &resident.key_file().signing_key,
            crate::crypto::SigningContext::SpendAuthorization,
            &ledger.ledger_id,
            &authorization,
        );
        pb::SignedSpendAuthorization {
            authorization,
            resident_signature: Some(pb::Signature {
                key_id: resident.key_id().to_string(),
                signature: signature.to_vec(),
            }),
        }
    }

    /// A sale of `points` at `shop`.
    pub fn redeem(
        shop: &str,
        household: &str,
        points: u64,
        code: pb::SignedSpendAuthorization,
        counter: u64,
    ) -> Op {
        Op::Redeem(pb::Redeem {
            shop_id: shop.into(),
            household_id: household.into(),
            points,
            payment_code: Some(code),
            terminal_counter: counter,
            memo: String::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    //! The state machine on its own: no server, no store, time chosen by the test.

    use super::tests_support::*;
    use super::*;
    use crate::client::Signer;
    use crate::ledger::RefusalClass;
    use crate::pb::points::transaction_body::Operation as Op;

    #[test]
    fn a_household_has_at_most_sixteen_active_resident_keys_however_they_were_registered() {
        let mut ledger = Ledger::new();
        let officer = ledger.issuer("a", pb::IssuerKind::Village, 0);
        ledger.household("h", "a");
        let register = |key: &Signer| {
            Op::RegisterKey(pb::RegisterKey {
                public_key: key.public_key(),
                role: pb::Role::Resident.into(),
                scope: "h".into(),
                label: String::new(),
            })
        };
        let keys: Vec<_> = (0..super::super::MAX_RESIDENT_KEYS)
            .map(|_| Signer::generate())
            .collect();
        for key in &keys {
            ledger.apply(&officer, register(key)).unwrap();
        }
        let one_more = Signer::generate();
        let refused = ledger.apply(&officer, register(&one_more)).unwrap_err();
        assert!(
            matches!(refused, Refusal::ResidentKeysFull { max: 16, .. }),
            "{refused}"
        );
        // Revoking one makes room for another (a lost phone replaced).
        ledger
            .apply(
                &officer,
                Op::RevokeKey(pb::RevokeKey {
                    key_id: keys[0].key_id().to_string(),
                    reason: "phone lost".into(),
                }),
            )
            .unwrap();
        ledger.apply(&officer, register(&one_more)).unwrap();
    }

    #[test]
    fn the_bureau_fund_backs_at_most_what_a_signed_64_bit_balance_can_show() {
        let mut ledger = Ledger::new();
        ledger.issuer("a", pb::IssuerKind::Village, 0);
        // As if allocations had already backed all but 10 points of the limit.
        ledger.state.bureau_fund = -(i128::from(super::super::MAX_BACKED_POINTS) - 10);
        let allocate = |points| {
            Op::AllocateBudget(pb::AllocateBudget {
                issuer_id: "a".into(),
                points,
                memo: String::new(),
            })
        };
        let admin = ledger.admin_signer();
        let refused = ledger.apply(&admin, allocate(11)).unwrap_err();
        assert!(matches!(refused, Refusal::Overflow(_)), "{refused}");
        ledger.apply(&admin, allocate(10)).unwrap();
        // Exactly representable: the fund shows -(2^63 - 1), not a saturated value.
        let fund = ledger.state.account(&AccountId::BureauFund).unwrap();
        assert_eq!(fund.balance, -i64::MAX);
    }

    #[test]
    fn a_household_holds_one_lot_per_issuer_however_often_it_is_credited() {
        let mut ledger = Ledger::new();
        let village = ledger.issuer("a", pb::IssuerKind::Village, 10_000);
        let program = ledger.issuer("p", pb::IssuerKind::Program, 10_000);
        ledger.household("h", "a");
        // Alternating issuers: before lots merged, this made 2 000 lots.
        for _ in 0..1_000 {
            ledger.apply(&village, issue("a", "h", 1)).unwrap();
            ledger.apply(&program, issue("p", "h", 2)).unwrap();
        }
        let household = &ledger.state.households[&id(HouseholdId::parse, "h")];
        assert_eq!(household.lots.len(), 2);
        let view = ledger
            .state
            .account(&AccountId::Household(id(HouseholdId::parse, "h")))
            .unwrap();
        assert_eq!(view.balance, 3_000);
        assert_eq!(
            view.holdings,
            vec![
                (id(IssuerId::parse, "a"), 1_000),
                (id(IssuerId::parse, "p"), 2_000)
            ]
        );
        // The village's lot is the older: a deduction by the program takes its own first.
        let entry = ledger.apply(&program, deduct("p", "h", 2_500)).unwrap();
        let taken: Vec<_> = entry.postings.iter().map(|p| p.points).collect();
        assert_eq!(taken, vec![2_000, 500]);
        assert_eq!(
            ledger.state.households[&id(HouseholdId::parse, "h")]
                .lots
                .len(),
            1
        );
    }

    #[test]
    fn a_deduction_returns_each_issuers_points_to_that_issuer() {
        let mut ledger = Ledger::new();
        let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
        let program = ledger.issuer("p", pb::IssuerKind::Program, 100);
        ledger.household("h", "a");
        ledger.apply(&program, issue("p", "h", 50)).unwrap();
        ledger.apply(&village, issue("a", "h", 20)).unwrap();

        let entry = ledger.apply(&village, deduct("a", "h", 30)).unwrap();
        // The village's own 20 first, then 10 of the program's, back to the program.
        assert_eq!(entry.postings.len(), 2);
        assert_eq!(
            entry.postings[0].credit,
            AccountId::Issuer(id(IssuerId::parse, "a"))
        );
        assert_eq!(entry.postings[0].points, 20);
        assert_eq!(
            entry.postings[1].credit,
            AccountId::Issuer(id(IssuerId::parse, "p"))
        );
        assert_eq!(entry.postings[1].points, 10);
        assert_eq!(
            ledger.balance(AccountId::Issuer(id(IssuerId::parse, "a"))),
            100
        );
        assert_eq!(
            ledger.balance(AccountId::Issuer(id(IssuerId::parse, "p"))),
            60
        );
        assert_eq!(ledger.state.total_balance(), 0);
        let household = ledger
            .state
            .account(&AccountId::Household(id(HouseholdId::parse, "h")))
            .unwrap();
        assert_eq!(household.balance, 40);
        assert_eq!(household.earned_score, 70 - 30);
    }

    #[test]
    fn reversing_a_deduction_checks_each_issuers_whole_balance() {
        let mut ledger = Ledger::new();
        let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
        ledger.household("h", "a");
        ledger.household("g", "a");
        ledger.apply(&village, issue("a", "h", 100)).unwrap();
        let deduction = ledger.apply(&village, deduct("a", "h", 100)).unwrap();
        // The village re-issues most of it elsewhere; 60 left, the reversal needs 100.
        ledger.apply(&village, issue("a", "g", 40)).unwrap();
        let before = ledger.snapshot();
        let refusal = ledger
            .apply(&village, reverse(deduction.sequence))
            .unwrap_err();
        assert!(
            matches!(
                refusal,
                Refusal::Insufficient {
                    available: 60,
                    requested: 100,
                    ..
                }
            ),
            "{refusal}"
        );
        assert_eq!(ledger.snapshot(), before);
    }

    #[test]
    fn only_the_bureau_reverses_a_budget_allocation() {
        let mut ledger = Ledger::new();
        let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
        let allocation = ledger.state.len() - 1;
        let refusal = ledger.apply(&village, reverse(allocation)).unwrap_err();
        assert_eq!(refusal.class(), RefusalClass::PermissionDenied);
        let entry = ledger.admin_does(reverse(allocation));
        assert_eq!(entry.reverses, Some(allocation));
        assert_eq!(ledger.balance(AccountId::BureauFund), 0);
        assert_eq!(ledger.state.total_balance(), 0);
    }

    #[test]
    fn an_officer_reverses_only_its_own_issuers_entries() {
        let mut ledger = Ledger::new();
        let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
        let program = ledger.issuer("p", pb::IssuerKind::Program, 100);
        ledger.household("h", "a");
        let issued = ledger.apply(&program, issue("p", "h", 10)).unwrap();
        let refusal = ledger
            .apply(&village, reverse(issued.sequence))
            .unwrap_err();
        assert_eq!(refusal.class(), RefusalClass::PermissionDenied);
        ledger.apply(&program, reverse(issued.sequence)).unwrap();
    }

    #[test]
    fn a_refused_transaction_changes_nothing_and_frees_its_request_id() {
        let mut ledger = Ledger::new();
        let village = ledger.issuer("a", pb::IssuerKind::Village, 10);
        ledger.household("h", "a");
        let before = ledger.snapshot();
        let signed = ledger.signed(&village, issue("a", "h", 11));
        let refusal = ledger
            .state
            .apply(ledger.now + 1, &signed, SignatureCheck::Verify)
            .unwrap_err();
        assert_eq!(refusal.class(), RefusalClass::FailedPrecondition);
        assert_eq!(ledger.snapshot(), before);
        let body: pb::TransactionBody = decode_canonical("body", &signed.body).unwrap();
        let request_id = RequestId::from_slice(&body.request_id).unwrap();
        assert!(ledger.state.entry_for_request(&request_id).is_none());
    }

    #[test]
    fn replaying_the_log_reaches_the_same_state() {
        let mut ledger = Ledger::new();
        let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
        let program = ledger.issuer("p", pb::IssuerKind::Program, 50);
        ledger.household("h", "a");
        for points in [5, 7, 9] {
            ledger.apply(&village, issue("a", "h", points)).unwrap();
        }
        ledger.apply(&program, issue("p", "h", 11)).unwrap();
        let deduction = ledger.apply(&village, deduct("a", "h", 14)).unwrap();
        ledger.apply(&village, reverse(deduction.sequence)).unwrap();
        let _ = ledger.apply(&village, issue("a", "h", 1_000)).unwrap_err();

        let mut replayed = State::new();
        for (committed_at, signed) in &ledger.log {
            replayed
                .apply(*committed_at, signed, SignatureCheck::Verify)
                .unwrap();
        }
        let live = ledger.snapshot();
        ledger.state = replayed;
        assert_eq!(ledger.snapshot(), live);
        assert_eq!(ledger.state.total_balance(), 0);

        // Replaying an entry twice is refused: request ids are unique forever.
        let (at, first) = &ledger.log[1];
        assert!(matches!(
            ledger.state.apply(*at, first, SignatureCheck::Trust),
            Err(Refusal::RequestIdReused { .. })
        ));
    }

    #[test]
    fn a_terminal_refunds_only_within_the_refund_window() {
        let mut ledger = Ledger::new();
        let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
        let resident = Signer::generate();
        ledger.admin_does(Op::RegisterHousehold(pb::RegisterHousehold {
            household_id: "h".into(),
            village_id: "a".into(),
            resident_public_keys: vec![resident.public_key()],
        }));
        ledger.admin_does(Op::RegisterShop(pb::RegisterShop {
            shop_id: "s".into(),
            name: "shop".into(),
        }));
        let terminal = Signer::generate();
        ledger.admin_does(Op::RegisterKey(pb::RegisterKey {
            public_key: terminal.public_key(),
            role: pb::Role::ShopTerminal.into(),
            scope: "s".into(),
            label: String::new(),
        }));
        ledger.apply(&village, issue("a", "h", 20)).unwrap();
        let sale = |ledger: &mut Ledger, counter: u64| {
            let authorization = pb::SpendAuthorization {
                household_id: "h".into(),
                max_points: 5,
                nonce: crate::crypto::random_bytes::<16>().to_vec(),
                not_after_unix_ms: ledger.now + 10_000,
            }
            .encode_to_vec();
            let signature = crate::crypto::sign(
                &resident.key_file().signing_key,
                crate::crypto::SigningContext::SpendAuthorization,
                &ledger.ledger_id,
                &authorization,
            );
            ledger
                .apply(
                    &terminal,
                    Op::Redeem(pb::Redeem {
                        shop_id: "s".into(),
                        household_id: "h".into(),
                        points: 5,
                        payment_code: Some(pb::SignedSpendAuthorization {
                            authorization,
                            resident_signature: Some(pb::Signature {
                                key_id: resident.key_id().to_string(),
                                signature: signature.to_vec(),
                            }),
                        }),
                        terminal_counter: counter,
                        memo: String::new(),
                    }),
                )
                .unwrap()
        };
        let recent = sale(&mut ledger, 1);
        ledger.apply(&terminal, reverse(recent.sequence)).unwrap();
        let old = sale(&mut ledger, 2);
        ledger.now += 5_000; // past the 1 s refund window
        let refusal = ledger.apply(&terminal, reverse(old.sequence)).unwrap_err();
        assert!(
            matches!(refusal, Refusal::RefundWindowPassed { .. }),
            "{refusal}"
        );
        // The bureau can still correct it.
        ledger.admin_does(reverse(old.sequence));
        assert_eq!(ledger.state.total_balance(), 0);
    }
}

#[cfg(test)]
mod authorization_matrix {
    //! Every role × every operation, and every role × every account read: allowed or refused
    //! with PERMISSION_DENIED, including a revoked key and keys of another scope.

    use super::tests_support::*;
    use super::*;
    use crate::client::Signer;
    use crate::ledger::RefusalClass;
    use crate::pb::points::transaction_body::Operation as Op;

    struct World {
        ledger: Ledger,
        actors: Vec<(&'static str, Signer)>,
        issue_entry: u64,
        allocation_entry: u64,
        sale_entry: u64,
        resident_h1_spare: Signer,
    }

    fn key(ledger: &mut Ledger, role: pb::Role, scope: &str) -> Signer {
        let signer = Signer::generate();
        ledger.admin_does(Op::RegisterKey(pb::RegisterKey {
            public_key: signer.public_key(),
            role: role.into(),
            scope: scope.into(),
            label: String::new(),
        }));
        signer
    }

    fn world() -> World {
        let mut ledger = Ledger::new();
        let officer_v1 = ledger.issuer("v1", pb::IssuerKind::Village, 1000);
        let officer_v2 = ledger.issuer("v2", pb::IssuerKind::Village, 1000);
        let program = ledger.issuer("p", pb::IssuerKind::Program, 1000);
        ledger.household("h1", "v1");
        ledger.household("h3", "v2");
        for shop in ["s1", "s2"] {
            ledger.admin_does(Op::RegisterShop(pb::RegisterShop {
                shop_id: shop.into(),
                name: shop.into(),
            }));
        }
        let auditor = key(&mut ledger, pb::Role::Auditor, "");
        let terminal_s1 = key(&mut ledger, pb::Role::ShopTerminal, "s1");
        let terminal_s2 = key(&mut ledger, pb::Role::ShopTerminal, "s2");
        let resident_h1 = key(&mut ledger, pb::Role::Resident, "h1");
        let resident_h3 = key(&mut ledger, pb::Role::Resident, "h3");
        let resident_h1_spare = key(&mut ledger, pb::Role::Resident, "h1");
        let revoked = key(&mut ledger, pb::Role::VillageOfficer, "v1");
        ledger.admin_does(Op::RevokeKey(pb::RevokeKey {
            key_id: revoked.key_id().to_string(),
            reason: "left".into(),
        }));
        ledger.apply(&officer_v1, issue("v1", "h1", 100)).unwrap();
        let issue_entry = ledger
            .apply(&officer_v1, issue("v1", "h1", 10))
            .unwrap()
            .sequence;
        let allocation_entry = ledger
            .admin_does(Op::AllocateBudget(pb::AllocateBudget {
                issuer_id: "v2".into(),
                points: 10,
                memo: String::new(),
            }))
            .sequence;
        let code = payment_code(&ledger, &resident_h1, "h1", 5);
        let sale_entry = ledger
            .apply(&terminal_s1, redeem("s1", "h1", 5, code, 1))
            .unwrap()
            .sequence;
        let admin = ledger.admin_signer();
        World {
            ledger,
            actors: vec![
                ("bureau admin", admin),
                ("auditor", auditor),
                ("officer of v1", officer_v1),
                ("officer of v2", officer_v2),
                ("program issuer of p", program),
                ("terminal of s1", terminal_s1),
                ("terminal of s2", terminal_s2),
                ("resident of h1", resident_h1),
                ("resident of h3", resident_h3),
                ("revoked officer of v1", revoked),
            ],
            issue_entry,
            allocation_entry,
            sale_entry,
            resident_h1_spare,
        }
    }

    #[test]
    fn every_role_may_do_exactly_what_its_registration_allows() {
        let world = world();
        type Build = Box<dyn Fn(&World) -> Op>;
        let operations: Vec<(&str, Build, &[&str])> = vec![
            (
                "register an auditor key",
                Box::new(|_| {
                    Op::RegisterKey(pb::RegisterKey {
                        public_key: Signer::generate().public_key(),
                        role: pb::Role::Auditor.into(),
                        scope: String::new(),
                        label: String::new(),
                    })
                }),
                &["bureau admin"],
            ),
            (
                "register a resident key of h1",
                Box::new(|_| {
                    Op::RegisterKey(pb::RegisterKey {
                        public_key: Signer::generate().public_key(),
                        role: pb::Role::Resident.into(),
                        scope: "h1".into(),
                        label: String::new(),
                    })
                }),
                &["bureau admin", "officer of v1"],
            ),
            (
                "revoke a resident key of h1",
                Box::new(|w| {
                    Op::RevokeKey(pb::RevokeKey {
                        key_id: w.resident_h1_spare.key_id().to_string(),
                        reason: "lost phone".into(),
                    })
                }),
                &["bureau admin", "officer of v1"],
            ),
            (
                "register an issuer",
                Box::new(|_| {
                    Op::RegisterIssuer(pb::RegisterIssuer {
                        issuer_id: "v9".into(),
                        kind: pb::IssuerKind::Village.into(),
                        name: "v9".into(),
                    })
                }),
                &["bureau admin"],
            ),
            (
                "register a household in v1",
                Box::new(|_| {
                    Op::RegisterHousehold(pb::RegisterHousehold {
                        household_id: "h9".into(),
                        village_id: "v1".into(),
                        resident_public_keys: vec![],
                    })
                }),
                &["bureau admin", "officer of v1"],
            ),
            (
                "register a shop",
                Box::new(|_| {
                    Op::RegisterShop(pb::RegisterShop {
                        shop_id: "s9".into(),
                        name: "s9".into(),
                    })
                }),
                &["bureau admin"],
            ),
            (
                "allocate budget",
                Box::new(|_| {
                    Op::AllocateBudget(pb::AllocateBudget {
                        issuer_id: "v1".into(),
                        points: 1,
                        memo: String::new(),
                    })
                }),
                &["bureau admin"],
            ),
            (
                "issue from v1 to h1",
                Box::new(|_| issue("v1", "h1", 1)),
                &["officer of v1"],
            ),
            (
                "issue from p to h1",
                Box::new(|_| issue("p", "h1", 1)),
                &["program issuer of p"],
            ),
            (
                "issue from v2 to h1",
                Box::new(|_| issue("v2", "h1", 1)),
                &[],
            ),
            (
                "deduct for v1 from h1",
                Box::new(|_| deduct("v1", "h1", 1)),
                &["officer of v1"],
            ),
            (
                "reverse v1's issue",
                Box::new(|w| reverse(w.issue_entry)),
                &["bureau admin", "officer of v1"],
            ),
            (
                "reverse a budget allocation",
                Box::new(|w| reverse(w.allocation_entry)),
                &["bureau admin"],
            ),
            (
                "refund a sale at s1",
                Box::new(|w| reverse(w.sale_entry)),
                &["bureau admin", "terminal of s1"],
            ),
            (
                "redeem at s1 for h1",
                Box::new(|w| {
                    let resident = &w.actors[7].1;
                    let code = payment_code(&w.ledger, resident, "h1", 1);
                    redeem("s1", "h1", 1, code, 99)
                }),
                &["terminal of s1"],
            ),
        ];
        let mut checked = 0;
        for (operation, build, allowed) in &operations {
            for (actor, signer) in &world.actors {
                let mut ledger = world.ledger.clone();
                let result = ledger.apply(signer, build(&world));
                if allowed.contains(actor) {
                    assert!(result.is_ok(), "{actor} should {operation}: {result:?}");
                } else {
                    let refusal = result.expect_err(&format!("{actor} must not {operation}"));
                    assert_eq!(
                        refusal.class(),
                        RefusalClass::PermissionDenied,
                        "{actor} / {operation}: {refusal}"
                    );
                    if *actor == "revoked officer of v1" {
                        assert!(matches!(refusal, Refusal::KeyRevoked { .. }), "{refusal}");
                    }
                }
                checked += 1;
            }
        }
        assert_eq!(checked, operations.len() * world.actors.len());
    }

    #[test]
    fn every_role_reads_exactly_its_own_accounts() {
        let world = world();
        let state = &world.ledger.state;
        let account = |kind: &str, id: &str| match kind {
            "issuer" => AccountId::Issuer(IssuerId::parse("id", id).unwrap()),
            "household" => AccountId::Household(HouseholdId::parse("id", id).unwrap()),
            "shop" => AccountId::Shop(ShopId::parse("id", id).unwrap()),
            _ => AccountId::BureauFund,
        };
        let accounts = [
            ("fund", ""),
            ("issuer", "v1"),
            ("issuer", "v2"),
            ("issuer", "p"),
            ("household", "h1"),
            ("household", "h3"),
            ("shop", "s1"),
            ("shop", "s2"),
        ];
        let readable: &[(&str, &[&str])] = &[
            (
                "bureau admin",
                &["", "v1", "v2", "p", "h1", "h3", "s1", "s2"],
            ),
            ("auditor", &["", "v1", "v2", "p", "h1", "h3", "s1", "s2"]),
            ("officer of v1", &["v1", "h1"]),
            ("officer of v2", &["v2", "h3"]),
            ("program issuer of p", &["p"]),
            ("terminal of s1", &["s1"]),
            ("terminal of s2", &["s2"]),
            ("resident of h1", &["h1"]),
            ("resident of h3", &["h3"]),
        ];
        for (actor, allowed) in readable {
            let signer = &world.actors.iter().find(|(a, _)| a == actor).unwrap().1;
            let role = state.active_role(&signer.key_id()).unwrap();
            for (kind, id) in accounts {
                let expected = allowed.contains(&id);
                assert_eq!(
                    state.may_read_account(role, &account(kind, id)),
                    expected,
                    "{actor} reading {kind} {id}"
                );
            }
        }
        let revoked = &world.actors[9].1;
        assert!(matches!(
            state.active_role(&revoked.key_id()),
            Err(Refusal::KeyRevoked { .. })
        ));
    }
}

#[cfg(test)]
mod model {
    //! Model-based property tests: random sequences of operations against a simple reference
    //! model of who may do what and how balances move. After every step: points are
    //! conserved, no balance is negative, balances equal the sum of the postings reported,
    //! a refusal changed nothing, and a retried transaction returns its original entry.
    //! At the end, replaying the log reaches the same state.

    use proptest::prelude::*;

    use super::tests_support::*;
    use super::*;
    use crate::client::Signer;
    use crate::ledger::RefusalClass;
    use crate::pb::points::transaction_body::Operation as Op;

    const ISSUERS: [&str; 3] = ["v1", "v2", "p"];
    /// (household, village)
    const HOUSEHOLDS: [(&str, &str); 3] = [("h1", "v1"), ("h2", "v1"), ("h3", "v2")];
    const SHOPS: [&str; 2] = ["s1", "s2"];

    #[derive(Clone, Debug)]
    enum Step {
        Allocate {
            issuer: usize,
            points: u64,
        },
        Issue {
            officer: usize,
            issuer: usize,
            household: usize,
            points: u64,
        },
        Deduct {
            officer: usize,
            issuer: usize,
            household: usize,
            points: u64,
        },
        Redeem {
            terminal: usize,
            shop: usize,
            household: usize,
            resident: usize,
            points: u64,
            max: u64,
        },
        Reverse {
            target: usize,
        },
        Retry {
            target: usize,
        },
        Wait {
            ms: u64,
        },
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0..3usize, 0..300u64).prop_map(|(issuer, points)| Step::Allocate { issuer, points }),
            (0..3usize, 0..3usize, 0..3usize, 0..60u64).prop_map(
                |(officer, issuer, household, points)| {
                    Step::Issue {
                        officer,
                        issuer,
                        household,
                        points,
                    }
                }
            ),
            (0..3usize, 0..3usize, 0..3usize, 0..40u64).prop_map(
                |(officer, issuer, household, points)| {
                    Step::Deduct {
                        officer,
                        issuer,
                        household,
                        points,
                    }
                }
            ),
            (
                0..2usize,
                0..2usize,
                0..3usize,
                0..3usize,
                0..40u64,
                0..40u64
            )
                .prop_map(|(terminal, shop, household, resident, points, max)| {
                    Step::Redeem {
                        terminal,
                        shop,
                        household,
                        resident,
                        points,
                        max,
                    }
                }),
            (0..1000usize).prop_map(|target| Step::Reverse { target }),
            (0..1000usize).prop_map(|target| Step::Retry { target }),
            (0..5_000u64).prop_map(|ms| Step::Wait { ms }),
        ]
    }

    struct Harness {
        ledger: Ledger,
        officers: Vec<Signer>,
        terminals: Vec<Signer>,
        residents: Vec<Signer>,
        /// Balances as the reported postings say they should be.
        model: BTreeMap<AccountId, i128>,
        counter: u64,
    }

    fn issuer_id(i: usize) -> AccountId {
        AccountId::Issuer(IssuerId::parse("id", ISSUERS[i]).unwrap())
    }

    impl Harness {
        fn new() -> Self {
            let mut ledger = Ledger::new();
            let officers = vec![
                ledger.issuer("v1", pb::IssuerKind::Village, 0),
                ledger.issuer("v2", pb::IssuerKind::Village, 0),
                ledger.issuer("p", pb::IssuerKind::Program, 0),
            ];
            let mut residents = Vec::new();
            for (household, village) in HOUSEHOLDS {
                let resident = Signer::generate();
                ledger.admin_does(Op::RegisterHousehold(pb::RegisterHousehold {
                    household_id: household.into(),
                    village_id: village.into(),
                    resident_public_keys: vec![resident.public_key()],
                }));
                residents.push(resident);
            }
            let mut terminals = Vec::new();
            for shop in SHOPS {
                ledger.admin_does(Op::RegisterShop(pb::RegisterShop {
                    shop_id: shop.into(),
                    name: shop.into(),
                }));
                let terminal = Signer::generate();
                ledger.admin_does(Op::RegisterKey(pb::RegisterKey {
                    public_key: terminal.public_key(),
                    role: pb::Role::ShopTerminal.into(),
                    scope: shop.into(),
                    label: String::new(),
                }));
                terminals.push(terminal);
            }
            let model = ledger
                .state
                .accounts()
                .into_iter()
                .map(|a| {
                    let balance = i128::from(ledger.state.account(&a).unwrap().balance);
                    (a, balance)
                })
                .collect();
            Self {
                ledger,
                officers,
                terminals,
                residents,
                model,
                counter: 0,
            }
        }

        fn balance(&self, account: &AccountId) -> i128 {
            self.model.get(account).copied().unwrap_or(0)
        }

        /// The model's verdict on an issue or deduction by `officer` for `issuer` and a
        /// household, where `paying` must hold the points: an officer acts only for its own
        /// issuer, a village only for its own households.
        fn expect_points(
            &self,
            officer: usize,
            issuer: usize,
            household: usize,
            points: u64,
            paying: AccountId,
        ) -> Option<RefusalClass> {
            let village = HOUSEHOLDS[household].1;
            let authorized =
                officer == issuer && (ISSUERS[issuer] == "p" || ISSUERS[issuer] == village);
            if points == 0 {
                Some(RefusalClass::InvalidArgument)
            } else if !authorized {
                Some(RefusalClass::PermissionDenied)
            } else if self.balance(&paying) < i128::from(points) {
                Some(RefusalClass::FailedPrecondition)
            } else {
                None
            }
        }

        /// What the model expects: `None` for accepted, or the refusal class.
        fn run(&mut self, step: &Step) -> Result<(), TestCaseError> {
            let before = self.ledger.snapshot();
            let (result, expected) = match step.clone() {
                Step::Wait { ms } => {
                    self.ledger.now += ms;
                    return Ok(());
                }
                Step::Allocate { issuer, points } => {
                    let expected = (points == 0).then_some(RefusalClass::InvalidArgument);
                    let admin = self.ledger.admin_signer();
                    let op = Op::AllocateBudget(pb::AllocateBudget {
                        issuer_id: ISSUERS[issuer].into(),
                        points,
                        memo: String::new(),
                    });
                    (self.ledger.apply(&admin, op), Some(expected))
                }
                Step::Issue {
                    officer,
                    issuer,
                    household,
                    points,
                } => {
                    // Issuing is paid from the issuer's budget.
                    let expected =
                        self.expect_points(officer, issuer, household, points, issuer_id(issuer));
                    let signer = self.officers[officer].clone();
                    let op = issue(ISSUERS[issuer], HOUSEHOLDS[household].0, points);
                    (self.ledger.apply(&signer, op), Some(expected))
                }
                Step::Deduct {
                    officer,
                    issuer,
                    household,
                    points,
                } => {
                    // A deduction is paid from the household's balance.
                    let h = HOUSEHOLDS[household].0;
                    let account = AccountId::Household(HouseholdId::parse("id", h).unwrap());
                    let expected = self.expect_points(officer, issuer, household, points, account);
                    let signer = self.officers[officer].clone();
                    let op = deduct(ISSUERS[issuer], h, points);
                    (self.ledger.apply(&signer, op), Some(expected))
                }
                Step::Redeem {
                    terminal,
                    shop,
                    household,
                    resident,
                    points,
                    max,
                } => {
                    let h = HOUSEHOLDS[household].0;
                    let account = AccountId::Household(HouseholdId::parse("id", h).unwrap());
                    let expected = if points == 0 || max == 0 {
                        Some(RefusalClass::InvalidArgument)
                    } else if terminal != shop {
                        Some(RefusalClass::PermissionDenied)
                    } else if resident != household
                        || points > max
                        || self.balance(&account) < i128::from(points)
                    {
                        Some(RefusalClass::FailedPrecondition)
                    } else {
                        None
                    };
                    self.counter += 1;
                    let code = payment_code(&self.ledger, &self.residents[resident], h, max);
                    let signer = self.terminals[terminal].clone();
                    let op = redeem(SHOPS[shop], h, points, code, self.counter);
                    (self.ledger.apply(&signer, op), Some(expected))
                }
                Step::Reverse { target } => {
                    let target = target as u64 % self.ledger.state.len();
                    let admin = self.ledger.admin_signer();
                    // The bureau may reverse anything reversible it can pay for; the model
                    // does not predict which, only that a refusal is a precondition.
                    (self.ledger.apply(&admin, reverse(target)), None)
                }
                Step::Retry { target } => {
                    let (_, signed) = self.ledger.log[target % self.ledger.log.len()].clone();
                    let (record, duplicate) = self
                        .ledger
                        .state
                        .admit(self.ledger.now, &signed, SignatureCheck::Verify)
                        .map(|(r, d)| (r.clone(), d))
                        .map_err(|e| TestCaseError::fail(format!("retry refused: {e}")))?;
                    prop_assert!(duplicate, "a retry must not commit again");
                    prop_assert_eq!(record.body_sha256, crate::crypto::sha256(&signed.body));
                    prop_assert_eq!(self.ledger.snapshot(), before);
                    return Ok(());
                }
            };
            match (&result, expected) {
                (Ok(_), Some(Some(class))) => {
                    return Err(TestCaseError::fail(format!(
                        "{step:?} accepted, model expected {class:?}"
                    )));
                }
                (Err(refusal), Some(None)) => {
                    return Err(TestCaseError::fail(format!(
                        "{step:?} refused ({refusal}), model expected it to commit"
                    )));
                }
                (Err(refusal), Some(Some(class))) => {
                    prop_assert_eq!(refusal.class(), class, "{}", refusal)
                }
                (Err(refusal), None) => prop_assert_eq!(
                    refusal.class(),
                    RefusalClass::FailedPrecondition,
                    "{}",
                    refusal
                ),
                (Ok(_), _) => {}
            }
            match result {
                Ok(entry) => {
                    for posting in &entry.postings {
                        *self.model.entry(posting.debit.clone()).or_default() -=
                            i128::from(posting.points);
                        *self.model.entry(posting.credit.clone()).or_default() +=
                            i128::from(posting.points);
                    }
                }
                Err(_) => prop_assert_eq!(
                    self.ledger.snapshot(),
                    before,
                    "a refusal changed the state"
                ),
            }
            self.check_invariants()
        }

        fn check_invariants(&self) -> Result<(), TestCaseError> {
            let state = &self.ledger.state;
            prop_assert_eq!(state.total_balance(), 0, "points are conserved");
            for account in state.accounts() {
                let view = state.account(&account).unwrap();
                prop_assert_eq!(
                    i128::from(view.balance),
                    self.balance(&account),
                    "{} follows its postings",
                    account
                );
                if account != AccountId::BureauFund {
                    prop_assert!(view.balance >= 0, "{} is negative", account);
                }
                if matches!(account, AccountId::Household(_) | AccountId::Shop(_)) {
                    let held: i128 = view.holdings.iter().map(|(_, p)| i128::from(*p)).sum();
                    prop_assert_eq!(
                        held,
                        i128::from(view.balance),
                        "{} holdings add up",
                        account
                    );
                }
            }
            Ok(())
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn random_operations_keep_every_invariant_and_replay_to_the_same_state(
            steps in proptest::collection::vec(step(), 1..60)
        ) {
            let mut harness = Harness::new();
            for step in &steps {
                harness.run(step)?;
            }
            let mut replayed = State::new();
            for (committed_at, signed) in &harness.ledger.log {
                replayed
                    .apply(*committed_at, signed, SignatureCheck::Verify)
                    .map_err(|e| TestCaseError::fail(format!("replay refused: {e}")))?;
            }
            let live = harness.ledger.snapshot();
            harness.ledger.state = replayed;
            prop_assert_eq!(harness.ledger.snapshot(), live, "replay equals live state");
        }
    }
}
