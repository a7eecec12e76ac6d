//! LogLog, SuperLogLog and HyperLogLog: one dense sketch, three estimators.

use hpds_core::Item;
use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{HeapSize, Result};

use crate::base::Core;
use crate::estimators::{self, Estimator};

macro_rules! dense_sketch {
    (
        $(#[$meta:meta])*
        $name:ident, tag = $tag:expr, estimator = $est:expr
    ) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq)]
        pub struct $name {
            core: Core,
        }

        impl $name {
            /// A sketch with `2^p` registers (`6 · 2^p / 8` bytes) and the default hash seed.
            ///
            /// # Errors
            /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `4 <= p <= 18`.
            pub fn new(p: u8) -> Result<Self> {
                Self::with_seed(p, DEFAULT_SEED)
            }

            /// A sketch whose items are hashed with `seed`; only sketches with the same seed
            /// can be merged.
            ///
            /// # Errors
            /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `4 <= p <= 18`.
            pub fn with_seed(p: u8, seed: u64) -> Result<Self> {
                Ok(Self { core: Core::try_new(p, seed)? })
            }

            /// The precision `p`: the sketch has `2^p` registers.
            pub fn precision(&self) -> u8 {
                self.core.p()
            }

            /// The seed items are hashed with.
            pub fn seed(&self) -> u64 {
                self.core.seed
            }

            /// The theoretical relative standard error of [`estimate`](Self::estimate).
            pub fn standard_error(&self) -> f64 {
                estimators::standard_error($est, self.precision())
            }

            /// Adds an item, hashing it once with the stable hash. `O(1)`, no allocation.
            #[inline]
            pub fn insert<T: Item + ?Sized>(&mut self, item: &T) {
                self.core.insert_hash(item.stable_hash(self.core.seed));
            }

            /// Adds an item given by its 64-bit hash (which must be well mixed, e.g. from
            /// [`hpds_core::hash`]). `O(1)`, no allocation.
            #[inline]
            pub fn insert_hash(&mut self, hash: u64) {
                self.core.insert_hash(hash);
            }

            /// Adds items given by their 64-bit hashes: the same as
            /// [`insert_hash`](Self::insert_hash) for each, in order (same registers and HIP
            /// estimate), in one loop that keeps the sketch's fields in registers.
            ///
            /// ```
            #[doc = concat!("let mut a = hpds_loglog::", stringify!($name), "::new(10)?;")]
            #[doc = concat!("let mut b = hpds_loglog::", stringify!($name), "::new(10)?;")]
            /// let hashes: Vec<u64> = (1..1000u64).map(|x| hpds_core::hash::mix64(x)).collect();
            /// a.insert_hashes(&hashes);
            /// hashes.iter().for_each(|&h| b.insert_hash(h));
            /// assert_eq!(a, b);
            /// # Ok::<(), hpds_core::Error>(())
            /// ```
            pub fn insert_hashes(&mut self, hashes: &[u64]) {
                self.core.insert_hashes(hashes);
            }

            /// The estimated number of distinct items, with this type's estimator (see the
            #[doc = concat!("type docs). `O(m)`.")]
            pub fn estimate(&self) -> f64 {
                self.core.estimate_with($est)
            }

            /// The estimate with any of the family's estimators, for comparison. `O(m)`.
            /// [`Estimator::Hip`] falls back to [`Estimator::Ertl`] once the sketch was merged.
            pub fn estimate_with(&self, estimator: Estimator) -> f64 {
                self.core.estimate_with(estimator)
            }

            /// The HIP (martingale) estimate, while the sketch has been built by inserts only
            /// (`None` after a merge or a decode of a merged sketch). `O(1)`.
            pub fn hip_estimate(&self) -> Option<f64> {
                self.core.hip.map(|h| h.estimate)
            }

            /// Folds `other` in, as if this sketch had also seen its items: the register-wise
            /// maximum, `O(m)`. `other` may have a higher precision than `self` (it is reduced
            /// on the fly); the result is exactly the sketch of the union.
            ///
            /// # Errors
            /// [`Incompatible`](hpds_core::ErrorKind::Incompatible) if the seeds differ or
            /// `other` has a lower precision.
            pub fn merge(&mut self, other: &Self) -> Result<()> {
                self.core.merge(&other.core)
            }

            /// Forgets every item (keeps the allocation).
            pub fn clear(&mut self) {
                self.core.clear();
            }

            /// Whether no item has been inserted.
            pub fn is_empty(&self) -> bool {
                self.core.regs.is_empty()
            }

            /// The registers, in index order.
            pub fn registers(&self) -> impl Iterator<Item = u8> + '_ {
                self.core.regs.iter()
            }

            /// How many registers hold each value `0..=64` (what every [`Estimator`] reads).
            pub fn register_histogram(&self) -> [u32; 65] {
                self.core.regs.histogram()
            }

            /// Adds every item of a parallel iterator: each rayon task fills its own sketch and
            /// the sketches are merged, so the result equals a sequential build (same
            /// registers) but has no HIP estimate.
            #[cfg(feature = "rayon")]
            pub fn par_extend<I>(&mut self, items: I)
            where
                I: rayon::iter::IntoParallelIterator,
                I::Item: Item,
            {
                let empty = Core::try_new(self.core.p(), self.core.seed).expect("valid");
                let built = crate::parallel::par_build(
                    items,
                    self.core.seed,
                    &empty,
                    Core::insert_hash,
                    |a, b| a.merge(b).expect("same parameters"),
                );
                self.core.merge(&built).expect("same parameters");
            }
        }

        impl Default for $name {
            /// Precision 14 (16 384 registers, 12 KiB) and the default seed.
            fn default() -> Self {
                Self::new(14).expect("14 is a valid precision")
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("precision", &self.precision())
                    .field("seed", &self.seed())
                    .field("insert_only", &self.core.hip.is_some())
                    .field("estimate", &self.estimate())
                    .finish_non_exhaustive()
            }
        }

        hpds_core::impl_distinct_counter!($name);

        impl HeapSize for $name {
            fn heap_bytes(&self) -> usize {
                self.core.regs.heap_bytes()
            }
        }

        impl ByteCodec for $name {
            const TAG: [u8; 4] = *$tag;
            /// Version 2: compact registers (see the crate's `base::encode_registers`);
            /// version 1 payloads are still read.
            const VERSION: u16 = 3;
            // Earlier versions hashed strings and byte slices through `Hash`, not their bytes.
            const MIN_VERSION: u16 = 3;
            fn encode_payload(&self, enc: &mut Encoder) {
                self.core.encode(enc);
            }
            fn decode_payload(dec: &mut Decoder<'_>, version: u16) -> Result<Self> {
                Ok(Self { core: Core::decode(dec, version)? })
            }
        }

        crate::serde_impl::impl_serde!($name);
    };
}

dense_sketch! {
    /// LogLog (Durand and Flajolet 2003): the geometric mean of the registers.
    ///
    /// The first of the family and the least accurate (standard error ≈ 1.30/√m), kept for
    /// comparison and teaching. The estimate switches to linear counting at small cardinalities
    /// and corrects the geometric mean's bias with a simulated table up to `12 m`, so it is
    /// unbiased over the whole range (the original estimator is only asymptotically so).
    ///
    /// # Example
    /// ```
    /// use hpds_loglog::LogLog;
    /// let mut s = LogLog::new(12)?;
    /// for i in 0..100_000u64 {
    ///     s.insert(&i);
    /// }
    /// let e = s.estimate();
    /// assert!((e / 100_000.0 - 1.0).abs() < 5.0 * s.standard_error());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    LogLog, tag = b"LLOG", estimator = Estimator::LogLog
}

dense_sketch! {
    /// SuperLogLog (Durand and Flajolet 2003): the mean of the smallest 70 % of the registers.
    ///
    /// Truncating the largest registers removes most of LogLog's variance (≈ 1.05/√m). The
    /// paper gives no closed form for the constant of the truncated mean, so it is calibrated
    /// per precision by simulation (`benches/src/bin/loglog_tables.rs`), not borrowed from HyperLogLog.
    ///
    /// # Example
    /// ```
    /// use hpds_loglog::SuperLogLog;
    /// let s: SuperLogLog = (0..50_000u64).collect();
    /// assert!((s.estimate() / 50_000.0 - 1.0).abs() < 5.0 * s.standard_error());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    SuperLogLog, tag = b"SLLG", estimator = Estimator::SuperLogLog
}

dense_sketch! {
    /// HyperLogLog (Flajolet et al. 2007) with a 64-bit hash and modern estimators.
    ///
    /// [`estimate`](Self::estimate) gives the HIP estimate (≈ 0.83/√m) while the sketch has
    /// only seen inserts and Ertl's improved estimator (≈ 1.04/√m, unbiased at every
    /// cardinality) once it has been merged; [`estimate_with`](Self::estimate_with) offers the
    /// others. Dense from the start: use [`HyperLogLogPlusPlus`](crate::HyperLogLogPlusPlus)
    /// when many sketches stay small.
    ///
    /// # Example
    /// ```
    /// use hpds_loglog::{Estimator, HyperLogLog};
    /// let mut a = HyperLogLog::new(14)?;
    /// let mut b = HyperLogLog::new(14)?;
    /// for i in 0..60_000u64 {
    ///     a.insert(&i);
    /// }
    /// for i in 40_000..100_000u64 {
    ///     b.insert(&i);
    /// }
    /// a.merge(&b)?;
    /// assert_eq!(a.hip_estimate(), None); // merged: Ertl's estimator from now on
    /// let e = a.estimate();
    /// assert!((e / 100_000.0 - 1.0).abs() < 0.05);
    /// assert_eq!(e, a.estimate_with(Estimator::Ertl));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    HyperLogLog, tag = b"HLL6", estimator = Estimator::Hip
}

impl HyperLogLog {
    /// A merged (not insert-only) sketch with the given registers.
    pub(crate) fn from_registers(regs: crate::registers::Registers, seed: u64) -> Self {
        Self {
            core: Core {
                regs,
                seed,
                hip: None,
            },
        }
    }
}
