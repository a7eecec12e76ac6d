//! The unsafe storage under [`OpenMap`](crate::OpenMap) and [`OpenSet`](crate::OpenSet): a
//! SwissTable-style open-addressed table with one control byte per slot.
//!
//! Layout: **one allocation** per table, as in hashbrown:
//!
//! ```text
//!   [ slot b-1 | ... | slot 1 | slot 0 ][ ctrl 0 | ctrl 1 | ... | ctrl b-1 | 16 mirror bytes ]
//!                                       ^ `ctrl` points here
//! ```
//!
//! The table keeps a single pointer, `ctrl`; slot `i` lives at `ctrl.cast::<T>().sub(i + 1)`,
//! so a probe needs no second base pointer and the control bytes of a small table share cache
//! lines with its last slots. There are `buckets + GROUP_WIDTH` control bytes: the last
//! `GROUP_WIDTH` mirror the first, so a 16-byte group can be loaded at any slot without
//! wrapping. A control byte is `EMPTY` (0xFF), `DELETED` (0x80, a tombstone) or `0b0hhh_hhhh`:
//! the slot is full and `h` is the top 7 bits of its hash.
//!
//! An unallocated table points `ctrl` at a static group of 16 `EMPTY` bytes with
//! `bucket_mask == 0`, so lookups need no "is it allocated?" branch: the first group says
//! "empty", the probe ends. Nothing ever writes through that pointer: every write is preceded
//! by a reservation, and an unallocated table has no growth budget.
//!
//! The single invariant every `unsafe` block leans on: **slot `i` is initialised if and only
//! if `ctrl[i]` is a full byte** (high bit clear). Buckets are a power of two and at least
//! `GROUP_WIDTH`, and the load is kept at or below 7/8, so every probe sequence meets an
//! `EMPTY` byte and ends.

use core::alloc::Layout;
use core::marker::PhantomData;
use core::mem;
use core::ptr::{self, NonNull};

use hpds_core::Error;

pub(crate) const GROUP_WIDTH: usize = 16;
/// A slot that has never held a value since the last rebuild: probing stops here.
pub(crate) const EMPTY: u8 = 0xFF;
/// A tombstone: the slot was emptied, but probes must continue past it.
pub(crate) const DELETED: u8 = 0x80;

/// Branch-weight hints (stable Rust has no `likely`): calling a `#[cold]` function on one
/// side of a branch tells LLVM that side is rare, so it lays the common path out straight
/// (hashbrown does the same).
#[inline(always)]
#[cold]
fn cold_path() {}

/// `b`, hinting that it is usually true.
#[inline(always)]
fn likely(b: bool) -> bool {
    if !b {
        cold_path();
    }
    b
}

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

/// The control bytes of every unallocated table: one group of `EMPTY`, aligned like a group.
#[repr(C, align(16))]
struct EmptyGroup([u8; GROUP_WIDTH]);

static EMPTY_GROUP: EmptyGroup = EmptyGroup([EMPTY; GROUP_WIDTH]);

/// A set of positions in a group, one bit per control byte.
#[derive(Clone, Copy)]
pub(crate) struct BitMask(u16);

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
        __m128i, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_setzero_si128, _mm_storeu_si128,
    };

    #[derive(Clone, Copy)]
    pub(crate) struct Group(__m128i);

    impl Group {
        /// Loads the 16 control bytes starting at `ptr`.
        ///
        /// # Safety
        /// 16 bytes at `ptr` must be readable.
        #[inline]
        pub(crate) unsafe fn load(ptr: *const u8) -> Self {
            // SAFETY: the caller guarantees 16 readable bytes; `loadu` has no alignment
            // requirement.
            Group(unsafe { _mm_loadu_si128(ptr.cast()) })
        }

        /// Stores the 16 bytes at `ptr`.
        ///
        /// # Safety
        /// 16 bytes at `ptr` must be writable.
        #[inline]
        pub(crate) unsafe fn store(self, ptr: *mut u8) {
            // SAFETY: the caller guarantees 16 writable bytes; `storeu` is unaligned.
            unsafe { _mm_storeu_si128(ptr.cast(), self.0) };
        }

        #[inline]
        pub(crate) fn match_byte(self, byte: u8) -> BitMask {
            // SAFETY: SSE2 is enabled at compile time (the module's `cfg`), and these
            // intrinsics only operate on register values.
            // `_mm_set1_epi8` (4 instructions on plain SSE2: `movd`, `punpcklbw`, `pshuflw`,
            // `pshufd`), as hashbrown. A 3-instruction splat (`imul` by 0x01010101, `movd`,
            // `pshufd`) saved one instruction per probe but made hits at 1 000 000 keys
            // 7-10 % slower in the interleaved race, so hashbrown's broadcast is kept.
            let bits = unsafe {
                _mm_movemask_epi8(_mm_cmpeq_epi8(
                    self.0,
                    _mm_set1_epi8(i8::from_ne_bytes([byte])),
                ))
            };
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

        /// For an in-place rehash: full bytes become DELETED ("still to place"), EMPTY and
        /// DELETED become EMPTY.
        #[inline]
        pub(crate) fn convert_special_to_empty_and_full_to_deleted(self) -> Self {
            // SAFETY: SSE2 register operations only. A byte with the high bit set is negative
            // as `i8`, so `0 > byte` selects the special bytes (0xFF); OR with 0x80 turns the
            // full ones into 0x80 and leaves the special ones 0xFF.
            unsafe {
                let special = _mm_cmpgt_epi8(_mm_setzero_si128(), self.0);
                Group(_mm_or_si128(special, _mm_set1_epi8(0x80_u8 as i8)))
            }
        }
    }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2", not(miri))))]
mod group {
    //! Portable fallback (and what Miri runs): a byte loop the compiler may vectorise.
    use super::{BitMask, DELETED, EMPTY, GROUP_WIDTH};

    #[derive(Clone, Copy)]
    pub(crate) struct Group([u8; GROUP_WIDTH]);

    impl Group {
        /// Loads the 16 control bytes starting at `ptr`.
        ///
        /// # Safety
        /// 16 bytes at `ptr` must be readable.
        #[inline]
        pub(crate) unsafe fn load(ptr: *const u8) -> Self {
            // SAFETY: the caller guarantees 16 readable bytes; `[u8; 16]` has alignment 1.
            Group(unsafe { ptr.cast::<[u8; GROUP_WIDTH]>().read() })
        }

        /// Stores the 16 bytes at `ptr`.
        ///
        /// # Safety
        /// 16 bytes at `ptr` must be writable.
        #[inline]
        pub(crate) unsafe fn store(self, ptr: *mut u8) {
            // SAFETY: the caller guarantees 16 writable bytes; `[u8; 16]` has alignment 1.
            unsafe { ptr.cast::<[u8; GROUP_WIDTH]>().write(self.0) };
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

        /// For an in-place rehash: full bytes become DELETED, EMPTY and DELETED become EMPTY.
        #[inline]
        pub(crate) fn convert_special_to_empty_and_full_to_deleted(self) -> Self {
            let mut out = self.0;
            for b in &mut out {
                *b = if *b & 0x80 != 0 { EMPTY } else { DELETED };
            }
            Group(out)
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
    fn new(hash: u64, bucket_mask: usize) -> Self {
        Self {
            pos: hash as usize & bucket_mask,
            stride: 0,
        }
    }

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

/// The layout of a table of `buckets` slots of `T` (slots, padding, control bytes) and the
/// offset of the control bytes in it; `None` when it does not fit in `isize`.
fn table_layout<T>(buckets: usize) -> Option<(Layout, usize)> {
    let ctrl_align = mem::align_of::<T>().max(GROUP_WIDTH);
    let data = mem::size_of::<T>().checked_mul(buckets)?;
    let ctrl_offset = data.checked_add(ctrl_align - 1)? & !(ctrl_align - 1);
    let len = ctrl_offset.checked_add(buckets.checked_add(GROUP_WIDTH)?)?;
    let layout = Layout::from_size_align(len, ctrl_align).ok()?;
    Some((layout, ctrl_offset))
}

/// Slot `index` of a table whose control bytes start at `ctrl` (slots lie below, in reverse).
///
/// # Safety
/// `ctrl` must be the control pointer of an allocated table and `index` one of its buckets.
#[inline]
pub(crate) unsafe fn slot_below<T>(ctrl: *mut T, index: usize) -> *mut T {
    // SAFETY: slot `index` occupies bytes `[ctrl - (index + 1) * size, ctrl - index * size)`,
    // inside the allocation's slot area (see `table_layout`) by the caller's guarantee.
    // (`sub(index).sub(1)` rather than `sub(index + 1)`: the `- 1` folds into the address
    // displacement.)
    unsafe { ctrl.sub(index).sub(1) }
}

/// An open-addressed table of `T`, hashed by the caller.
pub(crate) struct RawTable<T> {
    /// Control byte 0: `bucket_mask + 1 + GROUP_WIDTH` control bytes start here, and the slots
    /// end here. Points at [`EMPTY_GROUP`] when unallocated.
    ctrl: NonNull<u8>,
    /// Buckets − 1; 0 when unallocated (an allocated table has at least `GROUP_WIDTH`).
    bucket_mask: usize,
    /// Inserts into EMPTY slots left before the load reaches 7/8 (tombstones count as used).
    growth_left: usize,
    items: usize,
    marker: PhantomData<T>,
}

// SAFETY: `RawTable<T>` owns its `T`s exactly like a `Vec<T>` does; the static empty group is
// never written.
unsafe impl<T: Send> Send for RawTable<T> {}
// SAFETY: shared access only hands out `&T`.
unsafe impl<T: Sync> Sync for RawTable<T> {}

impl<T> RawTable<T> {
    /// An empty table that has not allocated.
    pub(crate) fn new() -> Self {
        Self {
            ctrl: NonNull::from(&EMPTY_GROUP.0).cast(),
            bucket_mask: 0,
            growth_left: 0,
            items: 0,
            marker: PhantomData,
        }
    }

    /// A table of exactly `buckets` slots, all EMPTY.
    fn alloc(buckets: usize, fallibility: Fallibility) -> Result<Self, Error> {
        debug_assert!(buckets.is_power_of_two() && buckets >= GROUP_WIDTH);
        let (layout, ctrl_offset) = table_layout::<T>(buckets)
            .ok_or_else(|| Error::capacity_overflow("OpenMap buckets"))?;
        // SAFETY: the layout has a non-zero size (at least `GROUP_WIDTH` control bytes).
        let base = unsafe { std::alloc::alloc(layout) };
        let Some(base) = NonNull::new(base) else {
            if fallibility == Fallibility::Infallible {
                std::alloc::handle_alloc_error(layout);
            }
            return Err(Error::memory_limit(isize::MAX as usize, layout.size()));
        };
        // SAFETY: `ctrl_offset + buckets + GROUP_WIDTH == layout.size()`, so the control bytes
        // are inside the fresh allocation.
        let ctrl = unsafe { base.add(ctrl_offset) };
        // SAFETY: as above; `u8` has no invalid bit patterns.
        unsafe { ptr::write_bytes(ctrl.as_ptr(), EMPTY, buckets + GROUP_WIDTH) };
        Ok(Self {
            ctrl,
            bucket_mask: buckets - 1,
            growth_left: bucket_mask_to_capacity(buckets - 1),
            items: 0,
            marker: PhantomData,
        })
    }

    /// Frees the allocation without dropping any item (the caller has dropped or moved them),
    /// and leaves the table unallocated.
    fn free_buckets(&mut self) {
        if !self.is_allocated() {
            return;
        }
        let Some((layout, ctrl_offset)) = table_layout::<T>(self.buckets()) else {
            unreachable!("the layout was computed when the table was allocated")
        };
        // SAFETY: the table was allocated with exactly this layout, at `ctrl - ctrl_offset`.
        unsafe { std::alloc::dealloc(self.ctrl.as_ptr().sub(ctrl_offset), layout) };
        self.ctrl = Self::new().ctrl;
        self.bucket_mask = 0;
        self.growth_left = 0;
        self.items = 0;
    }

    pub(crate) fn try_with_capacity(cap: usize, fallibility: Fallibility) -> Result<Self, Error> {
        if cap == 0 {
            return Ok(Self::new());
        }
        let buckets =
            capacity_to_buckets(cap).ok_or_else(|| Error::capacity_overflow("OpenMap capacity"))?;
        Self::alloc(buckets, fallibility)
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.items
    }

    /// Slots in the table (0 before the first allocation).
    #[inline]
    pub(crate) fn buckets(&self) -> usize {
        if self.is_allocated() {
            self.bucket_mask + 1
        } else {
            0
        }
    }

    #[inline]
    fn is_allocated(&self) -> bool {
        self.bucket_mask != 0
    }

    /// Items the table holds before it must grow (or purge tombstones).
    pub(crate) fn capacity(&self) -> usize {
        self.items + self.growth_left
    }

    /// Heap bytes of the allocation (slots, alignment padding and control bytes).
    pub(crate) fn allocation_bytes(&self) -> usize {
        if self.is_allocated() {
            table_layout::<T>(self.buckets()).map_or(0, |(layout, _)| layout.size())
        } else {
            0
        }
    }

    /// Pointer to slot `index`.
    ///
    /// # Safety
    /// The table is allocated and `index <= bucket_mask`.
    #[inline]
    unsafe fn slot(&self, index: usize) -> *mut T {
        debug_assert!(self.is_allocated() && index <= self.bucket_mask);
        // SAFETY: forwarded from the caller.
        unsafe { slot_below(self.ctrl.as_ptr().cast::<T>(), index) }
    }

    /// Control byte `index`.
    ///
    /// # Safety
    /// `index < bucket_mask + 1 + GROUP_WIDTH` (any bucket, or the static group's 16 bytes).
    #[inline]
    unsafe fn ctrl_byte(&self, index: usize) -> u8 {
        // SAFETY: forwarded from the caller.
        unsafe { *self.ctrl.as_ptr().add(index) }
    }

    /// The group of 16 control bytes starting at `pos`.
    ///
    /// # Safety
    /// `pos <= bucket_mask` (so `pos + GROUP_WIDTH` bytes are readable; for an unallocated
    /// table `pos == 0` and the static group is read).
    #[inline]
    unsafe fn group(&self, pos: usize) -> Group {
        debug_assert!(pos <= self.bucket_mask);
        // SAFETY: forwarded from the caller.
        unsafe { Group::load(self.ctrl.as_ptr().add(pos)) }
    }

    /// Writes a control byte and its mirror in the trailing group.
    ///
    /// # Safety
    /// The table is allocated and `index <= bucket_mask`.
    #[inline]
    unsafe fn set_ctrl(&mut self, index: usize, byte: u8) {
        debug_assert!(self.is_allocated() && index <= self.bucket_mask);
        // For `index >= GROUP_WIDTH` this is `index` itself (written twice, harmlessly); for
        // the first group it is the mirror at `buckets + index`.
        let mirror = (index.wrapping_sub(GROUP_WIDTH) & self.bucket_mask) + GROUP_WIDTH;
        // SAFETY: `index <= bucket_mask` and `mirror <= bucket_mask + GROUP_WIDTH`, both
        // inside the `bucket_mask + 1 + GROUP_WIDTH` control bytes of the allocation.
        unsafe {
            *self.ctrl.as_ptr().add(index) = byte;
            *self.ctrl.as_ptr().add(mirror) = byte;
        }
    }

    /// The first EMPTY or DELETED slot on `hash`'s probe sequence.
    ///
    /// # Safety
    /// The table is allocated (so some group has a free slot: the load is at most 7/8).
    #[inline]
    unsafe fn find_insert_slot(&self, hash: u64) -> usize {
        let mut probe = ProbeSeq::new(hash, self.bucket_mask);
        loop {
            // SAFETY: `pos <= bucket_mask`.
            let group = unsafe { self.group(probe.pos) };
            if let Some(bit) = group.match_empty_or_deleted().lowest() {
                // With at least GROUP_WIDTH buckets the mirrors are exact copies, so the
                // masked position holds the same free byte.
                return (probe.pos + bit) & self.bucket_mask;
            }
            probe.move_next(self.bucket_mask);
        }
    }

    /// The slot holding an item for which `eq` is true, among those of hash `hash`.
    #[inline]
    pub(crate) fn find(&self, hash: u64, eq: impl FnMut(&T) -> bool) -> Option<usize> {
        self.probe(hash, eq, |index| index)
    }

    /// The probe loop of [`RawTable::find`] and [`RawTable::find_end`]: `on_hit(index)` of the
    /// slot holding an item for which `eq` is true, computed inside the loop (so that a
    /// pointer result is built from the address the key comparison used, as hashbrown's
    /// `find` returns its bucket pointer).
    #[inline(always)]
    fn probe<R>(
        &self,
        hash: u64,
        mut eq: impl FnMut(&T) -> bool,
        on_hit: impl FnOnce(usize) -> R,
    ) -> Option<R> {
        let tag = h2(hash);
        let mut probe = ProbeSeq::new(hash, self.bucket_mask);
        loop {
            // SAFETY: `pos <= bucket_mask` (0 for the static empty group).
            let group = unsafe { self.group(probe.pos) };
            let mut matches = group.match_byte(tag);
            // Not `for bit in matches`: clearing the bit only after a failed comparison keeps
            // that work (and a register) off the hit path, as in hashbrown's generated code.
            while let Some(bit) = matches.lowest() {
                let index = (probe.pos + bit) & self.bucket_mask;
                // SAFETY: `ctrl[index] == tag` (mirrors are exact), a full byte: the table is
                // allocated (the static group has no full byte), the slot initialised.
                let item = unsafe { &*self.slot(index) };
                if likely(eq(item)) {
                    return Some(on_hit(index));
                }
                matches.remove_lowest();
            }
            if likely(group.match_empty().any()) {
                return None;
            }
            probe.move_next(self.bucket_mask);
        }
    }

    /// [`RawTable::find`] returning the *end* of the item's slot, `ctrl − index·size_of::<T>()`
    /// (hashbrown's "bucket" pointer), rather than its index: the item is at `end − 1`. The
    /// slot address the key comparison computed is reused, `None` is tested on that same
    /// register, and a field is reached at a fixed negative offset from it: one instruction
    /// less per hit than handing back the slot's start (see `docs/openhash.md`).
    #[inline]
    fn find_end(&self, hash: u64, eq: impl FnMut(&T) -> bool) -> Option<NonNull<T>> {
        self.probe(hash, eq, |index| {
            // SAFETY: `index` is a full slot of the allocated table, so `ctrl − index·size`
            // lies inside the allocation (just past slot `index`) and is not null.
            unsafe { NonNull::new_unchecked(self.ctrl.as_ptr().cast::<T>().sub(index)) }
        })
    }

    /// The item for which `eq` is true, among those of hash `hash`.
    #[inline]
    pub(crate) fn find_ref(&self, hash: u64, eq: impl FnMut(&T) -> bool) -> Option<&T> {
        // `match`, not `?` or `map`: it keeps the `None` test on `find_end`'s pointer.
        match self.find_end(hash, eq) {
            // SAFETY: `find_end` returns the end of a full (initialised) slot.
            Some(end) => Some(unsafe { &*end.as_ptr().sub(1) }),
            None => None,
        }
    }

    /// The item for which `eq` is true, mutably.
    #[inline]
    pub(crate) fn find_mut(&mut self, hash: u64, eq: impl FnMut(&T) -> bool) -> Option<&mut T> {
        let end = self.find_end(hash, eq)?;
        // SAFETY: `find_end` returns the end of a full (initialised) slot; `&mut self` makes
        // the reference unique.
        Some(unsafe { &mut *end.as_ptr().sub(1) })
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
        // Not a safety condition: without room the probe still ends (the load is at most 7/8
        // counting tombstones), and `insert_in_slot` checks the slot it is given.
        debug_assert!(
            self.growth_left > 0,
            "reserve before find_or_find_insert_slot"
        );
        let tag = h2(hash);
        let mut insert_slot = None;
        let mut probe = ProbeSeq::new(hash, self.bucket_mask);
        loop {
            // SAFETY: `growth_left > 0` implies an allocated table; `pos <= bucket_mask`.
            let group = unsafe { self.group(probe.pos) };
            let mut matches = group.match_byte(tag);
            while let Some(bit) = matches.lowest() {
                let index = (probe.pos + bit) & self.bucket_mask;
                // SAFETY: a full control byte, so the slot is initialised.
                let item = unsafe { &*self.slot(index) };
                if likely(eq(item)) {
                    return Ok(index);
                }
                matches.remove_lowest();
            }
            if likely(insert_slot.is_none()) {
                if let Some(bit) = group.match_empty_or_deleted().lowest() {
                    insert_slot = Some((probe.pos + bit) & self.bucket_mask);
                }
            }
            if likely(group.match_empty().any()) {
                // An EMPTY in this group means the sequence ends here, and the first free slot
                // is at or before it.
                return Err(insert_slot.unwrap_or_else(unreachable_free_slot));
            }
            probe.move_next(self.bucket_mask);
        }
    }

    /// Puts `value` in `slot` (from `find_or_find_insert_slot`); returns the slot. Checks
    /// that `slot` is a free slot of this table (any `usize` is safe to pass).
    #[inline]
    pub(crate) fn insert_in_slot(&mut self, hash: u64, slot: usize, value: T) -> usize {
        assert!(
            slot <= self.bucket_mask && self.is_allocated(),
            "slot out of range"
        );
        // SAFETY: `slot <= bucket_mask` of an allocated table.
        let old = unsafe { self.ctrl_byte(slot) };
        assert!(!is_full(old), "insert into a full slot");
        // SAFETY: just checked: a free slot of this allocated table.
        unsafe { self.insert_in_slot_unchecked(hash, slot, value) };
        slot
    }

    /// [`RawTable::insert_in_slot`] without the checks, for `OpenMap::insert`, whose slot
    /// comes straight from the probe (the two `assert!`s cost 13 % of an insert into reserved
    /// room, see `docs/openhash.md`).
    ///
    /// # Safety
    /// `slot` is a bucket of this allocated table whose control byte is EMPTY or DELETED: the
    /// `Err` of [`RawTable::find_or_find_insert_slot`], with no change to the table since.
    #[inline]
    pub(crate) unsafe fn insert_in_slot_unchecked(&mut self, hash: u64, slot: usize, value: T) {
        debug_assert!(slot <= self.bucket_mask && self.is_allocated());
        // SAFETY: `slot <= bucket_mask` of an allocated table (the caller's guarantee).
        let old = unsafe { self.ctrl_byte(slot) };
        debug_assert!(!is_full(old) && (old != EMPTY || self.growth_left > 0));
        self.growth_left -= usize::from(old == EMPTY);
        // SAFETY: as above. The slot was not full, so nothing is overwritten without being
        // dropped; it is marked full and written together.
        unsafe {
            self.set_ctrl(slot, h2(hash));
            self.slot(slot).write(value);
        }
        self.items += 1;
    }

    /// Inserts an item known to be absent.
    #[cfg(test)]
    pub(crate) fn insert_new(&mut self, hash: u64, value: T, hasher: impl Fn(&T) -> u64) -> usize {
        self.reserve(1, hasher);
        // SAFETY: reserved, so allocated.
        let slot = unsafe { self.find_insert_slot(hash) };
        self.insert_in_slot(hash, slot, value)
    }

    /// The item in slot `index`, which `find_or_find_insert_slot` just returned as `Ok`.
    ///
    /// # Safety
    /// `index` is a full slot of this table (so it is initialised).
    #[inline]
    pub(crate) unsafe fn get_mut_unchecked(&mut self, index: usize) -> &mut T {
        // SAFETY: forwarded from the caller; `&mut self` makes the reference unique.
        unsafe { &mut *self.slot(index) }
    }

    /// Asserts that `index` is a full slot.
    #[inline]
    fn assert_full(&self, index: usize) {
        assert!(index <= self.bucket_mask, "slot is not full");
        // SAFETY: `index <= bucket_mask`, checked just above.
        let ctrl = unsafe { self.ctrl_byte(index) };
        assert!(is_full(ctrl), "slot is not full");
    }

    /// The item in a full slot.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> &T {
        self.assert_full(index);
        // SAFETY: checked just above that the control byte is full (so the table is allocated).
        unsafe { &*self.slot(index) }
    }

    /// The item in a full slot, mutably.
    #[inline]
    pub(crate) fn get_mut(&mut self, index: usize) -> &mut T {
        self.assert_full(index);
        // SAFETY: checked just above that the control byte is full.
        unsafe { &mut *self.slot(index) }
    }

    /// Removes and returns the item in a full slot.
    #[inline]
    pub(crate) fn remove(&mut self, index: usize) -> T {
        self.assert_full(index);
        // SAFETY: just checked.
        unsafe { self.remove_unchecked(index) }
    }

    /// [`RawTable::remove`] without the check, for a slot the probe just found (hashbrown's
    /// `remove` does not check either).
    ///
    /// # Safety
    /// `index` is a full slot of this table, as [`RawTable::find`] returns it.
    pub(crate) unsafe fn remove_unchecked(&mut self, index: usize) -> T {
        if cfg!(debug_assertions) {
            self.assert_full(index);
        }
        self.erase_ctrl(index);
        // SAFETY: the control byte was full (the caller's guarantee), so the slot is
        // initialised; it is now marked free, so the value is read out exactly once.
        unsafe { self.slot(index).read() }
    }

    /// Marks a full slot free. EMPTY is enough when no probe window can have seen the run of
    /// non-empty slots around it as a full group; otherwise a tombstone keeps probes going.
    #[inline]
    fn erase_ctrl(&mut self, index: usize) {
        debug_assert!(self.is_allocated() && index <= self.bucket_mask);
        let before = index.wrapping_sub(GROUP_WIDTH) & self.bucket_mask;
        // SAFETY: both positions are `<= bucket_mask`, the table is allocated.
        let (empty_before, empty_after) = unsafe {
            (
                self.group(before).match_empty(),
                self.group(index).match_empty(),
            )
        };
        let byte = if empty_before.leading_zeros() + empty_after.trailing_zeros() >= GROUP_WIDTH {
            DELETED
        } else {
            self.growth_left += 1;
            EMPTY
        };
        // SAFETY: a full slot of an allocated table.
        unsafe { self.set_ctrl(index, byte) };
        self.items -= 1;
    }

    /// Makes room for `additional` more items.
    #[inline]
    pub(crate) fn reserve(&mut self, additional: usize, hasher: impl Fn(&T) -> u64) {
        if additional > self.growth_left {
            self.reserve_rehash_or_panic(additional, hasher);
        }
    }

    /// The slow path of [`RawTable::reserve`], kept out of line so inserts stay small enough
    /// to inline.
    #[cold]
    #[inline(never)]
    fn reserve_rehash_or_panic(&mut self, additional: usize, hasher: impl Fn(&T) -> u64) {
        if let Err(e) = self.reserve_rehash(additional, hasher, Fallibility::Infallible) {
            panic!("{e}");
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
            // Tombstones, not items, exhausted the growth budget: purge them where they are.
            self.rehash_in_place(hasher);
            Ok(())
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
            // Nothing to move (no item): just free the allocation.
            debug_assert_eq!(self.items, 0);
            self.free_buckets();
            return;
        }
        if let Some(buckets) = capacity_to_buckets(want) {
            if buckets < self.buckets() {
                // Shrinking never overflows; an allocation failure aborts like `Vec`.
                let _ = self.resize(buckets, hasher, Fallibility::Infallible);
            }
        }
    }

    /// Moves every item into a fresh allocation of `buckets` slots, dropping all tombstones.
    ///
    /// Panic safety: items are copied bitwise into the new table while the old one stays
    /// untouched and authoritative; the new table counts no items until the end. If `hasher`
    /// panics midway, the new table is dropped (freeing its memory, dropping no item) and
    /// `self` is unchanged. Only after the last item is placed are the tables swapped; the old
    /// allocation is then freed, again dropping nothing.
    fn resize(
        &mut self,
        buckets: usize,
        hasher: impl Fn(&T) -> u64,
        fallibility: Fallibility,
    ) -> Result<(), Error> {
        debug_assert!(self.items <= bucket_mask_to_capacity(buckets - 1));
        let mut new = Self::alloc(buckets, fallibility)?;
        let mut iter = RawIterState::new(self);
        while let Some(index) = iter.next(self.ctrl_slice()) {
            // SAFETY: the iterator yields only full slots, which are initialised.
            let item = unsafe { self.slot(index) };
            // SAFETY: as above.
            let hash = hasher(unsafe { &*item });
            // SAFETY: `new` is allocated and has room for every item of `self`; the bitwise
            // copy moves ownership to `new` only once the tables are swapped below, and until
            // then `new.items == 0`, so neither copy is ever dropped twice.
            unsafe {
                let slot = new.find_insert_slot(hash);
                new.set_ctrl(slot, h2(hash));
                ptr::copy_nonoverlapping(item, new.slot(slot), 1);
            }
        }
        new.items = self.items;
        new.growth_left -= self.items;
        mem::swap(self, &mut new);
        // `new` is now the old table: its items were moved out, free the memory only.
        new.free_buckets();
        Ok(())
    }

    /// Purges tombstones without allocating: every item is re-placed within the same slots
    /// (hashbrown's algorithm). All full bytes are first marked DELETED ("not yet placed") and
    /// all EMPTY/DELETED bytes EMPTY; then each item still marked DELETED is hashed and moved
    /// to the first free slot of its probe sequence (kept where it is if that is in the same
    /// group), swapping with another not-yet-placed item when it lands on one.
    ///
    /// Panic safety: if `hasher` panics, the items still marked DELETED (not yet placed) are
    /// dropped and their slots emptied, so the table stays consistent; items are lost, none is
    /// dropped twice.
    fn rehash_in_place(&mut self, hasher: impl Fn(&T) -> u64) {
        /// Drops the not-yet-placed items if the hasher unwinds.
        struct Guard<'a, T>(&'a mut RawTable<T>);
        impl<T> Drop for Guard<'_, T> {
            fn drop(&mut self) {
                let t = &mut *self.0;
                for i in 0..t.buckets() {
                    // SAFETY: `i <= bucket_mask`; a DELETED byte here marks an initialised,
                    // not-yet-placed item (see `rehash_in_place`), emptied before its drop.
                    unsafe {
                        if t.ctrl_byte(i) == DELETED {
                            t.set_ctrl(i, EMPTY);
                            t.items -= 1;
                            ptr::drop_in_place(t.slot(i));
                        }
                    }
                }
                t.growth_left = bucket_mask_to_capacity(t.bucket_mask) - t.items;
            }
        }

        debug_assert!(self.is_allocated());
        let buckets = self.buckets();
        let mask = self.bucket_mask;
        for pos in (0..buckets).step_by(GROUP_WIDTH) {
            // SAFETY: `pos <= bucket_mask`, 16 control bytes from there are inside the table.
            unsafe {
                let p = self.ctrl.as_ptr().add(pos);
                Group::load(p)
                    .convert_special_to_empty_and_full_to_deleted()
                    .store(p);
            }
        }
        // SAFETY: the first GROUP_WIDTH bytes are copied to their mirrors, which follow the
        // `buckets >= GROUP_WIDTH` bytes (no overlap).
        unsafe {
            ptr::copy_nonoverlapping(
                self.ctrl.as_ptr(),
                self.ctrl.as_ptr().add(buckets),
                GROUP_WIDTH,
            );
        }
        let guard = Guard(self);
        let t = &mut *guard.0;
        'outer: for i in 0..buckets {
            // SAFETY: `i <= bucket_mask`.
            if unsafe { t.ctrl_byte(i) } != DELETED {
                continue;
            }
            // SAFETY: `i` is a bucket of the allocated table.
            let i_ptr = unsafe { t.slot(i) };
            loop {
                // SAFETY: a DELETED byte marks an initialised item not yet placed.
                let hash = hasher(unsafe { &*i_ptr });
                // SAFETY: allocated; the DELETED slot `i` itself is free to take.
                let new_i = unsafe { t.find_insert_slot(hash) };
                let h1 = hash as usize & mask;
                let probe_group = |pos: usize| (pos.wrapping_sub(h1) & mask) / GROUP_WIDTH;
                if probe_group(i) == probe_group(new_i) {
                    // Already in the best group it can be in: stay.
                    // SAFETY: `i <= bucket_mask`.
                    unsafe { t.set_ctrl(i, h2(hash)) };
                    continue 'outer;
                }
                // SAFETY: `new_i <= bucket_mask`; it is EMPTY (free) or DELETED (another item
                // not yet placed), never a placed (full) item.
                unsafe {
                    let new_ptr = t.slot(new_i);
                    let prev = t.ctrl_byte(new_i);
                    t.set_ctrl(new_i, h2(hash));
                    if prev == EMPTY {
                        t.set_ctrl(i, EMPTY);
                        ptr::copy_nonoverlapping(i_ptr, new_ptr, 1);
                        continue 'outer;
                    }
                    debug_assert_eq!(prev, DELETED);
                    // Place ours, take the other item into slot `i` and place it next.
                    ptr::swap_nonoverlapping(i_ptr, new_ptr, 1);
                }
            }
        }
        t.growth_left = bucket_mask_to_capacity(t.bucket_mask) - t.items;
        mem::forget(guard);
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
        while let Some(index) = iter.next(self.ctrl_slice()) {
            // SAFETY: the slot was full (initialised) and is marked free before its drop, so
            // it is dropped exactly once.
            unsafe {
                self.set_ctrl(index, DELETED);
                self.items -= 1;
                ptr::drop_in_place(self.slot(index));
            }
        }
        debug_assert_eq!(self.items, 0);
        self.reset_ctrl();
    }

    /// All control bytes EMPTY and the full growth budget (no item may be left).
    fn reset_ctrl(&mut self) {
        debug_assert_eq!(self.items, 0);
        if self.is_allocated() {
            // SAFETY: the allocation has `buckets + GROUP_WIDTH` control bytes.
            unsafe { ptr::write_bytes(self.ctrl.as_ptr(), EMPTY, self.buckets() + GROUP_WIDTH) };
            self.growth_left = bucket_mask_to_capacity(self.bucket_mask);
        }
    }

    /// Keeps the items for which `f` returns true.
    pub(crate) fn retain(&mut self, mut f: impl FnMut(&mut T) -> bool) {
        let mut iter = RawIterState::new(self);
        while let Some(index) = iter.next(self.ctrl_slice()) {
            // SAFETY: the iterator yields only full slots; marking slots free does not change
            // the groups the iterator has already loaded.
            let keep = f(unsafe { &mut *self.slot(index) });
            if !keep {
                drop(self.remove(index));
            }
        }
    }

    /// Removes and returns the next full slot at or after the iterator's position, leaving a
    /// tombstone (so a leaked `Drain` leaves a consistent table).
    #[inline]
    pub(crate) fn take_next(&mut self, iter: &mut RawIterState) -> Option<T> {
        let index = iter.next(self.ctrl_slice())?;
        self.assert_full(index);
        // SAFETY: the slot was full and is now marked free: read out exactly once.
        unsafe {
            self.set_ctrl(index, DELETED);
            self.items -= 1;
            Some(self.slot(index).read())
        }
    }

    /// Forgets all tombstones after a full drain (no item is left).
    pub(crate) fn reset_after_drain(&mut self) {
        self.reset_ctrl();
    }

    /// The control bytes (for the iterators): `buckets + GROUP_WIDTH` of them, or the static
    /// empty group.
    #[inline]
    pub(crate) fn ctrl_slice(&self) -> &[u8] {
        let len = if self.is_allocated() {
            self.bucket_mask + 1 + GROUP_WIDTH
        } else {
            GROUP_WIDTH
        };
        // SAFETY: `len` control bytes are initialised and live as long as `&self`; they are
        // only written through `&mut self`.
        unsafe { core::slice::from_raw_parts(self.ctrl.as_ptr(), len) }
    }

    /// Raw parts for `IterMut`: the control bytes and the slot base (slot `i` is
    /// [`slot_below`]`(base, i)`).
    #[inline]
    pub(crate) fn split_for_iter_mut(&mut self) -> (&[u8], *mut T) {
        let base = self.ctrl.as_ptr().cast::<T>();
        (self.ctrl_slice(), base)
    }

    /// The item in a slot the iterator reported full.
    ///
    /// # Safety
    /// `index` must come from a [`RawIterState`] created for this table while it has not been
    /// modified since.
    #[inline]
    pub(crate) unsafe fn get_unchecked(&self, index: usize) -> &T {
        // SAFETY: the caller guarantees the slot is full, hence initialised and in bounds.
        unsafe {
            debug_assert!(is_full(self.ctrl_byte(index)));
            &*self.slot(index)
        }
    }

    /// Groups a miss for `hash` loads before it meets an EMPTY byte (for tests).
    #[cfg(test)]
    pub(crate) fn miss_probe_groups(&self, hash: u64) -> usize {
        let mut probe = ProbeSeq::new(hash, self.bucket_mask);
        let mut groups = 1;
        // SAFETY: `pos <= bucket_mask`.
        while !unsafe { self.group(probe.pos) }.match_empty().any() {
            probe.move_next(self.bucket_mask);
            groups += 1;
        }
        groups
    }

    /// Tombstones in the table (for tests of the purge).
    #[cfg(test)]
    #[allow(clippy::naive_bytecount)]
    pub(crate) fn tombstones(&self) -> usize {
        self.ctrl_slice()[..self.buckets()]
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
        let mut new = match Self::alloc(self.buckets(), Fallibility::Infallible) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        new.growth_left = 0;
        let mut iter = RawIterState::new(self);
        while let Some(index) = iter.next(self.ctrl_slice()) {
            // SAFETY: the iterator yields only full, initialised slots.
            let value = unsafe { (*self.slot(index)).clone() };
            // SAFETY: same bucket count, so `index` is a bucket of `new`; the slot is marked
            // full together with its write.
            unsafe {
                new.slot(index).write(value);
                new.set_ctrl(index, self.ctrl_byte(index));
            }
            new.items += 1;
        }
        // Tombstones are copied too, so the probe sequences (and growth budget) match.
        let ctrl = self.ctrl_slice();
        // SAFETY: both tables have `buckets + GROUP_WIDTH` control bytes; distinct allocations.
        unsafe { ptr::copy_nonoverlapping(ctrl.as_ptr(), new.ctrl.as_ptr(), ctrl.len()) };
        new.growth_left = self.growth_left;
        new
    }
}

impl<T> Drop for RawTable<T> {
    fn drop(&mut self) {
        /// Frees the memory even if an item's `Drop` panics (the remaining items leak).
        struct FreeOnDrop<'a, T>(&'a mut RawTable<T>);
        impl<T> Drop for FreeOnDrop<'_, T> {
            fn drop(&mut self) {
                self.0.free_buckets();
            }
        }
        let guard = FreeOnDrop(self);
        let t = &*guard.0;
        if mem::needs_drop::<T>() && t.items > 0 {
            let mut iter = RawIterState::new(t);
            while let Some(index) = iter.next(t.ctrl_slice()) {
                // SAFETY: full slots are initialised; each is visited once. If a `Drop`
                // panics, the remaining items leak (no double drop) and the guard frees the
                // memory.
                unsafe { ptr::drop_in_place(t.slot(index)) };
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
            // SAFETY: position 0 is always a valid group start.
            unsafe { table.group(0) }.match_full()
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
            assert!(
                self.group_base + GROUP_WIDTH < ctrl.len(),
                "iterator overran the table"
            );
            // SAFETY: checked just above: 16 bytes from `group_base` are inside `ctrl`.
            self.current = unsafe { Group::load(ctrl.as_ptr().add(self.group_base)) }.match_full();
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
        let mut ctrl = [EMPTY; 32];
        ctrl[3] = 0x12;
        ctrl[5] = DELETED;
        ctrl[9] = 0x12;
        // SAFETY: 32 bytes, load at 0 reads 16.
        let g = unsafe { Group::load(ctrl.as_ptr()) };
        assert_eq!(g.match_byte(0x12).collect::<Vec<_>>(), vec![3, 9]);
        assert_eq!(g.match_full().collect::<Vec<_>>(), vec![3, 9]);
        assert_eq!(g.match_empty().count(), 13);
        assert_eq!(g.match_empty_or_deleted().count(), 14);
    }

    /// `match_byte` against a scalar comparison, for every byte value (including those with
    /// the high bit set, which the SSE2 version splats as negative `i8`s).
    #[test]
    fn match_byte_every_value() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        for chunk in bytes.chunks(GROUP_WIDTH) {
            // Each value once, plus a repeat of the chunk's first value at the end.
            let mut ctrl = [0u8; GROUP_WIDTH];
            ctrl.copy_from_slice(chunk);
            ctrl[GROUP_WIDTH - 1] = chunk[0];
            // SAFETY: 16 readable bytes.
            let g = unsafe { Group::load(ctrl.as_ptr()) };
            // Under Miri (the portable group) a sample of values plus the chunk's own: every
            // value would take minutes there.
            let values: Vec<u8> = if cfg!(miri) {
                (0..=255u8)
                    .step_by(37)
                    .chain(chunk.iter().copied())
                    .collect()
            } else {
                (0..=255u8).collect()
            };
            for b in values {
                let want: Vec<usize> = (0..GROUP_WIDTH).filter(|&i| ctrl[i] == b).collect();
                assert_eq!(g.match_byte(b).collect::<Vec<_>>(), want, "byte {b:#04x}");
            }
        }
    }

    #[test]
    fn mirror_bytes_follow() {
        let mut t: RawTable<u64> =
            RawTable::try_with_capacity(10, Fallibility::Infallible).unwrap();
        let h = |x: &u64| *x;
        t.insert_new(3, 3, h);
        assert_eq!(t.ctrl_slice()[3], h2(3));
        assert_eq!(t.ctrl_slice()[16 + 3], h2(3));
        assert_eq!(t.find(3, |&x| x == 3), Some(3));
        assert_eq!(t.remove(3), 3);
        assert_eq!(t.ctrl_slice()[3], EMPTY);
        assert_eq!(t.tombstones(), 0);
    }

    /// A well-mixed hash of a `u64` (splitmix64's finaliser). By reference: it is a hasher.
    #[allow(clippy::trivially_copy_pass_by_ref)]
    fn mix(x: &u64) -> u64 {
        let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn insert(t: &mut RawTable<u64>, k: u64, hasher: fn(&u64) -> u64) {
        t.reserve(1, hasher);
        match t.find_or_find_insert_slot(hasher(&k), |&x| x == k) {
            Ok(_) => panic!("{k} already present"),
            Err(slot) => t.insert_in_slot(hasher(&k), slot, k),
        };
    }

    fn remove(t: &mut RawTable<u64>, k: u64, hasher: fn(&u64) -> u64) -> Option<u64> {
        let i = t.find(hasher(&k), |&x| x == k)?;
        Some(t.remove(i))
    }

    /// Remove-one-insert-one churn at a constant 400 items in a 1024-slot table fills it with
    /// tombstones (many removals sit inside full groups); the purge
    /// must happen **in place** (same allocation, same size), keep every item findable, and
    /// keep misses short. Without the purge the table would grow (or, with no growth either,
    /// misses would scan every group). Too slow for Miri (tombstones take ~10⁴ rounds to pile
    /// up); the rehash's memory safety is checked there by the two tests below, which call it
    /// directly.
    #[test]
    #[cfg_attr(miri, ignore = "statistical churn: too slow under Miri")]
    fn churn_rehashes_in_place() {
        let (live, cap, buckets, rounds) = (400u64, 800, 1024, 100_000u64);
        let mut t: RawTable<u64> =
            RawTable::try_with_capacity(cap, Fallibility::Infallible).unwrap();
        for k in 0..live {
            insert(&mut t, k, mix);
        }
        let ptr = t.ctrl;
        assert_eq!(t.buckets(), buckets);
        let mut purges = 0;
        let mut max_tombstones = 0;
        for r in 0..rounds {
            assert_eq!(remove(&mut t, r, mix), Some(r));
            if r % 64 == 0 {
                max_tombstones = max_tombstones.max(t.tombstones());
            }
            let budget = t.growth_left;
            insert(&mut t, r + live, mix);
            // An insert spends at most one unit of budget; only a purge gives budget back.
            if t.growth_left > budget {
                purges += 1;
            }
            assert_eq!(t.len(), live as usize);
        }
        assert!(purges >= 1, "tombstones were never purged");
        assert!(
            max_tombstones > buckets / 10,
            "the churn made too few tombstones ({max_tombstones}) to test the purge"
        );
        assert_eq!(t.buckets(), buckets, "the table grew");
        assert_eq!(
            t.ctrl, ptr,
            "the purge reallocated instead of rehashing in place"
        );
        for k in rounds..rounds + live {
            assert_eq!(t.find_ref(mix(&k), |&x| x == k), Some(&k));
        }
        for k in 0..rounds.min(200) {
            assert_eq!(t.find(mix(&k), |&x| x == k), None);
        }
        // After a purge, misses stop at the first or second group on average.
        t.rehash_in_place(mix);
        assert_eq!(t.ctrl, ptr);
        assert_eq!(t.tombstones(), 0);
        let probes: usize = (0..200u64)
            .map(|k| t.miss_probe_groups(mix(&(k + (1 << 40)))))
            .sum();
        assert!(
            probes < 200 * 3 / 2,
            "mean miss probe {} groups",
            probes as f64 / 200.0
        );
    }

    /// The in-place rehash with a hash that piles every item into a few groups: the swap path
    /// (an item landing on another not-yet-placed item) runs, and every item survives.
    #[test]
    fn rehash_in_place_with_collisions() {
        // Fewer items under Miri (every probe is a loop there); still several full groups.
        let n: u64 = if cfg!(miri) { 48 } else { 100 };
        #[allow(clippy::trivially_copy_pass_by_ref)]
        fn clumped(x: &u64) -> u64 {
            // Low bits: 4 home slots in one region; top bits: a 7-bit tag varying with x.
            ((x % 4) * 3) | (mix(x) & (0x7f << 57))
        }
        let mut t: RawTable<u64> =
            RawTable::try_with_capacity(n as usize, Fallibility::Infallible).unwrap();
        for k in 0..n {
            insert(&mut t, k, clumped);
        }
        for k in (0..n).step_by(3) {
            assert_eq!(remove(&mut t, k, clumped), Some(k));
        }
        let ptr = t.ctrl;
        t.rehash_in_place(clumped);
        assert_eq!(t.ctrl, ptr);
        assert_eq!(t.tombstones(), 0);
        assert_eq!(t.capacity(), bucket_mask_to_capacity(t.bucket_mask));
        for k in 0..n {
            let found = t.find(clumped(&k), |&x| x == k).is_some();
            assert_eq!(found, k % 3 != 0, "key {k}");
        }
        // And again with a well-mixed hash: items move between groups.
        t.rehash_in_place(mix);
        let mut got: Vec<u64> = (0..t.buckets())
            .filter(|&i| is_full(t.ctrl_slice()[i]))
            .map(|i| *t.get(i))
            .collect();
        got.sort_unstable();
        assert_eq!(got, (0..n).filter(|k| k % 3 != 0).collect::<Vec<_>>());
        for k in 0..n {
            assert_eq!(t.find(mix(&k), |&x| x == k).is_some(), k % 3 != 0);
        }
    }

    /// A hasher that panics halfway through an in-place rehash: the not-yet-placed items are
    /// dropped (once), the placed ones stay findable, the table stays usable.
    #[test]
    fn rehash_in_place_panic_drops_each_item_once() {
        use std::cell::Cell;
        use std::rc::Rc;
        let drops = Rc::new(Cell::new(0usize));
        struct D(u64, Rc<Cell<usize>>);
        impl Drop for D {
            fn drop(&mut self) {
                self.1.set(self.1.get() + 1);
            }
        }
        let h = |d: &D| mix(&d.0);
        let mut t: RawTable<D> = RawTable::try_with_capacity(50, Fallibility::Infallible).unwrap();
        for k in 0..50 {
            t.reserve(1, h);
            let slot = t
                .find_or_find_insert_slot(mix(&k), |d| d.0 == k)
                .unwrap_err();
            t.insert_in_slot(mix(&k), slot, D(k, drops.clone()));
        }
        let calls = Cell::new(0);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            t.rehash_in_place(|d: &D| {
                calls.set(calls.get() + 1);
                assert!(calls.get() < 20, "hasher panics");
                mix(&d.0)
            });
        }));
        assert!(r.is_err());
        let left = t.len();
        assert!(left < 50 && left > 0, "{left} items left");
        assert_eq!(drops.get(), 50 - left);
        assert_eq!(t.tombstones(), 0);
        let mut found = 0;
        for k in 0..50 {
            if let Some(i) = t.find(mix(&k), |d| d.0 == k) {
                assert_eq!(t.get(i).0, k);
                found += 1;
            }
        }
        assert_eq!(found, left);
        drop(t);
        assert_eq!(drops.get(), 50);
    }

    #[test]
    fn empty_table_needs_no_allocation() {
        let t: RawTable<u64> = RawTable::new();
        assert_eq!(t.find(123, |_| true), None);
        assert_eq!(t.allocation_bytes(), 0);
        assert_eq!(t.capacity(), 0);
        assert_eq!(t.buckets(), 0);
        let t2: RawTable<[u8; 3]> =
            RawTable::try_with_capacity(20, Fallibility::Infallible).unwrap();
        // 32 slots of 3 bytes = 96, padded to 16, then 32 + 16 control bytes.
        assert_eq!(t2.allocation_bytes(), 96 + 48);
    }

    /// `(observed, expected)` false tag matches (key comparisons with a wrong key) over one
    /// successful lookup of each of the keys `0..n`, after inserting them with `hasher`.
    /// Expected assumes the tag bits are independent of the position bits: each other full
    /// slot the lookup compares tags with (every full slot of the groups it passes, and those
    /// before the key in its own group) matches with probability 1/128.
    fn false_tag_matches(hasher: fn(&u64) -> u64, n: u64) -> (u64, f64) {
        let mut t: RawTable<u64> = RawTable::new();
        for k in 0..n {
            insert(&mut t, k, hasher);
        }
        let (mut observed, mut expected) = (0, 0.0);
        for k in 0..n {
            let hash = hasher(&k);
            let mut calls = 0;
            let index = t
                .find(hash, |&x| {
                    calls += 1;
                    x == k
                })
                .unwrap();
            observed += calls - 1;
            let mut probe = ProbeSeq::new(hash, t.bucket_mask);
            loop {
                // SAFETY: `pos <= bucket_mask`.
                let full = unsafe { t.group(probe.pos) }.match_full().0;
                let bit = index.wrapping_sub(probe.pos) & t.bucket_mask;
                if bit < GROUP_WIDTH {
                    expected += f64::from((full & ((1u16 << bit) - 1)).count_ones()) / 128.0;
                    break;
                }
                expected += f64::from(full.count_ones()) / 128.0;
                probe.move_next(t.bucket_mask);
            }
        }
        (observed, expected)
    }

    /// The slot comes from the hash's low bits and the tag from its top 7, so with a
    /// well-mixed hash each full slot a hit passes is a false tag match with probability
    /// 1/128 (about 0.012 false matches per hit at load 0.76).
    /// Correlated bits would make keys of one group share tags, and every false match is an
    /// extra slot load (a cache miss on a large table). Checked for the default hasher
    /// (`ahash`) at load 0.76; a hash whose tag repeats its group bits must fail the same
    /// bound.
    #[test]
    #[cfg_attr(miri, ignore = "50 000 lookups: too slow under Miri")]
    fn tag_bits_are_independent_of_position() {
        #[allow(clippy::trivially_copy_pass_by_ref)] // a hasher: by reference
        fn ahash_u64(x: &u64) -> u64 {
            ahash::RandomState::with_seeds(1, 2, 3, 4).hash_one(x)
        }
        /// `mix`, with the tag bits replaced by the home group's bits.
        #[allow(clippy::trivially_copy_pass_by_ref)]
        fn correlated(x: &u64) -> u64 {
            let h = mix(x);
            (h & !(0x7f << 57)) | (((h >> 4) & 0x7f) << 57)
        }
        let within = |(observed, expected): (u64, f64)| {
            // A sum of many rare, nearly independent events: Poisson, sd = sqrt(mean).
            (observed as f64 - expected).abs() <= 5.0 * expected.sqrt()
        };
        let n = 50_000;
        for hasher in [ahash_u64 as fn(&u64) -> u64, mix] {
            let (observed, expected) = false_tag_matches(hasher, n);
            eprintln!(
                "false tag matches per hit: {:.4} (independent bits: {:.4})",
                observed as f64 / n as f64,
                expected / n as f64
            );
            assert!(within((observed, expected)), "{observed} vs {expected:.1}");
            // Sanity: a hit compares tags with the ~1.5 full slots between its home position
            // and its slot (its displacement), plus whole groups when it is not in the first.
            assert!(expected > n as f64 * 0.005, "{expected}");
        }
        let bad = false_tag_matches(correlated, n);
        eprintln!(
            "correlated tags: {:.4} false matches per hit (independent bits: {:.4})",
            bad.0 as f64 / n as f64,
            bad.1 / n as f64
        );
        assert!(!within(bad), "correlated tags went unnoticed: {bad:?}");
    }
}
