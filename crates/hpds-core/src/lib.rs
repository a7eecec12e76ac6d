//! Shared foundations of the hpds data structures.
//!
//! Every hpds crate builds on the same few pieces, kept here so that they are written once:
//!
//! - [`hash`]: a stable, seeded 64/128-bit hash (xxh3) for sketches and filters, the same on
//!   every platform and version, so sketches built by different processes can be merged.
//! - [`Item`]: the canonical bytes of an item (the same bytes are the same item whatever their
//!   Rust type), the rule every sketch's and filter's `insert` and `contains` follow.
//! - [`HeapSize`]: the bytes a structure owns on the heap, reported by every structure and
//!   checked against a counting allocator in the memory benchmarks.
//! - [`Error`]: the one error type, whose messages say what was allowed.
//! - [`codec`]: a versioned, checksummed binary frame and a bounded reader that never panics
//!   and never allocates more than its input justifies.
//! - [`traits`]: [`DistinctCounter`], [`MembershipFilter`], [`ApproximateCounter`].
//! - `stats` (with `std`): normal quantiles for confidence intervals.
//!
//! # Example
//! ```
//! use hpds_core::codec::{ByteCodec, Decoder, Encoder};
//! use hpds_core::{DistinctCounter, Error, HeapSize, Result};
//!
//! /// An exact distinct counter over hashes: the simplest `DistinctCounter`.
//! #[derive(Default, Debug, PartialEq)]
//! struct Exact(std::collections::BTreeSet<u64>);
//!
//! impl DistinctCounter for Exact {
//!     fn insert_hash(&mut self, hash: u64) { self.0.insert(hash); }
//!     fn estimate(&self) -> f64 { self.0.len() as f64 }
//!     fn merge(&mut self, other: &Self) -> Result<()> {
//!         self.0.extend(&other.0);
//!         Ok(())
//!     }
//! }
//!
//! impl ByteCodec for Exact {
//!     const TAG: [u8; 4] = *b"EXCT";
//!     const VERSION: u16 = 1;
//!     fn encode_payload(&self, enc: &mut Encoder) {
//!         enc.put_u64_slice(&self.0.iter().copied().collect::<Vec<_>>());
//!     }
//!     fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
//!         Ok(Exact(dec.u64_vec()?.into_iter().collect()))
//!     }
//! }
//!
//! let mut a = Exact::default();
//! for word in ["to", "be", "or", "not", "to", "be"] {
//!     a.insert(word);
//! }
//! assert_eq!(a.estimate(), 4.0);
//! let b = Exact::from_bytes(&a.to_bytes())?;
//! assert_eq!(a, b);
//! assert!(Exact::from_bytes(b"not an encoding").is_err());
//! # Ok::<(), Error>(())
//! ```
//!
//! # Crate features
//! - `std` (default): implements `std::error::Error` for [`Error`]. Without it the crate is
//!   `no_std` + `alloc`.
//! - `serde`: `serde_codec` and `impl_serde_via_codec!`, the one serde convention of every
//!   hpds sketch and filter (a base64 string of the versioned encoding in human-readable
//!   formats, the bytes in binary ones, validated on the way in).
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod bits;
pub mod codec;
pub mod error;
pub mod hash;
mod heap;
pub mod item;
#[cfg(feature = "serde")]
pub mod serde_codec;
#[cfg(feature = "std")]
pub mod stats;
pub mod traits;

pub use codec::ByteCodec;
pub use error::{DecodeError, Error, ErrorKind, Result};
pub use heap::HeapSize;
pub use item::{ByHash, Item};
pub use traits::{ApproximateCounter, DistinctCounter, MembershipFilter};

/// serde, re-exported for [`impl_serde_via_codec!`] (not a public API).
#[cfg(feature = "serde")]
#[doc(hidden)]
pub use serde as __serde;
