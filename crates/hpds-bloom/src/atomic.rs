//! A Bloom filter shared between threads without locks.

use core::fmt;
use hpds_core::Item;
use std::sync::atomic::{AtomicU64, Ordering};

use hpds_core::Result;
use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::hash::DEFAULT_SEED;

use crate::bloom::BloomFilter;
use crate::hashing::Hashes;
use crate::pages;
use crate::params::{self, check_bits, check_hashes};

/// A classic Bloom filter whose `insert` takes `&self`: bits are set with atomic `fetch_or`,
/// so any number of threads insert and query concurrently without a lock.
///
/// Same layout, hashing and false-positive rate as [`BloomFilter`] (and convertible to and
/// from one, bit for bit, for serialization and merging). No item inserted by a `insert` that
/// has returned is ever missed by a later `contains` on any thread: `fetch_or` is a
/// read-modify-write, so no set bit is lost to a race. The `bool` that `insert` returns is
/// exact only without concurrent inserts of the same item (two threads inserting it at once
/// may both see "new").
///
/// Storage is `Vec<AtomicU64>` rather than `bitvec`: the insert needs the word's previous value
/// from `fetch_or` to report presence, which a per-bit `bitvec` write does not return.
///
/// # Saving
/// `clone`, the byte codec ([`ByteCodec`]) and serde (feature `serde`) take a snapshot of the
/// live filter, word by word: every insert that returned before the snapshot began is in it;
/// inserts running during it may or may not be. The encoding is the classic filter's (tag
/// `BLMF`), so either type decodes what the other wrote.
///
/// # Example
/// ```
/// use hpds_bloom::AtomicBloomFilter;
/// let f = AtomicBloomFilter::new(100_000, 0.01)?;
/// std::thread::scope(|s| {
///     for t in 0..4u64 {
///         let f = &f;
///         s.spawn(move || (0..1000).for_each(|i| { f.insert(&(t * 1000 + i)); }));
///     }
/// });
/// assert!((0..4000u64).all(|i| f.contains(&i)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct AtomicBloomFilter {
    words: Vec<AtomicU64>,
    m: u64,
    k: u32,
    seed: u64,
}

impl AtomicBloomFilter {
    /// A filter for `expected_items` at `false_positive_rate`.
    ///
    /// # Errors
    /// As [`BloomFilter::new`].
    pub fn new(expected_items: u64, false_positive_rate: f64) -> Result<Self> {
        let (m, k) = params::classic_shape(expected_items, false_positive_rate)?;
        Self::with_bits(m, k)
    }

    with_seed!(expected_items: u64, false_positive_rate: f64);

    /// A filter of `bits` bits with `hashes` positions per item.
    ///
    /// # Errors
    /// As [`BloomFilter::with_bits`].
    pub fn with_bits(bits: u64, hashes: u32) -> Result<Self> {
        let m = check_bits(bits)?;
        let k = check_hashes(hashes)?;
        let mut words = pages::vec_with_capacity(m.div_ceil(64) as usize);
        words.extend((0..m.div_ceil(64)).map(|_| AtomicU64::new(0)));
        Ok(Self {
            words,
            m,
            k,
            seed: DEFAULT_SEED,
        })
    }

    /// Adds an item; returns `true` if all its bits were already set.
    #[inline]
    pub fn insert<T: Item + ?Sized>(&self, item: &T) -> bool {
        self.insert_hashes(Hashes::of_item(item, self.seed))
    }

    /// Whether the item is (probably) present.
    #[inline]
    pub fn contains<T: Item + ?Sized>(&self, item: &T) -> bool {
        self.contains_hashes(Hashes::of_item(item, self.seed))
    }

    /// Adds an item given by its 64-bit hash.
    pub fn insert_hash(&self, hash: u64) -> bool {
        self.insert_hashes(Hashes::from_u64(hash))
    }

    /// Whether an item given by its 64-bit hash is (probably) present.
    pub fn contains_hash(&self, hash: u64) -> bool {
        self.contains_hashes(Hashes::from_u64(hash))
    }

    #[inline]
    fn insert_hashes(&self, h: Hashes) -> bool {
        let mut present = true;
        h.probe_while(self.k, self.m, |pos| {
            let (w, b) = (pos >> 6, 1u64 << (pos & 63));
            // Skip the write (and the cache line's exclusive ownership) when the bit is set.
            if self.words[w].load(Ordering::Relaxed) & b == 0 {
                let old = self.words[w].fetch_or(b, Ordering::Relaxed);
                present &= old & b != 0;
            }
            true
        });
        present
    }

    #[inline]
    fn contains_hashes(&self, h: Hashes) -> bool {
        h.probe_while(self.k, self.m, |pos| {
            self.words[pos >> 6].load(Ordering::Relaxed) & (1u64 << (pos & 63)) != 0
        })
    }

    /// A snapshot as a plain [`BloomFilter`] (for serialization, union, estimates).
    pub fn to_bloom(&self) -> BloomFilter {
        let mut f = BloomFilter::with_bits_and_seed(self.m, self.k, self.seed)
            .expect("shape already validated");
        let words: Vec<u64> = self
            .words
            .iter()
            .map(|w| w.load(Ordering::Relaxed))
            .collect();
        f.load_words(&words);
        f
    }

    /// Size in bits.
    pub fn bits(&self) -> u64 {
        self.m
    }

    /// Positions per item.
    pub fn hashes(&self) -> u32 {
        self.k
    }

    /// Clears every bit (concurrent inserts may survive).
    pub fn clear(&self) {
        for w in &self.words {
            w.store(0, Ordering::Relaxed);
        }
    }
}

impl From<BloomFilter> for AtomicBloomFilter {
    fn from(f: BloomFilter) -> Self {
        Self {
            words: f.words().iter().map(|&w| AtomicU64::new(w)).collect(),
            m: f.bits(),
            k: f.hashes(),
            seed: f.seed(),
        }
    }
}

impl fmt::Debug for AtomicBloomFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtomicBloomFilter")
            .field("bits", &self.m)
            .field("hashes", &self.k)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl Clone for AtomicBloomFilter {
    /// A snapshot of the live filter (see *Saving* in the type docs).
    fn clone(&self) -> Self {
        Self {
            words: self
                .words
                .iter()
                .map(|w| AtomicU64::new(w.load(Ordering::Relaxed)))
                .collect(),
            m: self.m,
            k: self.k,
            seed: self.seed,
        }
    }
}

/// The classic filter's format ([`BloomFilter`]'s `ByteCodec`), from a snapshot.
impl ByteCodec for AtomicBloomFilter {
    const TAG: [u8; 4] = <BloomFilter as ByteCodec>::TAG;
    const VERSION: u16 = <BloomFilter as ByteCodec>::VERSION;
    const MIN_VERSION: u16 = <BloomFilter as ByteCodec>::MIN_VERSION;

    fn encode_payload(&self, enc: &mut Encoder) {
        self.to_bloom().encode_payload(enc);
    }

    fn decode_payload(dec: &mut Decoder<'_>, version: u16) -> Result<Self> {
        BloomFilter::decode_payload(dec, version).map(Self::from)
    }
}

impl_codec_serde!([] AtomicBloomFilter);
impl_heap_size!([] AtomicBloomFilter, |f| f.words.capacity() * 8);
impl_membership!([] AtomicBloomFilter);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bits_as_the_plain_filter() {
        let mut plain = BloomFilter::new(1000, 0.01).unwrap();
        let atomic = AtomicBloomFilter::new(1000, 0.01).unwrap();
        for i in 0..500u32 {
            assert_eq!(plain.insert(&i), atomic.insert(&i));
        }
        assert_eq!(atomic.to_bloom(), plain);
        let back = AtomicBloomFilter::from(plain.clone());
        assert_eq!(back.to_bloom(), plain);
        let snapshot = atomic.clone();
        assert_eq!(snapshot.to_bloom(), plain);
        let bytes = atomic.to_bytes();
        assert_eq!(bytes, plain.to_bytes());
        assert_eq!(
            AtomicBloomFilter::from_bytes(&bytes).unwrap().to_bloom(),
            plain
        );
        atomic.clear();
        assert!(atomic.to_bloom().is_empty());
        assert_eq!(snapshot.to_bloom(), plain);
    }

    #[test]
    fn is_a_membership_filter() {
        fn through_trait<F: hpds_core::MembershipFilter>(f: &mut F) -> bool {
            f.insert("x");
            f.contains("x") && f.contains_hash(7) == f.contains_hash(7)
        }
        let mut f = AtomicBloomFilter::new(100, 0.01).unwrap();
        assert!(through_trait(&mut f));
    }
}
