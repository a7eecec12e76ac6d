//! `GROUP BY` distinct counts in DataFusion: `approx_distinct_hll(x, 14)` (hpds-datafusion)
//! against DataFusion's built-in `approx_distinct(x)` (a HyperLogLog of 2^14 registers) and the
//! exact `COUNT(DISTINCT x)`: wall time, peak heap and each estimate's relative error against
//! the exact counts of the same run.
//!
//! ```text
//! cargo run --release -p hpds-benches --features datafusion --bin datafusion_groups                 # 10M rows, 5 rounds
//! cargo run --release -p hpds-benches --features datafusion --bin datafusion_groups -- --rows 1000000 --rounds 3
//! cargo run --release -p hpds-benches --features datafusion --bin datafusion_groups -- --cases small --only hll,builtin
//! ```
//!
//! Flags: `--rows N` (10,000,000), `--rounds R` (5), `--partitions P` (8, the in-memory
//! table's partitions), `--threads T` (the machine's cores: Tokio workers and DataFusion's
//! `target_partitions`), `--seed S`, `--cases` (comma-separated from `none`, `1`, `1k`,
//! `100k`, `small`), `--only` (comma-separated from `hll`, `builtin`, `exact`, `count`; `count` is
//! `COUNT(x)`, the engine's own share of every query's time and memory).
//!
//! Cases, each a table of two `Int64` columns `g` (the group) and `x` (the value), drawn from
//! a seeded generator and held in memory (a `MemTable` of P partitions):
//! - `none`: the rows of `1`, counted without `GROUP BY` (one accumulator per partition);
//! - `1`: one group, `x` uniform over 2^62 values (nearly every row distinct);
//! - `1k`: 1,000 groups of equal expected size, `x` uniform;
//! - `100k`: 100,000 groups whose sizes follow Zipf's law (exponent 1): a few groups of
//!   hundreds of thousands of rows, most of a few dozen;
//! - `small`: 100,000 groups of equal expected size, each drawing `x` from its own 100
//!   values, so no group has more than 100 distinct values.
//!
//! Every round runs each query once, in an order rotated from round to round, and collects
//! its result. Time is wall time (the query runs on every worker thread); peak is the most
//! heap the process held during the query above what it held before (the table itself is not
//! counted), measured by the counting allocator, which sees every thread. The summary per
//! query is the median over rounds with the interquartile range, and the per-round ratio of
//! its time and peak to the built-in's. Errors are over groups: mean and root mean square of
//! |estimate − exact| / exact, and the largest.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema};
use datafusion::datasource::MemTable;
use datafusion::error::Result;
use datafusion::prelude::{SessionConfig, SessionContext};
use hpds_testkit::CountingAllocator;
use hpds_testkit::race::Spread;
use rand::{Rng, RngCore};
use rand_distr::{Distribution, Zipf};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

/// Rows per record batch: DataFusion's default batch size.
const BATCH: usize = 8192;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    /// No `GROUP BY`: one accumulator per partition.
    NoGroupBy,
    One,
    Thousand,
    HundredThousandZipf,
    HundredThousandSmall,
}

impl Case {
    const ALL: [Case; 5] = [
        Case::NoGroupBy,
        Case::One,
        Case::Thousand,
        Case::HundredThousandZipf,
        Case::HundredThousandSmall,
    ];

    fn key(self) -> &'static str {
        match self {
            Case::NoGroupBy => "none",
            Case::One => "1",
            Case::Thousand => "1k",
            Case::HundredThousandZipf => "100k",
            Case::HundredThousandSmall => "small",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Case::NoGroupBy => "no GROUP BY, x uniform",
            Case::One => "1 group, x uniform",
            Case::Thousand => "1,000 groups, x uniform",
            Case::HundredThousandZipf => "100,000 groups of Zipf sizes, x uniform",
            Case::HundredThousandSmall => "100,000 groups of at most 100 distinct x each",
        }
    }

    /// The `(g, x)` of every row, from `seed`.
    fn rows(self, n: usize, seed: u64) -> (Vec<i64>, Vec<i64>) {
        let mut rng = hpds_testkit::rng(seed);
        let mut g = Vec::with_capacity(n);
        let mut x = Vec::with_capacity(n);
        let uniform_x = |rng: &mut hpds_testkit::SeededRng| (rng.next_u64() >> 2) as i64;
        match self {
            Case::NoGroupBy | Case::One => {
                for _ in 0..n {
                    g.push(0);
                    x.push(uniform_x(&mut rng));
                }
            }
            Case::Thousand => {
                for _ in 0..n {
                    g.push(rng.random_range(0..1_000));
                    x.push(uniform_x(&mut rng));
                }
            }
            Case::HundredThousandZipf => {
                let zipf = Zipf::new(100_000.0, 1.0).expect("valid Zipf parameters");
                for _ in 0..n {
                    // Ranks 1..=100_000; a fixed permutation keeps the large groups from being
                    // the first group numbers.
                    let rank = zipf.sample(&mut rng) as i64 - 1;
                    g.push((rank * 7919) % 100_000);
                    x.push(uniform_x(&mut rng));
                }
            }
            Case::HundredThousandSmall => {
                for _ in 0..n {
                    let group: i64 = rng.random_range(0..100_000);
                    g.push(group);
                    x.push(group * 100 + rng.random_range(0..100));
                }
            }
        }
        (g, x)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Query {
    Hll,
    Builtin,
    Exact,
    /// `COUNT(x)`: the engine's own cost of the `GROUP BY` (its group table, batches and
    /// states), which every distinct count pays too.
    Count,
}

impl Query {
    const ALL: [Query; 4] = [Query::Hll, Query::Builtin, Query::Exact, Query::Count];

    fn key(self) -> &'static str {
        match self {
            Query::Hll => "hll",
            Query::Builtin => "builtin",
            Query::Exact => "exact",
            Query::Count => "count",
        }
    }

    fn expr(self) -> &'static str {
        match self {
            Query::Hll => "approx_distinct_hll(x, 14)",
            Query::Builtin => "approx_distinct(x)",
            Query::Exact => "COUNT(DISTINCT x)",
            Query::Count => "COUNT(x)",
        }
    }

    fn sql(self, case: Case) -> String {
        if case == Case::NoGroupBy {
            // `MIN(g)` stands in for the group column the results are keyed by.
            format!("SELECT MIN(g) AS g, {} AS n FROM t", self.expr())
        } else {
            format!("SELECT g, {} AS n FROM t GROUP BY g", self.expr())
        }
    }
}

struct Options {
    rows: usize,
    rounds: usize,
    partitions: usize,
    threads: usize,
    seed: u64,
    cases: Vec<Case>,
    queries: Vec<Query>,
}

/// The members of `all` named by the comma-separated `keys` (a usage error names the unknown
/// one).
fn pick<T: Copy>(keys: &str, all: &[T], key: fn(T) -> &'static str, what: &str) -> Vec<T> {
    keys.split(',')
        .map(|k| {
            all.iter()
                .copied()
                .find(|&t| key(t) == k)
                .unwrap_or_else(|| usage(&format!("unknown {what} {k}")))
        })
        .collect()
}

fn usage(msg: &str) -> ! {
    eprintln!("error: {msg}");
    eprintln!(
        "usage: datafusion_groups [--rows N] [--rounds R] [--partitions P] [--threads T] \
         [--seed S] [--cases 1,1k,100k,small] [--only hll,builtin,exact,count]"
    );
    std::process::exit(2)
}

fn parse_options() -> Options {
    let mut o = Options {
        rows: 10_000_000,
        rounds: 5,
        partitions: 8,
        threads: std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
        seed: 20_261_205,
        cases: Case::ALL.to_vec(),
        queries: Query::ALL.to_vec(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let Some(value) = args.next() else {
            usage(&format!("{flag} needs a value"))
        };
        let number = || -> usize {
            value
                .replace('_', "")
                .parse()
                .unwrap_or_else(|_| usage(&format!("{flag}: not a number: {value}")))
        };
        match flag.as_str() {
            "--rows" => o.rows = number(),
            "--rounds" => o.rounds = number().max(1),
            "--partitions" => o.partitions = number().max(1),
            "--threads" => o.threads = number().max(1),
            "--seed" => o.seed = number() as u64,
            "--cases" => o.cases = pick(&value, &Case::ALL, Case::key, "case"),
            "--only" => o.queries = pick(&value, &Query::ALL, Query::key, "query"),
            _ => usage(&format!("unknown flag {flag}")),
        }
    }
    o
}

/// The rows as a `MemTable` of `partitions` partitions of `BATCH`-row batches.
fn table(g: &[i64], x: &[i64], partitions: usize) -> Result<MemTable> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("g", DataType::Int64, false),
        Field::new("x", DataType::Int64, false),
    ]));
    let mut parts: Vec<Vec<RecordBatch>> = vec![Vec::new(); partitions];
    for (i, start) in (0..g.len()).step_by(BATCH).enumerate() {
        let end = (start + BATCH).min(g.len());
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(g[start..end].to_vec())),
            Arc::new(Int64Array::from(x[start..end].to_vec())),
        ];
        parts[i % partitions].push(RecordBatch::try_new(schema.clone(), columns)?);
    }
    MemTable::try_new(schema, parts)
}

/// The result of one query: its count per group.
fn counts(batches: &[RecordBatch]) -> Result<HashMap<i64, f64>> {
    let mut out = HashMap::new();
    for b in batches {
        let g = b.column(0).as_primitive::<Int64Type>();
        let n = cast(b.column(1), &DataType::Float64)?;
        let n = n.as_primitive::<Float64Type>();
        for i in 0..b.num_rows() {
            out.insert(g.value(i), if n.is_null(i) { 0.0 } else { n.value(i) });
        }
    }
    Ok(out)
}

/// One run of a query: wall seconds, peak heap bytes above the start, and the counts.
struct Run {
    seconds: f64,
    peak: f64,
    counts: HashMap<i64, f64>,
}

async fn run(ctx: &SessionContext, query: Query, case: Case) -> Result<Run> {
    let before = hpds_testkit::alloc::stats().current;
    hpds_testkit::alloc::reset_peak();
    let start = Instant::now();
    let batches = ctx.sql(&query.sql(case)).await?.collect().await?;
    let seconds = start.elapsed().as_secs_f64();
    let peak = (hpds_testkit::alloc::stats().peak - before) as f64;
    Ok(Run {
        seconds,
        peak,
        counts: counts(&batches)?,
    })
}

/// Mean and root mean square of the relative errors over groups, and the largest.
fn errors(estimate: &HashMap<i64, f64>, exact: &HashMap<i64, f64>) -> (f64, f64, f64) {
    let (mut sum, mut sq, mut max) = (0.0, 0.0, 0.0_f64);
    for (g, &truth) in exact {
        let e = ((estimate.get(g).copied().unwrap_or(0.0) - truth) / truth).abs();
        sum += e;
        sq += e * e;
        max = max.max(e);
    }
    let n = exact.len().max(1) as f64;
    (sum / n, (sq / n).sqrt(), max)
}

fn spread(values: &[f64]) -> String {
    let s = Spread::of(values);
    format!("{:.3} [{:.3}, {:.3}]", s.median, s.low, s.high)
}

fn ratio(a: &[f64], b: &[f64]) -> String {
    let r: Vec<f64> = a.iter().zip(b).map(|(x, y)| x / y).collect();
    spread(&r)
}

async fn bench_case(o: &Options, case: Case) -> Result<String> {
    let (g, x) = case.rows(o.rows, o.seed);
    let config = SessionConfig::new().with_target_partitions(o.threads);
    let ctx = SessionContext::new_with_config(config);
    hpds_datafusion::register(&ctx);
    ctx.register_table("t", Arc::new(table(&g, &x, o.partitions)?))?;
    drop((g, x));

    let n = o.queries.len();
    let mut seconds = vec![Vec::new(); n];
    let mut peaks = vec![Vec::new(); n];
    let mut results: Vec<Option<HashMap<i64, f64>>> = vec![None; n];
    for round in 0..o.rounds {
        for j in 0..n {
            let i = (round + j) % n;
            let r = run(&ctx, o.queries[i], case).await?;
            seconds[i].push(r.seconds);
            peaks[i].push(r.peak / (1024.0 * 1024.0));
            results[i].get_or_insert(r.counts);
        }
    }

    let mut out = String::new();
    let groups = results[0].as_ref().map_or(0, HashMap::len);
    writeln!(
        out,
        "\n## {} ({} rows, {groups} groups, {} rounds)\n",
        case.describe(),
        o.rows,
        o.rounds
    )
    .unwrap();
    let builtin = o.queries.iter().position(|&q| q == Query::Builtin);
    let exact = o.queries.iter().position(|&q| q == Query::Exact);
    writeln!(
        out,
        "| query | wall s | time / built-in | peak MiB | peak / built-in | rel. error mean | rms | max |"
    )
    .unwrap();
    writeln!(out, "|---|---|---|---|---|---|---|---|").unwrap();
    for i in 0..n {
        let (time_ratio, peak_ratio) = match builtin {
            Some(b) if b != i => (ratio(&seconds[i], &seconds[b]), ratio(&peaks[i], &peaks[b])),
            _ => ("1".into(), "1".into()),
        };
        let error = match (exact, &results[i]) {
            _ if o.queries[i] == Query::Count => "- | - | -".into(),
            (Some(e), Some(est)) if e != i => {
                let (mean, rms, max) = errors(est, results[e].as_ref().expect("exact ran"));
                format!("{mean:.5} | {rms:.5} | {max:.5}")
            }
            (Some(_), _) => "0 | 0 | 0".into(),
            (None, _) => "- | - | -".into(),
        };
        writeln!(
            out,
            "| `{}` | {} | {time_ratio} | {} | {peak_ratio} | {error} |",
            o.queries[i].expr(),
            spread(&seconds[i]),
            spread(&peaks[i]),
        )
        .unwrap();
    }
    Ok(out)
}

fn main() -> Result<()> {
    let o = parse_options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(o.threads)
        .enable_all()
        .build()?;
    println!(
        "# DataFusion GROUP BY distinct counts: {} rows, {} partitions, {} threads, seed {}",
        o.rows, o.partitions, o.threads, o.seed
    );
    println!("(medians over rounds with [lower, upper quartile]; ratios are per round)");
    for &case in &o.cases {
        let report = runtime.block_on(bench_case(&o, case))?;
        println!("{report}");
    }
    Ok(())
}
