//! The terminals family's refusals (`shanzhi.shops.v1`), nested in [`Refusal::Terminal`]
//! so each family's reasons live beside each other, not in one ever-growing enum.

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;
use crate::ledger::{KeyId, ShopId};

/// Why a terminals operation, or a blocked terminal, was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TerminalRefusal {
    /// The signing key is a blocked terminal: it can do nothing until unblocked.
    #[error(
        "key {key_id} is a blocked terminal: it can do nothing until its shop's manager or the \
         bureau unblocks it"
    )]
    KeyBlocked {
        /// The blocked key.
        key_id: KeyId,
    },
    /// A terminal key is over the server's per-terminal request rate.
    #[error(
        "terminal {key_id} sent more than {per_sec} requests a second (--terminal-requests-per-sec); \
         nothing was done, retry after a pause"
    )]
    RateLimited {
        /// The terminal's key.
        key_id: KeyId,
        /// The limit, per second.
        per_sec: u32,
    },
    /// An activation code's validity is not after its creation, or longer than allowed.
    #[error(
        "activation code: expected not_after after the commit time ({now}) and at most {max_ms} \
         ms after it, found {not_after}"
    )]
    ActivationWindow {
        /// The code's `not_after`, ms since the Unix epoch.
        not_after: u64,
        /// The commit time, ms since the Unix epoch.
        now: u64,
        /// The longest validity allowed, in ms.
        max_ms: u64,
    },
    /// No activation code has this code's hash.
    #[error("activation code: no code of this ledger matches (mistyped, or never created)")]
    UnknownActivationCode,
    /// The activation code was created for another shop.
    #[error("activation code: it was created for shop {code_shop}, not for shop {shop}")]
    ActivationCodeOtherShop {
        /// The code's shop.
        code_shop: ShopId,
        /// The shop the activation names.
        shop: ShopId,
    },
    /// The activation code was already used.
    #[error("activation code: already used by entry {used_at}; each code activates one terminal")]
    ActivationCodeUsed {
        /// The entry that used it.
        used_at: u64,
    },
    /// The activation code has expired.
    #[error("activation code: void after {not_after}, now {now}; ask for a new code")]
    ActivationCodeExpired {
        /// The code's `not_after`, ms since the Unix epoch.
        not_after: u64,
        /// The commit time, ms since the Unix epoch.
        now: u64,
    },
    /// A terminal status change names a key that is not registered.
    #[error("key {key_id}: no key of this ledger has this id (expected a shop terminal's)")]
    UnknownTerminal {
        /// The key named.
        key_id: KeyId,
    },
    /// A terminal status change names a key that is not a terminal's.
    #[error("key {key_id}: expected a shop terminal key, found a {role} key")]
    NotATerminal {
        /// The key.
        key_id: KeyId,
        /// Its role.
        role: String,
    },
    /// A terminal status change to the status it has, or of a retired terminal.
    #[error("terminal {key_id} is {current}: it cannot become {requested}")]
    TerminalStatusUnchanged {
        /// The terminal's key.
        key_id: KeyId,
        /// Its status.
        current: &'static str,
        /// The status asked for.
        requested: &'static str,
    },
}

impl TerminalRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        use TerminalRefusal::*;
        match self {
            KeyBlocked { .. } => RefusalClass::PermissionDenied,
            RateLimited { .. } => RefusalClass::ResourceExhausted,
            ActivationWindow { .. } => RefusalClass::InvalidArgument,
            UnknownActivationCode | UnknownTerminal { .. } => RefusalClass::NotFound,
            ActivationCodeOtherShop { .. }
            | ActivationCodeUsed { .. }
            | ActivationCodeExpired { .. }
            | NotATerminal { .. }
            | TerminalStatusUnchanged { .. } => RefusalClass::FailedPrecondition,
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use TerminalRefusal::*;
        match self {
            KeyBlocked { .. } => "KEY_BLOCKED",
            RateLimited { .. } => "TERMINAL_RATE_LIMITED",
            ActivationWindow { .. } => "ACTIVATION_WINDOW",
            UnknownActivationCode => "UNKNOWN_ACTIVATION_CODE",
            ActivationCodeOtherShop { .. } => "ACTIVATION_CODE_OTHER_SHOP",
            ActivationCodeUsed { .. } => "ACTIVATION_CODE_USED",
            ActivationCodeExpired { .. } => "ACTIVATION_CODE_EXPIRED",
            UnknownTerminal { .. } => "UNKNOWN_TERMINAL",
            NotATerminal { .. } => "NOT_A_TERMINAL",
            TerminalStatusUnchanged { .. } => "TERMINAL_STATUS_UNCHANGED",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use TerminalRefusal::*;
        let key_id = KeyId([3; 16]);
        let shop = || ShopId::parse("shop_id", "s").unwrap_or_else(|_| unreachable!());
        [
            KeyBlocked { key_id },
            RateLimited { key_id, per_sec: 1 },
            ActivationWindow {
                not_after: 1,
                now: 2,
                max_ms: 3,
            },
            UnknownActivationCode,
            ActivationCodeOtherShop {
                code_shop: shop(),
                shop: shop(),
            },
            ActivationCodeUsed { used_at: 4 },
            ActivationCodeExpired {
                not_after: 1,
                now: 2,
            },
            UnknownTerminal { key_id },
            NotATerminal {
                key_id,
                role: "resident".into(),
            },
            TerminalStatusUnchanged {
                key_id,
                current: "active",
                requested: "active",
            },
        ]
        .into_iter()
        .map(Refusal::Terminal)
        .collect()
    }
}
