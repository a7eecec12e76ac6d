//! Injectable time sources for the timing filters.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// A source of monotonic time, measured from an arbitrary origin.
///
/// The timing filters read it once per operation. Implement it to drive a filter from your own
/// time (event timestamps, a simulation) or use [`ManualClock`] in tests. A clock that goes
/// backwards is tolerated: the filters treat an earlier reading as "no time has passed".
///
/// A filter that is saved ([`hpds_core::ByteCodec`], serde) stores its times against the UNIX
/// epoch, read from [`unix_time`](Self::unix_time) at the moment of saving; the filter restored
/// from it reads `unix_time` again and counts the time in between, so its items keep expiring
/// on schedule whatever the restoring clock's origin.
pub trait Clock {
    /// Time since the clock's origin.
    fn now(&self) -> Duration;

    /// Time since the UNIX epoch (1970-01-01 00:00:00 UTC) at the same moment as
    /// [`now`](Self::now); read only when a filter is saved or restored. The default reads the
    /// system's wall clock ([`SystemTime`]), 0 if it is set before 1970.
    fn unix_time(&self) -> Duration {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
    }
}

/// The system's monotonic clock ([`Instant`]), measured from when this value was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MonotonicClock {
    origin: Instant,
}

impl MonotonicClock {
    /// A clock whose origin is now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for MonotonicClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for MonotonicClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// A clock that moves only when told to; clones share the same time.
///
/// Its reading is also its [`Clock::unix_time`]: a manual clock at 0 stands for the UNIX epoch,
/// so saving and restoring filters under manual clocks is deterministic.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use hpds_bloom::{Clock, ManualClock};
/// let clock = ManualClock::new();
/// let handle = clock.clone();
/// handle.advance(Duration::from_secs(3));
/// assert_eq!(clock.now(), Duration::from_secs(3));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock at time zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by` (saturating at `u64::MAX` nanoseconds).
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .nanos
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_add(by))
            });
    }

    /// Sets the clock to `to`, forwards or backwards.
    pub fn set(&self, to: Duration) {
        let to = u64::try_from(to.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.store(to, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Relaxed))
    }

    fn unix_time(&self) -> Duration {
        self.now()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Duration {
        (**self).now()
    }

    fn unix_time(&self) -> Duration {
        (**self).unix_time()
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> Duration {
        (**self).now()
    }

    fn unix_time(&self) -> Duration {
        (**self).unix_time()
    }
}
