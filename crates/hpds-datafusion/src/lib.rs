//! hpds sketches as SQL functions for [Apache DataFusion](https://datafusion.apache.org).
//!
//! [`register`] adds aggregates that build HyperLogLog++, UltraLogLog, KMV and Bloom sketches
//! from a column, aggregates that union stored sketches, and scalar functions that read them.
//! A sketch is a `Binary` value holding the structure's versioned bytes (the same bytes as
//! [`ByteCodec::to_bytes`](hpds_core::ByteCodec::to_bytes) in Rust), so it can be written to
//! Parquet, read back days later, unioned over any range of days, or decoded by a Rust
//! program with `from_bytes`.
//!
//! # Example
//! ```
//! use datafusion::prelude::SessionContext;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> datafusion::error::Result<()> {
//! let ctx = SessionContext::new();
//! hpds_datafusion::register(&ctx);
//! let df = ctx
//!     .sql(
//!         "SELECT approx_distinct_hll(v) AS n, hll_estimate(hll_sketch(v, 12)) AS m \
//!          FROM (VALUES ('a'), ('b'), ('a'), (NULL)) AS t(v)",
//!     )
//!     .await?;
//! let batches = df.collect().await?;
//! assert_eq!(batches[0].num_rows(), 1);
//! # Ok(())
//! # }
//! ```
//!
//! # Functions
//!
//! | function | returns | |
//! |---|---|---|
//! | `hll_sketch(expr [, p])` | `Binary` | HyperLogLog++ of the values, precision `p` in 4..=18 (default 14) |
//! | `hll_union(sketch)` | `Binary` | the union of HyperLogLog++ sketches (at the lowest precision among them) |
//! | `hll_estimate(sketch)` | `Float64` | the estimated number of distinct values |
//! | `approx_distinct_hll(expr [, p])` | `UInt64` | `hll_estimate(hll_sketch(expr, p))` rounded, in one aggregate |
//! | `ull_sketch(expr [, p])`, `ull_union(sketch)`, `ull_estimate(sketch)` | | UltraLogLog (default `p` = 12): the error of HyperLogLog in 28 % less memory |
//! | `kmv_sketch(expr [, k])` | `Binary` | K-Minimum-Values, `k` in 2..=2^26 (default 1024) |
//! | `kmv_union(sketch)`, `kmv_estimate(sketch)` | | as for HyperLogLog++ |
//! | `kmv_jaccard(a, b)`, `kmv_intersection(a, b)` | `Float64` | Jaccard similarity and intersection size of two KMV sketches |
//! | `bloom_sketch(expr, expected_items, rate)` | `Binary` | a Bloom filter of the values |
//! | `bloom_union(filter)` | `Binary` | the union of Bloom filters of one shape |
//! | `bloom_contains(filter, expr)` | `Boolean` | whether the value is (probably) in the filter |
//!
//! Values may be strings, binary values, integers, dates, times, timestamps or booleans; each
//! is hashed as the Rust API hashes the same value ([`hpds_core::Item`]), so a sketch built in
//! SQL merges with one built in Rust. NULL values are skipped. See
//! [`docs/datafusion.md`](https://github.com/hpds/hpds/blob/main/docs/datafusion.md) for the
//! manual: daily sketches in Parquet, weekly unions, retention.
//!
//! # Partial aggregation
//!
//! The partial state of every aggregate is the sketch's bytes, one `Binary` value per group:
//! that is what DataFusion moves between partitions (and Ballista between executors). Every
//! sketch is put in its canonical form before it is written, so the same query gives the same
//! bytes whatever `target_partitions` is and however the input is partitioned.

#![forbid(unsafe_code)]

mod aggregate;
mod args;
mod bloom;
mod groups;
mod input;
mod scalar;
mod sketch;
mod tokens;

use datafusion::logical_expr::{AggregateUDF, ScalarUDF};
use datafusion::prelude::SessionContext;

use aggregate::{Family, Role, SketchUdaf};
use scalar::{Op, SketchScalar};

/// Every aggregate function of this crate, ready to register with any DataFusion
/// `FunctionRegistry` (a `SessionContext`, a `SessionState`, or a Ballista session).
pub fn aggregate_udfs() -> Vec<AggregateUDF> {
    let sketch = |name, family, role| AggregateUDF::from(SketchUdaf::new(name, family, role));
    vec![
        sketch("hll_sketch", Family::Hll, Role::Build),
        sketch("hll_union", Family::Hll, Role::Union),
        sketch("approx_distinct_hll", Family::Hll, Role::Distinct),
        sketch("ull_sketch", Family::Ull, Role::Build),
        sketch("ull_union", Family::Ull, Role::Union),
        sketch("kmv_sketch", Family::Kmv, Role::Build),
        sketch("kmv_union", Family::Kmv, Role::Union),
        AggregateUDF::from(bloom::BloomUdaf::sketch()),
        AggregateUDF::from(bloom::BloomUdaf::union()),
    ]
}

/// Every scalar function of this crate.
pub fn scalar_udfs() -> Vec<ScalarUDF> {
    let scalar = |name, op| ScalarUDF::from(SketchScalar::new(name, op));
    vec![
        scalar("hll_estimate", Op::HllEstimate),
        scalar("ull_estimate", Op::UllEstimate),
        scalar("kmv_estimate", Op::KmvEstimate),
        scalar("kmv_jaccard", Op::KmvJaccard),
        scalar("kmv_intersection", Op::KmvIntersection),
        ScalarUDF::from(bloom::BloomContains::new()),
    ]
}

/// Registers every function of this crate with `ctx`.
pub fn register(ctx: &SessionContext) {
    for f in aggregate_udfs() {
        ctx.register_udaf(f);
    }
    for f in scalar_udfs() {
        ctx.register_udf(f);
    }
}
