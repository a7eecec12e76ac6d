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

/// Calls `apply(ctx, locate(ctx, item))` for every item in order, but evaluates `locate` up to
/// `D` items early, so that a `locate` that prefetches the item's cache lines (see
/// [`crate::prefetch`]) has `D` items' worth of work to hide each miss behind.
#[inline]
pub(crate) fn pipeline<C: ?Sized, T, S: Copy + Default, const D: usize>(
    ctx: &mut C,
    items: &[T],
    locate: impl Fn(&C, &T) -> S,
    mut apply: impl FnMut(&mut C, S),
) {
    let mut ring = [S::default(); D];
    for (slot, item) in ring.iter_mut().zip(items) {
        *slot = locate(ctx, item);
    }
    for i in 0..items.len() {
        let slot = &mut ring[i % D];
        let s = *slot;
        if let Some(next) = items.get(i + D) {
            *slot = locate(ctx, next);
        }
        apply(ctx, s);
    }
}

/// The batched insert of every filter type over [`pipeline`]: `insert(ctx, located)` sets an
/// item's bits and says whether they were all set before; returns how many items were new.
#[inline]
pub(crate) fn insert_many<C, T, S: Copy + Default, const D: usize>(
    ctx: &mut C,
    items: &[T],
    locate: impl Fn(&C, &T) -> S,
    mut insert: impl FnMut(&mut C, S) -> bool,
) -> usize {
    let mut new = 0;
    pipeline::<_, _, _, D>(ctx, items, locate, |c, s| new += usize::from(!insert(c, s)));
    new
}

/// The batched query of every filter type over [`pipeline`]: clears `out`, then pushes
/// `test(ctx, located)` for each item in order.
#[inline]
pub(crate) fn contains_many<C, T, S: Copy + Default, const D: usize>(
    ctx: &C,
    items: &[T],
    out: &mut Vec<bool>,
    locate: impl Fn(&C, &T) -> S,
    test: impl Fn(&C, S) -> bool,
) {
    out.clear();
    out.reserve(items.len());
    pipeline::<_, _, _, D>(
        &mut &*ctx,
        items,
        |c, t| locate(c, t),
        |c, s| out.push(test(c, s)),
    );
}

/// The batched count of every filter type over [`pipeline`]: how many items `test` accepts.
#[inline]
pub(crate) fn count_contained<C, T, S: Copy + Default, const D: usize>(
    ctx: &C,
    items: &[T],
    locate: impl Fn(&C, &T) -> S,
    test: impl Fn(&C, S) -> bool,
) -> usize {
    let mut found = 0;
    pipeline::<_, _, _, D>(
        &mut &*ctx,
        items,
        |c, t| locate(c, t),
        |c, s| found += usize::from(test(c, s)),
    );
    found
}

/// Added before mixing a 64-bit hash into the second half, so `h = 0` does not map to 0.
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

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

    /// `pipeline` applies every item once, in order, with the value `locate` gave it, and never
    /// locates an item more than `D` items before applying it.
    #[test]
    fn pipeline_applies_in_order_with_bounded_lookahead() {
        for n in 0..=11usize {
            let items: Vec<usize> = (0..n).collect();
            let mut located = std::cell::RefCell::new(Vec::new());
            let mut applied = 0usize;
            pipeline::<_, _, _, 4>(
                &mut located,
                &items,
                |l, &item| {
                    l.borrow_mut().push(item);
                    item * 10
                },
                |l, s| {
                    assert_eq!(s, applied * 10);
                    // Located so far: everything up to 4 items past the one applied.
                    assert_eq!(l.get_mut().len(), (applied + 4 + 1).min(n));
                    applied += 1;
                },
            );
            assert_eq!(applied, n);
            assert_eq!(located.into_inner(), items);
        }
    }

    #[test]
    fn u64_expansion_is_not_trivial() {
        let h = Hashes::from_u64(0);
        assert_ne!(h.h2, 0);
        assert_ne!(Hashes::from_u64(1), Hashes::from_u64(2));
    }
}
