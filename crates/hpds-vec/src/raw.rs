//! The unsafe storage under [`GrowVec`](crate::GrowVec): an owned, possibly uninitialized buffer.
//!
//! `RawBuf<T>` owns `cap` slots of `T` allocated from the global allocator with
//! `Layout::array::<T>(cap)` — the same layout `Vec<T>` uses, so buffers can be handed to and
//! taken from `Vec` without copying. It knows nothing of which slots are initialized: the vector
//! above it tracks `len` and drops elements; `RawBuf` only allocates, resizes (with `realloc`, so
//! the allocator may grow the block in place) and frees.
//!
//! Zero-sized types never allocate: their capacity is `usize::MAX` and the pointer dangles.

use core::marker::PhantomData;
use core::mem;
use core::ptr::NonNull;
use std::alloc::{self, Layout};

/// Why a resize failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResizeError {
    /// The requested capacity does not fit in `isize::MAX` bytes.
    CapacityOverflow,
    /// The allocator returned null for this layout.
    AllocError(Layout),
}

/// What a successful resize did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resized {
    /// A fresh block was allocated (the buffer had none).
    Allocated,
    /// An existing block was resized and kept its address.
    InPlace,
    /// An existing block was resized to a new address: the allocator copied the bytes.
    Moved,
    /// The block was freed (new capacity 0).
    Freed,
    /// Nothing changed (same capacity, or a zero-sized type).
    Unchanged,
}

/// An owned buffer of `cap` possibly-uninitialized `T`s.
///
/// Invariants: `cap == usize::MAX` and `ptr` dangling for zero-sized `T`; otherwise `cap == 0`
/// and `ptr` dangling, or `ptr` was returned by the global allocator for
/// `Layout::array::<T>(cap)` and is owned by this value.
pub(crate) struct RawBuf<T> {
    ptr: NonNull<T>,
    cap: usize,
    _owns: PhantomData<T>,
}

// SAFETY: `RawBuf<T>` owns its `T`s like `Box<[T]>` does; sending or sharing it is as safe as
// sending or sharing the `T`s.
unsafe impl<T: Send> Send for RawBuf<T> {}
// SAFETY: as above; `&RawBuf<T>` only hands out raw pointers.
unsafe impl<T: Sync> Sync for RawBuf<T> {}

impl<T> RawBuf<T> {
    pub(crate) const IS_ZST: bool = mem::size_of::<T>() == 0;

    /// An empty buffer; never allocates.
    pub(crate) const fn new() -> Self {
        Self {
            ptr: NonNull::dangling(),
            cap: if Self::IS_ZST { usize::MAX } else { 0 },
            _owns: PhantomData,
        }
    }

    /// Slots owned.
    #[inline(always)]
    pub(crate) const fn capacity(&self) -> usize {
        self.cap
    }

    /// The start of the buffer; dangling (but aligned and non-null) when nothing is allocated.
    #[inline(always)]
    pub(crate) const fn ptr(&self) -> *mut T {
        self.ptr.as_ptr()
    }

    fn layout(cap: usize) -> Result<Layout, ResizeError> {
        Layout::array::<T>(cap).map_err(|_| ResizeError::CapacityOverflow)
    }

    /// Resizes the allocation to exactly `new_cap` slots, keeping the first
    /// `min(cap, new_cap)` slots' bytes. On error the buffer is unchanged.
    ///
    /// This is safe because `RawBuf` never reads its slots: slots beyond a shrunk capacity are
    /// forgotten, not dropped. The vector above never shrinks below its length.
    pub(crate) fn resize(&mut self, new_cap: usize) -> Result<Resized, ResizeError> {
        if Self::IS_ZST || new_cap == self.cap {
            return Ok(Resized::Unchanged);
        }
        if new_cap == 0 {
            // SAFETY: `cap != 0` (it differs from `new_cap`) and `T` is not zero-sized, so by
            // the invariant `ptr` was allocated with `Layout::array::<T>(cap)`, which is valid
            // because it was valid when allocated.
            unsafe {
                alloc::dealloc(
                    self.ptr.as_ptr().cast(),
                    Layout::array::<T>(self.cap).unwrap_unchecked(),
                );
            }
            self.ptr = NonNull::dangling();
            self.cap = 0;
            return Ok(Resized::Freed);
        }
        let new_layout = Self::layout(new_cap)?;
        let (raw, outcome) = if self.cap == 0 {
            // SAFETY: `new_layout` has non-zero size (`new_cap > 0`, `T` not zero-sized).
            (unsafe { alloc::alloc(new_layout) }, Resized::Allocated)
        } else {
            let old = self.ptr.as_ptr().cast::<u8>();
            // SAFETY: `old` was allocated by the global allocator with
            // `Layout::array::<T>(self.cap)` (invariant; that layout is valid since it was used),
            // `new_layout.size()` is non-zero and, being a valid `Layout` size with the same
            // alignment, does not overflow `isize` when rounded up to the alignment.
            let raw = unsafe {
                alloc::realloc(
                    old,
                    Layout::array::<T>(self.cap).unwrap_unchecked(),
                    new_layout.size(),
                )
            };
            let outcome = if raw == old {
                Resized::InPlace
            } else {
                Resized::Moved
            };
            (raw, outcome)
        };
        let Some(ptr) = NonNull::new(raw.cast::<T>()) else {
            // realloc failure leaves the old block untouched, so the invariant still holds.
            return Err(ResizeError::AllocError(new_layout));
        };
        self.ptr = ptr;
        self.cap = new_cap;
        Ok(outcome)
    }

    /// Gives up ownership: the caller frees the block (e.g. through `Vec` or `Box<[T]>`).
    pub(crate) fn into_raw_parts(self) -> (NonNull<T>, usize) {
        let this = mem::ManuallyDrop::new(self);
        (this.ptr, this.cap)
    }

    /// Takes ownership of a block.
    ///
    /// # Safety
    /// - If `T` is zero-sized, `ptr` is any non-null aligned pointer (`cap` is ignored).
    /// - Otherwise either `cap == 0` (and `ptr` is not freed by this buffer), or `ptr` was
    ///   allocated by the global allocator with `Layout::array::<T>(cap)`, is not owned by
    ///   anything else, and will be freed only by this buffer.
    pub(crate) unsafe fn from_raw_parts(ptr: NonNull<T>, cap: usize) -> Self {
        if Self::IS_ZST {
            return Self::new();
        }
        Self {
            ptr: if cap == 0 { NonNull::dangling() } else { ptr },
            cap,
            _owns: PhantomData,
        }
    }
}

impl<T> Drop for RawBuf<T> {
    fn drop(&mut self) {
        if !Self::IS_ZST && self.cap != 0 {
            // SAFETY: by the invariant, a non-zero capacity of a non-zero-sized `T` means `ptr`
            // was allocated with `Layout::array::<T>(cap)`, a valid layout, and is owned here.
            unsafe {
                alloc::dealloc(
                    self.ptr.as_ptr().cast(),
                    Layout::array::<T>(self.cap).unwrap_unchecked(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resize_round_trip() {
        let mut b = RawBuf::<u64>::new();
        assert_eq!(b.capacity(), 0);
        assert_eq!(b.resize(0), Ok(Resized::Unchanged));
        assert_eq!(b.resize(4), Ok(Resized::Allocated));
        // SAFETY: 4 slots are allocated.
        unsafe {
            for i in 0..4 {
                b.ptr().add(i).write(i as u64 * 10);
            }
        }
        let r = b.resize(1000).unwrap();
        assert!(matches!(r, Resized::InPlace | Resized::Moved));
        // SAFETY: realloc kept the first 4 initialized slots.
        unsafe {
            for i in 0..4 {
                assert_eq!(b.ptr().add(i).read(), i as u64 * 10);
            }
        }
        assert!(matches!(
            b.resize(2).unwrap(),
            Resized::InPlace | Resized::Moved
        ));
        assert_eq!(b.resize(0), Ok(Resized::Freed));
        assert_eq!(b.capacity(), 0);
    }

    #[test]
    fn overflow_is_an_error() {
        let mut b = RawBuf::<u64>::new();
        assert_eq!(b.resize(usize::MAX / 4), Err(ResizeError::CapacityOverflow));
        assert_eq!(b.capacity(), 0);
    }

    #[test]
    fn zst_never_allocates() {
        let mut b = RawBuf::<()>::new();
        assert_eq!(b.resize(10), Ok(Resized::Unchanged));
        assert_eq!(b.capacity(), usize::MAX);
        assert_eq!(b.resize(0), Ok(Resized::Unchanged));
        assert_eq!(b.capacity(), usize::MAX);
    }
}
