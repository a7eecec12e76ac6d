//! Bit streams for compact codecs: a writer and a checked reader of bits packed least
//! significant first into bytes, with the unary runs that Golomb–Rice codes are made of.
//!
//! ```
//! use hpds_core::bits::{BitReader, BitWriter};
//!
//! let mut bytes = Vec::new();
//! let mut w = BitWriter::new(&mut bytes);
//! w.unary(3); // 1110
//! w.put(0b101, 3);
//! w.finish();
//! assert_eq!(bytes, [0b0101_0111]);
//! let mut r = BitReader::new(&bytes);
//! assert_eq!((r.unary(), r.bits(3)), (Some(3), Some(0b101)));
//! assert!(r.is_done());
//! ```

use alloc::vec::Vec;

/// Appends bits to a byte vector, least significant bit first; [`finish`](Self::finish) pads
/// the last byte with zeros.
#[derive(Debug)]
pub struct BitWriter<'a> {
    out: &'a mut Vec<u8>,
    acc: u128,
    used: u32,
}

impl<'a> BitWriter<'a> {
    /// A writer appending to `out`.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        Self {
            out,
            acc: 0,
            used: 0,
        }
    }

    /// The low `n` bits of `value`, `n <= 64`.
    #[inline]
    pub fn put(&mut self, value: u64, n: u32) {
        debug_assert!(n <= 64);
        if n == 0 {
            return;
        }
        let masked = u128::from(value) & ((1u128 << n) - 1);
        self.acc |= masked << self.used;
        self.used += n;
        if self.used >= 64 {
            self.out.extend_from_slice(&(self.acc as u64).to_le_bytes());
            self.acc >>= 64;
            self.used -= 64;
        }
    }

    /// `count` one-bits.
    #[inline]
    pub fn ones(&mut self, mut count: u64) {
        while count >= 64 {
            self.put(u64::MAX, 64);
            count -= 64;
        }
        self.put(u64::MAX, count as u32);
    }

    /// `count` in unary: `count` one-bits and a zero bit.
    #[inline]
    pub fn unary(&mut self, count: u64) {
        self.ones(count);
        self.put(0, 1);
    }

    /// Writes the last partial byte, zero padded.
    #[inline]
    pub fn finish(self) {
        let bytes = self.used.div_ceil(8) as usize;
        self.out
            .extend_from_slice(&(self.acc as u64).to_le_bytes()[..bytes]);
    }
}

/// Reads bits written by [`BitWriter`]. Every read is checked: `None` rather than reading past
/// the end.
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    bytes: &'a [u8],
    /// Position in bits.
    pos: usize,
}

impl<'a> BitReader<'a> {
    /// A reader at the first bit of `bytes`.
    #[inline]
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    #[inline]
    fn total_bits(&self) -> usize {
        self.bytes.len() * 8
    }

    /// The 64 bits from the current position; bits past the end read as zero.
    #[inline]
    fn peek(&self) -> u64 {
        let first = self.pos / 8;
        let shift = self.pos % 8;
        // Away from the end: the nine bytes the window spans, read as two words.
        if let Some(w) = self.bytes.get(first..first + 9) {
            let mut low = [0u8; 8];
            low.copy_from_slice(&w[..8]);
            // `<< 1 << (63 - shift)`: no bit of the ninth byte when `shift` is 0.
            return (u64::from_le_bytes(low) >> shift) | (u64::from(w[8]) << 1 << (63 - shift));
        }
        let mut window = [0u8; 16];
        let end = (first + 9).min(self.bytes.len());
        if first < end {
            window[..end - first].copy_from_slice(&self.bytes[first..end]);
        }
        (u128::from_le_bytes(window) >> (self.pos % 8)) as u64
    }

    /// The next 64 bits, the first as the least significant, without consuming them; bits
    /// past the end read as zero. With [`skip`](Self::skip) a decoder can read a short code
    /// from one window rather than field by field.
    #[inline]
    pub fn peek64(&self) -> u64 {
        self.peek()
    }

    /// Consumes `n` bits; `None`, and nothing consumed, if fewer remain.
    #[inline]
    pub fn skip(&mut self, n: u32) -> Option<()> {
        if self.pos + n as usize > self.total_bits() {
            return None;
        }
        self.pos += n as usize;
        Some(())
    }

    /// One bit.
    #[inline]
    pub fn bit(&mut self) -> Option<bool> {
        self.bits(1).map(|b| b == 1)
    }

    /// `n <= 64` bits as a number (the first read is the least significant).
    #[inline]
    pub fn bits(&mut self, n: u32) -> Option<u64> {
        debug_assert!(n <= 64);
        if self.pos + n as usize > self.total_bits() {
            return None;
        }
        let v = if n == 0 {
            0
        } else {
            self.peek() & (u64::MAX >> (64 - n))
        };
        self.pos += n as usize;
        Some(v)
    }

    /// Counts the one-bits up to the next zero bit, which is not consumed. `None` if more than
    /// `max` ones come first or the data ends before the zero.
    #[inline]
    pub fn ones(&mut self, max: u64) -> Option<u64> {
        let mut count = 0u64;
        let mut at = self.pos;
        loop {
            let ahead = BitReader {
                bytes: self.bytes,
                pos: at,
            };
            let run = (!ahead.peek()).trailing_zeros() as usize;
            if at + run >= self.total_bits() {
                return None;
            }
            count += run as u64;
            at += run;
            if count > max {
                return None;
            }
            if run < 64 {
                self.pos = at;
                return Some(count);
            }
        }
    }

    /// A count in unary: the one-bits and the zero bit that ends them. `None` if the data ends
    /// first.
    #[inline]
    pub fn unary(&mut self) -> Option<u64> {
        let count = self.ones(u64::MAX)?;
        self.pos += 1;
        Some(count)
    }

    /// Whether the stream ends here: the rest of the current byte is zero and no byte follows.
    #[inline]
    pub fn is_done(&self) -> bool {
        self.pos.div_ceil(8) == self.bytes.len() && self.peek() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_of_mixed_fields() {
        let mut bytes = Vec::new();
        let mut w = BitWriter::new(&mut bytes);
        let fields: [(u64, u32); 6] = [
            (5, 3),
            (u64::MAX, 64),
            (0, 0),
            (1, 1),
            (0x1234, 13),
            (7, 64),
        ];
        for (v, n) in fields {
            w.put(v, n);
        }
        w.unary(0);
        w.unary(130);
        w.ones(2);
        w.finish();
        let mut r = BitReader::new(&bytes);
        for (v, n) in fields {
            let mask = if n == 64 { u64::MAX } else { (1 << n) - 1 };
            assert_eq!(r.bits(n), Some(v & mask));
        }
        assert_eq!(r.unary(), Some(0));
        assert_eq!(r.clone().ones(129), None);
        assert_eq!(r.unary(), Some(130));
        // Two ones then zero padding: the run ends inside the data.
        assert_eq!(r.ones(2), Some(2));
        assert_eq!(r.bit(), Some(false));
        assert!(r.is_done());
    }

    #[test]
    fn peek_and_skip() {
        let mut r = BitReader::new(&[0b1010_0110, 0x01]);
        assert_eq!(r.peek64(), 0x01a6);
        assert_eq!(r.skip(3), Some(()));
        assert_eq!(r.peek64(), 0x01a6 >> 3);
        assert_eq!(r.skip(14), None, "past the end: nothing consumed");
        assert_eq!(r.skip(13), Some(()));
        assert_eq!(r.peek64(), 0);
        assert!(r.is_done());
    }

    #[test]
    fn reads_stop_at_the_end() {
        let mut r = BitReader::new(&[0xff]);
        assert_eq!(r.clone().ones(100), None);
        assert_eq!(r.clone().unary(), None);
        assert_eq!(r.bits(8), Some(0xff));
        assert_eq!(r.bit(), None);
        assert!(r.is_done());
        let mut empty = BitReader::new(&[]);
        assert!(empty.is_done());
        assert_eq!((empty.bit(), empty.bits(0)), (None, Some(0)));
        // A set bit after the position is not padding.
        let mut r = BitReader::new(&[0b10]);
        assert_eq!(r.bit(), Some(false));
        assert!(!r.is_done());
        assert!(!BitReader::new(&[0, 0]).is_done());
    }

    /// Reads at every bit position, near the end and away from it, against bit-by-bit
    /// extraction.
    #[test]
    fn reads_at_every_offset_match_the_bits() {
        let bytes: Vec<u8> = (0..40u64)
            .map(|i| crate::hash::mix64(i + 1) as u8)
            .collect();
        let bit_at = |i: usize| (bytes[i / 8] >> (i % 8)) & 1 == 1;
        let total = bytes.len() * 8;
        for pos in 0..total {
            for n in [1u32, 7, 33, 64] {
                let mut r = BitReader::new(&bytes);
                r.bits(u32::try_from(pos % 64).unwrap()).unwrap();
                for _ in 0..pos / 64 {
                    r.bits(64).unwrap();
                }
                let got = r.bits(n);
                if pos + n as usize > total {
                    assert_eq!(got, None);
                    continue;
                }
                let want = (0..n as usize)
                    .filter(|&j| bit_at(pos + j))
                    .fold(0u64, |v, j| v | (1 << j));
                assert_eq!(got, Some(want), "pos {pos} n {n}");
            }
            let mut r = BitReader::new(&bytes);
            r.bits(u32::try_from(pos % 64).unwrap()).unwrap();
            for _ in 0..pos / 64 {
                r.bits(64).unwrap();
            }
            let run = (pos..total).take_while(|&i| bit_at(i)).count();
            let want = (pos + run < total).then_some(run as u64);
            assert_eq!(r.ones(u64::MAX), want, "pos {pos}");
        }
    }
}
