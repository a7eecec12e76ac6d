//! Seeded `u64` streams.

use hpds_core::hash::mix64;
use rand::Rng;
use rand::seq::SliceRandom;

/// An endless stream of distinct, well-mixed `u64`s determined by `seed`.
///
/// Item `i` is a bijective mix of `i` keyed by the seed, so no value repeats (within 2^64 items)
/// and streams of different seeds look independent. The values are uniform enough to stand in
/// for hashes (`insert_hash`).
pub fn distinct_u64s(seed: u64) -> impl Iterator<Item = u64> + Clone {
    let k1 = mix64(seed ^ 0x5151_5151_5151_5151);
    let k2 = mix64(seed.wrapping_add(0x9e37_79b9_7f4a_7c15)) | 1;
    (0u64..).map(move |i| mix64(mix64(i ^ k1).wrapping_add(k2)))
}

/// The `i`-th item of [`distinct_u64s`]`(seed)`, computed directly.
pub fn distinct_u64_at(seed: u64, i: u64) -> u64 {
    let k1 = mix64(seed ^ 0x5151_5151_5151_5151);
    let k2 = mix64(seed.wrapping_add(0x9e37_79b9_7f4a_7c15)) | 1;
    mix64(mix64(i ^ k1).wrapping_add(k2))
}

/// `total` items drawn from exactly `min(distinct, total)` distinct values, in random order.
///
/// Each distinct value appears at least once; the rest are uniform repeats, so the duplicate
/// ratio is `1 - distinct / total`. The values are those of [`distinct_u64s`]`(seed)`.
///
/// # Example
/// ```
/// use std::collections::HashSet;
/// let s = hpds_testkit::streams::with_duplicates(3, 1000, 100);
/// assert_eq!(s.len(), 1000);
/// assert_eq!(s.iter().collect::<HashSet<_>>().len(), 100);
/// ```
pub fn with_duplicates(seed: u64, total: usize, distinct: usize) -> Vec<u64> {
    let distinct = distinct.min(total);
    let mut rng = crate::rng(seed);
    let mut out: Vec<u64> = distinct_u64s(seed).take(distinct).collect();
    out.reserve(total - distinct);
    for _ in distinct..total {
        let i = rng.random_range(0..distinct as u64);
        out.push(distinct_u64_at(seed, i));
    }
    out.shuffle(&mut rng);
    out
}

/// The items shuffled with a seeded generator.
pub fn shuffled<T>(seed: u64, mut items: Vec<T>) -> Vec<T> {
    items.shuffle(&mut crate::rng(seed));
    items
}

/// `n` uniformly random `u64`s (repeats possible, but vanishingly rare).
pub fn random_u64s(seed: u64, n: usize) -> Vec<u64> {
    let mut rng = crate::rng(seed);
    (0..n).map(|_| rng.random()).collect()
}

/// Keys `0..n` multiplied by 2^`shift`: sequential keys whose low bits are all zero, the classic
/// bad case for hash tables that mask a weak hash.
pub fn high_bit_keys(n: u64, shift: u32) -> impl Iterator<Item = u64> {
    (0..n).map(move |i| i << shift)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn deterministic_and_distinct() {
        let a: Vec<u64> = distinct_u64s(1).take(10_000).collect();
        assert_eq!(a, distinct_u64s(1).take(10_000).collect::<Vec<_>>());
        assert_ne!(a[..10], distinct_u64s(2).take(10).collect::<Vec<_>>()[..]);
        assert_eq!(a.iter().collect::<HashSet<_>>().len(), a.len());
        assert_eq!(a[1234], distinct_u64_at(1, 1234));
    }

    #[test]
    fn values_look_uniform() {
        // Each of the 16 top-nibble buckets should hold about 1/16 of 64k values.
        let mut buckets = [0u32; 16];
        for v in distinct_u64s(5).take(1 << 16) {
            buckets[(v >> 60) as usize] += 1;
        }
        for b in buckets {
            assert!((3800..4400).contains(&b), "bucket count {b}");
        }
    }

    #[test]
    fn duplicates_deterministic() {
        assert_eq!(with_duplicates(9, 500, 50), with_duplicates(9, 500, 50));
        assert_eq!(with_duplicates(9, 10, 50).len(), 10);
        assert_eq!(random_u64s(4, 3), random_u64s(4, 3));
        assert_eq!(shuffled(1, vec![1, 2, 3, 4]), shuffled(1, vec![1, 2, 3, 4]));
    }
}
