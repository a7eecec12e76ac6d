//! Throughput of this crate's own tables: `OpenMap` and `CompactDict` insert and lookup, and
//! the laboratory's four probe sequences at 0.5 and 0.9 load. Peer comparisons (hashbrown,
//! std, indexmap) are in `benches/benches/openhash.rs` of the workspace.
//!
//! `cargo bench -p hpds-openhash --bench throughput -- --warm-up-time 1 --measurement-time 2 --sample-size 10`
//! (`HPDS_BENCH_FULL=1` adds 10 million keys).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_openhash::lab::{IdentityBuildHasher, ProbeTable, Probing};
use hpds_openhash::{CompactDict, OpenMap};
use hpds_testkit::streams::distinct_u64s;

fn sizes() -> Vec<usize> {
    let mut s = vec![1_000, 100_000];
    if std::env::var_os("HPDS_BENCH_FULL").is_some() {
        s.push(10_000_000);
    }
    s
}

fn tables(c: &mut Criterion) {
    for n in sizes() {
        let keys: Vec<u64> = distinct_u64s(1).take(n).collect();
        let mut g = c.benchmark_group("insert");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("OpenMap", n), |b| {
            b.iter(|| {
                let mut m = OpenMap::new();
                for &k in &keys {
                    m.insert(k, k);
                }
                m
            });
        });
        g.bench_function(BenchmarkId::new("CompactDict", n), |b| {
            b.iter(|| {
                let mut m = CompactDict::new();
                for &k in &keys {
                    m.insert(k, k);
                }
                m
            });
        });
        g.finish();
        let om: OpenMap<u64, u64> = keys.iter().map(|&k| (k, k)).collect();
        let cd: CompactDict<u64, u64> = keys.iter().map(|&k| (k, k)).collect();
        let mut g = c.benchmark_group("lookup_hit");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("OpenMap", n), |b| {
            b.iter(|| keys.iter().filter(|k| om.contains_key(k)).count());
        });
        g.bench_function(BenchmarkId::new("CompactDict", n), |b| {
            b.iter(|| keys.iter().filter(|k| cd.contains_key(k)).count());
        });
        g.finish();
    }
}

fn probing(c: &mut Criterion) {
    let m = 1 << 16;
    for load in [0.5, 0.9] {
        let n = (m as f64 * load) as usize;
        let keys: Vec<u64> = distinct_u64s(2).take(n).collect();
        let absent: Vec<u64> = distinct_u64s(3).take(n).collect();
        let mut g = c.benchmark_group(format!("lab_lookup_load_{load}"));
        g.throughput(Throughput::Elements(2 * n as u64));
        for p in Probing::ALL {
            let mut t = ProbeTable::try_with_hasher(p, 0.95, m, IdentityBuildHasher).unwrap();
            for &k in &keys {
                t.insert(k, ());
            }
            g.bench_function(BenchmarkId::new(p.to_string(), n), |b| {
                b.iter(|| {
                    keys.iter()
                        .chain(&absent)
                        .filter(|k| t.contains_key(*k))
                        .count()
                });
            });
            black_box(&t);
        }
        g.finish();
    }
}

criterion_group!(benches, tables, probing);
criterion_main!(benches);
