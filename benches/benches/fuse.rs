//! `BinaryFuseFilter` against xorf's `BinaryFuse8`: a same-process race on the same random
//! 64-bit keys.
//!
//! ```text
//! cargo bench -p hpds-benches --bench fuse                      # 1M and 10M keys, 9 rounds
//! cargo bench -p hpds-benches --bench fuse -- 100000000 5       # one size, 5 rounds
//! ```
//! For instruction counts, one implementation alone under callgrind (`hpds`, `xorf` or `none`
//! for the shared set-up; `build` stops after the build, `all` adds one pass of member and
//! non-member queries):
//! ```text
//! valgrind --tool=callgrind target/release/deps/fuse-* 1000000 1 hpds build
//! ```
//! build instructions = `build` run minus `none` run; query = `all` run minus `build` run.
//!
//! A race of the shared harness (`hpds_testkit::race`): every round runs each pass once (a
//! build from the whole set; every member query; every non-member query), the order rotating
//! from round to round, timed in the thread's on-CPU time where Linux gives it precisely.
//! For each size it prints the median ns per key of each pass, ours and xorf's, the median of
//! the per-round ratios ours / xorf with their quartiles, and each filter's bits per key and
//! measured false-positive rate. Both are fed the same pre-hashed keys (`from_hashes` /
//! `contains_hash` against `try_from` / `contains`); the `item path` row times our
//! `contains(&u64)` on the non-members (which adds the stable hash) for reference.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use hpds_bloom::BinaryFuse8;
use hpds_core::HeapSize;
use hpds_core::hash::mix64;
use hpds_testkit::race::{Race, Spread};
use xorf::Filter as _;

fn keys(n: usize, stream: u64) -> Vec<u64> {
    (0..n as u64)
        .map(|i| mix64(i ^ (stream << 48)) ^ stream)
        .collect()
}

/// The set of `n` keys, up to 4M of its members in a random order, and as many non-members.
fn inputs(n: usize) -> (Vec<u64>, Vec<u64>, Vec<u64>) {
    let set = keys(n, 1);
    let q = n.min(4_000_000);
    let members: Vec<u64> = (0..q as u64)
        .map(|i| set[(mix64(i + 7) % n as u64) as usize])
        .collect();
    let others = keys(q, 2);
    (set, members, others)
}

fn race(n: usize, rounds: usize) {
    let (set, members, others) = inputs(n);
    let q = members.len();
    let ours = BinaryFuse8::from_hashes(&set).expect("builds");
    let theirs = xorf::BinaryFuse8::try_from(&set[..]).expect("builds");
    let hits = (
        members.iter().filter(|&&k| ours.contains_hash(k)).count(),
        members.iter().filter(|k| theirs.contains(k)).count(),
    );
    assert_eq!(hits, (q, q), "a member was missed");
    let fp = (
        others.iter().filter(|&&k| ours.contains_hash(k)).count(),
        others.iter().filter(|k| theirs.contains(k)).count(),
    );
    let bits = (
        ours.heap_bytes() as f64 * 8.0 / n as f64,
        theirs.len() as f64 * 8.0 / n as f64,
    );
    let mut race = Race::new()
        .rounds(rounds)
        .min_round(Duration::from_millis(20));
    let (set, members, others) = (&set, &members, &others);
    let (o, t) = (&ours, &theirs);
    race.add("hpds build", n as u64, || {
        black_box(BinaryFuse8::from_hashes(black_box(set)).expect("builds"));
    });
    race.add("xorf build", n as u64, || {
        black_box(xorf::BinaryFuse8::try_from(black_box(&set[..])).expect("builds"));
    });
    for (op, keys) in [("member", members), ("absent", others)] {
        race.add(format!("hpds {op}"), q as u64, move || {
            black_box(
                black_box(keys)
                    .iter()
                    .filter(|&&k| o.contains_hash(k))
                    .count(),
            );
        });
        race.add(format!("xorf {op}"), q as u64, move || {
            black_box(black_box(keys).iter().filter(|k| t.contains(k)).count());
        });
    }
    race.add("hpds item path", q as u64, || {
        black_box(black_box(others).iter().filter(|&k| o.contains(k)).count());
    });
    let out = race.run();
    println!("{n} keys, {rounds} rounds, {q} queries of each kind per pass:");
    for (what, op) in [
        ("build per key", "build"),
        ("member query", "member"),
        ("non-member query", "absent"),
    ] {
        let (me, them) = (format!("hpds {op}"), format!("xorf {op}"));
        let r = out.ratio(&me, &them);
        println!(
            "  {what:<18} hpds {:8.1} ns   xorf {:8.1} ns   ratio {:.3} (quartiles {:.3}..{:.3}, {rounds} rounds)",
            out.median_ns(&me),
            out.median_ns(&them),
            r.median,
            r.low,
            r.high,
        );
    }
    let item = Spread::of(out.rounds_ns("hpds item path"));
    println!(
        "  item path (contains(&u64), non-members): {:.1} ns (quartiles {:.1}..{:.1})",
        item.median, item.low, item.high
    );
    println!(
        "  bits per key: hpds {:.3}, xorf {:.3}; false-positive rate: hpds {:.4} %, xorf {:.4} %",
        bits.0,
        bits.1,
        fp.0 as f64 * 100.0 / q as f64,
        fp.1 as f64 * 100.0 / q as f64
    );
}

/// One implementation alone, for callgrind: builds, then (unless `build_only`) queries once.
fn single(n: usize, which: &str, build_only: bool) {
    let (set, members, others) = inputs(n);
    let found = match which {
        "hpds" => {
            let f = BinaryFuse8::from_hashes(black_box(&set)).expect("builds");
            if build_only {
                0
            } else {
                members.iter().filter(|&&k| f.contains_hash(k)).count()
                    + others.iter().filter(|&&k| f.contains_hash(k)).count()
            }
        }
        "xorf" => {
            let f = xorf::BinaryFuse8::try_from(black_box(&set[..])).expect("builds");
            if build_only {
                0
            } else {
                members.iter().filter(|k| f.contains(k)).count()
                    + others.iter().filter(|k| f.contains(k)).count()
            }
        }
        _ => 0,
    };
    println!("{which}: {}", black_box(found));
}

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if let Some(which) = raw
        .iter()
        .find(|a| ["hpds", "xorf", "none"].contains(&a.as_str()))
    {
        let n = raw.iter().find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
        single(n, which, raw.iter().any(|a| a == "build"));
        return;
    }
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    match args.as_slice() {
        [] => {
            for n in hpds_benches::sizes(&[1_000_000, 10_000_000], &[100_000_000]) {
                race(n as usize, if n > 10_000_000 { 5 } else { 9 });
            }
        }
        [n] => race(*n, 9),
        [n, rounds, ..] => race(*n, (*rounds).max(1)),
    }
}
