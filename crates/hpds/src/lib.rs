//! hpds: performance-oriented data structures, after *High Performance Python*.
//!
//! This facade re-exports every family behind a feature of the same name (all on by default);
//! depend on a single `hpds-*` crate instead when you need only one family.
//!
//! (The guide to choosing a structure is filled in as the families land.)
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub use hpds_core as core;
pub use hpds_core::{ByteCodec, DistinctCounter, Error, HeapSize, MembershipFilter, Result};

#[cfg(feature = "bloom")]
pub use hpds_bloom as bloom;
#[cfg(feature = "kmv")]
pub use hpds_kmv as kmv;
#[cfg(feature = "loglog")]
pub use hpds_loglog as loglog;
#[cfg(feature = "morris")]
pub use hpds_morris as morris;
#[cfg(feature = "openhash")]
pub use hpds_openhash as openhash;
#[cfg(feature = "trie")]
pub use hpds_trie as trie;
#[cfg(feature = "vec")]
pub use hpds_vec as vec;
