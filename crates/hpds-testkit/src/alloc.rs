//! A global allocator that counts, for memory benchmarks and the CLI's byte figures.
//!
//! Install it in a binary, bench or test target:
//!
//! ```
//! use hpds_testkit::CountingAllocator;
//! #[global_allocator]
//! static ALLOC: CountingAllocator = CountingAllocator;
//!
//! let (v, delta) = hpds_testkit::alloc::measure(|| vec![0u64; 1000]);
//! assert_eq!(delta.retained, 8000);
//! # drop(v);
//! ```
//!
//! Counters are process-wide; measure in a single thread (or a test binary with one test) for
//! exact figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering::Relaxed};

static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

/// Wraps the system allocator and counts current bytes, peak bytes and allocations.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAllocator;

fn add(bytes: isize) {
    let now = CURRENT.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// `GlobalAlloc` contract is upheld by `System`; the counters are only bookkeeping.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout, which meets `alloc`'s preconditions.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            ALLOCATIONS.fetch_add(1, Relaxed);
            add(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            ALLOCATIONS.fetch_add(1, Relaxed);
            add(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator (so by `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        add(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller guarantees `realloc`'s preconditions.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            ALLOCATIONS.fetch_add(1, Relaxed);
            add(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// A snapshot of the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocStats {
    /// Bytes allocated and not yet freed.
    pub current: isize,
    /// Highest `current` since start or the last [`reset_peak`].
    pub peak: isize,
    /// Allocations (and reallocations) so far.
    pub allocations: usize,
}

/// The counters now. All zero unless [`CountingAllocator`] is the global allocator.
pub fn stats() -> AllocStats {
    AllocStats {
        current: CURRENT.load(Relaxed),
        peak: PEAK.load(Relaxed),
        allocations: ALLOCATIONS.load(Relaxed),
    }
}

/// Sets the peak to the current figure, to measure the peak of what follows.
pub fn reset_peak() {
    PEAK.store(CURRENT.load(Relaxed), Relaxed);
}

/// What a measured closure did to the heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocDelta {
    /// Bytes still held after it returned (what its result owns, if it frees its temporaries).
    pub retained: isize,
    /// The most it held at once, above the starting figure.
    pub peak: isize,
    /// Allocations it made.
    pub allocations: usize,
}

/// Runs `f` and reports its effect on the heap.
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, AllocDelta) {
    let before = stats();
    reset_peak();
    let result = f();
    let after = stats();
    (
        result,
        AllocDelta {
            retained: after.current - before.current,
            peak: after.peak - before.current,
            allocations: after.allocations - before.allocations,
        },
    )
}
