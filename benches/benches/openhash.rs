//! Peer comparison for hpds-openhash: `OpenMap` and `CompactDict` against `hashbrown::HashMap`,
//! `std::collections::HashMap` and `indexmap::IndexMap`, all with the same hasher
//! (`ahash::RandomState`), behind one local trait so every implementation runs the same code.
//!
//! ```text
//! cargo bench -p hpds-benches --bench openhash -- --warm-up-time 1 --measurement-time 2 --sample-size 10
//! HPDS_BENCH_FULL=1 cargo bench -p hpds-benches --bench openhash     # adds 10M u64 and 1M String keys
//! ```
//! Groups: `insert` (into an empty table), `insert_reserved`, `lookup_hit`, `lookup_miss`,
//! `remove`, `iterate`, `churn` (remove one, insert one, at constant size); `u64` keys at 1k,
//! 100k and 1M (10M with `HPDS_BENCH_FULL`), and `String` keys (`str_*` groups) at 100k (1M
//! with `HPDS_BENCH_FULL`).

use std::hash::Hash;
use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_openhash::{CompactDict, OpenMap};
use hpds_testkit::streams::distinct_u64s;

type Rs = ahash::RandomState;

/// What every table offers the benchmark.
trait Table<K>: Clone {
    const NAME: &'static str;
    fn with_capacity(n: usize) -> Self;
    fn insert(&mut self, k: K, v: u64);
    fn get(&self, k: &K) -> Option<&u64>;
    fn remove(&mut self, k: &K) -> Option<u64>;
    fn sum_values(&self) -> u64;
}

macro_rules! table {
    ($ty:ty, $name:literal, $new:expr, $remove:ident) => {
        impl<K: Hash + Eq + Clone> Table<K> for $ty {
            const NAME: &'static str = $name;
            fn with_capacity(n: usize) -> Self {
                $new(n)
            }
            #[inline]
            fn insert(&mut self, k: K, v: u64) {
                <$ty>::insert(self, k, v);
            }
            #[inline]
            fn get(&self, k: &K) -> Option<&u64> {
                <$ty>::get(self, k)
            }
            #[inline]
            fn remove(&mut self, k: &K) -> Option<u64> {
                <$ty>::$remove(self, k)
            }
            fn sum_values(&self) -> u64 {
                self.iter().fold(0u64, |a, (_, v)| a.wrapping_add(*v))
            }
        }
    };
}

table!(OpenMap<K, u64, Rs>, "OpenMap", |n| OpenMap::with_capacity_and_hasher(n, Rs::new()), remove);
table!(hashbrown::HashMap<K, u64, Rs>, "hashbrown", |n| hashbrown::HashMap::with_capacity_and_hasher(n, Rs::new()), remove);
table!(std::collections::HashMap<K, u64, Rs>, "std", |n| std::collections::HashMap::with_capacity_and_hasher(n, Rs::new()), remove);
table!(CompactDict<K, u64, Rs>, "CompactDict", |n| CompactDict::with_capacity_and_hasher(n, Rs::new()), swap_remove);
table!(indexmap::IndexMap<K, u64, Rs>, "indexmap", |n| indexmap::IndexMap::with_capacity_and_hasher(n, Rs::new()), swap_remove);

fn full() -> bool {
    std::env::var_os("HPDS_BENCH_FULL").is_some()
}

fn batch(n: usize) -> BatchSize {
    if n <= 10_000 {
        BatchSize::SmallInput
    } else {
        BatchSize::PerIteration
    }
}

fn build<K: Clone, T: Table<K>>(keys: &[K]) -> T {
    let mut t = T::with_capacity(0);
    for (i, k) in keys.iter().enumerate() {
        t.insert(k.clone(), i as u64);
    }
    t
}

/// Runs every group for one table type.
fn run<K: Clone + Hash + Eq, T: Table<K>>(
    c: &mut Criterion,
    prefix: &str,
    keys: &[K],
    absent: &[K],
) {
    let n = keys.len();
    let id = BenchmarkId::new(T::NAME, n);
    let mut g = c.benchmark_group(format!("{prefix}insert"));
    g.throughput(Throughput::Elements(n as u64));
    g.bench_with_input(id.clone(), &keys, |b, keys| {
        b.iter_batched(
            || keys.to_vec(),
            |ks| {
                let mut t = T::with_capacity(0);
                for (i, k) in ks.into_iter().enumerate() {
                    t.insert(k, i as u64);
                }
                t
            },
            batch(n),
        );
    });
    g.finish();
    let mut g = c.benchmark_group(format!("{prefix}insert_reserved"));
    g.throughput(Throughput::Elements(n as u64));
    g.bench_with_input(id.clone(), &keys, |b, keys| {
        b.iter_batched(
            || keys.to_vec(),
            |ks| {
                let mut t = T::with_capacity(ks.len());
                for (i, k) in ks.into_iter().enumerate() {
                    t.insert(k, i as u64);
                }
                t
            },
            batch(n),
        );
    });
    g.finish();
    let table: T = build(keys);
    let mut g = c.benchmark_group(format!("{prefix}lookup_hit"));
    g.throughput(Throughput::Elements(n as u64));
    g.bench_with_input(id.clone(), &keys, |b, keys| {
        b.iter(|| {
            keys.iter()
                .fold(0u64, |a, k| a.wrapping_add(*table.get(k).unwrap_or(&0)))
        });
    });
    g.finish();
    let mut g = c.benchmark_group(format!("{prefix}lookup_miss"));
    g.throughput(Throughput::Elements(absent.len() as u64));
    g.bench_with_input(id.clone(), &absent, |b, absent| {
        b.iter(|| absent.iter().filter(|k| table.get(k).is_some()).count());
    });
    g.finish();
    let mut g = c.benchmark_group(format!("{prefix}remove"));
    g.throughput(Throughput::Elements(n as u64));
    g.bench_with_input(id.clone(), &keys, |b, keys| {
        b.iter_batched(
            || table.clone(),
            |mut t| {
                for k in *keys {
                    black_box(t.remove(k));
                }
                t
            },
            batch(n),
        );
    });
    g.finish();
    let mut g = c.benchmark_group(format!("{prefix}iterate"));
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(id.clone(), |b| b.iter(|| table.sum_values()));
    g.finish();
    let mut g = c.benchmark_group(format!("{prefix}churn"));
    g.throughput(Throughput::Elements(2 * n as u64));
    g.bench_with_input(id, &(keys, absent), |b, (keys, absent)| {
        b.iter_batched(
            || (table.clone(), absent.to_vec()),
            |(mut t, fresh)| {
                for (k, f) in keys.iter().zip(fresh) {
                    black_box(t.remove(k));
                    t.insert(f, 1);
                }
                t
            },
            batch(n),
        );
    });
    g.finish();
    drop(black_box(table));
}

fn u64_keys(c: &mut Criterion) {
    let mut sizes = vec![1_000usize, 100_000, 1_000_000];
    if full() {
        sizes.push(10_000_000);
    }
    for n in sizes {
        let all: Vec<u64> = distinct_u64s(42).take(2 * n).collect();
        let (keys, absent) = all.split_at(n);
        run::<u64, OpenMap<u64, u64, Rs>>(c, "", keys, absent);
        run::<u64, hashbrown::HashMap<u64, u64, Rs>>(c, "", keys, absent);
        run::<u64, std::collections::HashMap<u64, u64, Rs>>(c, "", keys, absent);
        run::<u64, CompactDict<u64, u64, Rs>>(c, "", keys, absent);
        run::<u64, indexmap::IndexMap<u64, u64, Rs>>(c, "", keys, absent);
    }
}

fn string_keys(c: &mut Criterion) {
    let n = if full() { 1_000_000 } else { 100_000 };
    let all: Vec<String> = distinct_u64s(43)
        .take(2 * n)
        .map(|x| format!("k{x:x}"))
        .collect();
    let (keys, absent) = all.split_at(n);
    run::<String, OpenMap<String, u64, Rs>>(c, "str_", keys, absent);
    run::<String, hashbrown::HashMap<String, u64, Rs>>(c, "str_", keys, absent);
    run::<String, std::collections::HashMap<String, u64, Rs>>(c, "str_", keys, absent);
    run::<String, CompactDict<String, u64, Rs>>(c, "str_", keys, absent);
    run::<String, indexmap::IndexMap<String, u64, Rs>>(c, "str_", keys, absent);
}

criterion_group!(benches, u64_keys, string_keys);
criterion_main!(benches);
