//! hpds: performance-oriented data structures, after *High Performance Python*.
//!
//! This facade re-exports every family behind a feature of the same name (all on by default).
//! Depend on a single `hpds-*` crate instead when you need only one family.
//!
//! # Choosing a structure
//!
//! | I need to… | use | memory | answer |
//! |---|---|---|---|
//! | map keys to values, fast | [`openhash::OpenMap`] / [`openhash::OpenSet`] | ~1.1–2× the entries | exact |
//! | keep insertion order, with less memory than `indexmap` | [`openhash::CompactDict`] | dense entries + 1–8-byte index | exact |
//! | see and tune a table's probing | [`openhash::lab`] | | probe-length statistics |
//! | grow a vector with a chosen time/memory trade-off | [`vec::GrowVec`] with [`vec::CPythonList`], [`vec::Doubling`], [`vec::Factor`], [`vec::Exact`], [`vec::SizeClass`] | slack set by the policy | exact |
//! | store millions of words compactly and query prefixes | [`trie::WordSet`] (a DAWG on `fst`), [`trie::WordMap`] | a few bytes per word | exact |
//! | a string set I can still modify, in less memory than a `HashSet<String>` | [`trie::Trie`] (a burst trie) | 0.41–0.46× a `HashSet<String>`'s bytes | exact |
//! | count events to billions in one byte | [`morris::MorrisCounter`], many in [`morris::MorrisArray`] | 1 byte (or 4 bits) | ± a chosen relative error |
//! | count distinct items in 12 KiB, mergeable across machines | [`loglog::HyperLogLogPlusPlus`] | 12 KiB at p = 14, a few hundred bytes while small | ±0.8% (1.04/√m; ~0.6% before any merge) |
//! | … most accurate per byte after merging shards | [`loglog::UltraLogLog`] (1 byte per register), [`loglog::ExaLogLog`] (28 bits per register) | 4 KiB / 14 KiB at p = 12 | ±0.76/√m (ULL); memory × variance ≈ 4.6 (ULL) and 3.7 (ELL) after merges, against ≈ 6.5 for HyperLogLog |
//! | count distinct items *and* get sketches of unions, intersections, differences, Jaccard | [`kmv::ThetaSketch`] (the textbook [`kmv::Kmv`] beside it) | 16 bytes × k in memory, 45–52 bits per kept hash serialized | ±1/√(1.9 k) |
//! | "have I seen this?" with a fixed error rate | [`bloom::BloomFilter`], [`bloom::BlockedBloomFilter`] (faster at large sizes) | ~1.44·log2(1/p) bits per item | no false negatives |
//! | … when I don't know how many items will come | [`bloom::ScalableBloomFilter`] | grows as needed | total rate stays ≤ p |
//! | … for a set known in advance, smallest and fastest | [`bloom::BinaryFuseFilter`] ([`bloom::BinaryFuse8`], [`bloom::BinaryFuse16`]) | 9.0 bits per item at 0.39% (8-bit) | no false negatives; built once |
//! | … with removals | [`bloom::CountingBloomFilter`] | 4 bits per cell | |
//! | membership with expiry over a stream | [`bloom::TimingBloomFilter`], [`bloom::ScalingTimingBloomFilter`] | | items expire after a decay time |
//! | … shared by many threads | [`bloom::AtomicBloomFilter`] | | lock-free inserts |
//!
//! Every sketch and filter hashes items once with a stable, seeded hash
//! ([`core::hash`]), accepts pre-hashed `u64` input, encodes to a versioned, checksummed byte
//! format ([`ByteCodec`]) whose decoder never panics, and merges with sketches built by other
//! processes.
//!
//! # Example
//! ```
//! use hpds::{ByteCodec, DistinctCounter};
//! use hpds::loglog::HyperLogLogPlusPlus;
//!
//! // Two shards count words independently, then merge.
//! let mut a = HyperLogLogPlusPlus::new(14)?;
//! let mut b = HyperLogLogPlusPlus::new(14)?;
//! for i in 0..50_000 {
//!     a.insert(&format!("word{i}"));
//!     b.insert(&format!("word{}", i + 25_000));
//! }
//! let mut shipped = HyperLogLogPlusPlus::from_bytes(&b.to_bytes())?;
//! shipped.merge(&a)?;
//! let estimate = shipped.estimate();
//! assert!((estimate - 75_000.0).abs() < 75_000.0 * 0.05);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # One vocabulary
//!
//! Every crate of the family speaks the same API, so what you learn on one structure carries
//! over to the next:
//!
//! | concern | the rule | e.g. |
//! |---|---|---|
//! | construction | `new(...) -> Result<Self>` when a parameter can be invalid, no panicking twin; `Default` where a sensible default exists | `HyperLogLogPlusPlus::new(14)?`, `Kmv::new(1024)?`, `BloomFilter::new(n, p)?`, `MorrisCounter::new(base)?` |
//! | seeds | `with_seed(<new's parameters>, seed) -> Result<Self>`, the one seeded constructor | `BloomFilter::with_seed(n, p, 7)?` |
//! | parameter sets | `builder()` returning a config with consuming setters and `build() -> Result` | `ScalableBloomFilter::builder(n, p)` |
//! | std-shaped containers | std's signatures: `new()`, `with_capacity(n)` (panics on overflow like `Vec`'s) beside a `try_with_capacity` | `OpenMap`, `GrowVec` |
//! | items | `insert(&item)` / `contains(&item)` take any [`Item`]: the same bytes are the same item whatever their Rust type (`&str`, `String`, `&[u8]`, `Vec<u8>` …), integers as fixed-width little-endian bytes; other `Hash` types through [`ByHash`] | `hll.insert("abc")` and `hll.insert(&b"abc"[..])` count one item |
//! | pre-hashed input | `insert_hash(u64)` / `contains_hash(u64)`; `*_many` take slices | |
//! | memory | `heap_bytes()` ([`HeapSize`]) is every heap byte the value owns, elements included | |
//! | combining | `merge` for sketches, `union` / `intersect` for filters, `-> Result` with an error that names what differs | |
//! | bytes | `to_bytes` / `from_bytes` ([`ByteCodec`]): versioned, checksummed, and the decoder never panics | |
//!
//! The shared traits ([`DistinctCounter`], [`MembershipFilter`], [`ApproximateCounter`],
//! [`HeapSize`], [`ByteCodec`], [`Item`]) are re-exported here.
//!
//! # Crate features
//! - `openhash`, `vec`, `trie`, `morris`, `kmv`, `bloom`, `loglog` (all default): the families.
//! - `serde`: serde support in every enabled family.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub use hpds_core as core;
pub use hpds_core::{
    ApproximateCounter, ByHash, ByteCodec, DistinctCounter, Error, HeapSize, Item,
    MembershipFilter, Result,
};

#[cfg(feature = "bloom")]
pub use hpds_bloom as bloom;
#[cfg(feature = "kmv")]
pub use hpds_kmv as kmv;
#[cfg(feature = "loglog")]
pub use hpds_loglog as loglog;
#[cfg(feature = "morris")]
pub use hpds_morris as morris;
#[cfg(feature = "openhash")]
pub use hpds_openhash as openhash;
#[cfg(feature = "trie")]
pub use hpds_trie as trie;
#[cfg(feature = "vec")]
pub use hpds_vec as vec;
