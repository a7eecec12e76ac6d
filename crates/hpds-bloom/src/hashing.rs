//! Turning one hash into k positions.
//!
//! Every item is hashed once, with the 128-bit stable hash of the item's canonical bytes ([`hpds_core::Item::stable_hash128`]),
//! and the two 64-bit halves drive *enhanced double hashing* (Dillinger and Manolios, 2004):
//! `x_0 = h1`, `x_{i+1} = x_i + y_i`, `y_{i+1} = y_i + i` (mod 2^64), with `y_0 = h2`. Each
//! `x_i` is reduced to `0..m` by the multiply-shift range reduction `(x * m) >> 64` (Lemire),
//! which needs no division and no power-of-two size. The positions behave like k independent
//! hashes for false-positive purposes (Kirsch and Mitzenmacher, 2006); the statistical tests hold
//! the filters to the independent-hash formula.
//!
//! A pre-hashed 64-bit value `h` is expanded to the pair `(mix64(h), mix64(h + GOLDEN))`, two
//! consecutive outputs of SplitMix64 seeded at `h`: `mix64` is a bijective finalizer, so
//! distinct `h` give distinct pairs, and both halves are uniform even when the input is not
//! (sequential ids, a weak hash). The test `pre_hashed_input_has_the_same_rate` inserts the
//! hashes `0..n` and measures the classic rate. Items given to `insert` and hashes given to `insert_hash` therefore live in
//! different key spaces: use one or the other for a given filter.

use hpds_core::Item;
use hpds_core::hash::mix64;

/// Added before mixing a 64-bit hash into the second half, so `h = 0` does not map to 0.
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The odd multipliers of a `u64` key's two halves ([`Hashes::of_u64_key`]).
const KEY_MUL: [u64; 2] = [0xa076_1d64_78bd_642f, 0xe703_7ed1_a0b4_28db];

/// The 128-bit product of `x` and `c` folded to 64 bits (`low ^ high`).
#[inline(always)]
fn fold_mul(x: u64, c: u64) -> u64 {
    let p = u128::from(x) * u128::from(c);
    (p as u64) ^ ((p >> 64) as u64)
}

/// The two 64-bit halves of one item's hash, computed once per operation and reused by every
/// sub-filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Hashes {
    pub(crate) h1: u64,
    pub(crate) h2: u64,
}

impl Hashes {
    #[inline]
    pub(crate) fn of_item<T: Item + ?Sized>(item: &T, seed: u64) -> Self {
        Self::from_u128(item.stable_hash128(seed))
    }

    #[inline]
    pub(crate) fn from_u128(h: u128) -> Self {
        Self {
            h1: h as u64,
            h2: (h >> 64) as u64,
        }
    }

    #[inline]
    pub(crate) fn from_u64(h: u64) -> Self {
        Self {
            h1: mix64(h),
            h2: mix64(h.wrapping_add(GOLDEN)),
        }
    }

    /// The two halves for a `u64` key hashed with `seed`, cheaper than the xxh3 of its bytes:
    /// `h1` is the 128-bit product of `key ^ seed` and an odd constant folded to 64 bits
    /// (`low ^ high`, foldhash's hash of a `u64`), one multiplication before the first
    /// position; `h2` is the same fold of `h1 ^ seed` with another constant, one more before
    /// the second. The seed enters twice because `key ^ seed` alone would only permute a set
    /// of keys closed under XOR (such as `0..2^j`) between seeds, giving two seeds the same
    /// filter. Stable (integer arithmetic only); the test `u64_keys_have_the_same_rate` holds
    /// sequential keys to the classic rate.
    #[inline(always)]
    pub(crate) fn of_u64_key(key: u64, seed: u64) -> Self {
        let h1 = fold_mul(key ^ seed, KEY_MUL[0]);
        Self {
            h1,
            h2: fold_mul(h1 ^ seed, KEY_MUL[1]),
        }
    }

    /// Calls `probe` on the item's `k` positions in `0..m`, by enhanced double hashing
    /// (`x_0 = h1`, `x_{i+1} = x_i + y_i`, `y_0 = h2`, `y_{i+1} = y_i + i`; position `i` is
    /// `reduce(x_i, m)`), in order until it returns `false`, and says whether it never did. The first position is probed whatever
    /// `k` is (`k >= 1` in every filter): the loop tests its count after a probe, not before,
    /// which saves the test a query that stops at its first probe would not need.
    #[inline(always)]
    pub(crate) fn probe_while(self, k: u32, m: u64, mut probe: impl FnMut(usize) -> bool) -> bool {
        if !probe(reduce(self.h1, m) as usize) {
            return false;
        }
        // x_1 = h1 + h2, y_1 = h2 + 0.
        let (mut x, mut y) = (self.h1.wrapping_add(self.h2), self.h2);
        let mut i = 1u64;
        while i < u64::from(k) {
            if !probe(reduce(x, m) as usize) {
                return false;
            }
            x = x.wrapping_add(y);
            y = y.wrapping_add(i);
            i += 1;
        }
        true
    }

    /// Calls `probe` on all `k` positions of the item, in the order of
    /// [`probe_while`](Self::probe_while). For the `k` of rates from about 6 % to 0.4 % (4 to 8)
    /// the loop is unrolled at compile time: no counter, and the increments of `y` are
    /// constants, which saves about three instructions per position. Other `k` take the loop.
    #[inline(always)]
    pub(crate) fn probe_all(self, k: u32, m: u64, mut probe: impl FnMut(usize)) {
        match k {
            4 => self.probe_fixed::<4>(m, probe),
            5 => self.probe_fixed::<5>(m, probe),
            6 => self.probe_fixed::<6>(m, probe),
            7 => self.probe_fixed::<7>(m, probe),
            8 => self.probe_fixed::<8>(m, probe),
            _ => {
                self.probe_while(k, m, |pos| {
                    probe(pos);
                    true
                });
            }
        }
    }

    /// [`probe_all`](Self::probe_all) for a `k` known at compile time.
    #[inline(always)]
    fn probe_fixed<const K: u64>(self, m: u64, mut probe: impl FnMut(usize)) {
        let (mut x, mut y) = (self.h1, self.h2);
        for i in 0..K {
            probe(reduce(x, m) as usize);
            x = x.wrapping_add(y);
            y = y.wrapping_add(i);
        }
    }
}

/// Multiply-shift range reduction: a uniform `x` gives a uniform value in `0..m`. Always below
/// `m` for `m >= 1` (`x * m < 2^64 m`), and 0 for `m = 0`; the classic filter's unchecked
/// probes rely on this.
#[inline]
pub(crate) fn reduce(x: u64, m: u64) -> u64 {
    ((u128::from(x) * u128::from(m)) >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All `k` positions of `h`, through `probe_while`.
    fn positions(h: Hashes, k: u32, m: u64) -> Vec<usize> {
        let mut seen = Vec::new();
        assert!(h.probe_while(k, m, |p| {
            seen.push(p);
            true
        }));
        seen
    }

    #[test]
    fn positions_stay_in_range_and_count_k() {
        for m in [1u64, 2, 3, 63, 64, 65, 1000, 1 << 40] {
            let p = positions(Hashes::from_u64(12345), 9, m);
            assert_eq!(p.len(), 9);
            assert!(p.iter().all(|&x| (x as u64) < m));
        }
    }

    /// Enhanced double hashing in closed form: `x_i = h1 + i h2 + i (i - 1) (i - 2) / 6`
    /// (mod 2^64), since `y_i = h2 + i (i - 1) / 2`. An independent statement of the sequence
    /// that serialized filters depend on.
    fn closed_form(h: Hashes, i: u64, m: u64) -> usize {
        let x =
            h.h1.wrapping_add(i.wrapping_mul(h.h2))
                .wrapping_add(i * i.saturating_sub(1) * i.saturating_sub(2) / 6);
        reduce(x, m) as usize
    }

    /// `probe_while` gives the closed form's sequence for every `k`, and stops right after the
    /// first probe that returns `false`.
    #[test]
    #[cfg_attr(miri, ignore = "no unsafe code; 9k sequences, slow under Miri")]
    fn probe_while_and_positions_follow_the_closed_form() {
        for seed in 0..20u64 {
            let h = Hashes::from_u64(seed);
            // `m = 2^64 - 1` maps `x` to `x - 1` (`x > 0`): a slip in the low bits of the
            // sequence, which the range reduction hides at filter sizes, shows there.
            for m in [1u64, 7, 64, 1000, 1 << 33, (1 << 40) - 3, u64::MAX] {
                for k in 1..=64u32 {
                    let expected: Vec<usize> =
                        (0..u64::from(k)).map(|i| closed_form(h, i, m)).collect();
                    assert_eq!(positions(h, k, m), expected);
                    let stop = (seed as usize) % expected.len();
                    let mut seen = Vec::new();
                    assert!(!h.probe_while(k, m, |p| {
                        seen.push(p);
                        seen.len() <= stop
                    }));
                    assert_eq!(seen, expected[..=stop]);
                }
            }
        }
    }

    /// `probe_all` visits the same positions as `probe_while` for every `k`, unrolled or not.
    #[test]
    fn probe_all_follows_probe_while() {
        for seed in 0..if cfg!(miri) { 2 } else { 20 } {
            let h = Hashes::from_u64(seed);
            for m in [1u64, 1000, (1 << 40) - 3, u64::MAX] {
                for k in 1..=16u32 {
                    let mut seen = Vec::new();
                    h.probe_all(k, m, |p| seen.push(p));
                    assert_eq!(seen, positions(h, k, m), "k = {k}, m = {m}");
                }
            }
        }
    }

    #[test]
    fn u64_expansion_is_not_trivial() {
        let h = Hashes::from_u64(0);
        assert_ne!(h.h2, 0);
        assert_ne!(Hashes::from_u64(1), Hashes::from_u64(2));
    }
}
