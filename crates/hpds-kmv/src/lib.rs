//! K-Minimum-Values distinct counting: mergeable, idempotent, with intersection and Jaccard estimates.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod kmv;
mod stats;

pub use kmv::{DEFAULT_K, Kmv, MAX_K, MIN_K};
