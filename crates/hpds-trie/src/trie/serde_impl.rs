//! Serde: a [`Trie`] is a sequence of byte strings in increasing order.

use alloc::vec::Vec;
use core::fmt;

use super::Trie;

impl serde::Serialize for Trie {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.len))?;
        let mut c = self.cursor();
        while let Some(k) = c.next_key() {
            seq.serialize_element(k)?;
        }
        seq.end()
    }
}

impl<'de> serde::Deserialize<'de> for Trie {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Trie;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence of byte strings")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Trie, A::Error> {
                // Grows as it reads: a length hint is never trusted.
                let mut t = Trie::new();
                while let Some(k) = seq.next_element::<Vec<u8>>()? {
                    t.try_insert(&k).map_err(serde::de::Error::custom)?;
                }
                Ok(t)
            }
        }
        d.deserialize_seq(V)
    }
}
