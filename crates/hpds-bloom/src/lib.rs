//! Bloom filters that keep their promised error rate: classic, blocked, scalable, counting,
//! timing (expiring) and atomic; and the binary fuse filter for sets known in advance.
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
//! | [`BlockedBloomFilter`] | speed: one cache line per operation, no branch on the data | 10.5 |
//! | [`ScalableBloomFilter`] | an unknown number of items, rate still ≤ p | 17-20 (grows) |
//! | [`ExpandableFilter`] | an unknown number of items, constant-time operations, removals | 18.3-36.6 (doubles) |
//! | [`CountingBloomFilter`] | removals (4-bit saturating counters) | 38.4 |
//! | [`TimingBloomFilter`] | streams: items expire after a decay time | 38.4 per live item |
//! | [`ScalingTimingBloomFilter`] | expiring items at an unknown, changing rate | grows and shrinks |
//! | [`AtomicBloomFilter`] | inserts from many threads, lock-free | 9.6 |
//! | [`BinaryFuse8`] | a set known in advance, built once, never changed | 9.0 (rate 0.39 %) |
//! | [`BinaryFuse16`] | the same at rate 0.0015 % | 18.0 |
//!
//! [`params`] has the sizing formulas and the theoretical rates the filters are tested against.
//! Every Bloom filter implements [`hpds_core::MembershipFilter`]; the binary fuse filters do
//! not, as they take no inserts (they answer `contains` and `contains_hash`). Every filter
//! implements [`hpds_core::HeapSize`] and has a versioned byte encoding
//! ([`hpds_core::ByteCodec`]) and, with the `serde` feature, serde support.
//!
//! # A set known in advance: the binary fuse filter
//! When the whole set is at hand before the first query (a list of bad passwords, the keys of
//! an immutable table, yesterday's URLs), [`BinaryFuse8`] holds it in 9.0 bits per item at a
//! 0.39 % rate (a classic Bloom filter needs 11.5 bits for that rate) and answers with three
//! reads of one array, without a branch on the data. It is built once, from a slice or an
//! iterator of items or of 64-bit hashes (duplicates are fine), and cannot take inserts
//! afterwards: build a new one when the set changes. [`BinaryFuse16`] trades 18 bits per item
//! for a rate of 2^-16. The build needs about 24 bytes per key of scratch memory, freed before it returns.
//!
//! ```
//! use hpds_bloom::BinaryFuse8;
//! let banned: Vec<String> = (0..10_000).map(|i| format!("user-{i}")).collect();
//! let f = BinaryFuse8::new(&banned)?;
//! assert!(f.contains("user-42"));
//! assert!(f.bits_per_item() < 10.5); // 9.0 from a million items on
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Saving filters
//! Every filter encodes to bytes with [`ByteCodec::to_bytes`](hpds_core::ByteCodec::to_bytes)
//! (a versioned, checksummed frame; decoding never panics and allocates only in proportion to
//! its input) and, with the `serde` feature, to any serde format. An [`AtomicBloomFilter`] saves
//! a snapshot of the live filter, in the classic filter's format. A [`TimingBloomFilter`] or
//! [`ScalingTimingBloomFilter`] saves its times against the UNIX epoch
//! ([`Clock::unix_time`]), so the restored filter counts the time it spent on disk and its
//! items expire when they would have:
//! ```
//! use std::time::Duration;
//! use hpds_bloom::{ManualClock, TimingBloomFilter};
//! use hpds_core::ByteCodec;
//! let clock = ManualClock::new();
//! let mut seen = TimingBloomFilter::with_clock(1_000, 0.01, Duration::from_secs(60), clock.clone())?;
//! seen.insert("10.0.0.1");
//! let saved = seen.to_bytes();
//! clock.advance(Duration::from_secs(30)); // the process restarts 30 s later
//! let restored = TimingBloomFilter::from_bytes_with_clock(&saved, clock.clone())?;
//! assert!(restored.contains("10.0.0.1"));
//! clock.advance(Duration::from_secs(40)); // 70 s after the insert
//! assert!(!restored.contains("10.0.0.1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
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
//! # Which filter
//! - Items one at a time, size known: [`BlockedBloomFilter`]. Each operation touches one 32-byte
//!   block (half a cache line) and compares it with an eight-word mask, with no branch on the
//!   filter's contents, so far out of cache the processor overlaps the misses of consecutive
//!   calls. It costs about 10% more memory than the classic filter at 1% (10.5 bits per item
//!   instead of 9.6) and more at low rates (16.9 instead of 14.4 at 0.1%).
//! - Smallest memory, union and intersection, fill estimates, low rates: [`BloomFilter`].
//! - Size unknown: [`ScalableBloomFilter`] (split-block stages tested together), or
//!   [`ExpandableFilter`] (one table that doubles in place: one bucket, half a cache line,
//!   per operation unless that bucket is full, however much it grew; and removals).
//!
//! # Performance
//! ns per operation at p = 1%, one item at a time, medians of interleaved rounds in one
//! process against the peers (`cargo bench -p hpds-benches --bench bloom_race`; the tables,
//! with the spread and the run's conditions, are in `docs/bloom.md`). The instructions per
//! operation, which do not depend on the machine's load, come from
//! `cargo bench -p hpds-benches --bench bloom_icount` under callgrind.
//!
//! # Batched operations
//! [`BlockedBloomFilter`], [`BloomFilter`] and [`ScalableBloomFilter`] also take slices:
//! `insert_many` (returns how many items were new), `contains_many` and `count_contained`, with
//! exactly the per-item results. They hash each item a few items before applying it and
//! prefetch its cache lines then, so the misses of many items overlap; on filters far larger
//! than the cache that is the fastest way in (`docs/bloom.md`). On filters that fit in the
//! cache they gain little.
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
//! Each operation hashes the item once with the stable seeded xxh3 of its canonical bytes
//! ([`hpds_core::Item`]: the same bytes are the same item whatever their Rust type) and
//! derives every position from that one hash. The classic and counting filters take the
//! 128-bit hash ([`Item::stable_hash128`](hpds_core::Item::stable_hash128)) and derive their
//! `k` positions by enhanced double hashing with a multiply-shift range reduction. The blocked
//! and scalable filters take the 64-bit hash
//! ([`Item::stable_hash`](hpds_core::Item::stable_hash)): its high half picks the block, its low half the
//! bits in it (one per 32-bit word: bit `(key · salt_i) >> 27` of word `i`, eight odd salts);
//! the scalable filter uses the one hash for every sub-filter.
//!
//! `insert_hash`/`contains_hash` take a pre-computed 64-bit hash `h`. The classic, counting,
//! timing and atomic filters expand it to the pair `(mix64(h), mix64(h + φ))`
//! ([`hpds_core::hash::mix64`], a bijection; SplitMix64's finalizer), so even sequential
//! "hashes" spread well. The blocked and scalable filters use `h` as given, like Parquet's
//! split-block filter and sbbf-rs: one step fewer on the fast path, but `h` must be well mixed
//! (an xxh3 or xxh64 output; mix sequential ids with `mix64` first). The two entry points hash
//! differently: use either items or pre-hashed values with one filter, not both.
//!
//! # Storage and `unsafe`
//! Bits and 4-bit cells live in `bitvec` `BitVec<u64>`s, the workspace's bit-array type, which
//! owns the buffer and does allocation, truncation, clearing and the encodings. The hot paths
//! index the raw words instead, where measurement showed `bitvec`'s accessors cost 1.4-3.2x
//! (`benches/throughput.rs`, group `storage`):
//! - [`BloomFilter`]'s insert and query loops read the words without a per-probe bounds check:
//!   one check per operation that the words cover all `m` bits, then unchecked reads at
//!   positions `< m`.
//! - [`CountingBloomFilter`] and [`TimingBloomFilter`] cells (one nibble-array type for both)
//!   use nibble shifts and masks; the timing filter's sweep reads whole words, 16 cells at a
//!   time.
//! - [`BlockedBloomFilter`] and the scalable filter's stages use `Vec`s of 32-byte-aligned
//!   `[u32; 8]` blocks: a `BitVec` buffer cannot be aligned, and a block across two cache lines
//!   costs two misses. On x86-64 with AVX2 (detected at run time) the block probe is a few
//!   vector instructions (aligned loads and stores of whole blocks, `unsafe` intrinsics); the
//!   portable path, which Miri runs, computes the same mask word by word.
//! - [`AtomicBloomFilter`] uses `Vec<AtomicU64>`: the insert needs `fetch_or`'s previous word.
//! - [`ExpandableFilter`] scans a bucket's sixteen lanes into one bit mask with SSE2 intrinsics
//!   on x86-64 (register operations only, `unsafe` to call): 228 / 108 / 124 instructions per
//!   insert / member / non-member query against 506 / 388 / 480 for the same scans lane by lane,
//!   which is the path on other targets (callgrind, 100,000 items; the command is in
//!   `benches/benches/expandable_race.rs`). Miri runs both and checks they agree.
//!
//! The batched operations' prefetch is `_mm_prefetch` on x86-64 (a hint, `unsafe` to call; a
//! no-op elsewhere and under Miri).
//!
//! On Linux the tables of the classic, blocked (and so scalable), counting, atomic and
//! expandable filters are allocated with `madvise(MADV_HUGEPAGE)` on their whole 2 MiB pages,
//! before their memory is first written (one `unsafe` call; nothing under Miri or elsewhere).
//! Far out of cache every operation misses the TLB with 4 KiB pages, a 100-million-item filter
//! spanning 32,000 of them; with 2 MiB pages one TLB entry covers 512 times as much. Kernels
//! whose transparent huge pages are set to `madvise` (a common default) back only ranges so
//! marked; `always` backs every large allocation, `never` none. [`set_huge_pages`]`(false)`
//! turns the advice off for filters made afterwards; `docs/bloom.md` (*Huge pages*) has the
//! measurement.
//!
//! # Memory usage
//! `m` bits (cells × 4 for counting and timing filters) plus a few words; [`HeapSize`] reports
//! it, and `benches/memory.rs` checks it against a counting allocator.
//!
//! | rate | classic | blocked | counting / timing |
//! | --- | --- | --- | --- |
//! | 1% | 9.59 | 10.55 | 38.4 |
//! | 0.1% | 14.4 | 16.9 | 57.5 |
//! | 0.01% | 19.2 | 26.4 | 76.7 |
//!
//! (bits per item at capacity, from [`params::classic_shape`] and [`params::blocked_shape`]).
//! The scalable filter, started at `n0` items with the defaults (growth 4, tightening 0.85),
//! holds 1.63-1.94x a pre-sized classic filter's bits when its newest stage is full, up to seven
//! stages (5.5M items from 1,000; 1.88x at six, 1.37M), and about four times that just after it
//! grows: a sawtooth between growth steps.
//!
//! A binary fuse filter holds `1.125 n` fingerprints rounded up to whole segments once `n`
//! reaches a million, more below: with 8-bit fingerprints 11.3 bits per item at 1,000 items,
//! 9.04 at 1M, 9.02 at 10M, 9.01 at 100M (twice that with 16 bits).
//!
//! # Accuracy
//! The classic filter's rate after `n` items is `(1 - e^{-kn/m})^k`; the blocked filter's is the
//! Poisson mixture of [`params::blocked_fpr`]; the scalable filter's is at most `p` by the union
//! bound over its stages ([`ScalableBloomFilter`] has the proof). The test suite measures each
//! on one million non-members and requires the measured rate within a binomial bound of theory
//! (the scalable filter after growing 10,000x); `docs/bloom.md` has the table and the
//! FPR-vs-fill plot.
//!
//! # Crate features
//! - `serde`: `Serialize`/`Deserialize` for every filter in hpds' one convention
//!   (`hpds_core::serde_codec`): a base64 string of the versioned encoding in human-readable
//!   formats, the bytes in binary ones, validated like `from_bytes`.
//!
//! [`HeapSize`]: hpds_core::HeapSize
#![deny(unsafe_code)]
#![deny(missing_docs)]

#[macro_use]
mod shared;
#[macro_use]
mod ops;

mod atomic;
mod blocked;
mod bloom;
mod clock;
mod counting;
mod expandable;
pub mod fuse;
mod hashing;
mod nibbles;
mod pages;
pub use pages::{huge_pages, set_huge_pages};
pub mod params;
mod prefetch;
mod scalable;
mod split;
pub mod timing;

pub use atomic::AtomicBloomFilter;
pub use blocked::BlockedBloomFilter;
pub use bloom::BloomFilter;
pub use clock::{Clock, ManualClock, MonotonicClock};
pub use counting::CountingBloomFilter;
pub use expandable::{ExpandableConfig, ExpandableFilter};
pub use fuse::{BinaryFuse8, BinaryFuse16, BinaryFuseFilter, Fingerprint};
pub use scalable::{ScalableBloomFilter, ScalableConfig};
pub use timing::{ScalingTimingBloomFilter, TimingBloomFilter};
