//! `StringSet`: one interface over the trie, the DAWG and the standard-library baselines.

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;
use std::collections::HashSet;

use hpds_core::HeapSize;

use crate::{Trie, WordSet, WordSetBuilder};

/// An exact set of strings, built once from a stream of tokens, as the benchmarks and the
/// `hpds compare` command use it: every implementation answers the same questions, so their
/// memory, build time and query time can be compared row by row.
///
/// Implemented by [`Trie`], [`WordSet`], [`SortedStrings`] and the standard library's
/// `HashSet<String>` and `BTreeSet<String>`.
///
/// # Example
/// ```
/// use hpds_trie::{StringSet, Trie, WordSet};
/// use std::collections::HashSet;
///
/// fn row<S: StringSet>(tokens: &[&str]) -> (&'static str, usize, usize) {
///     let s = S::build(tokens.iter().copied());
///     (S::name(), s.len(), s.memory_bytes())
/// }
/// let tokens = ["to", "be", "or", "not", "to", "be"];
/// assert_eq!(row::<Trie>(&tokens).1, 4);
/// assert_eq!(row::<WordSet>(&tokens).1, 4);
/// assert_eq!(row::<HashSet<String>>(&tokens).1, 4);
/// ```
pub trait StringSet {
    /// A short name for tables (`"trie (hpds)"`, `"dawg (fst)"`, `"HashSet<String>"`, ...).
    fn name() -> &'static str
    where
        Self: Sized;

    /// Builds the set from tokens in any order, with duplicates.
    fn build<'a, I: IntoIterator<Item = &'a str>>(tokens: I) -> Self
    where
        Self: Sized;

    /// Whether `key` is in the set.
    fn contains_str(&self, key: &str) -> bool;

    /// Number of distinct strings.
    fn len(&self) -> usize;

    /// Whether the set is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of strings starting with `prefix`.
    fn count_prefix_str(&self, prefix: &str) -> usize;

    /// Heap bytes owned, the strings' own buffers included (what `HeapSize::heap_bytes` reports
    /// for the hpds types). Exact for all but `BTreeSet<String>`, whose node count std does not
    /// expose: see its impl.
    fn memory_bytes(&self) -> usize;
}

impl StringSet for Trie {
    fn name() -> &'static str {
        "trie (hpds)"
    }
    fn build<'a, I: IntoIterator<Item = &'a str>>(tokens: I) -> Self {
        tokens.into_iter().collect()
    }
    fn contains_str(&self, key: &str) -> bool {
        self.contains(key)
    }
    fn len(&self) -> usize {
        Trie::len(self)
    }
    fn count_prefix_str(&self, prefix: &str) -> usize {
        self.count_prefix(prefix)
    }
    fn memory_bytes(&self) -> usize {
        self.heap_bytes()
    }
}

impl StringSet for WordSet {
    fn name() -> &'static str {
        "dawg (fst)"
    }
    fn build<'a, I: IntoIterator<Item = &'a str>>(tokens: I) -> Self {
        let mut b = WordSetBuilder::new();
        b.extend(tokens);
        b.finish()
    }
    fn contains_str(&self, key: &str) -> bool {
        self.contains(key)
    }
    fn len(&self) -> usize {
        WordSet::len(self)
    }
    fn count_prefix_str(&self, prefix: &str) -> usize {
        self.count_prefix(prefix)
    }
    fn memory_bytes(&self) -> usize {
        self.heap_bytes()
    }
}

/// Bytes of a `hashbrown` table (std's `HashSet`) with `capacity` usable slots of `T`.
///
/// std reports the usable capacity: 7/8 of the buckets from 8 buckets up, one less than the
/// buckets below. The allocation is the buckets, rounded up to 16-byte alignment, then one
/// control byte per bucket plus a 16-byte group for the SIMD probe.
pub(crate) fn hashbrown_table_bytes<T>(capacity: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = if capacity < 8 {
        capacity + 1
    } else {
        capacity / 7 * 8
    };
    (buckets * core::mem::size_of::<T>()).next_multiple_of(16) + buckets + 16
}

impl StringSet for HashSet<String> {
    fn name() -> &'static str {
        "HashSet<String>"
    }
    fn build<'a, I: IntoIterator<Item = &'a str>>(tokens: I) -> Self {
        let mut s = HashSet::new();
        for t in tokens {
            if !s.contains(t) {
                s.insert(String::from(t));
            }
        }
        s
    }
    fn contains_str(&self, key: &str) -> bool {
        self.contains(key)
    }
    fn len(&self) -> usize {
        HashSet::len(self)
    }
    fn count_prefix_str(&self, prefix: &str) -> usize {
        self.iter().filter(|s| s.starts_with(prefix)).count()
    }
    fn memory_bytes(&self) -> usize {
        hashbrown_table_bytes::<String>(self.capacity())
            + self.iter().map(String::capacity).sum::<usize>()
    }
}

/// Bytes of std's B-tree leaf and internal nodes holding `String` keys (`B = 6`: 11 keys a
/// node; a leaf is 8 + 2 + 2 + 11 × 24 = 276 → 280 bytes, an internal node adds 12 edges).
const BTREE_LEAF: usize = 280;
const BTREE_INTERNAL: usize = 280 + 12 * 8;

impl StringSet for BTreeSet<String> {
    fn name() -> &'static str {
        "BTreeSet<String>"
    }
    fn build<'a, I: IntoIterator<Item = &'a str>>(tokens: I) -> Self {
        let mut s = BTreeSet::new();
        for t in tokens {
            if !s.contains(t) {
                s.insert(String::from(t));
            }
        }
        s
    }
    fn contains_str(&self, key: &str) -> bool {
        self.contains(key)
    }
    fn len(&self) -> usize {
        BTreeSet::len(self)
    }
    fn count_prefix_str(&self, prefix: &str) -> usize {
        self.range::<str, _>((
            core::ops::Bound::Included(prefix),
            core::ops::Bound::Unbounded,
        ))
        .take_while(|s| s.starts_with(prefix))
        .count()
    }
    /// An estimate: std does not expose the node count. Nodes filled by random insertion hold
    /// about 8 of their 11 keys on average (splits leave halves of 5 and 6, which then fill up);
    /// one key in 9 sits in an internal node. The memory benchmark prints it next to the
    /// counting allocator's figure.
    fn memory_bytes(&self) -> usize {
        let n = self.len();
        let nodes = n.div_ceil(8);
        let internal = nodes / 9;
        (nodes - internal) * BTREE_LEAF
            + internal * BTREE_INTERNAL
            + self.iter().map(String::capacity).sum::<usize>()
    }
}

/// A sorted, de-duplicated `Vec<String>` searched by binary search: the simplest compact
/// baseline (24 bytes of `String` header per key plus the string).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SortedStrings(Vec<String>);

impl SortedStrings {
    /// The strings, sorted.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

impl HeapSize for SortedStrings {
    fn heap_bytes(&self) -> usize {
        self.0.heap_bytes()
    }
}

impl StringSet for SortedStrings {
    fn name() -> &'static str {
        "sorted Vec<String>"
    }
    fn build<'a, I: IntoIterator<Item = &'a str>>(tokens: I) -> Self {
        let distinct: HashSet<&str> = tokens.into_iter().collect();
        let mut v: Vec<String> = distinct.into_iter().map(String::from).collect();
        v.sort_unstable();
        SortedStrings(v)
    }
    fn contains_str(&self, key: &str) -> bool {
        self.0.binary_search_by(|s| s.as_str().cmp(key)).is_ok()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn count_prefix_str(&self, prefix: &str) -> usize {
        let start = self.0.partition_point(|s| s.as_str() < prefix);
        self.0[start..]
            .iter()
            .take_while(|s| s.starts_with(prefix))
            .count()
    }
    fn memory_bytes(&self) -> usize {
        self.heap_bytes()
    }
}
