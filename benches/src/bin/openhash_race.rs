//! A quick, interleaved race of `OpenMap` against `hashbrown::HashMap` (same `ahash` hasher),
//! for iterating on the table's code without a full criterion run: each operation is timed
//! `ROUNDS` times alternating the two tables; the best (least disturbed) time of each is
//! printed with their speed ratio, and the median of the per-round speed ratios.
//!
//! ```text
//! cargo run --release -p hpds-benches --bin openhash_race           # 1k, 100k, 1M u64 + 100k String
//! cargo run --release -p hpds-benches --bin openhash_race -- full    # + 10M u64, 1M String
//! cargo run --release -p hpds-benches --bin openhash_race -- 1000    # one size (0: String only)
//! ```
//!
//! Environment: `RACE_OPS=hit,miss` runs only those operations, `RACE_ONLY=ours` (or `peer`)
//! times one side only and `RACE_ROUNDS=n` sets the rounds; together they make a
//! deterministic instruction count under `valgrind --tool=cachegrind` (the difference of two
//! runs divided by `rounds × 2 000 000` operations is the per-operation difference).
//!
//! `RACE_MODE` places the tables, to tell the implementation from where its memory landed:
//! `ab` (default) builds `OpenMap` then hashbrown once, `ba` the other way round, `fresh`
//! rebuilds both in every round (fresh allocations, in a random order), and `aa` / `bb`
//! (or `aa-fresh` / `bb-fresh`) race two `OpenMap`s or two hashbrown tables against each
//! other (an A/A run: whatever ratio it shows is placement and noise, not code).
//! `pad4` / `pad8` race hashbrown with 4 / 8 `nop`s before each lookup against plain
//! hashbrown (fresh placement): how much a few extra instructions per lookup cost at each size.
//! `RACE_BLOCK=n` times `hit` and `miss` in alternating blocks of `n` keys within each round
//! (A then B, B then A, ...), so that load from other processes falls on both tables alike.
//! `RACE_ADDR=1` (with a built-once mode) prints, for each table, the lowest value address,
//! the span of value addresses, the lowest one's offset in its page and the first keys'
//! offsets from it: equal figures mean the two tables lay the items out identically.

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

/// hashbrown with `N` extra `nop`s before each lookup (`RACE_MODE=pad4` / `pad8`): a test of
/// whether a few more instructions per lookup, which cost nothing in cache, slow a
/// memory-bound loop (fewer lookups in the reorder buffer at once).
#[derive(Clone)]
struct Padded<K, const N: usize>(hashbrown::HashMap<K, u64, Rs>);

impl<K: Hash + Eq + Clone, const N: usize> Table<K> for Padded<K, N> {
    fn with_capacity(n: usize) -> Self {
        Self(Table::with_capacity(n))
    }
    #[inline]
    fn insert(&mut self, k: K, v: u64) {
        self.0.insert(k, v);
    }
    #[inline]
    fn get(&self, k: &K) -> Option<&u64> {
        for _ in 0..N {
            // SAFETY: `nop` reads and writes nothing.
            unsafe { std::arch::asm!("nop", options(nomem, nostack, preserves_flags)) };
        }
        self.0.get(k)
    }
    #[inline]
    fn remove(&mut self, k: &K) -> Option<u64> {
        self.0.remove(k)
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

/// A table of `keys` (value: the key's index), grown from empty like a user's table.
fn build<K: Clone + Hash + Eq, T: Table<K>>(keys: &[K]) -> T {
    let mut t = T::with_capacity(0);
    for (i, k) in keys.iter().enumerate() {
        t.insert(k.clone(), i as u64);
    }
    t
}

/// How `race` places the two tables (`RACE_MODE`, see the header).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Both built once, A first (the default).
    BuiltOnceAFirst,
    /// Both built once, B first.
    BuiltOnceBFirst,
    /// Both rebuilt (fresh allocations) in every round, in a random order.
    Fresh,
}

/// A small deterministic generator for the build order of `Mode::Fresh`.
fn coin(state: &mut u64) -> bool {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state & 1 == 1
}

/// Times every operation on table A (`name_a`) and table B (`name_b`) in alternating rounds.
/// Nanoseconds per lookup of tables `a` and `b`, timed in alternating blocks of `block` keys
/// (hits over `keys`, or misses over `absent`), each table going first in every other block:
/// a load spike of another process then lands on both tables' time alike.
fn time_blocked<K, A: Table<K>, B: Table<K>>(
    hit: bool,
    keys: &[K],
    absent: &[K],
    a: &A,
    b: &B,
    block: usize,
) -> (f64, f64) {
    let probe = if hit { keys } else { absent };
    let reps = (2_000_000 / probe.len()).max(1);
    let (mut ta, mut tb) = (0.0, 0.0);
    let mut time_a = |chunk: &[K]| {
        let start = Instant::now();
        black_box(if hit {
            hits(a, chunk)
        } else {
            misses(a, chunk) as u64
        });
        ta += start.elapsed().as_secs_f64();
    };
    let mut time_b = |chunk: &[K]| {
        let start = Instant::now();
        black_box(if hit {
            hits(b, chunk)
        } else {
            misses(b, chunk) as u64
        });
        tb += start.elapsed().as_secs_f64();
    };
    let mut a_first = true;
    for _ in 0..reps {
        for chunk in probe.chunks(block) {
            a_first = !a_first;
            if a_first {
                time_a(chunk);
                time_b(chunk);
            } else {
                time_b(chunk);
                time_a(chunk);
            }
        }
    }
    let per = 1e9 / (reps * probe.len()) as f64;
    (ta * per, tb * per)
}

fn race<K: Clone + Hash + Eq, A: Table<K>, B: Table<K>>(
    label: &str,
    (name_a, name_b): (&str, &str),
    mode: Mode,
    keys: &[K],
    absent: &[K],
) {
    let built = |b_first: bool| -> (A, B) {
        if b_first {
            let b = build::<K, B>(keys);
            (build::<K, A>(keys), b)
        } else {
            let a = build::<K, A>(keys);
            (a, build::<K, B>(keys))
        }
    };
    let once = match mode {
        Mode::BuiltOnceAFirst => Some(built(false)),
        Mode::BuiltOnceBFirst => Some(built(true)),
        Mode::Fresh => None,
    };
    if let (Some((a, b)), true) = (&once, std::env::var("RACE_ADDR").is_ok()) {
        let span = |get: &dyn Fn(&K) -> usize| {
            let addrs: Vec<usize> = keys.iter().map(get).collect();
            let lo = addrs.iter().min().copied().unwrap_or(0);
            let hi = addrs.iter().max().copied().unwrap_or(0);
            let rel: Vec<usize> = addrs.iter().take(4).map(|x| x - lo).collect();
            (lo, hi - lo, lo % 4096, rel)
        };
        println!(
            "A {:x?}",
            span(&|k| std::ptr::from_ref(a.get(k).unwrap()) as usize)
        );
        println!(
            "B {:x?}",
            span(&|k| std::ptr::from_ref(b.get(k).unwrap()) as usize)
        );
    }
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let filter = std::env::var("RACE_OPS").unwrap_or_default();
    // `RACE_ONLY=ours` (table A) or `peer` (table B) times one side only (for instruction
    // counts under cachegrind).
    let only = std::env::var("RACE_ONLY").unwrap_or_default();
    let (run_a, run_b) = (only != "peer", only != "ours");
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
        let rounds = std::env::var("RACE_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(ROUNDS);
        let block: usize = std::env::var("RACE_BLOCK")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(0);
        let (mut a_ns, mut b_ns) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            let fresh;
            let (a, b) = if let Some(t) = &once {
                (&t.0, &t.1)
            } else {
                // (Last round's tables were dropped at the end of the round, so the
                // allocator may hand their memory to either table of this one.)
                fresh = built(coin(&mut rng));
                (&fresh.0, &fresh.1)
            };
            if block > 0 && run_a && run_b && (op == "hit" || op == "miss") {
                let (ta, tb) = time_blocked(op == "hit", keys, absent, a, b, block);
                a_ns.push(ta);
                b_ns.push(tb);
                continue;
            }
            // Alternate which table goes first, so neither gains from the other's warm-up.
            if round % 2 == 0 && run_a {
                a_ns.push(time(op, keys, absent, a));
            }
            if run_b {
                b_ns.push(time(op, keys, absent, b));
            }
            if round % 2 == 1 && run_a {
                a_ns.push(time(op, keys, absent, a));
            }
        }
        let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        let (a, b) = (best(&a_ns), best(&b_ns));
        // The median of the rounds' own ratios: each pair ran back to back, so it is the
        // figure least moved by load that drifts during the run.
        let mut ratios: Vec<f64> = a_ns.iter().zip(&b_ns).map(|(o, p)| p / o).collect();
        ratios.sort_by(f64::total_cmp);
        let median = ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN);
        println!(
            "{label:>5} {n:>9} {op:>16}: {name_a} {a:8.2} ns  {name_b} {b:8.2} ns  speed ratio {r:.3} (best rounds), {median:.3} (median round)",
            n = keys.len(),
            r = b / a
        );
    }
}

type Ours<K> = OpenMap<K, u64, Rs>;
type Peer<K> = hashbrown::HashMap<K, u64, Rs>;

/// Runs `race` on the pair of tables `RACE_MODE` asks for.
fn race_mode<K: Clone + Hash + Eq>(label: &str, keys: &[K], absent: &[K]) {
    let mode = std::env::var("RACE_MODE").unwrap_or_default();
    let placement = match mode.as_str() {
        "ba" => Mode::BuiltOnceBFirst,
        "fresh" | "aa-fresh" | "bb-fresh" | "pad4" | "pad8" => Mode::Fresh,
        _ => Mode::BuiltOnceAFirst,
    };
    match mode.as_str() {
        "aa" | "aa-fresh" => {
            race::<K, Ours<K>, Ours<K>>(label, ("OpenMap ", "OpenMap'"), placement, keys, absent);
        }
        "bb" | "bb-fresh" => race::<K, Peer<K>, Peer<K>>(
            label,
            ("hashbrown ", "hashbrown'"),
            placement,
            keys,
            absent,
        ),
        "pad4" => race::<K, Padded<K, 4>, Peer<K>>(
            label,
            ("hashbrown+4nop", "hashbrown"),
            placement,
            keys,
            absent,
        ),
        "pad8" => race::<K, Padded<K, 8>, Peer<K>>(
            label,
            ("hashbrown+8nop", "hashbrown"),
            placement,
            keys,
            absent,
        ),
        _ => race::<K, Ours<K>, Peer<K>>(label, ("OpenMap", "hashbrown"), placement, keys, absent),
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
        race_mode("u64", keys, absent);
    }
    let n = if full { 1_000_000 } else { 100_000 };
    if only.is_none_or(|o| o == 0) {
        let all: Vec<String> = distinct_u64s(43)
            .take(2 * n)
            .map(|x| format!("k{x:x}"))
            .collect();
        let (keys, absent) = all.split_at(n);
        race_mode("str", keys, absent);
    }
}
