//! The index from leaf hash to position, in memory: rebuilt from the entries when the store
//! opens (the pass that checks them hashes every one anyway), extended by every append.
//!
//! It keys on the first 8 bytes of the leaf hash, so an entry costs one `u64` key and one
//! `u64` position in a hash map (about 17–36 bytes with the map's spare room, up to 36 MB
//! per million entries) instead of a key in sled written with every group. A prefix may be shared by two
//! entries (a collision, or the same entry bytes twice, which a log of signed transactions
//! with request ids never holds): every position under the prefix is kept and returned, and
//! the store checks the candidate's whole leaf hash against its entry.

use std::collections::HashMap;

use crate::log::merkle::Hash;

/// Maps the index is split into, by the leaf hash's first byte: a map that must grow
/// rehashes only its 1/256th of the index, so a group commit that grows it waits for a
/// fraction of a millisecond per million entries, not for the whole index to be copied.
const SHARDS: usize = 256;

/// Leaf-hash prefix → position(s).
pub struct LeafIndex {
    /// The first position with each prefix, in the shard of its first byte.
    first: Vec<HashMap<u64, u64>>,
    /// Further positions of a prefix already in `first` (almost always empty).
    more: HashMap<u64, Vec<u64>>,
}

fn prefix(leaf: &Hash) -> u64 {
    u64::from_le_bytes([
        leaf[0], leaf[1], leaf[2], leaf[3], leaf[4], leaf[5], leaf[6], leaf[7],
    ])
}

impl LeafIndex {
    /// An empty index with room for `entries` positions.
    pub fn with_capacity(entries: usize) -> Self {
        Self {
            first: (0..SHARDS)
                .map(|_| HashMap::with_capacity(entries / SHARDS))
                .collect(),
            more: HashMap::new(),
        }
    }

    /// Records that the entry at `sequence` has leaf hash `leaf`.
    pub fn insert(&mut self, leaf: &Hash, sequence: u64) {
        let key = prefix(leaf);
        match self.first[usize::from(leaf[0])].entry(key) {
            std::collections::hash_map::Entry::Vacant(vacant) => {
                vacant.insert(sequence);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.more.entry(key).or_default().push(sequence);
            }
        }
    }

    /// Every position whose leaf hash starts as `leaf` does, in the order they were added.
    pub fn candidates(&self, leaf: &Hash) -> Vec<u64> {
        let key = prefix(leaf);
        let mut found: Vec<u64> = self.first[usize::from(leaf[0])]
            .get(&key)
            .copied()
            .into_iter()
            .collect();
        if let Some(more) = self.more.get(&key) {
            found.extend_from_slice(more);
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_prefixes_keep_every_position_in_order() {
        let mut index = LeafIndex::with_capacity(4);
        let a = [1u8; 32];
        let mut b = [1u8; 32];
        b[31] = 2; // the same first 8 bytes
        let c = [3u8; 32];
        index.insert(&a, 0);
        index.insert(&c, 1);
        index.insert(&b, 2);
        index.insert(&a, 3);
        assert_eq!(index.candidates(&a), vec![0, 2, 3]);
        assert_eq!(index.candidates(&b), vec![0, 2, 3]);
        assert_eq!(index.candidates(&c), vec![1]);
        assert_eq!(index.candidates(&[9; 32]), Vec::<u64>::new());
    }
}
