//! The byte encoding of a [`Trie`] in the hpds frame.
//!
//! Payload: the key count (varint), then the keys in increasing order, front-coded: per key,
//! the length of the prefix shared with the key before, the length of the rest (both
//! varints) and the rest. The decoder checks that every key is strictly greater
//! than the one before, so any accepted input is a set, and it never holds more than the
//! trie it builds plus one key.

use alloc::vec::Vec;

use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::{Error, Result};

use super::Trie;
use super::bucket::common_prefix;

impl ByteCodec for Trie {
    const TAG: [u8; 4] = *b"TRIE";
    const VERSION: u16 = 1;

    fn encode_payload(&self, enc: &mut Encoder) {
        enc.put_varint(self.len as u64);
        let mut c = self.cursor();
        let mut last: Vec<u8> = Vec::new();
        while let Some(k) = c.next_key() {
            let l = common_prefix(&last, k);
            enc.put_varint(l as u64);
            enc.put_varint((k.len() - l) as u64);
            enc.put_raw(&k[l..]);
            last.clear();
            last.extend_from_slice(k);
        }
    }

    fn decode_payload(dec: &mut Decoder<'_>, version: u16) -> Result<Self> {
        if version != Self::VERSION {
            return Err(hpds_core::error::DecodeError::UnsupportedVersion {
                expected: Self::VERSION,
                got: version,
            }
            .into());
        }
        // Each key takes at least two bytes (its two lengths).
        let count = dec.varint()?;
        let count = dec.check_count(count, 2)?;
        let mut t = Trie::new();
        let mut key: Vec<u8> = Vec::new();
        for i in 0..count {
            let lcp = dec.varint()?;
            let len = dec.varint()?;
            if lcp > key.len() as u64 {
                return Err(Error::invalid_encoding(
                    "trie: a key shares more bytes with the key before than that key has",
                ));
            }
            let len = usize::try_from(len)
                .ok()
                .filter(|&l| l <= dec.remaining())
                .ok_or_else(|| Error::invalid_encoding("trie: a key runs past the input"))?;
            let rest = dec.take(len)?;
            // Strictly increasing: the first differing byte must be greater, or the new key
            // must extend the old one (never equal, never a prefix of it).
            let lcp = lcp as usize;
            let increasing = match (key.get(lcp), rest.first()) {
                (Some(&old), Some(&new)) => new > old,
                (None, Some(_)) => true,
                (_, None) => i == 0 && lcp == 0,
            };
            if !increasing {
                return Err(Error::invalid_encoding(
                    "trie: keys not in strictly increasing order",
                ));
            }
            key.truncate(lcp);
            key.extend_from_slice(rest);
            t.try_insert(&key)?;
        }
        Ok(t)
    }
}
