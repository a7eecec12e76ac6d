//! A small versioned binary format for sketches and filters.
//!
//! Every encoding is laid out as (the *compact frame*):
//!
//! | bytes | field |
//! |---|---|
//! | 2 | magic `b"hp"` |
//! | 1 | structure kind: `1 + ` the tag's position in [`KINDS`], or 0 for any other tag… |
//! | (4) | …followed by the four-byte structure tag, e.g. `b"EXCT"` |
//! | 1–3 | format version, LEB128 varint |
//! | 1–10 | payload length, LEB128 varint |
//! | n | payload (parameters first, then data) |
//! | 4 | checksum: the low 32 bits of xxh3-64 (seed 0) of every byte before it |
//!
//! That is 9 bytes around a payload of less than 128 bytes, which matters for small sketches
//! (a HyperLogLog++ that has seen a few items has a payload of a few bytes). The previous
//! *legacy frame* (26 bytes: magic `b"HPDS"`, 4-byte tag, `u16` version, `u64` length, `u64`
//! xxh3 checksum) is still read: [`Decoder::open`] accepts both, so every encoding written
//! by an earlier build stays readable.
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
//! // magic, kind 0 and the unregistered tag, version, length, payload, checksum
//! assert_eq!(bytes.len(), 2 + 1 + 4 + 1 + 1 + 33 + 4);
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

/// The first two bytes of every encoding (compact frame).
pub const MAGIC: [u8; 2] = *b"hp";
/// The tags of hpds' structures, in the order of their one-byte kinds (kind `1 + i` is
/// `KINDS[i]`). Append only: a kind's number is part of the format.
pub const KINDS: [[u8; 4]; 11] = [
    *b"HLLP", *b"HLL6", *b"LLOG", *b"SLLG", *b"KMV ", *b"MRSC", *b"MRSA", *b"BLMF", *b"BLMB",
    *b"BLMC", *b"BLMS",
];
/// Bytes after the payload: the checksum.
pub const TRAILER_LEN: usize = 4;
/// The smallest compact frame: magic, kind, version, length and checksum around an empty
/// payload.
pub const MIN_FRAME_LEN: usize = 2 + 1 + 1 + 1 + TRAILER_LEN;

/// The first four bytes of a legacy-frame encoding (read, no longer written).
pub const LEGACY_MAGIC: [u8; 4] = *b"HPDS";
/// Legacy frame: bytes before the payload (magic, tag, version, payload length).
pub const LEGACY_HEADER_LEN: usize = 4 + 4 + 2 + 8;
/// Legacy frame: bytes after the payload (the 64-bit checksum).
pub const LEGACY_TRAILER_LEN: usize = 8;

fn checksum(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(bytes, 0)
}

/// The compact frame's 32-bit checksum.
fn checksum32(bytes: &[u8]) -> u32 {
    checksum(bytes) as u32
}

/// The one-byte kind of `tag` (0 when it has none).
fn kind_of(tag: [u8; 4]) -> u8 {
    KINDS
        .iter()
        .position(|&k| k == tag)
        .map_or(0, |i| i as u8 + 1)
}

fn push_varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// Writes one framed encoding.
#[derive(Debug, Clone)]
pub struct Encoder {
    buf: Vec<u8>,
    /// Where the frame starts in `buf` (0 unless appending to earlier bytes).
    start: usize,
    /// Where the payload starts (its length is inserted there by `finish`).
    header_len: usize,
}

impl Encoder {
    /// Starts an encoding of the structure `tag` in format `version`.
    pub fn new(tag: [u8; 4], version: u16) -> Self {
        Self::append_to(Vec::with_capacity(64), tag, version)
    }

    /// Starts an encoding that [`finish`](Self::finish) returns appended to `out`'s bytes
    /// (many frames in one buffer, with no intermediate vector per frame).
    pub fn append_to(mut buf: Vec<u8>, tag: [u8; 4], version: u16) -> Self {
        let start = buf.len();
        buf.extend_from_slice(&MAGIC);
        let kind = kind_of(tag);
        buf.push(kind);
        if kind == 0 {
            buf.extend_from_slice(&tag);
        }
        push_varint(&mut buf, u64::from(version));
        let header_len = buf.len();
        Self {
            buf,
            start,
            header_len,
        }
    }

    /// The bytes written so far, for writers that append directly (a bit stream): the
    /// payload is whatever is appended; bytes already written must be left as they are.
    pub fn payload_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
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
    pub fn put_varint(&mut self, v: u64) {
        push_varint(&mut self.buf, v);
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

    /// Closes the frame: inserts the payload length and appends the checksum.
    pub fn finish(mut self) -> Vec<u8> {
        let mut payload = (self.buf.len() - self.header_len) as u64;
        let (mut len, mut n) = ([0u8; 10], 0);
        while payload >= 0x80 {
            len[n] = (payload as u8) | 0x80;
            payload >>= 7;
            n += 1;
        }
        len[n] = payload as u8;
        let len = &len[..=n];
        self.buf.reserve(len.len() + TRAILER_LEN);
        self.buf
            .splice(self.header_len..self.header_len, len.iter().copied());
        let sum = checksum32(&self.buf[self.start..]);
        self.buf.extend_from_slice(&sum.to_le_bytes());
        self.buf
    }
}

/// Reads the fields of one framed encoding. Never panics.
#[derive(Debug, Clone)]
pub struct Decoder<'a> {
    rest: &'a [u8],
}

/// The first (up to) four bytes of `bytes`, zero-padded, for [`DecodeError::BadMagic`].
fn first4(bytes: &[u8]) -> [u8; 4] {
    let mut got = [0; 4];
    let n = bytes.len().min(4);
    got[..n].copy_from_slice(&bytes[..n]);
    got
}

/// Checks a version found in a frame against `1..=max_version`.
fn check_version(version: u64, max_version: u16) -> Result<u16> {
    match u16::try_from(version) {
        Ok(v) if v != 0 && v <= max_version => Ok(v),
        _ => Err(DecodeError::UnsupportedVersion {
            expected: max_version,
            got: u16::try_from(version).unwrap_or(u16::MAX),
        }
        .into()),
    }
}

/// Checks that the payload length read from a frame is exactly what remains before the
/// trailer.
fn check_payload_len(payload: u64, available: usize) -> Result<()> {
    let available = available as u64;
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
    Ok(())
}

impl<'a> Decoder<'a> {
    /// Checks the frame of `bytes` (magic, `tag`, a version in `1..=max_version`, the payload
    /// length and the checksum) and returns a reader over the payload with the version found.
    /// Both the compact frame and the legacy frame are accepted (see the [module](self) docs).
    ///
    /// # Errors
    /// A [`DecodeError`] naming the first check that failed.
    pub fn open(bytes: &'a [u8], tag: [u8; 4], max_version: u16) -> Result<(Self, u16)> {
        if bytes.starts_with(&LEGACY_MAGIC) {
            return Self::open_legacy(bytes, tag, max_version);
        }
        if bytes.len() < MIN_FRAME_LEN {
            return Err(DecodeError::Truncated {
                needed: MIN_FRAME_LEN,
                available: bytes.len(),
            }
            .into());
        }
        if bytes[..2] != MAGIC {
            return Err(DecodeError::BadMagic { got: first4(bytes) }.into());
        }
        let body_end = bytes.len() - TRAILER_LEN;
        let mut header = Decoder::raw(&bytes[2..body_end]);
        let kind = header.u8()?;
        let got = match kind {
            0 => {
                let got = header.array::<4>()?;
                if kind_of(got) != 0 {
                    return Err(Error::invalid_encoding(
                        "frame: a tag with a one-byte kind written in full",
                    ));
                }
                got
            }
            k => match KINDS.get(usize::from(k) - 1) {
                Some(&t) => t,
                None => [b'?', b'?', b'?', k],
            },
        };
        if got != tag {
            return Err(DecodeError::WrongKind { expected: tag, got }.into());
        }
        let version = check_version(header.varint()?, max_version)?;
        let payload = header.varint()?;
        check_payload_len(payload, header.remaining())?;
        let stored = u32::from_le_bytes(bytes[body_end..].try_into().expect("4 bytes"));
        let computed = checksum32(&bytes[..body_end]);
        if stored != computed {
            return Err(DecodeError::ChecksumMismatch {
                stored: u64::from(stored),
                computed: u64::from(computed),
            }
            .into());
        }
        Ok((header, version))
    }

    /// [`open`](Self::open) for the legacy 26-byte frame.
    fn open_legacy(bytes: &'a [u8], tag: [u8; 4], max_version: u16) -> Result<(Self, u16)> {
        if bytes.len() < LEGACY_HEADER_LEN + LEGACY_TRAILER_LEN {
            return Err(DecodeError::Truncated {
                needed: LEGACY_HEADER_LEN + LEGACY_TRAILER_LEN,
                available: bytes.len(),
            }
            .into());
        }
        let got: [u8; 4] = bytes[4..8].try_into().expect("4 bytes");
        if got != tag {
            return Err(DecodeError::WrongKind { expected: tag, got }.into());
        }
        let version = check_version(
            u64::from(u16::from_le_bytes([bytes[8], bytes[9]])),
            max_version,
        )?;
        let payload = u64::from_le_bytes(bytes[10..18].try_into().expect("8 bytes"));
        check_payload_len(
            payload,
            bytes.len() - LEGACY_HEADER_LEN - LEGACY_TRAILER_LEN,
        )?;
        let body_end = bytes.len() - LEGACY_TRAILER_LEN;
        let stored = u64::from_le_bytes(bytes[body_end..].try_into().expect("8 bytes"));
        let computed = checksum(&bytes[..body_end]);
        if stored != computed {
            return Err(DecodeError::ChecksumMismatch { stored, computed }.into());
        }
        Ok((
            Self {
                rest: &bytes[LEGACY_HEADER_LEN..body_end],
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
                // A zero last byte after the first is an overlong form of a shorter varint:
                // refused, so every value has exactly one encoding.
                if i > 0 && byte == 0 {
                    return Err(Error::invalid_encoding("overlong varint"));
                }
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
    /// The oldest format version this build reads. Versions before it were written with an item
    /// hash that differs from the current one ([`Item`](crate::Item)), so decoding them is
    /// refused rather than letting them merge silently with new structures.
    const MIN_VERSION: u16 = 1;

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

    /// Appends [`to_bytes`](Self::to_bytes)'s bytes to `out` (many structures in one buffer,
    /// with no vector per structure).
    fn append_bytes(&self, out: &mut Vec<u8>) {
        let mut enc = Encoder::append_to(core::mem::take(out), Self::TAG, Self::VERSION);
        self.encode_payload(&mut enc);
        *out = enc.finish();
    }

    /// Decodes a structure written by [`to_bytes`](Self::to_bytes).
    ///
    /// # Errors
    /// Any corrupt, truncated, foreign or future-version input. Never panics.
    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (mut dec, version) = Decoder::open(bytes, Self::TAG, Self::VERSION)?;
        if version < Self::MIN_VERSION {
            return Err(DecodeError::RetiredVersion {
                oldest: Self::MIN_VERSION,
                got: version,
            }
            .into());
        }
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

    /// The same payload in the legacy frame, as an earlier build wrote it.
    fn legacy_sample() -> Vec<u8> {
        let mut payload = Vec::new();
        payload.extend_from_slice(&513u16.to_le_bytes());
        payload.extend_from_slice(&[0xac, 0x02]);
        payload.extend_from_slice(&3u64.to_le_bytes());
        payload.extend_from_slice(b"abc");
        let mut b = Vec::new();
        b.extend_from_slice(b"HPDSTEST");
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        b.extend_from_slice(&payload);
        let sum = checksum(&b);
        b.extend_from_slice(&sum.to_le_bytes());
        b
    }

    fn decode_err(bytes: &[u8]) -> DecodeError {
        match Decoder::open(bytes, *b"TEST", 2).unwrap_err().kind() {
            ErrorKind::Decode(e) => e.clone(),
            other => panic!("not a decode error: {other:?}"),
        }
    }

    /// `bytes` with the byte at `at` changed by `edit`.
    fn edited(bytes: &[u8], at: usize, edit: impl FnOnce(&mut u8)) -> Vec<u8> {
        let mut b = bytes.to_vec();
        edit(&mut b[at]);
        b
    }

    /// Asserts that `bytes` with its version (the byte at `at`) raised to 3 is refused as a
    /// version newer than this build reads.
    fn assert_newer_version_refused(bytes: &[u8], at: usize) {
        let err = decode_err(&edited(bytes, at, |v| *v = 3));
        assert!(
            matches!(
                err,
                DecodeError::UnsupportedVersion {
                    expected: 2,
                    got: 3
                }
            ),
            "{err:?}"
        );
    }

    /// Asserts that a flipped bit at `at` (a payload byte) fails the checksum and that a byte
    /// appended after the frame is refused.
    fn assert_checksum_and_length_checked(bytes: &[u8], at: usize) {
        let flipped = decode_err(&edited(bytes, at, |v| *v ^= 1));
        assert!(
            matches!(flipped, DecodeError::ChecksumMismatch { .. }),
            "{flipped:?}"
        );
        let mut longer = bytes.to_vec();
        longer.push(0);
        let longer = decode_err(&longer);
        assert!(
            matches!(longer, DecodeError::TrailingBytes { .. }),
            "{longer:?}"
        );
    }

    fn check_sample(bytes: &[u8]) {
        let (mut dec, v) = Decoder::open(bytes, *b"TEST", 2).unwrap();
        assert_eq!(v, 2);
        assert_eq!(dec.u16().unwrap(), 513);
        assert_eq!(dec.varint().unwrap(), 300);
        assert_eq!(dec.bytes().unwrap(), b"abc");
        dec.finish().unwrap();
    }

    #[test]
    fn round_trip() {
        check_sample(&sample());
    }

    /// Frames appended after other bytes are the frames `new` writes, long payloads included.
    #[test]
    fn appended_frames_equal_standalone_ones() {
        let mut out = b"prefix".to_vec();
        let mut enc = Encoder::append_to(out, *b"TEST", 2);
        enc.put_u16(513);
        enc.put_varint(300);
        enc.put_bytes(b"abc");
        out = enc.finish();
        let first = out.len();
        let long = vec![7u8; 300];
        let mut enc = Encoder::append_to(out, *b"TEST", 2);
        enc.payload_mut().extend_from_slice(&long);
        out = enc.finish();
        assert_eq!(&out[..6], b"prefix");
        assert_eq!(out[6..first], sample());
        let mut alone = Encoder::new(*b"TEST", 2);
        alone.put_raw(&long);
        assert_eq!(out[first..], alone.finish());
    }

    #[test]
    fn compact_layout() {
        let bytes = sample();
        // magic, kind 0 + tag (unregistered), version 2, payload length 15, payload, checksum
        assert_eq!(&bytes[..9], b"hp\0TEST\x02\x0f");
        assert_eq!(bytes.len(), 9 + 15 + TRAILER_LEN);
        let sum = checksum(&bytes[..bytes.len() - 4]) as u32;
        assert_eq!(bytes[bytes.len() - 4..], sum.to_le_bytes());
        // A registered tag takes one byte, and an empty payload leaves the smallest frame.
        let empty = Encoder::new(*b"HLLP", 2).finish();
        assert_eq!(&empty[..5], b"hp\x01\x02\x00");
        assert_eq!(empty.len(), MIN_FRAME_LEN);
        let (dec, v) = Decoder::open(&empty, *b"HLLP", 2).unwrap();
        assert_eq!((dec.remaining(), v), (0, 2));
        assert!(matches!(
            Decoder::open(&empty, *b"HLL6", 2).unwrap_err().kind(),
            ErrorKind::Decode(DecodeError::WrongKind { .. })
        ));
        // Every registered tag gets its own kind.
        for (i, &t) in KINDS.iter().enumerate() {
            assert_eq!(kind_of(t), i as u8 + 1);
            let b = Encoder::new(t, 1).finish();
            assert_eq!(b[2], i as u8 + 1);
            assert!(Decoder::open(&b, t, 1).is_ok());
        }
        // A long payload gets a longer length varint.
        let mut enc = Encoder::new(*b"KMV ", 1);
        enc.put_raw(&[7; 300]);
        let b = enc.finish();
        assert_eq!(&b[..6], b"hp\x05\x01\xac\x02");
        let (mut dec, _) = Decoder::open(&b, *b"KMV ", 1).unwrap();
        assert_eq!(dec.take(300).unwrap(), &[7; 300][..]);
    }

    #[test]
    fn legacy_frame_is_read() {
        check_sample(&legacy_sample());
        let bytes = legacy_sample();
        let b = edited(&bytes, 4, |v| *v = b'X');
        assert!(matches!(decode_err(&b), DecodeError::WrongKind { .. }));
        assert_newer_version_refused(&bytes, 8);
        assert_checksum_and_length_checked(&bytes, LEGACY_HEADER_LEN);
        for cut in [10, bytes.len() - 1] {
            assert!(matches!(
                decode_err(&bytes[..cut]),
                DecodeError::Truncated { .. }
            ));
        }
    }

    #[test]
    fn frame_checks() {
        let bytes = sample();
        for cut in [0, 1, 5, 8, 10, bytes.len() - 1] {
            assert!(
                matches!(decode_err(&bytes[..cut]), DecodeError::Truncated { .. }),
                "cut {cut}"
            );
        }
        let b = edited(&bytes, 0, |v| *v = b'X');
        assert!(matches!(decode_err(&b), DecodeError::BadMagic { .. }));
        let b = edited(&bytes, 3, |v| *v = b'X');
        assert!(matches!(decode_err(&b), DecodeError::WrongKind { .. }));
        let b = edited(&bytes, 2, |v| *v = 200); // no such kind
        assert!(matches!(decode_err(&b), DecodeError::WrongKind { .. }));
        assert_newer_version_refused(&bytes, 7);
        let b = edited(&bytes, 7, |v| *v = 0);
        assert!(matches!(
            decode_err(&b),
            DecodeError::UnsupportedVersion { got: 0, .. }
        ));
        assert_checksum_and_length_checked(&bytes, 9);
        let b = edited(&bytes, 8, |v| *v = 16); // payload length one more than present
        assert!(matches!(decode_err(&b), DecodeError::Truncated { .. }));
        // A registered tag written in full is not the canonical encoding.
        let mut b = b"hp\0HLLP\x01\x00".to_vec();
        let sum = checksum(&b) as u32;
        b.extend_from_slice(&sum.to_le_bytes());
        assert!(Decoder::open(&b, *b"HLLP", 1).is_err());
        // A version that overflows u16, and varints running into the checksum.
        let mut b = b"hp\x01\xff\xff\x7f\x00".to_vec();
        let sum = checksum(&b) as u32;
        b.extend_from_slice(&sum.to_le_bytes());
        assert!(matches!(
            Decoder::open(&b, *b"HLLP", 2).unwrap_err().kind(),
            ErrorKind::Decode(DecodeError::UnsupportedVersion { got: u16::MAX, .. })
        ));
        let b = b"hp\x01\xff\xff\xff\xff\xff\xff";
        assert!(Decoder::open(b, *b"HLLP", 2).is_err());
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
        // Overlong forms of 6 and 0: one encoding per value.
        assert!(Decoder::raw(&[0x86, 0x00]).varint().is_err());
        assert!(Decoder::raw(&[0x80, 0x80, 0x00]).varint().is_err());
        assert_eq!(Decoder::raw(&[0x86, 0x01]).varint().unwrap(), 134);
    }

    /// A structure whose versions before 3 hashed items differently.
    #[derive(Debug, PartialEq)]
    struct Renewed(u16);

    impl ByteCodec for Renewed {
        const TAG: [u8; 4] = *b"RENW";
        const VERSION: u16 = 3;
        const MIN_VERSION: u16 = 3;
        fn encode_payload(&self, enc: &mut Encoder) {
            enc.put_u16(self.0);
        }
        fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
            Ok(Renewed(dec.u16()?))
        }
    }

    #[test]
    fn retired_versions_are_refused_with_the_oldest_readable() {
        assert_eq!(
            Renewed::from_bytes(&Renewed(7).to_bytes()).unwrap(),
            Renewed(7)
        );
        for old in [1, 2] {
            let mut enc = Encoder::new(Renewed::TAG, old);
            enc.put_u16(7);
            let err = Renewed::from_bytes(&enc.finish()).unwrap_err();
            assert!(matches!(
                err.kind(),
                ErrorKind::Decode(DecodeError::RetiredVersion { oldest: 3, got }) if *got == old
            ));
            assert!(err.to_string().contains("rebuild"), "{err}");
        }
    }
}
