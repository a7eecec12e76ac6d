//! Dense registers: `m = 2^p` six-bit counters packed four to three bytes.
//!
//! Six bits hold every rank a 64-bit hash can give (at most `64 - p + 1 <= 61`). Register `i`
//! lives in the 3-byte group `i / 4` at bit offset `6 * (i % 4)`; reading one is a 3-byte load
//! and a shift, with no padding byte and no word straddling. This hand-written layout was measured
//! against bitvec's `BitField` (`load_le`/`store_le` on a `BitSlice<u8, Lsb0>`) in the crate's
//! `throughput` bench (group `packing`) and kept because it was faster; see `docs/loglog.md`.

use alloc::vec::Vec;

/// The largest rank a register can hold at precision `p`.
#[inline]
pub(crate) const fn max_rank(p: u8) -> u8 {
    64 - p + 1
}

/// Splits a 64-bit hash into (register index, rank) at precision `p`: the top `p` bits pick the
/// register, the rank is one plus the number of leading zeros of the remaining `64 - p` bits
/// (capped at `64 - p + 1` when they are all zero).
#[inline(always)]
pub(crate) fn index_rank(hash: u64, p: u8) -> (usize, u8) {
    let index = (hash >> (64 - p)) as usize;
    // The sentinel bit just below the `64 - p` rank bits caps the rank without a branch.
    let w = (hash << p) | (1u64 << (p - 1));
    (index, w.leading_zeros() as u8 + 1)
}

/// `m` packed six-bit registers.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Registers {
    p: u8,
    bytes: Vec<u8>,
}

impl core::fmt::Debug for Registers {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Registers")
            .field("p", &self.p)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl Registers {
    /// Zeroed registers for precision `p` (`4 <= p <= 18`, checked by callers).
    pub(crate) fn new(p: u8) -> Self {
        Self {
            p,
            bytes: alloc::vec![0; Self::byte_len(p)],
        }
    }

    /// Bytes of packed registers at precision `p`: `6 * 2^p / 8`.
    pub(crate) const fn byte_len(p: u8) -> usize {
        3 << (p - 2)
    }

    /// Registers from their packed bytes; `None` if the length is wrong or a register exceeds
    /// the largest rank.
    pub(crate) fn from_bytes(p: u8, bytes: &[u8]) -> Option<Self> {
        if bytes.len() != Self::byte_len(p) {
            return None;
        }
        let regs = Self {
            p,
            bytes: bytes.to_vec(),
        };
        let max = max_rank(p);
        let ok = regs.iter().all(|r| r <= max);
        ok.then_some(regs)
    }

    pub(crate) fn p(&self) -> u8 {
        self.p
    }

    pub(crate) fn len(&self) -> usize {
        1 << self.p
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
    }

    #[inline(always)]
    fn group(&self, i: usize) -> (usize, u32, u32) {
        let base = 3 * (i >> 2);
        let g = &self.bytes[base..base + 3];
        let word = u32::from(g[0]) | (u32::from(g[1]) << 8) | (u32::from(g[2]) << 16);
        (base, word, 6 * (i as u32 & 3))
    }

    /// Register `i`.
    #[cfg(test)]
    pub(crate) fn get(&self, i: usize) -> u8 {
        let (_, word, shift) = self.group(i);
        ((word >> shift) & 63) as u8
    }

    /// Raises register `i` to `rank` if that is larger; returns the old value when it changed.
    #[inline(always)]
    pub(crate) fn update(&mut self, i: usize, rank: u8) -> Option<u8> {
        let (base, word, shift) = self.group(i);
        let old = ((word >> shift) & 63) as u8;
        if rank <= old {
            return None;
        }
        let word = (word & !(63 << shift)) | (u32::from(rank) << shift);
        let g = &mut self.bytes[base..base + 3];
        g[0] = word as u8;
        g[1] = (word >> 8) as u8;
        g[2] = (word >> 16) as u8;
        Some(old)
    }

    /// All registers in index order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        self.bytes.chunks_exact(3).flat_map(|g| {
            let w = u32::from(g[0]) | (u32::from(g[1]) << 8) | (u32::from(g[2]) << 16);
            [
                (w & 63) as u8,
                ((w >> 6) & 63) as u8,
                ((w >> 12) & 63) as u8,
                ((w >> 18) & 63) as u8,
            ]
        })
    }

    /// How many registers hold each value `0..=64`.
    pub(crate) fn histogram(&self) -> [u32; 65] {
        let mut h = [0u32; 65];
        for r in self.iter() {
            h[r as usize] += 1;
        }
        h
    }

    /// Register-wise maximum with `other` (same precision).
    pub(crate) fn merge_max(&mut self, other: &Self) {
        debug_assert_eq!(self.p, other.p);
        for (a, b) in self.bytes.chunks_exact_mut(3).zip(other.bytes.chunks_exact(3)) {
            let wa = u32::from(a[0]) | (u32::from(a[1]) << 8) | (u32::from(a[2]) << 16);
            let wb = u32::from(b[0]) | (u32::from(b[1]) << 8) | (u32::from(b[2]) << 16);
            let mut w = 0;
            for s in [0, 6, 12, 18] {
                w |= ((wa >> s) & 63).max((wb >> s) & 63) << s;
            }
            a[0] = w as u8;
            a[1] = (w >> 8) as u8;
            a[2] = (w >> 16) as u8;
        }
    }

    /// Folds registers of a higher precision `other.p > self.p` into these: register `j` of
    /// `other` covers hashes whose top `self.p` bits are `j >> d` (`d = other.p - self.p`), and
    /// the `d` bits below them either hold the first one-bit (rank from their leading zeros) or
    /// are all zero (rank `d + other[j]`).
    pub(crate) fn merge_reduced(&mut self, other: &Self) {
        let d = u32::from(other.p - self.p);
        debug_assert!(d > 0);
        for (j, r) in other.iter().enumerate() {
            if r == 0 {
                continue;
            }
            let low = (j as u32) & ((1 << d) - 1);
            let rank = if low == 0 {
                d as u8 + r
            } else {
                (d - (32 - low.leading_zeros())) as u8 + 1
            };
            self.update(j >> d, rank);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.bytes.fill(0);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.iter().all(|&b| b == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_update_round_trip() {
        let mut r = Registers::new(4);
        for i in 0..16 {
            assert_eq!(r.update(i, (i as u8 * 3) % 61 + 1), Some(0));
        }
        for i in 0..16 {
            assert_eq!(r.get(i), (i as u8 * 3) % 61 + 1);
        }
        assert_eq!(r.update(3, 1), None);
        assert_eq!(r.iter().count(), 16);
        assert!(r.iter().enumerate().all(|(i, v)| v == r.get(i)));
    }

    #[test]
    fn rank_is_capped() {
        for p in 4..=18 {
            assert_eq!(index_rank(0, p), (0, max_rank(p)));
            assert_eq!(index_rank(u64::MAX, p), ((1 << p) - 1, 1));
            assert_eq!(index_rank(1, p), (0, 64 - p));
        }
    }
}
