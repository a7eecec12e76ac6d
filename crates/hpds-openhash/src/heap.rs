//! [`OwnedHeap`]: what an element owns on the heap, for deep [`HeapSize`](hpds_core::HeapSize).

use std::boxed::Box;
use std::string::String;
use std::vec::Vec;

/// Heap bytes a key or value owns (a `String`'s buffer), counted by the collections'
/// [`HeapSize`](hpds_core::HeapSize) implementations on top of their own tables.
///
/// Implemented for the primitives (0 bytes), `String`, `Box<str>`, `Vec<T>`, `Box<[T]>`,
/// `Option<T>`, references (0: borrowed, not owned) and pairs. Implement it for your own key
/// types to get `heap_bytes()` on a map of them.
///
/// (It would belong in `hpds-core` as `HeapSize` impls for the primitives; until then it lives
/// here.)
pub trait OwnedHeap {
    /// Heap bytes owned by this value, not counting `size_of_val(self)`.
    fn owned_heap_bytes(&self) -> usize;
}

macro_rules! zero_heap {
    ($($t:ty),*) => {$(
        impl OwnedHeap for $t {
            #[inline]
            fn owned_heap_bytes(&self) -> usize { 0 }
        }
    )*};
}

zero_heap!(
    (),
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64
);

impl<T: ?Sized> OwnedHeap for &T {
    fn owned_heap_bytes(&self) -> usize {
        0
    }
}

impl OwnedHeap for String {
    fn owned_heap_bytes(&self) -> usize {
        self.capacity()
    }
}

impl OwnedHeap for Box<str> {
    fn owned_heap_bytes(&self) -> usize {
        self.len()
    }
}

impl<T: OwnedHeap> OwnedHeap for Vec<T> {
    fn owned_heap_bytes(&self) -> usize {
        self.capacity() * core::mem::size_of::<T>()
            + self.iter().map(OwnedHeap::owned_heap_bytes).sum::<usize>()
    }
}

impl<T: OwnedHeap> OwnedHeap for Box<[T]> {
    fn owned_heap_bytes(&self) -> usize {
        core::mem::size_of_val::<[T]>(self)
            + self.iter().map(OwnedHeap::owned_heap_bytes).sum::<usize>()
    }
}

impl<T: OwnedHeap> OwnedHeap for Option<T> {
    fn owned_heap_bytes(&self) -> usize {
        self.as_ref().map_or(0, OwnedHeap::owned_heap_bytes)
    }
}

impl<A: OwnedHeap, B: OwnedHeap> OwnedHeap for (A, B) {
    fn owned_heap_bytes(&self) -> usize {
        self.0.owned_heap_bytes() + self.1.owned_heap_bytes()
    }
}

impl<const N: usize, T: OwnedHeap> OwnedHeap for [T; N] {
    fn owned_heap_bytes(&self) -> usize {
        self.iter().map(OwnedHeap::owned_heap_bytes).sum()
    }
}
