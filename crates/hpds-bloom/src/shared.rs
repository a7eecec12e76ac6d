//! Trait impls and methods the filters share, written once as macros.

/// `pub fn with_seed(<new's parameters>, seed) -> Result<Self>` for a filter with a `seed`
/// field and a `new` taking the parameters listed; invoked inside the filter's `impl` block.
macro_rules! with_seed {
    ($($param:ident: $ty:ty),*) => {
        /// Like [`new`](Self::new), hashing items with `seed` instead of
        /// [`DEFAULT_SEED`](hpds_core::hash::DEFAULT_SEED).
        ///
        /// Filters built with different seeds cannot be combined.
        ///
        /// # Errors
        /// As [`new`](Self::new).
        pub fn with_seed($($param: $ty,)* seed: u64) -> hpds_core::Result<Self> {
            let mut filter = Self::new($($param),*)?;
            filter.seed = seed;
            Ok(filter)
        }
    };
}

/// `Extend` (insert every item) for a filter with an inherent `insert(&mut self, &T)`.
/// Generic parameters of the filter go in the brackets, each followed by a comma.
macro_rules! impl_extend {
    ([$($gen:tt)*] $ty:ty) => {
        impl<$($gen)* T: hpds_core::Item> Extend<T> for $ty {
            fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
                for item in iter {
                    self.insert(&item);
                }
            }
        }
    };
}

/// [`hpds_core::HeapSize`] from an expression of the filter `$f`.
macro_rules! impl_heap_size {
    ([$($gen:tt)*] $ty:ty, |$f:ident| $bytes:expr) => {
        impl<$($gen)*> hpds_core::HeapSize for $ty {
            fn heap_bytes(&self) -> usize {
                let $f = self;
                $bytes
            }
        }
    };
}

/// [`hpds_core::traits::MembershipFilter`] through the filter's inherent `insert`, `contains`,
/// `insert_hash`, `contains_hash` and its `seed` field (or the seed expression of `$f` given).
macro_rules! impl_membership {
    ([$($gen:tt)*] $ty:ty) => {
        impl_membership!([$($gen)*] $ty, |f| f.seed);
    };
    ([$($gen:tt)*] $ty:ty, |$f:ident| $seed:expr) => {
        impl<$($gen)*> hpds_core::traits::MembershipFilter for $ty {
            fn insert_hash(&mut self, hash: u64) -> bool {
                <$ty>::insert_hash(self, hash)
            }
            fn contains_hash(&self, hash: u64) -> bool {
                <$ty>::contains_hash(self, hash)
            }
            fn hash_seed(&self) -> u64 {
                let $f = self;
                $seed
            }
            fn insert<T: hpds_core::Item + ?Sized>(&mut self, item: &T) -> bool {
                <$ty>::insert(self, item)
            }
            fn contains<T: hpds_core::Item + ?Sized>(&self, item: &T) -> bool {
                <$ty>::contains(self, item)
            }
        }
    };
}

/// The byte codec (and serde through it) of a filter stored as `size: u64, hashes: u32,
/// seed: u64, words: u64 slice` (classic bits, counting cells), with fields `m`, `k`, `seed`,
/// a `$words` `BitVec<u64>` and a validating `from_parts(m, k, seed, words)`.
macro_rules! impl_word_codec {
    ($ty:ty, $tag:literal, $words:ident, $doc:literal) => {
        #[doc = $doc]
        impl hpds_core::codec::ByteCodec for $ty {
            const TAG: [u8; 4] = *$tag;
            const VERSION: u16 = 2;
            // Earlier versions hashed strings and byte slices through `Hash`, not their bytes.
            const MIN_VERSION: u16 = 2;

            fn encode_payload(&self, enc: &mut hpds_core::codec::Encoder) {
                enc.put_u64(self.m);
                enc.put_u32(self.k);
                enc.put_u64(self.seed);
                enc.put_u64_slice(self.$words.as_raw_slice());
            }

            fn decode_payload(
                dec: &mut hpds_core::codec::Decoder<'_>,
                _version: u16,
            ) -> hpds_core::Result<Self> {
                let m = dec.u64()?;
                let k = dec.u32()?;
                let seed = dec.u64()?;
                let words = dec.u64_vec()?;
                Self::from_parts(m, k, seed, words)
            }
        }

        #[cfg(feature = "serde")]
        hpds_core::impl_serde_via_codec!($ty);
    };
}

/// `Serialize`/`Deserialize` (with the `serde` feature) through the filter's byte codec, in
/// hpds' one convention (`hpds_core::serde_codec`). Generic parameters of the filter go in the
/// brackets.
macro_rules! impl_codec_serde {
    ([$($gen:tt)*] $ty:ty) => {
        #[cfg(feature = "serde")]
        hpds_core::impl_serde_via_codec!([$($gen)*] $ty);
    };
}
