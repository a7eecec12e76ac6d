//! Inserts per second: pre-hashed, `u64` items and `&str` words, from 10^3 to 10^7 items, for
//! a fresh sketch (warm-up included) and a warm one (past its first rebuilds).
//!
//! Sizes 10^3..10^6 by default; `HPDS_BENCH_FULL=1` adds 10^7.
//! `cargo bench -p hpds-kmv --bench throughput -- --warm-up-time 1 --measurement-time 2 --sample-size 10`

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_kmv::Kmv;
use hpds_testkit::streams::distinct_u64s;
use hpds_testkit::words::Corpus;

fn sizes() -> Vec<u64> {
    let mut s = vec![1_000, 100_000, 1_000_000];
    if std::env::var_os("HPDS_BENCH_FULL").is_some() {
        s.push(10_000_000);
    }
    s
}

fn insert(c: &mut Criterion) {
    let k = 1024;
    let mut g = c.benchmark_group("kmv_insert");
    for n in sizes() {
        let hashes: Vec<u64> = distinct_u64s(n).take(n as usize).collect();
        let items: Vec<u64> = (0..n).collect();
        let mut warm = Kmv::new(k).unwrap();
        distinct_u64s(!n)
            .take(1_000_000)
            .for_each(|h| warm.insert_hash(h));
        g.throughput(Throughput::Elements(n));
        g.bench_with_input(BenchmarkId::new("prehashed_fresh", n), &hashes, |b, hs| {
            b.iter(|| {
                let mut s = Kmv::new(k).unwrap();
                for &h in hs {
                    s.insert_hash(h);
                }
                black_box(s.len())
            });
        });
        g.bench_with_input(BenchmarkId::new("prehashed_warm", n), &hashes, |b, hs| {
            b.iter_batched_ref(
                || warm.clone(),
                |s| {
                    for &h in hs {
                        s.insert_hash(h);
                    }
                    black_box(s.len())
                },
                BatchSize::SmallInput,
            );
        });
        g.bench_with_input(BenchmarkId::new("u64_warm", n), &items, |b, xs| {
            b.iter_batched_ref(
                || warm.clone(),
                |s| {
                    for &x in xs {
                        s.insert_u64(x);
                    }
                    black_box(s.len())
                },
                BatchSize::SmallInput,
            );
        });
    }
    let corpus = Corpus::generate(7, 1_000_000, 20_000, 1.0);
    g.throughput(Throughput::Elements(corpus.len() as u64));
    g.bench_function(BenchmarkId::new("str_fresh", corpus.len()), |b| {
        b.iter(|| {
            let mut s = Kmv::new(k).unwrap();
            corpus.tokens().for_each(|w| s.insert(w));
            black_box(s.len())
        });
    });
    g.finish();

    let mut g = c.benchmark_group("kmv_query");
    let mut s = Kmv::new(k).unwrap();
    distinct_u64s(1)
        .take(1_000_000)
        .for_each(|h| s.insert_hash(h));
    let mut t = Kmv::new(k).unwrap();
    distinct_u64s(2)
        .take(1_000_000)
        .for_each(|h| t.insert_hash(h));
    g.bench_function("estimate_k1024", |b| b.iter(|| black_box(&s).estimate()));
    g.bench_function("merge_k1024", |b| {
        b.iter_batched_ref(
            || s.clone(),
            |x| x.merge(&t).unwrap(),
            BatchSize::SmallInput,
        );
    });
    g.bench_function("jaccard_k1024", |b| {
        b.iter(|| black_box(&s).jaccard(&t).unwrap());
    });
    g.finish();
}

criterion_group!(benches, insert);
criterion_main!(benches);
