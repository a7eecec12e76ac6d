//! Dense registers: `m = 2^p` six-bit counters packed four to three bytes.
//!
//! Six bits hold every rank a 64-bit hash can give (at most `64 - p + 1 <= 61`). Register `i`
//! lives in the 3-byte group `i / 4` at bit offset `6 * (i % 4)`; one padding byte after the
//! last group lets every access be a single unaligned 4-byte load (and store) and a shift. This hand-written layout was measured
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
#[cfg(test)]
pub(crate) fn index_rank(hash: u64, p: u8) -> (usize, u8) {
    let index = (hash >> (64 - p)) as usize;
    // The sentinel bit just below the `64 - p` rank bits caps the rank without a branch.
    let w = (hash << p) | (1u64 << (p - 1));
    (index, w.leading_zeros() as u8 + 1)
}

/// `RANK8[b]` = one plus the leading zeros of the byte `b` (for `b >= 1`).
pub(crate) const RANK8: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 1;
    while b < 256 {
        t[b] = (b as u8).leading_zeros() as u8 + 1;
        b += 1;
    }
    t
};

/// One plus the leading zeros of `w` (non-zero), from the top byte through [`RANK8`].
///
/// Without a target feature (`lzcnt`, not in the x86-64 baseline) `leading_zeros` compiles to
/// `bsr`, whose throughput is several cycles on the AMD Zen machines we measure on; the table
/// answers for the top byte (all but 1/256 of the hashes) with one L1 load, and `bsr` does the
/// rest behind a well-predicted branch. About 0.5 ns per insert (`cargo run --release -p hpds-benches --bin loglog_insert_timing`).
#[inline(always)]
pub(crate) fn rank_of(w: u64) -> u8 {
    let top = (w >> 56) as usize;
    if top != 0 {
        RANK8[top]
    } else {
        w.leading_zeros() as u8 + 1
    }
}

/// The register index and the *rank word* of `hash` with `pow = 2^p`: the bits below the
/// index moved to the top, with a sentinel bit just below them so the rank, one plus the
/// word's leading zeros ([`rank_of`]), is capped at `64 - p + 1`.
///
/// Written with multiplications only. A shift by a variable count (`shl`/`shr` by `cl` on
/// x86-64 without BMI2) must preserve the flags when the count is zero, so it waits for the
/// previous flag-setting instruction, which in the insert loop is the previous item's register
/// comparison: the shifts chained the loop's iterations and made inserts ~4x slower.
/// `hash * 2^p` is `hash << p`, and the high half of the 128-bit product is `hash >> (64 - p)`.
#[inline(always)]
pub(crate) fn index_word(hash: u64, pow: u64) -> (usize, u64) {
    let index = ((u128::from(hash) * u128::from(pow)) >> 64) as usize;
    (index, hash.wrapping_mul(pow) | (pow >> 1))
}

/// [`index_rank`] through [`index_word`] and [`rank_of`].
#[inline(always)]
pub(crate) fn index_rank_pow(hash: u64, pow: u64) -> (usize, u8) {
    let (index, w) = index_word(hash, pow);
    (index, rank_of(w))
}

/// Raises the eight registers packed in the six bytes `at` to the 6-bit fields of `theirs`,
/// field by field ([`swar_max6`]).
#[inline]
fn raise_chunk(at: &mut [u8], theirs: u64) {
    let max = swar_max6(load48(at), theirs);
    at.copy_from_slice(&max.to_le_bytes()[..6]);
}

/// `TOP[s]` moves slot `s`'s six bits to the top of a `u64` (`word · 2^(58 - 6 s)`).
const TOP: [u64; 4] = [1 << 58, 1 << 52, 1 << 46, 1 << 40];
/// `POW[s]` moves a register value to slot `s` (`· 2^(6 s)`).
const POW: [u32; 4] = [1, 1 << 6, 1 << 12, 1 << 18];

/// `LIMIT[c] = 2^(64 - c) - 1`: a word `w` with the sentinel bit set has rank
/// `leading_zeros(w) + 1 > c` exactly when `w < 2^(64 - c)`. `LIMIT[0]` admits every `w`
/// (every rank beats an empty register); at the rank cap `64 - p + 1` the limit
/// `2^(p - 1) - 1` is below the sentinel, so a full register never changes.
const LIMIT: [u64; 64] = {
    let mut t = [0u64; 64];
    let mut c = 0;
    while c < 64 {
        t[c] = u64::MAX >> c;
        c += 1;
    }
    t
};

fn load48(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w[..6].copy_from_slice(b);
    u64::from_le_bytes(w)
}

/// The field-wise maximum of eight 6-bit fields packed in the low 48 bits.
///
/// `(a | H) - (b & !H)` (H: each field's top bit) cannot borrow across fields and leaves a
/// field's top bit set when `a`'s low five bits are at least `b`'s; combined with the top bits
/// themselves that gives `a >= b` per field, spread to a full-field mask by multiplying the
/// fields' low bits by 63 (no carries: each product is at most 63).
#[inline]
pub(crate) fn swar_max6(a: u64, b: u64) -> u64 {
    const H: u64 = 0x0000_8208_2082_0820; // bit 5 of each of the eight fields
    const FIELDS: u64 = 0x0000_FFFF_FFFF_FFFF;
    let t = (a | H).wrapping_sub(b & !H & FIELDS);
    let ge = ((a & !b) | (!(a ^ b) & t)) & H;
    let mask = (ge >> 5) * 63;
    (a & mask) | (b & !mask & FIELDS)
}

/// `m` packed six-bit registers (plus one padding byte).
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Registers {
    p: u8,
    /// `2^p`, for [`index_word`].
    pow: u64,
    bytes: Vec<u8>,
}

impl core::fmt::Debug for Registers {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Registers")
            .field("p", &self.p)
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

impl Registers {
    /// Zeroed registers for precision `p` (`4 <= p <= 18`, checked by callers).
    pub(crate) fn new(p: u8) -> Self {
        Self {
            p,
            pow: 1 << p,
            // One byte of padding lets every group be read and written as one `u32`.
            bytes: alloc::vec![0; Self::byte_len(p) + 1],
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
        let mut padded = Vec::with_capacity(bytes.len() + 1);
        padded.extend_from_slice(bytes);
        padded.push(0);
        let regs = Self {
            p,
            pow: 1 << p,
            bytes: padded,
        };
        // Eight registers (six bytes) at a time: all are at most `max` exactly when their
        // field-wise maximum with `max` in every field is that.
        let max = u64::from(max_rank(p)) * 0x0000_0410_4104_1041;
        let ok = regs
            .as_bytes()
            .chunks_exact(6)
            .all(|six| swar_max6(load48(six), max) == max);
        ok.then_some(regs)
    }

    pub(crate) fn p(&self) -> u8 {
        self.p
    }

    /// Raises the register `hash` selects; returns (old, new) when it changed.
    ///
    /// The rank is not computed unless the register changes: with `w` the hash's bits below
    /// the index (sentinel bit set, see [`index_word`]), `rank(w) > old` exactly when
    /// `w <= LIMIT[old]`, one table load and a comparison. Most inserts of a sketch past
    /// `n ≈ m` change nothing, so this saves the top-byte rank lookup on the common path.
    #[inline(always)]
    pub(crate) fn insert_hash(&mut self, hash: u64) -> Option<(u8, u8)> {
        let (i, w) = index_word(hash, self.pow);
        let base = 3 * (i >> 2);
        let word = self.word(base);
        let old = (u64::from(word).wrapping_mul(TOP[i & 3]) >> 58) as usize;
        if w > LIMIT[old] {
            return None;
        }
        let rank = rank_of(w);
        self.store(base, i & 3, word, rank);
        Some((old as u8, rank))
    }

    /// [`insert_hash`](Self::insert_hash) for every hash of a slice, calling `on_change(old,
    /// new)` for each register raised, in order. The loop works on local copies of `2^p` and
    /// the byte slice, so nothing is reloaded per item (in a caller's loop over a struct the
    /// register stores may alias the struct's fields, which are then read again every item).
    #[inline(always)]
    pub(crate) fn insert_hashes(&mut self, hashes: &[u64], mut on_change: impl FnMut(u8, u8)) {
        let pow = self.pow;
        let bytes: &mut [u8] = &mut self.bytes;
        for &hash in hashes {
            let (i, w) = index_word(hash, pow);
            let base = 3 * (i >> 2);
            let group: &mut [u8; 4] = (&mut bytes[base..base + 4]).try_into().expect("4 bytes");
            let word = u32::from_le_bytes(*group);
            let old = (u64::from(word).wrapping_mul(TOP[i & 3]) >> 58) as usize;
            if w <= LIMIT[old] {
                let rank = rank_of(w);
                let pw = POW[i & 3];
                *group = ((word & !(63 * pw)) | (u32::from(rank) * pw)).to_le_bytes();
                on_change(old as u8, rank);
            }
        }
    }

    /// Raises every register to at least the byte of the same index in `unpacked` (one byte
    /// per register, `2^p` of them, each at most the largest rank): eight registers (six
    /// bytes) at a time, the bytes packed to 6-bit fields and [`swar_max6`].
    pub(crate) fn raise_to(&mut self, unpacked: &[u8]) {
        debug_assert_eq!(unpacked.len(), self.len());
        for (at, eight) in self.bytes.chunks_exact_mut(6).zip(unpacked.chunks_exact(8)) {
            let theirs = eight
                .iter()
                .rev()
                .fold(0u64, |acc, &b| (acc << 6) | u64::from(b & 63));
            raise_chunk(at, theirs);
        }
    }

    pub(crate) fn len(&self) -> usize {
        1 << self.p
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.bytes.len() - 1]
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
    }

    #[inline(always)]
    fn word(&self, base: usize) -> u32 {
        let w: [u8; 4] = self.bytes[base..base + 4].try_into().expect("4 bytes");
        u32::from_le_bytes(w)
    }

    /// Register `i`.
    #[cfg(test)]
    pub(crate) fn get(&self, i: usize) -> u8 {
        ((self.word(3 * (i >> 2)) >> (6 * (i & 3))) & 63) as u8
    }

    /// Raises register `i` to `rank` if that is larger; returns the old value when it changed.
    ///
    /// The register is read by multiplying the 4-byte word so its six bits land at the top of
    /// a `u64` (`word · 2^(58 - 6 (i % 4))`, a table of four powers) and shifting by the
    /// constant 58: no shift by a variable count, which on x86-64 without BMI2 carries a flags
    /// dependency that made a shifted version 3-5x slower in the `packing` bench. The rarely
    /// taken write-back multiplies the rank up to the register's offset the same way.
    #[inline(always)]
    pub(crate) fn update(&mut self, i: usize, rank: u8) -> Option<u8> {
        let base = 3 * (i >> 2);
        let word = self.word(base);
        let old = (u64::from(word).wrapping_mul(TOP[i & 3]) >> 58) as u8;
        if rank <= old {
            return None;
        }
        self.store(base, i & 3, word, rank);
        Some(old)
    }

    /// Writes `rank` into slot `slot` of the group at byte `base` whose word is `word`.
    #[inline(always)]
    fn store(&mut self, base: usize, slot: usize, word: u32, rank: u8) {
        let pow = POW[slot];
        let word = (word & !(63 * pow)) | (u32::from(rank) * pow);
        self.bytes[base..base + 4].copy_from_slice(&word.to_le_bytes());
    }

    /// All registers in index order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        self.as_bytes().chunks_exact(3).flat_map(|g| {
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
    ///
    /// Four histograms (one per register of a group) are summed at the end, so consecutive
    /// increments rarely hit the same counter (a store-to-load chain otherwise).
    pub(crate) fn histogram(&self) -> [u32; 65] {
        let mut h = [[0u32; 64]; 4];
        for g in self.as_bytes().chunks_exact(3) {
            let w = u32::from(g[0]) | (u32::from(g[1]) << 8) | (u32::from(g[2]) << 16);
            h[0][(w & 63) as usize] += 1;
            h[1][((w >> 6) & 63) as usize] += 1;
            h[2][((w >> 12) & 63) as usize] += 1;
            h[3][((w >> 18) & 63) as usize] += 1;
        }
        let mut out = [0u32; 65];
        for (k, o) in out.iter_mut().take(64).enumerate() {
            *o = h[0][k] + h[1][k] + h[2][k] + h[3][k];
        }
        out
    }

    /// Register-wise maximum with `other` (same precision).
    ///
    /// Registers sit at bit `6 i` of the little-endian byte stream, so six bytes hold eight
    /// whole registers; each such 48-bit chunk is maximized field by field with SWAR (no
    /// unpacking), about eight times fewer operations than one register at a time.
    pub(crate) fn merge_max(&mut self, other: &Self) {
        debug_assert_eq!(self.p, other.p);
        let n = self.bytes.len() - 1;
        for (a, b) in self.bytes[..n]
            .chunks_exact_mut(6)
            .zip(other.as_bytes().chunks_exact(6))
        {
            raise_chunk(a, load48(b));
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
    fn swar_max_matches_fieldwise_max() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..100_000 {
            x = hpds_core::hash::mix64(x);
            let a = x & 0xFFFF_FFFF_FFFF;
            let b = hpds_core::hash::mix64(x) & 0xFFFF_FFFF_FFFF;
            let mut want = 0;
            for f in 0..8 {
                let s = 6 * f;
                want |= ((a >> s) & 63).max((b >> s) & 63) << s;
            }
            assert_eq!(swar_max6(a, b), want, "{a:x} {b:x}");
        }
        for (a, b) in [(0, 0), (0xFFFF_FFFF_FFFF, 0), (0, 0xFFFF_FFFF_FFFF)] {
            assert_eq!(swar_max6(a, b), a | b);
        }
    }

    #[test]
    fn rank_table_matches_leading_zeros() {
        for w in (0..64)
            .map(|k| 1u64 << k)
            .chain([u64::MAX, 0x00FF_0000_0000_0001])
        {
            assert_eq!(rank_of(w), w.leading_zeros() as u8 + 1, "{w:x}");
        }
    }

    #[test]
    fn limit_decides_rank_comparison() {
        let mut h = 0x0123_4567_89ab_cdefu64;
        let mut words: Vec<u64> = (0..64).map(|k| 1u64 << k).collect();
        words.extend([u64::MAX, 1, 3, 0x00FF_0000_0000_0001]);
        for _ in 0..2000 {
            h = hpds_core::hash::mix64(h);
            words.push(h >> (h & 63));
        }
        for &w in &words {
            for (c, &limit) in LIMIT.iter().enumerate() {
                assert_eq!(usize::from(rank_of(w)) > c, w <= limit, "w {w:x} c {c}");
            }
        }
    }

    /// `insert_hash` (limit comparison, rank on change only) against `index_rank` + `update`,
    /// including the capped rank and hashes whose top byte below the index is zero.
    #[test]
    fn insert_hash_matches_update() {
        for p in [4u8, 10, 18] {
            let mut a = Registers::new(p);
            let mut b = Registers::new(p);
            let mut h = u64::from(p);
            let mut hashes: Vec<u64> = vec![0, u64::MAX, 1, 1 << (63 - p)];
            for _ in 0..20_000 {
                h = hpds_core::hash::mix64(h);
                hashes.push(h);
                hashes.push(h >> 8 >> p); // index 0, small top byte
            }
            for &x in &hashes {
                let (i, rank) = index_rank(x, p);
                let want = b.update(i, rank).map(|old| (old, rank));
                assert_eq!(a.insert_hash(x), want, "hash {x:x} p {p}");
            }
            assert_eq!(a, b);
            assert_eq!(a.get(0), max_rank(p));
        }
    }

    #[test]
    fn rank_is_capped() {
        for p in 4..=18 {
            assert_eq!(index_rank(0, p), (0, max_rank(p)));
            assert_eq!(index_rank(u64::MAX, p), ((1 << p) - 1, 1));
            assert_eq!(index_rank(1, p), (0, 64 - p));
            let mut h = 0x1234_5678_9abc_def0u64;
            for _ in 0..1000 {
                h = hpds_core::hash::mix64(h);
                assert_eq!(index_rank(h, p), index_rank_pow(h, 1 << p));
            }
            assert_eq!(index_rank(0, p), index_rank_pow(0, 1 << p));
            // Hashes whose top byte below the index is zero take the `leading_zeros` path.
            for k in 0..64 {
                let h = (1u64 << k) | (u64::MAX << (64 - p));
                assert_eq!(index_rank(h, p), index_rank_pow(h, 1 << p), "k {k} p {p}");
            }
        }
    }
}
