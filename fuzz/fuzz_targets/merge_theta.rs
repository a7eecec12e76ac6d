//! Theta sketch set operations against exact sets: two streams of hashes from a small pool
//! with arbitrary `k`, checked against brute force below θ = min(θ_A, θ_B); merge laws
//! (commutative, associative, identity, idempotent on compact forms).
#![no_main]

use std::collections::BTreeSet;

use arbitrary::Arbitrary;
use hpds_kmv::ThetaSketch;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    k: u8,
    a: Vec<u16>,
    b: Vec<u16>,
    c: Vec<u16>,
}

fn hash(x: u16) -> u64 {
    hpds_core::hash::mix64(u64::from(x))
}

fn sketch(k: usize, items: &[u16]) -> (ThetaSketch, BTreeSet<u64>) {
    let mut s = ThetaSketch::new(k).unwrap();
    let mut set = BTreeSet::new();
    for &x in items {
        s.insert_hash(hash(x));
        set.insert(hash(x));
    }
    (s, set)
}

fn below(set: &BTreeSet<u64>, theta: u64) -> Vec<u64> {
    set.range(..theta).copied().collect()
}

fuzz_target!(|input: Input| {
    let k = 2 + usize::from(input.k % 100);
    let (sa, ma) = sketch(k, &input.a);
    let (sb, mb) = sketch(k, &input.b);
    let (sc, _) = sketch(k, &input.c);
    assert_eq!(sa.sorted_values(), below(&ma, sa.theta_u64()));
    let theta = sa.theta_u64().min(sb.theta_u64());
    let inter: BTreeSet<u64> = ma.intersection(&mb).copied().collect();
    let diff: BTreeSet<u64> = ma.difference(&mb).copied().collect();
    let all: BTreeSet<u64> = ma.union(&mb).copied().collect();
    assert_eq!(
        sa.intersect(&sb).unwrap().sorted_values(),
        below(&inter, theta)
    );
    assert_eq!(
        sa.a_not_b(&sb).unwrap().sorted_values(),
        below(&diff, theta)
    );
    let u = sa.union(&sb).unwrap();
    assert_eq!(
        u.sorted_values(),
        all.iter()
            .copied()
            .take(u.min_retained())
            .collect::<Vec<_>>()
    );
    assert_eq!(u, sb.union(&sa).unwrap());
    assert_eq!(
        u.union(&sc).unwrap(),
        sa.union(&sb.union(&sc).unwrap()).unwrap()
    );
    let empty = ThetaSketch::new(k).unwrap();
    assert_eq!(empty.union(&sa).unwrap(), sa.compact());
    assert_eq!(sa.union(&sa).unwrap(), sa.compact());
    if sa.is_exact() && sb.is_exact() {
        assert_eq!(
            u.estimate(),
            all.len().min(u.min_retained()) as f64 / u.theta()
        );
        assert_eq!(sa.intersect(&sb).unwrap().estimate(), inter.len() as f64);
    }
});
