//! Bloom filters that keep their promised error rate: classic, blocked, scalable, counting,
//! timing (expiring) and atomic.
//!
//! A Bloom filter answers "have I seen this?" in a few bits per item, with no false negatives
//! and a false-positive rate `p` you choose: about `1.44 log2(1/p)` bits per item (9.6 at 1%)
//! with `k = log2(1/p)` bit positions per item. Use one in front of a slow lookup (disk, network)
//! to skip most misses, to deduplicate a stream approximately, or to count the distinct items
//! of a stream in a fixed budget (count the inserts that return `false`).
//!
//! # Types
//! | type | for | bits per item at 1% |
//! | --- | --- | --- |
//! | [`BloomFilter`] | the classic filter; union, intersection, fill estimates | 9.6 |
//! | [`BlockedBloomFilter`] | speed on large filters: one cache line per operation | 10.0 |
//! | [`ScalableBloomFilter`] | an unknown number of items, rate still ≤ p | ~17 (grows) |
//! | [`CountingBloomFilter`] | removals (4-bit saturating counters) | 38.4 |
//! | [`TimingBloomFilter`] | streams: items expire after a decay time | 38.4 per live item |
//! | [`ScalingTimingBloomFilter`] | expiring items at an unknown, changing rate | grows and shrinks |
//! | [`AtomicBloomFilter`] | inserts from many threads, lock-free | 9.6 |
//!
//! [`params`] has the sizing formulas and the theoretical rates the filters are tested against.
//! Every filter implements [`hpds_core::MembershipFilter`] and [`hpds_core::HeapSize`]; the
//! classic, blocked, scalable and counting filters have a versioned byte encoding
//! ([`hpds_core::ByteCodec`]) and, with the `serde` feature, serde support.
//!
//! # Example
//! A filter used as a distinct counter over `&str` tokens:
//! ```
//! use hpds_bloom::BloomFilter;
//! use hpds_core::HeapSize;
//! let text = "the cat sat on the mat the end";
//! let mut seen = BloomFilter::new(1_000, 0.001)?;
//! let distinct = text.split(' ').filter(|w| !seen.insert(*w)).count();
//! assert_eq!(distinct, 6);
//! assert!(seen.heap_bytes() < 2_000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Growing without a size known in advance, and saving to bytes:
//! ```
//! use hpds_bloom::ScalableBloomFilter;
//! use hpds_core::ByteCodec;
//! let mut f = ScalableBloomFilter::new(1_000, 0.01)?;
//! f.extend(0..50_000u64);
//! let bytes = f.to_bytes();
//! let g = ScalableBloomFilter::from_bytes(&bytes)?;
//! assert!(g.contains(&49_999u64));
//! assert!(g.false_positive_rate() <= 0.01);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Batched operations
//! [`BlockedBloomFilter`], [`BloomFilter`] and [`ScalableBloomFilter`] also take slices:
//! `insert_many` (returns how many items were new), `contains_many` and `count_contained`, with
//! exactly the per-item results. They hash each item a few items before applying it and
//! prefetch its cache lines then (`_mm_prefetch` on x86-64, an `unsafe` call; a no-op
//! elsewhere), so the misses of many items overlap: on a 100M-item blocked filter
//! (118 MiB) about 28-36 ns per item against 110-130 ns one at a time, on the classic filter
//! about half the per-item time (`docs/bloom.md`). On filters that fit in the cache they gain
//! nothing.
//!
//! ```
//! use hpds_bloom::BlockedBloomFilter;
//! let mut f = BlockedBloomFilter::new(10_000, 0.01)?;
//! let keys: Vec<u64> = (0..1000).collect();
//! assert_eq!(f.insert_many(&keys), 1000);
//! assert_eq!(f.count_contained(&keys), 1000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Hashing
//! Each operation hashes the item once with the stable 128-bit xxh3 of its canonical bytes
//! ([`hpds_core::Item`], seeded) and derives the `k` positions by enhanced double
//! hashing with a multiply-shift range reduction; composite filters reuse the one hash for every
//! sub-filter. `insert_hash`/`contains_hash` take a pre-computed 64-bit hash `h` and expand it to
//! the pair `(mix64(h), mix64(h + φ))` ([`hpds_core::hash::mix64`], a bijection; two SplitMix64
//! outputs), so distinct 64-bit hashes stay distinct and even sequential "hashes" spread well. The two entry points hash differently: use either items or pre-hashed
//! values with one filter, not both.
//!
//! # Storage
//! Bits and 4-bit cells live in `bitvec` `BitVec<u64>`s, the workspace's bit-array type, which
//! owns the buffer and does allocation, truncation, clearing and the encodings, where it costs
//! nothing measurable. The hot paths were measured both ways (`benches/throughput.rs`, group
//! `storage`; figures in `docs/bloom.md`) and index the raw `u64` words instead:
//! - [`BloomFilter`]'s insert and query loops: `BitSlice::replace` and indexing took 1.4-1.8x
//!   the time of raw word operations for the same probes. They read the words without a
//!   per-probe bounds check (the crate's other `unsafe` code, beside the prefetch: one
//!   check per operation that the words cover all `m` bits, then unchecked reads at positions
//!   `< m`), which callgrind counts as 6-23 fewer instructions per operation
//!   (`docs/bloom.md`, *Design notes*).
//! - [`CountingBloomFilter`] and [`TimingBloomFilter`] cells: `BitField` `load_le`/`store_le` on
//!   4-bit slices took 2.4-3.2x the time of nibble shifts and masks. The timing filter's sweep
//!   reads whole words, 16 cells at a time.
//! - [`BlockedBloomFilter`] uses `Vec<[u64; 8]>` aligned to 64 bytes: a `BitVec` buffer cannot be
//!   cache-line aligned, and a misaligned block costs two misses instead of one.
//! - [`AtomicBloomFilter`] uses `Vec<AtomicU64>`: the insert needs `fetch_or`'s previous word.
//!
//! # Memory usage
//! `m` bits (cells × 4 for counting and timing filters) plus a few words; [`HeapSize`] reports
//! it, and `benches/memory.rs` checks it against a counting allocator.
//!
//! | rate | classic | blocked | counting / timing |
//! | --- | --- | --- | --- |
//! | 1% | 9.59 | 9.97 | 38.4 |
//! | 0.1% | 14.4 | 15.6 | 57.5 |
//! | 0.01% | 19.2 | 22.0 | 76.7 |
//!
//! (bits per item at capacity, from [`params::classic_shape`] and [`params::blocked_shape`]).
//!
//! # Accuracy
//! The classic filter's rate after `n` items is `(1 - e^{-kn/m})^k`; the blocked filter's is the
//! Poisson mixture of [`params::blocked_fpr`]. The test suite measures each on one million
//! non-members at 1%, 0.1% and 0.01% and requires the measured rate within a binomial bound of
//! theory; `docs/bloom.md` has the table and the FPR-vs-fill plot.
//!
//! # Crate features
//! - `serde`: `Serialize`/`Deserialize` for the classic, blocked, scalable and counting filters
//!   in hpds' one convention (`hpds_core::serde_codec`): a base64 string of the versioned
//!   encoding in human-readable formats, the bytes in binary ones, validated like `from_bytes`.
//!
//! [`HeapSize`]: hpds_core::HeapSize
#![deny(unsafe_code)]
#![deny(missing_docs)]

#[macro_use]
mod shared;

mod atomic;
mod blocked;
mod bloom;
mod clock;
mod counting;
mod hashing;
pub mod params;
mod prefetch;
mod scalable;
pub mod timing;

pub use atomic::AtomicBloomFilter;
pub use blocked::BlockedBloomFilter;
pub use bloom::BloomFilter;
pub use clock::{Clock, ManualClock, MonotonicClock};
pub use counting::CountingBloomFilter;
pub use scalable::{ScalableBloomFilter, ScalableConfig};
pub use timing::{ScalingTimingBloomFilter, TimingBloomFilter};
