//! Interleaved, same-process races: the timing method behind every performance table in the
//! guides and `docs/benchmarks.md`.
//!
//! A benchmark that times one implementation, then the next, measures the machine as much as
//! the code: load from other processes, frequency changes and the allocator's state drift
//! between the two. A race instead runs every contestant once per *round*, in an order that
//! rotates from round to round, and compares contestants **within** each round: the ratio of
//! two contestants' times in the same round cancels whatever the machine was doing then. The
//! summary of a race is the median of those per-round ratios and their interquartile range
//! (the spread), not two absolute times.
//!
//! Passes are timed in on-CPU time of the racing thread where the system provides a precise
//! per-thread clock (Linux: [`process::thread_cpu_clock`]), so time spent waiting for a core
//! on a busy machine is left out; elsewhere in wall time. Cache and memory contention from
//! other processes still shows, and the rotating rounds spread it over all contestants.
//!
//! Each contestant is a closure that does a whole pass of work and reports how many operations
//! it did. [`Race::add_fresh`] gives it an untimed set-up per pass (a fresh, empty table for an
//! insert race); state built once and shared by all rounds (a full table for lookups) is simply
//! captured by the closure. A pass shorter than [`Race::min_round`] is repeated within the
//! round until it is long enough to time; the first round only calibrates this and is not
//! recorded.
//!
//! ```
//! use hpds_testkit::race::Race;
//! use std::hint::black_box;
//!
//! let data: Vec<u64> = (0..10_000).collect();
//! let mut race = Race::new().rounds(5);
//! race.add("sum", data.len() as u64, || {
//!     black_box(data.iter().sum::<u64>());
//! });
//! race.add("fold", data.len() as u64, || {
//!     black_box(data.iter().fold(0u64, |a, &x| a.wrapping_add(x)));
//! });
//! let out = race.run();
//! let r = out.ratio("fold", "sum");
//! assert!(r.median > 0.0 && r.low <= r.median && r.median <= r.high);
//! assert!(out.median_ns("sum") > 0.0);
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::process;

/// A timestamp: the thread's on-CPU time where it can be read precisely, else wall time.
#[derive(Clone, Copy)]
enum Stamp {
    Cpu(Duration),
    Wall(Instant),
}

impl Stamp {
    fn now() -> Self {
        process::thread_cpu_clock().map_or_else(|| Stamp::Wall(Instant::now()), Stamp::Cpu)
    }

    fn elapsed(self) -> Duration {
        match self {
            Stamp::Cpu(t) => {
                process::thread_cpu_clock().map_or(Duration::ZERO, |now| now.saturating_sub(t))
            }
            Stamp::Wall(t) => t.elapsed(),
        }
    }
}

/// Whether races measure on-CPU time (true) or wall time on this system.
#[must_use]
pub fn measures_cpu_time() -> bool {
    process::thread_cpu_clock().is_some()
}

/// Rounds recorded unless [`Race::rounds`] says otherwise.
pub const DEFAULT_ROUNDS: usize = 9;

type Pass<'a> = Box<dyn FnMut() -> Duration + 'a>;

struct Entry<'a> {
    name: String,
    ops: u64,
    pass: Pass<'a>,
}

/// A race between contestants, run in rotating order, round after round.
pub struct Race<'a> {
    rounds: usize,
    min_round: Duration,
    entries: Vec<Entry<'a>>,
}

impl Default for Race<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> Race<'a> {
    /// A race of [`DEFAULT_ROUNDS`] rounds with passes repeated to at least 5 ms per round.
    #[must_use]
    pub fn new() -> Self {
        Self {
            rounds: DEFAULT_ROUNDS,
            min_round: Duration::from_millis(5),
            entries: Vec::new(),
        }
    }

    /// Sets the number of recorded rounds (at least 1).
    #[must_use]
    pub fn rounds(mut self, rounds: usize) -> Self {
        self.rounds = rounds.max(1);
        self
    }

    /// Sets the least time a contestant runs in one round: shorter passes are repeated.
    #[must_use]
    pub fn min_round(mut self, min: Duration) -> Self {
        self.min_round = min;
        self
    }

    /// Adds a contestant whose pass `run` does `ops` operations on state it captured.
    pub fn add(&mut self, name: impl Into<String>, ops: u64, mut run: impl FnMut() + 'a) {
        self.entries.push(Entry {
            name: name.into(),
            ops: ops.max(1),
            pass: Box::new(move || {
                let t = Stamp::now();
                run();
                t.elapsed()
            }),
        });
    }

    /// Adds a contestant whose pass needs fresh state: `setup` (not timed) builds it, `run`
    /// (timed) does `ops` operations on it, and the state is dropped after the clock stops.
    pub fn add_fresh<S>(
        &mut self,
        name: impl Into<String>,
        ops: u64,
        mut setup: impl FnMut() -> S + 'a,
        mut run: impl FnMut(&mut S) + 'a,
    ) {
        self.entries.push(Entry {
            name: name.into(),
            ops: ops.max(1),
            pass: Box::new(move || {
                let mut state = setup();
                let t = Stamp::now();
                run(&mut state);
                let elapsed = t.elapsed();
                black_box(&mut state);
                drop(state);
                elapsed
            }),
        });
    }

    /// Runs the race: one calibration round, then the recorded rounds, each contestant once
    /// per round (repeated to [`min_round`](Self::min_round)), starting one contestant later
    /// in every round.
    ///
    /// # Panics
    /// If two contestants have the same name.
    #[must_use]
    pub fn run(mut self) -> Outcome {
        let names: Vec<String> = self.entries.iter().map(|e| e.name.clone()).collect();
        for (i, n) in names.iter().enumerate() {
            assert!(!names[..i].contains(n), "two contestants named {n}");
        }
        let n = self.entries.len();
        let reps: Vec<u32> = self
            .entries
            .iter_mut()
            .map(|e| {
                let t = (e.pass)().max(Duration::from_nanos(1));
                let r = self.min_round.as_nanos().div_ceil(t.as_nanos());
                u32::try_from(r).unwrap_or(u32::MAX).max(1)
            })
            .collect();
        let mut ns = vec![Vec::with_capacity(self.rounds); n];
        for round in 0..self.rounds {
            for j in 0..n {
                let i = (round + j) % n;
                let e = &mut self.entries[i];
                let mut total = Duration::ZERO;
                for _ in 0..reps[i] {
                    total += (e.pass)();
                }
                #[allow(clippy::cast_precision_loss)]
                ns[i].push(total.as_nanos() as f64 / (f64::from(reps[i]) * e.ops as f64));
            }
        }
        Outcome { names, ns }
    }
}

/// The per-round times of a finished race.
#[derive(Debug, Clone)]
pub struct Outcome {
    names: Vec<String>,
    /// `ns[contestant][round]`: nanoseconds per operation.
    ns: Vec<Vec<f64>>,
}

/// A summary of per-round values: median and interquartile range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// The median over rounds.
    pub median: f64,
    /// The lower quartile.
    pub low: f64,
    /// The upper quartile.
    pub high: f64,
}

impl Spread {
    /// The median and quartiles of `values` (linear interpolation between order statistics).
    ///
    /// # Panics
    /// If `values` is empty or holds a NaN.
    #[must_use]
    pub fn of(values: &[f64]) -> Self {
        assert!(!values.is_empty(), "no values");
        let mut v = values.to_vec();
        v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
        let q = |p: f64| {
            #[allow(clippy::cast_precision_loss)]
            let pos = p * (v.len() - 1) as f64;
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let lo = pos.floor() as usize;
            let hi = (lo + 1).min(v.len() - 1);
            #[allow(clippy::cast_precision_loss)]
            let frac = pos - lo as f64;
            v[lo] + (v[hi] - v[lo]) * frac
        };
        Self {
            median: q(0.5),
            low: q(0.25),
            high: q(0.75),
        }
    }
}

impl Outcome {
    fn index(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no contestant named {name}"))
    }

    /// The contestants' names, in the order they were added.
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Nanoseconds per operation of `name` in every recorded round.
    ///
    /// # Panics
    /// If there is no contestant `name`.
    #[must_use]
    pub fn rounds_ns(&self, name: &str) -> &[f64] {
        &self.ns[self.index(name)]
    }

    /// The median over rounds of `name`'s nanoseconds per operation.
    ///
    /// # Panics
    /// If there is no contestant `name`.
    #[must_use]
    pub fn median_ns(&self, name: &str) -> f64 {
        Spread::of(self.rounds_ns(name)).median
    }

    /// `name`'s time over `reference`'s, round by round: below 1 means `name` was faster.
    ///
    /// # Panics
    /// If either contestant does not exist.
    #[must_use]
    pub fn ratio(&self, name: &str, reference: &str) -> Spread {
        let a = self.rounds_ns(name);
        let b = self.rounds_ns(reference);
        let ratios: Vec<f64> = a.iter().zip(b).map(|(x, y)| x / y).collect();
        Spread::of(&ratios)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_of_known_values() {
        let s = Spread::of(&[5.0, 1.0, 3.0, 2.0, 4.0]);
        assert_eq!(s.median, 3.0);
        assert_eq!(s.low, 2.0);
        assert_eq!(s.high, 4.0);
        let one = Spread::of(&[7.0]);
        assert_eq!((one.low, one.median, one.high), (7.0, 7.0, 7.0));
    }

    #[test]
    fn rounds_rotate_and_fresh_state_is_untimed() {
        use std::cell::RefCell;
        let order = RefCell::new(Vec::new());
        let mut race = Race::new().rounds(3).min_round(Duration::ZERO);
        race.add("a", 1, || order.borrow_mut().push('a'));
        race.add("b", 1, || order.borrow_mut().push('b'));
        race.add_fresh(
            "slow setup",
            1,
            || std::thread::sleep(Duration::from_millis(20)),
            |()| order.borrow_mut().push('c'),
        );
        let out = race.run();
        // Calibration a, b, c; then rounds starting at a, b, c in turn.
        assert_eq!(order.borrow().iter().collect::<String>(), "abcabcbcacab");
        // The 20 ms set-up is not in the time.
        assert!(
            out.median_ns("slow setup") < 10e6,
            "{}",
            out.median_ns("slow setup")
        );
    }

    #[test]
    fn a_slower_contestant_has_a_ratio_above_one() {
        let data: Vec<u64> = (0..20_000).collect();
        let mut race = Race::new().rounds(5).min_round(Duration::from_millis(2));
        race.add("once", 1, || {
            black_box(data.iter().sum::<u64>());
        });
        race.add("four times", 1, || {
            for _ in 0..4 {
                black_box(black_box(&data).iter().sum::<u64>());
            }
        });
        let r = race.run().ratio("four times", "once");
        assert!(r.median > 1.5, "{r:?}");
    }
}
