//! Golomb–Rice coding of strictly ascending `u64` lists: the byte form of a sketch's retained
//! hashes.
//!
//! The `r` smallest of `n` uniform hashes leave gaps that are nearly geometric with mean
//! `2^64 / n`; a Rice code with parameter `b` near `log2` of that mean writes each gap in
//! `b + 1 + (gap >> b)` bits, within a few hundredths of a bit of the gaps' entropy
//! (`log2(e · mean)` bits): about 45.5 bits per hash at `n = 10^6` instead of 64.
//!
//! Layout: the gaps (the first value itself, then each value minus its predecessor minus one)
//! as `gap >> b` one-bits, a zero bit and the low `b` bits, least significant bit first, zero
//! padded to whole bytes. `b` is the smallest of those giving the fewest bits, so every list
//! has exactly one encoding.

/// Appends bits to a byte vector, least significant bit first.
struct BitSink<'a> {
    out: &'a mut Vec<u8>,
    acc: u128,
    used: u32,
}

impl<'a> BitSink<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        Self {
            out,
            acc: 0,
            used: 0,
        }
    }

    /// The low `n <= 64` bits of `value`.
    fn push(&mut self, value: u64, n: u32) {
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

    /// `count` one-bits followed by a zero bit.
    fn unary(&mut self, mut count: u64) {
        while count >= 64 {
            self.push(u64::MAX, 64);
            count -= 64;
        }
        // count < 64: the ones, then the terminating zero above them.
        self.push((1u64 << count) - 1, count as u32 + 1);
    }

    fn finish(self) {
        let bytes = self.used.div_ceil(8) as usize;
        self.out
            .extend_from_slice(&(self.acc as u64).to_le_bytes()[..bytes]);
    }
}

/// Reads bits written by [`BitSink`]; every read is bounds-checked.
struct BitSource<'a> {
    bytes: &'a [u8],
    /// Position in bits.
    pos: usize,
}

impl<'a> BitSource<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    fn total_bits(&self) -> usize {
        self.bytes.len() * 8
    }

    /// The 64 bits from the current position; bits past the end read as zero.
    fn peek(&self) -> u64 {
        let first = self.pos / 8;
        let mut window = [0u8; 16];
        let end = (first + 9).min(self.bytes.len());
        if first < end {
            window[..end - first].copy_from_slice(&self.bytes[first..end]);
        }
        (u128::from_le_bytes(window) >> (self.pos % 8)) as u64
    }

    /// `n <= 64` bits as a number.
    fn bits(&mut self, n: u32) -> Option<u64> {
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

    /// Counts one-bits up to and including the zero that ends them; `None` if the data ends
    /// first.
    fn unary(&mut self) -> Option<u64> {
        let mut count = 0u64;
        loop {
            let ones = (!self.peek()).trailing_zeros() as usize;
            if self.pos + ones >= self.total_bits() {
                return None;
            }
            count += ones as u64;
            if ones < 64 {
                self.pos += ones + 1;
                return Some(count);
            }
            self.pos += 64;
        }
    }

    /// Whether only zero padding (less than a byte) remains.
    fn at_padding(&self) -> bool {
        self.pos.div_ceil(8) == self.bytes.len() && self.peek() == 0
    }
}

/// The gaps of a strictly ascending list.
fn gaps(values: &[u64]) -> impl Iterator<Item = u64> + '_ {
    values.iter().scan(None, |prev: &mut Option<u64>, &v| {
        let gap = prev.map_or(v, |p| v - p - 1);
        *prev = Some(v);
        Some(gap)
    })
}

/// Bits that `values` take with parameter `b`.
fn coded_bits(values: &[u64], b: u32) -> u128 {
    gaps(values)
        .map(|g| u128::from(g >> b) + u128::from(b) + 1)
        .sum()
}

/// The smallest Rice parameter giving the fewest bits for `values`.
pub(crate) fn best_parameter(values: &[u64]) -> u32 {
    (0..64).min_by_key(|&b| coded_bits(values, b)).unwrap_or(0)
}

/// Appends the Rice code of the strictly ascending `values` with parameter `b` (from
/// [`best_parameter`]).
pub(crate) fn encode(values: &[u64], b: u32, out: &mut Vec<u8>) {
    debug_assert!(values.windows(2).all(|w| w[0] < w[1]));
    let mut sink = BitSink::new(out);
    for g in gaps(values) {
        sink.unary(g >> b);
        sink.push(g, b);
    }
    sink.finish();
}

/// Decodes exactly `count` values coded with parameter `b` from all of `bytes`, each below
/// `bound`. `None` unless `bytes` is the one encoding [`encode`] writes for such a list.
///
/// Allocates at most `count` values, and only after checking that `bytes` can hold them.
pub(crate) fn decode(bytes: &[u8], count: usize, b: u32, bound: u64) -> Option<Vec<u64>> {
    if b >= 64 || count.checked_mul(b as usize + 1)? > bytes.len() * 8 {
        return None;
    }
    let mut source = BitSource::new(bytes);
    let mut values = Vec::with_capacity(count);
    let mut next = 0u64; // the smallest value the next one may take
    for _ in 0..count {
        let quotient = source.unary()?;
        let high = quotient.checked_mul(1u64 << b)?;
        let gap = high | source.bits(b)?;
        let v = next.checked_add(gap)?;
        if v >= bound {
            return None;
        }
        values.push(v);
        next = v + 1;
    }
    (source.at_padding() && best_parameter(&values) == b).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(values: &[u64]) -> usize {
        let b = best_parameter(values);
        let mut out = Vec::new();
        encode(values, b, &mut out);
        assert_eq!(
            decode(&out, values.len(), b, u64::MAX).as_deref(),
            Some(values)
        );
        out.len()
    }

    #[test]
    fn lists_roundtrip() {
        roundtrip(&[]);
        roundtrip(&[0]);
        roundtrip(&[u64::MAX - 1]);
        roundtrip(&[0, 1, 2, 3]);
        roundtrip(&[5, 1 << 40, u64::MAX - 2, u64::MAX - 1]);
        let mut h = 1u64;
        let mut v: Vec<u64> = (0..2000)
            .map(|_| {
                h = h.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17) ^ 0x1234;
                h >> 20
            })
            .collect();
        v.sort_unstable();
        v.dedup();
        let bytes = roundtrip(&v);
        // 2000 gaps with mean 2^44 / 2000 ≈ 2^33: about 34.5 bits each.
        assert!(bytes * 8 < v.len() * 36, "{bytes} bytes");
    }

    #[test]
    fn rejects_what_encode_never_writes() {
        let values = [3u64, 9, 200];
        let b = best_parameter(&values);
        let mut out = Vec::new();
        encode(&values, b, &mut out);
        // Wrong count, a bound the values exceed, another parameter, trailing bytes.
        assert!(decode(&out, 2, b, u64::MAX).is_none());
        assert!(decode(&out, 3, b, 200).is_none());
        assert_ne!(decode(&out, 3, b + 1, u64::MAX), Some(values.to_vec()));
        let mut longer = out.clone();
        longer.push(0);
        assert!(decode(&longer, 3, b, u64::MAX).is_none());
        assert!(decode(&[0xff; 20], 1, 0, u64::MAX).is_none());
        assert!(decode(&[], 1, 0, u64::MAX).is_none());
        assert!(decode(&[0xff; 20], usize::MAX, 63, u64::MAX).is_none());
    }
}
