//! The auditor's replay with signatures verified ahead on the pool reaches exactly what one
//! entry at a time reaches: the same state for a good log, the same first refusal (entry
//! and message) for a bad one.

use prost::Message;

use super::prelude::*;

/// A log exercising every path of verification ahead: keys registered and used within one
/// step (the step at the start is 64 entries), a terminal, payment codes, a revocation.
fn busy_ledger() -> (Ledger, Signer, Signer, Signer) {
    let mut ledger = Ledger::new();
    let village = ledger.issuer("a", pb::IssuerKind::Village, 1_000_000);
    let resident = Signer::generate();
    ledger.admin_does(register_household("h", "a", &[&resident]));
    let terminal = ledger.shop("s");
    for round in 0..400 {
        ledger.apply(&village, issue("a", "h", 2)).unwrap();
        if round % 100 == 7 {
            let code = ledger.payment_code(&resident, "h", 1);
            ledger
                .apply(&terminal, redeem("s", "h", 1, code, round + 1))
                .unwrap();
        }
    }
    // A second officer, registered and signing at once, then the first one revoked.
    let second = Signer::generate();
    ledger.admin_does(register_key(&second, pb::Role::VillageOfficer, "a"));
    ledger.apply(&second, issue("a", "h", 3)).unwrap();
    ledger.admin_does(revoke(&village));
    ledger.apply(&second, issue("a", "h", 4)).unwrap();
    (ledger, village, resident, terminal)
}

fn encoded(log: &[(UnixMs, pb::SignedTransaction)]) -> Vec<Vec<u8>> {
    (0u64..)
        .zip(log)
        .map(|(sequence, (committed_at, signed))| {
            pb::LogEntry {
                sequence,
                committed_at_unix_ms: committed_at.get(),
                transaction: Some(signed.clone()),
            }
            .encode_to_vec()
        })
        .collect()
}

/// One entry at a time: the state, or the first refusal.
fn one_at_a_time(entries: &[Vec<u8>]) -> Result<State, (u64, String)> {
    let mut state = State::new();
    for (sequence, bytes) in (0u64..).zip(entries) {
        replay_entry(&mut state, sequence, bytes, Signatures::VerifyAll)
            .map_err(|reason| (sequence, reason))?;
    }
    Ok(state)
}

/// Verified ahead, in the verifier's calls of `page` entries.
/// Also returns how many records `each` saw and how many entries used a signature
/// verified ahead.
fn ahead(entries: &[Vec<u8>], page: usize) -> Result<(State, u64, u64), (u64, String)> {
    let mut state = State::new();
    let (mut records, mut used) = (0, 0);
    for (index, chunk) in entries.chunks(page).enumerate() {
        let first = (index * page) as u64;
        used += replay_verifying_ahead(&mut state, first, chunk, |sequence, record| {
            assert_eq!(record.sequence.get(), sequence);
            records += 1;
        })?;
    }
    Ok((state, records, used))
}

fn views(state: &State) -> Vec<AccountView> {
    state
        .accounts()
        .iter()
        .map(|account| state.account(account).unwrap())
        .collect()
}

#[test]
fn a_good_log_replays_to_the_same_state_ahead_as_one_at_a_time() {
    let (ledger, ..) = busy_ledger();
    let entries = encoded(&ledger.log);
    let single = one_at_a_time(&entries).unwrap();
    for page in [1, 7, 64, 5_000] {
        let (state, records, used) = ahead(&entries, page).unwrap();
        assert_eq!(records, entries.len() as u64, "pages of {page}");
        // Past the first steps (keys registered), signatures are verified ahead: with pages
        // of one entry every step is a single entry checked against the key set before it.
        assert!(
            used > entries.len() as u64 / 3,
            "pages of {page}: {used} ahead"
        );
        assert_eq!(state.len(), single.len());
        assert_eq!(views(&state), views(&single), "pages of {page}");
        assert_eq!(views(&state), views(&ledger.state));
    }
}

#[test]
fn a_bad_entry_is_refused_at_the_same_place_with_the_same_reason_ahead() {
    let (ledger, village, resident, terminal) = busy_ledger();
    let good = &ledger.log;
    let position = |wanted: fn(&pb::SignedTransaction) -> bool| {
        good.iter().position(|(_, signed)| wanted(signed)).unwrap()
    };
    let is_redeem = |signed: &pb::SignedTransaction| {
        let body = pb::TransactionBody::decode(signed.body.as_slice()).unwrap();
        matches!(body.operation, Some(Op::Redeem(_)))
    };
    let mut cases: Vec<(&str, Vec<(UnixMs, pb::SignedTransaction)>)> = Vec::new();

    // A transaction signature forged deep in the log, where its key is long registered (in
    // every page size, its step is verified ahead against a key set holding it).
    let mut forged = good.clone();
    forged[300].1.signatures[0].signature[9] ^= 1;
    cases.push(("a forged signature", forged));

    // A payment code's resident signature forged.
    let mut spend = ledger.clone_log_with(position(is_redeem), |ledger| {
        let mut code = ledger.payment_code(&resident, "h", 1);
        if let Some(signature) = code.resident_signature.as_mut() {
            signature.signature[3] ^= 1;
        }
        ledger.signed(&terminal, redeem("s", "h", 1, code, 999))
    });
    cases.push(("a forged payment code", std::mem::take(&mut spend)));

    // An issue signed by the officer after its revocation, which a server never commits.
    let mut after_revocation = good.clone();
    let (at, _) = *after_revocation.last().unwrap();
    after_revocation.push((at, ledger.signed(&village, issue("a", "h", 5))));
    cases.push(("a revoked signer", after_revocation));

    // A payment code by a resident key revoked before the sale, a long-registered key whose
    // signature verifies ahead.
    let mut revoked_resident = good.clone();
    let (at, _) = *revoked_resident.last().unwrap();
    revoked_resident.push((at, ledger.signed(&ledger.admin_signer(), revoke(&resident))));
    let code = ledger.payment_code(&resident, "h", 1);
    let sale = ledger.signed(&terminal, redeem("s", "h", 1, code, 5_000));
    revoked_resident.push((at, sale));
    cases.push(("a revoked resident's payment code", revoked_resident));

    // A key that signs before it is registered: swap the registration and its first use.
    let mut early = good.clone();
    let used = early.len() - 3;
    early.swap(used - 1, used);
    let time = early[used - 1].0;
    early[used].0 = time;
    cases.push(("a key used before its registration", early));

    for (what, log) in cases {
        let entries = encoded(&log);
        let expected = one_at_a_time(&entries)
            .err()
            .unwrap_or_else(|| panic!("{what}: accepted"));
        for page in [1, 7, 64, 5_000] {
            let found = ahead(&entries, page).err();
            assert_eq!(found.as_ref(), Some(&expected), "{what}, pages of {page}");
        }
    }
}

impl Ledger {
    /// This ledger's log with the entry at `index` replaced by what `make` signs.
    fn clone_log_with(
        &self,
        index: usize,
        make: impl FnOnce(&Self) -> pb::SignedTransaction,
    ) -> Vec<(UnixMs, pb::SignedTransaction)> {
        let mut log = self.log.clone();
        log[index].1 = make(self);
        log
    }
}
