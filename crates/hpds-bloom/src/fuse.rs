//! The binary fuse filter (Graf and Lemire, *Binary Fuse Filters: Fast and Smaller Than Xor
//! Filters*, 2022): a static filter for a set known in advance.
//!
//! # Design
//! The filter is an array of `c ≈ 1.125 n` fingerprints of `B` bits (8 or 16). A key's 64-bit
//! hash `h` names three slots `h0 < h1 < h2` in three consecutive *segments* of a power-of-two
//! length, and the construction fills the array so that
//! `F[h0] ^ F[h1] ^ F[h2] == fingerprint(h)` for every key of the set. A query computes the same
//! three slots and compares: members always match, and a non-member matches when the XOR of three
//! unrelated fingerprints happens to equal its own, with probability `2^-B`.
//!
//! Construction is the peeling of a 3-hypergraph: a slot that only one key uses can be set last
//! for that key, which removes the key and may leave another slot with a single key. Keys are
//! first bucket-sorted by the high bits of their hash, so the slot counters are updated almost in
//! order (segments are contiguous), which keeps the build cache-friendly at every size. With the
//! paper's segment length and size factor, peeling succeeds with high probability; when it
//! does not, the build retries with the next seed of a fixed sequence (at most
//! [`MAX_ATTEMPTS`] times). Duplicate keys can never be peeled: pairs are cancelled as they are
//! found, and after a failed attempt the keys are sorted and deduplicated once.

use core::fmt;
use core::ops::BitXor;

use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::hash::{DEFAULT_SEED, mix64};
use hpds_core::{Error, Item, Result};

/// Seeds a build tries before it gives up with an error. With distinct keys an attempt fails
/// with probability well under 1/2 at every size (under 1 % above 10^5 keys), so 64 failures in
/// a row do not happen by chance.
pub const MAX_ATTEMPTS: u32 = 64;

/// The largest fingerprint array (slots are indexed by `u32`).
const MAX_SLOTS: u64 = u32::MAX as u64;
/// The longest segment: above this the three slots of a key lie too far apart for the cache.
const MAX_SEGMENT_LENGTH: u32 = 1 << 18;
/// The shortest segment (the length for 0 and 1 keys).
const MIN_SEGMENT_LENGTH: u32 = 4;
/// Seeds of successive attempts step by this odd constant (then pass through `mix64`).
const ATTEMPT_STEP: u64 = 0x9e37_79b9_7f4a_7c15;

mod sealed {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u16 {}
}

/// A fingerprint width of a [`BinaryFuseFilter`]: `u8` (about 9 bits per item, rate 2^-8) or
/// `u16` (about 18 bits per item, rate 2^-16). Sealed: only these two.
pub trait Fingerprint:
    sealed::Sealed + Copy + Default + Eq + BitXor<Output = Self> + fmt::Debug + Send + Sync + 'static
{
    /// Bits per fingerprint.
    const BITS: u32;
    /// The codec tag of the filter with this width.
    #[doc(hidden)]
    const TAG: [u8; 4];
    /// The fingerprint of a key's mixed hash.
    #[doc(hidden)]
    fn of_hash(hash: u64) -> Self;
    /// Appends the fingerprints, little-endian.
    #[doc(hidden)]
    fn put(values: &[Self], enc: &mut Encoder);
    /// Reads what [`put`](Self::put) wrote; allocates only for the bytes present.
    #[doc(hidden)]
    fn read(dec: &mut Decoder<'_>) -> Result<Box<[Self]>>;
    /// The fingerprint as a `u32`.
    #[doc(hidden)]
    fn widen(self) -> u32;
}

impl Fingerprint for u8 {
    const BITS: u32 = 8;
    const TAG: [u8; 4] = *b"BFF8";
    #[inline]
    fn of_hash(hash: u64) -> Self {
        (hash ^ (hash >> 32)) as u8
    }
    #[inline]
    fn widen(self) -> u32 {
        u32::from(self)
    }
    fn put(values: &[Self], enc: &mut Encoder) {
        enc.put_bytes(values);
    }
    fn read(dec: &mut Decoder<'_>) -> Result<Box<[Self]>> {
        Ok(dec.bytes()?.into())
    }
}

impl Fingerprint for u16 {
    const BITS: u32 = 16;
    const TAG: [u8; 4] = *b"BF16";
    #[inline]
    fn of_hash(hash: u64) -> Self {
        (hash ^ (hash >> 32)) as u16
    }
    #[inline]
    fn widen(self) -> u32 {
        u32::from(self)
    }
    fn put(values: &[Self], enc: &mut Encoder) {
        enc.put_u64(values.len() as u64);
        enc.reserve(values.len() * 2);
        for &v in values {
            enc.put_u16(v);
        }
    }
    fn read(dec: &mut Decoder<'_>) -> Result<Box<[Self]>> {
        let n = dec.count(2)?;
        let bytes = dec.take(n * 2)?;
        Ok(bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect())
    }
}

/// A static filter for a set known in advance: about 9 bits per item at a 0.39 % rate
/// (8-bit fingerprints) or 18 bits at 0.0015 % (16-bit), against 9.6 and 24 bits for a classic
/// Bloom filter at those rates, and a query that reads three array slots and never branches on
/// the data.
///
/// Build it once from the whole set ([`new`](Self::new) for items,
/// [`from_hashes`](Self::from_hashes) for 64-bit hashes); it cannot take inserts afterwards.
/// No member is ever reported absent; a non-member is reported present with probability
/// `2^-B` for `B`-bit fingerprints. Duplicates in the input are fine.
///
/// Use [`BinaryFuse8`] or [`BinaryFuse16`]. See the [crate docs](crate) for when to pick it over
/// a Bloom filter, and the module source for the construction.
///
/// # Memory
/// The filter holds `c` fingerprints, `c = 1.125 n` rounded up to whole segments for a million
/// items or more (9.04 bits per item at 1M, 9.02 at 10M, 9.01 at 100M with 8 bits), more for
/// small sets (about 11 bits per item at 1,000 items). The build needs about 24 bytes per key of
/// scratch memory beyond the input (32 when built from items, whose hashes it collects), freed
/// before it returns.
///
/// # Example
/// ```
/// use hpds_bloom::BinaryFuse8;
/// let words = ["apple", "banana", "cherry", "banana"];
/// let f = BinaryFuse8::new(words)?;
/// assert_eq!(f.len(), 3);
/// assert!(f.contains("cherry"));
/// assert!(f.bits_per_item() <= 64.0); // tiny sets pay for a minimum of three segments
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BinaryFuseFilter<F: Fingerprint> {
    /// The seed items are hashed with (the stable hash).
    seed: u64,
    /// The seed of the attempt that succeeded, mixed into every key.
    build_seed: u64,
    segment_length: u32,
    segment_mask: u32,
    /// `segment_count * segment_length`: the range of the first slot.
    segment_count_length: u32,
    /// Distinct keys stored.
    len: u64,
    /// What a member's fingerprint XOR its three slots gives: 0, or for the empty set a value
    /// no fingerprint reaches, so that nothing matches.
    target: u32,
    fingerprints: Box<[F]>,
}

/// [`BinaryFuseFilter::target`] for a set of `len` keys.
fn target(len: u64) -> u32 {
    if len == 0 { u32::MAX } else { 0 }
}

/// A [`BinaryFuseFilter`] with 8-bit fingerprints: about 9 bits per item, rate 2^-8 (0.39 %).
pub type BinaryFuse8 = BinaryFuseFilter<u8>;
/// A [`BinaryFuseFilter`] with 16-bit fingerprints: about 18 bits per item, rate 2^-16.
pub type BinaryFuse16 = BinaryFuseFilter<u16>;

/// Segment length and count of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    segment_length: u32,
    segment_count: u32,
}

impl Layout {
    /// The paper's arity-3 layout for `n` keys.
    fn for_keys(n: usize) -> Result<Self> {
        let nf = n as f64;
        let segment_length = if n <= 1 {
            MIN_SEGMENT_LENGTH
        } else {
            let log = (nf.ln() / 3.33f64.ln() + 2.25).floor() as u32;
            (1u32 << log.min(18)).clamp(MIN_SEGMENT_LENGTH, MAX_SEGMENT_LENGTH)
        };
        let capacity = if n <= 1 {
            0
        } else {
            let factor = (0.875 + 0.25 * 1e6f64.ln() / nf.ln()).max(1.125);
            (nf * factor).round() as u64
        };
        let segments = capacity.div_ceil(u64::from(segment_length));
        let segment_count = segments.saturating_sub(2).max(1);
        let layout = Self {
            segment_length,
            segment_count: u32::try_from(segment_count)
                .map_err(|_| Error::capacity_overflow("binary fuse filter (over 2^32 slots)"))?,
        };
        if layout.slots() > MAX_SLOTS {
            return Err(Error::capacity_overflow(
                "binary fuse filter (over 2^32 slots)",
            ));
        }
        Ok(layout)
    }

    /// The array length: the segments the first slot can fall in, plus two.
    fn slots(self) -> u64 {
        (u64::from(self.segment_count) + 2) * u64::from(self.segment_length)
    }
}

/// The three slots of a mixed hash, in increasing order, each in its own segment.
#[inline(always)]
fn slots_of(hash: u64, segment_length: u32, mask: u32, segment_count_length: u32) -> [usize; 3] {
    let h0 = ((u128::from(hash) * u128::from(segment_count_length)) >> 64) as u32;
    let h1 = (h0 + segment_length) ^ ((hash >> 18) as u32 & mask);
    let h2 = (h0 + 2 * segment_length) ^ (hash as u32 & mask);
    [h0 as usize, h1 as usize, h2 as usize]
}

/// A key's hash for the attempt with `build_seed`: a bijection of the key, so distinct keys
/// stay distinct.
#[inline(always)]
fn mix(key: u64, build_seed: u64) -> u64 {
    mix64(key.wrapping_add(build_seed))
}

/// The build seed of attempt `i` for a filter whose items are hashed with `seed`.
fn attempt_seed(seed: u64, i: u32) -> u64 {
    mix64(seed ^ ATTEMPT_STEP.wrapping_mul(u64::from(i) + 1))
}

impl<F: Fingerprint> BinaryFuseFilter<F> {
    /// Builds a filter holding `items` (any iterator of [`Item`]s; duplicates are fine), hashing
    /// each once with the stable hash and the default seed.
    ///
    /// # Errors
    /// More items than the filter can index (about 3.8 billion), or, with a probability too
    /// small to observe, every one of [`MAX_ATTEMPTS`] seeds failed (retry with
    /// [`with_seed`](Self::with_seed) and another seed).
    pub fn new<I>(items: I) -> Result<Self>
    where
        I: IntoIterator,
        I::Item: Item,
    {
        Self::with_seed(items, DEFAULT_SEED)
    }

    /// [`new`](Self::new) hashing items with `seed`.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_seed<I>(items: I, seed: u64) -> Result<Self>
    where
        I: IntoIterator,
        I::Item: Item,
    {
        let keys: Vec<u64> = items.into_iter().map(|i| i.stable_hash(seed)).collect();
        Self::build(&keys, seed)
    }

    /// Builds a filter from 64-bit hashes (duplicates are fine); query it with
    /// [`contains_hash`](Self::contains_hash). The slice is not copied unless it holds
    /// duplicates that the first attempt could not cancel.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn from_hashes(hashes: &[u64]) -> Result<Self> {
        Self::build(hashes, DEFAULT_SEED)
    }

    /// [`from_hashes`](Self::from_hashes) from an iterator (its hashes are collected first).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn from_hash_iter<I: IntoIterator<Item = u64>>(hashes: I) -> Result<Self> {
        let keys: Vec<u64> = hashes.into_iter().collect();
        Self::build(&keys, DEFAULT_SEED)
    }

    fn build(keys: &[u64], seed: u64) -> Result<Self> {
        Self::build_with_attempts(keys, seed, MAX_ATTEMPTS)
    }

    pub(crate) fn build_with_attempts(keys: &[u64], seed: u64, attempts: u32) -> Result<Self> {
        let mut deduped: Option<Vec<u64>> = None;
        let mut layout = Layout::for_keys(keys.len())?;
        let mut scratch = Scratch::new(keys.len(), layout);
        for i in 0..attempts {
            let keys = deduped.as_deref().unwrap_or(keys);
            let build_seed = attempt_seed(seed, i);
            match scratch.peel(keys, build_seed, layout) {
                Ok(stacked) => {
                    return Ok(scratch.assign(seed, build_seed, layout, stacked));
                }
                Err(duplicates) => {
                    // Dedupe once, when pairs were seen or a second attempt failed: a set with
                    // a key twice can never peel, and sorting 10^8 keys costs seconds.
                    if deduped.is_none() && (duplicates || i >= 1) {
                        let mut v = keys.to_vec();
                        v.sort_unstable();
                        v.dedup();
                        if v.len() != keys.len() {
                            layout = Layout::for_keys(v.len())?;
                            scratch = Scratch::new(v.len(), layout);
                        }
                        deduped = Some(v);
                    }
                }
            }
        }
        Err(Error::invalid_parameter(
            "keys",
            format_args!(
                "{} keys that no seed of {attempts} could place",
                deduped.as_ref().map_or(keys.len(), Vec::len)
            ),
            "a set the construction can peel: build again with another seed (`with_seed`)",
        ))
    }

    /// Whether the item is (probably) in the set: always `true` for members, `true` for a
    /// non-member with probability `2^-B`.
    #[inline]
    pub fn contains<T: Item + ?Sized>(&self, item: &T) -> bool {
        self.contains_hash(item.stable_hash(self.seed))
    }

    /// Whether a 64-bit hash given to [`from_hashes`](Self::from_hashes) is (probably) in the
    /// set.
    #[inline]
    pub fn contains_hash(&self, hash: u64) -> bool {
        let h = mix(hash, self.build_seed);
        let [a, b, c] = slots_of(
            h,
            self.segment_length,
            self.segment_mask,
            self.segment_count_length,
        );
        let fp = &self.fingerprints;
        let x = F::of_hash(h) ^ fp[a] ^ fp[b] ^ fp[c];
        // Compared wide with `target`, an empty filter costs no extra instruction.
        x.widen() == self.target
    }

    /// How many of `items` are (probably) in the set.
    pub fn count_contained<T: Item>(&self, items: &[T]) -> usize {
        items.iter().filter(|i| self.contains(*i)).count()
    }

    /// How many of `hashes` are (probably) in the set.
    pub fn count_contained_hashes(&self, hashes: &[u64]) -> usize {
        hashes.iter().filter(|&&h| self.contains_hash(h)).count()
    }

    /// Distinct keys (items or hashes) in the set. Distinct items whose 64-bit hashes collide
    /// count once.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the set is empty (then `contains` is always `false`).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Fingerprint slots in the array.
    pub fn slots(&self) -> usize {
        self.fingerprints.len()
    }

    /// Bits of fingerprint array per distinct key (infinite for an empty set).
    pub fn bits_per_item(&self) -> f64 {
        (self.fingerprints.len() as f64 * f64::from(F::BITS)) / self.len as f64
    }

    /// The false-positive rate, `2^-B` (0 for an empty set).
    pub fn false_positive_rate(&self) -> f64 {
        if self.len == 0 {
            0.0
        } else {
            (-f64::from(F::BITS)).exp2()
        }
    }

    /// The seed items are hashed with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn from_parts(
        seed: u64,
        build_seed: u64,
        layout: Layout,
        len: u64,
        fingerprints: Box<[F]>,
    ) -> Result<Self> {
        let sl = layout.segment_length;
        if !sl.is_power_of_two() || !(MIN_SEGMENT_LENGTH..=MAX_SEGMENT_LENGTH).contains(&sl) {
            return Err(Error::invalid_encoding(
                "segment length not a power of two in 4..=2^18",
            ));
        }
        if layout.segment_count == 0 || layout.slots() > MAX_SLOTS {
            return Err(Error::invalid_encoding(
                "segment count out of range 1..2^32 slots",
            ));
        }
        if fingerprints.len() as u64 != layout.slots() {
            return Err(Error::invalid_encoding(
                "fingerprint count does not match the segments",
            ));
        }
        if len > layout.slots() {
            return Err(Error::invalid_encoding("more keys than slots"));
        }
        Ok(Self {
            seed,
            build_seed,
            segment_length: sl,
            segment_mask: sl - 1,
            segment_count_length: layout.segment_count * sl,
            len,
            target: target(len),
            fingerprints,
        })
    }
}

/// The build's working arrays, sized for `n` keys in a layout; kept across attempts.
struct Scratch {
    /// Keys' mixed hashes bucket-sorted by their high bits (plus a non-zero sentinel), then
    /// the peeled keys in peeling order.
    order: Vec<u64>,
    /// Which of its three slots each peeled key was peeled from.
    peeled_from: Vec<u8>,
    /// Per slot: keys using it times 4, plus the XOR of the keys' slot numbers (0, 1, 2).
    count: Vec<u8>,
    /// Per slot: XOR of the hashes of the keys using it.
    xor: Vec<u64>,
    /// Stack of slots with a single key.
    alone: Vec<u32>,
    /// Next free position of each bucket in `order`.
    start: Vec<u32>,
    /// Whether the arrays hold an earlier attempt's values.
    dirty: bool,
}

/// `i mod 3` for `i < 5`.
const MOD3: [u8; 5] = [0, 1, 2, 0, 1];

/// An attempt's failure; `true` when duplicate keys were seen.
type Failure = bool;

impl Scratch {
    fn new(n: usize, layout: Layout) -> Self {
        let slots = layout.slots() as usize;
        let mut bucket_bits = 1;
        while (1u64 << bucket_bits) < u64::from(layout.segment_count) {
            bucket_bits += 1;
        }
        // `vec![0; n]` takes zeroed pages from the allocator: no pass over the memory.
        Self {
            order: vec![0; n + 1],
            peeled_from: vec![0; n],
            count: vec![0; slots],
            xor: vec![0; slots],
            alone: vec![0; slots + 1],
            start: vec![0; 1 << bucket_bits],
            dirty: false,
        }
    }

    /// One attempt: places every key's slots and peels; returns how many keys were peeled
    /// (the rest were duplicate pairs), or the failure.
    fn peel(
        &mut self,
        keys: &[u64],
        build_seed: u64,
        layout: Layout,
    ) -> core::result::Result<usize, Failure> {
        let n = keys.len();
        if self.dirty {
            self.order.fill(0);
            self.count.fill(0);
            self.xor.fill(0);
        }
        self.dirty = true;
        let sl = layout.segment_length;
        let mask = sl - 1;
        let scl = layout.segment_count * sl;
        let slots = |h| slots_of(h, sl, mask, scl);

        // Bucket sort by the high bits, so the slot updates below sweep the array in order.
        let buckets = self.start.len();
        let bucket_bits = buckets.trailing_zeros();
        for (i, s) in self.start.iter_mut().enumerate() {
            *s = ((i as u64 * n as u64) >> bucket_bits) as u32;
        }
        let order = &mut self.order;
        order[n] = 1;
        let mut zero = false;
        for &key in keys {
            let h = mix(key, build_seed);
            // 0 marks a free position; a key hashing to 0 (one per seed) takes another seed.
            zero |= h == 0;
            let mut b = (h >> (64 - bucket_bits)) as usize;
            while order[self.start[b] as usize] != 0 {
                b = (b + 1) & (buckets - 1);
            }
            order[self.start[b] as usize] = h;
            self.start[b] += 1;
        }
        if zero {
            return Err(false);
        }

        let (count, xor) = (&mut self.count, &mut self.xor);
        let mut duplicates = 0usize;
        let mut overflow = false;
        for &h in &order[..n] {
            let [a, b, c] = slots(h);
            count[a] = count[a].wrapping_add(4);
            xor[a] ^= h;
            count[b] = count[b].wrapping_add(4) ^ 1;
            xor[b] ^= h;
            count[c] = count[c].wrapping_add(4) ^ 2;
            xor[c] ^= h;
            // The same key twice leaves a slot that only the two used with XOR 0 and count 2:
            // take both out again.
            if xor[a] & xor[b] & xor[c] == 0
                && ((xor[a] == 0 && count[a] == 8)
                    || (xor[b] == 0 && count[b] == 8)
                    || (xor[c] == 0 && count[c] == 8))
            {
                duplicates += 1;
                count[a] = count[a].wrapping_sub(4);
                xor[a] ^= h;
                count[b] = count[b].wrapping_sub(4) ^ 1;
                xor[b] ^= h;
                count[c] = count[c].wrapping_sub(4) ^ 2;
                xor[c] ^= h;
            }
            // A counter that wrapped past 63 keys reads below 4 right after.
            overflow |= count[a].min(count[b]).min(count[c]) < 4;
        }
        if overflow {
            return Err(duplicates > 0);
        }

        let alone = &mut self.alone;
        let mut queued = 0;
        for (i, &c) in count.iter().enumerate() {
            alone[queued] = i as u32;
            queued += usize::from(c >> 2 == 1);
        }
        let mut stacked = 0;
        while queued > 0 {
            queued -= 1;
            let i = alone[queued] as usize;
            if count[i] >> 2 != 1 {
                continue;
            }
            let h = xor[i];
            let found = usize::from(count[i] & 3);
            if stacked == n || found > 2 {
                return Err(duplicates > 0);
            }
            self.peeled_from[stacked] = found as u8;
            order[stacked] = h;
            stacked += 1;
            let [s0, s1, s2] = slots(h);
            // The other two slots and their numbers: (found + 1) mod 3 and (found + 2) mod 3.
            let s = [s0, s1, s2, s0, s1];
            for j in [found + 1, found + 2] {
                let o = s[j];
                alone[queued] = o as u32;
                queued += usize::from(count[o] >> 2 == 2);
                count[o] = count[o].wrapping_sub(4) ^ MOD3[j];
                xor[o] ^= h;
            }
        }
        if stacked + duplicates == n {
            Ok(stacked)
        } else {
            Err(duplicates > 0)
        }
    }

    /// Fills the fingerprints in reverse peeling order: each key's peeled slot is the last of
    /// its three to be written.
    fn assign<F: Fingerprint>(
        self,
        seed: u64,
        build_seed: u64,
        layout: Layout,
        stacked: usize,
    ) -> BinaryFuseFilter<F> {
        let Self {
            order, peeled_from, ..
        } = self;
        let sl = layout.segment_length;
        let (mask, scl) = (sl - 1, layout.segment_count * sl);
        let mut fp = vec![F::default(); layout.slots() as usize].into_boxed_slice();
        for i in (0..stacked).rev() {
            let h = order[i];
            let s = slots_of(h, sl, mask, scl);
            let s = [s[0], s[1], s[2], s[0], s[1]];
            let found = usize::from(peeled_from[i]);
            fp[s[found]] = F::of_hash(h) ^ fp[s[found + 1]] ^ fp[s[found + 2]];
        }
        BinaryFuseFilter {
            seed,
            build_seed,
            segment_length: sl,
            segment_mask: mask,
            segment_count_length: scl,
            len: stacked as u64,
            target: target(stacked as u64),
            fingerprints: fp,
        }
    }
}

impl<F: Fingerprint> fmt::Debug for BinaryFuseFilter<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BinaryFuseFilter")
            .field("fingerprint_bits", &F::BITS)
            .field("len", &self.len)
            .field("slots", &self.fingerprints.len())
            .field("segment_length", &self.segment_length)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl<F: Fingerprint> hpds_core::HeapSize for BinaryFuseFilter<F> {
    fn heap_bytes(&self) -> usize {
        core::mem::size_of_val::<[F]>(&self.fingerprints)
    }
}

/// Format (version 1): `seed: u64, build_seed: u64, segment_length: u32, segment_count: u32,
/// keys: u64, fingerprints` (a `u64` count, then the fingerprints little-endian; tag `BFF8` for
/// 8-bit, `BF16` for 16-bit fingerprints).
impl<F: Fingerprint> ByteCodec for BinaryFuseFilter<F> {
    const TAG: [u8; 4] = F::TAG;
    const VERSION: u16 = 1;

    fn encode_payload(&self, enc: &mut Encoder) {
        enc.reserve(40 + core::mem::size_of_val::<[F]>(&self.fingerprints));
        enc.put_u64(self.seed);
        enc.put_u64(self.build_seed);
        enc.put_u32(self.segment_length);
        enc.put_u32(self.segment_count_length / self.segment_length);
        enc.put_u64(self.len);
        F::put(&self.fingerprints, enc);
    }

    fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
        let seed = dec.u64()?;
        let build_seed = dec.u64()?;
        let segment_length = dec.u32()?;
        let segment_count = dec.u32()?;
        let len = dec.u64()?;
        let fingerprints = F::read(dec)?;
        let layout = Layout {
            segment_length,
            segment_count,
        };
        Self::from_parts(seed, build_seed, layout, len, fingerprints)
    }
}

impl_codec_serde!([F: Fingerprint] BinaryFuseFilter<F>);

#[cfg(test)]
mod tests {
    use super::*;
    use hpds_core::HeapSize;

    #[test]
    fn layouts_match_the_paper() {
        for (n, bits) in [(1_000_000usize, 9.05), (10_000_000, 9.03)] {
            let l = Layout::for_keys(n).unwrap();
            let bpi = l.slots() as f64 * 8.0 / n as f64;
            assert!(bpi < bits, "{n}: {bpi}");
        }
        let l = Layout::for_keys(0).unwrap();
        assert_eq!((l.segment_length, l.segment_count), (4, 1));
        assert!(Layout::for_keys(usize::MAX / 2).is_err());
    }

    #[test]
    fn small_sets_build_and_answer() {
        // Fewer under Miri, which runs these tests for the crate's unsafe code (not here).
        let sizes = if cfg!(miri) { 0..30u64 } else { 0..200u64 };
        for n in sizes {
            let keys: Vec<u64> = (0..n).map(|i| mix64(i + 1000 * n)).collect();
            let f = BinaryFuse8::from_hashes(&keys).unwrap();
            assert_eq!(f.len(), n);
            assert!(keys.iter().all(|&k| f.contains_hash(k)), "n = {n}");
            let g = BinaryFuse16::from_hashes(&keys).unwrap();
            assert!(keys.iter().all(|&k| g.contains_hash(k)), "n = {n}");
        }
    }

    #[test]
    fn empty_set_says_no() {
        let f = BinaryFuse8::from_hashes(&[]).unwrap();
        assert!(f.is_empty());
        assert_eq!(f.false_positive_rate(), 0.0);
        assert!((0..10_000u64).all(|k| !f.contains_hash(k)));
        assert!(!f.contains("x"));
    }

    #[test]
    fn duplicates_are_one_key() {
        // Pairs (cancelled in place), triples and long runs (deduplicated after a failure).
        let n = if cfg!(miri) { 300u64 } else { 5000 };
        let mut keys: Vec<u64> = (0..n).map(mix64).collect();
        keys.extend((0..n).map(mix64));
        keys.extend((0..100u64).map(mix64));
        keys.extend(std::iter::repeat_n(7, 300));
        let f = BinaryFuse8::from_hashes(&keys).unwrap();
        assert_eq!(f.len(), n + 1);
        assert!(keys.iter().all(|&k| f.contains_hash(k)));
        let all_same = BinaryFuse8::from_hashes(&[3; 1000]).unwrap();
        assert_eq!(all_same.len(), 1);
        assert!(all_same.contains_hash(3));
    }

    #[test]
    fn failure_is_a_clear_error() {
        // Zero attempts cannot succeed: the error names the way out.
        let e = BinaryFuse8::build_with_attempts(&[1, 2, 3], 0, 0).unwrap_err();
        assert!(e.to_string().contains("another seed"), "{e}");
    }

    #[test]
    fn heap_bytes_are_the_fingerprints() {
        let f = BinaryFuse16::new(0..if cfg!(miri) { 500u32 } else { 10_000 }).unwrap();
        assert_eq!(f.heap_bytes(), f.slots() * 2);
        // Small sets pay for whole segments: 500 keys take 24.6 bits each, 10,000 take 20.5
        // (the asymptote is 1.125 x 16 = 18 bits).
        let limit = if cfg!(miri) { 25.0 } else { 21.0 };
        assert!(f.bits_per_item() < limit, "{}", f.bits_per_item());
    }
}
