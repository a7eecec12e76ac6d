//! Regenerates `docs/benchmarks.md` and its plots from criterion's results.
//!
//! Reads every `target/criterion/**/new/{benchmark,estimates}.json`, groups results by
//! benchmark group and size, and writes, per group, a table of medians with the ratio of each
//! hpds implementation to each peer measured in the same run, plus a throughput plot.
//!
//! Usage: `cargo run -p hpds-benches --bin bench_report -- [--out DIR] [--note TEXT] [[LABEL=]CRITERION_DIR ...]`
//! (defaults: `docs`, `target/criterion`). A `LABEL=` prefix names the source in headings, so
//! results gathered from several runs (e.g. one per family) can be reported together.
//! `scripts/bench.sh` runs the benches and then this.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use hpds_testkit::plot::{Chart, Scale, Series, line_chart};
use serde_json::Value;

/// Implementation names that belong to peer crates or std; every other name is ours.
const PEERS: &[&str] = &[
    "std",
    "hashbrown",
    "indexmap",
    "vec",
    "smallvec",
    "fastbloom",
    "probabilistic-collections",
    "pc",
    "hyperloglogplus",
    "cardinality-estimator",
    "btreeset",
    "hashset",
    "sorted-vec",
    "u64-counter",
    "fst",
    "hllplus",
    "exact",
    "plain",
];

fn is_peer(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    PEERS.iter().any(|p| {
        lower == *p
            || lower.starts_with(&format!("{p}-"))
            || lower.starts_with(&format!("{p}_"))
            || lower.starts_with(&format!("{p}::"))
            || lower.starts_with(&format!("{p}/"))
    })
}

#[derive(Debug, Clone)]
struct Result {
    group: String,
    function: String,
    size: String,
    median_ns: f64,
    elements: Option<f64>,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "new") {
                out.push(p);
            } else if p.file_name().is_none_or(|n| n != "report" && n != "base") {
                walk(&p, out);
            }
        }
    }
}

fn read(dir: &Path) -> Option<Result> {
    let bench: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("benchmark.json")).ok()?).ok()?;
    let est: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("estimates.json")).ok()?).ok()?;
    Some(Result {
        group: bench["group_id"].as_str()?.to_owned(),
        function: bench["function_id"].as_str().unwrap_or("").to_owned(),
        size: bench["value_str"].as_str().unwrap_or("").to_owned(),
        median_ns: est["median"]["point_estimate"].as_f64()?,
        elements: bench["throughput"]["Elements"].as_f64(),
    })
}

fn fmt_time(ns: f64) -> String {
    match ns {
        n if n < 1e3 => format!("{n:.1} ns"),
        n if n < 1e6 => format!("{:.2} µs", n / 1e3),
        n if n < 1e9 => format!("{:.2} ms", n / 1e6),
        n => format!("{:.2} s", n / 1e9),
    }
}

/// The family of an unlabelled group, from the group names the peer benches use: the part before
/// the first `/` where there is one, else the bench that writes that group.
fn family_of(group: &str) -> &str {
    if let Some((family, _)) = group.split_once('/') {
        return family;
    }
    match group {
        "build" | "contains_hit" | "contains_miss" | "prefix_count" => "trie",
        "count_events" => "morris",
        g if g.starts_with("distinct_insert") => "kmv",
        _ => "openhash",
    }
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).peekable();
    let mut out_dir = PathBuf::from("docs");
    let mut note = String::new();
    let mut sources: Vec<(String, PathBuf)> = Vec::new();
    while let Some(a) = args.next() {
        if a == "--note" {
            note = args.next().ok_or("--note needs a text")?;
        } else if a == "--out" {
            out_dir = PathBuf::from(args.next().ok_or("--out needs a directory")?);
        } else if let Some((label, dir)) = a.split_once('=') {
            sources.push((format!("{label}: "), PathBuf::from(dir)));
        } else {
            sources.push((String::new(), PathBuf::from(a)));
        }
    }
    if sources.is_empty() {
        sources.push((String::new(), PathBuf::from("target/criterion")));
    }
    let mut results: Vec<Result> = Vec::new();
    for (label, dir) in &sources {
        let mut dirs = Vec::new();
        walk(dir, &mut dirs);
        results.extend(dirs.iter().filter_map(|d| read(d)).map(|mut r| {
            r.group = format!("{label}{}", r.group);
            r
        }));
    }
    let criterion = sources
        .iter()
        .map(|(_, d)| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if results.is_empty() {
        return Err(
            format!("no criterion results under {criterion}: run the benches first").into(),
        );
    }
    results.sort_by(|a, b| (&a.group, &a.function).cmp(&(&b.group, &b.function)));
    let mut groups: BTreeMap<String, Vec<Result>> = BTreeMap::new();
    for r in results {
        groups.entry(r.group.clone()).or_default().push(r);
    }
    std::fs::create_dir_all(out_dir.join("img/benchmarks"))?;
    let mut md = String::from(
        "# Benchmark results\n\nGenerated by `scripts/bench.sh` (criterion medians; `cargo run -p hpds-benches --bin bench_report` \
         rebuilds this page from `target/criterion`). Ratios compare an hpds implementation with a peer measured in \
         the same run: time ratio < 1 means hpds is faster. Figures come from a 2-core machine shared with other \
         work, so single figures are noisy; the ratios are what to read.\n",
    );
    // (family label, peer) -> time ratios of every hpds implementation against that peer.
    let mut summary: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    let mut body = String::new();
    for (group, rows) in &groups {
        let family = group
            .split_once(": ")
            .map_or_else(|| family_of(group), |(f, _)| f)
            .to_owned();
        let md = &mut body;
        let _ = write!(
            md,
            "\n## {group}\n\n| implementation | size | median | Melem/s |\n|---|---:|---:|---:|\n"
        );
        let mut by_size: BTreeMap<(u64, String), Vec<&Result>> = BTreeMap::new();
        for r in rows {
            by_size
                .entry((r.size.parse().unwrap_or(0), r.size.clone()))
                .or_default()
                .push(r);
        }
        for ((_, size), rs) in &by_size {
            for r in rs {
                let tput = r
                    .elements
                    .map_or(String::new(), |e| format!("{:.1}", e / r.median_ns * 1e3));
                let _ = writeln!(
                    md,
                    "| {} | {size} | {} | {tput} |",
                    r.function,
                    fmt_time(r.median_ns)
                );
            }
        }
        let mut ratios = String::new();
        for ((_, size), rs) in &by_size {
            for ours in rs.iter().filter(|r| !is_peer(&r.function)) {
                for peer in rs.iter().filter(|r| is_peer(&r.function)) {
                    let ratio = ours.median_ns / peer.median_ns;
                    summary
                        .entry((family.clone(), peer.function.clone()))
                        .or_default()
                        .push(ratio);
                    let verdict = if ratio < 0.97 {
                        "faster"
                    } else if ratio > 1.03 {
                        "slower"
                    } else {
                        "even"
                    };
                    let _ = writeln!(
                        ratios,
                        "| {} | {} | {size} | {ratio:.2} | {verdict} |",
                        ours.function, peer.function
                    );
                }
            }
        }
        if !ratios.is_empty() {
            let _ = write!(
                md,
                "\n| hpds | peer | size | time ratio | |\n|---|---|---:|---:|---|\n{ratios}"
            );
        }
        // A throughput-vs-size plot when the group has numeric sizes and throughputs.
        let mut series: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
        for r in rows {
            if let (Ok(n), Some(e)) = (r.size.parse::<f64>(), r.elements) {
                series
                    .entry(r.function.as_str())
                    .or_default()
                    .push((n, e / r.median_ns * 1e3));
            }
        }
        if series.values().any(|p| p.len() > 1) {
            let file = format!(
                "{}.svg",
                group.replace(['/', ' ', ':'], "_").replace("__", "_")
            );
            let series: Vec<Series> = series
                .into_iter()
                .map(|(name, mut pts)| {
                    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                    Series::new(name, pts)
                })
                .collect();
            let chart = Chart {
                title: group,
                x_label: "elements",
                y_label: "million elements per second",
                x_scale: Scale::Log,
                y_scale: Scale::Linear,
            };
            line_chart(&out_dir.join("img/benchmarks").join(&file), &chart, &series)?;
            let _ = write!(md, "\n![{group}](img/benchmarks/{file})\n");
        }
    }
    if !note.is_empty() {
        md.push('\n');
        md.push_str(&note);
        md.push('\n');
    }
    md.push_str(
        "\n## Summary: where hpds beats each peer\n\nFor every peer, the hpds implementations measured against it in \
         the same group and size: how many comparisons hpds wins (time ratio < 0.97), loses (> 1.03) or ties, \
         and the geometric mean of the time ratios (< 1: hpds faster).\n\n\
         | family | peer | hpds faster | slower | even | geometric mean ratio |\n|---|---|---:|---:|---:|---:|\n",
    );
    for ((family, peer), ratios) in &summary {
        let faster = ratios.iter().filter(|r| **r < 0.97).count();
        let slower = ratios.iter().filter(|r| **r > 1.03).count();
        let gm = (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
        let _ = writeln!(
            md,
            "| {family} | {peer} | {faster} | {slower} | {} | {gm:.2} |",
            ratios.len() - faster - slower
        );
    }
    md.push_str(&body);
    std::fs::write(out_dir.join("benchmarks.md"), md)?;
    println!(
        "wrote {} ({} groups)",
        out_dir.join("benchmarks.md").display(),
        groups.len()
    );
    Ok(())
}
