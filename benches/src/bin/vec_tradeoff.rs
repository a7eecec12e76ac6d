//! The time/memory trade-off of the growth policies, measured: writes `docs/img/vec_tradeoff.svg`
//! (push time against memory held, averaged over n) and `docs/img/vec_slack.svg` (slack against
//! n), and prints the table in `docs/vec.md`.
//!
//! `cargo run --release -p hpds-benches --bin vec_tradeoff -- [OUT_DIR]` (default `docs/img`).
//!
//! Sizes n are 48 log-spaced values from 1,000 to 2,000,000 `u64`s, so each policy is seen at
//! every phase of its growth cycle (slack is a sawtooth in n). Time is the median of 5 runs of
//! n pushes onto an empty vector, per element; the machine may be shared, so compare ratios.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use hpds_benches::push::{push_growvec, push_vec};
use hpds_vec::{Policy, capacity_sequence, simulate};
use plotters::prelude::*;

const RUNS: usize = 5;
const EXACT_MAX: usize = 200_000;

fn sizes() -> Vec<usize> {
    let (lo, hi, k) = (1_000f64, 2_000_000f64, 48);
    (0..k)
        .map(|i| (lo * (hi / lo).powf(i as f64 / (k - 1) as f64)).round() as usize)
        .collect()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Median ns per push for n pushes.
fn time_push(n: usize, mut push_n: impl FnMut(usize) -> usize) -> f64 {
    let runs: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            black_box(push_n(n));
            t.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    median(runs)
}

/// Capacity after n pushes.
fn final_capacity(policy: Policy, n: usize) -> usize {
    *capacity_sequence(&policy, n, 8).last().unwrap_or(&0)
}

struct Row {
    name: String,
    mean_bytes: f64,
    max_bytes: f64,
    ns: f64,
    reallocs_1m: u64,
    copies_1m: f64,
    in_place_1m: f64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out: PathBuf = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("docs/img"), PathBuf::from);
    std::fs::create_dir_all(&out)?;
    let ns = sizes();
    // Warm up the allocator and the CPU.
    for _ in 0..3 {
        black_box(push_vec::<0>(2_000_000));
    }

    let mut rows = Vec::new();
    let vec_ns: Vec<f64> = ns
        .iter()
        .map(|&n| time_push(n, |n| push_vec::<0>(n).len()))
        .collect();
    let vec_mean = vec_ns.iter().sum::<f64>() / vec_ns.len() as f64;
    for policy in Policy::ALL {
        let ns_here: Vec<usize> = ns
            .iter()
            .copied()
            .filter(|&n| policy != Policy::Exact || n <= EXACT_MAX)
            .collect();
        let bytes: Vec<f64> = ns_here
            .iter()
            .map(|&n| final_capacity(policy, n) as f64 * 8.0 / n as f64)
            .collect();
        let times: Vec<f64> = ns_here
            .iter()
            .map(|&n| time_push(n, |n| push_growvec(policy, n).len()))
            .collect();
        let r = simulate(
            policy,
            if policy == Policy::Exact {
                EXACT_MAX
            } else {
                1_000_000
            },
        );
        rows.push(Row {
            name: policy.to_string(),
            mean_bytes: bytes.iter().sum::<f64>() / bytes.len() as f64,
            max_bytes: bytes.iter().copied().fold(0.0, f64::max),
            ns: times.iter().sum::<f64>() / times.len() as f64,
            reallocs_1m: r.stats.reallocations,
            copies_1m: r.copies_per_element(),
            in_place_1m: if r.stats.resizes() == 0 {
                0.0
            } else {
                r.stats.in_place as f64 / r.stats.resizes() as f64
            },
        });
    }

    println!(
        "n: 48 sizes, 1,000..2,000,000 u64 (exact: up to {EXACT_MAX}); Vec mean {vec_mean:.2} ns/push"
    );
    println!(
        "| policy | bytes/elem held (mean) | (worst) | ns/push (mean) | vs Vec | reallocations (n=1M) | bytes copied per byte pushed (n=1M) | resizes in place (n=1M) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in &rows {
        let note = if r.name == "exact" { " (n=200k)" } else { "" };
        println!(
            "| {} | {:.2} | {:.2} | {:.2} | {:.2}x | {}{note} | {:.2}{note} | {:.0}%{note} |",
            r.name,
            r.mean_bytes,
            r.max_bytes,
            r.ns,
            r.ns / vec_mean,
            r.reallocs_1m,
            r.copies_1m,
            100.0 * r.in_place_1m
        );
    }
    println!(
        "| std Vec | {:.2} | {:.2} | {vec_mean:.2} | 1.00x | | | |",
        rows[0].mean_bytes, rows[0].max_bytes
    );

    // Plot 1: time against memory.
    let path = out.join("vec_tradeoff.svg");
    let root = SVGBackend::new(&path, (800, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let x_max = rows.iter().map(|r| r.mean_bytes).fold(0.0, f64::max) * 1.1;
    let y_max = rows.iter().map(|r| r.ns).fold(vec_mean, f64::max) * 1.25;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "GrowVec<u64>: push time vs memory held (mean over n = 1e3..2e6)",
            ("sans-serif", 18),
        )
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(7.5..x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_desc("heap bytes per element (8 = no slack)")
        .y_desc("ns per push")
        .draw()?;
    let colors = [BLUE, RED, GREEN, MAGENTA, BLACK, CYAN];
    for (i, r) in rows.iter().enumerate() {
        let c = colors[i % colors.len()];
        chart.draw_series([Circle::new((r.mean_bytes, r.ns), 5, c.filled())])?;
        chart.draw_series([Text::new(
            format!("{} ({:.2} ns)", r.name, r.ns),
            (
                r.mean_bytes + 0.05,
                r.ns + y_max * if i % 2 == 0 { 0.02 } else { 0.08 },
            ),
            ("sans-serif", 14).into_font().color(&c),
        )])?;
    }
    chart.draw_series([Cross::new(
        (rows[0].mean_bytes, vec_mean),
        6,
        YELLOW.mix(0.9).stroke_width(3),
    )])?;
    chart.draw_series([Text::new(
        format!("std Vec ({vec_mean:.2} ns)"),
        (rows[0].mean_bytes + 0.05, vec_mean - y_max * 0.04),
        ("sans-serif", 14).into_font(),
    )])?;
    root.present()?;
    println!("wrote {}", path.display());

    // Plot 2: slack against n (computed, exact).
    let path = out.join("vec_slack.svg");
    let root = SVGBackend::new(&path, (800, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Slack after n pushes (% of the elements' bytes)",
            ("sans-serif", 18),
        )
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((100f64..2_000_000f64).log_scale(), 0.0..100.0)?;
    chart
        .configure_mesh()
        .x_desc("n")
        .y_desc("slack %")
        .draw()?;
    let dense: Vec<usize> = {
        let (lo, hi, k) = (100f64, 2_000_000f64, 2000);
        (0..k)
            .map(|i| (lo * (hi / lo).powf(i as f64 / (k - 1) as f64)).round() as usize)
            .collect()
    };
    for (i, policy) in Policy::ALL
        .into_iter()
        .filter(|p| *p != Policy::Exact)
        .enumerate()
    {
        let c = colors[i % colors.len()];
        let pts: Vec<(f64, f64)> = dense
            .iter()
            .map(|&n| {
                (
                    n as f64,
                    100.0 * (final_capacity(policy, n) - n) as f64 / n as f64,
                )
            })
            .collect();
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(1)))?
            .label(policy.to_string())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    println!("wrote {}", path.display());
    Ok(())
}
