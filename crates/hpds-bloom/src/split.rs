//! Split blocks: the storage and the probe of [`crate::BlockedBloomFilter`] and of the stages of
//! [`crate::ScalableBloomFilter`].
//!
//! A block is 256 bits, eight 32-bit words, aligned to 32 bytes so it never straddles a cache
//! line. An item picks one block with the high 32 bits of its 64-bit hash (multiply-shift) and
//! sets one bit in each of the eight words, bit `(key · SALT[i]) >> 27` of word `i`, where `key`
//! is the low 32 bits of the hash (the layout of Parquet's split-block Bloom filter). Filters for
//! low rates repeat this in `rounds` rounds, each with the key multiplied by another odd
//! constant, so an item sets `8 · rounds` bits (at most one per word per round).
//!
//! The query computes the eight-word mask and compares it with the block as a whole, with no
//! data-dependent branch: consecutive queries' cache misses overlap however the earlier ones
//! answer. On x86-64 with AVX2 (detected at run time) the mask is four vector instructions
//! and the comparison one `vptest`; elsewhere, and under Miri, the same mask is built word by
//! word (`scalar`).
#![allow(unsafe_code)]

/// Words in a block.
pub(crate) const WORDS: usize = 8;

/// Bits in a block.
pub(crate) const BLOCK_BITS: u64 = 256;

/// Parquet's split-block salts: eight odd multipliers whose products with a key give the eight
/// words' bit positions in their top five bits.
const SALT: [u32; WORDS] = [
    0x47b6_137b,
    0x4497_4d91,
    0x8824_ad5b,
    0xa2b7_289d,
    0x7054_95c7,
    0x2df1_424b,
    0x9efc_4947,
    0x5c6b_fb31,
];

/// Odd multipliers giving each round its own key (round 0 uses the key itself).
const ROUND: [u32; 8] = [
    1,
    0x9e37_79b9,
    0x85eb_ca6b,
    0xc2b2_ae35,
    0x27d4_eb2f,
    0x1656_67b1,
    0xd3a2_646d,
    0xfd70_46c5,
];

/// Most rounds a filter may use (`8 · MAX_ROUNDS` bits per item).
pub(crate) const MAX_ROUNDS: u32 = ROUND.len() as u32;

/// One 256-bit block, aligned so an operation touches exactly one cache line.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
#[repr(C, align(32))]
pub(crate) struct Block(pub(crate) [u32; WORDS]);

/// The block of a 64-bit hash among `blocks` blocks (`blocks <= 2^32`): multiply-shift of its
/// high half, always below `blocks`.
#[inline(always)]
pub(crate) fn block_index(hash: u64, blocks: usize) -> usize {
    (((hash >> 32) * blocks as u64) >> 32) as usize
}

/// The bits an item with key `key` sets in its block: one per word per round.
#[inline(always)]
pub(crate) fn mask(key: u32, rounds: u32) -> [u32; WORDS] {
    let mut m = round_mask(key);
    if rounds > 1 {
        m = more_rounds(m, key, rounds);
    }
    m
}

/// The first round's bits: one per word.
#[inline(always)]
fn round_mask(key: u32) -> [u32; WORDS] {
    SALT.map(|s| 1 << (key.wrapping_mul(s) >> 27))
}

/// `m` with the bits of rounds `1..rounds` added. Out of line: only filters for rates below
/// about 0.001% use more than one round, and the one-round path stays short.
#[cold]
#[inline(never)]
fn more_rounds(mut m: [u32; WORDS], key: u32, rounds: u32) -> [u32; WORDS] {
    for &r in ROUND.iter().take(rounds as usize).skip(1) {
        for (w, b) in m.iter_mut().zip(round_mask(key.wrapping_mul(r))) {
            *w |= b;
        }
    }
    m
}

/// Whether every bit of `mask` is set in `block`.
#[inline(always)]
fn covers(block: &Block, mask: &[u32; WORDS]) -> bool {
    let mut missing = 0;
    for (w, m) in block.0.iter().zip(mask) {
        missing |= m & !w;
    }
    missing == 0
}

/// Whether AVX2 is available: 0 not yet asked, 1 no, 2 yes.
#[cfg(all(target_arch = "x86_64", not(miri)))]
static AVX2: core::sync::atomic::AtomicU8 = core::sync::atomic::AtomicU8::new(0);

/// Whether AVX2 can be used: one compare of a cached byte per operation (std's own cache
/// costs a few more instructions, which show on a probe of about twenty).
#[cfg(all(target_arch = "x86_64", not(miri)))]
#[inline(always)]
fn avx2() -> bool {
    let known = AVX2.load(core::sync::atomic::Ordering::Relaxed);
    if known == 2 {
        return true;
    }
    known == 0 && detect_avx2()
}

#[cfg(all(target_arch = "x86_64", not(miri)))]
#[cold]
#[inline(never)]
fn detect_avx2() -> bool {
    let yes = std::is_x86_feature_detected!("avx2");
    AVX2.store(1 + u8::from(yes), core::sync::atomic::Ordering::Relaxed);
    yes
}

/// The probe functions of one filter: chosen once, when the filter is made, for the machine
/// (AVX2 where the processor has it, detected at run time) and the filter's rounds (one
/// function per number of rounds, so the rounds are a constant in it and not an argument).
/// A query then costs one indirect call and no test of the processor or of the filter's
/// shape, which showed as five of about fifty instructions per call, and an argument for the
/// rounds as one more (`benches/benches/bloom_icount.rs` in the workspace).
#[derive(Clone, Copy)]
pub(crate) struct Kernel {
    test: TestFn,
    insert: InsertFn,
}

/// Whether `blocks` hold a hash's bits (`rounds` rounds); `blocks` must not be empty, and the
/// AVX2 functions need AVX2.
type TestFn = unsafe fn(&[Block], u64) -> bool;
/// Sets a hash's bits in `blocks`; whether they were all set before. As [`TestFn`].
type InsertFn = unsafe fn(&mut [Block], u64) -> bool;

/// `$f::<R>` for the number of rounds `$rounds` (`1..=MAX_ROUNDS`; more panics).
macro_rules! for_rounds {
    ($rounds:expr, $($f:ident)::+) => {
        match $rounds {
            1 => $($f)::+::<1>,
            2 => $($f)::+::<2>,
            3 => $($f)::+::<3>,
            4 => $($f)::+::<4>,
            5 => $($f)::+::<5>,
            6 => $($f)::+::<6>,
            7 => $($f)::+::<7>,
            8 => $($f)::+::<8>,
            r => panic!("{r} rounds: at most {MAX_ROUNDS}"),
        }
    };
}

impl Kernel {
    /// The functions for a filter of `rounds` rounds (`1..=MAX_ROUNDS`) on this machine.
    pub(crate) fn new(rounds: u32) -> Self {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        if avx2() {
            return Self {
                test: for_rounds!(rounds, x86::test),
                insert: for_rounds!(rounds, x86::insert),
            };
        }
        Self {
            test: for_rounds!(rounds, test_portable),
            insert: for_rounds!(rounds, insert_portable),
        }
    }

    /// Whether `blocks` (not empty) hold the item with this 64-bit hash, with the kernel's
    /// rounds: its block is [`block_index`], its key the low half.
    #[inline(always)]
    pub(crate) fn test(self, blocks: &[Block], hash: u64) -> bool {
        debug_assert!(!blocks.is_empty());
        // SAFETY: `new` picks the AVX2 functions only when the processor has AVX2; the slices
        // of a filter's blocks are never empty (its constructors and decoder refuse 0 blocks).
        unsafe { (self.test)(blocks, hash) }
    }

    /// Sets the item's bits in its block of `blocks` (not empty), with the kernel's rounds;
    /// whether they were all set before.
    #[inline(always)]
    pub(crate) fn insert(self, blocks: &mut [Block], hash: u64) -> bool {
        debug_assert!(!blocks.is_empty());
        // SAFETY: as in `test`.
        unsafe { (self.insert)(blocks, hash) }
    }
}

/// [`Kernel::test`] word by word, for `R` rounds.
fn test_portable<const R: u32>(blocks: &[Block], hash: u64) -> bool {
    covers(
        &blocks[block_index(hash, blocks.len())],
        &mask(hash as u32, R),
    )
}

/// [`Kernel::insert`] word by word, for `R` rounds.
fn insert_portable<const R: u32>(blocks: &mut [Block], hash: u64) -> bool {
    let m = mask(hash as u32, R);
    let block = &mut blocks[block_index(hash, blocks.len())];
    let present = covers(block, &m);
    for (w, b) in block.0.iter_mut().zip(m) {
        *w |= b;
    }
    present
}

/// Whether some filter among `newest` and `older` (each a non-empty slice of one-round blocks)
/// holds the item with this 64-bit hash. The mask is computed once; `newest` is tested first
/// and answers alone when it holds the item (a scalable filter's newest stage is its largest,
/// where most members live), and the `older` filters are then tested without a branch on their
/// contents, so their cache misses overlap.
#[inline(always)]
pub(crate) fn test_newest_first<'a>(
    newest: &[Block],
    older: impl Iterator<Item = &'a [Block]>,
    hash: u64,
) -> bool {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    if avx2() {
        // SAFETY: AVX2 is available (checked just above); the slices are not empty (the
        // caller's contract).
        return unsafe { x86::test_newest_first(newest, older, hash) };
    }
    let m = mask(hash as u32, 1);
    if covers(&newest[block_index(hash, newest.len())], &m) {
        return true;
    }
    let mut found = false;
    for blocks in older {
        found |= covers(&blocks[block_index(hash, blocks.len())], &m);
    }
    found
}

/// A scalable filter's insert in one pass: whether some filter among `older` and `newest`
/// (each a non-empty slice of one-round blocks) holds the item with this 64-bit hash, and
/// unless one of `older` does, its bits set in `newest`. The mask and the newest filter's
/// block are computed once; the `older` filters are tested without a branch on their contents
/// and the newest block is written whatever they answer (unchanged when one of them holds the
/// item), so no branch depends on the loaded blocks.
#[inline(always)]
pub(crate) fn insert_unless_any<'a>(
    older: impl Iterator<Item = &'a [Block]>,
    newest: &mut [Block],
    hash: u64,
) -> bool {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    if avx2() {
        // SAFETY: AVX2 is available (checked just above); the slices are not empty (the
        // caller's contract).
        return unsafe { x86::insert_unless_any(older, newest, hash) };
    }
    let m = mask(hash as u32, 1);
    let mut found = false;
    for blocks in older {
        found |= covers(&blocks[block_index(hash, blocks.len())], &m);
    }
    let block = &mut newest[block_index(hash, newest.len())];
    let present = covers(block, &m);
    let keep = 0u32.wrapping_sub(u32::from(!found));
    for (w, b) in block.0.iter_mut().zip(m) {
        *w |= b & keep;
    }
    found | present
}

#[cfg(all(target_arch = "x86_64", not(miri)))]
mod x86 {
    use core::arch::x86_64::{
        __m256i, _mm256_and_si256, _mm256_load_si256, _mm256_mullo_epi32, _mm256_or_si256,
        _mm256_set1_epi32, _mm256_setr_epi32, _mm256_sllv_epi32, _mm256_srli_epi32,
        _mm256_store_si256, _mm256_testc_si256,
    };

    use super::{Block, ROUND, SALT, block_index};

    /// One round's eight-word mask of `key` in one vector.
    ///
    /// # Safety
    /// AVX2 must be available.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn round_mask(key: u32) -> __m256i {
        let salt = _mm256_setr_epi32(
            SALT[0] as i32,
            SALT[1] as i32,
            SALT[2] as i32,
            SALT[3] as i32,
            SALT[4] as i32,
            SALT[5] as i32,
            SALT[6] as i32,
            SALT[7] as i32,
        );
        let bit = _mm256_srli_epi32::<27>(_mm256_mullo_epi32(_mm256_set1_epi32(key as i32), salt));
        _mm256_sllv_epi32(_mm256_set1_epi32(1), bit)
    }

    /// The mask of `key` over `R` rounds: a vector loop (none for one round), no call, so the
    /// probes need no stack frame.
    ///
    /// # Safety
    /// AVX2 must be available.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn mask<const R: u32>(key: u32) -> __m256i {
        // SAFETY: AVX2 is available (the caller's contract).
        let mut m = unsafe { round_mask(key) };
        for &r in ROUND.iter().take(R as usize).skip(1) {
            // SAFETY: as above.
            m = _mm256_or_si256(m, unsafe { round_mask(key.wrapping_mul(r)) });
        }
        m
    }

    /// A pointer to the block of `hash` in `blocks`, which must not be empty.
    #[inline(always)]
    fn block_ptr(blocks: &[Block], hash: u64) -> *const __m256i {
        let at = block_index(hash, blocks.len());
        debug_assert!(at < blocks.len());
        // In bounds: `block_index` is below `blocks.len()` for a non-empty slice.
        blocks.as_ptr().wrapping_add(at).cast::<__m256i>()
    }

    /// [`super::Kernel::test`] in AVX2, for `R` rounds.
    ///
    /// # Safety
    /// AVX2 must be available, and `blocks` must not be empty.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn test<const R: u32>(blocks: &[Block], hash: u64) -> bool {
        // SAFETY: `block_ptr` points to a `Block` of the non-empty slice (`block_index` is
        // below its length); a `Block` is 32 bytes aligned to 32, so the aligned 256-bit load
        // reads exactly that block, through a shared borrow.
        let b = unsafe { _mm256_load_si256(block_ptr(blocks, hash)) };
        // SAFETY: AVX2 is available (the caller's contract).
        let m = unsafe { mask::<R>(hash as u32) };
        _mm256_testc_si256(b, m) != 0
    }

    /// [`super::Kernel::insert`] in AVX2, for `R` rounds.
    ///
    /// # Safety
    /// AVX2 must be available, and `blocks` must not be empty.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn insert<const R: u32>(blocks: &mut [Block], hash: u64) -> bool {
        let p = block_ptr(blocks, hash).cast_mut();
        // SAFETY: `p` points to a `Block` of the non-empty slice, which the caller borrows
        // mutably (the pointer derives from that borrow); the aligned load and store cover
        // exactly that block (32 bytes, aligned to 32).
        let b = unsafe { _mm256_load_si256(p) };
        // SAFETY: AVX2 is available (the caller's contract).
        let m = unsafe { mask::<R>(hash as u32) };
        // SAFETY: as for the load.
        unsafe { _mm256_store_si256(p, _mm256_or_si256(b, m)) };
        _mm256_testc_si256(b, m) != 0
    }

    /// [`super::test_newest_first`] in AVX2.
    ///
    /// # Safety
    /// AVX2 must be available, and every slice must be non-empty.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn test_newest_first<'a>(
        newest: &[Block],
        older: impl Iterator<Item = &'a [Block]>,
        hash: u64,
    ) -> bool {
        // SAFETY: AVX2 is available (the caller's contract).
        let m = unsafe { mask::<1>(hash as u32) };
        // SAFETY: `newest` is non-empty (the caller's contract), so `block_ptr` points to one
        // of its `Block`s: an aligned load of its 32 bytes (aligned to 32), through a shared
        // borrow.
        let b = unsafe { _mm256_load_si256(block_ptr(newest, hash)) };
        if _mm256_testc_si256(b, m) != 0 {
            return true;
        }
        let mut found = 0;
        for blocks in older {
            // SAFETY: as for `newest`.
            let b = unsafe { _mm256_load_si256(block_ptr(blocks, hash)) };
            found += _mm256_testc_si256(b, m);
        }
        found != 0
    }

    /// [`super::insert_unless_any`] in AVX2.
    ///
    /// # Safety
    /// AVX2 must be available, and every slice must be non-empty.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn insert_unless_any<'a>(
        older: impl Iterator<Item = &'a [Block]>,
        newest: &mut [Block],
        hash: u64,
    ) -> bool {
        // The newest block is read and written after the older ones are tested: ask for its
        // cache line first, so its miss overlaps theirs.
        crate::prefetch::prefetch(block_ptr(newest, hash));
        // SAFETY: AVX2 is available (the caller's contract).
        let m = unsafe { mask::<1>(hash as u32) };
        let mut found = 0;
        for blocks in older {
            // SAFETY: every filter's blocks are a non-empty slice (the caller's contract), so
            // `block_ptr` points to one of its `Block`s: an aligned load of its 32 bytes
            // (aligned to 32), through a shared borrow.
            let b = unsafe { _mm256_load_si256(block_ptr(blocks, hash)) };
            found += _mm256_testc_si256(b, m);
        }
        let at = block_index(hash, newest.len());
        debug_assert!(at < newest.len());
        // In bounds: `block_index` is below `newest.len()` for a non-empty slice.
        let p = newest.as_mut_ptr().wrapping_add(at).cast::<__m256i>();
        // SAFETY: `p` points to a `Block` of the non-empty slice `newest`, derived from its
        // mutable borrow; the aligned load and store cover exactly that block (32 bytes,
        // aligned to 32).
        let b = unsafe { _mm256_load_si256(p) };
        let present = _mm256_testc_si256(b, m);
        // All ones when no older filter holds the item, else zero: the newest block is then
        // written unchanged.
        let keep = _mm256_set1_epi32(i32::from(found == 0).wrapping_neg());
        // SAFETY: as for the load.
        unsafe { _mm256_store_si256(p, _mm256_or_si256(b, _mm256_and_si256(m, keep))) };
        (found | present) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_set_one_bit_per_word_per_round() {
        for key in [0u32, 1, 0xdead_beef, u32::MAX] {
            for rounds in 1..=MAX_ROUNDS {
                let m = mask(key, rounds);
                for w in m {
                    assert!(w.count_ones() >= 1 && w.count_ones() <= rounds);
                }
            }
        }
    }

    /// The vector and the word-by-word probes agree bit for bit (the vector one where the
    /// machine has it; under Miri both sides are the portable code).
    #[test]
    fn probes_match_the_portable_mask() {
        let mut state = 0x1234_5678_9abc_def0u64;
        for rounds in [1, 2, 3, 8] {
            let mut block = Block::default();
            let mut reference = [0u32; WORDS];
            for _ in 0..if cfg!(miri) { 12 } else { 40 } {
                state = hpds_core::hash::mix64(state);
                let key = state as u32;
                let m = mask(key, rounds);
                let before = reference.iter().zip(&m).all(|(r, b)| r & b == *b);
                let hash = u64::from(key);
                let kernel = Kernel::new(rounds);
                assert_eq!(kernel.test(core::slice::from_ref(&block), hash), before);
                assert_eq!(
                    kernel.insert(core::slice::from_mut(&mut block), hash),
                    before
                );
                for (r, b) in reference.iter_mut().zip(m) {
                    *r |= b;
                }
                assert_eq!(block.0, reference);
                assert!(kernel.test(core::slice::from_ref(&block), hash));
            }
        }
    }

    /// The fused probes of several filters agree with probing each: the test answers whether
    /// any holds the item, the insert too, and sets its bits in the newest unless an older
    /// one holds it.
    #[test]
    fn fused_probes_match_one_by_one() {
        let mut filters: Vec<Vec<Block>> =
            [3usize, 5, 2, 7].map(|n| vec![Block::default(); n]).into();
        // Half the hashes are inserted; Miri (which interprets every call) checks fewer.
        let n = if cfg!(miri) { 80 } else { 400 };
        let hashes: Vec<u64> = (0..n).map(hpds_core::hash::mix64).collect();
        let kernel = Kernel::new(1);
        for (step, &h) in hashes[..n as usize / 2].iter().enumerate() {
            kernel.insert(&mut filters[step % 4], h);
        }
        let each = |filters: &[Vec<Block>], h| filters.iter().any(|b| kernel.test(b, h));
        for &h in &hashes {
            let (newest, older) = filters.split_last().unwrap();
            let fused = test_newest_first(newest, older.iter().map(Vec::as_slice), h);
            assert_eq!(fused, each(&filters, h));
        }
        for &h in &hashes[n as usize / 4..3 * n as usize / 4] {
            let in_older = filters[..3].iter().any(|b| kernel.test(b, h));
            let before = each(&filters, h);
            let mut expected = filters[3].clone();
            if !in_older {
                kernel.insert(&mut expected, h);
            }
            let (newest, older) = filters.split_last_mut().unwrap();
            let present = insert_unless_any(older.iter().map(Vec::as_slice), newest, h);
            assert_eq!(present, before);
            assert_eq!(filters[3], expected);
            assert!(each(&filters, h));
        }
    }

    #[test]
    fn block_index_stays_in_range() {
        for blocks in [1usize, 2, 3, 1000, 1 << 32] {
            for h in [0u64, u64::MAX, 0x8000_0000_0000_0000, 12345] {
                assert!(block_index(h, blocks) < blocks);
            }
        }
    }
}
