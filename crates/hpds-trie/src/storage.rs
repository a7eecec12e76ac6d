//! The bytes behind a `WordSet` / `WordMap`, decoding checks, and helpers shared by both.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::Bound;

use hpds_core::error::DecodeError;
use hpds_core::{Error, Result};

use crate::validate::{self, Kind};

/// Owned or memory-mapped fst bytes.
#[derive(Clone)]
pub(crate) enum Bytes {
    Owned(Arc<[u8]>),
    #[cfg(feature = "mmap")]
    Mapped(Arc<memmap2::Mmap>),
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        match self {
            Bytes::Owned(b) => b,
            #[cfg(feature = "mmap")]
            Bytes::Mapped(m) => m,
        }
    }
}

impl Bytes {
    /// Heap bytes owned: the bytes and the `Arc`'s two counters, rounded to a word (a mapping owns none: the
    /// page cache holds the file).
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Bytes::Owned(b) => {
                let word = core::mem::size_of::<usize>();
                (2 * word + b.len()).next_multiple_of(word)
            }
            #[cfg(feature = "mmap")]
            Bytes::Mapped(_) => 0,
        }
    }
}

/// Converts an fst error met while building into ours.
pub(crate) fn build_error(e: &fst::Error) -> Error {
    match e {
        fst::Error::Fst(
            fst::raw::Error::OutOfOrder { .. } | fst::raw::Error::DuplicateKey { .. },
        ) => Error::invalid_parameter(
            "keys",
            "a key not greater than the one before",
            "keys in strictly increasing byte order (use FromIterator to sort)",
        ),
        _ => Error::invalid_encoding("fst: builder failed"),
    }
}

/// Checks fst bytes (header, checksum, structure) and opens them.
pub(crate) fn open(bytes: Bytes, kind: Kind) -> Result<fst::raw::Fst<Bytes>> {
    let data = bytes.as_ref();
    if data.len() >= 8 {
        let version = u64::from_le_bytes(data[..8].try_into().expect("8 bytes"));
        if version != validate::FST_VERSION {
            return Err(DecodeError::UnsupportedVersion {
                expected: validate::FST_VERSION as u16,
                got: u16::try_from(version).unwrap_or(u16::MAX),
            }
            .into());
        }
    }
    let f = fst::raw::Fst::new(bytes).map_err(|e| match e {
        fst::Error::Fst(fst::raw::Error::Format { size }) => DecodeError::Truncated {
            needed: 36usize.saturating_sub(size).max(1),
            available: size,
        }
        .into(),
        _ => Error::invalid_encoding("fst: bad header"),
    })?;
    f.verify().map_err(|e| match e {
        fst::Error::Fst(fst::raw::Error::ChecksumMismatch { expected, got }) => {
            DecodeError::ChecksumMismatch {
                stored: u64::from(expected),
                computed: u64::from(got),
            }
            .into()
        }
        _ => Error::invalid_encoding("fst: checksum missing"),
    })?;
    validate::validate(f.as_bytes(), kind)?;
    Ok(f)
}

/// The smallest byte string greater than every string starting with `prefix`, if any
/// (`None` when the prefix is empty or all `0xff`): `prefix..successor` is the prefix's range.
pub(crate) fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let end = prefix.iter().rposition(|&b| b != 0xff)?;
    let mut s = prefix[..=end].to_vec();
    s[end] += 1;
    Some(s)
}

/// Converts `RangeBounds<K>` into byte bounds.
pub(crate) fn byte_bounds<'r, K: AsRef<[u8]> + 'r, R: core::ops::RangeBounds<K>>(
    r: &'r R,
) -> (Bound<&'r [u8]>, Bound<&'r [u8]>) {
    fn conv<K: AsRef<[u8]>>(b: Bound<&K>) -> Bound<&[u8]> {
        match b {
            Bound::Included(k) => Bound::Included(k.as_ref()),
            Bound::Excluded(k) => Bound::Excluded(k.as_ref()),
            Bound::Unbounded => Bound::Unbounded,
        }
    }
    (conv(r.start_bound()), conv(r.end_bound()))
}

/// Levenshtein automaton for `query` within `distance` edits, as an hpds error on failure.
pub(crate) fn levenshtein(query: &str, distance: u32) -> Result<fst::automaton::Levenshtein> {
    fst::automaton::Levenshtein::new(query, distance).map_err(|_| {
        Error::invalid_parameter(
            "distance",
            distance,
            "small enough that the automaton stays under 10,000 states (1 or 2 for long queries)",
        )
    })
}

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
