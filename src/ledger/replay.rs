//! Replaying stored log entries through the state machine: the one function both the server's
//! start-up and the auditor's `shanzhi verify` use, so the two can never disagree about what
//! an entry means.

use ed25519_dalek::VerifyingKey;
use prost::Message;
use rayon::prelude::*;

use super::RedemptionOp;
use super::admitted::{Admitted, Signed, SpendSignature};
use super::refusal::Refusal;
use super::state::{EntryRecord, PublicKeys, State};
use super::transaction::Operation;
use super::units::UnixMs;
use super::{KeyId, LedgerId};
use crate::pb::points as pb;

/// Whose log is replayed, which decides how its signatures are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signatures {
    /// Anyone's: verify every signature (`verify_strict`) against the keys valid at that
    /// position. The auditor's replay.
    VerifyAll,
    /// The server's own, whose signatures it verified when it admitted each entry.
    /// Authorization and every rule are still checked.
    OwnLog,
}

/// Applies the stored entry `bytes` as entry `sequence`: it must decode as a `LogEntry` that
/// says it is that entry, committed no earlier than the previous one, carrying a transaction
/// the state machine accepts. The error says why not.
pub fn replay_entry<'s>(
    state: &'s mut State,
    sequence: u64,
    bytes: &[u8],
    signatures: Signatures,
) -> Result<&'s EntryRecord, String> {
    let entry = decode(sequence, bytes)?;
    apply(state, entry, |state, signed| match signatures {
        Signatures::VerifyAll => state.verify(signed),
        Signatures::OwnLog => Signed::from_own_log(signed)
            .and_then(|verified| verified.parse(|_| Ok(SpendSignature::unchecked()))),
    })
}

/// The most entries verified ahead at once: a bound on the memory a step holds.
const AHEAD_MAX: usize = 4096;
/// The fewest: while the log is young (its keys are being registered), small steps.
const AHEAD_MIN: usize = 64;

/// [`replay_entry`] with [`Signatures::VerifyAll`] for consecutive entries (the first at
/// `first_sequence`), with the signatures verified ahead on rayon's pool (one thread per
/// core) instead of one at a time. `each` sees every applied entry's record. Returns how
/// many entries used a signature verified ahead (the rest were verified in order).
///
/// The outcome is exactly that of one at a time. Entries go in steps: while one step is
/// applied in order on this thread, the next is verified in parallel against the key set
/// before the step being applied (a clone of the key set, which shares its maps): only a
/// signer (and a payment code's resident key) registered there is verified ahead. Anything
/// else (a key registered in the last two steps, a terminal's self-signed activation, the
/// genesis entry, a signature or payment code that failed) is verified again in order by
/// [`State::verify`] and the state machine, which give the precise refusal. Keys are never
/// removed and a key id is the hash of its public key, so a key registered before the step
/// is the same key at the entry's own position; that is checked again anyway before a
/// result verified ahead is used. Revocation, roles and scopes are decided when the entry
/// is applied, on both paths. Steps grow with the log, from 64 entries to
/// 4096.
pub fn replay_verifying_ahead(
    state: &mut State,
    first_sequence: u64,
    entries: &[Vec<u8>],
    mut each: impl FnMut(u64, &EntryRecord) + Send,
) -> Result<u64, (u64, String)> {
    let step_after = |state_len: u64, from: usize| {
        (from + (state_len as usize).clamp(AHEAD_MIN, AHEAD_MAX)).min(entries.len())
    };
    let (mut done, mut upto) = (0, step_after(state.len(), 0));
    let mut verified = verify_step(&state.public_keys(), first_sequence, &entries[..upto]);
    let mut ahead_used = 0;
    while done < upto {
        let next = step_after(state.len() + (upto - done) as u64, upto);
        // Only the key set is cloned: a clone of the whole state would make every change the
        // step applies copy the nodes it touches (measured: twice the cost of applying).
        let key_set = state.public_keys();
        let start = first_sequence + done as u64;
        let (applied, ahead) = rayon::join(
            || apply_step(state, start, verified, &mut each),
            || verify_step(&key_set, first_sequence + upto as u64, &entries[upto..next]),
        );
        ahead_used += applied?;
        (done, upto, verified) = (upto, next, ahead);
    }
    Ok(ahead_used)
}

/// Entries decoded, with their signatures verified ahead where `key_set` allows.
type Step = Vec<(Result<pb::LogEntry, String>, Option<Ahead>)>;

/// Decodes `entries` (the first is entry `start`) and verifies their signatures against
/// `key_set`, in parallel.
fn verify_step(key_set: &PublicKeys, start: u64, entries: &[Vec<u8>]) -> Step {
    let ledger_id = key_set.ledger_id();
    entries
        .par_iter()
        .enumerate()
        .map(|(offset, bytes)| {
            let entry = decode(start + offset as u64, bytes);
            let ahead = match (&entry, ledger_id) {
                (
                    Ok(pb::LogEntry {
                        transaction: Some(signed),
                        ..
                    }),
                    Some(ledger_id),
                ) => Ahead::verify(key_set, &ledger_id, signed),
                _ => None,
            };
            (entry, ahead)
        })
        .collect()
}

/// Applies a verified step in order (the first is entry `start`); returns how many used a
/// signature verified ahead.
fn apply_step(
    state: &mut State,
    start: u64,
    step: Step,
    each: &mut impl FnMut(u64, &EntryRecord),
) -> Result<u64, (u64, String)> {
    let mut used = 0;
    for ((entry, ahead), sequence) in step.into_iter().zip(start..) {
        let record = apply(
            state,
            entry.map_err(|e| (sequence, e))?,
            |state, signed| match ahead {
                Some(ahead) if ahead.still_valid(state) => {
                    used += 1;
                    Ok(ahead.admitted)
                }
                _ => state.verify(signed),
            },
        )
        .map_err(|e| (sequence, e))?;
        each(sequence, record);
    }
    Ok(used)
}

/// A transaction whose signatures were verified ahead of its position, and the keys they
/// verified under.
struct Ahead {
    admitted: Admitted,
    signer_key: VerifyingKey,
    /// A redemption's resident key, when its payment code was verified ahead.
    resident_key: Option<(KeyId, VerifyingKey)>,
}

impl Ahead {
    /// Verifies `signed` against the keys registered in `key_set`; `None` if its signer is not
    /// registered there or anything fails (it is then verified again in order).
    fn verify(
        key_set: &PublicKeys,
        ledger_id: &LedgerId,
        signed: &pb::SignedTransaction,
    ) -> Option<Self> {
        let signed = Signed::new(signed.clone()).ok()?;
        let signer_key = *key_set.get(&signed.signer())?;
        let mut resident_key = None;
        let admitted = signed
            .verify(&signer_key, ledger_id)
            .ok()?
            .parse(|code| match key_set.get(&code.resident_key) {
                Some(resident) => {
                    resident_key = Some((code.resident_key, *resident));
                    SpendSignature::verify(code, resident, ledger_id)
                }
                None => Ok(SpendSignature::unchecked()),
            })
            .ok()?;
        Some(Self {
            admitted,
            signer_key,
            resident_key,
        })
    }

    /// Whether the keys it verified under are the ones `state` names (the state at the
    /// transaction's own position).
    fn still_valid(&self, state: &State) -> bool {
        let same =
            |id: &KeyId, key: &VerifyingKey| state.key(id).map(|k| &k.public_key) == Some(key);
        same(&self.admitted.signer(), &self.signer_key)
            && match (&self.resident_key, &self.admitted.transaction().operation) {
                (None, _) => true,
                (
                    Some((id, key)),
                    Operation::Redemption(RedemptionOp::Redeem { payment_code, .. }),
                ) => payment_code.resident_key == *id && same(id, key),
                (Some(_), _) => false,
            }
    }
}

/// Decodes stored bytes as entry `sequence`.
fn decode(sequence: u64, bytes: &[u8]) -> Result<pb::LogEntry, String> {
    let entry = pb::LogEntry::decode(bytes).map_err(|e| format!("not a LogEntry: {e}"))?;
    if entry.sequence != sequence {
        return Err(format!("it says it is entry {}", entry.sequence));
    }
    Ok(entry)
}

/// Applies a decoded entry: committed no earlier than the previous one, carrying a
/// transaction that `admit` admits and the state machine accepts.
fn apply(
    state: &mut State,
    entry: pb::LogEntry,
    admit: impl FnOnce(&State, pb::SignedTransaction) -> Result<Admitted, Refusal>,
) -> Result<&EntryRecord, String> {
    let previous = state.last_committed_at().get();
    if entry.committed_at_unix_ms < previous {
        return Err(format!(
            "its commit time {} is before the previous entry's {previous}",
            entry.committed_at_unix_ms
        ));
    }
    let signed = entry
        .transaction
        .ok_or_else(|| "it carries no transaction".to_owned())?;
    let admitted = admit(state, signed).map_err(|refusal| refusal.to_string())?;
    state
        .apply(UnixMs(entry.committed_at_unix_ms), &admitted)
        .map_err(|refusal| refusal.to_string())
}
