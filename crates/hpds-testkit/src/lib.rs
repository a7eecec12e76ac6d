//! Test, benchmark and CLI support for hpds: data that is the same for every seed, error
//! statistics computed the same way for every estimator, and a global allocator that counts.
//!
//! - [`streams`]: distinct `u64` streams, streams with a chosen duplicate ratio, shuffles.
//! - [`words`]: a synthetic English-like vocabulary and Zipf-distributed word streams.
//! - [`accuracy`]: run an estimator over many seeded trials at log-spaced cardinalities and
//!   report bias, relative RMSE and quantiles.
//! - [`alloc`]: [`CountingAllocator`], current and peak heap bytes and allocation counts.
//! - [`plot`]: line charts as SVG, for the guides' figures.
//! - [`process`]: on-CPU time and page faults, for timing on a shared machine.
//! - [`race`]: interleaved, same-process races, summarized as per-round ratios.
//! - [`serde_check`]: the round-trip check of the serde convention (JSON and bincode).
//!
//! # Example
//! ```
//! use hpds_testkit::streams::distinct_u64s;
//! let a: Vec<u64> = distinct_u64s(7).take(5).collect();
//! let b: Vec<u64> = distinct_u64s(7).take(5).collect();
//! assert_eq!(a, b); // same seed, same stream
//! ```
#![deny(missing_docs)]

pub mod accuracy;
pub mod alloc;
pub mod plot;
pub mod process;
pub mod race;
pub mod serde_check;
pub mod streams;
pub mod words;

pub use accuracy::{Accuracy, ErrorStats, log_scale};
pub use alloc::{AllocStats, CountingAllocator};

/// A seeded, portable random generator (xoshiro256++): the same stream on every platform.
pub type SeededRng = rand_xoshiro::Xoshiro256PlusPlus;

/// A [`SeededRng`] from a `u64` seed.
pub fn rng(seed: u64) -> SeededRng {
    use rand::SeedableRng;
    SeededRng::seed_from_u64(seed)
}
