//! `BinaryFuseFilter` against xorf's `BinaryFuse8`: a same-process race, interleaved round by
//! round (the two alternate which goes first), on the same random 64-bit keys.
//!
//! ```text
//! cargo bench -p hpds-benches --bench fuse                      # 1M and 10M keys, 5 rounds
//! cargo bench -p hpds-benches --bench fuse -- 100000000 3       # one size, 3 rounds
//! ```
//! For instruction counts, one implementation alone under callgrind (`hpds`, `xorf` or `none`
//! for the shared set-up; `build` stops after the build, `all` adds one pass of member and
//! non-member queries):
//! ```text
//! valgrind --tool=callgrind target/release/deps/fuse-* 1000000 1 hpds build
//! ```
//! build instructions = `build` run minus `none` run; query = `all` run minus `build` run.
//!
//! Times are CPU time of the benchmark thread (`hpds_testkit::process::thread_cpu_clock`), so time the
//! scheduler gives to other processes is not counted; build wall time is printed too. For each
//! size it prints the medians of build time per key and of query time per member and
//! non-member (chunks of 50,000 queries, alternating between the two filters), ours and xorf's, the median of the ratios
//! ours / xorf of each interleaved pair with their quartiles, and each filter's bits per key
//! and measured false-positive rate. Both are fed
//! the same pre-hashed keys (`from_hashes` / `contains_hash` against `try_from` / `contains`);
//! the last column times our item path (`contains(&u64)`, which adds the stable hash) for
//! reference.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use hpds_bloom::BinaryFuse8;
use hpds_core::HeapSize;
use hpds_core::hash::mix64;
use hpds_testkit::process::thread_cpu_clock;
use xorf::Filter as _;

fn keys(n: usize, stream: u64) -> Vec<u64> {
    (0..n as u64)
        .map(|i| mix64(i ^ (stream << 48)) ^ stream)
        .collect()
}

/// Nanoseconds this thread has run on a CPU: time the scheduler gives to other processes is
/// not counted, which on a shared machine is most of the noise (wall time where the system
/// cannot say).
fn cpu_ns() -> f64 {
    thread_cpu_clock().map_or_else(
        || WALL.with(|w| w.elapsed().as_nanos() as f64),
        |d| d.as_nanos() as f64,
    )
}

thread_local! {
    static WALL: Instant = Instant::now();
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        f64::midpoint(v[m - 1], v[m])
    }
}

/// One measured quantity: ours, theirs, and the ratio of each interleaved pair.
#[derive(Default)]
struct Cell {
    ours: Vec<f64>,
    theirs: Vec<f64>,
}

impl Cell {
    fn push(&mut self, ours: f64, theirs: f64) {
        self.ours.push(ours);
        self.theirs.push(theirs);
    }

    fn report(&mut self, what: &str) {
        let mut ratios: Vec<f64> = self
            .ours
            .iter()
            .zip(&self.theirs)
            .map(|(a, b)| a / b)
            .collect();
        let r = median(&mut ratios);
        // The middle half of the pair ratios: their spread.
        let (q1, q3) = (ratios[ratios.len() / 4], ratios[(3 * ratios.len()) / 4]);
        println!(
            "  {what:<18} hpds {:8.1} ns   xorf {:8.1} ns   ratio {r:.3} (quartiles {q1:.3}..{q3:.3}, {} pairs)",
            median(&mut self.ours),
            median(&mut self.theirs),
            ratios.len(),
        );
    }
}

/// Query chunks alternate between the two filters; each pair gives one ratio, so a pair the
/// scheduler interrupted is one outlier among many.
const CHUNK: usize = 50_000;

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
    let (mut build, mut build_wall, mut hit, mut miss, mut item) = (
        Cell::default(),
        Cell::default(),
        Cell::default(),
        Cell::default(),
        Vec::new(),
    );
    let mut fp = (0, 0);
    let mut bits = (0.0, 0.0);
    for round in 0..rounds {
        let build_ours = || {
            let (t, c) = (Instant::now(), cpu_ns());
            let f = BinaryFuse8::from_hashes(black_box(&set)).expect("builds");
            let c = cpu_ns() - c;
            (f, c / n as f64, t.elapsed().as_nanos() as f64 / n as f64)
        };
        let build_xorf = || {
            let (t, c) = (Instant::now(), cpu_ns());
            let f = xorf::BinaryFuse8::try_from(black_box(&set[..])).expect("builds");
            let c = cpu_ns() - c;
            (f, c / n as f64, t.elapsed().as_nanos() as f64 / n as f64)
        };
        let ((ours, oc, ow), (theirs, xc, xw)) = if round % 2 == 0 {
            let o = build_ours();
            (o, build_xorf())
        } else {
            let x = build_xorf();
            (build_ours(), x)
        };
        build.push(oc, xc);
        build_wall.push(ow, xw);
        bits = (
            ours.heap_bytes() as f64 * 8.0 / n as f64,
            theirs.len() as f64 * 8.0 / n as f64,
        );
        fp = (0, 0);
        for (i, (m, o)) in members.chunks(CHUNK).zip(others.chunks(CHUNK)).enumerate() {
            let len = m.len() as f64;
            let time = |f: &dyn Fn() -> usize| {
                let t = cpu_ns();
                let r = black_box(f());
                ((cpu_ns() - t) / len, r)
            };
            let our_hits = || m.iter().filter(|&&k| ours.contains_hash(k)).count();
            let their_hits = || m.iter().filter(|k| theirs.contains(k)).count();
            let our_misses = || o.iter().filter(|&&k| ours.contains_hash(k)).count();
            let their_misses = || o.iter().filter(|k| theirs.contains(k)).count();
            let (a, b, c, d) = if (round + i) % 2 == 0 {
                let a = time(&our_hits);
                let b = time(&their_hits);
                let c = time(&our_misses);
                (a, b, c, time(&their_misses))
            } else {
                let b = time(&their_hits);
                let a = time(&our_hits);
                let d = time(&their_misses);
                (a, b, time(&our_misses), d)
            };
            assert_eq!((a.1, b.1), (m.len(), m.len()), "a member was missed");
            hit.push(a.0, b.0);
            miss.push(c.0, d.0);
            fp.0 += c.1;
            fp.1 += d.1;
        }
        let t = cpu_ns();
        black_box(others.iter().filter(|&k| ours.contains(k)).count());
        item.push((cpu_ns() - t) / q as f64);
    }
    println!("{n} keys, {rounds} rounds, {q} queries of each kind per round:");
    build.report("build per key");
    build_wall.report("  (wall time)");
    hit.report("member query");
    miss.report("non-member query");
    println!(
        "  item path (contains(&u64), non-members): {:.1} ns",
        median(&mut item)
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
                race(n as usize, if n > 10_000_000 { 3 } else { 5 });
            }
        }
        [n] => race(*n, 5),
        [n, rounds, ..] => race(*n, (*rounds).max(1)),
    }
}
