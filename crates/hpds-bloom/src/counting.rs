//! The counting Bloom filter (Fan, Cao, Almeida and Broder, 2000).

use core::fmt;
use hpds_core::Item;

use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{Error, Result};

use crate::hashing::Hashes;
use crate::nibbles::Nibbles;
use crate::params::{self, check_hashes};

/// Largest value of a 4-bit counter; a counter that reaches it stays there.
const SATURATED: u8 = 15;

/// A Bloom filter with 4-bit counters instead of bits, so items can be removed.
///
/// Each of the `m` cells counts the items that hashed to it; `insert` increments the item's `k`
/// cells and `remove` decrements them. Memory is 4 bits per cell, four times a [`crate::BloomFilter`]
/// of the same rate (about 38 bits per item at 1%).
///
/// **Saturation.** A counter that reaches 15 *saturates*: it never wraps and is never
/// decremented again, because its true count is no longer known. A saturated cell therefore
/// never causes a false negative; it only keeps a little more than it should. With `k`
/// optimal, a cell reaches 15 with probability about 1e-15 per cell at capacity.
///
/// **False negatives from removals.** `remove` of an item that was never inserted but tests
/// positive (a false positive) decrements cells that belong to other items, which can then
/// test negative: only remove items you inserted. `remove` refuses (returns `false`, changes
/// nothing) when any of the item's cells is 0, so an item that is certainly absent never
/// causes harm. Removing an item more times than it was inserted has the same risk.
///
/// Cells are 4-bit fields of a `bitvec` `BitVec<u64>` (cell `i` in bits `4i..4i+4`).
///
/// # Example
/// ```
/// use hpds_bloom::CountingBloomFilter;
/// let mut f = CountingBloomFilter::new(1_000, 0.01)?;
/// f.insert("user-1");
/// assert!(f.contains("user-1"));
/// assert!(f.remove("user-1"));
/// assert!(!f.contains("user-1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct CountingBloomFilter {
    cells: Nibbles,
    m: u64,
    k: u32,
    seed: u64,
}

impl CountingBloomFilter {
    /// A filter for `expected_items` at `false_positive_rate`.
    ///
    /// # Errors
    /// As [`crate::BloomFilter::new`].
    pub fn new(expected_items: u64, false_positive_rate: f64) -> Result<Self> {
        let (m, k) = params::classic_shape(expected_items, false_positive_rate)?;
        Self::with_cells(m, k)
    }

    /// A filter of `cells` 4-bit counters with `hashes` cells per item.
    ///
    /// # Errors
    /// `cells` is 0 or above 2^38, or `hashes` is not in `1..=64`.
    pub fn with_cells(cells: u64, hashes: u32) -> Result<Self> {
        if cells == 0 {
            return Err(Error::invalid_parameter("cells", cells, "1..=2^38"));
        }
        if cells > params::MAX_BITS / 4 {
            return Err(Error::capacity_overflow(
                "counting Bloom filter (over 2^40 bits)",
            ));
        }
        let k = check_hashes(hashes)?;
        Ok(Self {
            cells: Nibbles::new(cells),
            m: cells,
            k,
            seed: DEFAULT_SEED,
        })
    }

    with_seed!(expected_items: u64, false_positive_rate: f64);

    #[inline]
    fn get(&self, i: usize) -> u8 {
        self.cells.get(i)
    }

    #[inline]
    fn set(&mut self, i: usize, v: u8) {
        self.cells.set(i, v);
    }

    /// Adds an item; returns `true` if it was (probably) present already.
    pub fn insert<T: Item + ?Sized>(&mut self, item: &T) -> bool {
        self.insert_hashes(Hashes::of_item(item, self.seed))
    }

    /// Whether the item is (probably) present.
    pub fn contains<T: Item + ?Sized>(&self, item: &T) -> bool {
        self.contains_hashes(Hashes::of_item(item, self.seed))
    }

    /// Removes one occurrence of an item; returns `false` (and changes nothing) if the item is
    /// certainly absent. See the type docs for the false-negative risk.
    pub fn remove<T: Item + ?Sized>(&mut self, item: &T) -> bool {
        self.remove_hashes(Hashes::of_item(item, self.seed))
    }

    /// Adds an item given by its 64-bit hash.
    pub fn insert_hash(&mut self, hash: u64) -> bool {
        self.insert_hashes(Hashes::from_u64(hash))
    }

    /// Whether an item given by its 64-bit hash is (probably) present.
    pub fn contains_hash(&self, hash: u64) -> bool {
        self.contains_hashes(Hashes::from_u64(hash))
    }

    /// Removes an item given by its 64-bit hash.
    pub fn remove_hash(&mut self, hash: u64) -> bool {
        self.remove_hashes(Hashes::from_u64(hash))
    }

    fn insert_hashes(&mut self, h: Hashes) -> bool {
        let mut present = true;
        h.probe_while(self.k, self.m, |i| {
            let c = self.get(i);
            present &= c != 0;
            if c < SATURATED {
                self.set(i, c + 1);
            }
            true
        });
        present
    }

    fn contains_hashes(&self, h: Hashes) -> bool {
        h.probe_while(self.k, self.m, |i| self.get(i) != 0)
    }

    fn remove_hashes(&mut self, h: Hashes) -> bool {
        if !self.contains_hashes(h) {
            return false;
        }
        h.probe_while(self.k, self.m, |i| {
            let c = self.get(i);
            // Saturated cells have lost their count: leave them, never risk a false negative.
            // `c > 0` may fail only when this item hashes to one cell twice.
            if c > 0 && c < SATURATED {
                self.set(i, c - 1);
            }
            true
        })
    }

    /// The counter of cell `i` (for inspection and tests).
    ///
    /// # Panics
    /// When `i >= self.cells()`.
    pub fn counter(&self, i: usize) -> u8 {
        assert!((i as u64) < self.m, "cell {i} out of range 0..{}", self.m);
        self.get(i)
    }

    /// Number of cells.
    pub fn cells(&self) -> u64 {
        self.m
    }

    /// Cells per item.
    pub fn hashes(&self) -> u32 {
        self.k
    }

    /// The seed items are hashed with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Non-zero cells.
    pub fn count_nonzero(&self) -> u64 {
        (0..self.m as usize).filter(|&i| self.get(i) != 0).count() as u64
    }

    /// Estimated distinct items present, from the non-zero cells.
    pub fn estimated_len(&self) -> f64 {
        params::estimate_items(self.m, self.k, self.count_nonzero())
    }

    /// Whether every counter is 0.
    pub fn is_empty(&self) -> bool {
        self.cells.is_zero()
    }

    /// Resets every counter.
    pub fn clear(&mut self) {
        self.cells.clear();
    }

    fn from_parts(m: u64, k: u32, seed: u64, words: Vec<u64>) -> Result<Self> {
        if m == 0 || m > params::MAX_BITS / 4 {
            return Err(Error::invalid_encoding("cell count out of range 1..=2^38"));
        }
        if k == 0 || k > params::MAX_HASHES {
            return Err(Error::invalid_encoding("hash count out of range 1..=64"));
        }
        let cells = Nibbles::from_words(m, words)?;
        Ok(Self { cells, m, k, seed })
    }
}

impl fmt::Debug for CountingBloomFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountingBloomFilter")
            .field("cells", &self.m)
            .field("hashes", &self.k)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl Default for CountingBloomFilter {
    /// A filter for 1,000 items at 1%.
    fn default() -> Self {
        Self::new(1000, 0.01).expect("valid default shape")
    }
}

impl_extend!([] CountingBloomFilter);
impl_heap_size!([] CountingBloomFilter, |f| f.cells.heap_bytes());
impl_membership!([] CountingBloomFilter);
impl_word_codec!(
    CountingBloomFilter,
    b"BLMC",
    cells,
    "Format (version 2): `cells: u64, hashes: u32, seed: u64, words: u64 slice` (16 cells per \
     word, cell `i` in bits `4i..4i+4`, least significant first)."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_saturate_and_stay() {
        // One cell, one hash: every item hits cell 0.
        let mut f = CountingBloomFilter::with_cells(1, 1).unwrap();
        for i in 0..20u32 {
            f.insert(&i);
        }
        assert_eq!(f.counter(0), SATURATED);
        for i in 0..20u32 {
            assert!(f.remove(&i));
        }
        // Saturated: never decremented, so no false negative is possible.
        assert_eq!(f.counter(0), SATURATED);
        assert!(f.contains(&0u32));
    }

    #[test]
    fn counts_up_and_down_below_saturation() {
        let mut f = CountingBloomFilter::with_cells(1, 1).unwrap();
        for i in 0..5u32 {
            f.insert(&i);
        }
        assert_eq!(f.counter(0), 5);
        for i in 0..5u32 {
            assert!(f.remove(&i));
        }
        assert_eq!(f.counter(0), 0);
        assert!(!f.remove(&0u32));
        assert!(f.is_empty());
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(CountingBloomFilter::new(0, 0.01).is_err());
        assert!(CountingBloomFilter::with_cells(0, 1).is_err());
        assert!(CountingBloomFilter::with_cells(10, 0).is_err());
        assert!(CountingBloomFilter::with_cells(u64::MAX, 1).is_err());
    }
}
