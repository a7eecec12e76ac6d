//! The SQL functions end to end: against the Rust API (fixed cases and properties over
//! arbitrary tables), across partitionings, through Parquet,
//! against exact counts, and on bad input.

mod common;

mod accuracy;
mod errors;
mod parquet;
mod partitions;
mod props;
mod rust_api;
