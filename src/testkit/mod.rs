//! The test DSL, in one place: builders for every operation (used by the state machine's
//! tests, the property tests, the integration tests, the fuzz targets and `shanzhi bench`),
//! and a ledger in memory whose time the test chooses. It is test code: its helpers panic
//! with the refusal when a step the test relies on is refused.

use crate::client::Signer;
use crate::crypto::{KeyFile, SigningKey};
use crate::ledger::{
    AccountId, AccountView, EntryRecord, LedgerId, Refusal, Sequence, State, UnixMs,
};
use crate::pb::points as pb;
use crate::pb::points::transaction_body::Operation as Op;

/// A commit time in 2026, where every test ledger starts.
pub const T0: u64 = 1_796_000_000_000;

/// A signer whose key is derived from `seed`, for reproducible runs.
pub fn seeded_signer(seed: u8) -> Signer {
    Signer::new(KeyFile::new(SigningKey::from_bytes(&[seed; 32])))
}

/// A ledger in memory: the state, its admin, and the log of what committed.
#[derive(Clone)]
pub struct Ledger {
    /// The state machine under test.
    pub state: State,
    /// The genesis admin.
    pub admin: Signer,
    /// The ledger id every signature covers.
    pub ledger_id: LedgerId,
    /// The clock: the next commit is at `now + 1`.
    pub now: u64,
    /// Every committed transaction with its commit time: the log.
    pub log: Vec<(UnixMs, pb::SignedTransaction)>,
}

impl Default for Ledger {
    fn default() -> Self {
        Self::new()
    }
}

impl Ledger {
    /// The state its log replays to from nothing, or the first refusal (what a restarted
    /// server reaches).
    pub fn replay(&self) -> Result<State, Refusal> {
        let mut replayed = State::new();
        for (committed_at, signed) in &self.log {
            replayed.verify_and_apply(*committed_at, signed)?;
        }
        Ok(replayed)
    }

    /// A ledger after genesis with a new random admin key; the refund window is 1 s and the
    /// other windows 60 s.
    pub fn new() -> Self {
        Self::with_admin(Signer::generate(), Signer::generate())
    }

    /// A ledger after genesis signed by `admin`, with `log` as its log key.
    pub fn with_admin(admin: Signer, log: Signer) -> Self {
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
            log_public_key: log.public_key(),
            parameters: Some(pb::LedgerParameters {
                max_transaction_window_ms: 60_000,
                max_spend_authorization_window_ms: 60_000,
                max_refund_window_ms: 1_000,
            }),
        });
        let admin = ledger.admin_signer();
        if let Err(refusal) = ledger.apply(&admin, genesis) {
            panic!("the test ledger's genesis was refused: {refusal}");
        }
        ledger
    }

    /// A signer holding the admin key.
    pub fn admin_signer(&self) -> Signer {
        Signer::new(KeyFile::new(self.admin.key_file().signing_key.clone()))
    }

    /// `operation` in a body valid for 30 s, signed by `signer`.
    pub fn signed(&self, signer: &Signer, operation: Op) -> pb::SignedTransaction {
        let body = pb::TransactionBody {
            request_id: crate::crypto::random_bytes::<16>().to_vec(),
            not_after_unix_ms: self.now + 30_000,
            operation: Some(operation),
        };
        signer.sign(&self.ledger_id, &body)
    }

    /// Signs and applies `operation` 1 ms after the previous commit, verifying signatures.
    pub fn apply(&mut self, signer: &Signer, operation: Op) -> Result<EntryRecord, Refusal> {
        let signed = self.signed(signer, operation);
        self.now += 1;
        let entry = self
            .state
            .verify_and_apply(UnixMs(self.now), &signed)
            .cloned()?;
        self.log.push((entry.committed_at, signed));
        Ok(entry)
    }

    /// Applies an admin operation that must succeed.
    pub fn admin_does(&mut self, operation: Op) -> EntryRecord {
        let admin = self.admin_signer();
        match self.apply(&admin, operation) {
            Ok(entry) => entry,
            Err(refusal) => panic!("an admin operation of the test was refused: {refusal}"),
        }
    }

    /// Registers an issuer with an officer key and `budget` points; returns the officer.
    pub fn issuer(&mut self, id: &str, kind: pb::IssuerKind, budget: u64) -> Signer {
        self.admin_does(register_issuer(id, kind));
        let officer = Signer::generate();
        let role = match kind {
            pb::IssuerKind::Village => pb::Role::VillageOfficer,
            _ => pb::Role::ProgramIssuer,
        };
        self.admin_does(register_key(&officer, role, id));
        if budget > 0 {
            self.admin_does(allocate(id, budget));
        }
        officer
    }

    /// Registers a household of `village` without resident keys.
    pub fn household(&mut self, id: &str, village: &str) {
        self.admin_does(register_household(id, village, &[]));
    }

    /// Registers a shop and a terminal key for it; returns the terminal.
    pub fn shop(&mut self, id: &str) -> Signer {
        self.admin_does(Op::RegisterShop(pb::RegisterShop {
            shop_id: id.into(),
            name: id.into(),
        }));
        let terminal = Signer::generate();
        self.admin_does(register_key(&terminal, pb::Role::ShopTerminal, id));
        terminal
    }

    /// An account's balance.
    pub fn balance(&self, account: AccountId) -> i128 {
        match self.state.account(&account) {
            Ok(view) => view.balance().into(),
            Err(refusal) => panic!("{account}: {refusal}"),
        }
    }

    /// Every account view and the log size: equal snapshots mean nothing changed.
    pub fn snapshot(&self) -> (u64, Vec<AccountView>) {
        let views = self
            .state
            .accounts()
            .iter()
            .map(|a| match self.state.account(a) {
                Ok(view) => view,
                Err(refusal) => panic!("{a} cannot be shown: {refusal}"),
            })
            .collect();
        (self.state.len(), views)
    }

    /// A resident's payment code for `household`, valid 10 s from the ledger's clock.
    pub fn payment_code(
        &self,
        resident: &Signer,
        household: &str,
        max_points: u64,
    ) -> pb::SignedSpendAuthorization {
        resident.payment_code_until(&self.ledger_id, household, max_points, self.now + 10_000)
    }
}

/// Registers an issuer named "Issuer `id`".
pub fn register_issuer(id: &str, kind: pb::IssuerKind) -> Op {
    Op::RegisterIssuer(pb::RegisterIssuer {
        issuer_id: id.into(),
        kind: kind.into(),
        name: format!("Issuer {id}"),
        program: String::new(),
    })
}

/// Registers a program issuer named "Issuer `id`" that awards for bureau program `program`
/// ("elderly-care", ...).
pub fn register_program_issuer(id: &str, program: &str) -> Op {
    Op::RegisterIssuer(pb::RegisterIssuer {
        issuer_id: id.into(),
        kind: pb::IssuerKind::Program.into(),
        name: format!("Issuer {id}"),
        program: program.into(),
    })
}

/// Registers `key` with `role` in `scope`.
pub fn register_key(key: &Signer, role: pb::Role, scope: &str) -> Op {
    Op::RegisterKey(pb::RegisterKey {
        public_key: key.public_key(),
        role: role.into(),
        scope: scope.into(),
        label: String::new(),
    })
}

/// Registers a household of `village` with the given resident keys.
pub fn register_household(household: &str, village: &str, residents: &[&Signer]) -> Op {
    Op::RegisterHousehold(pb::RegisterHousehold {
        household_id: household.into(),
        village_id: village.into(),
        resident_public_keys: residents.iter().map(|r| r.public_key()).collect(),
    })
}

/// Bureau fund → issuer.
pub fn allocate(issuer: &str, points: u64) -> Op {
    Op::AllocateBudget(pb::AllocateBudget {
        issuer_id: issuer.into(),
        points,
        memo: "budget".into(),
    })
}

/// Issuer → household, under rule ENV-01 (cleaning the village lane).
pub fn issue(issuer: &str, household: &str, points: u64) -> Op {
    Op::IssuePoints(pb::IssuePoints {
        issuer_id: issuer.into(),
        household_id: household.into(),
        rule_code: "ENV-01".into(),
        points,
        memo: "cleaned the village lane".into(),
    })
}

/// Household → issuer, under rule LITTER-01 (littering).
pub fn deduct(issuer: &str, household: &str, points: u64) -> Op {
    Op::DeductPoints(pb::DeductPoints {
        issuer_id: issuer.into(),
        household_id: household.into(),
        rule_code: "LITTER-01".into(),
        points,
        memo: "littering".into(),
    })
}

/// Reverses the entry at `sequence`.
pub fn reverse(sequence: Sequence) -> Op {
    Op::ReverseEntry(pb::ReverseEntry {
        sequence: sequence.get(),
        reason: "entered by mistake".into(),
    })
}

/// Revokes `key`.
pub fn revoke(key: &Signer) -> Op {
    Op::RevokeKey(pb::RevokeKey {
        key_id: key.key_id().to_string(),
        reason: "revoked by the test".into(),
    })
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
        lines: one_line(points),
    })
}

/// One sale line worth `points`: one unit of item `GOODS`.
pub fn one_line(points: u64) -> Vec<pb::SaleLine> {
    vec![pb::SaleLine {
        item_code: "GOODS".into(),
        name: "goods".into(),
        quantity: 1,
        unit_points: points,
    }]
}

/// Parses a test id, panicking on a typo in the test.
pub fn id<T>(parse: fn(&'static str, &str) -> Result<T, Refusal>, text: &str) -> T {
    match parse("id", text) {
        Ok(id) => id,
        Err(refusal) => panic!("{text:?}: {refusal}"),
    }
}

/// Registers an administrative area.
pub fn register_area(code: &str, name: &str) -> Op {
    use crate::pb::registry as registry_pb;
    Op::Registry(registry_pb::RegistryOperation {
        operation: Some(registry_pb::registry_operation::Operation::RegisterArea(
            registry_pb::RegisterArea {
                code: code.into(),
                name: name.into(),
            },
        )),
    })
}

/// Places a village issuer in its village area.
pub fn set_village_area(village: &str, area: &str) -> Op {
    use crate::pb::registry as registry_pb;
    Op::Registry(registry_pb::RegistryOperation {
        operation: Some(registry_pb::registry_operation::Operation::SetVillageArea(
            registry_pb::SetVillageArea {
                village_id: village.into(),
                area_code: area.into(),
            },
        )),
    })
}

/// Whether any file under `dir` (recursively) holds `needle`: what a test asks to show that
/// a name or a key is, or is not, on disk.
///
/// # Panics
/// If `dir` cannot be read (a test's own temporary directory).
#[allow(clippy::expect_used, reason = "a test helper: a failure is the test's")]
pub fn on_disk(dir: &std::path::Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir)
        .expect("the directory is readable")
        .any(|entry| {
            let path = entry.expect("the entry is readable").path();
            if path.is_dir() {
                on_disk(&path, needle)
            } else {
                let bytes = std::fs::read(&path).expect("the file is readable");
                bytes.windows(needle.len()).any(|w| w == needle)
            }
        })
}

mod governance;
mod shops;
pub use governance::*;
pub use shops::*;
