//! Accounting for the bytes a structure owns on the heap.

use alloc::{boxed::Box, string::String, vec::Vec};

/// Every byte a value owns on the heap, not counting `size_of_val(self)`.
///
/// Structures report what they allocated (capacity, not length), and containers include what
/// their elements own (a `Vec<String>` counts its buffer and every string's), so the figure
/// matches what a counting allocator measures; the memory benchmarks check that it does.
///
/// Implemented for the primitives (0 bytes), `String`, `Box<str>`, `Vec<T>`, `Box<[T]>`,
/// `Option<T>`, pairs, arrays and references (0: borrowed, not owned). Implement it for your
/// own key and value types to get `heap_bytes()` on a collection of them.
///
/// # Example
/// ```
/// use hpds_core::HeapSize;
/// let v: Vec<u64> = Vec::with_capacity(10);
/// assert_eq!(v.heap_bytes(), 80);
/// let words = vec![String::with_capacity(5), String::with_capacity(7)];
/// assert_eq!(words.heap_bytes(), 2 * std::mem::size_of::<String>() + 12);
/// ```
pub trait HeapSize {
    /// Whether no value of this type ever owns heap memory, so containers can count their
    /// buffers without visiting the elements.
    const OWNS_NOTHING: bool = false;

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

macro_rules! owns_nothing {
    ($($t:ty),* $(,)?) => {$(
        impl HeapSize for $t {
            const OWNS_NOTHING: bool = true;
            #[inline]
            fn heap_bytes(&self) -> usize {
                0
            }
        }
    )*};
}

owns_nothing!(
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
    f64,
    core::sync::atomic::AtomicU8,
    core::sync::atomic::AtomicU32,
    core::sync::atomic::AtomicU64,
);

impl<T: ?Sized> HeapSize for &T {
    const OWNS_NOTHING: bool = true;
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// The elements' own heap bytes, skipped when their type never owns any.
fn elements<T: HeapSize>(items: &[T]) -> usize {
    if T::OWNS_NOTHING {
        0
    } else {
        items.iter().map(HeapSize::heap_bytes).sum()
    }
}

/// The buffer's capacity plus every element's own heap bytes.
impl<T: HeapSize> HeapSize for Vec<T> {
    fn heap_bytes(&self) -> usize {
        self.capacity() * core::mem::size_of::<T>() + elements(self)
    }
}

impl<T: HeapSize> HeapSize for Box<[T]> {
    fn heap_bytes(&self) -> usize {
        core::mem::size_of_val::<[T]>(self) + elements(self)
    }
}

impl<T: HeapSize> HeapSize for Box<T> {
    fn heap_bytes(&self) -> usize {
        core::mem::size_of::<T>() + T::heap_bytes(self)
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

impl<T: HeapSize> HeapSize for Option<T> {
    const OWNS_NOTHING: bool = T::OWNS_NOTHING;
    fn heap_bytes(&self) -> usize {
        self.as_ref().map_or(0, HeapSize::heap_bytes)
    }
}

impl<A: HeapSize, B: HeapSize> HeapSize for (A, B) {
    const OWNS_NOTHING: bool = A::OWNS_NOTHING && B::OWNS_NOTHING;
    fn heap_bytes(&self) -> usize {
        self.0.heap_bytes() + self.1.heap_bytes()
    }
}

impl<const N: usize, T: HeapSize> HeapSize for [T; N] {
    const OWNS_NOTHING: bool = T::OWNS_NOTHING;
    fn heap_bytes(&self) -> usize {
        elements(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn containers_count_what_their_elements_own() {
        let flat: Vec<u32> = Vec::with_capacity(4);
        assert_eq!(flat.heap_bytes(), 16);
        let nested = vec![vec![1u8; 3], Vec::with_capacity(5)];
        assert_eq!(
            nested.heap_bytes(),
            2 * core::mem::size_of::<Vec<u8>>() + 3 + 5
        );
        let boxed: Box<[String]> = vec![String::from("abc")].into_boxed_slice();
        assert_eq!(boxed.heap_bytes(), core::mem::size_of::<String>() + 3);
        assert_eq!(Some(String::from("ab")).heap_bytes(), 2);
        assert_eq!((String::from("a"), 5u8).heap_bytes(), 1);
        assert_eq!([String::from("xy"), String::new()].heap_bytes(), 2);
        assert_eq!(
            <&String as HeapSize>::heap_bytes(&&String::from("borrowed")),
            0
        );
        assert_eq!(
            Box::new(String::from("abcd")).heap_bytes(),
            core::mem::size_of::<String>() + 4
        );
    }
}
