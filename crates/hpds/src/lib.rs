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
//! | a string set I can still modify | [`trie::Trie`] | | exact |
//! | count events to billions in one byte | [`morris::MorrisCounter`], many in [`morris::MorrisArray`] | 1 byte (or 4 bits) | ± a chosen relative error |
//! | count distinct items in 12 KiB, mergeable across machines | [`loglog::HyperLogLogPlusPlus`] | 12 KiB at p = 14, a few hundred bytes while small | ±0.8% (1.04/√m; ~0.6% before any merge) |
//! | count distinct items *and* estimate intersections / Jaccard | [`kmv::Kmv`] | 8 bytes × k | ±1/√(k−2) |
//! | "have I seen this?" with a fixed error rate | [`bloom::BloomFilter`], [`bloom::BlockedBloomFilter`] (faster at large sizes) | ~1.44·log2(1/p) bits per item | no false negatives |
//! | … when I don't know how many items will come | [`bloom::ScalableBloomFilter`] | grows as needed | total rate stays ≤ p |
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
//! let mut a = HyperLogLogPlusPlus::new(14);
//! let mut b = HyperLogLogPlusPlus::new(14);
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
//! # Crate features
//! - `openhash`, `vec`, `trie`, `morris`, `kmv`, `bloom`, `loglog` (all default): the families.
//! - `serde`: serde support in every enabled family.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub use hpds_core as core;
pub use hpds_core::{ByteCodec, DistinctCounter, Error, HeapSize, MembershipFilter, Result};

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
