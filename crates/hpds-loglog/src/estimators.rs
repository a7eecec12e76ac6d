//! The estimators of the family, as functions of a register histogram.
//!
//! Every sketch in this crate keeps the same registers (the largest rank seen per bucket); the
//! members differ only in how they turn registers into an estimate. The functions here take the
//! histogram `h` (`h[k]` = number of registers holding `k`, as returned by
//! [`HyperLogLog::register_histogram`](crate::HyperLogLog::register_histogram)) and the precision
//! `p`, so each costs `O(64)` once the histogram is built. The sketches pick one through
//! [`Estimator`]; the table generator (`benches/src/bin/loglog_tables.rs`) runs the raw ones.

use crate::tables;

/// How a sketch turns its registers into an estimate.
///
/// | estimator | standard error | notes |
/// |---|---|---|
/// | [`LogLog`](Self::LogLog) | 1.30/√m | Durand–Flajolet geometric mean, bias-corrected below 12 m |
/// | [`SuperLogLog`](Self::SuperLogLog) | 1.05/√m | mean of the smallest 70 % of registers, calibrated constant |
/// | [`Classic`](Self::Classic) | 1.04/√m | Flajolet et al. 2007: harmonic mean, linear counting below 2.5 m |
/// | [`BiasCorrected`](Self::BiasCorrected) | 1.04/√m | HyperLogLog++ (Heule et al. 2013) with our simulated tables |
/// | [`Ertl`](Self::Ertl) | 1.04/√m | Ertl's improved raw estimator (2017), no tables |
/// | [`Hip`](Self::Hip) | 0.83/√m | historic inverse probability (Cohen; Ting), insert-only sketches |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Estimator {
    /// LogLog's geometric mean `α_m · m · 2^(mean register)` with Durand and Flajolet's
    /// `α_m`, linear counting at small cardinalities and our simulated bias table between.
    LogLog,
    /// SuperLogLog's truncated mean: only the smallest `⌊0.7 m⌋` registers are averaged; the
    /// constant is calibrated by simulation per precision (not HyperLogLog's α), with linear
    /// counting and a simulated bias table at small cardinalities.
    SuperLogLog,
    /// The original HyperLogLog estimator: `α_m m² / Σ 2^-M`, switching to linear counting
    /// below `2.5 m` when a register is still zero. Biased around the switch.
    Classic,
    /// HyperLogLog++: the raw harmonic-mean estimate minus an empirical bias interpolated
    /// from tables simulated by `benches/src/bin/loglog_tables.rs`, linear counting below a simulated
    /// threshold.
    BiasCorrected,
    /// Ertl's improved raw estimator: unbiased over the whole range without tables.
    Ertl,
    /// The HIP / martingale estimator, maintained on every register change. Only defined for a
    /// sketch built by inserts alone; after a merge the sketches fall back to [`Ertl`](Self::Ertl).
    Hip,
}

/// `2^-k` for `k` in `0..=64`, exactly.
#[inline]
pub(crate) fn pow2neg(k: u8) -> f64 {
    f64::from_bits((1023 - u64::from(k)) << 52)
}

/// Linear counting: `m ln(m / zeros)`, the estimate from the number of empty registers.
/// Infinite when no register is empty.
pub fn linear_counting(m: f64, zeros: f64) -> f64 {
    if zeros == 0.0 {
        f64::INFINITY
    } else {
        m * (m / zeros).ln()
    }
}

fn m_of(p: u8) -> f64 {
    f64::from(1u32 << p)
}

/// HyperLogLog's `α_m` (Flajolet et al. 2007, figure 3).
pub fn hll_alpha(p: u8) -> f64 {
    match p {
        4 => 0.673,
        5 => 0.697,
        6 => 0.709,
        _ => 0.7213 / (1.0 + 1.079 / m_of(p)),
    }
}

/// LogLog's `α_m ≈ α_∞ − (2π² + ln²2) / (48 m)` with `α_∞ = 0.39701` (Durand and Flajolet 2003).
pub fn loglog_alpha(p: u8) -> f64 {
    let ln2 = core::f64::consts::LN_2;
    0.39701 - (2.0 * core::f64::consts::PI * core::f64::consts::PI + ln2 * ln2) / (48.0 * m_of(p))
}

/// The raw harmonic-mean estimate `α_m m² / Σ 2^-M`.
pub fn hll_raw(h: &[u32; 65], p: u8) -> f64 {
    let m = m_of(p);
    let sum: f64 = h
        .iter()
        .enumerate()
        .map(|(k, &c)| f64::from(c) * pow2neg(k as u8))
        .sum();
    hll_alpha(p) * m * m / sum
}

/// The raw LogLog estimate `α_m · m · 2^(mean register)`.
pub fn loglog_raw(h: &[u32; 65], p: u8) -> f64 {
    let m = m_of(p);
    let total: f64 = h
        .iter()
        .enumerate()
        .map(|(k, &c)| k as f64 * f64::from(c))
        .sum();
    loglog_alpha(p) * m * (total / m).exp2()
}

/// The number of registers SuperLogLog averages: `⌊0.7 m⌋`.
pub fn superloglog_kept(p: u8) -> u32 {
    (7u32 << p) / 10
}

/// The mean of the smallest `⌊0.7 m⌋` registers (SuperLogLog's truncation rule).
pub fn superloglog_truncated_mean(h: &[u32; 65], p: u8) -> f64 {
    let kept = superloglog_kept(p);
    let mut left = kept;
    let mut total = 0u64;
    for (k, &c) in h.iter().enumerate() {
        let take = c.min(left);
        total += u64::from(take) * k as u64;
        left -= take;
        if left == 0 {
            break;
        }
    }
    total as f64 / f64::from(kept)
}

/// Phases per octave of SuperLogLog's calibrated constant.
pub const SUPERLOGLOG_PHASES: usize = 16;

/// The constant of SuperLogLog's estimate `α̃ · m · 2^T` (`T` the truncated mean) for the
/// phase `frac(T)`, interpolated (periodically) in `alphas`.
///
/// Truncating at a discrete register value makes `E[2^T] / n` oscillate with `log2 n` (period
/// one octave); `frac(T)` tracks that phase, so the constant is calibrated per phase
/// (`benches/src/bin/loglog_tables.rs`) instead of once, which removes the oscillating bias.
pub fn superloglog_alpha_at(alphas: &[f64; SUPERLOGLOG_PHASES], truncated_mean: f64) -> f64 {
    let k = SUPERLOGLOG_PHASES as f64;
    // Bin j covers phases [j/k, (j+1)/k); its value sits at the bin's centre.
    let x = truncated_mean.rem_euclid(1.0) * k - 0.5;
    let x = if x < 0.0 { x + k } else { x };
    let i = (x.floor() as usize).min(SUPERLOGLOG_PHASES - 1);
    let t = x - i as f64;
    let j = (i + 1) % SUPERLOGLOG_PHASES;
    alphas[i] + t * (alphas[j] - alphas[i])
}

/// SuperLogLog's constants for precision `p` (16 phases per octave), calibrated by simulation.
pub fn superloglog_alphas(p: u8) -> &'static [f64; SUPERLOGLOG_PHASES] {
    &tables::SUPERLOGLOG_ALPHA[usize::from(p - 4)]
}

/// The raw SuperLogLog estimate `α̃(frac T) · m · 2^T` with the given phase constants.
pub fn superloglog_raw_with(alphas: &[f64; SUPERLOGLOG_PHASES], h: &[u32; 65], p: u8) -> f64 {
    let t = superloglog_truncated_mean(h, p);
    superloglog_alpha_at(alphas, t) * m_of(p) * t.exp2()
}

/// The raw SuperLogLog estimate with the calibrated constants.
pub fn superloglog_raw(h: &[u32; 65], p: u8) -> f64 {
    superloglog_raw_with(superloglog_alphas(p), h, p)
}

/// The original HyperLogLog estimator (64-bit hash, so no large-range correction).
pub fn classic(h: &[u32; 65], p: u8) -> f64 {
    let m = m_of(p);
    let raw = hll_raw(h, p);
    if raw <= 2.5 * m && h[0] > 0 {
        linear_counting(m, f64::from(h[0]))
    } else {
        raw
    }
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let prev = z;
        z += x * y;
        y += y;
        if z == prev {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let prev = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if z == prev {
            return z / 3.0;
        }
    }
}

/// Ertl's improved raw estimator ("New cardinality estimation algorithms for HyperLogLog
/// sketches", 2017, algorithm 6): the harmonic mean with the contributions of empty and
/// saturated registers replaced by the functions σ and τ, unbiased from 0 to 2^64 with no
/// empirical data.
pub fn ertl(h: &[u32; 65], p: u8) -> f64 {
    let m = m_of(p);
    let q = usize::from(64 - p);
    let mut z = m * tau(1.0 - f64::from(h[q + 1]) / m);
    for k in (1..=q).rev() {
        z = 0.5 * (z + f64::from(h[k]));
    }
    z += m * sigma(f64::from(h[0]) / m);
    m * m / (2.0 * core::f64::consts::LN_2) / z
}

/// Which raw estimate a bias table corrects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Raw {
    LogLog,
    SuperLogLog,
    Hll,
}

/// Corrects `raw` with a table of (mean raw estimate, true cardinality), both divided by `m`,
/// by linear interpolation. Beyond the table the raw estimate is unbiased and is returned.
pub(crate) fn interpolate(table: &tables::BiasTable, raw_over_m: f64) -> f64 {
    let xs = &table.raw;
    if raw_over_m >= xs[xs.len() - 1] {
        return raw_over_m;
    }
    let i = xs.partition_point(|&x| x <= raw_over_m).max(1);
    let (x0, x1) = (xs[i - 1], xs[i]);
    let (y0, y1) = (table.n[i - 1], table.n[i]);
    let t = ((raw_over_m - x0) / (x1 - x0)).clamp(0.0, 1.0);
    y0 + t * (y1 - y0)
}

/// An estimate with the simulated bias correction: linear counting while it is below the
/// simulated threshold, the table-corrected raw estimate otherwise.
pub(crate) fn bias_corrected_raw(h: &[u32; 65], p: u8, raw: Raw) -> f64 {
    let m = m_of(p);
    let i = usize::from(p - 4);
    let table = match raw {
        Raw::LogLog => &tables::LOGLOG[i],
        Raw::SuperLogLog => &tables::SUPERLOGLOG[i],
        Raw::Hll => &tables::HLL[i],
    };
    if h[0] > 0 {
        let lc = linear_counting(m, f64::from(h[0]));
        if lc <= table.threshold * m {
            return lc;
        }
    }
    let estimate = match raw {
        Raw::LogLog => loglog_raw(h, p),
        Raw::SuperLogLog => superloglog_raw(h, p),
        Raw::Hll => hll_raw(h, p),
    };
    interpolate(table, estimate / m) * m
}

/// HyperLogLog++'s bias-corrected estimate (Heule et al. 2013) with our simulated tables.
pub fn bias_corrected(h: &[u32; 65], p: u8) -> f64 {
    bias_corrected_raw(h, p, Raw::Hll)
}

/// LogLog's estimate: linear counting, then the bias-corrected geometric mean.
pub fn loglog(h: &[u32; 65], p: u8) -> f64 {
    bias_corrected_raw(h, p, Raw::LogLog)
}

/// SuperLogLog's estimate: linear counting, then the bias-corrected truncated mean.
pub fn superloglog(h: &[u32; 65], p: u8) -> f64 {
    bias_corrected_raw(h, p, Raw::SuperLogLog)
}

/// The theoretical relative standard error of `estimator` with `2^p` registers, in the range
/// where it is not dominated by linear counting.
pub fn standard_error(estimator: Estimator, p: u8) -> f64 {
    let c = match estimator {
        Estimator::LogLog => 1.30,
        Estimator::SuperLogLog => 1.05,
        Estimator::Classic | Estimator::BiasCorrected | Estimator::Ertl => 1.04,
        Estimator::Hip => core::f64::consts::LN_2.sqrt(),
    };
    c / m_of(p).sqrt()
}

/// The state of the HIP estimator: the running estimate and `Σ 2^-M` over the registers, so
/// the probability that the next new item changes a register is `s / m`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Hip {
    pub(crate) estimate: f64,
    pub(crate) s: f64,
}

impl Hip {
    pub(crate) fn new(m: f64) -> Self {
        Self {
            estimate: 0.0,
            s: m,
        }
    }

    /// Accounts for a register raised from `old` to `new`: the item that did it had chance
    /// `s / m` of changing the sketch, so it stands for `m / s` items.
    #[inline]
    pub(crate) fn on_change(&mut self, m: f64, old: u8, new: u8) {
        self.estimate += m / self.s;
        self.s += pow2neg(new) - pow2neg(old);
    }
}

/// `Σ 2^-M` from a histogram.
pub(crate) fn inverse_sum(h: &[u32; 65]) -> f64 {
    h.iter()
        .enumerate()
        .map(|(k, &c)| f64::from(c) * pow2neg(k as u8))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_histogram_estimates_zero() {
        for p in 4..=18u8 {
            let mut h = [0u32; 65];
            h[0] = 1 << p;
            assert_eq!(ertl(&h, p), 0.0);
            assert_eq!(classic(&h, p), 0.0);
            assert_eq!(bias_corrected(&h, p), 0.0);
            assert_eq!(loglog(&h, p), 0.0);
            assert_eq!(superloglog(&h, p), 0.0);
        }
    }

    #[test]
    fn saturated_histogram_is_huge() {
        let p = 10;
        let mut h = [0u32; 65];
        h[usize::from(64 - p + 1)] = 1 << p;
        let e = ertl(&h, p);
        // Every register at the cap: beyond what 64-bit hashes can count (Ertl gives ∞).
        assert!(e > 1e18, "{e}");
    }

    #[test]
    fn pow2neg_is_exact() {
        for k in 0..=64u8 {
            assert_eq!(pow2neg(k), 0.5f64.powi(i32::from(k)));
        }
    }
}
