//! serde through the byte codec: one convention for every sketch and filter.
//!
//! A type that implements [`ByteCodec`] serializes as its versioned, checksummed encoding
//! ([`ByteCodec::to_bytes`]):
//!
//! - in human-readable formats (JSON, YAML, TOML, RON: `is_human_readable()` is true) as one
//!   standard base64 string (RFC 4648, with padding), so a JSON document holds
//!   `"aHABAQ..."` rather than an array of byte numbers;
//! - in binary formats (bincode, postcard, CBOR) as the bytes themselves.
//!
//! Deserializing decodes through [`ByteCodec::from_bytes`], so a deserialized value is validated
//! exactly like one read from bytes: a corrupt, truncated, foreign or future-version input is an
//! error, never a panic, and nothing is allocated beyond a small multiple of the input.
//!
//! Implement serde for a type with [`impl_serde_via_codec!`](crate::impl_serde_via_codec), or
//! use this module in a field attribute: `#[serde(with = "hpds_core::serde_codec")]`.
//!
//! # Example
//! ```
//! use hpds_core::codec::{ByteCodec, Decoder, Encoder};
//! use hpds_core::Result;
//!
//! #[derive(Debug, PartialEq)]
//! struct Pair(u32, u32);
//!
//! impl ByteCodec for Pair {
//!     const TAG: [u8; 4] = *b"PAIR";
//!     const VERSION: u16 = 1;
//!     fn encode_payload(&self, enc: &mut Encoder) {
//!         enc.put_u32(self.0);
//!         enc.put_u32(self.1);
//!     }
//!     fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
//!         Ok(Pair(dec.u32()?, dec.u32()?))
//!     }
//! }
//! hpds_core::impl_serde_via_codec!(Pair);
//!
//! let json = serde_json::to_string(&Pair(1, 2))?;
//! assert!(json.starts_with("\"aHA")); // base64 of the frame's magic "hp"
//! assert_eq!(serde_json::from_str::<Pair>(&json)?, Pair(1, 2));
//! assert!(serde_json::from_str::<Pair>("\"bm90IGEgc2tldGNo\"").is_err());
//!
//! let bin = bincode::serialize(&Pair(3, 4))?;
//! assert_eq!(bincode::deserialize::<Pair>(&bin)?, Pair(3, 4));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::Serializer;

use crate::codec::ByteCodec;

/// Serializes `value` as a base64 string (human-readable formats) or as bytes (binary formats).
///
/// # Errors
/// Only those of the serializer.
pub fn serialize<T: ByteCodec, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    let bytes = value.to_bytes();
    if serializer.is_human_readable() {
        serializer.serialize_str(&STANDARD.encode(&bytes))
    } else {
        serializer.serialize_bytes(&bytes)
    }
}

/// Deserializes a value written by [`serialize`], validating it with [`ByteCodec::from_bytes`].
///
/// # Errors
/// Input that is not base64 (human-readable formats) or not a valid encoding of `T`; the
/// message is that of the decoder.
pub fn deserialize<'de, T: ByteCodec, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    let bytes = if deserializer.is_human_readable() {
        deserializer.deserialize_str(EncodingVisitor)?
    } else {
        deserializer.deserialize_byte_buf(EncodingVisitor)?
    };
    T::from_bytes(&bytes).map_err(de::Error::custom)
}

/// Accepts a base64 string, bytes, or a sequence of `u8` (what some formats make of bytes).
struct EncodingVisitor;

impl<'de> Visitor<'de> for EncodingVisitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an hpds encoding (a base64 string or bytes)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        STANDARD
            .decode(v)
            .map_err(|e| E::custom(format_args!("not base64: {e}")))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(v.to_vec())
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
        Ok(v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // The length hint comes from the input: cap what is reserved before the bytes arrive.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        while let Some(b) = seq.next_element::<u8>()? {
            out.push(b);
        }
        Ok(out)
    }
}

/// Implements `serde::Serialize` and `serde::Deserialize` for a [`ByteCodec`] type through
/// [`serde_codec`](crate::serde_codec): a base64 string of the encoding in human-readable
/// formats, the bytes in binary formats, validated by `from_bytes` on the way in.
///
/// Needs hpds-core's `serde` feature (enable it from your own `serde` feature:
/// `serde = ["dep:serde", "hpds-core/serde"]`). Generic types list their parameters in brackets:
///
/// ```text
/// hpds_core::impl_serde_via_codec!(HyperLogLogPlusPlus);
/// hpds_core::impl_serde_via_codec!([R: RngCore + SeedableRng] MorrisCounter<R>);
/// ```
#[macro_export]
macro_rules! impl_serde_via_codec {
    ([$($gen:tt)*] $ty:ty) => {
        impl<$($gen)*> $crate::__serde::Serialize for $ty {
            fn serialize<S: $crate::__serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::serde_codec::serialize(self, serializer)
            }
        }

        impl<'de, $($gen)*> $crate::__serde::Deserialize<'de> for $ty {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::serde_codec::deserialize(deserializer)
            }
        }
    };
    ($ty:ty) => {
        $crate::impl_serde_via_codec!([] $ty);
    };
}

#[cfg(test)]
mod tests {
    use alloc::string::String;

    use crate::codec::{Decoder, Encoder};
    use crate::{ByteCodec, Result};

    #[derive(Debug, PartialEq)]
    struct Words(Vec<u64>);

    impl ByteCodec for Words {
        const TAG: [u8; 4] = *b"WRDS";
        const VERSION: u16 = 1;
        fn encode_payload(&self, enc: &mut Encoder) {
            enc.put_u64_slice(&self.0);
        }
        fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
            Ok(Words(dec.u64_vec()?))
        }
    }
    crate::impl_serde_via_codec!(Words);

    #[derive(Debug, PartialEq)]
    struct Tagged<T>(u64, core::marker::PhantomData<T>);

    impl<T> ByteCodec for Tagged<T> {
        const TAG: [u8; 4] = *b"TGGD";
        const VERSION: u16 = 1;
        fn encode_payload(&self, enc: &mut Encoder) {
            enc.put_u64(self.0);
        }
        fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
            Ok(Tagged(dec.u64()?, core::marker::PhantomData))
        }
    }
    crate::impl_serde_via_codec!([T] Tagged<T>);

    #[test]
    fn json_is_base64_of_the_encoding() {
        let w = Words(vec![1, 2, u64::MAX]);
        let json = serde_json::to_string(&w).unwrap();
        let expected = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(w.to_bytes())
        };
        assert_eq!(json, format!("\"{expected}\""));
        assert_eq!(serde_json::from_str::<Words>(&json).unwrap(), w);
    }

    #[test]
    fn binary_is_the_encoding() {
        let w = Words(vec![7; 10]);
        let bin = bincode::serialize(&w).unwrap();
        // bincode writes a u64 length, then the bytes.
        assert_eq!(&bin[8..], &w.to_bytes()[..]);
        assert_eq!(bincode::deserialize::<Words>(&bin).unwrap(), w);
    }

    #[test]
    fn generic_types() {
        let t: Tagged<String> = Tagged(42, core::marker::PhantomData);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Tagged<String>>(&json).unwrap(), t);
    }

    #[test]
    fn invalid_input_is_an_error() {
        let bad_b64 = serde_json::from_str::<Words>("\"%%%\"").unwrap_err();
        assert!(bad_b64.to_string().contains("base64"), "{bad_b64}");
        // Valid base64 of bytes that are not an encoding.
        assert!(serde_json::from_str::<Words>("\"aGVsbG8gd29ybGQ=\"").is_err());
        // Wrong JSON type.
        assert!(serde_json::from_str::<Words>("[1, 2, 3]").is_err());
        // A corrupted binary encoding fails its checksum.
        let mut bin = bincode::serialize(&Words(vec![1, 2])).unwrap();
        let last = bin.len() - 1;
        bin[last] ^= 1;
        assert!(bincode::deserialize::<Words>(&bin).is_err());
        // A truncated one too.
        assert!(bincode::deserialize::<Words>(&bin[..bin.len() - 3]).is_err());
    }

    #[test]
    fn a_struct_field_can_use_the_module() {
        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct Holder {
            #[serde(with = "crate::serde_codec")]
            words: Words,
        }
        let h = Holder {
            words: Words(vec![3]),
        };
        let json = serde_json::to_string(&h).unwrap();
        assert!(json.starts_with("{\"words\":\""), "{json}");
        assert_eq!(serde_json::from_str::<Holder>(&json).unwrap(), h);
    }
}
