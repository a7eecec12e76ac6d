//! The benchmark driver shared by this crate's `throughput` bench and the peer comparison in
//! `benches/benches/bloom.rs` (which includes this file with `#[path]`): one local trait every
//! filter runs through, and the insert / member query / non-member query groups.
//!
//! Times are the benchmark thread's **on-CPU time** where Linux provides it
//! (`/proc/thread-self/schedstat`, updated every scheduler tick, ~4 ms; every timed stretch is
//! one fill or a batch of lookups repeated to about 100 ms or more), wall time elsewhere. The
//! machine these were run on is shared by several engineers' builds: wall time measured how
//! much CPU the benchmark was given (up to 5x off), not how fast the filter is. Cache and
//! memory-bandwidth contention from the other processes still shows in on-CPU time.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};

/// Lookups per measured query iteration.
pub const BATCH: usize = 200_000;

/// Item counts to run: 1M and 10M; `HPDS_BENCH_FULL=1` adds 100M, and `HPDS_BENCH_SIZES`
/// (comma-separated) replaces the list, e.g. `HPDS_BENCH_SIZES=100000000`.
pub fn sizes() -> Vec<u64> {
    if let Some(list) = std::env::var_os("HPDS_BENCH_SIZES") {
        return list
            .to_string_lossy()
            .split(',')
            .map(|s| {
                s.trim()
                    .parse()
                    .expect("HPDS_BENCH_SIZES: comma-separated item counts")
            })
            .collect();
    }
    let mut s = vec![1_000_000, 10_000_000];
    if std::env::var_os("HPDS_BENCH_FULL").is_some() {
        s.push(100_000_000);
    }
    s
}

/// The thread's on-CPU time so far (Linux), or `None`.
fn cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Runs `f` and returns how long it ran: on-CPU time if available, else wall time.
fn timed(f: impl FnOnce()) -> Duration {
    let (cpu, wall) = (cpu_time(), Instant::now());
    f();
    match (cpu, cpu_time()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => wall.elapsed(),
    }
}

/// The one local trait every implementation runs through (u64 keys).
pub trait Filter {
    /// Name in the benchmark ids.
    const NAME: &'static str;
    /// A filter for `n` items at false-positive rate `p`.
    fn build(n: u64, p: f64) -> Self;
    /// Inserts a key.
    fn add(&mut self, key: u64);
    /// Whether the key is (probably) present.
    fn has(&self, key: u64) -> bool;
}

/// Implements [`Filter`] for a type with `insert(&u64)` and `contains(&u64)` methods.
#[allow(unused_macros)]
macro_rules! filter {
    ($ty:ty, $name:literal, |$n:ident, $p:ident| $build:expr) => {
        impl Filter for $ty {
            const NAME: &'static str = $name;
            fn build($n: u64, $p: f64) -> Self {
                $build
            }
            fn add(&mut self, key: u64) {
                self.insert(&key);
            }
            fn has(&self, key: u64) -> bool {
                self.contains(&key)
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use filter;

/// `HPDS_BENCH_ONLY` (comma-separated implementation names) skips the others entirely: a
/// criterion filter alone still fills every filter once for the query benchmarks, which at
/// 100M items costs minutes and gigabytes.
fn wanted(name: &str) -> bool {
    std::env::var("HPDS_BENCH_ONLY").map_or(true, |only| only.split(',').any(|o| o.trim() == name))
}

/// Insert (filling an empty filter with `keys`), member and non-member queries ([`BATCH`]
/// lookups) for `F` at `n` items and rate `p`, in groups `{prefix}insert`,
/// `{prefix}contains_member`, `{prefix}contains_absent`.
pub fn run<F: Filter>(
    c: &mut Criterion,
    prefix: &str,
    n: u64,
    p: f64,
    keys: &[u64],
    absent: &[u64],
) {
    if !wanted(F::NAME) {
        return;
    }
    let mut g = c.benchmark_group(format!("{prefix}insert"));
    g.throughput(Throughput::Elements(n));
    // One fill of 10M+ items takes seconds: one fill per sample, not 1 + 2 + ... + 10.
    g.sampling_mode(if n >= 10_000_000 {
        SamplingMode::Flat
    } else {
        SamplingMode::Auto
    });
    g.bench_function(BenchmarkId::new(F::NAME, n), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut f = F::build(n, p);
                total += timed(|| {
                    for &k in keys {
                        f.add(k);
                    }
                });
                black_box(&f);
            }
            total
        });
    });
    g.finish();
    let mut f = F::build(n, p);
    for &k in keys {
        f.add(k);
    }
    let members = keys.iter().step_by((keys.len() / BATCH).max(1));
    let mut g = c.benchmark_group(format!("{prefix}contains_member"));
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function(BenchmarkId::new(F::NAME, n), |b| {
        b.iter_custom(|iters| {
            timed(|| {
                for _ in 0..iters {
                    black_box(members.clone().filter(|&&k| f.has(k)).count());
                }
            })
        });
    });
    g.finish();
    let mut g = c.benchmark_group(format!("{prefix}contains_absent"));
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function(BenchmarkId::new(F::NAME, n), |b| {
        b.iter_custom(|iters| {
            timed(|| {
                for _ in 0..iters {
                    black_box(absent.iter().filter(|&&k| f.has(k)).count());
                }
            })
        });
    });
    g.finish();
}
