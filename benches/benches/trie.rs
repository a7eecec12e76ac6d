//! Peer comparison for string sets: `HashSet<String>` (std and hashbrown + ahash),
//! `BTreeSet<String>`, a sorted `Vec<String>`, hpds's `Trie`, hpds's `WordSet` and a bare
//! `fst::Set` (the DAWG without hpds's wrapper), all behind one local trait so each runs the
//! same code.
//!
//! Groups: `build` (from the distinct words, unsorted), `contains_hit`, `contains_miss`,
//! `prefix_count` (keys under 3-letter prefixes). Sizes: 100 thousand words by default;
//! `HPDS_BENCH_FULL=1` adds 5 million. Bytes per key (what the counting allocator saw each build retain) are printed to
//! stderr once per size.
//!
//! `cargo bench -p hpds-benches --bench trie -- --warm-up-time 1 --measurement-time 2 --sample-size 10`

use std::collections::{BTreeSet, HashSet};
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_testkit::CountingAllocator;
use hpds_testkit::alloc::measure;
use hpds_testkit::words::Vocabulary;
use hpds_trie::{SortedStrings, StringSet, Trie, WordSet};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

/// What every implementation offers the benchmark.
trait Peer: Sized {
    const NAME: &'static str;
    fn build(words: &[&str]) -> Self;
    fn has(&self, w: &str) -> bool;
    fn prefix_count(&self, p: &str) -> usize;
}

/// The implementations with a `StringSet` impl in hpds-trie.
macro_rules! via_stringset {
    ($t:ty, $name:expr) => {
        impl Peer for $t {
            const NAME: &'static str = $name;
            fn build(words: &[&str]) -> Self {
                <$t as StringSet>::build(words.iter().copied())
            }
            fn has(&self, w: &str) -> bool {
                self.contains_str(w)
            }
            fn prefix_count(&self, p: &str) -> usize {
                self.count_prefix_str(p)
            }
        }
    };
}
via_stringset!(HashSet<String>, "std-HashSet");
via_stringset!(BTreeSet<String>, "std-BTreeSet");
via_stringset!(SortedStrings, "sorted-Vec");
via_stringset!(Trie, "hpds-Trie");
via_stringset!(WordSet, "hpds-WordSet");

/// hashbrown with ahash: the fastest hash set in common use.
struct Hashbrown(hashbrown::HashSet<String, ahash::RandomState>);

impl Peer for Hashbrown {
    const NAME: &'static str = "hashbrown-ahash";
    fn build(words: &[&str]) -> Self {
        let mut s = hashbrown::HashSet::with_hasher(ahash::RandomState::new());
        for w in words {
            if !s.contains(*w) {
                s.insert((*w).to_string());
            }
        }
        Hashbrown(s)
    }
    fn has(&self, w: &str) -> bool {
        self.0.contains(w)
    }
    fn prefix_count(&self, p: &str) -> usize {
        self.0.iter().filter(|s| s.starts_with(p)).count()
    }
}

/// A bare `fst::Set`, built the way its docs show (sort, dedup, `Set::from_iter`).
struct Fst(fst::Set<Vec<u8>>);

impl Peer for Fst {
    const NAME: &'static str = "fst-Set";
    fn build(words: &[&str]) -> Self {
        let mut v = words.to_vec();
        v.sort_unstable();
        v.dedup();
        Fst(fst::Set::from_iter(v).expect("sorted"))
    }
    fn has(&self, w: &str) -> bool {
        self.0.contains(w)
    }
    fn prefix_count(&self, p: &str) -> usize {
        use fst::{Automaton, IntoStreamer, Streamer};
        let mut s = self
            .0
            .search(fst::automaton::Str::new(p).starts_with())
            .into_stream();
        let mut n = 0;
        while s.next().is_some() {
            n += 1;
        }
        n
    }
}

struct Data {
    words: Vec<String>,
    hits: Vec<String>,
    misses: Vec<String>,
    prefixes: Vec<String>,
}

fn data(n: usize) -> Data {
    let vocab = Vocabulary::generate(42, n);
    let words = vocab.words().to_vec();
    let step = (n / 1000).max(1);
    let hits: Vec<String> = words.iter().step_by(step).take(1000).cloned().collect();
    let all: HashSet<&str> = words.iter().map(String::as_str).collect();
    let misses: Vec<String> = Vocabulary::generate(7, 3000)
        .words()
        .iter()
        .filter(|w| !all.contains(w.as_str()))
        .take(1000)
        .cloned()
        .collect();
    let prefixes: Vec<String> = hits
        .iter()
        .filter(|w| w.len() >= 3)
        .take(100)
        .map(|w| w[..3].to_string())
        .collect();
    Data {
        words,
        hits,
        misses,
        prefixes,
    }
}

fn run<P: Peer>(c: &mut Criterion, n: usize, d: &Data) {
    let words: Vec<&str> = d.words.iter().map(String::as_str).collect();
    let (set, delta) = measure(|| P::build(&words));
    eprintln!(
        "{:<16} n={n:>9}: {:>7.2} bytes/key (counting allocator)",
        P::NAME,
        delta.retained as f64 / n as f64
    );

    let mut g = c.benchmark_group("build");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_with_input(BenchmarkId::new(P::NAME, n), &words, |b, w| {
        b.iter(|| black_box(P::build(w)));
    });
    g.finish();

    for (group, keys) in [("contains_hit", &d.hits), ("contains_miss", &d.misses)] {
        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Elements(keys.len() as u64));
        g.bench_with_input(BenchmarkId::new(P::NAME, n), keys, |b, keys| {
            b.iter(|| keys.iter().filter(|k| set.has(k)).count());
        });
        g.finish();
    }

    let mut g = c.benchmark_group("prefix_count");
    g.throughput(Throughput::Elements(d.prefixes.len() as u64));
    g.bench_with_input(BenchmarkId::new(P::NAME, n), &d.prefixes, |b, ps| {
        b.iter(|| ps.iter().map(|p| set.prefix_count(p)).sum::<usize>());
    });
    g.finish();
}

fn peers(c: &mut Criterion) {
    let full = std::env::var("HPDS_BENCH_FULL").is_ok_and(|v| v == "1");
    let sizes: &[usize] = if full {
        &[100_000, 5_000_000]
    } else {
        &[100_000]
    };
    for &n in sizes {
        let d = data(n);
        run::<WordSet>(c, n, &d);
        run::<Fst>(c, n, &d);
        run::<Trie>(c, n, &d);
        run::<SortedStrings>(c, n, &d);
        run::<HashSet<String>>(c, n, &d);
        run::<Hashbrown>(c, n, &d);
        run::<BTreeSet<String>>(c, n, &d);
    }
}

criterion_group!(benches, peers);
criterion_main!(benches);
