//! Measures the relative error of KMV sketches against theory for several k and cardinalities
//! from 1 to `max_n`, prints a Markdown table and writes `docs/img/kmv_error.svg`.
//!
//! `cargo run --release -p hpds-benches --bin kmv_error -- [trials] [max_n]`
//! (defaults: 200 trials, max_n = 10^6).

use hpds_kmv::Kmv;
use hpds_testkit::plot::{Chart, Series, line_chart};
use hpds_testkit::{Accuracy, ErrorStats, log_scale};

const KS: [usize; 3] = [64, 256, 1024];

fn theory(k: usize, n: u64) -> f64 {
    // Var[(k-1)/U_k] = n(n - k + 1)/(k - 2) for U_k ~ Beta(k, n - k + 1); 0 while exact.
    let (k, n) = (k as f64, n as f64);
    if n < k {
        0.0
    } else {
        ((n - k + 1.0) / (n * (k - 2.0))).sqrt()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let trials = args.next().map_or(Ok(200), |a| a.parse())?;
    let max_n: u64 = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let ns = log_scale(1, max_n, 6);
    let mut results: Vec<(usize, Vec<ErrorStats>)> = Vec::new();
    for k in KS {
        let plan = Accuracy::new(trials, ns.clone(), 7);
        let rows = plan.run_streaming(
            |seed| Kmv::with_seed(k, seed).expect("valid k"),
            Kmv::insert_hash,
            Kmv::estimate,
        );
        results.push((k, rows));
    }

    println!("| k | n | bias | RMSE (measured) | 1/sqrt(k-2) | measured / 1/sqrt(k-2) |");
    println!("|---|---|---|---|---|---|");
    for (k, rows) in &results {
        let asymptotic = 1.0 / ((*k as f64) - 2.0).sqrt();
        for r in rows
            .iter()
            .filter(|r| [100, 1000, 10_000, 100_000, 1_000_000, 10_000_000].contains(&r.n))
        {
            println!(
                "| {k} | {} | {:+.4} | {:.4} | {asymptotic:.4} | {:.3} |",
                r.n,
                r.bias,
                r.rmse,
                r.rmse / asymptotic
            );
        }
    }

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/img/kmv_error.svg");
    let mut series = Vec::new();
    for (i, (param, rows)) in results.iter().enumerate() {
        series.extend(Series::measured_vs_theory(
            &format!("k = {param}"),
            i,
            rows.iter().map(|r| (r.n as f64, r.rmse)).collect(),
            rows.iter()
                .map(|r| (r.n as f64, theory(*param, r.n)))
                .collect(),
        ));
    }
    let title = format!("KMV: relative RMSE vs distinct count ({trials} trials)");
    line_chart(
        std::path::Path::new(path),
        &Chart::rmse_vs_count(&title, "distinct items n"),
        &series,
    )?;
    println!("wrote {path}");
    Ok(())
}
