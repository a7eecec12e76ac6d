//! serde support (feature `serde`): maps serialize as maps, sets as sequences; `CompactDict`
//! keeps its order. Deserialized collections get a fresh (randomly seeded) hasher.

use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::{CompactDict, OpenMap, OpenSet};

/// Caps the preallocation a length hint may trigger (hints come from the input).
fn cautious(hint: Option<usize>) -> usize {
    hint.unwrap_or(0).min(4096)
}

macro_rules! map_serde {
    ($ty:ident, $name:literal) => {
        impl<K: Serialize, V: Serialize, S> Serialize for $ty<K, V, S> {
            fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
                let mut map = serializer.serialize_map(Some(self.len()))?;
                for (k, v) in self {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }

        impl<'de, K, V, S> Deserialize<'de> for $ty<K, V, S>
        where
            K: Deserialize<'de> + Hash + Eq,
            V: Deserialize<'de>,
            S: BuildHasher + Default,
        {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V_<K, V, S>(PhantomData<(K, V, S)>);
                impl<'de, K, V, S> Visitor<'de> for V_<K, V, S>
                where
                    K: Deserialize<'de> + Hash + Eq,
                    V: Deserialize<'de>,
                    S: BuildHasher + Default,
                {
                    type Value = $ty<K, V, S>;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($name)
                    }
                    fn visit_map<A: MapAccess<'de>>(
                        self,
                        mut access: A,
                    ) -> Result<Self::Value, A::Error> {
                        let mut map = $ty::with_capacity_and_hasher(
                            cautious(access.size_hint()),
                            S::default(),
                        );
                        while let Some((k, v)) = access.next_entry()? {
                            map.insert(k, v);
                        }
                        Ok(map)
                    }
                }
                deserializer.deserialize_map(V_(PhantomData))
            }
        }
    };
}

map_serde!(OpenMap, "a map");
map_serde!(CompactDict, "a map");

impl<T: Serialize, S> Serialize for OpenSet<T, S> {
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for t in self {
            seq.serialize_element(t)?;
        }
        seq.end()
    }
}

impl<'de, T, S> Deserialize<'de> for OpenSet<T, S>
where
    T: Deserialize<'de> + Hash + Eq,
    S: BuildHasher + Default,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V_<T, S>(PhantomData<(T, S)>);
        impl<'de, T, S> Visitor<'de> for V_<T, S>
        where
            T: Deserialize<'de> + Hash + Eq,
            S: BuildHasher + Default,
        {
            type Value = OpenSet<T, S>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut set =
                    OpenSet::with_capacity_and_hasher(cautious(access.size_hint()), S::default());
                while let Some(t) = access.next_element()? {
                    set.insert(t);
                }
                Ok(set)
            }
        }
        deserializer.deserialize_seq(V_(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use crate::{CompactDict, OpenMap, OpenSet};

    #[test]
    fn round_trips_through_json() {
        let m: OpenMap<String, u32> = [("a".to_string(), 1), ("b".to_string(), 2)]
            .into_iter()
            .collect();
        let back: OpenMap<String, u32> =
            serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        let s: OpenSet<u64> = (0..50).collect();
        let back: OpenSet<u64> = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        let d: CompactDict<String, u32> = [("z".to_string(), 1), ("a".to_string(), 2)]
            .into_iter()
            .collect();
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, r#"{"z":1,"a":2}"#);
        let back: CompactDict<String, u32> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
        assert!(serde_json::from_str::<OpenMap<String, u32>>("[1]").is_err());
    }
}
