//! The LogLog family: LogLog, SuperLogLog, HyperLogLog, HyperLogLog++, UltraLogLog and
//! ExaLogLog distinct counters in kilobytes.
//!
//! A LogLog-type counter hashes every item once, uses the top `p` bits of the 64-bit hash to
//! pick one of `m = 2^p` registers and keeps there the largest *rank* seen (one plus the number
//! of leading zeros of the remaining bits). A register that has seen `k` distinct items holds
//! about `log2 k`, so six bits per register count past 2^60; the estimators differ in how they
//! average the registers. Use these sketches to count distinct users, keys or words in a
//! stream, per shard or per time bucket, and to merge the counts (the union of two sketches is
//! the register-wise maximum, exactly the sketch of the concatenated stream).
//!
//! | type | estimate | standard error | memory |
//! |---|---|---|---|
//! | [`LogLog`] | geometric mean (Durand–Flajolet 2003) | 1.30/√m | `0.75 m + 1` bytes |
//! | [`SuperLogLog`] | mean of the smallest 70 % (Durand–Flajolet 2003) | 1.05/√m | `0.75 m + 1` bytes |
//! | [`HyperLogLog`] | HIP while insert-only, Ertl's improved estimator after a merge | 0.83/√m, 1.04/√m | `0.75 m + 1` bytes |
//! | [`HyperLogLogPlusPlus`] | sparse (exact-ish) while small, then as HyperLogLog | ≈0 sparse, then 0.83/√m | 4 bytes per item while sparse (plus an insert buffer of at most `0.047 m` entries), then `0.75 m + 1` bytes |
//! | [`UltraLogLog`] | maximum likelihood (Ertl 2024), or FGRA | 0.761/√m merged or not (FGRA 0.782/√m) | 4 bytes per token while sparse, then `m` bytes |
//! | [`ExaLogLog`] | maximum likelihood (Ertl 2025), or a martingale while insert-only (opt-in) | t = 2, d = 20: 0.362/√m merged or not (martingale 0.318/√m) | 4 bytes per token while sparse, then `3.5 m + 8` bytes |
//!
//! The first four share one register layout, so every [`Estimator`] can be applied to any of
//! them through `estimate_with` (that is how the docs' comparisons are made). Precision `p` is
//! in `4..=18` (16 to 262 144 registers); bad parameters are errors from `new`.
//!
//! # UltraLogLog and ExaLogLog: less memory for the same error after a merge
//! HyperLogLog's HIP estimate is accurate only for a sketch that was never merged; a merged
//! HyperLogLog falls back to `1.04/√m`, a memory-variance product (bits of state × relative
//! variance) of 6.5. [`UltraLogLog`] keeps in each 8-bit register, beside the largest update
//! value, whether the two values below it were seen; [`ExaLogLog`] uses finer update values
//! (`2^t` per power of two) and remembers `d` values below the largest. Their maximum-
//! likelihood estimates read every register and do not care how the sketch was built, so
//! merged sketches keep the full accuracy:
//!
//! | sketch | bits per register | error × √m after a merge | memory-variance product | memory for 1 % error |
//! |---|---:|---:|---:|---:|
//! | [`HyperLogLog`] (Ertl's estimator) | 6 | 1.04 | 6.49 | 7.9 KiB |
//! | [`UltraLogLog`] (maximum likelihood) | 8 | 0.761 | 4.63 | 5.7 KiB |
//! | [`ExaLogLog`] `t = 2, d = 20` (maximum likelihood) | 28 | 0.362 | 3.67 | 4.5 KiB |
//! | [`ExaLogLog`] `t = 2, d = 24` | 32 | 0.344 | 3.78 | 4.6 KiB |
//! | [`ExaLogLog`] `t = 1, d = 9` | 16 | 0.494 | 3.90 | 4.8 KiB |
//!
//! Pick [`UltraLogLog`] for the simplest and fastest of the two (one byte per register, a
//! branch-free update, conversion to [`HyperLogLog`] registers for systems that already store
//! HyperLogLog); pick [`ExaLogLog`] for the least memory. An insert-only [`ExaLogLog`] built
//! with [`martingale(true)`](ExaLogLogConfig::martingale) also keeps a martingale estimate
//! (`0.318/√m`, product 2.83, read in `O(1)`) at the price of a slower insert; it is off by
//! default, since a merge drops it. Both start sparse (4-byte
//! tokens, nearly exact), merge with sketches of a higher precision, reduce to a lower one,
//! and write their registers (plus a small header) with [`hpds_core::ByteCodec`].
//!
//! ```
//! use hpds_core::ByteCodec;
//! use hpds_loglog::{ExaLogLog, UltraLogLog};
//!
//! // Daily unique visitors counted per shard, merged at the aggregator.
//! let mut shards: Vec<ExaLogLog> = (0..4).map(|_| ExaLogLog::new(11)).collect::<Result<_, _>>()?;
//! for visitor in 0..40_000u64 {
//!     shards[(visitor % 4) as usize].insert(&format!("visitor-{visitor}"));
//! }
//! let mut day = ExaLogLog::new(11)?;
//! for s in &shards {
//!     day.merge(&ExaLogLog::from_bytes(&s.to_bytes())?)?;
//! }
//! assert!((day.estimate() / 40_000.0 - 1.0).abs() < 4.0 * day.standard_error());
//!
//! // An UltraLogLog converts to the HyperLogLog of the same items.
//! let mut u = UltraLogLog::new(12)?;
//! u.extend(0..10_000u64);
//! let hll = u.to_hyperloglog();
//! assert!((hll.estimate() / 10_000.0 - 1.0).abs() < 0.1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Example
//! ```
//! use hpds_core::ByteCodec;
//! use hpds_loglog::HyperLogLogPlusPlus;
//!
//! // Two shards of a log, counted separately, then merged.
//! let mut monday = HyperLogLogPlusPlus::new(14)?;
//! let mut tuesday = HyperLogLogPlusPlus::new(14)?;
//! for user in 0..30_000u64 {
//!     monday.insert(&format!("user-{user}"));
//! }
//! for user in 20_000..50_000u64 {
//!     tuesday.insert(&format!("user-{user}"));
//! }
//! let bytes = tuesday.to_bytes(); // ship it to the aggregator
//! monday.merge(&HyperLogLogPlusPlus::from_bytes(&bytes)?)?;
//! let both = monday.estimate();
//! assert!((both / 50_000.0 - 1.0).abs() < 4.0 * 1.04 / 128.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Memory usage
//! Dense registers take six bits each, four to three bytes, plus one padding byte so every
//! register is read and written with one 4-byte access: `0.75 · 2^p + 1` bytes (p = 10: 769 B,
//! p = 14: 12 289 B, p = 16: 49 153 B). The hand-written packing (multiply by the register's
//! bit weight, no variable shift) was measured against bitvec's `BitField`
//! (`load_le`/`store_le`) in the `throughput` bench's `packing` group and kept: it was 4 to
//! 4.5 times as fast in the same run (docs/loglog.md). HyperLogLog++ starts sparse: a sorted
//! list of precision-25 entries (4 bytes each) behind an insert buffer of at most a sixteenth
//! of the dense size in entries; it converts to dense registers when the list would take more
//! bytes than they do. Measured with the counting allocator (`benches/memory.rs`), p = 14:
//!
//! | distinct items | HyperLogLog++ heap | HyperLogLog heap | serialized HyperLogLog++ |
//! |---:|---:|---:|---:|
//! | 0 | 0 | 12 289 | 12 |
//! | 10 | 64 | 12 289 | 44 |
//! | 100 | 512 | 12 289 | 286 |
//! | 1 000 | 6 144 (list + insert buffer) | 12 289 | 2 341 |
//! | 10 000 and more | 12 289 | 12 289 | 8 213 to 8 222 |
//!
//! Serialized sizes (format version 3) include the compact hpds frame (9 bytes around a payload
//! under 128 bytes, 10 up to 16 KiB: magic, kind, version, length, 32-bit checksum), a header
//! byte and, dense and insert-only, the HIP estimate (8 bytes).
//! Dense registers are written as four-bit offsets from the smallest register with rare
//! exception bytes (about `m / 2` bytes, a third below the packing), sparse entries as
//! Golomb–Rice coded index gaps and unary ranks (`log2(2^25 / n) + 3.5` bits each). Version 1
//! encodings are still read.
//!
//! # Accuracy
//! Relative RMSE over 300 seeded trials of distinct hashes at p = 12 (m = 4096), from
//! `cargo run --release -p hpds-benches --bin loglog_plot_error` (all estimators on the same streams; the plot is in
//! `docs/img/loglog_error.svg`). Below a few thousand items every estimator is linear
//! counting (or, for HyperLogLog++, linear counting over 2^25 sparse buckets):
//!
//! | n | LogLog | SuperLogLog | HLL classic | HLL Ertl | HLL HIP | HLL++ |
//! |---:|---:|---:|---:|---:|---:|---:|
//! | 10 | 0.998 % | 0.998 % | 0.998 % | 0.998 % | 0.997 % | 0.000 % |
//! | 100 | 1.03 % | 1.03 % | 1.03 % | 1.03 % | 0.85 % | 0.000 % |
//! | 1 000 | 1.21 % | 1.21 % | 1.21 % | 1.20 % | 0.96 % | 0.25 % |
//! | 10 000 | 1.83 % | 1.45 % | **2.98 %** (bias +1.6 %) | 1.38 % | 1.13 % | 1.12 % |
//! | 100 000 | 1.88 % | 1.62 % | 1.48 % | 1.48 % | 1.20 % | 1.19 % |
//! | 1 000 000 | 2.05 % | 1.73 % | 1.68 % | 1.68 % | 1.35 % | 1.35 % |
//! | theory | 2.03 % | 1.64 % | 1.63 % | 1.63 % | 1.30 % | 1.30 % once dense |
//!
//! The classic estimator's switch to linear counting at 2.5 m shows as a bias at n ≈ 2.4 m;
//! the others are unbiased within the trials' noise. SuperLogLog's truncation at a discrete
//! register value makes its bias oscillate with log2 n (±0.8 % at p = 12 with one constant);
//! its constant is therefore calibrated per phase of the truncated mean, which removes the
//! oscillation. The tests check every estimator against its theory from 1 to 10^7 items
//! (`tests/accuracy.rs`).
//!
//! Ertl's improved estimator against our simulated bias tables (HyperLogLog++'s method), at
//! p = 12 with 1 000 trials and 25 cardinalities from 100 to 10^5
//! (`cargo run --release -p hpds-benches --bin loglog_accuracy`):
//! mean RMSE 0.785 vs 0.788 × 1.04/√m, Ertl's lower at 7 points, the tables' at 1, tied at
//! the rest, both with |bias| under 0.1 standard error. Ertl's needs no tables and no
//! threshold, so it is the register estimator the sketches use, and
//! [`Estimator::BiasCorrected`] stays available. The tables, SuperLogLog's constant and the
//! linear-counting thresholds come from `benches/src/bin/loglog_tables.rs` (a seeded
//! Poisson-model simulation; its output is `src/tables.rs`, and CI checks that it still is). HIP is unbiased and ~20 % more accurate, but
//! only defined for a sketch that was never merged; merged sketches fall back to Ertl's.
//!
//! # Crate features
//! - `serde`: `Serialize`/`Deserialize` for the six sketches in
//!   hpds' one convention (`hpds_core::serde_codec`): a base64 string of the versioned
//!   encoding in human-readable formats, the bytes in binary ones, validated like `from_bytes`.
//! - `rayon`: `par_extend` on the six sketches, which fills one sketch per rayon task and
//!   merges them (the result has the registers of a sequential build but no HIP or martingale
//!   estimate).
//! - `calibration` (internal): exposes the raw estimators to the table generator in
//!   `benches/`; no stability promise.
#![cfg_attr(not(test), no_std)]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;

mod base;
mod dense;
mod ell;
mod estimators;
mod fgra;
mod ml;
#[cfg(feature = "rayon")]
mod parallel;
mod plusplus;
mod registers;
mod serde_impl;
mod sparse;
mod tables;
mod tokens;
mod ull;
mod unpacked;
mod window;

pub use dense::{HyperLogLog, LogLog, SuperLogLog};
pub use ell::{ExaLogLog, ExaLogLogConfig, ExaLogLogEstimator};
pub use estimators::{Estimator, standard_error};

/// The raw estimators, for the generator of the bias tables (`benches/src/bin/loglog_tables.rs`,
/// which must run the very code the sketches run). Only compiled with the internal
/// `calibration` feature; not part of the public API.
#[cfg(feature = "calibration")]
#[doc(hidden)]
pub mod calibration {
    pub use crate::estimators::{
        SUPERLOGLOG_PHASES, hll_raw, linear_counting, loglog_raw, superloglog_raw_with,
        superloglog_truncated_mean,
    };
}
pub use plusplus::HyperLogLogPlusPlus;
pub use ull::{UltraLogLog, UltraLogLogEstimator};
pub use unpacked::UnpackedRegisters;

/// The smallest precision: 16 registers.
pub const MIN_PRECISION: u8 = 4;
/// The largest precision: 262 144 registers (192 KiB dense).
pub const MAX_PRECISION: u8 = 18;
