//! One Morris counter.

use core::fmt;

use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::{ApproximateCounter, Error, HeapSize, Result};
use rand_core::{RngCore, SeedableRng};

use crate::FastRng;
use crate::math;

/// A Morris approximate counter: counts up to about `base^(2^bits - 1)` events in an exponent of
/// at most 8 bits.
///
/// It holds an exponent `c` (starting at 0) and increments it with probability `base^-c`; the
/// estimate `(base^c - 1) / (base - 1)` is unbiased, with variance `(base - 1)·n(n - 1)/2`
/// after `n` increments, i.e. a relative standard error of about `sqrt((base - 1) / 2)`: 71 %
/// for the classic base 2, 16 % for base 1.05. A smaller base buys accuracy with range.
///
/// # Cost
/// [`increment`](Self::increment) draws one random `u64` and compares it with the threshold of
/// the current exponent, kept next to it: no floating point (the threshold of the next exponent
/// is computed when the exponent changes, at most 255 times in a counter's life).
/// [`increment_by`](Self::increment_by)`(n)` costs one random draw and a logarithm per exponent
/// change, not `n` draws. The counter itself is 32 bytes with the default [`FastRng`] (the
/// exponent, its threshold, the base and the generator); use [`MorrisArray`](crate::MorrisArray)
/// to pack many counters at 4 or 8 bits each.
///
/// # Saturation
/// The exponent stops at [`max_exponent`](Self::max_exponent): the largest value of `bits` bits
/// whose probability `base^-c` a 64-bit random draw can still resolve. A saturated counter
/// ignores further increments and keeps estimating [`max_estimate`](Self::max_estimate) (so it
/// undercounts past that point; [`is_saturated`](Self::is_saturated) tells). Nothing overflows.
///
/// # Example
/// ```
/// use hpds_morris::MorrisCounter;
/// let mut hits = MorrisCounter::with_seed(1.1, 42)?; // relative error ≈ sqrt(0.1 / 2) ≈ 22 %
/// for _ in 0..100_000 {
///     hits.increment();
/// }
/// hits.increment_by(900_000);
/// let (lo, hi) = hits.confidence_interval(0.99)?;
/// assert!(lo < 1_000_000.0 && 1_000_000.0 < hi);
/// assert!(hits.max_estimate() > 1e10);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct MorrisCounter<R = FastRng> {
    rng: R,
    /// The threshold of `exponent` (see `math::threshold`).
    threshold: u64,
    base: f64,
    exponent: u8,
    max_exponent: u8,
    bits: u8,
}

impl MorrisCounter<FastRng> {
    /// An 8-bit counter with the given base and a freshly seeded [`FastRng`].
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `base` is a finite
    /// number in (1, 2^32].
    pub fn new(base: f64) -> Result<Self> {
        Self::with_rng(base, 8, FastRng::default())
    }

    /// An 8-bit counter with the given base whose random draws are determined by `seed`.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_seed(base: f64, seed: u64) -> Result<Self> {
        Self::with_rng(base, 8, FastRng::seed_from_u64(seed))
    }
}

impl<R: RngCore> MorrisCounter<R> {
    /// A counter with the given base, exponent width `bits` (1 to 8) and random source.
    ///
    /// # Example
    /// ```
    /// use hpds_morris::{FastRng, MorrisCounter};
    /// use rand_core::SeedableRng;
    /// let c = MorrisCounter::with_rng(2.0, 5, FastRng::seed_from_u64(1))?;
    /// assert_eq!(c.max_exponent(), 31);
    /// assert_eq!(c.max_estimate(), 2f64.powi(31) - 1.0);
    /// assert!(MorrisCounter::with_rng(2.0, 9, FastRng::seed_from_u64(1)).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `base` is a finite
    /// number in (1, 2^32] and `bits` is in 1..=8.
    pub fn with_rng(base: f64, bits: u8, rng: R) -> Result<Self> {
        let base = math::check_base(base)?;
        if !(1..=8).contains(&bits) {
            return Err(Error::invalid_parameter("bits", bits, "1..=8"));
        }
        Ok(Self {
            rng,
            threshold: u64::MAX,
            base,
            exponent: 0,
            max_exponent: math::max_exponent(base, bits),
            bits,
        })
    }

    /// Counts one event: with probability `base^-exponent`, raises the exponent.
    ///
    /// Never panics; a saturated counter ignores the event.
    #[inline]
    pub fn increment(&mut self) {
        if self.exponent < self.max_exponent && math::accept(&mut self.rng, self.threshold) {
            self.set_exponent(self.exponent + 1);
        }
    }

    /// Counts `n` events at once, with the same distribution as `n` calls of
    /// [`increment`](Self::increment).
    ///
    /// It samples how many increments pass before the next exponent change (a geometric
    /// variable) instead of flipping `n` coins, so it costs O(exponent changes), at most
    /// [`max_exponent`](Self::max_exponent) steps, whatever `n`.
    pub fn increment_by(&mut self, n: u64) {
        let base = self.base;
        let c = math::skip(&mut self.rng, self.exponent, self.max_exponent, n, |c| {
            math::threshold(base, c)
        });
        self.set_exponent(c);
    }

    fn set_exponent(&mut self, c: u8) {
        self.exponent = c;
        self.threshold = math::threshold(self.base, c);
    }

    /// The estimated number of events: `(base^exponent - 1) / (base - 1)`, unbiased below
    /// saturation.
    pub fn estimate(&self) -> f64 {
        math::estimate(self.base, self.exponent)
    }

    /// The exponent held: the counter's whole state, in [`bits`](Self::bits) bits.
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    parameter_accessors!();

    /// Whether the counter has reached its top exponent and ignores further events.
    pub fn is_saturated(&self) -> bool {
        self.exponent == self.max_exponent
    }

    /// A two-sided interval for the true count at the given confidence level (e.g. 0.95).
    ///
    /// Uses the normal approximation with the variance `(base - 1)·n(n - 1)/2` evaluated at the
    /// estimate, clamped below by the exponent (each exponent step took at least one event); the
    /// distribution is skewed for large bases, so the interval is approximate. A saturated
    /// counter has no upper bound (`f64::INFINITY`); an untouched counter gives `(0, 0)`.
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `confidence` is in
    /// (0, 1).
    pub fn confidence_interval(&self, confidence: f64) -> Result<(f64, f64)> {
        let z = hpds_core::stats::confidence_z(confidence)?;
        let n = self.estimate();
        let sd = ((self.base - 1.0) * n * (n - 1.0).max(0.0) / 2.0).sqrt();
        let lower = (n - z * sd).max(f64::from(self.exponent));
        let upper = if self.is_saturated() {
            f64::INFINITY
        } else {
            n + z * sd
        };
        Ok((lower, upper))
    }

    /// Folds `other`'s count into this one, so that the estimate stays unbiased for the sum.
    ///
    /// The larger exponent is kept and each exponent step of the smaller counter is replayed
    /// as one weighted increment (see the crate docs, `# Merging`); it costs O(smaller
    /// exponent) draws from this counter's generator.
    ///
    /// # Errors
    /// [`Incompatible`](hpds_core::ErrorKind::Incompatible) if the bases or widths differ.
    pub fn merge<R2>(&mut self, other: &MorrisCounter<R2>) -> Result<()> {
        check_compatible(self.base, self.bits, other.base, other.bits)?;
        let base = self.base;
        let c = math::merge_exponents(
            &mut self.rng,
            self.exponent,
            other.exponent,
            self.max_exponent,
            |d| math::threshold(base, d),
        );
        self.set_exponent(c);
        Ok(())
    }

    /// Resets the count to zero.
    pub fn clear(&mut self) {
        self.set_exponent(0);
    }

    /// The random source.
    pub fn rng_mut(&mut self) -> &mut R {
        &mut self.rng
    }

    /// A counter with the same base and width at the given exponent (used by decoders).
    fn at_exponent(base: f64, bits: u8, exponent: u8, rng: R) -> Result<Self> {
        let mut c = Self::with_rng(base, bits, rng)?;
        if exponent > c.max_exponent {
            return Err(Error::invalid_encoding(
                "Morris exponent above the top exponent of its base and width",
            ));
        }
        c.set_exponent(exponent);
        Ok(c)
    }
}

pub(crate) fn check_compatible(base: f64, bits: u8, other_base: f64, other_bits: u8) -> Result<()> {
    if base.to_bits() != other_base.to_bits() {
        return Err(Error::incompatible("base", base, other_base));
    }
    if bits != other_bits {
        return Err(Error::incompatible("bits", bits, other_bits));
    }
    Ok(())
}

impl Default for MorrisCounter<FastRng> {
    /// The classic counter: base 2, 8 bits (counts to about 1.8e19), fresh generator.
    fn default() -> Self {
        Self::new(2.0).expect("base 2 is valid")
    }
}

impl<R> fmt::Debug for MorrisCounter<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MorrisCounter")
            .field("base", &self.base)
            .field("bits", &self.bits)
            .field("exponent", &self.exponent)
            .field("estimate", &math::estimate(self.base, self.exponent))
            .finish_non_exhaustive()
    }
}

/// Counters are equal when their base, width and exponent are; the generator is not compared.
impl<R, R2> PartialEq<MorrisCounter<R2>> for MorrisCounter<R> {
    fn eq(&self, other: &MorrisCounter<R2>) -> bool {
        self.base.to_bits() == other.base.to_bits()
            && self.bits == other.bits
            && self.exponent == other.exponent
    }
}

impl<R> HeapSize for MorrisCounter<R> {
    /// Nothing on the heap (unless the generator has some, which is not counted).
    fn heap_bytes(&self) -> usize {
        0
    }
}

impl<R: RngCore> ApproximateCounter for MorrisCounter<R> {
    fn increment(&mut self) {
        MorrisCounter::increment(self);
    }

    fn increment_by(&mut self, n: u64) {
        MorrisCounter::increment_by(self, n);
    }

    fn estimate(&self) -> f64 {
        MorrisCounter::estimate(self)
    }
}

/// The format (version 1) holds the base (`f64`), the width and the exponent; the generator's
/// state is not stored, and a decoded counter gets a fresh one (`R::seed_from_u64` of a
/// process-unique seed).
impl<R: RngCore + SeedableRng> ByteCodec for MorrisCounter<R> {
    const TAG: [u8; 4] = *b"MRSC";
    const VERSION: u16 = 1;

    fn encode_payload(&self, enc: &mut Encoder) {
        enc.put_f64(self.base);
        enc.put_u8(self.bits);
        enc.put_u8(self.exponent);
    }

    fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
        let base = dec.f64()?;
        let bits = dec.u8()?;
        let exponent = dec.u8()?;
        Self::at_exponent(
            base,
            bits,
            exponent,
            R::seed_from_u64(FastRng::fresh_seed()),
        )
    }
}

#[cfg(feature = "serde")]
hpds_core::impl_serde_via_codec!([R: RngCore + SeedableRng] MorrisCounter<R>);
