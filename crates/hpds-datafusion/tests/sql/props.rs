//! Properties over arbitrary tables: for any rows, any grouping and any partitioning, the SQL
//! sketches are the Rust API's canonical sketches of each group's values, and the SQL
//! estimates are the Rust estimates of those sketches.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::ScalarValue;
use hpds_bloom::BloomFilter;
use hpds_core::ByteCodec;
use hpds_kmv::Kmv;
use hpds_loglog::{HyperLogLogPlusPlus, UltraLogLog};
use proptest::prelude::*;

use crate::common::{bytes, ctx, num, rows, table};

/// One row: a group key and a value that may be NULL (a small value range, so groups repeat
/// values).
fn row() -> impl Strategy<Value = (i64, Option<i64>)> {
    (0i64..4, proptest::option::weighted(0.9, -300i64..300))
}

/// The query's parameters: HyperLogLog++ and UltraLogLog precisions, KMV's k.
fn params() -> impl Strategy<Value = (u8, u8, usize)> {
    (4u8..=12, 4u8..=10, 2usize..=40)
}

fn batch(data: &[(i64, Option<i64>)]) -> RecordBatch {
    let schema = Schema::new(vec![
        Field::new("g", DataType::Int64, false),
        Field::new("v", DataType::Int64, true),
        Field::new("s", DataType::Utf8, true),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(data.iter().map(|r| r.0).collect::<Int64Array>()),
        Arc::new(data.iter().map(|r| r.1).collect::<Int64Array>()),
        Arc::new(
            data.iter()
                .map(|r| r.1.map(|v| format!("item-{v}")))
                .collect::<StringArray>(),
        ),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).expect("valid batch")
}

/// The Rust API's canonical sketches of `values` (`i64`s and their `item-{v}` strings), in the
/// query's column order.
fn rust_row(values: &[i64], (p, q, k): (u8, u8, usize)) -> Vec<Vec<u8>> {
    let mut h = HyperLogLogPlusPlus::new(p).unwrap();
    let mut u = UltraLogLog::new(q).unwrap();
    let mut m = Kmv::new(k).unwrap();
    let mut s = HyperLogLogPlusPlus::new(p).unwrap();
    let mut b = BloomFilter::new(500, 0.01).unwrap();
    for v in values {
        h.insert(v);
        u.insert(v);
        m.insert(v);
        s.insert(format!("item-{v}").as_str());
        b.insert(v);
    }
    for sketch in [&mut h, &mut s] {
        sketch.canonicalize();
    }
    u.canonicalize();
    m.canonicalize();
    vec![
        h.to_bytes(),
        u.to_bytes(),
        m.to_bytes(),
        s.to_bytes(),
        b.to_bytes(),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}

proptest! {
    // Each case plans and runs two queries in DataFusion (unoptimized in the test profile).
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn grouped_sketches_are_the_rust_sketches(
        data in proptest::collection::vec(row(), 0..400),
        params in params(),
        target in 1usize..=6,
        input in 1usize..=5,
    ) {
        let (p, q, k) = params;
        let mut groups: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for &(g, v) in &data {
            let values = groups.entry(g).or_default();
            values.extend(v);
        }
        let got = runtime().block_on(async {
            let ctx = ctx(target);
            table(&ctx, "t", &batch(&data), input);
            let sql = format!(
                "SELECT g, hll_sketch(v, {p}), ull_sketch(v, {q}), kmv_sketch(v, {k}), \
                 hll_sketch(s, {p}), bloom_sketch(v, 500, 0.01), \
                 hll_estimate(hll_sketch(v, {p})), approx_distinct_hll(v, {p}) \
                 FROM t GROUP BY g ORDER BY g"
            );
            rows(&ctx, &sql).await
        });
        prop_assert_eq!(got.len(), groups.len());
        for (row, (g, values)) in got.iter().zip(&groups) {
            prop_assert_eq!(&row[0], &ScalarValue::Int64(Some(*g)));
            let sql: Vec<Vec<u8>> = row[1..6].iter().map(bytes).collect();
            let rust = rust_row(values, params);
            prop_assert_eq!(&sql, &rust, "group {}", g);
            let estimate = HyperLogLogPlusPlus::from_bytes(&rust[0]).unwrap().estimate();
            prop_assert_eq!(num(&row[6]), estimate);
            prop_assert_eq!(num(&row[7]), estimate.round());
        }
    }

    #[test]
    fn unions_of_any_split_are_the_whole(
        data in proptest::collection::vec(row(), 1..300),
        params in params(),
        target in 1usize..=4,
    ) {
        let (p, q, k) = params;
        let (whole, parts) = runtime().block_on(async {
            let ctx = ctx(target);
            table(&ctx, "t", &batch(&data), target);
            let whole = rows(
                &ctx,
                &format!(
                    "SELECT hll_sketch(v, {p}), ull_sketch(v, {q}), kmv_sketch(v, {k}) \
                     FROM t WHERE v IS NOT NULL"
                ),
            )
            .await;
            let parts = rows(
                &ctx,
                &format!(
                    "SELECT hll_union(h), ull_union(u), kmv_union(m) FROM ( \
                       SELECT g, hll_sketch(v, {p}) AS h, ull_sketch(v, {q}) AS u, \
                              kmv_sketch(v, {k}) AS m \
                       FROM t WHERE v IS NOT NULL GROUP BY g)"
                ),
            )
            .await;
            (whole, parts)
        });
        let all: Vec<i64> = data.iter().filter_map(|r| r.1).collect();
        if all.is_empty() {
            // No group has a value: the union has no input rows and is NULL.
            prop_assert!(parts[0].iter().all(ScalarValue::is_null));
        } else {
            prop_assert_eq!(&whole, &parts);
            let rust = rust_row(&all, params);
            let sql: Vec<Vec<u8>> = whole[0].iter().map(bytes).collect();
            prop_assert_eq!(&sql[..], &rust[..3]);
        }
    }
}
