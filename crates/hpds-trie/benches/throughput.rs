//! Throughput of hpds-trie's own operations (the comparison with std and fst is in
//! `benches/benches/trie.rs`).
//!
//! Groups: `build` (Trie insertions; WordSet from unsorted words and from sorted words),
//! hits and misses, `prefix`, `fuzzy` (distance 1), `longest_prefix`, `map_get`.
//! 100 thousand words by default; `HPDS_BENCH_FULL=1` adds 5 million.
//!
//! `cargo bench -p hpds-trie --bench throughput -- --warm-up-time 1 --measurement-time 2 --sample-size 10`

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_testkit::words::Vocabulary;
use hpds_trie::{Trie, WordMap, WordSet};

fn sizes() -> &'static [usize] {
    if std::env::var("HPDS_BENCH_FULL").is_ok_and(|v| v == "1") {
        &[100_000, 5_000_000]
    } else {
        &[100_000]
    }
}

fn bench(c: &mut Criterion) {
    for &n in sizes() {
        let vocab = Vocabulary::generate(42, n);
        let words = vocab.words();
        let mut sorted: Vec<&str> = words.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        let hits: Vec<&str> = words
            .iter()
            .step_by((n / 1000).max(1))
            .map(String::as_str)
            .collect();
        let set: WordSet = words.iter().collect();
        let trie: Trie = words.iter().collect();
        let misses: Vec<String> = Vocabulary::generate(7, 3000)
            .words()
            .iter()
            .filter(|w| !set.contains(w))
            .take(1000)
            .cloned()
            .collect();
        let ids = WordMap::ordinals(&set);

        let mut g = c.benchmark_group("build");
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("WordSet-unsorted", n), |b| {
            b.iter(|| black_box(words.iter().collect::<WordSet>()));
        });
        g.bench_function(BenchmarkId::new("WordSet-sorted", n), |b| {
            b.iter(|| black_box(WordSet::from_sorted_iter(&sorted)));
        });
        g.bench_function(BenchmarkId::new("Trie", n), |b| {
            b.iter(|| black_box(words.iter().collect::<Trie>()));
        });
        g.finish();

        let mut g = c.benchmark_group("lookup");
        g.throughput(Throughput::Elements(hits.len() as u64));
        g.bench_function(BenchmarkId::new("WordSet-hit", n), |b| {
            b.iter(|| hits.iter().filter(|w| set.contains(w)).count());
        });
        g.bench_function(BenchmarkId::new("WordSet-miss", n), |b| {
            b.iter(|| misses.iter().filter(|w| set.contains(w)).count());
        });
        g.bench_function(BenchmarkId::new("Trie-hit", n), |b| {
            b.iter(|| hits.iter().filter(|w| trie.contains(w)).count());
        });
        g.bench_function(BenchmarkId::new("Trie-miss", n), |b| {
            b.iter(|| misses.iter().filter(|w| trie.contains(w)).count());
        });
        g.bench_function(BenchmarkId::new("WordMap-get", n), |b| {
            b.iter(|| hits.iter().filter_map(|w| ids.get(w)).sum::<u64>());
        });
        g.finish();

        let prefixes: Vec<&str> = hits
            .iter()
            .filter(|w| w.len() >= 3)
            .take(100)
            .map(|w| &w[..3])
            .collect();
        let mut g = c.benchmark_group("prefix");
        g.throughput(Throughput::Elements(prefixes.len() as u64));
        g.bench_function(BenchmarkId::new("WordSet-count", n), |b| {
            b.iter(|| prefixes.iter().map(|p| set.count_prefix(p)).sum::<usize>());
        });
        g.bench_function(BenchmarkId::new("Trie-count", n), |b| {
            b.iter(|| prefixes.iter().map(|p| trie.count_prefix(p)).sum::<usize>());
        });
        g.bench_function(BenchmarkId::new("WordSet-collect", n), |b| {
            b.iter(|| {
                prefixes
                    .iter()
                    .map(|p| set.prefix(p).count())
                    .sum::<usize>()
            });
        });
        g.bench_function(BenchmarkId::new("Trie-compacted-count", n), |b| {
            b.iter(|| prefixes.iter().map(|p| trie.count_prefix(p)).sum::<usize>());
        });
        g.bench_function(BenchmarkId::new("Trie-collect", n), |b| {
            b.iter(|| {
                prefixes
                    .iter()
                    .map(|p| trie.prefix_iter(p).count())
                    .sum::<usize>()
            });
        });
        g.finish();

        let queries: Vec<&str> = hits.iter().take(20).copied().collect();
        let mut g = c.benchmark_group("fuzzy");
        g.throughput(Throughput::Elements(queries.len() as u64));
        g.bench_function(BenchmarkId::new("WordSet-d1", n), |b| {
            b.iter(|| {
                queries
                    .iter()
                    .map(|q| set.fuzzy(q, 1).map_or(0, Iterator::count))
                    .sum::<usize>()
            });
        });
        g.finish();

        let long: Vec<String> = hits.iter().map(|w| format!("{w}xyzzy")).collect();
        let mut g = c.benchmark_group("longest_prefix");
        g.throughput(Throughput::Elements(long.len() as u64));
        g.bench_function(BenchmarkId::new("WordSet", n), |b| {
            b.iter(|| long.iter().filter_map(|q| set.longest_prefix(q)).count());
        });
        g.bench_function(BenchmarkId::new("Trie", n), |b| {
            b.iter(|| long.iter().filter_map(|q| trie.longest_prefix(q)).count());
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
