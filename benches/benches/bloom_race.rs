//! Bloom filters one item at a time, against their peers, in one process: interleaved rounds,
//! each round building, filling and querying every implementation in turn (the order rotates
//! from round to round), so a burst of load on the machine hits all of them alike. Prints
//! per implementation the median and the spread (fastest and slowest round) of ns per insert,
//! member query and non-member query, the bits per item (counting allocator) and the
//! false-positive rate measured on the non-members, at p = 1%.
//!
//! ```text
//! cargo bench -p hpds-benches --bench bloom_race                        # 1M and 10M items, 5 rounds
//! HPDS_BENCH_FULL=1 cargo bench -p hpds-benches --bench bloom_race      # adds 100M (3 rounds)
//! HPDS_RACE_SIZES=1000000 HPDS_RACE_ROUNDS=9 HPDS_RACE_ONLY=sbbf,blocked cargo bench -p hpds-benches --bench bloom_race
//! ```
//!
//! Implementations (`HPDS_RACE_ONLY` takes a comma-separated list of these names):
//! - `sbbf`: sbbf-rs-safe's split-block filter at 10 bits per item, fed `hash_u64(key, seed)`
//!   (the stable 64-bit xxh3), whose time is included;
//! - `blocked`: hpds `BlockedBloomFilter`, `insert(&key)` / `contains(&key)` (its own hashing);
//! - `blocked_hash`: the same filter through `insert_hash` / `contains_hash`, fed the same
//!   64-bit hash as sbbf;
//! - `blocked_many`: the same filter through `insert_many` / `count_contained`;
//! - `fastbloom`: fastbloom with foldhash (its fast hasher); `classic`: hpds `BloomFilter`;
//!   `classic_key`: the same filter fed the u64 key itself through `insert_hash` (expanded by
//!   `mix64`, no xxh3); `classic_many`: its batched calls;
//! - `scalable`: hpds `ScalableBloomFilter` started at 1,000 items (`scalable_g4`: growth 4
//!   instead of 2); `growable`:
//!   growable-bloom-filter started at 1,000 items; `pc_bloom`: probabilistic-collections'
//!   classic filter (xxh3 hashers), up to 10M items.
//!
//! Times are the thread's on-CPU time (`/proc/thread-self/schedstat`), wall time elsewhere:
//! on a shared machine wall time measures how much CPU the process was given.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use hpds_benches::bloom::{Filter, timed};
use hpds_benches::filter;
use hpds_bloom::{
    BlockedBloomFilter as Blocked, BloomFilter as Classic, ScalableBloomFilter as Scalable,
};
use hpds_core::hash::{StableBuildHasher, hash_u64};
use hpds_testkit::alloc::measure;
use hpds_testkit::streams::distinct_u64s;

#[global_allocator]
static ALLOC: hpds_testkit::CountingAllocator = hpds_testkit::CountingAllocator;

const P: f64 = 0.01;
/// Member and non-member queries per timed batch.
const QUERIES: usize = 200_000;
/// Seed of the 64-bit hash fed to the filters that take hashes.
const SEED: u64 = 0x5eed;

/// A [`Filter`] over a peer or an hpds filter with per-key insert and query expressions
/// (for the variants the shared `filter!` macro does not cover: hash-fed calls, other
/// signatures).
macro_rules! racer {
    ($name:ident, $label:literal, $ty:ty, |$n:ident| $build:expr, |$f:ident, $k:ident| $insert:expr, |$g:ident, $q:ident| $query:expr) => {
        struct $name($ty);
        impl Filter for $name {
            const NAME: &'static str = $label;
            fn build($n: u64, _p: f64) -> Self {
                Self($build)
            }
            fn add(&mut self, $k: u64) {
                let $f = &mut self.0;
                black_box($insert);
            }
            fn has(&self, $q: u64) -> bool {
                let $g = &self.0;
                $query
            }
        }
    };
}

racer!(
    Sbbf,
    "sbbf",
    sbbf_rs_safe::Filter,
    |n| sbbf_rs_safe::Filter::new(10, n as usize),
    |f, k| f.insert_hash(hash_u64(k, SEED)),
    |f, k| f.contains_hash(hash_u64(k, SEED))
);
racer!(
    BlockedHash,
    "blocked_hash",
    hpds_bloom::BlockedBloomFilter,
    |n| hpds_bloom::BlockedBloomFilter::new(n, P).unwrap(),
    |f, k| f.insert_hash(hash_u64(k, SEED)),
    |f, k| f.contains_hash(hash_u64(k, SEED))
);
racer!(
    FastBloom,
    "fastbloom",
    fastbloom::BloomFilter<foldhash::fast::FixedState>,
    |n| fastbloom::BloomFilter::with_false_pos(P)
        .hasher(foldhash::fast::FixedState::with_seed(SEED))
        .expected_items(n as usize),
    |f, k| f.insert(&k),
    |f, k| f.contains(&k)
);
racer!(
    ClassicU64,
    "classic_key",
    Classic,
    |n| Classic::new(n, P).unwrap(),
    |f, k| f.insert_hash(k),
    |f, k| f.contains_hash(k)
);
racer!(
    Scalable4,
    "scalable_g4",
    Scalable,
    |_n| Scalable::builder(1000, P).growth(4).build().unwrap(),
    |f, k| f.insert(&k),
    |f, k| f.contains(&k)
);
racer!(
    Growable,
    "growable",
    growable_bloom_filter::GrowableBloom,
    |_n| growable_bloom_filter::GrowableBloom::new(P, 1000),
    |f, k| f.insert(k),
    |f, k| f.contains(k)
);
racer!(PcBloom, "pc_bloom", probabilistic_collections::bloom::BloomFilter<u64, StableBuildHasher>,
    |n| probabilistic_collections::bloom::BloomFilter::with_hashers(
        n as usize, P, [StableBuildHasher::with_seed(1), StableBuildHasher::with_seed(2)]),
    |f, k| f.insert(&k), |f, k| f.contains(&k));
filter!(
    BlockedF(Blocked),
    "blocked",
    |n, p| Blocked::new(n, p).unwrap(),
    batched
);
filter!(
    ClassicF(Classic),
    "classic",
    |n, p| Classic::new(n, p).unwrap(),
    batched
);
filter!(ScalableF(Scalable), "scalable", |_n, p| Scalable::new(
    1000, p
)
.unwrap());

/// Fills with `add` one key at a time, or with the batched `add_many` when `MANY`.
fn fill<F: Filter, const MANY: bool>(f: &mut F, keys: &[u64]) {
    if MANY {
        f.add_many(keys);
    } else {
        for &k in keys {
            f.add(k);
        }
    }
}

/// How many keys are found, one query at a time or with the batched `count_many` when `MANY`.
fn count<F: Filter, const MANY: bool>(f: &F, keys: &[u64]) -> usize {
    if MANY {
        f.count_many(keys)
    } else {
        keys.iter().filter(|&&k| f.has(k)).count()
    }
}

/// One round's figures for one implementation.
#[derive(Default, Clone, Copy)]
struct Figures {
    insert: f64,
    member: f64,
    absent: f64,
    bits_per_item: f64,
    fpr: f64,
}

/// ns per query of `r` over `keys`, the batch repeated until 0.1 s of CPU time has passed.
fn per_query<F: Filter, const MANY: bool>(r: &F, keys: &[u64]) -> (f64, usize) {
    let mut total = Duration::ZERO;
    let (mut reps, mut found) = (0usize, 0);
    while total < Duration::from_millis(100) {
        total += timed(|| found = black_box(count::<F, MANY>(r, black_box(keys))));
        reps += 1;
    }
    (total.as_nanos() as f64 / (reps * keys.len()) as f64, found)
}

/// ns per insert: fills of an empty filter with `keys`, repeated until 0.1 s of CPU time has
/// passed (on-CPU time is counted in scheduler ticks of a few ms).
fn per_insert<F: Filter, const MANY: bool>(n: u64, keys: &[u64]) -> f64 {
    let mut total = Duration::ZERO;
    let mut fills = 0usize;
    while total < Duration::from_millis(100) {
        let mut r = F::build(n, P);
        total += timed(|| fill::<F, MANY>(&mut r, keys));
        black_box(&r);
        fills += 1;
    }
    total.as_nanos() as f64 / (fills * keys.len()) as f64
}

fn round<F: Filter, const MANY: bool>(
    n: u64,
    keys: &[u64],
    members: &[u64],
    absent: &[u64],
) -> Figures {
    let insert = per_insert::<F, MANY>(n, keys);
    let (r, delta) = measure(|| {
        let mut r = F::build(n, P);
        fill::<F, MANY>(&mut r, keys);
        r
    });
    let (member, found) = per_query::<F, MANY>(&r, members);
    assert_eq!(found, members.len(), "a false negative");
    let (absent_ns, fp) = per_query::<F, MANY>(&r, absent);
    Figures {
        insert,
        member,
        absent: absent_ns,
        bits_per_item: delta.retained as f64 * 8.0 / n as f64,
        fpr: fp as f64 / absent.len() as f64,
    }
}

struct Entry {
    name: &'static str,
    run: fn(u64, &[u64], &[u64], &[u64]) -> Figures,
    max_items: u64,
    rounds: Vec<Figures>,
}

fn entry<F: Filter, const MANY: bool>(name: &'static str, max_items: u64) -> Entry {
    Entry {
        name,
        run: round::<F, MANY>,
        max_items,
        rounds: Vec::new(),
    }
}

fn median_and_spread(mut v: Vec<f64>) -> String {
    v.sort_by(f64::total_cmp);
    format!("{:.1} [{:.1}-{:.1}]", v[v.len() / 2], v[0], v[v.len() - 1])
}

fn env_list(name: &str) -> Option<Vec<String>> {
    std::env::var(name)
        .ok()
        .map(|s| s.split(',').map(|x| x.trim().to_owned()).collect())
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (e.g. `cargo test --benches`) only checks
    // that the race runs, on a small size.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let mut sizes: Vec<u64> = env_list("HPDS_RACE_SIZES").map_or_else(
        || vec![1_000_000, 10_000_000],
        |v| {
            v.iter()
                .map(|s| s.parse().expect("HPDS_RACE_SIZES: item counts"))
                .collect()
        },
    );
    if hpds_benches::full_run() && std::env::var_os("HPDS_RACE_SIZES").is_none() {
        sizes.push(100_000_000);
    }
    if smoke {
        sizes = vec![10_000];
    }
    let only = env_list("HPDS_RACE_ONLY");
    for n in sizes {
        let default_rounds = if n >= 100_000_000 { 3 } else { 5 };
        let rounds: usize = std::env::var("HPDS_RACE_ROUNDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(if smoke { 1 } else { default_rounds });
        let mut entries = vec![
            entry::<Sbbf, false>("sbbf", u64::MAX),
            entry::<BlockedF, false>("blocked", u64::MAX),
            entry::<BlockedHash, false>("blocked_hash", u64::MAX),
            entry::<BlockedF, true>("blocked_many", u64::MAX),
            entry::<FastBloom, false>("fastbloom", u64::MAX),
            entry::<ClassicF, false>("classic", u64::MAX),
            entry::<ClassicU64, false>("classic_key", u64::MAX),
            entry::<ClassicF, true>("classic_many", u64::MAX),
            entry::<ScalableF, false>("scalable", u64::MAX),
            entry::<Scalable4, false>("scalable_g4", u64::MAX),
            entry::<Growable, false>("growable", u64::MAX),
            entry::<PcBloom, false>("pc_bloom", 10_000_000),
        ];
        entries.retain(|e| {
            n <= e.max_items && only.as_ref().is_none_or(|o| o.iter().any(|x| x == e.name))
        });
        let keys: Vec<u64> = distinct_u64s(1).take(n as usize).collect();
        let members: Vec<u64> = keys
            .iter()
            .step_by((keys.len() / QUERIES).max(1))
            .copied()
            .collect();
        let absent: Vec<u64> = distinct_u64s(2).take(QUERIES).collect();
        for r in 0..rounds {
            let len = entries.len();
            for i in 0..len {
                let e = &mut entries[(i + r) % len];
                let figures = (e.run)(n, &keys, &members, &absent);
                e.rounds.push(figures);
            }
        }
        println!(
            "\n{n} items, p = 1%, {rounds} interleaved rounds: ns per operation, median [fastest-slowest round]\n"
        );
        println!("| implementation | insert | member | non-member | bits/item | FPR |");
        println!("| --- | ---: | ---: | ---: | ---: | ---: |");
        for e in &entries {
            let col = |f: fn(&Figures) -> f64| median_and_spread(e.rounds.iter().map(f).collect());
            let last = e.rounds.last().copied().unwrap_or_default();
            println!(
                "| {} | {} | {} | {} | {:.2} | {:.3}% |",
                e.name,
                col(|f| f.insert),
                col(|f| f.member),
                col(|f| f.absent),
                last.bits_per_item,
                last.fpr * 100.0
            );
        }
    }
}
