//! Distinct counting and set expressions from the smallest hashes: theta sketches and KMV.
//!
//! Both sketches hash every item to a point in [0, 1) and keep the smallest distinct points.
//! Because they keep real hash values (not registers, as HyperLogLog does) they answer what
//! register sketches cannot: exact counts for small sets, and sketches of unions,
//! intersections and differences of streams, with Jaccard similarity and confidence bounds.
//! They cost more bytes per unit of accuracy than HyperLogLog or CPC, so when only the count
//! of one stream or of a union is needed and memory is tight, use `hpds-loglog`.
//!
//! # Which sketch
//! - [`ThetaSketch`]: the one to use. It keeps a threshold θ and every distinct hash below
//!   it (room for `2k`, at least `2k - k/8` kept once it estimates) and estimates
//!   `retained / θ`, the theta rule, from all of
//!   them. [`union`](ThetaSketch::union), [`intersect`](ThetaSketch::intersect) and
//!   [`a_not_b`](ThetaSketch::a_not_b) return sketches (so expressions nest, and every result
//!   has an estimate and bounds); [`jaccard`](ThetaSketch::jaccard) compares two streams;
//!   [`estimate_bounds`](ThetaSketch::estimate_bounds) gives binomial confidence bounds. Its
//!   byte form codes the hashes' gaps (about 45–52 bits a hash instead of 64).
//! - [`Kmv`]: the textbook K-Minimum-Values estimator `(k - 1) / U_k`, from the k-th smallest
//!   hash only. It is the simplest unbiased estimator of its kind and the reference the theta
//!   rule improves on (at the same `k` and memory a `ThetaSketch` has about 30 % lower error,
//!   and far lower error on intersections); it estimates
//!   intersections and Jaccard similarity but returns numbers, not sketches.
//!
//! # Example
//! ```
//! use hpds_core::codec::ByteCodec;
//! use hpds_kmv::ThetaSketch;
//!
//! // Two shards count users; a third process combines their bytes.
//! let mut web = ThetaSketch::new(4096)?;
//! let mut app = ThetaSketch::new(4096)?;
//! for user in 0..150_000u64 {
//!     web.insert(&user);
//! }
//! for user in 100_000..400_000u64 {
//!     app.insert(&user);
//! }
//! let (web, app) = (
//!     ThetaSketch::from_bytes(&web.to_bytes())?,
//!     ThetaSketch::from_bytes(&app.to_bytes())?,
//! );
//! let all = web.union(&app)?; // 400 000 users
//! let both = web.intersect(&app)?; // 50 000
//! let web_only = web.a_not_b(&app)?; // 100 000
//! assert!((all.estimate() / 400_000.0 - 1.0).abs() < 0.08);
//! assert!((both.estimate() / 50_000.0 - 1.0).abs() < 0.2);
//! assert!((web_only.estimate() / 100_000.0 - 1.0).abs() < 0.15);
//! let (lo, hi) = both.estimate_bounds(0.95)?;
//! assert!(lo < both.estimate() && both.estimate() < hi);
//! assert!((web.jaccard(&app)? - 0.125).abs() < 0.05);
//!
//! // Few items: every answer is exact.
//! let mut a = ThetaSketch::new(1024)?;
//! let mut b = ThetaSketch::new(1024)?;
//! a.extend("the quick brown fox jumps over the lazy dog".split(' '));
//! b.extend("the lazy dog sleeps while the quick fox runs".split(' '));
//! assert_eq!(a.estimate(), 8.0);
//! assert_eq!(a.intersect(&b)?.estimate(), 5.0); // the quick fox lazy dog
//! assert_eq!(a.jaccard(&b)?, 5.0 / 11.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How the theta sketch works
//! Every distinct hash below θ is kept; θ starts at 1 (everything is kept, the count is
//! exact). A sketch of nominal size `k` has room for `2k` hashes, as DataSketches' theta
//! sketches of the same `k` have a table of `2k` slots. New hashes below θ go to an unsorted
//! buffer of `k/8` slots behind the sorted `2k - k/8` smallest; when the buffer is full it is
//! sorted and merged in, duplicates dropped, and if more than `2k - k/8` hashes remain θ
//! becomes the next smallest and it and the larger ones go. (DataSketches' QuickSelect
//! sketch instead rebuilds back to `k` when its table is 15/16 full, so it estimates from
//! between `k` and `15k/8` hashes.)
//! Once warm almost every insert is one compare with θ. θ is fixed by the first `m` items;
//! each later distinct item is kept with probability θ, so `retained / θ` is unbiased
//! (Dasgupta, Lang, Rhodes and Thaler, "A Framework for Estimating Stream Expression
//! Cardinalities", ICDT 2016), with relative standard error about `sqrt(1/r - 1/n)` for `r`
//! retained hashes (`2k - k/8 <= r < 2k`) out of `n` distinct items.
//!
//! Set expressions take θ = min(θ_A, θ_B): below it both sketches hold every hash they saw,
//! so the hashes of `A ∪ B`, `A ∩ B` and `A \ B` below θ are known exactly and form a theta
//! sketch of that set. A union is trimmed back to `2k - k/8` hashes; merging is commutative and
//! associative. An intersection or difference keeps every hash below θ it finds, about
//! `|X| · θ` of them, so its relative error is about `1/sqrt(|X| θ)`: small overlaps of large
//! sets are estimated coarsely (the same holds for every sketch of this kind).
//!
//! # Accuracy
//! Relative RMSE over 300 seeded trials, the same keys for every sketch, each with its own
//! hash, against Apache DataSketches' Theta sketch (QuickSelect, lg_k = 10: k = 1024 nominal
//! entries, 2048 table slots) and CPC sketch (`datasketches` 0.6), all in one run
//! (`cargo bench -p hpds-benches --bench set_sketches -- 300 9`):
//!
//! | sketch | 10^4 items | 10^5 | 10^6 | serialized bytes at 10^4 / 10^5 / 10^6 | heap |
//! |---|---|---|---|---|---|
//! | `ThetaSketch` k = 1024 | 1.92 % | 2.14 % | 2.22 % | 12 974 / 12 148 / 11 347 | 16 KiB |
//! | `ThetaSketch` k = 768 | 2.13 % | 2.52 % | 2.57 % | 9 734 / 9 101 / 8 508 | 12 KiB |
//! | `ThetaSketch` k = 640 | 2.34 % | 2.66 % | 2.81 % | 8 129 / 7 601 / 7 102 | 10 KiB |
//! | `Kmv` k = 1024 | 2.71 % | 3.03 % | 3.16 % | 10 610 / 9 291 / 10 397 | 16 KiB |
//! | DataSketches Theta lg_k = 10 | 2.26 % | 2.75 % | 2.71 % | 12 155 / 9 833 / 12 784 | 16 KiB |
//! | (the same, compressed form) | | | | 10 076 / 7 671 / 9 293 | |
//! | DataSketches CPC lg_k = 10 | 1.69 % | 1.85 % | 1.74 % | 656 / 657 / 656 | 1.2 KiB |
//! | DataSketches CPC lg_k = 11 | 1.04 % | 1.23 % | 1.28 % | 1 251 / 1 270 / 1 268 | 2.5 KiB |
//!
//! (300 trials: an RMSE is known to about ±4 %.)
//!
//! At the same `k` and memory a `ThetaSketch` holds 1920–2048 hashes where DataSketches'
//! holds 1024–1920, so it is more accurate at every size; it writes what it holds, 7 % more
//! bytes than DataSketches' plain form at 10^4 items, 24 % more at 10^5, 11 % fewer at 10^6.
//! At `k = 768` it writes 7–33 % fewer bytes than DataSketches' plain form and is still more
//! accurate everywhere. DataSketches' compressed form codes the gaps too: per compressed byte
//! the two are about equally accurate (every sketch of this kind has an error of about
//! `1/sqrt(kept hashes)`, and a kept hash costs about the same bits in both). CPC, which keeps
//! no hash values, is 10–15 times smaller for a plain count.
//!
//! Set expressions over two sets of 100 000 keys overlapping in 50 000 (same run, relative
//! RMSE of each estimate):
//!
//! | sketch | union | intersection | A not B | Jaccard | bytes of A |
//! |---|---|---|---|---|---|
//! | `ThetaSketch` k = 1024 | 2.38 % | 3.08 % | 3.10 % | 2.64 % | 12 158 |
//! | `ThetaSketch` k = 768 | 2.77 % | 3.64 % | 3.62 % | 3.02 % | 9 123 |
//! | `ThetaSketch` k = 640 | 3.04 % | 3.97 % | 3.99 % | 3.28 % | 7 610 |
//! | `Kmv` k = 1024 | 3.28 % | 5.29 % | 5.51 % | 4.49 % | 9 353 |
//! | DataSketches Theta lg_k = 10 | 3.23 % | 4.43 % | 4.06 % | 3.60 % | 9 857 |
//!
//! At `k = 1024` a `ThetaSketch` is more accurate than DataSketches' on every expression
//! (24–30 % lower RMSE), and at `k = 768` still more accurate, in 7 % fewer bytes.
//!
//! The tests check, over seeded trials from 1 to 10^6 distinct items, that the bias is within
//! 4 standard errors and the RMSE within `[sqrt(1/2k - 1/n), sqrt(1/(2k - k/8) - 1/n)]` up to
//! the trials' sampling error, and that 95 % bounds cover the true count in 95 % of 400
//! trials (within 4 binomial standard deviations), for plain sketches and for intersections.
//!
//! # Confidence bounds
//! [`ThetaSketch::estimate_bounds`] treats the `r` retained hashes as `Binomial(n, θ)` and
//! returns the `n` at which `r` is a `(1 - confidence)/2` tail event: summed exactly up to
//! 400 retained hashes, from the normal approximation with continuity correction above (the
//! bounds of DataSketches' theta sketches, from the same paper). They hold for the results of
//! set expressions too.
//!
//! # Memory usage
//! A `ThetaSketch` allocates as hashes arrive, up to `2k` hashes of 8 bytes; its byte form
//! takes about `log2(2^64 / n) + 1.5` bits per retained hash plus 34 bytes. Measured (heap:
//! [`HeapSize`](hpds_core::HeapSize), equal to the counting allocator's figure):
//!
//! | k | heap, warm | bytes at 10^4 / 10^5 / 10^6 items | relative error |
//! |---|---|---|---|
//! | 768 | 12 KiB | 9.7 / 9.1 / 8.5 KB (measured) | ≤ 2.6 % |
//! | 1024 | 16 KiB | 13.0 / 12.1 / 11.3 KB (measured) | ≤ 2.3 % |
//! | 4096 (default) | 64 KiB | ≈ 51 / 48 / 45 KB (formula) | ≤ 1.1 % |
//! | 16 384 | 256 KiB | ≈ 65 (exact) / 194 / 181 KB (formula) | ≤ 0.6 % |
//!
//! A [`Kmv`] keeps an open-addressing table of `next_power_of_two(2k)` hashes once warm
//! (16 KiB at `k = 1024`, holding 1024–1536 of them) and writes 8 bytes per hash.
//!
//! # Insert speed
//! Once warm an insert is one compare with θ for all but a `retained / n` fraction of new
//! items. Nanoseconds of thread CPU time per insert into a fresh sketch (same run as above,
//! 9 interleaved rounds, median [min, max]; CPU time, so the other jobs that shared the two
//! cores do not count):
//!
//! | | 10^6 keys | 10^7 keys |
//! |---|---|---|
//! | `ThetaSketch` k = 1024, `insert_hash` | 1.72 [1.62, 2.22] | 1.78 [1.38, 2.15] |
//! | `Kmv` k = 1024, `insert_hash` | 1.26 [1.16, 1.74] | 1.62 [1.29, 1.77] |
//! | `ThetaSketch` k = 1024, `insert(&u64)` (xxh3) | 2.76 [2.67, 3.42] | 3.81 [2.35, 4.04] |
//! | DataSketches Theta, `update(u64)` (MurmurHash3) | 4.08 [3.93, 4.28] | 6.98 [3.70, 7.59] |
//! | DataSketches CPC lg_k = 10, `update(u64)` | 6.48 [6.24, 6.81] | 9.11 [4.91, 9.50] |
//!
//! Instructions, which do not depend on the machine's load (callgrind,
//! `cargo build --profile bench -p hpds-benches --bin theta_icount`, see that file): 12.4 per
//! pre-hashed insert into a fresh `ThetaSketch` at 10^6 keys and 6.9 at 10^7 (`Kmv`: 8.9 and
//! 6.4).
//!
//! # Merging and hashing
//! Sketches combine only with the same hash seed ([`ThetaSketch::with_seed`]; default
//! `hpds_core::hash::DEFAULT_SEED`); `k` may differ (a union takes the smaller). The stable
//! xxh3 hash gives the same values on every platform and in every process, so sketches
//! built anywhere combine.
//!
//! # The KMV estimator
//! For `n` distinct items the k-th smallest hash `U_k` is a Beta(k, n - k + 1) order
//! statistic, so `(k - 1) / U_k` is unbiased with relative standard error
//! `sqrt((n - k + 1)/(n(k - 2)))` ≤ `1 / sqrt(k - 2)`. Measured over 200 seeded trials per
//! cell (`cargo run --release -p hpds-benches --bin kmv_error -- 200 10000000`; plot in
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
//! [`Kmv::estimate_bounds`] uses the Gamma(k, 1) law of `n·U_k` (Wilson–Hilferty quantiles).
//! Its table rebuilds with quickselect when it holds `min(2k, 3/4 of its slots)` hashes, so
//! it is exact until then (at least the first `k` distinct items).
//!
//! # Crate features
//! - `serde`: `Serialize`/`Deserialize` for [`ThetaSketch`] and [`Kmv`] in
//!   hpds' one convention (`hpds_core::serde_codec`): a base64 string of the versioned
//!   encoding in human-readable formats, the bytes in binary ones, validated like `from_bytes`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod bounds;
mod kmv;
mod rice;
mod theta;

pub use kmv::{DEFAULT_K, Kmv, MAX_K, MIN_K};
pub use theta::ThetaSketch;
