//! Throughput of the hpds filters, and the storage measurement behind the crate's `bitvec`
//! choices (group `storage`).
//!
//! Sizes: 1M and 10M items (`HPDS_BENCH_FULL=1` adds 100M; see the driver,
//! `hpds_benches::bloom`, shared with the peer comparison, for the other switches). Short run:
//! `cargo bench -p hpds-bloom --bench throughput -- --warm-up-time 1 --measurement-time 2 --sample-size 10`
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use bitvec::field::BitField;
use bitvec::prelude::{BitVec, Lsb0};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_benches::bloom::{BATCH, run, sizes};
use hpds_benches::filter;
use hpds_bloom::{
    AtomicBloomFilter, BlockedBloomFilter, BloomFilter, CountingBloomFilter, ManualClock,
    ScalableBloomFilter, TimingBloomFilter,
};
use hpds_core::hash::mix64;
use hpds_testkit::streams::distinct_u64s;

filter!(
    Classic(BloomFilter),
    "classic",
    |n, p| BloomFilter::new(n, p).unwrap(),
    batched
);
filter!(
    Blocked(BlockedBloomFilter),
    "blocked",
    |n, p| BlockedBloomFilter::new(n, p).unwrap(),
    batched
);
filter!(Scalable(ScalableBloomFilter), "scalable(n/1000)", |n, p| {
    ScalableBloomFilter::new((n / 1000).max(1), p).unwrap()
});
filter!(Counting(CountingBloomFilter), "counting", |n, p| {
    CountingBloomFilter::new(n, p).unwrap()
});
filter!(Atomic(AtomicBloomFilter), "atomic", |n, p| {
    AtomicBloomFilter::new(n, p).unwrap()
});
filter!(Timing(TimingBloomFilter<ManualClock>), "timing", |n, p| {
    TimingBloomFilter::with_clock(n, p, Duration::from_secs(60), ManualClock::new()).unwrap()
});

const P: f64 = 0.01;

fn filters(c: &mut Criterion) {
    for n in sizes() {
        let keys: Vec<u64> = distinct_u64s(1).take(n as usize).collect();
        let absent: Vec<u64> = distinct_u64s(2).take(BATCH).collect();
        run::<Classic>(c, "", n, P, &keys, &absent);
        run::<Blocked>(c, "", n, P, &keys, &absent);
        run::<Scalable>(c, "", n, P, &keys, &absent);
        run::<Atomic>(c, "", n, P, &keys, &absent);
        run::<Counting>(c, "", n, P, &keys, &absent);
        run::<Timing>(c, "", n, P, &keys, &absent);
    }
}

/// The same k = 7 probe sequence over the same bits, once through `bitvec`'s API and once
/// through the raw `u64` words; and 4-bit cells through `BitField` and through shifts.
fn storage(c: &mut Criterion) {
    const K: u64 = 7;
    let probes = |key: u64, m: u64| {
        let (mut x, y) = (mix64(key), mix64(key ^ 0x9e37_79b9_7f4a_7c15));
        (0..K).map(move |_| {
            x = x.wrapping_add(y);
            ((u128::from(x) * u128::from(m)) >> 64) as usize
        })
    };
    for n in [1_000_000u64, 10_000_000] {
        let m = n * 10;
        let keys: Vec<u64> = distinct_u64s(3).take(BATCH).collect();
        let mut g = c.benchmark_group("storage");
        g.throughput(Throughput::Elements(BATCH as u64));
        let mut bits: BitVec<u64, Lsb0> = BitVec::repeat(false, m as usize);
        g.bench_function(BenchmarkId::new("bitvec_set_get", n), |b| {
            b.iter(|| {
                let mut hits = 0;
                for &k in &keys {
                    let mut all = true;
                    for p in probes(k, m) {
                        all &= bits.replace(p, true);
                    }
                    hits += usize::from(all);
                    hits += usize::from(probes(k ^ 1, m).all(|p| bits[p]));
                }
                hits
            });
        });
        let mut words = vec![0u64; m.div_ceil(64) as usize];
        g.bench_function(BenchmarkId::new("raw_words_set_get", n), |b| {
            b.iter(|| {
                let mut hits = 0;
                for &k in &keys {
                    let mut all = true;
                    for p in probes(k, m) {
                        let bit = 1u64 << (p & 63);
                        all &= words[p >> 6] & bit != 0;
                        words[p >> 6] |= bit;
                    }
                    hits += usize::from(all);
                    hits +=
                        usize::from(probes(k ^ 1, m).all(|p| words[p >> 6] & (1 << (p & 63)) != 0));
                }
                hits
            });
        });
        let cells = m / 4;
        let mut nibbles: BitVec<u64, Lsb0> = BitVec::repeat(false, (cells * 4) as usize);
        g.bench_function(BenchmarkId::new("bitfield_cells", n), |b| {
            b.iter(|| {
                let mut sum = 0u32;
                for &k in &keys {
                    for p in probes(k, cells) {
                        let cell = &mut nibbles[p * 4..p * 4 + 4];
                        let v: u8 = cell.load_le();
                        cell.store_le(v.wrapping_add(1) & 15);
                        sum += u32::from(v);
                    }
                }
                sum
            });
        });
        let mut raw = vec![0u64; (cells * 4).div_ceil(64) as usize];
        g.bench_function(BenchmarkId::new("raw_cells", n), |b| {
            b.iter(|| {
                let mut sum = 0u32;
                for &k in &keys {
                    for p in probes(k, cells) {
                        let (w, s) = (p / 16, (p % 16) * 4);
                        let v = ((raw[w] >> s) & 15) as u8;
                        raw[w] = (raw[w] & !(15 << s)) | (u64::from(v.wrapping_add(1) & 15) << s);
                        sum += u32::from(v);
                    }
                }
                sum
            });
        });
        g.finish();
        black_box((&bits, &words, &nibbles, &raw));
    }
}

criterion_group!(benches, storage, filters);
criterion_main!(benches);
