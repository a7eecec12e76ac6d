//! Throughput of the LogLog family: inserts (pre-hashed, `u64`, `&str`), estimates, merges,
//! register packing (hand-written shifts vs bitvec's `BitField`) and rayon's `par_extend`.
//!
//! ```text
//! cargo bench -p hpds-loglog --features rayon --bench throughput -- --warm-up-time 1 --measurement-time 2 --sample-size 10
//! HPDS_BENCH_FULL=1 cargo bench ...   # adds 100 million items
//! ```

use std::hint::black_box;

use bitvec::prelude::*;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_loglog::{Estimator, HyperLogLog, HyperLogLogPlusPlus, LogLog};
use hpds_testkit::streams::random_u64s;

fn sizes() -> Vec<usize> {
    let mut s = vec![1_000, 1_000_000];
    if std::env::var_os("HPDS_BENCH_FULL").is_some() {
        s.push(100_000_000);
    }
    s
}

fn insert(c: &mut Criterion) {
    let mut g = c.benchmark_group("insert_hash");
    for n in sizes() {
        let hashes = random_u64s(1, n);
        g.throughput(Throughput::Elements(n as u64));
        for p in [10u8, 14, 16] {
            g.bench_with_input(
                BenchmarkId::new(format!("hll/p{p}"), n),
                &hashes,
                |b, hs| {
                    b.iter(|| {
                        let mut s = HyperLogLog::new(p).unwrap();
                        for &h in hs {
                            s.insert_hash(h);
                        }
                        s
                    });
                },
            );
            g.bench_with_input(
                BenchmarkId::new(format!("hll++/p{p}"), n),
                &hashes,
                |b, hs| {
                    b.iter(|| {
                        let mut s = HyperLogLogPlusPlus::new(p).unwrap();
                        for &h in hs {
                            s.insert_hash(h);
                        }
                        s
                    });
                },
            );
        }
    }
    g.finish();

    let mut g = c.benchmark_group("insert_item");
    for n in sizes() {
        let keys = random_u64s(2, n);
        let words: Vec<String> = keys.iter().map(|k| format!("w{:x}", k >> 40)).collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("hll++/p14/u64", n), &keys, |b, ks| {
            b.iter(|| {
                let mut s = HyperLogLogPlusPlus::new(14).unwrap();
                for k in ks {
                    s.insert(k);
                }
                s
            });
        });
        g.bench_with_input(BenchmarkId::new("hll++/p14/str", n), &words, |b, ws| {
            b.iter(|| {
                let mut s = HyperLogLogPlusPlus::new(14).unwrap();
                for w in ws {
                    s.insert(w.as_str());
                }
                s
            });
        });
    }
    g.finish();
}

fn estimate_and_merge(c: &mut Criterion) {
    let mut g = c.benchmark_group("estimate");
    for p in [10u8, 14, 16] {
        let mut s = HyperLogLog::new(p).unwrap();
        for h in random_u64s(3, 8 << p) {
            s.insert_hash(h);
        }
        for (name, e) in [
            ("hip", Estimator::Hip),
            ("ertl", Estimator::Ertl),
            ("bias_corrected", Estimator::BiasCorrected),
            ("superloglog", Estimator::SuperLogLog),
        ] {
            g.bench_function(BenchmarkId::new(name, format!("p{p}")), |b| {
                b.iter(|| black_box(&s).estimate_with(e));
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("merge");
    for p in [10u8, 14, 16] {
        let mut a = HyperLogLog::new(p).unwrap();
        let mut b2 = HyperLogLog::new(p).unwrap();
        for h in random_u64s(4, 8 << p) {
            a.insert_hash(h);
        }
        for h in random_u64s(5, 8 << p) {
            b2.insert_hash(h);
        }
        g.throughput(Throughput::Elements(1 << p));
        g.bench_function(BenchmarkId::new("hll", format!("p{p}")), |b| {
            b.iter(|| {
                let mut x = a.clone();
                x.merge(black_box(&b2)).unwrap();
                x
            });
        });
    }
    g.finish();
}

/// The same register update written with bitvec's `BitField`.
struct BitvecRegisters {
    p: u8,
    bits: BitVec<u8, Lsb0>,
}

impl BitvecRegisters {
    fn new(p: u8) -> Self {
        Self {
            p,
            bits: bitvec![u8, Lsb0; 0; 6 << p],
        }
    }

    #[inline]
    fn insert_hash(&mut self, hash: u64) {
        let i = (hash >> (64 - self.p)) as usize;
        let rank = ((hash << self.p) | (1 << (self.p - 1))).leading_zeros() as u8 + 1;
        let slot = &mut self.bits[6 * i..6 * i + 6];
        if rank > slot.load_le::<u8>() {
            slot.store_le(rank);
        }
    }
}

fn packing(c: &mut Criterion) {
    let mut g = c.benchmark_group("packing");
    let n = 1_000_000;
    let hashes = random_u64s(6, n);
    g.throughput(Throughput::Elements(n as u64));
    for p in [10u8, 14] {
        g.bench_with_input(
            BenchmarkId::new(format!("shifts/p{p}"), n),
            &hashes,
            |b, hs| {
                b.iter(|| {
                    let mut s = LogLog::new(p).unwrap();
                    for &h in hs {
                        s.insert_hash(h);
                    }
                    s
                });
            },
        );
        g.bench_with_input(
            BenchmarkId::new(format!("bitvec/p{p}"), n),
            &hashes,
            |b, hs| {
                b.iter(|| {
                    let mut s = BitvecRegisters::new(p);
                    for &h in hs {
                        s.insert_hash(h);
                    }
                    s.bits
                });
            },
        );
    }
    g.finish();
}

#[cfg(feature = "rayon")]
fn parallel(c: &mut Criterion) {
    let mut g = c.benchmark_group("par_extend");
    for n in [1_000_000usize, 10_000_000] {
        let words: Vec<String> = (0..n).map(|i| format!("item-{i}")).collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("sequential", n), &words, |b, ws| {
            b.iter(|| {
                let mut s = HyperLogLogPlusPlus::new(14).unwrap();
                s.extend(ws.iter().map(String::as_str));
                s
            });
        });
        g.bench_with_input(BenchmarkId::new("rayon", n), &words, |b, ws| {
            b.iter(|| {
                let mut s = HyperLogLogPlusPlus::new(14).unwrap();
                s.par_extend(ws.par_iter().map(String::as_str));
                s
            });
        });
    }
    g.finish();
}

#[cfg(feature = "rayon")]
use rayon::prelude::*;

#[cfg(not(feature = "rayon"))]
fn parallel(_: &mut Criterion) {}

criterion_group!(benches, insert, estimate_and_merge, packing, parallel);
criterion_main!(benches);
