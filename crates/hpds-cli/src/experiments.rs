//! `hpds accuracy` and `hpds fpr`: the error of every estimator across cardinalities, and the
//! false-positive rate of every filter as it fills, each written as CSV plus an SVG plot with
//! the theoretical curve.

use std::fmt::Write as _;
use std::path::Path;

use hpds_testkit::accuracy::{Accuracy, ErrorStats, log_scale};
use hpds_testkit::plot::{Chart, Scale, Series, line_chart};
use hpds_testkit::streams::distinct_u64s;
use indicatif::{ProgressBar, ProgressStyle};

use crate::limits::{self, Budget};

/// The largest `--max` of `hpds accuracy`.
pub const MAX_CARDINALITY: u64 = 1_000_000_000;
/// The most insertions per estimator (`--trials × --max`): about an hour each on one core.
pub const MAX_INSERTIONS: u128 = 10_000_000_000;

type BoxError = Box<dyn std::error::Error>;

/// Creates `dir` (and its parents), naming it in the error.
pub fn create_dir(dir: &Path) -> Result<(), BoxError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create output directory {}: {e}", dir.display()).into())
}

/// Writes `bytes` to `path`, naming it in the error.
fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), BoxError> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()).into())
}

/// A progress bar on standard error counting `len` steps of `unit`.
fn progress(len: u64, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{msg}} {{wide_bar}} {{human_pos}}/{{human_len}} {unit} [{{elapsed_precise}}, eta {{eta}}]"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// A distinct-count estimator driven with pre-hashed input.
pub trait Estimator {
    /// Adds an item by its 64-bit hash.
    fn insert_hash(&mut self, hash: u64);
    /// The estimated number of distinct items.
    fn estimate(&self) -> f64;
}

/// A named estimator with its theoretical relative standard error.
pub struct EstimatorEntry {
    /// Name, as in `hpds compare`.
    pub name: &'static str,
    /// Theoretical relative standard error at cardinality `n`.
    pub theory: fn(u64) -> f64,
    /// A fresh estimator.
    pub build: fn() -> Box<dyn Estimator>,
    /// Its parameters, as printed above the table (e.g. "p = 12 (4096 registers)").
    pub params: &'static str,
}

/// A membership filter driven with pre-hashed input.
pub trait Filter {
    /// Adds an item by its 64-bit hash.
    fn insert_hash(&mut self, hash: u64);
    /// Whether the item is (probably) present.
    fn contains_hash(&self, hash: u64) -> bool;
}

/// A named filter sized for `capacity` items at `rate`, with its theoretical false-positive rate
/// after `inserted` items.
pub struct FilterEntry {
    /// Name, as in `hpds compare`.
    pub name: &'static str,
    /// Builds a filter for `(capacity, rate)`.
    pub build: fn(usize, f64) -> hpds_core::Result<Box<dyn Filter>>,
    /// Its shape for `(capacity, rate)`: bits `m` and hashes `k`, as printed.
    pub shape: fn(usize, f64) -> String,
    /// Theoretical false-positive rate for `(capacity, rate, inserted)`.
    pub theory: fn(usize, f64, usize) -> f64,
}

fn select<'a, T>(
    all: Vec<T>,
    names: &[String],
    name: impl Fn(&T) -> &'a str,
) -> Result<Vec<T>, String> {
    if names.is_empty() {
        return Ok(all);
    }
    let known: Vec<&str> = all.iter().map(&name).collect();
    if let Some(bad) = names.iter().find(|n| !known.contains(&n.as_str())) {
        return Err(format!(
            "unknown name {bad:?}; choose from: {}",
            known.join(", ")
        ));
    }
    Ok(all
        .into_iter()
        .filter(|e| names.iter().any(|n| n == name(e)))
        .collect())
}

/// Runs the accuracy experiment and writes `accuracy.csv` and `accuracy.svg` into `out`.
pub fn accuracy(
    entries: Vec<EstimatorEntry>,
    names: &[String],
    trials: usize,
    max: u64,
    seed: u64,
    out: &Path,
    budget: Budget,
) -> Result<String, BoxError> {
    if trials == 0 || max == 0 {
        return Err("--trials and --max must be at least 1".into());
    }
    if max > MAX_CARDINALITY {
        return Err(
            format!("--max {max} is over the largest cardinality, {MAX_CARDINALITY}").into(),
        );
    }
    if (trials as u128) * u128::from(max) > MAX_INSERTIONS {
        return Err(format!(
            "--trials {trials} × --max {max} is {:.1e} insertions per estimator, over the limit \
             of {MAX_INSERTIONS:.0e} (about an hour each); lower --trials or --max",
            trials as f64 * max as f64
        )
        .into());
    }
    let cardinalities = log_scale(1, max, 4);
    // Each trial keeps one estimate per cardinality until the statistics are computed.
    budget.check(
        "--trials",
        trials,
        "one estimate per trial and cardinality",
        limits::mul(trials as u64, (cardinalities.len() as u64) * 8 * 4),
    )?;
    let entries = select(entries, names, |e| e.name)?;
    let plan = Accuracy::new(trials, cardinalities, seed);
    create_dir(out)?;
    let mut csv =
        String::from("estimator,params,n,trials,bias,rmse,std_dev,q05,q50,q95,theory_rse\n");
    let mut table = String::new();
    let mut series = Vec::new();
    let bar = progress((entries.len() * trials) as u64, "trials");
    for e in &entries {
        bar.set_message(e.name);
        let rows: Vec<ErrorStats> = plan.run_streaming(
            |_| {
                bar.inc(1);
                (e.build)()
            },
            |s, h| s.insert_hash(h),
            |s| s.estimate(),
        );
        let _ = writeln!(
            table,
            "{} ({})\n{}",
            e.name,
            e.params,
            hpds_testkit::accuracy::table(&rows)
        );
        for r in &rows {
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{},{},{},{},{}",
                e.name,
                e.params,
                r.n,
                r.trials,
                r.bias,
                r.rmse,
                r.std_dev,
                r.quantiles[0],
                r.quantiles[1],
                r.quantiles[2],
                (e.theory)(r.n)
            );
        }
        let color = series.len() / 2;
        series.push(
            Series::new(e.name, rows.iter().map(|r| (r.n as f64, r.rmse)).collect())
                .with_color(color),
        );
        series.push(
            Series::theory(
                format!("{} theory", e.name),
                rows.iter().map(|r| (r.n as f64, (e.theory)(r.n))).collect(),
            )
            .with_color(color),
        );
    }
    bar.finish_and_clear();
    write(&out.join("accuracy.csv"), csv)?;
    line_chart(
        &out.join("accuracy.svg"),
        &Chart {
            title: "relative RMSE vs cardinality",
            x_label: "distinct items",
            y_label: "relative RMSE",
            x_scale: Scale::Log,
            y_scale: Scale::Linear,
        },
        &series,
    )
    .map_err(|e| format!("cannot write {}: {e}", out.join("accuracy.svg").display()))?;
    Ok(table)
}

/// Fill levels of `hpds fpr`: 0.1 to 2.0 times the capacity.
const FILLS: usize = 20;

/// Runs the false-positive experiment and writes `fpr.csv` and `fpr.svg` into `out`.
#[allow(clippy::too_many_arguments)]
pub fn fpr(
    entries: Vec<FilterEntry>,
    names: &[String],
    capacity: usize,
    rate: f64,
    probes: usize,
    seed: u64,
    out: &Path,
    budget: Budget,
) -> Result<String, BoxError> {
    if capacity == 0 || probes == 0 || !(rate > 0.0 && rate < 1.0) {
        return Err("--capacity and --probes must be at least 1 and --rate in (0, 1)".into());
    }
    // Members (two per capacity slot: fills go to 2.0) and probes are u64s; the largest filter
    // (counting: 4 bits per cell, scalable: its stages) stays under 1 byte per classic bit.
    let filter_bytes =
        (-(capacity as f64) * rate.ln() / core::f64::consts::LN_2.powi(2)).clamp(0.0, 1e30) as u128;
    let members = limits::mul(capacity as u64, 16u64);
    budget.check(
        "--capacity",
        capacity,
        "two member hashes per slot and the largest filter",
        members.and_then(|m| m.checked_add(filter_bytes)),
    )?;
    budget.check(
        "--probes",
        probes,
        "one hash per probe",
        limits::mul(probes as u64, 8u64),
    )?;
    let entries = select(entries, names, |e| e.name)?;
    // Build every filter first, so a refused shape fails before the long part.
    let mut filters = Vec::with_capacity(entries.len());
    for e in &entries {
        let filter = (e.build)(capacity, rate).map_err(|err| {
            format!(
                "{} for --capacity {capacity} --rate {rate:e}: {err}",
                e.name
            )
        })?;
        filters.push(filter);
    }
    create_dir(out)?;
    let fills: Vec<f64> = (1..=FILLS).map(|i| i as f64 * 0.1).collect();
    let resolution = 1.0 / probes as f64;
    let mut csv =
        String::from("filter,shape,fill,inserted,probes,measured_fpr,theory_fpr,target\n");
    let mut table = format!(
        "filters sized for --capacity {capacity} at target rate p = {rate}; {probes} non-member \
         probes per fill level (resolution {resolution:.1e})\n"
    );
    for e in &entries {
        let _ = writeln!(table, "  {:<16} {}", e.name, (e.shape)(capacity, rate));
    }
    let _ = writeln!(
        table,
        "\n{:<16} {:>6} {:>12} {:>12}",
        "filter", "fill", "measured", "theory"
    );
    let members: Vec<u64> = distinct_u64s(seed).take(capacity * 2).collect();
    let probe_hashes: Vec<u64> = distinct_u64s(seed ^ 0xdead_beef).take(probes).collect();
    let bar = progress((entries.len() * FILLS) as u64, "fill levels");
    let mut series = Vec::new();
    for (e, mut filter) in entries.iter().zip(filters) {
        bar.set_message(e.name);
        let mut inserted = 0;
        let (mut measured, mut theory, mut zero) = (Vec::new(), Vec::new(), Vec::new());
        for &fill in &fills {
            let target = (fill * capacity as f64).round() as usize;
            for &m in &members[inserted..target] {
                filter.insert_hash(m);
            }
            inserted = target;
            let fp = probe_hashes
                .iter()
                .filter(|&&p| filter.contains_hash(p))
                .count();
            let f = fp as f64 / probe_hashes.len() as f64;
            let t = (e.theory)(capacity, rate, inserted);
            let _ = writeln!(
                csv,
                "{},{},{fill:.1},{inserted},{probes},{f:e},{t:e},{rate:e}",
                e.name,
                (e.shape)(capacity, rate)
            );
            let shown = if fp == 0 {
                format!("<{resolution:.1e}")
            } else {
                format!("{f:.6}")
            };
            let _ = writeln!(table, "{:<16} {fill:>6.1} {shown:>12} {t:>12.6}", e.name);
            if fp == 0 {
                zero.push(fill);
            } else {
                measured.push((fill, f));
            }
            theory.push((fill, t));
            bar.inc(1);
        }
        let color = series.len() / 2;
        series.push(
            Series::new(e.name, measured)
                .with_color(color)
                .with_below_resolution(zero),
        );
        series.push(Series::theory(format!("{} theory", e.name), theory).with_color(color));
    }
    bar.finish_and_clear();
    // Grey, the palette's last colour, which no filter takes.
    series.push(
        Series::theory(
            "target rate",
            vec![(fills[0], rate), (fills[fills.len() - 1], rate)],
        )
        .with_color(7),
    );
    write(&out.join("fpr.csv"), csv)?;
    line_chart(
        &out.join("fpr.svg"),
        &Chart {
            title: "false-positive rate vs fill (items / capacity)",
            x_label: "fill",
            y_label: "false-positive rate",
            x_scale: Scale::Linear,
            y_scale: Scale::Log,
        },
        &series,
    )
    .map_err(|e| format!("cannot write {}: {e}", out.join("fpr.svg").display()))?;
    Ok(table)
}
