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

/// On-CPU time of the calling thread, to the nanosecond (`CLOCK_THREAD_CPUTIME_ID`: user and
/// system time, brought up to date by the call itself), or `None` where it cannot be read.
/// Unlike [`thread_cpu_time`], it is precise enough to time passes of a few milliseconds.
#[must_use]
pub fn thread_cpu_clock() -> Option<Duration> {
    #[cfg(target_os = "linux")]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable `timespec`, the only memory the call writes.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &raw mut ts) };
        if rc != 0 {
            return None;
        }
        let secs = u64::try_from(ts.tv_sec).ok()?;
        let nanos = u32::try_from(ts.tv_nsec).ok()?;
        Some(Duration::new(secs, nanos))
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
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
    fn cpu_clock_advances_with_work_not_with_sleep() {
        let a = thread_cpu_clock().expect("readable on Linux");
        std::thread::sleep(Duration::from_millis(30));
        let b = thread_cpu_clock().expect("readable on Linux");
        assert!(
            b.saturating_sub(a) < Duration::from_millis(15),
            "{a:?} -> {b:?}"
        );
        let mut x = 0u64;
        let t = std::time::Instant::now();
        while t.elapsed() < Duration::from_millis(5) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let c = thread_cpu_clock().expect("readable on Linux");
        assert!(c > b, "{b:?} -> {c:?}");
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
