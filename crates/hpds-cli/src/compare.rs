//! `hpds compare`: stream one token source through every selected structure and report, per
//! structure, its answer, error, memory and time.
//!
//! All structures are fed from one pass over the input, batch by batch, so a file is read once
//! and never held whole. Memory is measured, not computed: the binary's global allocator counts
//! the bytes each structure's calls allocate and free, so the figure is what the structure
//! really holds (strings, nodes, slack and all).

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::time::{Duration, Instant};

use hpds_core::hash::hash128_bytes;
use hpds_testkit::alloc::{reset_peak, stats};

use crate::source::{Source, SourceError, Totals};
use crate::structures::{Entry, Structure, Truth, held_out};

/// One row of the table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    /// Structure name.
    pub structure: &'static str,
    /// What the estimate is compared with.
    pub truth: Truth,
    /// The structure's answer.
    pub estimate: f64,
    /// The exact answer.
    pub exact: u64,
    /// `estimate / exact - 1`.
    pub relative_error: f64,
    /// Heap bytes the structure holds at the end (measured).
    pub bytes: i64,
    /// The most it held at any time during the build (measured).
    pub peak_bytes: i64,
    /// Build time per token, in nanoseconds.
    pub ns_per_item: f64,
    /// Whole build time, in seconds.
    pub build_seconds: f64,
    /// Threads that built it (more than one only for mergeable sketches).
    pub threads: usize,
}

/// The report of one comparison.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// The input.
    pub source: String,
    /// Tokens read.
    pub tokens: u64,
    /// Distinct tokens.
    pub distinct: u64,
    /// Bytes read.
    pub input_bytes: u64,
    /// One row per structure.
    pub rows: Vec<Row>,
}

/// A hasher for values that are already uniform hashes: keeps their low 64 bits.
#[derive(Default)]
struct LowBits(u64);

impl Hasher for LowBits {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = v as u64;
    }
}

struct Running {
    entry: Entry,
    structure: Box<dyn Structure>,
    time: Duration,
    bytes: i64,
    peak: i64,
}

impl Running {
    /// Runs `f` on the structure, charging its time and heap change to this row.
    fn charge(&mut self, f: impl FnOnce(&mut dyn Structure)) {
        let before = stats().current as i64;
        reset_peak();
        let start = Instant::now();
        f(self.structure.as_mut());
        self.time += start.elapsed();
        let after = stats();
        self.peak = self.peak.max(self.bytes + after.peak as i64 - before);
        self.bytes += after.current as i64 - before;
    }
}

/// Runs the comparison.
///
/// # Errors
/// When the source cannot be read.
pub fn run(
    source: &Source,
    entries: Vec<Entry>,
    threads: usize,
    progress: bool,
) -> Result<Report, SourceError> {
    let mut running: Vec<Running> = entries
        .into_iter()
        .map(|entry| {
            let before = stats().current as i64;
            let start = Instant::now();
            let structure = (entry.build)(threads);
            let time = start.elapsed();
            let bytes = stats().current as i64 - before;
            Running {
                entry,
                structure,
                time,
                bytes,
                peak: bytes,
            }
        })
        .collect();
    // The exact distinct count, from 128-bit hashes (a collision among a few billion distinct
    // tokens has probability below 1e-20).
    let mut exact: HashSet<u128, BuildHasherDefault<LowBits>> = HashSet::default();
    let Totals {
        tokens,
        bytes: input_bytes,
    } = source.for_each_batch(progress, |batch| {
        for t in batch {
            exact.insert(hash128_bytes(t.as_bytes(), 0));
        }
        for r in &mut running {
            r.charge(|s| s.insert_batch(batch));
        }
    })?;
    let distinct = exact.len() as u64;
    let members = exact.iter().filter(|&&h| !held_out(h)).count() as u64;
    drop(exact);
    let rows = running
        .into_iter()
        .map(|mut r| {
            r.charge(|s| s.finish());
            let estimate = r.structure.estimate();
            let exact = match r.entry.truth {
                Truth::Distinct => distinct,
                Truth::Total => tokens,
                Truth::Members => members,
            };
            Row {
                structure: r.entry.name,
                truth: r.entry.truth,
                estimate: round(estimate, 3),
                exact,
                relative_error: round(estimate / exact as f64 - 1.0, 6),
                bytes: r.bytes,
                peak_bytes: r.peak,
                ns_per_item: round(r.time.as_nanos() as f64 / tokens as f64, 2),
                build_seconds: round(r.time.as_secs_f64(), 4),
                threads: if r.entry.mergeable { threads } else { 1 },
            }
        })
        .collect();
    Ok(Report {
        source: source.describe(),
        tokens,
        distinct,
        input_bytes,
        rows,
    })
}

/// `x` rounded to `decimals` places, so CSV and JSON print the same figures.
fn round(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}
