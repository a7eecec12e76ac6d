//! Exact distinct counting of words: std HashSet, BTreeSet and a sorted, de-duplicated Vec —
//! the baselines of `hpds compare` and of the book's comparison.

use std::collections::{BTreeSet, HashSet};
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_benches::{corpus, sizes};

/// What every exact set must do here.
trait ExactSet: Default {
    const NAME: &'static str;
    fn add(&mut self, word: &str);
    fn finish(&mut self) {}
    fn has(&self, word: &str) -> bool;
}

impl ExactSet for HashSet<String> {
    const NAME: &'static str = "std-hashset";
    fn add(&mut self, word: &str) {
        if !self.contains(word) {
            self.insert(word.to_owned());
        }
    }
    fn has(&self, word: &str) -> bool {
        self.contains(word)
    }
}

impl ExactSet for BTreeSet<String> {
    const NAME: &'static str = "std-btreeset";
    fn add(&mut self, word: &str) {
        if !self.contains(word) {
            self.insert(word.to_owned());
        }
    }
    fn has(&self, word: &str) -> bool {
        self.contains(word)
    }
}

#[derive(Default)]
struct SortedVec(Vec<String>);

impl ExactSet for SortedVec {
    const NAME: &'static str = "sorted-vec";
    fn add(&mut self, word: &str) {
        self.0.push(word.to_owned());
    }
    fn finish(&mut self) {
        self.0.sort_unstable();
        self.0.dedup();
    }
    fn has(&self, word: &str) -> bool {
        self.0.binary_search_by(|w| w.as_str().cmp(word)).is_ok()
    }
}

fn build<S: ExactSet>(c: &mut Criterion, tokens: &[&str], n: u64) {
    c.benchmark_group("exact/build")
        .throughput(Throughput::Elements(n))
        .bench_function(BenchmarkId::new(S::NAME, n), |b| {
            b.iter(|| {
                let mut s = S::default();
                for t in tokens {
                    s.add(t);
                }
                s.finish();
                s
            });
        });
}

fn lookup<S: ExactSet>(c: &mut Criterion, tokens: &[&str], n: u64) {
    let mut s = S::default();
    for t in tokens {
        s.add(t);
    }
    s.finish();
    c.benchmark_group("exact/lookup")
        .throughput(Throughput::Elements(n))
        .bench_function(BenchmarkId::new(S::NAME, n), |b| {
            b.iter(|| tokens.iter().filter(|t| s.has(black_box(t))).count());
        });
}

fn benches(c: &mut Criterion) {
    for n in sizes(&[10_000, 1_000_000], &[10_000_000]) {
        let corpus = corpus(n as usize);
        let tokens: Vec<&str> = corpus.tokens().collect();
        build::<HashSet<String>>(c, &tokens, n);
        build::<BTreeSet<String>>(c, &tokens, n);
        build::<SortedVec>(c, &tokens, n);
        lookup::<HashSet<String>>(c, &tokens, n);
        lookup::<BTreeSet<String>>(c, &tokens, n);
        lookup::<SortedVec>(c, &tokens, n);
    }
}

criterion_group!(exact, benches);
criterion_main!(exact);
