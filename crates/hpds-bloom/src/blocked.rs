//! The cache-line-blocked Bloom filter.

use core::fmt;
use hpds_core::Item;

use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::hash::{DEFAULT_SEED, mix64};
use hpds_core::{Error, Result};

use crate::hashing::{self, Hashes, reduce};
use crate::params::{self, BLOCK_BITS, check_hashes, check_items, check_rate};
use crate::prefetch::prefetch;

/// How many items ahead of the one it applies a batched operation hashes and prefetches
/// (tuned at 100M items: 16, 32 and 64 were equal on queries, 32 the best on inserts).
const AHEAD: usize = 32;

/// One 64-byte cache line of bits, aligned so an operation touches exactly one line.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
#[repr(C, align(64))]
struct Block([u64; 8]);

/// A blocked Bloom filter: every item's `k` bits lie in one 512-bit block (one cache line),
/// so each operation costs one cache miss however large the filter (Putze, Sanders and
/// Singler, 2007).
///
/// The price is accuracy: blocks receive unequal numbers of items (Poisson), and overloaded
/// blocks give more false positives, so a blocked filter needs more bits than a classic one for
/// the same rate. [`BlockedBloomFilter::new`] accounts for it: it searches for the fewest bits
/// whose Poisson-mixture rate ([`params::blocked_fpr`]) meets the target (about 10.0 bits per
/// item at 1% instead of 9.6, 15.6 at 0.1% instead of 14.4, 22.0 at 0.01% instead of 19.2).
///
/// The block is chosen by the first 64-bit half of the item's hash (multiply-shift), and the
/// bits inside it by 9-bit slices of the second half (then 9-bit slices of `mix64(h2 ^ round·φ)` for the 8th bit on).
///
/// Storage: a `Vec` of 64-byte-aligned `[u64; 8]` blocks rather than a `bitvec::BitVec`, whose
/// buffer has no way to ask for cache-line alignment; without it, a block straddles two lines
/// and the one-miss guarantee is lost.
///
/// # Example
/// ```
/// use hpds_bloom::BlockedBloomFilter;
/// let mut f = BlockedBloomFilter::new(10_000_000, 0.01)?;
/// f.insert(&42u64);
/// assert!(f.contains(&42u64));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BlockedBloomFilter {
    blocks: Vec<Block>,
    k: u32,
    seed: u64,
}

/// Calls `f(word, bit)` for each of the item's `k` bits in its block (`word` in `0..8`, `bit`
/// a one-bit mask): 9-bit slices of `h2`, then of `mix64(h2 ^ round·φ)` from the 8th bit on.
///
/// The insert and the query apply the bits to the block directly rather than building an
/// 8-word mask first: the mask lived on the stack, and its ~15 stores per operation filled the
/// processor's store queue, which cannot drain past an unfinished cache miss, so fewer
/// operations' misses overlapped (`docs/bloom.md`, *Batched operations*).
#[inline]
fn for_each_bit(h2: u64, k: u32, mut f: impl FnMut(usize, u64)) {
    let mut z = h2;
    let mut left = 7;
    let mut round = 0u64;
    for _ in 0..k {
        if left == 0 {
            // Fresh bits from the whole second half, not from the spent remainder of `z`.
            round += 1;
            z = mix64(h2 ^ round.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            left = 7;
        }
        let bit = (z & 511) as usize;
        f(bit >> 6, 1u64 << (bit & 63));
        z >>= 9;
        left -= 1;
    }
}

impl BlockedBloomFilter {
    /// A filter for `expected_items` at `false_positive_rate`, sized with the blocked formula
    /// so the measured rate meets the target.
    ///
    /// # Errors
    /// `expected_items` is 0, the rate is not in (0, 1) or too small for 512-bit blocks
    /// (below about 1e-7), or the filter would exceed [`params::MAX_BITS`].
    pub fn new(expected_items: u64, false_positive_rate: f64) -> Result<Self> {
        let n = check_items(expected_items)?;
        let p = check_rate(false_positive_rate)?;
        let (blocks, k) = params::blocked_shape(n, p)?;
        Self::with_blocks(blocks, k)
    }

    /// A filter of `blocks` 512-bit blocks setting `hashes` bits per item.
    ///
    /// # Errors
    /// `blocks` is 0 or too large, or `hashes` is not in `1..=64`.
    pub fn with_blocks(blocks: u64, hashes: u32) -> Result<Self> {
        if blocks == 0 {
            return Err(Error::invalid_parameter("blocks", blocks, "1..=2^31"));
        }
        if blocks > params::MAX_BITS / BLOCK_BITS {
            return Err(Error::capacity_overflow(
                "blocked Bloom filter (over 2^40 bits)",
            ));
        }
        let k = check_hashes(hashes)?;
        Ok(Self {
            blocks: vec![Block::default(); blocks as usize],
            k,
            seed: DEFAULT_SEED,
        })
    }

    with_seed!(expected_items: u64, false_positive_rate: f64);

    /// Adds an item; returns `true` if it was (probably) present already.
    #[inline]
    pub fn insert<T: Item + ?Sized>(&mut self, item: &T) -> bool {
        self.insert_hashes(Hashes::of_item(item, self.seed))
    }

    /// Whether the item is (probably) present: never `false` for an inserted item.
    #[inline]
    pub fn contains<T: Item + ?Sized>(&self, item: &T) -> bool {
        self.contains_hashes(Hashes::of_item(item, self.seed))
    }

    /// Adds an item given by a 64-bit hash (expanded with `mix64`).
    #[inline]
    pub fn insert_hash(&mut self, hash: u64) -> bool {
        self.insert_hashes(Hashes::from_u64(hash))
    }

    /// Whether an item given by its 64-bit hash is (probably) present.
    #[inline]
    pub fn contains_hash(&self, hash: u64) -> bool {
        self.contains_hashes(Hashes::from_u64(hash))
    }

    /// Inserts every item of `items`, in order, with exactly the effect of calling
    /// [`insert`](Self::insert) on each, and returns how many of them were not (probably)
    /// present when inserted (the number of `insert` calls that would have returned `false`:
    /// a distinct count of the stream).
    ///
    /// Faster than the loop of `insert`s on filters larger than the cache: it hashes each item
    /// 32 items before setting its bits and prefetches its block then, so the cache misses of
    /// many items overlap. A single `insert` is a long chain of hashing and masking
    /// instructions around one miss, and the processor can only hold a few of them in flight;
    /// see `docs/bloom.md`, *Batched operations*.
    ///
    /// # Example
    /// ```
    /// use hpds_bloom::BlockedBloomFilter;
    /// let mut f = BlockedBloomFilter::new(1_000, 0.01)?;
    /// let words = ["a", "b", "a", "c", "b"];
    /// assert_eq!(f.insert_many(&words), 3);
    /// assert!(f.contains("c"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn insert_many<T: Item>(&mut self, items: &[T]) -> usize {
        hashing::insert_many::<_, _, _, AHEAD>(self, items, Self::locate, |f, (i, h2)| {
            f.set_in_block(i, h2)
        })
    }

    /// Whether each item of `items` is (probably) present, in order: `out` is cleared and then
    /// receives one `bool` per item, the same as [`contains`](Self::contains) would return.
    /// Batched like [`insert_many`](Self::insert_many), for the same speed-up on large filters.
    ///
    /// # Example
    /// ```
    /// use hpds_bloom::BlockedBloomFilter;
    /// let mut f = BlockedBloomFilter::new(1_000, 0.01)?;
    /// f.insert_many(&[1u64, 2, 3]);
    /// let mut found = Vec::new();
    /// f.contains_many(&[1u64, 2, 3], &mut found);
    /// assert_eq!(found, [true, true, true]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn contains_many<T: Item>(&self, items: &[T], out: &mut Vec<bool>) {
        hashing::contains_many::<_, _, _, AHEAD>(self, items, out, Self::locate, |f, (i, h2)| {
            f.test_block(i, h2)
        });
    }

    /// How many items of `items` are (probably) present: the number of `true`s
    /// [`contains_many`](Self::contains_many) would give, without the vector.
    ///
    /// # Example
    /// ```
    /// use hpds_bloom::BlockedBloomFilter;
    /// let mut f = BlockedBloomFilter::new(1_000, 0.01)?;
    /// f.insert_many(&["x", "y"]);
    /// assert_eq!(f.count_contained(&["x", "y"]), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count_contained<T: Item>(&self, items: &[T]) -> usize {
        hashing::count_contained::<_, _, _, AHEAD>(self, items, Self::locate, |f, (i, h2)| {
            f.test_block(i, h2)
        })
    }

    /// Hashes an item into its `(block, second hash half)` and prefetches the block.
    #[inline]
    fn locate<T: Item>(&self, item: &T) -> (usize, u64) {
        let h = Hashes::of_item(item, self.seed);
        let i = reduce(h.h1, self.blocks.len() as u64) as usize;
        prefetch(core::ptr::from_ref(&self.blocks[i]));
        (i, h.h2)
    }

    #[inline]
    fn insert_hashes(&mut self, h: Hashes) -> bool {
        let i = reduce(h.h1, self.blocks.len() as u64) as usize;
        self.set_in_block(i, h.h2)
    }

    /// Sets the item's bits in block `i`; whether they were all set before.
    #[inline]
    fn set_in_block(&mut self, i: usize, h2: u64) -> bool {
        let block = &mut self.blocks[i].0;
        let mut present = true;
        for_each_bit(h2, self.k, |w, bit| {
            present &= block[w] & bit != 0;
            block[w] |= bit;
        });
        present
    }

    #[inline]
    fn contains_hashes(&self, h: Hashes) -> bool {
        let i = reduce(h.h1, self.blocks.len() as u64) as usize;
        self.test_block(i, h.h2)
    }

    /// Whether the item's bits are all set in block `i`.
    #[inline]
    fn test_block(&self, i: usize, h2: u64) -> bool {
        let block = &self.blocks[i].0;
        // Branch-free over the k bits: loads only, no stores.
        let mut missing = 0u64;
        for_each_bit(h2, self.k, |w, bit| missing |= bit & !block[w]);
        missing == 0
    }

    /// Sets every bit set in `other` (the filter of both item sets).
    ///
    /// # Errors
    /// The filters differ in blocks, hashes or seed.
    pub fn union(&mut self, other: &Self) -> Result<()> {
        self.check_shape(other)?;
        for (a, b) in self.blocks.iter_mut().zip(&other.blocks) {
            for (x, y) in a.0.iter_mut().zip(b.0) {
                *x |= y;
            }
        }
        Ok(())
    }

    /// Keeps only bits set in both (no false negatives for items inserted in both).
    ///
    /// # Errors
    /// The filters differ in blocks, hashes or seed.
    pub fn intersect(&mut self, other: &Self) -> Result<()> {
        self.check_shape(other)?;
        for (a, b) in self.blocks.iter_mut().zip(&other.blocks) {
            for (x, y) in a.0.iter_mut().zip(b.0) {
                *x &= y;
            }
        }
        Ok(())
    }

    fn check_shape(&self, other: &Self) -> Result<()> {
        if self.blocks.len() != other.blocks.len() {
            return Err(Error::incompatible(
                "blocks",
                self.blocks.len(),
                other.blocks.len(),
            ));
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
        self.blocks
            .iter()
            .flat_map(|b| b.0)
            .map(|w| u64::from(w.count_ones()))
            .sum()
    }

    /// Estimated distinct items, from the fill (treating the filter as classic; slightly low
    /// because bits within a block collide more).
    pub fn estimated_len(&self) -> f64 {
        params::estimate_items(self.bits(), self.k, self.count_ones())
    }

    /// The theoretical false-positive rate after `n` items ([`params::blocked_fpr`]).
    pub fn false_positive_rate_at(&self, n: u64) -> f64 {
        params::blocked_fpr(self.blocks.len() as u64, self.k, n)
    }

    /// Whether no bit is set.
    pub fn is_empty(&self) -> bool {
        self.blocks.iter().all(|b| b.0 == [0; 8])
    }

    /// Clears every bit.
    pub fn clear(&mut self) {
        self.blocks.fill(Block::default());
    }

    /// Size in bits.
    pub fn bits(&self) -> u64 {
        self.blocks.len() as u64 * BLOCK_BITS
    }

    /// Number of 512-bit blocks.
    pub fn blocks(&self) -> u64 {
        self.blocks.len() as u64
    }

    /// Bits set per item.
    pub fn hashes(&self) -> u32 {
        self.k
    }

    /// The seed items are hashed with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn words(&self) -> Vec<u64> {
        self.blocks.iter().flat_map(|b| b.0).collect()
    }

    fn from_parts(k: u32, seed: u64, words: &[u64]) -> Result<Self> {
        if k == 0 || k > params::MAX_HASHES {
            return Err(Error::invalid_encoding("hash count out of range 1..=64"));
        }
        if words.is_empty() || words.len() % 8 != 0 {
            return Err(Error::invalid_encoding(
                "word count is not a positive multiple of 8",
            ));
        }
        let blocks = words
            .chunks_exact(8)
            .map(|c| Block(c.try_into().expect("chunks of 8")))
            .collect();
        Ok(Self { blocks, k, seed })
    }
}

impl fmt::Debug for BlockedBloomFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockedBloomFilter")
            .field("blocks", &self.blocks.len())
            .field("hashes", &self.k)
            .field("seed", &self.seed)
            .field("ones", &self.count_ones())
            .finish()
    }
}

impl Default for BlockedBloomFilter {
    /// A filter for 1,000 items at 1%.
    fn default() -> Self {
        Self::new(1000, 0.01).expect("valid default shape")
    }
}

impl_extend!([] BlockedBloomFilter);
impl_heap_size!([] BlockedBloomFilter, |f| f.blocks.capacity() * core::mem::size_of::<Block>());
impl_membership!([] BlockedBloomFilter);

/// Format (version 2): `hashes: u32, seed: u64, words: u64 slice` (8 words per block).
impl ByteCodec for BlockedBloomFilter {
    const TAG: [u8; 4] = *b"BLMB";
    const VERSION: u16 = 2;
    // Earlier versions hashed strings and byte slices through `Hash`, not their bytes.
    const MIN_VERSION: u16 = 2;

    fn encode_payload(&self, enc: &mut Encoder) {
        enc.put_u32(self.k);
        enc.put_u64(self.seed);
        enc.put_u64_slice(&self.words());
    }

    fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
        let k = dec.u32()?;
        let seed = dec.u64()?;
        let words = dec.u64_vec()?;
        Self::from_parts(k, seed, &words)
    }
}

#[cfg(feature = "serde")]
hpds_core::impl_serde_via_codec!(BlockedBloomFilter);

#[cfg(test)]
mod tests {
    use super::*;
    use hpds_core::HeapSize;

    #[test]
    fn masks_have_at_most_k_bits() {
        for k in [1, 7, 8, 15, 64] {
            let mut m = [0u64; 8];
            for_each_bit(0x0123_4567_89ab_cdef, k, |w, bit| m[w] |= bit);
            let ones: u32 = m.iter().map(|w| w.count_ones()).sum();
            assert!(ones >= 1 && ones <= k);
        }
    }

    /// The batched calls (and their prefetches) against the one-at-a-time ones; small enough
    /// for Miri (the proptest model in `tests/props.rs` covers the edge cases).
    #[test]
    fn batched_calls_match_single_ones() {
        let items: Vec<u32> = (0..100).chain(50..150).collect();
        let mut one = BlockedBloomFilter::with_blocks(3, 7).unwrap();
        let new_one = items.iter().filter(|i| !one.insert(*i)).count();
        let mut many = BlockedBloomFilter::with_blocks(3, 7).unwrap();
        assert_eq!(many.insert_many(&items), new_one);
        assert!(many == one);
        let queries: Vec<u32> = (100..400).collect();
        let mut found = Vec::new();
        many.contains_many(&queries, &mut found);
        let expected: Vec<bool> = queries.iter().map(|q| one.contains(q)).collect();
        assert_eq!(found, expected);
        assert_eq!(
            many.count_contained(&queries),
            expected.iter().filter(|&&b| b).count()
        );
    }

    #[test]
    fn blocks_are_cache_line_aligned() {
        let f = BlockedBloomFilter::with_blocks(3, 4).unwrap();
        assert_eq!(core::mem::align_of::<Block>(), 64);
        assert_eq!(f.blocks.as_ptr() as usize % 64, 0);
        assert_eq!(f.heap_bytes(), 192);
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(BlockedBloomFilter::new(0, 0.01).is_err());
        assert!(BlockedBloomFilter::new(10, 0.0).is_err());
        assert!(BlockedBloomFilter::with_blocks(0, 3).is_err());
        assert!(BlockedBloomFilter::with_blocks(1, 0).is_err());
    }
}
