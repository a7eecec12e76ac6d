//! The few traits that let code treat structures of one kind alike.
//!
//! They are deliberately small: what the CLI, the benchmarks and the accuracy harness need to
//! drive any implementation with the same code.

use crate::error::Result;
use crate::hash::DEFAULT_SEED;
use crate::item::Item;

/// Estimates how many distinct items it has seen (KMV, the LogLog family, exact sets).
///
/// `insert` hashes the item once with the stable hash of its canonical bytes ([`Item`]) and the
/// structure's seed, then calls `insert_hash`, so pre-hashed and item input give the same state.
pub trait DistinctCounter {
    /// Adds an item given by its 64-bit stable hash.
    fn insert_hash(&mut self, hash: u64);

    /// The seed `insert` hashes with; structures built with the same seed can be merged.
    fn hash_seed(&self) -> u64 {
        DEFAULT_SEED
    }

    /// Adds an item, hashing it once.
    fn insert<T: Item + ?Sized>(&mut self, item: &T) {
        let hash = item.stable_hash(self.hash_seed());
        self.insert_hash(hash);
    }

    /// The estimated number of distinct items seen.
    fn estimate(&self) -> f64;

    /// Folds `other` into `self`, as if `self` had also seen `other`'s items.
    ///
    /// # Errors
    /// When the two were built with different parameters.
    fn merge(&mut self, other: &Self) -> Result<()>
    where
        Self: Sized;
}

/// Implements [`DistinctCounter`], `Extend<T: Item>` and `FromIterator<T: Item>` for a sketch
/// type with inherent `insert_hash(u64)`, `insert(&T)`, `seed()`, `estimate()` and
/// `merge(&Self) -> Result<()>`, and a `Default` (what `FromIterator` starts from):
///
/// ```text
/// hpds_core::impl_distinct_counter!(UltraLogLog);
/// ```
#[macro_export]
macro_rules! impl_distinct_counter {
    ($t:ident) => {
        impl $crate::DistinctCounter for $t {
            #[inline]
            fn insert_hash(&mut self, hash: u64) {
                $t::insert_hash(self, hash);
            }

            fn hash_seed(&self) -> u64 {
                $t::seed(self)
            }

            fn estimate(&self) -> f64 {
                $t::estimate(self)
            }

            fn merge(&mut self, other: &Self) -> $crate::Result<()> {
                $t::merge(self, other)
            }
        }

        impl<T: $crate::Item> ::core::iter::Extend<T> for $t {
            fn extend<I: ::core::iter::IntoIterator<Item = T>>(&mut self, iter: I) {
                for item in iter {
                    self.insert(&item);
                }
            }
        }

        impl<T: $crate::Item> ::core::iter::FromIterator<T> for $t {
            #[doc = concat!("A [`", stringify!($t), "::default`] sketch of the items.")]
            fn from_iter<I: ::core::iter::IntoIterator<Item = T>>(iter: I) -> Self {
                let mut s = <Self as ::core::default::Default>::default();
                ::core::iter::Extend::extend(&mut s, iter);
                s
            }
        }
    };
}

/// Answers "have I seen this?" with no false negatives (Bloom filters and exact sets).
pub trait MembershipFilter {
    /// Adds an item given by its 64-bit stable hash; returns `true` if it was (probably) present.
    fn insert_hash(&mut self, hash: u64) -> bool;

    /// Whether an item given by its 64-bit stable hash is (probably) present.
    fn contains_hash(&self, hash: u64) -> bool;

    /// The seed item methods hash with.
    fn hash_seed(&self) -> u64 {
        DEFAULT_SEED
    }

    /// Adds an item; returns `true` if it was (probably) present already.
    fn insert<T: Item + ?Sized>(&mut self, item: &T) -> bool {
        let hash = item.stable_hash(self.hash_seed());
        self.insert_hash(hash)
    }

    /// Whether the item is (probably) present.
    fn contains<T: Item + ?Sized>(&self, item: &T) -> bool {
        self.contains_hash(item.stable_hash(self.hash_seed()))
    }
}

/// Counts events approximately in little memory (Morris counters).
pub trait ApproximateCounter {
    /// Counts one event.
    fn increment(&mut self);

    /// Counts `n` events.
    fn increment_by(&mut self, n: u64);

    /// The estimated number of events counted.
    fn estimate(&self) -> f64;
}
