//! Bytes per item, measured by the counting allocator next to `heap_bytes()`, for every filter
//! at p = 1%, 0.1% and 0.01%. `cargo bench -p hpds-bloom --bench memory`
#![allow(missing_docs)]

use std::time::Duration;

use hpds_bloom::{
    AtomicBloomFilter, BlockedBloomFilter, BloomFilter, CountingBloomFilter, ManualClock,
    ScalableBloomFilter, TimingBloomFilter,
};
use hpds_core::HeapSize;
use hpds_testkit::alloc::measure;
use hpds_testkit::streams::distinct_u64s;

#[global_allocator]
static ALLOC: hpds_testkit::CountingAllocator = hpds_testkit::CountingAllocator;

fn row<F: HeapSize>(name: &str, p: f64, n: u64, build: impl FnOnce() -> F) {
    let (f, delta) = measure(build);
    let heap = f.heap_bytes();
    let measured = delta.retained as usize;
    println!(
        "{name:<22} p={p:<7} n={n:<9} bits/item: measured {:>6.2}, heap_bytes {:>6.2}",
        measured as f64 * 8.0 / n as f64,
        heap as f64 * 8.0 / n as f64
    );
    assert_eq!(measured, heap, "{name}: allocator and heap_bytes disagree");
    drop(f);
}

fn main() {
    let n = 1_000_000u64;
    let keys: Vec<u64> = distinct_u64s(1).take(n as usize).collect();
    for p in [0.01, 0.001, 0.0001] {
        row("BloomFilter", p, n, || BloomFilter::new(n, p).unwrap());
        row("BlockedBloomFilter", p, n, || {
            BlockedBloomFilter::new(n, p).unwrap()
        });
        row("ScalableBloomFilter", p, n, || {
            let mut f = ScalableBloomFilter::new(n / 1000, p).unwrap();
            f.extend(&keys);
            f
        });
        row("CountingBloomFilter", p, n, || {
            CountingBloomFilter::new(n, p).unwrap()
        });
        // The clock's own allocation (an `Arc`) is not the filter's.
        let clock = ManualClock::new();
        row("TimingBloomFilter", p, n, move || {
            TimingBloomFilter::with_clock(n, p, Duration::from_secs(60), clock).unwrap()
        });
        row("AtomicBloomFilter", p, n, || {
            AtomicBloomFilter::new(n, p).unwrap()
        });
    }
}
