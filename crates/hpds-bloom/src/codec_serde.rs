//! Serde support through the versioned byte codec: a filter serializes as its
//! [`ByteCodec`](hpds_core::ByteCodec) encoding, base64 (standard alphabet, padded) in
//! human-readable formats such as JSON and raw bytes in binary formats, so every format gets
//! the codec's checksum, version and validation.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use core::fmt;
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserializer, Serializer};

/// Writes a codec encoding: a base64 string or bytes.
pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() {
        s.serialize_str(&STANDARD.encode(bytes))
    } else {
        s.serialize_bytes(bytes)
    }
}

/// Reads what [`serialize`] wrote (bytes are also accepted as a sequence of `u8`).
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    if d.is_human_readable() {
        d.deserialize_str(Encoded)
    } else {
        d.deserialize_byte_buf(Encoded)
    }
}

struct Encoded;

impl<'de> Visitor<'de> for Encoded {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an hpds encoding (base64 string or bytes)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
        STANDARD.decode(v).map_err(E::custom)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
        Ok(v.to_vec())
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
        Ok(v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
        // The length hint comes from the input: cap what is reserved before bytes arrive.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        while let Some(b) = seq.next_element::<u8>()? {
            out.push(b);
        }
        Ok(out)
    }
}
