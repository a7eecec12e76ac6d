//! Instructions per pre-hashed insert of hpds-kmv's `ThetaSketch` and `Kmv` (k = 1024), for
//! valgrind: each insert loop runs in its own non-inlined function, so callgrind's inclusive
//! count of that function divided by the keys it inserts is the cost of one insert, whatever
//! the machine's load.
//!
//! ```text
//! cargo build --profile bench -p hpds-benches --bin theta_icount
//! valgrind --tool=callgrind --callgrind-out-file=cg.out target/release/theta_icount
//! callgrind_annotate --inclusive=yes cg.out | grep theta_icount::
//! ```
//!
//! Each function fills a fresh sketch with `n` distinct pre-hashed keys, for n = 10^6
//! (`*_1m`) and 10^7 (`*_10m`); they return different values so the linker cannot fold them
//! into one.

use std::hint::black_box;

use hpds_kmv::{Kmv, ThetaSketch};
use hpds_testkit::streams::distinct_u64s;

#[inline(never)]
fn theta_fill(keys: &[u64]) -> f64 {
    let mut s = ThetaSketch::new(1024).expect("valid k");
    for &h in keys {
        s.insert_hash(h);
    }
    s.theta()
}

#[inline(never)]
fn kmv_fill(keys: &[u64]) -> f64 {
    let mut s = Kmv::new(1024).expect("valid k");
    for &h in keys {
        s.insert_hash(h);
    }
    s.theta()
}

#[inline(never)]
fn theta_1m(keys: &[u64]) -> f64 {
    theta_fill(keys) + 1.0
}

#[inline(never)]
fn kmv_1m(keys: &[u64]) -> f64 {
    kmv_fill(keys) + 1.0
}

#[inline(never)]
fn theta_10m(keys: &[u64]) -> f64 {
    theta_fill(keys) + 2.0
}

#[inline(never)]
fn kmv_10m(keys: &[u64]) -> f64 {
    kmv_fill(keys) + 2.0
}

fn main() {
    let small: Vec<u64> = distinct_u64s(1).take(1_000_000).collect();
    let large: Vec<u64> = distinct_u64s(2).take(10_000_000).collect();
    black_box(theta_1m(black_box(&small)));
    black_box(kmv_1m(black_box(&small)));
    black_box(theta_10m(black_box(&large)));
    black_box(kmv_10m(black_box(&large)));
    println!("theta_1m, kmv_1m: 1000000 inserts each; theta_10m, kmv_10m: 10000000 each");
}
