//! The terminals family (`shanzhi.shops.v1`): a shop's manager (or the bureau) creates a
//! one-time activation code for a new terminal, of which only the hash enters the log; the
//! terminal generates its own key and activates once with the code, which registers that key
//! as a terminal of the shop; terminals are blocked (they can do nothing), unblocked, and
//! retired (their key is revoked for good).

use ed25519_dalek::VerifyingKey;
use imbl::{HashMap, HashSet};

use super::journal::Effects;
use super::keys::KeyRecord;
use super::{Context, State, authority};
use crate::crypto;
use crate::ledger::{
    AccountId, KeyId, LedgerId, Refusal, Role, Sequence, ShopId, TerminalRefusal as T, UnixMs,
};

/// The longest an activation code may stay valid: 7 days after it is created.
pub const MAX_ACTIVATION_WINDOW_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// The length of an activation code, in bytes (120 bits: never guessed).
pub const ACTIVATION_CODE_BYTES: usize = 15;

/// The hash of an activation code, as the log holds it:
/// `SHA-256("shanzhi/activation/v1" || 0x00 || ledger_id || 0x00 || code)`.
pub fn activation_code_hash(ledger_id: &LedgerId, code: &[u8]) -> [u8; 32] {
    crypto::sha256(&crypto::signed_message(
        crypto::SigningContext::Activation,
        ledger_id,
        code,
    ))
}

/// What a terminal may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerminalStatus {
    /// Takes payment codes and refunds.
    Active,
    /// Can do nothing until unblocked.
    Blocked,
    /// Its key is revoked for good.
    Retired,
}

impl TerminalStatus {
    /// "active", "blocked" or "retired".
    pub fn name(self) -> &'static str {
        match self {
            TerminalStatus::Active => "active",
            TerminalStatus::Blocked => "blocked",
            TerminalStatus::Retired => "retired",
        }
    }
}

/// The terminals family's operations.
#[derive(Clone, Debug)]
pub enum TerminalsOp {
    /// A one-time activation code for a new terminal of `shop`.
    CreateActivationCode {
        /// The shop.
        shop: ShopId,
        /// The code's hash ([`activation_code_hash`]).
        code_hash: [u8; 32],
        /// Void after this time.
        not_after: UnixMs,
        /// What it is for.
        label: String,
    },
    /// A terminal's own key, registered with an activation code; signed by that key.
    ActivateTerminal {
        /// The shop.
        shop: ShopId,
        /// The activation code's bytes.
        code: Vec<u8>,
        /// The terminal's new key (the signer).
        public_key: VerifyingKey,
    },
    /// Blocks, unblocks or retires a terminal.
    SetTerminalStatus {
        /// The terminal's key.
        key: KeyId,
        /// Its new status.
        status: TerminalStatus,
        /// Why.
        reason: String,
    },
}

/// The kinds of terminals operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TerminalsKind {
    /// [`TerminalsOp::CreateActivationCode`].
    CreateActivationCode,
    /// [`TerminalsOp::ActivateTerminal`].
    ActivateTerminal,
    /// [`TerminalsOp::SetTerminalStatus`].
    SetTerminalStatus,
}

impl TerminalsOp {
    /// The operation's kind.
    pub fn kind(&self) -> TerminalsKind {
        match self {
            TerminalsOp::CreateActivationCode { .. } => TerminalsKind::CreateActivationCode,
            TerminalsOp::ActivateTerminal { .. } => TerminalsKind::ActivateTerminal,
            TerminalsOp::SetTerminalStatus { .. } => TerminalsKind::SetTerminalStatus,
        }
    }

    /// For an activation, the key it registers, which must be its signer.
    pub fn activated_key(&self) -> Option<&VerifyingKey> {
        match self {
            TerminalsOp::ActivateTerminal { public_key, .. } => Some(public_key),
            _ => None,
        }
    }
}

impl TerminalsKind {
    /// A lowercase name for messages and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            TerminalsKind::CreateActivationCode => "create-activation-code",
            TerminalsKind::ActivateTerminal => "activate-terminal",
            TerminalsKind::SetTerminalStatus => "set-terminal-status",
        }
    }
}

/// An activation code, by its hash.
#[derive(Clone, Debug)]
struct ActivationCode {
    shop: ShopId,
    not_after: UnixMs,
    /// The entry that used it.
    used_at: Option<Sequence>,
}

/// Activation codes and blocked terminals.
#[derive(Clone, Debug, Default)]
pub(super) struct Terminals {
    codes: HashMap<[u8; 32], ActivationCode>,
    blocked: HashSet<KeyId>,
}

impl Terminals {
    /// Refuses a blocked terminal key.
    pub(super) fn refuse_blocked(&self, key_id: &KeyId) -> Result<(), Refusal> {
        if self.blocked.contains(key_id) {
            return Err(T::KeyBlocked { key_id: *key_id }.into());
        }
        Ok(())
    }
}

impl Terminals {
    /// The activation code with this hash, if it exists and is unused.
    fn unused(&self, code_hash: &[u8; 32]) -> Result<&ActivationCode, Refusal> {
        let code = self.codes.get(code_hash).ok_or(T::UnknownActivationCode)?;
        match code.used_at {
            Some(used_at) => Err(T::ActivationCodeUsed {
                used_at: used_at.get(),
            }
            .into()),
            None => Ok(code),
        }
    }
}

impl State {
    /// Refuses an activation code that no code of this ledger matches, or one already used:
    /// the handler's check before an activation, whose signer is not registered yet, may
    /// reach the writer (which checks it again, with its shop and expiry).
    pub fn check_activation_code(&self, code: &[u8]) -> Result<(), Refusal> {
        let ledger_id = self.facts.ok_or(Refusal::GenesisMissing)?.ledger_id;
        self.terminals
            .unused(&activation_code_hash(&ledger_id, code))
            .map(|_| ())
    }
}

/// A terminals operation checked to fit.
#[derive(Debug)]
pub(super) enum Plan {
    Create {
        code_hash: [u8; 32],
        code: ActivationCodeRecord,
    },
    Activate {
        code_hash: [u8; 32],
        key_id: KeyId,
        record: Box<KeyRecord>,
        shop: ShopId,
    },
    Status {
        key: KeyId,
        status: TerminalStatus,
        shop: ShopId,
    },
}

/// A new activation code's record (the plan's copy).
#[derive(Debug)]
pub(super) struct ActivationCodeRecord {
    shop: ShopId,
    not_after: UnixMs,
}

impl Plan {
    pub(super) fn commit(self, state: &mut State, ctx: &Context) -> Effects {
        let terminals = &mut state.terminals;
        match self {
            Plan::Create { code_hash, code } => {
                let shop = code.shop.clone();
                terminals.codes.insert(
                    code_hash,
                    ActivationCode {
                        shop: code.shop,
                        not_after: code.not_after,
                        used_at: None,
                    },
                );
                Effects::involving(vec![AccountId::Shop(shop)])
            }
            Plan::Activate {
                code_hash,
                key_id,
                record,
                shop,
            } => {
                if let Some(code) = terminals.codes.get_mut(&code_hash) {
                    code.used_at = Some(ctx.sequence);
                }
                state.keys.register(key_id, *record);
                Effects::involving(vec![AccountId::Shop(shop)])
            }
            Plan::Status { key, status, shop } => {
                match status {
                    TerminalStatus::Active => {
                        terminals.blocked.remove(&key);
                    }
                    TerminalStatus::Blocked => {
                        terminals.blocked.insert(key);
                    }
                    TerminalStatus::Retired => {
                        terminals.blocked.remove(&key);
                        state.keys.revoke(key, ctx.sequence);
                    }
                }
                Effects::involving(vec![AccountId::Shop(shop)])
            }
        }
    }
}

/// Checks a terminals operation.
pub(super) fn check(state: &State, ctx: &Context, op: &TerminalsOp) -> Result<Plan, Refusal> {
    match op {
        TerminalsOp::CreateActivationCode {
            shop,
            code_hash,
            not_after,
            ..
        } => {
            authority::require_admin_or_manager_of(&ctx.role, "creating an activation code", shop)?;
            state.accounts.shop(shop)?;
            let now = ctx.committed_at;
            if *not_after <= now || not_after.since(now) > MAX_ACTIVATION_WINDOW_MS {
                return Err(T::ActivationWindow {
                    not_after: not_after.get(),
                    now: now.get(),
                    max_ms: MAX_ACTIVATION_WINDOW_MS,
                }
                .into());
            }
            if state.terminals.codes.contains_key(code_hash) {
                return Err(Refusal::AlreadyRegistered {
                    kind: "activation code",
                    id: hex::encode(code_hash),
                });
            }
            Ok(Plan::Create {
                code_hash: *code_hash,
                code: ActivationCodeRecord {
                    shop: shop.clone(),
                    not_after: *not_after,
                },
            })
        }
        TerminalsOp::ActivateTerminal {
            shop,
            code,
            public_key,
        } => {
            let key_id = state.keys.check_new(public_key)?;
            if key_id != ctx.signer {
                return Err(Refusal::NotAllowed {
                    operation: "activating a terminal",
                    expected: "the signature of the key being activated",
                    found: ctx.signer.to_string(),
                });
            }
            state.accounts.shop(shop)?;
            let code_hash = activation_code_hash(&ctx.facts.ledger_id, code);
            let found = state.terminals.unused(&code_hash)?;
            if &found.shop != shop {
                return Err(T::ActivationCodeOtherShop {
                    code_shop: found.shop.clone(),
                    shop: shop.clone(),
                }
                .into());
            }
            if ctx.committed_at > found.not_after {
                return Err(T::ActivationCodeExpired {
                    not_after: found.not_after.get(),
                    now: ctx.committed_at.get(),
                }
                .into());
            }
            Ok(Plan::Activate {
                code_hash,
                key_id,
                record: Box::new(KeyRecord {
                    public_key: *public_key,
                    role: Role::ShopTerminal(shop.clone()),
                    registered_at: ctx.sequence,
                    revoked_at: None,
                }),
                shop: shop.clone(),
            })
        }
        TerminalsOp::SetTerminalStatus { key, status, .. } => {
            let record = state
                .keys
                .get(key)
                .ok_or(T::UnknownTerminal { key_id: *key })?;
            let Role::ShopTerminal(shop) = &record.role else {
                return Err(T::NotATerminal {
                    key_id: *key,
                    role: record.role.to_string(),
                }
                .into());
            };
            authority::require_admin_or_manager_of(
                &ctx.role,
                "changing a terminal's status",
                shop,
            )?;
            let current = match (record.revoked_at, state.terminals.blocked.contains(key)) {
                (Some(_), _) => TerminalStatus::Retired,
                (None, true) => TerminalStatus::Blocked,
                (None, false) => TerminalStatus::Active,
            };
            if current == TerminalStatus::Retired || current == *status {
                return Err(T::TerminalStatusUnchanged {
                    key_id: *key,
                    current: current.name(),
                    requested: status.name(),
                }
                .into());
            }
            Ok(Plan::Status {
                key: *key,
                status: *status,
                shop: shop.clone(),
            })
        }
    }
}
