//! [`GrowVec`]: a contiguous growable array whose growth policy is a type parameter.

use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::mem::{self, ManuallyDrop};
use core::ops::{Bound, Deref, DerefMut, RangeBounds};
use core::ptr::{self, NonNull};

use hpds_core::{Error, HeapSize, Result};

use crate::growth::{Doubling, Growth};
use crate::iter::{Drain, IntoIter};
use crate::raw::{RawBuf, ResizeError, Resized};
use crate::stats::GrowthStats;

/// A contiguous growable array, like `Vec<T>`, whose growth policy `G` is chosen by the user
/// and whose reallocations are counted.
///
/// The API follows `Vec`: `push`/`pop` are amortized O(1) for every policy except
/// [`Exact`](crate::Exact); indexing, slicing and iteration go through `Deref<Target = [T]>`.
/// The buffer is grown with `realloc`, so the allocator may extend it in place; [`stats`]
/// says how often it did. A `GrowVec` is 24 bytes plus the policy (0 bytes for the built-in
/// zero-sized ones, 8 for [`Factor`](crate::Factor)) plus 56 bytes of [`GrowthStats`].
///
/// [`stats`]: GrowVec::stats
///
/// # Example
/// ```
/// use hpds_vec::{CPythonList, GrowVec};
///
/// let mut list: GrowVec<u32, CPythonList> = GrowVec::new();
/// for i in 0..17 {
///     list.push(i);
/// }
/// assert_eq!(list.capacity(), 24); // CPython: 0, 4, 8, 16, 24, …
/// assert_eq!(list.stats().reallocations, 4);
/// assert!(list.slack() <= list.len() / 8 + 6);
/// while list.len() > 5 {
///     list.pop();
/// }
/// assert_eq!(list.capacity(), 8); // shrinks like a Python list does
/// assert_eq!(&list[..], &[0, 1, 2, 3, 4]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct GrowVec<T, G: Growth = Doubling> {
    buf: RawBuf<T>,
    len: usize,
    policy: G,
    stats: GrowthStats,
}

/// How a failed growth is reported by the infallible methods: like `Vec`.
#[cold]
#[inline(never)]
fn fail(e: ResizeError) -> ! {
    match e {
        ResizeError::CapacityOverflow => panic!("capacity overflow"),
        ResizeError::AllocError(layout) => std::alloc::handle_alloc_error(layout),
    }
}

fn to_error(e: ResizeError) -> Error {
    match e {
        ResizeError::CapacityOverflow => Error::capacity_overflow("GrowVec capacity"),
        ResizeError::AllocError(_) => {
            Error::capacity_overflow("GrowVec allocation (the allocator returned null)")
        }
    }
}

/// Writes a local length back to the vector on drop, so a panicking `clone` or iterator leaves
/// the elements written so far owned by the vector (std's `SetLenOnDrop`).
struct SetLenOnDrop<'a> {
    len: &'a mut usize,
    local: usize,
}

impl Drop for SetLenOnDrop<'_> {
    #[inline]
    fn drop(&mut self) {
        *self.len = self.local;
    }
}

impl<T, G: Growth + Default> GrowVec<T, G> {
    /// An empty vector; does not allocate.
    ///
    /// # Example
    /// ```
    /// use hpds_vec::GrowVec;
    /// let v: GrowVec<u8> = GrowVec::new();
    /// assert_eq!(v.capacity(), 0);
    /// ```
    pub fn new() -> Self {
        Self::with_policy(G::default())
    }

    /// An empty vector with room for exactly `capacity` elements (the policy is not consulted).
    ///
    /// # Panics
    /// If the capacity overflows `isize::MAX` bytes; aborts if the allocator fails. See
    /// [`try_with_capacity_and_policy`](Self::try_with_capacity_and_policy) for a `Result`.
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_policy(capacity, G::default())
    }
}

impl<T, G: Growth> GrowVec<T, G> {
    /// An empty vector growing by `policy`; does not allocate.
    pub const fn with_policy(policy: G) -> Self {
        Self {
            buf: RawBuf::new(),
            len: 0,
            policy,
            stats: GrowthStats {
                reallocations: 0,
                in_place: 0,
                moved: 0,
                shrinks: 0,
                bytes_copied: 0,
                bytes_moved: 0,
                peak_capacity: 0,
            },
        }
    }

    /// An empty vector with room for exactly `capacity` elements, growing by `policy`.
    ///
    /// # Panics
    /// As [`with_capacity`](Self::with_capacity).
    pub fn with_capacity_and_policy(capacity: usize, policy: G) -> Self {
        let mut v = Self::with_policy(policy);
        if let Err(e) = v.reserve_inner(capacity, true) {
            fail(e);
        }
        v
    }

    /// An empty vector with room for exactly `capacity` elements, or an error.
    ///
    /// # Example
    /// ```
    /// use hpds_vec::{Doubling, GrowVec};
    /// assert!(GrowVec::<u64, _>::try_with_capacity_and_policy(usize::MAX, Doubling).is_err());
    /// let v = GrowVec::<u64, _>::try_with_capacity_and_policy(10, Doubling)?;
    /// assert_eq!(v.capacity(), 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`hpds_core::ErrorKind::CapacityOverflow`] if `capacity` elements exceed `isize::MAX`
    /// bytes or the allocator fails.
    pub fn try_with_capacity_and_policy(capacity: usize, policy: G) -> Result<Self> {
        let mut v = Self::with_policy(policy);
        v.reserve_inner(capacity, true).map_err(to_error)?;
        Ok(v)
    }

    /// Elements stored.
    #[inline]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no elements.
    #[inline]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Elements the buffer can hold without reallocating (`usize::MAX` for zero-sized types).
    #[inline]
    pub const fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Allocated but unused slots: `capacity - len` (0 for zero-sized types, which use no memory).
    #[inline]
    pub const fn slack(&self) -> usize {
        if RawBuf::<T>::IS_ZST {
            0
        } else {
            self.buf.capacity() - self.len
        }
    }

    /// Allocated but unused bytes: `slack() × size_of::<T>()`.
    #[inline]
    pub const fn slack_bytes(&self) -> usize {
        self.slack() * mem::size_of::<T>()
    }

    /// The growth policy.
    pub const fn policy(&self) -> &G {
        &self.policy
    }

    /// The allocation history: reallocations, bytes copied and moved, in place or not.
    ///
    /// # Example
    /// ```
    /// use hpds_vec::{Exact, GrowVec};
    /// let mut v: GrowVec<u64, Exact> = GrowVec::new();
    /// v.extend_from_slice(&[1, 2, 3]); // one reallocation to exactly 3
    /// v.push(4); // and one per push after that
    /// let s = v.stats();
    /// assert_eq!(s.reallocations, 2);
    /// assert_eq!(s.bytes_copied, 3 * 8);
    /// assert_eq!(s.in_place + s.moved, 1);
    /// ```
    pub const fn stats(&self) -> &GrowthStats {
        &self.stats
    }

    /// Forgets the allocation history (the vector is unchanged).
    pub fn reset_stats(&mut self) {
        self.stats = GrowthStats {
            peak_capacity: self.capacity_for_stats(),
            ..GrowthStats::default()
        };
    }

    /// Capacity in elements that occupy memory: `capacity()`, but 0 for zero-sized types.
    pub(crate) const fn capacity_or_zero(&self) -> usize {
        self.capacity_for_stats()
    }

    const fn capacity_for_stats(&self) -> usize {
        if RawBuf::<T>::IS_ZST {
            0
        } else {
            self.buf.capacity()
        }
    }

    /// The elements as a slice.
    #[inline]
    pub const fn as_slice(&self) -> &[T] {
        // SAFETY: the first `len` slots are initialized and the pointer is non-null and aligned
        // (dangling only when `len == 0` or for zero-sized `T`, both fine for slices).
        unsafe { core::slice::from_raw_parts(self.buf.ptr(), self.len) }
    }

    /// The elements as a mutable slice.
    #[inline]
    pub const fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as `as_slice`, and `&mut self` makes the borrow unique.
        unsafe { core::slice::from_raw_parts_mut(self.buf.ptr(), self.len) }
    }

    /// A pointer to the buffer (dangling but aligned when nothing is allocated).
    #[inline]
    pub const fn as_ptr(&self) -> *const T {
        self.buf.ptr()
    }

    /// A mutable pointer to the buffer.
    #[inline]
    pub const fn as_mut_ptr(&mut self) -> *mut T {
        self.buf.ptr()
    }

    /// Resizes the buffer to exactly `new_cap` (≥ `len`) and records it.
    fn set_capacity(&mut self, new_cap: usize) -> core::result::Result<(), ResizeError> {
        debug_assert!(new_cap >= self.len);
        let old_cap = self.buf.capacity();
        let outcome = self.buf.resize(new_cap)?;
        let live = (self.len * mem::size_of::<T>()) as u64;
        let s = &mut self.stats;
        match outcome {
            Resized::Unchanged => return Ok(()),
            Resized::Allocated | Resized::Freed => {}
            Resized::InPlace => {
                s.in_place += 1;
                s.bytes_copied += live;
            }
            Resized::Moved => {
                s.moved += 1;
                s.bytes_copied += live;
                s.bytes_moved += live;
            }
        }
        s.reallocations += 1;
        if new_cap < old_cap {
            s.shrinks += 1;
        }
        s.peak_capacity = s.peak_capacity.max(new_cap);
        Ok(())
    }

    /// Makes room for `required` elements in total, by the policy (`exact = false`) or exactly.
    fn grow_to(&mut self, required: usize, exact: bool) -> core::result::Result<(), ResizeError> {
        let cap = self.buf.capacity();
        if required <= cap {
            return Ok(());
        }
        let new_cap = if exact {
            required
        } else {
            self.policy
                .grow(cap, self.len, required, mem::size_of::<T>())
                .max(required)
        };
        self.set_capacity(new_cap)
    }

    // `#[inline]` rather than `#[inline(never)]`: the compiler keeps it out of line anyway
    // (it is cold), but it is then compiled next to its caller, where the optimizer can see
    // that it does not keep a pointer to the vector. Without that, a push loop around an opaque
    // call (`black_box`, a non-inlined producer) had to keep the length in memory instead of a
    // register: one extra instruction and a store-to-load round trip per push (callgrind).
    #[cold]
    #[inline]
    fn grow_one(&mut self) {
        // For zero-sized types `len == capacity == usize::MAX` here: `checked_add` overflows.
        let required = self
            .len
            .checked_add(1)
            .unwrap_or_else(|| fail(ResizeError::CapacityOverflow));
        if let Err(e) = self.grow_to(required, false) {
            fail(e);
        }
    }

    /// Sets the length without dropping or initializing anything.
    ///
    /// # Safety
    /// - `new_len <= capacity()`.
    /// - The first `new_len` slots are initialized.
    /// - Elements beyond `new_len` that were part of the length are dropped or moved out by the
    ///   caller (otherwise they are leaked, which is safe but wasteful).
    #[inline]
    pub const unsafe fn set_len(&mut self, new_len: usize) {
        debug_assert!(new_len <= self.buf.capacity());
        self.len = new_len;
    }

    /// Gives memory back if the policy shrinks (only compiled in for such policies).
    #[inline]
    pub(crate) fn after_removal(&mut self) {
        if G::SHRINKS && !RawBuf::<T>::IS_ZST {
            self.shrink_by_policy();
        }
    }

    fn shrink_by_policy(&mut self) {
        if let Some(c) = self
            .policy
            .shrink(self.buf.capacity(), self.len, mem::size_of::<T>())
        {
            let c = c.max(self.len);
            // A failed shrink keeps the larger buffer, which is still correct.
            let _ = self.set_capacity(c);
        }
    }

    /// Appends an element, growing by the policy when full.
    ///
    /// Amortized O(1) for geometric policies; O(n) per push for [`Exact`](crate::Exact).
    ///
    /// # Panics
    /// If the new capacity overflows `isize::MAX` bytes; aborts if the allocator fails.
    #[inline]
    pub fn push(&mut self, value: T) {
        // The length is read once, as `Vec::push` does, so it need not be reloaded after growth.
        let len = self.len;
        if len == self.buf.capacity() {
            self.grow_one();
        }
        // SAFETY: `len < capacity` now, so slot `len` is allocated and uninitialized.
        unsafe { self.buf.ptr().add(len).write(value) };
        self.len = len + 1;
    }

    /// Removes and returns the last element, or `None` if empty. May shrink the buffer if the
    /// policy says so ([`CPythonList`](crate::CPythonList) does).
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        // SAFETY: slot `len` was initialized and is now outside the length, so it is read
        // exactly once.
        let value = unsafe { self.buf.ptr().add(self.len).read() };
        self.after_removal();
        Some(value)
    }

    /// Inserts `value` at `index`, shifting the elements after it right. O(len - index).
    ///
    /// # Panics
    /// If `index > len`.
    pub fn insert(&mut self, index: usize, value: T) {
        let len = self.len;
        assert!(
            index <= len,
            "insertion index (is {index}) should be <= len (is {len})"
        );
        if len == self.buf.capacity() {
            self.grow_one();
        }
        // SAFETY: `len < capacity`, so slots `index..=len` are allocated; slots `index..len`
        // are initialized and are moved one up (overlapping copy), then `index` is overwritten
        // without dropping (its old value now lives at `index + 1`).
        unsafe {
            let p = self.buf.ptr().add(index);
            ptr::copy(p, p.add(1), len - index);
            p.write(value);
        }
        self.len = len + 1;
    }

    /// Removes and returns the element at `index`, shifting the elements after it left.
    /// O(len - index). May shrink the buffer if the policy says so.
    ///
    /// # Panics
    /// If `index >= len`.
    pub fn remove(&mut self, index: usize) -> T {
        let len = self.len;
        assert!(
            index < len,
            "removal index (is {index}) should be < len (is {len})"
        );
        // SAFETY: `index < len`: the slot is initialized and read once; the initialized slots
        // after it are moved down by one, and the length is lowered so the last slot (now a
        // duplicate) is outside it.
        let value = unsafe {
            let p = self.buf.ptr().add(index);
            let value = p.read();
            ptr::copy(p.add(1), p, len - index - 1);
            value
        };
        self.len = len - 1;
        self.after_removal();
        value
    }

    /// Removes and returns the element at `index`, replacing it with the last element. O(1).
    ///
    /// # Panics
    /// If `index >= len`.
    pub fn swap_remove(&mut self, index: usize) -> T {
        let len = self.len;
        assert!(
            index < len,
            "swap_remove index (is {index}) should be < len (is {len})"
        );
        // SAFETY: `index < len`, so slots `index` and `len - 1` are initialized; the removed
        // value is read once, the last one moved into its place (a no-op copy when they are the
        // same slot) and the length lowered so the last slot is outside it.
        let value = unsafe {
            let base = self.buf.ptr();
            let value = base.add(index).read();
            ptr::copy(base.add(len - 1), base.add(index), 1);
            value
        };
        self.len = len - 1;
        self.after_removal();
        value
    }

    /// Keeps the first `len` elements and drops the rest (no-op if `len >= self.len()`).
    /// May shrink the buffer if the policy says so.
    ///
    /// If an element's `Drop` panics, the others are still dropped and the vector keeps the
    /// first `len`.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        let tail_len = self.len - len;
        // Lower the length first: if a destructor panics, the tail is already outside the
        // vector and cannot be dropped twice.
        self.len = len;
        // SAFETY: slots `len..len + tail_len` are initialized and now outside the length, so
        // they are dropped exactly once.
        unsafe {
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(
                self.buf.ptr().add(len),
                tail_len,
            ));
        }
        self.after_removal();
    }

    /// Drops every element. Keeps the buffer unless the policy shrinks
    /// ([`CPythonList`](crate::CPythonList) frees it, as `list.clear()` does).
    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Makes room for at least `additional` more elements, growing by the policy.
    ///
    /// # Panics
    /// If the capacity overflows `isize::MAX` bytes; aborts if the allocator fails.
    pub fn reserve(&mut self, additional: usize) {
        if let Err(e) = self.reserve_inner(additional, false) {
            fail(e);
        }
    }

    fn reserve_inner(
        &mut self,
        additional: usize,
        exact: bool,
    ) -> core::result::Result<(), ResizeError> {
        let required = self
            .len
            .checked_add(additional)
            .ok_or(ResizeError::CapacityOverflow)?;
        self.grow_to(required, exact)
    }

    /// Makes room for exactly `additional` more elements (no over-allocation by the policy).
    ///
    /// # Panics
    /// As [`reserve`](Self::reserve).
    pub fn reserve_exact(&mut self, additional: usize) {
        if let Err(e) = self.reserve_inner(additional, true) {
            fail(e);
        }
    }

    /// Makes room for at least `additional` more elements, or returns an error.
    ///
    /// # Example
    /// ```
    /// use hpds_vec::GrowVec;
    /// let mut v: GrowVec<u64> = GrowVec::new();
    /// v.try_reserve(100)?;
    /// assert!(v.capacity() >= 100);
    /// assert!(v.try_reserve(usize::MAX).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`hpds_core::ErrorKind::CapacityOverflow`] if the length would overflow, the capacity
    /// exceeds `isize::MAX` bytes, or the allocator fails. The vector is unchanged.
    pub fn try_reserve(&mut self, additional: usize) -> Result<()> {
        self.reserve_inner(additional, false).map_err(to_error)
    }

    /// Makes room for exactly `additional` more elements, or returns an error.
    ///
    /// # Errors
    /// As [`try_reserve`](Self::try_reserve).
    pub fn try_reserve_exact(&mut self, additional: usize) -> Result<()> {
        self.reserve_inner(additional, true).map_err(to_error)
    }

    /// Shrinks the buffer to exactly the length, freeing the slack.
    pub fn shrink_to_fit(&mut self) {
        self.shrink_to(0);
    }

    /// Shrinks the capacity to `max(len, min_capacity)` if it is larger.
    pub fn shrink_to(&mut self, min_capacity: usize) {
        let target = self.len.max(min_capacity);
        if target < self.buf.capacity() && !RawBuf::<T>::IS_ZST {
            // A failed shrink keeps the larger buffer, which is still correct.
            let _ = self.set_capacity(target);
        }
    }

    /// Keeps the elements for which `keep` returns `true`, in order. O(len).
    ///
    /// If `keep` or a destructor panics, every element is still either in the vector or
    /// dropped exactly once (their order may then differ).
    pub fn retain<F: FnMut(&T) -> bool>(&mut self, mut keep: F) {
        self.retain_mut(|x| keep(x));
    }

    /// [`retain`](Self::retain) with mutable access to the elements.
    pub fn retain_mut<F: FnMut(&mut T) -> bool>(&mut self, mut keep: F) {
        // Safe code only: kept elements are swapped to the front, the rest truncated away, so a
        // panic anywhere leaves a permutation of valid elements.
        let s = self.as_mut_slice();
        let mut kept = 0;
        for i in 0..s.len() {
            if keep(&mut s[i]) {
                s.swap(kept, i);
                kept += 1;
            }
        }
        self.truncate(kept);
    }

    /// Removes consecutive elements that are equal, keeping the first of each run.
    pub fn dedup(&mut self)
    where
        T: PartialEq,
    {
        let s = self.as_mut_slice();
        if s.is_empty() {
            return;
        }
        let mut kept = 1;
        for i in 1..s.len() {
            if s[i] != s[kept - 1] {
                s.swap(kept, i);
                kept += 1;
            }
        }
        self.truncate(kept);
    }

    /// Removes the elements in `range` and returns them as an iterator; the elements after the
    /// range move down when the iterator is dropped. Unconsumed elements are dropped then.
    ///
    /// If the iterator is leaked (`mem::forget`), the vector keeps only the elements before the
    /// range (the rest are leaked, never dropped twice).
    ///
    /// # Example
    /// ```
    /// use hpds_vec::GrowVec;
    /// let mut v: GrowVec<u32> = (0..10).collect();
    /// let taken: Vec<u32> = v.drain(2..5).collect();
    /// assert_eq!(taken, [2, 3, 4]);
    /// assert_eq!(v, [0, 1, 5, 6, 7, 8, 9]);
    /// ```
    ///
    /// # Panics
    /// If the range starts after it ends or ends after the length.
    pub fn drain<R: RangeBounds<usize>>(&mut self, range: R) -> Drain<'_, T, G> {
        let len = self.len;
        let start = match range.start_bound() {
            Bound::Included(&s) => s,
            Bound::Excluded(&s) => s
                .checked_add(1)
                .unwrap_or_else(|| panic!("attempted to index slice from after maximum usize")),
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(&e) => e
                .checked_add(1)
                .unwrap_or_else(|| panic!("attempted to index slice up to maximum usize")),
            Bound::Excluded(&e) => e,
            Bound::Unbounded => len,
        };
        assert!(
            start <= end,
            "slice index starts at {start} but ends at {end}"
        );
        assert!(
            end <= len,
            "range end index {end} out of range for slice of length {len}"
        );
        // Until the drain is dropped the vector owns only the prefix.
        self.len = start;
        Drain::new(self, start, end, len - end)
    }

    /// Moves all the elements of `other` to the end of `self`, leaving `other` empty.
    pub fn append<H: Growth>(&mut self, other: &mut GrowVec<T, H>) {
        let n = other.len;
        self.reserve(n);
        // SAFETY: `self` has room for `n` more; `other`'s first `n` slots are initialized and
        // are moved (bitwise) into `self`'s uninitialized tail, then `other` forgets them. The
        // two vectors are distinct (`&mut` both), so the regions do not overlap.
        unsafe {
            ptr::copy_nonoverlapping(other.buf.ptr(), self.buf.ptr().add(self.len), n);
        }
        other.len = 0;
        self.len += n;
        other.after_removal();
    }

    /// Converts into a boxed slice with no headroom — the frozen, `tuple`-like form of the
    /// vector: `len × size_of::<T>()` heap bytes, no capacity field. Reallocates (usually in
    /// place) if there is slack.
    ///
    /// # Example
    /// ```
    /// use hpds_vec::GrowVec;
    /// let mut v: GrowVec<u64> = GrowVec::new();
    /// for i in 0..5 {
    ///     v.push(i);
    /// }
    /// assert_eq!(v.capacity(), 8);
    /// let frozen: Box<[u64]> = v.into_boxed_slice();
    /// assert_eq!(&*frozen, &[0, 1, 2, 3, 4]);
    /// ```
    pub fn into_boxed_slice(mut self) -> Box<[T]> {
        if !RawBuf::<T>::IS_ZST && self.buf.capacity() > self.len {
            if let Err(e) = self.set_capacity(self.len) {
                fail(e);
            }
        }
        let (ptr, len) = self.into_raw_vec_parts();
        // SAFETY: for non-zero-sized `T` the buffer has exactly `len` slots allocated by the
        // global allocator with `Layout::array::<T>(len)` (dangling when `len == 0`), all
        // initialized: the layout `Box<[T]>` expects. For zero-sized `T` any aligned non-null
        // pointer is a valid box.
        unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(ptr.as_ptr(), len)) }
    }

    /// Converts into a `Vec<T>` without copying (same allocator and layout).
    pub fn into_vec(self) -> Vec<T> {
        let cap = self.buf.capacity();
        let (ptr, len) = self.into_raw_vec_parts();
        // SAFETY: `ptr` was allocated by the global allocator with `Layout::array::<T>(cap)`
        // (or dangles with `cap == 0`, or `T` is zero-sized, where `Vec` ignores the
        // capacity), exactly `Vec`'s layout; `len <= cap` slots are initialized; ownership is
        // transferred (the `GrowVec` was forgotten).
        unsafe { Vec::from_raw_parts(ptr.as_ptr(), len, cap) }
    }

    /// Takes the buffer out without dropping anything: `(ptr, len)`.
    fn into_raw_vec_parts(self) -> (NonNull<T>, usize) {
        let mut this = ManuallyDrop::new(self);
        let len = this.len;
        // SAFETY: `this` is never used or dropped again, so its fields are read exactly once.
        let buf = unsafe { ptr::read(&raw const this.buf) };
        // SAFETY: as above; the policy is dropped here (it owns nothing we handed out).
        unsafe { ptr::drop_in_place(&raw mut this.policy) };
        let (ptr, _) = buf.into_raw_parts();
        (ptr, len)
    }

    /// Takes a `Vec`'s buffer without copying, growing by `policy` from now on.
    pub fn from_vec_with_policy(vec: Vec<T>, policy: G) -> Self {
        let mut vec = ManuallyDrop::new(vec);
        let (ptr, len, cap) = (vec.as_mut_ptr(), vec.len(), vec.capacity());
        // SAFETY: `Vec::as_mut_ptr` is non-null (dangling when unallocated).
        let ptr = unsafe { NonNull::new_unchecked(ptr) };
        // SAFETY: `Vec<T>` allocates `Layout::array::<T>(cap)` from the global allocator (or
        // nothing when `cap == 0` or `T` is zero-sized); the `Vec` is forgotten, so the buffer
        // is owned by the new `RawBuf` alone.
        let buf = unsafe { RawBuf::from_raw_parts(ptr, cap) };
        let mut v = Self::with_policy(policy);
        v.stats.peak_capacity = if RawBuf::<T>::IS_ZST { 0 } else { cap };
        v.buf = buf;
        v.len = len;
        v
    }

    /// Appends clones of the elements of `other`.
    pub fn extend_from_slice(&mut self, other: &[T])
    where
        T: Clone,
    {
        self.reserve(other.len());
        let base = self.buf.ptr();
        let mut guard = SetLenOnDrop {
            local: self.len,
            len: &mut self.len,
        };
        for x in other {
            // SAFETY: `reserve` made room for `other.len()` elements after the length; slot
            // `guard.local` is allocated and uninitialized. The length is written back by the
            // guard even if `clone` panics, so the clones made so far are owned.
            unsafe { base.add(guard.local).write(x.clone()) };
            guard.local += 1;
        }
    }

    /// Resizes to `new_len`, appending clones of `value` or truncating.
    pub fn resize(&mut self, new_len: usize, value: T)
    where
        T: Clone,
    {
        if new_len <= self.len {
            self.truncate(new_len);
        } else {
            let n = new_len - self.len;
            self.extend(core::iter::repeat_n(value, n));
        }
    }

    fn extend_iter<I: Iterator<Item = T>>(&mut self, mut iter: I) {
        self.reserve(iter.size_hint().0);
        loop {
            // Fill the capacity we have without a capacity check per element.
            let cap = self.buf.capacity();
            let base = self.buf.ptr();
            {
                let mut guard = SetLenOnDrop {
                    local: self.len,
                    len: &mut self.len,
                };
                while guard.local < cap {
                    let Some(x) = iter.next() else { return };
                    // SAFETY: `guard.local < cap`: the slot is allocated and uninitialized; the
                    // guard writes the length back even if `next` panics.
                    unsafe { base.add(guard.local).write(x) };
                    guard.local += 1;
                }
            }
            let Some(x) = iter.next() else { return };
            self.reserve(iter.size_hint().0.saturating_add(1));
            self.push(x);
        }
    }
}

impl<T, G: Growth> Drop for GrowVec<T, G> {
    fn drop(&mut self) {
        // SAFETY: the first `len` slots are initialized and are dropped once; `buf` frees the
        // memory afterwards (also if a destructor panics: the field is still dropped).
        unsafe {
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.buf.ptr(), self.len));
        }
    }
}

impl<T, G: Growth> Deref for GrowVec<T, G> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T, G: Growth> DerefMut for GrowVec<T, G> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<T, G: Growth> AsRef<[T]> for GrowVec<T, G> {
    fn as_ref(&self) -> &[T] {
        self
    }
}

impl<T, G: Growth> AsMut<[T]> for GrowVec<T, G> {
    fn as_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T, G: Growth> core::borrow::Borrow<[T]> for GrowVec<T, G> {
    fn borrow(&self) -> &[T] {
        self
    }
}

impl<T, G: Growth> core::borrow::BorrowMut<[T]> for GrowVec<T, G> {
    fn borrow_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T, G: Growth + Default> Default for GrowVec<T, G> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: fmt::Debug, G: Growth> fmt::Debug for GrowVec<T, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl<T: Clone, G: Growth + Clone> Clone for GrowVec<T, G> {
    /// A copy with capacity equal to the length (like `Vec` and Python's `list.copy()`) and
    /// fresh statistics.
    fn clone(&self) -> Self {
        let mut v = Self::with_capacity_and_policy(self.len, self.policy.clone());
        v.extend_from_slice(self);
        v
    }
}

impl<T: Hash, G: Growth> Hash for GrowVec<T, G> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl<T, U, G: Growth, H: Growth> PartialEq<GrowVec<U, H>> for GrowVec<T, G>
where
    T: PartialEq<U>,
{
    fn eq(&self, other: &GrowVec<U, H>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq, G: Growth> Eq for GrowVec<T, G> {}

impl<T: PartialEq<U>, U, G: Growth> PartialEq<Vec<U>> for GrowVec<T, G> {
    fn eq(&self, other: &Vec<U>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: PartialEq<U>, U, G: Growth> PartialEq<[U]> for GrowVec<T, G> {
    fn eq(&self, other: &[U]) -> bool {
        self.as_slice() == other
    }
}

impl<T: PartialEq<U>, U, G: Growth> PartialEq<&[U]> for GrowVec<T, G> {
    fn eq(&self, other: &&[U]) -> bool {
        self.as_slice() == *other
    }
}

impl<T: PartialEq<U>, U, G: Growth, const N: usize> PartialEq<[U; N]> for GrowVec<T, G> {
    fn eq(&self, other: &[U; N]) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: PartialOrd, G: Growth> PartialOrd for GrowVec<T, G> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.as_slice().partial_cmp(other.as_slice())
    }
}

impl<T: Ord, G: Growth> Ord for GrowVec<T, G> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl<T, G: Growth> Extend<T> for GrowVec<T, G> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.extend_iter(iter.into_iter());
    }
}

impl<'a, T: Copy + 'a, G: Growth> Extend<&'a T> for GrowVec<T, G> {
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        self.extend_iter(iter.into_iter().copied());
    }
}

impl<T, G: Growth + Default> FromIterator<T> for GrowVec<T, G> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut v = Self::new();
        v.extend(iter);
        v
    }
}

impl<T, G: Growth> IntoIterator for GrowVec<T, G> {
    type Item = T;
    type IntoIter = IntoIter<T>;
    fn into_iter(self) -> IntoIter<T> {
        let cap = self.buf.capacity();
        let (ptr, len) = self.into_raw_vec_parts();
        // SAFETY: the parts come from a `RawBuf<T>` given up just now, so the same ownership
        // conditions hold.
        let buf = unsafe { RawBuf::from_raw_parts(ptr, cap) };
        IntoIter::new(buf, len)
    }
}

impl<'a, T, G: Growth> IntoIterator for &'a GrowVec<T, G> {
    type Item = &'a T;
    type IntoIter = core::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, T, G: Growth> IntoIterator for &'a mut GrowVec<T, G> {
    type Item = &'a mut T;
    type IntoIter = core::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<T, G: Growth + Default> From<Vec<T>> for GrowVec<T, G> {
    /// Takes the `Vec`'s buffer without copying.
    fn from(vec: Vec<T>) -> Self {
        Self::from_vec_with_policy(vec, G::default())
    }
}

impl<T, G: Growth> From<GrowVec<T, G>> for Vec<T> {
    /// Hands the buffer to a `Vec` without copying.
    fn from(v: GrowVec<T, G>) -> Self {
        v.into_vec()
    }
}

impl<T, G: Growth> From<GrowVec<T, G>> for Box<[T]> {
    /// [`GrowVec::into_boxed_slice`].
    fn from(v: GrowVec<T, G>) -> Self {
        v.into_boxed_slice()
    }
}

impl<T, G: Growth + Default> From<Box<[T]>> for GrowVec<T, G> {
    /// Takes the box's buffer without copying.
    fn from(b: Box<[T]>) -> Self {
        Self::from(b.into_vec())
    }
}

impl<T: Clone, G: Growth + Default> From<&[T]> for GrowVec<T, G> {
    fn from(s: &[T]) -> Self {
        let mut v = Self::with_capacity(s.len());
        v.extend_from_slice(s);
        v
    }
}

impl<T, G: Growth + Default, const N: usize> From<[T; N]> for GrowVec<T, G> {
    fn from(a: [T; N]) -> Self {
        Self::from(Vec::from(a))
    }
}

impl<T: HeapSize, G: Growth> HeapSize for GrowVec<T, G> {
    /// Capacity × `size_of::<T>()` (0 for zero-sized types) plus every element's own heap bytes
    /// (a `GrowVec<String>` counts each string's buffer), like `Vec`'s.
    fn heap_bytes(&self) -> usize {
        let elements = if T::OWNS_NOTHING {
            0
        } else {
            self.iter().map(HeapSize::heap_bytes).sum()
        };
        self.capacity_for_stats() * mem::size_of::<T>() + elements
    }
}

#[cfg(feature = "serde")]
mod serde_impl {
    use super::{GrowVec, Growth};
    use core::fmt;
    use core::marker::PhantomData;
    use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};
    use serde::ser::{Serialize, Serializer};

    impl<T: Serialize, G: Growth> Serialize for GrowVec<T, G> {
        /// As a sequence, like `Vec`; the policy and statistics are not serialized.
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.iter())
        }
    }

    impl<'de, T: Deserialize<'de>, G: Growth + Default> Deserialize<'de> for GrowVec<T, G> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V<T, G>(PhantomData<(T, G)>);
            impl<'de, T: Deserialize<'de>, G: Growth + Default> Visitor<'de> for V<T, G> {
                type Value = GrowVec<T, G>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a sequence")
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                    // Cap the hint: it comes from the input and must not allocate unboundedly.
                    let hint = seq.size_hint().unwrap_or(0).min(4096);
                    let mut v = GrowVec::with_capacity(hint);
                    while let Some(x) = seq.next_element()? {
                        v.push(x);
                    }
                    Ok(v)
                }
            }
            d.deserialize_seq(V(PhantomData))
        }
    }
}
