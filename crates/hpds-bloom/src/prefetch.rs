//! Software prefetch (`unsafe` code, like the classic filter's unchecked word reads).
//!
//! The batched operations (`insert_many`, `contains_many`, `count_contained`) hash items a few
//! positions ahead of the one they apply and ask the processor to start loading those items'
//! cache lines; the scalable filter's insert asks for its newest sub-filter's block before it
//! tests the older ones. A prefetch instruction retires at once, unlike an ordinary load, which holds a
//! reorder-buffer entry until its miss returns: many more misses overlap (`docs/bloom.md`,
//! *Batched operations*).
#![allow(unsafe_code)]

/// Asks the processor to bring the cache line holding `*p` into the L1 cache. A hint only: no
/// effect on the program's results, and a no-op off x86-64 and under Miri. `p` is never
/// dereferenced, so any address is fine (a reference coerces).
#[inline(always)]
pub(crate) fn prefetch<T>(p: *const T) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse", not(miri)))]
    // SAFETY: `_mm_prefetch` is a safe function that requires the `sse` target feature, which
    // this cfg guarantees is enabled (it is part of the x86-64 baseline). The instruction only
    // hints the cache and cannot fault whatever the address.
    unsafe {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>());
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse", not(miri))))]
    let _ = p;
}
