//! Owning and draining iterators of [`GrowVec`].

use core::fmt;
use core::iter::FusedIterator;
use core::ptr;

use crate::growth::Growth;
use crate::raw::RawBuf;
use crate::vec::GrowVec;

/// An owning iterator over a [`GrowVec`]'s elements, from `into_iter()`.
///
/// Elements not consumed are dropped with the iterator, then the buffer is freed.
pub struct IntoIter<T> {
    // Slots `start..end` are initialized and owned by the iterator.
    buf: RawBuf<T>,
    start: usize,
    end: usize,
}

impl<T> IntoIter<T> {
    pub(crate) fn new(buf: RawBuf<T>, len: usize) -> Self {
        Self {
            buf,
            start: 0,
            end: len,
        }
    }

    /// The elements not yet yielded.
    pub fn as_slice(&self) -> &[T] {
        // SAFETY: slots `start..end` are initialized and owned by the iterator.
        unsafe {
            core::slice::from_raw_parts(self.buf.ptr().add(self.start), self.end - self.start)
        }
    }

    /// The elements not yet yielded, mutably.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as `as_slice`, unique through `&mut self`.
        unsafe {
            core::slice::from_raw_parts_mut(self.buf.ptr().add(self.start), self.end - self.start)
        }
    }
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        if self.start == self.end {
            return None;
        }
        // SAFETY: `start < end`: the slot is initialized and, with `start` advanced, read once.
        let x = unsafe { self.buf.ptr().add(self.start).read() };
        self.start += 1;
        Some(x)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.start;
        (n, Some(n))
    }
}

impl<T> DoubleEndedIterator for IntoIter<T> {
    #[inline]
    fn next_back(&mut self) -> Option<T> {
        if self.start == self.end {
            return None;
        }
        self.end -= 1;
        // SAFETY: slot `end` was initialized and is now outside `start..end`, so read once.
        Some(unsafe { self.buf.ptr().add(self.end).read() })
    }
}

impl<T> ExactSizeIterator for IntoIter<T> {}
impl<T> FusedIterator for IntoIter<T> {}

impl<T: fmt::Debug> fmt::Debug for IntoIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IntoIter").field(&self.as_slice()).finish()
    }
}

impl<T: Clone> Clone for IntoIter<T> {
    fn clone(&self) -> Self {
        let v: GrowVec<T> = GrowVec::from(self.as_slice());
        v.into_iter()
    }
}

impl<T> Drop for IntoIter<T> {
    fn drop(&mut self) {
        let remaining = ptr::slice_from_raw_parts_mut(
            // SAFETY: `start <= end <= capacity`, in bounds of the allocation.
            unsafe { self.buf.ptr().add(self.start) },
            self.end - self.start,
        );
        self.start = self.end;
        // SAFETY: the slots were initialized and not yielded; `start = end` above means they
        // are never touched again. `buf` frees the block afterwards, even if a destructor
        // panics (fields are dropped during unwinding too).
        unsafe { ptr::drop_in_place(remaining) };
    }
}

/// A draining iterator for [`GrowVec::drain`].
///
/// While it lives the vector's length is the start of the range; when it is dropped, the
/// elements not yielded are dropped and the tail is moved down to close the gap.
pub struct Drain<'a, T, G: Growth> {
    vec: &'a mut GrowVec<T, G>,
    // Slots `next..end` are initialized, owned by the drain and not yet yielded.
    next: usize,
    end: usize,
    // Slots `tail_start..tail_start + tail_len` are the vector's tail, to be moved down.
    tail_start: usize,
    tail_len: usize,
}

impl<'a, T, G: Growth> Drain<'a, T, G> {
    /// `vec.len()` must already be `start`; `start..end` and the tail after `end` initialized.
    pub(crate) fn new(
        vec: &'a mut GrowVec<T, G>,
        start: usize,
        end: usize,
        tail_len: usize,
    ) -> Self {
        Self {
            vec,
            next: start,
            end,
            tail_start: end,
            tail_len,
        }
    }

    /// The elements not yet yielded.
    pub fn as_slice(&self) -> &[T] {
        // SAFETY: slots `next..end` are initialized and owned by the drain.
        unsafe {
            core::slice::from_raw_parts(self.vec.as_ptr().add(self.next), self.end - self.next)
        }
    }
}

impl<T, G: Growth> Iterator for Drain<'_, T, G> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        if self.next == self.end {
            return None;
        }
        // SAFETY: `next < end`: initialized, and read once as `next` advances.
        let x = unsafe { self.vec.as_mut_ptr().add(self.next).read() };
        self.next += 1;
        Some(x)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.next;
        (n, Some(n))
    }
}

impl<T, G: Growth> DoubleEndedIterator for Drain<'_, T, G> {
    #[inline]
    fn next_back(&mut self) -> Option<T> {
        if self.next == self.end {
            return None;
        }
        self.end -= 1;
        // SAFETY: slot `end` was initialized and is now outside `next..end`: read once.
        Some(unsafe { self.vec.as_mut_ptr().add(self.end).read() })
    }
}

impl<T, G: Growth> ExactSizeIterator for Drain<'_, T, G> {}
impl<T, G: Growth> FusedIterator for Drain<'_, T, G> {}

impl<T: fmt::Debug, G: Growth> fmt::Debug for Drain<'_, T, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Drain").field(&self.as_slice()).finish()
    }
}

impl<T, G: Growth> Drop for Drain<'_, T, G> {
    fn drop(&mut self) {
        /// Moves the tail down even if dropping the unyielded elements panics.
        struct MoveTail<'r, 'a, T, G: Growth>(&'r mut Drain<'a, T, G>);

        impl<T, G: Growth> Drop for MoveTail<'_, '_, T, G> {
            fn drop(&mut self) {
                let d = &mut *self.0;
                let start = d.vec.len();
                if d.tail_len > 0 && d.tail_start != start {
                    let base = d.vec.as_mut_ptr();
                    // SAFETY: the tail slots are initialized; the destination `start..` is
                    // below them and holds nothing live (drained); `ptr::copy` allows overlap.
                    unsafe { ptr::copy(base.add(d.tail_start), base.add(start), d.tail_len) };
                }
                // SAFETY: slots `..start + tail_len` are now initialized.
                unsafe { d.vec.set_len(start + d.tail_len) };
            }
        }

        let remaining = ptr::slice_from_raw_parts_mut(
            // SAFETY: `next <= end <= capacity`: in bounds of the allocation.
            unsafe { self.vec.as_mut_ptr().add(self.next) },
            self.end - self.next,
        );
        self.next = self.end;
        let guard = MoveTail(self);
        // SAFETY: the slots were initialized and not yielded; `next = end` means they are
        // never touched again.
        unsafe { ptr::drop_in_place(remaining) };
        drop(guard);
        self.vec.after_removal();
    }
}
