//! Where the time of a `WordSet` build goes, on `n` synthetic words (default 5 million):
//! generating the words, collecting them, sorting and de-duplicating, and fst's builder; then
//! hit and miss lookups against bare `fst::Set` and `HashSet<String>`.
//!
//! Wall and CPU time are printed for each build phase: on a shared machine the wall time
//! includes waiting for a core. Lookups are timed in rounds of 1000 keys, the implementations
//! interleaved round by round; the *fastest* round of each estimates the unloaded speed (a
//! round only gets slower from interference), the median is what the loaded machine gives.
//!
//! `cargo run --release -p hpds-benches --bin trie_timing -- 5000000`

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Instant;

use hpds_testkit::words::Vocabulary;
use hpds_trie::{StringSet, WordSet};

/// CPU seconds this thread has run (0 where the OS does not say): on a shared machine wall
/// time includes waiting for a core, CPU time does not.
fn cpu() -> f64 {
    hpds_testkit::process::thread_cpu_time().map_or(0.0, |d| d.as_secs_f64())
}

/// Runs `f`, printing its wall and CPU seconds.
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let (t, c) = (Instant::now(), cpu());
    let out = f();
    println!(
        "{what:<40} wall {:>7.3} s  cpu {:>7.3} s",
        t.elapsed().as_secs_f64(),
        cpu() - c
    );
    out
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(5_000_000, |s| s.parse().expect("a number of keys"));
    let vocab = timed(&format!("generate {n} words"), || {
        Vocabulary::generate(42, n)
    });
    let words: Vec<&str> = vocab.words().iter().map(String::as_str).collect();

    let set = timed("WordSet: StringSet::build (all of it)", || {
        <WordSet as StringSet>::build(words.iter().copied())
    });
    let mut v = timed("bare: Vec<&str> copy", || words.clone());
    timed("bare: sort_unstable", || v.sort_unstable());
    timed("bare: dedup", || v.dedup());
    let f = timed("bare: fst::Set::from_iter", || {
        fst::Set::from_iter(v.iter()).expect("sorted")
    });
    let s2 = timed("WordSet::from_sorted_iter", || {
        WordSet::from_sorted_iter(v.iter()).expect("sorted")
    });
    assert_eq!(s2.len(), set.len());
    assert_eq!(f.len(), set.len());
    println!(
        "{} keys: WordSet {} bytes, bare fst {} bytes",
        set.len(),
        set.as_bytes().len(),
        f.as_fst().as_bytes().len()
    );
    drop((v, s2));

    // Lookups: 1000 hits spread over the vocabulary (all lengths), 1000 misses.
    let step = (n / 1000).max(1);
    let hits: Vec<&str> = words.iter().step_by(step).take(1000).copied().collect();
    let hash: HashSet<&str> = words.iter().copied().collect();
    let other = Vocabulary::generate(7, 3000);
    let misses: Vec<&str> = other
        .words()
        .iter()
        .map(String::as_str)
        .filter(|w| !hash.contains(w))
        .take(1000)
        .collect();
    let owned: HashSet<String> = words.iter().map(|w| (*w).to_string()).collect();
    type Probe<'a> = (&'a str, Box<dyn Fn(&str) -> bool + 'a>);
    let probes: Vec<Probe<'_>> = vec![
        ("WordSet", Box::new(|k: &str| set.contains(k))),
        ("fst::Set", Box::new(|k: &str| f.contains(k))),
        ("HashSet<String>", Box::new(|k: &str| owned.contains(k))),
    ];
    for (what, keys) in [("hit", &hits), ("miss", &misses)] {
        let mut ns: Vec<Vec<f64>> = vec![Vec::new(); probes.len()];
        for _ in 0..300 {
            for (i, (_, has)) in probes.iter().enumerate() {
                let t = Instant::now();
                let found = keys.iter().filter(|k| has(k)).count();
                ns[i].push(t.elapsed().as_nanos() as f64 / keys.len() as f64);
                black_box(found);
            }
        }
        for ((name, _), mut v) in probes.iter().zip(ns) {
            v.sort_by(f64::total_cmp);
            println!(
                "{what:<4} {name:<16} fastest round {:>7.1} ns/key, median {:>7.1} ns/key",
                v[0],
                v[v.len() / 2]
            );
        }
    }
}
