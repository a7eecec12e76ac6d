//! The theta sketch: the `2k - k/8` smallest distinct hashes and every later one below θ,
//! estimated by the theta rule `retained / θ`.

use core::fmt;

use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{Error, HeapSize, Item, Result};

use crate::bounds::binomial_bounds;
use crate::kmv::{check_k, decoded_k};

mod codec;
mod setops;

/// 2^-64.
const INV_TWO_64: f64 = 1.0 / 18_446_744_073_709_551_616.0;
/// θ of a sketch that has dropped nothing: every hash but `u64::MAX` is retained.
const EXACT: u64 = u64::MAX;

/// A theta sketch: estimates the number of distinct items from every hash it keeps, and combines
/// with other theta sketches into sketches of their union, intersection and difference.
///
/// Items hash to 64-bit values read as fractions of 2^64. The sketch keeps a threshold θ and
/// every distinct hash below it, in room for `2k` hashes (`k` is the nominal size, as in
/// DataSketches' theta sketches, whose QuickSelect table also has `2k` slots): once it has
/// dropped any, it holds at least the [`min_retained`](Self::min_retained) `= 2k - k/8`
/// smallest, plus up to `k/8` newer ones. The estimate is the theta rule, `retained / θ`:
/// unbiased, with relative standard error about `1/sqrt(retained)` (at most
/// `1/sqrt(2k - k/8)`), using every hash held rather than only the k-th smallest
/// ([`Kmv`](crate::Kmv) does that).
///
/// # Cost
/// Once warm, almost every insert is one compare with θ: only a `retained / n` fraction of new
/// items is kept. Kept hashes go to an unsorted buffer of `k/8` slots behind the sorted
/// `2k - k/8`; a full buffer is sorted and merged in (`O(k)` per `k/8` kept hashes),
/// duplicates dropped, and if more than `2k - k/8` remain θ drops to the next smallest and it
/// and the rest go. [`estimate`](Self::estimate) sorts the buffer (`O(k/8 · log k)`); set
/// operations and the byte codec merge sorted lists (`O(k)`).
///
/// # Memory
/// `16 · k` bytes of heap at most (16 KiB at `k = 1024`, DataSketches' table at the same `k`),
/// allocated as hashes arrive; [`HeapSize`] reports it.
///
/// # Example
/// ```
/// use hpds_kmv::ThetaSketch;
///
/// let mut monday = ThetaSketch::new(4096)?;
/// let mut tuesday = ThetaSketch::new(4096)?;
/// for user in 0..300_000u64 {
///     monday.insert(&user);
/// }
/// for user in 200_000..400_000u64 {
///     tuesday.insert(&user);
/// }
/// let both = monday.intersect(&tuesday)?; // a sketch of the 100 000 users of both days
/// assert!((both.estimate() / 100_000.0 - 1.0).abs() < 0.1);
/// let (lo, hi) = both.estimate_bounds(0.95)?;
/// assert!(lo < both.estimate() && both.estimate() < hi);
/// let only_monday = monday.a_not_b(&tuesday)?; // 200 000
/// assert!((only_monday.estimate() / 200_000.0 - 1.0).abs() < 0.1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ThetaSketch {
    /// `values[..sorted]` ascending and distinct; `values[sorted..]` the unsorted buffer (may
    /// repeat itself or the sorted part). Every value is below `theta`.
    values: Vec<u64>,
    sorted: usize,
    /// Every distinct hash seen below θ is in `values`, and nothing else.
    theta: u64,
    k: usize,
    seed: u64,
}

impl ThetaSketch {
    /// `k` of [`ThetaSketch::default`]: relative standard error at most
    /// 1/sqrt(7680) ≈ 1.14 %, 64 KiB.
    pub const DEFAULT_K: usize = 4096;

    /// A sketch of nominal size `k` (room for `2k` hashes, at least `2k - k/8` kept once it
    /// estimates), hashing items with [`DEFAULT_SEED`].
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `k` is in
    /// [`MIN_K`](crate::MIN_K)`..=`[`MAX_K`](crate::MAX_K).
    pub fn new(k: usize) -> Result<Self> {
        Self::with_seed(k, DEFAULT_SEED)
    }

    /// A sketch of nominal size `k`, hashing items with `seed`. Only
    /// sketches with the same seed can be combined.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_seed(k: usize, seed: u64) -> Result<Self> {
        check_k(k)?;
        Ok(Self {
            values: Vec::new(),
            sorted: 0,
            theta: EXACT,
            k,
            seed,
        })
    }

    /// An empty sketch with `k`, seed and θ given, for set operations.
    fn empty_like(k: usize, seed: u64, theta: u64) -> Self {
        Self {
            values: Vec::new(),
            sorted: 0,
            theta,
            k,
            seed,
        }
    }

    /// The nominal size: the sketch has room for `2k` hashes.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The fewest hashes the sketch holds once it estimates (`2k - k/8`, at least 1): a
    /// compaction keeps this many smallest, and [`compact`](Self::compact) and unions trim
    /// to it.
    pub fn min_retained(&self) -> usize {
        min_retained(self.k)
    }

    /// The seed items are hashed with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The most hashes the sketch holds, `2k`: [`min_retained`](Self::min_retained) plus a
    /// buffer of `k/8` (at least 1).
    pub fn capacity(&self) -> usize {
        capacity(self.k)
    }

    /// The number of distinct hashes retained.
    ///
    /// Costs a sort of the insert buffer; [`estimate`](Self::estimate) uses the same count.
    pub fn retained(&self) -> usize {
        self.sorted + self.buffer_distinct().len()
    }

    /// Whether no hash is retained.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// θ as a fraction of the hash space: the sketch holds every distinct hash below it.
    /// 1 while the sketch is exact.
    pub fn theta(&self) -> f64 {
        if self.is_exact() {
            1.0
        } else {
            self.theta as f64 * INV_TWO_64
        }
    }

    /// θ as a 64-bit threshold (`u64::MAX` while exact).
    pub fn theta_u64(&self) -> u64 {
        self.theta
    }

    /// Whether the sketch still holds every distinct hash it has seen, so that
    /// [`estimate`](Self::estimate) is the exact count.
    pub fn is_exact(&self) -> bool {
        self.theta == EXACT
    }

    /// Adds an item given by its 64-bit hash.
    ///
    /// Once warm this is one compare for all but a `retained / n` fraction of new items.
    #[inline]
    pub fn insert_hash(&mut self, hash: u64) {
        if hash < self.theta {
            self.keep(hash);
        }
    }

    /// Adds an item: any [`Item`] (`&str`, `String`, `&[u8]`, integers, ...; the same bytes
    /// are the same item whatever their Rust type), hashed once with its stable hash and this
    /// sketch's seed.
    #[inline]
    pub fn insert<T: Item + ?Sized>(&mut self, item: &T) {
        self.insert_hash(item.stable_hash(self.seed));
    }

    /// Adds every pre-hashed item of `hashes`.
    pub fn insert_hash_many(&mut self, hashes: &[u64]) {
        for &h in hashes {
            self.insert_hash(h);
        }
    }

    #[inline]
    fn keep(&mut self, hash: u64) {
        if self.values.len() == self.values.capacity() {
            self.grow();
        }
        self.values.push(hash);
        if self.values.len() == self.capacity() {
            self.flush();
        }
    }

    /// Doubles the allocation, up to the capacity (never past it).
    #[cold]
    fn grow(&mut self) {
        let target = (self.values.capacity() * 2).max(16).min(self.capacity());
        self.values
            .reserve_exact(target.saturating_sub(self.values.len()));
    }

    /// Sorts the buffer into the sorted part, drops duplicates and, past
    /// [`min_retained`](Self::min_retained), lowers θ to the next smallest hash and drops it and
    /// everything above.
    #[cold]
    fn flush(&mut self) {
        let mut buffer = self.buffer_distinct();
        self.values.truncate(self.sorted);
        merge_into(&mut self.values, &mut buffer);
        self.trim_to(min_retained(self.k));
    }

    /// Past `keep` values, θ becomes the (keep+1)-th and the values from it on go.
    fn trim_to(&mut self, keep: usize) {
        if self.values.len() > keep {
            self.theta = self.values[keep];
            self.values.truncate(keep);
        }
        self.sorted = self.values.len();
    }

    /// The buffer's hashes, sorted, without duplicates and without those in the sorted part.
    fn buffer_distinct(&self) -> Vec<u64> {
        let sorted = &self.values[..self.sorted];
        let mut buffer = self.values[self.sorted..].to_vec();
        buffer.sort_unstable();
        buffer.dedup();
        buffer.retain(|v| sorted.binary_search(v).is_err());
        buffer
    }

    /// The retained hashes, ascending.
    pub fn sorted_values(&self) -> Vec<u64> {
        let mut out = self.values[..self.sorted].to_vec();
        let mut buffer = self.buffer_distinct();
        merge_into(&mut out, &mut buffer);
        out
    }

    /// The estimated number of distinct items: `retained / θ`, the exact count while
    /// [`is_exact`](Self::is_exact).
    pub fn estimate(&self) -> f64 {
        self.retained() as f64 / self.theta()
    }

    /// The relative standard error of the estimate, `sqrt((1 - θ) / retained)` (0 while exact,
    /// infinite with nothing retained below a θ under 1).
    pub fn relative_std_error(&self) -> f64 {
        if self.is_exact() {
            return 0.0;
        }
        ((1.0 - self.theta()) / self.retained() as f64).sqrt()
    }

    /// Lower and upper bounds on the true distinct count at the given two-sided confidence:
    /// the binomial bounds of theta sketches (Dasgupta et al., ICDT 2016). The sketch holds
    /// `r ~ Binomial(n, θ)` of `n` distinct items; the bounds are the `n` at which the observed
    /// `r` is a `(1 - confidence)/2` tail event, summed exactly up to 400 retained hashes and
    /// from the normal approximation (with continuity correction) above. The lower bound is
    /// at least `retained`. While exact, both are the count.
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `confidence` is in
    /// (0, 1).
    pub fn estimate_bounds(&self, confidence: f64) -> Result<(f64, f64)> {
        let z = hpds_core::stats::confidence_z(confidence)?;
        Ok(binomial_bounds(
            self.retained() as u64,
            self.theta(),
            z,
            (1.0 - confidence) / 2.0,
        ))
    }

    /// Forgets every item, keeping `k`, the seed and the allocation.
    pub fn clear(&mut self) {
        self.values.clear();
        self.sorted = 0;
        self.theta = EXACT;
    }

    /// This sketch in its canonical form: sorted, no buffer, at most
    /// [`min_retained`](Self::min_retained) hashes (θ lowered to the next smallest if it held
    /// more). Unions return canonical sketches; `a.compact() == b.compact()` when `a` and `b`
    /// saw the same set of items in any order.
    pub fn compact(&self) -> Self {
        let mut out = self.normalized();
        out.trim_to(min_retained(out.k));
        out
    }

    /// The same sketch with the buffer merged into the sorted part (nothing dropped).
    fn normalized(&self) -> Self {
        let values = self.sorted_values();
        Self {
            sorted: values.len(),
            values,
            theta: self.theta,
            k: self.k,
            seed: self.seed,
        }
    }

    /// A sketch from its parts, validated as a decoder must (never panics).
    fn from_parts(k: u64, seed: u64, theta: u64, values: Vec<u64>) -> Result<Self> {
        let k = decoded_k(k, "theta sketch k outside 2..=2^26")?;
        if theta == 0 {
            return Err(Error::invalid_encoding("theta sketch θ is 0"));
        }
        if values.len() >= capacity(k) {
            return Err(Error::invalid_encoding(
                "theta sketch holds more hashes than its k allows",
            ));
        }
        if !values.windows(2).all(|w| w[0] < w[1]) {
            return Err(Error::invalid_encoding(
                "theta sketch hashes not strictly ascending",
            ));
        }
        if values.last().is_some_and(|&v| v >= theta) {
            return Err(Error::invalid_encoding("theta sketch hash not below θ"));
        }
        Ok(Self {
            sorted: values.len(),
            values,
            theta,
            k,
            seed,
        })
    }
}

/// The most hashes a sketch of nominal `k` holds (it compacts on reaching it).
fn capacity(k: usize) -> usize {
    2 * k
}

/// The hashes a compaction keeps: the capacity less an insert buffer of `k/8` (at least 1).
fn min_retained(k: usize) -> usize {
    capacity(k) - (k / 8).max(1)
}

/// Merges the ascending `extra` (disjoint from `values`) into the ascending `values`, from the
/// back, in place.
fn merge_into(values: &mut Vec<u64>, extra: &mut Vec<u64>) {
    let mut i = values.len();
    let mut j = extra.len();
    values.resize(i + j, 0);
    let mut w = values.len();
    while j > 0 {
        w -= 1;
        if i > 0 && values[i - 1] > extra[j - 1] {
            values[w] = values[i - 1];
            i -= 1;
        } else {
            values[w] = extra[j - 1];
            j -= 1;
        }
    }
    extra.clear();
}

impl Default for ThetaSketch {
    /// `k =` [`ThetaSketch::DEFAULT_K`] (4096), [`DEFAULT_SEED`].
    fn default() -> Self {
        Self::new(Self::DEFAULT_K).expect("the default k is valid")
    }
}

impl fmt::Debug for ThetaSketch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThetaSketch")
            .field("k", &self.k)
            .field("retained", &self.retained())
            .field("theta", &self.theta())
            .field("estimate", &self.estimate())
            .finish_non_exhaustive()
    }
}

/// Sketches are equal when they have the same `k`, seed, θ and retained hashes (whatever is
/// still in the insert buffer).
impl PartialEq for ThetaSketch {
    fn eq(&self, other: &Self) -> bool {
        self.k == other.k
            && self.seed == other.seed
            && self.theta == other.theta
            && self.sorted_values() == other.sorted_values()
    }
}

impl HeapSize for ThetaSketch {
    fn heap_bytes(&self) -> usize {
        self.values.heap_bytes()
    }
}

hpds_core::impl_distinct_counter!(ThetaSketch);
