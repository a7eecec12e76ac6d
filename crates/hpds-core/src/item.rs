//! One item, one hash: the canonical byte form every sketch and filter hashes.
//!
//! A sketch is only mergeable across processes if every producer hashes the same item to the
//! same value. Rust's [`Hash`] trait does not promise that: `str` appends a `0xff` terminator,
//! `[u8]` prefixes its length, so `"abc"` and `b"abc"` would be two items. [`Item`] fixes the
//! rule instead:
//!
//! | Rust type | bytes hashed |
//! |---|---|
//! | `str`, `String`, `Box<str>`, `Cow<str>`, `Rc<str>`, `Arc<str>` | the UTF-8 bytes |
//! | `[u8]`, `Vec<u8>`, `[u8; N]`, `Box<[u8]>`, `Cow<[u8]>` | the bytes |
//! | `u8`, `u16`, `u32`, `u64`, `u128` and the signed types | little-endian, fixed width |
//! | `usize`, `isize` | as `u64`, `i64` (8 bytes on every platform) |
//! | `char` | as `u32` |
//! | `bool` | one byte, 0 or 1 |
//! | `&T`, `Box<T>` | as `T` |
//! | [`ByHash<T>`] | whatever `T`'s [`Hash`] impl writes, through [`StableHasher`] |
//!
//! The 64-bit hash is `xxh3_64_with_seed(bytes, seed)` and the 128-bit one
//! `xxh3_128_with_seed(bytes, seed)` (XXH3 as specified by the xxHash project), with
//! [`DEFAULT_SEED`] unless the structure was built with another seed. A producer in another
//! language that follows this table builds sketches that merge with ours; the golden vectors in
//! this module's tests pin it.
//!
//! Types with no canonical byte form (tuples, structs, enums) go through [`ByHash`], which feeds
//! their `Hash` impl to the stable hasher: stable across platforms and runs, but defined by
//! Rust's `Hash` impls rather than by this table.
//!
//! # Example
//! ```
//! use hpds_core::hash::DEFAULT_SEED;
//! use hpds_core::{ByHash, Item};
//!
//! let a = "abc".stable_hash(DEFAULT_SEED);
//! assert_eq!(a, b"abc".stable_hash(DEFAULT_SEED));
//! assert_eq!(a, String::from("abc").stable_hash(DEFAULT_SEED));
//! assert_eq!(a, b"abc".to_vec().stable_hash(DEFAULT_SEED));
//! assert_eq!(7u32.stable_hash(DEFAULT_SEED), 7u32.to_le_bytes().stable_hash(DEFAULT_SEED));
//! // A type without a canonical form:
//! let _ = ByHash(("user", 42)).stable_hash(DEFAULT_SEED);
//! ```
//!
//! [`DEFAULT_SEED`]: crate::hash::DEFAULT_SEED
//! [`StableHasher`]: crate::hash::StableHasher

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::hash::{Hash, Hasher};

use xxhash_rust::xxh3::{xxh3_64_with_seed, xxh3_128_with_seed};

use crate::hash::StableHasher;

/// A value with a canonical byte form, hashed by the stable seeded hash (see the
/// [module docs](self) for the rule).
///
/// Every sketch's and filter's `insert` and `contains` take `&T` where `T: Item + ?Sized`, so the
/// same bytes are the same item whatever their Rust type.
pub trait Item {
    /// The 64-bit stable hash of the item's canonical bytes.
    fn stable_hash(&self, seed: u64) -> u64;

    /// The 128-bit stable hash of the item's canonical bytes (Bloom filters' two halves).
    fn stable_hash128(&self, seed: u64) -> u128;
}

impl Item for [u8] {
    #[inline]
    fn stable_hash(&self, seed: u64) -> u64 {
        xxh3_64_with_seed(self, seed)
    }
    #[inline]
    fn stable_hash128(&self, seed: u64) -> u128 {
        xxh3_128_with_seed(self, seed)
    }
}

impl Item for str {
    #[inline]
    fn stable_hash(&self, seed: u64) -> u64 {
        self.as_bytes().stable_hash(seed)
    }
    #[inline]
    fn stable_hash128(&self, seed: u64) -> u128 {
        self.as_bytes().stable_hash128(seed)
    }
}

/// Implements [`Item`] for a type by delegating to the item its expression `|x| ...` gives.
macro_rules! item_via {
    ($([$($gen:tt)*] $ty:ty => |$x:ident| $to:expr;)*) => {$(
        impl<$($gen)*> Item for $ty {
            #[inline]
            fn stable_hash(&self, seed: u64) -> u64 {
                let $x = self;
                Item::stable_hash($to, seed)
            }
            #[inline]
            fn stable_hash128(&self, seed: u64) -> u128 {
                let $x = self;
                Item::stable_hash128($to, seed)
            }
        }
    )*};
}

item_via! {
    [] String => |s| s.as_str();
    [] Vec<u8> => |v| v.as_slice();
    [const N: usize] [u8; N] => |a| a.as_slice();
    [] Cow<'_, str> => |c| &**c;
    [] Cow<'_, [u8]> => |c| &**c;
    [] Rc<str> => |s| &**s;
    [] Arc<str> => |s| &**s;
    [T: Item + ?Sized] &T => |r| *r;
    [T: Item + ?Sized] &mut T => |r| &**r;
    [T: Item + ?Sized] Box<T> => |b| &**b;
}

/// Integers hash their fixed-width little-endian bytes.
macro_rules! item_int {
    ($($ty:ty => $as:ty),* $(,)?) => {$(
        impl Item for $ty {
            #[inline]
            fn stable_hash(&self, seed: u64) -> u64 {
                xxh3_64_with_seed(&(*self as $as).to_le_bytes(), seed)
            }
            #[inline]
            fn stable_hash128(&self, seed: u64) -> u128 {
                xxh3_128_with_seed(&(*self as $as).to_le_bytes(), seed)
            }
        }
    )*};
}

item_int! {
    u8 => u8, u16 => u16, u32 => u32, u64 => u64, u128 => u128, usize => u64,
    i8 => i8, i16 => i16, i32 => i32, i64 => i64, i128 => i128, isize => i64,
}

item_via! {
    [] char => |c| &u32::from(*c);
    [] bool => |b| &u8::from(*b);
}

/// An item hashed through its [`Hash`] impl and the stable hasher, for types with no canonical
/// byte form (tuples, structs, enums).
///
/// The hash is stable across platforms and runs, but two Rust types holding the same bytes may
/// hash differently (`str`'s `Hash` appends `0xff`, `[u8]`'s prefixes the length): use plain
/// strings, byte slices and integers where other producers must agree.
///
/// # Example
/// ```
/// use hpds_core::hash::DEFAULT_SEED;
/// use hpds_core::{ByHash, Item};
/// #[derive(Hash)]
/// struct Visit { user: u64, day: u32 }
/// let h = ByHash(Visit { user: 7, day: 3 }).stable_hash(DEFAULT_SEED);
/// assert_eq!(h, ByHash(Visit { user: 7, day: 3 }).stable_hash(DEFAULT_SEED));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct ByHash<T: ?Sized>(pub T);

impl<T: Hash + ?Sized> Item for ByHash<T> {
    #[inline]
    fn stable_hash(&self, seed: u64) -> u64 {
        let mut hasher = StableHasher::with_seed(seed);
        self.0.hash(&mut hasher);
        hasher.finish()
    }
    #[inline]
    fn stable_hash128(&self, seed: u64) -> u128 {
        let mut hasher = StableHasher::with_seed(seed);
        self.0.hash(&mut hasher);
        hasher.finish128()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{DEFAULT_SEED, hash_bytes, hash_u64};
    use alloc::borrow::ToOwned;
    use alloc::vec;

    #[test]
    fn same_bytes_same_item() {
        let s = DEFAULT_SEED;
        let want = hash_bytes(b"abc", s);
        assert_eq!("abc".stable_hash(s), want);
        assert_eq!(String::from("abc").stable_hash(s), want);
        assert_eq!(b"abc"[..].stable_hash(s), want);
        assert_eq!(b"abc".stable_hash(s), want);
        assert_eq!(b"abc".to_vec().stable_hash(s), want);
        assert_eq!(Box::<str>::from("abc").stable_hash(s), want);
        assert_eq!(Cow::Borrowed("abc").stable_hash(s), want);
        assert_eq!(Cow::<str>::Owned("abc".to_owned()).stable_hash(s), want);
        assert_eq!(Cow::Borrowed(&b"abc"[..]).stable_hash(s), want);
        assert_eq!(Rc::<str>::from("abc").stable_hash(s), want);
        assert_eq!(Arc::<str>::from("abc").stable_hash(s), want);
        assert_eq!((&&"abc").stable_hash(s), want);
        assert_eq!(
            "abc".stable_hash128(s),
            b"abc".to_vec().stable_hash128(s),
            "128-bit form agrees too"
        );
    }

    #[test]
    fn integers_are_fixed_width_little_endian() {
        let s = 99;
        assert_eq!(42u64.stable_hash(s), hash_u64(42, s));
        assert_eq!(42usize.stable_hash(s), hash_u64(42, s));
        assert_eq!((-1isize).stable_hash(s), hash_bytes(&[0xff; 8], s));
        assert_eq!(7u32.stable_hash(s), hash_bytes(&[7, 0, 0, 0], s));
        assert_eq!(7u8.stable_hash(s), hash_bytes(&[7], s));
        assert_eq!('a'.stable_hash(s), 97u32.stable_hash(s));
        assert_eq!(true.stable_hash(s), 1u8.stable_hash(s));
        assert_ne!(7u32.stable_hash(s), 7u64.stable_hash(s), "widths differ");
    }

    #[test]
    fn by_hash_matches_the_stable_hasher() {
        let mut h = StableHasher::with_seed(5);
        (1u8, "x").hash(&mut h);
        assert_eq!(ByHash((1u8, "x")).stable_hash(5), h.finish());
        assert_eq!(
            ByHash(vec![1u8]).stable_hash(5),
            ByHash(vec![1u8]).stable_hash(5)
        );
    }

    /// The specification's test vectors: a producer in another language must reproduce these.
    #[test]
    fn golden_vectors() {
        let s = DEFAULT_SEED;
        assert_eq!(DEFAULT_SEED, 0x6870_6473_2d73_6565);
        let got = [
            "".stable_hash(s),
            "abc".stable_hash(s),
            "hello, world".stable_hash(s),
            0u64.stable_hash(s),
            1u64.stable_hash(s),
            u64::MAX.stable_hash(s),
            (-2i32).stable_hash(s),
        ];
        assert_eq!(
            got, GOLDEN,
            "the canonical item hash changed: that is a format change"
        );
    }

    /// Computed independently with the reference XXH3 (the `xxhash` Python package's
    /// `xxh3_64_intdigest(bytes, seed=DEFAULT_SEED)`).
    const GOLDEN: [u64; 7] = [
        0x4703_f828_72bf_ec79,
        0x6b38_4a99_c57d_bc8c,
        0xfa5f_ec42_7f8a_ec9c,
        0xc97e_3163_0f4e_44fd,
        0xeb8a_4bb1_2ae2_f17e,
        0xa431_efbe_93b1_12a9,
        0xc83e_e586_ac1c_24e8,
    ];
}
