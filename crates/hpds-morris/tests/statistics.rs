//! Statistical tests: the estimate is unbiased and its variance is `(b - 1)·n(n - 1)/2`, for
//! single increments, `increment_by`, arrays and merges, with fixed seeds.
//!
//! Every bound is a number of standard errors of the statistic tested, computed from the
//! sample itself (for the variance: from the fourth central moment), at 5 sigma: a correct
//! implementation fails a given check with probability below 1e-6, and the seeds are fixed so
//! the run is deterministic; an implementation off by a few percent in mean or variance fails.

use hpds_morris::{MorrisArray, MorrisCounter};

/// Trials, scaled down under Miri.
fn trials(n: usize) -> usize {
    if cfg!(miri) { 20 } else { n }
}

/// Runs `trial(seed)` for `t` seeds on two threads; returns one row of values per trial.
fn sample(t: usize, seed: u64, trial: impl Fn(u64) -> Vec<f64> + Sync) -> Vec<Vec<f64>> {
    let mut out = vec![Vec::new(); t];
    std::thread::scope(|s| {
        for (w, chunk) in out.chunks_mut(t.div_ceil(2)).enumerate() {
            let trial = &trial;
            s.spawn(move || {
                for (i, slot) in chunk.iter_mut().enumerate() {
                    let k = (w * t.div_ceil(2) + i) as u64;
                    *slot = trial(seed.wrapping_mul(1_000_003).wrapping_add(k));
                }
            });
        }
    });
    out
}

/// Mean, variance, and the standard errors of both (the variance's from the fourth moment).
struct Moments {
    mean: f64,
    var: f64,
    se_mean: f64,
    se_var: f64,
}

fn moments(xs: impl Iterator<Item = f64> + Clone) -> Moments {
    let t = xs.clone().count() as f64;
    let mean = xs.clone().sum::<f64>() / t;
    let var = xs.clone().map(|x| (x - mean).powi(2)).sum::<f64>() / (t - 1.0);
    let m4 = xs.map(|x| (x - mean).powi(4)).sum::<f64>() / t;
    Moments {
        mean,
        var,
        se_mean: (var / t).sqrt(),
        // Var(s^2) ≈ (m4 - s^4) / t for large t, whatever the distribution.
        se_var: ((m4 - var * var).max(0.0) / t).sqrt(),
    }
}

fn theory_var(base: f64, n: u64) -> f64 {
    let n = n as f64;
    (base - 1.0) * n * (n - 1.0) / 2.0
}

/// Checks the mean and variance of `estimates` of the true count `n` against theory.
fn check(label: &str, base: f64, n: u64, estimates: impl Iterator<Item = f64> + Clone) {
    let m = moments(estimates);
    let v = theory_var(base, n);
    let z_mean = (m.mean - n as f64) / m.se_mean.max(1e-300);
    assert!(
        (m.mean - n as f64).abs() <= 5.0 * m.se_mean.max(1e-9),
        "{label}: base {base}, n {n}: mean {} (z = {z_mean:.2}), se {}",
        m.mean,
        m.se_mean
    );
    assert!(
        (m.var - v).abs() <= 5.0 * m.se_var.max(1e-9),
        "{label}: base {base}, n {n}: variance {} vs theory {v} (se {})",
        m.var,
        m.se_var
    );
}

#[test]
fn single_increments_are_unbiased_with_theoretical_variance() {
    let ns = [1u64, 2, 10, 100, 1000, 10_000];
    let t = trials(4000);
    for base in [2.0, 1.5, 1.1, 1.02] {
        let rows = sample(t, 11, |seed| {
            let mut c = MorrisCounter::with_seed(base, seed).unwrap();
            let mut done = 0;
            ns.iter()
                .map(|&n| {
                    while done < n {
                        c.increment();
                        done += 1;
                    }
                    c.estimate()
                })
                .collect()
        });
        // Below saturation only (base 1.02 counts to about 7750 in 8 bits): at a fifth of the
        // range the top exponent is many standard deviations away.
        let range = MorrisCounter::with_seed(base, 0).unwrap().max_estimate();
        for (j, &n) in ns
            .iter()
            .enumerate()
            .filter(|(_, n)| **n as f64 <= range / 5.0)
        {
            check("increment", base, n, rows.iter().map(|r| r[j]));
        }
    }
}

#[test]
fn increment_by_is_unbiased_with_theoretical_variance_up_to_ten_million() {
    // Bases whose 8-bit range covers 10^7 (base 1.06 counts to about 4.7e7).
    let ns = hpds_testkit::log_scale(1, 10_000_000, 2);
    let t = trials(20_000);
    for base in [2.0, 1.25, 1.1, 1.06] {
        let rows = sample(t, 12, |seed| {
            let mut c = MorrisCounter::with_seed(base, seed).unwrap();
            let mut done = 0;
            ns.iter()
                .map(|&n| {
                    // Memorylessness makes increments in steps equivalent to one big step.
                    c.increment_by(n - done);
                    done = n;
                    c.estimate()
                })
                .collect()
        });
        for (j, &n) in ns.iter().enumerate() {
            assert!(n as f64 <= MorrisCounter::with_seed(base, 0).unwrap().max_estimate());
            check("increment_by", base, n, rows.iter().map(|r| r[j]));
        }
    }
}

/// The exact distribution of the exponent after `n` increments, by dynamic programming.
fn exact_distribution(base: f64, n: u64) -> Vec<f64> {
    let mut p = vec![0.0; 256];
    p[0] = 1.0;
    for _ in 0..n {
        let mut next = vec![0.0; 256];
        for (c, &pc) in p.iter().enumerate().take(255) {
            let up = base.powi(-(c as i32));
            next[c] += pc * (1.0 - up);
            next[c + 1] += pc * up;
        }
        p = next;
    }
    p
}

/// Pearson's chi-square of observed exponent counts against exact probabilities, with cells
/// of expected count below 5 pooled; returns (statistic, degrees of freedom).
fn chi_square(counts: &[u64], probs: &[f64], t: usize) -> (f64, usize) {
    let (mut stat, mut cells) = (0.0, 0usize);
    let (mut obs, mut exp) = (0.0, 0.0);
    for (&o, &p) in counts.iter().zip(probs) {
        obs += o as f64;
        exp += p * t as f64;
        if exp >= 5.0 {
            stat += (obs - exp).powi(2) / exp;
            cells += 1;
            (obs, exp) = (0.0, 0.0);
        }
    }
    if exp > 0.0 || obs > 0.0 {
        stat += (obs - exp).powi(2) / exp.max(1e-9);
        cells += 1;
    }
    (stat, cells.saturating_sub(1))
}

#[test]
fn increment_and_increment_by_follow_the_exact_distribution() {
    // Chi-square against the exact law of the exponent: the statistic has mean df and standard
    // deviation sqrt(2 df); a bound of df + 6 sqrt(2 df) fails a correct sampler with
    // probability well below 1e-6 and catches any sampler whose law is off by a few percent.
    let t = trials(20_000);
    for (base, n) in [(2.0, 5u64), (2.0, 300), (1.3, 40), (1.05, 500)] {
        let probs = exact_distribution(base, n);
        for by in [false, true] {
            let rows = sample(t, 13 + u64::from(by), |seed| {
                let mut c = MorrisCounter::with_seed(base, seed).unwrap();
                if by {
                    c.increment_by(n);
                } else {
                    (0..n).for_each(|_| c.increment());
                }
                vec![f64::from(c.exponent())]
            });
            let mut counts = vec![0u64; 256];
            for r in &rows {
                counts[r[0] as usize] += 1;
            }
            let (stat, df) = chi_square(&counts, &probs, t);
            let bound = df as f64 + 6.0 * (2.0 * df as f64).sqrt();
            assert!(
                stat <= bound,
                "base {base}, n {n}, increment_by {by}: chi2 {stat:.1} > {bound:.1} (df {df})"
            );
        }
    }
}

#[test]
fn increment_by_matches_single_increments_in_moments() {
    // Two-sample comparison: means differ by at most 5 standard errors of the difference,
    // variances likewise (each variance's standard error from its fourth moment).
    let t = trials(6000);
    for (base, n) in [(2.0, 10_000u64), (1.1, 3_000), (1.02, 2_000)] {
        let by = sample(t, 21, |seed| {
            let mut c = MorrisCounter::with_seed(base, seed).unwrap();
            c.increment_by(n);
            vec![c.estimate()]
        });
        let one = sample(t, 22, |seed| {
            let mut c = MorrisCounter::with_seed(base, seed).unwrap();
            (0..n).for_each(|_| c.increment());
            vec![c.estimate()]
        });
        let (a, b) = (
            moments(by.iter().map(|r| r[0])),
            moments(one.iter().map(|r| r[0])),
        );
        let se = a.se_mean.hypot(b.se_mean);
        assert!(
            (a.mean - b.mean).abs() <= 5.0 * se,
            "base {base}: means {} {}",
            a.mean,
            b.mean
        );
        let se = a.se_var.hypot(b.se_var);
        assert!(
            (a.var - b.var).abs() <= 5.0 * se,
            "base {base}: variances {} {}",
            a.var,
            b.var
        );
    }
}

#[test]
fn merge_is_unbiased() {
    let t = trials(20_000);
    for (base, n1, n2) in [
        (2.0, 1000u64, 1000u64),
        (2.0, 100_000, 37),
        (1.1, 50_000, 20_000),
    ] {
        let rows = sample(t, 31, |seed| {
            let mut a = MorrisCounter::with_seed(base, seed).unwrap();
            let mut b = MorrisCounter::with_seed(base, !seed).unwrap();
            a.increment_by(n1);
            b.increment_by(n2);
            a.merge(&b).unwrap();
            vec![a.estimate()]
        });
        let m = moments(rows.iter().map(|r| r[0]));
        let n = (n1 + n2) as f64;
        assert!(
            (m.mean - n).abs() <= 5.0 * m.se_mean,
            "base {base}, {n1}+{n2}: mean {} se {}",
            m.mean,
            m.se_mean
        );
        // Merging adds the two counters' variances plus the replay's own noise: it stays within
        // a small factor of one counter's variance at the total, never far above.
        let v = theory_var(base, n1 + n2);
        assert!(
            m.var <= 2.0 * v,
            "base {base}: merged variance {} vs {v}",
            m.var
        );
    }
}

#[test]
fn array_counters_behave_like_single_counters() {
    // 4-bit and 8-bit arrays, each counter given n increments: the estimates across counters
    // are independent samples of the single counter's law.
    let n = 2000u64;
    for (base, bits) in [(2.0, 4u8), (1.1, 8)] {
        let len = trials(20_000);
        let mut a = MorrisArray::with_seed(len, base, bits, 5).unwrap();
        for i in 0..len {
            if i % 2 == 0 {
                a.increment_by(i, n);
            } else {
                (0..n).for_each(|_| a.increment(i));
            }
        }
        check("array", base, n, a.estimates());
    }
}
