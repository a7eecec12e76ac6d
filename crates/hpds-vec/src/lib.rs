//! Over-allocating vectors with growth policies you can see and choose.
//!
//! A Python `list` is a dynamic array that over-allocates on `append`, so appends cost O(1)
//! amortized; a `tuple` is a fixed array with no headroom. How much to over-allocate is a
//! trade between time (reallocations and copying) and memory (slack). CPython grows to about
//! 1.125× and gives memory back when a list falls below half full; Rust's `Vec` doubles;
//! folly's `fbvector` grows 1.5× and rounds to the allocator's size classes. This crate lets
//! you pick one, measure it, and trust that it does what it says.
//!
//! # Types
//! - [`GrowVec<T, G>`]: a contiguous vector with `Vec`'s API whose growth policy is the type
//!   parameter `G` (default [`Doubling`], which is `Vec`'s rule), and which counts its
//!   reallocations ([`GrowthStats`]). It grows with `realloc`, so the allocator may extend the
//!   block in place, and it reports how many bytes actually moved.
//! - Policies, all implementing the small [`Growth`] trait (implement it for your own):
//!   [`CPythonList`] (CPython 3.9+'s `list_resize`, exactly, shrink rule included — tested
//!   against the interpreter), [`Doubling`], [`Factor`] (e.g. 1.5), [`Exact`] (no slack), and
//!   [`SizeClass`] (factor, then round up to the allocator's size classes). [`Policy`] is any
//!   of them chosen at run time by name.
//! - [`GrowVec::into_boxed_slice`]: the frozen, `tuple`-like form with no headroom.
//! - [`simulate`] and [`capacity_sequence`]: what `n` pushes cost under a policy — the capacity
//!   sequence, reallocations, bytes copied, bytes moved vs grown in place, and slack (the
//!   `hpds grow` subcommand prints these).
//!
//! # When to use it
//! Use `GrowVec<T>` (doubling) wherever a `Vec<T>` would do and you want to know what growth
//! cost; [`CPythonList`] when memory matters more than push speed (at most 12.5% + 6 slots
//! of slack instead of up to 100%) or to reproduce Python's behaviour; [`Exact`] for vectors
//! built once; [`SizeClass`] to use the bytes the allocator would round up anyway.
//!
//! # Example
//! ```
//! use hpds_vec::{CPythonList, Doubling, GrowVec};
//!
//! let mut fast: GrowVec<u64, Doubling> = GrowVec::new();
//! let mut lean: GrowVec<u64, CPythonList> = GrowVec::new();
//! for i in 0..10_000 {
//!     fast.push(i);
//!     lean.push(i);
//! }
//! assert_eq!(fast, lean);
//! assert_eq!(fast.capacity(), 16_384); // 64% slack
//! assert_eq!(lean.capacity(), 10_640); // 6.4% slack, the capacity CPython reports
//! assert!(fast.stats().reallocations < lean.stats().reallocations);
//! println!("doubling: {:?}", fast.stats());
//!
//! // Freeze into a tuple-like boxed slice with no headroom.
//! let frozen: Box<[u64]> = lean.into_boxed_slice();
//! assert_eq!(frozen.len(), 10_000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Choosing a policy by name and reporting its cost:
//! ```
//! use hpds_vec::{simulate, Policy};
//! let policy: Policy = "size-class:1.5".parse()?;
//! let report = simulate(policy, 1_000_000);
//! println!("{report}");
//! assert!(report.slack_ratio() < 0.5 * 1.25);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Memory usage
//! A `GrowVec<T, G>` holds `capacity × size_of::<T>()` heap bytes (`HeapSize::heap_bytes`),
//! and its inline size is 80 bytes (pointer, capacity, length and the 56-byte
//! [`GrowthStats`]; plus 8 bytes for [`Factor`]-based policies). Right after a growth the
//! slack, as a fraction of the length, is at most:
//!
//! | policy | slack after growth | reallocations for n pushes | elements copied per push |
//! |---|---|---|---|
//! | [`Doubling`] | 100% | log₂ n | < 2 |
//! | [`Factor`] 1.5 | 50% | log₁.₅ n | < 3 |
//! | [`SizeClass`] 1.5 | 50% + 25% rounding | ≤ log₁.₅ n | < 3 |
//! | [`CPythonList`] | 12.5% + 6 | ≈ log₁.₁₂₅ n ≈ 5.9 · log₂ n | < 9 |
//! | [`Exact`] | 0 | n | ≈ n/2 (O(n²) total unless realloc grows in place) |
//!
//! These follow from the growth rule: with factor f the vector holds at most f·len slots after
//! a growth, and the elements copied by all growths form a geometric series below
//! n · f / (f − 1). The memory benchmark (`cargo bench -p hpds-vec --bench memory`) measures slack
//! and peak bytes per policy with a counting allocator; `docs/vec.md` has the figures.
//!
//! # Zero-sized types
//! Vectors of zero-sized types never allocate: their capacity is `usize::MAX`, their slack and
//! `heap_bytes()` 0, and policies are never consulted.
//!
//! # Panic safety
//! A panicking `Drop` or `Clone` never causes a double drop or a leak of initialized slots into
//! undefined behaviour: lengths are lowered before destructors run and raised as clones are
//! made (tested with panicking types under Miri).
//!
//! # Crate features
//! - `serde`: `Serialize` / `Deserialize` for [`GrowVec`] as a sequence (the policy is a type
//!   parameter and statistics are not serialized).
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

mod growth;
mod iter;
mod raw;
mod simulate;
mod stats;
mod vec;

pub use growth::{
    CPythonList, Doubling, Exact, Factor, Growth, Policy, SizeClass, capacity_sequence,
};
pub use iter::{Drain, IntoIter};
pub use simulate::{GrowthReport, simulate, simulate_with};
pub use stats::GrowthStats;
pub use vec::GrowVec;
