//! Bloom filters one item at a time, against their peers, in one process: a race of the shared
//! harness (`hpds_testkit::race`), whose rounds run every (implementation, operation) pass in
//! turn, the order rotating from round to round, so a burst of load on the machine hits all of
//! them alike. An insert pass fills an empty filter (built untimed); a query pass asks a
//! filled filter every member or every non-member of a batch. Prints per implementation the
//! median and the interquartile spread of ns per insert, member query and non-member query,
//! the median ratio to its peer in the same rounds (sbbf-rs-safe for the blocked filter,
//! fastbloom for the classic one, the pre-sized blocked filter for the scalable one) with
//! its spread, the bits per item (counting allocator) and the false-positive rate measured on
//! the non-members, at p = 1%.
//!
//! ```text
//! cargo bench -p hpds-benches --bench bloom_race                        # 1M and 10M items, 7 rounds
//! HPDS_BENCH_FULL=1 cargo bench -p hpds-benches --bench bloom_race      # adds 100M (5 rounds)
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
//! - `blocked_4k`, `classic_4k`: `blocked` and `classic` with their tables on 4 KiB pages
//!   (`hpds_bloom::set_huge_pages(false)` while they are made), for the effect of huge pages;
//! - `fastbloom`: fastbloom with foldhash (its fast hasher); `classic`: hpds `BloomFilter`;
//!   `classic_key`: the same filter fed the u64 key itself through `insert_hash` (expanded by
//!   `mix64`, no xxh3); `classic_u64`: the same filter fed the key through `insert_u64` /
//!   `contains_u64` (seeded, one folded multiplication to the first position);
//!   `classic_many`: its batched calls;
//! - `scalable`: hpds `ScalableBloomFilter` started at 1,000 items, its defaults (growth 4,
//!   tightening 0.85); `scalable_g2`: growth 2 and tightening 0.9 instead; `growable`:
//!   growable-bloom-filter started at 1,000 items; `pc_bloom`: probabilistic-collections'
//!   classic filter (xxh3 hashers), up to 10M items.
//!
//! Times are the thread's on-CPU time where Linux gives it precisely, wall time elsewhere (the
//! harness's clock): on a shared machine wall time measures how much CPU the process was given.
#![allow(missing_docs)]

use std::hint::black_box;
use std::rc::Rc;
use std::time::Duration;

use hpds_benches::bloom::Filter;
use hpds_benches::filter;
use hpds_bloom::{
    BlockedBloomFilter as Blocked, BloomFilter as Classic, ScalableBloomFilter as Scalable,
};
use hpds_core::hash::{StableBuildHasher, hash_u64};
use hpds_testkit::alloc::measure;
use hpds_testkit::race::{Outcome, Race, Spread};
use hpds_testkit::streams::distinct_u64s;

#[global_allocator]
static ALLOC: hpds_testkit::CountingAllocator = hpds_testkit::CountingAllocator;

const P: f64 = 0.01;
/// Member and non-member queries per pass.
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
    ClassicKeyHash,
    "classic_key",
    Classic,
    |n| Classic::new(n, P).unwrap(),
    |f, k| f.insert_hash(k),
    |f, k| f.contains_hash(k)
);
racer!(
    ClassicU64,
    "classic_u64",
    Classic,
    |n| Classic::new(n, P).unwrap(),
    |f, k| f.insert_u64(k),
    |f, k| f.contains_u64(k)
);
racer!(
    Scalable2,
    "scalable_g2",
    Scalable,
    |_n| Scalable::builder(1000, P)
        .growth(2)
        .tightening(0.9)
        .build()
        .unwrap(),
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

/// Builds with the tables on 4 KiB pages (`hpds_bloom::set_huge_pages(false)`), the pages
/// the filters had before they asked for huge ones.
fn small_pages<T>(build: impl FnOnce() -> T) -> T {
    hpds_bloom::set_huge_pages(false);
    let filter = build();
    hpds_bloom::set_huge_pages(true);
    filter
}

filter!(Blocked4k(Blocked), "blocked_4k", |n, p| small_pages(|| {
    Blocked::new(n, p).unwrap()
}));
filter!(Classic4k(Classic), "classic_4k", |n, p| small_pages(|| {
    Classic::new(n, p).unwrap()
}));
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

/// The keys of one size: the set, members to query (a sample of the set) and non-members.
struct Inputs {
    n: u64,
    keys: Vec<u64>,
    members: Vec<u64>,
    absent: Vec<u64>,
}

/// What is measured once, outside the race.
#[derive(Clone, Copy)]
struct Static {
    bits_per_item: f64,
    fpr: f64,
}

/// Adds one implementation's insert, member and non-member passes to `race` (named `NAME
/// insert`, `NAME member`, `NAME absent`) and returns its bits per item and measured rate.
fn enter<'a, F: Filter + 'static, const MANY: bool>(
    race: &mut Race<'a>,
    name: &str,
    inputs: &'a Inputs,
) -> Static {
    let n = inputs.n;
    let (filled, delta) = measure(|| {
        let mut r = F::build(n, P);
        fill::<F, MANY>(&mut r, &inputs.keys);
        r
    });
    assert_eq!(
        count::<F, MANY>(&filled, &inputs.members),
        inputs.members.len(),
        "{name}: a false negative"
    );
    let fp = count::<F, MANY>(&filled, &inputs.absent);
    let filled = Rc::new(filled);
    race.add_fresh(
        format!("{name} insert"),
        n,
        move || F::build(n, P),
        |f| fill::<F, MANY>(f, black_box(&inputs.keys)),
    );
    let f = Rc::clone(&filled);
    race.add(
        format!("{name} member"),
        inputs.members.len() as u64,
        move || {
            black_box(count::<F, MANY>(&f, black_box(&inputs.members)));
        },
    );
    race.add(
        format!("{name} absent"),
        inputs.absent.len() as u64,
        move || {
            black_box(count::<F, MANY>(&filled, black_box(&inputs.absent)));
        },
    );
    Static {
        bits_per_item: delta.retained as f64 * 8.0 / n as f64,
        fpr: fp as f64 / inputs.absent.len() as f64,
    }
}

/// One implementation of the race: its name, how to enter it, the largest size it runs at and
/// the implementation its ratio column compares with.
struct Entry {
    name: &'static str,
    enter: for<'a> fn(&mut Race<'a>, &str, &'a Inputs) -> Static,
    max_items: u64,
    peer: &'static str,
}

fn entry<F: Filter + 'static, const MANY: bool>(
    name: &'static str,
    max_items: u64,
    peer: &'static str,
) -> Entry {
    Entry {
        name,
        enter: enter::<F, MANY>,
        max_items,
        peer,
    }
}

fn spread(s: Spread, digits: usize) -> String {
    format!(
        "{:.d$} [{:.d$}-{:.d$}]",
        s.median,
        s.low,
        s.high,
        d = digits
    )
}

/// One table cell: `name`'s median ns per operation with its spread, and its ratio to `peer`.
fn cell(out: &Outcome, name: &str, peer: &str, op: &str) -> String {
    let me = format!("{name} {op}");
    let ns = spread(Spread::of(out.rounds_ns(&me)), 1);
    let them = format!("{peer} {op}");
    if peer == name || !out.names().contains(&them) {
        return ns;
    }
    format!("{ns} x{}", spread(out.ratio(&me, &them), 2))
}

fn main() {
    let smoke = !hpds_benches::is_bench_run();
    let sizes = hpds_benches::race_sizes(&[1_000_000, 10_000_000], 10_000);
    let only = hpds_benches::env_list("HPDS_RACE_ONLY");
    for n in sizes {
        let default_rounds = if n >= 100_000_000 { 5 } else { 7 };
        let rounds: usize = std::env::var("HPDS_RACE_ROUNDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(if smoke { 1 } else { default_rounds });
        let mut entries = vec![
            entry::<Sbbf, false>("sbbf", u64::MAX, "sbbf"),
            entry::<BlockedF, false>("blocked", u64::MAX, "sbbf"),
            entry::<BlockedHash, false>("blocked_hash", u64::MAX, "sbbf"),
            entry::<BlockedF, true>("blocked_many", u64::MAX, "sbbf"),
            entry::<Blocked4k, false>("blocked_4k", u64::MAX, "sbbf"),
            entry::<FastBloom, false>("fastbloom", u64::MAX, "fastbloom"),
            entry::<ClassicF, false>("classic", u64::MAX, "fastbloom"),
            entry::<ClassicKeyHash, false>("classic_key", u64::MAX, "fastbloom"),
            entry::<ClassicU64, false>("classic_u64", u64::MAX, "fastbloom"),
            entry::<ClassicF, true>("classic_many", u64::MAX, "fastbloom"),
            entry::<Classic4k, false>("classic_4k", u64::MAX, "fastbloom"),
            entry::<ScalableF, false>("scalable", u64::MAX, "blocked"),
            entry::<Scalable2, false>("scalable_g2", u64::MAX, "blocked"),
            entry::<Growable, false>("growable", u64::MAX, "blocked"),
            entry::<PcBloom, false>("pc_bloom", 10_000_000, "classic"),
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
        let inputs = Inputs {
            n,
            keys,
            members,
            absent,
        };
        let mut race = Race::new()
            .rounds(rounds)
            .min_round(Duration::from_millis(if smoke { 0 } else { 20 }));
        let statics: Vec<Static> = entries
            .iter()
            .map(|e| (e.enter)(&mut race, e.name, &inputs))
            .collect();
        let out = race.run();
        println!(
            "\n{n} items, p = 1%, {rounds} interleaved rounds: ns per operation, median [quartiles], \
             and xRATIO to the peer in the same rounds, median [quartiles]\n"
        );
        println!("| implementation | peer | insert | member | non-member | bits/item | FPR |");
        println!("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        for (e, s) in entries.iter().zip(&statics) {
            let col = |op| cell(&out, e.name, e.peer, op);
            println!(
                "| {} | {} | {} | {} | {} | {:.2} | {:.3}% |",
                e.name,
                e.peer,
                col("insert"),
                col("member"),
                col("absent"),
                s.bits_per_item,
                s.fpr * 100.0
            );
        }
    }
}
