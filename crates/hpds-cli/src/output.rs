//! Formatting reports as a table, CSV or JSON.

use std::fmt::Write;

use crate::compare::Report;
use crate::structures::Truth;

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

/// Human-readable bytes: B, KiB, MiB, GiB, TiB.
pub fn human_bytes(bytes: i64) -> String {
    let b = bytes as f64;
    let (v, unit) = match bytes.unsigned_abs() {
        n if n < 1 << 10 => return format!("{bytes} B"),
        n if n < 1 << 20 => (b / 1024.0, "KiB"),
        n if n < 1 << 30 => (b / (1024.0 * 1024.0), "MiB"),
        n if n < 1 << 40 => (b / (1024.0 * 1024.0 * 1024.0), "GiB"),
        _ => (b / (1024.0 * 1024.0 * 1024.0 * 1024.0), "TiB"),
    };
    format!("{v:.1} {unit}")
}

/// The CSV header; JSON rows carry the same fields under the same names.
pub const CSV_HEADER: &str = "structure,truth,estimate,exact,relative_error,bytes,peak_bytes,ns_per_item,build_seconds,threads";

fn truth_name(t: Truth) -> &'static str {
    match t {
        Truth::Distinct => "distinct",
        Truth::Total => "total",
        Truth::Members => "members",
    }
}

/// Renders the report.
///
/// Numbers are written alike in CSV and JSON: counts as integers, `estimate` with 3 decimals,
/// `relative_error` with 6, `ns_per_item` with 2 and `build_seconds` with 4 (rounded when the
/// report is made).
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(report).expect("serializable") + "\n",
        Format::Csv => {
            let mut s = format!("{CSV_HEADER}\n");
            for r in &report.rows {
                let _ = writeln!(
                    s,
                    "{},{},{:.3},{},{:.6},{},{},{:.2},{:.4},{}",
                    r.structure,
                    truth_name(r.truth),
                    r.estimate,
                    r.exact,
                    r.relative_error,
                    r.bytes,
                    r.peak_bytes,
                    r.ns_per_item,
                    r.build_seconds,
                    r.threads
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
                "{:<16} {:>14} {:>18} {:>10} {:>11} {:>11} {:>8} {:>9}",
                "structure", "estimate", "truth", "rel. err", "bytes", "peak", "ns/item", "build s"
            );
            // Rows compared with the distinct count first, then those compared with the total.
            let mut rows: Vec<_> = report.rows.iter().collect();
            rows.sort_by_key(|r| r.truth == Truth::Total);
            let mut block = None;
            for r in rows {
                if block.is_some_and(|b| b != r.truth) {
                    s.push('\n');
                }
                block = Some(r.truth);
                let _ = writeln!(
                    s,
                    "{:<16} {:>14.0} {:>18} {:>+9.3}% {:>11} {:>11} {:>8.1} {:>9.3}",
                    r.structure,
                    r.estimate,
                    format!("{} {}", truth_name(r.truth), r.exact),
                    r.relative_error * 100.0,
                    human_bytes(r.bytes),
                    human_bytes(r.peak_bytes),
                    r.ns_per_item,
                    r.build_seconds
                );
            }
            if report.rows.iter().any(|r| r.truth == Truth::Total) {
                let _ = writeln!(
                    s,
                    "\ntruth: what each row is compared with. distinct = distinct tokens; total = \
                     every token (the Morris\ncounters count events, not distinct items, so they \
                     are compared with the token count)."
                );
            }
            s
        }
    }
}
