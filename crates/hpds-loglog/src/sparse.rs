//! HyperLogLog++'s sparse representation: register updates at precision 25, sorted, delta
//! and varint encoded, with a small unsorted insert buffer.
//!
//! An entry is `index << 6 | rank` where `index` is the hash's top 25 bits and `rank` one plus
//! the leading zeros of the other 39 bits (at most 40). The dense register of any precision
//! `p <= 18` follows exactly from an entry ([`to_dense`]), so converting gives the registers a
//! dense sketch would have had. Entries are kept sorted with one entry per index (the largest
//! rank), as varint-encoded gaps: about 4 bytes per entry for the first hundred items, fewer as
//! the gaps shrink.

use alloc::vec::Vec;

/// Precision of the sparse entries.
pub(crate) const SPARSE_P: u8 = 25;
const MAX_SPARSE_RANK: u32 = 64 - SPARSE_P as u32 + 1;

/// The sparse entry of a hash.
#[inline(always)]
pub(crate) fn entry(hash: u64) -> u32 {
    let index = (hash >> (64 - SPARSE_P)) as u32;
    let rank = ((hash << SPARSE_P) | (1 << (SPARSE_P - 1))).leading_zeros() + 1;
    (index << 6) | rank
}

/// The dense register (index, rank) at precision `p` that an entry raises.
#[inline]
pub(crate) fn to_dense(e: u32, p: u8) -> (usize, u8) {
    let index = e >> 6;
    let rank = (e & 63) as u8;
    let d = u32::from(SPARSE_P - p);
    let low = index & ((1 << d) - 1);
    let dense_rank = if low == 0 {
        d as u8 + rank
    } else {
        (d - (32 - low.leading_zeros())) as u8 + 1
    };
    ((index >> d) as usize, dense_rank)
}

fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Decodes the gaps of a list this module wrote (trusted: validated on decode).
fn decode(list: &[u8]) -> impl Iterator<Item = u32> + '_ {
    let mut pos = 0;
    let mut prev = 0u32;
    core::iter::from_fn(move || {
        if pos >= list.len() {
            return None;
        }
        let mut v = 0u32;
        let mut shift = 0;
        loop {
            let b = list[pos];
            pos += 1;
            v |= u32::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        prev = prev.wrapping_add(v);
        Some(prev)
    })
}

/// Merges two sorted entry sequences keeping one entry (the largest rank) per index.
fn merge_dedup(
    a: impl Iterator<Item = u32>,
    b: impl Iterator<Item = u32>,
    mut out: impl FnMut(u32),
) {
    let mut a = a.peekable();
    let mut b = b.peekable();
    let mut pending: Option<u32> = None;
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(&x), Some(&y)) => {
                if x <= y {
                    a.next()
                } else {
                    b.next()
                }
            }
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => break,
        };
        let Some(e) = next else { break };
        match pending {
            // Same index: sorted order puts the larger rank last.
            Some(q) if q >> 6 == e >> 6 => pending = Some(e),
            Some(q) => {
                out(q);
                pending = Some(e);
            }
            None => pending = Some(e),
        }
    }
    if let Some(q) = pending {
        out(q);
    }
}

/// The sorted, encoded entries plus the insert buffer.
#[derive(Clone, Default)]
pub(crate) struct Sparse {
    list: Vec<u8>,
    len: usize,
    buffer: Vec<u32>,
}

impl Sparse {
    /// Buffers an entry; returns `true` when the buffer holds `cap` entries and must be
    /// flushed.
    #[inline]
    pub(crate) fn push(&mut self, e: u32, cap: usize) -> bool {
        if self.buffer.last() == Some(&e) {
            return false;
        }
        self.buffer.push(e);
        self.buffer.len() >= cap
    }

    /// Sorts the buffer into the encoded list.
    pub(crate) fn flush(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let mut buffer = core::mem::take(&mut self.buffer);
        buffer.sort_unstable();
        self.absorb(buffer.len(), buffer.iter().copied());
        buffer.clear();
        self.buffer = buffer;
    }

    /// Merges `count` sorted entries into the list.
    pub(crate) fn absorb(&mut self, count: usize, sorted: impl Iterator<Item = u32>) {
        // A gap takes at most 5 bytes; the list is rebuilt, not grown, so it never doubles.
        let mut out = Vec::with_capacity(self.list.len() + 5 * count);
        let mut prev = 0u32;
        let mut len = 0;
        merge_dedup(decode(&self.list), sorted, |e| {
            put_varint(&mut out, e - prev);
            prev = e;
            len += 1;
        });
        if out.capacity() - out.len() > out.len() / 16 {
            out.shrink_to_fit();
        }
        self.list = out;
        self.len = len;
    }

    /// Encoded bytes of the sorted list.
    pub(crate) fn list_bytes(&self) -> usize {
        self.list.len()
    }

    /// Every entry, sorted, one per index, the buffer included.
    pub(crate) fn entries(&self) -> Vec<u32> {
        let mut buffer = self.buffer.clone();
        buffer.sort_unstable();
        let mut out = Vec::with_capacity(self.len + buffer.len());
        merge_dedup(decode(&self.list), buffer.into_iter(), |e| out.push(e));
        out
    }

    /// Number of distinct indices seen.
    pub(crate) fn distinct(&self) -> usize {
        if self.buffer.is_empty() {
            self.len
        } else {
            self.entries().len()
        }
    }

    /// Linear counting at precision 25: nearly exact while the sketch is sparse.
    pub(crate) fn estimate(&self) -> f64 {
        let m = f64::from(1u32 << SPARSE_P);
        let k = self.distinct() as f64;
        m * (m / (m - k)).ln()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0 && self.buffer.is_empty()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.list.capacity() + 4 * self.buffer.capacity()
    }

    /// Entry count and encoded list of all entries, for the codec.
    pub(crate) fn encoded(&self) -> (usize, Vec<u8>) {
        if self.buffer.is_empty() {
            return (self.len, self.list.clone());
        }
        let mut s = self.clone();
        s.flush();
        (s.len, s.list)
    }

    /// A list from the codec: `count` gap-encoded entries with strictly increasing indices
    /// and ranks in `1..=40`, each varint at most 5 bytes and canonical.
    pub(crate) fn from_encoded(count: usize, bytes: &[u8]) -> Option<Self> {
        let mut pos = 0;
        let mut prev: Option<u32> = None;
        let mut seen = 0usize;
        while pos < bytes.len() {
            let mut v = 0u64;
            let mut i = 0;
            loop {
                let b = *bytes.get(pos)?;
                pos += 1;
                v |= u64::from(b & 0x7f) << (7 * i);
                i += 1;
                if b & 0x80 == 0 {
                    if b == 0 && i > 1 {
                        return None; // non-canonical
                    }
                    break;
                }
                if i == 5 {
                    return None;
                }
            }
            let e = u64::from(prev.unwrap_or(0)) + v;
            let e = u32::try_from(e).ok()?;
            let rank = e & 63;
            if e >> 6 >= 1 << SPARSE_P || rank == 0 || rank > MAX_SPARSE_RANK {
                return None;
            }
            if let Some(q) = prev {
                if e >> 6 <= q >> 6 {
                    return None;
                }
            }
            prev = Some(e);
            seen += 1;
        }
        (seen == count).then(|| Self {
            list: bytes.to_vec(),
            len: count,
            buffer: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registers::index_rank;

    #[test]
    fn entries_map_to_dense_registers_exactly() {
        let mut h = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..10_000 {
            h = hpds_core::hash::mix64(h);
            for p in 4..=18 {
                let (i, r) = index_rank(h, p);
                assert_eq!(to_dense(entry(h), p), (i, r), "hash {h:x} p {p}");
            }
            // Hashes whose bits below the index are zero reach the rank cap.
            let z = h & !((1u64 << 50) - 1);
            for p in 4..=18 {
                assert_eq!(to_dense(entry(z), p), index_rank(z, p));
            }
        }
        for p in 4..=18 {
            assert_eq!(to_dense(entry(0), p), index_rank(0, p));
        }
    }

    #[test]
    fn flush_keeps_the_largest_rank_per_index() {
        let mut s = Sparse::default();
        for e in [5 << 6 | 3, 2 << 6 | 1, 5 << 6 | 7, 5 << 6 | 2, 9 << 6 | 1] {
            s.push(e, 64);
        }
        s.flush();
        assert_eq!(s.entries(), vec![2 << 6 | 1, 5 << 6 | 7, 9 << 6 | 1]);
        let (n, bytes) = s.encoded();
        let back = Sparse::from_encoded(n, &bytes).unwrap();
        assert_eq!(back.entries(), s.entries());
    }
}
