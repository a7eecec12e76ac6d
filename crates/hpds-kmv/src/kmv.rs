//! The K-Minimum-Values sketch.

use core::fmt;
use hpds_core::Item;

use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::hash::{DEFAULT_SEED, hash_u64};
use hpds_core::{Error, HeapSize, Result};

/// Marks an empty slot. The hash `u64::MAX` is therefore never retained (it is never below the
/// threshold), which biases nothing measurable: it occurs with probability 2^-64 per item.
const EMPTY: u64 = u64::MAX;
/// 2^-64.
const INV_TWO_64: f64 = 1.0 / 18_446_744_073_709_551_616.0;
/// Slots of a sketch's first table; it doubles up to its full size as values arrive.
const MIN_SLOTS: usize = 16;

/// The smallest `k` accepted.
pub const MIN_K: usize = 2;
/// The largest `k` accepted: 2^26 values (a 1 GiB table) is far past any useful accuracy.
pub const MAX_K: usize = 1 << 26;
/// `k` of [`Kmv::default`]: relative standard error 1/sqrt(1022) ≈ 3.1 %, 16 KiB.
pub const DEFAULT_K: usize = 1024;

/// A K-Minimum-Values sketch: estimates the number of distinct items from the `k` smallest
/// distinct hash values seen.
///
/// Items hash to 64-bit values read as fractions of 2^64, i.e. points uniform in [0, 1). If
/// `U_k` is the k-th smallest of them, `(k - 1) / U_k` estimates the number of distinct items
/// without bias, with relative standard error `1 / sqrt(k - 2)`. Repeats hash to the same
/// value, so the sketch is idempotent; two sketches merge into the sketch of the union, and
/// pairs of sketches estimate their intersection and Jaccard similarity.
///
/// # Fast insert (Theta-sketch style)
/// The sketch keeps a threshold θ and every distinct hash below it, in an open-addressing table
/// (linear probing, load at most 3/4). Once warm, almost every item is rejected by one compare
/// with θ. Accepted values go into the table; when it holds `min(3/4 of its slots, 2k)` values,
/// quickselect finds the k-th smallest, θ drops to just above it and the larger values go. Each
/// rebuild costs O(k) and follows at least `k/2` accepted values, so the cost per accepted value
/// is O(1); no O(k) heap or sorted-array work happens per insert.
///
/// Until the first rebuild θ is `u64::MAX`, the table holds every distinct hash seen and the
/// count is exact (for at least the first `k` distinct items, up to `1.5k`).
///
/// # Memory
/// A table of `next_power_of_two(2k)` `u64`s once warm (16 KiB at `k = 1024`), smaller before:
/// it starts at 16 slots and doubles as values arrive. [`HeapSize`] reports it.
///
/// # Example
/// ```
/// use hpds_core::DistinctCounter;
/// use hpds_kmv::Kmv;
/// let mut visitors = Kmv::new(4096)?; // relative standard error 1/sqrt(4094) ≈ 1.6 %
/// for i in 0..100_000u64 {
///     visitors.insert(&(i % 50_000)); // every visitor twice
/// }
/// let est = visitors.estimate();
/// assert!((est / 50_000.0 - 1.0).abs() < 0.08);
/// let (lo, hi) = visitors.estimate_bounds(0.95)?;
/// assert!(lo < est && est < hi);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Kmv {
    /// Open-addressing table of retained hashes; `EMPTY` marks a free slot.
    table: Vec<u64>,
    /// Retained values in the table.
    len: usize,
    /// Every distinct hash seen that is below `theta` is retained, and nothing else.
    theta: u64,
    k: usize,
    seed: u64,
}

impl Kmv {
    /// A sketch keeping the `k` smallest hashes, hashing items with [`DEFAULT_SEED`].
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless
    /// `k` is in [`MIN_K`]`..=`[`MAX_K`].
    pub fn new(k: usize) -> Result<Self> {
        Self::with_seed(k, DEFAULT_SEED)
    }

    /// A sketch keeping the `k` smallest hashes, hashing items with `seed`. Only sketches with
    /// the same `k` and seed can be merged or compared.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_seed(k: usize, seed: u64) -> Result<Self> {
        if !(MIN_K..=MAX_K).contains(&k) {
            return Err(Error::invalid_parameter("k", k, "2..=67108864 (2^26)"));
        }
        Ok(Self {
            table: vec![EMPTY; MIN_SLOTS.min(full_slots(k))],
            len: 0,
            theta: u64::MAX,
            k,
            seed,
        })
    }

    /// The number of minimum values kept.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The seed items are hashed with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of hash values retained (between `k` and `2k` once warm).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no item has been inserted (or every inserted item hashed to `u64::MAX`).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The threshold θ as a fraction of the hash space: every distinct hash below it is
    /// retained. 1 while the sketch is exact.
    pub fn theta(&self) -> f64 {
        if self.is_exact() {
            1.0
        } else {
            self.theta as f64 * INV_TWO_64
        }
    }

    /// Whether the sketch still holds every distinct hash it has seen, so that
    /// [`estimate`](Self::estimate) is the exact count.
    pub fn is_exact(&self) -> bool {
        self.theta == u64::MAX
    }

    /// The relative standard error of the estimate, `1 / sqrt(k - 2)` (0 while exact; infinite
    /// for `k = 2`, whose estimate has infinite variance).
    pub fn relative_std_error(&self) -> f64 {
        if self.is_exact() {
            0.0
        } else {
            1.0 / ((self.k as f64) - 2.0).sqrt()
        }
    }

    /// Adds an item given by its 64-bit hash.
    ///
    /// Once warm this is one compare for all but a `k / n` fraction of new items.
    #[inline]
    pub fn insert_hash(&mut self, hash: u64) {
        if hash < self.theta {
            self.accept(hash);
        }
    }

    /// Adds an item (e.g. a `&str` token), hashing it once with the stable hash and this
    /// sketch's seed. The same as
    /// [`DistinctCounter::insert`](hpds_core::DistinctCounter::insert), without importing the
    /// trait.
    #[inline]
    pub fn insert<T: Item + ?Sized>(&mut self, item: &T) {
        self.insert_hash(item.stable_hash(self.seed));
    }

    /// Adds a `u64` item, hashing it with [`hash_u64`] (the same hash as
    /// [`insert`](hpds_core::DistinctCounter::insert) gives a `u64`, without the `Hasher`
    /// machinery).
    #[inline]
    pub fn insert_u64(&mut self, item: u64) {
        self.insert_hash(hash_u64(item, self.seed));
    }

    /// Slot of `hash` in a table of `mask + 1` slots: hashes below θ share their high bits, so
    /// they are remixed (Fibonacci hashing) before the top bits pick the slot.
    #[inline]
    fn home(hash: u64, mask: usize) -> usize {
        let bits = (mask + 1).trailing_zeros();
        (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
    }

    #[cold]
    fn accept(&mut self, hash: u64) {
        if insert_into(&mut self.table, hash) {
            self.len += 1;
            if self.len >= self.limit() {
                self.grow_or_rebuild();
            }
        }
    }

    /// Values held when the table must grow (or, at full size, be rebuilt).
    fn limit(&self) -> usize {
        let slots = self.table.len();
        if slots < full_slots(self.k) {
            slots / 4 * 3
        } else {
            (slots / 4 * 3).min(2 * self.k)
        }
    }

    fn grow_or_rebuild(&mut self) {
        let full = full_slots(self.k);
        if self.table.len() < full {
            let slots = (self.table.len() * 2).min(full);
            self.rehash(slots, u64::MAX);
        } else {
            let mut values: Vec<u64> = self.values().collect();
            let (_, &mut kth, _) = values.select_nth_unstable(self.k - 1);
            // kth < u64::MAX (EMPTY is never stored), so kth + 1 does not overflow.
            self.theta = kth + 1;
            self.table.fill(EMPTY);
            self.len = 0;
            for v in values.into_iter().filter(|&v| v < self.theta) {
                insert_into(&mut self.table, v);
                self.len += 1;
            }
            debug_assert_eq!(self.len, self.k);
        }
    }

    /// Rebuilds the table with `slots` slots keeping only values below `below`.
    fn rehash(&mut self, slots: usize, below: u64) {
        let old = core::mem::replace(&mut self.table, vec![EMPTY; slots]);
        self.len = 0;
        for v in old.into_iter().filter(|&v| v != EMPTY && v < below) {
            insert_into(&mut self.table, v);
            self.len += 1;
        }
    }

    fn contains_hash(&self, hash: u64) -> bool {
        if hash == EMPTY {
            return false;
        }
        let mask = self.table.len() - 1;
        let mut i = Self::home(hash, mask);
        loop {
            match self.table[i] {
                EMPTY => return false,
                v if v == hash => return true,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// The retained hash values, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = u64> + '_ {
        self.table.iter().copied().filter(|&v| v != EMPTY)
    }

    /// The retained hash values, ascending.
    pub fn sorted_values(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self.values().collect();
        v.sort_unstable();
        v
    }

    /// The k-th smallest retained hash, if the sketch is estimating.
    fn kth_smallest(&self) -> Option<u64> {
        if self.is_exact() {
            return None;
        }
        let mut values: Vec<u64> = self.values().collect();
        let (_, &mut kth, _) = values.select_nth_unstable(self.k - 1);
        Some(kth)
    }

    /// The estimated number of distinct items: the exact count while [`is_exact`](Self::is_exact),
    /// else `(k - 1) / U_k` with `U_k` the k-th smallest hash as a fraction of 2^64.
    ///
    /// Costs O(`len`) once warm (a quickselect over a copy of the retained values); call it
    /// when the estimate is needed, not after every insert.
    pub fn estimate(&self) -> f64 {
        match self.kth_smallest() {
            None => self.len as f64,
            Some(kth) => (self.k as f64 - 1.0) / unit(kth),
        }
    }

    /// The symmetric relative error bound `ε` such that `|estimate / n - 1| <= ε` holds with
    /// probability about `confidence`: `z / sqrt(k - 2)` for the two-sided normal quantile `z`
    /// (0 while exact). For asymmetric, more precise bounds use
    /// [`estimate_bounds`](Self::estimate_bounds).
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `confidence` is in
    /// (0, 1).
    pub fn relative_error_bound(&self, confidence: f64) -> Result<f64> {
        let z = hpds_core::stats::confidence_z(confidence)?;
        Ok(z * self.relative_std_error())
    }

    /// Lower and upper bounds on the true distinct count at the given confidence level.
    ///
    /// For `n` distinct items `n·U_k` follows (nearly) a Gamma(k, 1) law, so with `g_lo` and
    /// `g_hi` its `(1 ∓ confidence)/2` quantiles (Wilson–Hilferty), `n` lies in
    /// `[g_lo / U_k, g_hi / U_k]` with the requested probability. The lower bound is at least the
    /// number of distinct hashes retained. While exact, both bounds are the count.
    ///
    /// # Errors
    /// As [`relative_error_bound`](Self::relative_error_bound).
    pub fn estimate_bounds(&self, confidence: f64) -> Result<(f64, f64)> {
        let z = hpds_core::stats::confidence_z(confidence)?;
        let Some(kth) = self.kth_smallest() else {
            return Ok((self.len as f64, self.len as f64));
        };
        let u = unit(kth);
        let k = self.k as f64;
        let gamma_quantile = |z: f64| {
            let c = 1.0 - 1.0 / (9.0 * k) + z / (3.0 * k.sqrt());
            k * c.max(0.0).powi(3)
        };
        let lower = (gamma_quantile(-z) / u).max(self.len as f64);
        Ok((lower, gamma_quantile(z) / u))
    }

    /// Folds `other` into this sketch: the result is the sketch of the union of both streams
    /// (identical to building it from the concatenated stream).
    ///
    /// # Errors
    /// [`Incompatible`](hpds_core::ErrorKind::Incompatible) if `k` or the seed differ.
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        self.check_compatible(other)?;
        if other.theta < self.theta {
            self.theta = other.theta;
            let slots = self.table.len();
            self.rehash(slots, self.theta);
        }
        for v in other.values() {
            self.insert_hash(v);
        }
        Ok(())
    }

    fn check_compatible(&self, other: &Self) -> Result<()> {
        if self.k != other.k {
            return Err(Error::incompatible("k", self.k, other.k));
        }
        if self.seed != other.seed {
            return Err(Error::incompatible("seed", self.seed, other.seed));
        }
        Ok(())
    }

    /// The k smallest hashes of the union below both thresholds, and how many of them both
    /// sketches hold: (sample size, in both, k-th smallest if estimating).
    fn overlap(&self, other: &Self) -> Result<(usize, usize, Option<u64>)> {
        self.check_compatible(other)?;
        let theta = self.theta.min(other.theta);
        let mut union: Vec<u64> = self
            .values()
            .chain(other.values())
            .filter(|&v| v < theta)
            .collect();
        union.sort_unstable();
        union.dedup();
        // Below θ both sketches hold every hash they saw, so membership is exact; when either
        // is estimating, the sketch with the lower θ holds at least k values below it.
        let kth = if theta == u64::MAX {
            None
        } else {
            union.truncate(self.k);
            union.last().copied()
        };
        let both = union
            .iter()
            .filter(|&&v| self.contains_hash(v) && other.contains_hash(v))
            .count();
        Ok((union.len(), both, kth))
    }

    /// The estimated Jaccard similarity `|A ∩ B| / |A ∪ B|` of the two streams.
    ///
    /// Among the k smallest hashes of the union, the fraction held by both sketches (Beyer et
    /// al., 2007); standard error about `sqrt(J(1 - J) / k)`. Exact while both sketches are
    /// exact; 1 for two empty sketches.
    ///
    /// # Errors
    /// [`Incompatible`](hpds_core::ErrorKind::Incompatible) if `k` or the seed differ.
    pub fn jaccard(&self, other: &Self) -> Result<f64> {
        let (sample, both, _) = self.overlap(other)?;
        Ok(if sample == 0 {
            1.0
        } else {
            both as f64 / sample as f64
        })
    }

    /// The estimated number of distinct items in both streams: Jaccard times the union
    /// estimate, `(both / k) · (k - 1) / U_k` with `U_k` the k-th smallest hash of the union.
    /// Exact while both sketches are exact.
    ///
    /// Its relative error grows as the overlap shrinks (about `1 / sqrt(J·k)`).
    ///
    /// # Errors
    /// As [`jaccard`](Self::jaccard).
    pub fn intersection_estimate(&self, other: &Self) -> Result<f64> {
        let (sample, both, kth) = self.overlap(other)?;
        Ok(match kth {
            None => both as f64,
            Some(kth) => both as f64 / sample as f64 * (self.k as f64 - 1.0) / unit(kth),
        })
    }

    /// The estimated number of distinct items in either stream, without building the union.
    ///
    /// # Errors
    /// As [`jaccard`](Self::jaccard).
    pub fn union_estimate(&self, other: &Self) -> Result<f64> {
        let (sample, _, kth) = self.overlap(other)?;
        Ok(match kth {
            None => sample as f64,
            Some(kth) => (self.k as f64 - 1.0) / unit(kth),
        })
    }

    /// Puts the sketch in its canonical form, which depends only on the items it has seen (and
    /// `k` and the seed), not on the order of the inserts and merges that built it: once
    /// estimating, exactly the `k` smallest hashes with θ just above the k-th (a sketch
    /// otherwise keeps up to `2k` between rebuilds, and which ones depends on its history).
    /// Estimates, bounds, Jaccard and intersections are unchanged; two canonical sketches of
    /// the same items have the same bytes, whatever the partitioning of a parallel build.
    /// `O(len)`.
    ///
    /// # Example
    /// ```
    /// use hpds_core::ByteCodec;
    /// use hpds_kmv::Kmv;
    ///
    /// let mut one = Kmv::new(64)?;
    /// let (mut a, mut b) = (Kmv::new(64)?, Kmv::new(64)?);
    /// for i in 0..1_000u64 {
    ///     one.insert(&i);
    ///     if i % 3 == 0 { a.insert(&i) } else { b.insert(&i) }
    /// }
    /// a.merge(&b)?;
    /// one.canonicalize();
    /// a.canonicalize();
    /// assert_eq!(one.to_bytes(), a.to_bytes());
    /// assert_eq!(one.len(), 64);
    /// # Ok::<(), hpds_core::Error>(())
    /// ```
    pub fn canonicalize(&mut self) {
        if let Some(kth) = self.kth_smallest() {
            // kth < u64::MAX (EMPTY is never stored), so kth + 1 does not overflow.
            let theta = kth + 1;
            if theta != self.theta || self.len != self.k {
                self.theta = theta;
                let slots = self.table.len();
                self.rehash(slots, theta);
            }
        }
    }

    /// Forgets every item, keeping `k`, the seed and the table's allocation.
    pub fn clear(&mut self) {
        self.table.fill(EMPTY);
        self.len = 0;
        self.theta = u64::MAX;
    }

    /// A sketch from its parts, validated as a decoder must (never panics).
    fn from_parts(k: u64, seed: u64, theta: u64, values: &[u64]) -> Result<Self> {
        let k = usize::try_from(k)
            .ok()
            .filter(|k| (MIN_K..=MAX_K).contains(k))
            .ok_or(Error::invalid_encoding("KMV k outside 2..=2^26"))?;
        let mut s = Self::with_seed(k, seed)?;
        if !values.windows(2).all(|w| w[0] < w[1]) {
            return Err(Error::invalid_encoding("KMV values not strictly ascending"));
        }
        if values.last().is_some_and(|&v| v >= theta) {
            return Err(Error::invalid_encoding("KMV value not below the threshold"));
        }
        let max_len = (full_slots(k) / 4 * 3).min(2 * k);
        if values.len() >= max_len || (theta != u64::MAX && values.len() < k) {
            return Err(Error::invalid_encoding(
                "KMV value count impossible for its k and threshold",
            ));
        }
        // Grow straight to the size these values need, then insert without rebuilds.
        let mut slots = s.table.len();
        while values.len() >= slots / 4 * 3 && slots < full_slots(k) {
            slots *= 2;
        }
        s.table = vec![EMPTY; slots];
        s.theta = theta;
        for &v in values {
            insert_into(&mut s.table, v);
        }
        s.len = values.len();
        Ok(s)
    }
}

/// Inserts `hash` into a linear-probing table; returns whether it was new.
#[inline]
fn insert_into(table: &mut [u64], hash: u64) -> bool {
    let mask = table.len() - 1;
    let mut i = Kmv::home(hash, mask);
    loop {
        let slot = table[i];
        if slot == EMPTY {
            table[i] = hash;
            return true;
        }
        if slot == hash {
            return false;
        }
        i = (i + 1) & mask;
    }
}

/// The table size once warm: at least `2k` slots, a power of two.
fn full_slots(k: usize) -> usize {
    (2 * k).next_power_of_two().max(MIN_SLOTS)
}

/// A hash as a point in (0, 1].
fn unit(hash: u64) -> f64 {
    (hash as f64 + 1.0) * INV_TWO_64
}

impl Default for Kmv {
    /// `k =` [`DEFAULT_K`] (1024), [`DEFAULT_SEED`].
    fn default() -> Self {
        Self::new(DEFAULT_K).expect("the default k is valid")
    }
}

impl fmt::Debug for Kmv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kmv")
            .field("k", &self.k)
            .field("retained", &self.len)
            .field("theta", &self.theta())
            .field("estimate", &self.estimate())
            .finish_non_exhaustive()
    }
}

/// Sketches are equal when they have the same `k`, seed, threshold and retained values.
impl PartialEq for Kmv {
    fn eq(&self, other: &Self) -> bool {
        self.k == other.k
            && self.seed == other.seed
            && self.theta == other.theta
            && self.len == other.len
            && self.values().all(|v| other.contains_hash(v))
    }
}

impl HeapSize for Kmv {
    fn heap_bytes(&self) -> usize {
        self.table.heap_bytes()
    }
}

crate::shared::counter_traits!(Kmv);

/// The format (version 2): `k` (`u64`), seed (`u64`), θ (`u64`, `u64::MAX` while exact), then
/// the retained hashes ascending (a length-prefixed `u64` slice).
impl ByteCodec for Kmv {
    const TAG: [u8; 4] = *b"KMV ";
    const VERSION: u16 = 2;
    // Earlier versions hashed strings and byte slices through `Hash`, not their bytes.
    const MIN_VERSION: u16 = 2;

    fn encode_payload(&self, enc: &mut Encoder) {
        enc.put_u64(self.k as u64);
        enc.put_u64(self.seed);
        enc.put_u64(self.theta);
        enc.put_u64_slice(&self.sorted_values());
    }

    fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
        let k = dec.u64()?;
        let seed = dec.u64()?;
        let theta = dec.u64()?;
        let values = dec.u64_vec()?;
        Self::from_parts(k, seed, theta, &values)
    }
}

#[cfg(feature = "serde")]
hpds_core::impl_serde_via_codec!(Kmv);
