//! Morris approximate counters: count to billions in a byte, singly or packed in arrays.
//!
//! A Morris counter (Morris, 1978; analysed by Flajolet, 1985) stores only an exponent `c` and
//! raises it with probability `base^-c` at each event; `(base^c - 1)/(base - 1)` estimates the
//! number of events without bias. An 8-bit exponent with base 1.08 counts past 4 billion with
//! a 20 % relative error; base 2 (the classic counter) counts to 2^64 with 71 %. Use it where
//! you keep very many counters and an order of magnitude, or ±10–30 %, is enough: per-key
//! frequencies in a sketch, per-bucket access counts, counters in memory-starved devices.
//! For exact counts, use a `u64`; for one counter, the saving is nothing.
//!
//! # Types
//! - [`MorrisCounter`]: one counter with its own random source; [`increment`](MorrisCounter::increment),
//!   [`increment_by`](MorrisCounter::increment_by) (O(exponent changes), not O(n)),
//!   [`estimate`](MorrisCounter::estimate), [`confidence_interval`](MorrisCounter::confidence_interval),
//!   unbiased [`merge`](MorrisCounter::merge), range ([`max_estimate`](MorrisCounter::max_estimate)).
//! - [`MorrisArray`]: many counters packed at 4 or 8 bits, sharing a base, a threshold table and
//!   a random source.
//! - [`FastRng`]: the default random source (wyrand). Any `rand_core::RngCore` can be injected
//!   ([`MorrisCounter::with_rng`], [`MorrisArray::with_rng`]), e.g. a seeded one in tests.
//!
//! # Example
//! ```
//! use hpds_morris::{MorrisArray, MorrisCounter};
//!
//! // One counter: base 1.1 has a relative standard error of sqrt(0.1 / 2) ≈ 22 %.
//! let mut requests = MorrisCounter::with_seed(1.1, 7)?;
//! for _ in 0..10_000 {
//!     requests.increment();
//! }
//! requests.increment_by(1_000_000_000); // fast: samples the next exponent changes
//! let (lo, hi) = requests.confidence_interval(0.95)?;
//! assert!(lo < 1.00001e9 && 1.00001e9 < hi);
//!
//! // Counters from several shards merge without bias.
//! let mut shard = MorrisCounter::with_seed(1.1, 8)?;
//! shard.increment_by(5_000);
//! requests.merge(&shard)?;
//!
//! // A million per-key counters in 500 KB.
//! let mut per_key = MorrisArray::new(1_000_000, 4.0, 4)?;
//! per_key.increment_item("GET /index.html");
//! assert_eq!(per_key.estimate(per_key.index_of("GET /index.html")), 1.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Accuracy
//! After `n` events the estimate is unbiased with variance `(base - 1)·n(n - 1)/2`: relative
//! standard error `sqrt((base - 1)(n - 1)/(2n))` → `sqrt((base - 1)/2)`. To aim for a relative
//! error `ε`, take `base = 1 + 2ε²`. Measured over 4000 seeded trials per cell
//! (`cargo run --release -p hpds-benches --bin morris_error`; plot in `docs/img/morris_error.svg`):
//!
//! | base | n | bias | RMSE measured | RMSE theory | 8-bit range |
//! |---|---|---|---|---|---|
//! | 2 | 1 000 | +0.007 | 0.708 | 0.707 | 1.8e19 (c ≤ 64) |
//! | 2 | 10 000 000 | +0.022 | 0.738 | 0.707 | |
//! | 1.25 | 100 000 | −0.001 | 0.354 | 0.354 | 6.2e19 (c ≤ 198) |
//! | 1.1 | 100 000 | +0.005 | 0.223 | 0.224 | 3.6e11 |
//! | 1.06 | 10 000 000 | −0.003 | 0.171 | 0.173 | 4.7e7 |
//!
//! (The bias column is the mean relative error over the trials; its standard error is the
//! RMSE / sqrt(4000) ≈ 0.011 for base 2.) The tests check mean and variance against theory
//! at 5 standard errors for bases 2, 1.5, 1.25, 1.1, 1.06 and 1.02 and counts up to 10^7, and
//! the exact law of the exponent by a chi-square test for both `increment` and `increment_by`.
//!
//! # Range and saturation
//! The top exponent is `min(2^bits - 1, floor(64 / log2(base)))`: past `64 / log2(base)` the
//! increment probability would be below 2^-64, which one 64-bit random draw cannot resolve.
//! At the top exponent a counter saturates: it ignores further events and keeps estimating
//! [`max_estimate`](MorrisCounter::max_estimate) (an undercount from then on). Nothing ever
//! overflows or panics; `is_saturated` reports it.
//!
//! # Merging
//! [`MorrisCounter::merge`] keeps the larger exponent and replays each of the smaller counter's
//! exponent steps `i → i + 1` (which stood for `base^i` events in expectation) as one weighted
//! increment, accepted with probability `base^-(c - i)` where `c` is the current merged
//! exponent. Each replay adds `(base - 1)·base^i` to `E[base^c]`, so the merged estimate is
//! unbiased for the sum; its variance is close to that of one counter fed both streams (tested
//! below twice that).
//!
//! # Memory usage
//! | structure | bytes |
//! |---|---|
//! | `MorrisCounter` with [`FastRng`] | 32 inline, 0 on the heap |
//! | `MorrisArray`, 8-bit | 1 per counter + 8 per exponent (threshold table, ≤ 2 KiB) |
//! | `MorrisArray`, 4-bit | 0.5 per counter + 128 (threshold table) |
//!
//! Measured by the counting allocator (`cargo bench -p hpds-morris --bench memory`): a million
//! 4-bit counters hold 500 128 bytes, a million 8-bit counters 1 000 264 bytes.
//!
//! # Performance
//! [`MorrisCounter::increment`] is one wyrand draw and one integer compare with the threshold
//! of the current exponent (no floating point; `powi` only runs when the exponent changes).
//! [`MorrisArray::increment`] reads the packed exponent, looks the threshold up in a table and
//! writes back on success. See `docs/morris.md` for measured figures.
//!
//! # Crate features
//! - `serde`: `Serialize`/`Deserialize` for [`MorrisCounter`] and [`MorrisArray`] in
//!   hpds' one convention (`hpds_core::serde_codec`): a base64 string of the versioned
//!   encoding in human-readable formats, the bytes in binary ones, validated like `from_bytes`;
//!   the random source is not stored and is re-seeded on load.
//!
//! Both types also implement the hpds byte codec (`hpds_core::ByteCodec`, tags `MRSC` and
//! `MRSA`, version 1) and [`hpds_core::ApproximateCounter`] (the single counter).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[macro_use]
mod math;
mod array;
mod counter;
mod rng;

pub use array::MorrisArray;
pub use counter::MorrisCounter;
pub use rng::FastRng;
