//! The SQL functions end to end: against the Rust API, across partitionings, through Parquet,
//! against exact counts, and on bad input.

mod common;

mod accuracy;
mod errors;
mod parquet;
mod partitions;
mod rust_api;
