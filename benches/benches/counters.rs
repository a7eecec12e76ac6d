//! Peer comparison: KMV against an exact `HashSet` and two HyperLogLog crates
//! (hyperloglogplus, probabilistic-collections) at the same error (HLL p = 10, ≈ 3.3 %, like
//! KMV k = 1024) and at the same memory (p = 14, 16 KiB); Morris against a plain `u64`.
//!
//! Every implementation runs the same code through one small local trait, generic (no dynamic
//! dispatch per item). Memory and error are printed first (measured by the counting
//! allocator), then criterion measures throughput.
//!
//! `cargo bench -p hpds-benches --bench counters -- --warm-up-time 1 --measurement-time 2 --sample-size 10`
//! (`HPDS_BENCH_FULL=1` adds 10^7 items.)

use std::collections::HashSet;
use std::hash::Hash;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_core::HeapSize;
use hpds_core::hash::{StableBuildHasher, hash_u64};
use hpds_kmv::Kmv;
use hpds_morris::MorrisCounter;
use hpds_testkit::CountingAllocator;
use hpds_testkit::alloc::measure;
use hpds_testkit::words::Corpus;
use hyperloglogplus::{HyperLogLog as _, HyperLogLogPlus};
use probabilistic_collections::hyperloglog::HyperLogLog as PcHll;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

/// What every distinct counter under test does.
trait Distinct<T: ?Sized> {
    fn add(&mut self, item: &T);
    fn count(&mut self) -> f64;
}

impl<T: Hash + ?Sized> Distinct<T> for Kmv {
    fn add(&mut self, item: &T) {
        self.insert(&hpds_core::ByHash(item));
    }
    fn count(&mut self) -> f64 {
        self.estimate()
    }
}

/// The exact baseline stores each item's stable hash (what KMV sees), not the item.
struct Exact(HashSet<u64, ahash::RandomState>);

impl<T: Hash + ?Sized> Distinct<T> for Exact {
    fn add(&mut self, item: &T) {
        self.0.insert(hpds_core::hash::hash_one(item, 0));
    }
    fn count(&mut self) -> f64 {
        self.0.len() as f64
    }
}

impl<T: Hash + ?Sized> Distinct<T> for HyperLogLogPlus<T, StableBuildHasher> {
    fn add(&mut self, item: &T) {
        self.insert(item);
    }
    fn count(&mut self) -> f64 {
        hyperloglogplus::HyperLogLog::count(self)
    }
}

/// Item kinds under test, with the owned type probabilistic-collections' HLL is generic over.
trait Item: Hash {
    type Owned: std::borrow::Borrow<Self> + Hash;
}

impl Item for u64 {
    type Owned = u64;
}

impl Item for str {
    type Owned = String;
}

impl<T: Item + ?Sized> Distinct<T> for PcHll<T::Owned, StableBuildHasher> {
    fn add(&mut self, item: &T) {
        self.insert(item);
    }
    fn count(&mut self) -> f64 {
        self.len()
    }
}

/// Error targets of probabilistic-collections' HLL that give p = 10 and p = 14 (its precision
/// is `ceil(ln((1.04 / e)^2))`).
const PC_P10: f64 = 0.0115;
const PC_P14: f64 = 0.00156;

/// Something done with each implementation; generic over the counter type, so every
/// implementation's `add` is inlined into the timed loop as in a user's code (no dynamic
/// dispatch per item).
trait Visit<T: ?Sized> {
    fn visit<D: Distinct<T>>(&mut self, name: &str, new: impl Fn() -> D);
}

/// Calls `v` with every distinct counter under test.
fn each_impl<T: Item + ?Sized, V: Visit<T>>(v: &mut V) {
    v.visit("kmv_k1024", || Kmv::new(1024).unwrap());
    v.visit("exact_hashset", || Exact(HashSet::default()));
    v.visit("hllplus_p10", || {
        HyperLogLogPlus::<T, _>::new(10, StableBuildHasher::default()).unwrap()
    });
    v.visit("hllplus_p14", || {
        HyperLogLogPlus::<T, _>::new(14, StableBuildHasher::default()).unwrap()
    });
    v.visit("pc_hll_p10", || {
        PcHll::<T::Owned, _>::with_hasher(PC_P10, StableBuildHasher::default())
    });
    v.visit("pc_hll_p14", || {
        PcHll::<T::Owned, _>::with_hasher(PC_P14, StableBuildHasher::default())
    });
}

fn sizes() -> Vec<u64> {
    let mut s = vec![1_000, 100_000, 1_000_000];
    if std::env::var_os("HPDS_BENCH_FULL").is_some() {
        s.push(10_000_000);
    }
    s
}

/// Memory (bytes held after building, measured) and relative error of each implementation.
fn report() {
    println!(
        "{:<16} {:>10} {:>14} {:>10}",
        "impl", "distinct", "heap bytes", "rel err"
    );
    struct Report(u64);
    impl Visit<u64> for Report {
        fn visit<D: Distinct<u64>>(&mut self, name: &str, new: impl Fn() -> D) {
            let n = self.0;
            let (mut d, delta) = measure(|| {
                let mut d = new();
                (0..n).for_each(|x| d.add(&x));
                d
            });
            println!(
                "{name:<16} {n:>10} {:>14} {:>+10.4}",
                delta.retained,
                d.count() / n as f64 - 1.0
            );
        }
    }
    for n in [1_000u64, 1_000_000] {
        each_impl::<u64, _>(&mut Report(n));
    }
    let k = Kmv::new(1024).unwrap();
    println!("(Kmv::heap_bytes when warm: {} B)", {
        let mut k = k;
        k.extend(0u64..100_000);
        k.heap_bytes()
    });
}

type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// Times inserting `0..n` into a fresh counter, then its estimate.
struct U64Bench<'a, 'g> {
    g: &'a mut Group<'g>,
    n: u64,
}

impl Visit<u64> for U64Bench<'_, '_> {
    fn visit<D: Distinct<u64>>(&mut self, name: &str, new: impl Fn() -> D) {
        let n = self.n;
        self.g.bench_function(BenchmarkId::new(name, n), |b| {
            b.iter(|| {
                let mut d = new();
                (0..n).for_each(|x| d.add(&x));
                black_box(d.count())
            });
        });
    }
}

/// Times inserting the corpus's tokens into a fresh counter, then its estimate.
struct StrBench<'a, 'g> {
    g: &'a mut Group<'g>,
    corpus: &'a Corpus,
}

impl Visit<str> for StrBench<'_, '_> {
    fn visit<D: Distinct<str>>(&mut self, name: &str, new: impl Fn() -> D) {
        let corpus = self.corpus;
        self.g
            .bench_function(BenchmarkId::new(name, corpus.len()), |b| {
                b.iter(|| {
                    let mut d = new();
                    corpus.tokens().for_each(|w| d.add(w));
                    black_box(d.count())
                });
            });
    }
}

fn distinct(c: &mut Criterion) {
    report();
    let mut g = c.benchmark_group("distinct_insert_u64");
    for n in sizes() {
        g.throughput(Throughput::Elements(n));
        each_impl::<u64, _>(&mut U64Bench { g: &mut g, n });
    }
    g.finish();

    let corpus = Corpus::generate(7, 1_000_000, 20_000, 1.0);
    let mut g = c.benchmark_group("distinct_insert_str");
    g.throughput(Throughput::Elements(corpus.len() as u64));
    each_impl::<str, _>(&mut StrBench {
        g: &mut g,
        corpus: &corpus,
    });
    g.finish();

    // KMV's own pre-hashed path, for reference against the item paths above.
    let mut g = c.benchmark_group("distinct_insert_prehashed");
    let n = 1_000_000u64;
    let hashes: Vec<u64> = (0..n).map(|x| hash_u64(x, 1)).collect();
    g.throughput(Throughput::Elements(n));
    g.bench_function(BenchmarkId::new("kmv_k1024", n), |b| {
        b.iter(|| {
            let mut k = Kmv::new(1024).unwrap();
            for &h in &hashes {
                k.insert_hash(h);
            }
            black_box(k.len())
        });
    });
    g.finish();
}

/// What every event counter under test does.
trait Counter {
    fn incr(&mut self);
    fn value(&self) -> f64;
}

impl Counter for MorrisCounter {
    fn incr(&mut self) {
        self.increment();
    }
    fn value(&self) -> f64 {
        self.estimate()
    }
}

struct Plain(u64);

impl Counter for Plain {
    fn incr(&mut self) {
        self.0 = black_box(self.0) + 1;
    }
    fn value(&self) -> f64 {
        self.0 as f64
    }
}

/// Times `n` increments of a fresh counter from `new`; generic, so each counter's `incr` is
/// inlined into the loop as it would be in a user's code (no dynamic dispatch per event).
fn count_events<C: Counter>(g: &mut Group<'_>, name: &str, n: u64, new: impl Fn() -> C) {
    g.bench_function(BenchmarkId::new(name, n), |b| {
        b.iter(|| {
            let mut m = new();
            for _ in 0..n {
                m.incr();
            }
            black_box(m.value())
        });
    });
}

fn counters(c: &mut Criterion) {
    let mut g = c.benchmark_group("count_events");
    for n in sizes() {
        g.throughput(Throughput::Elements(n));
        count_events(&mut g, "morris_b2", n, || {
            MorrisCounter::with_seed(2.0, 1).unwrap()
        });
        count_events(&mut g, "morris_b1.1", n, || {
            MorrisCounter::with_seed(1.1, 1).unwrap()
        });
        count_events(&mut g, "plain_u64", n, || Plain(0));
    }
    g.finish();
}

criterion_group!(benches, distinct, counters);
criterion_main!(benches);
