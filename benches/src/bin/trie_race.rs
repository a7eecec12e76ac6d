//! Same-process race of hpds's `Trie` against `HashSet<String>` and `BTreeSet<String>` (and
//! the bytes of the DAWG, `WordSet`) on three corpora: the distinct words of `hpds compare`'s
//! built-in corpus, `/usr/share/dict/words` (skipped with a message when absent), and
//! generated file paths.
//!
//! Bytes are what the counting allocator saw the structure retain after building it from the
//! keys in a shuffled order (strings included, no shrink step). Times are per key: `insert`
//! builds a fresh structure from the shuffled keys, `hit` looks every key up in another
//! order, `sorted` walks all keys in order, `prefix` walks the keys under sampled prefixes
//! (per key produced), and every walk reads each key's bytes and runs 20 times over (the
//! thread CPU clock can tick in milliseconds). Each round runs every
//! implementation once, in a rotating order, timed in thread CPU time; the table gives each one's median over the
//! rounds and the median, lowest and highest of the per-round ratio against the peer.
//!
//! `cargo run --release -p hpds-benches --bin trie_race -- [--rounds 5] [--tokens 10000000]
//! [--paths 380000] [--only words|dict|paths]`

use std::collections::{BTreeSet, HashSet};
use std::hint::black_box;
use std::time::Instant;

use hpds_testkit::CountingAllocator;
use hpds_testkit::alloc::measure;
use hpds_trie::{Trie, WordSet};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

/// What the race asks of each implementation.
trait Racer: Sized {
    const NAME: &'static str;
    fn build(keys: &[&str]) -> Self;
    fn has(&self, k: &str) -> bool;
    /// Walks every key in order; returns a checksum of the bytes read.
    fn walk_all(&self) -> usize;
    /// Walks the keys starting with `p`; returns (keys, checksum).
    fn walk_prefix(&self, p: &str) -> (usize, usize);
}

fn digest(k: &[u8]) -> usize {
    k.len() + usize::from(k.last().copied().unwrap_or(0))
}

impl Racer for Trie {
    const NAME: &'static str = "Trie";
    fn build(keys: &[&str]) -> Self {
        let mut t = Trie::new();
        for k in keys {
            t.insert(k);
        }
        t
    }
    fn has(&self, k: &str) -> bool {
        self.contains(k)
    }
    fn walk_all(&self) -> usize {
        let mut c = self.cursor();
        let mut sum = 0;
        while let Some(k) = c.next_key() {
            sum += digest(k);
        }
        sum
    }
    fn walk_prefix(&self, p: &str) -> (usize, usize) {
        let mut c = self.prefix_cursor(p);
        let (mut n, mut sum) = (0, 0);
        while let Some(k) = c.next_key() {
            n += 1;
            sum += digest(k);
        }
        (n, sum)
    }
}

impl Racer for HashSet<String> {
    const NAME: &'static str = "HashSet<String>";
    fn build(keys: &[&str]) -> Self {
        let mut s = HashSet::new();
        for k in keys {
            s.insert((*k).to_string());
        }
        s
    }
    fn has(&self, k: &str) -> bool {
        self.contains(k)
    }
    fn walk_all(&self) -> usize {
        0
    }
    fn walk_prefix(&self, _: &str) -> (usize, usize) {
        (0, 0)
    }
}

impl Racer for BTreeSet<String> {
    const NAME: &'static str = "BTreeSet<String>";
    fn build(keys: &[&str]) -> Self {
        let mut s = BTreeSet::new();
        for k in keys {
            s.insert((*k).to_string());
        }
        s
    }
    fn has(&self, k: &str) -> bool {
        self.contains(k)
    }
    fn walk_all(&self) -> usize {
        self.iter().map(|k| digest(k.as_bytes())).sum()
    }
    fn walk_prefix(&self, p: &str) -> (usize, usize) {
        let (mut n, mut sum) = (0, 0);
        for k in self
            .range::<str, _>((std::ops::Bound::Included(p), std::ops::Bound::Unbounded))
            .take_while(|k| k.starts_with(p))
        {
            n += 1;
            sum += digest(k.as_bytes());
        }
        (n, sum)
    }
}

/// Per-round nanoseconds per key of one operation, per implementation.
#[derive(Default)]
struct Times(Vec<Vec<f64>>);

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Seconds of CPU this thread has run (wall time where the OS does not say): on a shared
/// machine, waiting for a core is not charged to the implementation that waited.
fn now() -> f64 {
    hpds_testkit::process::thread_cpu_time().map_or_else(
        || {
            static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
            START.get_or_init(Instant::now).elapsed().as_secs_f64()
        },
        |d| d.as_secs_f64(),
    )
}

/// Times each walk is repeated: a thread's CPU clock may advance in ticks of a few
/// milliseconds, about as long as one walk over a few hundred thousand keys takes.
const WALK_REPS: usize = 20;

fn time_per<T>(per: usize, f: impl FnOnce() -> T) -> (T, f64) {
    let t = now();
    let out = black_box(f());
    (out, (now() - t) * 1e9 / per.max(1) as f64)
}

struct Ops {
    insert: Times,
    hit: Times,
    sorted: Times,
    prefix: Times,
}

/// One round of `R` on `keys` (inserted in that order), probes and prefixes.
fn round<R: Racer>(keys: &[&str], probes: &[&str], prefixes: &[&str], ops: &mut Ops, slot: usize) {
    let (set, ns) = time_per(keys.len(), || R::build(keys));
    ops.insert.0[slot].push(ns);
    let (hits, ns) = time_per(probes.len(), || {
        probes.iter().filter(|k| set.has(k)).count()
    });
    assert_eq!(hits, probes.len(), "{}", R::NAME);
    ops.hit.0[slot].push(ns);
    if slot != 1 {
        let (_, ns) = time_per(keys.len() * WALK_REPS, || {
            (0..WALK_REPS).map(|_| set.walk_all()).sum::<usize>()
        });
        ops.sorted.0[slot].push(ns);
        let mut produced = 0;
        let t = now();
        for _ in 0..WALK_REPS {
            for p in prefixes {
                let (n, sum) = set.walk_prefix(p);
                produced += n;
                black_box(sum);
            }
        }
        ops.prefix.0[slot].push((now() - t) * 1e9 / produced.max(1) as f64);
    }
}

fn report(name: &str, t: &mut Times, peer: usize) {
    let ours = t.0[0].clone();
    let theirs = t.0[peer].clone();
    if ours.is_empty() || theirs.is_empty() {
        return;
    }
    let mut ratios: Vec<f64> = ours.iter().zip(&theirs).map(|(a, b)| a / b).collect();
    let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ratios.iter().copied().fold(0.0, f64::max);
    let peer_name = ["Trie", "HashSet<String>", "BTreeSet<String>"][peer];
    println!(
        "| {name:<8} | {:>8.1} | {:>8.1} ({peer_name}) | {:>5.2}x [{lo:.2}, {hi:.2}] |",
        median(&mut t.0[0].clone()),
        median(&mut t.0[peer].clone()),
        median(&mut ratios),
    );
}

fn bytes<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let (v, d) = measure(f);
    (v, d.retained.max(0) as usize)
}

fn race(label: &str, mut keys: Vec<String>, rounds: usize) {
    keys = hpds_testkit::streams::shuffled(7, keys);
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let n = keys.len();
    let avg = keys.iter().map(|k| k.len()).sum::<usize>() as f64 / n as f64;
    println!("\n## {label}: {n} distinct keys, {avg:.1} bytes on average\n");
    let (t, tb) = bytes(|| <Trie as Racer>::build(&keys));
    assert_eq!(
        tb,
        hpds_core::HeapSize::heap_bytes(&t),
        "heap_bytes disagrees"
    );
    drop(t);
    let (h, hb) = bytes(|| <HashSet<String> as Racer>::build(&keys));
    drop(h);
    let (b, bb) = bytes(|| <BTreeSet<String> as Racer>::build(&keys));
    drop(b);
    let (d, db) = bytes(|| keys.iter().copied().collect::<WordSet>());
    drop(d);
    println!("| structure | bytes | bytes/key | vs HashSet |\n|---|---:|---:|---:|");
    for (name, b) in [
        ("Trie", tb),
        ("HashSet<String>", hb),
        ("BTreeSet<String>", bb),
        ("WordSet (DAWG)", db),
    ] {
        println!(
            "| {name} | {b} | {:.2} | {:.3}x |",
            b as f64 / n as f64,
            b as f64 / hb as f64
        );
    }
    let probes: Vec<&str> = hpds_testkit::streams::shuffled(11, keys.clone());
    // Prefixes: the first third of 2000 keys (at least 2 bytes), as a user typing would.
    let prefixes: Vec<&str> = keys
        .iter()
        .step_by((n / 2000).max(1))
        .map(|k| {
            let mut cut = (k.len() / 3).max(2).min(k.len());
            while !k.is_char_boundary(cut) {
                cut -= 1;
            }
            &k[..cut]
        })
        .collect();
    let mut ops = Ops {
        insert: Times(vec![Vec::new(); 3]),
        hit: Times(vec![Vec::new(); 3]),
        sorted: Times(vec![Vec::new(); 3]),
        prefix: Times(vec![Vec::new(); 3]),
    };
    for r in 0..rounds {
        for i in 0..3 {
            match (r + i) % 3 {
                0 => round::<Trie>(&keys, &probes, &prefixes, &mut ops, 0),
                1 => round::<HashSet<String>>(&keys, &probes, &prefixes, &mut ops, 1),
                _ => round::<BTreeSet<String>>(&keys, &probes, &prefixes, &mut ops, 2),
            }
        }
    }
    println!(
        "\n| op | Trie ns/key | peer ns/key | Trie/peer median [min, max] over {rounds} rounds |\n|---|---:|---:|---:|"
    );
    report("insert", &mut ops.insert, 1);
    report("hit", &mut ops.hit, 1);
    report("sorted", &mut ops.sorted, 2);
    report("prefix", &mut ops.prefix, 2);
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let rounds: usize = arg("--rounds").and_then(|v| v.parse().ok()).unwrap_or(5);
    let tokens: usize = arg("--tokens")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let paths: usize = arg("--paths")
        .and_then(|v| v.parse().ok())
        .unwrap_or(380_000);
    let only = arg("--only");
    let wants = |c: &str| only.as_deref().is_none_or(|o| o == c);
    if wants("words") {
        let words = hpds_benches::compare_corpus_words(tokens);
        race(
            &format!("hpds compare corpus ({tokens} tokens)"),
            words,
            rounds,
        );
    }
    if wants("dict") {
        match std::fs::read_to_string("/usr/share/dict/words") {
            Ok(text) => {
                let words: BTreeSet<&str> = text.lines().filter(|l| !l.is_empty()).collect();
                race(
                    "/usr/share/dict/words",
                    words.into_iter().map(str::to_string).collect(),
                    rounds,
                );
            }
            Err(e) => println!(
                "\n## /usr/share/dict/words: skipped ({e}); on Debian: apt-get install wamerican-huge"
            ),
        }
    }
    if wants("paths") {
        race(
            &format!("file paths (seeded generator, {paths})"),
            hpds_benches::file_paths(2024, paths),
            rounds,
        );
    }
}
