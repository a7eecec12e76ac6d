//! ThetaSketch: model-based properties against exact sets and brute force, set operations,
//! merge laws, accuracy against theory, confidence bounds, codec and edge cases.

mod common;

use std::collections::{BTreeSet, HashSet};

use common::{hex, stream};
use hpds_core::codec::{ByteCodec, Encoder};
use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{DistinctCounter, ErrorKind, HeapSize};
use hpds_kmv::ThetaSketch;
use hpds_testkit::streams::distinct_u64s;
use hpds_testkit::{Accuracy, accuracy::table, log_scale};
use proptest::prelude::*;

fn sketch(k: usize, hashes: impl IntoIterator<Item = u64>) -> ThetaSketch {
    let mut s = ThetaSketch::new(k).unwrap();
    hashes.into_iter().for_each(|h| s.insert_hash(h));
    s
}

/// The distinct hashes of a stream (`u64::MAX`, never retained, left out).
fn distinct(hashes: &[u64]) -> BTreeSet<u64> {
    hashes.iter().copied().filter(|&h| h != u64::MAX).collect()
}

fn below(set: &BTreeSet<u64>, theta: u64) -> Vec<u64> {
    set.range(..theta).copied().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 96 }))]

    /// Against a `BTreeSet` of every distinct hash: the sketch holds exactly the hashes below θ,
    /// at least `min_retained` (`2k - k/8`) smallest, fewer than its capacity `2k`, and estimates
    /// `retained / θ`.
    #[test]
    fn holds_every_hash_below_theta(k in 2usize..80, hashes in stream()) {
        let s = sketch(k, hashes.iter().copied());
        let model = distinct(&hashes);
        let held = s.sorted_values();
        prop_assert_eq!(&held, &below(&model, s.theta_u64()));
        prop_assert_eq!(s.retained(), held.len());
        prop_assert!(held.len() < s.capacity());
        prop_assert_eq!(s.capacity(), 2 * k);
        prop_assert_eq!(s.min_retained(), 2 * k - (k / 8).max(1));
        if s.is_exact() {
            prop_assert_eq!(s.estimate(), model.len() as f64);
        } else {
            prop_assert!(held.len() >= s.min_retained());
            let theta = s.theta_u64() as f64 / 18_446_744_073_709_551_616.0;
            prop_assert_eq!(s.estimate(), held.len() as f64 / theta);
        }
        prop_assert!(s.heap_bytes() <= 8 * s.capacity());
    }

    /// Set operations against exact sets, where every sketch is exact (fewer distinct items
    /// than k): the estimates are the exact sizes and Jaccard the exact ratio.
    #[test]
    fn exact_set_operations_match_hash_sets(
        a in proptest::collection::vec(0u32..60, 0..80),
        b in proptest::collection::vec(0u32..60, 0..80),
    ) {
        let mut sa = ThetaSketch::new(64).unwrap();
        let mut sb = ThetaSketch::new(64).unwrap();
        sa.extend(&a);
        sb.extend(&b);
        let (ha, hb): (HashSet<u32>, HashSet<u32>) =
            (a.iter().copied().collect(), b.iter().copied().collect());
        prop_assert!(sa.is_exact() && sb.is_exact());
        prop_assert_eq!(sa.union(&sb).unwrap().estimate(), ha.union(&hb).count() as f64);
        prop_assert_eq!(sa.intersect(&sb).unwrap().estimate(), ha.intersection(&hb).count() as f64);
        prop_assert_eq!(sa.a_not_b(&sb).unwrap().estimate(), ha.difference(&hb).count() as f64);
        let union = ha.union(&hb).count();
        let jaccard = if union == 0 { 1.0 } else { ha.intersection(&hb).count() as f64 / union as f64 };
        prop_assert_eq!(sa.jaccard(&sb).unwrap(), jaccard);
        let mut merged = sa.clone();
        merged.merge(&sb).unwrap();
        prop_assert_eq!(merged.estimate(), union as f64);
    }

    /// Set operations in the estimating regime against brute force: below min(θ_A, θ_B) the
    /// results hold exactly the hashes of A ∪ B, A ∩ B and A \ B (the union trimmed to
    /// `min_retained`), and the union holds the `min_retained` smallest hashes of A ∪ B.
    #[test]
    fn set_operations_match_brute_force(k in 2usize..40, a in stream(), b in stream()) {
        let (sa, sb) = (sketch(k, a.iter().copied()), sketch(k, b.iter().copied()));
        let (ma, mb) = (distinct(&a), distinct(&b));
        let theta = sa.theta_u64().min(sb.theta_u64());
        let inter: BTreeSet<u64> = ma.intersection(&mb).copied().collect();
        let diff: BTreeSet<u64> = ma.difference(&mb).copied().collect();
        let all: BTreeSet<u64> = ma.union(&mb).copied().collect();
        let i = sa.intersect(&sb).unwrap();
        prop_assert_eq!(i.theta_u64(), theta);
        prop_assert_eq!(i.sorted_values(), below(&inter, theta));
        let d = sa.a_not_b(&sb).unwrap();
        prop_assert_eq!(d.sorted_values(), below(&diff, theta));
        let u = sa.union(&sb).unwrap();
        let u_values = u.sorted_values();
        prop_assert!(u.theta_u64() <= theta);
        prop_assert_eq!(&u_values, &below(&all, u.theta_u64()));
        prop_assert!(u_values.len() <= u.min_retained());
        let smallest: Vec<u64> = all.iter().copied().take(u.min_retained()).collect();
        prop_assert_eq!(&u_values, &smallest);
        // Jaccard: the fraction of the union's hashes below θ held by both.
        let pool = below(&all, theta).len();
        let j = sa.jaccard(&sb).unwrap();
        if pool == 0 {
            prop_assert_eq!(j, 1.0);
        } else {
            prop_assert_eq!(j, below(&inter, theta).len() as f64 / pool as f64);
        }
    }

    /// Merge laws: commutative, associative, the empty sketch is the identity and merging a
    /// sketch with itself gives its compact form; merge is union in place.
    #[test]
    fn merge_laws(k in 2usize..48, a in stream(), b in stream(), c in stream()) {
        let (sa, sb, sc) = (sketch(k, a), sketch(k, b), sketch(k, c));
        let ab = sa.union(&sb).unwrap();
        prop_assert_eq!(&ab, &sb.union(&sa).unwrap());
        let ab_c = ab.union(&sc).unwrap();
        let a_bc = sa.union(&sb.union(&sc).unwrap()).unwrap();
        prop_assert_eq!(&ab_c, &a_bc);
        let empty = ThetaSketch::new(k).unwrap();
        prop_assert_eq!(&empty.union(&sa).unwrap(), &sa.compact());
        prop_assert_eq!(&sa.union(&empty).unwrap(), &sa.compact());
        prop_assert_eq!(&sa.union(&sa).unwrap(), &sa.compact());
        let mut m = sa.clone();
        m.merge(&sb).unwrap();
        prop_assert_eq!(&m, &ab);
        // Repeats change nothing but the moment of the next trim.
        let mut twice = sa.clone();
        for h in sa.sorted_values() {
            twice.insert_hash(h);
        }
        prop_assert_eq!(&twice.compact(), &sa.compact());
    }

    #[test]
    fn codec_roundtrip(k in 2usize..64, hashes in stream()) {
        let s = sketch(k, hashes);
        let bytes = s.to_bytes();
        let t = ThetaSketch::from_bytes(&bytes).unwrap();
        prop_assert_eq!(&s, &t);
        prop_assert_eq!(s.estimate(), t.estimate());
        prop_assert_eq!(t.to_bytes(), bytes);
    }

    #[test]
    fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = ThetaSketch::from_bytes(&bytes);
    }

    /// Arbitrary payloads behind a valid frame reach the field checks; what decodes re-encodes
    /// to the same bytes.
    #[test]
    fn decoder_checks_fields(
        k in 0u64..100,
        theta in any::<u64>(),
        count in 0u64..40,
        b in 0u8..70,
        bits in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut enc = Encoder::new(*b"THTA", 1);
        enc.put_varint(k);
        enc.put_u64(DEFAULT_SEED);
        enc.put_u64(theta);
        enc.put_varint(count);
        enc.put_u8(b);
        enc.put_raw(&bits);
        let bytes = enc.finish();
        if let Ok(s) = ThetaSketch::from_bytes(&bytes) {
            prop_assert!(s.estimate() >= 0.0);
            prop_assert_eq!(s.to_bytes(), bytes);
        }
    }
}

/// Accuracy across cardinalities 1..10^6 over seeded trials.
///
/// Theory. Once the sketch estimates, θ is the (k+1)-th smallest of the first `m` hashes (its
/// last trim) and later distinct items are kept with probability θ, so `retained / θ` is
/// unbiased with relative variance about `1/r - 1/n`, where `r` (the hashes retained) lies in
/// `[k, k + k/8)`: the RMSE lies between `sqrt(1/(k + k/8) - 1/n)` and `sqrt(1/k - 1/n)`.
///
/// Bounds. With `t` trials the mean relative error must be within 4 of its standard errors
/// (`bias_z <= 4`), and the RMSE within `(1 ± 4 sqrt((2 + 30/k) / (4t)))` of that range (the
/// sample RMSE's relative spread for this nearly normal error). Below `k` the count is exact.
/// An estimator from the k-th smallest only (`(k - 1) / U_k`, the Kmv's) or with the wrong
/// count fails the range at large `k`; one that is biased fails `bias_z`.
fn check_accuracy(k: usize, trials: usize, max_n: u64, seed: u64) {
    let plan = Accuracy::new(trials, log_scale(1, max_n, 4), seed);
    let rows = plan.run_streaming(
        |s| ThetaSketch::with_seed(k, s).unwrap(),
        ThetaSketch::insert_hash,
        DistinctCounter::estimate,
    );
    let kf = k as f64;
    let cap = 2.0 * kf;
    let keep = (2 * k - (k / 8).max(1)) as f64;
    let slack = 4.0 * ((2.0 + 30.0 / kf) / (4.0 * trials as f64)).sqrt();
    for r in &rows {
        let report = || format!("k = {k}, n = {}\n{}", r.n, table(&rows));
        if r.n < 2 * k as u64 {
            assert_eq!(r.rmse, 0.0, "exact below 2k: {}", report());
            continue;
        }
        let nf = r.n as f64;
        let hi = (1.0 / keep - 1.0 / nf).max(0.0).sqrt();
        let lo = (1.0 / cap - 1.0 / nf).max(0.0).sqrt();
        assert!(
            r.bias_z() <= 4.0,
            "bias z = {:.2}: {}",
            r.bias_z(),
            report()
        );
        assert!(r.rmse <= hi * (1.0 + slack), "rmse too large: {}", report());
        if r.n >= 8 * k as u64 {
            assert!(r.rmse >= lo * (1.0 - slack), "rmse too small: {}", report());
        }
    }
    println!("k = {k}\n{}", table(&rows));
}

#[test]
fn accuracy_k64_up_to_one_million() {
    if cfg!(miri) {
        return check_accuracy(64, 4, 1000, 1);
    }
    check_accuracy(64, 400, 1_000_000, 1);
}

#[test]
fn accuracy_k1024_up_to_one_million() {
    if cfg!(miri) {
        return check_accuracy(1024, 2, 2000, 2);
    }
    check_accuracy(1024, 200, 1_000_000, 2);
}

/// Two streams of 100k distinct items overlapping in `o`, from the same seed's item sequence.
fn pair(k: usize, seed: u64, overlap: usize) -> (ThetaSketch, ThetaSketch) {
    let items: Vec<u64> = distinct_u64s(seed).take(200_000 - overlap).collect();
    (
        sketch(k, items[..100_000].iter().copied()),
        sketch(k, items[100_000 - overlap..].iter().copied()),
    )
}

#[test]
fn jaccard_intersection_and_difference_against_theory() {
    // |A| = |B| = 100k, overlap o. Below θ = min(θ_A, θ_B) about m = |A ∪ B|·θ hashes of the
    // union are known exactly: Jaccard is a proportion among them (standard error
    // sqrt(J(1-J)/m)); the intersection and difference estimates have relative standard
    // error about sqrt(1/(|X|·θ)). Mean over 30 seeds within 5 standard errors of the mean;
    // every single estimate within 6 standard errors.
    let k = 1024;
    let trials = 30u64;
    for overlap in [0usize, 10_000, 50_000, 100_000] {
        let union = (200_000 - overlap) as f64;
        let j = overlap as f64 / union;
        let (mut sum_j, mut sum_i, mut sum_d) = (0.0, 0.0, 0.0);
        let mut theta_sum = 0.0;
        for seed in 0..trials {
            let (a, b) = pair(k, seed + 100, overlap);
            let theta = a.theta().min(b.theta());
            theta_sum += theta;
            let m = union * theta;
            let se = (j * (1.0 - j) / m).sqrt().max(1e-9);
            let est = a.jaccard(&b).unwrap();
            assert!(
                (est - j).abs() <= 6.0 * se,
                "overlap {overlap}: J {est} vs {j}"
            );
            assert_eq!(est, b.jaccard(&a).unwrap());
            sum_j += est;
            sum_i += a.intersect(&b).unwrap().estimate();
            sum_d += a.a_not_b(&b).unwrap().estimate();
        }
        let t = trials as f64;
        let theta = theta_sum / t;
        let se_j = (j * (1.0 - j) / (union * theta)).sqrt();
        assert!(
            (sum_j / t - j).abs() <= 5.0 * se_j / t.sqrt() + 1e-12,
            "overlap {overlap}"
        );
        let rel_se = |count: f64| (1.0 / (count * theta)).sqrt();
        if overlap > 0 {
            let rel = sum_i / t / overlap as f64 - 1.0;
            assert!(
                rel.abs() <= 5.0 * rel_se(overlap as f64) / t.sqrt(),
                "overlap {overlap}: {rel}"
            );
        } else {
            assert_eq!(sum_i, 0.0);
        }
        let only_a = (100_000 - overlap) as f64;
        if only_a > 0.0 {
            let rel = sum_d / t / only_a - 1.0;
            assert!(
                rel.abs() <= 5.0 * rel_se(only_a) / t.sqrt(),
                "overlap {overlap}: {rel}"
            );
        } else {
            assert_eq!(sum_d, 0.0);
        }
    }
}

#[test]
fn bounds_cover_at_their_confidence() {
    // 95 % bounds over 400 independent trials: coverage is binomial with sd
    // sqrt(0.95·0.05/400) ≈ 1.1 %; it must lie within 4 sd (90.6 %..99.4 %). Plain sketches
    // (normal approximation at k = 1024, exact sums at k = 64) and intersections of few
    // hashes (exact sums).
    for k in [64usize, 1024] {
        let mut covered = 0;
        for seed in 0..400u64 {
            let s = sketch(k, distinct_u64s(seed ^ 0xb0b).take(50_000));
            let (lo, hi) = s.estimate_bounds(0.95).unwrap();
            covered += usize::from(lo <= 50_000.0 && 50_000.0 <= hi);
        }
        assert!(
            (362..=398).contains(&covered),
            "k {k}: coverage {covered} / 400"
        );
    }
    let mut covered = 0;
    for seed in 0..400u64 {
        let (a, b) = pair(256, seed + 7, 5_000);
        let (lo, hi) = a.intersect(&b).unwrap().estimate_bounds(0.95).unwrap();
        covered += usize::from(lo <= 5_000.0 && 5_000.0 <= hi);
    }
    assert!(
        (362..=398).contains(&covered),
        "intersection coverage {covered} / 400"
    );
}

#[test]
fn bad_parameters_and_incompatible_sketches_are_errors() {
    common::assert_parameters_checked(ThetaSketch::new, ThetaSketch::estimate_bounds);
    let mut a = ThetaSketch::new(16).unwrap();
    let other = ThetaSketch::with_seed(16, 1).unwrap();
    for e in [
        a.union(&other).unwrap_err(),
        a.intersect(&other).unwrap_err(),
        a.a_not_b(&other).unwrap_err(),
        a.jaccard(&other).unwrap_err(),
        a.merge(&other).unwrap_err(),
    ] {
        assert!(
            matches!(e.kind(), ErrorKind::Incompatible { what: "seed", .. }),
            "{e}"
        );
    }
    // Different k combine: the union takes the smaller.
    let big = sketch(64, distinct_u64s(1).take(1000));
    let small = sketch(16, distinct_u64s(2).take(1000));
    assert_eq!(big.union(&small).unwrap().k(), 16);
    assert_eq!(big.union(&small).unwrap().retained(), 30);
}

#[test]
fn exact_regime_and_edges() {
    let mut s = ThetaSketch::new(100).unwrap();
    assert!(s.is_empty() && s.is_exact());
    assert_eq!(s.estimate(), 0.0);
    assert_eq!(s.estimate_bounds(0.95).unwrap(), (0.0, 0.0));
    assert_eq!(s.relative_std_error(), 0.0);
    for word in ["to", "be", "or", "not", "to", "be"] {
        s.insert(word);
    }
    assert_eq!(s.estimate(), 4.0);
    assert_eq!(s.retained(), 4);
    assert_eq!(s.theta(), 1.0);
    s.insert_hash(u64::MAX); // the one hash never retained
    assert_eq!(s.estimate(), 4.0);
    s.clear();
    assert!(s.is_empty() && s.is_exact());
    // k = 2, the smallest sketch, still estimates.
    let t = sketch(2, distinct_u64s(1).take(1000));
    assert!(!t.is_exact() && t.retained() >= 3 && t.estimate() > 0.0);
    // An intersection with nothing below θ estimates 0 with a finite upper bound.
    let (a, b) = pair(16, 3, 0);
    let i = a.intersect(&b).unwrap();
    assert_eq!(i.estimate(), 0.0);
    let (lo, hi) = i.estimate_bounds(0.95).unwrap();
    assert!(lo == 0.0 && hi > 0.0 && hi.is_finite());
    // The trait and the inherent methods agree; FromIterator uses the default k.
    let mut x = ThetaSketch::new(8).unwrap();
    let mut y = ThetaSketch::new(8).unwrap();
    x.insert(&42u64);
    DistinctCounter::insert(&mut y, &42u64);
    assert_eq!(x, y);
    // The same bytes are the same item whatever their Rust type.
    let mut one = ThetaSketch::new(8).unwrap();
    one.insert("abc");
    one.insert(&b"abc"[..]);
    one.insert(&String::from("abc"));
    one.insert(&b"abc".to_vec());
    assert_eq!(one.estimate(), 1.0);
    let c: ThetaSketch = ["x", "y", "x"].into_iter().collect();
    assert_eq!(
        (c.k(), c.seed(), c.estimate()),
        (ThetaSketch::DEFAULT_K, DEFAULT_SEED, 2.0)
    );
    assert!(format!("{c:?}").contains("k: 4096"));
}

#[test]
fn memory_is_bounded_by_the_capacity() {
    let mut s = ThetaSketch::new(1024).unwrap();
    assert_eq!(s.heap_bytes(), 0);
    s.insert_hash(5);
    assert!(s.heap_bytes() <= 16 * 8);
    for h in distinct_u64s(9).take(1_000_000) {
        s.insert_hash(h);
    }
    assert_eq!(s.capacity(), 2048);
    assert_eq!(s.heap_bytes(), 16 * 1024);
    assert!((2048 - 128..2048).contains(&s.retained()));
    // A union of two full sketches is trimmed back to `min_retained` and allocates no more.
    let u = s
        .union(&sketch(1024, distinct_u64s(10).take(1_000_000)))
        .unwrap();
    assert_eq!(u.retained(), 2048 - 128);
    assert!(u.heap_bytes() <= 8 * u.capacity());
}

#[test]
fn serialized_size_is_near_the_entropy_of_the_gaps() {
    // r hashes below θ out of n: gaps of mean 2^64/n, coded in about log2(2^64/n) + 1.5 bits.
    for n in [10_000usize, 1_000_000] {
        let s = sketch(1024, distinct_u64s(n as u64).take(n));
        let r = s.retained() as f64;
        let bits = (18_446_744_073_709_551_616.0 / n as f64).log2() + 1.6;
        let bytes = s.to_bytes().len() as f64;
        assert!(
            bytes <= r * bits / 8.0 + 40.0,
            "n {n}: {bytes} bytes for {r} hashes"
        );
        assert!(bytes < r * 8.0 * 0.85, "n {n}: {bytes}");
    }
}

#[test]
fn golden_bytes() {
    // Format version 1, fixed by this vector: a change here is a format change.
    // k = 2 (capacity 4, min_retained 3): 30, 10, 20, 25 fill it; the trim keeps 10, 20 and
    // 25 and θ becomes 30; 40 is above θ. Its intersection with a sketch that holds 10, 20
    // and 50 holds 10 and 20 below θ = 30.
    let a = sketch(2, [30, 10, 20, 25, 40]);
    assert_eq!((a.sorted_values(), a.theta_u64()), (vec![10, 20, 25], 30));
    let s = a.intersect(&sketch(2, [50, 10, 20, 10])).unwrap();
    assert_eq!(s.sorted_values(), vec![10, 20]);
    assert_eq!(s.theta_u64(), 30);
    let payload = concat!(
        "02",               // k = 2
        "6565732d73647068", // seed DEFAULT_SEED
        "1e00000000000000", // θ = 30
        "02",               // two hashes
        "02",               // Rice parameter 2
        "7301",             // gaps 10, 9: 110 01 | 110 10, least significant bit first
    );
    // hpds frame: magic "hp", kind 0 with the tag "THTA", version 1, length 21; checksum.
    let bytes = s.to_bytes();
    assert_eq!(
        hex(&bytes[..bytes.len() - 4]),
        format!("687000544854410115{payload}")
    );
    assert_eq!(ThetaSketch::from_bytes(&bytes).unwrap(), s);
    let empty = ThetaSketch::new(2).unwrap().to_bytes();
    assert_eq!(
        hex(&empty[..empty.len() - 4]),
        "687000544854410112026565732d73647068ffffffffffffffff00"
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_roundtrip_and_validation() {
    let s = sketch(16, distinct_u64s(3).take(1000));
    let t: ThetaSketch = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(s, t);
    for bad in [
        r#"{"k":1,"seed":0,"theta":100,"hashes":[]}"#,
        r#"{"k":2,"seed":0,"theta":100,"hashes":[5,3]}"#,
        r#"{"k":2,"seed":0,"theta":4,"hashes":[3,5]}"#,
        r#"{"k":2,"seed":0,"theta":0,"hashes":[]}"#,
        r#"{"k":2,"seed":0,"theta":100,"hashes":[1,2,3]}"#,
    ] {
        assert!(serde_json::from_str::<ThetaSketch>(bad).is_err(), "{bad}");
    }
}
