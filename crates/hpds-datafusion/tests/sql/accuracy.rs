//! Estimates against exact `COUNT(DISTINCT ...)` over many seeded groups, within each
//! sketch's theoretical error.

use crate::common::{ctx, events, num, rows, table};

/// Relative errors of column `col` against column 1 (the exact count) over every row.
fn relative_errors(rows: &[Vec<datafusion::common::ScalarValue>], col: usize) -> Vec<f64> {
    rows.iter()
        .map(|r| num(&r[col]) / num(&r[1]) - 1.0)
        .collect()
}

/// Checks errors against a relative standard error `sigma`: their root mean square within
/// 1.5 sigma (for 30 groups the chi-square tail beyond that is about 1e-4) and none beyond 5
/// sigma.
fn check(name: &str, errors: &[f64], sigma: f64) {
    let rms = (errors.iter().map(|e| e * e).sum::<f64>() / errors.len() as f64).sqrt();
    assert!(
        rms <= 1.5 * sigma,
        "{name}: rms relative error {rms:.4} above 1.5 x {sigma:.4}"
    );
    for e in errors {
        assert!(e.abs() <= 5.0 * sigma, "{name}: error {e:.4} beyond 5 sigma");
    }
}

#[tokio::test]
async fn estimates_are_within_theory_over_many_groups() {
    let batch = events(23, 30, |g| 1500 + 300 * g);
    let ctx = ctx(4);
    table(&ctx, "t", &batch, 4);
    let rows = rows(
        &ctx,
        "SELECT g, COUNT(DISTINCT user), approx_distinct_hll(user, 10), \
                hll_estimate(hll_sketch(user, 10)), ull_estimate(ull_sketch(user, 8)), \
                kmv_estimate(kmv_sketch(user, 128)) \
         FROM t GROUP BY g ORDER BY g",
    )
    .await;
    assert_eq!(rows.len(), 30);
    // HyperLogLog++ after a merge (Ertl's estimator): 1.04 / sqrt(2^10).
    let hll = 1.04 / 32.0;
    check("approx_distinct_hll", &relative_errors(&rows, 2), hll);
    check("hll_estimate", &relative_errors(&rows, 3), hll);
    // UltraLogLog, maximum likelihood: 0.761 / sqrt(2^8).
    check("ull_estimate", &relative_errors(&rows, 4), 0.761 / 16.0);
    // KMV: 1 / sqrt(k - 2).
    check("kmv_estimate", &relative_errors(&rows, 5), 1.0 / 126f64.sqrt());
}

#[tokio::test]
async fn small_groups_are_counted_exactly() {
    // Sparse HyperLogLog++ counts by linear counting over 2^25 buckets and KMV holds every
    // hash until k: a few hundred distinct values are counted exactly.
    let batch = events(29, 50, |g| g * 7);
    let ctx = ctx(8);
    table(&ctx, "t", &batch, 8);
    let rows = rows(
        &ctx,
        "SELECT g, COUNT(DISTINCT user), approx_distinct_hll(user), \
                kmv_estimate(kmv_sketch(user)), ull_estimate(ull_sketch(user, 14)) \
         FROM t GROUP BY g ORDER BY g",
    )
    .await;
    for r in &rows {
        let exact = num(&r[1]);
        assert_eq!(num(&r[2]), exact, "approx_distinct_hll, group {:?}", r[0]);
        assert_eq!(num(&r[3]), exact, "kmv_estimate, group {:?}", r[0]);
        assert!((num(&r[4]) - exact).abs() < 0.5 + exact * 1e-3, "ull, group {:?}", r[0]);
    }
}
