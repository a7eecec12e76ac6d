//! Bytes per key of every `StringSet`, measured by the counting allocator next to what the
//! structure reports (`memory_bytes()`, which is `heap_bytes()` for the hpds types), and the
//! peak heap while building.
//!
//! `cargo bench -p hpds-trie --bench memory` measures 100 thousand words;
//! `HPDS_BENCH_FULL=1` adds 5 million (a few GB of RAM and a couple of minutes).

use std::collections::{BTreeSet, HashSet};
use std::time::Instant;

use hpds_testkit::CountingAllocator;
use hpds_testkit::alloc::measure;
use hpds_testkit::words::Vocabulary;
use hpds_trie::{SortedStrings, StringSet, Trie, WordSet};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

fn row<S: StringSet>(words: &[String], exact: bool) {
    let n = words.len();
    let start = Instant::now();
    let (set, delta) = measure(|| S::build(words.iter().map(String::as_str)));
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(set.len(), n);
    let reported = set.memory_bytes();
    let measured = delta.retained as usize;
    println!(
        "| {:<20} | {:>9} | {:>12} | {:>12} | {:>8.2} | {:>8.1} | {:>8.3} |",
        S::name(),
        n,
        reported,
        measured,
        measured as f64 / n as f64,
        delta.peak as f64 / n as f64,
        secs,
    );
    if exact {
        assert_eq!(
            reported,
            measured,
            "{}: heap_bytes disagrees with the allocator",
            S::name()
        );
    } else {
        let ratio = reported as f64 / measured as f64;
        assert!(
            (0.8..1.25).contains(&ratio),
            "{}: estimate off by {ratio:.2}",
            S::name()
        );
    }
    drop(set);
}

fn main() {
    let full = std::env::var("HPDS_BENCH_FULL").is_ok_and(|v| v == "1");
    let sizes: &[usize] = if full {
        &[100_000, 5_000_000]
    } else {
        &[100_000]
    };
    println!(
        "| implementation       |      keys | heap_bytes() |     measured |  B/key   | peak B/key | build s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for &n in sizes {
        let vocab = Vocabulary::generate(42, n);
        let words = vocab.words();
        let mean = words.iter().map(String::len).sum::<usize>() as f64 / n as f64;
        eprintln!("{n} words, mean length {mean:.2} bytes");
        row::<WordSet>(words, true);
        row::<Trie>(words, true);
        row::<SortedStrings>(words, true);
        row::<HashSet<String>>(words, true);
        row::<BTreeSet<String>>(words, false);
    }
}
