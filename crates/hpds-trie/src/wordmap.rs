//! `WordMap`: an immutable map from byte strings to `u64`, a minimal acyclic transducer.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;
use core::ops::RangeBounds;

use fst::{IntoStreamer, Streamer};
use hpds_core::{HeapSize, Result};

use crate::WordSet;
use crate::storage::{self, Bytes};
use crate::validate::Kind;

/// An immutable map from byte strings to `u64` values, stored as a minimal acyclic finite
/// state transducer, built on [`fst::Map`].
///
/// Like [`WordSet`] it shares prefixes and suffixes, and values are spread along the paths
/// as sums, so maps whose values follow the key order (ordinals, offsets into a file) stay
/// nearly as small as the set; arbitrary values (counts) cost more, since keys with different
/// values can share less. Typical uses: word → id, word → count, term → postings offset.
///
/// # Ordinals (rank and select)
/// [`WordMap::ordinals`] maps each key of a set to its rank (0 for the smallest), so
/// [`get`](Self::get) is `rank`; because those values grow with the keys,
/// [`key_of`](Self::key_of) walks the transducer backwards from a value to its key: `select`.
/// Together they turn a vocabulary into a perfect, order-preserving numbering of its words.
///
/// # Example
/// ```
/// use hpds_trie::{WordMap, WordSet};
/// let counts: WordMap = [("the", 120u64), ("cat", 3), ("sat", 3), ("the", 121)]
///     .into_iter()
///     .collect();
/// assert_eq!(counts.get("the"), Some(121)); // the last value of a key wins
/// assert_eq!(counts.len(), 3);
///
/// let words: WordSet = ["apple", "banana", "cherry"].into_iter().collect();
/// let ids = WordMap::ordinals(&words);
/// assert_eq!(ids.get("banana"), Some(1));
/// assert_eq!(ids.key_of(2), Some(b"cherry".to_vec()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct WordMap {
    map: fst::Map<Bytes>,
}

impl WordMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::from_sorted_iter(core::iter::empty::<(&[u8], u64)>()).expect("no keys are in order")
    }

    fn from_fst(f: storage::Fst) -> Self {
        Self {
            map: fst::Map::from(f),
        }
    }

    fn from_vec_unchecked(bytes: Vec<u8>) -> Self {
        Self::from_fst(storage::built(bytes))
    }

    /// Builds a map from entries in strictly increasing key order, streaming.
    ///
    /// # Errors
    /// `InvalidParameter` on `keys` if a key is not greater than the one before (a repeated key
    /// is an error here, as its value would be ambiguous).
    pub fn from_sorted_iter<I, K>(entries: I) -> Result<Self>
    where
        I: IntoIterator<Item = (K, u64)>,
        K: AsRef<[u8]>,
    {
        let mut b = fst::MapBuilder::memory();
        for (k, v) in entries {
            b.insert(k, v).map_err(|e| storage::build_error(&e))?;
        }
        let bytes = b.into_inner().map_err(|e| storage::build_error(&e))?;
        Ok(Self::from_vec_unchecked(bytes))
    }

    /// Maps each key of `set` to its rank: 0 for the smallest key, `len - 1` for the largest.
    pub fn ordinals(set: &WordSet) -> Self {
        let mut b = fst::MapBuilder::memory();
        for (i, k) in set.iter().enumerate() {
            b.insert(k, i as u64)
                .expect("a set streams sorted distinct keys");
        }
        Self::from_vec_unchecked(b.into_inner().expect("writing to memory cannot fail"))
    }

    /// Decodes a map from fst bytes, copying them; checked in full as
    /// [`WordSet::from_bytes`] does (header, checksum, every node, and that no path's output sum
    /// overflows `u64`).
    ///
    /// # Errors
    /// `Decode` errors for any invalid input. Never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::from_vec(bytes.to_vec())
    }

    /// Like [`from_bytes`](Self::from_bytes), without a copy.
    pub fn from_vec(bytes: Vec<u8>) -> Result<Self> {
        storage::decode(bytes, Kind::Map).map(Self::from_fst)
    }

    /// Opens a map stored in a file by memory-mapping it, after validating it in full.
    ///
    /// The file **must not be modified or truncated while the map is alive** (see
    /// [`crate::mmap`]).
    ///
    /// # Errors
    /// As [`WordSet::open_mmap`].
    #[cfg(feature = "mmap")]
    pub fn open_mmap<P: AsRef<std::path::Path>>(path: P) -> std::io::Result<Self> {
        storage::open_mmap(path.as_ref(), Kind::Map).map(Self::from_fst)
    }

    /// The map's bytes in fst's format.
    pub fn as_bytes(&self) -> &[u8] {
        self.map.as_fst().as_bytes()
    }

    /// A copy of [`as_bytes`](Self::as_bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The value of `key`. `O(key length)`.
    pub fn get<K: AsRef<[u8]>>(&self, key: K) -> Option<u64> {
        self.map.get(key)
    }

    /// Whether `key` has a value.
    pub fn contains_key<K: AsRef<[u8]>>(&self, key: K) -> bool {
        self.map.contains_key(key)
    }

    /// All entries in key order.
    pub fn iter(&self) -> Entries<'_> {
        Entries::new(self.map.stream())
    }

    /// The entries whose key starts with `prefix`.
    pub fn prefix<K: AsRef<[u8]> + ?Sized>(&self, prefix: &K) -> Entries<'_> {
        Entries::new(storage::with_prefix(self.map.range(), prefix.as_ref()).into_stream())
    }

    /// The entries whose key is in `range`.
    pub fn range<K: AsRef<[u8]>, R: RangeBounds<K>>(&self, range: R) -> Entries<'_> {
        Entries::new(storage::in_range(self.map.range(), &range).into_stream())
    }

    /// The entries whose key is within `distance` edits of `query` (see [`WordSet::fuzzy`]).
    ///
    /// # Errors
    /// `InvalidParameter` on `distance` if the automaton would be too large.
    pub fn fuzzy(&self, query: &str, distance: u32) -> Result<Entries<'_>> {
        let lev = storage::levenshtein(query, distance)?;
        Ok(Entries::new(self.map.search(lev).into_stream()))
    }

    /// The longest key that is a prefix of `query` (a slice of `query`) and its value.
    pub fn longest_prefix<'q, Q: AsRef<[u8]> + ?Sized>(
        &self,
        query: &'q Q,
    ) -> Option<(&'q [u8], u64)> {
        let query = query.as_ref();
        let f = self.map.as_fst();
        let mut node = f.root();
        let mut out = fst::raw::Output::zero();
        let mut best = node.is_final().then(|| (0, node.final_output().value()));
        for (i, &b) in query.iter().enumerate() {
            let Some(t) = node.find_input(b) else { break };
            let t = node.transition(t);
            out = out.cat(t.out);
            node = f.node(t.addr);
            if node.is_final() {
                best = Some((i + 1, out.cat(node.final_output()).value()));
            }
        }
        best.map(|(n, v)| (&query[..n], v))
    }

    /// The key whose value is `value`, in a map whose values strictly increase with the keys
    /// (as [`ordinals`](Self::ordinals) builds): `select`, the inverse of `get`.
    /// `O(key length × fan-out)`.
    ///
    /// On other maps the answer is a key with that value or `None` even if one exists.
    pub fn key_of(&self, value: u64) -> Option<Vec<u8>> {
        let f = self.map.as_fst();
        let mut node = f.root();
        let mut acc = 0u64;
        let mut key = Vec::new();
        loop {
            if node.is_final() && acc.checked_add(node.final_output().value()) == Some(value) {
                return Some(key);
            }
            let mut chosen = None;
            for t in node.transitions() {
                match acc.checked_add(t.out.value()) {
                    Some(v) if v <= value => chosen = Some(t),
                    _ => break,
                }
            }
            let t = chosen?;
            acc += t.out.value();
            key.push(t.inp);
            node = f.node(t.addr);
        }
    }

    /// The set of the map's keys.
    pub fn keys(&self) -> WordSet {
        WordSet::from_sorted_iter(self.iter().map(|(k, _)| k)).expect("a map streams sorted keys")
    }
}

impl Default for WordMap {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for WordMap {
    fn eq(&self, other: &Self) -> bool {
        storage::same_contents(self.map.as_fst(), other.map.as_fst())
    }
}

impl Eq for WordMap {}

impl fmt::Debug for WordMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(k, v)| (crate::DebugKey(k), v)))
            .finish()
    }
}

impl HeapSize for WordMap {
    fn heap_bytes(&self) -> usize {
        self.map.as_fst().as_inner().heap_bytes()
    }
}

impl<K: AsRef<[u8]>> FromIterator<(K, u64)> for WordMap {
    /// Sorts the entries; for a repeated key the last value wins (as `BTreeMap` does).
    /// Holds every entry in memory while sorting.
    fn from_iter<I: IntoIterator<Item = (K, u64)>>(iter: I) -> Self {
        let mut entries: Vec<(Vec<u8>, u64)> = iter
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_vec(), v))
            .collect();
        // Stable: equal keys keep their input order, so the last one is the last of its run.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut b = fst::MapBuilder::memory();
        let mut i = 0;
        while i < entries.len() {
            let mut j = i;
            while j + 1 < entries.len() && entries[j + 1].0 == entries[i].0 {
                j += 1;
            }
            b.insert(&entries[j].0, entries[j].1)
                .expect("entries are sorted and distinct");
            i = j + 1;
        }
        Self::from_vec_unchecked(b.into_inner().expect("writing to memory cannot fail"))
    }
}

impl<'a> IntoIterator for &'a WordMap {
    type Item = (Vec<u8>, u64);
    type IntoIter = Entries<'a>;
    fn into_iter(self) -> Entries<'a> {
        self.iter()
    }
}

/// A boxed fst map stream.
type EntryStream<'s> = dyn for<'a> Streamer<'a, Item = (&'a [u8], u64)> + 's;

/// Entries of a [`WordMap`] query in key order.
pub struct Entries<'s> {
    stream: Box<EntryStream<'s>>,
}

impl<'s> Entries<'s> {
    fn new(stream: impl for<'a> Streamer<'a, Item = (&'a [u8], u64)> + 's) -> Self {
        Self {
            stream: Box::new(stream),
        }
    }
}

impl Iterator for Entries<'_> {
    type Item = (Vec<u8>, u64);
    fn next(&mut self) -> Option<(Vec<u8>, u64)> {
        self.stream.next().map(|(k, v)| (k.to_vec(), v))
    }
}

impl fmt::Debug for Entries<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entries").finish_non_exhaustive()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for WordMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(self.as_bytes())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for WordMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let bytes = crate::serde_bytes::deserialize(d)?;
        WordMap::from_vec(bytes).map_err(serde::de::Error::custom)
    }
}
