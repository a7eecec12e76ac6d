//! Trait implementations and the serde form shared by the crate's sketches.

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

/// The serde form of both sketches: `k`, the seed, θ and the retained hashes ascending.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct State {
    pub(crate) k: u64,
    pub(crate) seed: u64,
    pub(crate) theta: u64,
    pub(crate) values: Vec<u64>,
}

/// `Serialize` through `$to_state(&self) -> State` and `Deserialize` through
/// `$from_state(State) -> hpds_core::Result<Self>`, which validates every field as the byte
/// decoder does.
#[cfg(feature = "serde")]
macro_rules! serde_via_state {
    ($t:ident, $to_state:path, $from_state:path) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $to_state(self).serialize(s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let state = $crate::shared::State::deserialize(d)?;
                $from_state(state).map_err(serde::de::Error::custom)
            }
        }
    };
}
#[cfg(feature = "serde")]
pub(crate) use serde_via_state;
