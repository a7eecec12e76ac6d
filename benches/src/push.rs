//! Vectors of `u64` built by `push`, one element at a time, for the vector measurement
//! programs (`vec_push_race`, `vec_batch_faults`, `vec_tradeoff`).
//!
//! Every pushed value goes through `black_box`, so the loop cannot be turned into one bulk
//! write: what is measured is `push` itself, growth included.

use std::hint::black_box;

use hpds_vec::{GrowVec, Growth};

/// A `Vec<u64>` of `0..n`, pushed one by one onto an empty vector.
///
/// Each value of `COPY` is a separate copy of the same machine code: timing `push_vec::<0>`
/// against `push_vec::<1>` (an A/A test) shows how far two identical contestants differ on
/// this machine, the noise floor of a comparison.
#[inline(never)]
pub fn push_vec<const COPY: usize>(n: usize) -> Vec<u64> {
    let mut v = Vec::new();
    for i in 0..n as u64 {
        v.push(black_box(i));
    }
    v
}

/// A `GrowVec<u64, G>` of `0..n`, pushed one by one onto an empty vector growing by `policy`.
#[inline(never)]
pub fn push_growvec<G: Growth>(policy: G, n: usize) -> GrowVec<u64, G> {
    let mut v = GrowVec::with_policy(policy);
    for i in 0..n as u64 {
        v.push(black_box(i));
    }
    v
}

/// Minor page faults of this process so far (0 where the OS does not say).
pub fn minor_faults() -> u64 {
    hpds_testkit::process::minor_page_faults().unwrap_or(0)
}
