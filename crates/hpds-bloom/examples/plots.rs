//! Draws the plots of `docs/bloom.md` into `docs/img/`:
//! - `bloom_fpr_vs_fill.svg`: measured false-positive rate of the classic and blocked filters
//!   (sized for 200k items at 1%) as they are filled to 2x capacity, against theory;
//! - `bloom_speed.svg`: ns per operation from the last `cargo bench -p hpds-benches --bench
//!   bloom` run (criterion's `estimates.json` medians), if present.
//!
//! `cargo run --release -p hpds-bloom --example plots` (from the workspace root).

use std::fs;
use std::path::Path;

use hpds_bloom::params::{blocked_fpr, classic_fpr};
use hpds_bloom::{BlockedBloomFilter, BloomFilter};
use hpds_testkit::streams::distinct_u64s;
use plotters::prelude::*;

type Res = Result<(), Box<dyn std::error::Error>>;
/// (fill, classic measured, classic theory, blocked measured, blocked theory).
type Row = (f64, f64, f64, f64, f64);
/// (label, colour, value of a row, drawn as points).
type Series = (&'static str, RGBColor, fn(&Row) -> f64, bool);

const N: u64 = 200_000;
const QUERIES: usize = 200_000;

fn main() -> Res {
    fs::create_dir_all("docs/img")?;
    fpr_vs_fill()?;
    speed()?;
    Ok(())
}

fn fpr_vs_fill() -> Res {
    let mut classic = BloomFilter::new(N, 0.01)?;
    let mut blocked = BlockedBloomFilter::new(N, 0.01)?;
    let keys: Vec<u64> = distinct_u64s(1).take(2 * N as usize).collect();
    let absent: Vec<u64> = distinct_u64s(2).take(QUERIES).collect();
    let mut rows = Vec::new();
    let mut inserted = 0usize;
    for step in 1..=20u64 {
        let target = (N * step / 10) as usize;
        for &k in &keys[inserted..target] {
            classic.insert(&k);
            blocked.insert(&k);
        }
        inserted = target;
        let rate = |hit: usize| (hit.max(1) as f64) / QUERIES as f64;
        let c = rate(absent.iter().filter(|k| classic.contains(*k)).count());
        let b = rate(absent.iter().filter(|k| blocked.contains(*k)).count());
        let x = target as f64 / N as f64;
        let ct = classic_fpr(classic.bits(), classic.hashes(), target as u64);
        let bt = blocked_fpr(blocked.blocks(), blocked.hashes(), target as u64);
        println!(
            "fill {x:.1}: classic {c:.2e} (theory {ct:.2e}), blocked {b:.2e} (theory {bt:.2e})"
        );
        rows.push((x, c, ct, b, bt));
    }
    let root = SVGBackend::new("docs/img/bloom_fpr_vs_fill.svg", (720, 440)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "False-positive rate vs fill (sized for 200k items at 1%)",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0f64..2.05, (1e-6f64..0.3).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("items inserted / capacity")
        .y_desc("false-positive rate")
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .draw()?;
    let series: [Series; 4] = [
        ("classic, measured", BLUE, |r| r.1, true),
        ("classic, (1-e^(-kn/m))^k", BLUE, |r| r.2, false),
        ("blocked, measured", RED, |r| r.3, true),
        ("blocked, Poisson mixture", RED, |r| r.4, false),
    ];
    for (name, color, f, points) in series {
        let data: Vec<(f64, f64)> = rows.iter().map(|r| (r.0, f(r))).collect();
        if points {
            chart
                .draw_series(data.iter().map(|&p| Circle::new(p, 4, color.filled())))?
                .label(name)
                .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
        } else {
            chart
                .draw_series(LineSeries::new(data, color))?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
    }
    chart
        .draw_series(LineSeries::new(
            vec![(0.0, 0.01), (2.05, 0.01)],
            BLACK.mix(0.3),
        ))?
        .label("target 1%")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.3)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// The median of a criterion benchmark, in ns per element, from its `estimates.json`.
fn median_ns(group: &str, name: &str, n: u64, elements: f64) -> Option<f64> {
    let path = format!("target/criterion/{group}/{name}/{n}/new/estimates.json");
    let text = fs::read_to_string(Path::new(&path)).ok()?;
    let at = text.find("\"median\"")?;
    let rest = &text[at..];
    let at = rest.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let end = rest[at..].find([',', '}'])?;
    let ns: f64 = rest[at..at + end].trim().parse().ok()?;
    Some(ns / elements)
}

fn speed() -> Res {
    const IMPLS: [&str; 6] = [
        "hpds_classic",
        "hpds_blocked",
        "hpds_scalable",
        "fastbloom",
        "pc_bloom",
        "pc_scalable",
    ];
    const OPS: [(&str, &str); 3] = [
        ("bloom_insert", "insert"),
        ("bloom_contains_member", "member query"),
        ("bloom_contains_absent", "non-member query"),
    ];
    let sizes = [1_000_000u64, 10_000_000];
    let mut bars = Vec::new(); // (op index, size index, impl index, ns)
    for (o, (group, _)) in OPS.iter().enumerate() {
        for (s, &n) in sizes.iter().enumerate() {
            for (i, name) in IMPLS.iter().enumerate() {
                let elements = if *group == "bloom_insert" {
                    n as f64
                } else {
                    200_000.0
                };
                if let Some(ns) = median_ns(group, name, n, elements) {
                    println!("{group} {name} {n}: {ns:.1} ns/op");
                    bars.push((o, s, i, ns));
                }
            }
        }
    }
    if bars.is_empty() {
        println!("no criterion results under target/criterion: skipping the speed plot");
        return Ok(());
    }
    let max = bars.iter().map(|b| b.3).fold(0.0, f64::max) * 1.1;
    let root = SVGBackend::new("docs/img/bloom_speed.svg", (900, 460)).into_drawing_area();
    root.fill(&WHITE)?;
    let slots = (OPS.len() * sizes.len()) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "ns per operation at p = 1% (median, lower is better)",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(50)
        .build_cartesian_2d(-0.5f64..slots - 0.5, 0.0f64..max)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(OPS.len() * sizes.len())
        .x_label_formatter(&|x| {
            let slot = x.round();
            if (x - slot).abs() > 0.01 || slot < 0.0 || slot as usize >= OPS.len() * sizes.len() {
                return String::new();
            }
            let slot = slot as usize;
            format!("{} {}M", OPS[slot / 2].1, [1, 10][slot % 2])
        })
        .y_desc("ns / op")
        .draw()?;
    let palette = [BLUE, CYAN, GREEN, RED, MAGENTA, RGBColor(200, 120, 0)];
    let width = 0.8 / IMPLS.len() as f64;
    for (i, name) in IMPLS.iter().enumerate() {
        let color = palette[i];
        chart
            .draw_series(bars.iter().filter(|b| b.2 == i).map(|&(o, s, i, ns)| {
                let x0 = (o * sizes.len() + s) as f64 - 0.4 + i as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width * 0.9, ns)], color.filled())
            }))?
            .label(*name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::Coordinate(200, 40))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}
