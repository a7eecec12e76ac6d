//! Accounting for the bytes a structure owns on the heap.

use alloc::{boxed::Box, string::String, vec::Vec};

/// Bytes a value owns on the heap, not counting `size_of_val(self)`.
///
/// Structures report what they allocated (capacity, not length), so the figure matches what a
/// counting allocator measures; the memory benchmarks check that it does.
///
/// # Example
/// ```
/// use hpds_core::HeapSize;
/// let v: Vec<u64> = Vec::with_capacity(10);
/// assert_eq!(v.heap_bytes(), 80);
/// ```
pub trait HeapSize {
    /// Bytes owned on the heap.
    fn heap_bytes(&self) -> usize;

    /// Bytes on the heap plus the inline size of the value itself.
    fn total_bytes(&self) -> usize
    where
        Self: Sized,
    {
        core::mem::size_of::<Self>() + self.heap_bytes()
    }
}

/// `Vec<T>` counts its capacity; the elements' own heap bytes are not included (use
/// [`heap_bytes_deep`] for `Vec<String>` and the like).
impl<T> HeapSize for Vec<T> {
    fn heap_bytes(&self) -> usize {
        self.capacity() * core::mem::size_of::<T>()
    }
}

impl<T> HeapSize for Box<[T]> {
    fn heap_bytes(&self) -> usize {
        self.len() * core::mem::size_of::<T>()
    }
}

impl HeapSize for String {
    fn heap_bytes(&self) -> usize {
        self.capacity()
    }
}

impl HeapSize for Box<str> {
    fn heap_bytes(&self) -> usize {
        self.len()
    }
}

/// A slice's buffer plus every element's own heap bytes.
pub fn heap_bytes_deep<T: HeapSize>(items: &Vec<T>) -> usize {
    items.heap_bytes() + items.iter().map(HeapSize::heap_bytes).sum::<usize>()
}
