//! Replaying stored log entries through the state machine: the one function both the server's
//! start-up and the auditor's `shanzhi verify` use, so the two can never disagree about what
//! an entry means.

use prost::Message;

use super::admitted::{Signed, SpendSignature};
use super::state::{EntryRecord, State};
use super::units::UnixMs;
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
    let entry = pb::LogEntry::decode(bytes).map_err(|e| format!("not a LogEntry: {e}"))?;
    if entry.sequence != sequence {
        return Err(format!("it says it is entry {}", entry.sequence));
    }
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
    let admitted = match signatures {
        Signatures::VerifyAll => state.verify(signed),
        Signatures::OwnLog => Signed::from_own_log(signed)
            .and_then(|verified| verified.parse(|_| Ok(SpendSignature::unchecked()))),
    }
    .map_err(|refusal| refusal.to_string())?;
    state
        .apply(UnixMs(entry.committed_at_unix_ms), &admitted)
        .map_err(|refusal| refusal.to_string())
}
