//! Merge laws, sparse→dense equivalence, edges and a model of the sparse representation.

use hpds_core::{ByteCodec, DistinctCounter, ErrorKind, HeapSize};
use hpds_loglog::{Estimator, HyperLogLog, HyperLogLogPlusPlus, LogLog, SuperLogLog};
use hpds_testkit::streams::distinct_u64s;
use proptest::prelude::*;

fn hll_of(p: u8, hashes: &[u64]) -> HyperLogLog {
    let mut s = HyperLogLog::new(p).unwrap();
    for &h in hashes {
        s.insert_hash(h);
    }
    s
}

fn pp_of(p: u8, hashes: &[u64]) -> HyperLogLogPlusPlus {
    let mut s = HyperLogLogPlusPlus::new(p).unwrap();
    for &h in hashes {
        s.insert_hash(h);
    }
    s
}

fn regs<I: Iterator<Item = u8>>(i: I) -> Vec<u8> {
    i.collect()
}

/// Streams of hashes from several distributions, including ones that hit the rank cap.
fn hashes() -> impl Strategy<Value = Vec<u64>> {
    prop_oneof![
        prop::collection::vec(any::<u64>(), 0..400),
        (any::<u64>(), 0usize..3000).prop_map(|(seed, n)| distinct_u64s(seed).take(n).collect()),
        prop::collection::vec(any::<u64>().prop_map(|h| h & 0xffff_f000_0000_0000), 0..300),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 64 }))]

    #[test]
    fn merge_laws_dense(a in hashes(), b in hashes(), c in hashes(), p in 4u8..=12) {
        let (sa, sb, sc) = (hll_of(p, &a), hll_of(p, &b), hll_of(p, &c));
        // Commutative.
        let mut ab = sa.clone(); ab.merge(&sb).unwrap();
        let mut ba = sb.clone(); ba.merge(&sa).unwrap();
        prop_assert_eq!(regs(ab.registers()), regs(ba.registers()));
        // Associative.
        let mut ab_c = ab.clone(); ab_c.merge(&sc).unwrap();
        let mut bc = sb.clone(); bc.merge(&sc).unwrap();
        let mut a_bc = sa.clone(); a_bc.merge(&bc).unwrap();
        prop_assert_eq!(regs(ab_c.registers()), regs(a_bc.registers()));
        // Idempotent, and the empty sketch is the identity (HIP kept).
        let mut aa = sa.clone(); aa.merge(&sa).unwrap();
        prop_assert_eq!(&aa, &sa);
        let mut ae = sa.clone(); ae.merge(&HyperLogLog::new(p).unwrap()).unwrap();
        prop_assert_eq!(&ae, &sa);
        let mut ea = HyperLogLog::new(p).unwrap(); ea.merge(&sa).unwrap();
        prop_assert_eq!(&ea, &sa);
        // Merge equals building from the concatenated stream: exactly equal registers.
        let all: Vec<u64> = a.iter().chain(&b).copied().collect();
        prop_assert_eq!(regs(ab.registers()), regs(hll_of(p, &all).registers()));
    }

    #[test]
    fn merge_laws_plus_plus(a in hashes(), b in hashes(), c in hashes(), p in 8u8..=14) {
        let (sa, sb, sc) = (pp_of(p, &a), pp_of(p, &b), pp_of(p, &c));
        let mut ab = sa.clone(); ab.merge(&sb).unwrap();
        let mut ba = sb.clone(); ba.merge(&sa).unwrap();
        prop_assert_eq!(regs(ab.registers()), regs(ba.registers()));
        let mut ab_c = ab.clone(); ab_c.merge(&sc).unwrap();
        let mut bc = sb.clone(); bc.merge(&sc).unwrap();
        let mut a_bc = sa.clone(); a_bc.merge(&bc).unwrap();
        prop_assert_eq!(regs(ab_c.registers()), regs(a_bc.registers()));
        let mut aa = sa.clone(); aa.merge(&sa).unwrap();
        prop_assert_eq!(&aa, &sa);
        let mut ea = HyperLogLogPlusPlus::new(p).unwrap(); ea.merge(&sa).unwrap();
        prop_assert_eq!(&ea, &sa);
        let all: Vec<u64> = a.iter().chain(&b).copied().collect();
        prop_assert_eq!(regs(ab.registers()), regs(hll_of(p, &all).registers()));
    }

    /// Canonical bytes depend only on the items: inserts and merges in any order and split,
    /// sparse or dense, give the same encoding (which also decodes).
    #[test]
    fn canonical_bytes_ignore_history(a in hashes(), b in hashes(), p in 8u8..=14) {
        use hpds_core::ByteCodec;
        let all: Vec<u64> = a.iter().chain(&b).copied().collect();
        let mut one = pp_of(p, &all);
        one.canonicalize();
        let bytes = one.to_bytes();
        let mut ab = pp_of(p, &a); ab.merge(&pp_of(p, &b)).unwrap();
        let mut ba = pp_of(p, &b); ba.merge(&pp_of(p, &a)).unwrap();
        let mut rev = pp_of(p, &all.iter().rev().copied().collect::<Vec<_>>());
        let mut halves = HyperLogLogPlusPlus::new(p).unwrap();
        for chunk in all.chunks(7) { halves.merge(&pp_of(p, chunk)).unwrap(); }
        for s in [&mut ab, &mut ba, &mut rev, &mut halves] {
            s.canonicalize();
            prop_assert_eq!(&s.to_bytes(), &bytes);
        }
        prop_assert_eq!(HyperLogLogPlusPlus::from_bytes(&bytes).unwrap(), one);
    }

    /// Sparse, dense or converted: the registers are those of a dense sketch, so every
    /// register estimator gives the same value.
    #[test]
    fn sparse_to_dense_is_exact(a in hashes(), p in 8u8..=16) {
        let pp = pp_of(p, &a);
        let dense = hll_of(p, &a);
        prop_assert_eq!(regs(pp.registers()), regs(dense.registers()));
        for e in [Estimator::Ertl, Estimator::BiasCorrected, Estimator::Classic] {
            prop_assert_eq!(pp.estimate_with(e), dense.estimate_with(e));
        }
    }

    /// A sketch built from tokens is the sketch built from the hashes (sparse or dense, with
    /// its HIP estimate), and a sparse sketch's tokens rebuild it.
    #[test]
    fn tokens_stand_for_hashes(a in hashes(), p in 4u8..=18) {
        let by_hash = pp_of(p, &a);
        let mut by_token = HyperLogLogPlusPlus::new(p).unwrap();
        for &h in &a {
            by_token.insert_token(HyperLogLogPlusPlus::token(h));
        }
        prop_assert_eq!(&by_token, &by_hash);
        prop_assert_eq!(by_token.estimate(), by_hash.estimate());
        let tokens: Vec<u32> = a.iter().map(|&h| HyperLogLogPlusPlus::token(h)).collect();
        let mut by_tokens = HyperLogLogPlusPlus::new(p).unwrap();
        let (first, second) = tokens.split_at(tokens.len() / 3);
        by_tokens.insert_tokens(first);
        by_tokens.insert_tokens(second);
        prop_assert_eq!(&by_tokens, &by_hash);
        prop_assert_eq!(by_tokens.estimate(), by_hash.estimate());
        match by_hash.sparse_tokens() {
            Some(tokens) => {
                prop_assert!(by_hash.is_sparse());
                prop_assert!(tokens.windows(2).all(|w| w[0] >> 6 < w[1] >> 6));
                let mut rebuilt = HyperLogLogPlusPlus::new(p).unwrap();
                for &t in tokens.iter() {
                    rebuilt.insert_token(t);
                }
                rebuilt.canonicalize();
                let mut canonical = by_hash.clone();
                canonical.canonicalize();
                prop_assert_eq!(rebuilt.to_bytes(), canonical.to_bytes());
            }
            None => prop_assert!(!by_hash.is_sparse()),
        }
    }

    /// The estimate from sorted tokens is bit for bit the built sketch's while it is sparse,
    /// canonical or not, and `None` exactly when it is dense.
    #[test]
    fn estimate_sorted_tokens_is_the_built_estimate(a in hashes(), p in 4u8..=18) {
        // Repeats, and tokens sharing an index with different ranks, as group lists hold.
        let mut tokens: Vec<u32> = a.iter().map(|&h| HyperLogLogPlusPlus::token(h)).collect();
        tokens.extend(tokens.clone().iter().step_by(3).map(|&t| t & !63 | (t + 7) & 63));
        let mut built = HyperLogLogPlusPlus::new(p).unwrap();
        built.insert_tokens(&tokens);
        let raw = built.estimate();
        built.canonicalize();
        let mut sorted = tokens.clone();
        sorted.sort_unstable();
        let got = HyperLogLogPlusPlus::estimate_sorted_tokens(p, &sorted);
        if built.is_sparse() {
            prop_assert_eq!(got.map(f64::to_bits), Some(built.estimate().to_bits()));
            prop_assert_eq!(raw.to_bits(), built.estimate().to_bits());
        } else {
            prop_assert_eq!(got, None);
        }
    }

    /// The bytes from sorted tokens are the built canonical sketch's while it is sparse, and
    /// a sparse sketch's bytes give its tokens back, canonical or not; otherwise both refuse
    /// and leave their output as it was.
    #[test]
    fn token_bytes_are_the_built_sketch_bytes(a in hashes(), p in 4u8..=18) {
        let mut tokens: Vec<u32> = a.iter().map(|&h| HyperLogLogPlusPlus::token(h)).collect();
        // Tokens sharing an index with other ranks (in 1..=40), as group lists hold.
        tokens.extend(tokens.clone().iter().step_by(3).map(|&t| t & !63 | ((t & 63) % 40 + 1)));
        let mut built = HyperLogLogPlusPlus::new(p).unwrap();
        built.insert_tokens(&tokens);
        let raw = built.clone();
        built.canonicalize();
        let bytes = built.to_bytes();
        let seed = built.seed();
        let mut sorted = tokens.clone();
        sorted.sort_unstable();
        let mut out = vec![7u8];
        let made = HyperLogLogPlusPlus::append_token_bytes(p, seed, &mut sorted, &mut out);
        prop_assert_eq!(made, built.is_sparse());
        if made {
            prop_assert_eq!(&out[1..], &bytes[..]);
        } else {
            prop_assert_eq!(&out, &[7]);
        }
        for sketch in [&built, &raw] {
            let mut read = vec![1u32];
            let ok = HyperLogLogPlusPlus::read_sparse_tokens(&sketch.to_bytes(), p, seed, &mut read);
            prop_assert_eq!(ok, sketch.is_sparse());
            if let Some(t) = sketch.sparse_tokens() {
                prop_assert_eq!(&read[1..], &*t);
            } else {
                prop_assert_eq!(&read, &[1]);
            }
        }
        let other = if p == 18 { 17 } else { p + 1 };
        prop_assert!(!HyperLogLogPlusPlus::read_sparse_tokens(&bytes, other, seed, &mut Vec::new()));
        prop_assert!(!HyperLogLogPlusPlus::read_sparse_tokens(&bytes, p, seed ^ 1, &mut Vec::new()));
    }

    /// Merging a higher precision into a lower one gives the registers of a sketch built at
    /// the lower precision.
    #[test]
    fn merge_reduces_precision(a in hashes(), b in hashes(), lo in 4u8..=10, d in 1u8..=6) {
        let hi = lo + d;
        let mut s = hll_of(lo, &a);
        s.merge(&hll_of(hi, &b)).unwrap();
        let all: Vec<u64> = a.iter().chain(&b).copied().collect();
        prop_assert_eq!(regs(s.registers()), regs(hll_of(lo, &all).registers()));
        let lo = lo.max(8);
        let mut s = pp_of(lo, &a);
        s.merge(&pp_of(lo + d, &b)).unwrap();
        prop_assert_eq!(regs(s.registers()), regs(hll_of(lo, &all).registers()));
    }

    /// Sparse estimates against an exact model (a BTreeSet of hashes) while few items.
    #[test]
    fn sparse_is_nearly_exact(a in prop::collection::vec(any::<u64>(), 0..300)) {
        let s = pp_of(14, &a);
        // The sparse list keeps one entry per register at precision 25 (the hash's top 25
        // bits), so hashes sharing those bits count once: that is the exact figure it can reach.
        let exact = a.iter().map(|h| h >> 39).collect::<std::collections::BTreeSet<_>>().len() as f64;
        prop_assert!(s.is_sparse());
        prop_assert!((s.estimate() - exact).abs() <= 0.5 + exact * 1e-3, "{} vs {exact}", s.estimate());
    }
}

#[test]
fn invalid_parameters_are_errors() {
    for p in [0u8, 3, 19, 255] {
        for e in [
            HyperLogLog::new(p).map(|_| ()),
            LogLog::new(p).map(|_| ()),
            SuperLogLog::new(p).map(|_| ()),
            HyperLogLogPlusPlus::new(p).map(|_| ()),
        ] {
            assert!(matches!(
                e.unwrap_err().kind(),
                ErrorKind::InvalidParameter { .. }
            ));
        }
    }
}

#[test]
fn incompatible_merges_are_errors() {
    let mut a = HyperLogLog::new(10).unwrap();
    a.insert(&1u64);
    let b = HyperLogLog::with_seed(10, 99).unwrap();
    assert!(a.merge(&b).is_err());
    let low = HyperLogLog::new(8).unwrap();
    assert!(a.merge(&low).is_err());
    let mut pp = HyperLogLogPlusPlus::new(12).unwrap();
    assert!(pp.merge(&HyperLogLogPlusPlus::new(10).unwrap()).is_err());
    assert!(
        pp.merge(&HyperLogLogPlusPlus::with_seed(12, 5).unwrap())
            .is_err()
    );
}

#[test]
fn hip_falls_back_after_a_merge() {
    let a = hll_of(12, &distinct_u64s(1).take(5000).collect::<Vec<_>>());
    let b = hll_of(12, &distinct_u64s(2).take(5000).collect::<Vec<_>>());
    assert!(a.hip_estimate().is_some());
    let mut m = a.clone();
    m.merge(&b).unwrap();
    assert_eq!(m.hip_estimate(), None);
    assert_eq!(m.estimate(), m.estimate_with(Estimator::Ertl));
    assert_eq!(
        m.estimate_with(Estimator::Hip),
        m.estimate_with(Estimator::Ertl)
    );
}

#[test]
fn clear_and_empty() {
    let mut s = pp_of(12, &distinct_u64s(3).take(10_000).collect::<Vec<_>>());
    assert!(!s.is_sparse());
    s.clear();
    assert!(s.is_sparse() && s.is_empty());
    assert_eq!(s.estimate(), 0.0);
    assert_eq!(s, HyperLogLogPlusPlus::new(12).unwrap());
    let mut d = LogLog::new(4).unwrap();
    assert_eq!(d.estimate(), 0.0);
    d.insert("x");
    d.clear();
    assert!(d.is_empty());
    assert_eq!(d, LogLog::new(4).unwrap());
}

#[test]
fn items_and_hashes_agree() {
    let mut a = HyperLogLogPlusPlus::default();
    let mut b = HyperLogLogPlusPlus::default();
    for w in ["to", "be", "or", "not"] {
        a.insert(w);
        DistinctCounter::insert(&mut b, w);
    }
    assert_eq!(a, b);
    let c: HyperLogLogPlusPlus = ["to", "be", "or", "not", "to"].into_iter().collect();
    assert_eq!(a, c);
    let mut d = SuperLogLog::default();
    d.extend(0..10u32);
    assert!((d.estimate() - 10.0).abs() < 1.0);
}

#[test]
fn sparse_stays_small() {
    let s = pp_of(14, &distinct_u64s(4).take(100).collect::<Vec<_>>());
    assert!(s.is_sparse());
    // ~4 bytes per entry plus the insert buffer: a few hundred bytes, not 12 KiB.
    assert!(s.heap_bytes() < 700, "{}", s.heap_bytes());
    // Canonical (done being built): the sorted entries only, the insert buffer freed.
    let mut c = s.clone();
    c.canonicalize();
    assert_eq!(c.heap_bytes(), 4 * c.sparse_tokens().unwrap().len());
    let d = pp_of(14, &distinct_u64s(4).take(20_000).collect::<Vec<_>>());
    // 6 bits x 2^14 registers, plus one padding byte for 4-byte register access.
    assert_eq!(d.heap_bytes(), 12 * 1024 + 1);
}

#[cfg(feature = "rayon")]
#[test]
fn par_extend_equals_sequential() {
    let items: Vec<u64> = (0..200_000).collect();
    let mut par = HyperLogLogPlusPlus::new(12).unwrap();
    par.par_extend(items.clone());
    let mut seq = HyperLogLogPlusPlus::new(12).unwrap();
    seq.extend(items.iter());
    assert_eq!(regs(par.registers()), regs(seq.registers()));
    let mut par = HyperLogLog::new(12).unwrap();
    par.par_extend(items.clone());
    let seq: HyperLogLog = {
        let mut s = HyperLogLog::new(12).unwrap();
        s.extend(items.iter());
        s
    };
    assert_eq!(regs(par.registers()), regs(seq.registers()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 64 }))]

    /// `insert_hashes` over any split of a stream equals `insert_hash` item by item: same
    /// registers or sparse list, same HIP estimate, across the sparse→dense conversion.
    #[test]
    fn insert_hashes_equals_insert_hash(
        p in 8u8..=12,
        n in 0usize..6000,
        seed in any::<u64>(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        let hashes: Vec<u64> = hpds_testkit::streams::random_u64s(seed, n);
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(n + 1)).collect();
        cuts.push(0);
        cuts.push(n);
        cuts.sort_unstable();
        let mut pp = HyperLogLogPlusPlus::new(p).unwrap();
        let mut pp_one = HyperLogLogPlusPlus::new(p).unwrap();
        let mut hll = HyperLogLog::new(p).unwrap();
        let mut hll_one = HyperLogLog::new(p).unwrap();
        for w in cuts.windows(2) {
            pp.insert_hashes(&hashes[w[0]..w[1]]);
            hll.insert_hashes(&hashes[w[0]..w[1]]);
        }
        for &h in &hashes {
            pp_one.insert_hash(h);
            hll_one.insert_hash(h);
        }
        prop_assert_eq!(pp.is_sparse(), pp_one.is_sparse());
        prop_assert_eq!(pp.estimate().to_bits(), pp_one.estimate().to_bits());
        prop_assert!(pp == pp_one);
        prop_assert_eq!(hll.hip_estimate(), hll_one.hip_estimate());
        prop_assert!(hll == hll_one);
        // After a merge (no HIP) the batch path still raises the same registers.
        let mut other = HyperLogLog::new(p).unwrap();
        other.insert_hashes(&hpds_testkit::streams::random_u64s(!seed, 50));
        let mut merged = hll.clone();
        merged.merge(&other).unwrap();
        prop_assert!(n == 0 || merged.hip_estimate().is_none());
        let mut merged_one = merged.clone();
        merged.insert_hashes(&hashes[..n / 2]);
        hashes[..n / 2].iter().for_each(|&h| merged_one.insert_hash(h));
        prop_assert!(merged == merged_one);
    }
}

/// Many small random token lists around the sparse limit of every precision; unsorted lists
/// and words that are no token give `None`.
#[test]
fn estimate_sorted_tokens_over_many_lists() {
    let mut x = 0x243f_6a88_85a3_08d3u64;
    let mut next = || {
        x = hpds_core::hash::mix64(x);
        x
    };
    for round in 0..3000u64 {
        let p = 8 + (round % 11) as u8;
        let limit = 3 << (p - 4); // distinct indices at which the sketch turns dense
        let n = (next() % (2 * limit.min(400) as u64)) as usize;
        // Indices from a small range so that some repeat with other ranks.
        let range = 1 + next() % (1 << 25);
        let mut tokens: Vec<u32> = (0..n)
            .map(|_| {
                let h = next();
                (((h >> 32) % range) as u32) << 6 | (h % 41) as u32
            })
            .collect();
        let mut built = HyperLogLogPlusPlus::new(p).unwrap();
        built.insert_tokens(&tokens);
        built.canonicalize();
        tokens.sort_unstable();
        let got = HyperLogLogPlusPlus::estimate_sorted_tokens(p, &tokens);
        if built.is_sparse() {
            assert_eq!(
                got.map(f64::to_bits),
                Some(built.estimate().to_bits()),
                "p {p}"
            );
        } else {
            assert_eq!(got, None, "p {p}");
        }
    }
    assert_eq!(
        HyperLogLogPlusPlus::estimate_sorted_tokens(14, &[]),
        Some(0.0)
    );
    assert_eq!(
        HyperLogLogPlusPlus::estimate_sorted_tokens(14, &[9 << 6, 3 << 6]),
        None
    );
    assert_eq!(
        HyperLogLogPlusPlus::estimate_sorted_tokens(14, &[1 << 31]),
        None
    );
    for (p, mut bad) in [
        (14, vec![9 << 6 | 1, 3 << 6 | 1]),
        (14, vec![1 << 31 | 1]),
        (14, vec![3 << 6]),
        (14, vec![3 << 6 | 0x29]),
        (7, vec![64 | 1]),
        (19, vec![64 | 1]),
    ] {
        let mut out = vec![3u8];
        assert!(!HyperLogLogPlusPlus::append_token_bytes(
            p, 0, &mut bad, &mut out
        ));
        assert_eq!(out, [3]);
    }
    assert_eq!(HyperLogLogPlusPlus::estimate_sorted_tokens(7, &[64]), None);
    assert_eq!(HyperLogLogPlusPlus::estimate_sorted_tokens(19, &[64]), None);
}
