//! The cache-line-blocked Bloom filter.

use core::fmt;
use hpds_core::Item;

use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{Error, Result};

use crate::ops::Probe;
use crate::pages;
use crate::params::{self, BLOCK_BITS, check_items, check_rate};
use crate::prefetch::prefetch;
use crate::split::{self, Block, Kernel, MAX_ROUNDS, WORDS};

/// A split-block Bloom filter: every item's bits lie in one 256-bit block (half a cache line),
/// one bit in each of the block's eight 32-bit words, so each operation costs one cache miss
/// however large the filter, and a query tests the eight words together with no
/// data-dependent branch (Putze, Sanders and Singler, 2007; the layout of Parquet's split-block
/// filter).
///
/// The price is accuracy: blocks receive unequal numbers of items (Poisson), and overloaded
/// blocks give more false positives, so a blocked filter needs more bits than a classic one for
/// the same rate. [`BlockedBloomFilter::new`] accounts for it: it takes the fewest bits whose
/// Poisson-mixture rate ([`params::blocked_fpr`]) meets the target: 10.5 bits per item at 1%
/// (classic: 9.6), 16.9 at 0.1% (14.4), 26.4 at 0.01% (19.2). Below about 0.1% the classic
/// [`BloomFilter`](crate::BloomFilter) is much smaller; below about 0.001% the filter sets two
/// or more bits per word (`8 · rounds` bits per item).
///
/// Why split blocks: a query's cost far out of cache is how many queries' cache misses the
/// processor overlaps, which is bounded by the instructions each query takes (they fill the
/// reorder buffer) and by branches that depend on the loaded block (a mispredicted one
/// discards the queries issued after it). The eight bit positions come from eight
/// multiplications of one 32-bit key, the block is compared whole, and nothing branches on
/// its contents; on x86-64 with AVX2 (detected at run time) that is a handful of vector
/// instructions per operation.
///
/// The block is chosen by the high 32 bits of the item's 64-bit hash (multiply-shift), the
/// bits inside it by the low 32 bits.
///
/// # Pre-hashed input
/// [`insert_hash`](Self::insert_hash) and [`contains_hash`](Self::contains_hash) use the 64-bit
/// value as given, with no mixing step (unlike [`BloomFilter`](crate::BloomFilter)'s): give
/// them a well-mixed hash, such as [`hpds_core::hash::hash_u64`] or another xxh3 or xxh64
/// output. Values with little entropy in either half (sequential ids, small integers, hashes
/// whose high bits are all zero) would crowd into a few blocks or bit patterns: mix those
/// first, e.g. with [`hpds_core::hash::mix64`]. Fed a hash, a one-round filter sets the bits
/// Parquet's split-block filter of the same number of blocks sets for that hash. Storage: a `Vec` of 32-byte-aligned `[u32; 8]` blocks
/// rather than a `bitvec::BitVec`, whose buffer has no way to ask for alignment; without it, a
/// block can straddle two cache lines.
///
/// # Example
/// ```
/// use hpds_bloom::BlockedBloomFilter;
/// let mut f = BlockedBloomFilter::new(10_000_000, 0.01)?;
/// f.insert(&42u64);
/// assert!(f.contains(&42u64));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct BlockedBloomFilter {
    blocks: Vec<Block>,
    /// Bits set per word per item; `8 · rounds` bits per item.
    rounds: u32,
    seed: u64,
    /// The probe functions for this machine and `rounds`.
    kernel: Kernel,
}

impl PartialEq for BlockedBloomFilter {
    fn eq(&self, other: &Self) -> bool {
        self.rounds == other.rounds && self.seed == other.seed && self.blocks == other.blocks
    }
}

impl Eq for BlockedBloomFilter {}

/// The most blocks a filter may have: the block index is a multiply-shift of 32 hash bits
/// (2^32 blocks are 2^40 bits, [`params::MAX_BITS`]).
const MAX_BLOCKS: u64 = params::MAX_BITS / BLOCK_BITS;

impl BlockedBloomFilter {
    /// A filter for `expected_items` at `false_positive_rate`, sized with the blocked formula
    /// so the measured rate meets the target.
    ///
    /// # Errors
    /// `expected_items` is 0, the rate is not in (0, 1) or too small for split blocks, or the
    /// filter would exceed [`params::MAX_BITS`].
    pub fn new(expected_items: u64, false_positive_rate: f64) -> Result<Self> {
        let n = check_items(expected_items)?;
        let p = check_rate(false_positive_rate)?;
        let (blocks, k) = params::blocked_shape(n, p)?;
        Self::with_blocks(blocks, k)
    }

    /// A filter of `blocks` 256-bit blocks setting `hashes` bits per item, a multiple of 8
    /// (one bit per word of the block per round).
    ///
    /// # Errors
    /// `blocks` is 0 or above 2^32, or `hashes` is not one of 8, 16, ..., 64.
    pub fn with_blocks(blocks: u64, hashes: u32) -> Result<Self> {
        if blocks == 0 {
            return Err(Error::invalid_parameter("blocks", blocks, "1..=2^32"));
        }
        if blocks > MAX_BLOCKS {
            return Err(Error::capacity_overflow(
                "blocked Bloom filter (over 2^40 bits)",
            ));
        }
        if hashes == 0 || hashes % 8 != 0 || hashes / 8 > MAX_ROUNDS {
            return Err(Error::invalid_parameter(
                "hashes",
                hashes,
                "a multiple of 8 in 8..=64 (one bit per word of a block per round)",
            ));
        }
        Ok(Self {
            blocks: pages::vec_filled(blocks as usize, Block::default()),
            rounds: hashes / 8,
            seed: DEFAULT_SEED,
            kernel: Kernel::new(hashes / 8),
        })
    }

    with_seed!(expected_items: u64, false_positive_rate: f64);

    /// The same (empty) filter hashing with `seed`, for the scalable filter's stages.
    pub(crate) fn reseeded(mut self, seed: u64) -> Self {
        self.clear();
        self.seed = seed;
        self
    }

    entry_points!(BlockedBloomFilter);

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
        if self.rounds != other.rounds {
            return Err(Error::incompatible("hashes", self.hashes(), other.hashes()));
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
        params::estimate_items(self.bits(), self.hashes(), self.count_ones())
    }

    /// The theoretical false-positive rate after `n` items ([`params::blocked_fpr`]).
    pub fn false_positive_rate_at(&self, n: u64) -> f64 {
        params::blocked_fpr(self.blocks.len() as u64, self.hashes(), n)
    }

    /// Whether no bit is set.
    pub fn is_empty(&self) -> bool {
        self.blocks.iter().all(|b| b.0 == [0; WORDS])
    }

    /// Clears every bit.
    pub fn clear(&mut self) {
        self.blocks.fill(Block::default());
    }

    /// Size in bits.
    pub fn bits(&self) -> u64 {
        self.blocks.len() as u64 * BLOCK_BITS
    }

    /// Number of 256-bit blocks.
    pub fn blocks(&self) -> u64 {
        self.blocks.len() as u64
    }

    /// Bits set per item (`8 · rounds`).
    pub fn hashes(&self) -> u32 {
        8 * self.rounds
    }

    /// The seed items are hashed with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The blocks, for probes that test several filters at once.
    #[inline(always)]
    pub(crate) fn raw_blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The blocks, for probes that write one filter and test others.
    #[inline(always)]
    pub(crate) fn raw_blocks_mut(&mut self) -> &mut [Block] {
        &mut self.blocks
    }

    /// The blocks as little-endian `u64`s, four per block (the bytes of the eight `u32` words
    /// in order).
    fn words(&self) -> Vec<u64> {
        self.blocks
            .iter()
            .flat_map(|b| {
                let w = b.0;
                [0, 2, 4, 6].map(|i| u64::from(w[i]) | u64::from(w[i + 1]) << 32)
            })
            .collect()
    }

    fn from_parts(k: u32, seed: u64, words: &[u64]) -> Result<Self> {
        if k == 0 || k % 8 != 0 || k / 8 > MAX_ROUNDS {
            return Err(Error::invalid_encoding(
                "bits per item not a multiple of 8 in 8..=64",
            ));
        }
        if words.is_empty() || words.len() % 4 != 0 || (words.len() / 4) as u64 > MAX_BLOCKS {
            return Err(Error::invalid_encoding(
                "word count is not a positive multiple of 4 (at most 2^34)",
            ));
        }
        let mut blocks = pages::vec_with_capacity(words.len() / 4);
        blocks.extend(words.chunks_exact(4).map(|c| {
            let mut b = [0u32; WORDS];
            for (i, &w) in c.iter().enumerate() {
                b[2 * i] = w as u32;
                b[2 * i + 1] = (w >> 32) as u32;
            }
            Block(b)
        }));
        Ok(Self {
            blocks,
            rounds: k / 8,
            seed,
            kernel: Kernel::new(k / 8),
        })
    }
}

/// The block of a key and the bits within it: the high and low halves of one 64-bit hash.
impl Probe for BlockedBloomFilter {
    type Key = u64;
    /// Tuned at 100M items: 16, 32 and 64 were equal on queries, 32 the best on inserts.
    const AHEAD: usize = 32;

    #[inline(always)]
    fn key_of_item<T: Item + ?Sized>(&self, item: &T) -> u64 {
        item.stable_hash(self.seed)
    }

    /// The hash as given: it must be well mixed (see the type's docs, *Pre-hashed input*).
    #[inline(always)]
    fn key_of_hash(&self, hash: u64) -> u64 {
        hash
    }

    #[inline(always)]
    fn prefetch(&self, key: u64) {
        prefetch(core::ptr::from_ref(
            &self.blocks[split::block_index(key, self.blocks.len())],
        ));
    }

    #[inline(always)]
    fn insert_key(&mut self, key: u64) -> bool {
        self.kernel.insert(&mut self.blocks, key)
    }

    #[inline(always)]
    fn contains_key(&self, key: u64) -> bool {
        self.kernel.test(&self.blocks, key)
    }
}

impl fmt::Debug for BlockedBloomFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockedBloomFilter")
            .field("blocks", &self.blocks.len())
            .field("hashes", &self.hashes())
            .field("seed", &self.seed)
            .field("ones", &self.count_ones())
            .finish_non_exhaustive()
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

/// Format (version 3): `hashes: u32, seed: u64, words: u64 slice`, four little-endian `u64`s
/// per 256-bit block (the block's eight `u32` words in order, as in Parquet's split-block
/// bitset). Versions 1 and 2 (512-bit blocks, another bit layout) are not read: their bits
/// cannot be moved to this layout, so decoding them fails with a retired-version error;
/// rebuild such a filter from its items.
impl ByteCodec for BlockedBloomFilter {
    const TAG: [u8; 4] = *b"BLMB";
    const VERSION: u16 = 3;
    // Version 2 and older are other bit layouts (512-bit blocks, classic sub-filters).
    const MIN_VERSION: u16 = 3;

    fn encode_payload(&self, enc: &mut Encoder) {
        enc.put_u32(self.hashes());
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

    /// The batched calls (and their prefetches) against the one-at-a-time ones; small enough
    /// for Miri (the proptest model in `tests/props.rs` covers the edge cases).
    #[test]
    fn batched_calls_match_single_ones() {
        // Half of the second run repeats the first; Miri interprets every call: fewer there.
        let n = if cfg!(miri) { 24 } else { 100 };
        let items: Vec<u32> = (0..n).chain(n / 2..n + n / 2).collect();
        let mut one = BlockedBloomFilter::with_blocks(3, 8).unwrap();
        let new_one = items.iter().filter(|i| !one.insert(*i)).count();
        let mut many = BlockedBloomFilter::with_blocks(3, 8).unwrap();
        assert_eq!(many.insert_many(&items), new_one);
        assert!(many == one);
        let queries: Vec<u32> = (n..4 * n).collect();
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
    fn blocks_are_aligned() {
        let f = BlockedBloomFilter::with_blocks(3, 8).unwrap();
        assert_eq!(core::mem::align_of::<Block>(), 32);
        assert_eq!(f.blocks.as_ptr() as usize % 32, 0);
        assert_eq!(f.heap_bytes(), 96);
    }

    /// Every way to make a filter (new, decoded, cloned, reseeded) gets the probe functions of
    /// its rounds: what they set and test agrees bit for bit with the portable mask.
    #[test]
    fn every_constructor_gets_the_probes_of_its_rounds() {
        // Miri interprets every call: fewer items there.
        let n: u32 = if cfg!(miri) { 16 } else { 60 };
        for hashes in [8, 16, 24] {
            let mut f = BlockedBloomFilter::with_blocks(40, hashes).unwrap();
            f.extend(0..n);
            let decoded = BlockedBloomFilter::from_bytes(&f.to_bytes()).unwrap();
            let mut reseeded = f.clone().reseeded(f.seed());
            reseeded.extend(0..n);
            for g in [decoded, f.clone(), reseeded] {
                assert!(g == f);
                let mut g = g;
                for q in 100..100 + n {
                    let hash = q.stable_hash(g.seed());
                    let m = split::mask(hash as u32, g.rounds);
                    let at = split::block_index(hash, g.blocks.len());
                    let before = g.blocks[at].0.iter().zip(m).all(|(w, b)| w & b == b);
                    assert_eq!(g.contains(&q), before, "hashes {hashes}, item {q}");
                    assert_eq!(g.insert(&q), before, "hashes {hashes}, item {q}");
                    assert!(g.blocks[at].0.iter().zip(m).all(|(w, b)| w & b == b));
                }
            }
        }
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(BlockedBloomFilter::new(0, 0.01).is_err());
        assert!(BlockedBloomFilter::new(10, 0.0).is_err());
        assert!(BlockedBloomFilter::with_blocks(0, 3).is_err());
        assert!(BlockedBloomFilter::with_blocks(1, 0).is_err());
        assert!(BlockedBloomFilter::with_blocks(1, 7).is_err());
        assert!(BlockedBloomFilter::with_blocks(1, 72).is_err());
        assert!(BlockedBloomFilter::with_blocks((1 << 32) + 1, 8).is_err());
    }
}
