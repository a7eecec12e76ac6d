//! Relative error against cardinality for the four family members (the picture of the
//! HyperLogLog++ paper, with our data), written to `docs/img/loglog_error.svg`.
//!
//! ```text
//! cargo run --release -p hpds-loglog --example plot_error -- [p] [trials] [max_n]
//! ```
//! Every trial streams distinct well-mixed hashes into one HyperLogLog and one
//! HyperLogLog++; LogLog's and SuperLogLog's estimates come from the same registers (the
//! family shares them), so all curves see the same data. Also prints the table behind the plot.

use std::collections::HashMap;
use std::sync::Mutex;

use hpds_loglog::{Estimator, HyperLogLog, HyperLogLogPlusPlus};
use hpds_testkit::{Accuracy, ErrorStats, log_scale};
use plotters::prelude::*;

const CURVES: [(&str, RGBColor); 6] = [
    ("LogLog", RGBColor(230, 159, 0)),
    ("SuperLogLog", RGBColor(86, 180, 233)),
    ("HyperLogLog (classic)", RGBColor(150, 150, 150)),
    ("HyperLogLog (Ertl, after merge)", RGBColor(0, 158, 115)),
    ("HyperLogLog (HIP, insert-only)", RGBColor(213, 94, 0)),
    ("HyperLogLog++ (sparse, then HIP)", RGBColor(0, 114, 178)),
];

fn measure(plan: &Accuracy, p: u8) -> Vec<Vec<ErrorStats>> {
    let seen: Mutex<HashMap<(u64, u64), Vec<f64>>> = Mutex::new(HashMap::new());
    let _ = plan.run_streaming(
        |seed| (seed, HyperLogLog::new(p), HyperLogLogPlusPlus::new(p), 0u64),
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

    let out = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/img/loglog_error.svg"
    );
    std::fs::create_dir_all(std::path::Path::new(out).parent().expect("has a parent"))?;
    let root = SVGBackend::new(out, (900, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let y_max = rows
        .iter()
        .flat_map(|r| r.iter().map(|s| s.rmse))
        .fold(0.0f64, f64::max)
        .min(0.06)
        * 1.1;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Relative RMSE vs cardinality, p = {p} (m = {}), {trials} trials",
                1u32 << p
            ),
            ("sans-serif", 20),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((1f64..max_n as f64).log_scale(), 0f64..y_max)?;
    chart
        .configure_mesh()
        .x_desc("distinct items n")
        .y_desc("relative RMSE")
        .draw()?;
    let m = f64::from(1u32 << p);
    for (c, label) in [(1.04, "1.04/√m"), (1.30, "1.30/√m"), (0.833, "0.83/√m")] {
        let y = c / m.sqrt();
        chart
            .draw_series(LineSeries::new(
                [(1.0, y), (max_n as f64, y)],
                ShapeStyle::from(&BLACK.mix(0.3)).stroke_width(1),
            ))?
            .label(label)
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK.mix(0.3)));
    }
    for ((name, color), r) in CURVES.iter().zip(&rows) {
        let color = *color;
        chart
            .draw_series(LineSeries::new(
                plan.cardinalities
                    .iter()
                    .zip(r)
                    .map(|(&n, s)| (n as f64, s.rmse)),
                ShapeStyle::from(&color).stroke_width(2),
            ))?
            .label(*name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    root.present()?;
    println!("wrote {out}");
    Ok(())
}
