//! The sparse start of UltraLogLog and ExaLogLog: a set of 32-bit tokens.
//!
//! A token keeps 26 bits of the hash exactly and the number of leading zeros (0..=38) of the
//! other 38, which is all any register at precision `p + t <= 26` reads from a hash: replaying
//! a token sets exactly the register the hash would have. The two sketches split the hash
//! differently (UltraLogLog indexes by the top bits, ExaLogLog by the low ones), so each has
//! its own [`Layout`].
//!
//! While sparse, the estimate is the maximum-likelihood estimate of a `2^26`-register sketch
//! that knows every value of every register: relative error about `n / 2^27`, negligible.

use alloc::vec::Vec;

use hpds_core::codec::{Decoder, Encoder};
use hpds_core::{Error, Result};

use crate::ml::Likelihood;
use crate::window::pow2neg;

/// Bits of the hash a token keeps verbatim.
pub(crate) const KEPT: u32 = 26;
/// The other bits, of which the token keeps the leading zeros.
const RANKED: u32 = 64 - KEPT;

/// Where the 26 kept bits are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// The top 26 bits (UltraLogLog: register index from the top).
    Top,
    /// The low 26 bits (ExaLogLog: sub-bucket and index from the bottom).
    Low,
}

impl Layout {
    #[inline]
    pub(crate) fn token(self, h: u64) -> u32 {
        match self {
            Layout::Top => {
                let nlz = ((h << KEPT) | ((1 << KEPT) - 1))
                    .leading_zeros()
                    .min(RANKED);
                ((h >> RANKED) as u32) << 6 | nlz
            }
            Layout::Low => {
                let nlz = (h | ((1 << KEPT) - 1)).leading_zeros().min(RANKED);
                ((h & ((1 << KEPT) - 1)) as u32) << 6 | nlz
            }
        }
    }

    /// A hash that updates every register as the token's hashes do.
    #[inline]
    pub(crate) fn hash(self, token: u32) -> u64 {
        let kept = u64::from(token >> 6);
        let ones = ((1u64 << RANKED) - 1) >> (token & 63);
        match self {
            Layout::Top => (kept << RANKED) | ones,
            Layout::Low => (ones << KEPT) | kept,
        }
    }
}

/// Sorts `v`: by three 11-bit counting passes once it is long enough for them to beat a
/// comparison sort (the sparse start sorts up to `2^p` tokens as they double).
fn sort_u32(v: &mut Vec<u32>) {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    if v.len() < 512 {
        v.sort_unstable();
        return;
    }
    let mut buf = alloc::vec![0u32; v.len()];
    for shift in [0, BITS, 2 * BITS] {
        let mut start = [0usize; BUCKETS];
        for &x in v.iter() {
            start[((x >> shift) as usize) & (BUCKETS - 1)] += 1;
        }
        let mut sum = 0;
        for c in &mut start {
            let n = *c;
            *c = sum;
            sum += n;
        }
        for &x in v.iter() {
            let b = ((x >> shift) as usize) & (BUCKETS - 1);
            buf[start[b]] = x;
            start[b] += 1;
        }
        core::mem::swap(v, &mut buf);
    }
}

/// Appends to `out` the union of two sorted lists of distinct tokens, sorted and distinct.
fn merge_distinct(a: &[u32], b: &[u32], out: &mut Vec<u32>) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        out.push(x.min(y));
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

/// Whether `token` could come from [`Layout::token`].
pub(crate) fn valid(token: u32) -> bool {
    token & 63 <= RANKED
}

/// Distinct tokens: a vector sorted and deduplicated whenever it fills, so it never holds
/// more than `limit` entries after a sort.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tokens {
    v: Vec<u32>,
    /// How many leading entries are sorted and distinct.
    sorted: usize,
}

impl Tokens {
    /// Adds a token; returns false when the set has `limit` distinct tokens and needs more
    /// room (the caller converts to registers then).
    #[inline]
    pub(crate) fn push(&mut self, token: u32, limit: usize) -> bool {
        if self.v.len() == self.v.capacity() {
            self.normalize();
            if self.v.len() >= limit {
                return false;
            }
            if self.v.len() == self.v.capacity() {
                let want = (self.v.capacity() * 2).clamp(8, limit);
                self.v.reserve_exact(want - self.v.len());
            }
        }
        self.v.push(token);
        true
    }

    /// Sorts and deduplicates: the tokens pushed since the last call are sorted and merged
    /// into the sorted prefix (which holds half of them or more).
    pub(crate) fn normalize(&mut self) {
        if self.sorted == self.v.len() {
            return;
        }
        let mut tail = self.v.split_off(self.sorted);
        sort_u32(&mut tail);
        tail.dedup();
        if self.v.is_empty() {
            self.v.extend_from_slice(&tail);
        } else {
            let mut out = Vec::with_capacity(self.v.capacity());
            merge_distinct(&self.v, &tail, &mut out);
            self.v = out;
        }
        self.sorted = self.v.len();
    }

    /// The distinct tokens, sorted.
    pub(crate) fn sorted(&self) -> Vec<u32> {
        let mut v = self.v.clone();
        v.sort_unstable();
        v.dedup();
        v
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.v.is_empty()
    }

    /// Entries held (distinct after [`normalize`](Self::normalize)).
    pub(crate) fn len(&self) -> usize {
        self.v.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.v.iter().copied()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.v.capacity() * 4
    }

    /// From sorted distinct tokens.
    pub(crate) fn from_sorted(v: Vec<u32>) -> Self {
        let sorted = v.len();
        Self { v, sorted }
    }

    /// The estimate: maximum likelihood over `2^26` registers of which every value is known.
    /// Token `(i, z)` confirms value `z + 1` of register `i`, at rate `2^-min(z, 37)` in units
    /// of `n / 2^27`; every other value is ruled out.
    pub(crate) fn estimate(&self) -> f64 {
        let v = self.sorted();
        if v.is_empty() {
            return 0.0;
        }
        let mut l = Likelihood::new();
        // Each register's rates add up to 2.
        l.a = f64::from(2u32 << KEPT);
        for t in v {
            let level = (t & 63).min(RANKED - 1);
            l.a -= pow2neg(level);
            l.b[level as usize] += 1;
        }
        l.solve() * f64::from(2u32 << KEPT)
    }
}

/// Equal sets of tokens, whatever their order in the buffer.
impl PartialEq for Tokens {
    fn eq(&self, other: &Self) -> bool {
        self.sorted() == other.sorted()
    }
}

/// Writes sorted distinct tokens: their count, then the first and the gaps as varints.
pub(crate) fn encode(enc: &mut Encoder, sorted: &[u32]) {
    enc.put_varint(sorted.len() as u64);
    let mut prev = 0u32;
    for (i, &t) in sorted.iter().enumerate() {
        enc.put_varint(u64::from(if i == 0 { t } else { t - prev }));
        prev = t;
    }
}

/// Reads [`encode`]'s form: at most `limit` tokens, strictly increasing, each valid.
pub(crate) fn decode(dec: &mut Decoder<'_>, limit: usize) -> Result<Tokens> {
    let bad = Error::invalid_encoding;
    let count = dec.varint()?;
    // Every token takes at least one byte, so the count is bounded by the input.
    let count = dec.check_count(count, 1)?;
    if count > limit {
        return Err(bad("more tokens than the sparse form holds"));
    }
    let mut v = Vec::with_capacity(count);
    let mut prev = 0u32;
    for i in 0..count {
        let gap = u32::try_from(dec.varint()?).map_err(|_| bad("token out of range"))?;
        if i > 0 && gap == 0 {
            return Err(bad("tokens not strictly increasing"));
        }
        let t = prev
            .checked_add(gap)
            .ok_or_else(|| bad("token out of range"))?;
        if !valid(t) {
            return Err(bad("invalid token"));
        }
        v.push(t);
        prev = t;
    }
    Ok(Tokens::from_sorted(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pushing in batches (each normalize sorts the new tail and merges it) gives the sorted
    /// distinct tokens, for short tails (comparison sort) and long ones (counting passes).
    #[test]
    fn normalize_sorts_and_deduplicates() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for (n, modulus) in [
            (100usize, 1u64 << 32),
            (5000, 1 << 32),
            (20_000, 3000),
            (40_000, 1 << 32),
        ] {
            let mut t = Tokens::default();
            let mut all = Vec::new();
            for _ in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let tok = (x % modulus) as u32;
                all.push(tok);
                assert!(t.push(tok, usize::MAX));
            }
            t.normalize();
            all.sort_unstable();
            all.dedup();
            assert_eq!(t.v, all, "n {n}");
            assert_eq!(t.sorted, t.v.len());
        }
    }

    #[test]
    fn replay_gives_the_same_registers() {
        let mut x = 0x1234_5678_9abc_def1u64;
        for _ in 0..10_000 {
            x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(1);
            let h = x ^ (x >> 29);
            for shift in [0u32, 13, 30, 40, 50] {
                let h = h >> shift;
                for (layout, p) in [(Layout::Top, 4u32), (Layout::Top, 18), (Layout::Low, 22)] {
                    let r = layout.hash(layout.token(h));
                    match layout {
                        Layout::Top => {
                            assert_eq!(r >> (64 - p), h >> (64 - p));
                            let rank = |h: u64| ((h << p) | (1 << (p - 1))).leading_zeros();
                            assert_eq!(rank(r), rank(h));
                        }
                        Layout::Low => {
                            let lowmask = (1u64 << p) - 1;
                            assert_eq!(r & lowmask, h & lowmask);
                            assert_eq!(
                                (r | lowmask).leading_zeros(),
                                (h | lowmask).leading_zeros()
                            );
                        }
                    }
                }
            }
        }
    }
}
