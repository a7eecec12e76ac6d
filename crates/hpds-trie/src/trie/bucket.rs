//! The trie's leaves: sorted, front-coded containers of key suffixes.
//!
//! A bucket is one byte vector holding its keys in increasing order, each written as a header
//! and the bytes that differ from the key before: the header gives the length `lcp` of the
//! prefix shared with the key before and the length `len` of the rest, in one byte
//! (`lcp << 4 | len`) when `lcp < 15` and `len < 16`, else as `0xff` and two LEB128 varints.
//! The first entry has `lcp = 0`. A search scans the entries once, comparing only where the key can still match; a
//! sorted scan rebuilds each key from the one before with one truncate and one copy.

use alloc::vec::Vec;

/// Reads a varint at `pos`; the bucket wrote it, so it is well formed.
#[inline]
pub(super) fn get_len(data: &[u8], pos: usize) -> (usize, usize) {
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

/// Longest header: the escape byte and two 10-byte varints.
const MAX_HEADER: usize = 21;

/// An entry header (see the module docs) in a stack buffer, and its length.
fn header(lcp: usize, len: usize) -> ([u8; MAX_HEADER], usize) {
    let mut h = [0u8; MAX_HEADER];
    if lcp < 15 && len < 16 {
        h[0] = ((lcp << 4) | len) as u8;
        return (h, 1);
    }
    h[0] = 0xff;
    let mut n = 1;
    for mut v in [lcp, len] {
        while v >= 0x80 {
            h[n] = (v as u8) | 0x80;
            v >>= 7;
            n += 1;
        }
        h[n] = v as u8;
        n += 1;
    }
    (h, n)
}

/// One entry decoded in place.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    /// Offset of the entry's first byte.
    pub at: usize,
    /// Offset of its suffix bytes.
    pub suffix: usize,
    /// Offset just past it.
    pub end: usize,
    /// Bytes shared with the previous key.
    pub lcp: usize,
}

#[inline]
pub(super) fn entry(data: &[u8], at: usize) -> Entry {
    let h = data[at];
    if h < 0xf0 {
        let suffix = at + 1;
        return Entry {
            at,
            suffix,
            end: suffix + usize::from(h & 15),
            lcp: usize::from(h >> 4),
        };
    }
    let (lcp, p) = get_len(data, at + 1);
    let (len, suffix) = get_len(data, p);
    Entry {
        at,
        suffix,
        end: suffix + len,
        lcp,
    }
}

/// Where a key is, or would go, in a bucket.
#[derive(Clone, Copy, Debug)]
pub(super) enum Probe {
    /// The key is the entry at `entry`.
    Found(Entry),
    /// The key is absent; it would go at `at`, sharing `prev` bytes with the key before and
    /// `next` bytes with the key after (which starts at `at`, if `at` is not the end).
    Absent { at: usize, prev: usize, next: usize },
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

/// A sorted, front-coded run of keys (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Bucket {
    pub data: Vec<u8>,
    pub count: u32,
}

impl Bucket {
    /// Finds `key` by one forward scan.
    ///
    /// `m` is the length of the prefix `key` shares with the last entry passed (all of which
    /// are smaller than `key`). An entry sharing more than `m` bytes with its predecessor
    /// agrees with the predecessor where `key` differs, so it is smaller too and is skipped
    /// without reading its bytes; one sharing fewer is greater, and ends the search.
    #[inline]
    pub fn probe(&self, key: &[u8]) -> Probe {
        let data = &self.data[..];
        let mut pos = 0;
        let mut m = 0;
        while pos < data.len() {
            let e = entry(data, pos);
            if e.lcp > m {
                pos = e.end;
                continue;
            }
            if e.lcp < m {
                return Probe::Absent {
                    at: pos,
                    prev: m,
                    next: e.lcp,
                };
            }
            let suffix = &data[e.suffix..e.end];
            let rest = &key[m..];
            let c = common_prefix(suffix, rest);
            if c == suffix.len() {
                if c == rest.len() {
                    return Probe::Found(e);
                }
                // The entry is a proper prefix of the key: smaller.
                m += c;
                pos = e.end;
                continue;
            }
            if c == rest.len() || suffix[c] > rest[c] {
                return Probe::Absent {
                    at: pos,
                    prev: m,
                    next: m + c,
                };
            }
            m += c;
            pos = e.end;
        }
        Probe::Absent {
            at: data.len(),
            prev: m,
            next: 0,
        }
    }

    /// Inserts `key` where [`probe`](Self::probe) said it would go, re-coding the entry after it
    /// against the new key. Grows the vector by a quarter at a time (bounded slack).
    pub fn insert_at(&mut self, key: &[u8], at: usize, prev: usize, next: usize) {
        let (h, hn) = header(prev, key.len() - prev);
        if at < self.data.len() {
            // The next entry now shares `next` bytes with `key`: drop them from it.
            let e = entry(&self.data, at);
            debug_assert!(next >= e.lcp);
            let gained = next - e.lcp;
            let (h2, hn2) = header(next, e.end - e.suffix - gained);
            self.splice(at, e.suffix + gained, &[&h[..hn], &key[prev..], &h2[..hn2]]);
        } else {
            self.splice(at, at, &[&h[..hn], &key[prev..]]);
        }
        self.count += 1;
    }

    /// Removes the entry `e` (whose key is `key`), re-coding the entry after it.
    pub fn remove_entry(&mut self, e: Entry, key: &[u8]) {
        let mut cut = e.end;
        let mut parts: [&[u8]; 2] = [&[], &[]];
        let h;
        if e.end < self.data.len() {
            let n = entry(&self.data, e.end);
            if n.lcp > e.lcp {
                // The next key shared bytes with `key` that it must now spell out itself.
                let hn;
                (h, hn) = header(e.lcp, n.end - n.suffix + (n.lcp - e.lcp));
                parts = [&h[..hn], &key[e.lcp..n.lcp]];
                cut = n.suffix;
            }
        }
        self.splice(e.at, cut, &parts);
        self.count -= 1;
        if self.data.capacity() > 64 && self.data.len() < self.data.capacity() / 2 {
            self.data.shrink_to(self.data.len() + self.data.len() / 8);
        }
    }

    /// Replaces `data[from..to]` with the concatenation of `parts`, growing by a quarter of the
    /// length (at least 32 bytes) when full.
    fn splice(&mut self, from: usize, to: usize, parts: &[&[u8]]) {
        let patch: usize = parts.iter().map(|p| p.len()).sum();
        let old = self.data.len();
        let new = old - (to - from) + patch;
        if new > self.data.capacity() {
            let want = new + (new / 4).max(32);
            self.data.reserve_exact(want - old);
        }
        if patch >= to - from {
            self.data.resize(new, 0);
            self.data.copy_within(to..old, from + patch);
        } else {
            self.data.copy_within(to..old, from + patch);
            self.data.truncate(new);
        }
        let mut at = from;
        for p in parts {
            self.data[at..at + p.len()].copy_from_slice(p);
            at += p.len();
        }
    }

    /// Builds a bucket from keys in increasing order (exact capacity).
    pub fn from_sorted<'k>(keys: impl Iterator<Item = &'k [u8]> + Clone) -> Self {
        let mut size = 0;
        let mut count = 0u32;
        let mut last: &[u8] = &[];
        for k in keys.clone() {
            let l = common_prefix(last, k);
            size += header(l, k.len() - l).1 + k.len() - l;
            count += 1;
            last = k;
        }
        let mut data = Vec::with_capacity(size);
        let mut last: &[u8] = &[];
        for k in keys {
            let l = common_prefix(last, k);
            let (h, hn) = header(l, k.len() - l);
            data.extend_from_slice(&h[..hn]);
            data.extend_from_slice(&k[l..]);
            last = k;
        }
        Bucket { data, count }
    }

    /// Where to split a bucket whose keys start with more than one byte: the offset and index of
    /// the entry that starts the second part, chosen among the entries that start a new first
    /// byte (their `lcp` is 0, so the part after them stands alone), nearest to the middle.
    pub fn split_point(&self) -> Option<(usize, u32)> {
        let half = self.count / 2;
        let mut best = None;
        let mut pos = 0;
        let mut i = 0u32;
        while pos < self.data.len() {
            let e = entry(&self.data, pos);
            if e.lcp == 0 && i > 0 {
                best = Some((pos, i));
                if i >= half {
                    break;
                }
            }
            pos = e.end;
            i += 1;
        }
        best
    }

    /// Moves the entries from offset `at` (entry index `index`, an entry with `lcp = 0`) into a
    /// new bucket.
    pub fn split_off(&mut self, at: usize, index: u32) -> Bucket {
        let right = Bucket {
            data: self.data[at..].to_vec(),
            count: self.count - index,
        };
        self.data.truncate(at);
        self.data.shrink_to(at + at / 4);
        self.count = index;
        right
    }

    /// The first byte of the first key (the bucket is not empty).
    pub fn first_byte(&self) -> Option<u8> {
        let e = entry(&self.data, 0);
        self.data[e.suffix..e.end].first().copied()
    }

    /// Length of the prefix shared by every key (that of the first and the last).
    pub fn shared_prefix(&self) -> usize {
        let first = entry(&self.data, 0);
        let first = &self.data[first.suffix..first.end];
        // Walk to the last entry, tracking the smallest `lcp` met: every key agrees with the
        // first on that many bytes.
        let mut shared = first.len();
        let mut pos = 0;
        let mut i = 0;
        while pos < self.data.len() {
            let e = entry(&self.data, pos);
            if i > 0 {
                shared = shared.min(e.lcp);
            }
            pos = e.end;
            i += 1;
        }
        shared
    }

    /// Drops the first `cut` bytes of every key (which all share them): returns whether a key
    /// was exactly those bytes (it is dropped too) and the rest.
    pub fn strip(&self, cut: usize) -> (bool, Bucket) {
        let mut out = Vec::with_capacity(self.data.len());
        let mut count = 0;
        let mut whole = false;
        let mut pos = 0;
        let mut first = true;
        while pos < self.data.len() {
            let e = entry(&self.data, pos);
            pos = e.end;
            let (lcp, suffix) = if first {
                first = false;
                if e.end - e.suffix == cut {
                    // The next key shares exactly these `cut` bytes with this one: coded as
                    // below, its `lcp` becomes 0.
                    whole = true;
                    continue;
                }
                (0, &self.data[e.suffix + cut..e.end])
            } else {
                (e.lcp - cut, &self.data[e.suffix..e.end])
            };
            let (h, hn) = header(lcp, suffix.len());
            out.extend_from_slice(&h[..hn]);
            out.extend_from_slice(suffix);
            count += 1;
        }
        out.shrink_to(out.len() + out.len() / 4);
        (whole, Bucket { data: out, count })
    }

    #[cfg(test)]
    /// Every key, in order, written into `out` as `(start, end)` spans of `flat`.
    pub fn decode_into(&self, flat: &mut Vec<u8>, out: &mut Vec<(usize, usize)>) {
        out.reserve(self.count as usize);
        flat.reserve(4 * self.data.len());
        let mut key: Vec<u8> = Vec::with_capacity(64);
        let mut pos = 0;
        while pos < self.data.len() {
            let e = entry(&self.data, pos);
            key.truncate(e.lcp);
            key.extend_from_slice(&self.data[e.suffix..e.end]);
            let start = flat.len();
            flat.extend_from_slice(&key);
            out.push((start, flat.len()));
            pos = e.end;
        }
    }

    /// The longest entry that is a prefix of `query`, as its length.
    pub fn longest_prefix(&self, query: &[u8]) -> Option<usize> {
        // The entries that are prefixes of `query` are all <= `query`: scan until past it,
        // tracking how much of `query` the current key matches.
        let data = &self.data[..];
        let mut pos = 0;
        let mut m = 0; // common prefix of `query` and the current key
        let mut best = None;
        while pos < data.len() {
            let e = entry(data, pos);
            let suffix = &data[e.suffix..e.end];
            if e.lcp > m {
                // Agrees with the previous key where `query` differs: smaller, not a prefix.
                pos = e.end;
                continue;
            }
            if e.lcp < m {
                // Differs from the previous key where that key agreed with `query`: greater.
                break;
            }
            let rest = &query[m..];
            let c = common_prefix(suffix, rest);
            if c == suffix.len() {
                best = Some(m + suffix.len());
                m += c;
            } else if c == rest.len() || suffix[c] > rest[c] {
                break;
            } else {
                m += c;
            }
            pos = e.end;
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(b: &Bucket) -> Vec<Vec<u8>> {
        let mut flat = Vec::new();
        let mut spans = Vec::new();
        b.decode_into(&mut flat, &mut spans);
        spans.iter().map(|&(s, e)| flat[s..e].to_vec()).collect()
    }

    fn insert(b: &mut Bucket, k: &[u8]) -> bool {
        match b.probe(k) {
            Probe::Found(_) => false,
            Probe::Absent { at, prev, next } => {
                b.insert_at(k, at, prev, next);
                true
            }
        }
    }

    #[test]
    fn inserts_and_removes_keep_order_and_coding() {
        let words: [&[u8]; 9] = [
            b"romane", b"romanus", b"romulus", b"", b"rom", b"rubens", b"ruber", b"a", b"romane",
        ];
        let mut b = Bucket::default();
        let mut model = alloc::collections::BTreeSet::new();
        for w in words {
            assert_eq!(insert(&mut b, w), model.insert(w.to_vec()));
            assert_eq!(keys(&b), model.iter().cloned().collect::<Vec<_>>());
        }
        for w in [&b"rom"[..], b"romane", b"", b"zzz", b"rubens"] {
            let found = match b.probe(w) {
                Probe::Found(e) => {
                    b.remove_entry(e, w);
                    true
                }
                Probe::Absent { .. } => false,
            };
            assert_eq!(found, model.remove(w));
            assert_eq!(keys(&b), model.iter().cloned().collect::<Vec<_>>());
            assert_eq!(b.count as usize, model.len());
        }
        let rebuilt = Bucket::from_sorted(model.iter().map(Vec::as_slice));
        assert_eq!(rebuilt.data, b.data);
    }

    #[test]
    fn long_lengths_use_several_bytes() {
        let long = alloc::vec![7u8; 300];
        let mut b = Bucket::default();
        insert(&mut b, &long);
        insert(&mut b, &long[..200]);
        assert_eq!(keys(&b), [long[..200].to_vec(), long.clone()]);
        assert_eq!(b.longest_prefix(&long), Some(300));
    }
}
