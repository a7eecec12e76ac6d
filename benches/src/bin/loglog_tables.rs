//! Calibrates hpds-loglog's estimator constants and bias tables by simulation and prints
//! `crates/hpds-loglog/src/tables.rs`.
//!
//! ```text
//! cargo run --release -p hpds-benches --bin loglog_tables -- crates/hpds-loglog/src/tables.rs
//! ```
//!
//! (Without a path it prints to standard output. It writes the file only once the simulation is
//! done: a shell redirect would empty `tables.rs` before cargo compiles hpds-loglog, which
//! includes it.)
//!
//! The output is already formatted (its tables are `#[rustfmt::skip]` rows) and identical on
//! every run: `.ci/run` regenerates the file and fails if it differs from the committed one.
//! The simulation takes about 13 CPU seconds (one thread per precision).
//!
//! The simulation uses the Poisson model of a sketch (Flajolet et al. 2007; Ertl 2017): with a
//! Poisson(λ) number of distinct items, the registers are independent with
//! `P(M <= k) = exp(-λ 2^-k / m)` (the rank capped at `64 - p + 1`), so the register histogram
//! of a sketch that has seen ~λ items is one multinomial draw, at a cost independent of λ and m.
//! Everything is seeded (`hpds_testkit::rng`), so the output is identical on every run.
//!
//! 1. SuperLogLog's constant `α̃_m` (no closed form in Durand and Flajolet 2003): at λ from
//!    2^10 m to 2^11 m (log-uniform over one octave), `α̃ = 1 / mean(m 2^T / λ)` with `T` the
//!    mean of the smallest 70 % of registers, so the estimate's relative bias is zero;
//!    computed separately for 16 phases of `frac(T)`, because the truncation at a discrete
//!    register value makes the bias oscillate with log2 n. LogLog's closed-form `α_m` is
//!    checked the same way.
//! 2. Bias tables (Heule et al. 2013, with our data): on a grid of λ from 0 to 12 m, the mean
//!    raw estimate of HyperLogLog, LogLog and SuperLogLog; the estimator inverts this curve by
//!    linear interpolation.
//! 3. Linear-counting thresholds: with fresh seeds, the first grid point where the
//!    table-corrected raw estimate has a smaller RMSE than linear counting.

use hpds_loglog::calibration::{
    SUPERLOGLOG_PHASES, hll_raw, linear_counting, loglog_raw, superloglog_raw_with,
    superloglog_truncated_mean,
};
use std::fmt::Write as _;

use rand::Rng;
use rand_distr::{Binomial, Distribution};

const GRID: usize = 72;
const MAX_LOAD: f64 = 12.0;
const TRIALS: usize = 2_000;
const ALPHA_TRIALS: usize = 64_000;
const SEED: u64 = 0x10_6106;

fn grid() -> Vec<f64> {
    (0..GRID)
        .map(|k| MAX_LOAD * (k as f64 / (GRID - 1) as f64).powi(2))
        .collect()
}

/// One register histogram of a sketch of precision `p` after Poisson(`lambda`) items.
fn sample(rng: &mut impl Rng, p: u8, lambda: f64) -> [u32; 65] {
    let m = f64::from(1u32 << p);
    let q = usize::from(64 - p);
    let mut h = [0u32; 65];
    let mut left = 1u64 << p;
    let mut prev_cdf = 0.0;
    for (k, slot) in h.iter_mut().enumerate().take(q + 1) {
        let cdf = (-lambda / m * 0.5f64.powi(k as i32)).exp();
        let prob = cdf - prev_cdf;
        let rest = 1.0 - prev_cdf;
        prev_cdf = cdf;
        if left == 0 {
            break;
        }
        let c = if rest <= 0.0 {
            0
        } else {
            Binomial::new(left, (prob / rest).clamp(0.0, 1.0))
                .expect("valid binomial")
                .sample(rng)
        };
        *slot = c as u32;
        left -= c;
    }
    h[q + 1] += left as u32;
    h
}

struct Calibration {
    sll_alpha: [f64; SUPERLOGLOG_PHASES],
    loglog_bias: f64,
    /// Mean raw estimate / m per grid point: [hll, loglog, superloglog].
    raw: [Vec<f64>; 3],
    thresholds: [f64; 3],
}

fn raws(h: &[u32; 65], p: u8, sll_alpha: &[f64; SUPERLOGLOG_PHASES]) -> [f64; 3] {
    [
        hll_raw(h, p),
        loglog_raw(h, p),
        superloglog_raw_with(sll_alpha, h, p),
    ]
}

fn interpolate(xs: &[f64], ys: &[f64], x: f64) -> f64 {
    if x >= xs[xs.len() - 1] {
        return x;
    }
    let i = xs.partition_point(|&v| v <= x).max(1);
    let t = ((x - xs[i - 1]) / (xs[i] - xs[i - 1])).clamp(0.0, 1.0);
    ys[i - 1] + t * (ys[i] - ys[i - 1])
}

/// Drops grid points whose mean raw estimate does not increase, so the curve can be inverted.
fn monotone(raw: &[f64], n: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (mut xs, mut ys) = (vec![raw[0]], vec![n[0]]);
    for (&x, &y) in raw.iter().zip(n).skip(1) {
        if x > *xs.last().expect("non-empty") {
            xs.push(x);
            ys.push(y);
        }
    }
    (xs, ys)
}

fn calibrate(p: u8) -> Calibration {
    let m = f64::from(1u32 << p);
    let mut rng = hpds_testkit::rng(SEED ^ u64::from(p));

    // 1. Asymptotic constants.
    let mut sll = [0.0; SUPERLOGLOG_PHASES];
    let mut count = [0usize; SUPERLOGLOG_PHASES];
    let mut ll = 0.0;
    for _ in 0..ALPHA_TRIALS {
        let lambda = m * (10.0 + rng.random::<f64>()).exp2();
        let h = sample(&mut rng, p, lambda);
        let t = superloglog_truncated_mean(&h, p);
        let bin =
            ((t.rem_euclid(1.0) * SUPERLOGLOG_PHASES as f64) as usize).min(SUPERLOGLOG_PHASES - 1);
        sll[bin] += m * t.exp2() / lambda;
        count[bin] += 1;
        ll += loglog_raw(&h, p) / lambda;
    }
    // Per phase of frac(T): the constant that makes the estimate's relative bias zero. With few
    // registers (p = 4, 5) T takes few values and some phases are never seen: those take the
    // all-phase constant.
    let overall = count.iter().sum::<usize>() as f64 / sll.iter().sum::<f64>();
    let sll_alpha: [f64; SUPERLOGLOG_PHASES] = std::array::from_fn(|b| {
        if count[b] >= 100 {
            count[b] as f64 / sll[b]
        } else {
            overall
        }
    });
    let loglog_bias = ll / ALPHA_TRIALS as f64 - 1.0;

    // 2. Mean raw estimates on the grid.
    let xs = grid();
    let mut raw = [vec![0.0; GRID], vec![0.0; GRID], vec![0.0; GRID]];
    for (k, &x) in xs.iter().enumerate() {
        for _ in 0..TRIALS {
            let h = sample(&mut rng, p, x * m);
            for (r, v) in raw.iter_mut().zip(raws(&h, p, &sll_alpha)) {
                r[k] += v / m / TRIALS as f64;
            }
        }
    }

    // 3. Thresholds, with fresh draws.
    let tables: Vec<(Vec<f64>, Vec<f64>)> = raw.iter().map(|r| monotone(r, &xs)).collect();
    // Relative squared errors per grid point: [linear counting, hll, loglog, superloglog].
    let mut mse = vec![[0.0f64; 4]; GRID];
    for (k, &x) in xs.iter().enumerate().skip(1) {
        let lambda = x * m;
        for _ in 0..TRIALS {
            let h = sample(&mut rng, p, lambda);
            let lc = linear_counting(m, f64::from(h[0])).min(1e30);
            mse[k][0] += (lc / lambda - 1.0).powi(2);
            for (j, v) in raws(&h, p, &sll_alpha).into_iter().enumerate() {
                let (tx, ty) = &tables[j];
                let e = interpolate(tx, ty, v / m) * m;
                mse[k][j + 1] += (e / lambda - 1.0).powi(2);
            }
        }
    }
    // The threshold is the start of the last stretch of the grid where the corrected raw
    // estimate beats linear counting (noise makes the first crossing unreliable).
    let mut thresholds = [0.0; 3];
    for (j, t) in thresholds.iter_mut().enumerate() {
        let mut k = GRID - 1;
        while k > 1 && mse[k - 1][j + 1] <= mse[k - 1][0] {
            k -= 1;
        }
        *t = xs[k];
    }
    Calibration {
        sll_alpha,
        loglog_bias,
        raw,
        thresholds,
    }
}

/// Numbers in scientific notation with 7 significant digits, as many to a line as fit in 100
/// columns after `indent` spaces, each line ending in a comma.
fn rows(v: &[f64], indent: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for x in v {
        let item = format!("{x:.6e},");
        match lines.last_mut() {
            Some(line) if indent + line.len() + 1 + item.len() <= 100 => {
                line.push(' ');
                line.push_str(&item);
            }
            _ => lines.push(item),
        }
    }
    let mut out = String::new();
    for line in lines {
        let _ = writeln!(out, "{:indent$}{line}", "");
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1);
    let precisions: Vec<u8> = (4..=18).collect();
    let results: Vec<Calibration> = std::thread::scope(|s| {
        let handles: Vec<_> = precisions
            .iter()
            .map(|&p| s.spawn(move || calibrate(p)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    });
    let xs = grid();
    let mut out = String::new();
    write!(
        out,
        "//! Generated by benches/src/bin/loglog_tables.rs: do not edit. Regenerate with
//! `cargo run --release -p hpds-benches --bin loglog_tables -- crates/hpds-loglog/src/tables.rs`;
//! CI fails when this file differs from the generator's output.
//!
//! Poisson-model simulation, seed {SEED:#x}, {TRIALS} trials per grid point, {ALPHA_TRIALS}
//! for the asymptotic constants. Measured relative bias of LogLog's closed-form α_m at
//! λ in [2^10 m, 2^11 m), per precision 4..=18 (a check, not used):
//! {}
#![allow(clippy::unreadable_literal, clippy::excessive_precision)]

/// Mean raw estimate and true cardinality (both divided by `m`) on a grid of cardinalities.
#[derive(Debug)]
pub(crate) struct BiasTable {{
    pub(crate) raw: &'static [f64],
    pub(crate) n: &'static [f64],
    /// Linear counting is used while its estimate is below `threshold * m`.
    pub(crate) threshold: f64,
}}

/// SuperLogLog's α̃ for p = 4..=18, per phase of the truncated mean (16 per octave).
#[rustfmt::skip]
pub(crate) const SUPERLOGLOG_ALPHA: [[f64; 16]; 15] = [
",
        results
            .iter()
            .map(|c| format!("{:+.2e}", c.loglog_bias))
            .collect::<Vec<_>>()
            .join(" "),
    )?;
    for (p, c) in precisions.iter().zip(&results) {
        write!(
            out,
            "    // p = {p}\n    [\n{}    ],\n",
            rows(&c.sll_alpha, 8)
        )?;
    }
    writeln!(out, "];")?;
    for (j, name) in ["HLL", "LOGLOG", "SUPERLOGLOG"].iter().enumerate() {
        writeln!(out)?;
        writeln!(
            out,
            "/// Bias table of the raw {name} estimate for p = 4..=18."
        )?;
        writeln!(out, "#[rustfmt::skip]")?;
        writeln!(out, "pub(crate) const {name}: [BiasTable; 15] = [")?;
        for (p, c) in precisions.iter().zip(&results) {
            let (raw, n) = monotone(&c.raw[j], &xs);
            write!(
                out,
                "    // p = {p}\n    BiasTable {{\n        raw: &[\n{}        ],\n        n: &[\n{}        ],\n        threshold: {:.6e},\n    }},\n",
                rows(&raw, 12),
                rows(&n, 12),
                c.thresholds[j]
            )?;
        }
        writeln!(out, "];")?;
    }
    match path {
        Some(path) => std::fs::write(path, out)?,
        None => print!("{out}"),
    }
    Ok(())
}
