//! Relative error against cardinality for the four family members (the picture of the
//! HyperLogLog++ paper, with our data), written to `docs/img/loglog_error.svg`.
//!
//! ```text
//! cargo run --release -p hpds-benches --bin loglog_plot_error -- [p] [trials] [max_n]
//! ```
//! Every trial streams distinct well-mixed hashes into one HyperLogLog and one
//! HyperLogLog++; LogLog's and SuperLogLog's estimates come from the same registers (the
//! family shares them), so all curves see the same data. Also prints the table behind the plot.

use std::collections::HashMap;
use std::sync::Mutex;

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
    let seen: Mutex<HashMap<(u64, u64), Vec<f64>>> = Mutex::new(HashMap::new());
    let _ = plan.run_streaming(
        |seed| {
            (
                seed,
                HyperLogLog::new(p).expect("valid precision"),
                HyperLogLogPlusPlus::new(p).expect("valid precision"),
                0u64,
            )
        },
        |(_, s, pp, n), h| {
            s.insert_hash(h);
            pp.insert_hash(h);
            *n += 1;
        },
        |(seed, s, pp, n)| {
            let v = vec![
                s.estimate_with(Estimator::LogLog),
                s.estimate_with(Estimator::SuperLogLog),
                s.estimate_with(Estimator::Classic),
                s.estimate_with(Estimator::Ertl),
                s.estimate_with(Estimator::Hip),
                pp.estimate(),
            ];
            seen.lock().unwrap().insert((*seed, *n), v);
            0.0
        },
    );
    let seen = seen.into_inner().unwrap();
    (0..CURVES.len())
        .map(|j| {
            plan.cardinalities
                .iter()
                .map(|&n| {
                    let est: Vec<f64> = (0..plan.trials)
                        .map(|t| seen[&(plan.trial_seed(t), n)][j])
                        .collect();
                    ErrorStats::from_estimates(n, &est)
                })
                .collect()
        })
        .collect()
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
