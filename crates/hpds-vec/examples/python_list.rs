//! A list that grows like Python's, and what each growth costs.
//!
//! `GrowVec<T, CPythonList>` over-allocates exactly as CPython's `list.append` does, so the
//! capacities printed here are the ones `sys.getsizeof` reveals in Python. Each line is one
//! reallocation: how many slots the list holds, how much of it is slack, and whether the
//! allocator could grow the block where it stood.
//!
//! `cargo run -p hpds-vec --example python_list`

use hpds_vec::{CPythonList, GrowVec};

fn main() {
    let mut list: GrowVec<u64, CPythonList> = GrowVec::new();
    let mut capacity = list.capacity();

    println!("append   len  capacity  slack");
    for x in 0..200 {
        list.push(x);
        // A new capacity means the list was just reallocated.
        if list.capacity() != capacity {
            capacity = list.capacity();
            println!(
                "{x:>6} {:>5} {:>9} {:>6}",
                list.len(),
                capacity,
                list.slack()
            );
        }
    }
    // CPython's sequence, from the empty list: 0, 4, 8, 16, 24, 32, 40, 52, 64, 76, ...
    assert_eq!(
        hpds_vec::capacity_sequence(&CPythonList, 80, 8)[..10],
        [0, 4, 8, 16, 24, 32, 40, 52, 64, 76]
    );

    let stats = list.stats();
    println!(
        "200 appends: {} reallocations, {} of {} resizes in place, {} bytes copied",
        stats.reallocations,
        stats.in_place,
        stats.resizes(),
        stats.bytes_copied
    );

    // Like CPython, the list gives memory back once it falls below half full.
    while list.len() > 20 {
        list.pop();
    }
    println!(
        "after popping down to {}: capacity {} ({} shrinks)",
        list.len(),
        list.capacity(),
        list.stats().shrinks
    );
    assert!(list.capacity() < 2 * list.len() + 16);

    // Freeze it into a tuple-like boxed slice: no headroom at all.
    let frozen: Box<[u64]> = list.into_boxed_slice();
    println!("frozen: {} elements, no slack", frozen.len());
}
