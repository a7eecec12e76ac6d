//! Model-based properties, merge laws, set operations, bounds, codec and edge cases.

mod common;

use std::collections::BTreeSet;

use common::{hex, stream};
use hpds_core::codec::ByteCodec;
use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{DistinctCounter, ErrorKind, HeapSize};
use hpds_kmv::Kmv;
use hpds_testkit::streams::distinct_u64s;
use proptest::prelude::*;

/// The KMV estimate computed by brute force from every distinct hash.
fn model_estimate(k: usize, hashes: &BTreeSet<u64>) -> f64 {
    if hashes.len() < k {
        return hashes.len() as f64;
    }
    let kth = *hashes.iter().nth(k - 1).unwrap();
    (k as f64 - 1.0) / ((kth as f64 + 1.0) / 18_446_744_073_709_551_616.0)
}

fn sketch(k: usize, hashes: impl IntoIterator<Item = u64>) -> Kmv {
    let mut s = Kmv::new(k).unwrap();
    hashes.into_iter().for_each(|h| s.insert_hash(h));
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 96 }))]

    /// Against a `BTreeSet` of every distinct hash: the k smallest are held and the estimate
    /// is the brute-force KMV estimate (exact while the sketch is exact).
    #[test]
    fn matches_brute_force(k in 2usize..80, hashes in stream()) {
        let s = sketch(k, hashes.iter().copied());
        let model: BTreeSet<u64> = hashes.iter().copied().filter(|&h| h != u64::MAX).collect();
        let held = s.sorted_values();
        let smallest: Vec<u64> = model.iter().copied().take(k.min(held.len())).collect();
        prop_assert_eq!(&held[..smallest.len()], &smallest[..]);
        if s.is_exact() {
            prop_assert_eq!(s.estimate(), model.len() as f64);
            prop_assert_eq!(held.len(), model.len());
        } else {
            prop_assert_eq!(s.estimate(), model_estimate(k, &model));
            prop_assert!(held.len() >= k && held.len() < 2 * k.max(8));
        }
    }

    /// Repeats change nothing: inserting the stream twice, or any repeats, gives the same sketch.
    #[test]
    fn idempotent(k in 2usize..64, hashes in stream()) {
        let once = sketch(k, hashes.iter().copied());
        let mut twice = once.clone();
        for &h in &hashes {
            twice.insert_hash(h);
        }
        prop_assert_eq!(&once, &twice);
        let mut merged = once.clone();
        merged.merge(&once).unwrap();
        prop_assert_eq!(&once, &merged);
    }

    /// Merge laws: the merged estimate equals that of the sketch of the concatenated stream, in
    /// either order and grouping; the empty sketch is the identity.
    #[test]
    fn merge_laws(k in 2usize..64, a in stream(), b in stream(), c in stream()) {
        let (sa, sb, sc) = (sketch(k, a.clone()), sketch(k, b.clone()), sketch(k, c.clone()));
        let all = sketch(k, a.iter().chain(&b).chain(&c).copied());
        let mut ab_c = sa.clone();
        ab_c.merge(&sb).unwrap();
        ab_c.merge(&sc).unwrap();
        let mut bc = sb.clone();
        bc.merge(&sc).unwrap();
        let mut a_bc = bc.clone();
        a_bc.merge(&sa).unwrap();
        prop_assert_eq!(ab_c.estimate(), all.estimate());
        prop_assert_eq!(a_bc.estimate(), all.estimate());
        let mut e = Kmv::new(k).unwrap();
        e.merge(&sa).unwrap();
        prop_assert_eq!(&e, &sa);
        let mut a2 = sa.clone();
        a2.merge(&Kmv::new(k).unwrap()).unwrap();
        prop_assert_eq!(&a2, &sa);
        // Union estimate without building the union: exact while both are exact (even past
        // the point where a sketch of the union would start estimating).
        let union = sketch(k, a.iter().chain(&b).copied());
        let expected = if sa.is_exact() && sb.is_exact() {
            a.iter().chain(&b).filter(|&&h| h != u64::MAX).collect::<BTreeSet<_>>().len() as f64
        } else {
            union.estimate()
        };
        prop_assert_eq!(sa.union_estimate(&sb).unwrap(), expected);
    }

    /// Canonical bytes depend only on the items, whatever the order and split of inserts
    /// and merges; canonicalizing keeps the estimate.
    #[test]
    fn canonical_bytes_ignore_history(k in 2usize..64, a in stream(), b in stream()) {
        let all: Vec<u64> = a.iter().chain(&b).copied().collect();
        let mut one = sketch(k, all.iter().copied());
        let estimate = one.estimate();
        one.canonicalize();
        prop_assert_eq!(one.estimate(), estimate);
        let bytes = one.to_bytes();
        let mut ab = sketch(k, a.iter().copied()); ab.merge(&sketch(k, b.iter().copied())).unwrap();
        let mut ba = sketch(k, b.iter().copied()); ba.merge(&sketch(k, a.iter().copied())).unwrap();
        let mut pieces = Kmv::new(k).unwrap();
        for chunk in all.chunks(3) { pieces.merge(&sketch(k, chunk.iter().copied())).unwrap(); }
        for s in [&mut ab, &mut ba, &mut pieces] {
            s.canonicalize();
            prop_assert_eq!(&s.to_bytes(), &bytes);
        }
        prop_assert_eq!(Kmv::from_bytes(&bytes).unwrap(), one);
    }

    #[test]
    fn codec_roundtrip(k in 2usize..64, hashes in stream()) {
        let s = sketch(k, hashes);
        let t = Kmv::from_bytes(&s.to_bytes()).unwrap();
        prop_assert_eq!(&s, &t);
        prop_assert_eq!(s.estimate(), t.estimate());
    }

    #[test]
    fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = Kmv::from_bytes(&bytes);
    }

    /// Arbitrary payloads behind a valid frame reach the field checks.
    #[test]
    fn decoder_checks_fields(k in 0u64..100, theta in any::<u64>(), values in proptest::collection::vec(any::<u64>(), 0..200)) {
        let mut enc = hpds_core::codec::Encoder::new(*b"KMV ", <Kmv as ByteCodec>::VERSION);
        enc.put_u64(k);
        enc.put_u64(DEFAULT_SEED);
        enc.put_u64(theta);
        enc.put_u64_slice(&values);
        if let Ok(s) = Kmv::from_bytes(&enc.finish()) {
            prop_assert!(s.estimate() >= 0.0);
            prop_assert_eq!(s.sorted_values(), values);
        }
    }
}

#[test]
fn bad_parameters_are_errors() {
    common::assert_parameters_checked(Kmv::new, Kmv::estimate_bounds);
    common::assert_parameters_checked(Kmv::new, Kmv::relative_error_bound);
    let mut a = Kmv::new(16).unwrap();
    assert!(matches!(
        a.merge(&Kmv::new(32).unwrap()).unwrap_err().kind(),
        ErrorKind::Incompatible { what: "k", .. }
    ));
    assert!(a.merge(&Kmv::with_seed(16, 1).unwrap()).is_err());
    assert!(a.jaccard(&Kmv::with_seed(16, 1).unwrap()).is_err());
}

#[test]
fn exact_regime_and_edges() {
    let mut s = Kmv::new(100).unwrap();
    assert!(s.is_empty() && s.is_exact());
    assert_eq!(s.estimate(), 0.0);
    assert_eq!(s.estimate_bounds(0.95).unwrap(), (0.0, 0.0));
    for word in ["to", "be", "or", "not", "to", "be"] {
        s.insert(word);
    }
    assert_eq!(s.estimate(), 4.0);
    assert_eq!(s.len(), 4);
    assert_eq!(s.theta(), 1.0);
    assert_eq!(s.relative_std_error(), 0.0);
    // u64::MAX is the one hash never retained.
    s.insert_hash(u64::MAX);
    assert_eq!(s.estimate(), 4.0);
    s.clear();
    assert!(s.is_empty());
    // k = 2, the smallest sketch, still estimates.
    let t = sketch(2, distinct_u64s(1).take(1000));
    assert!(!t.is_exact() && t.len() >= 2 && t.estimate() > 0.0);
    assert!(t.relative_std_error().is_infinite());
    // insert_u64 and the trait's insert hash a u64 the same way.
    let mut a = Kmv::new(8).unwrap();
    let mut b = Kmv::new(8).unwrap();
    a.insert_u64(42);
    DistinctCounter::insert(&mut b, &42u64);
    assert_eq!(a, b);
    let c: Kmv = ["x", "y", "x"].into_iter().collect();
    assert_eq!((c.k(), c.seed(), c.estimate()), (1024, DEFAULT_SEED, 2.0));
    assert!(format!("{c:?}").contains("k: 1024"));
}

#[test]
fn memory_grows_to_two_k_slots() {
    let mut s = Kmv::new(1024).unwrap();
    assert_eq!(s.heap_bytes(), 16 * 8);
    s.extend(0u64..100_000);
    assert_eq!(s.heap_bytes(), 2048 * 8);
    assert!(s.len() >= 1024 && s.len() < 1536);
}

#[test]
fn union_of_disjoint_and_overlapping_streams() {
    // 100 seeds of two streams of 200k distinct items overlapping in 100k: the merged estimate
    // is within 5 standard errors of the union (300k) on average, and each within 5 sigma.
    let k = 512;
    let sigma = 1.0 / ((k - 2) as f64).sqrt();
    for overlap in [0u64, 100_000] {
        let mut sum = 0.0;
        for seed in 0..40u64 {
            let items: Vec<u64> = distinct_u64s(seed)
                .take(400_000 - overlap as usize)
                .collect();
            let a = sketch(k, items[..200_000].iter().copied());
            let b = sketch(k, items[200_000 - overlap as usize..].iter().copied());
            let mut u = a.clone();
            u.merge(&b).unwrap();
            let truth = (400_000 - overlap) as f64;
            let rel = u.estimate() / truth - 1.0;
            assert!(rel.abs() < 5.0 * sigma, "seed {seed}: {rel}");
            sum += rel;
        }
        assert!(
            (sum / 40.0).abs() < 5.0 * sigma / 40f64.sqrt(),
            "bias {}",
            sum / 40.0
        );
    }
}

#[test]
fn jaccard_and_intersection_with_known_overlap() {
    // |A| = |B| = 100k with overlap o: J = o / (200k - o). The Jaccard estimate is a proportion
    // among k samples: standard error sqrt(J(1-J)/k); the mean of 30 seeds must be within 5 of
    // its standard errors, and every estimate within 6 standard errors.
    let k = 1024;
    for overlap in [0usize, 10_000, 50_000, 100_000] {
        let j = overlap as f64 / (200_000 - overlap) as f64;
        let se = (j * (1.0 - j) / k as f64).sqrt().max(1e-9);
        let (mut sum_j, mut sum_i) = (0.0, 0.0);
        for seed in 0..30u64 {
            let items: Vec<u64> = distinct_u64s(seed + 100).take(200_000 - overlap).collect();
            let a = sketch(k, items[..100_000].iter().copied());
            let b = sketch(k, items[100_000 - overlap..].iter().copied());
            let est = a.jaccard(&b).unwrap();
            assert!(
                (est - j).abs() <= 6.0 * se,
                "overlap {overlap}: J {est} vs {j}"
            );
            assert_eq!(est, b.jaccard(&a).unwrap());
            sum_j += est;
            sum_i += a.intersection_estimate(&b).unwrap();
        }
        assert!((sum_j / 30.0 - j).abs() <= 5.0 * se / 30f64.sqrt() + 1e-12);
        // Intersection: J · union, relative error about sqrt((1-J)/(J k)) + 1/sqrt(k).
        if overlap > 0 {
            let rel = sum_i / 30.0 / overlap as f64 - 1.0;
            let se_rel = ((1.0 - j) / (j * k as f64)).sqrt() + 1.0 / (k as f64).sqrt();
            assert!(
                rel.abs() <= 5.0 * se_rel / 30f64.sqrt(),
                "overlap {overlap}: {rel}"
            );
        } else {
            assert_eq!(sum_i, 0.0);
        }
    }
    // Exact regime: exact answers.
    let a = sketch(64, [1, 2, 3, 4]);
    let b = sketch(64, [3, 4, 5]);
    assert_eq!(a.jaccard(&b).unwrap(), 2.0 / 5.0);
    assert_eq!(a.intersection_estimate(&b).unwrap(), 2.0);
    assert_eq!(a.union_estimate(&b).unwrap(), 5.0);
    let e = Kmv::new(64).unwrap();
    assert_eq!(e.jaccard(&e).unwrap(), 1.0);
}

#[test]
fn bounds_cover_at_their_confidence() {
    // 95 % bounds over 400 independent sketches of 50k items: coverage is binomial with sd
    // sqrt(0.95·0.05/400) ≈ 1.1 %; it must lie within 4 sd (90.6 %..99.4 %) for both k.
    for k in [64usize, 1024] {
        let (mut covered, mut covered_sym) = (0, 0);
        for seed in 0..400u64 {
            let mut s = Kmv::with_seed(k, seed).unwrap();
            distinct_u64s(seed)
                .take(50_000)
                .for_each(|h| s.insert_hash(h));
            let (lo, hi) = s.estimate_bounds(0.95).unwrap();
            covered += usize::from(lo <= 50_000.0 && 50_000.0 <= hi);
            let eps = s.relative_error_bound(0.95).unwrap();
            covered_sym += usize::from((s.estimate() / 50_000.0 - 1.0).abs() <= eps);
        }
        for c in [covered, covered_sym] {
            assert!((362..=398).contains(&c), "k {k}: coverage {c} / 400");
        }
    }
}

#[test]
fn golden_bytes() {
    // Format version 2, fixed by this vector: a change here is a format change.
    // k = 2 rebuilds at 4 retained values: it keeps 10 and 20, and θ drops to 21.
    let s = sketch(2, [30, 10, 20, 10, 40]);
    assert!(!s.is_exact());
    let payload = concat!(
        "0200000000000000",
        "6565732d73647068", // k = 2, seed DEFAULT_SEED
        "1500000000000000", // θ = 21
        "0200000000000000", // two values:
        "0a00000000000000",
        "1400000000000000", // 10, 20
    );
    // Compact hpds frame: magic "hp", kind 5 ("KMV "), version 2, length 48; 4-byte checksum.
    let bytes = s.to_bytes();
    assert_eq!(
        hex(&bytes[..bytes.len() - 4]),
        format!("6870050230{payload}")
    );
    assert_eq!(Kmv::from_bytes(&bytes).unwrap(), s);
    // Version 1 (here in the legacy frame: magic, "KMV ", u16 version, u64 length; xxh3-64
    // checksum) hashed strings through `Hash`, not their bytes: it is refused as retired.
    let mut legacy = unhex(&format!("485044534b4d562001003000000000000000{payload}"));
    let sum = hpds_core::hash::hash_bytes(&legacy, 0);
    legacy.extend_from_slice(&sum.to_le_bytes());
    let err = Kmv::from_bytes(&legacy).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            hpds_core::ErrorKind::Decode(hpds_core::DecodeError::RetiredVersion {
                oldest: 2,
                got: 1
            })
        ),
        "{err}"
    );
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[cfg(feature = "serde")]
#[test]
fn serde_roundtrip_and_validation() {
    let s = sketch(16, distinct_u64s(3).take(1000));
    let t: Kmv = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(s, t);
    // The encoding is validated on the way in (see tests/serde.rs for the convention).
    assert!(serde_json::from_str::<Kmv>(r#""aGVsbG8=""#).is_err());
}
