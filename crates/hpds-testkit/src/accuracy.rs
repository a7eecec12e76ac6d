//! Error statistics of an estimator over many seeded trials.
//!
//! Accuracy tests follow one pattern: for each of `trials` seeds, stream distinct items into a
//! fresh estimator and record its estimate at each checkpoint cardinality; then compare the
//! relative bias and RMSE at each cardinality with the estimator's theoretical standard error.
//! [`Accuracy::run_streaming`] does the streaming in one pass per trial, so checking 30
//! cardinalities costs no more than checking the largest.

use hpds_core::hash::mix64;

use crate::streams::distinct_u64s;

/// Cardinalities from `min` to `max` spaced evenly on a log scale, `per_decade` per factor of
/// ten, rounded and de-duplicated; always includes `min` and `max`.
///
/// # Example
/// ```
/// assert_eq!(hpds_testkit::log_scale(1, 1000, 1), vec![1, 10, 100, 1000]);
/// ```
pub fn log_scale(min: u64, max: u64, per_decade: u32) -> Vec<u64> {
    assert!(min >= 1 && max >= min && per_decade >= 1);
    let (lo, hi) = ((min as f64).log10(), (max as f64).log10());
    let steps = ((hi - lo) * f64::from(per_decade)).ceil() as u32;
    let mut out: Vec<u64> = (0..=steps)
        .map(|i| {
            let x = lo + (hi - lo) * f64::from(i) / f64::from(steps.max(1));
            10f64.powf(x).round() as u64
        })
        .collect();
    out[0] = min;
    *out.last_mut().expect("non-empty") = max;
    out.dedup();
    out
}

/// The error of an estimator at one cardinality, over all trials.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorStats {
    /// The true cardinality.
    pub n: u64,
    /// Number of trials.
    pub trials: usize,
    /// Mean estimate.
    pub mean: f64,
    /// Mean relative error, `mean / n - 1`.
    pub bias: f64,
    /// Root mean squared relative error, `sqrt(mean((est/n - 1)^2))`.
    pub rmse: f64,
    /// Standard deviation of the relative error.
    pub std_dev: f64,
    /// 5th, 50th and 95th percentile of the relative error.
    pub quantiles: [f64; 3],
    /// Largest absolute relative error.
    pub max_abs: f64,
}

impl ErrorStats {
    /// Statistics of `estimates` of the true value `n`.
    pub fn from_estimates(n: u64, estimates: &[f64]) -> Self {
        assert!(!estimates.is_empty() && n > 0);
        let t = estimates.len() as f64;
        let nf = n as f64;
        let mut rel: Vec<f64> = estimates.iter().map(|e| e / nf - 1.0).collect();
        let bias = rel.iter().sum::<f64>() / t;
        let rmse = (rel.iter().map(|r| r * r).sum::<f64>() / t).sqrt();
        let var = rel.iter().map(|r| (r - bias).powi(2)).sum::<f64>() / (t - 1.0).max(1.0);
        rel.sort_by(f64::total_cmp);
        let q = |p: f64| rel[((rel.len() - 1) as f64 * p).round() as usize];
        Self {
            n,
            trials: estimates.len(),
            mean: estimates.iter().sum::<f64>() / t,
            bias,
            rmse,
            std_dev: var.sqrt(),
            quantiles: [q(0.05), q(0.5), q(0.95)],
            max_abs: rel.iter().fold(0.0, |m, r| m.max(r.abs())),
        }
    }

    /// The bias in units of its standard error: above ~4 the bias is statistically real.
    pub fn bias_z(&self) -> f64 {
        if self.std_dev == 0.0 {
            if self.bias == 0.0 { 0.0 } else { f64::INFINITY }
        } else {
            self.bias.abs() / (self.std_dev / (self.trials as f64).sqrt())
        }
    }
}

/// A plan for an accuracy experiment.
#[derive(Debug, Clone)]
pub struct Accuracy {
    /// Trials per cardinality.
    pub trials: usize,
    /// Checkpoint cardinalities, ascending.
    pub cardinalities: Vec<u64>,
    /// Master seed; trial `t` uses a seed derived from it.
    pub seed: u64,
    /// Worker threads (default: the machine's parallelism).
    pub threads: usize,
}

impl Accuracy {
    /// A plan with the machine's parallelism.
    pub fn new(trials: usize, cardinalities: Vec<u64>, seed: u64) -> Self {
        assert!(trials > 0 && !cardinalities.is_empty());
        assert!(cardinalities.windows(2).all(|w| w[0] < w[1]) && cardinalities[0] > 0);
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            trials,
            cardinalities,
            seed,
            threads,
        }
    }

    /// The seed of trial `t`.
    pub fn trial_seed(&self, t: usize) -> u64 {
        mix64(self.seed ^ mix64(t as u64 + 1))
    }

    /// Streams distinct well-mixed `u64`s (usable as hashes) into `new(trial_seed)` with
    /// `insert`, and records `estimate` at every checkpoint.
    pub fn run_streaming<S>(
        &self,
        new: impl Fn(u64) -> S + Sync,
        insert: impl Fn(&mut S, u64) + Sync,
        estimate: impl Fn(&S) -> f64 + Sync,
    ) -> Vec<ErrorStats> {
        let mut rows = self.run_streaming_many(new, insert, &[&estimate]);
        rows.pop().expect("one estimator")
    }

    /// [`run_streaming`](Self::run_streaming) with several estimators read from the same
    /// sketches: one row of statistics per checkpoint for each estimator, in their order.
    pub fn run_streaming_many<S>(
        &self,
        new: impl Fn(u64) -> S + Sync,
        insert: impl Fn(&mut S, u64) + Sync,
        estimators: &[&(dyn Fn(&S) -> f64 + Sync)],
    ) -> Vec<Vec<ErrorStats>> {
        let per_trial = self.collect_trials(|seed| {
            let mut sketch = new(seed);
            let mut items = distinct_u64s(seed);
            let mut seen = 0u64;
            let mut out = Vec::with_capacity(self.cardinalities.len() * estimators.len());
            for &n in &self.cardinalities {
                while seen < n {
                    insert(&mut sketch, items.next().expect("endless"));
                    seen += 1;
                }
                out.extend(estimators.iter().map(|e| e(&sketch)));
            }
            out
        });
        (0..estimators.len())
            .map(|e| self.stats(&per_trial, |j| j * estimators.len() + e))
            .collect()
    }

    /// Calls `trial(seed, n)` for every trial and cardinality (for structures that must be built
    /// from scratch for each cardinality).
    pub fn run_each(&self, trial: impl Fn(u64, u64) -> f64 + Sync) -> Vec<ErrorStats> {
        self.collect(|seed| self.cardinalities.iter().map(|&n| trial(seed, n)).collect())
    }

    fn collect(&self, one_trial: impl Fn(u64) -> Vec<f64> + Sync) -> Vec<ErrorStats> {
        let per_trial = self.collect_trials(one_trial);
        self.stats(&per_trial, |j| j)
    }

    /// `one_trial(trial_seed(t))` for every trial `t`, spread over the worker threads.
    fn collect_trials(&self, one_trial: impl Fn(u64) -> Vec<f64> + Sync) -> Vec<Vec<f64>> {
        let threads = self.threads.clamp(1, self.trials);
        let mut results: Vec<Vec<f64>> = vec![Vec::new(); self.trials];
        std::thread::scope(|scope| {
            for (worker, chunk) in results
                .chunks_mut(self.trials.div_ceil(threads))
                .enumerate()
            {
                let one_trial = &one_trial;
                let base = worker * self.trials.div_ceil(threads);
                scope.spawn(move || {
                    for (i, slot) in chunk.iter_mut().enumerate() {
                        *slot = one_trial(self.trial_seed(base + i));
                    }
                });
            }
        });
        results
    }

    /// Statistics per checkpoint `j` of the trials' estimates at position `at(j)`.
    fn stats(&self, per_trial: &[Vec<f64>], at: impl Fn(usize) -> usize) -> Vec<ErrorStats> {
        self.cardinalities
            .iter()
            .enumerate()
            .map(|(j, &n)| {
                let estimates: Vec<f64> = per_trial.iter().map(|r| r[at(j)]).collect();
                ErrorStats::from_estimates(n, &estimates)
            })
            .collect()
    }
}

/// Asserts that every row's RMSE is at most `rmse_bound` and its mean error at most
/// `bias_bound(row)` in absolute value; the message names `name`, the row and both bounds, and
/// prints the whole table.
///
/// # Panics
/// When a row is outside its bounds.
pub fn assert_within(
    name: &str,
    rows: &[ErrorStats],
    rmse_bound: f64,
    bias_bound: impl Fn(&ErrorStats) -> f64,
) {
    for r in rows {
        let bias_bound = bias_bound(r);
        assert!(
            r.rmse <= rmse_bound && r.bias.abs() <= bias_bound,
            "{name} at n = {}: rmse {:.5} (bound {rmse_bound:.5}), bias {:.5} (bound {bias_bound:.5})\n{}",
            r.n,
            r.rmse,
            r.bias,
            table(rows)
        );
    }
}

/// Formats statistics as an aligned text table (for test failure messages and reports).
pub fn table(rows: &[ErrorStats]) -> String {
    use std::fmt::Write;
    let mut s = String::from("        n  trials      bias      rmse       q05       q95\n");
    for r in rows {
        let _ = writeln!(
            s,
            "{:>9} {:>7} {:>9.5} {:>9.5} {:>9.5} {:>9.5}",
            r.n, r.trials, r.bias, r.rmse, r.quantiles[0], r.quantiles[2]
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_estimator_has_zero_error() {
        let plan = Accuracy::new(4, log_scale(1, 1000, 2), 1);
        let rows = plan.run_streaming(|_| 0u64, |c, _| *c += 1, |c| *c as f64);
        assert!(rows.iter().all(|r| r.rmse == 0.0 && r.bias == 0.0));
        assert_eq!(rows.len(), plan.cardinalities.len());
    }

    #[test]
    fn several_estimators_read_the_same_sketches() {
        let plan = Accuracy::new(5, log_scale(1, 1000, 2), 4);
        let count = |c: &u64| *c as f64;
        let double = |c: &u64| 2.0 * *c as f64;
        let rows = plan.run_streaming_many(|_| 0u64, |c, _| *c += 1, &[&count, &double]);
        assert_eq!(rows.len(), 2);
        assert!(rows[0].iter().all(|r| r.rmse == 0.0));
        assert!(rows[1].iter().all(|r| (r.bias - 1.0).abs() < 1e-12));
    }

    #[test]
    fn statistics_of_known_values() {
        let s = ErrorStats::from_estimates(100, &[90.0, 110.0, 100.0, 100.0]);
        assert!((s.bias).abs() < 1e-12);
        assert!((s.rmse - (0.02f64 / 4.0).sqrt()).abs() < 1e-12);
        assert!((s.max_abs - 0.1).abs() < 1e-12);
        assert_eq!(s.trials, 4);
    }

    #[test]
    fn biased_estimator_is_detected() {
        // An estimator that overcounts by 10% with 1% noise: its bias must stand out.
        let plan = Accuracy::new(50, vec![1000], 3);
        let rows =
            plan.run_each(|seed, n| n as f64 * (1.1 + (mix64(seed) % 100) as f64 / 10_000.0));
        assert!(rows[0].bias > 0.09 && rows[0].bias_z() > 10.0);
    }

    #[test]
    fn trial_seeds_are_deterministic_and_distinct() {
        let plan = Accuracy::new(3, vec![1], 8);
        assert_eq!(
            plan.trial_seed(2),
            Accuracy::new(3, vec![1], 8).trial_seed(2)
        );
        assert_ne!(plan.trial_seed(1), plan.trial_seed(2));
    }
}
