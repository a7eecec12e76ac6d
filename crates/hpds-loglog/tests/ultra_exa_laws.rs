//! UltraLogLog and ExaLogLog: merge laws (also across precisions and representations),
//! sparse == dense, reduction, conversion to HyperLogLog, and edges.

use hpds_core::{DistinctCounter, ErrorKind, HeapSize};
use hpds_loglog::{ExaLogLog, ExaLogLogEstimator, HyperLogLog, UltraLogLog};
use hpds_testkit::streams::distinct_u64s;
use proptest::prelude::*;

fn ull(p: u8, hashes: &[u64]) -> UltraLogLog {
    let mut s = UltraLogLog::new(p).unwrap();
    s.insert_hashes(hashes);
    s
}

fn ell(p: u8, (t, d): (u8, u8), hashes: &[u64]) -> ExaLogLog {
    let mut s = ExaLogLog::builder().precision(p).t(t).d(d).build().unwrap();
    s.insert_hashes(hashes);
    s
}

/// Streams that reach every representation: empty, sparse, dense, and the largest values.
fn hashes() -> impl Strategy<Value = Vec<u64>> {
    prop_oneof![
        prop::collection::vec(any::<u64>(), 0..100),
        (any::<u64>(), 0usize..5000).prop_map(|(seed, n)| distinct_u64s(seed).take(n).collect()),
        prop::collection::vec(any::<u64>().prop_map(|h| h & 0xfff0_0000_0000_00ff), 0..300),
        prop::collection::vec(any::<u64>().prop_map(|h| h & 0xffff_f000_0000_0000), 0..300),
    ]
}

fn params() -> impl Strategy<Value = (u8, u8)> {
    prop_oneof![
        Just((2u8, 20u8)),
        Just((2, 24)),
        Just((1, 9)),
        Just((0, 2)),
        Just((0, 0))
    ]
}

fn concat(a: &[u64], b: &[u64]) -> Vec<u64> {
    a.iter().chain(b).copied().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 48 }))]

    #[test]
    fn ull_merge_laws(a in hashes(), b in hashes(), c in hashes(), p in 4u8..=12, dp in 0u8..=3) {
        let (sa, sb, sc) = (ull(p, &a), ull(p, &b), ull(p, &c));
        let mut ab = sa.clone(); ab.merge(&sb).unwrap();
        let mut ba = sb.clone(); ba.merge(&sa).unwrap();
        prop_assert_eq!(ab.registers(), ba.registers());
        let mut ab_c = ab.clone(); ab_c.merge(&sc).unwrap();
        let mut bc = sb.clone(); bc.merge(&sc).unwrap();
        let mut a_bc = sa.clone(); a_bc.merge(&bc).unwrap();
        prop_assert_eq!(ab_c.registers(), a_bc.registers());
        let mut aa = sa.clone(); aa.merge(&sa).unwrap();
        prop_assert_eq!(aa.registers(), sa.registers());
        let mut ae = sa.clone(); ae.merge(&UltraLogLog::new(p).unwrap()).unwrap();
        prop_assert_eq!(&ae, &sa);
        let mut ea = UltraLogLog::new(p).unwrap(); ea.merge(&sa).unwrap();
        prop_assert_eq!(ea.registers(), sa.registers());
        prop_assert_eq!(ab.registers(), ull(p, &concat(&a, &b)).registers());
        // Across precisions: a finer sketch merged in equals building at this precision.
        let fine = ull(p + dp, &b);
        let mut mixed = sa.clone(); mixed.merge(&fine).unwrap();
        prop_assert_eq!(mixed.registers(), ab.registers());
        prop_assert_eq!(fine.reduce(p).unwrap().registers(), sb.registers());
        // ULL's registers hold HyperLogLog's.
        let mut hll = HyperLogLog::new(p).unwrap();
        for &h in &a { hll.insert_hash(h); }
        prop_assert_eq!(
            sa.to_hyperloglog().registers().collect::<Vec<_>>(),
            hll.registers().collect::<Vec<_>>()
        );
    }

    /// Canonical bytes depend only on the items, whatever the order and split of inserts
    /// and merges.
    #[test]
    fn ull_canonical_bytes_ignore_history(a in hashes(), b in hashes(), p in 4u8..=12) {
        use hpds_core::ByteCodec;
        let all = concat(&a, &b);
        let mut one = ull(p, &all);
        one.canonicalize();
        let bytes = one.to_bytes();
        let mut ab = ull(p, &a); ab.merge(&ull(p, &b)).unwrap();
        let mut ba = ull(p, &b); ba.merge(&ull(p, &a)).unwrap();
        let mut pieces = UltraLogLog::new(p).unwrap();
        for chunk in all.chunks(5) { pieces.merge(&ull(p, chunk)).unwrap(); }
        for s in [&mut ab, &mut ba, &mut pieces] {
            s.canonicalize();
            prop_assert_eq!(&s.to_bytes(), &bytes);
        }
        prop_assert!(UltraLogLog::from_bytes(&bytes).is_ok());
    }

    #[test]
    fn ell_merge_laws(a in hashes(), b in hashes(), c in hashes(), p in 4u8..=11, dp in 0u8..=3, td in params()) {
        let (sa, sb, sc) = (ell(p, td, &a), ell(p, td, &b), ell(p, td, &c));
        let mut ab = sa.clone(); ab.merge(&sb).unwrap();
        let mut ba = sb.clone(); ba.merge(&sa).unwrap();
        prop_assert_eq!(ab.registers(), ba.registers());
        let mut ab_c = ab.clone(); ab_c.merge(&sc).unwrap();
        let mut bc = sb.clone(); bc.merge(&sc).unwrap();
        let mut a_bc = sa.clone(); a_bc.merge(&bc).unwrap();
        prop_assert_eq!(ab_c.registers(), a_bc.registers());
        let mut aa = sa.clone(); aa.merge(&sa).unwrap();
        prop_assert_eq!(aa.registers(), sa.registers());
        let empty = ExaLogLog::builder().precision(p).t(td.0).d(td.1).build().unwrap();
        let mut ae = sa.clone(); ae.merge(&empty).unwrap();
        prop_assert_eq!(&ae, &sa);
        let mut ea = empty.clone(); ea.merge(&sa).unwrap();
        prop_assert_eq!(ea.registers(), sa.registers());
        prop_assert_eq!(ab.registers(), ell(p, td, &concat(&a, &b)).registers());
        let fine = ell(p + dp, td, &b);
        let mut mixed = sa.clone(); mixed.merge(&fine).unwrap();
        prop_assert_eq!(mixed.registers(), ab.registers());
        prop_assert_eq!(fine.reduce(p).unwrap().registers(), sb.registers());
    }

    /// The sparse start gives exactly the registers of a dense build, and its estimate is at
    /// least as good as the registers'.
    #[test]
    fn sparse_equals_dense(seed in any::<u64>(), n in 0usize..3000) {
        let hs: Vec<u64> = distinct_u64s(seed).take(n).collect();
        let (u, e) = (ull(12, &hs), ell(12, (2, 20), &hs));
        let mut u_dense = ull(12, &hs);
        // Merging a dense sketch converts; merging a dense empty one does not change registers.
        let mut filled = ull(12, &distinct_u64s(!seed).take(2000).collect::<Vec<_>>());
        filled.clear();
        prop_assert!(filled.is_sparse());
        u_dense.merge(&u).unwrap();
        prop_assert_eq!(u_dense.registers(), u.registers());
        if n > 0 {
            let rel = |x: f64| (x / n as f64 - 1.0).abs();
            prop_assert!(rel(u.estimate()) < 0.2, "{}", u.estimate());
            prop_assert!(rel(e.estimate()) < 0.2, "{}", e.estimate());
        }
    }
}

#[test]
fn sparse_start_is_small_and_converts() {
    let mut u = UltraLogLog::new(14).unwrap();
    let mut e = ExaLogLog::new(14).unwrap();
    assert_eq!((u.heap_bytes(), e.heap_bytes()), (0, 0));
    for h in distinct_u64s(5).take(100) {
        u.insert_hash(h);
        e.insert_hash(h);
    }
    assert!(u.is_sparse() && e.is_sparse());
    assert!(u.heap_bytes() <= 1024 && e.heap_bytes() <= 1024);
    assert!((u.estimate() - 100.0).abs() < 0.5);
    assert!((e.estimate() - 100.0).abs() < 0.5);
    for h in distinct_u64s(5).take(100_000) {
        u.insert_hash(h);
        e.insert_hash(h);
    }
    assert!(!u.is_sparse() && !e.is_sparse());
    assert_eq!(u.heap_bytes(), 1 << 14);
    assert_eq!(e.heap_bytes(), (28 << 14) / 8 + 8);
}

#[test]
fn martingale_is_dropped_by_merge_only() {
    let tracked = || {
        ExaLogLog::builder()
            .precision(8)
            .martingale(true)
            .build()
            .unwrap()
    };
    let mut a = tracked();
    a.insert_hashes(&distinct_u64s(1).take(5000).collect::<Vec<_>>());
    assert!(a.estimate_with(ExaLogLogEstimator::Martingale).is_some());
    let b = a.clone();
    a.merge(&tracked()).unwrap();
    assert!(a.estimate_with(ExaLogLogEstimator::Martingale).is_some());
    a.merge(&b).unwrap();
    assert_eq!(a.estimate_with(ExaLogLogEstimator::Martingale), None);
    assert!(
        a.estimate_with(ExaLogLogEstimator::MaximumLikelihood)
            .is_some()
    );
}

#[test]
fn no_martingale_by_default() {
    let mut a = ExaLogLog::new(8).unwrap();
    assert_eq!(a.estimate_with(ExaLogLogEstimator::Martingale), None);
    a.insert_hashes(&distinct_u64s(1).take(20).collect::<Vec<_>>());
    assert!(a.is_sparse());
    assert_eq!(a.estimate_with(ExaLogLogEstimator::Martingale), None);
    a.insert_hashes(&distinct_u64s(2).take(5000).collect::<Vec<_>>());
    assert!(!a.is_sparse());
    assert_eq!(a.estimate_with(ExaLogLogEstimator::Martingale), None);
    assert_eq!(
        a.estimate_with(ExaLogLogEstimator::MaximumLikelihood),
        Some(a.estimate())
    );
}

#[test]
fn bad_parameters_and_incompatible_merges_are_errors() {
    for p in [0u8, 3, 19, 64] {
        assert!(matches!(
            UltraLogLog::new(p).unwrap_err().kind(),
            ErrorKind::InvalidParameter { .. }
        ));
        assert!(ExaLogLog::new(p).is_err());
    }
    assert!(ExaLogLog::builder().t(3).build().is_err());
    assert!(ExaLogLog::builder().t(2).d(25).build().is_err());
    assert!(ExaLogLog::builder().t(0).d(26).build().is_ok());
    let mut a = UltraLogLog::new(10).unwrap();
    assert!(matches!(
        a.merge(&UltraLogLog::new(9).unwrap()).unwrap_err().kind(),
        ErrorKind::Incompatible { .. }
    ));
    assert!(a.merge(&UltraLogLog::with_seed(10, 1).unwrap()).is_err());
    assert!(a.reduce(11).is_err());
    let mut e = ExaLogLog::new(10).unwrap();
    assert!(
        e.merge(&ExaLogLog::builder().precision(10).d(24).build().unwrap())
            .is_err()
    );
    assert!(e.merge(&ExaLogLog::with_seed(10, 1).unwrap()).is_err());
}

#[test]
fn saturated_sketches_estimate_infinity_without_panicking() {
    let mut u = UltraLogLog::new(4).unwrap();
    let mut e = ExaLogLog::builder().precision(4).t(0).d(2).build().unwrap();
    for i in 0..16u64 {
        // The largest update value and the two below it, in every register.
        u.insert_hashes(&[i << 60, (i << 60) | 1, (i << 60) | 2]);
        e.insert_hashes(&[i, i | 1 << 4, i | 1 << 5]);
    }
    assert_eq!(u.registers(), vec![(61 << 2) | 3; 16]);
    assert_eq!(e.registers(), vec![(61 << 2) | 3; 16]);
    assert_eq!(u.estimate(), f64::INFINITY);
    assert_eq!(
        e.estimate_with(ExaLogLogEstimator::MaximumLikelihood),
        Some(f64::INFINITY)
    );
    assert!(e.estimate() > 1e15);
    assert_eq!(u.to_hyperloglog().registers().max(), Some(61));
}

#[test]
fn item_and_trait_entry_points_agree() {
    let mut a = UltraLogLog::new(12).unwrap();
    let mut b = UltraLogLog::new(12).unwrap();
    a.extend(["x", "y", "z", "x"]);
    for w in ["x", "y", "z"] {
        DistinctCounter::insert(&mut b, w);
    }
    assert_eq!(a, b);
    assert_eq!(DistinctCounter::estimate(&a).round(), 3.0);
    let e: ExaLogLog = ["x", "y"].into_iter().collect();
    assert_eq!(e.estimate().round(), 2.0);
}

#[cfg(feature = "rayon")]
#[test]
fn par_extend_equals_sequential() {
    let items: Vec<u64> = (0..50_000).collect();
    let mut seq = UltraLogLog::new(12).unwrap();
    seq.extend(items.iter());
    let mut par = UltraLogLog::new(12).unwrap();
    par.par_extend(items.clone());
    assert_eq!(seq.registers(), par.registers());
    let mut seq = ExaLogLog::new(12).unwrap();
    seq.extend(items.iter());
    let mut par = ExaLogLog::new(12).unwrap();
    par.par_extend(items);
    assert_eq!(seq.registers(), par.registers());
}
