//! The engine's partial and final aggregation obey the merge laws: the same query gives the
//! same bytes with 1 or 8 target partitions, 1 or 8 input partitions, with partial
//! aggregation skipped (rows sent on as one-item sketches), and as a union of parts.

use datafusion::prelude::SessionConfig;

use crate::common::{ctx, ctx_with, events, rows, table};

/// Groups from a handful of users to several thousand, so HyperLogLog++ (p = 10) and
/// UltraLogLog (p = 8) groups are sparse and dense and KMV (k = 64) groups exact and
/// estimating.
fn data() -> datafusion::arrow::array::RecordBatch {
    events(7, 24, |g| [0, 1, 3, 40, 300, 2500][g as usize % 6] + g)
}

const PLAIN: &str = "SELECT g, hll_sketch(user, 10), hll_sketch(id), ull_sketch(user, 8), \
     kmv_sketch(id, 64), approx_distinct_hll(user, 10) FROM t GROUP BY g ORDER BY g";

const TOTAL: &str = "SELECT hll_sketch(user, 10), hll_sketch(id), ull_sketch(user, 8), \
     kmv_sketch(id, 64), approx_distinct_hll(user, 10), bloom_sketch(user, 5000, 0.01) FROM t";

#[tokio::test]
async fn target_partitions_do_not_change_the_bytes() {
    let batch = data();
    let mut results = Vec::new();
    for (target, input) in [(1, 1), (8, 1), (1, 8), (8, 8), (3, 5)] {
        let ctx = ctx(target);
        table(&ctx, "t", &batch, input);
        let grouped = rows(&ctx, PLAIN).await;
        let total = rows(&ctx, TOTAL).await;
        results.push((grouped, total));
    }
    for (i, r) in results.iter().enumerate().skip(1) {
        assert_eq!(r.0, results[0].0, "grouped, configuration {i}");
        assert_eq!(r.1, results[0].1, "total, configuration {i}");
    }
}

#[tokio::test]
async fn skipped_partial_aggregation_gives_the_same_bytes() {
    let batch = data();
    let reference = {
        let ctx = ctx(1);
        table(&ctx, "t", &batch, 1);
        rows(&ctx, PLAIN).await
    };
    // Partial aggregation gives up at once: every row goes on as a one-item sketch.
    let mut config = SessionConfig::new().with_target_partitions(4);
    let opts = config.options_mut();
    opts.execution.skip_partial_aggregation_probe_rows_threshold = 1;
    opts.execution
        .skip_partial_aggregation_probe_ratio_threshold = 0.0;
    let ctx = ctx_with(config);
    table(&ctx, "t", &batch, 4);
    assert_eq!(rows(&ctx, PLAIN).await, reference);
}

#[tokio::test]
async fn unions_of_parts_equal_the_whole() {
    let batch = data();
    for partitions in [1, 8] {
        let ctx = ctx(partitions);
        table(&ctx, "t", &batch, partitions);
        let whole = rows(
            &ctx,
            "SELECT g, hll_sketch(user, 10), ull_sketch(user, 8), kmv_sketch(id, 64) \
             FROM t GROUP BY g ORDER BY g",
        )
        .await;
        let unioned = rows(
            &ctx,
            "SELECT g, hll_union(h), ull_union(u), kmv_union(k) FROM ( \
               SELECT g, day, hll_sketch(user, 10) AS h, ull_sketch(user, 8) AS u, \
                      kmv_sketch(id, 64) AS k FROM t GROUP BY g, day) \
             GROUP BY g ORDER BY g",
        )
        .await;
        // Groups whose users are all NULL have an empty sketch in `whole` and none in the
        // union of parts, which is NULL: compare the groups that have users.
        for (w, u) in whole.iter().zip(&unioned) {
            assert_eq!(w[0], u[0]);
            if !u[1].is_null() {
                assert_eq!(w[1..], u[1..], "group {:?}, {partitions} partitions", w[0]);
            }
        }
    }
}

/// A group that gets thousands of rows of one batch in a row takes them into unpacked
/// registers, then single rows as other groups mix in, and is merged across partitions: its
/// sketches are still the Rust API's, byte for byte; so is a query without `GROUP BY`, whose
/// one accumulator takes whole batches into unpacked registers, with and without NULLs.
#[tokio::test]
async fn long_runs_of_one_group_give_the_rust_sketches() {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::datasource::MemTable;
    use hpds_core::ByteCodec;
    use hpds_core::hash::mix64;
    use hpds_loglog::HyperLogLogPlusPlus;

    // 40,000 rows of group 0, then 40,000 of groups 0 and 1 mixed, in batches of 8,192.
    let n = 80_000u64;
    let g: Vec<i64> = (0..n)
        .map(|i| if i < n / 2 { 0 } else { (mix64(i) & 1) as i64 })
        .collect();
    let x: Vec<i64> = (0..n).map(|i| (mix64(i ^ 0x63) >> 20) as i64).collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("g", DataType::Int64, false),
        Field::new("x", DataType::Int64, false),
    ]));
    let batches: Vec<RecordBatch> = (0..n as usize)
        .step_by(8192)
        .map(|start| {
            let end = (start + 8192).min(n as usize);
            let columns: Vec<ArrayRef> = vec![
                Arc::new(Int64Array::from(g[start..end].to_vec())),
                Arc::new(Int64Array::from(x[start..end].to_vec())),
            ];
            RecordBatch::try_new(schema.clone(), columns).unwrap()
        })
        .collect();
    let sketch_of = |p: u8, keep: &dyn Fn(usize) -> bool| {
        let mut s = HyperLogLogPlusPlus::new(p).unwrap();
        (0..n as usize)
            .filter(|&i| keep(i))
            .for_each(|i| s.insert(&x[i]));
        s.canonicalize();
        s.to_bytes()
    };
    // Without GROUP BY: every row, and the rows whose x is not a multiple of 7 (the others
    // made NULL, so batches with NULLs take the bulk form row by row).
    let whole = [
        sketch_of(14, &|_| true),
        sketch_of(10, &|_| true),
        sketch_of(14, &|i| x[i] % 7 != 0),
    ];
    let want: Vec<Vec<Vec<u8>>> = (0..2)
        .map(|group| [14, 10].map(|p| sketch_of(p, &|i| g[i] == group)).to_vec())
        .collect();
    for partitions in [1, 2] {
        let parts: Vec<Vec<RecordBatch>> = (0..partitions)
            .map(|k| {
                batches
                    .iter()
                    .skip(k)
                    .step_by(partitions)
                    .cloned()
                    .collect()
            })
            .collect();
        let ctx = ctx(partitions);
        let provider = MemTable::try_new(schema.clone(), parts).unwrap();
        ctx.register_table("t", Arc::new(provider)).unwrap();
        let got = rows(
            &ctx,
            "SELECT g, hll_sketch(x), hll_sketch(x, 10) FROM t GROUP BY g ORDER BY g",
        )
        .await;
        assert_eq!(got.len(), 2);
        for (group, row) in got.iter().enumerate() {
            let sketches: Vec<Vec<u8>> = row[1..].iter().map(crate::common::bytes).collect();
            assert_eq!(
                sketches, want[group],
                "group {group}, {partitions} partitions"
            );
        }
        let got = rows(
            &ctx,
            "SELECT hll_sketch(x), hll_sketch(x, 10), \
             hll_sketch(CASE WHEN x % 7 = 0 THEN NULL ELSE x END) FROM t",
        )
        .await;
        let sketches: Vec<Vec<u8>> = got[0].iter().map(crate::common::bytes).collect();
        assert_eq!(sketches, whole, "no GROUP BY, {partitions} partitions");
    }
}
