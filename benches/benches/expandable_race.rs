//! Growable filters started at 1,000 items and filled to 10M (100M with `HPDS_BENCH_FULL=1`),
//! against a pre-sized `BlockedBloomFilter` and the growable peers, all at p = 1%, one item at
//! a time. Every figure comes from `hpds_testkit::race`: interleaved rounds in one process, the
//! order rotating from round to round, each contestant's time divided by the blocked filter's
//! in the same round (median and interquartile range of the per-round ratios).
//!
//! ```text
//! cargo bench -p hpds-benches --bench expandable_race                     # 10M items
//! HPDS_BENCH_FULL=1 cargo bench -p hpds-benches --bench expandable_race   # adds 100M
//! HPDS_RACE_SIZES=1000000 HPDS_RACE_ROUNDS=5 cargo bench -p hpds-benches --bench expandable_race
//! ```
//!
//! Contestants (`HPDS_RACE_ONLY` takes a comma-separated list of these names; `blocked` is the
//! reference and always runs):
//! - `blocked`: hpds `BlockedBloomFilter` pre-sized for all the items;
//! - `expandable`: hpds `ExpandableFilter` from 1,000 items;
//! - `scalable`: hpds `ScalableBloomFilter` from 1,000 items;
//! - `aleph`: aleph-filter 0.1 (`AlephFilter::new(1000, 0.01)`, fed the key's 8 bytes);
//! - `growable`: growable-bloom-filter (`GrowableBloom::new(0.01, 1000)`);
//! - `pc_scalable`: probabilistic-collections' `ScalableBloomFilter` (9,586 bits at first,
//!   growth 2, first stage at 0.5% and tightening 0.5, so its rates sum to 1%; xxh3 hashers),
//!   up to 10M items;
//! - `qfilter`: qfilter's resizeable quotient filter from 1,000 items (it needs its largest
//!   size in advance: the race's item count).
//!
//! Instructions per operation, which do not depend on the machine's load, come from the same
//! program under callgrind with `HPDS_ICOUNT=1`: it fills each contestant once (1M items by
//! default, `HPDS_RACE_SIZES` to change) and queries it, each in its own non-inlined function
//! (`icount_insert<..>`, `icount_member<..>`, `icount_absent<..>`), and prints the operation
//! counts to divide by:
//!
//! ```text
//! cargo bench -p hpds-benches --bench expandable_race --no-run   # prints the executable's path
//! HPDS_ICOUNT=1 HPDS_RACE_SIZES=100000 valgrind --tool=callgrind --demangle=no \
//!   --callgrind-out-file=cg.out target/release/deps/expandable_race-HASH --bench
//! callgrind_annotate --inclusive=yes cg.out | grep icount_
//! ```
//!
//! (`--demangle=no` keeps one line per contestant: demangled, the seven instances of each
//! generic function share one name. An instance's callees, e.g. `<..Expandable as
//! ..Contestant>::add` or the peer's own functions, say whose it is.)
//!
//! Build: ns per insert of a fill from empty; member and non-member: ns per query on the full
//! filter; bits per item: the bytes the full filter keeps (counting allocator); FPR: measured
//! on 200,000 non-members.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use hpds_bloom::{BlockedBloomFilter, ExpandableFilter, ScalableBloomFilter};
use hpds_core::hash::StableBuildHasher;
use hpds_testkit::alloc::measure;
use hpds_testkit::race::{Race, Spread};
use hpds_testkit::streams::distinct_u64s;

#[global_allocator]
static ALLOC: hpds_testkit::CountingAllocator = hpds_testkit::CountingAllocator;

const P: f64 = 0.01;
/// Items every growable contestant starts with.
const START: u64 = 1000;
/// Member and non-member queries per pass.
const QUERIES: usize = 200_000;

/// A contestant: built for `n` items (the pre-sized one) or from [`START`].
trait Contestant {
    fn build(n: u64) -> Self;
    fn add(&mut self, key: u64);
    fn has(&self, key: u64) -> bool;
}

macro_rules! contestant {
    ($name:ident, $ty:ty, |$n:ident| $build:expr, |$f:ident, $k:ident| $add:expr, |$g:ident, $q:ident| $has:expr) => {
        struct $name($ty);
        impl Contestant for $name {
            fn build($n: u64) -> Self {
                Self($build)
            }
            #[inline]
            fn add(&mut self, $k: u64) {
                let $f = &mut self.0;
                black_box($add);
            }
            #[inline]
            fn has(&self, $q: u64) -> bool {
                let $g = &self.0;
                $has
            }
        }
    };
}

contestant!(
    Blocked,
    BlockedBloomFilter,
    |n| BlockedBloomFilter::new(n, P).unwrap(),
    |f, k| f.insert(&k),
    |f, k| f.contains(&k)
);
contestant!(
    Expandable,
    ExpandableFilter,
    |_n| ExpandableFilter::new(START, P).unwrap(),
    |f, k| f.insert(&k),
    |f, k| f.contains(&k)
);
contestant!(
    Scalable,
    ScalableBloomFilter,
    |_n| ScalableBloomFilter::new(START, P).unwrap(),
    |f, k| f.insert(&k),
    |f, k| f.contains(&k)
);
contestant!(
    Aleph,
    aleph_filter::AlephFilter,
    |_n| aleph_filter::AlephFilter::new(START as usize, P),
    |f, k| f.insert(&k.to_le_bytes()),
    |f, k| f.contains(&k.to_le_bytes())
);
contestant!(
    Growable,
    growable_bloom_filter::GrowableBloom,
    |_n| growable_bloom_filter::GrowableBloom::new(P, START as usize),
    |f, k| f.insert(k),
    |f, k| f.contains(k)
);
contestant!(
    PcScalable,
    probabilistic_collections::bloom::ScalableBloomFilter<u64, StableBuildHasher>,
    |_n| probabilistic_collections::bloom::ScalableBloomFilter::with_hashers(
        hpds_bloom::params::optimal_bits(START, P) as usize,
        P / 2.0,
        2.0,
        0.5,
        [
            StableBuildHasher::with_seed(1),
            StableBuildHasher::with_seed(2)
        ]
    ),
    |f, k| f.insert(&k),
    |f, k| f.contains(&k)
);
contestant!(
    QFilter,
    qfilter::Filter,
    |n| qfilter::Filter::new_resizeable(START, n.max(START), P).unwrap(),
    |f, k| f.insert(k).unwrap(),
    |f, k| f.contains(k)
);

/// The figures of one contestant that are not times.
struct Kept {
    name: &'static str,
    bits_per_item: f64,
    fpr: f64,
}

/// The state shared by the three races of one size.
struct Data {
    keys: Vec<u64>,
    members: Vec<u64>,
    absent: Vec<u64>,
}

/// Adds `C`'s build, member and non-member contestants, and its memory and rate, measured
/// once on a filter filled outside the races.
fn enter<'a, C: Contestant + 'a>(
    name: &'static str,
    d: &'a Data,
    races: &mut [Race<'a>; 3],
    kept: &mut Vec<Kept>,
) {
    let n = d.keys.len() as u64;
    races[0].add_fresh(
        name,
        n,
        move || C::build(n),
        |f| {
            for &k in &d.keys {
                f.add(k);
            }
        },
    );
    let (full, delta) = measure(|| {
        let mut f = C::build(n);
        for &k in &d.keys {
            f.add(k);
        }
        f
    });
    assert!(
        d.members.iter().all(|&k| full.has(k)),
        "{name}: a false negative"
    );
    let fp = d.absent.iter().filter(|&&k| full.has(k)).count();
    kept.push(Kept {
        name,
        bits_per_item: delta.retained as f64 * 8.0 / n as f64,
        fpr: fp as f64 / d.absent.len() as f64,
    });
    let full = std::rc::Rc::new(full);
    let f1 = full.clone();
    races[1].add(name, d.members.len() as u64, move || {
        black_box(d.members.iter().filter(|&&k| f1.has(k)).count());
    });
    races[2].add(name, d.absent.len() as u64, move || {
        black_box(d.absent.iter().filter(|&&k| full.has(k)).count());
    });
}

#[inline(never)]
fn icount_insert<C: Contestant>(f: &mut C, keys: &[u64]) {
    for &k in keys {
        f.add(k);
    }
}

#[inline(never)]
fn icount_member<C: Contestant>(f: &C, keys: &[u64]) -> usize {
    keys.iter().filter(|&&k| f.has(k)).count()
}

#[inline(never)]
fn icount_absent<C: Contestant>(f: &C, keys: &[u64]) -> usize {
    keys.iter().filter(|&&k| !f.has(k)).count()
}

/// One fill and one pass of queries per contestant, for callgrind.
fn icount<C: Contestant>(name: &str, d: &Data) {
    let mut f = C::build(d.keys.len() as u64);
    icount_insert(&mut f, &d.keys);
    let found = icount_member(&f, &d.members);
    let missed = icount_absent(&f, &d.absent);
    black_box((found, missed));
    println!(
        "{name}: {} inserts, {} member and {} non-member queries",
        d.keys.len(),
        d.members.len(),
        d.absent.len()
    );
}

fn cell(s: &Spread, ns: f64) -> String {
    format!("{ns:.0} ({:.2}x [{:.2}-{:.2}])", s.median, s.low, s.high)
}

fn main() {
    let smoke = !hpds_benches::is_bench_run();
    let sizes = hpds_benches::race_sizes(&[10_000_000], 20_000);
    let only = hpds_benches::env_list("HPDS_RACE_ONLY");
    let wanted =
        |name: &str| name == "blocked" || only.as_ref().is_none_or(|o| o.iter().any(|x| x == name));
    for n in sizes {
        let rounds: usize = std::env::var("HPDS_RACE_ROUNDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(if smoke { 1 } else { 3 });
        let keys: Vec<u64> = distinct_u64s(1).take(n as usize).collect();
        let members = keys
            .iter()
            .step_by((keys.len() / QUERIES).max(1))
            .copied()
            .collect();
        let absent = distinct_u64s(2).take(QUERIES).collect();
        let d = Data {
            keys,
            members,
            absent,
        };
        if std::env::var_os("HPDS_ICOUNT").is_some() {
            icount::<Blocked>("blocked", &d);
            icount::<Expandable>("expandable", &d);
            icount::<Scalable>("scalable", &d);
            icount::<Aleph>("aleph", &d);
            icount::<Growable>("growable", &d);
            icount::<PcScalable>("pc_scalable", &d);
            icount::<QFilter>("qfilter", &d);
            continue;
        }
        let new_race = || {
            Race::new()
                .rounds(rounds)
                .min_round(Duration::from_millis(20))
        };
        let mut races = [new_race(), new_race(), new_race()];
        let mut kept = Vec::new();
        enter::<Blocked>("blocked", &d, &mut races, &mut kept);
        if wanted("expandable") {
            enter::<Expandable>("expandable", &d, &mut races, &mut kept);
        }
        if wanted("scalable") {
            enter::<Scalable>("scalable", &d, &mut races, &mut kept);
        }
        if wanted("aleph") {
            enter::<Aleph>("aleph", &d, &mut races, &mut kept);
        }
        if wanted("growable") {
            enter::<Growable>("growable", &d, &mut races, &mut kept);
        }
        if wanted("pc_scalable") && n <= 10_000_000 {
            enter::<PcScalable>("pc_scalable", &d, &mut races, &mut kept);
        }
        if wanted("qfilter") {
            enter::<QFilter>("qfilter", &d, &mut races, &mut kept);
        }
        let [build, member, absent] = races;
        let outs = [build.run(), member.run(), absent.run()];
        println!(
            "\n{n} items from {START}, p = 1%, {rounds} interleaved rounds: ns per operation \
             (median ratio to the pre-sized blocked filter [interquartile range])\n"
        );
        println!("| implementation | insert | member | non-member | bits/item | FPR |");
        println!("| --- | ---: | ---: | ---: | ---: | ---: |");
        for k in &kept {
            let c = |i: usize| cell(&outs[i].ratio(k.name, "blocked"), outs[i].median_ns(k.name));
            println!(
                "| {} | {} | {} | {} | {:.1} | {:.3}% |",
                k.name,
                c(0),
                c(1),
                c(2),
                k.bits_per_item,
                k.fpr * 100.0
            );
        }
    }
}
