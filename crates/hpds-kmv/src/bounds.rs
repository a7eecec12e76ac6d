//! Confidence bounds on a count from a Bernoulli sample: the bounds of theta sketches.
//!
//! A theta sketch holds every distinct hash below θ, so of `n` distinct items it holds
//! `r ~ Binomial(n, θ)`. Treating θ as fixed, the bounds on `n` at one-sided tail probability
//! `δ` are the `n` at which observing `r` becomes a `δ`-tail event (Dasgupta, Lang, Rhodes and
//! Thaler, "A Framework for Estimating Stream Expression Cardinalities", ICDT 2016, show these
//! bounds hold for θ chosen by the sketch's own order statistics, and for the results of set
//! expressions):
//!
//! - lower: the smallest `n` with `P(Bin(n, θ) ≥ r) ≥ δ`;
//! - upper: the largest `n` with `P(Bin(n, θ) ≤ r) ≥ δ`.
//!
//! Up to [`EXACT_LIMIT`] samples the tails are summed exactly (in log space) and `n` is found
//! by bisection; above it the normal approximation with continuity correction is within a
//! fraction of a percent of the exact bound.

/// Sample counts up to which the binomial tails are summed term by term.
const EXACT_LIMIT: u64 = 400;

/// `ln P(Bin(n, p) <= r)` for real `n >= r`, summing the terms in log space.
fn ln_cdf(r: u64, n: f64, p: f64) -> f64 {
    let ln_q = (-p).ln_1p();
    let ln_odds = p.ln() - ln_q;
    // ln pmf(0) = n ln(1 - p); pmf(j + 1) / pmf(j) = (n - j) / (j + 1) · p / (1 - p).
    let mut term = n * ln_q;
    let mut terms = Vec::with_capacity(r as usize + 1);
    terms.push(term);
    for j in 0..r {
        let jf = j as f64;
        let remaining = n - jf;
        if remaining <= 0.0 {
            break;
        }
        term += (remaining / (jf + 1.0)).ln() + ln_odds;
        terms.push(term);
    }
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln()
}

/// `P(Bin(n, p) <= r)`.
fn cdf(r: u64, n: f64, p: f64) -> f64 {
    ln_cdf(r, n, p).exp().min(1.0)
}

/// Bisection for the boundary of a predicate that holds below it and fails above it, between
/// `lo` (holds) and a `hi` found by doubling.
fn boundary(lo: f64, holds: impl Fn(f64) -> bool) -> f64 {
    let mut lo = lo;
    let mut step = lo.max(1.0);
    let mut hi = lo + step;
    while holds(hi) {
        lo = hi;
        step *= 2.0;
        hi = lo + step;
        if !hi.is_finite() {
            return lo;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if holds(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-9 * hi {
            break;
        }
    }
    lo
}

/// Lower and upper bounds on `n` given `r` samples at rate `p` in (0, 1], at one-sided tail
/// probability `delta` (normal quantile `z = Φ^-1(1 - delta)`). The lower bound is at least
/// `r`; both are `r` when `p = 1`.
pub(crate) fn binomial_bounds(r: u64, p: f64, z: f64, delta: f64) -> (f64, f64) {
    let rf = r as f64;
    if p >= 1.0 {
        return (rf, rf);
    }
    if r <= EXACT_LIMIT {
        // P(Bin(n, p) >= r) = 1 - P(<= r - 1) grows with n: the lower bound is where it reaches
        // delta, i.e. the largest n with P(<= r - 1) > 1 - delta.
        let lower = if r == 0 {
            0.0
        } else {
            boundary(rf, |n| cdf(r - 1, n, p) > 1.0 - delta)
        };
        // P(Bin(n, p) <= r) falls with n: the upper bound is the largest n where it is >= delta.
        let upper = boundary(rf, |n| cdf(r, n, p) >= delta);
        return (lower.max(rf), upper.max(rf / p));
    }
    // Normal approximation: r ∓ 1/2 = n p ± z sqrt(n p (1 - p)), solved for sqrt(n).
    let spread = z * (p * (1.0 - p)).sqrt();
    let root = |count: f64, sign: f64| {
        let s = (sign * spread + (spread * spread + 4.0 * p * count).sqrt()) / (2.0 * p);
        s * s
    };
    let lower = root(rf - 0.5, -1.0);
    let upper = root(rf + 0.5, 1.0);
    (lower.clamp(rf, rf / p), upper.max(rf / p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(r: u64, p: f64, confidence: f64) -> (f64, f64) {
        let z = hpds_core::stats::confidence_z(confidence).unwrap();
        binomial_bounds(r, p, z, (1.0 - confidence) / 2.0)
    }

    #[test]
    fn exact_cases() {
        // r = 0: the upper bound solves (1 - p)^n = delta.
        let (lo, hi) = bounds(0, 0.01, 0.95);
        assert_eq!(lo, 0.0);
        let expected = 0.025f64.ln() / 0.99f64.ln();
        assert!((hi / expected - 1.0).abs() < 1e-6, "{hi} vs {expected}");
        // p = 1: the count is known.
        assert_eq!(bounds(17, 1.0, 0.99), (17.0, 17.0));
    }

    #[test]
    fn exact_and_normal_agree_where_they_meet() {
        for p in [0.5, 0.05, 0.001] {
            let z = hpds_core::stats::confidence_z(0.95).unwrap();
            let (lo, hi) = binomial_bounds(EXACT_LIMIT, p, z, 0.025);
            let (lo2, hi2) = binomial_bounds(EXACT_LIMIT + 1, p, z, 0.025);
            assert!((lo2 / lo - 1.0).abs() < 0.01, "p {p}: {lo} {lo2}");
            assert!((hi2 / hi - 1.0).abs() < 0.01, "p {p}: {hi} {hi2}");
        }
    }

    #[test]
    fn bounds_bracket_the_estimate_and_widen_with_confidence() {
        for (r, p) in [(1, 0.5), (5, 0.01), (100, 0.1), (1000, 0.001), (3, 0.999)] {
            let est = r as f64 / p;
            let (lo68, hi68) = bounds(r, p, 0.68);
            let (lo99, hi99) = bounds(r, p, 0.99);
            assert!(lo99 <= lo68 && lo68 <= est && est <= hi68 && hi68 <= hi99);
            assert!(lo99 >= r as f64);
        }
    }
}
