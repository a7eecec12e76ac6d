//! Accuracy across cardinalities 1..10^7 (log scale, seeded trials) against the theory of the
//! KMV estimator: unbiased, relative standard error `1 / sqrt(k - 2)`.
//!
//! Theory. For `n` distinct items `U_k` is the k-th order statistic of `n` uniforms, Beta(k,
//! n - k + 1), so `E[(k-1)/U_k] = n` and `Var[(k-1)/U_k] = n(n - k + 1)/(k - 2)`: the relative
//! standard error is `σ_n = sqrt((n - k + 1)/(n(k - 2)))`, which tends to `1/sqrt(k - 2)`.
//!
//! Bounds. With `t` trials the bias's standard error is `σ_n / sqrt(t)`: the mean relative
//! error must be within 4 of them (`ErrorStats::bias_z() <= 4`). The sample RMSE of `t` trials
//! has a relative standard error of about `sqrt((κ - 1) / (4t))`, where `κ` is the kurtosis of
//! the relative error (3 + O(30/k) for this inverse-Beta law): the RMSE must lie within
//! `σ_n · (1 ± 4·sqrt((2 + 30/k) / (4t)))` once the sketch is estimating. An estimator using
//! `k/U_k` (biased by 1/(k-1)), the wrong order statistic, or the wrong spread fails.
//! Below `k` the count must be exact. Pooled over every checkpoint from 2k up, the RMSE relative
//! to `1/sqrt(k - 2)` must meet the target of at most 1.05.

use hpds_core::DistinctCounter;
use hpds_kmv::Kmv;
use hpds_testkit::{Accuracy, accuracy::table, log_scale};

fn check(k: usize, trials: usize, max_n: u64, seed: u64) {
    let plan = Accuracy::new(trials, log_scale(1, max_n, 4), seed);
    let rows = plan.run_streaming(
        |s| Kmv::with_seed(k, s).unwrap(),
        Kmv::insert_hash,
        DistinctCounter::estimate,
    );
    let kf = k as f64;
    let asymptotic = 1.0 / (kf - 2.0).sqrt();
    let slack = 4.0 * ((2.0 + 30.0 / kf) / (4.0 * trials as f64)).sqrt();
    let (mut pooled, mut count) = (0.0, 0);
    for r in &rows {
        let report = || format!("k = {k}, n = {}\n{}", r.n, table(&rows));
        if r.n < k as u64 {
            assert_eq!(r.rmse, 0.0, "exact below k: {}", report());
            continue;
        }
        let nf = r.n as f64;
        let sigma = ((nf - kf + 1.0) / (nf * (kf - 2.0))).sqrt();
        assert!(
            r.bias_z() <= 4.0,
            "bias z = {:.2}: {}",
            r.bias_z(),
            report()
        );
        assert!(
            r.rmse <= sigma * (1.0 + slack),
            "rmse too large: {}",
            report()
        );
        if r.n >= 2 * k as u64 {
            assert!(
                r.rmse >= sigma * (1.0 - slack),
                "rmse too small: {}",
                report()
            );
            pooled += (r.rmse / asymptotic).powi(2);
            count += 1;
        }
    }
    let pooled = (pooled / f64::from(count)).sqrt();
    println!(
        "k = {k}: pooled rmse / (1/sqrt(k-2)) = {pooled:.4}\n{}",
        table(&rows)
    );
    assert!(
        pooled <= 1.05,
        "k = {k}: pooled rmse ratio {pooled:.4} above the 1.05 target"
    );
}
#[test]
fn k64_up_to_ten_million() {
    if cfg!(miri) {
        return check(64, 4, 1000, 1);
    }
    check(64, 160, 10_000_000, 1);
}

#[test]
fn k1024_up_to_one_million() {
    if cfg!(miri) {
        return check(1024, 2, 2000, 2);
    }
    check(1024, 400, 1_000_000, 2);
}
