//! Bytes per sketch after n distinct items: heap measured by the counting allocator next to
//! `heap_bytes()` (asserted equal), and the serialized size.
//!
//! ```text
//! cargo bench -p hpds-loglog --bench memory
//! ```

use hpds_core::{ByteCodec, HeapSize};
use hpds_loglog::{HyperLogLog, HyperLogLogPlusPlus};
use hpds_testkit::CountingAllocator;
use hpds_testkit::alloc::measure;
use hpds_testkit::streams::distinct_u64s;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

fn main() {
    println!(
        "{:>10} {:>3} {:>8} {:>12} {:>12} {:>12} {:>10}",
        "n", "p", "sketch", "measured", "heap_bytes", "serialized", "bytes/item"
    );
    for p in [10u8, 14, 16] {
        for n in [0usize, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000] {
            let items: Vec<u64> = distinct_u64s(n as u64).take(n).collect();
            let (pp, delta) = measure(|| {
                let mut s = HyperLogLogPlusPlus::new(p).unwrap();
                for &h in &items {
                    s.insert_hash(h);
                }
                s
            });
            let kind = if pp.is_sparse() {
                "hll++ sp"
            } else {
                "hll++ de"
            };
            row(
                n,
                p,
                kind,
                delta.retained,
                pp.heap_bytes(),
                pp.to_bytes().len(),
            );
            let (hll, delta) = measure(|| {
                let mut s = HyperLogLog::new(p).unwrap();
                for &h in &items {
                    s.insert_hash(h);
                }
                s
            });
            row(
                n,
                p,
                "hll",
                delta.retained,
                hll.heap_bytes(),
                hll.to_bytes().len(),
            );
        }
    }
}

fn row(n: usize, p: u8, kind: &str, measured: isize, heap: usize, serialized: usize) {
    println!(
        "{n:>10} {p:>3} {kind:>8} {measured:>12} {heap:>12} {serialized:>12} {:>10.3}",
        if n == 0 {
            0.0
        } else {
            serialized as f64 / n as f64
        }
    );
    assert_eq!(
        measured, heap as isize,
        "heap_bytes disagrees with the allocator"
    );
}
