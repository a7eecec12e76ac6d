//! Formatting reports as a table, CSV or JSON.

use std::fmt::Write;

use crate::compare::Report;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// An aligned text table.
    #[default]
    Table,
    /// Comma-separated values with a header.
    Csv,
    /// A JSON document.
    Json,
}

/// Human-readable bytes: B, KiB, MiB, GiB.
pub fn human_bytes(bytes: i64) -> String {
    let b = bytes as f64;
    let (v, unit) = match bytes.unsigned_abs() {
        n if n < 1 << 10 => return format!("{bytes} B"),
        n if n < 1 << 20 => (b / 1024.0, "KiB"),
        n if n < 1 << 30 => (b / (1024.0 * 1024.0), "MiB"),
        _ => (b / (1024.0 * 1024.0 * 1024.0), "GiB"),
    };
    format!("{v:.1} {unit}")
}

/// Renders the report.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(report).expect("serializable") + "\n",
        Format::Csv => {
            let mut s = String::from(
                "structure,truth,estimate,exact,relative_error,bytes,peak_bytes,ns_per_item,build_seconds\n",
            );
            for r in &report.rows {
                let _ = writeln!(
                    s,
                    "{},{},{},{},{},{},{},{:.2},{:.4}",
                    r.structure,
                    serde_json::to_value(r.truth)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    r.estimate,
                    r.exact,
                    r.relative_error,
                    r.bytes,
                    r.peak_bytes,
                    r.ns_per_item,
                    r.build_seconds
                );
            }
            s
        }
        Format::Table => {
            let mut s = String::new();
            let _ = writeln!(
                s,
                "{}: {} tokens, {} distinct, {}",
                report.source,
                report.tokens,
                report.distinct,
                human_bytes(report.input_bytes as i64)
            );
            let _ = writeln!(
                s,
                "{:<22} {:>14} {:>10} {:>11} {:>11} {:>8} {:>9}",
                "structure", "estimate", "rel. err", "bytes", "peak", "ns/item", "build s"
            );
            for r in &report.rows {
                let _ = writeln!(
                    s,
                    "{:<22} {:>14.0} {:>+9.3}% {:>11} {:>11} {:>8.1} {:>9.3}",
                    r.structure,
                    r.estimate,
                    r.relative_error * 100.0,
                    human_bytes(r.bytes),
                    human_bytes(r.peak_bytes),
                    r.ns_per_item,
                    r.build_seconds
                );
            }
            s
        }
    }
}
