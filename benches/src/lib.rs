//! Shared pieces of hpds's side-by-side benchmarks.
//!
//! Each family's bench (`benches/*.rs`) puts every implementation, ours and the peers', behind
//! one small local trait so they all run the same measured code. The measurement programs in
//! `src/bin` (peer races, error plots, table generators) run with
//! `cargo run --release -p hpds-benches --bin NAME`. This library holds what they share: size
//! ladders, the standard corpus, and vectors built by `push`.

pub mod push;

pub mod bloom;

#[cfg(doctest)]
mod guides;

use hpds_testkit::words::Corpus;

/// Item counts from in-cache to out-of-cache. The largest sizes run only with
/// `HPDS_BENCH_FULL=1`, so a default `cargo bench` stays within minutes.
pub fn sizes(default: &[u64], full: &[u64]) -> Vec<u64> {
    let mut out = default.to_vec();
    if full_run() {
        out.extend_from_slice(full);
    }
    out
}

/// Whether `HPDS_BENCH_FULL=1` asks for the long, out-of-cache sizes.
pub fn full_run() -> bool {
    std::env::var("HPDS_BENCH_FULL").is_ok_and(|v| v == "1")
}

/// The standard word corpus for string benchmarks: Zipf(1) tokens over a vocabulary a tenth of
/// the token count, seed 2024 (the CLI's default corpus, scaled).
pub fn corpus(tokens: usize) -> Corpus {
    Corpus::generate(2024, tokens, (tokens / 10).max(1), 1.0)
}
