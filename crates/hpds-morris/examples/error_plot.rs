//! Measures the relative error of Morris counters against theory for several bases and counts
//! from 1 to 10^7, prints a Markdown table and writes `docs/img/morris_error.svg`.
//!
//! `cargo run --release -p hpds-morris --example error_plot [trials]` (default 4000 trials).

use hpds_morris::MorrisCounter;
use hpds_testkit::{Accuracy, ErrorStats, log_scale};
use plotters::prelude::*;

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
            let mut c = MorrisCounter::seeded(base, seed).expect("valid base");
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

    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/img/morris_error.svg"
    );
    let root = SVGBackend::new(path, (800, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Morris counter: relative RMSE vs count ({trials} trials)"),
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((1f64..1e7).log_scale(), 0f64..0.8)?;
    chart
        .configure_mesh()
        .x_desc("true count n")
        .y_desc("relative RMSE")
        .draw()?;
    for (i, (base, rows)) in results.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(
                ns.iter().map(|&n| (n as f64, theory(*base, n))),
                color.stroke_width(1),
            ))?
            .label(format!("base {base}: theory sqrt((b-1)(n-1)/2n)"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        chart
            .draw_series(
                rows.iter()
                    .map(|r| Circle::new((r.n as f64, r.rmse), 3, color.filled())),
            )?
            .label(format!("base {base}: measured"))
            .legend(move |(x, y)| Circle::new((x + 10, y), 3, color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    println!("wrote {path}");
    Ok(())
}
