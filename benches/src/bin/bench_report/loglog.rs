//! The LogLog family: hpds' HyperLogLog and HyperLogLog++ against probabilistic-collections,
//! hyperloglogplus and cardinality-estimator, on pre-hashed input and on items; UltraLogLog and
//! ExaLogLog against the ultraloglog and exaloglog crates and Apache DataSketches' HLL_8.

use std::hash::{BuildHasherDefault, Hash};
use std::hint::black_box;

use cardinality_estimator::CardinalityEstimator;
use hpds_core::hash::{IdentityBuildHasher, IdentityHasher};
use hpds_loglog::{ExaLogLog, HyperLogLog, HyperLogLogPlusPlus, UltraLogLog};
use hpds_testkit::race::Race;
use hpds_testkit::streams::random_u64s;
use hyperloglogplus::{HyperLogLog as _, HyperLogLogPlus};
use probabilistic_collections::hyperloglog::HyperLogLog as PcHll;

use crate::page::{Page, count};

/// SipHash-1-3 with fixed keys (std's default hasher): the peers' own hash for items.
type Sip = BuildHasherDefault<std::hash::DefaultHasher>;

const HLL: &str = "HyperLogLog";
const HLLPP: &str = "HyperLogLog++";
const PC: &str = "probabilistic-collections";
const HLP: &str = "hyperloglogplus";
const CE: &str = "cardinality-estimator";
const ULL: &str = "UltraLogLog";
const ELL: &str = "ExaLogLog";
const ULL_PEER: &str = "ultraloglog";
const ELL_PEER: &str = "exaloglog";
const DS: &str = "DataSketches HLL_8";

/// probabilistic-collections derives `p = ceil(ln((1.04 / e)^2))`; this `e` gives exactly `p`.
fn pc_error(p: u8) -> f64 {
    1.04 / ((f64::from(p) - 0.5) / 2.0).exp()
}

fn pc<T: Hash, B: std::hash::BuildHasher + Default>(p: u8) -> PcHll<T, B> {
    PcHll::with_hasher(pc_error(p), B::default())
}

fn hlp<T: Hash + ?Sized, B: std::hash::BuildHasher + Default>(p: u8) -> HyperLogLogPlus<T, B> {
    HyperLogLogPlus::new(p, B::default()).expect("valid precision")
}

/// cardinality-estimator fixes its precision in the type: one pre-hashed contestant per `p`.
fn ce_prehashed<'a, const P: usize>(race: &mut Race<'a>, hashes: &'a [u64]) {
    race.add_fresh(
        CE,
        hashes.len() as u64,
        CardinalityEstimator::<u64, IdentityHasher, P, 6>::new,
        move |s| {
            for &h in hashes {
                s.insert_hash(h);
            }
            black_box(s.estimate());
        },
    );
}

fn prehashed(page: &mut Page, n: usize) {
    let hashes = random_u64s(11, n);
    let hashes = &hashes[..];
    let ops = n as u64;
    for p in [10u8, 14, 16] {
        let mut race = crate::race(crate::ROUNDS);
        race.add_fresh(
            HLL,
            ops,
            move || HyperLogLog::new(p).expect("valid p"),
            move |s| {
                for &h in hashes {
                    s.insert_hash(h);
                }
                black_box(s.estimate());
            },
        );
        race.add_fresh(
            HLLPP,
            ops,
            move || HyperLogLogPlusPlus::new(p).expect("valid p"),
            move |s| {
                s.insert_hashes(hashes);
                black_box(s.estimate());
            },
        );
        race.add_fresh(
            PC,
            ops,
            move || pc::<u64, IdentityBuildHasher>(p),
            move |s| {
                for h in hashes {
                    s.insert(h);
                }
                black_box(s.len());
            },
        );
        race.add_fresh(
            HLP,
            ops,
            move || hlp::<u64, IdentityBuildHasher>(p),
            move |s| {
                for h in hashes {
                    s.insert(h);
                }
                black_box(s.count());
            },
        );
        match p {
            10 => ce_prehashed::<10>(&mut race, hashes),
            14 => ce_prehashed::<14>(&mut race, hashes),
            _ => ce_prehashed::<16>(&mut race, hashes),
        }
        let out = race.run();
        let op = format!("insert pre-hashed, p = {p}");
        for peer in [PC, HLP, CE] {
            page.row(&op, &count(n), &out, HLL, peer);
        }
        page.row(&op, &count(n), &out, HLLPP, PC);
    }
}

fn items(page: &mut Page, n: usize) {
    let keys = random_u64s(12, n);
    let words: Vec<String> = keys.iter().map(|k| format!("w{:x}", k >> 40)).collect();
    let (keys, words) = (&keys[..], &words[..]);
    let ops = n as u64;
    let mut race = crate::race(crate::ROUNDS);
    race.add_fresh(
        HLL,
        ops,
        || HyperLogLog::new(14).expect("valid p"),
        move |s| {
            for k in keys {
                s.insert(k);
            }
            black_box(s.estimate());
        },
    );
    race.add_fresh(
        PC,
        ops,
        || pc::<u64, Sip>(14),
        move |s| {
            for k in keys {
                s.insert(k);
            }
            black_box(s.len());
        },
    );
    race.add_fresh(
        HLP,
        ops,
        || hlp::<u64, Sip>(14),
        move |s| {
            for k in keys {
                s.insert(k);
            }
            black_box(s.count());
        },
    );
    race.add_fresh(
        CE,
        ops,
        CardinalityEstimator::<u64, ahash::AHasher, 14, 6>::new,
        move |s| {
            for k in keys {
                s.insert(k);
            }
            black_box(s.estimate());
        },
    );
    let out = race.run();
    for peer in [PC, HLP, CE] {
        page.row("insert `u64` item, p = 14", &count(n), &out, HLL, peer);
    }

    let mut race = crate::race(crate::ROUNDS);
    race.add_fresh(
        HLL,
        ops,
        || HyperLogLog::new(14).expect("valid p"),
        move |s| {
            for w in words {
                s.insert(w.as_str());
            }
            black_box(s.estimate());
        },
    );
    race.add_fresh(
        PC,
        ops,
        || pc::<String, Sip>(14),
        move |s| {
            for w in words {
                s.insert(w.as_str());
            }
            black_box(s.len());
        },
    );
    race.add_fresh(
        HLP,
        ops,
        || hlp::<str, Sip>(14),
        move |s| {
            for w in words {
                s.insert(w.as_str());
            }
            black_box(s.count());
        },
    );
    race.add_fresh(
        CE,
        ops,
        CardinalityEstimator::<str, ahash::AHasher, 14, 6>::new,
        move |s| {
            for w in words {
                s.insert(w.as_str());
            }
            black_box(s.estimate());
        },
    );
    let out = race.run();
    for peer in [PC, HLP, CE] {
        page.row("insert `&str` item, p = 14", &count(n), &out, HLL, peer);
    }
}

/// UltraLogLog and ExaLogLog (t = 2, d = 20) against the crates of the same names and
/// DataSketches' HLL_8, on the same pre-hashed input. DataSketches has no pre-hashed entry
/// point, so its time includes hashing the `u64` with its MurmurHash3.
fn newer(page: &mut Page, n: usize) {
    let hashes = random_u64s(11, n);
    let hashes = &hashes[..];
    let ops = n as u64;
    for p in [12u8, 14] {
        let mut race = crate::race(crate::ROUNDS);
        race.add_fresh(
            ULL,
            ops,
            move || UltraLogLog::new(p).expect("valid p"),
            move |s| {
                for &h in hashes {
                    s.insert_hash(h);
                }
                black_box(s.estimate());
            },
        );
        race.add_fresh(
            ELL,
            ops,
            move || ExaLogLog::new(p).expect("valid p"),
            move |s| {
                for &h in hashes {
                    s.insert_hash(h);
                }
                black_box(s.estimate());
            },
        );
        race.add_fresh(
            ULL_PEER,
            ops,
            move || ultraloglog::UltraLogLog::new(u32::from(p)).expect("valid p"),
            move |s| {
                for &h in hashes {
                    s.add(h);
                }
                black_box(s.get_distinct_count_estimate());
            },
        );
        race.add_fresh(
            ELL_PEER,
            ops,
            move || exaloglog::ExaLogLog::new(u32::from(p)),
            move |s| {
                for &h in hashes {
                    s.add_hash(h);
                }
                black_box(s.estimate());
            },
        );
        race.add_fresh(
            DS,
            ops,
            move || {
                datasketches::hll::HllSketch::new(p, datasketches::hll::HllType::Hll8)
                    .expect("valid lg_k")
            },
            move |s| {
                for &h in hashes {
                    s.update(h);
                }
                black_box(s.estimate());
            },
        );
        let out = race.run();
        let op = format!("insert pre-hashed, p = {p}");
        page.row(&op, &count(n), &out, ULL, ULL_PEER);
        page.row(&op, &count(n), &out, ELL, ELL_PEER);
        page.row(&op, &count(n), &out, ULL, DS);
        page.row(&op, &count(n), &out, ELL, DS);
    }
}

pub fn run(page: &mut Page, full: bool) {
    page.section(
        "loglog",
        "Filling a fresh sketch, then one estimate. *Pre-hashed*: the same random 64-bit \
         hashes for everyone (the peers through a pass-through hasher; hpds' `HyperLogLog` by \
         `insert_hash`, `HyperLogLog++` by `insert_hashes`). *Items*: each implementation \
         hashes with its own hash (hpds xxh3; probabilistic-collections and hyperloglogplus \
         SipHash-1-3; cardinality-estimator ahash). Guide: [loglog.md](loglog.md).",
    );
    page.table("Inserts");
    let n = if full { 10_000_000 } else { 1_000_000 };
    prehashed(page, n);
    items(page, n);
    page.end_table(
        "On pre-hashed input probabilistic-collections, which keeps one byte per register and \
         no HIP estimator, is the fastest; hpds packs registers into 6 bits (a quarter less \
         memory) and pays for it there (see [loglog.md](loglog.md)).",
    );
    page.table("UltraLogLog and ExaLogLog");
    newer(page, n);
    page.end_table(
        "Each pass fills a fresh sketch and takes one estimate: for ExaLogLog (and the \
         exaloglog crate) that is the maximum-likelihood estimate, which reads every register \
         (see [loglog.md](loglog.md) for its time alone). DataSketches has no pre-hashed \
         insert, so its time includes its own hash of the `u64`.",
    );
}
