//! Bytes per counter, measured by the counting allocator next to `heap_bytes()`.
//!
//! `cargo bench -p hpds-morris --bench memory`

use hpds_core::HeapSize;
use hpds_morris::{MorrisArray, MorrisCounter};
use hpds_testkit::CountingAllocator;
use hpds_testkit::alloc::measure;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

fn main() {
    println!(
        "{:<28} {:>10} {:>14} {:>14} {:>12}",
        "structure", "counters", "measured B", "heap_bytes", "B/counter"
    );
    let (c, d) = measure(|| MorrisCounter::with_seed(2.0, 1).unwrap());
    println!(
        "{:<28} {:>10} {:>14} {:>14} {:>12.3}",
        "MorrisCounter (inline)",
        1,
        d.retained,
        c.heap_bytes(),
        std::mem::size_of_val(&c) as f64
    );
    assert_eq!(d.retained, 0);
    for bits in [4u8, 8] {
        for len in [1_000usize, 1_000_000] {
            let (a, d) = measure(|| {
                let mut a = MorrisArray::with_seed(len, 4.0, bits, 1).unwrap();
                a.increment_by(0, 1_000);
                a
            });
            println!(
                "{:<28} {:>10} {:>14} {:>14} {:>12.3}",
                format!("MorrisArray {bits}-bit base 4"),
                len,
                d.retained,
                a.heap_bytes(),
                a.heap_bytes() as f64 / len as f64
            );
            assert_eq!(d.retained as usize, a.heap_bytes(), "heap_bytes disagrees");
        }
    }
}
