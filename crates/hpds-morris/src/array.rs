//! Many Morris counters packed at 4 or 8 bits each.

use core::fmt;
use core::hash::Hash;

use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::hash::{DEFAULT_SEED, hash_one};
use hpds_core::{Error, HeapSize, Result};
use rand_core::{RngCore, SeedableRng};

use crate::FastRng;
use crate::counter::check_compatible;
use crate::math;

/// A fixed number of Morris counters sharing one base, one threshold table and one random
/// source, packed at 8 bits (one counter per byte) or 4 bits (two per byte) each.
///
/// Use it to count events for many keys in little memory, e.g. per-bucket or per-feature
/// counts: a million 4-bit counters take 500 KB. Every counter behaves exactly like a
/// [`MorrisCounter`](crate::MorrisCounter) with the same base and width.
///
/// # Choosing the width
/// With 8 bits the top exponent is 255 (or less for bases above about 1.19, where 64-bit draws
/// run out of resolution): base 1.08 counts to about 4e9 with a 20 % relative error. With 4 bits
/// the top exponent is 15, so a base large enough for the range is needed: base 2 counts to
/// 32 767, base 4 to about 3.6e8 (relative error 122 %). [`max_estimate`](Self::max_estimate)
/// gives the range.
///
/// # Cost
/// An increment reads the counter, looks up its exponent's threshold in a table of at most
/// 256 `u64`s (built once), draws one random `u64` and writes back on success: no floating
/// point. Memory: `len * bits / 8` bytes plus the table.
///
/// # Example
/// ```
/// use hpds_morris::MorrisArray;
/// // 1000 per-bucket counters, 4 bits each, counting to about 3.6e8.
/// let mut buckets = MorrisArray::with_seed(1000, 4.0, 4, 7)?;
/// for word in "the cat sat on the mat".split(' ') {
///     buckets.increment_item(word);
/// }
/// buckets.increment_by(3, 1_000_000);
/// assert!(buckets.estimate(3) > 0.0);
/// assert!(buckets.estimate(buckets.index_of("the")) >= 1.0);
/// assert_eq!(buckets.data_bytes(), 500);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct MorrisArray<R = FastRng> {
    data: Vec<u8>,
    len: usize,
    /// `thresholds[c]` for every exponent `c` up to the top one.
    thresholds: Box<[u64]>,
    base: f64,
    bits: u8,
    max_exponent: u8,
    rng: R,
}

impl MorrisArray<FastRng> {
    /// `len` counters of `bits` (4 or 8) bits with the given base and a fresh [`FastRng`].
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `len >= 1`, `base` is a
    /// finite number in (1, 2^32] and `bits` is 4 or 8.
    pub fn new(len: usize, base: f64, bits: u8) -> Result<Self> {
        Self::with_rng(len, base, bits, FastRng::default())
    }

    /// As [`new`](Self::new), with random draws determined by `seed`.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_seed(len: usize, base: f64, bits: u8, seed: u64) -> Result<Self> {
        Self::with_rng(len, base, bits, FastRng::seed_from_u64(seed))
    }
}

impl<R> MorrisArray<R> {
    /// `len` counters of `bits` (4 or 8) bits with the given base and random source.
    ///
    /// # Errors
    /// As [`MorrisArray::new`].
    pub fn with_rng(len: usize, base: f64, bits: u8, rng: R) -> Result<Self> {
        let base = math::check_base(base)?;
        if bits != 4 && bits != 8 {
            return Err(Error::invalid_parameter("bits", bits, "4 or 8"));
        }
        if len == 0 {
            return Err(Error::invalid_parameter("len", len, "at least 1"));
        }
        let bytes = packed_len(len, bits).ok_or(Error::capacity_overflow("MorrisArray"))?;
        let max_exponent = math::max_exponent(base, bits);
        let thresholds = (0..=max_exponent)
            .map(|c| math::threshold(base, c))
            .collect();
        Ok(Self {
            data: vec![0; bytes],
            len,
            thresholds,
            base,
            bits,
            max_exponent,
            rng,
        })
    }

    /// The number of counters.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always `false`: an array holds at least one counter.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    parameter_accessors!();

    /// The exponent of counter `i`.
    ///
    /// # Panics
    /// If `i >= len()`, like slice indexing.
    #[inline]
    pub fn exponent(&self, i: usize) -> u8 {
        assert!(
            i < self.len,
            "index {i} out of range for {} counters",
            self.len
        );
        if self.bits == 8 {
            self.data[i]
        } else {
            (self.data[i / 2] >> ((i & 1) * 4)) & 0x0f
        }
    }

    #[inline]
    fn set(&mut self, i: usize, c: u8) {
        if self.bits == 8 {
            self.data[i] = c;
        } else {
            let shift = (i & 1) * 4;
            let byte = &mut self.data[i / 2];
            *byte = (*byte & !(0x0f << shift)) | (c << shift);
        }
    }

    /// The estimated count of counter `i`.
    ///
    /// # Panics
    /// If `i >= len()`.
    pub fn estimate(&self, i: usize) -> f64 {
        math::estimate(self.base, self.exponent(i))
    }

    /// The estimated count of counter `i`, or `None` if out of range.
    pub fn get(&self, i: usize) -> Option<f64> {
        (i < self.len).then(|| self.estimate(i))
    }

    /// The counter an item maps to: its stable hash reduced to `0..len` (multiply-shift).
    pub fn index_of<T: Hash + ?Sized>(&self, item: &T) -> usize {
        let h = hash_one(item, DEFAULT_SEED);
        ((u128::from(h) * self.len as u128) >> 64) as usize
    }

    /// Every counter's estimate, in index order.
    pub fn estimates(&self) -> impl ExactSizeIterator<Item = f64> + Clone + '_ {
        (0..self.len).map(|i| self.estimate(i))
    }

    /// Every counter's exponent, in index order.
    pub fn exponents(&self) -> impl ExactSizeIterator<Item = u8> + Clone + '_ {
        (0..self.len).map(|i| self.exponent(i))
    }

    /// Resets every counter to zero.
    pub fn clear(&mut self) {
        self.data.fill(0);
    }

    /// Bytes of packed counters (`len * bits / 8`, rounded up), without the threshold table.
    pub fn data_bytes(&self) -> usize {
        self.data.capacity()
    }

    /// The random source.
    pub fn rng_mut(&mut self) -> &mut R {
        &mut self.rng
    }

    fn from_parts(base: f64, bits: u8, len: usize, data: &[u8], rng: R) -> Result<Self> {
        // Checked before allocating: the input's own bytes bound the allocation.
        if packed_len(len, bits) != Some(data.len()) {
            return Err(Error::invalid_encoding(
                "MorrisArray data length does not match its length and width",
            ));
        }
        let mut a = Self::with_rng(len, base, bits, rng)?;
        a.data.copy_from_slice(data);
        if bits == 4 && len % 2 == 1 && data[data.len() - 1] >> 4 != 0 {
            return Err(Error::invalid_encoding(
                "MorrisArray padding nibble is not zero",
            ));
        }
        if a.exponents().any(|c| c > a.max_exponent) {
            return Err(Error::invalid_encoding(
                "Morris exponent above the top exponent of its base and width",
            ));
        }
        Ok(a)
    }
}

impl<R: RngCore> MorrisArray<R> {
    /// Counts one event on counter `i`.
    ///
    /// # Panics
    /// If `i >= len()`.
    #[inline]
    pub fn increment(&mut self, i: usize) {
        let c = self.exponent(i);
        if c < self.max_exponent && math::accept(&mut self.rng, self.thresholds[usize::from(c)]) {
            self.set(i, c + 1);
        }
    }

    /// Counts `n` events on counter `i`, in O(exponent changes) (see
    /// [`MorrisCounter::increment_by`](crate::MorrisCounter::increment_by)).
    ///
    /// # Panics
    /// If `i >= len()`.
    pub fn increment_by(&mut self, i: usize, n: u64) {
        let c = self.exponent(i);
        let table = &self.thresholds;
        let c = math::skip(&mut self.rng, c, self.max_exponent, n, |c| {
            table[usize::from(c)]
        });
        self.set(i, c);
    }

    /// Counts one event on the counter `item` maps to (see [`index_of`](Self::index_of)).
    /// Distinct items may share a counter, as in any hashed array of counters.
    pub fn increment_item<T: Hash + ?Sized>(&mut self, item: &T) {
        let i = self.index_of(item);
        self.increment(i);
    }

    /// Folds `other` counter by counter into this array (the unbiased merge of
    /// [`MorrisCounter::merge`](crate::MorrisCounter::merge)).
    ///
    /// # Errors
    /// [`Incompatible`](hpds_core::ErrorKind::Incompatible) if the lengths, bases or widths
    /// differ.
    pub fn merge<R2>(&mut self, other: &MorrisArray<R2>) -> Result<()> {
        check_compatible(self.base, self.bits, other.base, other.bits)?;
        if self.len != other.len {
            return Err(Error::incompatible("len", self.len, other.len));
        }
        for i in 0..self.len {
            let (a, b) = (self.exponent(i), other.exponent(i));
            if b == 0 {
                continue;
            }
            let table = &self.thresholds;
            let c = math::merge_exponents(&mut self.rng, a, b, self.max_exponent, |d| {
                table[usize::from(d)]
            });
            self.set(i, c);
        }
        Ok(())
    }
}

fn packed_len(len: usize, bits: u8) -> Option<usize> {
    let bytes = if bits == 8 { len } else { len.div_ceil(2) };
    isize::try_from(bytes).is_ok().then_some(bytes)
}

impl<R> fmt::Debug for MorrisArray<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MorrisArray")
            .field("len", &self.len)
            .field("base", &self.base)
            .field("bits", &self.bits)
            .finish_non_exhaustive()
    }
}

/// Arrays are equal when their parameters and every exponent are; generators are not compared.
impl<R, R2> PartialEq<MorrisArray<R2>> for MorrisArray<R> {
    fn eq(&self, other: &MorrisArray<R2>) -> bool {
        self.base.to_bits() == other.base.to_bits()
            && self.bits == other.bits
            && self.len == other.len
            && self.data == other.data
    }
}

impl<R> HeapSize for MorrisArray<R> {
    fn heap_bytes(&self) -> usize {
        self.data.heap_bytes() + self.thresholds.heap_bytes()
    }
}

/// The format (version 1): base (`f64`), width (`u8`), length (`u64`), then the packed bytes
/// (length-prefixed; 4-bit counters low nibble first, an odd length's last nibble zero).
impl<R: RngCore + SeedableRng> ByteCodec for MorrisArray<R> {
    const TAG: [u8; 4] = *b"MRSA";
    const VERSION: u16 = 1;

    fn encode_payload(&self, enc: &mut Encoder) {
        enc.put_f64(self.base);
        enc.put_u8(self.bits);
        enc.put_u64(self.len as u64);
        enc.put_bytes(&self.data);
    }

    fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
        let base = dec.f64()?;
        let bits = dec.u8()?;
        let len = dec.u64()?;
        let data = dec.bytes()?;
        let len = usize::try_from(len)
            .map_err(|_| Error::invalid_encoding("MorrisArray length does not fit in memory"))?;
        Self::from_parts(
            base,
            bits,
            len,
            data,
            R::seed_from_u64(FastRng::fresh_seed()),
        )
    }
}

#[cfg(feature = "serde")]
hpds_core::impl_serde_via_codec!([R: RngCore + SeedableRng] MorrisArray<R>);
