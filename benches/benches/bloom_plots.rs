//! Draws the plots of `docs/bloom.md` into `docs/img/` with [`hpds_testkit::plot`]:
//! - `bloom_fpr_vs_fill.svg`: measured false-positive rate of the classic and blocked filters
//!   (sized for 200k items at 1%) as they are filled to 2x capacity, against theory;
//! - `bloom_scalable_memory.svg`: bits per item of the scalable filter (started at `n0`) over
//!   those of a classic filter pre-sized for the same `n`, as `n` grows to 1000 `n0`;
//! - `bloom_speed_{insert,member,absent}.svg`: ns per operation against the number of items,
//!   from the last `cargo bench -p hpds-benches --bench bloom` run (criterion's
//!   `estimates.json` medians under `target/criterion`, and the driver's `fills.json` for
//!   inserts from 10M items on), if present.
//!
//! `cargo bench -p hpds-benches --bench bloom_plots -- write` (from the workspace root; without
//! `write` it only prints this usage, so a plain `cargo bench` does not rewrite `docs/img/`).

use std::fs;
use std::path::Path;

use hpds_bloom::params::{blocked_fpr, classic_fpr, classic_shape};
use hpds_bloom::{BlockedBloomFilter, BloomFilter, ScalableBloomFilter};
use hpds_testkit::plot::{Chart, Scale, Series, line_chart};
use hpds_testkit::streams::distinct_u64s;

type Res = Result<(), Box<dyn std::error::Error>>;

const N: u64 = 200_000;
const QUERIES: usize = 200_000;
const IMG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/img");

fn main() -> Res {
    if !std::env::args().any(|a| a == "write") {
        println!(
            "bloom_plots: `cargo bench -p hpds-benches --bench bloom_plots -- write` redraws docs/img/bloom_*.svg"
        );
        return Ok(());
    }
    fs::create_dir_all(IMG)?;
    fpr_vs_fill()?;
    scalable_memory()?;
    speed()?;
    Ok(())
}

fn fpr_vs_fill() -> Res {
    let mut classic = BloomFilter::new(N, 0.01)?;
    let mut blocked = BlockedBloomFilter::new(N, 0.01)?;
    let keys: Vec<u64> = distinct_u64s(1).take(2 * N as usize).collect();
    let absent: Vec<u64> = distinct_u64s(2).take(QUERIES).collect();
    let mut series = [
        Series::new("classic, measured", Vec::new()).with_color(0),
        Series::theory("classic, (1-e^(-kn/m))^k", Vec::new()).with_color(0),
        Series::new("blocked, measured", Vec::new()).with_color(3),
        Series::theory("blocked, Poisson mixture", Vec::new()).with_color(3),
        Series::theory("target 1%", vec![(0.1, 0.01), (2.0, 0.01)]).with_color(7),
    ];
    let mut inserted = 0usize;
    for step in 1..=20u64 {
        let target = (N * step / 10) as usize;
        for &k in &keys[inserted..target] {
            classic.insert(&k);
            blocked.insert(&k);
        }
        inserted = target;
        // Zero hits are drawn at the 1-in-QUERIES floor of the sample.
        let rate = |hit: usize| (hit.max(1) as f64) / QUERIES as f64;
        let c = rate(absent.iter().filter(|k| classic.contains(*k)).count());
        let b = rate(absent.iter().filter(|k| blocked.contains(*k)).count());
        let x = target as f64 / N as f64;
        let ct = classic_fpr(classic.bits(), classic.hashes(), target as u64);
        let bt = blocked_fpr(blocked.blocks(), blocked.hashes(), target as u64);
        println!(
            "fill {x:.1}: classic {c:.2e} (theory {ct:.2e}), blocked {b:.2e} (theory {bt:.2e})"
        );
        for (s, y) in series.iter_mut().zip([c, ct, b, bt]) {
            s.points.push((x, y));
        }
    }
    let path = Path::new(IMG).join("bloom_fpr_vs_fill.svg");
    line_chart(
        &path,
        &Chart {
            title: "False-positive rate vs fill (sized for 200k items at 1%)",
            x_label: "items inserted / capacity",
            y_label: "false-positive rate",
            x_scale: Scale::Linear,
            y_scale: Scale::Log,
        },
        &series,
    )?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Bits of a scalable filter started at `n0` after `n` distinct items, over the bits of a
/// classic filter sized for `n`, at rate `p`; from the shapes alone (the filter is filled).
fn memory_ratio(n0: u64, n: u64, p: f64, growth: u32, r: f64) -> Result<f64, hpds_core::Error> {
    let mut f = ScalableBloomFilter::builder(n0, p)
        .growth(growth)
        .tightening(r)
        .build()?;
    f.extend(distinct_u64s(5).take(n as usize));
    Ok(f.bits() as f64 / classic_shape(n, p)?.0 as f64)
}

fn scalable_memory() -> Res {
    const N0: u64 = 1000;
    let ns: Vec<u64> = (0..=40)
        .map(|j| (N0 as f64 * 10f64.powf(3.0 * f64::from(j) / 40.0)) as u64)
        .collect();
    let mut series = Vec::new();
    for (growth, r, p) in [(2, 0.9, 0.01), (2, 0.9, 0.001), (4, 0.9, 0.01)] {
        let points = ns
            .iter()
            .map(|&n| Ok((n as f64 / N0 as f64, memory_ratio(N0, n, p, growth, r)?)))
            .collect::<Result<Vec<_>, hpds_core::Error>>()?;
        let worst = points.iter().map(|p| p.1).fold(0.0, f64::max);
        let last = points.last().map_or(0.0, |p| p.1);
        println!("growth {growth}, r {r}, p {p}: at 1000x {last:.3}, worst {worst:.3}");
        series.push(Series::new(
            format!("growth {growth}, r = {r}, p = {p}"),
            points,
        ));
    }
    series.push(Series::theory("1.7x", vec![(1.0, 1.7), (1000.0, 1.7)]).with_color(7));
    let path = Path::new(IMG).join("bloom_scalable_memory.svg");
    line_chart(
        &path,
        &Chart {
            title: "Scalable filter memory over a pre-sized classic filter (start n0 = 1000)",
            x_label: "items / n0",
            y_label: "bits (scalable) / bits (classic for n)",
            x_scale: Scale::Log,
            y_scale: Scale::Linear,
        },
        &series,
    )?;
    println!("wrote {}", path.display());
    Ok(())
}

/// A number after `"key":` in a small JSON text.
fn json_number(text: &str, key: &str) -> Option<f64> {
    let pat = format!("\"{key}\":");
    let at = text.find(&pat)? + pat.len();
    let end = text[at..].find([',', '}'])?;
    text[at..at + end].trim().parse().ok()
}

/// ns per element of a benchmark: the median of criterion's `estimates.json`, or for inserts
/// from 10M items on (timed as whole fills by the bench driver) its `fills.json`.
fn median_ns(group: &str, name: &str, n: u64, elements: f64) -> Option<f64> {
    let dir = format!("target/criterion/{group}/{name}/{n}");
    if group == "bloom_insert" && n >= 10_000_000 {
        let text = fs::read_to_string(Path::new(&dir).join("fills.json")).ok()?;
        return json_number(&text, "ns_per_insert");
    }
    let text = fs::read_to_string(Path::new(&dir).join("new/estimates.json")).ok()?;
    let at = text.find("\"median\"")?;
    Some(json_number(&text[at..], "point_estimate")? / elements)
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
    const OPS: [(&str, &str, &str); 3] = [
        ("bloom_insert", "insert", "insert"),
        ("bloom_contains_member", "member query", "member"),
        ("bloom_contains_absent", "non-member query", "absent"),
    ];
    const SIZES: [u64; 3] = [1_000_000, 10_000_000, 100_000_000];
    for (group, label, file) in OPS {
        let mut series = Vec::new();
        for name in IMPLS {
            let points: Vec<(f64, f64)> = SIZES
                .iter()
                .filter_map(|&n| {
                    let elements = if group == "bloom_insert" {
                        n as f64
                    } else {
                        200_000.0
                    };
                    let ns = median_ns(group, name, n, elements)?;
                    println!("{group} {name} {n}: {ns:.1} ns/op");
                    Some((n as f64, ns))
                })
                .collect();
            if !points.is_empty() {
                series.push(Series::new(name, points));
            }
        }
        if series.is_empty() {
            println!("no criterion results under target/criterion: skipping the speed plots");
            return Ok(());
        }
        let path = Path::new(IMG).join(format!("bloom_speed_{file}.svg"));
        let title = format!("{label}: ns per operation at p = 1% (median on-CPU time)");
        line_chart(
            &path,
            &Chart {
                title: &title,
                x_label: "items in the filter",
                y_label: "ns / operation",
                x_scale: Scale::Log,
                y_scale: Scale::Log,
            },
            &series,
        )?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
