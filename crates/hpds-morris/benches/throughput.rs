//! Increments per second: one counter (`increment`, `increment_by`), and packed arrays from
//! in-cache to out-of-cache sizes (`u64` indices and `&str` items).
//!
//! Sizes 10^3..10^6 by default; `HPDS_BENCH_FULL=1` adds 10^7.
//! `cargo bench -p hpds-morris --bench throughput -- --warm-up-time 1 --measurement-time 2 --sample-size 10`

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_core::hash::mix64;
use hpds_morris::{MorrisArray, MorrisCounter};
use hpds_testkit::words::Corpus;

fn sizes() -> Vec<u64> {
    let mut s = vec![1_000, 100_000, 1_000_000];
    if std::env::var_os("HPDS_BENCH_FULL").is_some() {
        s.push(10_000_000);
    }
    s
}

fn counter(c: &mut Criterion) {
    let mut g = c.benchmark_group("increment");
    for n in sizes() {
        g.throughput(Throughput::Elements(n));
        for base in [2.0, 1.1] {
            g.bench_function(BenchmarkId::new(format!("morris_b{base}"), n), |b| {
                b.iter(|| {
                    let mut m = MorrisCounter::with_seed(base, 1).unwrap();
                    for _ in 0..n {
                        m.increment();
                    }
                    black_box(m.estimate())
                });
            });
        }
        g.bench_function(BenchmarkId::new("u64", n), |b| {
            b.iter(|| {
                let mut m = 0u64;
                for _ in 0..n {
                    m = black_box(m) + 1;
                }
                m
            });
        });
    }
    g.finish();

    // One call of increment_by(n): its cost grows with the exponent, not with n.
    let mut g = c.benchmark_group("increment_by");
    for n in [1_000u64, 1_000_000, 1_000_000_000] {
        g.throughput(Throughput::Elements(1));
        g.bench_function(BenchmarkId::new("morris_b1.1", n), |b| {
            let mut m = MorrisCounter::with_seed(1.1, 2).unwrap();
            b.iter(|| {
                m.clear();
                m.increment_by(black_box(n));
                m.exponent()
            });
        });
    }
    g.finish();
}

fn array(c: &mut Criterion) {
    let mut g = c.benchmark_group("array_increment");
    const OPS: u64 = 1_000_000;
    g.throughput(Throughput::Elements(OPS));
    for len in sizes() {
        for bits in [4u8, 8] {
            let mut a = MorrisArray::with_seed(len as usize, 4.0, bits, 3).unwrap();
            g.bench_function(BenchmarkId::new(format!("morris{bits}_random"), len), |b| {
                b.iter(|| {
                    for i in 0..OPS {
                        let r = mix64(i);
                        a.increment(((u128::from(r) * u128::from(len)) >> 64) as usize);
                    }
                });
            });
        }
        let mut v = vec![0u64; len as usize];
        g.bench_function(BenchmarkId::new("vec_u64_random", len), |b| {
            b.iter(|| {
                for i in 0..OPS {
                    let r = mix64(i);
                    v[((u128::from(r) * u128::from(len)) >> 64) as usize] += 1;
                }
            });
        });
    }
    g.finish();

    let mut g = c.benchmark_group("array_increment_item");
    let corpus = Corpus::generate(7, 1_000_000, 20_000, 1.0);
    g.throughput(Throughput::Elements(corpus.len() as u64));
    let mut a = MorrisArray::with_seed(1 << 16, 4.0, 4, 3).unwrap();
    g.bench_function(BenchmarkId::new("morris4_str", corpus.len()), |b| {
        b.iter(|| {
            for w in corpus.tokens() {
                a.increment_item(w);
            }
        });
    });
    g.finish();
}

criterion_group!(benches, counter, array);
criterion_main!(benches);
