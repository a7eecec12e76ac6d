//! serde support through the byte codec, so a deserialized sketch is validated exactly like
//! one from `from_bytes`.

#[cfg(feature = "serde")]
macro_rules! impl_serde {
    ($name:ident) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> core::result::Result<S::Ok, S::Error> {
                s.serialize_bytes(&hpds_core::ByteCodec::to_bytes(self))
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> core::result::Result<Self, D::Error> {
                let bytes = d.deserialize_byte_buf(crate::serde_impl::BytesVisitor)?;
                <$name as hpds_core::ByteCodec>::from_bytes(&bytes)
                    .map_err(serde::de::Error::custom)
            }
        }
    };
}

#[cfg(not(feature = "serde"))]
macro_rules! impl_serde {
    ($name:ident) => {};
}

pub(crate) use impl_serde;

/// Accepts bytes or a sequence of `u8` (what human-readable formats make of bytes).
#[cfg(feature = "serde")]
pub(crate) struct BytesVisitor;

#[cfg(feature = "serde")]
impl<'de> serde::de::Visitor<'de> for BytesVisitor {
    type Value = alloc::vec::Vec<u8>;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("an hpds sketch encoding (bytes)")
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(v.to_vec())
    }

    fn visit_byte_buf<E: serde::de::Error>(self, v: alloc::vec::Vec<u8>) -> Result<Self::Value, E> {
        Ok(v)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Cap the pre-allocation: the length hint comes from the input.
        let mut out = alloc::vec::Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
        while let Some(b) = seq.next_element::<u8>()? {
            out.push(b);
        }
        Ok(out)
    }
}
