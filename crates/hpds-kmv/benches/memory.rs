//! Bytes per sketch, measured by the counting allocator next to `heap_bytes()`.
//!
//! `cargo bench -p hpds-kmv --bench memory`

use hpds_core::HeapSize;
use hpds_kmv::Kmv;
use hpds_testkit::CountingAllocator;
use hpds_testkit::alloc::measure;
use hpds_testkit::streams::distinct_u64s;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

fn main() {
    println!(
        "{:>8} {:>10} {:>12} {:>12} {:>10} {:>12}",
        "k", "items", "measured B", "heap_bytes", "retained", "B/retained"
    );
    for k in [64usize, 1024, 16_384] {
        for n in [10u64, 1_000, 1_000_000] {
            let (s, d) = measure(|| {
                let mut s = Kmv::new(k).unwrap();
                distinct_u64s(n)
                    .take(n as usize)
                    .for_each(|h| s.insert_hash(h));
                s
            });
            println!(
                "{k:>8} {n:>10} {:>12} {:>12} {:>10} {:>12.1}",
                d.retained,
                s.heap_bytes(),
                s.len(),
                s.heap_bytes() as f64 / s.len().max(1) as f64
            );
            assert_eq!(d.retained as usize, s.heap_bytes(), "heap_bytes disagrees");
        }
    }
}
