//! A sketch built in SQL equals the sketch the Rust API builds from the same values, for
//! every accepted Arrow type.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, BinaryArray, BinaryViewArray, BooleanArray, Date32Array, Date64Array,
    FixedSizeBinaryArray, Int8Array, Int16Array, Int32Array, Int64Array, LargeBinaryArray,
    LargeStringArray, RecordBatch, StringArray, StringViewArray, TimestampMillisecondArray,
    TimestampNanosecondArray, UInt8Array, UInt16Array, UInt32Array, UInt64Array,
};
use datafusion::arrow::datatypes::{Field, Schema};
use hpds_bloom::BloomFilter;
use hpds_core::{ByteCodec, Item};
use hpds_kmv::Kmv;
use hpds_loglog::{HyperLogLogPlusPlus, UltraLogLog};

use crate::common::{bytes, ctx, hex, num, one, table};

/// `n` rows of pseudo-random values, one in 7 NULL.
fn values<T>(n: u64, f: impl Fn(u64) -> T) -> Vec<Option<T>> {
    (0..n)
        .map(|i| {
            let x = hpds_core::hash::mix64(i % (n / 2 + 1));
            (i % 7 != 3).then(|| f(x))
        })
        .collect()
}

/// The HyperLogLog++ (p), UltraLogLog (p) and KMV (k = 32) sketches, canonical, of `items`.
fn rust_sketches<T: Item + ?Sized>(items: &[Option<&T>], p: u8) -> [Vec<u8>; 3] {
    let mut h = HyperLogLogPlusPlus::new(p).unwrap();
    let mut u = UltraLogLog::new(p).unwrap();
    let mut k = Kmv::new(32).unwrap();
    for item in items.iter().flatten() {
        h.insert(*item);
        u.insert(*item);
        k.insert(*item);
    }
    h.canonicalize();
    u.canonicalize();
    k.canonicalize();
    [h.to_bytes(), u.to_bytes(), k.to_bytes()]
}

async fn sql_sketches(column: ArrayRef, p: u8) -> [Vec<u8>; 3] {
    let schema = Schema::new(vec![Field::new("v", column.data_type().clone(), true)]);
    let batch = RecordBatch::try_new(Arc::new(schema), vec![column]).unwrap();
    let ctx = ctx(4);
    table(&ctx, "t", &batch, 3);
    let q = |f: &str| format!("SELECT {f} FROM t");
    [
        bytes(&one(&ctx, &q(&format!("hll_sketch(v, {p})"))).await),
        bytes(&one(&ctx, &q(&format!("ull_sketch(v, {p})"))).await),
        bytes(&one(&ctx, &q("kmv_sketch(v, 32)")).await),
    ]
}

/// The SQL sketches of `$vals` as an array of type `$array` equal the Rust sketches of
/// `$vals` mapped to items by `$as_item`.
macro_rules! check {
    ($name:literal, $array:ty, $vals:expr, $as_item:expr) => {{
        let vals = $vals;
        let items: Vec<Option<_>> = vals.iter().map(|v| v.as_ref().map($as_item)).collect();
        for p in [8, 12] {
            let array: ArrayRef = Arc::new(<$array>::from(vals.clone()));
            let sql = sql_sketches(array, p).await;
            assert_eq!(sql, rust_sketches(&items, p), "{} at p = {p}", $name);
        }
    }};
}

#[tokio::test]
async fn every_type_hashes_as_the_rust_api() {
    // Small samples stay sparse at p = 12; the larger one makes dense sketches at p = 8.
    for n in [50, 3000] {
        let strings = values(n, |x| format!("user-{x}"));
        let strs: Vec<Option<&str>> = strings.iter().map(|s| s.as_deref()).collect();
        check!("Utf8", StringArray, strs.clone(), |s: &&str| *s);
        check!("LargeUtf8", LargeStringArray, strs.clone(), |s: &&str| *s);
        check!("Utf8View", StringViewArray, strs.clone(), |s: &&str| *s);
        let raw: Vec<Option<&[u8]>> = strs.iter().map(|s| s.map(str::as_bytes)).collect();
        check!("Binary", BinaryArray, raw.clone(), |s: &&[u8]| *s);
        check!("LargeBinary", LargeBinaryArray, raw.clone(), |s: &&[u8]| *s);
        check!("BinaryView", BinaryViewArray, raw.clone(), |s: &&[u8]| *s);
        // The same strings as strings and as bytes are the same items.
        let fixed = values(n, u64::to_le_bytes);
        let items: Vec<Option<&[u8]>> = fixed.iter().map(|b| b.as_ref().map(|b| &b[..])).collect();
        for p in [8, 12] {
            let array =
                FixedSizeBinaryArray::try_from_sparse_iter_with_size(items.iter().copied(), 8)
                    .unwrap();
            let sql = sql_sketches(Arc::new(array), p).await;
            assert_eq!(sql, rust_sketches(&items, p), "FixedSizeBinary at p = {p}");
        }
        check!("Int8", Int8Array, values(n, |x| x as i8), |v: &i8| v);
        check!("Int16", Int16Array, values(n, |x| x as i16), |v: &i16| v);
        check!("Int32", Int32Array, values(n, |x| x as i32), |v: &i32| v);
        check!("Int64", Int64Array, values(n, |x| x as i64), |v: &i64| v);
        check!("UInt8", UInt8Array, values(n, |x| x as u8), |v: &u8| v);
        check!("UInt16", UInt16Array, values(n, |x| x as u16), |v: &u16| v);
        check!("UInt32", UInt32Array, values(n, |x| x as u32), |v: &u32| v);
        check!("UInt64", UInt64Array, values(n, |x| x), |v: &u64| v);
        check!(
            "Date32",
            Date32Array,
            values(n, |x| (x % 40_000) as i32),
            |v: &i32| v
        );
        check!("Date64", Date64Array, values(n, |x| x as i64), |v: &i64| v);
        check!(
            "Timestamp(ms)",
            TimestampMillisecondArray,
            values(n, |x| x as i64),
            |v: &i64| v
        );
        check!(
            "Timestamp(ns)",
            TimestampNanosecondArray,
            values(n, |x| x as i64),
            |v: &i64| v
        );
        check!(
            "Boolean",
            BooleanArray,
            values(n, |x| x % 2 == 0),
            |v: &bool| v
        );
    }
}

#[tokio::test]
async fn strings_and_their_bytes_are_the_same_items() {
    let ctx = ctx(2);
    let a = one(
        &ctx,
        "SELECT hll_sketch(v) FROM (VALUES ('x'), ('y')) AS t(v)",
    )
    .await;
    let b = one(
        &ctx,
        "SELECT hll_sketch(CAST(v AS BYTEA)) FROM (VALUES ('x'), ('y')) AS t(v)",
    )
    .await;
    assert_eq!(a, b);
}

#[tokio::test]
async fn estimates_and_set_operations_match_the_rust_api() {
    let ctx = ctx(4);
    let sql =
        "SELECT kmv_sketch(v, 64) FROM (SELECT value AS v FROM generate_series(1, 5000)) AS t";
    let a = bytes(&one(&ctx, sql).await);
    let b = bytes(
        &one(&ctx, "SELECT kmv_sketch(v, 64) FROM (SELECT value AS v FROM generate_series(2001, 9000)) AS t").await,
    );
    let (ka, kb) = (Kmv::from_bytes(&a).unwrap(), Kmv::from_bytes(&b).unwrap());
    let mut rust = Kmv::new(64).unwrap();
    for v in 1..=5000i64 {
        rust.insert(&v);
    }
    rust.canonicalize();
    assert_eq!(rust.to_bytes(), a);
    let (xa, xb) = (hex(&a), hex(&b));
    let est = num(&one(&ctx, &format!("SELECT kmv_estimate(X'{xa}')")).await);
    assert_eq!(est, ka.estimate());
    let j = num(&one(&ctx, &format!("SELECT kmv_jaccard(X'{xa}', X'{xb}')")).await);
    assert_eq!(j, ka.jaccard(&kb).unwrap());
    let i = num(&one(&ctx, &format!("SELECT kmv_intersection(X'{xa}', X'{xb}')")).await);
    assert_eq!(i, ka.intersection_estimate(&kb).unwrap());

    let h = bytes(
        &one(
            &ctx,
            "SELECT hll_sketch(v, 12) FROM (SELECT value AS v FROM generate_series(1, 5000)) AS t",
        )
        .await,
    );
    let est = num(&one(&ctx, &format!("SELECT hll_estimate(X'{}')", hex(&h))).await);
    assert_eq!(est, HyperLogLogPlusPlus::from_bytes(&h).unwrap().estimate());
    let u = bytes(
        &one(
            &ctx,
            "SELECT ull_sketch(v) FROM (SELECT value AS v FROM generate_series(1, 5000)) AS t",
        )
        .await,
    );
    let est = num(&one(&ctx, &format!("SELECT ull_estimate(X'{}')", hex(&u))).await);
    assert_eq!(est, UltraLogLog::from_bytes(&u).unwrap().estimate());
}

#[tokio::test]
async fn bloom_filters_match_the_rust_api() {
    let ctx = ctx(4);
    let f = bytes(
        &one(
            &ctx,
            "SELECT bloom_sketch(v, 1000, 0.01) FROM (SELECT value AS v FROM generate_series(1, 800)) AS t",
        )
        .await,
    );
    let mut rust = BloomFilter::new(1000, 0.01).unwrap();
    for v in 1..=800i64 {
        rust.insert(&v);
    }
    assert_eq!(rust.to_bytes(), f);
    let hex = hex(&f);
    let found = crate::common::rows(
        &ctx,
        &format!(
            "SELECT v, bloom_contains(X'{hex}', v) FROM (SELECT value AS v FROM generate_series(1, 3000)) AS t \
             ORDER BY v"
        ),
    )
    .await;
    for row in &found {
        let v = num(&row[0]) as i64;
        let got = matches!(row[1], datafusion::common::ScalarValue::Boolean(Some(true)));
        assert_eq!(got, rust.contains(&v), "value {v}");
        if v <= 800 {
            assert!(got, "no false negatives: {v}");
        }
    }
    // The union of two halves is the filter of the whole.
    let halves = bytes(
        &one(
            &ctx,
            "SELECT bloom_union(f) FROM ( \
               SELECT v % 2 AS half, bloom_sketch(v, 1000, 0.01) AS f \
               FROM (SELECT value AS v FROM generate_series(1, 800)) AS t GROUP BY v % 2)",
        )
        .await,
    );
    assert_eq!(halves, f);
}
