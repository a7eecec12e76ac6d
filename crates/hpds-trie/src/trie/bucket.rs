//! The trie's leaves: array hash tables of key suffixes, as in the HAT-trie, that also keep
//! their keys in order.
//!
//! A bucket keeps its keys in one byte vector (at most 64 KiB), each written as its length
//! (a LEB128 varint, one byte below 128) and its bytes, in the order they were added. Two
//! indexes point into it with 16-bit offsets:
//!
//! - an open-addressed hash table for lookups: *groups* of eight tag bytes followed by eight
//!   offsets (24 bytes). A key's hash picks its home group and its tag (eight bits of the
//!   hash, never 0 or 1: 0 marks an empty slot, 1 a removed one). A lookup compares the tag
//!   with the group's eight tags at once and reads only the keys whose tag matches (about
//!   one), going on to the next group only while the group is full;
//! - the order: one four-byte entry per key, in three parts. The sorted *run* holds the
//!   older keys, each entry the key's first two bytes (big-endian, zero-padded) above its
//!   offset, so that a binary search compares cached bytes and reads a key only where two
//!   share their first two bytes. The *tail* (at most 128 keys) holds newer keys in key
//!   order, each entry the key's place in the run (how many run keys sort before it) above
//!   its offset. The *inbox* (fewer than 64 keys) holds the newest, as run entries, in the
//!   order they came.
//!
//! An insertion probes the table, appends the key, fills a free slot and appends its entry
//! to the inbox. When the inbox fills, its keys are sorted (by their first eight bytes as
//! integers, then by the next eight where those tie, keys compared only where both tie),
//! each is placed in the run by a binary merge (a jump of the run's length over the
//! inbox's, then a binary search of it, each comparison starting after the bytes the key is
//! known to share with both ends of the range), and the inbox is merged into the tail. When the tail fills, its entries go to their places in
//! the run in one pass from the back, without comparing keys. A removal leaves its bytes
//! and a tombstone until they are a large share of the bucket, which is then rebuilt. A
//! sorted walk takes the tail as it is, places a sorted copy of the inbox the same way when
//! it enters a bucket (a [`TailView`]), then reads run and tail in turn without comparing
//! keys.

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

#[inline]
fn le32(b: &[u8], at: usize) -> u64 {
    u64::from(u32::from_le_bytes(
        b[at..at + 4].try_into().expect("4 bytes"),
    ))
}

/// A 64-bit multiplicative hash of `key` (its length and its bytes, eight at a time; the
/// last one to seven bytes read as two overlapping words, without a copy).
#[inline]
fn hash(key: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let n = key.len();
    let mut h = (n as u64).wrapping_mul(K);
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h = (h.rotate_left(23) ^ w).wrapping_mul(K);
    }
    let r = chunks.remainder();
    let m = r.len();
    if m > 0 {
        // Injective for a given length: four bytes from each end, or three bytes.
        let w = if m >= 4 {
            le32(r, 0) | (le32(r, m - 4) << 32)
        } else {
            u64::from(r[0]) | (u64::from(r[m / 2]) << 8) | (u64::from(r[m - 1]) << 16)
        };
        h = (h.rotate_left(23) ^ w).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// Bytes of `w` equal to the byte broadcast in `t`: the high bit of each such byte set, the
/// others clear (exact: no carries between bytes).
#[inline]
fn match8(w: u64, t: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ t;
    !(((x & LOW7) + LOW7) | x | LOW7)
}

const ONES: u64 = 0x0101_0101_0101_0101;

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

/// `a.cmp(b)`, eight bytes at a time (inlined: the keys are short).
#[inline]
fn lex_cmp(a: &[u8], b: &[u8]) -> core::cmp::Ordering {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let x = u64::from_be_bytes(a[i..i + 8].try_into().expect("8 bytes"));
        let y = u64::from_be_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        if x != y {
            return x.cmp(&y);
        }
        i += 8;
    }
    while i < n {
        if a[i] != b[i] {
            return a[i].cmp(&b[i]);
        }
        i += 1;
    }
    a.len().cmp(&b.len())
}

/// The first two bytes of `key`, big-endian, zero-padded: ordering these orders the keys
/// wherever they differ in their first two bytes.
#[inline]
fn head(key: &[u8]) -> u32 {
    match key {
        [] => 0,
        [a] => u32::from(*a) << 8,
        [a, b, ..] => (u32::from(*a) << 8) | u32::from(*b),
    }
}

/// Bytes 2 to 9 of `key`, big-endian, zero-padded: with [`head`], ordering these orders the
/// keys wherever they differ in their first ten bytes.
#[inline]
fn word(key: &[u8]) -> u64 {
    word_at(key, 2)
}

/// Bytes `from..from + 8` of `key`, big-endian, zero-padded past its end.
#[inline]
fn word_at(key: &[u8], from: usize) -> u64 {
    let mut b = [0u8; 8];
    for (d, s) in b.iter_mut().zip(key.iter().skip(from)) {
        *d = *s;
    }
    u64::from_be_bytes(b)
}

/// [`word_at`] of the key `data[start..start + len]`, read as one 8-byte load (masked to
/// the key's own bytes) where `data` has eight bytes there.
#[inline(always)]
fn stored_word_at(data: &[u8], start: usize, len: usize, from: usize) -> u64 {
    match data.get(start + from..start + from + 8) {
        Some(b) if len >= from => {
            let w = u64::from_be_bytes(b.try_into().expect("8 bytes"));
            let own = len - from;
            if own >= 8 {
                w
            } else {
                w & !(u64::MAX >> (8 * own))
            }
        }
        _ => word_at(&data[start..start + len], from),
    }
}

/// Slots per group.
const GROUP: usize = 8;
/// Bytes per group: eight tags, eight two-byte offsets.
const STRIDE: usize = GROUP * 3;
/// Tag of an empty slot.
const EMPTY: u8 = 0;
/// Tag of a removed key's slot.
const GONE: u8 = 1;
/// Most keys in a bucket's tail before it is merged into the run.
const TAIL: usize = if cfg!(test) { 8 } else { 128 };
/// Most keys in a bucket's inbox before they are placed in the tail.
const INBOX: usize = if cfg!(test) { 3 } else { 64 };
/// Most slots in use (keys and tombstones) per group, on average, before the table doubles.
const MAX_LOAD: usize = 7;
/// Most bytes of keys a bucket may hold where a key starts (offsets are 16-bit); the trie
/// bursts a bucket before it gets there.
pub(super) const MAX_OFFSET: usize = u16::MAX as usize;

/// The tag of a hash: its top byte, kept clear of [`EMPTY`] and [`GONE`].
#[inline]
fn tag(h: u64) -> u8 {
    ((h >> 56) as u8).max(2)
}

/// Groups for a table built for `n` keys: room for twice as many before it grows (a bucket
/// made by a burst grows to about twice its keys before it bursts again).
fn groups_for(n: usize) -> usize {
    (2 * n).div_ceil(MAX_LOAD)
}

/// Groups after growing a table of `groups`: twice as many.
fn grown(groups: usize) -> usize {
    2 * groups + 1
}

/// The home group of hash `h` in a table of `groups` groups (multiply-shift: any count).
#[inline]
fn home(h: u64, groups: usize) -> usize {
    (((h & 0xffff_ffff) * groups as u64) >> 32) as usize
}

/// Reserves room for `more` elements, growing by a quarter (not double), so the slack stays
/// near a tenth.
fn reserve<T>(v: &mut Vec<T>, more: usize, min: usize) {
    let want = v.len() + more;
    if want > v.capacity() {
        v.reserve_exact((want + want / 4).max(min) - v.len());
    }
}

/// A bucket's tail in key order, with each entry's place in the run: what a walk needs to
/// read the bucket's keys in order without comparing them. One per walk, refilled for each
/// bucket it enters.
#[derive(Clone, Debug, Default)]
pub(super) struct TailView {
    /// The tail's entries in key order, each after its place in the run (how many run
    /// entries sort before it).
    pub placed: Vec<(u32, u32)>,
}

/// A hash table of key suffixes that keeps their order (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Bucket {
    /// Groups of eight tags and eight two-byte offsets.
    slots: Vec<u8>,
    /// One entry per key, the first two bytes above the offset: the run (the first `run`
    /// entries, in key order), then the tail (the newer keys, in the order they came).
    ord: Vec<u32>,
    /// Entries in the run.
    run: u32,
    /// Entries in the tail, after the run; the entries after it are the inbox.
    tail: u32,
    /// The keys, each a varint length and its bytes; removed keys' bytes stay until a rebuild.
    pub data: Vec<u8>,
    /// Slots holding a key or a tombstone.
    used: u32,
    /// Bytes of `data` that belong to removed keys.
    dead: u32,
}

impl Bucket {
    /// Number of keys.
    #[inline]
    pub fn len(&self) -> usize {
        self.ord.len()
    }

    #[inline]
    fn groups(&self) -> usize {
        self.slots.len() / STRIDE
    }

    /// The key stored at offset `off` of the byte vector.
    #[inline]
    fn key_at(&self, off: u32) -> &[u8] {
        key_at(&self.data, (off & 0xffff) as usize).0
    }

    /// Key `i` in order; the bucket must be [settled](Self::settle).
    #[inline]
    pub fn key(&self, i: usize) -> &[u8] {
        debug_assert!(self.run as usize == self.ord.len());
        self.key_at(self.ord[i])
    }

    /// The run and the entries after it (tail and inbox).
    #[inline]
    fn parts(&self) -> (&[u32], &[u32]) {
        self.ord.split_at(self.run as usize)
    }

    /// The run, the tail and the inbox.
    #[inline]
    fn parts3(&self) -> (&[u32], &[u32], &[u32]) {
        let (run, rest) = self.parts();
        let (tail, inbox) = rest.split_at(self.tail as usize);
        (run, tail, inbox)
    }

    /// Entry `e`'s key as its length, its offset in `data` and its bytes 2 to 9 (see
    /// [`word`]).
    #[inline(always)]
    fn probe_key(&self, e: u32) -> (usize, usize, u64) {
        let (len, start) = self.span(e);
        (len, start, stored_word_at(&self.data, start, len, 2))
    }

    /// Entry `e`'s key length and its offset in `data`.
    #[inline(always)]
    fn span(&self, e: u32) -> (usize, usize) {
        let off = (e & 0xffff) as usize;
        match self.data[off] {
            l @ 0..0x80 => (usize::from(l), off + 1),
            _ => get_len(&self.data, off),
        }
    }

    /// Whether entry `e`'s key, whose first two bytes are those of `key`, sorts before `key`
    /// (whose [`word`] is `kw`): its bytes 2 to 9 decide, else its length where one key ends
    /// within them (it is then a prefix of the other), else the rest.
    #[inline(never)]
    fn tie_less(&self, e: u32, key: &[u8], kw: u64) -> bool {
        let (len, start, w) = self.probe_key(e);
        if w != kw {
            return w < kw;
        }
        if len.min(key.len()) <= 10 {
            return len < key.len();
        }
        lex_cmp(&self.data[start + 10..start + len], &key[10..]).is_lt()
    }

    /// Fills `view` with the tail and the inbox in key order, each entry after its place in
    /// the run, for a walk: the tail as it is, the inbox sorted and placed (a few keys).
    pub fn view_tail(&self, view: &mut TailView) {
        let (run, tail, inbox) = self.parts3();
        view.placed.clear();
        let tail = tail.iter().map(|&e| (e >> 16, e & 0xffff));
        if inbox.is_empty() {
            view.placed.extend(tail);
            return;
        }
        let mut new = Vec::with_capacity(inbox.len());
        self.place_tail(run, inbox, &mut new);
        let mut new = new.into_iter().peekable();
        for t in tail {
            while let Some(&n) = new.peek() {
                if self.placed_before(n, t) {
                    view.placed.push(n);
                    new.next();
                } else {
                    break;
                }
            }
            view.placed.push(t);
        }
        view.placed.extend(new);
    }

    /// Whether the placed entry `a` sorts before the placed entry `b` (each its place in the
    /// run and its entry): their places decide, else their keys.
    #[inline]
    fn placed_before(&self, a: (u32, u32), b: (u32, u32)) -> bool {
        a.0 < b.0 || (a.0 == b.0 && self.key_at(a.1) < self.key_at(b.1))
    }

    /// Whether the run entry `r`'s key sorts before the key of entry `t.1` (not in the run;
    /// `t.0` its [`prefix_word`](Self::prefix_word)), whose length and offset in `data` are
    /// `tk`, and the length of their common prefix (a
    /// lower bound where the cached first bytes decide). Both keys are known to share their
    /// first `from` bytes, so only the bytes after those are read: the next eight of each as
    /// big-endian integers (zero-padded), which decide unless they tie.
    #[inline]
    fn run_before(&self, r: u32, t: (u64, u32), tk: (usize, usize), from: usize) -> (bool, usize) {
        if from < 2 {
            let (th, rh) = (t.1 >> 16, r >> 16);
            if th != rh {
                return (rh < th, 0);
            }
        }
        let (len, start) = self.span(r);
        let n = len.min(tk.0);
        let wr = stored_word_at(&self.data, start, len, from);
        let wt = if from == 0 {
            t.0
        } else {
            stored_word_at(&self.data, tk.1, tk.0, from)
        };
        if wr != wt {
            let l = from + ((wr ^ wt).leading_zeros() / 8) as usize;
            return (wr < wt, l.min(n));
        }
        if n <= from + 8 {
            // One key ends within the eight bytes: it is a prefix of the other.
            return (len < tk.0, n);
        }
        let (rk, key) = (
            &self.data[start + from + 8..start + len],
            &self.data[tk.1 + from + 8..tk.1 + tk.0],
        );
        let l = from + 8 + common_prefix(rk, key);
        // A key that ends at `l` is a prefix of the other; else their bytes at `l` differ.
        let before = if l == len || l == tk.0 {
            l == len
        } else {
            self.data[start + l] < self.data[tk.1 + l]
        };
        (before, l)
    }

    /// Entry `e`'s key's first eight bytes, big-endian, zero-padded (ordering these orders
    /// the keys wherever they differ in their first eight bytes).
    #[inline(always)]
    fn prefix_word(&self, e: u32) -> u64 {
        let (len, start) = self.span(e);
        stored_word_at(&self.data, start, len, 0)
    }

    /// The entries of `tail` in key order, each with its key's
    /// [`prefix_word`](Self::prefix_word), into `out`: sorted as integers (prefix word above
    /// entry), then each group of keys whose first eight bytes tie sorted by their keys.
    fn sort_tail(&self, tail: &[u32], out: &mut Vec<(u64, u32)>) {
        let mut v = [0u128; INBOX + 1];
        for (x, &e) in v.iter_mut().zip(tail) {
            *x = (u128::from(self.prefix_word(e)) << 32) | u128::from(e);
        }
        let v = &mut v[..tail.len()];
        v.sort_unstable();
        let mut i = 0;
        while i < v.len() {
            let w = v[i] >> 32;
            let mut j = i + 1;
            while j < v.len() && v[j] >> 32 == w {
                j += 1;
            }
            if j - i > 1 {
                self.sort_ties(&mut v[i..j]);
            }
            i = j;
        }
        out.clear();
        out.extend(v.iter().map(|&x| ((x >> 32) as u64, x as u32)));
    }

    /// Sorts entries (each its prefix word above the entry) whose keys' first eight bytes
    /// are equal (unless a key is shorter) by their keys: by their next eight bytes as
    /// integers, then where those tie too by their keys from byte 16.
    fn sort_ties(&self, v: &mut [u128]) {
        let word8 = |x: u128| {
            let (len, start) = self.span(x as u32);
            stored_word_at(&self.data, start, len, 8)
        };
        let mut w = [0u128; INBOX + 1];
        let w = &mut w[..v.len()];
        for (y, &x) in w.iter_mut().zip(v.iter()) {
            *y = (u128::from(word8(x)) << 32) | (x & 0xffff_ffff);
        }
        w.sort_unstable();
        let mut i = 0;
        while i < w.len() {
            let mut j = i + 1;
            while j < w.len() && w[j] >> 32 == w[i] >> 32 {
                j += 1;
            }
            if j - i > 1 {
                w[i..j].sort_unstable_by(|&a, &b| {
                    let (a, b) = (self.key_at(a as u32), self.key_at(b as u32));
                    match (a.get(16..), b.get(16..)) {
                        (Some(x), Some(y)) => lex_cmp(x, y),
                        _ => lex_cmp(a, b),
                    }
                });
            }
            i = j;
        }
        let high = v[0] & !0xffff_ffff;
        for (x, &y) in v.iter_mut().zip(w.iter()) {
            *x = high | (y & 0xffff_ffff);
        }
    }

    /// Each entry of `tail` with its place in `run` (how many run entries sort before it),
    /// in key order, into `out`: the tail sorted, then each tail key placed from the place
    /// of the one before by a binary merge, comparing cached bytes and reading a run key
    /// only where its two cached bytes tie with the tail key's, from the first byte where
    /// the two may differ.
    fn place_tail(&self, run: &[u32], tail: &[u32], out: &mut Vec<(u32, u32)>) {
        let mut sorted = Vec::with_capacity(tail.len());
        self.sort_tail(tail, &mut sorted);
        out.clear();
        // Jumps of the run's length over the tail's: about one per tail key, then a binary
        // search of the last jump (Hwang and Lin's binary merge). Every run key between two
        // that share `m` bytes with the tail key shares them too, so a comparison starts
        // there: keys that share long prefixes are read from where they may differ.
        let n = run.len();
        let g = (n / sorted.len().max(1)).max(1);
        let mut at = 0;
        for &t in &sorted {
            let tk = self.span(t.1);
            // Common prefixes with the run keys just before `at` and at `hi` (0: unknown).
            let mut lo_lcp = 0;
            let mut hi = n;
            let mut hi_lcp = 0;
            while at + g <= n {
                let (before, l) = self.run_before(run[at + g - 1], t, tk, 0);
                if !before {
                    hi = at + g - 1;
                    hi_lcp = l;
                    break;
                }
                at += g;
                lo_lcp = l;
            }
            // Binary search of run[at..hi]: the first entry after the key.
            while at < hi {
                let mid = at + (hi - at) / 2;
                let (before, l) = self.run_before(run[mid], t, tk, lo_lcp.min(hi_lcp));
                if before {
                    at = mid + 1;
                    lo_lcp = l;
                } else {
                    hi = mid;
                    hi_lcp = l;
                }
            }
            out.push((at as u32, t.1));
        }
    }

    /// The run: the first entries, in key order.
    #[inline]
    pub fn run(&self) -> &[u32] {
        &self.ord[..self.run as usize]
    }

    /// Where the keys from `key` on start, in the run and in the placed tail of `view`.
    pub fn lower_bound(&self, key: &[u8], view: &TailView) -> (usize, usize) {
        let run = match self.search_in(&self.ord[..self.run as usize], key) {
            Ok(i) | Err(i) => i,
        };
        // Tail entries at a place before `run` sort before `key`; at `run`, compare.
        let tail = view.placed.partition_point(|&(at, e)| {
            (at as usize) < run || (at as usize == run && self.key_at(e) < key)
        });
        (run, tail)
    }

    /// Checks the indexes: the run strictly increasing, the tail within its bound, every
    /// entry's cached bytes right and every key found by its hash.
    #[cfg(test)]
    pub fn assert_valid(&self) {
        let (run, tail, inbox) = self.parts3();
        assert!(tail.len() <= TAIL, "tail too long");
        assert!(inbox.len() < INBOX, "inbox too long");
        for w in run.windows(2) {
            assert!(
                self.key_at(w[0]) < self.key_at(w[1]),
                "entries out of order"
            );
        }
        for w in tail.windows(2) {
            assert!(
                self.placed_before((w[0] >> 16, w[0]), (w[1] >> 16, w[1])),
                "tail out of order"
            );
        }
        for &e in tail {
            let (k, at) = (self.key_at(e), (e >> 16) as usize);
            assert!(
                at == 0 || self.key_at(run[at - 1]) < k,
                "tail entry placed late"
            );
            assert!(
                at == run.len() || k < self.key_at(run[at]),
                "tail entry placed early"
            );
        }
        for part in [run, inbox] {
            for &e in part {
                assert_eq!(e >> 16, head(self.key_at(e)), "stale cached bytes");
            }
        }
        for &e in &self.ord {
            assert!(self.contains(self.key_at(e)), "key missing from the table");
        }
        let live = (0..self.groups() * GROUP)
            .filter(|&i| self.slots[i / GROUP * STRIDE + i % GROUP] > GONE)
            .count();
        assert_eq!(live, self.len(), "slots and entries disagree");
    }

    /// The keys in order.
    #[cfg(test)]
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let mut view = TailView::default();
        self.view_tail(&mut view);
        self.keys_from((0, 0), view)
    }

    /// The keys in order from `pos` (in the run and in the placed tail of `view`).
    #[cfg(test)]
    fn keys_from(&self, pos: (usize, usize), view: TailView) -> impl Iterator<Item = &[u8]> {
        let (mut r, mut t) = pos;
        core::iter::from_fn(move || {
            let e = match view.placed.get(t) {
                Some(&(at, e)) if at as usize == r => {
                    t += 1;
                    e
                }
                _ => {
                    r += 1;
                    *self.run().get(r - 1)?
                }
            };
            Some(self.key_at(e))
        })
    }

    #[inline]
    fn off(&self, g: usize, j: usize) -> u32 {
        let p = g * STRIDE + GROUP + 2 * j;
        u32::from(u16::from_le_bytes([self.slots[p], self.slots[p + 1]]))
    }

    fn set_slot(&mut self, g: usize, j: usize, t: u8, off: usize) {
        let p = g * STRIDE;
        self.slots[p + j] = t;
        let p = p + GROUP + 2 * j;
        self.slots[p..p + 2].copy_from_slice(&(off as u16).to_le_bytes());
    }

    /// The slot (group, index) holding `key` (whose hash is `h`), or `Err` with the first free
    /// slot of its probe sequence (if the table has any group).
    #[inline]
    fn probe(&self, key: &[u8], h: u64) -> Result<(usize, usize), Option<(usize, usize)>> {
        let groups = self.groups();
        if groups == 0 {
            return Err(None);
        }
        let t = u64::from(tag(h)) * ONES;
        let mut g = home(h, groups);
        let mut free = None;
        for _ in 0..groups {
            let p = g * STRIDE;
            let w = u64::from_le_bytes(self.slots[p..p + GROUP].try_into().expect("8 tags"));
            let mut m = match8(w, t);
            while m != 0 {
                let j = (m.trailing_zeros() / 8) as usize;
                if same(self.key_at(self.off(g, j)), key) {
                    return Ok((g, j));
                }
                m &= m - 1;
            }
            // Tags 0 and 1 (empty or removed) have no bit above the lowest.
            let open = match8(w & 0xfefe_fefe_fefe_fefe, 0);
            if free.is_none() && open != 0 {
                free = Some((g, (open.trailing_zeros() / 8) as usize));
            }
            if match8(w, 0) != 0 {
                return Err(free);
            }
            g += 1;
            if g == groups {
                g = 0;
            }
        }
        Err(free)
    }

    /// Whether `key` is in the bucket.
    #[inline]
    pub fn contains(&self, key: &[u8]) -> bool {
        self.probe(key, hash(key)).is_ok()
    }

    /// Binary search of the sorted entries `part` for `key`: its index, or where it would go.
    #[inline]
    fn search_in(&self, part: &[u32], key: &[u8]) -> Result<usize, usize> {
        // Entries compare by their cached first bytes; keys are read only where those tie.
        let (hk, kw) = (head(key), word(key));
        let i = part.partition_point(|&e| {
            let h = e >> 16;
            h < hk || (h == hk && self.tie_less(e, key, kw))
        });
        match part.get(i) {
            Some(&e) if e >> 16 == hk && same(self.key_at(e), key) => Ok(i),
            _ => Err(i),
        }
    }

    /// Binary search of a [settled](Self::settle) bucket for `key`: its index, or where it
    /// would go.
    #[cfg(test)]
    pub fn search(&self, key: &[u8]) -> Result<usize, usize> {
        self.search_in(&self.ord, key)
    }

    /// Places the inbox's entries in the tail: sorted, each placed in the run (see
    /// [`place_tail`](Self::place_tail)), then merged with the tail from the back.
    fn flush_inbox(&mut self) {
        let (run, tail, inbox) = self.parts3();
        if inbox.is_empty() {
            return;
        }
        let mut new = Vec::with_capacity(inbox.len());
        self.place_tail(run, inbox, &mut new);
        let (run, mut i) = (run.len(), tail.len());
        let mut k = i + new.len(); // tail entries written: ord[run + k..]
        while let Some(&n) = new.last() {
            let t = i.checked_sub(1).map(|j| self.ord[run + j]);
            match t {
                Some(t) if self.placed_before(n, (t >> 16, t)) => {
                    i -= 1;
                    self.ord[run + i + new.len()] = t;
                }
                _ => {
                    self.ord[run + i + new.len() - 1] = (n.0 << 16) | (n.1 & 0xffff);
                    new.pop();
                }
            }
            k -= 1;
        }
        debug_assert_eq!(k, i);
        self.tail = (self.ord.len() - run) as u32;
    }

    /// Merges the inbox and the tail into the run, so that [`key`](Self::key) reads keys in
    /// order: from the back, each tail entry goes to its place and the run entries after it
    /// move once, without comparing keys.
    pub fn settle(&mut self) {
        self.flush_inbox();
        let run = self.run as usize;
        let n = self.ord.len();
        if run == n {
            return;
        }
        let mut tail = [0u32; TAIL + INBOX];
        let tail = &mut tail[..n - run];
        tail.copy_from_slice(&self.ord[run..]);
        let mut end = run; // run entries not yet moved: ord[..end]
        for (k, &e) in tail.iter().enumerate().rev() {
            let p = (e >> 16) as usize;
            self.ord.copy_within(p..end, p + k + 1);
            let off = e & 0xffff;
            self.ord[p + k] = (head(self.key_at(off)) << 16) | off;
            end = p;
        }
        self.run = n as u32;
        self.tail = 0;
    }

    /// Adds `key`; returns `true` if it was not present. The bytes before the key must be
    /// at most [`MAX_OFFSET`].
    pub fn insert(&mut self, key: &[u8]) -> bool {
        let h = hash(key);
        let Err(free) = self.probe(key, h) else {
            return false;
        };
        let at = self.data.len();
        debug_assert!(at <= MAX_OFFSET);
        let reuse = match free {
            Some((g, j)) if self.slots[g * STRIDE + j] == GONE => free,
            Some(_) if (self.used as usize) < self.groups() * MAX_LOAD => free,
            _ => None,
        };
        let (g, j) = reuse.unwrap_or_else(|| {
            self.rehash(grown(self.groups()));
            self.probe(key, h)
                .expect_err("absent")
                .expect("a grown table has room")
        });
        if self.slots[g * STRIDE + j] == EMPTY {
            self.used += 1;
        }
        let (lh, ln) = varint(key.len());
        reserve(&mut self.data, ln + key.len(), 64);
        self.data.extend_from_slice(&lh[..ln]);
        self.data.extend_from_slice(key);
        self.set_slot(g, j, tag(h), at);
        reserve(&mut self.ord, 1, 4);
        self.ord.push((head(key) << 16) | at as u32);
        if self.ord.len() - (self.run + self.tail) as usize >= INBOX {
            self.flush_inbox();
            if self.tail as usize >= TAIL {
                self.settle();
            }
        }
        true
    }

    /// Removes `key`; returns `true` if it was present.
    pub fn remove(&mut self, key: &[u8]) -> bool {
        let Ok((g, j)) = self.probe(key, hash(key)) else {
            return false;
        };
        let off = self.off(g, j) as usize;
        let size = key_at(&self.data, off).1 - off;
        self.set_slot(g, j, GONE, 0);
        let run = self.run as usize;
        let tail = self.tail as usize;
        if let Some(i) = self.ord[run..]
            .iter()
            .position(|&e| (e & 0xffff) as usize == off)
        {
            self.ord.remove(run + i);
            if i < tail {
                self.tail -= 1;
            }
        } else {
            let i = self.search_in(&self.ord[..run], key).expect("present");
            self.ord.remove(i);
            self.run -= 1;
            // Tail entries placed after the removed run entry move one place down.
            for e in &mut self.ord[run - 1..run - 1 + tail] {
                if (*e >> 16) as usize > i {
                    *e -= 1 << 16;
                }
            }
        }
        self.dead += size as u32;
        if self.ord.is_empty() {
            *self = Bucket::default();
        } else if 2 * self.dead as usize > self.data.len() || 4 * self.len() < self.used as usize {
            self.settle();
            *self = Self::from_entries(&self.data, &self.ord, 0);
        }
        true
    }

    /// Rebuilds the hash table with `groups` groups; the keys stay.
    fn rehash(&mut self, groups: usize) {
        let groups = groups.max(self.len().div_ceil(MAX_LOAD)).max(1);
        self.slots.clear();
        self.slots.reserve_exact(groups * STRIDE);
        self.slots.resize(groups * STRIDE, 0);
        self.used = self.len() as u32;
        for i in 0..self.ord.len() {
            let off = self.ord[i] & 0xffff;
            let h = hash(self.key_at(off));
            // The keys are distinct: each goes in the first empty slot of its probe sequence.
            let mut g = home(h, groups);
            loop {
                let p = g * STRIDE;
                let w = u64::from_le_bytes(self.slots[p..p + GROUP].try_into().expect("8 tags"));
                let open = match8(w, 0);
                if open != 0 {
                    self.set_slot(
                        g,
                        (open.trailing_zeros() / 8) as usize,
                        tag(h),
                        off as usize,
                    );
                    break;
                }
                g += 1;
                if g == groups {
                    g = 0;
                }
            }
        }
    }

    /// A bucket of the keys of entries `es` of a bucket whose bytes are `data`, in order,
    /// each without its first `cut` bytes (exact capacities). Keys are written in order,
    /// except that the longest goes last when the bytes pass [`MAX_OFFSET`], so every key
    /// starts within it as long as the others' bytes do.
    fn from_entries(data: &[u8], es: &[u32], cut: usize) -> Self {
        let mut size = 0;
        let mut longest = (0, 0);
        for (i, &e) in es.iter().enumerate() {
            let l = get_len(data, (e & 0xffff) as usize).0 - cut;
            size += varint(l).1 + l;
            if l > longest.1 {
                longest = (i, l);
            }
        }
        let last = (size > MAX_OFFSET).then_some(longest.0);
        let mut b = Bucket {
            slots: Vec::new(),
            ord: Vec::with_capacity(es.len()),
            run: es.len() as u32,
            tail: 0,
            data: Vec::with_capacity(size),
            used: 0,
            dead: 0,
        };
        let put = |b: &mut Bucket, e: u32| {
            let from = (e & 0xffff) as usize;
            let (k, end) = key_at(data, from);
            let at = b.data.len();
            let k = &k[cut..];
            if cut == 0 {
                // The length and the bytes as they are.
                b.data.extend_from_slice(&data[from..end]);
            } else {
                let (lh, ln) = varint(k.len());
                b.data.extend_from_slice(&lh[..ln]);
                b.data.extend_from_slice(k);
            }
            (head(k) << 16) | at as u32
        };
        for (i, &e) in es.iter().enumerate() {
            if Some(i) == last {
                b.ord.push(0);
            } else {
                let x = put(&mut b, e);
                b.ord.push(x);
            }
        }
        if let Some(i) = last {
            b.ord[i] = put(&mut b, es[i]);
        }
        b.rehash(groups_for(es.len()));
        b
    }

    /// A bucket of `keys` (small ones: each must start within [`MAX_OFFSET`]).
    #[cfg(test)]
    pub fn from_keys<'k>(keys: impl Iterator<Item = &'k [u8]>) -> Self {
        let mut b = Bucket::default();
        for k in keys {
            b.insert(k);
        }
        b.settle();
        b
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() + self.ord.capacity() * 4 + self.data.capacity()
    }

    /// Frees spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.settle();
        if self.dead > 0 {
            *self = Self::from_entries(&self.data, &self.ord, 0);
        }
        self.slots.shrink_to_fit();
        self.ord.shrink_to_fit();
        self.data.shrink_to_fit();
    }

    /// Where to split a bucket whose keys start with more than one byte: the index of the key
    /// that starts the second part, chosen among the keys that start a new first byte, nearest
    /// to the middle.
    pub fn split_point(&self) -> Option<usize> {
        self.split_point_after(0, 0)
    }

    /// [`split_point`](Self::split_point) of the keys from index `from` on, each read
    /// without its first `cut` bytes (a settled bucket): an index counted from `from`.
    fn split_point_after(&self, from: usize, cut: usize) -> Option<usize> {
        let es = &self.ord[from..];
        let n = es.len();
        let byte = |e: u32| self.key_at(e).get(cut).copied();
        let mid = byte(*es.get(n / 2)?);
        // The first key with the middle key's byte, and the first one after them.
        let lo = es.partition_point(|&e| byte(e) < mid);
        let hi = es.partition_point(|&e| byte(e) <= mid);
        let cands = [lo, hi].into_iter().filter(|&i| i > 0 && i < n);
        cands.min_by_key(|&i| i.abs_diff(n / 2))
    }

    /// Moves the keys from index `i` on into a new bucket.
    pub fn split_off(&mut self, i: usize) -> Bucket {
        let right = Bucket::from_entries(&self.data, &self.ord[i..], 0);
        let left = Bucket::from_entries(&self.data, &self.ord[..i], 0);
        *self = left;
        right
    }

    /// The number of keys and of bytes that [`strip`](Self::strip) would leave with `cut`.
    pub fn stripped_size(&self, cut: usize) -> (usize, usize) {
        let from = usize::from(self.key(0).len() == cut);
        let size = self.ord[from..]
            .iter()
            .map(|&e| {
                let l = get_len(&self.data, (e & 0xffff) as usize).0 - cut;
                varint(l).1 + l
            })
            .sum();
        (self.len() - from, size)
    }

    /// [`strip`](Self::strip) followed by [`split_off`](Self::split_off) at the
    /// [`split_point`](Self::split_point) of the rest, building each part once: whether a key
    /// was exactly the `cut` bytes, and the two parts; `None` if the rest has no split point.
    pub fn strip_split(&self, cut: usize) -> Option<(bool, Bucket, Bucket)> {
        let whole = self.key(0).len() == cut;
        let from = usize::from(whole);
        let i = from + self.split_point_after(from, cut)?;
        let left = Bucket::from_entries(&self.data, &self.ord[from..i], cut);
        let right = Bucket::from_entries(&self.data, &self.ord[i..], cut);
        Some((whole, left, right))
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
        let rest = Bucket::from_entries(&self.data, &self.ord[usize::from(whole)..], cut);
        (whole, rest)
    }

    /// The longest key that is a prefix of `query`, as its length.
    pub fn longest_prefix(&self, query: &[u8]) -> Option<usize> {
        if self.contains(query) {
            return Some(query.len());
        }
        // The keys of the run that are prefixes of `query` sort before it, the longest last.
        let (run, tail) = self.parts();
        let end = match self.search_in(run, query) {
            Ok(i) | Err(i) => i,
        };
        let in_run = run[..end]
            .iter()
            .rev()
            .map(|&e| self.key_at(e))
            .find(|k| query.starts_with(k))
            .map(<[u8]>::len);
        let in_tail = tail
            .iter()
            .map(|&e| self.key_at(e))
            .filter(|k| query.starts_with(k))
            .map(<[u8]>::len)
            .max();
        in_run.max(in_tail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;

    fn keys(b: &Bucket) -> Vec<Vec<u8>> {
        b.keys().map(<[u8]>::to_vec).collect()
    }

    #[test]
    fn inserts_and_removes_agree_with_a_set() {
        let mut b = Bucket::default();
        let mut model = BTreeSet::new();
        let ks: Vec<Vec<u8>> = (0..3000u32)
            .map(|i| alloc::format!("k{}", i * 37 % 1000).into_bytes())
            .chain([b"".to_vec(), b"k".to_vec(), alloc::vec![7u8; 300]])
            .collect();
        for (i, k) in ks.iter().enumerate() {
            assert_eq!(b.insert(k), model.insert(k.clone()));
            if i % 7 == 3 {
                let r = &ks[i / 2];
                assert_eq!(b.remove(r), model.remove(r));
            }
            assert_eq!(b.len(), model.len());
            if i % 97 == 0 {
                b.assert_valid();
            }
        }
        b.assert_valid();
        assert_eq!(keys(&b), model.iter().cloned().collect::<Vec<_>>());
        let mut settled = b.clone();
        settled.settle();
        assert!(settled.keys().eq(b.keys()));
        for k in &ks {
            assert_eq!(b.contains(k), model.contains(k));
            assert_eq!(settled.search(k).is_ok(), model.contains(k));
            let mut view = TailView::default();
            b.view_tail(&mut view);
            let pos = b.lower_bound(k, &view);
            assert_eq!(
                b.keys_from(pos, view).next(),
                model.range(k.clone()..).next().map(Vec::as_slice)
            );
        }
        assert!(!b.contains(b"k1000"));
        for k in &ks {
            assert_eq!(b.remove(k), model.remove(k));
            assert_eq!(keys(&b), model.iter().cloned().collect::<Vec<_>>());
        }
        assert_eq!(b, Bucket::default());
    }

    #[test]
    fn keys_sharing_long_prefixes_are_placed_in_order() {
        // Keys that tie on their first two, eight and sixteen bytes, keys that are prefixes
        // of others, and zero bytes where a shorter key's padding would be: every placing
        // comparison starts after a shared prefix.
        let stems: [&[u8]; 4] = [b"LC_MESSAGES/", b"LC_MESSAGES/libfoo-", b"L", b"LC_\0"];
        let mut b = Bucket::default();
        let mut model = BTreeSet::new();
        for i in 0..600u32 {
            let mut k = stems[(i % 4) as usize].to_vec();
            match i % 5 {
                0 => k.extend_from_slice(alloc::format!("{}", i * 7919 % 1000).as_bytes()),
                1 => k.push((i % 7) as u8),
                2 => {}
                3 => k.extend_from_slice(&[0, (i % 3) as u8]),
                _ => k.extend_from_slice(alloc::format!("x{}.mo", i % 97).as_bytes()),
            }
            assert_eq!(b.insert(&k), model.insert(k.clone()));
            if i % 13 == 0 {
                b.assert_valid();
                assert_eq!(keys(&b), model.iter().cloned().collect::<Vec<_>>());
            }
        }
        b.assert_valid();
        assert_eq!(keys(&b), model.iter().cloned().collect::<Vec<_>>());
    }

    #[test]
    fn splits_strips_and_prefixes() {
        let ks: [&[u8]; 6] = [b"romane", b"romanus", b"romulus", b"rubens", b"ruber", b"s"];
        let b = Bucket::from_keys(ks.iter().copied());
        assert_eq!(b.split_point(), Some(5));
        let mut c = b.clone();
        let right = c.split_off(5);
        assert_eq!((c.len(), right.len()), (5, 1));
        assert_eq!(c.split_point(), None);
        assert_eq!(c.shared_prefix(), 1);
        let (whole, rest) = c.strip(1);
        assert!(!whole);
        assert_eq!(rest.key(0), b"omane");
        assert_eq!(b.longest_prefix(b"romanesque"), Some(6));
        assert_eq!(b.longest_prefix(b"roman"), None);
        let long = alloc::vec![7u8; 300];
        let l = Bucket::from_keys([&long[..200], &long[..]].into_iter());
        assert_eq!(l.longest_prefix(&long[..250]), Some(200));
        assert_eq!(l.shared_prefix(), 200);
        assert!(l.strip(200).0);
    }

    #[test]
    fn the_longest_key_goes_last_past_the_offset_limit() {
        let big = alloc::vec![b'z'; 70_000];
        // Written in the order a, zz, big; rebuilt in key order, the big key still goes last.
        let src = Bucket::from_keys([&b"a"[..], b"zz"].into_iter());
        let mut data = src.data.clone();
        let (h, n) = varint(big.len());
        let e = (head(&big) << 16) | data.len() as u32;
        data.extend_from_slice(&h[..n]);
        data.extend_from_slice(&big);
        let b = Bucket::from_entries(&data, &[src.ord[0], e, src.ord[1]], 0);
        assert_eq!(keys(&b), [b"a".to_vec(), big.clone(), b"zz".to_vec()]);
        assert!(b.contains(&big) && b.contains(b"zz") && !b.contains(b"z"));
    }
}
