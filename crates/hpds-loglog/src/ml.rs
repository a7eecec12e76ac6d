//! Maximum-likelihood estimation for UltraLogLog and ExaLogLog (Ertl 2024, 2025) and the
//! theory that gives each estimator's error.
//!
//! Under the Poisson model with `n` items, a register rules out the values it has not seen
//! (those above its largest and the clear window bits) and confirms those it has. With
//! `x = n / (m 2^(t+1))` the log-likelihood is `-a x + Σ_j b_j ln(1 - e^(-x / 2^j))`, where
//! `a` sums the rates of the ruled-out values and `b_j` counts confirmed values at level
//! `j` ([`crate::window`]). It is concave, so its maximum is the one root of the derivative.

use crate::window::{Rates, pow2neg};

/// The sufficient statistics of the likelihood: the rate sum `a` and the level counts `b`.
pub(crate) struct Likelihood {
    pub(crate) a: f64,
    pub(crate) b: [u32; 64],
}

impl Likelihood {
    pub(crate) fn new() -> Self {
        Self { a: 0.0, b: [0; 64] }
    }

    /// Adds one register `r = (u << d) | window`.
    #[inline]
    pub(crate) fn add(&mut self, r: u32, d: u32, rates: Rates) {
        let u = r >> d;
        if u == 0 {
            self.a += f64::from(2u32 << rates.t);
            return;
        }
        self.a += rates.above(u);
        self.b[rates.level(u) as usize] += 1;
        let valid = crate::window::valid_bits(u, d);
        let mut bits = valid;
        while bits != 0 {
            let bit = bits.trailing_zeros();
            bits &= bits - 1;
            let level = rates.level(u + bit - d);
            if r & (1 << bit) == 0 {
                self.a += pow2neg(level);
            } else {
                self.b[level as usize] += 1;
            }
        }
    }

    /// The `x` that maximizes the likelihood: 0 when nothing was seen, infinite when nothing
    /// was ruled out (every register saturated).
    pub(crate) fn solve(&self) -> f64 {
        let s1: f64 = self.b.iter().map(|&c| f64::from(c)).sum();
        if s1 == 0.0 {
            return 0.0;
        }
        if self.a <= 0.0 {
            return f64::INFINITY;
        }
        let s2: f64 = self
            .b
            .iter()
            .enumerate()
            .map(|(j, &c)| f64::from(c) * pow2neg(j as u32))
            .sum();
        // A lower bound of the root (Jensen's inequality on the concave `1 - y / (e^y - 1)`).
        // The derivative is convex and decreasing, so Newton's steps from below stay below
        // the root and increase monotonically.
        let mut x = s1 / (0.5 * s2 + self.a);
        for _ in 0..200 {
            let (mut g, mut dg) = (-self.a, 0.0);
            for (j, &c) in self.b.iter().enumerate() {
                if c == 0 {
                    continue;
                }
                let w = pow2neg(j as u32);
                let y = x * w;
                let em1 = y.exp_m1();
                g += f64::from(c) * w / em1;
                dg -= f64::from(c) * w * w / (em1 * -(-y).exp_m1());
            }
            if g <= 0.0 || dg >= 0.0 || !dg.is_finite() {
                break;
            }
            let step = -g / dg;
            x += step;
            if step <= x * 1e-12 {
                break;
            }
        }
        x
    }
}

/// Hurwitz's zeta function `ζ(s, a) = Σ_k (a + k)^-s` for `s > 1`, `a > 0`: twenty terms,
/// then the Euler–Maclaurin tail (relative error far below 1e-12 here).
pub(crate) fn hurwitz_zeta(s: f64, a: f64) -> f64 {
    const N: u32 = 20;
    let mut sum = 0.0;
    for k in 0..N {
        sum += (a + f64::from(k)).powf(-s);
    }
    let z = a + f64::from(N);
    sum + z.powf(1.0 - s) / (s - 1.0) + 0.5 * z.powf(-s) + s / 12.0 * z.powf(-s - 1.0)
        - s * (s + 1.0) * (s + 2.0) / 720.0 * z.powf(-s - 3.0)
        + s * (s + 1.0) * (s + 2.0) * (s + 3.0) * (s + 4.0) / 30240.0 * z.powf(-s - 5.0)
}

/// The base `b = 2^(2^-t)` of the update values' geometric distribution and the window term
/// `x = b^-d / (b - 1)`.
fn base_and_x(t: u8, d: u8) -> (f64, f64) {
    let b = (1.0 / f64::from(1u32 << t)).exp2();
    (b, b.powf(-f64::from(d)) / (b - 1.0))
}

/// `√m` times the relative standard error of the maximum-likelihood estimator:
/// `sqrt(ln b / ζ(2, 1 + x))` (the inverse square root of the Fisher information).
pub(crate) fn ml_error_constant(t: u8, d: u8) -> f64 {
    let (b, x) = base_and_x(t, d);
    (b.ln() / hurwitz_zeta(2.0, 1.0 + x)).sqrt()
}

/// `√m` times the relative standard error of the martingale estimator:
/// `sqrt(ln b (1 + x) / 2)`.
pub(crate) fn martingale_error_constant(t: u8, d: u8) -> f64 {
    let (b, x) = base_and_x(t, d);
    (b.ln() * (1.0 + x) / 2.0).sqrt()
}

/// The first-order bias of the maximum-likelihood estimate is `c / m`; the estimate is
/// divided by `1 + c / m`, with `c = ln b (1 + 2x) ζ(3, 1 + x) / ζ(2, 1 + x)^2`.
pub(crate) fn ml_bias_constant(t: u8, d: u8) -> f64 {
    let (b, x) = base_and_x(t, d);
    let z2 = hurwitz_zeta(2.0, 1.0 + x);
    b.ln() * (1.0 + 2.0 * x) * hurwitz_zeta(3.0, 1.0 + x) / (z2 * z2)
}

/// The maximum-likelihood estimate from the statistics of `m` registers with `2^t`
/// sub-buckets and `d` window bits.
pub(crate) fn estimate(l: &Likelihood, m: usize, t: u8, d: u8) -> f64 {
    let x = l.solve();
    let m = m as f64;
    x * m * f64::from(2u32 << t) / (1.0 + ml_bias_constant(t, d) / m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_the_papers() {
        // UltraLogLog (t = 0, d = 2): sqrt(ln 2 / ζ(2, 5/4)) and the bias constant.
        assert!((ml_error_constant(0, 2) - 0.760_862_100_272_518_2).abs() < 1e-12);
        assert!((ml_bias_constant(0, 2) - 0.481_473_765_277_200_65).abs() < 1e-12);
        // ExaLogLog: memory-variance products of the ML estimator, (6 + t + d) c².
        let mvp = |t: u8, d: u8| f64::from(6 + t + d) * ml_error_constant(t, d).powi(2);
        assert!((mvp(2, 20) - 3.67).abs() < 0.01, "{}", mvp(2, 20));
        assert!((ml_bias_constant(2, 20) - 0.105_538_243_071_734_4).abs() < 1e-9);
        assert!((ml_bias_constant(2, 24) - 0.091_193_602_059_522_69).abs() < 1e-9);
        assert!((ml_bias_constant(1, 9) - 0.190_740_893_782_727_04).abs() < 1e-9);
    }

    #[test]
    fn solver_finds_the_root() {
        let mut l = Likelihood::new();
        l.a = 3.0;
        l.b[0] = 5;
        l.b[3] = 7;
        let x = l.solve();
        let g: f64 = -l.a
            + l.b
                .iter()
                .enumerate()
                .map(|(j, &c)| {
                    let w = pow2neg(j as u32);
                    f64::from(c) * w / (x * w).exp_m1()
                })
                .sum::<f64>();
        assert!(g.abs() < 1e-9, "{g}");
    }
}
