//! The terminals room: a one-time activation code registers a terminal's own key for its
//! shop; blocked terminals do nothing; retired ones never again.

use super::claims::refused;
use super::prelude::*;
use crate::pb::shops::TerminalStatus as Status;

/// A village with 50 points for household h (one resident key), a shop s with a manager,
/// and a second shop t with its own manager.
struct World {
    ledger: Ledger,
    resident: Signer,
    manager: Signer,
    other_manager: Signer,
    village: Signer,
}

fn world() -> World {
    let mut ledger = Ledger::new();
    let village = ledger.issuer("a", pb::IssuerKind::Village, 100);
    let resident = Signer::generate();
    ledger.admin_does(register_household("h", "a", &[&resident]));
    ledger.apply(&village, issue("a", "h", 50)).unwrap();
    let manager = ledger.shop_with_manager("s");
    let other_manager = ledger.shop_with_manager("t");
    World {
        ledger,
        resident,
        manager,
        other_manager,
        village,
    }
}

impl World {
    /// The manager creates code `byte` for shop s, valid an hour; a new terminal activates it.
    fn activated(&mut self, byte: u8) -> Signer {
        let (ledger_id, until) = (self.ledger.ledger_id, self.ledger.now + 3_600_000);
        self.ledger
            .apply(
                &self.manager,
                create_activation_code(&ledger_id, "s", &code(byte), until),
            )
            .unwrap();
        let terminal = Signer::generate();
        self.ledger
            .apply(&terminal, activate_terminal("s", &code(byte), &terminal))
            .unwrap();
        terminal
    }

    fn sale(&mut self, terminal: &Signer, counter: u64) -> Result<EntryRecord, Refusal> {
        let code = self.ledger.payment_code(&self.resident, "h", 5);
        self.ledger
            .apply(terminal, redeem("s", "h", 5, code, counter))
    }
}

#[test]
fn an_activation_code_registers_the_terminals_own_key_once() {
    let mut w = world();
    let terminal = w.activated(1);
    assert_eq!(
        w.ledger.state.active_role(&terminal.key_id()).unwrap(),
        &Role::ShopTerminal(id(ShopId::parse, "s"))
    );
    w.sale(&terminal, 1).unwrap();
    assert_eq!(w.ledger.balance(AccountId::Shop(id(ShopId::parse, "s"))), 5);

    // The code works once.
    let second = Signer::generate();
    refused(
        &mut w.ledger,
        &second,
        activate_terminal("s", &code(1), &second),
        "ACTIVATION_CODE_USED",
    );
    // A code never created; a code of shop s used for shop t.
    refused(
        &mut w.ledger,
        &second,
        activate_terminal("s", &code(9), &second),
        "UNKNOWN_ACTIVATION_CODE",
    );
    let (ledger_id, until) = (w.ledger.ledger_id, w.ledger.now + 60_000);
    w.ledger
        .apply(
            &w.manager,
            create_activation_code(&ledger_id, "s", &code(2), until),
        )
        .unwrap();
    refused(
        &mut w.ledger,
        &second,
        activate_terminal("t", &code(2), &second),
        "ACTIVATION_CODE_OTHER_SHOP",
    );
    // An activation signed by a key other than the one it registers is an unknown signer.
    let other = Signer::generate();
    let refusal = w
        .ledger
        .apply(&other, activate_terminal("s", &code(2), &second))
        .unwrap_err();
    assert_eq!(refusal.reason(), "UNKNOWN_KEY", "{refusal}");
    // An already registered key cannot be activated again.
    refused(
        &mut w.ledger,
        &terminal,
        activate_terminal("s", &code(2), &terminal),
        "ALREADY_REGISTERED",
    );
    // The code expires.
    w.ledger.now = until + 1;
    refused(
        &mut w.ledger,
        &second,
        activate_terminal("s", &code(2), &second),
        "ACTIVATION_CODE_EXPIRED",
    );
    // The log replays to the same terminal key.
    let replayed = w.ledger.replay().unwrap();
    assert!(replayed.active_role(&terminal.key_id()).is_ok());
    assert_eq!(replayed.len(), w.ledger.state.len());
}

#[test]
fn only_the_shops_manager_or_the_bureau_creates_codes_within_seven_days() {
    let mut w = world();
    let (ledger_id, now) = (w.ledger.ledger_id, w.ledger.now);
    let create = |byte, until| create_activation_code(&ledger_id, "s", &code(byte), until);
    refused(
        &mut w.ledger,
        &w.other_manager.clone(),
        create(1, now + 60_000),
        "OUT_OF_SCOPE",
    );
    refused(
        &mut w.ledger,
        &w.village.clone(),
        create(1, now + 60_000),
        "ROLE_NOT_ALLOWED",
    );
    refused(
        &mut w.ledger,
        &w.manager.clone(),
        create(1, now + MAX_ACTIVATION_WINDOW_MS + 10),
        "ACTIVATION_WINDOW",
    );
    refused(
        &mut w.ledger,
        &w.manager.clone(),
        create(1, now),
        "ACTIVATION_WINDOW",
    );
    w.ledger.admin_does(create(1, now + 60_000));
    refused(
        &mut w.ledger,
        &w.manager.clone(),
        create(1, now + 60_000),
        "ALREADY_REGISTERED",
    );
}

#[test]
fn a_blocked_terminal_does_nothing_until_unblocked_and_a_retired_one_never_again() {
    let mut w = world();
    let terminal = w.activated(1);
    let key = terminal.key_id().to_string();
    let manager = w.manager.clone();
    refused(
        &mut w.ledger,
        &w.other_manager.clone(),
        set_terminal_status(&key, Status::Blocked),
        "OUT_OF_SCOPE",
    );
    refused(
        &mut w.ledger,
        &manager,
        set_terminal_status(&key, Status::Active),
        "TERMINAL_STATUS_UNCHANGED",
    );
    w.ledger
        .apply(&manager, set_terminal_status(&key, Status::Blocked))
        .unwrap();
    let before = w.ledger.snapshot();
    assert_eq!(w.sale(&terminal, 1).unwrap_err().reason(), "KEY_BLOCKED");
    assert_eq!(w.ledger.snapshot(), before);
    // Blocked after a replay too; a blocked terminal refunds nothing either.
    let replayed = w.ledger.replay().unwrap();
    assert_eq!(
        replayed
            .active_role(&terminal.key_id())
            .unwrap_err()
            .reason(),
        "KEY_BLOCKED"
    );
    assert_eq!(
        w.ledger
            .apply(&terminal, refund_sale(1, 1))
            .unwrap_err()
            .reason(),
        "KEY_BLOCKED"
    );
    w.ledger
        .apply(&manager, set_terminal_status(&key, Status::Active))
        .unwrap();
    w.sale(&terminal, 2).unwrap();

    w.ledger
        .apply(&manager, set_terminal_status(&key, Status::Retired))
        .unwrap();
    assert_eq!(w.sale(&terminal, 3).unwrap_err().reason(), "KEY_REVOKED");
    refused(
        &mut w.ledger,
        &manager,
        set_terminal_status(&key, Status::Active),
        "TERMINAL_STATUS_UNCHANGED",
    );
    // Only terminals have a terminal status.
    refused(
        &mut w.ledger,
        &manager,
        set_terminal_status(&w.resident.key_id().to_string(), Status::Blocked),
        "NOT_A_TERMINAL",
    );
    refused(
        &mut w.ledger,
        &manager,
        set_terminal_status(&"0".repeat(32), Status::Blocked),
        "UNKNOWN_TERMINAL",
    );
    let replayed = w.ledger.replay().unwrap();
    assert_eq!(
        replayed
            .active_role(&terminal.key_id())
            .unwrap_err()
            .reason(),
        "KEY_REVOKED"
    );
}
