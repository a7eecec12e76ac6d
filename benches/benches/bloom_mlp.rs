//! Where the time of one operation goes on a filter far larger than the cache: the memory
//! floors (independent and dependent random reads over a buffer of the filter's size), the
//! hash alone, and the blocked and classic filters per item and batched, against fastbloom,
//! interleaved in rounds in one process (median and fastest round, ns per operation).
//!
//! ```text
//! cargo bench -p hpds-benches --bench bloom_mlp -- 100000000              # 100M items, p = 1%
//! MLP_OPS=floor,blocked MLP_ROUNDS=5 cargo bench -p hpds-benches --bench bloom_mlp -- 10000000
//! ```
//!
//! Without an item count it only prints this usage (a plain `cargo bench` does not start a
//! 100M-item run). `MLP_OPS` (comma-separated: `floor`, `hash`, `blocked`, `blocked_many`, `classic`,
//! `classic_many`, `scalable`, `scalable_many`, `fastbloom`) picks the groups; every group is on by default. Queries are the
//! benchmark's: 200k members spread over the keys and 200k non-members, each batch repeated
//! until about 0.2 s has passed (10 times with `MLP_FIXED=1`, which makes the instruction count
//! of a run deterministic: `perf stat -e instructions` on two runs that differ in one group gives
//! that group's instructions). Fills are whole fills of an empty filter with all `n` keys.
#![allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]

use std::hint::black_box;
use std::time::Instant;

use hpds_bloom::{BlockedBloomFilter, BloomFilter, ScalableBloomFilter};
use hpds_core::hash::{StableBuildHasher, hash_one_128, mix64};
use hpds_testkit::streams::distinct_u64s;

const P: f64 = 0.01;
const QUERIES: usize = 200_000;

fn reduce(x: u64, m: u64) -> usize {
    ((u128::from(x) * u128::from(m)) >> 64) as usize
}

fn wanted(group: &str) -> bool {
    std::env::var("MLP_OPS").map_or(true, |ops| ops.split(',').any(|o| o.trim() == group))
}

/// ns per operation of `f`, which performs `ops` operations per call, repeated for ~0.2 s
/// (exactly 10 times with `MLP_FIXED=1`, for instruction counts under `perf stat`).
fn per_op(ops: usize, mut f: impl FnMut() -> usize) -> f64 {
    let fixed = std::env::var_os("MLP_FIXED").is_some();
    let start = Instant::now();
    let mut calls = 0u32;
    loop {
        black_box(f());
        calls += 1;
        if (fixed && calls == 10) || (!fixed && start.elapsed().as_secs_f64() > 0.2) {
            break;
        }
    }
    start.elapsed().as_nanos() as f64 / (f64::from(calls) * ops as f64)
}

/// ns per insert of one fill of an empty filter.
fn fill_time<F>(n: usize, build: impl FnOnce() -> F, fill: impl FnOnce(&mut F)) -> f64 {
    let mut f = build();
    let start = Instant::now();
    fill(&mut f);
    let ns = start.elapsed().as_nanos() as f64 / n as f64;
    black_box(&f);
    ns
}

struct Results(Vec<(String, Vec<f64>)>);

impl Results {
    fn add(&mut self, name: &str, ns: f64) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => v.push(ns),
            None => self.0.push((name.to_string(), vec![ns])),
        }
    }
}

#[allow(clippy::too_many_lines)]
fn main() {
    let Some(n) = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
    else {
        println!(
            "bloom_mlp: give an item count, e.g. `cargo bench -p hpds-benches --bench bloom_mlp -- 100000000`"
        );
        return;
    };
    let rounds: usize = std::env::var("MLP_ROUNDS").map_or(3, |s| s.parse().expect("rounds"));
    let keys: Vec<u64> = distinct_u64s(1).take(n).collect();
    let members: Vec<u64> = keys.iter().step_by((n / QUERIES).max(1)).copied().collect();
    let absent: Vec<u64> = distinct_u64s(2).take(QUERIES).collect();
    let nblocks = BlockedBloomFilter::new(n as u64, P).unwrap().blocks();
    println!(
        "n = {n}, p = {P}: blocked filter {nblocks} blocks ({} MiB); load {}",
        (nblocks * 32) >> 20,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );

    // Filled once with the batched insert, for the query groups.
    let blocked = {
        let mut f = BlockedBloomFilter::new(n as u64, P).unwrap();
        f.insert_many(&keys);
        f
    };
    let classic = (wanted("classic") || wanted("classic_many")).then(|| {
        let mut f = BloomFilter::new(n as u64, P).unwrap();
        f.insert_many(&keys);
        f
    });
    let scalable = (wanted("scalable") || wanted("scalable_many")).then(|| {
        let mut f = ScalableBloomFilter::new((n as u64 / 1000).max(1), P).unwrap();
        f.extend(keys.iter().copied());
        println!("scalable filter: {} sub-filters", f.stages());
        f
    });
    let fast = wanted("fastbloom").then(|| {
        let mut f = fastbloom::BloomFilter::with_false_pos(P)
            .hasher(StableBuildHasher::default())
            .expected_items(n);
        for k in &keys {
            f.insert(k);
        }
        f
    });
    // A buffer of the blocked filter's size with random contents, for the floors.
    let words = (nblocks * 4) as usize;
    let buf: Vec<u64> = (0..words as u64).map(mix64).collect();
    let idx: Vec<usize> = absent
        .iter()
        .map(|&k| reduce(mix64(k), nblocks) * 4)
        .collect();

    let mut res = Results(Vec::new());
    let mut found = Vec::new();
    for round in 0..rounds {
        if wanted("floor") {
            res.add(
                "floor: independent reads (precomputed indices)",
                per_op(QUERIES, || idx.iter().map(|&i| buf[i] as usize).sum()),
            );
            res.add(
                "floor: dependent reads (chain)",
                per_op(QUERIES, || {
                    let mut i = 0usize;
                    for j in 0..QUERIES as u64 {
                        i = reduce(mix64(buf[i] ^ j), nblocks) * 4;
                    }
                    i
                }),
            );
        }
        if wanted("hash") {
            res.add(
                "hash_one_128 alone",
                per_op(QUERIES, || {
                    absent
                        .iter()
                        .map(|k| hash_one_128(k, 0) as usize)
                        .fold(0, usize::wrapping_add)
                }),
            );
            res.add(
                "floor: hash_one_128 + independent read",
                per_op(QUERIES, || {
                    absent
                        .iter()
                        .map(|k| buf[reduce(hash_one_128(k, 0) as u64, nblocks) * 4] as usize)
                        .fold(0, usize::wrapping_add)
                }),
            );
        }
        if wanted("blocked") {
            res.add(
                "blocked insert (fill)",
                fill_time(
                    n,
                    || BlockedBloomFilter::new(n as u64, P).unwrap(),
                    |f| {
                        for k in &keys {
                            f.insert(k);
                        }
                    },
                ),
            );
            res.add(
                "blocked member",
                per_op(QUERIES, || {
                    members.iter().filter(|k| blocked.contains(*k)).count()
                }),
            );
            res.add(
                "blocked non-member",
                per_op(QUERIES, || {
                    absent.iter().filter(|k| blocked.contains(*k)).count()
                }),
            );
        }
        if wanted("blocked_many") {
            res.add(
                "blocked insert_many (fill)",
                fill_time(
                    n,
                    || BlockedBloomFilter::new(n as u64, P).unwrap(),
                    |f| {
                        f.insert_many(&keys);
                    },
                ),
            );
            res.add(
                "blocked count_contained member",
                per_op(QUERIES, || blocked.count_contained(&members)),
            );
            res.add(
                "blocked count_contained non-member",
                per_op(QUERIES, || blocked.count_contained(&absent)),
            );
            res.add(
                "blocked contains_many non-member",
                per_op(QUERIES, || {
                    blocked.contains_many(&absent, &mut found);
                    found.len()
                }),
            );
        }
        if let Some(classic) = &classic {
            if wanted("classic") {
                res.add(
                    "classic insert (fill)",
                    fill_time(
                        n,
                        || BloomFilter::new(n as u64, P).unwrap(),
                        |f| {
                            for k in &keys {
                                f.insert(k);
                            }
                        },
                    ),
                );
                res.add(
                    "classic member",
                    per_op(QUERIES, || {
                        members.iter().filter(|k| classic.contains(*k)).count()
                    }),
                );
                res.add(
                    "classic non-member",
                    per_op(QUERIES, || {
                        absent.iter().filter(|k| classic.contains(*k)).count()
                    }),
                );
            }
        }
        if let Some(classic) = &classic {
            if wanted("classic_many") {
                res.add(
                    "classic insert_many (fill)",
                    fill_time(
                        n,
                        || BloomFilter::new(n as u64, P).unwrap(),
                        |f| {
                            f.insert_many(&keys);
                        },
                    ),
                );
                res.add(
                    "classic count_contained member",
                    per_op(QUERIES, || classic.count_contained(&members)),
                );
                res.add(
                    "classic count_contained non-member",
                    per_op(QUERIES, || classic.count_contained(&absent)),
                );
            }
        }
        if let Some(scalable) = scalable.as_ref().filter(|_| wanted("scalable_many")) {
            res.add(
                "scalable insert_many (fill)",
                fill_time(
                    n,
                    || ScalableBloomFilter::new((n as u64 / 1000).max(1), P).unwrap(),
                    |f| {
                        f.insert_many(&keys);
                    },
                ),
            );
            res.add(
                "scalable count_contained member",
                per_op(QUERIES, || scalable.count_contained(&members)),
            );
            res.add(
                "scalable count_contained non-member",
                per_op(QUERIES, || scalable.count_contained(&absent)),
            );
        }
        if let Some(scalable) = scalable.as_ref().filter(|_| wanted("scalable")) {
            res.add(
                "scalable (n/1000, grown 1000x) insert (fill)",
                fill_time(
                    n,
                    || ScalableBloomFilter::new((n as u64 / 1000).max(1), P).unwrap(),
                    |f| {
                        for k in &keys {
                            f.insert(k);
                        }
                    },
                ),
            );
            res.add(
                "scalable member",
                per_op(QUERIES, || {
                    members.iter().filter(|k| scalable.contains(*k)).count()
                }),
            );
            res.add(
                "scalable non-member",
                per_op(QUERIES, || {
                    absent.iter().filter(|k| scalable.contains(*k)).count()
                }),
            );
        }
        if let Some(fast) = &fast {
            res.add(
                "fastbloom insert (fill)",
                fill_time(
                    n,
                    || {
                        fastbloom::BloomFilter::with_false_pos(P)
                            .hasher(StableBuildHasher::default())
                            .expected_items(n)
                    },
                    |f| {
                        for k in &keys {
                            f.insert(k);
                        }
                    },
                ),
            );
            res.add(
                "fastbloom member",
                per_op(QUERIES, || {
                    members.iter().filter(|k| fast.contains(*k)).count()
                }),
            );
            res.add(
                "fastbloom non-member",
                per_op(QUERIES, || {
                    absent.iter().filter(|k| fast.contains(*k)).count()
                }),
            );
        }
        eprintln!("round {} of {rounds} done", round + 1);
    }
    println!("| ns per operation | median | fastest |");
    println!("| --- | ---: | ---: |");
    for (name, mut v) in res.0 {
        v.sort_by(f64::total_cmp);
        println!("| {name} | {:.1} | {:.1} |", v[v.len() / 2], v[0]);
    }
    println!(
        "load after: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}
