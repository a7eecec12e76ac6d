//! The expandable fingerprint filter: one table that doubles in place, after InfiniFilter
//! (Dayan, Bercea, Reviriego and Pagh, SIGMOD 2023) and the Aleph filter (Dayan, Bercea and
//! Pagh, VLDB 2024).

mod lane;
mod table;

use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::hash::{DEFAULT_SEED, mix64};
use hpds_core::{Error, Item, Result};

use crate::ops::Probe;
use crate::params::{check_items, check_rate};
use lane::{Lane, SLOTS};
use table::{Table, WEIGHT_BITS};

/// Entries a bucket holds before the table doubles (of [`SLOTS`]): a load of 7/8.
const FULL: u64 = 14;

/// Most address bits: `2^31` buckets of 64 bytes are 2^40 bits, the crate's largest filter.
const MAX_Q: u32 = 31;

/// The smallest rate accepted.
const MIN_RATE: f64 = 1e-6;

/// The share of the rate kept back for entries inserted after the lanes widen: at most
/// `FULL · 2^-30` per doubling, over at most [`MAX_Q`] doublings, is under `2^-20`.
const RESERVE: u128 = 1 << (WEIGHT_BITS - 20);

/// Settings of an [`ExpandableFilter`], with documented defaults.
///
/// # Example
/// ```
/// use hpds_bloom::ExpandableFilter;
/// let f = ExpandableFilter::builder(1_000, 0.01)
///     .memory_limit(1 << 20)
///     .seed(7)
///     .build()?;
/// assert!(f.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ExpandableConfig {
    initial_capacity: u64,
    false_positive_rate: f64,
    memory_limit: Option<usize>,
    seed: u64,
}

impl ExpandableConfig {
    /// A cap on the bytes of the table; doubling past it fails with
    /// [`hpds_core::ErrorKind::MemoryLimit`] from [`ExpandableFilter::try_insert`]. None by
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

    /// Builds the filter.
    ///
    /// # Errors
    /// Capacity 0, a rate outside `[1e-6, 1)`, a table over 2^40 bits, or a memory limit
    /// smaller than the first table.
    pub fn build(self) -> Result<ExpandableFilter> {
        self.validate()?;
        let table = self.first_table();
        if let Some(limit) = self.memory_limit {
            let needed = table.bucket_bytes();
            if needed > limit {
                return Err(Error::memory_limit(limit, needed));
            }
        }
        Ok(ExpandableFilter {
            budget: self.budget(),
            config: self,
            table,
            len: 0,
        })
    }

    fn validate(&self) -> Result<()> {
        check_items(self.initial_capacity)?;
        check_rate(self.false_positive_rate)?;
        if self.false_positive_rate < MIN_RATE {
            return Err(Error::invalid_parameter(
                "false_positive_rate",
                self.false_positive_rate,
                "at least 1e-6 for ExpandableFilter (use BloomFilter below that)",
            ));
        }
        if self.first_q() > MAX_Q {
            return Err(Error::capacity_overflow(
                "expandable filter table (over 2^40 bits)",
            ));
        }
        Ok(())
    }

    /// Address bits of the first table: room for the initial capacity at the full load.
    fn first_q(&self) -> u32 {
        let buckets = self.initial_capacity.div_ceil(FULL).max(2);
        buckets.next_power_of_two().trailing_zeros()
    }

    /// The rate in weight units, less the reserve of the wide lanes.
    fn budget(&self) -> u128 {
        let p = (self.false_positive_rate * 2f64.powi(WEIGHT_BITS as i32)) as u128;
        p.saturating_sub(RESERVE)
    }

    /// 16-bit lanes when their first full table uses at most half the budget, else 32-bit.
    fn first_table(&self) -> Lanes {
        let q = self.first_q();
        let narrow_full = u128::from(FULL) << (WEIGHT_BITS - table::max_len::<u16>());
        if 2 * narrow_full <= self.budget() {
            Lanes::Narrow(Table::new(q))
        } else {
            Lanes::Wide(Table::new(q))
        }
    }
}

/// The table in 16-bit or 32-bit lanes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lanes {
    Narrow(Table<u16>),
    Wide(Table<u32>),
}

/// Runs `$body` with `$t` bound to the table, whatever its lane width.
macro_rules! with_table {
    ($lanes:expr, $t:ident => $body:expr) => {
        match $lanes {
            Lanes::Narrow($t) => $body,
            Lanes::Wide($t) => $body,
        }
    };
}

impl Lanes {
    fn q(&self) -> u32 {
        with_table!(self, t => t.q())
    }

    fn used(&self) -> u64 {
        with_table!(self, t => t.used())
    }

    fn weight(&self) -> u128 {
        with_table!(self, t => t.weight())
    }

    fn lane_bits(&self) -> u32 {
        match self {
            Lanes::Narrow(_) => 16,
            Lanes::Wide(_) => 32,
        }
    }

    fn bucket_bytes(&self) -> usize {
        match self {
            Lanes::Narrow(t) => Table::<u16>::bucket_bytes(t.q()),
            Lanes::Wide(t) => Table::<u32>::bucket_bytes(t.q()),
        }
    }

    fn heap_bytes(&self) -> usize {
        with_table!(self, t => t.heap_bytes())
    }
}

/// A filter that grows to hold any number of items with constant-time operations and a
/// false-positive rate that stays at most `p`; it supports removals.
///
/// Unlike [`ScalableBloomFilter`](crate::ScalableBloomFilter), which adds a sub-filter each
/// time it fills and tests every one of them, this is a single hash table of fingerprints that
/// doubles in place: an operation reads its home bucket (half a cache line) and, only when
/// that bucket is full, the next one, however much the filter grew.
///
/// # Design
/// The table has `2^q` buckets of sixteen lanes (16-bit lanes: 32 bytes, half a cache line).
/// An item's 64-bit hash picks its *home* bucket with its top `q` bits; the bits below are its
/// fingerprint. Each lane holds one entry: a spill flag (the entry belongs to the previous
/// bucket), then the fingerprint, then a 1 marking where it ends, so fingerprints of any length
/// share one lane format (InfiniFilter's unary-padded slots). An entry lives in its home bucket
/// or, flagged, in the next one, and it is outside its home only while the home is full; when
/// both are full a short chain of moves makes room, and the rare entry that still finds none
/// goes to a small sorted stash (about 0.05% of entries at the full load). A removal that
/// empties a lane moves an entry of that bucket back in from the next bucket or the stash. So
/// a query compares its fingerprint with the sixteen lanes of the home bucket and stops there
/// when it matches or when the bucket has an empty lane; only a query whose home is full reads
/// the next bucket, and the stash when that one is full too.
///
/// When 7/8 of the lanes are in use the table doubles: every entry gives the first bit of its
/// fingerprint to the address (bucket `b` splits into `2b` and `2b + 1`) and keeps one bit
/// fewer. New entries always get the longest fingerprint a lane holds (14 bits in 16-bit lanes,
/// 30 in 32-bit ones), so the newest entries, which are most of the table, have the longest
/// fingerprints. An entry whose fingerprint has run out (a *void* entry, which matches its
/// whole bucket) is copied into both halves on the next doubling, as in the Aleph filter, so
/// queries never look anywhere else.
///
/// # Why the rate stays at most p
/// A non-member's hash is uniform and independent of the entries. It lands in a given bucket
/// with probability `2^-q` and then matches a given entry of that home with fingerprint length
/// `ℓ` with probability `2^-ℓ`, so by the union bound its false-positive probability is at
/// most `W = Σ_entries 2^-(ℓ + q)`. Doubling keeps `W`: an entry's `q` grows by one as its `ℓ`
/// shrinks by one, and a void entry's two copies weigh `2 · 2^-(q+1)`. Only inserts raise `W`,
/// each by `2^-(L + q)` with `L` the lane's fingerprint length. The filter keeps `W` exactly
/// (in fixed point): when an insert would take it past `p - 2^-20`, the lanes widen from 16 to
/// 32 bits (each entry keeps its bits; new entries get 30). After that, the entries inserted
/// while the table has `2^q` buckets are at most `14 · 2^q`, weighing at most `14 · 2^-30` in
/// all, and the table doubles at most 31 times: under `2^-20` more. So `W ≤ p` at any size, with
/// removals too; [`false_positive_rate`](Self::false_positive_rate) returns `W`.
/// At p = 1% a full 16-bit table adds `14 · 2^-14 ≈ 0.085%` to `W` at first and about half
/// that per doubling, so the lanes widen after about 22 doublings (four million times the first
/// capacity); below p ≈ 0.17% the filter starts with 32-bit lanes.
///
/// # Memory
/// `16 · W / 14` bits per item when the table is full (18.3 bits with 16-bit lanes, 36.6 with
/// 32-bit lanes), twice that just after it doubles: a sawtooth between doublings, like every
/// table that doubles. A classic Bloom filter needs 9.6 bits per item at 1% and 14.4 at 0.1%.
/// Each doubling allocates the new table before freeing the old one.
///
/// # Removals
/// [`remove`](Self::remove) deletes the longest entry of the item's home that matches it. The
/// filter is a multiset, like [`CountingBloomFilter`](crate::CountingBloomFilter): each
/// [`insert`](Self::insert) adds an entry and each `remove` takes one away. Removing an item
/// that was never inserted (or more times than it was) can delete another item's entry and so
/// cause a false negative: only remove items you inserted. A void entry's copies in other
/// buckets stay after its item is removed; they only add false positives. Past the memory
/// limit, [`insert`](Self::insert) merges entries (see there), and removals can then cause
/// false negatives too.
///
/// # Example
/// ```
/// use hpds_bloom::ExpandableFilter;
/// let mut f = ExpandableFilter::new(100, 0.01)?;
/// for i in 0..100_000u32 {
///     f.insert(&i);
/// }
/// assert!((0..100_000u32).all(|i| f.contains(&i)));
/// assert!(f.false_positive_rate() <= 0.01);
/// assert!(f.remove(&7u32));
/// assert_eq!(f.len(), 99_999);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ExpandableFilter {
    config: ExpandableConfig,
    table: Lanes,
    /// Items inserted minus items removed.
    len: u64,
    /// [`ExpandableConfig::budget`], computed once.
    budget: u128,
}

impl ExpandableFilter {
    /// A filter with room for `initial_capacity` items before it first doubles, at rate
    /// `false_positive_rate` whatever it grows to.
    ///
    /// # Errors
    /// As [`ExpandableConfig::build`].
    pub fn new(initial_capacity: u64, false_positive_rate: f64) -> Result<Self> {
        Self::builder(initial_capacity, false_positive_rate).build()
    }

    /// Like [`new`](Self::new), hashing items with `seed` instead of [`DEFAULT_SEED`].
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_seed(initial_capacity: u64, false_positive_rate: f64, seed: u64) -> Result<Self> {
        Self::builder(initial_capacity, false_positive_rate)
            .seed(seed)
            .build()
    }

    /// A configuration to adjust before [`build`](ExpandableConfig::build).
    pub fn builder(initial_capacity: u64, false_positive_rate: f64) -> ExpandableConfig {
        ExpandableConfig {
            initial_capacity,
            false_positive_rate,
            memory_limit: None,
            seed: DEFAULT_SEED,
        }
    }

    entry_points!(ExpandableFilter);

    /// Adds an item, or fails without changing the filter if the table would have to double
    /// or widen past the memory limit. ([`insert`](Self::insert) instead keeps the table as it
    /// is: it fills it to the last lane, then merges the new entry with the entry of its
    /// bucket sharing the longest fingerprint prefix, so the rate bound no longer holds.)
    ///
    /// # Errors
    /// [`hpds_core::ErrorKind::MemoryLimit`] when the table is full and the next one would
    /// exceed the limit; [`hpds_core::ErrorKind::CapacityOverflow`] past 2^40 bits.
    pub fn try_insert<T: Item + ?Sized>(&mut self, item: &T) -> Result<bool> {
        self.try_insert_key(self.key_of_item(item))
    }

    /// Removes one occurrence of an item; `false` (and nothing changes) if no entry matches it.
    /// Only remove items you inserted (see the type's docs).
    pub fn remove<T: Item + ?Sized>(&mut self, item: &T) -> bool {
        self.remove_key(self.key_of_item(item))
    }

    /// [`remove`](Self::remove) for an item given by its 64-bit hash.
    pub fn remove_hash(&mut self, hash: u64) -> bool {
        self.remove_key(self.key_of_hash(hash))
    }

    fn remove_key(&mut self, key: u64) -> bool {
        let removed = with_table!(&mut self.table, t => t.remove(key));
        self.len -= u64::from(removed && self.len > 0);
        removed
    }

    /// Makes room for one more entry: doubles the table when it is full and widens its lanes
    /// when a 16-bit entry would take the rate bound past the budget.
    #[inline(always)]
    fn make_room(&mut self) -> Result<()> {
        let room = match &self.table {
            Lanes::Narrow(t) => {
                t.used() < FULL << t.q() && t.weight() + t.entry_weight() <= self.budget
            }
            Lanes::Wide(t) => t.used() < FULL << t.q(),
        };
        if room { Ok(()) } else { self.grow_or_widen() }
    }

    /// [`make_room`](Self::make_room) when the table must double or widen.
    #[cold]
    #[inline(never)]
    fn grow_or_widen(&mut self) -> Result<()> {
        let q = self.table.q();
        let grow = self.table.used() >= FULL << q;
        let new_q = q + u32::from(grow);
        let narrow_entry = 1u128 << (WEIGHT_BITS - table::max_len::<u16>() - new_q);
        let widen = matches!(self.table, Lanes::Narrow(_))
            && self.table.weight() + narrow_entry > self.budget;
        if !grow && !widen {
            return Ok(());
        }
        if new_q > MAX_Q {
            return Err(Error::capacity_overflow(
                "expandable filter table (over 2^40 bits)",
            ));
        }
        let bytes = if widen || matches!(self.table, Lanes::Wide(_)) {
            Table::<u32>::bucket_bytes(new_q)
        } else {
            Table::<u16>::bucket_bytes(new_q)
        };
        if let Some(limit) = self.config.memory_limit {
            if bytes > limit {
                return Err(Error::memory_limit(limit, bytes));
            }
        }
        if grow {
            self.table = match &self.table {
                Lanes::Narrow(t) => Lanes::Narrow(t.doubled()),
                Lanes::Wide(t) => Lanes::Wide(t.doubled()),
            };
        }
        if widen {
            if let Lanes::Narrow(t) = &self.table {
                self.table = Lanes::Wide(t.widened());
            }
        }
        Ok(())
    }

    /// Doubling and widening keep every answer of [`contains`](Self::contains), so the
    /// insert tells whether the item was present after making room.
    #[inline]
    fn try_insert_key(&mut self, key: u64) -> Result<bool> {
        self.make_room()?;
        let present = with_table!(&mut self.table, t => t.insert(key));
        // Saturating: a decoded count may be anything up to `u64::MAX`.
        self.len = self.len.saturating_add(1);
        Ok(present)
    }

    /// [`insert`](Self::insert) when the table cannot grow: merges instead (see
    /// [`try_insert`](Self::try_insert)).
    #[cold]
    #[inline(never)]
    fn insert_past_limit(&mut self, key: u64) -> bool {
        let present = self.contains_key(key);
        with_table!(&mut self.table, t => t.insert_or_merge(key));
        self.len = self.len.saturating_add(1);
        present
    }

    /// Items inserted and not removed.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no item is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Entries the table holds before it next doubles (void entries' copies count).
    pub fn capacity(&self) -> u64 {
        FULL << self.table.q()
    }

    /// Number of buckets (a power of two).
    pub fn buckets(&self) -> u64 {
        1 << self.table.q()
    }

    /// Bits per lane: 16, or 32 once the lanes widened.
    pub fn lane_bits(&self) -> u32 {
        self.table.lane_bits()
    }

    /// The configuration.
    pub fn config(&self) -> &ExpandableConfig {
        &self.config
    }

    /// The union bound on the false-positive rate now, `Σ 2^-(ℓ + q)` over the entries (see
    /// the type's docs); at most the configured rate within the memory limit.
    pub fn false_positive_rate(&self) -> f64 {
        self.table.weight() as f64 * 2f64.powi(-(WEIGHT_BITS as i32))
    }

    /// Removes every item and returns to the first table.
    pub fn clear(&mut self) {
        self.table = self.config.first_table();
        self.len = 0;
    }
}

/// One 64-bit hash per operation (see the type's docs).
impl Probe for ExpandableFilter {
    type Key = u64;
    const AHEAD: usize = 8;

    #[inline(always)]
    fn key_of_item<T: Item + ?Sized>(&self, item: &T) -> u64 {
        item.stable_hash(self.config.seed)
    }

    /// The hash mixed with [`mix64`]: the table addresses by its top bits, which sequential
    /// "hashes" would leave equal.
    #[inline(always)]
    fn key_of_hash(&self, hash: u64) -> u64 {
        mix64(hash)
    }

    #[inline(always)]
    fn prefetch(&self, key: u64) {
        with_table!(&self.table, t => t.prefetch(key));
    }

    #[inline]
    fn insert_key(&mut self, key: u64) -> bool {
        match self.try_insert_key(key) {
            Ok(present) => present,
            Err(_) => self.insert_past_limit(key),
        }
    }

    #[inline]
    fn contains_key(&self, key: u64) -> bool {
        with_table!(&self.table, t => t.contains(key))
    }
}

impl Default for ExpandableFilter {
    /// Room for 1,000 items before the first doubling, at 1%.
    fn default() -> Self {
        Self::new(1000, 0.01).expect("valid default settings")
    }
}

impl_extend!([] ExpandableFilter);
impl_heap_size!([] ExpandableFilter, |f| f.table.heap_bytes());
impl_membership!([] ExpandableFilter, |f| f.config.seed);

/// Format (version 1): `initial_capacity: u64, rate: f64, memory_limit: u64 (u64::MAX for
/// none), seed: u64, len: u64, lane bits: u8 (16 or 32), q: u8`, then the `16 · 2^q` lanes in
/// bucket order (little-endian, 2 or 4 bytes each), then the stash: `count: u64` and per entry
/// `home: u64, lane: u32`.
impl ByteCodec for ExpandableFilter {
    const TAG: [u8; 4] = *b"BLMX";
    const VERSION: u16 = 1;

    fn encode_payload(&self, enc: &mut Encoder) {
        let c = &self.config;
        enc.put_u64(c.initial_capacity);
        enc.put_f64(c.false_positive_rate);
        enc.put_u64(c.memory_limit.map_or(u64::MAX, |l| l as u64));
        enc.put_u64(c.seed);
        enc.put_u64(self.len);
        enc.put_u8(self.table.lane_bits() as u8);
        enc.put_u8(self.table.q() as u8);
        match &self.table {
            Lanes::Narrow(t) => encode_table(enc, t, |enc, s| enc.put_u16(s as u16)),
            Lanes::Wide(t) => encode_table(enc, t, |enc, s| enc.put_u32(s as u32)),
        }
    }

    fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
        let initial_capacity = dec.u64()?;
        let false_positive_rate = dec.f64()?;
        let limit = dec.u64()?;
        let memory_limit = if limit == u64::MAX {
            None
        } else {
            Some(usize::try_from(limit).map_err(|_| Error::invalid_encoding("memory limit"))?)
        };
        let seed = dec.u64()?;
        let config = ExpandableConfig {
            initial_capacity,
            false_positive_rate,
            memory_limit,
            seed,
        };
        config
            .validate()
            .map_err(|_| Error::invalid_encoding("invalid expandable filter settings"))?;
        let len = dec.u64()?;
        let bits = dec.u8()?;
        let q = u32::from(dec.u8()?);
        if q == 0 || q > MAX_Q {
            return Err(Error::invalid_encoding("expandable filter table size"));
        }
        let lanes = SLOTS << q;
        let table = match bits {
            16 => Lanes::Narrow(decode_table(dec, q, lanes, |b| {
                u16::from_le_bytes([b[0], b[1]])
            })?),
            32 => Lanes::Wide(decode_table(dec, q, lanes, |b| {
                u32::from_le_bytes([b[0], b[1], b[2], b[3]])
            })?),
            _ => return Err(Error::invalid_encoding("expandable filter lane width")),
        };
        Ok(Self {
            budget: config.budget(),
            config,
            table,
            len,
        })
    }
}

/// Writes the lanes of a table in bucket order, then its stash.
fn encode_table<L: Lane>(enc: &mut Encoder, t: &Table<L>, put: impl Fn(&mut Encoder, u64)) {
    let (lanes, stash) = t.parts();
    for s in lanes {
        put(enc, s);
    }
    enc.put_u64(stash.len() as u64);
    for &(home, s) in stash {
        enc.put_u64(home);
        enc.put_u32(s.to_u64() as u32);
    }
}

/// Reads `count` lanes and the stash of a table of `2^q` buckets.
fn decode_table<L: Lane>(
    dec: &mut Decoder<'_>,
    q: u32,
    count: usize,
    read: impl Fn(&[u8]) -> L,
) -> Result<Table<L>> {
    let width = (L::BITS / 8) as usize;
    let raw = dec.take(count * width)?;
    let lanes: Vec<L> = raw.chunks_exact(width).map(read).collect();
    // Each stash entry takes 12 bytes.
    let n = dec.count(12)?;
    let mut stash = Vec::with_capacity(n);
    for _ in 0..n {
        let home = dec.u64()?;
        let lane = u64::from(dec.u32()?);
        if lane >> L::BITS != 0 {
            return Err(Error::invalid_encoding("expandable filter stash lane"));
        }
        stash.push((home, L::from_u64(lane)));
    }
    Table::from_parts(q, &lanes, stash)
        .ok_or_else(|| Error::invalid_encoding("inconsistent expandable filter table"))
}

#[cfg(feature = "serde")]
hpds_core::impl_serde_via_codec!(ExpandableFilter);

#[cfg(test)]
mod tests;
