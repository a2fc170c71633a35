//! The journal: one record per committed entry (what it did, for receipts and history), the
//! request-id index that makes retries idempotent, and the per-account index history pages
//! are cut from.

use std::sync::Arc;

use imbl::{HashMap, Vector};

use crate::ledger::{
    AccountId, IssuerId, KeyId, OperationKind, Points, Posting, Refusal, RequestId, Sequence,
    UnixMs,
};

/// What one committed entry did; the source of receipts and history.
#[derive(Clone, Debug)]
pub struct EntryRecord {
    /// Position in the log.
    pub sequence: Sequence,
    /// Commit time.
    pub committed_at: UnixMs,
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
    pub reversed_by: Option<Sequence>,
    /// For a reversal, the entry it reversed.
    pub reverses: Option<Sequence>,
    /// For a refund, the sale it refunded.
    pub refunds: Option<Sequence>,
    /// Points of a household's arrears a credit paid instead of crediting them (its
    /// reversal owes them again).
    pub arrears_paid: Points,
    /// What the entry took from households' lots, with their expiries (its reversal returns
    /// them as they were).
    pub lots_taken: Vec<super::staged::TakenLot>,
}

/// What an operation did, as its plan reports it when it commits.
#[derive(Debug, Default)]
pub(super) struct Effects {
    /// Points moved.
    pub(super) postings: Vec<Posting>,
    /// Accounts involved besides those the postings name.
    pub(super) accounts: Vec<AccountId>,
    /// The issuer whose officer acted (issues, deductions) or that received (allocations).
    pub(super) issuer: Option<IssuerId>,
    /// The entry this one reverses.
    pub(super) reverses: Option<Sequence>,
    /// The sale this one refunds.
    pub(super) refunds: Option<Sequence>,
    /// Points of a household's arrears a credit paid.
    pub(super) arrears_paid: Points,
    /// What it took from households' lots.
    pub(super) lots_taken: Vec<super::staged::TakenLot>,
}

impl Effects {
    /// Moved no points; involved `accounts`.
    pub(super) fn involving(accounts: Vec<AccountId>) -> Self {
        Self {
            accounts,
            ..Self::default()
        }
    }
}

/// Filters for [`State::history`](super::State::history).
#[derive(Clone, Debug, Default)]
pub struct HistoryFilter {
    /// Only entries involving this account.
    pub account: Option<AccountId>,
    /// Only entries of this kind.
    pub kind: Option<OperationKind>,
    /// Only entries committed at or after this time.
    pub since: Option<UnixMs>,
    /// Only entries committed before this time.
    pub until: Option<UnixMs>,
    /// Start after this entry (from a page token).
    pub after: Option<Sequence>,
    /// At most this many entries.
    pub limit: usize,
}

/// One page of history.
#[derive(Clone, Debug)]
pub struct HistoryPage<'a> {
    /// Matching entries, oldest first.
    pub entries: Vec<&'a EntryRecord>,
    /// Where the next page starts, if more entries may match.
    pub next_after: Option<Sequence>,
}

/// Bounds the work of one history page when few entries match.
const MAX_SCANNED: usize = 100_000;

/// Every committed entry's record and the indexes over them.
#[derive(Clone, Debug, Default)]
pub(super) struct Journal {
    /// Shared, so a snapshot and the writer's copy share every record; a record changes only
    /// when a later entry reverses it, and then it is replaced.
    entries: Vector<Arc<EntryRecord>>,
    request_ids: HashMap<RequestId, Sequence>,
    account_index: HashMap<AccountId, Vector<Sequence>>,
}

impl Journal {
    pub(super) fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    /// The commit time of the last entry, or 0.
    pub(super) fn last_committed_at(&self) -> UnixMs {
        self.entries.last().map_or(UnixMs(0), |e| e.committed_at)
    }

    pub(super) fn last(&self) -> Option<&EntryRecord> {
        self.entries.last().map(Arc::as_ref)
    }

    /// The entry at `sequence`.
    pub(super) fn entry(&self, sequence: Sequence) -> Result<&EntryRecord, Refusal> {
        self.entries
            .get(sequence.index())
            .map(Arc::as_ref)
            .ok_or(Refusal::UnknownEntry {
                sequence: sequence.get(),
                log_size: self.len(),
            })
    }

    /// The entry that committed `request_id`, if any.
    pub(super) fn entry_for_request(&self, request_id: &RequestId) -> Option<&EntryRecord> {
        let sequence = self.request_ids.get(request_id)?;
        self.entries.get(sequence.index()).map(Arc::as_ref)
    }

    /// Appends the record of the entry at `sequence` (the next position).
    pub(super) fn record(&mut self, entry: EntryRecord) {
        let sequence = entry.sequence;
        for account in &entry.accounts {
            match self.account_index.get_mut(account) {
                Some(index) => index.push_back(sequence),
                None => {
                    self.account_index
                        .insert(account.clone(), Vector::unit(sequence));
                }
            }
        }
        if let Some(reversed) = entry.reverses
            && let Some(original) = self.entries.get(reversed.index())
        {
            let mut marked = EntryRecord::clone(original);
            marked.reversed_by = Some(sequence);
            self.entries.set(reversed.index(), Arc::new(marked));
        }
        self.request_ids.insert(entry.request_id, sequence);
        self.entries.push_back(Arc::new(entry));
    }

    /// One page of history matching `filter`, oldest first.
    pub(super) fn history(&self, filter: &HistoryFilter) -> HistoryPage<'_> {
        // The candidate sequences, ascending: one account's index, or the whole log.
        let index = match &filter.account {
            Some(account) => Some(self.account_index.get(account)),
            None => None,
        };
        let len = match index {
            Some(Some(index)) => index.len(),
            Some(None) => 0,
            None => self.entries.len(),
        };
        let sequence_at = |i: usize| match index {
            Some(Some(index)) => index[i],
            _ => Sequence(i as u64),
        };
        let first_where_not = |pred: &dyn Fn(Sequence) -> bool| {
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
        let committed = |s: Sequence| self.entries[s.index()].committed_at;
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
            let entry = self.entries[sequence.index()].as_ref();
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
}
