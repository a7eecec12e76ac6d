//! Builds vectors of `n` `u64`s by `push` in batches that are kept alive until the batch ends
//! (criterion's `iter_with_large_drop` pattern), for one contestant, and prints the time per
//! push (batches only, not their frees) and the page faults of the whole run. Run the
//! contestants one after another to compare their faults:
//!
//! ```text
//! cargo run --release -p hpds-benches --bin vec_batch_faults -- vec 1000 1000
//! cargo run --release -p hpds-benches --bin vec_batch_faults -- cpython 1000 1000
//! GLIBC_TUNABLES=glibc.malloc.trim_threshold=4000000000 \
//!   cargo run --release -p hpds-benches --bin vec_batch_faults -- cpython 1000 1000
//! ```
//!
//! Arguments: `vec` | `doubling` | `cpython`, `n` (default 1000), vectors per batch (default
//! 1000). About 400 million pushes in all. With glibc, freeing a batch of `CPythonList`-built
//! vectors lets the allocator trim the heap top back to the kernel, and the next batch faults it
//! in again; docs/vec.md has the figures.

use std::hint::black_box;
use std::time::{Duration, Instant};

use hpds_benches::push::{minor_faults, push_growvec, push_vec};
use hpds_vec::{CPythonList, Doubling};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map_or("cpython", String::as_str);
    let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let batch: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let build: fn(usize) -> Vec<u64> = match which {
        "vec" => push_vec::<0>,
        "doubling" => |n| push_growvec(Doubling, n).into(),
        _ => |n| push_growvec(CPythonList, n).into(),
    };
    let total = (400_000_000 / n.max(1)).max(batch);
    let faults = minor_faults();
    let mut timed = Duration::ZERO;
    let mut built = 0;
    while built < total {
        let mut kept = Vec::with_capacity(batch);
        let t = Instant::now();
        for _ in 0..batch {
            kept.push(build(black_box(n)));
        }
        timed += t.elapsed();
        drop(kept);
        built += batch;
    }
    println!(
        "{which}: n = {n}, batches of {batch}: {:.3} ns per push, {} page faults",
        timed.as_nanos() as f64 / (built * n) as f64,
        minor_faults() - faults
    );
}
