//! The table of an [`ExpandableFilter`](super::ExpandableFilter): buckets of sixteen lanes, each
//! lane one variable-length fingerprint, and a small sorted stash for the rare entry that finds
//! no room.
//!
//! # Lanes
//! A lane is a `u16` or a `u32` (`W` bits). Bit `W-1` is the *spill flag*: the entry belongs to
//! the bucket before the one it is in. Below it come the fingerprint's bits, the first (the next
//! to move into the address) at bit `W-2`, then a 1 (the *marker*), then zeros: the length of
//! the fingerprint is coded in unary by the marker's position, so a lane holds any length from
//! 0 to `W-2` bits. The empty lane is 0 (it has no marker). A lane of length 0, a *void* entry,
//! matches every item of its bucket.
//!
//! # Addressing
//! With `2^q` buckets, an item's 64-bit hash `h` gives its home bucket `h >> (64-q)` (the top
//! `q` bits) and its fingerprint the bits below them, top-aligned. Doubling the table moves the
//! first fingerprint bit into the address: the entry of bucket `b` goes to bucket `2b + bit`
//! with its fingerprint one bit shorter; a void entry, which has no bit left, is copied into
//! both `2b` and `2b + 1`.
//!
//! # Placement
//! An entry lives in its home bucket `b` or, flagged, in `b + 1` (cyclically), and only while
//! `b` is full: an entry of home `b` is outside `b` only if `b` has no empty lane. When both
//! are full, a chain of at most [`DEPTH`] moves makes room (an unflagged entry moves forward to
//! the next bucket, flagged, out of a full bucket); when that fails too, the entry goes to the
//! stash. An entry of home `b` is stashed only while buckets `b` and `b + 1` are full. Removals
//! keep both rules by moving an entry back into the lane they empty. So an operation whose home
//! bucket has an empty lane reads that one bucket (one cache line) and nothing else; it reads
//! the next bucket only when its home is full, and the stash only when both are.

use super::lane::{Lane, SLOTS, lane_matches};
use crate::pages;
use crate::prefetch::prefetch;

/// Most moves of one placement chain in each direction.
const DEPTH: u32 = 8;

/// Weights are fixed-point numbers in units of `2^-WEIGHT_BITS`.
pub(crate) const WEIGHT_BITS: u32 = 100;

/// The spill flag of a lane of width `L`.
#[inline(always)]
fn flag<L: Lane>() -> u64 {
    1 << (L::BITS - 1)
}

/// The longest fingerprint a lane of width `L` holds.
#[inline(always)]
pub(crate) fn max_len<L: Lane>() -> u32 {
    L::BITS - 2
}

/// The fingerprint length of a non-empty lane (flag ignored).
#[inline(always)]
pub(crate) fn lane_len<L: Lane>(s: u64) -> u32 {
    (L::BITS - 2) - (s & (flag::<L>() - 1)).trailing_zeros()
}

/// Whether a lane value is a valid entry: empty, or with a marker.
pub(crate) fn lane_valid<L: Lane>(s: u64) -> bool {
    s == 0 || s & (flag::<L>() - 1) != 0
}

/// Calls `f(i)` for each set bit `i` of a lane mask, lowest first.
#[inline(always)]
fn for_each_lane(mut m: u32, mut f: impl FnMut(usize)) {
    while m != 0 {
        f(m.trailing_zeros() as usize % SLOTS);
        m &= m - 1;
    }
}

/// One bucket: sixteen lanes, 32-byte aligned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C, align(32))]
pub(crate) struct Bucket<L: Lane>(pub(crate) [L; SLOTS]);

/// The buckets, the stash and the running totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Table<L: Lane> {
    /// `2^q` buckets.
    q: u32,
    buckets: Vec<Bucket<L>>,
    /// Entries that found no room: `(home, lane)` sorted, lanes without the flag.
    stash: Vec<(u64, L)>,
    /// Entries held (lanes in use plus stash entries).
    used: u64,
    /// `Σ 2^{WEIGHT_BITS - len - q}` over the entries: the union bound on the rate, in fixed point.
    weight: u128,
    /// The weight of a new entry, [`weight_of`]`(max_len, q)`.
    entry_weight: u128,
}

/// An entry's weight: the probability `2^{-len} / 2^q` that a random non-member matches it.
#[inline(always)]
fn weight_of(len: u32, q: u32) -> u128 {
    1u128 << (WEIGHT_BITS - len - q)
}

impl<L: Lane> Table<L> {
    /// An empty table of `2^q` buckets.
    pub(crate) fn new(q: u32) -> Self {
        Self {
            q,
            buckets: pages::vec_filled(1usize << q, Bucket::default()),
            stash: Vec::new(),
            used: 0,
            weight: 0,
            entry_weight: weight_of(max_len::<L>(), q),
        }
    }

    pub(crate) fn q(&self) -> u32 {
        self.q
    }

    pub(crate) fn used(&self) -> u64 {
        self.used
    }

    pub(crate) fn weight(&self) -> u128 {
        self.weight
    }

    /// The weight a new entry adds.
    #[inline(always)]
    pub(crate) fn entry_weight(&self) -> u128 {
        self.entry_weight
    }

    #[cfg(test)]
    pub(crate) fn stash_len(&self) -> usize {
        self.stash.len()
    }

    /// Heap bytes of a table of `2^q` buckets of this width (without the stash).
    pub(crate) fn bucket_bytes(q: u32) -> usize {
        core::mem::size_of::<Bucket<L>>() << q
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.buckets.capacity() * core::mem::size_of::<Bucket<L>>()
            + self.stash.capacity() * core::mem::size_of::<(u64, L)>()
    }

    #[inline(always)]
    fn mask(&self) -> u64 {
        (1u64 << self.q) - 1
    }

    #[inline(always)]
    fn home(&self, h: u64) -> u64 {
        h >> (64 - self.q)
    }

    /// The query value of `h`: its fingerprint bits below the address, top-aligned under the
    /// flag bit.
    #[inline(always)]
    fn query_value(&self, h: u64) -> u64 {
        (h << self.q) >> (65 - L::BITS)
    }

    /// A new entry for `h` with the longest fingerprint the lane holds.
    #[inline(always)]
    fn new_lane(&self, h: u64) -> u64 {
        // The top `W-2` bits of the query value are the fingerprint; the marker goes below.
        (self.query_value(h) & !1) | 1
    }

    #[inline(always)]
    fn next(&self, b: u64) -> u64 {
        (b + 1) & self.mask()
    }

    #[inline(always)]
    fn prev(&self, b: u64) -> u64 {
        b.wrapping_sub(1) & self.mask()
    }

    #[inline(always)]
    fn lanes(&self, b: u64) -> &[L; SLOTS] {
        &self.buckets[b as usize].0
    }

    #[inline(always)]
    fn lanes_mut(&mut self, b: u64) -> &mut [L; SLOTS] {
        &mut self.buckets[b as usize].0
    }

    /// Starts loading the cache line an operation on `h` reads first (its home bucket; the
    /// next one is read only when the home is full).
    #[inline(always)]
    pub(crate) fn prefetch(&self, h: u64) {
        prefetch(self.lanes(self.home(h)));
    }

    /// Whether some entry of `h`'s home matches it.
    #[inline(always)]
    pub(crate) fn contains(&self, h: u64) -> bool {
        let b = self.home(h);
        let qv = self.query_value(h);
        let l = self.lanes(b);
        if L::any_match(l, L::from_u64(qv)) {
            return true;
        }
        // A home with an empty lane holds all its entries.
        !L::has_empty(l) && self.contains_spilled(b, qv)
    }

    /// Whether an entry of the full home `b` outside it (in `b + 1` or the stash) matches.
    #[inline(never)]
    fn contains_spilled(&self, b: u64, qv: u64) -> bool {
        let spill = self.lanes(self.next(b));
        L::any_match(spill, L::from_u64(qv | flag::<L>()))
            || (!self.stash.is_empty() && !L::has_empty(spill) && self.stash_has(b, qv))
    }

    /// The range of the stash holding home `b`.
    fn stash_range(&self, b: u64) -> core::ops::Range<usize> {
        let lo = self.stash.partition_point(|&(h, _)| h < b);
        let hi = lo + self.stash[lo..].partition_point(|&(h, _)| h == b);
        lo..hi
    }

    /// Whether a stashed entry of home `b` matches the query value: one binary search, then
    /// the (rarely more than one) entries of that home.
    #[inline(never)]
    fn stash_has(&self, b: u64, qv: u64) -> bool {
        let lo = self.stash.partition_point(|&(h, _)| h < b);
        self.stash[lo..]
            .iter()
            .take_while(|&&(h, _)| h == b)
            .any(|&(_, s)| lane_matches(s.to_u64(), qv))
    }

    /// The longest stashed entry of home `b` matching the query value.
    fn stash_match(&self, b: u64, qv: u64) -> Option<usize> {
        let range = self.stash_range(b);
        let start = range.start;
        let mut best: Option<(usize, u32)> = None;
        for (i, &(_, s)) in self.stash[range].iter().enumerate() {
            if lane_matches(s.to_u64(), qv) {
                let len = lane_len::<L>(s.to_u64());
                if best.is_none_or(|(_, l)| len > l) {
                    best = Some((start + i, len));
                }
            }
        }
        best.map(|(i, _)| i)
    }

    /// Adds an entry for `h` with the longest fingerprint; whether some entry matched `h`
    /// before ([`contains`](Self::contains), from the same reads of the buckets).
    #[inline]
    pub(crate) fn insert(&mut self, h: u64) -> bool {
        let b = self.home(h);
        let qv = self.query_value(h);
        let lane = (qv & !1) | 1;
        let (hits, empty) = {
            let l = self.lanes(b);
            (L::match_mask(l, L::from_u64(qv)), L::empty_mask(l))
        };
        self.weight += self.entry_weight;
        self.used += 1;
        if empty != 0 {
            // A home with an empty lane holds all its entries.
            self.lanes_mut(b)[empty.trailing_zeros() as usize] = L::from_u64(lane);
            return hits != 0;
        }
        self.insert_spilled(b, qv, lane) || hits != 0
    }

    /// [`insert`](Self::insert) when home `b` is full: whether an entry outside `b` matched,
    /// then the new entry goes to `b + 1` or, if that is full too, the general way.
    #[inline(never)]
    fn insert_spilled(&mut self, b: u64, qv: u64, lane: u64) -> bool {
        let b1 = self.next(b);
        let (hits, empty) = {
            let l = self.lanes(b1);
            (
                L::match_mask(l, L::from_u64(qv | flag::<L>())),
                L::empty_mask(l),
            )
        };
        if empty != 0 {
            self.lanes_mut(b1)[empty.trailing_zeros() as usize] = L::from_u64(lane | flag::<L>());
            return hits != 0;
        }
        let present = hits != 0 || (!self.stash.is_empty() && self.stash_has(b, qv));
        self.place_crowded(b, lane);
        present
    }

    /// Adds an entry for `h` only if there is room in the buckets (no stash): by merging it
    /// with the entry of its home that shares the longest fingerprint prefix when the buckets
    /// are full. Used past the memory limit.
    pub(crate) fn insert_or_merge(&mut self, h: u64) {
        let b = self.home(h);
        let lane = self.new_lane(h);
        if let Some((bucket, i)) = self.free_lane(b) {
            let f = if bucket == b { 0 } else { flag::<L>() };
            self.lanes_mut(bucket)[i] = L::from_u64(lane | f);
            self.weight += weight_of(max_len::<L>(), self.q);
            self.used += 1;
            return;
        }
        // Merge with the home entry sharing the longest prefix.
        let b1 = self.next(b);
        let mut best: Option<(u64, usize, u32)> = None;
        for (bucket, f) in [(b, 0), (b1, flag::<L>())] {
            for (i, &s) in self.lanes(bucket).iter().enumerate() {
                let s = s.to_u64();
                if s == 0 || s & flag::<L>() != f {
                    continue;
                }
                let len = lane_len::<L>(s);
                let diff = (s ^ lane) & (flag::<L>() - 1);
                let common = (diff.leading_zeros() - (64 - L::BITS) - 1).min(len);
                if best.is_none_or(|(_, _, c)| common > c) {
                    best = Some((bucket, i, common));
                }
            }
        }
        let Some((bucket, i, common)) = best else {
            // No entry of this home in the buckets: the stash it is.
            self.weight += weight_of(max_len::<L>(), self.q);
            self.used += 1;
            self.stash_insert(b, lane);
            return;
        };
        let old = self.lanes(bucket)[i].to_u64();
        let f = old & flag::<L>();
        let keep = !((1u64 << (L::BITS - 1 - common)) - 1);
        let merged = (old & keep) | (1 << (L::BITS - 2 - common)) | f;
        self.weight -= weight_of(lane_len::<L>(old), self.q);
        self.weight += weight_of(common, self.q);
        self.lanes_mut(bucket)[i] = L::from_u64(merged);
    }

    /// An empty lane for home `b` in `b` or (when `b` is full) `b + 1`, without moving
    /// anything.
    fn free_lane(&self, b: u64) -> Option<(u64, usize)> {
        for bucket in [b, self.next(b)] {
            if let Some(i) = L::first_empty(self.lanes(bucket)) {
                return Some((bucket, i));
            }
        }
        None
    }

    /// Puts `lane` (no flag) for home `b` in the buckets, moving up to [`DEPTH`] entries to
    /// make room, or in the stash.
    fn place(&mut self, b: u64, lane: u64) {
        if !self.place_in_buckets(b, lane) {
            self.stash_insert(b, lane);
        }
    }

    /// [`place`](Self::place) without the stash: whether the entry found a lane.
    fn place_in_buckets(&mut self, b: u64, lane: u64) -> bool {
        let b1 = self.next(b);
        if let Some(i) = L::first_empty(self.lanes(b)) {
            self.lanes_mut(b)[i] = L::from_u64(lane);
        } else if let Some(i) = L::first_empty(self.lanes(b1)) {
            self.lanes_mut(b1)[i] = L::from_u64(lane | flag::<L>());
        } else if let Some(i) = self.free_right(b1, DEPTH) {
            self.lanes_mut(b1)[i] = L::from_u64(lane | flag::<L>());
        } else {
            return false;
        }
        true
    }

    /// [`place`](Self::place) when buckets `b` and `b + 1` are both full. (Moving a flagged
    /// entry of `b` back to its home `b - 1` never helps: it is there because `b - 1` is full.)
    #[cold]
    #[inline(never)]
    fn place_crowded(&mut self, b: u64, lane: u64) {
        let b1 = self.next(b);
        if let Some(i) = self.free_right(b1, DEPTH) {
            self.lanes_mut(b1)[i] = L::from_u64(lane | flag::<L>());
        } else {
            self.stash_insert(b, lane);
        }
    }

    fn stash_insert(&mut self, b: u64, lane: u64) {
        let entry = (b, L::from_u64(lane));
        let at = self
            .stash
            .partition_point(|&(h, s)| (h, s.to_u64()) < (b, lane));
        self.stash.insert(at, entry);
    }

    /// Empties a lane of the full bucket `x` by moving one of its own entries to `x + 1`,
    /// flagged (making room there the same way, at most `depth` times); the emptied lane, which
    /// the caller fills.
    fn free_right(&mut self, x: u64, depth: u32) -> Option<usize> {
        let i = self.lanes(x).iter().position(|&s| {
            let s = s.to_u64();
            s != 0 && s & flag::<L>() == 0
        })?;
        let n = self.next(x);
        let j = match L::first_empty(self.lanes(n)) {
            Some(j) => j,
            None if depth > 1 => self.free_right(n, depth - 1)?,
            None => return None,
        };
        let s = self.lanes(x)[i].to_u64();
        self.lanes_mut(n)[j] = L::from_u64(s | flag::<L>());
        self.lanes_mut(x)[i] = L::default();
        Some(i)
    }

    /// Removes the longest entry of `h`'s home matching it; whether there was one.
    ///
    /// The longest match is the one to remove: if `h`'s own entry is among the matches, any
    /// longer match agrees with `h` on more bits, so the shorter entries left still match
    /// every item the removed one stood for.
    pub(crate) fn remove(&mut self, h: u64) -> bool {
        let b = self.home(h);
        let b1 = self.next(b);
        let qv = self.query_value(h);
        let mut best: Option<(u64, usize, u32)> = None;
        // Entries of home `b` are outside it only when it is full.
        let homes: &[(u64, u64)] = if L::has_empty(self.lanes(b)) {
            &[(b, 0)]
        } else {
            &[(b, 0), (b1, flag::<L>())]
        };
        for &(bucket, f) in homes {
            let mut m = L::match_mask(self.lanes(bucket), L::from_u64(qv | f));
            while m != 0 {
                let i = m.trailing_zeros() as usize;
                m &= m - 1;
                let len = lane_len::<L>(self.lanes(bucket)[i].to_u64());
                if best.is_none_or(|(_, _, l)| len > l) {
                    best = Some((bucket, i, len));
                }
            }
        }
        if homes.len() == 2 && !self.stash.is_empty() && !L::has_empty(self.lanes(b1)) {
            if let Some(k) = self.stash_match(b, qv) {
                let len = lane_len::<L>(self.stash[k].1.to_u64());
                if best.is_none_or(|(_, _, l)| len > l) {
                    self.stash.remove(k);
                    self.used -= 1;
                    self.weight -= weight_of(len, self.q);
                    return true;
                }
            }
        }
        let Some((bucket, i, len)) = best else {
            return false;
        };
        self.lanes_mut(bucket)[i] = L::default();
        self.used -= 1;
        self.weight -= weight_of(len, self.q);
        self.refill(bucket, i);
        true
    }

    /// Fills lane `i` of bucket `x`, just emptied, when the placement rules need `x` full: with
    /// a stashed entry of home `x - 1` or `x`, or with an entry of home `x` from `x + 1`, whose
    /// lane is then refilled the same way.
    fn refill(&mut self, mut x: u64, mut i: usize) {
        loop {
            if !self.stash.is_empty() {
                for (home, f) in [(self.prev(x), flag::<L>()), (x, 0)] {
                    let range = self.stash_range(home);
                    if !range.is_empty() {
                        let (_, s) = self.stash.remove(range.start);
                        self.lanes_mut(x)[i] = L::from_u64(s.to_u64() | f);
                        return;
                    }
                }
            }
            let n = self.next(x);
            let Some(j) = self
                .lanes(n)
                .iter()
                .position(|&s| s.to_u64() & flag::<L>() != 0)
            else {
                return;
            };
            let s = self.lanes(n)[j].to_u64();
            self.lanes_mut(x)[i] = L::from_u64(s & !flag::<L>());
            self.lanes_mut(n)[j] = L::default();
            (x, i) = (n, j);
        }
    }

    /// Whether the placement rules hold: every entry outside its home has a full home, and
    /// every stashed entry also a full next bucket.
    pub(crate) fn placement_holds(&self) -> bool {
        let nb = 1u64 << self.q;
        (0..nb).all(|x| {
            !L::has_empty(self.lanes(x))
                || (self
                    .lanes(self.next(x))
                    .iter()
                    .all(|&s| s.to_u64() & flag::<L>() == 0)
                    && self.stash_range(x).is_empty())
        }) && self
            .stash
            .iter()
            .all(|&(home, _)| !L::has_empty(self.lanes(self.next(home))))
    }

    /// The same entries placed anew (the placement rules hold in the result).
    fn replaced(&self) -> Self {
        let mut t = Self::new(self.q);
        let mut stash = Vec::new();
        self.for_each_entry(|home, s| {
            if !t.place_in_buckets(home, s) {
                stash.push((home, L::from_u64(s)));
            }
        });
        // Buckets only filled up since each entry was stashed: its two were full then and are now.
        stash.sort_unstable_by_key(|&(h, s)| (h, s.to_u64()));
        t.stash = stash;
        t.used = self.used;
        t.weight = self.weight;
        t
    }

    /// Calls `f(home, lane)` for every entry (lanes without the flag).
    fn for_each_entry(&self, mut f: impl FnMut(u64, u64)) {
        for (x, bucket) in self.buckets.iter().enumerate() {
            for &s in &bucket.0 {
                let s = s.to_u64();
                if s == 0 {
                    continue;
                }
                let home = if s & flag::<L>() != 0 {
                    self.prev(x as u64)
                } else {
                    x as u64
                };
                f(home, s & !flag::<L>());
            }
        }
        for &(home, s) in &self.stash {
            f(home, s.to_u64());
        }
    }

    /// The table with twice the buckets: each entry gives its first fingerprint bit to the
    /// address; void entries are copied into both halves of their bucket.
    ///
    /// One pass over the buckets in order. The entries of old bucket `x` have homes `x - 1`
    /// (flagged) and `x`, so their new homes are `2x - 2 .. 2x + 1` and they land in new
    /// buckets `2x - 2 ..= 2x + 2`, which are filled from their first lane on: the pass keeps
    /// the fill of those five buckets and puts each entry in its new home or, flagged, in the
    /// bucket after it. The lanes of a bucket are sorted by new home with four vector masks
    /// (flag and first fingerprint bit), so a group that fits its new home is copied without a
    /// test per entry. The few entries that find both full (and those wrapping around the
    /// table's end, and the stash) are placed afterwards the general way.
    pub(crate) fn doubled(&self) -> Self {
        let mut t = Self::new(self.q + 1);
        t.weight = self.weight;
        t.used = self.used;
        let f = flag::<L>();
        let top = f >> 1;
        let void = top; // A void lane is its marker at bit W-2.
        let new_buckets = 2u64 << self.q;
        let mut later: Vec<(u64, u64)> = Vec::new();
        // `fill[k]`: lanes used in new bucket `2x - 2 + k`.
        let mut fill = [0usize; 5];
        for (x, bucket) in (0u64..).zip(&self.buckets) {
            fill = [fill[2], fill[3], fill[4], 0, 0];
            let lanes = &bucket.0;
            let used = !L::empty_mask(lanes) & 0xffff;
            if used == 0 {
                continue;
            }
            let flagged = L::and_eq_mask(lanes, L::from_u64(f), L::from_u64(f));
            let high = L::and_eq_mask(lanes, L::from_u64(top), L::from_u64(top));
            let voids = L::and_eq_mask(lanes, L::from_u64(f - 1), L::from_u64(void)) & used;
            let plain = used & !voids;
            // Window index `k` is new home `2x - 2 + k`.
            let groups = [
                (0, plain & flagged & !high),
                (1, plain & flagged & high),
                (2, plain & !flagged & !high),
                (3, plain & !flagged & high),
            ];
            for (k, m) in groups {
                if m == 0 {
                    continue;
                }
                if x == 0 && k < 2 {
                    // Home `2^q - 1`: new homes at the end of the new table.
                    for_each_lane(m, |i| {
                        let lane = (lanes[i].to_u64() << 1) & (f - 1);
                        later.push((new_buckets - 2 + k, lane));
                    });
                    continue;
                }
                let nh = 2 * x + k - 2;
                t.put_group(&mut fill, k, nh, lanes, m, &mut later);
            }
            for_each_lane(voids, |i| {
                let k = 2 * u64::from(lanes[i].to_u64() & f == 0);
                t.used += 1;
                if x == 0 && k == 0 {
                    later.push((new_buckets - 2, void));
                    later.push((new_buckets - 1, void));
                } else {
                    let nh = 2 * x + k - 2;
                    t.put_in_window(&mut fill, k, nh, void, &mut later);
                    t.put_in_window(&mut fill, k + 1, nh + 1, void, &mut later);
                }
            });
        }
        for (h, lane) in later {
            t.place(h, lane);
        }
        for &(home, s) in &self.stash {
            let s = s.to_u64();
            if s == void {
                t.used += 1;
                t.place(2 * home, void);
                t.place(2 * home + 1, void);
            } else {
                let bit = u64::from(s & top != 0);
                t.place(2 * home + bit, (s << 1) & (f - 1));
            }
        }
        t
    }

    /// Puts the lanes `m` of `src`, non-void entries of new home `nh` (window index `k`),
    /// shifted by their first fingerprint bit, while filling a doubled table: copied in one
    /// go when they fit `nh`, else one by one.
    #[inline(always)]
    fn put_group(
        &mut self,
        fill: &mut [usize; 5],
        k: u64,
        nh: u64,
        src: &[L; SLOTS],
        mut m: u32,
        later: &mut Vec<(u64, u64)>,
    ) {
        let k = k as usize;
        let n = m.count_ones() as usize;
        let mask = flag::<L>() - 1;
        let at = fill[k];
        if at + n <= SLOTS {
            for d in &mut self.lanes_mut(nh)[at..at + n] {
                let i = m.trailing_zeros() as usize % SLOTS;
                m &= m - 1;
                *d = L::from_u64((src[i].to_u64() << 1) & mask);
            }
            fill[k] = at + n;
        } else {
            for_each_lane(m, |i| {
                let lane = (src[i].to_u64() << 1) & mask;
                self.put_in_window(fill, k as u64, nh, lane, later);
            });
        }
    }

    /// Puts an entry of home `nh` (window index `k`) in bucket `nh` or, flagged, `nh + 1` while
    /// filling a doubled table; defers it to `later` when both are full or `nh + 1` wraps.
    #[inline(always)]
    fn put_in_window(
        &mut self,
        fill: &mut [usize; 5],
        k: u64,
        nh: u64,
        lane: u64,
        later: &mut Vec<(u64, u64)>,
    ) {
        let k = k as usize;
        if fill[k] < SLOTS {
            self.lanes_mut(nh)[fill[k]] = L::from_u64(lane);
            fill[k] += 1;
        } else if fill[k + 1] < SLOTS && nh + 1 < 1u64 << self.q {
            self.lanes_mut(nh + 1)[fill[k + 1]] = L::from_u64(lane | flag::<L>());
            fill[k + 1] += 1;
        } else {
            later.push((nh, lane));
        }
    }

    /// The same entries in wider lanes `M`: positions, lengths and weights unchanged.
    pub(crate) fn widened<M: Lane>(&self) -> Table<M> {
        let shift = M::BITS - L::BITS;
        let mut buckets = pages::vec_with_capacity(self.buckets.len());
        buckets.extend(
            self.buckets
                .iter()
                .map(|b| Bucket(b.0.map(|s| M::from_u64(s.to_u64() << shift)))),
        );
        let stash = self
            .stash
            .iter()
            .map(|&(h, s)| (h, M::from_u64(s.to_u64() << shift)))
            .collect();
        Table {
            q: self.q,
            buckets,
            stash,
            used: self.used,
            weight: self.weight,
            entry_weight: weight_of(max_len::<M>(), self.q),
        }
    }

    /// Every lane in bucket order, then the stash as `(home, lane)`.
    pub(crate) fn parts(&self) -> (impl Iterator<Item = u64> + '_, &[(u64, L)]) {
        (
            self.buckets
                .iter()
                .flat_map(|b| b.0.iter().map(|s| s.to_u64())),
            &self.stash,
        )
    }

    /// A table from its lanes (bucket order) and stash, validated: every lane has a marker,
    /// the stash is sorted, its lanes are unflagged entries of existing buckets, and the bucket
    /// after each stashed home is full.
    pub(crate) fn from_parts(q: u32, lanes: &[L], stash: Vec<(u64, L)>) -> Option<Self> {
        if lanes.len() != SLOTS << q {
            return None;
        }
        let mut t = Self::new(q);
        for (bucket, chunk) in t.buckets.iter_mut().zip(lanes.chunks_exact(SLOTS)) {
            bucket.0.copy_from_slice(chunk);
        }
        let nb = 1u64 << q;
        let sorted = stash
            .windows(2)
            .all(|w| (w[0].0, w[0].1.to_u64()) <= (w[1].0, w[1].1.to_u64()));
        if !sorted || !lanes.iter().all(|s| lane_valid::<L>(s.to_u64())) {
            return None;
        }
        for &(home, s) in &stash {
            let s = s.to_u64();
            if home >= nb || s == 0 || s & flag::<L>() != 0 || L::has_empty(t.lanes(t.next(home))) {
                return None;
            }
        }
        t.stash = stash;
        let mut used = 0;
        let mut weight = 0;
        t.for_each_entry(|_, s| {
            used += 1;
            weight += weight_of(lane_len::<L>(s), q);
        });
        t.used = used;
        t.weight = weight;
        // The format admits any placement of the entries; where it breaks the rules, the
        // entries are placed anew.
        if !t.placement_holds() {
            t = t.replaced();
        }
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recount<L: Lane>(t: &Table<L>) -> (u64, u128) {
        let (mut used, mut weight) = (0, 0);
        t.for_each_entry(|_, s| {
            used += 1;
            weight += weight_of(lane_len::<L>(s), t.q);
        });
        (used, weight)
    }

    #[test]
    fn lanes_code_their_length_in_unary() {
        let t = Table::<u16>::new(1);
        let h = 0xdead_beef_1234_5678u64;
        let lane = t.new_lane(h);
        assert_eq!(lane_len::<u16>(lane), 14);
        assert_eq!(lane_len::<u16>(1 << 14), 0);
        assert!(!t.contains(h));
        // A lane matches the query value it was made from, and only through its own bits.
        let qv = t.query_value(h);
        assert_ne!(u16::match_mask(&[lane as u16; SLOTS], qv as u16), 0);
        assert_eq!(u16::match_mask(&[lane as u16; SLOTS], (qv ^ 2) as u16), 0);
        // A void lane matches everything unflagged, never an empty lane.
        assert_eq!(u16::match_mask(&[1 << 14; SLOTS], 0x1234), 0xffff);
        assert_eq!(u16::match_mask(&[0; SLOTS], 0), 0);
        assert_eq!(u16::match_mask(&[(1 << 14) | 0x8000; SLOTS], 0x1234), 0);
        let mut lanes = [1u16 << 14; SLOTS];
        assert_eq!(u16::first_empty(&lanes), None);
        assert!(u16::any_match(&lanes, 0x1234));
        lanes[5] = 0;
        lanes[9] = 0;
        assert_eq!(u16::first_empty(&lanes), Some(5));
        assert!(!u16::any_match(&lanes, 0x8000));
    }

    /// Crowded tiny tables exercise the chains and the stash; every entry stays findable
    /// through doubling, widening and removals, and the running totals stay exact.
    #[test]
    #[cfg_attr(miri, ignore = "thousands of table operations, slow under Miri")]
    fn crowded_tables_keep_every_entry() {
        let hashes: Vec<u64> = (0..600u64).map(hpds_core::hash::mix64).collect();
        let mut t = Table::<u16>::new(3);
        for (i, &h) in hashes.iter().enumerate() {
            t.insert(h);
            assert_eq!(recount(&t), (t.used, t.weight));
            assert!(t.placement_holds());
            if i % 50 == 49 {
                t = t.doubled();
                assert_eq!(recount(&t), (t.used, t.weight));
                assert!(t.placement_holds());
            }
        }
        assert!(hashes.iter().all(|&h| t.contains(h)));
        let mut w: Table<u32> = t.widened();
        assert!(hashes.iter().all(|&h| w.contains(h)));
        for &h in &hashes[..300] {
            assert!(w.remove(h));
            assert_eq!(recount(&w), (w.used, w.weight));
            assert!(w.placement_holds());
        }
        assert!(hashes[300..].iter().all(|&h| w.contains(h)));
        let (lanes, stash) = w.parts();
        let lanes: Vec<u32> = lanes.map(|s| s as u32).collect();
        let back = Table::<u32>::from_parts(w.q, &lanes, stash.to_vec()).unwrap();
        assert_eq!(back, w);
    }

    /// Entries whose fingerprints run out become void and are copied into both halves: every
    /// entry stays findable through more doublings than a fingerprint has bits.
    #[test]
    #[cfg_attr(miri, ignore = "tables of 2^17 buckets")]
    fn void_entries_survive_doubling() {
        let hashes: Vec<u64> = (0..40u64).map(hpds_core::hash::mix64).collect();
        let mut t = Table::<u16>::new(1);
        for &h in &hashes[..20] {
            t.insert(h);
        }
        for round in 0..16 {
            t = t.doubled();
            if round == 10 {
                for &h in &hashes[20..] {
                    t.insert(h);
                }
            }
            assert_eq!(recount(&t), (t.used, t.weight));
            assert!(t.placement_holds());
        }
        let void = 1u64 << 14;
        let voids = t.parts().0.filter(|&s| s & 0x7fff == void).count();
        assert!(voids >= 20, "{voids} void lanes");
        assert!(hashes.iter().all(|&h| t.contains(h)));
        assert!(hashes.iter().all(|&h| t.remove(h)));
        assert!(t.placement_holds());
    }

    /// The format admits entries outside a home bucket that has an empty lane (a removal
    /// that does not refill the lane leaves them so); decoding places them anew, keeping every
    /// other entry findable.
    #[test]
    fn decoding_places_stray_entries_anew() {
        let hashes: Vec<u64> = (0..60u64).map(hpds_core::hash::mix64).collect();
        let mut t = Table::<u16>::new(2);
        for &h in &hashes {
            t.insert(h);
        }
        let f = flag::<u16>();
        let x = (0..4u64)
            .find(|&x| t.lanes(t.next(x)).iter().any(|&s| u64::from(s) & f != 0))
            .expect("some home spills");
        let (lanes, stash) = t.parts();
        let mut lanes: Vec<u16> = lanes.map(|s| s as u16).collect();
        let gone = lanes[x as usize * SLOTS];
        lanes[x as usize * SLOTS] = 0;
        let stray = Table::<u16>::from_parts(2, &lanes, stash.to_vec()).unwrap();
        assert!(stray.placement_holds());
        assert_eq!(stray.used, t.used - 1);
        assert_eq!(recount(&stray), (stray.used, stray.weight));
        let kept = hashes
            .iter()
            .filter(|&&h| !(t.home(h) == x && t.new_lane(h) == u64::from(gone)));
        assert!(kept.clone().count() >= 59);
        assert!(kept.into_iter().all(|&h| stray.contains(h)));
    }

    #[test]
    #[cfg_attr(miri, ignore = "thousands of table operations, slow under Miri")]
    fn a_full_table_merges_instead_of_growing() {
        let mut t = Table::<u16>::new(1);
        let hashes: Vec<u64> = (0..200u64).map(hpds_core::hash::mix64).collect();
        for &h in &hashes {
            t.insert_or_merge(h);
        }
        assert!(t.used <= 32 + t.stash.len() as u64);
        assert!(hashes.iter().all(|&h| t.contains(h)));
        assert_eq!(recount(&t).1, t.weight);
    }
}
