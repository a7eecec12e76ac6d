//! `hpds accuracy` and `hpds fpr`: the error of every estimator across cardinalities, and the
//! false-positive rate of every filter as it fills, each written as CSV plus an SVG plot with
//! the theoretical curve.

use std::fmt::Write as _;
use std::path::Path;

use hpds_testkit::accuracy::{Accuracy, ErrorStats, log_scale};
use hpds_testkit::plot::{Chart, Scale, Series, line_chart};
use hpds_testkit::streams::distinct_u64s;

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
    pub build: fn(usize, f64) -> Box<dyn Filter>,
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
) -> Result<String, Box<dyn std::error::Error>> {
    if trials == 0 || max == 0 {
        return Err("--trials and --max must be at least 1".into());
    }
    let entries = select(entries, names, |e| e.name)?;
    let plan = Accuracy::new(trials, log_scale(1, max, 4), seed);
    std::fs::create_dir_all(out)?;
    let mut csv = String::from("estimator,n,trials,bias,rmse,std_dev,q05,q50,q95,theory_rse\n");
    let mut table = String::new();
    let mut series = Vec::new();
    for e in &entries {
        let rows: Vec<ErrorStats> =
            plan.run_streaming(|_| (e.build)(), |s, h| s.insert_hash(h), |s| s.estimate());
        let _ = writeln!(
            table,
            "{}\n{}",
            e.name,
            hpds_testkit::accuracy::table(&rows)
        );
        for r in &rows {
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{},{},{},{}",
                e.name,
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
    std::fs::write(out.join("accuracy.csv"), csv)?;
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
    )?;
    Ok(table)
}

/// Runs the false-positive experiment and writes `fpr.csv` and `fpr.svg` into `out`.
pub fn fpr(
    entries: Vec<FilterEntry>,
    names: &[String],
    capacity: usize,
    rate: f64,
    probes: usize,
    seed: u64,
    out: &Path,
) -> Result<String, Box<dyn std::error::Error>> {
    if capacity == 0 || probes == 0 || !(rate > 0.0 && rate < 1.0) {
        return Err("--capacity and --probes must be at least 1 and --rate in (0, 1)".into());
    }
    let entries = select(entries, names, |e| e.name)?;
    std::fs::create_dir_all(out)?;
    let fills: Vec<f64> = (1..=20).map(|i| f64::from(i) * 0.1).collect();
    let mut csv = String::from("filter,fill,inserted,measured_fpr,theory_fpr,target\n");
    let mut table = String::from("filter                       fill   measured     theory\n");
    let mut series = Vec::new();
    for e in &entries {
        let mut filter = (e.build)(capacity, rate);
        let members: Vec<u64> = distinct_u64s(seed).take(capacity * 2).collect();
        let probes: Vec<u64> = distinct_u64s(seed ^ 0xdead_beef).take(probes).collect();
        let mut inserted = 0;
        let (mut measured, mut theory) = (Vec::new(), Vec::new());
        for &fill in &fills {
            let target = (fill * capacity as f64).round() as usize;
            for &m in &members[inserted..target] {
                filter.insert_hash(m);
            }
            inserted = target;
            let fp = probes.iter().filter(|&&p| filter.contains_hash(p)).count();
            let f = fp as f64 / probes.len() as f64;
            let t = (e.theory)(capacity, rate, inserted);
            let _ = writeln!(csv, "{},{fill:.1},{inserted},{f},{t},{rate}", e.name);
            let _ = writeln!(table, "{:<26} {fill:>6.1} {f:>10.6} {t:>10.6}", e.name);
            measured.push((fill, f.max(1e-7)));
            theory.push((fill, t.max(1e-7)));
        }
        let color = series.len() / 2;
        series.push(Series::new(e.name, measured).with_color(color));
        series.push(Series::theory(format!("{} theory", e.name), theory).with_color(color));
    }
    series.push(Series::theory(
        "target rate",
        vec![(fills[0], rate), (fills[fills.len() - 1], rate)],
    ));
    std::fs::write(out.join("fpr.csv"), csv)?;
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
    )?;
    Ok(table)
}
