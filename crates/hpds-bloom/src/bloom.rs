//! The classic Bloom filter.

use core::fmt;
use hpds_core::Item;

use bitvec::prelude::{BitVec, Lsb0};
use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{Error, Result};

use crate::hashing::Hashes;
use crate::ops::Probe;
use crate::pages;
use crate::params::{self, check_bits, check_hashes};
use crate::prefetch::prefetch;

/// A classic Bloom filter: `m` bits, `k` positions per item, no false negatives.
///
/// Sized from the number of items you expect and the false-positive rate you accept
/// ([`BloomFilter::new`]: `m = -n ln p / ln(2)^2` bits, `k = round((m/n) ln 2)`), or from an
/// explicit shape ([`BloomFilter::with_bits`]). Each operation hashes the item once (128-bit
/// stable xxh3) and touches `k` bits by enhanced double hashing: `insert` and a member `contains`
/// cost `k` random memory accesses, a non-member `contains` stops at the first clear bit
/// (about 2 on average at the optimal fill).
///
/// Storage is a `bitvec` `BitVec<u64>`; the insert and query loops read and write its raw `u64`
/// words (see the crate docs, *Storage*, for the measurement behind that choice).
///
/// # Integer keys
/// [`insert_u64`](Self::insert_u64) and [`contains_u64`](Self::contains_u64) hash a `u64` key
/// with the filter's seed by one folded multiplication to the first position, the cheapest
/// path for `u64` keys (a non-member query usually stops at that position).
/// [`insert_hash`](Self::insert_hash) and [`contains_hash`](Self::contains_hash) accept any
/// 64-bit value, including an integer key itself: they expand it with two rounds of `mix64`
/// (a bijection), without the seed. Each entry point has its own positions, different from
/// those of [`insert`](Self::insert): keep one entry point per filter, and prefer a seeded
/// one where keys may be chosen by an adversary.
///
/// # Example
/// ```
/// use hpds_bloom::BloomFilter;
/// let mut seen = BloomFilter::new(1_000, 0.01)?;
/// assert!(!seen.insert("apple")); // not there before
/// assert!(seen.insert("apple")); // now it is
/// assert!(seen.contains("apple"));
/// assert!(!seen.contains("pear")); // false with probability about 99%
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BloomFilter {
    bits: BitVec<u64, Lsb0>,
    /// `bits.len()`, kept as `u64` for the range reduction.
    m: u64,
    k: u32,
    seed: u64,
}

impl BloomFilter {
    /// A filter for `expected_items` distinct items at false-positive rate
    /// `false_positive_rate` (both validated).
    ///
    /// # Example
    /// ```
    /// let f = hpds_bloom::BloomFilter::new(1_000_000, 0.01)?;
    /// assert_eq!(f.hashes(), 7);
    /// assert!((f.bits() as f64 / 1e6 - 9.59).abs() < 0.01); // 9.59 bits per item
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// `expected_items` is 0, the rate is not in (0, 1), or the filter would exceed
    /// [`params::MAX_BITS`].
    pub fn new(expected_items: u64, false_positive_rate: f64) -> Result<Self> {
        let (m, k) = params::classic_shape(expected_items, false_positive_rate)?;
        Self::with_bits(m, k)
    }

    /// A filter of exactly `bits` bits using `hashes` positions per item.
    ///
    /// # Errors
    /// `bits` is 0 or above [`params::MAX_BITS`], or `hashes` is not in `1..=64`.
    pub fn with_bits(bits: u64, hashes: u32) -> Result<Self> {
        let m = check_bits(bits)?;
        let k = check_hashes(hashes)?;
        let words = m.div_ceil(64) as usize;
        let mut bits = BitVec::from_vec(pages::vec_filled(words, 0u64));
        bits.truncate(m as usize);
        Ok(Self {
            bits,
            m,
            k,
            seed: DEFAULT_SEED,
        })
    }

    with_seed!(expected_items: u64, false_positive_rate: f64);

    /// [`with_bits`](Self::with_bits) hashing with `seed`.
    pub(crate) fn with_bits_and_seed(bits: u64, hashes: u32, seed: u64) -> Result<Self> {
        let mut filter = Self::with_bits(bits, hashes)?;
        filter.seed = seed;
        Ok(filter)
    }

    entry_points!(BloomFilter);

    /// Adds a `u64` key, hashed with the filter's seed by a cheaper function than the xxh3 of
    /// [`insert`](Self::insert): the folded 128-bit product of the seeded key with a constant
    /// gives the first position (one multiplication, as foldhash's hash of a `u64`), and one
    /// more such product the step between positions. Stable across runs, machines and
    /// versions and seeded like `insert`, so such a filter saves, loads and merges like any
    /// other; but the positions differ from those of `insert(&key)` and of
    /// [`insert_hash`](Self::insert_hash): use one entry point per filter.
    ///
    /// # Example
    /// ```
    /// let mut ids = hpds_bloom::BloomFilter::new(1_000, 0.01)?;
    /// assert!(!ids.insert_u64(42));
    /// assert!(ids.contains_u64(42));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn insert_u64(&mut self, key: u64) -> bool {
        self.insert_hashes(Hashes::of_u64_key(key, self.seed))
    }

    /// Whether a `u64` key added with [`insert_u64`](Self::insert_u64) is (probably) present.
    #[inline]
    pub fn contains_u64(&self, key: u64) -> bool {
        self.contains_hashes(Hashes::of_u64_key(key, self.seed))
    }

    /// Adds an item given by a 128-bit hash, e.g. `item.stable_hash128(filter.seed())`, which is
    /// exactly what [`insert`](Self::insert) does.
    #[inline]
    pub fn insert_hash128(&mut self, hash: u128) -> bool {
        self.insert_hashes(Hashes::from_u128(hash))
    }

    /// Whether an item given by its 128-bit hash is (probably) present.
    #[inline]
    pub fn contains_hash128(&self, hash: u128) -> bool {
        self.contains_hashes(Hashes::from_u128(hash))
    }

    /// Prefetches the words of the first `upto` (at most `k`) positions of `h`.
    #[inline]
    pub(crate) fn prefetch_positions(&self, h: Hashes, upto: u32) {
        let words = self.bits.as_raw_slice().as_ptr();
        h.probe_while(self.k.min(upto), self.m, |pos| {
            // A hint: the address is not dereferenced (and is in the filter anyway).
            prefetch(words.wrapping_add(pos >> 6));
            true
        });
    }

    #[inline(always)]
    #[allow(unsafe_code)]
    pub(crate) fn insert_hashes(&mut self, h: Hashes) -> bool {
        let (k, m) = (self.k, self.m);
        let words = self.words_for_probes_mut();
        let len = words.len();
        let base = words.as_mut_ptr();
        let mut present = true;
        h.probe_all(k, m, |pos| {
            debug_assert!(pos >> 6 < len);
            let bit = 1u64 << (pos & 63);
            // SAFETY: `pos < max(m, 1)` (a position of `probe_all`) and
            // `max(m, 1) <= 64 * len` (`words_for_probes_mut`), so `pos >> 6 < len`: the word is
            // in the slice, which this call borrows mutably and reaches only through `base`.
            unsafe {
                let w = base.add(pos >> 6);
                let old = w.read();
                w.write(old | bit);
                present &= old & bit != 0;
            }
        });
        present
    }

    #[inline]
    #[allow(unsafe_code)]
    pub(crate) fn contains_hashes(&self, h: Hashes) -> bool {
        let words = self.words_for_probes();
        let (base, len) = (words.as_ptr(), words.len());
        h.probe_while(self.k, self.m, |pos| {
            debug_assert!(pos >> 6 < len);
            // SAFETY: `pos < max(m, 1)` (a position of `probe_while`) and
            // `max(m, 1) <= 64 * len` (`words_for_probes`), so `pos >> 6 < len`: the word is in
            // the borrowed slice.
            let w = unsafe { base.add(pos >> 6).read() };
            (w >> (pos & 63)) & 1 != 0
        })
    }

    /// The raw words, checked to hold all `m` bits: every position of the filter (`< m`, or 0
    /// if `m` were 0, hence the `max(1)`) then has its word, which the probe loops read through
    /// a raw pointer without a bounds check each. The constructors keep `m.div_ceil(64)` words,
    /// so the check never fails; it is one comparison per operation (usually hoisted out of the
    /// caller's loop) instead of one per probe: callgrind counts 6-23 fewer instructions per
    /// operation (`benches/benches/bloom_icount.rs` in the workspace). A raw pointer rather
    /// than `get_unchecked` or a helper taking the slice: Miri's borrow tracker records every
    /// reference made, per probe, which doubled the Miri run of the unit tests.
    #[inline(always)]
    fn words_for_probes(&self) -> &[u64] {
        let words = self.bits.as_raw_slice();
        assert_words_cover(self.m, words.len());
        words
    }

    /// [`words_for_probes`](Self::words_for_probes), mutable.
    #[inline(always)]
    fn words_for_probes_mut(&mut self) -> &mut [u64] {
        let words = self.bits.as_raw_mut_slice();
        assert_words_cover(self.m, words.len());
        words
    }

    /// Sets every bit of `self` that is set in `other`: the filter of both item sets, exactly
    /// as if every item had been inserted here.
    ///
    /// # Errors
    /// The filters differ in bits, hashes or seed.
    pub fn union(&mut self, other: &Self) -> Result<()> {
        self.check_shape(other)?;
        for (a, b) in self
            .bits
            .as_raw_mut_slice()
            .iter_mut()
            .zip(other.bits.as_raw_slice())
        {
            *a |= *b;
        }
        Ok(())
    }

    /// Keeps only the bits set in both: contains every item inserted in both filters (no false
    /// negatives for the intersection), with a false-positive rate at most that of the smaller.
    ///
    /// # Errors
    /// The filters differ in bits, hashes or seed.
    pub fn intersect(&mut self, other: &Self) -> Result<()> {
        self.check_shape(other)?;
        for (a, b) in self
            .bits
            .as_raw_mut_slice()
            .iter_mut()
            .zip(other.bits.as_raw_slice())
        {
            *a &= *b;
        }
        Ok(())
    }

    fn check_shape(&self, other: &Self) -> Result<()> {
        if self.m != other.m {
            return Err(Error::incompatible("bits", self.m, other.m));
        }
        if self.k != other.k {
            return Err(Error::incompatible("hashes", self.k, other.k));
        }
        if self.seed != other.seed {
            return Err(Error::incompatible("seed", self.seed, other.seed));
        }
        Ok(())
    }

    /// Set bits.
    pub fn count_ones(&self) -> u64 {
        self.bits
            .as_raw_slice()
            .iter()
            .map(|w| u64::from(w.count_ones()))
            .sum()
    }

    /// The fraction of bits set.
    pub fn fill_ratio(&self) -> f64 {
        self.count_ones() as f64 / self.m as f64
    }

    /// Estimated distinct items inserted, from the fill (Swamidass and Baldi):
    /// `-(m/k) ln(1 - ones/m)`. Within about 1% while the filter is at or under its capacity.
    pub fn estimated_len(&self) -> f64 {
        params::estimate_items(self.m, self.k, self.count_ones())
    }

    /// The false-positive rate now, from the fill: `fill^k`. Rises above the target once more
    /// items than planned have been inserted.
    pub fn false_positive_rate(&self) -> f64 {
        self.fill_ratio().powi(self.k as i32)
    }

    /// Whether no bit is set.
    pub fn is_empty(&self) -> bool {
        self.bits.as_raw_slice().iter().all(|&w| w == 0)
    }

    /// Clears every bit, keeping the shape and the allocation.
    pub fn clear(&mut self) {
        self.bits.as_raw_mut_slice().fill(0);
    }

    /// Size in bits (`m`).
    pub fn bits(&self) -> u64 {
        self.m
    }

    /// Positions per item (`k`).
    pub fn hashes(&self) -> u32 {
        self.k
    }

    /// The seed items are hashed with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The bit array.
    pub fn as_bitslice(&self) -> &bitvec::slice::BitSlice<u64, Lsb0> {
        &self.bits
    }

    /// Overwrites the words of a filter of the same shape (for the atomic snapshot).
    #[inline]
    pub(crate) fn words(&self) -> &[u64] {
        self.bits.as_raw_slice()
    }

    pub(crate) fn load_words(&mut self, words: &[u64]) {
        self.bits.as_raw_mut_slice().copy_from_slice(words);
    }

    fn from_parts(m: u64, k: u32, seed: u64, words: Vec<u64>) -> Result<Self> {
        if m == 0 || m > params::MAX_BITS {
            return Err(Error::invalid_encoding("bit count out of range 1..=2^40"));
        }
        if k == 0 || k > params::MAX_HASHES {
            return Err(Error::invalid_encoding("hash count out of range 1..=64"));
        }
        if words.len() as u64 != m.div_ceil(64) {
            return Err(Error::invalid_encoding(
                "word count does not match the bit count",
            ));
        }
        if m % 64 != 0 && words[words.len() - 1] >> (m % 64) != 0 {
            return Err(Error::invalid_encoding(
                "bits set past the end of the filter",
            ));
        }
        let mut table = pages::vec_with_capacity(words.len());
        table.extend_from_slice(&words);
        drop(words);
        let mut bits = BitVec::from_vec(table);
        bits.truncate(m as usize);
        Ok(Self { bits, m, k, seed })
    }
}

/// The two 64-bit halves of one 128-bit hash, driving enhanced double hashing.
impl Probe for BloomFilter {
    type Key = Hashes;
    /// Each item prefetches its `k` lines; tuned at 100M items: 4, 8 and 16 were equal within
    /// noise.
    const AHEAD: usize = 8;

    #[inline(always)]
    fn key_of_item<T: Item + ?Sized>(&self, item: &T) -> Hashes {
        Hashes::of_item(item, self.seed)
    }

    #[inline(always)]
    fn key_of_hash(&self, hash: u64) -> Hashes {
        Hashes::from_u64(hash)
    }

    #[inline(always)]
    fn prefetch(&self, key: Hashes) {
        self.prefetch_positions(key, self.k);
    }

    #[inline(always)]
    fn insert_key(&mut self, key: Hashes) -> bool {
        self.insert_hashes(key)
    }

    #[inline(always)]
    fn contains_key(&self, key: Hashes) -> bool {
        self.contains_hashes(key)
    }
}

impl Default for BloomFilter {
    /// A filter for 1,000 items at 1% (9.6 kbit).
    fn default() -> Self {
        let m = params::optimal_bits(1000, 0.01);
        Self::with_bits(m, params::optimal_hashes(m, 1000)).expect("valid default shape")
    }
}

impl fmt::Debug for BloomFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BloomFilter")
            .field("bits", &self.m)
            .field("hashes", &self.k)
            .field("seed", &self.seed)
            .field("ones", &self.count_ones())
            .finish()
    }
}

impl_extend!([] BloomFilter);
impl_heap_size!([] BloomFilter, |f| f.bits.capacity() / 8);
impl_membership!([] BloomFilter);
impl_word_codec!(
    BloomFilter,
    b"BLMF",
    bits,
    "Format (version 2): `bits: u64, hashes: u32, seed: u64, words: u64 slice`, little-endian; \
     bits past `bits` in the last word are zero."
);

/// The check behind [`BloomFilter::words_for_probes`]: `len` words hold every position below
/// `max(m, 1)`.
#[inline(always)]
fn assert_words_cover(m: u64, len: usize) {
    assert!(
        m.max(1).div_ceil(64) <= len as u64,
        "filter words do not cover m bits"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use hpds_core::codec::{ByteCodec, Encoder};

    #[test]
    fn bad_parameters_are_errors_not_panics() {
        assert!(BloomFilter::new(0, 0.01).is_err());
        assert!(BloomFilter::new(10, 0.0).is_err());
        assert!(BloomFilter::new(10, 1.5).is_err());
        assert!(BloomFilter::new(u64::MAX, 0.01).is_err());
        assert!(BloomFilter::with_bits(0, 3).is_err());
        assert!(BloomFilter::with_bits(64, 0).is_err());
        assert!(BloomFilter::with_bits(64, 65).is_err());
    }

    #[test]
    fn tiny_filters_work() {
        let mut f = BloomFilter::with_bits(1, 1).unwrap();
        assert!(!f.insert(&1u8));
        assert!(f.contains(&2u8)); // the only bit is set
        let mut g = BloomFilter::with_bits(65, 64).unwrap();
        g.insert("x");
        assert!(g.contains("x"));
    }

    #[test]
    fn union_and_intersection_reject_other_shapes() {
        let mut a = BloomFilter::new(100, 0.01).unwrap();
        let b = BloomFilter::new(200, 0.01).unwrap();
        assert!(a.union(&b).is_err());
        let c = BloomFilter::with_seed(100, 0.01, 5).unwrap();
        assert!(a.intersect(&c).is_err());
        let d = BloomFilter::with_bits(a.bits(), a.hashes() + 1).unwrap();
        assert!(a.union(&d).is_err());
    }

    #[test]
    fn clear_and_estimates() {
        let mut f = BloomFilter::new(10_000, 0.01).unwrap();
        assert!(f.is_empty());
        f.extend(0..5000u32);
        let est = f.estimated_len();
        assert!((est - 5000.0).abs() < 150.0, "{est}");
        assert!(f.false_positive_rate() < 0.01);
        f.clear();
        assert!(f.is_empty());
        assert_eq!(f.estimated_len(), 0.0);
    }

    #[test]
    fn decoder_rejects_stray_bits() {
        let f = BloomFilter::with_bits(10, 2).unwrap();
        // The current version, so the decoder reaches the words: bit 12 lies past the
        // filter's 10 bits, and the same bytes with bit 9 instead decode.
        let encode = |word: u64| {
            let mut enc = Encoder::new(BloomFilter::TAG, BloomFilter::VERSION);
            enc.put_u64(10);
            enc.put_u32(2);
            enc.put_u64(f.seed());
            enc.put_u64_slice(&[word]);
            enc.finish()
        };
        let err = BloomFilter::from_bytes(&encode(1 << 12)).unwrap_err();
        assert!(err.to_string().contains("past the end"), "{err}");
        assert!(BloomFilter::from_bytes(&encode(1 << 9)).is_ok());
        assert_eq!(BloomFilter::from_bytes(&f.to_bytes()).unwrap(), f);
    }
}
