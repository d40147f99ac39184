//! RFC 6962 (section 2.1) Merkle tree hashing with SHA-256: leaves are hashed as SHA-256(0x00 || data), interior
//! nodes as SHA-256(0x01 || left || right), and the empty tree is SHA-256(""). Inclusion and consistency proofs
//! are generated as in RFC 6962 2.1.1 / 2.1.2 and verified with the algorithms of RFC 9162 2.1.3.2 / 2.1.4.2.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

pub fn empty_root() -> Hash {
    Sha256::digest(b"").into()
}

pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly smaller than `n` (n >= 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// MTH over leaf hashes.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path of leaf `index` (RFC 6962 PATH).
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut out = Vec::new();
    path(leaves, index, &mut out);
    Some(out)
}

fn path(leaves: &[Hash], m: usize, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(&leaves[..k], m, out);
        out.push(root(&leaves[k..]));
    } else {
        path(&leaves[k..], m - k, out);
        out.push(root(&leaves[..k]));
    }
}

/// The consistency proof between the first `m` leaves and all of them (RFC 6962 PROOF).
pub fn consistency_proof(leaves: &[Hash], m: usize) -> Option<Vec<Hash>> {
    if m == 0 || m > leaves.len() {
        return None;
    }
    let mut out = Vec::new();
    subproof(m, leaves, true, &mut out);
    Some(out)
}

fn subproof(m: usize, leaves: &[Hash], complete: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            out.push(root(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], complete, out);
        out.push(root(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, out);
        out.push(root(&leaves[..k]));
    }
}

/// Verifies an inclusion proof (RFC 9162 2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && r == *root
}

/// Verifies a consistency proof between trees of `size1` and `size2` leaves (RFC 9162 2.1.4.2).
/// Roots are compared as given; for equal sizes they need not be 32 bytes long.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &[u8],
    root2: &[u8],
) -> bool {
    // A proof from the empty tree proves nothing, so it is rejected, as upstream verifiers do.
    if size1 > size2 || size1 == 0 {
        return false;
    }
    if size1 == size2 {
        return proof.is_empty() && root1 == root2;
    }
    let (Ok(root1), Ok(root2)) = (<&Hash>::try_from(root1), <&Hash>::try_from(root2)) else {
        return false;
    };
    if proof.is_empty() {
        return false;
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if size1.is_power_of_two() {
        path.push(*root1);
    }
    path.extend_from_slice(proof);
    let (mut f_n, mut s_n) = (size1 - 1, size2 - 1);
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let mut fr = path[0];
    let mut sr = path[0];
    for c in &path[1..] {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    fr == *root1 && sr == *root2 && s_n == 0
}

/// The right edge of a growing tree: roots of its perfect subtrees, so appending and the root are O(log n).
#[derive(Clone, Debug, Default)]
pub struct CompactRange {
    size: u64,
    /// (height, hash), heights strictly decreasing.
    peaks: Vec<(u32, Hash)>,
}

impl CompactRange {
    pub fn size(&self) -> u64 {
        self.size
    }
    pub fn push(&mut self, leaf: Hash) {
        let mut h = 0u32;
        let mut cur = leaf;
        while let Some(&(ph, left)) = self.peaks.last() {
            if ph != h {
                break;
            }
            self.peaks.pop();
            cur = node_hash(&left, &cur);
            h += 1;
        }
        self.peaks.push((h, cur));
        self.size += 1;
    }
    pub fn root(&self) -> Hash {
        let mut it = self.peaks.iter().rev();
        let Some(&(_, mut acc)) = it.next() else {
            return empty_root();
        };
        for (_, left) in it {
            acc = node_hash(left, &acc);
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_range_matches_recursive_root_and_proofs_verify() {
        let leaves: Vec<Hash> = (0..70u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut cr = CompactRange::default();
        assert_eq!(cr.root(), empty_root());
        for n in 1..=leaves.len() {
            cr.push(leaves[n - 1]);
            let r = root(&leaves[..n]);
            assert_eq!(cr.root(), r, "size {n}");
            for i in 0..n {
                let p = inclusion_proof(&leaves[..n], i).unwrap_or_default();
                assert!(verify_inclusion(i as u64, n as u64, &leaves[i], &p, &r));
            }
            for m in 1..=n {
                let p = consistency_proof(&leaves[..n], m).unwrap_or_default();
                assert!(
                    verify_consistency(m as u64, n as u64, &p, &root(&leaves[..m]), &r),
                    "{m}->{n}"
                );
            }
        }
    }
}
