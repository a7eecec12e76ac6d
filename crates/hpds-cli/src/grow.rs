//! `hpds grow`: what growing a vector to `n` elements costs under each growth policy.

use std::fmt::Write as _;

use hpds_vec::{GrowthReport, Policy, simulate, simulate_with};

use crate::output::{Format, human_bytes};

/// One policy's figures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GrowRow {
    /// Policy name.
    pub policy: String,
    /// Elements pushed.
    pub n: usize,
    /// Bytes per element.
    pub elem_size: usize,
    /// Final capacity.
    pub capacity: usize,
    /// Reallocations.
    pub reallocations: u64,
    /// Reallocations that grew in place (no bytes moved).
    pub in_place: u64,
    /// Bytes the growth logically copied (the old contents at each reallocation).
    pub bytes_copied: u64,
    /// Bytes `realloc` really moved on this machine's allocator.
    pub bytes_moved: u64,
    /// Unused bytes at the end.
    pub slack_bytes: usize,
    /// Slack as a fraction of the elements' bytes.
    pub slack_ratio: f64,
    /// Capacity after each reallocation, starting from 0.
    pub capacities: Vec<usize>,
}

impl From<GrowthReport> for GrowRow {
    fn from(r: GrowthReport) -> Self {
        Self {
            policy: r.policy.to_string(),
            n: r.n,
            elem_size: r.elem_size,
            capacity: r.capacity,
            reallocations: r.stats.reallocations,
            in_place: r.stats.in_place,
            bytes_copied: r.stats.bytes_copied,
            bytes_moved: r.stats.bytes_moved,
            slack_bytes: r.slack_bytes(),
            slack_ratio: r.slack_ratio(),
            capacities: r.capacities.clone(),
        }
    }
}

/// Simulates `n` pushes of `elem_size`-byte elements (8 or 64) under each policy.
pub fn run(
    n: usize,
    policies: &[String],
    elem_size: usize,
) -> Result<Vec<GrowRow>, Box<dyn std::error::Error>> {
    let policies: Vec<Policy> = if policies.is_empty() {
        Policy::ALL.to_vec()
    } else {
        policies
            .iter()
            .map(|p| p.parse::<Policy>())
            .collect::<Result<_, _>>()?
    };
    policies
        .into_iter()
        .map(|p| match elem_size {
            8 => Ok(simulate(p, n).into()),
            64 => Ok(simulate_with(p, n, [0u8; 64]).into()),
            other => Err(format!("--elem-size must be 8 or 64, got {other}").into()),
        })
        .collect()
}

/// Renders the rows; `show` caps how many capacities the table prints per policy.
pub fn render(rows: &[GrowRow], format: Format, show: usize) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(rows).expect("serializable") + "\n",
        Format::Csv => {
            let mut s = String::from(
                "policy,n,elem_size,capacity,reallocations,in_place,bytes_copied,bytes_moved,slack_bytes,slack_ratio,capacities\n",
            );
            for r in rows {
                let caps: Vec<String> = r.capacities.iter().map(ToString::to_string).collect();
                let _ = writeln!(
                    s,
                    "{},{},{},{},{},{},{},{},{},{},{}",
                    r.policy,
                    r.n,
                    r.elem_size,
                    r.capacity,
                    r.reallocations,
                    r.in_place,
                    r.bytes_copied,
                    r.bytes_moved,
                    r.slack_bytes,
                    r.slack_ratio,
                    caps.join(" ")
                );
            }
            s
        }
        Format::Table => {
            let mut s = String::new();
            if let Some(r) = rows.first() {
                let _ = writeln!(s, "{} pushes of {}-byte elements", r.n, r.elem_size);
            }
            let _ = writeln!(
                s,
                "{:<16} {:>11} {:>7} {:>9} {:>11} {:>11} {:>11} {:>7}",
                "policy", "capacity", "reallocs", "in place", "copied", "moved", "slack", "slack%"
            );
            for r in rows {
                let _ = writeln!(
                    s,
                    "{:<16} {:>11} {:>7} {:>9} {:>11} {:>11} {:>11} {:>6.1}%",
                    r.policy,
                    r.capacity,
                    r.reallocations,
                    r.in_place,
                    human_bytes(r.bytes_copied as i64),
                    human_bytes(r.bytes_moved as i64),
                    human_bytes(r.slack_bytes as i64),
                    r.slack_ratio * 100.0
                );
            }
            let _ = writeln!(s, "\ncapacity sequences (first {show}):");
            for r in rows {
                let caps: Vec<String> = r
                    .capacities
                    .iter()
                    .take(show)
                    .map(ToString::to_string)
                    .collect();
                let more = if r.capacities.len() > show {
                    " ..."
                } else {
                    ""
                };
                let _ = writeln!(s, "{:<16} {}{more}", r.policy, caps.join(" "));
            }
            s
        }
    }
}
