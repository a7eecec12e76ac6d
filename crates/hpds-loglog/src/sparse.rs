//! HyperLogLog++'s sparse representation: register updates at precision 25, kept sorted behind
//! a small unsorted insert buffer, and Golomb–Rice coded in the byte format.
//!
//! An entry is `index << 6 | rank` where `index` is the hash's top 25 bits and `rank` one plus
//! the leading zeros of the other 39 bits (at most 40). The dense register of any precision
//! `p <= 18` follows exactly from an entry ([`to_dense`]), so converting gives the registers a
//! dense sketch would have had. Entries are kept sorted with one entry per index (the largest
//! rank). The byte format codes the index gaps with a Rice code and the ranks in unary: about
//! 3.2 bytes per entry for ten items, 2.7 for a hundred, fewer as the gaps shrink.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use hpds_core::bits::{BitReader, BitWriter};

/// Precision of the sparse entries.
pub(crate) const SPARSE_P: u8 = 25;
const MAX_SPARSE_RANK: u32 = 64 - SPARSE_P as u32 + 1;

/// The sparse entry of a hash.
#[inline(always)]
pub(crate) fn entry(hash: u64) -> u32 {
    let index = (hash >> (64 - SPARSE_P)) as u32;
    let rank = crate::registers::rank_of((hash << SPARSE_P) | (1 << (SPARSE_P - 1)));
    (index << 6) | u32::from(rank)
}

/// A hash whose entry is `e` (for any `e`: the index is taken modulo `2^25` and the rank
/// clamped to `1..=40`), so inserting it sets exactly the entry, and every dense register,
/// that inserting any hash of entry `e` sets.
#[inline]
pub(crate) fn entry_hash(e: u32) -> u64 {
    let index = u64::from(e >> 6) & ((1 << SPARSE_P) - 1);
    let rank = (e & 63).clamp(1, MAX_SPARSE_RANK);
    let low = if rank < MAX_SPARSE_RANK {
        1u64 << (MAX_SPARSE_RANK - 1 - rank)
    } else {
        0
    };
    (index << (64 - SPARSE_P)) | low
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

/// Merges two sorted entry slices keeping one entry (the largest rank) per index.
///
/// Sorted order puts the largest rank of an index last, so an entry is written once the next
/// one has a different index. A plain two-pointer loop over slices: the flush runs a handful of
/// times per sketch over the whole list, so this is the sparse phase's cost.
fn merge_dedup(a: &[u32], b: &[u32], out: &mut Vec<u32>) {
    out.reserve(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    let push = |e: u32, out: &mut Vec<u32>| match out.last_mut() {
        Some(q) if *q >> 6 == e >> 6 => *q = (*q).max(e),
        _ => out.push(e),
    };
    while i < a.len() && j < b.len() {
        let e = if a[i] <= b[j] {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        push(e, out);
    }
    for &e in a[i..].iter().chain(&b[j..]) {
        push(e, out);
    }
}

/// Keeps one entry per index of a sorted list, the last (the largest rank), in place.
fn dedup_sorted(entries: &mut Vec<u32>) {
    let kept = dedup_sorted_to_front(entries);
    entries.truncate(kept);
}

/// Keeps one entry per index of a sorted slice, the last (the largest rank), moved to the
/// front; returns how many are kept.
pub(crate) fn dedup_sorted_to_front(entries: &mut [u32]) -> usize {
    let mut kept = 0;
    for i in 0..entries.len() {
        let e = entries[i];
        if kept > 0 && entries[kept - 1] >> 6 == e >> 6 {
            entries[kept - 1] = e;
        } else {
            entries[kept] = e;
            kept += 1;
        }
    }
    kept
}

/// Whether `e` could be a sparse entry: an index below `2^25` and a rank in
/// `1..=MAX_SPARSE_RANK`.
pub(crate) fn valid_entry(e: u32) -> bool {
    let rank = e & 63;
    e >> 6 < 1 << SPARSE_P && rank != 0 && rank <= MAX_SPARSE_RANK
}

/// The sorted entries (one per index) plus the unsorted insert buffer.
///
/// In memory the entries are plain `u32`s, so a flush is a sort of the buffer and a linear
/// merge (a varint-coded list in memory would make every flush decode and re-encode the
/// whole list: about 50 ns per insert in the sparse phase). The compact form exists only in the
/// byte format ([`Sparse::encode`]: Golomb–Rice gaps and unary ranks).
#[derive(Clone, Default)]
pub(crate) struct Sparse {
    list: Vec<u32>,
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
        if self.buffer.len() == self.buffer.capacity() {
            // Grow by doubling but never past `cap`, which bounds the sparse memory.
            let len = self.buffer.len();
            self.buffer
                .reserve_exact(len.max(4).min(cap.saturating_sub(len).max(1)));
        }
        self.buffer.push(e);
        self.buffer.len() >= cap
    }

    /// Sorts the buffer into the list, keeping the buffer's allocation for the next inserts
    /// (`keep`) or freeing it (a sketch that is done being built: canonical, merged into).
    pub(crate) fn flush(&mut self, keep: bool) {
        if self.buffer.is_empty() {
            if !keep {
                self.buffer = Vec::new();
            }
            return;
        }
        let mut buffer = core::mem::take(&mut self.buffer);
        buffer.sort_unstable();
        if self.list.is_empty() {
            // The buffer becomes the list: no merge. A buffer kept for more inserts gets a
            // new allocation of the same size, which copies nothing.
            let capacity = buffer.capacity();
            dedup_sorted(&mut buffer);
            self.list = buffer;
            self.trim();
            if keep {
                self.buffer = Vec::with_capacity(capacity);
            }
            return;
        }
        self.absorb(&buffer);
        if keep {
            buffer.clear();
            self.buffer = buffer;
        }
    }

    /// Room for `additional` more buffered entries, up to `cap` in all, in one allocation.
    #[inline]
    pub(crate) fn reserve(&mut self, additional: usize, cap: usize) {
        let want = additional.min(cap.saturating_sub(self.buffer.len()));
        if self.buffer.capacity() - self.buffer.len() < want {
            self.buffer.reserve_exact(want);
        }
    }

    /// Gives back the list's spare capacity past a sixteenth of its length.
    fn trim(&mut self) {
        if self.list.capacity() - self.list.len() > self.list.len() / 16 {
            self.list.shrink_to_fit();
        }
    }

    /// Merges sorted entries into the list, in place: from the back, so that no entry is
    /// overwritten before it is read.
    ///
    /// Entries are taken largest first, so the first one of an index has its largest rank and
    /// the rest of that index are skipped. Which side gives the next entry is a coin toss for
    /// random entries, so the loop selects rather than branches: every step stores the last
    /// kept entry (the new one, or the one already there again) and moves the write position
    /// only for a new index.
    pub(crate) fn absorb(&mut self, sorted: &[u32]) {
        let (mut i, mut j) = (self.list.len(), sorted.len());
        if j == 0 {
            return;
        }
        self.list.reserve_exact(j);
        self.list.resize(i + j, 0);
        let list = &mut self.list;
        // `w >= i + j` throughout: each step reads one entry and writes at most one place
        // further down.
        let mut w = i + j - 1;
        let mut last = if i > 0 && list[i - 1] > sorted[j - 1] {
            i -= 1;
            list[i]
        } else {
            j -= 1;
            sorted[j]
        };
        list[w] = last;
        let mut keep = |e: u32, list: &mut [u32], w: &mut usize| {
            let new = last >> 6 != e >> 6;
            *w -= usize::from(new);
            last = if new { e } else { last };
            list[*w] = last;
        };
        while i > 0 && j > 0 {
            let (a, b) = (list[i - 1], sorted[j - 1]);
            let from_list = a > b;
            i -= usize::from(from_list);
            j -= usize::from(!from_list);
            keep(if from_list { a } else { b }, list, &mut w);
        }
        while i > 0 {
            i -= 1;
            keep(list[i], list, &mut w);
        }
        while j > 0 {
            j -= 1;
            keep(sorted[j], list, &mut w);
        }
        list.copy_within(w.., 0);
        list.truncate(list.len() - w);
        self.trim();
    }

    /// Entries in the sorted list.
    pub(crate) fn list_len(&self) -> usize {
        self.list.len()
    }

    /// Every entry, sorted, one per index, the buffer included (the list itself, not a copy,
    /// while the buffer is empty).
    pub(crate) fn entries(&self) -> Cow<'_, [u32]> {
        if self.buffer.is_empty() {
            return Cow::Borrowed(&self.list);
        }
        let mut buffer = self.buffer.clone();
        buffer.sort_unstable();
        let mut out = Vec::new();
        merge_dedup(&self.list, &buffer, &mut out);
        Cow::Owned(out)
    }

    /// Number of distinct indices seen.
    pub(crate) fn distinct(&self) -> usize {
        if self.buffer.is_empty() {
            self.list.len()
        } else {
            self.entries().len()
        }
    }

    /// Linear counting at precision 25: nearly exact while the sketch is sparse.
    pub(crate) fn estimate(&self) -> f64 {
        linear_counting(self.distinct())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty() && self.buffer.is_empty()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        4 * (self.list.capacity() + self.buffer.capacity())
    }

    /// The byte form of all entries: the entry count (varint), the Rice parameter `k`
    /// (one byte), then a bit stream, least significant bit first, with per entry the gap to
    /// the previous index minus one (the first: the index) as `gap >> k` one-bits, a zero and
    /// the low `k` bits, then `rank - 1` one-bits and a zero. `k` is the one that gives the
    /// fewest bits. The stream is padded with zero bits to whole bytes and ends the payload.
    ///
    /// Gaps of `n` random indices among `2^25` are nearly geometric, for which Rice codes are
    /// within a few hundredths of a bit of the entropy, and ranks are geometric with ratio
    /// 1/2, for which unary is optimal: `log2(2^25 / n) + 3.5` bits per entry in all, against
    /// 32 bits in memory and the 24-32 of the first version's varints.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        encode_entries(&self.entries(), out);
    }

    /// The plain form ([`encode_entries_plain`]) of the sorted list, then the insert
    /// buffer's entries as they are (unsorted, possibly repeated): writing sorts nothing.
    pub(crate) fn encode_plain(&self, out: &mut Vec<u8>) {
        encode_entries_plain(&self.list, &self.buffer, out);
    }

    /// Whether the list and the buffer hold more distinct indices than `max`: `O(1)` when
    /// they are no more than `max` entries together.
    pub(crate) fn distinct_exceeds(&self, max: usize) -> bool {
        self.list.len() + self.buffer.len() > max && self.distinct() > max
    }

    /// Reads [`encode`](Self::encode)'s form (or [`encode_plain`](Self::encode_plain)'s)
    /// from `bytes` (the rest of the payload). `None` unless it is exactly what `encode` writes
    /// for some valid list: strictly increasing indices below `2^25`, ranks in `1..=40`,
    /// `k < 25`, no bytes beyond the last entry's and zero padding (plain: exactly the
    /// count's entries, valid and strictly increasing).
    pub(crate) fn decode(bytes: &[u8]) -> Option<Self> {
        let mut list = Vec::new();
        let sorted = decode_entries_unsorted(bytes, &mut list)?;
        let buffer = list.split_off(sorted);
        let mut sparse = Self { list, buffer };
        sparse.flush(false);
        Some(sparse)
    }

    /// Reads the first version's list: `count` gap-encoded varint entries with strictly
    /// increasing indices and ranks in `1..=40`, each varint at most 5 bytes and canonical.
    pub(crate) fn from_varint_list(count: usize, bytes: &[u8]) -> Option<Self> {
        let mut pos = 0;
        let mut prev: Option<u32> = None;
        let mut list = Vec::with_capacity(count.min(bytes.len()));
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
            if !valid_entry(e) {
                return None;
            }
            if let Some(q) = prev {
                if e >> 6 <= q >> 6 {
                    return None;
                }
            }
            prev = Some(e);
            list.push(e);
        }
        (list.len() == count).then_some(Self {
            list,
            buffer: Vec::new(),
        })
    }
}

/// Linear counting over the `2^25` sparse indices, `distinct` of them seen.
pub(crate) fn linear_counting(distinct: usize) -> f64 {
    let m = f64::from(1u32 << SPARSE_P);
    let k = distinct as f64;
    m * (m / (m - k)).ln()
}

/// Writes sorted entries, one per index, in [`Sparse::encode`]'s form.
pub(crate) fn encode_entries(entries: &[u32], out: &mut Vec<u8>) {
    encode_entries_with_k(entries, best_rice_k(entries), out);
}

/// The byte that takes the Rice parameter's place in the plain form.
const PLAIN: u8 = 0xff;

/// Writes sorted entries, one per index, in the plain form: the entry count (varint), the
/// byte [`PLAIN`], then each entry as 4 bytes little-endian; then the `unsorted` entries
/// (any order, repeats allowed: an unsorted insert buffer) the same way. Larger than the Rice
/// form (32 bits per entry against about `log2(2^25 / n) + 3.5`) but written and read with no
/// bit coding, for bytes that are read back soon rather than stored.
pub(crate) fn encode_entries_plain(entries: &[u32], unsorted: &[u32], out: &mut Vec<u8>) {
    put_varint(out, entries.len() as u64);
    out.push(PLAIN);
    put_plain(entries, out);
    put_plain(unsorted, out);
}

/// Appends entries as 4 bytes little-endian each.
fn put_plain(entries: &[u32], out: &mut Vec<u8>) {
    out.reserve(4 * entries.len());
    for &e in entries {
        out.extend_from_slice(&e.to_le_bytes());
    }
}

/// Reads the plain form's entries (`stream`: the bytes after [`PLAIN`]), appending them to
/// `out`: the `count` sorted ones, then the unsorted rest. `None` unless `stream` is whole
/// entries, all valid, the first `count` with strictly increasing indices.
fn decode_entries_plain(count: u64, stream: &[u8], out: &mut Vec<u32>) -> Option<()> {
    let sorted = usize::try_from(count).ok()?.checked_mul(4)?;
    if sorted > stream.len() || stream.len() % 4 != 0 {
        return None;
    }
    out.reserve(stream.len() / 4);
    // Strictly increasing indices: each entry's index is above the previous one's.
    let mut prev = 0u32;
    let mut ok = true;
    for (i, chunk) in stream[..sorted].chunks_exact(4).enumerate() {
        let e = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        ok &= valid_entry(e) && (i == 0 || e >> 6 > prev >> 6);
        prev = e;
        out.push(e);
    }
    for chunk in stream[sorted..].chunks_exact(4) {
        let e = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        ok &= valid_entry(e);
        out.push(e);
    }
    ok.then_some(())
}

/// [`decode_entries`] without sorting in a plain form's unsorted entries: `out` gets the
/// sorted entries (one per index) and then the unsorted ones (possibly repeated); how many
/// are sorted.
pub(crate) fn decode_entries_unsorted(bytes: &[u8], out: &mut Vec<u32>) -> Option<usize> {
    let (count, used) = get_varint(bytes)?;
    if bytes.get(used) == Some(&PLAIN) {
        decode_entries_plain(count, &bytes[used + 1..], out)?;
        return usize::try_from(count).ok();
    }
    decode_entries(bytes, out)?;
    usize::try_from(count).ok()
}

/// [`encode_entries`] with the Rice parameter `k` (`k < 25`).
fn encode_entries_with_k(entries: &[u32], k: u32, out: &mut Vec<u8>) {
    put_varint(out, entries.len() as u64);
    out.push(k as u8);
    let mut bits = BitWriter::new(out);
    for (e, g) in entries.iter().zip(gaps(entries)) {
        let (q, low, rank) = (g >> k, g & ((1 << k) - 1), (e & 63).max(1));
        // The entry's code: `q` ones, a zero, the low `k` bits, `rank - 1` ones, a zero.
        let len = q + 1 + k + rank;
        if len <= 64 {
            let code = ((1u64 << q) - 1)
                | (u64::from(low) << (q + 1))
                | (((1u64 << (rank - 1)) - 1) << (q + 1 + k));
            bits.put(code, len);
        } else {
            bits.ones(u64::from(q));
            bits.put(u64::from(low) << 1, k + 1);
            bits.ones(u64::from(rank - 1));
            bits.put(0, 1);
        }
    }
    bits.finish();
}

/// Reads [`Sparse::encode`]'s form (or the plain form of [`encode_entries_plain`]) from
/// `bytes`, appending the entries to `out`. `None` (and `out` possibly extended) unless the
/// bytes are exactly what `encode` (or `encode_entries_plain`) writes for some valid list (see
/// [`Sparse::decode`]).
///
/// The Rice parameter must be the encoder's choice, the smallest `k` minimizing
/// `f(k) = Σ (g >> k) + n·k`. `f` is convex ([`best_rice_k`]), so `k` is that minimizer
/// exactly when `f(k - 1) > f(k)` (or `k = 0`) and `f(k + 1) >= f(k)` (or `k = 24`): three
/// sums gathered while decoding, no second pass over the list.
pub(crate) fn decode_entries(bytes: &[u8], out: &mut Vec<u32>) -> Option<()> {
    let (count, used) = get_varint(bytes)?;
    let rest = bytes.get(used..)?;
    let (&k, stream) = rest.split_first()?;
    if k == PLAIN {
        // The unsorted entries sorted into the sorted ones.
        let start = out.len();
        decode_entries_plain(count, stream, out)?;
        let end = start + usize::try_from(count).ok()?;
        if end < out.len() {
            let mut unsorted = out.split_off(end);
            unsorted.sort_unstable();
            let sorted = out.split_off(start);
            merge_dedup(&sorted, &unsorted, out);
        }
        return Some(());
    }
    let k = u32::from(k);
    if k >= u32::from(SPARSE_P) {
        return None;
    }
    // Each entry takes at least k + 2 bits, which bounds the allocation by the input.
    let count = usize::try_from(count)
        .ok()
        .filter(|&c| c.saturating_mul(k as usize + 2) <= 8 * stream.len())?;
    let mut reader = BitReader::new(stream);
    out.reserve(count);
    let mut next = 0u64; // the smallest index the next entry may have
    // Σ (g >> k), Σ (g >> (k - 1)) (k > 0) and Σ (g >> (k + 1)).
    let (mut at, mut below, mut above) = (0u64, 0u64, 0u64);
    let mut left = count;
    while left > 0 {
        // Every code that lies whole in the next 64 bits, from one read of them.
        let window = reader.peek64();
        let mut used = 0u32;
        while left > 0
            && used < 64
            && let Some((q, gap, rank, len)) = code_in_window(window >> used, k)
            && len <= 64 - used
        {
            used += len;
            left -= 1;
            at += q;
            above += q >> 1;
            below += gap >> k.saturating_sub(1);
            next += gap;
            out.push(((next as u32) << 6) | rank);
            next += 1;
        }
        if used > 0 {
            // Past the end (bits read as zero there): the stream is cut short. A window adds
            // less than 2^35 to `next`, so checking once per window keeps it from wrapping.
            reader.skip(used)?;
            if next > 1 << SPARSE_P {
                return None;
            }
            continue;
        }
        // Field by field: codes longer than 64 bits, and every malformed one.
        let q = reader.ones(1 << (SPARSE_P - k as u8))?;
        if reader.bit()? {
            return None;
        }
        let gap = (q << k) | reader.bits(k)?;
        let rank = reader.ones(u64::from(MAX_SPARSE_RANK))? as u32 + 1;
        if rank > MAX_SPARSE_RANK || reader.bit()? {
            return None;
        }
        left -= 1;
        at += q;
        above += q >> 1;
        below += gap >> k.saturating_sub(1);
        next += gap;
        if next >= 1 << SPARSE_P {
            return None;
        }
        out.push(((next as u32) << 6) | rank);
        next += 1;
    }
    // One encoding per list: `k` must be the encoder's choice.
    let n = count as u64;
    let lower_costs_more = k == 0 || below - at > n;
    let higher_saves_nothing = k + 1 == u32::from(SPARSE_P) || above + n >= at;
    (reader.is_done() && lower_costs_more && higher_saves_nothing).then_some(())
}

/// The quotient, gap, rank and length in bits of the entry code at the start of `window`
/// (the next 64 bits of the stream) when all of it is there and its rank is in `1..=40`.
#[inline]
fn code_in_window(window: u64, k: u32) -> Option<(u64, u64, u32, u32)> {
    let q = window.trailing_ones();
    // The quotient's ones, their zero and the `k` low bits.
    let head = q + 1 + k;
    if head >= 64 {
        return None;
    }
    let low = (window >> (q + 1)) & ((1u64 << k) - 1);
    // Bits shifted in from the top are zero, so the rank's ones end inside the window.
    let rank = (window >> head).trailing_ones() + 1;
    let len = head + rank;
    (len <= 64 && rank <= MAX_SPARSE_RANK).then_some((
        u64::from(q),
        (u64::from(q) << k) | low,
        rank,
        len,
    ))
}

/// The gaps the byte format codes: each entry's index minus the previous index minus one (the
/// first entry's: its index).
fn gaps(entries: &[u32]) -> impl Iterator<Item = u32> + '_ {
    let mut next = 0u32;
    entries.iter().map(move |&e| {
        let index = e >> 6;
        let gap = index.wrapping_sub(next);
        next = index + 1;
        gap
    })
}

/// The bits of the quotients and remainders of `entries`' gaps with Rice parameter `k`.
fn rice_bits(entries: &[u32], k: u32) -> u64 {
    gaps(entries).map(|g| u64::from(g >> k)).sum::<u64>() + entries.len() as u64 * u64::from(k)
}

/// The Rice parameter giving the fewest bits for the gaps of `entries` (the smallest such).
///
/// The cost `f(k) = Σ (g >> k) + n·k` is convex in `k`: `f(k + 1) - f(k) = n - Σ ⌈(g >> k) / 2⌉`
/// and `⌈(g >> k) / 2⌉` never grows with `k`. So the `k` of the mean gap is checked against
/// both neighbours in one pass (the three sums together), and only if a neighbour is
/// cheaper does a walk continue downhill, until the next step would not lower the cost: it
/// ends at the smallest minimizer. Random gaps are nearly geometric, whose best `k` is within
/// one of the mean's, so one pass nearly always decides.
fn best_rice_k(entries: &[u32]) -> u32 {
    let Some(&last) = entries.last() else {
        return 0;
    };
    let n = entries.len() as u64;
    // The gaps sum to the last index minus the n - 1 indices before it.
    let mean = u64::from(last >> 6).saturating_sub(n - 1) / n;
    let max_k = u32::from(SPARSE_P) - 1;
    let k = mean.checked_ilog2().unwrap_or(0).clamp(1, max_k - 1);
    // Σ (g >> (k - 1)), Σ (g >> k) and Σ (g >> (k + 1)) in one pass.
    let (mut below, mut at, mut above) = (0u64, 0u64, 0u64);
    for g in gaps(entries) {
        let g = u64::from(g >> (k - 1));
        below += g;
        at += g >> 1;
        above += g >> 2;
    }
    let cost = |sum: u64, k: u32| sum + n * u64::from(k);
    let (down, here, up) = (cost(below, k - 1), cost(at, k), cost(above, k + 1));
    if down <= here {
        // The minimizer is at `k - 1` or below.
        let (mut k, mut cost) = (k - 1, down);
        while k > 0 {
            let lower = rice_bits(entries, k - 1);
            if lower > cost {
                break;
            }
            (k, cost) = (k - 1, lower);
        }
        return k;
    }
    if up >= here {
        return k;
    }
    let (mut k, mut cost) = (k + 1, up);
    while k < max_k {
        let higher = rice_bits(entries, k + 1);
        if higher >= cost {
            break;
        }
        (k, cost) = (k + 1, higher);
    }
    k
}

pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A canonical LEB128 varint of at most 10 bytes and the bytes it took.
pub(crate) fn get_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        let part = u64::from(b & 0x7f);
        if i == 9 && part > 1 {
            return None;
        }
        v |= part << (7 * i);
        if b & 0x80 == 0 {
            return (b != 0 || i == 0).then_some((v, i + 1));
        }
    }
    None
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
    fn entry_hash_inverts_entry() {
        let mut h = 0x5851_f42d_4c95_7f2du64;
        for _ in 0..10_000 {
            h = hpds_core::hash::mix64(h);
            for hash in [h, h & !((1u64 << 50) - 1), h | 1] {
                assert_eq!(entry(entry_hash(entry(hash))), entry(hash), "hash {hash:x}");
            }
        }
        // Any u32 gives a hash (no panic), whose entry is the clamped one.
        for e in [0u32, 63, 41, u32::MAX, 1 << 31] {
            let back = entry(entry_hash(e));
            assert_eq!(back >> 6, (e >> 6) & ((1 << SPARSE_P) - 1));
            assert_eq!(back & 63, (e & 63).clamp(1, MAX_SPARSE_RANK));
        }
    }

    #[test]
    fn flush_keeps_the_largest_rank_per_index() {
        let buffered = || {
            let mut s = Sparse::default();
            for e in [5 << 6 | 3, 2 << 6 | 1, 5 << 6 | 7, 5 << 6 | 2, 9 << 6 | 1] {
                s.push(e, 64);
            }
            s
        };
        let mut s = buffered();
        s.flush(false);
        assert_eq!(*s.entries(), [2 << 6 | 1, 5 << 6 | 7, 9 << 6 | 1]);
        assert_eq!(
            s.heap_bytes(),
            12,
            "a flush that does not keep the buffer frees it"
        );
        let mut bytes = Vec::new();
        s.encode(&mut bytes);
        let back = Sparse::decode(&bytes).unwrap();
        assert_eq!(back.entries(), s.entries());

        // Kept for more inserts: the buffer becomes the list and a new one of its size
        // takes its place; the next flush merges.
        let mut s = buffered();
        s.flush(true);
        assert_eq!(*s.entries(), [2 << 6 | 1, 5 << 6 | 7, 9 << 6 | 1]);
        assert_eq!(
            s.heap_bytes(),
            12 + 4 * 8,
            "the list and an empty buffer of 8"
        );
        for e in [9 << 6 | 4, 3 << 6 | 1, 2 << 6 | 1] {
            s.push(e, 64);
        }
        s.flush(true);
        assert_eq!(
            *s.entries(),
            [2 << 6 | 1, 3 << 6 | 1, 5 << 6 | 7, 9 << 6 | 4]
        );
    }

    /// The walk finds the smallest minimizer of every candidate's cost, for lists from one
    /// entry to thousands, spread or crowded.
    #[test]
    fn best_rice_k_is_the_smallest_cheapest() {
        let mut h = 0x2545_f491_4f6c_dd1du64;
        for n in [1usize, 2, 3, 5, 17, 100, 1000, 5000] {
            for spread in [1u64, 3, 40, 1 << 12, 1 << 25] {
                let mut indices: Vec<u32> = (0..n)
                    .map(|_| {
                        h = hpds_core::hash::mix64(h);
                        (h % spread.min(1 << SPARSE_P)) as u32
                    })
                    .collect();
                indices.sort_unstable();
                indices.dedup();
                let entries: Vec<u32> = indices.iter().map(|&i| i << 6 | 1).collect();
                let brute = (0..u32::from(SPARSE_P))
                    .min_by_key(|&k| rice_bits(&entries, k))
                    .unwrap();
                assert_eq!(best_rice_k(&entries), brute, "n {n} spread {spread}");
            }
        }
        assert_eq!(best_rice_k(&[]), 0);
        let mut out = Vec::new();
        assert_eq!(decode_entries(&[0, 0], &mut out), Some(()));
        assert_eq!(
            decode_entries(&[0, 1], &mut out),
            None,
            "an empty list has k = 0"
        );
        let top = ((1u32 << SPARSE_P) - 1) << 6 | 1;
        assert_eq!(best_rice_k(&[top]), 24);
    }

    /// The decoder accepts a list coded with `k` exactly when `k` is the encoder's choice
    /// (checked during decoding, from the convexity of the cost), and reads the list back.
    #[test]
    fn decoding_accepts_only_the_best_rice_k() {
        let mut h = 0x1405_7b7e_f767_814fu64;
        for n in [1usize, 2, 7, 60, 900] {
            for spread in [2u64, 64, 1 << 14, 1 << 25] {
                let mut entries: Vec<u32> = (0..n)
                    .map(|_| {
                        h = hpds_core::hash::mix64(h);
                        let index = (h % spread) as u32;
                        (index << 6) | (((h >> 40) % 40) as u32 + 1)
                    })
                    .collect();
                entries.sort_unstable();
                dedup_sorted(&mut entries);
                let best = best_rice_k(&entries);
                for k in 0..u32::from(SPARSE_P) {
                    let mut bytes = Vec::new();
                    encode_entries_with_k(&entries, k, &mut bytes);
                    let mut back = Vec::new();
                    let ok = decode_entries(&bytes, &mut back).is_some();
                    assert_eq!(ok, k == best, "n {n} spread {spread} k {k} best {best}");
                    if ok {
                        assert_eq!(back, entries);
                    }
                }
            }
        }
    }

    /// An index past `2^25` is refused whether its code fits in one 64-bit window (read with
    /// its neighbours) or not (read field by field: rank 40 makes it longer than 64 bits),
    /// and whether it comes first, in the middle or last.
    #[test]
    fn decoding_refuses_indices_past_the_sparse_range() {
        let top = (1u32 << SPARSE_P) - 1;
        for rank in [1u32, 2, MAX_SPARSE_RANK] {
            for before in [0usize, 1, 5] {
                for after in [0usize, 1, 5] {
                    let mut entries: Vec<u32> = (0..before)
                        .map(|i| ((top - 100 + i as u32) << 6) | 1)
                        .collect();
                    let at = entries.len();
                    entries.push((top << 6) | rank);
                    entries.extend((1..=after).map(|i| ((top + i as u32) << 6) | rank));
                    let mut bytes = Vec::new();
                    encode_entries(&entries, &mut bytes);
                    let mut back = Vec::new();
                    assert_eq!(
                        decode_entries(&bytes, &mut back).is_some(),
                        after == 0,
                        "rank {rank} before {before} after {after}"
                    );
                    // The last index in range is accepted on its own.
                    let mut bytes = Vec::new();
                    encode_entries(&entries[..=at], &mut bytes);
                    back.clear();
                    assert_eq!(decode_entries(&bytes, &mut back), Some(()));
                    assert_eq!(back, entries[..=at]);
                }
            }
        }
        // A last code too long for one window (a gap of many quotients and rank 40).
        for (last, ok) in [(top, true), (top + 1, false), (top + 5, false)] {
            let mut entries: Vec<u32> = (0..20u32).map(|i| ((i << 20) << 6) | 1).collect();
            entries.push((last << 6) | MAX_SPARSE_RANK);
            let k = best_rice_k(&entries);
            let gap = last - (19 << 20) - 1;
            assert!((gap >> k) + 1 + k + MAX_SPARSE_RANK > 64, "k {k}");
            let mut bytes = Vec::new();
            encode_entries(&entries, &mut bytes);
            let mut back = Vec::new();
            assert_eq!(
                decode_entries(&bytes, &mut back).is_some(),
                ok,
                "last {last}"
            );
        }
    }

    /// The in-place merge equals the two-pointer merge into a new list, for lists that share
    /// indices and inputs that repeat them.
    #[test]
    fn absorb_in_place_is_the_merge() {
        let mut h = 0x6a09_e667_f3bc_c908u64;
        let mut next = |range: u64| {
            h = hpds_core::hash::mix64(h);
            ((h >> 8) % range) as u32
        };
        for round in 0..300u64 {
            let range = 1 + round % 50;
            let mut list: Vec<u32> = (0..next(40))
                .map(|_| (next(range) << 6) | (1 + next(40)))
                .collect();
            list.sort_unstable();
            dedup_sorted(&mut list);
            let mut input: Vec<u32> = (0..next(40))
                .map(|_| (next(range) << 6) | (1 + next(40)))
                .collect();
            input.sort_unstable();
            let mut want = Vec::new();
            merge_dedup(&list, &input, &mut want);
            let mut s = Sparse {
                list,
                buffer: Vec::new(),
            };
            s.absorb(&input);
            assert_eq!(s.list, want, "round {round}");
        }
    }
}
