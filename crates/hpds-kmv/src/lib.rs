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
//!   it (at least the `k` smallest) and estimates `retained / θ`, the theta rule, from all of
//!   them. [`union`](ThetaSketch::union), [`intersect`](ThetaSketch::intersect) and
//!   [`a_not_b`](ThetaSketch::a_not_b) return sketches (so expressions nest, and every result
//!   has an estimate and bounds); [`jaccard`](ThetaSketch::jaccard) compares two streams;
//!   [`estimate_bounds`](ThetaSketch::estimate_bounds) gives binomial confidence bounds. Its
//!   byte form codes the hashes' gaps (about 45–52 bits a hash instead of 64).
//! - [`Kmv`]: the textbook K-Minimum-Values estimator `(k - 1) / U_k`, from the k-th smallest
//!   hash only. It is the simplest unbiased estimator of its kind and the reference the theta
//!   rule improves on (at the same `k` a `ThetaSketch` has 1–4 % lower error in 60–72 % of
//!   the bytes and 56 % of the memory, and far lower error on intersections); it estimates
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
//! exact). New hashes below θ go to an unsorted buffer of `k/8` slots behind the sorted `k`
//! smallest; when the buffer is full it is sorted and merged in, duplicates dropped, and if
//! more than `k` hashes remain θ becomes the (k+1)-th smallest and it and the larger ones go.
//! Once warm almost every insert is one compare with θ. θ is fixed by the first `m` items;
//! each later distinct item is kept with probability θ, so `retained / θ` is unbiased
//! (Dasgupta, Lang, Rhodes and Thaler, "A Framework for Estimating Stream Expression
//! Cardinalities", ICDT 2016), with relative standard error about `sqrt(1/r - 1/n)` for `r`
//! retained hashes (`k <= r < k + k/8`) out of `n` distinct items.
//!
//! Set expressions take θ = min(θ_A, θ_B): below it both sketches hold every hash they saw,
//! so the hashes of `A ∪ B`, `A ∩ B` and `A \ B` below θ are known exactly and form a theta
//! sketch of that set. A union is trimmed back to `k` hashes; merging is commutative and
//! associative. An intersection or difference keeps every hash below θ it finds, about
//! `|X| · θ` of them, so its relative error is about `1/sqrt(|X| θ)`: small overlaps of large
//! sets are estimated coarsely (the same holds for every sketch of this kind).
//!
//! # Accuracy
//! Relative RMSE over 500 seeded trials, the same keys for every sketch, each with its own
//! hash, against Apache DataSketches' Theta sketch (QuickSelect, lg_k = 10: k = 1024 nominal
//! entries, 2048 table slots) and CPC sketch (`datasketches` 0.6), all in one run
//! (`cargo bench -p hpds-benches --bench set_sketches -- 500 11`):
//!
//! | sketch | 10^4 items | 10^5 | 10^6 | serialized bytes at 10^4 / 10^5 / 10^6 | heap |
//! |---|---|---|---|---|---|
//! | `ThetaSketch` k = 1024 | 2.67 % | 3.04 % | 2.99 % | 7 087 / 6 664 / 6 217 | 9 KiB |
//! | `ThetaSketch` k = 1500 | 2.30 % | 2.42 % | 2.53 % | 10 261 / 9 784 / 9 076 | 13.2 KiB |
//! | `ThetaSketch` k = 2048 | 1.91 % | 2.06 % | 2.15 % | 14 149 / 13 367 / 12 431 | 18 KiB |
//! | `Kmv` k = 1024 | 2.74 % | 3.08 % | 3.12 % | 10 596 / 9 312 / 10 423 | 16 KiB |
//! | DataSketches Theta lg_k = 10 | 2.33 % | 2.87 % | 2.72 % | 12 154 / 9 844 / 12 718 | 16 KiB |
//! | (the same, compressed form) | | | | 10 077 / 7 678 / 9 251 | |
//! | DataSketches CPC lg_k = 10 | 1.68 % | 1.83 % | 1.76 % | 657 / 658 / 656 | 1.2 KiB |
//! | DataSketches CPC lg_k = 11 | 1.07 % | 1.27 % | 1.30 % | 1 252 / 1 271 / 1 268 | 2.5 KiB |
//!
//! (500 trials: an RMSE is known to about ±3 %.)
//!
//! At the same `k` a `ThetaSketch` holds 1024–1152 hashes where DataSketches' holds
//! 1024–1920, so its plain counts are less accurate, in 56 % of the memory and 49–68 % of the
//! plain serialized bytes. At about DataSketches' plain serialized bytes (`k = 1500`, 13.2 KiB
//! of memory) it is more accurate at 10^5 and 10^6 items and equal at 10^4. DataSketches'
//! compressed form codes the gaps too: per compressed byte the two are about equally accurate
//! (every sketch of this kind has an error of about `1/sqrt(kept hashes)`, and a kept hash
//! costs about the same bits in both). CPC, which keeps no hash values, is 10–15 times smaller
//! for a plain count.
//!
//! Set expressions over two sets of 100 000 keys overlapping in 50 000 (same run, relative
//! RMSE of each estimate):
//!
//! | sketch | union | intersection | A not B | Jaccard | bytes of A |
//! |---|---|---|---|---|---|
//! | `ThetaSketch` k = 1024 | 3.18 % | 4.08 % | 4.31 % | 3.42 % | 6 672 |
//! | `ThetaSketch` k = 1500 | 2.61 % | 3.39 % | 3.50 % | 2.84 % | 9 787 |
//! | `ThetaSketch` k = 2048 | 2.18 % | 2.91 % | 3.10 % | 2.49 % | 13 298 |
//! | `Kmv` k = 1024 | 3.19 % | 5.17 % | 5.54 % | 4.39 % | 9 342 |
//! | DataSketches Theta lg_k = 10 | 3.19 % | 4.36 % | 4.14 % | 3.53 % | 9 866 |
//!
//! At `k = 1024` a `ThetaSketch` is as accurate as DataSketches' on the union, more accurate
//! on the intersection and Jaccard similarity (it compares every hash of the union below both
//! thresholds) and slightly less on the difference, in 68 % of the bytes.
//!
//! The tests check, over seeded trials from 1 to 10^6 distinct items, that the bias is within
//! 4 standard errors and the RMSE within `[sqrt(1/(k + k/8) - 1/n), sqrt(1/k - 1/n)]` up to
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
//! A `ThetaSketch` allocates as hashes arrive, up to `k + k/8` hashes of 8 bytes; its byte
//! form takes about `log2(2^64 / n) + 1.5` bits per retained hash plus 34 bytes. Measured
//! (heap: [`HeapSize`](hpds_core::HeapSize), equal to the counting allocator's figure):
//!
//! | k | heap, warm | bytes at 10^4 / 10^5 / 10^6 items | relative error |
//! |---|---|---|---|
//! | 1024 | 9 KiB | 7.1 / 6.7 / 6.2 KB (measured) | ≤ 3.1 % |
//! | 1500 | 13.2 KiB | 10.3 / 9.8 / 9.1 KB (measured) | ≤ 2.6 % |
//! | 4096 (default) | 36 KiB | ≈ 28 / 26 / 25 KB (formula) | ≤ 1.6 % |
//! | 16 384 | 144 KiB | ≈ 65 (exact) / 106 / 99 KB (formula) | ≤ 0.8 % |
//!
//! A [`Kmv`] keeps an open-addressing table of `next_power_of_two(2k)` hashes once warm
//! (16 KiB at `k = 1024`, holding 1024–1536 of them) and writes 8 bytes per hash.
//!
//! # Insert speed
//! Once warm an insert is one compare with θ for all but a `retained / n` fraction of new
//! items. Nanoseconds of thread CPU time per insert into a fresh sketch (same run as above,
//! 11 interleaved rounds, median [min, max]; CPU time, so the other jobs that shared the two
//! cores do not count):
//!
//! | | 10^6 keys | 10^7 keys |
//! |---|---|---|
//! | `ThetaSketch` k = 1024, `insert_hash` | 1.57 [1.39, 1.65] | 1.51 [1.27, 1.61] |
//! | `Kmv` k = 1024, `insert_hash` | 1.55 [1.32, 1.95] | 1.52 [1.29, 1.61] |
//! | `ThetaSketch` k = 1024, `insert(&u64)` (xxh3) | 2.63 [2.52, 2.99] | 3.25 [2.37, 3.65] |
//! | DataSketches Theta, `update(u64)` (MurmurHash3) | 4.41 [4.24, 5.53] | 6.24 [4.12, 7.35] |
//! | DataSketches CPC lg_k = 10, `update(u64)` | 6.97 [6.84, 7.64] | 8.55 [5.55, 9.62] |
//!
//! Instructions, which do not depend on the machine's load (callgrind,
//! `cargo build --profile bench -p hpds-benches --bin theta_icount`, see that file): 8.9 per
//! pre-hashed insert into a fresh `ThetaSketch` at 10^6 keys and 6.4 at 10^7 (`Kmv`: 8.9 and
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
