//! Memory per policy: bytes per element measured by a counting allocator next to
//! `heap_bytes()` (asserted equal), slack, peak, reallocations, and how many resizes `realloc`
//! did in place on this machine.
//!
//! `cargo bench -p hpds-vec --bench memory` (`HPDS_BENCH_FULL=1` adds 10,000,000 elements).
//!
//! The counting allocator books a `realloc` as a change of size, so "peak" here is the largest
//! capacity held; a `realloc` that moves briefly holds the old and the new block together
//! (`moved` counts how often that happened).

use hpds_core::HeapSize;
use hpds_testkit::CountingAllocator;
use hpds_testkit::alloc::measure;
use hpds_vec::{GrowVec, Policy};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

fn main() {
    let mut sizes = vec![16usize, 1_000, 100_000, 1_000_000];
    if std::env::var("HPDS_BENCH_FULL").is_ok_and(|v| v == "1") {
        sizes.push(10_000_000);
    }
    println!(
        "{:<16} {:>10} {:>12} {:>12} {:>9} {:>12} {:>8} {:>9} {:>7}",
        "policy",
        "n",
        "B/elem",
        "heap_bytes",
        "slack%",
        "peak B/elem",
        "reallocs",
        "in place",
        "moved"
    );
    for &n in &sizes {
        for policy in Policy::ALL {
            if policy == Policy::Exact && n > 100_000 {
                continue; // quadratic
            }
            let (v, delta) = measure(|| {
                let mut v = GrowVec::with_policy(policy);
                for i in 0..n as u64 {
                    v.push(i);
                }
                v
            });
            let retained = delta.retained as usize;
            assert_eq!(
                retained,
                v.heap_bytes(),
                "{policy} n={n}: counting allocator vs heap_bytes"
            );
            let s = v.stats();
            println!(
                "{:<16} {:>10} {:>12.3} {:>12} {:>8.1}% {:>12.3} {:>8} {:>9} {:>7}",
                policy.to_string(),
                n,
                retained as f64 / n as f64,
                v.heap_bytes(),
                100.0 * v.slack() as f64 / n as f64,
                delta.peak as f64 / n as f64,
                s.reallocations,
                s.in_place,
                s.moved
            );
        }
        // std's Vec, for reference.
        let (v, delta) = measure(|| {
            let mut v = Vec::new();
            for i in 0..n as u64 {
                v.push(i);
            }
            v
        });
        assert_eq!(delta.retained as usize, v.heap_bytes());
        println!(
            "{:<16} {:>10} {:>12.3} {:>12} {:>8.1}% {:>12.3}",
            "std-vec",
            n,
            delta.retained as f64 / n as f64,
            v.heap_bytes(),
            100.0 * (v.capacity() - v.len()) as f64 / n as f64,
            delta.peak as f64 / n as f64
        );
    }
}
