//! A quick, interleaved race of `OpenMap` against `hashbrown::HashMap` (same `ahash` hasher),
//! for iterating on the table's code without a full criterion run: each operation is timed
//! `ROUNDS` times alternating the two tables; the best (least disturbed) time of each is
//! printed with their speed ratio, and the median of the per-round speed ratios.
//!
//! ```text
//! cargo run --release -p hpds-openhash --example race            # 1k, 100k, 1M u64 + 100k String
//! cargo run --release -p hpds-openhash --example race -- full    # + 10M u64, 1M String
//! cargo run --release -p hpds-openhash --example race -- 1000     # one size (0: String only)
//! ```
//!
//! Environment: `RACE_OPS=hit,miss` runs only those operations, `RACE_ONLY=ours` (or `peer`)
//! times one side only and `RACE_ROUNDS=n` sets the rounds; together they make a
//! deterministic instruction count under `valgrind --tool=cachegrind` (the difference of two
//! runs divided by `rounds × 2 000 000` operations is the per-operation difference).

use std::hash::Hash;
use std::hint::black_box;
use std::time::Instant;

use hpds_openhash::OpenMap;
use hpds_testkit::streams::distinct_u64s;

type Rs = ahash::RandomState;

const ROUNDS: usize = 8;

trait Table<K>: Clone {
    fn with_capacity(n: usize) -> Self;
    fn insert(&mut self, k: K, v: u64);
    fn get(&self, k: &K) -> Option<&u64>;
    fn remove(&mut self, k: &K) -> Option<u64>;
}

impl<K: Hash + Eq + Clone> Table<K> for OpenMap<K, u64, Rs> {
    fn with_capacity(n: usize) -> Self {
        OpenMap::with_capacity_and_hasher(n, Rs::with_seeds(1, 2, 3, 4))
    }
    #[inline]
    fn insert(&mut self, k: K, v: u64) {
        OpenMap::insert(self, k, v);
    }
    #[inline]
    fn get(&self, k: &K) -> Option<&u64> {
        OpenMap::get(self, k)
    }
    #[inline]
    fn remove(&mut self, k: &K) -> Option<u64> {
        OpenMap::remove(self, k)
    }
}

impl<K: Hash + Eq + Clone> Table<K> for hashbrown::HashMap<K, u64, Rs> {
    fn with_capacity(n: usize) -> Self {
        hashbrown::HashMap::with_capacity_and_hasher(n, Rs::with_seeds(1, 2, 3, 4))
    }
    #[inline]
    fn insert(&mut self, k: K, v: u64) {
        hashbrown::HashMap::insert(self, k, v);
    }
    #[inline]
    fn get(&self, k: &K) -> Option<&u64> {
        hashbrown::HashMap::get(self, k)
    }
    #[inline]
    fn remove(&mut self, k: &K) -> Option<u64> {
        hashbrown::HashMap::remove(self, k)
    }
}

// Each timed loop is its own `#[inline(never)]` function, so what is measured is the table's
// operation in a small loop of its own, compiled the same way for both tables. (Inlined into
// one big `time`, the two instantiations were register-allocated differently: OpenMap's
// reloaded its table pointer and mask from the stack on every probe, hashbrown's did not.)

#[inline(never)]
fn hits<K, T: Table<K>>(table: &T, keys: &[K]) -> u64 {
    keys.iter()
        .fold(0u64, |a, k| a.wrapping_add(*table.get(k).unwrap_or(&0)))
}

#[inline(never)]
fn misses<K, T: Table<K>>(table: &T, absent: &[K]) -> usize {
    absent.iter().filter(|k| table.get(k).is_some()).count()
}

#[inline(never)]
fn inserts<K, T: Table<K>>(ks: Vec<K>, capacity: usize) -> T {
    let mut t = T::with_capacity(capacity);
    for (i, k) in ks.into_iter().enumerate() {
        t.insert(k, i as u64);
    }
    t
}

#[inline(never)]
fn removes<K, T: Table<K>>(t: &mut T, keys: &[K]) {
    for k in keys {
        black_box(t.remove(k));
    }
}

#[inline(never)]
fn churns<K, T: Table<K>>(t: &mut T, keys: &[K], fresh: Vec<K>) {
    for (k, f) in keys.iter().zip(fresh) {
        black_box(t.remove(k));
        t.insert(f, 1);
    }
}

/// Nanoseconds per element of one run of `op`.
fn time<K: Clone + Hash + Eq, T: Table<K>>(op: &str, keys: &[K], absent: &[K], table: &T) -> f64 {
    let n = keys.len();
    let reps = (2_000_000 / n).max(1);
    let mut total = 0.0;
    for _ in 0..reps {
        let elapsed = match op {
            "insert" | "insert_reserved" => {
                let ks = keys.to_vec();
                let start = Instant::now();
                let t: T = inserts(ks, if op == "insert" { 0 } else { n });
                let e = start.elapsed();
                drop(black_box(t));
                e
            }
            "hit" => {
                let start = Instant::now();
                black_box(hits(table, keys));
                start.elapsed()
            }
            "miss" => {
                let start = Instant::now();
                black_box(misses(table, absent));
                start.elapsed()
            }
            "remove" => {
                let mut t = table.clone();
                let start = Instant::now();
                removes(&mut t, keys);
                let e = start.elapsed();
                drop(black_box(t));
                e
            }
            "churn" => {
                let mut t = table.clone();
                let fresh = absent.to_vec();
                let start = Instant::now();
                churns(&mut t, keys, fresh);
                let e = start.elapsed();
                drop(black_box(t));
                e
            }
            _ => unreachable!(),
        };
        total += elapsed.as_secs_f64();
    }
    total * 1e9 / (reps * n) as f64
}

fn race<K: Clone + Hash + Eq>(label: &str, keys: &[K], absent: &[K]) {
    let ours: OpenMap<K, u64, Rs> = {
        let mut t = <OpenMap<K, u64, Rs> as Table<K>>::with_capacity(0);
        for (i, k) in keys.iter().enumerate() {
            Table::insert(&mut t, k.clone(), i as u64);
        }
        t
    };
    let peer: hashbrown::HashMap<K, u64, Rs> = {
        let mut t = <hashbrown::HashMap<K, u64, Rs> as Table<K>>::with_capacity(0);
        for (i, k) in keys.iter().enumerate() {
            Table::insert(&mut t, k.clone(), i as u64);
        }
        t
    };
    let filter = std::env::var("RACE_OPS").unwrap_or_default();
    // `RACE_ONLY=ours` or `peer` times one side only (for instruction counts under cachegrind).
    let only = std::env::var("RACE_ONLY").unwrap_or_default();
    let (run_ours, run_peer) = (only != "peer", only != "ours");
    for op in [
        "hit",
        "miss",
        "insert",
        "insert_reserved",
        "remove",
        "churn",
    ] {
        if !filter.is_empty() && !filter.split(',').any(|f| f == op) {
            continue;
        }
        // Alternate which table goes first, so neither gains from the other's warm-up.
        let rounds = std::env::var("RACE_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(ROUNDS);
        let (mut ours_ns, mut peer_ns) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            if round % 2 == 0 && run_ours {
                ours_ns.push(time(op, keys, absent, &ours));
            }
            if run_peer {
                peer_ns.push(time(op, keys, absent, &peer));
            }
            if round % 2 == 1 && run_ours {
                ours_ns.push(time(op, keys, absent, &ours));
            }
        }
        let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        let (a, b) = (best(&ours_ns), best(&peer_ns));
        // The median of the rounds' own ratios: each pair ran back to back, so it is the
        // figure least moved by load that drifts during the run.
        let mut ratios: Vec<f64> = ours_ns.iter().zip(&peer_ns).map(|(o, p)| p / o).collect();
        ratios.sort_by(f64::total_cmp);
        let median = ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN);
        println!(
            "{label:>5} {n:>9} {op:>16}: OpenMap {a:8.2} ns  hashbrown {b:8.2} ns  speed ratio {r:.3} (best rounds), {median:.3} (median round)",
            n = keys.len(),
            r = b / a
        );
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "full");
    let only: Option<usize> = std::env::args().nth(1).and_then(|a| a.parse().ok());
    let mut sizes = vec![1_000usize, 100_000, 1_000_000];
    if full {
        sizes.push(10_000_000);
    }
    for n in sizes {
        if only.is_some_and(|o| o != n) {
            continue;
        }
        let all: Vec<u64> = distinct_u64s(42).take(2 * n).collect();
        let (keys, absent) = all.split_at(n);
        race("u64", keys, absent);
    }
    let n = if full { 1_000_000 } else { 100_000 };
    if only.is_none_or(|o| o == 0) {
        let all: Vec<String> = distinct_u64s(43)
            .take(2 * n)
            .map(|x| format!("k{x:x}"))
            .collect();
        let (keys, absent) = all.split_at(n);
        race("str", keys, absent);
    }
}
