//! Sorting and de-duplicating keys for `WordSetBuilder` / `FromIterator`, in bounded memory.

use alloc::vec::Vec;

/// The first 8 bytes of a key, big-endian, zero-padded: compares like the key's prefix.
fn head(key: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = key.len().min(8);
    b[..n].copy_from_slice(&key[..n]);
    u64::from_be_bytes(b)
}

const LEN_BITS: u32 = 24;
const MAX_PACKED_LEN: usize = (1 << LEN_BITS) - 1;

/// Collects keys in any order, with duplicates, into sorted distinct order with bounded memory.
///
/// Keys are appended to one byte arena and indexed by 16-byte spans (the key's first 8 bytes,
/// its offset and length), so most comparisons while sorting never leave the span array. When
/// the spans double since the last compaction they are sorted and de-duplicated and the arena is
/// rewritten, so a stream with many duplicates needs memory in proportion to its distinct keys.
#[derive(Clone, Default)]
pub(crate) struct Collector {
    arena: Vec<u8>,
    spans: Vec<(u64, u64)>,
    /// Keys longer than a span can describe (16 MiB), kept apart.
    long: Vec<Vec<u8>>,
    /// Spans known sorted and distinct (at the front).
    settled: usize,
}

impl Collector {
    pub(crate) fn push(&mut self, key: &[u8]) {
        if key.len() > MAX_PACKED_LEN || self.arena.len() as u64 >= 1u64 << (64 - LEN_BITS) {
            self.long.push(key.to_vec());
            return;
        }
        let off = self.arena.len() as u64;
        self.arena.extend_from_slice(key);
        self.spans
            .push((head(key), (off << LEN_BITS) | key.len() as u64));
        if self.spans.len() >= (2 * self.settled).max(1 << 16) {
            self.compact();
        }
    }

    fn key(&self, meta: u64) -> &[u8] {
        let off = (meta >> LEN_BITS) as usize;
        &self.arena[off..off + (meta as usize & MAX_PACKED_LEN)]
    }

    fn compact(&mut self) {
        let arena = &self.arena;
        let key = |meta: u64| {
            let off = (meta >> LEN_BITS) as usize;
            &arena[off..off + (meta as usize & MAX_PACKED_LEN)]
        };
        self.spans
            .sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| key(a.1).cmp(key(b.1))));
        self.spans
            .dedup_by(|a, b| a.0 == b.0 && key(a.1) == key(b.1));
        let total: usize = self
            .spans
            .iter()
            .map(|s| s.1 as usize & MAX_PACKED_LEN)
            .sum();
        let mut fresh = Vec::with_capacity(total);
        for s in &mut self.spans {
            let k = key(s.1);
            let off = fresh.len() as u64;
            fresh.extend_from_slice(k);
            s.1 = (off << LEN_BITS) | k.len() as u64;
        }
        self.arena = fresh;
        self.settled = self.spans.len();
        self.long.sort_unstable();
        self.long.dedup();
    }

    /// Heap bytes in use now (the builder's memory).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.arena.capacity()
            + self.spans.capacity() * 16
            + self.long.capacity() * 24
            + self.long.iter().map(Vec::capacity).sum::<usize>()
    }

    /// Keys pushed so far, duplicates included since the last compaction.
    pub(crate) fn pending(&self) -> usize {
        self.spans.len() + self.long.len()
    }

    /// Sorts, de-duplicates and streams the keys, in order, into `f`.
    pub(crate) fn drain_sorted(mut self, mut f: impl FnMut(&[u8])) {
        self.compact();
        let mut long = self.long.iter().peekable();
        let mut last: Option<&[u8]> = None;
        let mut emit = |k: &[u8], last: &mut Option<&[u8]>| {
            if *last != Some(k) {
                f(k);
            }
        };
        for s in &self.spans {
            let k = self.key(s.1);
            while let Some(l) = long.next_if(|l| l.as_slice() < k) {
                emit(l, &mut last);
                last = Some(l);
            }
            emit(k, &mut last);
            last = Some(k);
        }
        for l in long {
            emit(l, &mut last);
            last = Some(l);
        }
    }
}
