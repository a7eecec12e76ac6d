//! `hpds grow`: what growing a vector to `n` elements costs under each growth policy.

use std::fmt::Write as _;

use hpds_vec::{Growth, GrowthReport, Policy, simulate, simulate_with};

use crate::limits::{self, Budget};
use crate::output::{Format, human_bytes};

/// The most reallocations `--computed` follows (an `exact` policy reallocates on every push).
const MAX_STEPS: u64 = 10_000_000;

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
    /// Reallocations that grew in place (no bytes moved); measured, so absent with
    /// `--computed`.
    pub in_place: Option<u64>,
    /// Bytes the growth logically copied (the old contents at each reallocation).
    pub bytes_copied: u64,
    /// Bytes `realloc` really moved on this machine's allocator (the rest grew in place);
    /// measured, so absent with `--computed`.
    pub bytes_moved: Option<u64>,
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
            in_place: Some(r.stats.in_place),
            bytes_copied: r.stats.bytes_copied,
            bytes_moved: Some(r.stats.bytes_moved),
            slack_bytes: r.slack_bytes(),
            slack_ratio: r.slack_ratio(),
            capacities: r.capacities.clone(),
        }
    }
}

/// Simulates `n` pushes of `elem_size`-byte elements (8 or 64) under each policy: measured on
/// the real allocator when the memory it needs is within `budget`, or computed without
/// allocating with `computed`.
pub fn run(
    n: usize,
    policies: &[String],
    elem_size: usize,
    computed: bool,
    budget: Budget,
) -> Result<Vec<GrowRow>, Box<dyn std::error::Error>> {
    if elem_size != 8 && elem_size != 64 {
        return Err(format!("--elem-size must be 8 or 64, got {elem_size}").into());
    }
    let every = policies.is_empty();
    let policies: Vec<Policy> = if every {
        Policy::ALL.to_vec()
    } else {
        policies
            .iter()
            .map(|p| p.parse::<Policy>())
            .collect::<Result<_, _>>()?
    };
    if computed {
        let mut rows = Vec::new();
        for p in policies {
            match compute(p, n, elem_size) {
                Ok(row) => rows.push(row),
                // Run over every policy, one that reallocates too often is left out, not fatal.
                Err(e) if every => eprintln!("hpds: note: {e}; left out"),
                Err(e) => return Err(e.into()),
            }
        }
        return Ok(rows);
    }
    // The elements at the largest capacity (at most twice `n`), the old block while `realloc`
    // copies, and the capacity sequence (one entry per push at worst).
    let per_element = elem_size as u64 * 3 + 8;
    budget
        .check(
            "-n",
            n,
            "the vector at its largest capacity and the block it is copied from",
            limits::mul(n as u64, per_element),
        )
        .map_err(|e| {
            format!("{e}; or add --computed to compute the capacities without allocating")
        })?;
    Ok(policies
        .into_iter()
        .map(|p| match elem_size {
            8 => simulate(p, n).into(),
            _ => simulate_with(p, n, [0u8; 64]).into(),
        })
        .collect())
}

/// The capacities, reallocations and bytes copied of `n` pushes, computed: nothing allocated
/// but the capacity list.
fn compute(policy: Policy, n: usize, elem_size: usize) -> Result<GrowRow, String> {
    let mut capacities = vec![0usize];
    let (mut cap, mut len) = (0usize, 0usize);
    let mut copied = 0u64;
    while len < n {
        if len == cap {
            if capacities.len() as u64 > MAX_STEPS {
                return Err(format!(
                    "-n {n} under policy {policy} takes over {MAX_STEPS} reallocations to \
                     compute; lower -n or choose a geometric policy"
                ));
            }
            copied = copied.saturating_add((len as u64).saturating_mul(elem_size as u64));
            cap = policy.grow(cap, len, len + 1, elem_size).max(len + 1);
            capacities.push(cap);
        }
        len = cap.min(n);
    }
    let slack = cap - n;
    Ok(GrowRow {
        policy: policy.to_string(),
        n,
        elem_size,
        capacity: cap,
        reallocations: capacities.len() as u64 - 1,
        in_place: None,
        bytes_copied: copied,
        bytes_moved: None,
        slack_bytes: slack.saturating_mul(elem_size),
        slack_ratio: if n == 0 { 0.0 } else { slack as f64 / n as f64 },
        capacities,
    })
}

fn opt(v: Option<u64>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
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
                    opt(r.in_place),
                    r.bytes_copied,
                    opt(r.bytes_moved),
                    r.slack_bytes,
                    format_args!("{:.6}", r.slack_ratio),
                    caps.join(" ")
                );
            }
            s
        }
        Format::Table => {
            let mut s = String::new();
            if let Some(r) = rows.first() {
                let how = if r.bytes_moved.is_some() {
                    "measured on this machine's allocator"
                } else {
                    "computed, nothing allocated"
                };
                let _ = writeln!(s, "{} pushes of {}-byte elements ({how})", r.n, r.elem_size);
            }
            let _ = writeln!(
                s,
                "{:<16} {:>13} {:>9} {:>9} {:>13} {:>13} {:>11} {:>7}",
                "policy", "final cap", "reallocs", "in place", "copied", "moved", "slack", "slack%"
            );
            for r in rows {
                let _ = writeln!(
                    s,
                    "{:<16} {:>13} {:>9} {:>9} {:>13} {:>13} {:>11} {:>6.1}%",
                    r.policy,
                    r.capacity,
                    r.reallocations,
                    r.in_place
                        .map_or_else(|| "-".to_string(), |v| v.to_string()),
                    human_bytes(r.bytes_copied as i64),
                    r.bytes_moved
                        .map_or_else(|| "-".to_string(), |v| human_bytes(v as i64)),
                    human_bytes(r.slack_bytes as i64),
                    r.slack_ratio * 100.0
                );
            }
            let _ = writeln!(
                s,
                "\nfinal cap: capacity after the last push, in elements. reallocs: times the buffer \
                 grew; in place: of those, how many\nrealloc extended without moving. copied: the old \
                 contents at every reallocation, summed (what growth costs if every\nreallocation \
                 copies). moved: the bytes realloc really moved (large blocks are remapped, not \
                 copied, so this\nis far smaller). slack: capacity beyond the last element, in bytes \
                 and as a share of the elements' bytes."
            );
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
