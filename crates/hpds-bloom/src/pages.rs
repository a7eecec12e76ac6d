//! Large tables backed by transparent huge pages (`unsafe` code: one `madvise` call).
//!
//! A filter far larger than the cache misses the cache on almost every operation, and with
//! 4 KiB pages it misses the TLB too: a 100-million-item filter spans 32,000 pages, far more
//! than the TLB holds, so each probe first walks the page table. On Linux a range the program
//! marks with `madvise(MADV_HUGEPAGE)` is backed by 2 MiB pages where the kernel has them, and
//! one TLB entry then covers 512 times as much. Kernels configured with transparent huge pages
//! set to `madvise` (a common default) give huge pages only to ranges so marked; with `always`
//! every large allocation gets them, with `never` none does. The filters' tables are
//! allocated here: the advice is given before the table's memory is first written, so the
//! pages are huge from their first touch. Elsewhere (other systems, Miri) it is a plain
//! allocation. [`set_huge_pages`] turns the advice off for tables made afterwards.
#![allow(unsafe_code)]

use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, Ordering};

/// Whether new tables ask for huge pages (process-wide).
static HUGE_PAGES: AtomicBool = AtomicBool::new(true);

/// Whether filters made from now on ask the operating system to back their tables with
/// transparent huge pages (on by default; see the crate docs, *Memory*). Filters made before
/// the call keep their pages. Turn it off where huge pages are unwelcome, for example a
/// process whose latency must not include the kernel's compaction of memory into 2 MiB pages;
/// it changes no result, only speed.
///
/// ```
/// hpds_bloom::set_huge_pages(false);
/// let f = hpds_bloom::BlockedBloomFilter::new(100_000_000, 0.01)?; // 4 KiB pages
/// assert!(!hpds_bloom::huge_pages());
/// hpds_bloom::set_huge_pages(true);
/// # Ok::<(), hpds_core::Error>(())
/// ```
pub fn set_huge_pages(enabled: bool) {
    HUGE_PAGES.store(enabled, Ordering::Relaxed);
}

/// Whether filters made now ask for huge pages ([`set_huge_pages`]).
pub fn huge_pages() -> bool {
    HUGE_PAGES.load(Ordering::Relaxed)
}

/// Huge page size the advice is aligned to (x86-64 and most 64-bit Linux targets).
#[cfg(all(target_os = "linux", not(miri)))]
const HUGE_PAGE: usize = 2 << 20;

/// An empty vector with room for `capacity` elements, whose whole 2 MiB-aligned pages are
/// marked for huge pages (see the module docs). Callers fill it with `resize` or `extend`.
pub(crate) fn vec_with_capacity<T>(capacity: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(capacity);
    advise_huge_pages(v.spare_capacity_mut());
    v
}

/// `len` copies of `value` in a vector from [`vec_with_capacity`].
pub(crate) fn vec_filled<T: Clone>(len: usize, value: T) -> Vec<T> {
    let mut v = vec_with_capacity(len);
    v.resize(len, value);
    v
}

/// Marks the 2 MiB-aligned pages wholly inside `region` for transparent huge pages; a region
/// that holds no whole huge page is left alone, so small tables are unaffected.
fn advise_huge_pages<T>(region: &mut [MaybeUninit<T>]) {
    #[cfg(all(target_os = "linux", not(miri)))]
    {
        let start = region.as_mut_ptr() as usize;
        let end = start + core::mem::size_of_val(region);
        let first = start.next_multiple_of(HUGE_PAGE);
        let last = end & !(HUGE_PAGE - 1);
        if first < last && huge_pages() {
            // SAFETY: `[first, last)` lies within `region`, memory this vector owns, and both
            // ends are page-aligned as `madvise` requires. `MADV_HUGEPAGE` only sets how the
            // kernel backs the range: it changes no contents and leaves every address valid.
            // A kernel without transparent huge pages returns an error, which is ignored (the
            // advice is a hint).
            unsafe {
                libc::madvise(
                    first as *mut libc::c_void,
                    last - first,
                    libc::MADV_HUGEPAGE,
                );
            }
        }
    }
    #[cfg(not(all(target_os = "linux", not(miri))))]
    let _ = region;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_hold_what_was_asked() {
        // Past 4 MiB the vector holds a whole aligned huge page (not under Miri: slow there,
        // and the advice is compiled out).
        let large = if cfg!(miri) { 1001 } else { (4 << 20) / 8 + 3 };
        for len in [0, 1, 1000, large] {
            let v = vec_filled(len, 7u64);
            assert_eq!(v.len(), len);
            assert!(v.iter().all(|&x| x == 7));
            let w: Vec<u32> = vec_with_capacity(len);
            assert!(w.is_empty() && w.capacity() >= len);
        }
    }

    /// The advice reaches the kernel: the mapping holding a large table's aligned middle is
    /// flagged `hg` (`MADV_HUGEPAGE`) in `/proc/self/smaps`, whether or not huge pages were
    /// free to back it. Skipped where the kernel has no transparent huge pages.
    #[cfg(all(target_os = "linux", not(miri)))]
    #[test]
    fn large_tables_are_advised() {
        if !std::path::Path::new("/sys/kernel/mm/transparent_hugepage/enabled").exists() {
            return;
        }
        let v: Vec<u64> = vec_filled((8 << 20) / 8, 1);
        let inside = (v.as_ptr() as usize).next_multiple_of(HUGE_PAGE);
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut in_range = false;
        let mut flags = None;
        for line in smaps.lines() {
            if let Some((range, _)) = line.split_once(' ')
                && let Some((lo, hi)) = range.split_once('-')
                && let (Ok(lo), Ok(hi)) =
                    (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
            {
                in_range = lo <= inside && inside < hi;
            } else if in_range && let Some(f) = line.strip_prefix("VmFlags:") {
                flags = Some(f.split_whitespace().any(|f| f == "hg"));
            }
        }
        assert_eq!(flags, Some(true), "no MADV_HUGEPAGE on the table's mapping");
    }
}
