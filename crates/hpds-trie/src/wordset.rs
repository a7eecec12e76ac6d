//! `WordSet`: an immutable set of byte strings stored as a minimal acyclic automaton (DAWG).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;
use core::ops::RangeBounds;

use fst::{Automaton, IntoStreamer, Streamer};
use hpds_core::{HeapSize, Result};

use crate::collector::Collector;
use crate::minimal::MinimalSetBuilder;
use crate::storage::{self, Bytes};
use crate::validate::Kind;

/// An immutable set of byte strings stored as a minimal acyclic finite automaton (a DAWG), in
/// [`fst::Set`]'s format and queried through it.
///
/// Keys share both prefixes and suffixes ("walk-ing", "talk-ing" share "-ing"), so a large
/// vocabulary takes a few bytes per key (4.7 on an English word list, 7.4 to 8.4 on synthetic
/// words: see `docs/trie.md`), 5 to 10 times less than a `HashSet<String>`, and it can be
/// written to disk and used straight from the bytes (or a memory map) without decoding.
///
/// The automaton is minimal: hpds builds it with fst's algorithm and node encoding but
/// remembers every node it has written, where fst's own builder remembers a bounded cache and
/// writes some equal subtrees twice (4–10% more bytes on large vocabularies).
///
/// Build it from keys in any order ([`FromIterator`], [`WordSetBuilder`]: sorted and
/// de-duplicated for you) or, in constant memory, from keys already sorted
/// ([`from_sorted_iter`](Self::from_sorted_iter)). It cannot be changed once built; combine sets
/// with [`union`](Self::union), [`intersection`](Self::intersection) and
/// [`difference`](Self::difference), which stream and build the result in one pass.
///
/// # Cost
/// `contains` walks one transition per key byte: `O(k)`, a few hundred nanoseconds for a word
/// while the automaton fits in the CPU cache (about 250 ns at 100 thousand words), more once
/// the deeper nodes miss the cache (450–500 ns in the fastest measured rounds at 5 million
/// words, 37 MB, and slower while other work contends for memory).
/// Streams (iteration, prefix, range, fuzzy) yield keys in lexicographic byte order at
/// `O(1)` amortised per byte. Building sorts the keys (`O(n log n)`) and then streams them
/// through the builder in `O(total bytes)`.
///
/// # Example
/// ```
/// use hpds_trie::WordSet;
/// let set: WordSet = ["walking", "talking", "walk", "talk", "walking"].into_iter().collect();
/// assert_eq!(set.len(), 4);
/// assert!(set.contains("talk"));
/// let walks: Vec<Vec<u8>> = set.prefix("walk").collect();
/// assert_eq!(walks, [&b"walk"[..], b"walking"]);
/// let near: Vec<Vec<u8>> = set.fuzzy("walkin", 1)?.collect();
/// assert_eq!(near, [b"walking"]);
///
/// let bytes = set.to_bytes();
/// assert_eq!(WordSet::from_bytes(&bytes)?, set);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct WordSet {
    set: fst::Set<Bytes>,
}

impl WordSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::from_sorted_iter(core::iter::empty::<&[u8]>()).expect("no keys are in order")
    }

    fn from_fst(f: storage::Fst) -> Self {
        Self {
            set: fst::Set::from(f),
        }
    }

    fn from_vec_unchecked(bytes: Vec<u8>) -> Self {
        Self::from_fst(storage::built(bytes))
    }

    /// Builds a set from keys in strictly increasing byte order, streaming: memory stays
    /// bounded by the automaton being built, whatever the number of keys. A key equal to the one
    /// before it is skipped, so sorted input with duplicates is fine.
    ///
    /// # Errors
    /// [`hpds_core::Error`] (`InvalidParameter` on `keys`) if a key is smaller than the one
    /// before it; use [`FromIterator`] or [`WordSetBuilder`] for unsorted input.
    ///
    /// # Example
    /// ```
    /// use hpds_trie::WordSet;
    /// let set = WordSet::from_sorted_iter(["apple", "apple", "banana"])?;
    /// assert_eq!(set.len(), 2);
    /// assert!(WordSet::from_sorted_iter(["banana", "apple"]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_sorted_iter<I>(keys: I) -> Result<Self>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut b = MinimalSetBuilder::default();
        for k in keys {
            b.insert(k.as_ref())?;
        }
        Ok(Self::from_vec_unchecked(b.finish()))
    }

    /// Decodes a set from fst bytes (as written by [`to_bytes`](Self::to_bytes), or by the
    /// `fst` crate / CLI), copying them.
    ///
    /// The bytes are checked in full before use: fst's header, its CRC-32C checksum, and every
    /// node of the automaton (see the crate docs, "Format"). `O(size)` time; the check
    /// allocates about 16 bytes per automaton node and frees it.
    ///
    /// # Errors
    /// `Decode` errors for bytes that are truncated, of another fst version, fail the checksum,
    /// are not a valid automaton, or hold a map (non-zero outputs). Never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::from_vec(bytes.to_vec())
    }

    /// Like [`from_bytes`](Self::from_bytes), taking ownership of the bytes without a copy.
    pub fn from_vec(bytes: Vec<u8>) -> Result<Self> {
        storage::decode(bytes, Kind::Set).map(Self::from_fst)
    }

    /// Opens a set stored in a file by memory-mapping it: no copy, pages load on demand and
    /// are shared between processes. The file is validated in full first, as by
    /// [`from_bytes`](Self::from_bytes).
    ///
    /// The file **must not be modified or truncated while the set is alive** (see
    /// [`crate::mmap`] for why and what happens otherwise).
    ///
    /// # Errors
    /// I/O errors opening or mapping the file; validation errors as
    /// [`std::io::ErrorKind::InvalidData`] wrapping the [`hpds_core::Error`].
    #[cfg(feature = "mmap")]
    pub fn open_mmap<P: AsRef<std::path::Path>>(path: P) -> std::io::Result<Self> {
        storage::open_mmap(path.as_ref(), Kind::Set).map(Self::from_fst)
    }

    /// The set's bytes in fst's format (readable by [`from_bytes`](Self::from_bytes) and by the
    /// `fst` crate).
    pub fn as_bytes(&self) -> &[u8] {
        self.set.as_fst().as_bytes()
    }

    /// A copy of [`as_bytes`](Self::as_bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Whether `key` is in the set. `O(key length)`.
    pub fn contains<K: AsRef<[u8]>>(&self, key: K) -> bool {
        self.set.contains(key)
    }

    /// All keys in lexicographic byte order.
    pub fn iter(&self) -> Keys<'_> {
        Keys::new(self.set.stream())
    }

    /// The keys starting with `prefix`, in order.
    pub fn prefix<K: AsRef<[u8]> + ?Sized>(&self, prefix: &K) -> Keys<'_> {
        Keys::new(storage::with_prefix(self.set.range(), prefix.as_ref()).into_stream())
    }

    /// Number of keys starting with `prefix`: follows the prefix, then counts the accepting
    /// paths below it depth-first, without building the keys. `O(prefix + paths' nodes)`.
    pub fn count_prefix<K: AsRef<[u8]> + ?Sized>(&self, prefix: &K) -> usize {
        let prefix = prefix.as_ref();
        if prefix.is_empty() {
            return self.len();
        }
        let f = self.set.as_fst();
        let mut node = f.root();
        for &b in prefix {
            let Some(i) = node.find_input(b) else {
                return 0;
            };
            node = f.node(node.transition_addr(i));
        }
        let mut n = 0;
        let mut stack = alloc::vec![node.addr()];
        while let Some(addr) = stack.pop() {
            let node = f.node(addr);
            n += usize::from(node.is_final());
            stack.extend(node.transitions().map(|t| t.addr));
        }
        n
    }

    /// The keys in `range`, in order, e.g. `set.range("b".."d")` or
    /// `set.range::<&str, _>(..)`.
    pub fn range<K: AsRef<[u8]>, R: RangeBounds<K>>(&self, range: R) -> Keys<'_> {
        Keys::new(storage::in_range(self.set.range(), &range).into_stream())
    }

    /// The keys within `distance` edits (insertions, deletions, substitutions of Unicode
    /// scalar values) of `query`, in order. Keys that are not UTF-8 never match.
    ///
    /// Builds a Levenshtein automaton for `query` first (fst's; its size grows quickly with
    /// `distance`: 1 or 2 is the practical range) and intersects it with the set.
    ///
    /// # Errors
    /// `InvalidParameter` on `distance` if the automaton would pass 10,000 states (about
    /// 65 MiB while it is built): distance 1 works up to about 400 bytes of query, 2 up to
    /// about 50, 3 up to about 8. Such a query is refused before anything is allocated.
    pub fn fuzzy(&self, query: &str, distance: u32) -> Result<Keys<'_>> {
        let lev = storage::levenshtein(query, distance)?;
        Ok(Keys::new(self.set.search(lev).into_stream()))
    }

    /// The keys matched by any fst [`Automaton`] (regular expressions from `regex-automata`'s
    /// fst support, `fst::automaton::Subsequence`, ...), in order.
    pub fn search<'a, A: Automaton + 'a>(&'a self, automaton: A) -> Keys<'a> {
        Keys::new(self.set.search(automaton).into_stream())
    }

    /// The longest key that is a prefix of `query`, as a slice of `query`. `O(query length)`.
    ///
    /// # Example
    /// ```
    /// use hpds_trie::WordSet;
    /// let set: WordSet = ["new", "new york", "york"].into_iter().collect();
    /// assert_eq!(set.longest_prefix("new york city"), Some(&b"new york"[..]));
    /// assert_eq!(set.longest_prefix("newark"), Some(&b"new"[..]));
    /// assert_eq!(set.longest_prefix("boston"), None);
    /// ```
    pub fn longest_prefix<'q, Q: AsRef<[u8]> + ?Sized>(&self, query: &'q Q) -> Option<&'q [u8]> {
        let query = query.as_ref();
        let f = self.set.as_fst();
        let mut node = f.root();
        let mut best = node.is_final().then_some(0);
        for (i, &b) in query.iter().enumerate() {
            let Some(t) = node.find_input(b) else { break };
            node = f.node(node.transition_addr(t));
            if node.is_final() {
                best = Some(i + 1);
            }
        }
        best.map(|n| &query[..n])
    }

    /// Whether every key of `self` is in `other`.
    pub fn is_subset(&self, other: &WordSet) -> bool {
        self.set.is_subset(&other.set)
    }

    /// Whether the sets share no key.
    pub fn is_disjoint(&self, other: &WordSet) -> bool {
        self.set.is_disjoint(&other.set)
    }

    fn from_op(mut stream: impl for<'a> Streamer<'a, Item = &'a [u8]>) -> Self {
        let mut b = MinimalSetBuilder::default();
        while let Some(k) = stream.next() {
            b.insert(k)
                .expect("set operations stream sorted distinct keys");
        }
        Self::from_vec_unchecked(b.finish())
    }

    fn op<'a>(sets: impl IntoIterator<Item = &'a WordSet>) -> fst::set::OpBuilder<'a> {
        let mut op = fst::set::OpBuilder::new();
        for s in sets {
            op.push(&s.set);
        }
        op
    }

    /// The keys in any of `sets`, streamed and built in one pass (`O(total bytes)`).
    ///
    /// # Example
    /// ```
    /// use hpds_trie::WordSet;
    /// let a: WordSet = ["ant", "bee"].into_iter().collect();
    /// let b: WordSet = ["bee", "cat"].into_iter().collect();
    /// let c: WordSet = ["bee", "dog"].into_iter().collect();
    /// assert_eq!(WordSet::union([&a, &b, &c]).len(), 4);
    /// assert_eq!(WordSet::intersection([&a, &b, &c]).iter().collect::<Vec<_>>(), [b"bee"]);
    /// assert_eq!(a.difference([&b, &c]).iter().collect::<Vec<_>>(), [b"ant"]);
    /// ```
    pub fn union<'a>(sets: impl IntoIterator<Item = &'a WordSet>) -> WordSet {
        Self::from_op(Self::op(sets).union())
    }

    /// The keys in every one of `sets` (empty if `sets` is empty).
    pub fn intersection<'a>(sets: impl IntoIterator<Item = &'a WordSet>) -> WordSet {
        Self::from_op(Self::op(sets).intersection())
    }

    /// The keys of `self` in none of `others`.
    pub fn difference<'a>(&'a self, others: impl IntoIterator<Item = &'a WordSet>) -> WordSet {
        Self::from_op(Self::op(core::iter::once(self).chain(others)).difference())
    }

    /// The keys in an odd number of `sets`.
    pub fn symmetric_difference<'a>(sets: impl IntoIterator<Item = &'a WordSet>) -> WordSet {
        Self::from_op(Self::op(sets).symmetric_difference())
    }
}

impl Default for WordSet {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for WordSet {
    fn eq(&self, other: &Self) -> bool {
        storage::same_contents(self.set.as_fst(), other.set.as_fst())
    }
}

impl Eq for WordSet {}

impl fmt::Debug for WordSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(crate::DebugKey))
            .finish()
    }
}

impl HeapSize for WordSet {
    /// The fst's bytes plus 16 bytes of reference counts (zero when memory-mapped: the page
    /// cache holds the file).
    fn heap_bytes(&self) -> usize {
        self.set.as_fst().as_inner().heap_bytes()
    }
}

impl<K: AsRef<[u8]>> FromIterator<K> for WordSet {
    /// Sorts and de-duplicates the keys (see [`WordSetBuilder`] for the memory it takes).
    fn from_iter<I: IntoIterator<Item = K>>(iter: I) -> Self {
        let mut b = WordSetBuilder::new();
        b.extend(iter);
        b.finish()
    }
}

impl<'a> IntoIterator for &'a WordSet {
    type Item = Vec<u8>;
    type IntoIter = Keys<'a>;
    fn into_iter(self) -> Keys<'a> {
        self.iter()
    }
}

/// Keys of a [`WordSet`] query, in lexicographic byte order, each as a fresh `Vec<u8>`.
pub struct Keys<'s> {
    stream: Box<dyn for<'a> Streamer<'a, Item = &'a [u8]> + 's>,
}

impl<'s> Keys<'s> {
    fn new(stream: impl for<'a> Streamer<'a, Item = &'a [u8]> + 's) -> Self {
        Self {
            stream: Box::new(stream),
        }
    }
}

impl Iterator for Keys<'_> {
    type Item = Vec<u8>;
    fn next(&mut self) -> Option<Vec<u8>> {
        self.stream.next().map(<[u8]>::to_vec)
    }
}

impl fmt::Debug for Keys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys").finish_non_exhaustive()
    }
}

/// Builds a [`WordSet`] from keys in any order, with duplicates: a stream of tokens.
///
/// Keys are copied into one byte arena indexed by 16-byte entries; whenever the entries double
/// since the last pass they are sorted and de-duplicated in place, so memory stays within about
/// twice `distinct keys × (16 + mean key length)` bytes however many duplicates the stream has.
/// [`finish`](Self::finish) sorts a last time and streams the keys into the automaton builder.
///
/// # Example
/// ```
/// use hpds_trie::WordSetBuilder;
/// let mut b = WordSetBuilder::new();
/// for token in "the cat sat on the mat the end".split(' ') {
///     b.insert(token);
/// }
/// let set = b.finish();
/// assert_eq!(set.len(), 6);
/// ```
#[derive(Clone, Default)]
pub struct WordSetBuilder {
    keys: Collector,
}

impl WordSetBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one key (duplicates are fine).
    pub fn insert<K: AsRef<[u8]>>(&mut self, key: K) {
        self.keys.push(key.as_ref());
    }

    /// Keys held, counting duplicates not yet removed.
    pub fn pending(&self) -> usize {
        self.keys.pending()
    }

    /// Builds the set.
    pub fn finish(self) -> WordSet {
        let mut b = MinimalSetBuilder::default();
        self.keys.drain_sorted(|k| {
            b.insert(k)
                .expect("the collector yields sorted distinct keys");
        });
        WordSet::from_vec_unchecked(b.finish())
    }
}

impl<K: AsRef<[u8]>> Extend<K> for WordSetBuilder {
    fn extend<I: IntoIterator<Item = K>>(&mut self, iter: I) {
        for k in iter {
            self.insert(k);
        }
    }
}

impl HeapSize for WordSetBuilder {
    fn heap_bytes(&self) -> usize {
        self.keys.heap_bytes()
    }
}

impl fmt::Debug for WordSetBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WordSetBuilder")
            .field("pending", &self.pending())
            .finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for WordSet {
    /// Serializes as the fst bytes.
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(self.as_bytes())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for WordSet {
    /// Deserializes fst bytes, validated as by [`WordSet::from_bytes`].
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let bytes = crate::serde_bytes::deserialize(d)?;
        WordSet::from_vec(bytes).map_err(serde::de::Error::custom)
    }
}
