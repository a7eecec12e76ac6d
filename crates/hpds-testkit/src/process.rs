//! What the operating system counts for this process and thread, for timing on a shared
//! machine: on-CPU time (wall time includes waiting for a core) and page faults.
//! Linux only (read from `/proc`); elsewhere the functions return `None`.
//!
//! ```
//! let before = hpds_testkit::process::thread_cpu_time();
//! let v: Vec<u64> = (0..1000).collect();
//! assert_eq!(v.len(), 1000);
//! if let (Some(a), Some(b)) = (before, hpds_testkit::process::thread_cpu_time()) {
//!     assert!(b >= a);
//! }
//! ```

use std::time::Duration;

/// On-CPU time of the calling thread so far (`/proc/thread-self/schedstat`, updated every
/// scheduler tick), or `None` where it cannot be read.
#[must_use]
pub fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Minor page faults of this process so far (`/proc/self/stat`, field 10), or `None` where it
/// cannot be read.
#[must_use]
pub fn minor_page_faults() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after_name = &text[text.rfind(')')? + 1..];
    after_name.split_whitespace().nth(7)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn touching_fresh_pages_counts_faults() {
        let before = minor_page_faults().expect("readable on Linux");
        // 4 MiB of fresh pages, written: at least some faults (huge pages or not).
        let mut v = vec![0u8; 4 << 20];
        for i in (0..v.len()).step_by(4096) {
            v[i] = 1;
        }
        std::hint::black_box(&v);
        let after = minor_page_faults().expect("readable on Linux");
        assert!(after > before, "{before} -> {after}");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn cpu_time_advances_with_work() {
        let a = thread_cpu_time().expect("readable on Linux");
        let mut x = 0u64;
        let t = std::time::Instant::now();
        while t.elapsed() < Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
        }
        let b = thread_cpu_time().expect("readable on Linux");
        assert!(b > a, "{a:?} -> {b:?}");
    }
}
