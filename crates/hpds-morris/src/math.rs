//! The arithmetic shared by single counters and arrays: thresholds, range, sampling.

use hpds_core::{Error, Result};
use rand_core::RngCore;

/// The accessors of the parameters a single counter and an array share (each type has the
/// fields `base`, `bits` and `max_exponent`).
macro_rules! parameter_accessors {
    () => {
        /// The base: each event raises an exponent `c` with probability `base^-c`.
        pub fn base(&self) -> f64 {
            self.base
        }

        /// Bits per exponent.
        pub fn bits(&self) -> u8 {
            self.bits
        }

        /// The exponent at which a counter saturates: `min(2^bits - 1, floor(64 / log2(base)))`.
        pub fn max_exponent(&self) -> u8 {
            self.max_exponent
        }

        /// The estimate at saturation: the range a counter can count to.
        pub fn max_estimate(&self) -> f64 {
            $crate::math::estimate(self.base, self.max_exponent)
        }

        /// The relative standard error of a counter for large counts, `sqrt((base - 1) / 2)`.
        pub fn relative_std_error(&self) -> f64 {
            ((self.base - 1.0) / 2.0).sqrt()
        }
    };
}

/// 2^64 as a float.
const TWO_64: f64 = 18_446_744_073_709_551_616.0;

/// Checks that `base` is a usable Morris base.
pub(crate) fn check_base(base: f64) -> Result<f64> {
    // Above 2^32 a second exponent step would already need a probability below 2^-64.
    if base.is_finite() && base > 1.0 && base <= 4_294_967_296.0 {
        Ok(base)
    } else {
        Err(Error::invalid_parameter(
            "base",
            base,
            "a finite number in (1, 2^32]",
        ))
    }
}

/// The top exponent for `base` in `bits` bits: the largest exponent representable in the bits
/// whose increment probability, `base^-c`, is still at least 2^-64 (the resolution of one
/// random `u64`).
pub(crate) fn max_exponent(base: f64, bits: u8) -> u8 {
    let by_bits = (1u32 << bits) - 1;
    // c * log2(base) <= 64; ln_1p keeps precision for bases close to 1.
    let by_resolution = (64.0 * core::f64::consts::LN_2 / (base - 1.0).ln_1p()).floor();
    let by_resolution = if by_resolution >= f64::from(by_bits) {
        by_bits
    } else {
        by_resolution.max(1.0) as u32
    };
    by_bits.min(by_resolution) as u8
}

/// The threshold `t` for exponent `c`: an increment happens when a uniform `u64` is `<= t`,
/// i.e. with probability `(t + 1) / 2^64 ≈ base^-c` (exactly 1 at `c = 0`).
pub(crate) fn threshold(base: f64, c: u8) -> u64 {
    if c == 0 {
        return u64::MAX;
    }
    let scaled = (base.powi(-i32::from(c)) * TWO_64).ceil().max(1.0);
    if scaled >= TWO_64 {
        u64::MAX
    } else {
        scaled as u64 - 1
    }
}

/// The increment probability a threshold stands for.
pub(crate) fn probability(threshold: u64) -> f64 {
    (threshold as f64 + 1.0) / TWO_64
}

/// The unbiased estimate `(base^c - 1) / (base - 1)`.
pub(crate) fn estimate(base: f64, c: u8) -> f64 {
    (base.powi(i32::from(c)) - 1.0) / (base - 1.0)
}

/// One weighted coin: `true` with the probability `threshold` stands for.
#[inline]
pub(crate) fn accept(rng: &mut impl RngCore, threshold: u64) -> bool {
    rng.next_u64() <= threshold
}

/// How many increments it takes until the first that succeeds with probability `p`: a
/// geometric variable on `1, 2, ...`, sampled by inversion from one uniform draw.
pub(crate) fn geometric(rng: &mut impl RngCore, threshold: u64) -> u64 {
    if threshold == u64::MAX {
        return 1;
    }
    let p = probability(threshold);
    // u in (0, 1]: 53 random bits, never 0 so the logarithm is finite.
    let u = ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / 9_007_199_254_740_992.0);
    let skipped = (u.ln() / (-p).ln_1p()).floor();
    // Saturating conversion: a gap past u64::MAX is "more than any n".
    (skipped as u64).saturating_add(1)
}

/// Advances exponent `c` by `n` increments, skipping geometrically from one exponent change to
/// the next; `thresholds(c)` gives the threshold of exponent `c`. Returns the new exponent.
pub(crate) fn skip(
    rng: &mut impl RngCore,
    mut c: u8,
    max: u8,
    mut n: u64,
    thresholds: impl Fn(u8) -> u64,
) -> u8 {
    while c < max && n > 0 {
        let gap = geometric(rng, thresholds(c));
        if gap > n {
            // Memorylessness: the n increments left all failed, which is what not moving means.
            break;
        }
        n -= gap;
        c += 1;
    }
    c
}

/// The unbiased merge of exponent `small` into exponent `big` (both for the same base):
/// returns the merged exponent.
///
/// The step of the smaller counter from exponent `i` to `i + 1` stands for `base^i` increments
/// in expectation. Each is replayed as one weighted increment of weight `base^i` on the merged
/// counter, accepted with probability `base^i · base^-c` = `base^-(c - i)` where `c` is the
/// merged counter's current exponent (so `c > i` and the probability is below 1). An accepted
/// step raises `base^c` by `(base - 1)·base^c`, so each replay adds `(base - 1)·base^i` to
/// `E[base^c]` and the `small` replays add `base^small - 1` in all: `E[estimate]` of the merged
/// counter is the sum of the two estimates' expectations.
pub(crate) fn merge_exponents(
    rng: &mut impl RngCore,
    big: u8,
    small: u8,
    max: u8,
    thresholds: impl Fn(u8) -> u64,
) -> u8 {
    let (mut c, small) = (big.max(small), big.min(small));
    for i in 0..small {
        if c >= max {
            break;
        }
        if accept(rng, thresholds(c - i)) {
            c += 1;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_match_probabilities() {
        assert_eq!(threshold(2.0, 0), u64::MAX);
        assert_eq!(threshold(2.0, 1), (1u64 << 63) - 1);
        assert_eq!(threshold(2.0, 64), 0);
        assert_eq!(probability(threshold(2.0, 3)), 0.125);
        for c in 1..=60 {
            let p = probability(threshold(1.3, c));
            assert!((p / 1.3f64.powi(-i32::from(c)) - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(max_exponent(2.0, 8), 64);
        assert_eq!(max_exponent(2.0, 4), 15);
        assert_eq!(max_exponent(1.01, 8), 255);
        assert_eq!(max_exponent(4_294_967_296.0, 8), 2);
        assert_eq!(max_exponent(4.0, 1), 1);
        assert!(check_base(1.0).is_err() && check_base(f64::INFINITY).is_err());
        assert!(check_base(f64::NAN).is_err() && check_base(1e10).is_err());
    }
}
