//! The counting allocator's figures against known allocations (one test: counters are global).

use hpds_testkit::CountingAllocator;
use hpds_testkit::alloc::{measure, stats};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

#[test]
fn counts_known_allocations() {
    let (v, d) = measure(|| Vec::<u64>::with_capacity(1000));
    assert_eq!(d.retained, 8000);
    assert_eq!(d.peak, 8000);
    assert_eq!(d.allocations, 1);

    // A temporary that is freed shows in the peak, not in what is retained.
    let ((), d) = measure(|| {
        let tmp = vec![1u8; 50_000];
        std::hint::black_box(&tmp);
    });
    assert_eq!(d.retained, 0);
    assert_eq!(d.peak, 50_000);

    // Growth by realloc: pushing past capacity moves the retained figure to the new capacity.
    let (w, d) = measure(|| {
        let mut w: Vec<u32> = Vec::with_capacity(4);
        w.extend(0..5);
        w
    });
    assert_eq!(d.retained, (w.capacity() * 4) as isize);
    assert_eq!(d.allocations, 2);

    let before = stats().current;
    drop(v);
    drop(w);
    assert_eq!(stats().current, before - 8000 - (8 * 4));
}
