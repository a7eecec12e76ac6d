//! Peer comparison for Bloom filters: hpds's classic, blocked and scalable filters against
//! `fastbloom` and `probabilistic-collections` (`BloomFilter`, `ScalableBloomFilter`), every
//! implementation behind one local trait, u64 keys, same stable xxh3 hasher where the API
//! takes one (fastbloom: `.hasher(StableBuildHasher)`; probabilistic-collections: two
//! `StableBuildHasher`s for its double hashing; hpds hashes with the same xxh3, 128-bit).
//!
//! Before the timings it prints, for each implementation at p = 1% and 0.1%, the bits per item
//! measured by a counting allocator and the false-positive rate measured on 1M non-members.
//! Scalable filters start at n/1000 and grow 1000x; probabilistic-collections' scalable filter
//! is configured as its docs show (initial rate p, growth 2, tightening 0.5).
//!
//! Sizes 1M and 10M items; `HPDS_BENCH_FULL=1` adds 100M, `HPDS_BENCH_SIZES=100000000` runs only
//! that size and `HPDS_BENCH_ONLY=hpds_classic,fastbloom` only those implementations (one at a
//! time at 100M: the keys alone take 800 MB). The driver (`hpds_benches::bloom`) is shared with
//! hpds-bloom's own `throughput` bench and with `bloom_race`. Short run:
//! `cargo bench -p hpds-benches --bench bloom -- --warm-up-time 1 --measurement-time 2 --sample-size 10`
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use hpds_benches::bloom::{BATCH, Filter, run, sizes};
use hpds_benches::filter;
use hpds_core::hash::StableBuildHasher;
use hpds_testkit::alloc::measure;
use hpds_testkit::streams::distinct_u64s;

#[global_allocator]
static ALLOC: hpds_testkit::CountingAllocator = hpds_testkit::CountingAllocator;

/// Non-members queried for the false-positive table.
const FPR_QUERIES: usize = 1_000_000;

type HpdsClassicInner = hpds_bloom::BloomFilter;
type HpdsBlockedInner = hpds_bloom::BlockedBloomFilter;
type HpdsScalableInner = hpds_bloom::ScalableBloomFilter;
type FastBloomInner = fastbloom::BloomFilter<StableBuildHasher>;
type PcBloomInner = probabilistic_collections::bloom::BloomFilter<u64, StableBuildHasher>;
type PcScalableInner =
    probabilistic_collections::bloom::ScalableBloomFilter<u64, StableBuildHasher>;

const PC_HASHERS: [StableBuildHasher; 2] = [
    StableBuildHasher::with_seed(1),
    StableBuildHasher::with_seed(2),
];

filter!(
    HpdsClassic(HpdsClassicInner),
    "hpds_classic",
    |n, p| HpdsClassicInner::new(n, p).unwrap(),
    batched
);
filter!(
    HpdsBlocked(HpdsBlockedInner),
    "hpds_blocked",
    |n, p| HpdsBlockedInner::new(n, p).unwrap(),
    batched
);
filter!(HpdsScalable(HpdsScalableInner), "hpds_scalable", |n, p| {
    HpdsScalableInner::new((n / 1000).max(1), p).unwrap()
});
filter!(FastBloom(FastBloomInner), "fastbloom", |n, p| {
    fastbloom::BloomFilter::with_false_pos(p)
        .hasher(StableBuildHasher::default())
        .expected_items(n as usize)
});
filter!(PcBloom(PcBloomInner), "pc_bloom", |n, p| {
    PcBloomInner::with_hashers(n as usize, p, PC_HASHERS)
});
filter!(PcScalable(PcScalableInner), "pc_scalable", |n, p| {
    let initial_bits = hpds_bloom::params::optimal_bits((n / 1000).max(1), p) as usize;
    PcScalableInner::with_hashers(initial_bits, p, 2.0, 0.5, PC_HASHERS)
});

/// Bits per item (counting allocator) and measured false-positive rate after `n` inserts.
fn accuracy_row<F: Filter>(n: u64, p: f64, keys: &[u64]) {
    let (f, delta) = measure(|| {
        let mut f = F::build(n, p);
        for &k in keys {
            f.add(k);
        }
        f
    });
    let fp = distinct_u64s(99)
        .take(FPR_QUERIES)
        .filter(|&k| f.has(k))
        .count();
    let rate = fp as f64 / FPR_QUERIES as f64;
    println!(
        "| {:<14} | {n:>10} | {p:<6} | {:>6.2} | {:>9.3}% | {:>5.2}x |",
        F::NAME,
        delta.retained as f64 * 8.0 / n as f64,
        rate * 100.0,
        rate / p
    );
}

fn accuracy_table() {
    println!("| impl           |      items | p      | bits/item | measured FPR | vs p |");
    println!("| --- | ---: | --- | ---: | ---: | ---: |");
    for n in [1_000_000u64, 10_000_000] {
        let keys: Vec<u64> = distinct_u64s(1).take(n as usize).collect();
        for p in [0.01, 0.001] {
            accuracy_row::<HpdsClassic>(n, p, &keys);
            accuracy_row::<HpdsBlocked>(n, p, &keys);
            accuracy_row::<HpdsScalable>(n, p, &keys);
            accuracy_row::<FastBloom>(n, p, &keys);
            accuracy_row::<PcBloom>(n, p, &keys);
            accuracy_row::<PcScalable>(n, p, &keys);
        }
    }
}

fn run_one<F: Filter>(c: &mut Criterion, n: u64, keys: &[u64], absent: &[u64]) {
    run::<F>(c, "bloom/", n, 0.01, keys, absent);
}

/// `HPDS_BENCH_NO_TABLE=1` skips the memory and false-positive table.
fn peers(c: &mut Criterion) {
    if std::env::var_os("HPDS_BENCH_NO_TABLE").is_none() {
        accuracy_table();
    }
    for n in sizes() {
        let keys: Vec<u64> = distinct_u64s(1).take(n as usize).collect();
        let absent: Vec<u64> = distinct_u64s(2).take(BATCH).collect();
        run_one::<HpdsClassic>(c, n, &keys, &absent);
        run_one::<HpdsBlocked>(c, n, &keys, &absent);
        run_one::<HpdsScalable>(c, n, &keys, &absent);
        run_one::<FastBloom>(c, n, &keys, &absent);
        run_one::<PcBloom>(c, n, &keys, &absent);
        // probabilistic-collections' scalable filter takes about 4 s per million inserts
        // here, so a 10-sample run at 10M would take over 10 minutes: timed at 1M only (its
        // memory and false-positive rate at 10M are in the table).
        if n <= 1_000_000 {
            run_one::<PcScalable>(c, n, &keys, &absent);
        }
    }
}

criterion_group!(benches, peers);
criterion_main!(benches);
