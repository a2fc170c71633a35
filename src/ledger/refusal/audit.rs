//! The audit service's refusals (tree sizes, proofs, entry ranges), nested in
//! [`Refusal::Audit`].

#[cfg(test)]
use super::Refusal;
use super::RefusalClass;

/// Why an audit read was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuditRefusal {
    /// A request names a tree size for which no checkpoint was signed.
    #[error(
        "tree size {size} was never signed; ask for a signed size (the latest is {latest}) or 0 \
         for the latest"
    )]
    NeverSigned {
        /// The tree size asked for, in entries.
        size: u64,
        /// The latest signed tree size, in entries (0 if none).
        latest: u64,
    },
    /// An inclusion proof asks for an entry that is not in the tree size the request names.
    #[error("entry {index} is not in the tree of size {size}: expected leaf_index < tree_size")]
    LeafIndexPastSize {
        /// The entry's position in the log (its leaf index).
        index: u64,
        /// The tree size the request names, in entries.
        size: u64,
    },
    /// An inclusion proof for the latest signed size asks for an entry past it.
    #[error(
        "entry {index} is not in the tree of size {latest}, the latest signed size; retry after \
         the next checkpoint"
    )]
    LeafPastLatest {
        /// The entry's position in the log (its leaf index).
        index: u64,
        /// The latest signed tree size, in entries.
        latest: u64,
    },
    /// No entry has the leaf hash asked for.
    #[error("no entry has this leaf hash")]
    UnknownLeafHash,
    /// A consistency proof asks from a larger tree size to a smaller one.
    #[error("first_size {first} is larger than second_size {second}")]
    ConsistencyOrder {
        /// The first tree size (0 already resolved to the latest), in entries.
        first: u64,
        /// The second tree size (0 already resolved to the latest), in entries.
        second: u64,
    },
    /// An entry range ends before it starts, or holds more entries than one call may return.
    #[error("expected start <= end and at most {max} entries; found {start} .. {end}")]
    EntryRangeInvalid {
        /// The position of the first entry asked for.
        start: u64,
        /// The position after the last entry asked for (exclusive).
        end: u64,
        /// The most entries one call may return
        /// ([`MAX_ENTRIES_PER_CALL`](crate::log::serving::MAX_ENTRIES_PER_CALL)).
        max: u64,
    },
    /// An entry range goes past the latest signed tree size.
    #[error(
        "end {end} is past the latest signed size {latest}; ask for at most {latest}, or retry \
         after the next checkpoint"
    )]
    EntryRangePastLatest {
        /// The position after the last entry asked for (exclusive).
        end: u64,
        /// The latest signed tree size, in entries.
        latest: u64,
    },
}

impl AuditRefusal {
    /// The refusal's class.
    pub fn class(&self) -> RefusalClass {
        use AuditRefusal::*;
        match self {
            LeafIndexPastSize { .. } | ConsistencyOrder { .. } | EntryRangeInvalid { .. } => {
                RefusalClass::InvalidArgument
            }
            UnknownLeafHash => RefusalClass::NotFound,
            NeverSigned { .. } | LeafPastLatest { .. } | EntryRangePastLatest { .. } => {
                RefusalClass::FailedPrecondition
            }
        }
    }

    /// The refusal's stable reason.
    pub fn reason(&self) -> &'static str {
        use AuditRefusal::*;
        match self {
            NeverSigned { .. } => "TREE_SIZE_NEVER_SIGNED",
            LeafIndexPastSize { .. } => "LEAF_INDEX_PAST_SIZE",
            LeafPastLatest { .. } => "LEAF_PAST_LATEST_SIGNED",
            UnknownLeafHash => "UNKNOWN_LEAF_HASH",
            ConsistencyOrder { .. } => "CONSISTENCY_ORDER",
            EntryRangeInvalid { .. } => "ENTRY_RANGE_INVALID",
            EntryRangePastLatest { .. } => "ENTRY_RANGE_PAST_LATEST_SIGNED",
        }
    }

    /// One of each, for the test that the README lists every reason.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> Vec<Refusal> {
        use AuditRefusal::*;
        [
            NeverSigned { size: 9, latest: 1 },
            LeafIndexPastSize { index: 2, size: 1 },
            LeafPastLatest {
                index: 2,
                latest: 1,
            },
            UnknownLeafHash,
            ConsistencyOrder {
                first: 2,
                second: 1,
            },
            EntryRangeInvalid {
                start: 2,
                end: 1,
                max: 10,
            },
            EntryRangePastLatest { end: 9, latest: 1 },
        ]
        .into_iter()
        .map(Refusal::Audit)
        .collect()
    }
}
