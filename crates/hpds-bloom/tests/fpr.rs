//! Measured false-positive rates against theory.
//!
//! Each test inserts `n` distinct keys and queries `N` other distinct keys. The number of false
//! positives among independent non-members is Binomial(N, θ), θ the layout's theoretical rate,
//! so the measured rate lies within `Z · sqrt(θ (1 - θ) / N)` of θ except with probability
//! about 1e-6 for Z = 5 (normal approximation; at θN = 100 the binomial's skew makes the
//! upper tail slightly heavier, still under 1e-5). The formula itself approximates the
//! expected rate: for the classic filter the error is O(k / sqrt(m)) relative (the fill's
//! fluctuation), below 1% here; for the blocked filter the Poisson mixture ignores repeated
//! bits within one item's mask and the variance of a block's fill (Jensen), which raises the
//! real rate by up to about `k^2 / 512` relative; we allow `MODEL` = 5% relative for it. A
//! wrong implementation (biased positions, a lost bit, a wrong size) misses these bounds by
//! far more: halving m at 1% raises θ to 16%.

use hpds_bloom::params::{blocked_fpr, classic_fpr};
use hpds_bloom::{BlockedBloomFilter, BloomFilter, ScalableBloomFilter};
use hpds_testkit::streams::distinct_u64s;

const Z: f64 = 5.0;
const MODEL_CLASSIC: f64 = 0.01;
const MODEL_BLOCKED: f64 = 0.05;

fn sizes() -> (u64, usize) {
    if cfg!(miri) {
        (200, 2_000)
    } else {
        (300_000, 1_000_000)
    }
}

fn check(name: &str, p: f64, theory: f64, false_positives: usize, queries: usize, model: f64) {
    let measured = false_positives as f64 / queries as f64;
    let sigma = (theory * (1.0 - theory) / queries as f64).sqrt();
    let bound = Z * sigma + model * theory;
    println!("{name} p={p}: measured {measured:.3e}, theory {theory:.3e} ± {bound:.2e}");
    assert!(
        (measured - theory).abs() <= bound,
        "{name} p={p}: measured {measured:.4e} vs theory {theory:.4e} (bound {bound:.2e})"
    );
}

#[test]
fn classic_fpr_matches_theory() {
    let (n, queries) = sizes();
    for (seed, p) in [(1u64, 0.01), (2, 0.001), (3, 0.0001)] {
        let mut f = BloomFilter::new(n, p).unwrap();
        for key in distinct_u64s(seed).take(n as usize) {
            assert!(!f.insert(&key) || f.contains(&key));
        }
        let theory = classic_fpr(f.bits(), f.hashes(), n);
        assert!(theory <= p);
        let fp = distinct_u64s(seed + 100)
            .take(queries)
            .filter(|k| f.contains(k))
            .count();
        check("classic", p, theory, fp, queries, MODEL_CLASSIC);
    }
}

#[test]
fn blocked_fpr_matches_the_blocked_formula_and_meets_the_target() {
    let (n, queries) = sizes();
    for (seed, p) in [(4u64, 0.01), (5, 0.001), (6, 0.0001)] {
        let mut f = BlockedBloomFilter::new(n, p).unwrap();
        for key in distinct_u64s(seed).take(n as usize) {
            f.insert(&key);
        }
        let theory = blocked_fpr(f.blocks(), f.hashes(), n);
        assert!(theory <= p);
        let fp = distinct_u64s(seed + 100)
            .take(queries)
            .filter(|k| f.contains(k))
            .count();
        check("blocked", p, theory, fp, queries, MODEL_BLOCKED);
    }
}

#[test]
fn pre_hashed_input_has_the_same_rate() {
    let (n, queries) = sizes();
    let p = 0.01;
    let mut f = BloomFilter::new(n, p).unwrap();
    // Sequential "hashes": the mix64 expansion must still spread them.
    for h in 0..n {
        f.insert_hash(h);
    }
    let theory = classic_fpr(f.bits(), f.hashes(), n);
    let fp = (n..n + queries as u64)
        .filter(|&h| f.contains_hash(h))
        .count();
    check("classic/insert_hash", p, theory, fp, queries, MODEL_CLASSIC);
}

/// `u64` keys through `insert_u64` (one folded multiplication to the first position):
/// sequential keys, and queries of the next ones, give the classic rate, at two seeds; so do
/// keys whose low 32 bits are all zero (sequential ids shifted up).
#[test]
fn u64_keys_have_the_same_rate() {
    let (n, queries) = sizes();
    for (seed, p, shift) in [(0u64, 0.01, 0), (0x5eed, 0.001, 0), (0, 0.01, 32)] {
        let mut f = BloomFilter::with_seed(n, p, seed).unwrap();
        for key in 0..n {
            f.insert_u64(key << shift);
        }
        assert!((0..n).all(|key| f.contains_u64(key << shift)));
        let theory = classic_fpr(f.bits(), f.hashes(), n);
        let fp = (n..n + queries as u64)
            .filter(|&key| f.contains_u64(key << shift))
            .count();
        check("classic/insert_u64", p, theory, fp, queries, MODEL_CLASSIC);
    }
}

/// Pre-hashed input through `insert_hash`, used as given: the stable 64-bit hash of
/// sequential ids gives the same rate as items do.
#[test]
fn blocked_pre_hashed_input_has_the_same_rate() {
    let (n, queries) = sizes();
    let mut f = BlockedBloomFilter::new(n, 0.01).unwrap();
    let hash = |i: u64| hpds_core::hash::hash_u64(i, 7);
    for h in 0..n {
        f.insert_hash(hash(h));
    }
    let theory = blocked_fpr(f.blocks(), f.hashes(), n);
    let fp = (n..n + queries as u64)
        .filter(|&h| f.contains_hash(hash(h)))
        .count();
    check(
        "blocked/insert_hash",
        0.01,
        theory,
        fp,
        queries,
        MODEL_BLOCKED,
    );
}

/// The compounded rate stays at most p after growing 10,000x from a small start: measured on
/// non-members against the filter's own prediction (the sub-filters' Poisson-mixture rates
/// compounded) and against p, each within the binomial bound.
#[test]
fn scalable_stays_under_p_after_10000x_growth() {
    let (n0, queries) = if cfg!(miri) {
        (1, 2_000)
    } else {
        (100, 1_000_000)
    };
    // The defaults (growth 4, tightening 0.85) at two rates, and growth 2 with tightening 0.9.
    for (seed, p, growth, r, stages) in [
        (7u64, 0.01, 4, 0.85, 8),
        (8, 0.001, 4, 0.85, 8),
        (9, 0.01, 2, 0.9, 14),
    ] {
        let mut f = ScalableBloomFilter::builder(n0, p)
            .growth(growth)
            .tightening(r)
            .build()
            .unwrap();
        let total = n0 * 10_000;
        for key in distinct_u64s(seed).take(total as usize) {
            f.insert(&key);
        }
        assert!(f.stages() >= stages, "grew through {} stages", f.stages());
        // Items wrongly seen as duplicates are not counted; their share is at most p.
        assert!(f.len() as f64 >= total as f64 * (1.0 - p));
        let predicted = f.false_positive_rate();
        assert!(predicted <= p, "predicted {predicted} > {p}");
        let fp = distinct_u64s(seed + 100)
            .take(queries)
            .filter(|k| f.contains(k))
            .count();
        check("scalable", p, predicted, fp, queries, MODEL_BLOCKED);
        let measured = fp as f64 / queries as f64;
        assert!(measured <= p + Z * (p / queries as f64).sqrt());
    }
}

/// Memory of the scalable filter against a classic filter pre-sized for the same items, with
/// the defaults (growth 4, tightening 0.85, p = 1%, started at 1,000 items): at most 2x up to
/// seven sub-filters (5.5M items) at the points where its newest sub-filter is full (the low
/// points of the sawtooth), and about four times that just after a new one is added (the high
/// points).
#[test]
#[cfg_attr(miri, ignore = "millions of inserts")]
fn scalable_memory_sawtooth() {
    let p = 0.01;
    let mut f = ScalableBloomFilter::new(1_000, p).unwrap();
    let mut keys = distinct_u64s(9);
    let mut inserted = 0u64;
    for stages in 1..=7u32 {
        // Full when the newest holds its capacity: 1,000 (4^stages - 1) / 3 new items in all.
        let full = 1_000 * ((1u64 << (2 * stages)) - 1) / 3;
        while f.len() < full {
            f.insert(&keys.next().unwrap());
            inserted += 1;
        }
        assert_eq!(f.stages(), stages as usize);
        let classic = hpds_bloom::params::classic_shape(inserted, p).unwrap().0 as f64;
        let low = f.bits() as f64 / classic;
        // The next insert adds a sub-filter three times as large as all the others together.
        f.insert(&keys.next().unwrap());
        inserted += 1;
        let high = f.bits() as f64 / classic;
        println!("{stages} stages: {low:.2}x classic when full, {high:.2}x after growing");
        assert!(low <= 2.0, "{stages} stages: {low:.2}x");
        // Capacity then roughly quadruples while the items do not: about four times the low
        // point from three stages on (more before, where the first sub-filter is a larger
        // share).
        if stages >= 3 {
            assert!(high <= 4.3 * low, "{stages} stages: {high:.2}x");
        }
    }
}
