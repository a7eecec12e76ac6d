//! K-Minimum-Values distinct counting: mergeable, idempotent, with intersection and Jaccard estimates.
//!
//! A KMV sketch (Bar-Yossef et al. 2002; Beyer et al. 2007) hashes every item to a point in
//! [0, 1) and keeps the `k` smallest distinct points. If the k-th smallest is `U_k`, the number
//! of distinct items is about `(k - 1) / U_k`: unbiased, with relative standard error
//! `1 / sqrt(k - 2)`. Because it keeps actual hash values, a KMV sketch does what register
//! sketches (HyperLogLog) cannot do directly: exact counts for small sets, and intersection and
//! Jaccard estimates between sketches. It costs more memory per unit of accuracy than
//! HyperLogLog (8–16 bytes per kept value versus 6 bits per register), so prefer HLL when only
//! the union's cardinality is needed and memory is tight.
//!
//! # Types
//! [`Kmv`] is the sketch: [`insert`](hpds_core::DistinctCounter::insert) (any [`hpds_core::Item`], e.g.
//! `&str` tokens), [`insert_hash`](Kmv::insert_hash) and [`insert_u64`](Kmv::insert_u64),
//! [`estimate`](Kmv::estimate), [`estimate_bounds`](Kmv::estimate_bounds) and
//! [`relative_error_bound`](Kmv::relative_error_bound) for a confidence level,
//! [`merge`](Kmv::merge) (union), [`union_estimate`](Kmv::union_estimate),
//! [`intersection_estimate`](Kmv::intersection_estimate) and [`jaccard`](Kmv::jaccard). It
//! implements [`hpds_core::DistinctCounter`], [`hpds_core::HeapSize`] and the hpds byte codec
//! (`hpds_core::ByteCodec`, tag `KMV `, version 1).
//!
//! # Example
//! ```
//! use hpds_core::DistinctCounter;
//! use hpds_kmv::Kmv;
//!
//! let text_a = "the quick brown fox jumps over the lazy dog";
//! let text_b = "the lazy dog sleeps while the quick fox runs";
//! let mut a = Kmv::new(1024)?;
//! let mut b = Kmv::new(1024)?;
//! a.extend(text_a.split(' '));
//! b.extend(text_b.split(' '));
//! // Few items: the sketch still holds them all, so every answer is exact.
//! assert_eq!(a.estimate(), 8.0);
//! assert_eq!(a.intersection_estimate(&b)?, 5.0); // the quick fox lazy dog
//! assert_eq!(a.jaccard(&b)?, 5.0 / 11.0);
//!
//! // Millions of items: (k - 1) / U_k, within a few percent.
//! let mut big = Kmv::new(4096)?;
//! for i in 0..2_000_000u64 {
//!     big.insert_u64(i);
//! }
//! let eps = big.relative_error_bound(0.999)?; // 3.29 / sqrt(4094) ≈ 5.1 %
//! assert!((big.estimate() / 2e6 - 1.0).abs() < eps);
//! a.merge(&b)?; // the union: 11 distinct words
//! assert_eq!(a.estimate(), 11.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How inserts stay fast
//! Like the Theta sketch, the sketch keeps a threshold θ and every distinct hash below it in an
//! open-addressing table. After warm-up almost every item is rejected by one comparison with
//! θ (only a `k/n` fraction of new items pass); when the table holds `2k` values (or 3/4 of
//! its slots), quickselect finds the k-th smallest and θ drops to just above it. Each rebuild
//! is O(k) and follows at least k/2 accepted values, so no insert does O(k) work on average.
//! [`estimate`](Kmv::estimate) runs a quickselect over the retained values (O(k)): call it
//! when you need the number, not after every insert.
//!
//! # Accuracy
//! For `n` distinct items `U_k` is a Beta(k, n - k + 1) order statistic, so the estimate is
//! unbiased with relative standard error `sqrt((n - k + 1)/(n(k - 2)))` ≤ `1 / sqrt(k - 2)`.
//! Before the first rebuild (fewer than `k`, in fact up to `1.5k`–`2k`, distinct items) the
//! sketch is exact. Measured over 200 seeded trials per cell
//! (`cargo run --release -p hpds-kmv --example kmv_error -- 200 10000000`; plot in
//! `docs/img/kmv_error.svg`):
//!
//! | k | n | bias | RMSE measured | 1/sqrt(k-2) | ratio |
//! |---|---|---|---|---|---|
//! | 64 | 1 000 | +0.008 | 0.121 | 0.127 | 0.95 |
//! | 64 | 10 000 000 | −0.003 | 0.122 | 0.127 | 0.96 |
//! | 256 | 100 000 | −0.005 | 0.059 | 0.063 | 0.94 |
//! | 256 | 10 000 000 | +0.003 | 0.061 | 0.063 | 0.97 |
//! | 1024 | 1 000 | 0 | 0 (exact) | 0.031 | 0 |
//! | 1024 | 1 000 000 | +0.001 | 0.031 | 0.031 | 0.99 |
//! | 1024 | 10 000 000 | +0.002 | 0.032 | 0.031 | 1.02 |
//!
//! (With 200 trials an RMSE is known to about ±5 %.) The tests check bias and RMSE at every
//! log-spaced cardinality from 1 to 10^7 against these formulas with bounds derived from the
//! number of trials, and the pooled RMSE against the target of 1.05 / sqrt(k - 2).
//!
//! [`estimate_bounds`](Kmv::estimate_bounds) uses the Gamma(k, 1) law of `n·U_k`
//! (Wilson–Hilferty quantiles); the tests check that its 95 % bounds cover the true count in
//! 95 % of 400 trials, within 4 binomial standard deviations.
//! Jaccard's standard error is about `sqrt(J(1 - J)/k)`; the intersection estimate's relative
//! error about `1/sqrt(J·k)`, so small overlaps need a large `k`.
//!
//! # Memory usage
//! The table holds `next_power_of_two(2k)` `u64`s once warm; it starts at 16 slots and doubles
//! as values arrive, so small sets stay small. Measured by the counting allocator
//! (`cargo bench -p hpds-kmv --bench memory`), equal to [`heap_bytes`](hpds_core::HeapSize):
//!
//! | k | 10 items | 1 000 items | 10^6 items | relative error |
//! |---|---|---|---|---|
//! | 64 | 128 B | 1 KiB | 1 KiB | 12.7 % |
//! | 1024 | 128 B | 16 KiB | 16 KiB | 3.1 % |
//! | 16 384 | 128 B | 16 KiB | 256 KiB | 0.78 % |
//!
//! # Merging and hashing
//! Sketches merge ([`merge`](Kmv::merge)) and compare only with the same `k` and the same
//! hash seed ([`Kmv::with_seed`]; default `hpds_core::hash::DEFAULT_SEED`): the stable xxh3
//! hash gives the same values on every platform and in every process. A merged sketch
//! estimates exactly what a sketch of the concatenated stream estimates.
//!
//! # Crate features
//! - `serde`: `Serialize`/`Deserialize` for [`Kmv`] in
//!   hpds' one convention (`hpds_core::serde_codec`): a base64 string of the versioned
//!   encoding in human-readable formats, the bytes in binary ones, validated like `from_bytes`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod kmv;

pub use kmv::{DEFAULT_K, Kmv, MAX_K, MIN_K};
