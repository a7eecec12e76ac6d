//! What a vector's allocations cost: counts and bytes, kept as it grows.

/// Allocation history of one [`GrowVec`](crate::GrowVec), from [`GrowVec::stats`](crate::GrowVec::stats).
///
/// Every change of capacity is one *reallocation* (the first allocation included). When an
/// existing block is resized, `realloc` either grows or shrinks it where it stands
/// (*in place*: no bytes move) or allocates a new block, copies, and frees the old one
/// (*moved*). `bytes_copied` counts the live bytes (`len × size_of::<T>()`) every resize of an
/// existing block had to preserve — what a vector without `realloc` would copy — and
/// `bytes_moved` the part of them the allocator really had to move because the address changed.
///
/// On Linux with glibc, blocks above the mmap threshold (128 KiB by default) are resized with
/// `mremap`, which may change the address by remapping pages rather than copying them, so
/// `bytes_moved` is an upper bound on the bytes physically copied for large vectors.
///
/// Clones, and vectors converted from a `Vec`, start with fresh statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct GrowthStats {
    /// Changes of capacity, counting the first allocation and any shrink.
    pub reallocations: u64,
    /// Resizes of an existing block that kept its address.
    pub in_place: u64,
    /// Resizes of an existing block that moved it to a new address.
    pub moved: u64,
    /// Reallocations that lowered the capacity (policy shrinks and `shrink_to_fit`).
    pub shrinks: u64,
    /// Live bytes preserved across resizes of an existing block (`len × size_of::<T>()` each).
    pub bytes_copied: u64,
    /// The part of `bytes_copied` whose address changed (copied by the allocator).
    pub bytes_moved: u64,
    /// The largest capacity held, in elements.
    pub peak_capacity: usize,
}

impl GrowthStats {
    /// Resizes of an existing block: `in_place + moved`.
    pub const fn resizes(&self) -> u64 {
        self.in_place + self.moved
    }
}
