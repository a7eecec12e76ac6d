//! Relative error against cardinality for the four family members (the picture of the
//! HyperLogLog++ paper, with our data), written to `docs/img/loglog_error.svg`.
//!
//! ```text
//! cargo run --release -p hpds-benches --bin loglog_plot_error -- [p] [trials] [max_n]
//! ```
//! Every trial streams distinct well-mixed hashes into one HyperLogLog and one
//! HyperLogLog++; LogLog's and SuperLogLog's estimates come from the same registers (the
//! family shares them), so all curves see the same data. Also prints the table behind the plot.

use hpds_loglog::{Estimator, HyperLogLog, HyperLogLogPlusPlus};
use hpds_testkit::plot::{Chart, Series, line_chart};
use hpds_testkit::{Accuracy, ErrorStats, log_scale};

const CURVES: [&str; 6] = [
    "LogLog",
    "SuperLogLog",
    "HyperLogLog (classic)",
    "HyperLogLog (Ertl, after merge)",
    "HyperLogLog (HIP, insert-only)",
    "HyperLogLog++ (sparse, then HIP)",
];

fn measure(plan: &Accuracy, p: u8) -> Vec<Vec<ErrorStats>> {
    type Pair = (HyperLogLog, HyperLogLogPlusPlus);
    let reader = |e: Estimator| move |(s, _): &Pair| s.estimate_with(e);
    let (loglog, superloglog, classic, ertl, hip) = (
        reader(Estimator::LogLog),
        reader(Estimator::SuperLogLog),
        reader(Estimator::Classic),
        reader(Estimator::Ertl),
        reader(Estimator::Hip),
    );
    let plus_plus = |(_, pp): &Pair| pp.estimate();
    plan.run_streaming_many(
        |_| {
            (
                HyperLogLog::new(p).expect("valid precision"),
                HyperLogLogPlusPlus::new(p).expect("valid precision"),
            )
        },
        |(s, pp), h| {
            s.insert_hash(h);
            pp.insert_hash(h);
        },
        &[&loglog, &superloglog, &classic, &ertl, &hip, &plus_plus],
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("number"))
        .collect();
    let p = args.first().copied().unwrap_or(12) as u8;
    let trials = args.get(1).copied().unwrap_or(200) as usize;
    let max_n = args.get(2).copied().unwrap_or(1_000_000);
    let plan = Accuracy::new(trials, log_scale(1, max_n, 10), 2013);
    let rows = measure(&plan, p);

    println!("p = {p}, {trials} trials: relative RMSE (bias) per estimator");
    print!("{:>9}", "n");
    for name in [
        "LogLog",
        "SuperLogLog",
        "HLL classic",
        "HLL Ertl",
        "HLL HIP",
        "HLL++",
    ] {
        print!(" | {name:>22}");
    }
    println!();
    for (i, &n) in plan.cardinalities.iter().enumerate() {
        print!("{n:>9}");
        for r in &rows {
            print!(" | {:>9.5} ({:>+9.5})", r[i].rmse, r[i].bias);
        }
        println!();
    }

    let out = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/img/loglog_error.svg");
    let mut series: Vec<Series> = CURVES
        .iter()
        .zip(&rows)
        .map(|(name, r)| {
            Series::new(
                *name,
                plan.cardinalities
                    .iter()
                    .zip(r)
                    .map(|(&n, s)| (n as f64, s.rmse))
                    .collect(),
            )
        })
        .collect();
    // Theory: LogLog, HyperLogLog's register estimators, HIP (colours of their curves).
    let m = f64::from(1u32 << p);
    for (c, label, color) in [
        (1.30, "1.30/√m (LogLog)", 0),
        (1.04, "1.04/√m (HyperLogLog)", 3),
        (core::f64::consts::LN_2.sqrt(), "0.83/√m (HIP)", 4),
    ] {
        let y = c / m.sqrt();
        series.push(Series::theory(label, vec![(1.0, y), (max_n as f64, y)]).with_color(color));
    }
    let title = format!(
        "Relative RMSE vs cardinality, p = {p} (m = {}), {trials} trials",
        1u32 << p
    );
    line_chart(
        std::path::Path::new(out),
        &Chart::rmse_vs_count(&title, "distinct items n"),
        &series,
    )?;
    println!("wrote {out}");
    Ok(())
}
