//! The unsafe storage under [`OpenMap`](crate::OpenMap) and [`OpenSet`](crate::OpenSet): a
//! SwissTable-style open-addressed table with one control byte per slot.
//!
//! Layout: `ctrl` holds `buckets + GROUP_WIDTH` bytes (the last `GROUP_WIDTH` mirror the first,
//! so a 16-byte group can be loaded at any slot without wrapping) and `slots` holds `buckets`
//! possibly-uninitialised values. A control byte is `EMPTY` (0xFF), `DELETED` (0x80, a
//! tombstone) or `0b0hhh_hhhh`: the slot is full and `h` is the top 7 bits of its hash.
//!
//! The single invariant every `unsafe` block leans on: **`slots[i]` is initialised if and only
//! if `ctrl[i]` is a full byte** (high bit clear). Both buffers are ordinary boxed slices, so
//! allocation, deallocation and zero-sized types are handled by the standard library; a
//! `Box<[MaybeUninit<T>]>` never drops its contents, which is what makes the panic-safety
//! argument of `resize` short. Buckets are a power of two and at least `GROUP_WIDTH`, and the
//! load is kept at or below 7/8, so every probe sequence meets an `EMPTY` byte and ends.

use core::mem::{self, MaybeUninit};
use core::ptr;

use hpds_core::Error;

pub(crate) const GROUP_WIDTH: usize = 16;
/// A slot that has never held a value since the last rebuild: probing stops here.
pub(crate) const EMPTY: u8 = 0xFF;
/// A tombstone: the slot was emptied, but probes must continue past it.
pub(crate) const DELETED: u8 = 0x80;

#[inline]
fn is_full(ctrl: u8) -> bool {
    ctrl & 0x80 == 0
}

/// The 7-bit tag stored in the control byte: the top bits of the hash, so they are independent
/// of the low bits that choose the slot.
#[inline]
fn h2(hash: u64) -> u8 {
    (hash >> 57) as u8
}

/// Bucket count to the number of items the table may hold (7/8 load, measured in the probing
/// laboratory and the throughput bench; see `docs/openhash.md`).
#[inline]
fn bucket_mask_to_capacity(bucket_mask: usize) -> usize {
    let buckets = bucket_mask + 1;
    buckets / 8 * 7
}

/// The smallest bucket count (a power of two, at least `GROUP_WIDTH`) that holds `cap` items.
fn capacity_to_buckets(cap: usize) -> Option<usize> {
    if cap <= 14 {
        return Some(GROUP_WIDTH);
    }
    let adjusted = cap.checked_mul(8)? / 7;
    adjusted.checked_next_power_of_two()
}

/// A set of positions in a group, one bit per control byte.
#[derive(Clone, Copy)]
pub(crate) struct BitMask(u16);

/// Freshly allocated control bytes (all EMPTY) and uninitialised slots.
type Buffers<T> = (Box<[u8]>, Box<[MaybeUninit<T>]>);

impl BitMask {
    #[inline]
    fn any(self) -> bool {
        self.0 != 0
    }

    #[inline]
    fn lowest(self) -> Option<usize> {
        if self.0 == 0 {
            None
        } else {
            Some(self.0.trailing_zeros() as usize)
        }
    }

    #[inline]
    fn trailing_zeros(self) -> usize {
        self.0.trailing_zeros() as usize
    }

    #[inline]
    fn leading_zeros(self) -> usize {
        self.0.leading_zeros() as usize
    }

    #[inline]
    fn remove_lowest(&mut self) {
        self.0 &= self.0.wrapping_sub(1);
    }
}

// Iterating a copy is intended: a mask is a value, like an integer.
#[allow(clippy::copy_iterator)]
impl Iterator for BitMask {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        let bit = self.lowest()?;
        self.remove_lowest();
        Some(bit)
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2", not(miri)))]
mod group {
    //! SSE2: compare 16 control bytes at once.
    use super::{BitMask, EMPTY};
    use core::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };

    #[derive(Clone, Copy)]
    pub(crate) struct Group(__m128i);

    impl Group {
        /// Loads the 16 control bytes starting at `ctrl[pos]`.
        ///
        /// # Safety
        /// `pos + 16 <= ctrl.len()`.
        #[inline]
        pub(crate) unsafe fn load(ctrl: &[u8], pos: usize) -> Self {
            debug_assert!(pos + 16 <= ctrl.len());
            // SAFETY: the caller guarantees 16 readable bytes at `pos`; `loadu` has no
            // alignment requirement.
            Group(unsafe { _mm_loadu_si128(ctrl.as_ptr().add(pos).cast()) })
        }

        #[inline]
        pub(crate) fn match_byte(self, byte: u8) -> BitMask {
            // SAFETY: SSE2 is enabled at compile time (the module's `cfg`), and these
            // intrinsics only operate on register values.
            let bits =
                unsafe { _mm_movemask_epi8(_mm_cmpeq_epi8(self.0, _mm_set1_epi8(byte as i8))) };
            BitMask(bits as u16)
        }

        #[inline]
        pub(crate) fn match_empty(self) -> BitMask {
            self.match_byte(EMPTY)
        }

        /// EMPTY and DELETED are the bytes with the high bit set.
        #[inline]
        pub(crate) fn match_empty_or_deleted(self) -> BitMask {
            // SAFETY: SSE2 is enabled at compile time (the module's `cfg`).
            BitMask(unsafe { _mm_movemask_epi8(self.0) } as u16)
        }

        #[inline]
        pub(crate) fn match_full(self) -> BitMask {
            BitMask(!self.match_empty_or_deleted().0)
        }
    }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2", not(miri))))]
mod group {
    //! Portable fallback (and what Miri runs): a byte loop the compiler may vectorise.
    use super::{BitMask, EMPTY, GROUP_WIDTH};

    #[derive(Clone, Copy)]
    pub(crate) struct Group([u8; GROUP_WIDTH]);

    impl Group {
        /// Loads the 16 control bytes starting at `ctrl[pos]`.
        ///
        /// # Safety
        /// `pos + 16 <= ctrl.len()` (checked here anyway: this path is not the fast one).
        #[inline]
        pub(crate) unsafe fn load(ctrl: &[u8], pos: usize) -> Self {
            let mut bytes = [0u8; GROUP_WIDTH];
            bytes.copy_from_slice(&ctrl[pos..pos + GROUP_WIDTH]);
            Group(bytes)
        }

        #[inline]
        fn mask(self, f: impl Fn(u8) -> bool) -> BitMask {
            let mut m = 0u16;
            for (i, &b) in self.0.iter().enumerate() {
                m |= u16::from(f(b)) << i;
            }
            BitMask(m)
        }

        #[inline]
        pub(crate) fn match_byte(self, byte: u8) -> BitMask {
            self.mask(|b| b == byte)
        }

        #[inline]
        pub(crate) fn match_empty(self) -> BitMask {
            self.match_byte(EMPTY)
        }

        #[inline]
        pub(crate) fn match_empty_or_deleted(self) -> BitMask {
            self.mask(|b| b & 0x80 != 0)
        }

        #[inline]
        pub(crate) fn match_full(self) -> BitMask {
            self.mask(|b| b & 0x80 == 0)
        }
    }
}

use group::Group;

/// Triangular probing over groups: with a power-of-two bucket count it visits every group once
/// in the first `buckets / GROUP_WIDTH` steps.
struct ProbeSeq {
    pos: usize,
    stride: usize,
}

impl ProbeSeq {
    #[inline]
    fn move_next(&mut self, bucket_mask: usize) {
        self.stride += GROUP_WIDTH;
        debug_assert!(
            self.stride <= bucket_mask + 1,
            "probe went past every group"
        );
        self.pos = (self.pos + self.stride) & bucket_mask;
    }
}

/// Whether a failed reservation panics (the `reserve` family) or reports (`try_reserve`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fallibility {
    Fallible,
    Infallible,
}

fn alloc_buffers<T>(buckets: usize, fallibility: Fallibility) -> Result<Buffers<T>, Error> {
    let ctrl_len = buckets
        .checked_add(GROUP_WIDTH)
        .ok_or_else(|| Error::capacity_overflow("OpenMap buckets"))?;
    let slot_bytes = buckets.checked_mul(mem::size_of::<T>());
    if slot_bytes.is_none_or(|b| b > isize::MAX as usize) {
        return Err(Error::capacity_overflow("OpenMap buckets"));
    }
    let mut ctrl: Vec<u8> = Vec::new();
    let mut slots: Vec<MaybeUninit<T>> = Vec::new();
    let ok = ctrl.try_reserve_exact(ctrl_len).is_ok() && slots.try_reserve_exact(buckets).is_ok();
    if !ok {
        if fallibility == Fallibility::Infallible {
            let layout = core::alloc::Layout::array::<T>(buckets)
                .unwrap_or(core::alloc::Layout::new::<u8>());
            std::alloc::handle_alloc_error(layout);
        }
        return Err(Error::memory_limit(
            isize::MAX as usize,
            ctrl_len.saturating_add(slot_bytes.unwrap_or(usize::MAX)),
        ));
    }
    ctrl.resize(ctrl_len, EMPTY);
    slots.resize_with(buckets, MaybeUninit::uninit);
    Ok((ctrl.into_boxed_slice(), slots.into_boxed_slice()))
}

/// Writes a control byte and its mirror in the trailing group.
#[inline]
fn set_ctrl_in(ctrl: &mut [u8], bucket_mask: usize, index: usize, byte: u8) {
    debug_assert!(index <= bucket_mask);
    let mirror = (index.wrapping_sub(GROUP_WIDTH) & bucket_mask) + GROUP_WIDTH;
    debug_assert!(mirror < ctrl.len());
    // SAFETY: `index <= bucket_mask < ctrl.len()`, and `mirror <= bucket_mask + GROUP_WIDTH <
    // ctrl.len()` because `ctrl.len() == bucket_mask + 1 + GROUP_WIDTH`.
    unsafe {
        *ctrl.get_unchecked_mut(index) = byte;
        *ctrl.get_unchecked_mut(mirror) = byte;
    }
}

/// The first EMPTY or DELETED slot on `hash`'s probe sequence.
#[inline]
fn find_insert_slot_in(ctrl: &[u8], bucket_mask: usize, hash: u64) -> usize {
    let mut probe = ProbeSeq {
        pos: hash as usize & bucket_mask,
        stride: 0,
    };
    loop {
        // SAFETY: `pos <= bucket_mask`, so `pos + GROUP_WIDTH <= ctrl.len()`.
        let group = unsafe { Group::load(ctrl, probe.pos) };
        if let Some(bit) = group.match_empty_or_deleted().lowest() {
            return (probe.pos + bit) & bucket_mask;
        }
        probe.move_next(bucket_mask);
    }
}

/// An open-addressed table of `T`, hashed by the caller.
pub(crate) struct RawTable<T> {
    /// `bucket_mask + 1 + GROUP_WIDTH` control bytes, or none before the first allocation.
    ctrl: Box<[u8]>,
    /// `bucket_mask + 1` slots; `slots[i]` is initialised iff `ctrl[i]` is full.
    slots: Box<[MaybeUninit<T>]>,
    bucket_mask: usize,
    items: usize,
    /// Inserts into EMPTY slots left before the load reaches 7/8 (tombstones count as used).
    growth_left: usize,
}

// SAFETY: `RawTable<T>` owns its `T`s exactly like a `Vec<T>` does.
unsafe impl<T: Send> Send for RawTable<T> {}
// SAFETY: shared access only hands out `&T`.
unsafe impl<T: Sync> Sync for RawTable<T> {}

impl<T> RawTable<T> {
    /// An empty table that has not allocated.
    pub(crate) fn new() -> Self {
        Self {
            ctrl: Box::new([]),
            slots: Box::new([]),
            bucket_mask: 0,
            items: 0,
            growth_left: 0,
        }
    }

    pub(crate) fn try_with_capacity(cap: usize, fallibility: Fallibility) -> Result<Self, Error> {
        if cap == 0 {
            return Ok(Self::new());
        }
        let buckets =
            capacity_to_buckets(cap).ok_or_else(|| Error::capacity_overflow("OpenMap capacity"))?;
        let (ctrl, slots) = alloc_buffers::<T>(buckets, fallibility)?;
        Ok(Self {
            ctrl,
            slots,
            bucket_mask: buckets - 1,
            items: 0,
            growth_left: bucket_mask_to_capacity(buckets - 1),
        })
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.items
    }

    #[inline]
    pub(crate) fn buckets(&self) -> usize {
        self.slots.len()
    }

    #[inline]
    fn is_allocated(&self) -> bool {
        !self.slots.is_empty() || !self.ctrl.is_empty()
    }

    /// Items the table holds before it must grow (or purge tombstones).
    pub(crate) fn capacity(&self) -> usize {
        if self.is_allocated() {
            self.items + self.growth_left
        } else {
            0
        }
    }

    /// Heap bytes of the two buffers.
    pub(crate) fn allocation_bytes(&self) -> usize {
        self.ctrl.len() + self.slots.len() * mem::size_of::<T>()
    }

    /// The slot holding an item for which `eq` is true, among those of hash `hash`.
    #[inline]
    pub(crate) fn find(&self, hash: u64, mut eq: impl FnMut(&T) -> bool) -> Option<usize> {
        if self.items == 0 {
            return None;
        }
        let tag = h2(hash);
        let mut probe = ProbeSeq {
            pos: hash as usize & self.bucket_mask,
            stride: 0,
        };
        loop {
            // SAFETY: allocated (items > 0) and `pos <= bucket_mask`, so 16 bytes are readable.
            let group = unsafe { Group::load(&self.ctrl, probe.pos) };
            for bit in group.match_byte(tag) {
                let index = (probe.pos + bit) & self.bucket_mask;
                // SAFETY: `ctrl[index] == tag` (mirrors are exact), a full byte, so the slot is
                // initialised; `index <= bucket_mask < slots.len()`.
                let item = unsafe { self.slots.get_unchecked(index).assume_init_ref() };
                if eq(item) {
                    return Some(index);
                }
            }
            if group.match_empty().any() {
                return None;
            }
            probe.move_next(self.bucket_mask);
        }
    }

    /// The item for which `eq` is true, among those of hash `hash`.
    #[inline]
    pub(crate) fn find_ref(&self, hash: u64, eq: impl FnMut(&T) -> bool) -> Option<&T> {
        let index = self.find(hash, eq)?;
        // SAFETY: `find` only returns indices of full slots.
        Some(unsafe { self.get_unchecked(index) })
    }

    /// The item for which `eq` is true, mutably.
    #[inline]
    pub(crate) fn find_mut(&mut self, hash: u64, eq: impl FnMut(&T) -> bool) -> Option<&mut T> {
        let index = self.find(hash, eq)?;
        debug_assert!(is_full(self.ctrl[index]));
        // SAFETY: `find` only returns indices of full slots, which are initialised and in
        // bounds.
        Some(unsafe { self.slots.get_unchecked_mut(index).assume_init_mut() })
    }

    /// One probe pass: `Ok(index)` of the matching item, or `Err(slot)` where it would go.
    ///
    /// The caller must have reserved room for one more item (`growth_left > 0`) first.
    #[inline]
    pub(crate) fn find_or_find_insert_slot(
        &self,
        hash: u64,
        mut eq: impl FnMut(&T) -> bool,
    ) -> Result<usize, usize> {
        debug_assert!(
            self.growth_left > 0,
            "reserve before find_or_find_insert_slot"
        );
        let tag = h2(hash);
        let mut insert_slot = None;
        let mut probe = ProbeSeq {
            pos: hash as usize & self.bucket_mask,
            stride: 0,
        };
        loop {
            // SAFETY: `growth_left > 0` implies an allocated table; `pos <= bucket_mask`.
            let group = unsafe { Group::load(&self.ctrl, probe.pos) };
            for bit in group.match_byte(tag) {
                let index = (probe.pos + bit) & self.bucket_mask;
                // SAFETY: a full control byte, so the slot is initialised.
                let item = unsafe { self.slots.get_unchecked(index).assume_init_ref() };
                if eq(item) {
                    return Ok(index);
                }
            }
            if insert_slot.is_none() {
                if let Some(bit) = group.match_empty_or_deleted().lowest() {
                    insert_slot = Some((probe.pos + bit) & self.bucket_mask);
                }
            }
            if group.match_empty().any() {
                // An EMPTY in this group means the sequence ends here, and the first free slot
                // is at or before it.
                return Err(insert_slot.unwrap_or_else(unreachable_free_slot));
            }
            probe.move_next(self.bucket_mask);
        }
    }

    /// Puts `value` in `slot` (from `find_or_find_insert_slot`); returns the slot.
    #[inline]
    pub(crate) fn insert_in_slot(&mut self, hash: u64, slot: usize, value: T) -> usize {
        assert!(
            slot <= self.bucket_mask && self.is_allocated(),
            "slot out of range"
        );
        // SAFETY: `slot <= bucket_mask`, and `ctrl` has `bucket_mask + 1 + GROUP_WIDTH` bytes.
        let old = unsafe { *self.ctrl.get_unchecked(slot) };
        debug_assert!(!is_full(old), "insert into a full slot");
        debug_assert!(old != EMPTY || self.growth_left > 0);
        self.growth_left -= usize::from(old == EMPTY);
        set_ctrl_in(&mut self.ctrl, self.bucket_mask, slot, h2(hash));
        // SAFETY: `slot <= bucket_mask < slots.len()`. The slot was not full, so nothing is
        // overwritten without being dropped; it is now marked full.
        unsafe { self.slots.get_unchecked_mut(slot).write(value) };
        self.items += 1;
        slot
    }

    /// Inserts an item known to be absent.
    #[cfg(test)]
    pub(crate) fn insert_new(&mut self, hash: u64, value: T, hasher: impl Fn(&T) -> u64) -> usize {
        self.reserve(1, hasher);
        let slot = find_insert_slot_in(&self.ctrl, self.bucket_mask, hash);
        self.insert_in_slot(hash, slot, value)
    }

    /// The item in a full slot.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> &T {
        assert!(is_full(self.ctrl[index]), "slot {index} is not full");
        // SAFETY: checked just above that the control byte is full.
        unsafe { self.slots[index].assume_init_ref() }
    }

    /// The item in a full slot, mutably.
    #[inline]
    pub(crate) fn get_mut(&mut self, index: usize) -> &mut T {
        assert!(is_full(self.ctrl[index]), "slot {index} is not full");
        // SAFETY: checked just above that the control byte is full.
        unsafe { self.slots[index].assume_init_mut() }
    }

    /// Removes and returns the item in a full slot.
    pub(crate) fn remove(&mut self, index: usize) -> T {
        assert!(is_full(self.ctrl[index]), "slot {index} is not full");
        self.erase_ctrl(index);
        // SAFETY: the control byte was full, so the slot is initialised; it is now marked free,
        // so the value is read out exactly once.
        unsafe { self.slots[index].assume_init_read() }
    }

    /// Marks a full slot free. EMPTY is enough when no probe window can have seen the run of
    /// non-empty slots around it as a full group; otherwise a tombstone keeps probes going.
    fn erase_ctrl(&mut self, index: usize) {
        let before = index.wrapping_sub(GROUP_WIDTH) & self.bucket_mask;
        // SAFETY: both positions are `<= bucket_mask`, the table is allocated.
        let (empty_before, empty_after) = unsafe {
            (
                Group::load(&self.ctrl, before).match_empty(),
                Group::load(&self.ctrl, index).match_empty(),
            )
        };
        let byte = if empty_before.leading_zeros() + empty_after.trailing_zeros() >= GROUP_WIDTH {
            DELETED
        } else {
            self.growth_left += 1;
            EMPTY
        };
        set_ctrl_in(&mut self.ctrl, self.bucket_mask, index, byte);
        self.items -= 1;
    }

    /// Makes room for `additional` more items.
    #[inline]
    pub(crate) fn reserve(&mut self, additional: usize, hasher: impl Fn(&T) -> u64) {
        if additional > self.growth_left {
            if let Err(e) = self.reserve_rehash(additional, hasher, Fallibility::Infallible) {
                panic!("{e}");
            }
        }
    }

    pub(crate) fn try_reserve(
        &mut self,
        additional: usize,
        hasher: impl Fn(&T) -> u64,
    ) -> Result<(), Error> {
        if additional > self.growth_left {
            self.reserve_rehash(additional, hasher, Fallibility::Fallible)
        } else {
            Ok(())
        }
    }

    #[cold]
    #[inline(never)]
    fn reserve_rehash(
        &mut self,
        additional: usize,
        hasher: impl Fn(&T) -> u64,
        fallibility: Fallibility,
    ) -> Result<(), Error> {
        let new_items = self
            .items
            .checked_add(additional)
            .ok_or_else(|| Error::capacity_overflow("OpenMap capacity"))?;
        let full_capacity = if self.is_allocated() {
            bucket_mask_to_capacity(self.bucket_mask)
        } else {
            0
        };
        if new_items <= full_capacity / 2 {
            // Tombstones, not items, exhausted the growth budget: rebuild at the same size.
            self.resize(self.buckets(), hasher, fallibility)
        } else {
            let want = new_items.max(full_capacity + 1);
            let buckets = capacity_to_buckets(want)
                .ok_or_else(|| Error::capacity_overflow("OpenMap capacity"))?;
            self.resize(buckets, hasher, fallibility)
        }
    }

    /// Shrinks to the smallest size that holds `max(len, min_capacity)` items.
    pub(crate) fn shrink_to(&mut self, min_capacity: usize, hasher: impl Fn(&T) -> u64) {
        let want = self.items.max(min_capacity);
        if want == 0 {
            if self.is_allocated() {
                // Nothing to move; dropping the (all non-full) buffers drops no item.
                debug_assert_eq!(self.items, 0);
                *self = Self::new();
            }
            return;
        }
        if let Some(buckets) = capacity_to_buckets(want) {
            if buckets < self.buckets() {
                // Shrinking never overflows; an allocation failure aborts like `Vec`.
                let _ = self.resize(buckets, hasher, Fallibility::Infallible);
            }
        }
    }

    /// Moves every item into fresh buffers of `buckets` slots, dropping all tombstones.
    ///
    /// Panic safety: items are copied bitwise into the new buffers while the old ones stay
    /// untouched and authoritative. If `hasher` panics midway, the new buffers are dropped as
    /// `MaybeUninit` (dropping no item) and `self` is unchanged. Only after the last item is
    /// placed are the buffers swapped; the old ones are then freed, again dropping nothing.
    fn resize(
        &mut self,
        buckets: usize,
        hasher: impl Fn(&T) -> u64,
        fallibility: Fallibility,
    ) -> Result<(), Error> {
        debug_assert!(buckets.is_power_of_two() && buckets >= GROUP_WIDTH);
        debug_assert!(self.items <= bucket_mask_to_capacity(buckets - 1));
        let (mut new_ctrl, mut new_slots) = alloc_buffers::<T>(buckets, fallibility)?;
        let new_mask = buckets - 1;
        let mut iter = RawIterState::new(self);
        while let Some(index) = iter.next(&self.ctrl) {
            // SAFETY: the iterator yields only full slots, which are initialised.
            let hash = hasher(unsafe { self.slots[index].assume_init_ref() });
            let slot = find_insert_slot_in(&new_ctrl, new_mask, hash);
            set_ctrl_in(&mut new_ctrl, new_mask, slot, h2(hash));
            // SAFETY: a bitwise copy of a `MaybeUninit<T>` is always valid; ownership of the
            // item passes to `new_slots` only when the buffers are swapped below, and until
            // then neither copy is ever dropped as a `T`.
            new_slots[slot] = unsafe { ptr::read(&raw const self.slots[index]) };
        }
        self.ctrl = new_ctrl;
        self.slots = new_slots;
        self.bucket_mask = new_mask;
        self.growth_left = bucket_mask_to_capacity(new_mask) - self.items;
        Ok(())
    }

    /// Drops every item, keeping the allocation.
    ///
    /// Each slot is marked DELETED before its item is dropped, so a panicking `Drop` leaves a
    /// consistent table (the remaining items are still owned and dropped later).
    pub(crate) fn clear(&mut self) {
        if !self.is_allocated() {
            return;
        }
        let mut iter = RawIterState::new(self);
        while let Some(index) = iter.next(&self.ctrl) {
            set_ctrl_in(&mut self.ctrl, self.bucket_mask, index, DELETED);
            self.items -= 1;
            // SAFETY: the slot was full (initialised) and is now marked free, so it is dropped
            // exactly once.
            unsafe { self.slots[index].assume_init_drop() };
        }
        debug_assert_eq!(self.items, 0);
        self.ctrl.fill(EMPTY);
        self.growth_left = bucket_mask_to_capacity(self.bucket_mask);
    }

    /// Keeps the items for which `f` returns true.
    pub(crate) fn retain(&mut self, mut f: impl FnMut(&mut T) -> bool) {
        let mut iter = RawIterState::new(self);
        while let Some(index) = iter.next(&self.ctrl) {
            // SAFETY: the iterator yields only full slots; marking slots free does not change
            // the groups the iterator has already loaded.
            let keep = f(unsafe { self.slots[index].assume_init_mut() });
            if !keep {
                drop(self.remove(index));
            }
        }
    }

    /// Removes and returns the next full slot at or after the iterator's position, leaving a
    /// tombstone (so a leaked `Drain` leaves a consistent table).
    pub(crate) fn take_next(&mut self, iter: &mut RawIterState) -> Option<T> {
        let index = iter.next(&self.ctrl)?;
        set_ctrl_in(&mut self.ctrl, self.bucket_mask, index, DELETED);
        self.items -= 1;
        // SAFETY: the slot was full and is now marked free: read out exactly once.
        Some(unsafe { self.slots[index].assume_init_read() })
    }

    /// Forgets all tombstones after a full drain (no item is left).
    pub(crate) fn reset_after_drain(&mut self) {
        debug_assert_eq!(self.items, 0);
        if self.is_allocated() {
            self.ctrl.fill(EMPTY);
            self.growth_left = bucket_mask_to_capacity(self.bucket_mask);
        }
    }

    /// The control bytes (for the iterators).
    #[inline]
    pub(crate) fn ctrl(&self) -> &[u8] {
        &self.ctrl
    }

    /// Raw parts for `IterMut`: the control bytes and a pointer to the slots.
    #[inline]
    pub(crate) fn split_for_iter_mut(&mut self) -> (&[u8], *mut MaybeUninit<T>) {
        (&self.ctrl, self.slots.as_mut_ptr())
    }

    /// The item in a slot the iterator reported full.
    ///
    /// # Safety
    /// `index` must come from a [`RawIterState`] created for this table while it has not been
    /// modified since.
    #[inline]
    pub(crate) unsafe fn get_unchecked(&self, index: usize) -> &T {
        debug_assert!(is_full(self.ctrl[index]));
        // SAFETY: the caller guarantees the slot is full, hence initialised and in bounds.
        unsafe { self.slots.get_unchecked(index).assume_init_ref() }
    }

    /// Tombstones as a share of the buckets (for tests of the purge).
    #[cfg(test)]
    #[allow(clippy::naive_bytecount)]
    pub(crate) fn tombstones(&self) -> usize {
        self.ctrl[..self.buckets()]
            .iter()
            .filter(|&&c| c == DELETED)
            .count()
    }
}

#[cold]
fn unreachable_free_slot() -> usize {
    unreachable!("a group with an EMPTY byte always has a free slot")
}

impl<T: Clone> Clone for RawTable<T> {
    /// Clones item by item into the same slots. A panicking `Clone` leaves a partially filled
    /// table whose `Drop` drops exactly the clones made so far.
    fn clone(&self) -> Self {
        if !self.is_allocated() {
            return Self::new();
        }
        let (ctrl, slots) = match alloc_buffers::<T>(self.buckets(), Fallibility::Infallible) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        };
        let mut new = Self {
            ctrl,
            slots,
            bucket_mask: self.bucket_mask,
            items: 0,
            growth_left: 0,
        };
        let mut iter = RawIterState::new(self);
        while let Some(index) = iter.next(&self.ctrl) {
            // SAFETY: the iterator yields only full, initialised slots.
            let value = unsafe { self.slots[index].assume_init_ref() }.clone();
            new.slots[index].write(value);
            set_ctrl_in(&mut new.ctrl, new.bucket_mask, index, self.ctrl[index]);
            new.items += 1;
        }
        // Tombstones are copied too, so the probe sequences (and growth budget) match.
        new.ctrl.copy_from_slice(&self.ctrl);
        new.growth_left = self.growth_left;
        new
    }
}

impl<T> Drop for RawTable<T> {
    fn drop(&mut self) {
        if mem::needs_drop::<T>() && self.items > 0 {
            let mut iter = RawIterState::new(self);
            while let Some(index) = iter.next(&self.ctrl) {
                // SAFETY: full slots are initialised; each is visited once. If a `Drop` panics,
                // the remaining items leak (no double drop) and the buffers are still freed.
                unsafe { self.slots[index].assume_init_drop() };
            }
        }
    }
}

/// A cursor over the full slots of a table, in slot order. It borrows nothing: each call is
/// given the control bytes, so owners may mark slots free as they go (the current group's
/// full bits were loaded before).
#[derive(Clone)]
pub(crate) struct RawIterState {
    group_base: usize,
    current: BitMask,
    remaining: usize,
}

impl RawIterState {
    pub(crate) fn new<T>(table: &RawTable<T>) -> Self {
        let current = if table.items > 0 {
            // SAFETY: allocated, `0 + GROUP_WIDTH <= ctrl.len()`.
            unsafe { Group::load(&table.ctrl, 0) }.match_full()
        } else {
            BitMask(0)
        };
        Self {
            group_base: 0,
            current,
            remaining: table.items,
        }
    }

    #[inline]
    pub(crate) fn remaining(&self) -> usize {
        self.remaining
    }

    /// The next full slot.
    #[inline]
    pub(crate) fn next(&mut self, ctrl: &[u8]) -> Option<usize> {
        if self.remaining == 0 {
            return None;
        }
        loop {
            if let Some(bit) = self.current.lowest() {
                self.current.remove_lowest();
                self.remaining -= 1;
                return Some(self.group_base + bit);
            }
            self.group_base += GROUP_WIDTH;
            // `remaining > 0` full slots lie at or after `group_base`, inside the buckets.
            debug_assert!(self.group_base + GROUP_WIDTH < ctrl.len());
            // SAFETY: `group_base < buckets`, so 16 bytes are readable.
            self.current = unsafe { Group::load(ctrl, self.group_base) }.match_full();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_rounding() {
        assert_eq!(capacity_to_buckets(1), Some(16));
        assert_eq!(capacity_to_buckets(14), Some(16));
        assert_eq!(capacity_to_buckets(15), Some(32));
        assert_eq!(capacity_to_buckets(28), Some(32));
        assert_eq!(capacity_to_buckets(29), Some(64));
        assert_eq!(capacity_to_buckets(usize::MAX), None);
        assert_eq!(bucket_mask_to_capacity(15), 14);
    }

    #[test]
    fn bitmask_iterates_low_to_high() {
        let bits: Vec<usize> = BitMask(0b1010_0001).collect();
        assert_eq!(bits, vec![0, 5, 7]);
        assert_eq!(BitMask(0).leading_zeros(), 16);
        assert_eq!(BitMask(0).trailing_zeros(), 16);
    }

    #[test]
    fn group_matches() {
        let mut ctrl = vec![EMPTY; 32];
        ctrl[3] = 0x12;
        ctrl[5] = DELETED;
        ctrl[9] = 0x12;
        // SAFETY: 32 bytes, load at 0 reads 16.
        let g = unsafe { Group::load(&ctrl, 0) };
        assert_eq!(g.match_byte(0x12).collect::<Vec<_>>(), vec![3, 9]);
        assert_eq!(g.match_full().collect::<Vec<_>>(), vec![3, 9]);
        assert_eq!(g.match_empty().count(), 13);
        assert_eq!(g.match_empty_or_deleted().count(), 14);
    }

    #[test]
    fn mirror_bytes_follow() {
        let mut t: RawTable<u64> =
            RawTable::try_with_capacity(10, Fallibility::Infallible).unwrap();
        let h = |x: &u64| *x;
        t.insert_new(3, 3, h);
        assert_eq!(t.ctrl[3], h2(3));
        assert_eq!(t.ctrl[16 + 3], h2(3));
        assert_eq!(t.find(3, |&x| x == 3), Some(3));
        assert_eq!(t.remove(3), 3);
        assert_eq!(t.ctrl[3], EMPTY);
        assert_eq!(t.tombstones(), 0);
    }
}
