//! The RFC 6962 / RFC 9162 Merkle tree over the log.
//!
//! Leaf hash `SHA-256(0x00 || entry)`, node hash `SHA-256(0x01 || left || right)`. A
//! complete subtree (level `L`, index `n`) covers leaves `n·2^L .. (n+1)·2^L`. The store keeps
//! only the hashes of complete subtrees at levels 8, 16, 24, … ([`is_stored`]): one hash per
//! 256 entries, the rows Go's `sumdb/tlog` keeps as tiles of height 8. Every other hash is
//! recomputed when asked for, from at most 128 stored hashes of the stored level below it, or
//! at the bottom from at most 128 entries, so a root or proof for any past size costs
//! `O(log n)` reads of bounded size.

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// `SHA-256(0x00 || entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(entry);
    hasher.finalize().into()
}

/// `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The root of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A complete subtree: `level` 0 is a leaf; index `n` covers leaves `n·2^level ..`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SubtreeId {
    /// Height above the leaves.
    pub level: u8,
    /// Position among the subtrees of that level.
    pub index: u64,
}

/// Why a root or proof could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// The sizes or indexes asked for admit no proof.
    #[error("{0}")]
    Invalid(String),
    /// A hash that should be stored is not.
    #[error("the stored hash of subtree {level}/{index} is missing")]
    Missing {
        /// The subtree's level.
        level: u8,
        /// The subtree's index at that level.
        index: u64,
    },
    /// Reading a hash failed.
    #[error("reading a stored hash failed: {0}")]
    Store(String),
}

/// Levels between two stored rows of the tree: the hashes of complete subtrees at levels
/// that are positive multiples of this are stored; all others are recomputed.
pub const TILE_HEIGHT: u8 = 8;

/// True for the complete subtrees whose hash the store keeps (levels 8, 16, 24, …). Leaf
/// hashes and levels 1–7 are recomputed from the entries, others from the stored row below.
pub fn is_stored(id: SubtreeId) -> bool {
    id.level > 0 && id.level.is_multiple_of(TILE_HEIGHT)
}

/// Folds `2^k` consecutive hashes of one level into the hash of the subtree they make up.
pub fn fold_complete(mut row: Vec<Hash>) -> Hash {
    debug_assert!(row.len().is_power_of_two());
    while row.len() > 1 {
        row = row
            .chunks_exact(2)
            .map(|pair| node_hash(&pair[0], &pair[1]))
            .collect();
    }
    row[0]
}

/// Where complete-subtree hashes come from.
pub trait SubtreeHashes {
    /// The hash of a complete subtree that has been stored.
    fn subtree_hash(&self, id: SubtreeId) -> Result<Hash, ProofError>;
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn split_point(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// The hash of leaves `lo .. hi`, where the range is one of those the RFC 6962 recursion
/// reaches (`lo` aligned to the largest power of two not above `hi - lo`).
fn range_hash(hashes: &impl SubtreeHashes, lo: u64, hi: u64) -> Result<Hash, ProofError> {
    let n = hi - lo;
    if n.is_power_of_two() && lo.is_multiple_of(n) {
        return hashes.subtree_hash(SubtreeId {
            level: n.trailing_zeros() as u8,
            index: lo / n,
        });
    }
    let k = split_point(n);
    Ok(node_hash(
        &range_hash(hashes, lo, lo + k)?,
        &range_hash(hashes, lo + k, hi)?,
    ))
}

/// The root of the first `size` leaves.
pub fn root(hashes: &impl SubtreeHashes, size: u64) -> Result<Hash, ProofError> {
    if size == 0 {
        return Ok(empty_root());
    }
    range_hash(hashes, 0, size)
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 6962 `PATH`).
pub fn inclusion_proof(
    hashes: &impl SubtreeHashes,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError> {
    if index >= size {
        return Err(ProofError::Invalid(format!(
            "leaf {index} is not in a tree of {size} leaves"
        )));
    }
    let mut proof = Vec::new();
    let (mut lo, mut hi) = (0, size);
    let mut siblings = Vec::new();
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if index < lo + k {
            siblings.push((lo + k, hi));
            hi = lo + k;
        } else {
            siblings.push((lo, lo + k));
            lo += k;
        }
    }
    for (lo, hi) in siblings.into_iter().rev() {
        proof.push(range_hash(hashes, lo, hi)?);
    }
    Ok(proof)
}

/// The consistency proof between the trees of `old_size` and `new_size` leaves
/// (RFC 6962 `PROOF`). Empty when `old_size` is 0 or equals `new_size`.
pub fn consistency_proof(
    hashes: &impl SubtreeHashes,
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, ProofError> {
    if old_size > new_size {
        return Err(ProofError::Invalid(format!(
            "old size {old_size} is larger than new size {new_size}"
        )));
    }
    if old_size == 0 || old_size == new_size {
        return Ok(Vec::new());
    }
    // SUBPROOF(m, D[lo:hi], b), unrolled: collect the hashes innermost last.
    let mut proof = Vec::new();
    let (mut m, mut lo, mut hi, mut whole) = (old_size, 0, new_size, true);
    loop {
        let n = hi - lo;
        if m == n {
            if !whole {
                proof.push(range_hash(hashes, lo, hi)?);
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            proof.push(range_hash(hashes, lo + k, hi)?);
            hi = lo + k;
        } else {
            proof.push(range_hash(hashes, lo, lo + k)?);
            m -= k;
            lo += k;
            whole = false;
        }
    }
    proof.reverse();
    Ok(proof)
}

/// Checks an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// Checks a consistency proof (RFC 9162 §2.1.4.2). A tree of size 0 is consistent with
/// every tree, with an empty proof.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    if old_size == 0 {
        return proof.is_empty();
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut f, mut s) = (old_size - 1, new_size - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && fr == *old_root && sr == *new_root
}

/// The right edge of the tree: the hashes of the complete subtrees that make up its leaves,
/// largest first. Appending a leaf yields the complete subtrees to store.
#[derive(Clone, Debug, Default)]
pub struct Frontier {
    size: u64,
    /// `(level, hash)`, levels strictly decreasing.
    edge: Vec<(u8, Hash)>,
}

impl Frontier {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The frontier of the first `size` leaves, read from stored subtree hashes.
    pub fn load(hashes: &impl SubtreeHashes, size: u64) -> Result<Self, ProofError> {
        let mut edge = Vec::new();
        let mut start = 0;
        for level in (0..64u8).rev() {
            if size & (1 << level) != 0 {
                let id = SubtreeId {
                    level,
                    index: start >> level,
                };
                edge.push((level, hashes.subtree_hash(id)?));
                start += 1 << level;
            }
        }
        Ok(Self { size, edge })
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends an entry; returns every complete subtree it completes (the leaf first).
    pub fn append(&mut self, entry: &[u8]) -> Vec<(SubtreeId, Hash)> {
        let mut completed = vec![(
            SubtreeId {
                level: 0,
                index: self.size,
            },
            leaf_hash(entry),
        )];
        self.size += 1;
        let (mut level, mut hash) = (0u8, completed[0].1);
        while let Some(&(last_level, left)) = self.edge.last() {
            if last_level != level {
                break;
            }
            self.edge.pop();
            hash = node_hash(&left, &hash);
            level += 1;
            completed.push((
                SubtreeId {
                    level,
                    index: (self.size >> level) - 1,
                },
                hash,
            ));
        }
        self.edge.push((level, hash));
        completed
    }

    /// The root of the tree.
    pub fn root(&self) -> Hash {
        let mut hashes = self.edge.iter().rev();
        let Some((_, last)) = hashes.next() else {
            return empty_root();
        };
        hashes.fold(*last, |acc, (_, left)| node_hash(left, &acc))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use ct_merkle::mem_backed_tree::MemoryBackedTree;

    use super::*;

    #[derive(Default)]
    struct MemoryHashes(HashMap<SubtreeId, Hash>);

    impl SubtreeHashes for MemoryHashes {
        fn subtree_hash(&self, id: SubtreeId) -> Result<Hash, ProofError> {
            self.0.get(&id).copied().ok_or(ProofError::Missing {
                level: id.level,
                index: id.index,
            })
        }
    }

    fn entry(i: u64) -> Vec<u8> {
        format!("entry {i}").into_bytes()
    }

    /// Our tree and ct-merkle's (an independent implementation) over the same leaves.
    fn trees(
        size: u64,
    ) -> (
        MemoryHashes,
        Frontier,
        MemoryBackedTree<sha2_ct::Sha256, Vec<u8>>,
    ) {
        let mut stored = MemoryHashes::default();
        let mut frontier = Frontier::new();
        let mut reference = MemoryBackedTree::new();
        for i in 0..size {
            stored.0.extend(frontier.append(&entry(i)));
            reference.push(entry(i));
        }
        (stored, frontier, reference)
    }

    fn hashes_of(bytes: &[u8]) -> Vec<Hash> {
        bytes
            .chunks(32)
            .map(|c| <[u8; 32]>::try_from(c).unwrap())
            .collect()
    }

    #[test]
    fn roots_match_an_independent_implementation_for_every_size_up_to_64() {
        for size in 1..=64u64 {
            let (stored, frontier, reference) = trees(size);
            let expected: [u8; 32] = reference.root().as_bytes().as_slice().try_into().unwrap();
            assert_eq!(frontier.root(), expected, "size {size}");
            assert_eq!(root(&stored, size).unwrap(), expected, "size {size}");
            let loaded = Frontier::load(&stored, size).unwrap();
            assert_eq!(loaded.root(), expected, "loaded frontier, size {size}");
        }
        assert_eq!(root(&MemoryHashes::default(), 0).unwrap(), empty_root());
    }

    #[test]
    fn inclusion_proofs_match_and_verify_for_every_index_of_every_size_up_to_64() {
        let (stored, _, _) = trees(64);
        for size in 1..=64u64 {
            let (_, _, reference) = trees(size);
            let tree_root = root(&stored, size).unwrap();
            for index in 0..size {
                let ours = inclusion_proof(&stored, index, size).unwrap();
                let theirs = reference.prove_inclusion(index as usize);
                assert_eq!(
                    ours,
                    hashes_of(theirs.as_bytes()),
                    "size {size} index {index}"
                );
                let leaf = leaf_hash(&entry(index));
                assert!(verify_inclusion(index, size, &leaf, &ours, &tree_root));
                // ct-merkle's verifier accepts our proof too.
                let reference_root = reference.root();
                let proof = ct_merkle::InclusionProof::<sha2_ct::Sha256>::from_bytes(ours.concat());
                reference_root
                    .verify_inclusion(&entry(index), index, &proof)
                    .unwrap();
                // A wrong leaf, index or root does not verify.
                assert!(!verify_inclusion(
                    index,
                    size,
                    &leaf_hash(b"forged"),
                    &ours,
                    &tree_root
                ));
                if size > 1 {
                    let other = (index + 1) % size;
                    assert!(!verify_inclusion(other, size, &leaf, &ours, &tree_root));
                }
                assert!(!verify_inclusion(index, size, &leaf, &ours, &empty_root()));
            }
        }
    }

    #[test]
    fn consistency_proofs_match_and_verify_for_every_pair_of_sizes_up_to_64() {
        let (stored, _, _) = trees(64);
        for new_size in 1..=64u64 {
            let (_, _, reference) = trees(new_size);
            let new_root = root(&stored, new_size).unwrap();
            for old_size in 1..=new_size {
                let old_root = root(&stored, old_size).unwrap();
                let ours = consistency_proof(&stored, old_size, new_size).unwrap();
                if old_size < new_size {
                    let theirs = reference.prove_consistency((new_size - old_size) as usize);
                    assert_eq!(
                        ours,
                        hashes_of(theirs.as_bytes()),
                        "{old_size} -> {new_size}"
                    );
                }
                assert!(
                    verify_consistency(old_size, new_size, &old_root, &new_root, &ours),
                    "{old_size} -> {new_size}"
                );
                if old_size < new_size {
                    // A fork: a different old root is not consistent.
                    let forged = leaf_hash(b"fork");
                    assert!(!verify_consistency(
                        old_size, new_size, &forged, &new_root, &ours
                    ));
                    assert!(!verify_consistency(
                        old_size, new_size, &old_root, &forged, &ours
                    ));
                }
            }
        }
    }
}
