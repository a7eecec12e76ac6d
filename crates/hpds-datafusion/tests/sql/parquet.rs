//! Sketches stored in Parquet, read back and unioned equal the sketch built in one pass.

use std::path::PathBuf;

use crate::common::{ctx, events, query, rows, table};

/// A fresh directory under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "hpds-datafusion-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    dir
}

#[tokio::test]
async fn daily_sketches_through_parquet_union_to_the_one_pass_sketch() {
    let batch = events(11, 12, |g| 50 + 40 * g);
    let dir = scratch("daily");
    let path = dir.join("daily.parquet");
    let path = path.to_str().expect("utf-8 path");
    let writer = ctx(4);
    table(&writer, "events", &batch, 4);
    query(
        &writer,
        &format!(
            "COPY (SELECT day, g, hll_sketch(user) AS users, ull_sketch(user) AS ull, \
                   kmv_sketch(user, 128) AS kmv, bloom_sketch(user, 2000, 0.01) AS seen \
                   FROM events GROUP BY day, g) \
             TO '{path}' STORED AS PARQUET"
        ),
    )
    .await;

    let reader = ctx(3);
    table(&reader, "events", &batch, 2);
    reader
        .register_parquet(
            "daily",
            path,
            datafusion::prelude::ParquetReadOptions::default(),
        )
        .await
        .expect("readable parquet");
    let one_pass = rows(
        &reader,
        "SELECT g, hll_sketch(user), ull_sketch(user), kmv_sketch(user, 128), \
                bloom_sketch(user, 2000, 0.01) \
         FROM events GROUP BY g ORDER BY g",
    )
    .await;
    let unioned = rows(
        &reader,
        "SELECT g, hll_union(users), ull_union(ull), kmv_union(kmv), bloom_union(seen) \
         FROM daily GROUP BY g ORDER BY g",
    )
    .await;
    assert_eq!(one_pass.len(), 12);
    // Parquet may hand binary columns back as BinaryView; the bytes are what must agree.
    for (a, b) in one_pass.iter().zip(&unioned) {
        assert_eq!(a[0], b[0]);
        for (x, y) in a[1..].iter().zip(&b[1..]) {
            assert_eq!(
                crate::common::bytes(x),
                crate::common::bytes(y),
                "group {:?}",
                a[0]
            );
        }
    }
    // Estimates over a range of days straight from the stored sketches.
    let week = rows(
        &reader,
        "SELECT hll_estimate(hll_union(users)), kmv_estimate(kmv_union(kmv)) \
         FROM daily WHERE day BETWEEN 1 AND 5",
    )
    .await;
    let exact = rows(
        &reader,
        "SELECT COUNT(DISTINCT user) FROM events WHERE day BETWEEN 1 AND 5",
    )
    .await;
    let n = crate::common::num(&exact[0][0]);
    let hll = crate::common::num(&week[0][0]);
    assert!((hll / n - 1.0).abs() < 0.05, "{hll} vs {n}");
    std::fs::remove_dir_all(&dir).ok();
}
