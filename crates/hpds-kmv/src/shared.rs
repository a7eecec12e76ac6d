//! Trait implementations shared by the crate's sketches.

/// `DistinctCounter`, `Extend` and `FromIterator` for a sketch type with inherent
/// `insert_hash`, `insert`, `seed`, `estimate` and `merge`, and a `Default`.
macro_rules! counter_traits {
    ($t:ident) => {
        impl hpds_core::DistinctCounter for $t {
            fn insert_hash(&mut self, hash: u64) {
                $t::insert_hash(self, hash);
            }

            fn hash_seed(&self) -> u64 {
                $t::seed(self)
            }

            fn estimate(&self) -> f64 {
                $t::estimate(self)
            }

            fn merge(&mut self, other: &Self) -> hpds_core::Result<()> {
                $t::merge(self, other)
            }
        }

        impl<T: hpds_core::Item> Extend<T> for $t {
            fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
                for item in iter {
                    self.insert(&item);
                }
            }
        }

        impl<T: hpds_core::Item> FromIterator<T> for $t {
            #[doc = concat!("A [`", stringify!($t), "::default`] sketch of the items.")]
            fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
                let mut s = Self::default();
                s.extend(iter);
                s
            }
        }
    };
}
pub(crate) use counter_traits;
