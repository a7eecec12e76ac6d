//! Set sketches side by side: hpds-kmv's `ThetaSketch` and `Kmv` against Apache DataSketches'
//! Theta sketch (QuickSelect, lg_k = 10) and CPC sketch, on the same keys in one run, each
//! with its own hash.
//!
//! ```text
//! cargo bench -p hpds-benches --bench set_sketches -- [trials] [timing rounds]
//! ```
//! (defaults: 300 trials, 9 rounds). It prints three Markdown tables:
//!
//! 1. distinct counts of 10^4, 10^5 and 10^6 keys: relative RMSE over the trials, mean
//!    serialized bytes and heap bytes of each sketch (DataSketches Theta's compact form both
//!    plain and compressed);
//! 2. set expressions of two sets of 10^5 keys overlapping in 5·10^4: relative RMSE of the
//!    union, intersection, difference and Jaccard estimates;
//! 3. insert time in ns per key at 10^6 and 10^7 keys, fresh sketch each time, the
//!    implementations interleaved round by round: median and [min, max] over the rounds of
//!    this thread's on-CPU time (time spent descheduled by other jobs does not count).
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use datasketches::cpc::CpcSketch;
use datasketches::theta::{
    ThetaANotB, ThetaIntersection, ThetaJaccardSimilarity, ThetaSketch as DsTheta,
    ThetaSketchBuilder, ThetaUnionBuilder,
};
use hpds_core::{ByteCodec, HeapSize};
use hpds_kmv::{Kmv, ThetaSketch};
use hpds_testkit::process::thread_cpu_clock;
use hpds_testkit::streams::distinct_u64s;

const CHECKPOINTS: [usize; 3] = [10_000, 100_000, 1_000_000];
/// DataSketches' lg_k for the comparison: k = 1024 nominal entries.
const DS_LG_K: u8 = 10;
/// hpds Theta sizes: the same k, and smaller ones at about DataSketches' serialized bytes.
const THETA_KS: [usize; 3] = [1024, 768, 640];

/// One implementation in the distinct-count table.
trait Counter {
    fn add(&mut self, key: u64);
    fn estimate(&self) -> f64;
    /// Serialized sizes: (plain, compressed if the format has a second form).
    fn bytes(&self) -> (usize, Option<usize>);
    fn heap(&self) -> usize;
}

impl Counter for ThetaSketch {
    fn add(&mut self, key: u64) {
        self.insert(&key);
    }
    fn estimate(&self) -> f64 {
        ThetaSketch::estimate(self)
    }
    fn bytes(&self) -> (usize, Option<usize>) {
        (self.to_bytes().len(), None)
    }
    fn heap(&self) -> usize {
        self.heap_bytes()
    }
}

impl Counter for Kmv {
    fn add(&mut self, key: u64) {
        self.insert(&key);
    }
    fn estimate(&self) -> f64 {
        Kmv::estimate(self)
    }
    fn bytes(&self) -> (usize, Option<usize>) {
        (self.to_bytes().len(), None)
    }
    fn heap(&self) -> usize {
        self.heap_bytes()
    }
}

impl Counter for DsTheta {
    fn add(&mut self, key: u64) {
        self.update(key);
    }
    fn estimate(&self) -> f64 {
        DsTheta::estimate(self)
    }
    fn bytes(&self) -> (usize, Option<usize>) {
        let compact = self.compact(true);
        (
            compact.serialize().len(),
            Some(compact.serialize_compressed().len()),
        )
    }
    fn heap(&self) -> usize {
        self.estimated_size()
    }
}

impl Counter for CpcSketch {
    fn add(&mut self, key: u64) {
        self.update(key);
    }
    fn estimate(&self) -> f64 {
        CpcSketch::estimate(self)
    }
    fn bytes(&self) -> (usize, Option<usize>) {
        (self.serialize().len(), None)
    }
    fn heap(&self) -> usize {
        self.estimated_size()
    }
}

fn ds_theta() -> DsTheta {
    ThetaSketchBuilder::default()
        .lg_k(DS_LG_K)
        .build()
        .expect("valid lg_k")
}

/// A named constructor of a fresh sketch.
type Maker = (String, Box<dyn Fn() -> Box<dyn Counter>>);

fn implementations() -> Vec<Maker> {
    let mut out: Vec<Maker> = Vec::new();
    for k in THETA_KS {
        out.push((
            format!("hpds ThetaSketch k={k}"),
            Box::new(move || Box::new(ThetaSketch::new(k).expect("valid k"))),
        ));
    }
    out.push((
        "hpds Kmv k=1024".into(),
        Box::new(|| Box::new(Kmv::new(1024).expect("valid k"))),
    ));
    out.push((
        format!("DataSketches Theta lg_k={DS_LG_K}"),
        Box::new(|| Box::new(ds_theta())),
    ));
    for lg_k in [10u8, 11] {
        out.push((
            format!("DataSketches CPC lg_k={lg_k}"),
            Box::new(move || Box::new(CpcSketch::new(lg_k).expect("valid lg_k"))),
        ));
    }
    out
}

#[derive(Default, Clone)]
struct Cell {
    sq_err: f64,
    bytes: f64,
    compressed: f64,
    heap: f64,
}

fn distinct_counts(trials: usize) {
    let imps = implementations();
    let mut cells = vec![vec![Cell::default(); CHECKPOINTS.len()]; imps.len()];
    let mut has_compressed = vec![false; imps.len()];
    for t in 0..trials {
        for (i, (_, make)) in imps.iter().enumerate() {
            let mut s = make();
            let mut keys = distinct_u64s(0x5e7 + t as u64);
            let mut seen = 0;
            for (c, &n) in CHECKPOINTS.iter().enumerate() {
                while seen < n {
                    s.add(keys.next().expect("endless"));
                    seen += 1;
                }
                let e = s.estimate() / n as f64 - 1.0;
                let (bytes, compressed) = s.bytes();
                let cell = &mut cells[i][c];
                cell.sq_err += e * e;
                cell.bytes += bytes as f64;
                cell.compressed += compressed.unwrap_or(bytes) as f64;
                cell.heap += s.heap() as f64;
                has_compressed[i] = compressed.is_some();
            }
        }
    }
    println!("\n### Distinct counts ({trials} trials, the same keys for every sketch)\n");
    println!("| sketch | n | RMSE | serialized bytes | heap bytes |");
    println!("|---|---|---|---|---|");
    let t = trials as f64;
    for (i, (name, _)) in imps.iter().enumerate() {
        for (c, &n) in CHECKPOINTS.iter().enumerate() {
            let cell = &cells[i][c];
            let bytes = if has_compressed[i] {
                format!(
                    "{:.0} (compressed {:.0})",
                    cell.bytes / t,
                    cell.compressed / t
                )
            } else {
                format!("{:.0}", cell.bytes / t)
            };
            println!(
                "| {name} | {n} | {:.2} % | {bytes} | {:.0} |",
                100.0 * (cell.sq_err / t).sqrt(),
                cell.heap / t
            );
        }
    }
}

/// Estimates of |A ∪ B|, |A ∩ B|, |A \ B| and J(A, B), and the serialized bytes of A.
type SetAnswers = ([f64; 4], usize);

fn hpds_theta_sets(k: usize, a_keys: &[u64], b_keys: &[u64]) -> SetAnswers {
    let mut a = ThetaSketch::new(k).expect("valid k");
    let mut b = ThetaSketch::new(k).expect("valid k");
    for x in a_keys {
        a.insert(x);
    }
    for x in b_keys {
        b.insert(x);
    }
    (
        [
            a.union(&b).expect("same seed").estimate(),
            a.intersect(&b).expect("same seed").estimate(),
            a.a_not_b(&b).expect("same seed").estimate(),
            a.jaccard(&b).expect("same seed"),
        ],
        a.to_bytes().len(),
    )
}

fn kmv_sets(a_keys: &[u64], b_keys: &[u64]) -> SetAnswers {
    let mut a = Kmv::new(1024).expect("valid k");
    let mut b = Kmv::new(1024).expect("valid k");
    for x in a_keys {
        a.insert(x);
    }
    for x in b_keys {
        b.insert(x);
    }
    let union = a.union_estimate(&b).expect("same seed");
    let inter = a.intersection_estimate(&b).expect("same seed");
    (
        [
            union,
            inter,
            a.estimate() - inter,
            a.jaccard(&b).expect("same seed"),
        ],
        a.to_bytes().len(),
    )
}

fn ds_theta_sets(a_keys: &[u64], b_keys: &[u64]) -> SetAnswers {
    let mut a = ds_theta();
    let mut b = ds_theta();
    for &x in a_keys {
        a.update(x);
    }
    for &x in b_keys {
        b.update(x);
    }
    let mut union = ThetaUnionBuilder::default()
        .lg_k(DS_LG_K)
        .build()
        .expect("valid lg_k");
    union.update(&a).expect("same seed");
    union.update(&b).expect("same seed");
    let mut inter = ThetaIntersection::default();
    inter.update(&a).expect("same seed");
    inter.update(&b).expect("same seed");
    let diff = ThetaANotB::default()
        .compute(&a, &b, true)
        .expect("same seed");
    let jaccard = ThetaJaccardSimilarity::default()
        .compute(&a, &b)
        .expect("same seed");
    (
        [
            union.to_sketch(true).estimate(),
            inter.to_sketch(true).expect("updated").estimate(),
            diff.estimate(),
            jaccard.estimate(),
        ],
        a.compact(true).serialize().len(),
    )
}

fn set_expressions(trials: usize) {
    let (size, overlap) = (100_000usize, 50_000usize);
    let truth = [
        (2 * size - overlap) as f64,
        overlap as f64,
        (size - overlap) as f64,
        overlap as f64 / (2 * size - overlap) as f64,
    ];
    let mut names: Vec<String> = THETA_KS
        .iter()
        .map(|k| format!("hpds ThetaSketch k={k}"))
        .collect();
    names.push("hpds Kmv k=1024".into());
    names.push(format!("DataSketches Theta lg_k={DS_LG_K}"));
    let mut sq = vec![[0.0f64; 4]; names.len()];
    let mut bytes = vec![0.0f64; names.len()];
    for t in 0..trials {
        let keys: Vec<u64> = distinct_u64s(0x0e7 + t as u64)
            .take(2 * size - overlap)
            .collect();
        let (a, b) = (&keys[..size], &keys[size - overlap..]);
        let mut answers: Vec<SetAnswers> =
            THETA_KS.iter().map(|&k| hpds_theta_sets(k, a, b)).collect();
        answers.push(kmv_sets(a, b));
        answers.push(ds_theta_sets(a, b));
        for (i, (est, n)) in answers.iter().enumerate() {
            for j in 0..4 {
                let e = est[j] / truth[j] - 1.0;
                sq[i][j] += e * e;
            }
            bytes[i] += *n as f64;
        }
    }
    let t = trials as f64;
    println!(
        "\n### Two sets of {size} keys overlapping in {overlap} ({trials} trials): relative RMSE\n"
    );
    println!("| sketch | union | intersection | A not B | Jaccard | bytes of A |");
    println!("|---|---|---|---|---|---|");
    for (i, name) in names.iter().enumerate() {
        let r = |j: usize| 100.0 * (sq[i][j] / t).sqrt();
        println!(
            "| {name} | {:.2} % | {:.2} % | {:.2} % | {:.2} % | {:.0} |",
            r(0),
            r(1),
            r(2),
            r(3),
            bytes[i] / t
        );
    }
}

/// Nanoseconds per key to insert `keys` into a fresh sketch: on-CPU time of this thread, so
/// that time spent descheduled on a loaded machine does not count (wall time where the thread
/// clock cannot be read).
fn time_one(keys: &[u64], run: &dyn Fn(&[u64]) -> f64) -> f64 {
    let start = Instant::now();
    let cpu_start = thread_cpu_clock();
    black_box(run(keys));
    let elapsed = match (cpu_start, thread_cpu_clock()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => start.elapsed(),
    };
    elapsed.as_nanos() as f64 / keys.len() as f64
}

type Runner = Box<dyn Fn(&[u64]) -> f64>;

fn timing(rounds: usize) {
    let runners: Vec<(&str, Runner)> = vec![
        (
            "hpds ThetaSketch k=1024, insert_hash (pre-hashed)",
            Box::new(|keys| {
                let mut s = ThetaSketch::new(1024).expect("valid k");
                for &h in keys {
                    s.insert_hash(h);
                }
                s.theta()
            }),
        ),
        (
            "hpds Kmv k=1024, insert_hash (pre-hashed)",
            Box::new(|keys| {
                let mut s = Kmv::new(1024).expect("valid k");
                for &h in keys {
                    s.insert_hash(h);
                }
                s.theta()
            }),
        ),
        (
            "hpds ThetaSketch k=1024, insert(&u64) (xxh3)",
            Box::new(|keys| {
                let mut s = ThetaSketch::new(1024).expect("valid k");
                for h in keys {
                    s.insert(h);
                }
                s.theta()
            }),
        ),
        (
            "DataSketches Theta lg_k=10, update(u64) (MurmurHash3)",
            Box::new(|keys| {
                let mut s = ds_theta();
                for &h in keys {
                    s.update(h);
                }
                s.theta()
            }),
        ),
        (
            "DataSketches CPC lg_k=10, update(u64) (MurmurHash3)",
            Box::new(|keys| {
                let mut s = CpcSketch::new(10).expect("valid lg_k");
                for &h in keys {
                    s.update(h);
                }
                s.estimate()
            }),
        ),
    ];
    println!(
        "\n### Insert, ns of thread CPU time per key, fresh sketch ({rounds} interleaved rounds)\n"
    );
    println!("| implementation | 10^6 keys | 10^7 keys |");
    println!("|---|---|---|");
    let sizes = [1_000_000usize, 10_000_000];
    let mut samples = vec![vec![Vec::with_capacity(rounds); sizes.len()]; runners.len()];
    for (si, &n) in sizes.iter().enumerate() {
        let keys: Vec<u64> = distinct_u64s(n as u64).take(n).collect();
        for _ in 0..rounds {
            for (ri, (_, run)) in runners.iter().enumerate() {
                samples[ri][si].push(time_one(&keys, run.as_ref()));
            }
        }
    }
    for (ri, (name, _)) in runners.iter().enumerate() {
        let cells: Vec<String> = samples[ri]
            .iter_mut()
            .map(|v| {
                v.sort_by(f64::total_cmp);
                format!("{:.2} [{:.2}, {:.2}]", v[v.len() / 2], v[0], v[v.len() - 1])
            })
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
}

fn main() {
    // `cargo bench` appends `--bench`; the numbers are ours.
    let mut args = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse::<usize>().ok());
    let trials = args.next().unwrap_or(300);
    let rounds = args.next().unwrap_or(9);
    distinct_counts(trials);
    set_expressions(trials);
    timing(rounds);
}
