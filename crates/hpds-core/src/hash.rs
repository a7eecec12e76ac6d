//! Stable, seeded hashing for sketches and filters.
//!
//! Sketches serialized by one process must merge with sketches built by another, on another
//! platform, years later. That needs a hash whose output depends only on the bytes it is given
//! and a seed: xxh3 (from `xxhash-rust`), fed with integers in little-endian order whatever the
//! platform. [`StableHasher`] makes any `T: Hash` go through it; [`hash_u64`] and [`hash_bytes`]
//! are the one-shot fast paths.
//!
//! Hash tables (which never persist their hashes) use a randomly seeded hasher instead; see
//! `hpds-openhash`.

use core::hash::{BuildHasher, Hash, Hasher};

use xxhash_rust::xxh3::{Xxh3, xxh3_64_with_seed, xxh3_128_with_seed};

pub use crate::item::{ByHash, Item};

/// The seed every sketch uses unless it is given another one.
///
/// Changing it would change every serialized sketch, so it is part of the format.
pub const DEFAULT_SEED: u64 = 0x6870_6473_2d73_6565; // "hpds-see"

/// Hashes a byte slice with xxh3-64 and `seed`.
///
/// # Example
/// ```
/// use hpds_core::hash::{hash_bytes, DEFAULT_SEED};
/// assert_eq!(hash_bytes(b"hello", DEFAULT_SEED), hash_bytes(b"hello", DEFAULT_SEED));
/// assert_ne!(hash_bytes(b"hello", 1), hash_bytes(b"hello", 2));
/// ```
#[inline]
pub fn hash_bytes(bytes: &[u8], seed: u64) -> u64 {
    xxh3_64_with_seed(bytes, seed)
}

/// Hashes a `u64` as its 8 little-endian bytes with xxh3-64 and `seed`.
///
/// This is exactly what [`hash_one`] gives for a `u64` item, so callers can use either.
///
/// # Example
/// ```
/// use hpds_core::hash::{hash_one, hash_u64, DEFAULT_SEED};
/// assert_eq!(hash_u64(42, DEFAULT_SEED), hash_one(&42u64, DEFAULT_SEED));
/// ```
#[inline]
pub fn hash_u64(value: u64, seed: u64) -> u64 {
    xxh3_64_with_seed(&value.to_le_bytes(), seed)
}

/// Hashes a byte slice with xxh3-128 and `seed`, for structures that need two independent
/// 64-bit hashes (Bloom filters' double hashing).
#[inline]
pub fn hash128_bytes(bytes: &[u8], seed: u64) -> u128 {
    xxh3_128_with_seed(bytes, seed)
}

/// Hashes any `T: Hash` with the stable hasher and `seed`.
///
/// Integers are fed little-endian and `usize` as `u64`, so the result is the same on every
/// platform.
///
/// # Example
/// ```
/// use hpds_core::hash::{hash_one, DEFAULT_SEED};
/// let h = hash_one("apple", DEFAULT_SEED);
/// assert_eq!(h, hash_one(&String::from("apple"), DEFAULT_SEED));
/// ```
#[inline]
pub fn hash_one<T: Hash + ?Sized>(item: &T, seed: u64) -> u64 {
    let mut hasher = StableHasher::with_seed(seed);
    item.hash(&mut hasher);
    hasher.finish()
}

/// Like [`hash_one`] but 128 bits wide.
#[inline]
pub fn hash_one_128<T: Hash + ?Sized>(item: &T, seed: u64) -> u128 {
    let mut hasher = StableHasher::with_seed(seed);
    item.hash(&mut hasher);
    hasher.finish128()
}

/// Bytes buffered inline before the hasher switches to xxh3's streaming state.
const INLINE: usize = 64;
/// Bytes of the small buffer a new hasher starts with.
const SMALL: usize = 16;

/// The bytes written so far, while they fit inline.
///
/// A new hasher keeps up to 16 bytes (an integer, a short word, a small tuple) in a `u128`,
/// little-endian, and only moves to a 64-byte buffer when more is written. Creating a hasher
/// per item then costs no buffer zeroing, and short items stay in registers: written to a
/// byte buffer piece by piece, they made xxh3's word loads wait for store forwarding to fail
/// (a load spanning several earlier stores), which cost more than the hash itself.
#[derive(Clone)]
enum Inline {
    Small { len: u8, acc: u128 },
    Large { len: u8, buf: [u8; INLINE] },
}

/// A [`Hasher`] that gives the same xxh3 output on every platform.
///
/// Short inputs (the common case: integers, words) are buffered inline and hashed with the
/// one-shot function at `finish`; longer inputs spill into xxh3's streaming state, which gives
/// the identical result for the same bytes.
#[derive(Clone)]
pub struct StableHasher {
    seed: u64,
    inline: Inline,
    // Boxed: the streaming state is large and rarely needed.
    stream: Option<alloc::boxed::Box<Xxh3>>,
}

impl core::fmt::Debug for StableHasher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StableHasher")
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl Default for StableHasher {
    fn default() -> Self {
        Self::with_seed(DEFAULT_SEED)
    }
}

impl StableHasher {
    /// A hasher with the given seed.
    #[inline]
    pub fn with_seed(seed: u64) -> Self {
        Self {
            seed,
            inline: Inline::Small { len: 0, acc: 0 },
            stream: None,
        }
    }

    /// Calls `f` with the buffered bytes not yet given to the stream.
    #[inline]
    fn with_pending<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match &self.inline {
            Inline::Small { len, acc } => f(&acc.to_le_bytes()[..usize::from(*len)]),
            Inline::Large { len, buf } => f(&buf[..usize::from(*len)]),
        }
    }

    /// The 128-bit hash of everything written so far.
    #[inline]
    pub fn finish128(&self) -> u128 {
        match &self.stream {
            None => self.with_pending(|b| xxh3_128_with_seed(b, self.seed)),
            Some(stream) => {
                let mut stream = stream.clone();
                self.with_pending(|b| stream.update(b));
                stream.digest128()
            }
        }
    }

    /// `write` when the bytes do not fit the small buffer: the large buffer, then the stream.
    #[cold]
    #[inline(never)]
    fn write_slow(&mut self, bytes: &[u8]) {
        if let Inline::Small { len, acc } = self.inline {
            let mut large = [0; INLINE];
            large[..SMALL].copy_from_slice(&acc.to_le_bytes());
            self.inline = Inline::Large { len, buf: large };
        }
        let Inline::Large { len, buf } = &mut self.inline else {
            unreachable!("just made large")
        };
        let used = usize::from(*len);
        if used + bytes.len() <= INLINE {
            buf[used..used + bytes.len()].copy_from_slice(bytes);
            *len = (used + bytes.len()) as u8;
            return;
        }
        let stream = self
            .stream
            .get_or_insert_with(|| alloc::boxed::Box::new(Xxh3::with_seed(self.seed)));
        stream.update(&buf[..used]);
        *len = 0;
        stream.update(bytes);
    }
}

/// The `n <= 16` bytes of `src` as a little-endian number, with at most two loads per word
/// (overlapping ones when `n` is not a power of two) instead of a byte loop or `memcpy`.
#[inline(always)]
fn load_small(src: &[u8]) -> u128 {
    let n = src.len();
    debug_assert!(n <= SMALL);
    let word = |at: usize| u64::from_le_bytes(src[at..at + 8].try_into().expect("8 bytes"));
    let half = |at: usize| u32::from_le_bytes(src[at..at + 4].try_into().expect("4 bytes"));
    if n >= 8 {
        // The overlapping bytes are equal, so OR-ing the two shifted words is exact.
        u128::from(word(0)) | (u128::from(word(n - 8)) << (8 * (n - 8)))
    } else if n >= 4 {
        u128::from(u64::from(half(0)) | (u64::from(half(n - 4)) << (8 * (n - 4))))
    } else if n > 0 {
        u128::from(src[0])
            | (u128::from(src[n / 2]) << (8 * (n / 2)))
            | (u128::from(src[n - 1]) << (8 * (n - 1)))
    } else {
        0
    }
}

impl StableHasher {
    #[cold]
    #[inline(never)]
    fn finish_slow(&self) -> u64 {
        match &self.stream {
            None => self.with_pending(|b| xxh3_64_with_seed(b, self.seed)),
            Some(stream) => {
                let mut stream = stream.clone();
                self.with_pending(|b| stream.update(b));
                stream.digest()
            }
        }
    }
}

impl Hasher for StableHasher {
    /// The one-shot xxh3 of the bytes written. Inlined for inputs of up to 16 bytes, so with
    /// an integer item the length is known at compile time and xxh3's size dispatch folds away.
    #[inline]
    fn finish(&self) -> u64 {
        if let (None, Inline::Small { len, acc }) = (&self.stream, &self.inline) {
            return xxh3_64_with_seed(&acc.to_le_bytes()[..usize::from(*len)], self.seed);
        }
        self.finish_slow()
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        if let Inline::Small { len, acc } = &mut self.inline {
            let used = usize::from(*len);
            if bytes.len() <= SMALL - used {
                if used < SMALL {
                    *acc |= load_small(bytes) << (8 * used);
                }
                *len = (used + bytes.len()) as u8;
                return;
            }
        }
        self.write_slow(bytes);
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.write(&i.to_le_bytes());
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write(&i.to_le_bytes());
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.write(&i.to_le_bytes());
    }
    #[inline]
    fn write_u128(&mut self, i: u128) {
        self.write(&i.to_le_bytes());
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write(&(i as u64).to_le_bytes());
    }
    #[inline]
    fn write_i8(&mut self, i: i8) {
        self.write_u8(i as u8);
    }
    #[inline]
    fn write_i16(&mut self, i: i16) {
        self.write_u16(i as u16);
    }
    #[inline]
    fn write_i32(&mut self, i: i32) {
        self.write_u32(i as u32);
    }
    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn write_i128(&mut self, i: i128) {
        self.write_u128(i as u128);
    }
    #[inline]
    fn write_isize(&mut self, i: isize) {
        self.write_usize(i as usize);
    }
}

/// A [`BuildHasher`] for [`StableHasher`] with a fixed seed.
///
/// Use it where a structure must hash the same way in every process (sketches, filters); it is
/// not HashDoS-resistant, so hash tables exposed to untrusted keys should use a random seed.
///
/// # Example
/// ```
/// use core::hash::BuildHasher;
/// use hpds_core::hash::StableBuildHasher;
/// let b = StableBuildHasher::default();
/// assert_eq!(b.hash_one(7u64), hpds_core::hash::hash_u64(7, b.seed()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StableBuildHasher {
    seed: u64,
}

impl StableBuildHasher {
    /// A builder with the given seed.
    pub const fn with_seed(seed: u64) -> Self {
        Self { seed }
    }
    /// The seed every hasher it builds starts from.
    pub const fn seed(&self) -> u64 {
        self.seed
    }
}

impl Default for StableBuildHasher {
    fn default() -> Self {
        Self::with_seed(DEFAULT_SEED)
    }
}

impl BuildHasher for StableBuildHasher {
    type Hasher = StableHasher;
    #[inline]
    fn build_hasher(&self) -> StableHasher {
        StableHasher::with_seed(self.seed)
    }
}

/// A hasher that passes an integer key through as its own hash.
///
/// For keys that are already well-mixed 64-bit hashes (a register of hashed nodes, a set of
/// hashed words, peers fed pre-hashed items) and for experiments that need a deliberately poor
/// hash (CPython hashes small integers this way). Integers are taken as they are; bytes are
/// folded in little-endian, 8 at a time, so the 8 little-endian bytes of a `u64` hash to that
/// `u64` as well.
///
/// # Example
/// ```
/// use core::hash::BuildHasher;
/// use hpds_core::hash::IdentityBuildHasher;
/// assert_eq!(IdentityBuildHasher.hash_one(0xdead_beef_u64), 0xdead_beef);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(8) ^ u64::from_le_bytes(b);
        }
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.0 = n as u64;
    }
}

/// [`BuildHasher`] for [`IdentityHasher`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdentityBuildHasher;

impl BuildHasher for IdentityBuildHasher {
    type Hasher = IdentityHasher;
    #[inline]
    fn build_hasher(&self) -> IdentityHasher {
        IdentityHasher(0)
    }
}

/// The 64-bit finalizer of SplitMix64: a fast bijective mixer.
///
/// Used to derive well-spread values from counters (generators, per-trial seeds) and to turn a
/// weak hash into a usable one. Not a substitute for the stable hash.
#[inline]
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spill_to_stream_gives_the_same_hash() {
        let long: alloc::vec::Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let mut h = StableHasher::with_seed(9);
        for chunk in long.chunks(13) {
            h.write(chunk);
        }
        assert_eq!(h.finish(), hash_bytes(&long, 9));
        assert_eq!(h.finish128(), hash128_bytes(&long, 9));
    }

    /// Every split of inputs up to 200 bytes into writes gives the one-shot hash, across the
    /// small buffer, the large one and the stream.
    #[test]
    fn any_split_gives_the_one_shot_hash() {
        let data: alloc::vec::Vec<u8> = (0..200u32).map(|i| (i * 31 + 7) as u8).collect();
        for n in [0, 1, 7, 8, 15, 16, 17, 31, 63, 64, 65, 100, 200] {
            let bytes = &data[..n];
            for chunk in [1, 3, 8, 16, 17, 64, 65] {
                let mut h = StableHasher::with_seed(3);
                for c in bytes.chunks(chunk) {
                    h.write(c);
                }
                assert_eq!(h.finish(), hash_bytes(bytes, 3), "n {n} chunk {chunk}");
                assert_eq!(
                    h.finish128(),
                    hash128_bytes(bytes, 3),
                    "n {n} chunk {chunk}"
                );
            }
        }
    }

    #[test]
    fn usize_hashes_like_u64() {
        assert_eq!(hash_one(&5usize, 1), hash_one(&5u64, 1));
    }

    #[test]
    fn mix64_is_not_identity() {
        assert_eq!(mix64(0), 0);
        assert_ne!(mix64(1), 1);
    }
}
