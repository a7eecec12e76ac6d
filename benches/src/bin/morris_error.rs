//! Measures the relative error of Morris counters against theory for several bases and counts
//! from 1 to 10^7, prints a Markdown table and writes `docs/img/morris_error.svg`.
//!
//! `cargo run --release -p hpds-benches --bin morris_error -- [trials]` (default 4000 trials).

use hpds_morris::MorrisCounter;
use hpds_testkit::plot::{Chart, Series, line_chart};
use hpds_testkit::{Accuracy, ErrorStats, log_scale};

const BASES: [f64; 4] = [2.0, 1.25, 1.1, 1.06];

fn theory(base: f64, n: u64) -> f64 {
    // Var[estimate] = (b - 1)·n(n - 1)/2, relative to n.
    ((base - 1.0) * (n as f64 - 1.0) / (2.0 * n as f64)).sqrt()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let trials = std::env::args().nth(1).map_or(Ok(4000), |a| a.parse())?;
    let ns = log_scale(1, 10_000_000, 6);
    let mut results: Vec<(f64, Vec<ErrorStats>)> = Vec::new();
    for base in BASES {
        let plan = Accuracy::new(trials, ns.clone(), 6);
        let rows = plan.run_each(|seed, n| {
            let mut c = MorrisCounter::with_seed(base, seed).expect("valid base");
            c.increment_by(n);
            c.estimate()
        });
        results.push((base, rows));
    }

    println!("| base | n | bias | RMSE (measured) | RMSE (theory) |");
    println!("|---|---|---|---|---|");
    for (base, rows) in &results {
        for r in rows
            .iter()
            .filter(|r| [10, 1000, 100_000, 10_000_000].contains(&r.n))
        {
            println!(
                "| {base} | {} | {:+.4} | {:.4} | {:.4} |",
                r.n,
                r.bias,
                r.rmse,
                theory(*base, r.n)
            );
        }
    }

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/img/morris_error.svg");
    let mut series = Vec::new();
    for (i, (param, rows)) in results.iter().enumerate() {
        series.extend(Series::measured_vs_theory(
            &format!("base = {param}"),
            i,
            rows.iter().map(|r| (r.n as f64, r.rmse)).collect(),
            rows.iter()
                .map(|r| (r.n as f64, theory(*param, r.n)))
                .collect(),
        ));
    }
    let title = format!("Morris counter: relative RMSE vs count ({trials} trials)");
    line_chart(
        std::path::Path::new(path),
        &Chart::rmse_vs_count(&title, "events n"),
        &series,
    )?;
    println!("wrote {path}");
    Ok(())
}
