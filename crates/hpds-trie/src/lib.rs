//! Tries and DAWGs for large string sets: a compact mutable [`Trie`] and the fst-backed
//! [`WordSet`] / [`WordMap`].
//!
//! Storing millions of strings in a `HashSet<String>` costs tens of bytes per key on top of the
//! strings. A trie shares prefixes; a DAWG (a minimal acyclic automaton) shares prefixes *and*
//! suffixes and is several times smaller again. This crate gives the choices *High Performance
//! Python* compares on Wikipedia tokens (set, trie, DAWG, Marisa trie), measured.
//!
//! # Which one
//! | type | mutable | bytes/key: dict words (348k) · `hpds compare` words (763k) · file paths (380k) | use it for |
//! |---|---|---|---|
//! | [`WordSet`] | no (build once, then query) | 2.93 · 7.43 · 7.72 | large vocabularies, on disk or mapped, set algebra, fuzzy search |
//! | [`WordMap`] | no | 3.93 as word → rank (dict) | word → id / count / offset; rank and select ([`WordMap::ordinals`]) |
//! | [`Trie`] | yes (insert, remove) | 15.0 · 16.1 · 23.8 | a set that changes, sorted and prefix walks while it grows |
//! | `HashSet<String>` | yes | 46.8 · 45.5 · 74.7 | fastest lookups when memory is not the question |
//!
//! (marisa-trie, for scale: 3.20 bytes/key on a 341k-word English list where `WordSet` takes
//! 4.72. Measured figures, lookup times and how to rerun them: `docs/trie.md`.)
//!
//! All three take keys as bytes (`&str`, `String`, `&[u8]`, `Vec<u8>`), iterate in
//! lexicographic byte order (for UTF-8, the order of `str`), and answer prefix queries and
//! longest-prefix matches. The [`StringSet`] trait drives them and the standard-library
//! baselines ([`SortedStrings`], `HashSet<String>`, `BTreeSet<String>`) with the same code, for
//! benchmarks and `hpds compare`.
//!
//! # Example
//! Count the distinct words of a text and keep them in a few bytes each:
//! ```
//! use hpds_trie::{WordSet, WordSetBuilder};
//! let text = "it was the best of times it was the worst of times";
//! let mut b = WordSetBuilder::new();
//! b.extend(text.split_whitespace());
//! let words = b.finish();
//! assert_eq!(words.len(), 7);
//! assert_eq!(words.prefix("w").collect::<Vec<_>>(), [&b"was"[..], b"worst"]);
//! assert_eq!(words.range("o".."u").count(), 3); // of, the, times
//! let typo: Vec<Vec<u8>> = words.fuzzy("tines", 1)?.collect();
//! assert_eq!(typo, [b"times"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//! A mutable trie:
//! ```
//! use hpds_trie::Trie;
//! let mut routes = Trie::new();
//! routes.insert("/api");
//! routes.insert("/api/users");
//! assert_eq!(routes.longest_prefix("/api/users/42"), Some(&b"/api/users"[..]));
//! routes.remove("/api/users");
//! assert_eq!(routes.longest_prefix("/api/users/42"), Some(&b"/api"[..]));
//! ```
//!
//! # Memory usage
//! - [`Trie`]: its keys in buckets of at most 1,024, each key costing its bytes below the
//!   bucket plus about 9 (a length byte, a four-byte entry in the bucket's order and hash
//!   slots of three bytes at 45-90 % load), about 80 bytes per bucket, and a few tens of
//!   bytes per inner node. Vectors grow by a quarter (bucket bytes and orders) or an eighth
//!   (the node and bucket tables), and hash tables double, so the slack stays bounded without
//!   a shrink step. [`HeapSize`](hpds_core::HeapSize) reports capacity, which
//!   equals what the allocator handed out.
//! - [`WordSet`] / [`WordMap`]: the fst's bytes, nothing else; `heap_bytes` is the byte count
//!   (zero when memory-mapped).
//! - Building a `WordSet` from unsorted keys ([`WordSetBuilder`], [`FromIterator`]) holds the
//!   distinct keys in an arena plus 16 bytes each while sorting, then frees them;
//!   [`WordSet::from_sorted_iter`] streams in memory bounded by the automaton. Either way the
//!   builder keeps a register of the automaton's nodes (20 to 35 bytes each) to make it
//!   minimal, freed when the set is built.
//!
//! Measured bytes per key, build times and lookup times for 100 thousand and 5 million keys,
//! and a chart, are in `docs/trie.md`; `cargo bench -p hpds-trie --bench memory` prints the
//! counting allocator's figures next to `heap_bytes()`.
//!
//! # Format
//! [`WordSet::to_bytes`] / [`WordMap::to_bytes`] write fst's own format (version 3), not the
//! hpds codec frame: the bytes are what `fst::Set::new` and the `fst` command-line tool read, and
//! they can be queried in place from a memory map, which a frame in front would break (fst
//! locates its root from the end of the buffer). fst's format carries its own CRC-32C checksum.
//! Decoding ([`WordSet::from_bytes`], [`WordMap::from_bytes`], `open_mmap`, serde) checks
//! the header, the checksum, and then every node of the automaton with checked arithmetic
//! (bounds, acyclicity, sorted inputs, output sums, the key count), because fst itself trusts
//! its input and would panic on corrupt nodes during a later query. Corrupt bytes give an
//! `Err`, never a panic: a proptest over mutated automata and the `decode_wordset` fuzz target
//! hold it to that. A golden-bytes test pins the format.
//!
//! [`Trie`] implements [`ByteCodec`](hpds_core::codec::ByteCodec) (tag `TRIE`): its keys in
//! order, front-coded. The decoder checks every length against the input and that the keys
//! strictly increase, so it never panics and what it accepts is a set; a golden file, a
//! proptest over mutated encodings and the `decode_trie` fuzz target hold it to that.
//!
//! # Crate features
//! - `serde`: `Serialize` / `Deserialize` for [`Trie`] (as a sequence of byte strings),
//!   [`WordSet`] and [`WordMap`] (as their fst bytes, validated on the way in).
//! - `mmap`: `WordSet::open_mmap` and `WordMap::open_mmap` via `memmap2`. Mapping a file is
//!   the crate's only `unsafe` code, isolated in the `mmap` module with its contract: the
//!   file must not be modified while mapped. Without the feature the crate is
//!   `#![forbid(unsafe_code)]`.
#![cfg_attr(not(feature = "mmap"), forbid(unsafe_code))]
#![cfg_attr(feature = "mmap", deny(unsafe_code))]
#![deny(missing_docs)]

extern crate alloc;

mod collector;
mod minimal;
#[cfg(feature = "mmap")]
pub mod mmap;
mod storage;
mod stringset;
mod trie;
mod validate;
mod wordmap;
mod wordset;

pub use stringset::{SortedStrings, StringSet};
pub use trie::{Cursor, Iter, Trie};
pub use wordmap::{Entries, WordMap};
pub use wordset::{Keys, WordSet, WordSetBuilder};

/// Shows a key as text where it is UTF-8, as bytes otherwise.
struct DebugKey<K>(K);

impl<K: AsRef<[u8]>> core::fmt::Debug for DebugKey<K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match core::str::from_utf8(self.0.as_ref()) {
            Ok(s) => write!(f, "{s:?}"),
            Err(_) => write!(f, "{:02x?}", self.0.as_ref()),
        }
    }
}

#[cfg(feature = "serde")]
mod serde_bytes {
    use alloc::vec::Vec;
    use core::fmt;

    /// Reads a byte buffer serialized as bytes or as a sequence of `u8`, growing as it reads
    /// (never trusting a length hint).
    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("fst bytes")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Vec<u8>, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(out)
            }
        }
        d.deserialize_byte_buf(V)
    }
}
