//! `GROUP BY` distinct counts through the SQL functions, against DataFusion's built-in
//! `approx_distinct` (one HyperLogLog of 2^14 registers per group) on the same table.
//!
//! ```text
//! cargo bench -p hpds-datafusion --bench groups                 # memory table, then timings
//! cargo bench -p hpds-datafusion --bench groups -- 1k           # only the 1,000-group case
//! ```
//!
//! First a table of the peak heap each query holds above the table itself (the counting
//! allocator sees every thread), then Criterion's timings (rows per second) of each query.
//! Two tables of 1,000,000 rows of `Int64` columns `g` (the group) and `x` (the value), in 4
//! in-memory partitions:
//! - `1k`: 1,000 groups, `x` uniform over 2^62 values (about 1,000 distinct values a group);
//! - `100k-small`: 100,000 groups of about 10 rows, each group drawing from its own 100
//!   values, the case sparse sketches are for.
//!
//! Longer interleaved runs (10M rows, Zipf-sized groups, errors against exact counts) are
//! `cargo run --release -p hpds-benches --features datafusion --bin datafusion_groups`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput};
use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use hpds_core::hash::mix64;
use hpds_testkit::CountingAllocator;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

const ROWS: u64 = 1_000_000;
const PARTITIONS: usize = 4;

/// The queries, by label: ours and the built-in's.
const QUERIES: [(&str, &str); 5] = [
    (
        "approx_distinct (built-in)",
        "SELECT g, approx_distinct(x) FROM t GROUP BY g",
    ),
    (
        "approx_distinct_hll",
        "SELECT g, approx_distinct_hll(x) FROM t GROUP BY g",
    ),
    ("hll_sketch", "SELECT g, hll_sketch(x) FROM t GROUP BY g"),
    ("ull_sketch", "SELECT g, ull_sketch(x) FROM t GROUP BY g"),
    ("kmv_sketch", "SELECT g, kmv_sketch(x) FROM t GROUP BY g"),
];

/// The group and value of row `i`.
type Rows = fn(u64) -> (i64, i64);

/// The cases: a name and their rows.
const CASES: [(&str, Rows); 2] = [
    ("1k", |i| {
        ((mix64(i) % 1000) as i64, (mix64(!i) >> 2) as i64)
    }),
    ("100k-small", |i| {
        let g = mix64(i) % 100_000;
        (g as i64, (g * 100 + mix64(!i) % 100) as i64)
    }),
];

fn session(rows_of: Rows) -> SessionContext {
    let schema = Arc::new(Schema::new(vec![
        Field::new("g", DataType::Int64, false),
        Field::new("x", DataType::Int64, false),
    ]));
    let per = ROWS / PARTITIONS as u64;
    let parts = (0..PARTITIONS as u64)
        .map(|p| {
            let rows: Vec<(i64, i64)> = (p * per..(p + 1) * per).map(rows_of).collect();
            (0..rows.len())
                .step_by(8192)
                .map(|start| {
                    let chunk = &rows[start..rows.len().min(start + 8192)];
                    let g: ArrayRef = Arc::new(chunk.iter().map(|r| r.0).collect::<Int64Array>());
                    let x: ArrayRef = Arc::new(chunk.iter().map(|r| r.1).collect::<Int64Array>());
                    RecordBatch::try_new(schema.clone(), vec![g, x]).expect("valid batch")
                })
                .collect()
        })
        .collect();
    let ctx =
        SessionContext::new_with_config(SessionConfig::new().with_target_partitions(PARTITIONS));
    hpds_datafusion::register(&ctx);
    let table = MemTable::try_new(schema, parts).expect("valid table");
    ctx.register_table("t", Arc::new(table)).expect("new table");
    ctx
}

fn run(rt: &tokio::runtime::Runtime, ctx: &SessionContext, sql: &str) -> usize {
    rt.block_on(async {
        let batches = ctx
            .sql(sql)
            .await
            .expect("plans")
            .collect()
            .await
            .expect("runs");
        batches.iter().map(RecordBatch::num_rows).sum()
    })
}

/// The peak heap of each query above what the process held before it, median of 3 runs.
fn memory(rt: &tokio::runtime::Runtime, filter: Option<&str>) {
    println!("peak heap per query, MiB (median of 3), {ROWS} rows");
    for (case, rows_of) in CASES {
        if filter.is_some_and(|f| !case.contains(f)) {
            continue;
        }
        let ctx = session(rows_of);
        for (label, sql) in QUERIES {
            let mut peaks: Vec<f64> = (0..3)
                .map(|_| {
                    let before = hpds_testkit::alloc::stats().current;
                    hpds_testkit::alloc::reset_peak();
                    black_box(run(rt, &ctx, sql));
                    (hpds_testkit::alloc::stats().peak - before) as f64 / (1 << 20) as f64
                })
                .collect();
            peaks.sort_by(f64::total_cmp);
            println!("  {case:>10}  {label:<28} {:>9.1}", peaks[1]);
        }
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(PARTITIONS)
        .build()
        .expect("runtime");
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    memory(&rt, filter.as_deref());
    let mut c = Criterion::default().sample_size(10).configure_from_args();
    for (case, rows_of) in CASES {
        let ctx = session(rows_of);
        let mut group = c.benchmark_group(format!("group_by/{case}"));
        group.throughput(Throughput::Elements(ROWS));
        for (label, sql) in QUERIES {
            group.bench_function(label, |b| b.iter(|| run(&rt, &ctx, sql)));
        }
        group.finish();
    }
    c.final_summary();
}
