//! Open-addressed hash maps and sets: a fast general-purpose table, a probing laboratory
//! (linear, triangular, double hashing, CPython's perturbation) and CPython's compact,
//! insertion-ordered dict.
//!
//! CPython's `dict` and `set` are open-addressed: the hash, masked to the table size, picks a
//! slot; a collision moves on along a probe sequence; the table grows before it is full. This
//! crate makes those ideas into Rust collections and lets you measure each trade-off.
//!
//! | Type | What | Use when |
//! |---|---|---|
//! | [`OpenMap`], [`OpenSet`] | SwissTable-style: one control byte per slot, 16 slots compared per SSE2 instruction, 7/8 max load | you want a `HashMap`/`HashSet` |
//! | [`CompactDict`] | CPython 3.6+'s layout: dense insertion-ordered entries + an index of 1/2/4/8-byte words | you want insertion order, positional access, and fewer bytes per entry than `indexmap` |
//! | [`lab::ProbeTable`] | a plain table whose [`lab::Probing`] and maximum load are parameters, with [`probe_stats`](lab::ProbeTable::probe_stats) | you want to see why probing works (or does not) |
//!
//! # Example
//! ```
//! use hpds_openhash::{CompactDict, OpenMap, OpenSet};
//!
//! // A word count with one allocation per distinct word.
//! let text = "the quick brown fox jumps over the lazy dog the end";
//! let mut counts: OpenMap<String, u32> = OpenMap::new();
//! for w in text.split(' ') {
//!     *counts.get_or_insert_ref(w, 0) += 1;
//! }
//! assert_eq!(counts["the"], 3);
//!
//! // Distinct words, in order of first appearance.
//! let mut order: CompactDict<String, ()> = CompactDict::new();
//! for w in text.split(' ') {
//!     order.insert_ref(w, ());
//! }
//! assert_eq!(order.get_index(1).map(|(k, _)| k.as_str()), Some("quick"));
//!
//! let set: OpenSet<u64> = (0..1000).collect();
//! assert!(set.contains(&999) && !set.contains(&1000));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Hashing and HashDoS
//! The default [`BuildHasher`](core::hash::BuildHasher) is [`ahash::RandomState`] (re-exported
//! as [`DefaultHashBuilder`]), **seeded at random for each map**: an adversary who picks keys
//! cannot force collisions, and iteration order differs between runs. Pass another hasher with
//! `with_hasher` for reproducible order. `OpenMap` uses the hash's low bits for the slot and
//! its top 7 bits as the control tag, so it needs a hash whose bits are all well mixed: the
//! laboratory's poor-hash test shows what a masked identity hash does to linear probing.
//!
//! # Memory usage
//! Heap bytes per entry after inserting `n` `u64 → u64` pairs one by one (no reservation),
//! measured by the counting allocator in `benches/memory.rs`, which also asserts that our
//! `heap_bytes()` agrees; all tables hash with `ahash`:
//!
//! | n | `OpenMap` | `hashbrown` | `CompactDict` | `indexmap` |
//! |---|---|---|---|---|
//! | 1 000 | 34.8 | 34.8 | 20.5 | 61.5 |
//! | 100 000 | 22.3 | 22.3 | 31.5 | 39.3 |
//! | 1 000 000 | 35.7 | 35.7 | 25.2 | 62.9 |
//!
//! `OpenMap` costs `size_of::<(K, V)>() + 1` bytes per slot (+16), slots a power of two with
//! the load between 7/16 and 7/8, exactly like hashbrown. `CompactDict` costs
//! `size_of::<(K, V)>()` per entry of its doubling entry array plus 1, 2, 4 or 8 bytes per
//! index slot (at most 2/3 used); `indexmap` caches each entry's hash (8 more bytes) and pays
//! 9 bytes per index slot. With 100 000 `String` keys (`"key-<i>"`, their bytes included):
//! `OpenSet` 41.7, hashbrown 41.7, `CompactDict<String, ()>` 50.8, `IndexSet` 57.4.
//!
//! [`hpds_core::HeapSize`] on every collection counts the table **and** what keys and values
//! own (a `String`'s capacity); `table_bytes()` gives the table alone.
//!
//! # Accuracy
//! Exact structures; the laboratory's probe lengths follow Knuth's formulas (measured with
//! 20 tables of 4096 slots each, mean probes per lookup, good hash):
//!
//! | strategy | load | hit (theory) | miss (theory) |
//! |---|---|---|---|
//! | linear | 0.50 | 1.51 (1.50) | 2.51 (2.50) |
//! | linear | 0.90 | 5.40 (5.38) | 48.5 (47.4) |
//! | triangular | 0.90 | 2.87 (2.85) | 12.0 (11.4) |
//! | double hashing | 0.90 | 2.56 (2.55) | 10.0 (9.97) |
//! | CPython | 0.90 | 2.57 (2.55) | 10.2 (9.97) |
//!
//! See `docs/openhash.md` for the full table and the poor-hash experiment.
//!
//! # Safety
//! The storage of `OpenMap`/`OpenSet` (private module `raw`) uses `unsafe` for its single
//! allocation (slots and control bytes in one block, as in hashbrown), unchecked slot access,
//! the in-place tombstone purge and SSE2 group loads; every block states its invariant, the
//! SIMD path has a
//! portable fallback that Miri runs, and panics in `Hash`, `Eq`, `Clone` or `Drop` leave no
//! double drop (tested, also under Miri). `CompactDict` and the laboratory are safe code.
//!
//! # Crate features
//! - `serde`: `Serialize`/`Deserialize` for `OpenMap`, `OpenSet` and `CompactDict` (maps as
//!   maps, sets as sequences, `CompactDict` in order).
#![deny(missing_docs)]

#[macro_use]
mod macros;
mod compact;
pub mod lab;
mod map;
mod raw;
#[cfg(feature = "serde")]
mod serde_impl;
mod set;

pub use compact::CompactDict;
pub use map::{
    DefaultHashBuilder, Drain, Entry, IntoIter, Iter, IterMut, Keys, OccupiedEntry, OpenMap,
    VacantEntry, Values, ValuesMut,
};
pub use set::OpenSet;

/// Iterators of [`OpenSet`].
pub mod set_iter {
    pub use crate::set::{Drain, IntoIter, Iter};
}

/// Iterators of [`CompactDict`].
pub mod compact_iter {
    pub use crate::compact::{IntoIter, Iter, IterMut};
}
