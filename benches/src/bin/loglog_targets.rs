//! UltraLogLog and ExaLogLog figures: pre-hashed insert time, memory-variance product after
//! merging 16 shards, serialized sizes, and each estimator's error against its theory.
//!
//! ```text
//! cargo run --release -p hpds-benches --bin loglog_targets -- [insert|mvp|error|all] [TRIALS]
//! ```
//! * `insert`: ns per pre-hashed insert into a fresh sketch, 10^6 and 10^7 items, p = 12 and
//!   14; median (fastest) of interleaved rounds, HyperLogLog++ alongside for scale. The peer
//!   race is `HPDS_BENCH_ULL=1 cargo bench -p hpds-benches --bench loglog`.
//! * `mvp`: 16 shards of 2·10^4 distinct hashes each (`HPDS_MVP_PER_SHARD`), merged at p = 12
//!   (`HPDS_MVP_P`); the relative variance
//!   of the merged estimate times the bits of the in-memory state (`heap_bytes`), with a 95 %
//!   interval; also the serialized bytes. TRIALS (default 2000) merged sketches per row.
//! * `error`: relative RMSE / theory at cardinalities 1 to 10^7 (4 per decade), p = 10,
//!   TRIALS (default 30) streams (`HPDS_ERR_MAX` lowers the largest cardinality); the
//!   largest ratio per estimator.
//! * `probe ull|ell|ell-mg|ell-batch|pp P N REPS`: fills REPS fresh sketches with N pre-hashed items
//!   (`ell-batch` through `insert_hashes`) and exits,
//!   for `valgrind --tool=callgrind` (subtract a run with REPS = 0 for the setup).

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

use hpds_core::{ByteCodec, HeapSize};
use hpds_loglog::{
    ExaLogLog, ExaLogLogEstimator, HyperLogLogPlusPlus, UltraLogLog, UltraLogLogEstimator,
};
use hpds_testkit::streams::{distinct_u64s, random_u64s};
use hpds_testkit::{Accuracy, ErrorStats, log_scale};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let what = args.first().map_or("all", String::as_str);
    let trials: Option<usize> = args.get(1).and_then(|s| s.parse().ok());
    if what == "probe" {
        probe(&args[1..]);
        return;
    }
    if matches!(what, "insert" | "all") {
        insert();
    }
    if matches!(what, "mvp" | "all") {
        mvp(trials.unwrap_or(2000));
    }
    if matches!(what, "error" | "all") {
        error(trials.unwrap_or(30));
    }
}

/// ns per item of `fill`, best of enough repetitions to last ~50 ms.
fn timed(n: usize, mut fill: impl FnMut()) -> f64 {
    let reps = (20_000_000 / n).max(1);
    let t = Instant::now();
    for _ in 0..reps {
        fill();
    }
    t.elapsed().as_nanos() as f64 / (n * reps) as f64
}

#[inline(never)]
fn fill_ull(p: u8, hs: &[u64]) -> UltraLogLog {
    let mut s = UltraLogLog::new(p).expect("valid");
    for &h in hs {
        s.insert_hash(h);
    }
    s
}

#[inline(never)]
fn fill_ell(p: u8, hs: &[u64]) -> ExaLogLog {
    let mut s = ExaLogLog::new(p).expect("valid");
    for &h in hs {
        s.insert_hash(h);
    }
    s
}

#[inline(never)]
fn fill_ell_mg(p: u8, hs: &[u64]) -> ExaLogLog {
    let mut s = ExaLogLog::builder()
        .precision(p)
        .martingale(true)
        .build()
        .expect("valid");
    for &h in hs {
        s.insert_hash(h);
    }
    s
}

#[inline(never)]
fn fill_pp(p: u8, hs: &[u64]) -> HyperLogLogPlusPlus {
    let mut s = HyperLogLogPlusPlus::new(p).expect("valid");
    for &h in hs {
        s.insert_hash(h);
    }
    s
}

type Fill = fn(u8, &[u64]) -> f64;

fn insert() {
    println!("ns per pre-hashed insert: median (fastest) of interleaved rounds");
    let contestants: [(&str, Fill); 4] = [
        ("UltraLogLog", |p, hs| {
            timed(hs.len(), || drop(black_box(fill_ull(p, black_box(hs)))))
        }),
        ("ExaLogLog(2,20)", |p, hs| {
            timed(hs.len(), || drop(black_box(fill_ell(p, black_box(hs)))))
        }),
        ("ExaLogLog(2,20) martingale", |p, hs| {
            timed(hs.len(), || drop(black_box(fill_ell_mg(p, black_box(hs)))))
        }),
        ("HyperLogLog++", |p, hs| {
            timed(hs.len(), || drop(black_box(fill_pp(p, black_box(hs)))))
        }),
    ];
    for n in [1_000_000usize, 10_000_000] {
        let hs = random_u64s(11, n);
        for p in [12u8, 14] {
            let rounds = if n > 1_000_000 { 5 } else { 11 };
            let mut times = vec![Vec::new(); contestants.len()];
            for _ in 0..rounds {
                for (t, (_, f)) in times.iter_mut().zip(&contestants) {
                    t.push(f(p, &hs));
                }
            }
            let mut line = format!("n={n:<9} p={p}");
            for (t, (name, _)) in times.iter_mut().zip(&contestants) {
                t.sort_by(f64::total_cmp);
                let _ = write!(line, "  {name} {:.2} ({:.2})", t[t.len() / 2], t[0]);
            }
            println!("{line}");
        }
    }
}

/// Relative variance of the merged estimate and its 95 % interval (chi-square, normal
/// approximation).
fn rel_var(estimates: &[f64], n: f64) -> (f64, f64, f64) {
    let t = estimates.len() as f64;
    let v = estimates.iter().map(|e| (e / n - 1.0).powi(2)).sum::<f64>() / t;
    let half = 1.96 * (2.0 / t).sqrt();
    (v, v * (1.0 - half), v * (1.0 + half))
}

fn mvp(trials: usize) {
    let env = |k: &str, default: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let p = u8::try_from(env("HPDS_MVP_P", 12)).expect("precision");
    const SHARDS: usize = 16;
    let per_shard = env("HPDS_MVP_PER_SHARD", 20_000);
    let n = (SHARDS * per_shard) as f64;
    println!(
        "memory-variance product after merging {SHARDS} shards of {per_shard} items, p = {p}, {trials} trials"
    );
    println!(
        "sketch                     estimator   bits   MVP   (95 % interval)   theory  serialized bytes"
    );
    let seeds: Vec<u64> = (0..trials as u64).collect();
    let run = |merge_one: &(dyn Fn(u64) -> Vec<f64> + Sync)| -> Vec<Vec<f64>> {
        let per: Vec<Vec<f64>> = std::thread::scope(|s| {
            let threads = std::thread::available_parallelism().map_or(1, usize::from);
            let chunks: Vec<_> = seeds
                .chunks(trials.div_ceil(threads))
                .map(|c| s.spawn(move || c.iter().map(|&seed| merge_one(seed)).collect::<Vec<_>>()))
                .collect();
            chunks
                .into_iter()
                .flat_map(|h| h.join().expect("worker"))
                .collect()
        });
        let k = per[0].len();
        (0..k).map(|j| per.iter().map(|v| v[j]).collect()).collect()
    };
    let stream = |seed: u64, shard: usize| {
        distinct_u64s(seed)
            .skip(shard * per_shard)
            .take(per_shard)
            .collect::<Vec<u64>>()
    };
    // UltraLogLog: ML and FGRA on the same merged sketches.
    let ull = UltraLogLog::new(p).expect("valid");
    let ull_bits = {
        let mut s = ull.clone();
        s.insert_hashes(&stream(1, 0));
        s.heap_bytes() * 8
    };
    let mut ull_bytes = 0;
    let cols = run(&|seed| {
        let mut total = UltraLogLog::new(p).expect("valid");
        for shard in 0..SHARDS {
            let mut s = UltraLogLog::new(p).expect("valid");
            s.insert_hashes(&stream(seed, shard));
            total.merge(&s).expect("same parameters");
        }
        vec![
            total.estimate_with(UltraLogLogEstimator::MaximumLikelihood),
            total.estimate_with(UltraLogLogEstimator::Fgra),
            total.to_bytes().len() as f64,
        ]
    });
    ull_bytes = ull_bytes.max(cols[2][0] as usize);
    for (j, e) in [
        UltraLogLogEstimator::MaximumLikelihood,
        UltraLogLogEstimator::Fgra,
    ]
    .into_iter()
    .enumerate()
    {
        let (v, lo, hi) = rel_var(&cols[j], n);
        let b = ull_bits as f64;
        let theory = UltraLogLog::theoretical_error(e, p).powi(2) * b;
        println!(
            "UltraLogLog                {:<10} {ull_bits:>6}  {:.2}  ({:.2}-{:.2})   {theory:.2}    {ull_bytes}",
            format!("{e:?}").chars().take(10).collect::<String>(),
            v * b,
            lo * b,
            hi * b
        );
    }
    for (t, d) in [(2u8, 20u8), (2, 24), (1, 9)] {
        let new = || {
            ExaLogLog::builder()
                .precision(p)
                .t(t)
                .d(d)
                .build()
                .expect("valid")
        };
        let bits = {
            let mut s = new();
            s.insert_hashes(&stream(1, 0));
            s.heap_bytes() * 8
        };
        let cols = run(&|seed| {
            let mut total = new();
            for shard in 0..SHARDS {
                let mut s = new();
                s.insert_hashes(&stream(seed, shard));
                total.merge(&s).expect("same parameters");
            }
            vec![
                total
                    .estimate_with(ExaLogLogEstimator::MaximumLikelihood)
                    .expect("ML"),
                total.to_bytes().len() as f64,
            ]
        });
        let (v, lo, hi) = rel_var(&cols[0], n);
        let b = bits as f64;
        let theory = ExaLogLog::theoretical_error(ExaLogLogEstimator::MaximumLikelihood, p, t, d)
            .powi(2)
            * b;
        println!(
            "ExaLogLog(t={t},d={d:<2})         ML         {bits:>6}  {:.2}  ({:.2}-{:.2})   {theory:.2}    {}",
            v * b,
            lo * b,
            hi * b,
            cols[1][0]
        );
    }
}

fn error(trials: usize) {
    const P: u8 = 10;
    let max = std::env::var("HPDS_ERR_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000u64);
    let plan = Accuracy::new(trials, log_scale(1, max, 4), 2025);
    println!("relative RMSE / theory, p = {P}, {trials} trials, 1 to {max} items");
    type Row = (String, Vec<ErrorStats>, f64);
    let mut rows: Vec<Row> = Vec::new();
    // Both estimators of a sketch read the same streams.
    let ull = [
        UltraLogLogEstimator::MaximumLikelihood,
        UltraLogLogEstimator::Fgra,
    ];
    let (ml, fgra) = (
        |s: &UltraLogLog| s.estimate_with(ull[0]),
        |s: &UltraLogLog| s.estimate_with(ull[1]),
    );
    let stats = plan.run_streaming_many(
        |_| UltraLogLog::new(P).expect("valid"),
        UltraLogLog::insert_hash,
        &[&ml, &fgra],
    );
    for (e, stats) in ull.into_iter().zip(stats) {
        rows.push((
            format!("ULL {e:?}"),
            stats,
            UltraLogLog::theoretical_error(e, P),
        ));
    }
    let ell = [
        ExaLogLogEstimator::MaximumLikelihood,
        ExaLogLogEstimator::Martingale,
    ];
    let (ml, martingale) = (
        |s: &ExaLogLog| s.estimate_with(ell[0]).expect("insert-only"),
        |s: &ExaLogLog| s.estimate_with(ell[1]).expect("insert-only"),
    );
    for (t, d) in [(2u8, 20u8), (2, 24), (1, 9)] {
        let stats = plan.run_streaming_many(
            |_| {
                ExaLogLog::builder()
                    .precision(P)
                    .t(t)
                    .d(d)
                    .martingale(true)
                    .build()
                    .expect("valid")
            },
            ExaLogLog::insert_hash,
            &[&ml, &martingale],
        );
        for (e, stats) in ell.into_iter().zip(stats) {
            rows.push((
                format!("ELL({t},{d}) {e:?}"),
                stats,
                ExaLogLog::theoretical_error(e, P, t, d),
            ));
        }
    }
    print!("{:>10}", "n");
    for (name, _, _) in &rows {
        print!(" {name:>24}");
    }
    println!();
    for (i, &n) in plan.cardinalities.iter().enumerate() {
        print!("{n:>10}");
        for (_, stats, theory) in &rows {
            print!(" {:>24.3}", stats[i].rmse / theory);
        }
        println!();
    }
    // The sample RMSE of T trials has a relative standard deviation of about 1/sqrt(2T).
    let spread = 1.0 / (2.0 * trials as f64).sqrt();
    for (label, from) in [("max", 1u64), ("max >= 1e6", 1_000_000)] {
        print!("{label:>10}");
        for (_, stats, theory) in &rows {
            let max = stats
                .iter()
                .filter(|s| s.n >= from)
                .map(|s| s.rmse / theory)
                .fold(0.0, f64::max);
            print!(" {max:>24.3}");
        }
        println!();
    }
    println!(
        "(each ratio is known to about ±{:.1} %, one standard deviation)",
        100.0 * spread
    );
}

fn probe(args: &[String]) {
    let [name, p, n, reps] = args else {
        panic!("probe ull|ell|ell-mg|ell-batch|pp P N REPS");
    };
    let (p, n, reps): (u8, usize, usize) = (
        p.parse().expect("P"),
        n.parse().expect("N"),
        reps.parse().expect("REPS"),
    );
    let hs = random_u64s(11, n);
    for _ in 0..reps {
        match name.as_str() {
            "ull" => drop(black_box(fill_ull(p, black_box(&hs)))),
            "ell" => drop(black_box(fill_ell(p, black_box(&hs)))),
            "ell-mg" => drop(black_box(fill_ell_mg(p, black_box(&hs)))),
            "ell-batch" => {
                let mut s = ExaLogLog::new(p).expect("valid");
                s.insert_hashes(black_box(&hs));
                drop(black_box(s));
            }
            "pp" => drop(black_box(fill_pp(p, black_box(&hs)))),
            _ => panic!("unknown sketch {name}"),
        }
    }
}
