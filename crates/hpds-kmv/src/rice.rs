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

use hpds_core::bits::{BitReader, BitWriter};

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
    let mut sink = BitWriter::new(out);
    for g in gaps(values) {
        sink.unary(g >> b);
        sink.put(g, b);
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
    let mut source = BitReader::new(bytes);
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
    (source.is_done() && best_parameter(&values) == b).then_some(values)
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
