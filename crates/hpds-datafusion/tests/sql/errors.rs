//! Bad input gives a clear error naming the function, never a panic; NULL-only groups and
//! empty tables give empty sketches, zero counts or NULL unions.

use std::sync::Arc;

use datafusion::arrow::array::{Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::ScalarValue;
use hpds_core::ByteCodec;
use hpds_loglog::HyperLogLogPlusPlus;

use crate::common::{bytes, ctx, error, hex, num, one, rows, table};

fn session() -> datafusion::prelude::SessionContext {
    let ctx = ctx(2);
    let schema = Schema::new(vec![
        Field::new("g", DataType::Int64, false),
        Field::new("s", DataType::Utf8, true),
        Field::new("f", DataType::Float64, true),
    ]);
    let batch = RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(Int64Array::from(vec![1, 1, 2, 2, 3])),
            Arc::new(StringArray::from(vec![
                Some("a"),
                Some("b"),
                None,
                None,
                Some("c"),
            ])),
            Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 4.0, 5.0])),
        ],
    )
    .unwrap();
    table(&ctx, "t", &batch, 2);
    ctx
}

/// Asserts that `sql` fails with a message containing every one of `needles`.
async fn fails(ctx: &datafusion::prelude::SessionContext, sql: &str, needles: &[&str]) {
    let e = error(ctx, sql).await;
    for n in needles {
        assert!(e.contains(n), "{sql}: error {e:?} does not mention {n:?}");
    }
}

#[tokio::test]
async fn wrong_argument_counts_and_types_are_planning_errors() {
    let ctx = session();
    fails(
        &ctx,
        "SELECT hll_sketch(s, 14, 3) FROM t",
        &["hll_sketch", "(expr [, p])"],
    )
    .await;
    fails(
        &ctx,
        "SELECT kmv_sketch(s, 14, 3) FROM t",
        &["kmv_sketch", "(expr [, k])"],
    )
    .await;
    fails(
        &ctx,
        "SELECT hll_union(s, s) FROM t",
        &["hll_union", "one argument"],
    )
    .await;
    fails(
        &ctx,
        "SELECT bloom_sketch(s, 10) FROM t",
        &["bloom_sketch", "expected_items"],
    )
    .await;
    fails(
        &ctx,
        "SELECT kmv_jaccard(s) FROM t",
        &["kmv_jaccard", "two arguments"],
    )
    .await;
    fails(
        &ctx,
        "SELECT hll_sketch(f) FROM t",
        &["hll_sketch", "Float64", "CAST"],
    )
    .await;
    fails(
        &ctx,
        "SELECT hll_sketch(s, 'x') FROM t",
        &["hll_sketch", "p must be an integer"],
    )
    .await;
    fails(&ctx, "SELECT hll_union(s) FROM t", &["hll_union", "binary"]).await;
    fails(
        &ctx,
        "SELECT hll_estimate(g) FROM t",
        &["hll_estimate", "binary"],
    )
    .await;
    fails(
        &ctx,
        "SELECT bloom_contains(s, s) FROM t",
        &["bloom_contains", "binary"],
    )
    .await;
    fails(
        &ctx,
        "SELECT bloom_sketch(s, 10, 'x') FROM t",
        &["bloom_sketch", "rate"],
    )
    .await;
}

#[tokio::test]
async fn parameters_out_of_range_name_the_parameter() {
    let ctx = session();
    for p in [3, 19, 300, -1] {
        fails(
            &ctx,
            &format!("SELECT hll_sketch(s, {p}) FROM t"),
            &["hll_sketch", "p"],
        )
        .await;
        fails(
            &ctx,
            &format!("SELECT ull_sketch(s, {p}) FROM t"),
            &["ull_sketch", "p"],
        )
        .await;
        fails(
            &ctx,
            &format!("SELECT approx_distinct_hll(s, {p}) FROM t GROUP BY g"),
            &["approx_distinct_hll", "p"],
        )
        .await;
    }
    for k in [0, 1, -5, 1 << 30] {
        fails(
            &ctx,
            &format!("SELECT kmv_sketch(s, {k}) FROM t"),
            &["kmv_sketch", "k"],
        )
        .await;
    }
    fails(
        &ctx,
        "SELECT hll_sketch(s, g) FROM t",
        &["hll_sketch", "p must be a constant"],
    )
    .await;
    fails(
        &ctx,
        "SELECT hll_sketch(s, NULL) FROM t",
        &["hll_sketch", "p"],
    )
    .await;
    fails(
        &ctx,
        "SELECT bloom_sketch(s, 0, 0.01) FROM t",
        &["bloom_sketch"],
    )
    .await;
    fails(
        &ctx,
        "SELECT bloom_sketch(s, 10, 1.5) FROM t",
        &["bloom_sketch", "rate"],
    )
    .await;
    fails(
        &ctx,
        "SELECT bloom_sketch(s, -10, 0.1) FROM t",
        &["bloom_sketch", "expected_items"],
    )
    .await;
}

#[tokio::test]
async fn corrupt_and_foreign_sketches_are_errors_naming_the_function() {
    let ctx = session();
    let kmv = bytes(&one(&ctx, "SELECT kmv_sketch(s) FROM t").await);
    let hll = bytes(&one(&ctx, "SELECT hll_sketch(s) FROM t").await);
    let mut flipped = hll.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    let truncated = &hll[..hll.len() - 3];
    for bad in [
        "00".to_string(),
        "deadbeef".to_string(),
        String::new(),
        hex(&kmv),
        hex(&flipped),
        hex(truncated),
    ] {
        for f in ["hll_estimate", "ull_estimate"] {
            fails(&ctx, &format!("SELECT {f}(X'{bad}')"), &[f, "not a valid"]).await;
        }
        fails(
            &ctx,
            &format!("SELECT hll_union(X'{bad}')"),
            &["hll_union", "not a valid"],
        )
        .await;
        fails(
            &ctx,
            &format!(
                "SELECT hll_union(x) FROM (SELECT X'{bad}' AS x UNION ALL SELECT X'{}') GROUP BY x",
                hex(&hll)
            ),
            &["hll_union", "not a valid"],
        )
        .await;
        fails(
            &ctx,
            &format!("SELECT bloom_contains(X'{bad}', 'a')"),
            &["bloom_contains"],
        )
        .await;
        if bad != hex(&kmv) {
            fails(
                &ctx,
                &format!("SELECT kmv_jaccard(X'{}', X'{bad}')", hex(&kmv)),
                &["kmv_jaccard"],
            )
            .await;
        }
    }
    // Sketches of different k do not combine.
    let k64 = bytes(&one(&ctx, "SELECT kmv_sketch(s, 64) FROM t").await);
    fails(
        &ctx,
        &format!(
            "SELECT kmv_union(x) FROM (VALUES (X'{}'), (X'{}')) AS v(x)",
            hex(&kmv),
            hex(&k64)
        ),
        &["kmv_union", "k"],
    )
    .await;
    fails(
        &ctx,
        &format!("SELECT kmv_jaccard(X'{}', X'{}')", hex(&kmv), hex(&k64)),
        &["kmv_jaccard", "k"],
    )
    .await;
    // Bloom filters of different shapes do not union.
    let small = bytes(&one(&ctx, "SELECT bloom_sketch(s, 10, 0.1) FROM t").await);
    let large = bytes(&one(&ctx, "SELECT bloom_sketch(s, 1000, 0.1) FROM t").await);
    fails(
        &ctx,
        &format!(
            "SELECT bloom_union(x) FROM (VALUES (X'{}'), (X'{}')) AS v(x)",
            hex(&small),
            hex(&large)
        ),
        &["bloom_union", "bits"],
    )
    .await;
}

#[tokio::test]
async fn hll_sketches_of_different_precision_union_at_the_lower() {
    let ctx = session();
    let a = bytes(&one(&ctx, "SELECT hll_sketch(s, 14) FROM t WHERE g = 1").await);
    let b = bytes(&one(&ctx, "SELECT hll_sketch(s, 10) FROM t WHERE g = 3").await);
    let u = bytes(
        &one(
            &ctx,
            &format!(
                "SELECT hll_union(x) FROM (VALUES (X'{}'), (X'{}')) AS v(x)",
                hex(&a),
                hex(&b)
            ),
        )
        .await,
    );
    let want = bytes(&one(&ctx, "SELECT hll_sketch(s, 10) FROM t").await);
    assert_eq!(u, want);
    assert_eq!(HyperLogLogPlusPlus::from_bytes(&u).unwrap().precision(), 10);
}

#[tokio::test]
async fn null_only_groups_and_empty_tables() {
    let ctx = session();
    let mut empty = HyperLogLogPlusPlus::new(14).unwrap();
    empty.canonicalize();
    let empty_hll = empty.to_bytes();
    // Group 2 has only NULL strings.
    let r = rows(
        &ctx,
        "SELECT g, hll_sketch(s), approx_distinct_hll(s), hll_union(hll_sketch(s)) OVER (), \
                kmv_estimate(kmv_sketch(s)), bloom_contains(bloom_sketch(s, 10, 0.01), 'a') \
         FROM t GROUP BY g ORDER BY g",
    )
    .await;
    assert_eq!(bytes(&r[1][1]), empty_hll);
    assert_eq!(num(&r[1][2]), 0.0);
    assert_eq!(num(&r[1][4]), 0.0);
    assert_eq!(r[1][5], ScalarValue::Boolean(Some(false)));
    assert_eq!(num(&r[0][2]), 2.0);

    // No rows at all: one row of empty sketches and zero counts without GROUP BY, no rows with.
    let r = rows(
        &ctx,
        "SELECT hll_sketch(s), approx_distinct_hll(s), hll_union(NULL), kmv_sketch(s) \
         FROM t WHERE g > 100",
    )
    .await;
    assert_eq!(bytes(&r[0][0]), empty_hll);
    assert_eq!(num(&r[0][1]), 0.0);
    assert!(r[0][2].is_null());
    assert_eq!(
        bytes(&r[0][3]),
        hpds_kmv::Kmv::new(1024).unwrap().to_bytes()
    );
    let r = rows(
        &ctx,
        "SELECT g, hll_sketch(s) FROM t WHERE g > 100 GROUP BY g",
    )
    .await;
    assert!(r.is_empty());
    // Estimates of NULL are NULL.
    let v = one(&ctx, "SELECT hll_estimate(CAST(NULL AS BYTEA))").await;
    assert!(v.is_null());
}
