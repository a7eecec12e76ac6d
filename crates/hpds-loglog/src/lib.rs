//! The LogLog family: LogLog, SuperLogLog, HyperLogLog and HyperLogLog++ distinct counters in
//! kilobytes.
#![cfg_attr(not(test), no_std)]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;

mod base;
mod dense;
pub mod estimators;
mod plusplus;
mod registers;
mod serde_impl;
mod sparse;
mod tables;

pub use dense::{HyperLogLog, LogLog, SuperLogLog};
pub use estimators::Estimator;
pub use plusplus::HyperLogLogPlusPlus;

/// The smallest precision: 16 registers.
pub const MIN_PRECISION: u8 = 4;
/// The largest precision: 262 144 registers (192 KiB dense).
pub const MAX_PRECISION: u8 = 18;
