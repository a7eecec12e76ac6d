//! The scalable Bloom filter (Almeida, Baquero, Preguiça and Hutchison, 2007).

use hpds_core::Item;

use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{Error, HeapSize, Result};

use crate::blocked::BlockedBloomFilter;
use crate::ops::Probe;
use crate::params::{self, check_items, check_rate};
use crate::split;

/// Default capacity ratio between successive sub-filters.
const DEFAULT_GROWTH: u32 = 4;
/// Default ratio between successive sub-filters' error rates.
const DEFAULT_TIGHTENING: f64 = 0.85;

/// Most sub-filters a scalable filter holds (growth 2 from one item reaches 2^64 items first).
const MAX_STAGES: usize = 64;

/// One sub-filter and how full it is.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stage {
    filter: BlockedBloomFilter,
    /// Items it was sized for.
    capacity: u64,
    /// New items inserted into it.
    len: u64,
}

/// Settings of a [`ScalableBloomFilter`], with documented defaults.
///
/// # Example
/// ```
/// use hpds_bloom::ScalableBloomFilter;
/// let f = ScalableBloomFilter::builder(1_000, 0.001)
///     .growth(4)
///     .tightening(0.8)
///     .memory_limit(1 << 20)
///     .build()?;
/// assert_eq!(f.stages(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScalableConfig {
    initial_capacity: u64,
    false_positive_rate: f64,
    growth: u32,
    tightening: f64,
    memory_limit: Option<usize>,
    seed: u64,
}

impl ScalableConfig {
    /// Capacity of each new sub-filter relative to the previous one: 4 (default) or 2.
    /// Growth 2 tests twice as many sub-filters per operation for a narrower memory sawtooth.
    pub fn growth(mut self, growth: u32) -> Self {
        self.growth = growth;
        self
    }

    /// Ratio `r` between the error rates of successive sub-filters, in (0, 1); default 0.85.
    /// Smaller `r` spends fewer bits in early sub-filters and more in later ones.
    pub fn tightening(mut self, r: f64) -> Self {
        self.tightening = r;
        self
    }

    /// A cap on the bytes the sub-filters may hold; growth past it fails with
    /// [`hpds_core::ErrorKind::MemoryLimit`] from [`ScalableBloomFilter::try_insert`]. None by
    /// default.
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = Some(bytes);
        self
    }

    /// The hash seed (default [`DEFAULT_SEED`]).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Builds the filter with its first sub-filter.
    ///
    /// # Errors
    /// Capacity 0, a rate outside (0, 1), a growth other than 2 or 4, a tightening ratio outside
    /// (0, 1), or a memory limit smaller than the first sub-filter.
    pub fn build(self) -> Result<ScalableBloomFilter> {
        self.validate()?;
        let mut f = ScalableBloomFilter {
            config: self,
            stages: Vec::new(),
            heap: 0,
        };
        f.grow()?;
        Ok(f)
    }

    fn validate(&self) -> Result<()> {
        check_items(self.initial_capacity)?;
        check_rate(self.false_positive_rate)?;
        // The allocation cap applies to the request (its first stage at the whole rate); the
        // later, tighter stages are bounded by `memory_limit` instead.
        params::check_classic_cap(self.initial_capacity, self.false_positive_rate)?;
        if self.growth != 2 && self.growth != 4 {
            return Err(Error::invalid_parameter("growth", self.growth, "2 or 4"));
        }
        if !(self.tightening > 0.0 && self.tightening < 1.0) {
            return Err(Error::invalid_parameter(
                "tightening",
                self.tightening,
                "a ratio in (0, 1), e.g. 0.9",
            ));
        }
        Ok(())
    }

    /// The target rate of sub-filter `i`: `p (1 - r) r^i`.
    fn stage_rate(&self, i: usize) -> f64 {
        self.false_positive_rate * (1.0 - self.tightening) * self.tightening.powi(i as i32)
    }

    fn stage_capacity(&self, i: usize) -> Option<u64> {
        let g = u64::from(self.growth).checked_pow(u32::try_from(i).ok()?)?;
        self.initial_capacity.checked_mul(g)
    }
}

/// A Bloom filter that grows to hold any number of items while keeping its overall
/// false-positive rate at most `p`.
///
/// It is a chain of split-block filters ([`BlockedBloomFilter`]). Sub-filter `i` holds up to
/// `n0 · s^i` items (`s` = growth, 2 or 4) at error rate `p_i = p (1 - r) r^i` (`r` = tightening
/// ratio); when the newest is full a larger one is added. An item is hashed once per operation
/// into one 64-bit hash, and every sub-filter uses it: the high half picks the sub-filter's
/// block (multiply-shift to its own size), the low half the bits in it, so the eight-word bit
/// mask is computed once for all of them. `contains` tests the newest sub-filter (the largest,
/// which holds most of the items) first and answers at once when it holds the item; otherwise
/// it tests the older ones with no branch on their contents (a comparison of eight words
/// each), so their cache misses overlap. `insert` asks for the newest sub-filter's block
/// first, tests every older sub-filter the same way and, in the same pass, writes the item's
/// bits into the newest one's block unless an older one holds the item.
///
/// # Why the total stays at most p
/// A non-member is a false positive of the chain if some sub-filter reports it. Sub-filter `i`
/// is never filled past its capacity, and it is sized (see [`params::blocked_shape`]) so that
/// at capacity its rate, the Poisson mixture [`params::blocked_fpr`], is at most `p_i`. The
/// non-member's hash is uniform and independent of the items, so in each sub-filter it is a
/// false positive with probability at most `p_i`, whatever the other sub-filters answer; by
/// the union bound (which needs no independence between the sub-filters) the chain's rate is at
/// most
///
/// `Σ_{i≥0} p_i = p (1 - r) Σ_{i≥0} r^i = p (1 - r) / (1 - r) = p`,
///
/// for any number of sub-filters, that is for any number of items. The test
/// `scalable_stays_under_p_after_10000x_growth` measures it on non-members after growing
/// 10,000x, against a binomial bound.
///
/// # Cost
/// Memory grows with `log(1/p_i)`, so later sub-filters spend more bits per item. With the
/// defaults (s = 4, r = 0.85, p = 1%), when the newest sub-filter is full the filter holds
/// 1.63-1.94x the bits of a classic filter pre-sized for the same items up to seven
/// sub-filters (5.5 million items from `n0` = 1,000; 1.88x at six, 1.37 million), 2.01x at
/// eight and 2.14x at ten; just after a new sub-filter is added, with the newest empty, up to
/// four to five times that: the sawtooth between growth steps (`docs/bloom.md` has the table).
/// An insert or a non-member query tests one block per sub-filter (about `log_s(n / n0)` of
/// them: six at 1000x growth with s = 4, ten with s = 2); each is a cache miss once it
/// outgrows the cache, but the misses overlap. A member query stops at the newest sub-filter
/// when it holds the item, as it does for most items (about `1 - 1/s` of them when the newest
/// is full).
///
/// # Example
/// ```
/// use hpds_bloom::ScalableBloomFilter;
/// let mut f = ScalableBloomFilter::new(100, 0.01)?;
/// for i in 0..100_000u32 {
///     f.insert(&i);
/// }
/// assert!(f.stages() > 5);
/// assert!((0..100_000u32).all(|i| f.contains(&i)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ScalableBloomFilter {
    config: ScalableConfig,
    stages: Vec<Stage>,
    /// Heap bytes of the sub-filters' bits, for the memory limit.
    heap: usize,
}

impl ScalableBloomFilter {
    /// A filter starting with room for `initial_capacity` items at overall rate
    /// `false_positive_rate`, with the default growth 4 and tightening 0.85.
    ///
    /// # Errors
    /// As [`ScalableConfig::build`].
    pub fn new(initial_capacity: u64, false_positive_rate: f64) -> Result<Self> {
        Self::builder(initial_capacity, false_positive_rate).build()
    }

    /// A configuration to adjust before [`build`](ScalableConfig::build).
    pub fn builder(initial_capacity: u64, false_positive_rate: f64) -> ScalableConfig {
        ScalableConfig {
            initial_capacity,
            false_positive_rate,
            growth: DEFAULT_GROWTH,
            tightening: DEFAULT_TIGHTENING,
            memory_limit: None,
            seed: DEFAULT_SEED,
        }
    }

    fn next_stage(&self) -> Result<BlockedBloomFilter> {
        let i = self.stages.len();
        let capacity = self
            .config
            .stage_capacity(i)
            .ok_or_else(|| Error::capacity_overflow("scalable Bloom filter sub-filter"))?;
        // One round (8 bits per item) in every sub-filter, so one mask serves them all.
        let (blocks, k) = params::blocked_shape_upto(capacity, self.config.stage_rate(i), 1)?;
        let needed = self.heap + (blocks * params::BLOCK_BITS / 8) as usize;
        if let Some(limit) = self.config.memory_limit {
            if needed > limit {
                return Err(Error::memory_limit(limit, needed));
            }
        }
        Ok(BlockedBloomFilter::with_blocks(blocks, k)?.reseeded(self.config.seed))
    }

    fn grow(&mut self) -> Result<()> {
        if self.stages.len() == MAX_STAGES {
            return Err(Error::capacity_overflow(
                "scalable Bloom filter (64 sub-filters)",
            ));
        }
        let filter = self.next_stage()?;
        let capacity = self
            .config
            .stage_capacity(self.stages.len())
            .ok_or_else(|| Error::capacity_overflow("scalable Bloom filter sub-filter"))?;
        self.heap += filter.heap_bytes();
        self.stages.push(Stage {
            filter,
            capacity,
            len: 0,
        });
        Ok(())
    }

    entry_points!(ScalableBloomFilter);

    /// Adds an item, or fails without changing the filter if it would have to grow past the
    /// memory limit. ([`insert`](Self::insert) instead puts the item into the newest
    /// sub-filter past its capacity when the limit stops growth, and the rate bound then no
    /// longer holds.)
    ///
    /// # Errors
    /// [`hpds_core::ErrorKind::MemoryLimit`] when the newest sub-filter is full and a new one
    /// would exceed the limit.
    pub fn try_insert<T: Item + ?Sized>(&mut self, item: &T) -> Result<bool> {
        self.try_insert_key(self.key_of_item(item))
    }

    /// Whether some sub-filter's block for `key` holds the item: the newest (the largest,
    /// holding most items) first, alone when it holds the item; then the others, oldest first,
    /// with no branch between them.
    #[inline]
    fn holds(&self, key: u64) -> bool {
        let (newest, older) = self.stages.split_last().expect("at least one stage");
        split::test_newest_first(
            newest.filter.raw_blocks(),
            older.iter().map(|s| s.filter.raw_blocks()),
            key,
        )
    }

    /// A new item (the common case for an insert) must be rejected by every sub-filter. While
    /// the newest has room, one pass tests them all and writes the newest's block (unchanged
    /// when an older one holds the item); when it is full, a new one is added first.
    #[inline]
    fn try_insert_key(&mut self, key: u64) -> Result<bool> {
        let (newest, older) = self.stages.split_last_mut().expect("at least one stage");
        if newest.len < newest.capacity {
            let present = split::insert_unless_any(
                older.iter().map(|s| s.filter.raw_blocks()),
                newest.filter.raw_blocks_mut(),
                key,
            );
            newest.len += u64::from(!present);
            return Ok(present);
        }
        self.insert_growing(key)
    }

    /// [`try_insert_key`](Self::try_insert_key) when the newest sub-filter is full.
    #[cold]
    #[inline(never)]
    fn insert_growing(&mut self, key: u64) -> Result<bool> {
        if self.holds(key) {
            return Ok(true);
        }
        self.grow()?;
        let last = self.stages.last_mut().expect("at least one stage");
        last.len += 1;
        last.filter.insert_key(key);
        Ok(false)
    }

    /// Items inserted that were not already (probably) present.
    pub fn len(&self) -> u64 {
        self.stages.iter().map(|s| s.len).sum()
    }

    /// Whether nothing was inserted.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of sub-filters.
    pub fn stages(&self) -> usize {
        self.stages.len()
    }

    /// Total bits over all sub-filters.
    pub fn bits(&self) -> u64 {
        self.stages.iter().map(|s| s.filter.bits()).sum()
    }

    /// The configuration.
    pub fn config(&self) -> &ScalableConfig {
        &self.config
    }

    /// The false-positive rate now, predicted from the sub-filters' item counts:
    /// `1 - Π (1 - classic_fpr(m_i, k_i, len_i))`; at most the configured rate.
    pub fn false_positive_rate(&self) -> f64 {
        1.0 - self
            .stages
            .iter()
            .map(|s| 1.0 - params::blocked_fpr(s.filter.blocks(), s.filter.hashes(), s.len))
            .product::<f64>()
    }

    /// Removes every item and drops all sub-filters but a fresh first one.
    pub fn clear(&mut self) {
        self.stages.truncate(1);
        self.stages[0].filter.clear();
        self.stages[0].len = 0;
        self.heap = self.stages[0].filter.heap_bytes();
    }

    fn from_parts(config: ScalableConfig, stages: Vec<Stage>) -> Result<Self> {
        config
            .validate()
            .map_err(|_| Error::invalid_encoding("invalid scalable filter settings"))?;
        if stages.is_empty() || stages.len() > MAX_STAGES {
            return Err(Error::invalid_encoding(
                "a scalable filter has at least one stage",
            ));
        }
        for (i, s) in stages.iter().enumerate() {
            if config.stage_capacity(i) != Some(s.capacity)
                || s.filter.seed() != config.seed
                || s.filter.hashes() != 8
            {
                return Err(Error::invalid_encoding(
                    "sub-filter does not match the settings",
                ));
            }
        }
        let heap = stages.iter().map(|s| s.filter.heap_bytes()).sum();
        Ok(Self {
            config,
            stages,
            heap,
        })
    }
}

/// One 64-bit hash for every sub-filter (see the type's docs).
impl Probe for ScalableBloomFilter {
    type Key = u64;
    /// Each item prefetches one block per sub-filter.
    const AHEAD: usize = 8;

    #[inline(always)]
    fn key_of_item<T: Item + ?Sized>(&self, item: &T) -> u64 {
        item.stable_hash(self.config.seed)
    }

    /// The hash as given, as in [`BlockedBloomFilter`]: it must be well mixed.
    #[inline(always)]
    fn key_of_hash(&self, hash: u64) -> u64 {
        hash
    }

    /// A hint only: if the filter grows before the item is applied, the item is still applied
    /// to the filter as it is then.
    #[inline(always)]
    fn prefetch(&self, key: u64) {
        for s in &self.stages {
            s.filter.prefetch(key);
        }
    }

    #[inline]
    fn insert_key(&mut self, key: u64) -> bool {
        if let Ok(present) = self.try_insert_key(key) {
            present
        } else {
            let last = self.stages.last_mut().expect("at least one stage");
            let present = last.filter.insert_key(key);
            last.len += u64::from(!present);
            present
        }
    }

    #[inline]
    fn contains_key(&self, key: u64) -> bool {
        self.holds(key)
    }
}

impl Default for ScalableBloomFilter {
    /// Starts with room for 1,000 items at 1%.
    fn default() -> Self {
        Self::new(1000, 0.01).expect("valid default settings")
    }
}

impl_extend!([] ScalableBloomFilter);
impl_heap_size!([] ScalableBloomFilter, |f| {
    f.stages.capacity() * core::mem::size_of::<Stage>()
        + f.stages.iter().map(|s| s.filter.heap_bytes()).sum::<usize>()
});
impl_membership!([] ScalableBloomFilter, |f| f.config.seed);

/// Format (version 3): `initial_capacity: u64, rate: f64, growth: u32, tightening: f64,
/// memory_limit: u64 (u64::MAX for none), seed: u64, stage count: u64`, then per stage
/// `capacity: u64, len: u64` and a [`BlockedBloomFilter`] payload (its version 3). Versions 1
/// and 2 (classic sub-filters) are not read: decoding them fails with a retired-version error.
impl ByteCodec for ScalableBloomFilter {
    const TAG: [u8; 4] = *b"BLMS";
    const VERSION: u16 = 3;
    // Version 2 and older are other bit layouts (512-bit blocks, classic sub-filters).
    const MIN_VERSION: u16 = 3;

    fn encode_payload(&self, enc: &mut Encoder) {
        let c = &self.config;
        enc.put_u64(c.initial_capacity);
        enc.put_f64(c.false_positive_rate);
        enc.put_u32(c.growth);
        enc.put_f64(c.tightening);
        enc.put_u64(c.memory_limit.map_or(u64::MAX, |l| l as u64));
        enc.put_u64(c.seed);
        enc.put_u64(self.stages.len() as u64);
        for s in &self.stages {
            enc.put_u64(s.capacity);
            enc.put_u64(s.len);
            s.filter.encode_payload(enc);
        }
    }

    fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
        let initial_capacity = dec.u64()?;
        let false_positive_rate = dec.f64()?;
        let growth = dec.u32()?;
        let tightening = dec.f64()?;
        let limit = dec.u64()?;
        let memory_limit = if limit == u64::MAX {
            None
        } else {
            Some(usize::try_from(limit).map_err(|_| Error::invalid_encoding("memory limit"))?)
        };
        let seed = dec.u64()?;
        let config = ScalableConfig {
            initial_capacity,
            false_positive_rate,
            growth,
            tightening,
            memory_limit,
            seed,
        };
        // Each stage takes at least 60 bytes (two counts, the hashes, the seed, a word count
        // and one block).
        let count = dec.count(60)?;
        let mut stages = Vec::with_capacity(count);
        for _ in 0..count {
            let capacity = dec.u64()?;
            let len = dec.u64()?;
            // The sub-filters' payload is the blocked filter's version 3.
            let filter = BlockedBloomFilter::decode_payload(dec, 3)?;
            stages.push(Stage {
                filter,
                capacity,
                len,
            });
        }
        Self::from_parts(config, stages)
    }
}

#[cfg(feature = "serde")]
hpds_core::impl_serde_via_codec!(ScalableBloomFilter);

#[cfg(test)]
mod tests {
    use super::*;
    use hpds_core::ErrorKind;

    #[test]
    fn bad_settings_are_errors() {
        assert!(ScalableBloomFilter::new(0, 0.01).is_err());
        assert!(ScalableBloomFilter::new(10, 1.0).is_err());
        assert!(
            ScalableBloomFilter::builder(10, 0.01)
                .growth(3)
                .build()
                .is_err()
        );
        assert!(
            ScalableBloomFilter::builder(10, 0.01)
                .tightening(1.0)
                .build()
                .is_err()
        );
        assert!(
            ScalableBloomFilter::builder(10, 0.01)
                .memory_limit(1)
                .build()
                .is_err()
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "20k inserts, slow under Miri")]
    fn memory_limit_is_a_clear_error() {
        let mut f = ScalableBloomFilter::builder(100, 0.01)
            .memory_limit(2000)
            .build()
            .unwrap();
        let mut err = None;
        for i in 0..10_000u32 {
            if let Err(e) = f.try_insert(&i) {
                err = Some(e);
                break;
            }
        }
        let err = err.expect("the limit is reached");
        assert!(matches!(
            err.kind(),
            ErrorKind::MemoryLimit { limit: 2000, .. }
        ));
        assert!(f.heap <= 2000);
        // `insert` keeps working past the cap, without growing.
        let stages = f.stages();
        f.extend(10_000..20_000u32);
        assert_eq!(f.stages(), stages);
        assert!(f.contains(&15_000u32));
    }

    /// The fused insert and query (every sub-filter's block tested at once) report "already
    /// present" exactly when some sub-filter holds the item.
    #[test]
    #[cfg_attr(miri, ignore = "27k hashed operations, slow under Miri")]
    fn fused_probes_match_the_definition() {
        for (n0, p, r, growth) in [(10, 0.01, 0.9, 2), (3, 0.9, 0.5, 2), (5, 1e-5, 0.5, 4)] {
            let mut f = ScalableBloomFilter::builder(n0, p)
                .tightening(r)
                .growth(growth)
                .build()
                .unwrap();
            f.extend(0..3000u32);
            assert!(f.stages() > 3);
            for x in 0..6000u32 {
                let key = f.key_of_item(&x);
                let reference = f.stages.iter().any(|s| s.filter.contains_key(key));
                assert!(x >= 3000 || reference);
                assert_eq!(f.contains(&x), reference, "item {x}");
                assert_eq!(f.clone().insert(&x), reference, "item {x}");
            }
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "Miri's non-deterministic ulp errors in powi push the sum past p for some seeds"
    )]
    fn stage_rates_sum_to_p() {
        let c = ScalableBloomFilter::builder(10, 0.01).tightening(0.5);
        let sum: f64 = (0..200).map(|i| c.stage_rate(i)).sum();
        assert!(sum <= 0.01 && sum > 0.0099999);
    }

    #[test]
    #[cfg_attr(miri, ignore = "1000 inserts take minutes under Miri")]
    fn clear_resets_to_one_stage() {
        let mut f = ScalableBloomFilter::new(10, 0.01).unwrap();
        f.extend(0..1000u32);
        assert!(f.stages() > 1);
        f.clear();
        assert_eq!(f.stages(), 1);
        assert!(f.is_empty());
        assert!(!f.contains(&5u32));
    }
}
