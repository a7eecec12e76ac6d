//! The trie's leaves: sorted containers of key suffixes, indexed by one-byte hash tags.
//!
//! A bucket keeps its keys in one byte vector, each written as its length (a LEB128 varint,
//! one byte below 128) and its bytes, in the order they were added (sorted when the bucket was
//! built by a burst). Beside it, an index holds one byte per key, a *tag* (eight bits of a hash
//! of the key), followed by each key's offset in the byte vector (four little-endian bytes),
//! both in key order. A lookup hashes the key once, compares its tag with all the tags eight
//! at a time, and reads only the keys whose tag matches (one, plus a false match per 256 keys).
//! An insertion finds its place by binary search over the offsets, appends the key to the byte
//! vector and moves only the index; a removal closes the gap. A sorted walk follows the
//! offsets.

use alloc::vec::Vec;

/// Reads a varint at `pos`; the bucket wrote it, so it is well formed.
#[inline]
fn get_len(data: &[u8], pos: usize) -> (usize, usize) {
    let b = data[pos];
    if b < 0x80 {
        return (usize::from(b), pos + 1);
    }
    let mut v = usize::from(b & 0x7f);
    let mut shift = 7;
    let mut p = pos + 1;
    loop {
        let b = data[p];
        p += 1;
        v |= usize::from(b & 0x7f) << shift;
        if b < 0x80 {
            return (v, p);
        }
        shift += 7;
    }
}

/// Longest varint of a `usize`.
const MAX_VARINT: usize = 10;

/// `v` as a varint in a stack buffer, and its length.
fn varint(mut v: usize) -> ([u8; MAX_VARINT], usize) {
    let mut h = [0u8; MAX_VARINT];
    let mut n = 0;
    while v >= 0x80 {
        h[n] = (v as u8) | 0x80;
        v >>= 7;
        n += 1;
    }
    h[n] = v as u8;
    (h, n + 1)
}

/// The key stored at `pos` and the offset just past it.
#[inline]
fn key_at(data: &[u8], pos: usize) -> (&[u8], usize) {
    let (len, start) = get_len(data, pos);
    (&data[start..start + len], start + len)
}

/// Eight bits of a multiplicative hash of `key` (its length and its bytes, eight at a time).
#[inline]
pub(super) fn tag_of(key: &[u8]) -> u8 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (key.len() as u64).wrapping_mul(K);
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h = (h.rotate_left(23) ^ w).wrapping_mul(K);
    }
    let r = chunks.remainder();
    if !r.is_empty() {
        let mut b = [0u8; 8];
        b[..r.len()].copy_from_slice(r);
        h = (h.rotate_left(23) ^ u64::from_le_bytes(b)).wrapping_mul(K);
    }
    (h >> 56) as u8
}

/// Bytes of `w` equal to the byte broadcast in `t`: the high bit of each such byte set, the
/// others clear (exact: no carries between bytes).
#[inline]
fn match8(w: u64, t: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ t;
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// Whether `a == b`, eight bytes at a time (inlined: the keys are short).
#[inline]
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        let x = u64::from_le_bytes(x.try_into().expect("8 bytes"));
        if x != u64::from_le_bytes(y.try_into().expect("8 bytes")) {
            return false;
        }
    }
    let (ra, rb) = (ca.remainder(), cb.remainder());
    ra.iter().zip(rb).all(|(x, y)| x == y)
}

/// Length of the common prefix of `a` and `b`, eight bytes at a time.
#[inline]
pub(super) fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let x = u64::from_le_bytes(a[i..i + 8].try_into().expect("8 bytes"));
        let y = u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        if x != y {
            return i + ((x ^ y).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// Bytes of index per key: the tag and the offset.
const IDX: usize = 5;

/// Makes room for `len` bytes at `at` in `v`, growing by a quarter (at least `min` bytes) when
/// full; the new bytes are zero.
fn open_gap(v: &mut Vec<u8>, at: usize, len: usize, min: usize) {
    let old = v.len();
    let new = old + len;
    if new > v.capacity() {
        let want = new + (new / 4).max(min);
        v.reserve_exact(want - old);
    }
    v.resize(new, 0);
    v.copy_within(at..old, at + len);
}

/// Removes `v[from..to]`.
fn close_gap(v: &mut Vec<u8>, from: usize, to: usize) {
    let old = v.len();
    v.copy_within(to..old, from);
    v.truncate(old - (to - from));
}

/// A sorted run of keys with a tag index (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Bucket {
    /// `n` tags, then `n` four-byte offsets into `data`, both in key order.
    idx: Vec<u8>,
    /// The keys, each a varint length and its bytes.
    pub data: Vec<u8>,
}

impl Bucket {
    /// Number of keys.
    #[inline]
    pub fn len(&self) -> usize {
        self.idx.len() / IDX
    }

    /// Offset in `data` of key `i`.
    #[inline]
    fn off(&self, i: usize) -> usize {
        let p = self.len() + 4 * i;
        u32::from_le_bytes(self.idx[p..p + 4].try_into().expect("4 bytes")) as usize
    }

    fn set_off(&mut self, i: usize, off: usize) {
        let p = self.len() + 4 * i;
        self.idx[p..p + 4].copy_from_slice(&(off as u32).to_le_bytes());
    }

    /// Key `i` in order.
    #[inline]
    pub fn key(&self, i: usize) -> &[u8] {
        key_at(&self.data, self.off(i)).0
    }

    /// Key `i` in order, if there are more than `i` keys.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let n = self.len();
        if i >= n {
            return None;
        }
        let p = n + 4 * i;
        let off = u32::from_le_bytes(self.idx[p..p + 4].try_into().expect("4 bytes"));
        Some(key_at(&self.data, off as usize).0)
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.idx.capacity() + self.data.capacity()
    }

    /// Frees spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.idx.shrink_to_fit();
        self.data.shrink_to_fit();
    }

    /// Index of `key`, by its tag.
    #[inline]
    pub fn find(&self, key: &[u8]) -> Option<usize> {
        let n = self.len();
        let t = tag_of(key);
        let tags = &self.idx[..n];
        let tt = u64::from(t) * 0x0101_0101_0101_0101;
        let mut chunks = tags.chunks_exact(8);
        let mut base = 0;
        for c in &mut chunks {
            let mut m = match8(u64::from_le_bytes(c.try_into().expect("8 tags")), tt);
            while m != 0 {
                let i = base + (m.trailing_zeros() / 8) as usize;
                if same(self.key(i), key) {
                    return Some(i);
                }
                m &= m - 1;
            }
            base += 8;
        }
        for (j, &x) in chunks.remainder().iter().enumerate() {
            if x == t && same(self.key(base + j), key) {
                return Some(base + j);
            }
        }
        None
    }

    /// Binary search for `key`: its index, or where it would go.
    #[inline]
    pub fn search(&self, key: &[u8]) -> Result<usize, usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.key(mid).cmp(key) {
                core::cmp::Ordering::Less => lo = mid + 1,
                core::cmp::Ordering::Equal => return Ok(mid),
                core::cmp::Ordering::Greater => hi = mid,
            }
        }
        Err(lo)
    }

    /// Inserts `key` as key `i` (where [`search`](Self::search) said it goes).
    pub fn insert_at(&mut self, i: usize, key: &[u8]) {
        let n = self.len();
        let at = self.data.len();
        let (h, hn) = varint(key.len());
        let size = hn + key.len();
        open_gap(&mut self.data, at, size, 32);
        self.data[at..at + hn].copy_from_slice(&h[..hn]);
        self.data[at + hn..at + size].copy_from_slice(key);
        // The offset goes in at `n + 4 i` (before the tag moves the offsets one byte on).
        open_gap(&mut self.idx, n + 4 * i, 4, 16);
        open_gap(&mut self.idx, i, 1, 0);
        self.idx[i] = tag_of(key);
        self.set_off(i, at);
    }

    /// Removes key `i`.
    pub fn remove(&mut self, i: usize) {
        let n = self.len();
        let at = self.off(i);
        let end = key_at(&self.data, at).1;
        let size = end - at;
        close_gap(&mut self.data, at, end);
        for j in 0..n {
            let o = self.off(j);
            if o > at {
                self.set_off(j, o - size);
            }
        }
        close_gap(&mut self.idx, n + 4 * i, n + 4 * i + 4);
        close_gap(&mut self.idx, i, i + 1);
        for v in [&mut self.data, &mut self.idx] {
            if v.capacity() > 64 && v.len() < v.capacity() / 2 {
                v.shrink_to(v.len() + v.len() / 8);
            }
        }
    }

    /// Builds a bucket from keys in increasing order (exact capacity).
    pub fn from_sorted<'k>(keys: impl Iterator<Item = &'k [u8]> + Clone) -> Self {
        let mut size = 0;
        let mut n = 0;
        for k in keys.clone() {
            size += varint(k.len()).1 + k.len();
            n += 1;
        }
        let mut data = Vec::with_capacity(size);
        let mut idx = Vec::with_capacity(n * IDX);
        let mut offs = Vec::with_capacity(n * 4);
        for k in keys {
            offs.extend_from_slice(&(data.len() as u32).to_le_bytes());
            idx.push(tag_of(k));
            let (h, hn) = varint(k.len());
            data.extend_from_slice(&h[..hn]);
            data.extend_from_slice(k);
        }
        idx.extend_from_slice(&offs);
        Bucket { idx, data }
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> + Clone + '_ {
        (0..self.len()).map(|i| self.key(i))
    }

    /// Where to split a bucket whose keys start with more than one byte: the index of the key
    /// that starts the second part, chosen among the keys that start a new first byte, nearest
    /// to the middle.
    pub fn split_point(&self) -> Option<usize> {
        let n = self.len();
        let first = |i: usize| self.key(i).first().copied();
        let mid = first(n / 2);
        // The first key with the middle key's first byte, and the first one after them.
        let lo = (0..n).position(|i| first(i) >= mid).unwrap_or(n);
        let hi = (lo..n).find(|&i| first(i) > mid).unwrap_or(n);
        let cands = [lo, hi].into_iter().filter(|&i| i > 0 && i < n);
        cands.min_by_key(|&i| i.abs_diff(n / 2))
    }

    /// Moves the keys from index `i` on into a new bucket.
    pub fn split_off(&mut self, i: usize) -> Bucket {
        let right = Bucket::from_sorted(self.keys().skip(i));
        let left = Bucket::from_sorted(self.keys().take(i));
        *self = left;
        right
    }

    /// The first byte of the first key, if the bucket holds a non-empty key.
    pub fn first_byte(&self) -> Option<u8> {
        if self.len() == 0 {
            return None;
        }
        self.key(0).first().copied()
    }

    /// Length of the prefix shared by every key (that of the first and the last).
    pub fn shared_prefix(&self) -> usize {
        common_prefix(self.key(0), self.key(self.len() - 1))
    }

    /// Drops the first `cut` bytes of every key (which all share them): returns whether a key
    /// was exactly those bytes (it is dropped too) and the rest.
    pub fn strip(&self, cut: usize) -> (bool, Bucket) {
        let whole = self.key(0).len() == cut;
        let rest = Bucket::from_sorted(self.keys().skip(usize::from(whole)).map(|k| &k[cut..]));
        (whole, rest)
    }

    /// The longest key that is a prefix of `query`, as its length.
    pub fn longest_prefix(&self, query: &[u8]) -> Option<usize> {
        // The keys that are prefixes of `query` sort at or before it, the longest last.
        let end = match self.search(query) {
            Ok(i) => return Some(self.key(i).len()),
            Err(i) => i,
        };
        (0..end)
            .rev()
            .map(|i| self.key(i))
            .find(|k| query.starts_with(k))
            .map(<[u8]>::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(b: &Bucket) -> Vec<Vec<u8>> {
        b.keys().map(<[u8]>::to_vec).collect()
    }

    fn insert(b: &mut Bucket, k: &[u8]) -> bool {
        match b.search(k) {
            Ok(_) => false,
            Err(i) => {
                b.insert_at(i, k);
                true
            }
        }
    }

    #[test]
    fn inserts_and_removes_keep_order_and_index() {
        let words: [&[u8]; 9] = [
            b"romane", b"romanus", b"romulus", b"", b"rom", b"rubens", b"ruber", b"a", b"romane",
        ];
        let mut b = Bucket::default();
        let mut model = alloc::collections::BTreeSet::new();
        for w in words {
            assert_eq!(insert(&mut b, w), model.insert(w.to_vec()));
            assert_eq!(keys(&b), model.iter().cloned().collect::<Vec<_>>());
            for (i, k) in model.iter().enumerate() {
                assert_eq!(b.find(k), Some(i));
            }
        }
        for w in [&b"rom"[..], b"romane", b"", b"zzz", b"rubens"] {
            let found = match b.find(w) {
                Some(i) => {
                    b.remove(i);
                    true
                }
                None => false,
            };
            assert_eq!(found, model.remove(w));
            assert_eq!(keys(&b), model.iter().cloned().collect::<Vec<_>>());
            assert_eq!(b.len(), model.len());
        }
        let rebuilt = Bucket::from_sorted(model.iter().map(Vec::as_slice));
        assert!(rebuilt.keys().eq(b.keys()));
        assert_eq!(&rebuilt.idx[..b.len()], &b.idx[..b.len()]);
    }

    #[test]
    fn many_keys_found_by_tag() {
        let mut b = Bucket::default();
        let ks: Vec<Vec<u8>> = (0..100u32)
            .map(|i| alloc::format!("key{}", i * 37 % 100).into_bytes())
            .collect();
        for k in &ks {
            assert!(insert(&mut b, k));
        }
        for k in &ks {
            assert_eq!(b.key(b.find(k).unwrap()), &k[..]);
        }
        assert_eq!(b.find(b"key100"), None);
        assert_eq!(b.split_point(), None);
        let mut c = b.clone();
        c.insert_at(0, b"a");
        assert_eq!(c.split_point(), Some(1));
    }

    #[test]
    fn long_lengths_use_several_bytes() {
        let long = alloc::vec![7u8; 300];
        let mut b = Bucket::default();
        insert(&mut b, &long);
        insert(&mut b, &long[..200]);
        assert_eq!(keys(&b), [long[..200].to_vec(), long.clone()]);
        assert_eq!(b.longest_prefix(&long), Some(300));
        assert_eq!(b.longest_prefix(&long[..250]), Some(200));
        assert_eq!(b.longest_prefix(&long[..150]), None);
    }
}
