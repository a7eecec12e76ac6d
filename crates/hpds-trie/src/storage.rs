//! What `WordSet` and `WordMap` share: their bytes (as a builder wrote them, decoded and
//! validated, or memory-mapped and validated), build errors, and the range, prefix and fuzzy
//! plumbing of their queries. Both types are thin wrappers over [`Fst`].

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::{Bound, RangeBounds};

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

/// The automaton behind a `WordSet` or `WordMap`.
pub(crate) type Fst = fst::raw::Fst<Bytes>;

/// Wraps bytes that a builder (fst's, or `minimal`) has just written: valid by construction,
/// so only the header is parsed (no validation pass).
pub(crate) fn built(bytes: Vec<u8>) -> Fst {
    fst::raw::Fst::new(Bytes::Owned(Arc::from(bytes))).expect("the builders write valid fsts")
}

/// Decodes owned bytes of unknown origin: checked in full by [`open`], never panics.
pub(crate) fn decode(bytes: Vec<u8>, kind: Kind) -> Result<Fst> {
    open(Bytes::Owned(Arc::from(bytes)), kind)
}

/// Maps the file at `path` and checks it in full; a validation error becomes
/// [`std::io::ErrorKind::InvalidData`].
#[cfg(feature = "mmap")]
pub(crate) fn open_mmap(path: &std::path::Path, kind: Kind) -> std::io::Result<Fst> {
    let map = crate::mmap::map_file(path)?;
    open(Bytes::Mapped(Arc::new(map)), kind)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Whether two automata hold the same keys with the same outputs.
pub(crate) fn same_contents(a: &Fst, b: &Fst) -> bool {
    use fst::Streamer;
    // The builders write deterministically, so equal contents built the same way means equal
    // bytes; the walk covers sets built differently (fst's builder, another fst writer).
    if a.as_bytes() == b.as_bytes() {
        return true;
    }
    if a.len() != b.len() {
        return false;
    }
    let (mut sa, mut sb) = (a.stream(), b.stream());
    loop {
        match (sa.next(), sb.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => {}
            _ => return false,
        }
    }
}

/// Checks fst bytes (header, checksum, structure) and opens them.
fn open(bytes: Bytes, kind: Kind) -> Result<fst::raw::Fst<Bytes>> {
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

/// The stream builders of `fst::Set` and `fst::Map`, which take the same bounds.
pub(crate) trait Bounds: Sized {
    fn ge(self, bound: &[u8]) -> Self;
    fn gt(self, bound: &[u8]) -> Self;
    fn le(self, bound: &[u8]) -> Self;
    fn lt(self, bound: &[u8]) -> Self;
}

macro_rules! bounds {
    ($t:ty) => {
        impl Bounds for $t {
            fn ge(self, bound: &[u8]) -> Self {
                <$t>::ge(self, bound)
            }
            fn gt(self, bound: &[u8]) -> Self {
                <$t>::gt(self, bound)
            }
            fn le(self, bound: &[u8]) -> Self {
                <$t>::le(self, bound)
            }
            fn lt(self, bound: &[u8]) -> Self {
                <$t>::lt(self, bound)
            }
        }
    };
}
bounds!(fst::set::StreamBuilder<'_>);
bounds!(fst::map::StreamBuilder<'_>);

/// Restricts a stream to the keys starting with `prefix`: a range scan from the first key
/// `>= prefix` up to the prefix's successor.
pub(crate) fn with_prefix<B: Bounds>(b: B, prefix: &[u8]) -> B {
    let b = b.ge(prefix);
    match prefix_successor(prefix) {
        Some(end) => b.lt(&end),
        None => b,
    }
}

/// Restricts a stream to the keys in `range`.
pub(crate) fn in_range<B: Bounds, K: AsRef<[u8]>, R: RangeBounds<K>>(b: B, range: &R) -> B {
    let (lo, hi) = byte_bounds(range);
    let b = match lo {
        Bound::Included(k) => b.ge(k),
        Bound::Excluded(k) => b.gt(k),
        Bound::Unbounded => b,
    };
    match hi {
        Bound::Included(k) => b.le(k),
        Bound::Excluded(k) => b.lt(k),
        Bound::Unbounded => b,
    }
}

/// The smallest byte string greater than every string starting with `prefix`, if any
/// (`None` when the prefix is empty or all `0xff`): `prefix..successor` is the prefix's range.
fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let end = prefix.iter().rposition(|&b| b != 0xff)?;
    let mut s = prefix[..=end].to_vec();
    s[end] += 1;
    Some(s)
}

/// Converts `RangeBounds<K>` into byte bounds.
fn byte_bounds<'r, K: AsRef<[u8]> + 'r, R: RangeBounds<K>>(
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

/// The most states a Levenshtein automaton may have (fst's default). Each state holds a
/// 256-entry table, about 6.5 KiB with the builder's cache, so the largest accepted automaton
/// takes about 65 MiB while it is built.
pub(crate) const LEVENSHTEIN_STATES: usize = 10_000;

/// An upper estimate of the states of fst's Levenshtein automaton for a query of `len` bytes
/// within `distance` edits, measured with fst 0.4: at most about 25, 200 and 1,120 states per
/// query byte for distances 1, 2 and 3, about 5.5 times more for each further edit.
fn levenshtein_states(len: usize, distance: u32) -> f64 {
    let per_byte = match distance {
        0 => 1.0,
        1 => 25.0,
        2 => 200.0,
        d => 1120.0 * 5.5f64.powi(d.min(64) as i32 - 3),
    };
    per_byte * (len as f64 + 1.0)
}

/// Levenshtein automaton for `query` within `distance` edits, as an hpds error on failure.
/// A query whose automaton would be too large is refused before anything is allocated; fst's
/// own state limit stays as the backstop.
pub(crate) fn levenshtein(query: &str, distance: u32) -> Result<fst::automaton::Levenshtein> {
    let refuse = || {
        Error::invalid_parameter(
            "distance",
            distance,
            "small enough that the automaton stays under 10,000 states (about 65 MiB): \
             distance 1 up to about 400 bytes of query, 2 up to about 50, 3 up to about 8",
        )
    };
    if levenshtein_states(query.len(), distance) > LEVENSHTEIN_STATES as f64 {
        return Err(refuse());
    }
    fst::automaton::Levenshtein::new_with_limit(query, distance, LEVENSHTEIN_STATES)
        .map_err(|_| refuse())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fst_of(entries: &[(&str, u64)], ty: u64) -> Fst {
        let mut b = fst::raw::Builder::new_type(Vec::new(), ty).unwrap();
        for (k, v) in entries {
            b.insert(k, *v).unwrap();
        }
        built(b.into_inner().unwrap())
    }

    #[test]
    fn same_contents_compares_entries_not_just_bytes() {
        let a = fst_of(&[("ant", 0), ("bee", 0)], 0);
        // Another type tag in the header: other bytes, same keys.
        let a2 = fst_of(&[("ant", 0), ("bee", 0)], 7);
        assert_ne!(a.as_bytes(), a2.as_bytes());
        assert!(same_contents(&a, &a));
        assert!(same_contents(&a, &a2));
        assert!(!same_contents(&a, &fst_of(&[("ant", 0), ("cat", 0)], 7)));
        assert!(!same_contents(&a, &fst_of(&[("ant", 0)], 0)));
        assert!(!same_contents(&a, &fst_of(&[("ant", 0), ("bee", 1)], 7)));
    }

    #[test]
    fn prefix_successor_edges() {
        assert_eq!(prefix_successor(b""), None);
        assert_eq!(prefix_successor(b"\xff\xff"), None);
        assert_eq!(prefix_successor(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_successor(b"a\xff"), Some(b"b".to_vec()));
    }
}
