//! A small versioned binary format for sketches and filters.
//!
//! Every encoding is laid out as:
//!
//! | bytes | field |
//! |---|---|
//! | 4 | magic `b"HPDS"` |
//! | 4 | structure tag, e.g. `b"HLL+"` |
//! | 2 | format version, little-endian |
//! | 8 | payload length, little-endian |
//! | n | payload (parameters first, then data) |
//! | 8 | checksum: xxh3-64 (seed 0) of every byte before it |
//!
//! [`Decoder`] checks the frame before any field is read and then reads fields with bounds
//! checks: it never panics, and a length read from the input is checked against the bytes that
//! remain before anything is allocated, so a decoder never allocates more than the input
//! justifies. Structures implement [`ByteCodec`] and get `to_bytes` / `from_bytes` for free.
//!
//! # Example
//! ```
//! use hpds_core::codec::{Decoder, Encoder};
//! let mut enc = Encoder::new(*b"DEMO", 1);
//! enc.put_u8(14);
//! enc.put_u64_slice(&[1, 2, 3]);
//! let bytes = enc.finish();
//!
//! let (mut dec, version) = Decoder::open(&bytes, *b"DEMO", 1)?;
//! assert_eq!(version, 1);
//! assert_eq!(dec.u8()?, 14);
//! assert_eq!(dec.u64_vec()?, vec![1, 2, 3]);
//! dec.finish()?;
//! # Ok::<(), hpds_core::Error>(())
//! ```

use alloc::vec::Vec;

use crate::error::{DecodeError, Error, Result};

/// The first four bytes of every encoding.
pub const MAGIC: [u8; 4] = *b"HPDS";
/// Bytes before the payload: magic, tag, version, payload length.
pub const HEADER_LEN: usize = 4 + 4 + 2 + 8;
/// Bytes after the payload: the checksum.
pub const TRAILER_LEN: usize = 8;

fn checksum(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(bytes, 0)
}

/// Writes one framed encoding.
#[derive(Debug, Clone)]
pub struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    /// Starts an encoding of the structure `tag` in format `version`.
    pub fn new(tag: [u8; 4], version: u16) -> Self {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(&MAGIC);
        buf.extend_from_slice(&tag);
        buf.extend_from_slice(&version.to_le_bytes());
        buf.extend_from_slice(&[0; 8]); // payload length, filled in by `finish`
        Self { buf }
    }

    /// Reserves room for `additional` more payload bytes.
    pub fn reserve(&mut self, additional: usize) {
        self.buf.reserve(additional);
    }

    /// Appends one byte.
    pub fn put_u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    /// Appends a `u16`, little-endian.
    pub fn put_u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends a `u32`, little-endian.
    pub fn put_u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends a `u64`, little-endian.
    pub fn put_u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// Appends an `f64` as its IEEE-754 bits, little-endian.
    pub fn put_f64(&mut self, v: f64) {
        self.put_u64(v.to_bits());
    }
    /// Appends a `u64` as an LEB128 varint (1 to 10 bytes).
    pub fn put_varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }
    /// Appends raw bytes with no length prefix.
    pub fn put_raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }
    /// Appends a length-prefixed byte string (read back by [`Decoder::bytes`]).
    pub fn put_bytes(&mut self, bytes: &[u8]) {
        self.put_u64(bytes.len() as u64);
        self.buf.extend_from_slice(bytes);
    }
    /// Appends a length-prefixed slice of `u64`s (read back by [`Decoder::u64_vec`]).
    pub fn put_u64_slice(&mut self, values: &[u64]) {
        self.put_u64(values.len() as u64);
        self.buf.reserve(values.len() * 8);
        for &v in values {
            self.put_u64(v);
        }
    }

    /// Closes the frame: writes the payload length and the checksum.
    pub fn finish(mut self) -> Vec<u8> {
        let payload = (self.buf.len() - HEADER_LEN) as u64;
        self.buf[10..18].copy_from_slice(&payload.to_le_bytes());
        let sum = checksum(&self.buf);
        self.buf.extend_from_slice(&sum.to_le_bytes());
        self.buf
    }
}

/// Reads the fields of one framed encoding. Never panics.
#[derive(Debug, Clone)]
pub struct Decoder<'a> {
    rest: &'a [u8],
}

impl<'a> Decoder<'a> {
    /// Checks the frame of `bytes` (magic, `tag`, a version in `1..=max_version`, the payload
    /// length and the checksum) and returns a reader over the payload with the version found.
    ///
    /// # Errors
    /// A [`DecodeError`] naming the first check that failed.
    pub fn open(bytes: &'a [u8], tag: [u8; 4], max_version: u16) -> Result<(Self, u16)> {
        if bytes.len() < HEADER_LEN + TRAILER_LEN {
            return Err(DecodeError::Truncated {
                needed: HEADER_LEN + TRAILER_LEN,
                available: bytes.len(),
            }
            .into());
        }
        let magic: [u8; 4] = bytes[0..4].try_into().expect("4 bytes");
        if magic != MAGIC {
            return Err(DecodeError::BadMagic { got: magic }.into());
        }
        let got: [u8; 4] = bytes[4..8].try_into().expect("4 bytes");
        if got != tag {
            return Err(DecodeError::WrongKind { expected: tag, got }.into());
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if version == 0 || version > max_version {
            return Err(DecodeError::UnsupportedVersion {
                expected: max_version,
                got: version,
            }
            .into());
        }
        let payload = u64::from_le_bytes(bytes[10..18].try_into().expect("8 bytes"));
        let available = (bytes.len() - HEADER_LEN - TRAILER_LEN) as u64;
        if payload > available {
            return Err(DecodeError::Truncated {
                needed: usize::try_from(payload - available).unwrap_or(usize::MAX),
                available: 0,
            }
            .into());
        }
        if payload < available {
            return Err(DecodeError::TrailingBytes {
                count: (available - payload) as usize,
            }
            .into());
        }
        let body_end = bytes.len() - TRAILER_LEN;
        let stored = u64::from_le_bytes(bytes[body_end..].try_into().expect("8 bytes"));
        let computed = checksum(&bytes[..body_end]);
        if stored != computed {
            return Err(DecodeError::ChecksumMismatch { stored, computed }.into());
        }
        Ok((
            Self {
                rest: &bytes[HEADER_LEN..body_end],
            },
            version,
        ))
    }

    /// A reader over raw bytes with no frame (for nested payloads and tests).
    pub fn raw(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Takes the next `n` bytes.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] if fewer remain.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.rest.len() {
            return Err(DecodeError::Truncated {
                needed: n,
                available: self.rest.len(),
            }
            .into());
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let bytes = self.take(N)?;
        let mut out = [0; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }
    /// Reads a little-endian `u16`.
    pub fn u16(&mut self) -> Result<u16> {
        self.array().map(u16::from_le_bytes)
    }
    /// Reads a little-endian `u32`.
    pub fn u32(&mut self) -> Result<u32> {
        self.array().map(u32::from_le_bytes)
    }
    /// Reads a little-endian `u64`.
    pub fn u64(&mut self) -> Result<u64> {
        self.array().map(u64::from_le_bytes)
    }
    /// Reads an `f64` from its little-endian bits.
    pub fn f64(&mut self) -> Result<f64> {
        self.u64().map(f64::from_bits)
    }
    /// Reads an LEB128 varint written by [`Encoder::put_varint`].
    ///
    /// # Errors
    /// Truncated input, or more than 10 bytes / a value over `u64::MAX`.
    pub fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for i in 0..10 {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if i == 9 && byte > 1 {
                return Err(Error::invalid_encoding("varint overflows u64"));
            }
            value |= bits << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Error::invalid_encoding("varint longer than 10 bytes"))
    }

    /// Reads a `u64` count of items of `item_size` bytes each and checks that that many bytes
    /// remain, so the caller may allocate for `count` items.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] if the input cannot hold `count` items.
    pub fn count(&mut self, item_size: usize) -> Result<usize> {
        let count = self.u64()?;
        self.check_count(count, item_size)
    }

    /// Checks that `count` items of at least `item_size` bytes each can still be read.
    pub fn check_count(&self, count: u64, item_size: usize) -> Result<usize> {
        let needed = usize::try_from(count)
            .ok()
            .and_then(|c| c.checked_mul(item_size.max(1)));
        match needed {
            Some(n) if n <= self.rest.len() => Ok(count as usize),
            _ => Err(DecodeError::Truncated {
                needed: needed.unwrap_or(usize::MAX),
                available: self.rest.len(),
            }
            .into()),
        }
    }

    /// Reads a length-prefixed byte string written by [`Encoder::put_bytes`].
    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.count(1)?;
        self.take(n)
    }

    /// Reads a length-prefixed `u64` slice written by [`Encoder::put_u64_slice`].
    pub fn u64_vec(&mut self) -> Result<Vec<u64>> {
        let n = self.count(8)?;
        let bytes = self.take(n * 8)?;
        Ok(bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect())
    }

    /// Ends decoding: fails if bytes remain unread.
    pub fn finish(self) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes {
                count: self.rest.len(),
            }
            .into())
        }
    }
}

/// A structure with a versioned byte encoding in the hpds frame.
///
/// Implementors write their parameters and data in [`encode_payload`](Self::encode_payload) and
/// validate every field in [`decode_payload`](Self::decode_payload); [`to_bytes`](Self::to_bytes)
/// and [`from_bytes`](Self::from_bytes) add and check the frame.
pub trait ByteCodec: Sized {
    /// The structure's tag in the frame.
    const TAG: [u8; 4];
    /// The newest format version this build writes and reads.
    const VERSION: u16;

    /// Writes the payload.
    fn encode_payload(&self, enc: &mut Encoder);

    /// Reads a payload written in `version`. Must never panic; must check every count against
    /// the remaining input before allocating.
    fn decode_payload(dec: &mut Decoder<'_>, version: u16) -> Result<Self>;

    /// The structure's encoding.
    fn to_bytes(&self) -> Vec<u8> {
        let mut enc = Encoder::new(Self::TAG, Self::VERSION);
        self.encode_payload(&mut enc);
        enc.finish()
    }

    /// Decodes a structure written by [`to_bytes`](Self::to_bytes).
    ///
    /// # Errors
    /// Any corrupt, truncated, foreign or future-version input. Never panics.
    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (mut dec, version) = Decoder::open(bytes, Self::TAG, Self::VERSION)?;
        let value = Self::decode_payload(&mut dec, version)?;
        dec.finish()?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn sample() -> Vec<u8> {
        let mut enc = Encoder::new(*b"TEST", 2);
        enc.put_u16(513);
        enc.put_varint(300);
        enc.put_bytes(b"abc");
        enc.finish()
    }

    fn decode_err(bytes: &[u8]) -> DecodeError {
        match Decoder::open(bytes, *b"TEST", 2).unwrap_err().kind() {
            ErrorKind::Decode(e) => e.clone(),
            other => panic!("not a decode error: {other:?}"),
        }
    }

    #[test]
    fn round_trip() {
        let bytes = sample();
        let (mut dec, v) = Decoder::open(&bytes, *b"TEST", 2).unwrap();
        assert_eq!(v, 2);
        assert_eq!(dec.u16().unwrap(), 513);
        assert_eq!(dec.varint().unwrap(), 300);
        assert_eq!(dec.bytes().unwrap(), b"abc");
        dec.finish().unwrap();
    }

    #[test]
    fn frame_checks() {
        let bytes = sample();
        assert!(matches!(
            decode_err(&bytes[..10]),
            DecodeError::Truncated { .. }
        ));
        let mut b = bytes.clone();
        b[0] = b'X';
        assert!(matches!(decode_err(&b), DecodeError::BadMagic { .. }));
        let mut b = bytes.clone();
        b[4] = b'X';
        assert!(matches!(decode_err(&b), DecodeError::WrongKind { .. }));
        let mut b = bytes.clone();
        b[8] = 3;
        assert!(matches!(
            decode_err(&b),
            DecodeError::UnsupportedVersion {
                expected: 2,
                got: 3
            }
        ));
        let mut b = bytes.clone();
        b[HEADER_LEN] ^= 1;
        assert!(matches!(
            decode_err(&b),
            DecodeError::ChecksumMismatch { .. }
        ));
        let mut b = bytes.clone();
        b.push(0);
        assert!(matches!(decode_err(&b), DecodeError::TrailingBytes { .. }));
        assert!(matches!(
            decode_err(&bytes[..bytes.len() - 1]),
            DecodeError::Truncated { .. }
        ));
    }

    #[test]
    fn count_is_checked_before_allocation() {
        let mut raw = Vec::new();
        raw.extend_from_slice(&u64::MAX.to_le_bytes());
        assert!(Decoder::raw(&raw).u64_vec().is_err());
        let mut raw = Vec::new();
        raw.extend_from_slice(&2u64.to_le_bytes());
        raw.extend_from_slice(&[0; 15]);
        assert!(Decoder::raw(&raw).u64_vec().is_err());
    }

    #[test]
    fn varint_edges() {
        for v in [0, 1, 127, 128, 16_383, 16_384, u64::MAX - 1, u64::MAX] {
            let mut enc = Encoder::new(*b"TEST", 1);
            enc.put_varint(v);
            let bytes = enc.finish();
            let (mut dec, _) = Decoder::open(&bytes, *b"TEST", 1).unwrap();
            assert_eq!(dec.varint().unwrap(), v);
        }
        assert!(Decoder::raw(&[0xff; 10]).varint().is_err());
        assert!(Decoder::raw(&[0x80; 3]).varint().is_err());
        let mut over = [0xff; 10];
        over[9] = 0x02;
        assert!(Decoder::raw(&over).varint().is_err());
    }
}
