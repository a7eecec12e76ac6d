//! Counters and set sketches: Morris counters against a plain `u64`; `ThetaSketch` against
//! Apache DataSketches' Theta sketch, and KMV against HyperLogLog peers and an exact set.

use std::collections::HashSet;
use std::hint::black_box;

use hpds_core::hash::StableBuildHasher;
use hpds_kmv::{Kmv, ThetaSketch};
use hpds_morris::{MorrisArray, MorrisCounter};
use hpds_testkit::streams::random_u64s;
use hyperloglogplus::{HyperLogLog as _, HyperLogLogPlus};
use probabilistic_collections::hyperloglog::HyperLogLog as PcHll;

use crate::page::Page;

/// The error target that makes probabilistic-collections' HLL use precision 14 (it derives
/// `p = ceil(ln((1.04 / e)^2))`).
const PC_P14: f64 = 0.00156;

pub fn morris(page: &mut Page, _full: bool) {
    page.section(
        "morris",
        "Counting events: a Morris counter's `increment` against `c += 1` on a `u64` passed \
         through `black_box` (so the loop is not folded away), and a packed `MorrisArray` \
         against a `Vec<u64>` at random indices (the same precomputed indices for both). \
         Guide: [morris.md](morris.md).",
    );
    page.table("Increments");
    const N: usize = 1_000_000;
    let mut race = crate::race(crate::ROUNDS);
    let mut base2 = MorrisCounter::with_seed(2.0, 1).expect("valid base");
    let mut base11 = MorrisCounter::with_seed(1.1, 1).expect("valid base");
    let mut plain = 0u64;
    race.add("MorrisCounter base 2", N as u64, move || {
        for _ in 0..N {
            base2.increment();
        }
        black_box(base2.estimate());
    });
    race.add("MorrisCounter base 1.1", N as u64, move || {
        for _ in 0..N {
            base11.increment();
        }
        black_box(base11.estimate());
    });
    race.add("u64", N as u64, move || {
        for _ in 0..N {
            plain = black_box(plain) + 1;
        }
    });
    let out = race.run();
    page.row(
        "increment, one counter",
        "1M",
        &out,
        "MorrisCounter base 2",
        "u64",
    );
    page.row(
        "increment, one counter",
        "1M",
        &out,
        "MorrisCounter base 1.1",
        "u64",
    );

    for counters in [N, 10 * N] {
        let idx: Vec<usize> = random_u64s(3, N)
            .into_iter()
            .map(|x| (x % counters as u64) as usize)
            .collect();
        let idx = &idx;
        let mut race = crate::race(crate::ROUNDS);
        let mut four = MorrisArray::with_seed(counters, 4.0, 4, 1).expect("valid parameters");
        let mut eight = MorrisArray::with_seed(counters, 4.0, 8, 1).expect("valid parameters");
        let mut words = vec![0u64; counters];
        race.add("MorrisArray 4-bit", N as u64, move || {
            for &i in idx {
                four.increment(i);
            }
            black_box(four.exponent(0));
        });
        race.add("MorrisArray 8-bit", N as u64, move || {
            for &i in idx {
                eight.increment(i);
            }
            black_box(eight.exponent(0));
        });
        race.add("Vec<u64>", N as u64, move || {
            for &i in idx {
                words[i] += 1;
            }
            black_box(words[0]);
        });
        let out = race.run();
        let op = format!(
            "increment at random index of {} counters",
            crate::page::count(counters)
        );
        page.row(&op, "1M", &out, "MorrisArray 4-bit", "Vec<u64>");
        page.row(&op, "1M", &out, "MorrisArray 8-bit", "Vec<u64>");
    }
    page.end_table(
        "A million 4-bit counters take 500 KB, ten million 5 MB; the `Vec<u64>` takes 8 and \
         80 MB. `n` is the number of increments per pass.",
    );
}

fn hll_plus<T: std::hash::Hash + ?Sized>() -> HyperLogLogPlus<T, StableBuildHasher> {
    HyperLogLogPlus::new(14, StableBuildHasher::default()).expect("valid precision")
}

pub fn kmv(page: &mut Page, full: bool) {
    page.section(
        "kmv",
        "Distinct counting into a fresh sketch. `ThetaSketch` (k = 1024) against Apache \
         DataSketches' Theta sketch (lg_k = 10), each with its own hash (hpds xxh3, \
         DataSketches MurmurHash3). `Kmv` (k = 1024, 16 KiB) against HyperLogLog at p = 14 \
         (about the same memory) from probabilistic-collections and hyperloglogplus, and an \
         exact `HashSet<u64>` of the hashes, all hashing with hpds' stable xxh3 \
         (`StableBuildHasher` for the peers). `u64` items are distinct; `&str` items are \
         Zipf(1) tokens of the standard corpus. Guide: [kmv.md](kmv.md).",
    );
    page.table("Inserts");
    let n: usize = if full { 10_000_000 } else { 1_000_000 };
    let label = crate::page::count(n);
    let keys = random_u64s(4, n);
    let keys = &keys;
    let ops = n as u64;
    let mut race = crate::race(crate::ROUNDS);
    race.add_fresh(
        "ThetaSketch",
        ops,
        || ThetaSketch::new(1024).expect("valid k"),
        move |s| {
            for k in keys {
                s.insert(k);
            }
            black_box(s.estimate());
        },
    );
    race.add_fresh(
        "DataSketches Theta",
        ops,
        || {
            datasketches::theta::ThetaSketchBuilder::default()
                .lg_k(10)
                .build()
                .expect("valid lg_k")
        },
        move |s| {
            for &k in keys {
                s.update(k);
            }
            black_box(s.estimate());
        },
    );
    race.add_fresh(
        "Kmv",
        ops,
        || Kmv::new(1024).expect("valid k"),
        move |s| {
            for k in keys {
                s.insert(k);
            }
            black_box(s.estimate());
        },
    );
    race.add_fresh(
        "probabilistic-collections HLL",
        ops,
        pc_hll::<u64>,
        move |s| {
            for k in keys {
                s.insert(k);
            }
            black_box(s.len());
        },
    );
    race.add_fresh("hyperloglogplus", ops, hll_plus::<u64>, move |s| {
        for k in keys {
            s.insert(k);
        }
        black_box(s.count());
    });
    race.add_fresh(
        "HashSet<u64>",
        ops,
        HashSet::<u64, StableBuildHasher>::default,
        move |s| {
            for &k in keys {
                s.insert(k);
            }
            black_box(s.len());
        },
    );
    let out = race.run();
    page.row(
        "insert `u64`",
        &label,
        &out,
        "ThetaSketch",
        "DataSketches Theta",
    );
    for peer in [
        "probabilistic-collections HLL",
        "hyperloglogplus",
        "HashSet<u64>",
    ] {
        page.row("insert `u64`", &label, &out, "Kmv", peer);
    }

    let corpus = hpds_benches::corpus(n);
    let corpus = &corpus;
    let mut race = crate::race(crate::ROUNDS);
    race.add_fresh(
        "Kmv",
        ops,
        || Kmv::new(1024).expect("valid k"),
        move |s| {
            for w in corpus.tokens() {
                s.insert(w);
            }
            black_box(s.estimate());
        },
    );
    race.add_fresh(
        "probabilistic-collections HLL",
        ops,
        pc_hll::<String>,
        move |s| {
            for w in corpus.tokens() {
                s.insert(w);
            }
            black_box(s.len());
        },
    );
    race.add_fresh("hyperloglogplus", ops, hll_plus::<str>, move |s| {
        for w in corpus.tokens() {
            s.insert(w);
        }
        black_box(s.count());
    });
    let out = race.run();
    for peer in ["probabilistic-collections HLL", "hyperloglogplus"] {
        page.row("insert `&str` token", &label, &out, "Kmv", peer);
    }
    page.end_table(
        "After warm-up KMV rejects almost every item with one comparison against its \
         threshold, so the hash dominates its insert.",
    );
}

fn pc_hll<T: std::hash::Hash>() -> PcHll<T, StableBuildHasher> {
    PcHll::with_hasher(PC_P14, StableBuildHasher::default())
}
