//! Accuracy against theory over seeded trials (hpds_testkit::Accuracy, both cores).
//!
//! Bounds. With `T` trials of an estimator whose relative error has standard deviation σ, the
//! measured RMSE has a relative standard deviation of about `1/√(2T)` (chi distribution), and
//! the measured mean relative error a standard deviation of `σ/√T`. So each check is
//! `rmse <= theory × tolerance × (1 + 4/√(2T))` and `|bias| <= 4 σ̂/√T` (four standard
//! errors: a correct estimator fails with probability ~1e-4 per checkpoint, and the seeds
//! are fixed). A wrong estimator fails them: HyperLogLog's α in SuperLogLog or a missing bias
//! correction shifts the mean by tens of percent (hundreds of standard errors here), LogLog's
//! geometric mean in place of the harmonic mean raises the RMSE by 25 %, and HIP's bound
//! (0.83/√m × 1.09) is below the register estimators' 1.04/√m.

use hpds_loglog::{Estimator, HyperLogLog, HyperLogLogPlusPlus, standard_error};
use hpds_testkit::accuracy::{assert_within, table};
use hpds_testkit::{Accuracy, ErrorStats, log_scale};

fn scale(trials: usize) -> f64 {
    1.0 + 4.0 / (2.0 * trials as f64).sqrt()
}

/// Linear counting's own deterministic bias at the smallest cardinalities: with `n` items and
/// no collision (the likely case while `n < √m`) it gives `-m ln(1 - n/m) = n (1 + n/(2m) +
/// ...)`, a relative bias of about `n/(2m)` with almost no variance to hide it; `n/m` for
/// `n <= √m` covers it (beyond, the variance term does). HyperLogLog++'s sparse mode is
/// linear counting over `m' = 2^25` buckets, so `n/m'` is added for it.
const P: u8 = 10;

fn lc_bias(n: u64) -> f64 {
    let m = f64::from(1u32 << P);
    let sparse = n as f64 / f64::from(1u32 << 25);
    sparse
        + if (n as f64) <= m.sqrt() {
            n as f64 / m
        } else {
            0.0
        }
}

fn check(name: &str, rows: &[ErrorStats], theory: f64, tolerance: f64, bias_allowance: f64) {
    let t = rows[0].trials;
    assert_within(name, rows, theory * tolerance * scale(t), |r| {
        bias_allowance * theory + 4.0 * r.std_dev / (t as f64).sqrt() + lc_bias(r.n)
    });
}

/// HyperLogLog++: sparse (nearly exact), then HIP. The bound is 1.04/√m × 1.1 at every
/// cardinality; HIP's own theory is 0.83/√m, checked with the statistical margin. p = 10,
/// 800 trials, 1 to 10^5 (100 m: the estimator is in its asymptotic regime well before).
#[test]
fn hyperloglog_plus_plus_within_theory() {
    let p = P;
    let trials = if cfg!(miri) { 2 } else { 800 };
    let max = if cfg!(miri) { 300 } else { 100_000 };
    let plan = Accuracy::new(trials, log_scale(1, max, 6), 81);
    let rows = plan.run_streaming(
        |_| HyperLogLogPlusPlus::new(p).unwrap(),
        HyperLogLogPlusPlus::insert_hash,
        HyperLogLogPlusPlus::estimate,
    );
    let se = standard_error(Estimator::Ertl, p);
    for r in &rows {
        assert!(r.rmse <= se * 1.1, "n = {}: {}", r.n, table(&rows));
    }
    if !cfg!(miri) {
        check(
            "HLL++ (HIP)",
            &rows,
            standard_error(Estimator::Hip, p),
            1.0,
            0.0,
        );
        // Sparse (up to ~200 items at p = 10): linear counting over 2^25 buckets, whose error
        // is ~n/2^26; a hundredth of the dense error is a generous bound.
        for r in rows.iter().filter(|r| r.n <= 150) {
            assert!(r.rmse <= se / 100.0, "sparse n = {}: {}", r.n, table(&rows));
        }
    }
}

#[test]
fn every_estimator_within_theory_up_to_ten_million() {
    let p = P;
    let trials = if cfg!(miri) { 2 } else { 48 };
    let max = if cfg!(miri) { 100 } else { 10_000_000 };
    let plan = Accuracy::new(trials, log_scale(1, max, 4), 7);
    let list = [
        Estimator::LogLog,
        Estimator::SuperLogLog,
        Estimator::Classic,
        Estimator::BiasCorrected,
        Estimator::Ertl,
        Estimator::Hip,
    ];
    // Every estimator on the same streams (one pass per trial).
    let readers: Vec<_> = list
        .iter()
        .map(|&e| move |s: &HyperLogLog| s.estimate_with(e))
        .collect();
    let readers: Vec<&(dyn Fn(&HyperLogLog) -> f64 + Sync)> =
        readers.iter().map(|f| f as _).collect();
    let rows = plan.run_streaming_many(
        |_| HyperLogLog::new(p).unwrap(),
        HyperLogLog::insert_hash,
        &readers,
    );
    if cfg!(miri) {
        return;
    }
    for (e, r) in list.iter().zip(&rows) {
        let theory = standard_error(*e, p);
        match e {
            // SuperLogLog's truncation at a discrete register value makes its bias oscillate
            // with log2(n); the constant is calibrated per phase of the truncated mean, which
            // leaves ~0.1 standard error of it, and its RMSE measured up to 1.10 × 1.05/√m
            // (docs/loglog.md). HyperLogLog's α in its place would be off by ~20 %.
            Estimator::SuperLogLog => check("SuperLogLog", r, theory, 1.15, 0.15),
            // The classic estimator's switch to linear counting at 2.5 m leaves a bias there
            // (the weakness HyperLogLog++ and Ertl fixed): half a standard error.
            Estimator::Classic => check("Classic", r, theory, 1.1, 0.6),
            _ => check(&format!("{e:?}"), r, theory, 1.0, 0.0),
        }
    }
}
