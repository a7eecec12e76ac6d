//! The Bloom filter benchmark driver, shared by hpds-bloom's `throughput` bench, the peer
//! comparison `benches/bloom.rs` and the race `benches/bloom_race.rs`: one local trait every
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

use criterion::{BenchmarkId, Criterion, Throughput};
use hpds_testkit::process::thread_cpu_time;

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

/// Runs `f` and returns how long it ran: on-CPU time if available, else wall time.
pub fn timed(f: impl FnOnce()) -> Duration {
    let (cpu, wall) = (thread_cpu_time(), Instant::now());
    f();
    match (cpu, thread_cpu_time()) {
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
    /// Whether the implementation has batched operations (`insert_many`, `count_contained`):
    /// then the driver also runs the `*_many` groups.
    const BATCHED: bool = false;
    /// Inserts every key with the batched operation (a loop of [`add`](Filter::add) unless
    /// overridden).
    fn add_many(&mut self, keys: &[u64]) {
        for &k in keys {
            self.add(k);
        }
    }
    /// How many keys are (probably) present, with the batched operation.
    fn count_many(&self, keys: &[u64]) -> usize {
        keys.iter().filter(|&&k| self.has(k)).count()
    }
}

/// Declares `struct $wrapper(pub $ty)` and implements [`Filter`] for it through the wrapped
/// type's `insert(&u64)` and `contains(&u64)` methods (with `batched`, also its `insert_many`
/// and `count_contained`). The wrapper is needed because the trait and the filters live in
/// other crates than the bench that pairs them.
#[macro_export]
macro_rules! filter {
    // The one impl; `$extra` adds the batched items.
    (@impl $wrapper:ident($ty:ty), $name:literal, |$n:ident, $p:ident| $build:expr, { $($extra:tt)* }) => {
        pub struct $wrapper(pub $ty);
        impl $crate::bloom::Filter for $wrapper {
            const NAME: &'static str = $name;
            fn build($n: u64, $p: f64) -> Self {
                Self($build)
            }
            fn add(&mut self, key: u64) {
                // The answer is kept, as every contestant's is, so no insert skips the reads
                // its "was it new" answer needs.
                std::hint::black_box(self.0.insert(&key));
            }
            fn has(&self, key: u64) -> bool {
                self.0.contains(&key)
            }
            $($extra)*
        }
    };
    ($wrapper:ident($ty:ty), $name:literal, |$n:ident, $p:ident| $build:expr) => {
        $crate::filter!(@impl $wrapper($ty), $name, |$n, $p| $build, {});
    };
    ($wrapper:ident($ty:ty), $name:literal, |$n:ident, $p:ident| $build:expr, batched) => {
        $crate::filter!(@impl $wrapper($ty), $name, |$n, $p| $build, {
            const BATCHED: bool = true;
            fn add_many(&mut self, keys: &[u64]) {
                self.0.insert_many(keys);
            }
            fn count_many(&self, keys: &[u64]) -> usize {
                self.0.count_contained(keys)
            }
        });
    };
}

/// `HPDS_BENCH_ONLY` (comma-separated implementation names) skips the others entirely: a
/// criterion filter alone still fills every filter once for the query benchmarks, which at
/// 100M items costs minutes and gigabytes.
fn wanted(name: &str) -> bool {
    std::env::var("HPDS_BENCH_ONLY").map_or(true, |only| only.split(',').any(|o| o.trim() == name))
}

/// From this many items on, inserts are timed as whole fills outside criterion (criterion's
/// minimum of 10 samples plus warm-up would take 11 fills of up to a minute each).
pub const FILLS_FROM: u64 = 10_000_000;

/// Criterion's insert group `group`: one sample fills an empty filter with `keys` by `fill`.
fn insert_bench<F: Filter>(
    c: &mut Criterion,
    group: &str,
    (n, p): (u64, f64),
    keys: &[u64],
    fill: impl Fn(&mut F, &[u64]),
) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(n));
    g.bench_function(BenchmarkId::new(F::NAME, n), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut f = F::build(n, p);
                total += timed(|| fill(&mut f, keys));
                black_box(&f);
            }
            total
        });
    });
    g.finish();
}

/// Times 3 fills (1 from 100M items on) of an empty filter with `keys` by `fill`, prints the
/// median in ns per insert and records it in `<target>/criterion/<group>/<name>/<n>/fills.json`
/// (read by the plots example); returns the last filter, filled, for the query groups.
fn insert_by_fills<F: Filter>(
    group: &str,
    (n, p): (u64, f64),
    keys: &[u64],
    fill: impl Fn(&mut F, &[u64]),
) -> F {
    let fills = if n >= 100_000_000 { 1 } else { 3 };
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..fills {
        drop(last.take());
        let mut f = F::build(n, p);
        times.push(timed(|| fill(&mut f, keys)));
        last = Some(f);
    }
    times.sort();
    let ns = times[fills / 2].as_nanos() as f64 / n as f64;
    println!(
        "{group}/{}/{n}: {ns:.1} ns per insert (median of {fills} fills)",
        F::NAME
    );
    let dir = target_dir()
        .join("criterion")
        .join(group.replace('/', "_"))
        .join(F::NAME)
        .join(n.to_string());
    let json = format!("{{\"ns_per_insert\": {ns}, \"fills\": {fills}}}\n");
    if let Err(e) =
        std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(dir.join("fills.json"), json))
    {
        eprintln!("could not record the fill time: {e}");
    }
    last.expect("at least one fill")
}

/// Cargo's target directory (as criterion finds it).
fn target_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return dir.into();
    }
    std::process::Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .ok()
        .and_then(|out| {
            let text = String::from_utf8(out.stdout).ok()?;
            let at = text.find("\"target_directory\":\"")? + "\"target_directory\":\"".len();
            let end = text[at..].find('"')?;
            Some(text[at..at + end].into())
        })
        .unwrap_or_else(|| "target".into())
}

/// Fills with the one-at-a-time insert.
fn fill_each<F: Filter>(f: &mut F, keys: &[u64]) {
    for &k in keys {
        f.add(k);
    }
}

/// Insert (filling an empty filter with `keys`; criterion below [`FILLS_FROM`] items, timed
/// fills from there on), member and non-member queries ([`BATCH`] lookups) for `F` at `n`
/// items and rate `p`, in groups `{prefix}insert`, `{prefix}contains_member`,
/// `{prefix}contains_absent`; for a [`Filter::BATCHED`] implementation the same three with the
/// batched operations in `{prefix}insert_many`, `{prefix}contains_many_member`,
/// `{prefix}contains_many_absent`. The member keys are every `n / BATCH`-th key, copied into
/// their own vector (contiguous, like the non-members).
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
    let f = if n >= FILLS_FROM {
        insert_by_fills::<F>(&format!("{prefix}insert"), (n, p), keys, fill_each)
    } else {
        insert_bench::<F>(c, &format!("{prefix}insert"), (n, p), keys, fill_each);
        let mut f = F::build(n, p);
        fill_each(&mut f, keys);
        f
    };
    let members: Vec<u64> = keys
        .iter()
        .step_by((keys.len() / BATCH).max(1))
        .copied()
        .collect();
    let queries = [("member", &members[..]), ("absent", absent)];
    for (what, batch) in queries {
        let mut g = c.benchmark_group(format!("{prefix}contains_{what}"));
        g.throughput(Throughput::Elements(batch.len() as u64));
        g.bench_function(BenchmarkId::new(F::NAME, n), |b| {
            b.iter_custom(|iters| {
                timed(|| {
                    for _ in 0..iters {
                        black_box(batch.iter().filter(|&&k| f.has(k)).count());
                    }
                })
            });
        });
        g.finish();
    }
    if !F::BATCHED {
        return;
    }
    let many = |f: &mut F, keys: &[u64]| f.add_many(keys);
    let group = format!("{prefix}insert_many");
    if n >= FILLS_FROM {
        drop(insert_by_fills::<F>(&group, (n, p), keys, many));
    } else {
        insert_bench::<F>(c, &group, (n, p), keys, many);
    }
    for (what, batch) in queries {
        let mut g = c.benchmark_group(format!("{prefix}contains_many_{what}"));
        g.throughput(Throughput::Elements(batch.len() as u64));
        g.bench_function(BenchmarkId::new(F::NAME, n), |b| {
            b.iter_custom(|iters| {
                timed(|| {
                    for _ in 0..iters {
                        black_box(f.count_many(batch));
                    }
                })
            });
        });
        g.finish();
    }
}
