//! Bloom filters whose items expire: the timing and scaling timing filters.
//!
//! # Design
//! After bitly's *fuggetaboutit* (the timing Bloom filter of *High Performance Python*), each
//! cell holds a small tick: the time, in units of `τ = decay / 8`, when an item last set it.
//! Cells are 4 bits: value 0 means empty and values 1..=15 hold the tick modulo 15, so ticks
//! wrap around every 15 ticks. An item is present if all its `k` cells hold a tick at most
//! [`WINDOW_TICKS`] (8) old.
//!
//! Because ticks wrap, a cell left alone for 15 ticks would look fresh again: stale cells must
//! be cleared before that. fuggetaboutit sweeps the whole array from a timer; here the sweep is
//! *amortized*: the sweep position advances with time, `m` cells every [`SWEEP_TICKS`] (5)
//! ticks, and every `insert` (or an explicit [`TimingBloomFilter::decay`]) clears the expired
//! cells between the last position and the current one. So the work is `m / (5τ)` cells per
//! unit of time, spread over the operations: about `(m/n) · 8/5 ≈ 15` cells per insert when
//! `n` items arrive per decay time at 1%.
//!
//! # Why it stays correct when decay runs late or the clock jumps
//! Invariant: after the maintenance at tick `L`, every non-zero cell is at most 14 ticks old,
//! so its age is `(L - value) mod 15` exactly. Each cell is swept at least once during any
//! span of `5τ` (plus rounding) of clock time that contains operations, and a sweep leaves only
//! cells at most 8 ticks old; so at the next maintenance no cell is older than `8 + 5 + 1 = 14`
//! ticks. If operations stop for a while, the next one catches up: the sweep covers every cell
//! whose position was passed (the whole array if `5τ` went by), and if more than 8 ticks went
//! by every cell is expired and the array is simply zeroed. Queries (`&self`) do not sweep:
//! they compute a cell's age from `L` plus the ticks elapsed since, which is exact by the
//! invariant. A clock that goes backwards is read as "no time has passed".
//!
//! # Window semantics
//! With `τ = decay / 8`, an item inserted (or re-inserted) at time `s` is reported present at
//! every time `t` with `t - s < decay` (no false negatives inside the window), and absent from
//! `t - s ≥ decay + τ` on, except for false positives at the filter's rate. Between the two it
//! may be either (the tick granularity).

use core::fmt;
use hpds_core::Item;
use std::time::Duration;

use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{Error, HeapSize, Result};

use crate::clock::{Clock, MonotonicClock};
use crate::hashing::Hashes;
use crate::nibbles::Nibbles;
use crate::params::{self, check_items, check_rate};

/// Ticks an item stays valid: a cell `a` ticks old is live iff `a <= WINDOW_TICKS`.
pub const WINDOW_TICKS: u64 = 8;
/// Ticks for the sweep to pass over every cell once.
pub const SWEEP_TICKS: u64 = 5;
/// Distinct tick values a 4-bit cell holds (0 is empty).
const RING: u64 = 15;
const BUCKETS: usize = WINDOW_TICKS as usize + 1;

// The invariant's bound: the oldest cell the sweep can leave must not alias to a fresh one.
const _: () = assert!(WINDOW_TICKS + SWEEP_TICKS + 1 < RING);

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// The shortest and longest decay times, in nanoseconds.
const DECAY_RANGE: core::ops::RangeInclusive<u64> = WINDOW_TICKS..=1 << 60;

/// Checked parameters of a timing filter: `(capacity, rate, cells, hashes, tick_ns)`.
fn shape(
    capacity: u64,
    false_positive_rate: f64,
    decay: Duration,
) -> Result<(u64, f64, u64, u32, u64)> {
    let n = check_items(capacity)?;
    let p = check_rate(false_positive_rate)?;
    let decay_ns = nanos(decay);
    if !DECAY_RANGE.contains(&decay_ns) {
        return Err(Error::invalid_parameter(
            "decay",
            format_args!("{decay:?}"),
            "8 ns ..= 2^60 ns",
        ));
    }
    let (m, k) = params::classic_shape(n, p)?;
    if m > params::MAX_BITS / 4 {
        return Err(Error::capacity_overflow(
            "timing Bloom filter (over 2^40 bits)",
        ));
    }
    Ok((n, p, m, k, decay_ns / WINDOW_TICKS))
}

/// The shift that makes a restored filter's time continue from `saved_at` (its time when it
/// was saved, at UNIX time `saved_unix`) plus the UNIX time elapsed since, on `clock`.
fn restored_shift<C: Clock>(clock: &C, saved_at: u64, saved_unix: u64) -> Result<i64> {
    let elapsed = nanos(clock.unix_time()).saturating_sub(saved_unix);
    let target = saved_at.saturating_add(elapsed);
    i64::try_from(i128::from(target) - i128::from(nanos(clock.now())))
        .map_err(|_| Error::invalid_encoding("saved time out of the clock's range"))
}

/// Writes the save-time anchor: the filter's time now and the clock's UNIX time.
fn put_anchor<C: Clock>(enc: &mut Encoder, clock: &C, now: u64) {
    enc.put_u64(now);
    enc.put_u64(nanos(clock.unix_time()));
}

/// A Bloom filter whose items expire `decay` after their last insertion.
///
/// Sized for `capacity` items inserted within any span of `decay · 9/8` (the window plus one
/// tick) at false-positive rate `p`, it uses `4 · m` bits, where `m` is the classic filter's
/// size: 38.4 bits per item at 1%. `insert` costs `k` cell writes plus the amortized sweep;
/// `contains` takes `&self` and never sweeps. See the [module docs](self) for the design and
/// its guarantees.
///
/// # Saving
/// The byte codec ([`ByteCodec`], tag `BLMT`) and serde (feature `serde`) save the cells and
/// the filter's times against the UNIX epoch (see [`Clock::unix_time`]); a restored filter
/// counts the time it spent saved, so its items expire when they would have. Decoding builds
/// the clock with `Default`; [`from_bytes_with_clock`](Self::from_bytes_with_clock) takes one.
/// Two filters are equal (`==`) when their cells and times are, whatever their clocks.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use hpds_bloom::{ManualClock, TimingBloomFilter};
/// let clock = ManualClock::new();
/// let mut f = TimingBloomFilter::with_clock(1_000, 0.01, Duration::from_secs(60), clock.clone())?;
/// f.insert("GET /index.html from 10.0.0.1");
/// clock.advance(Duration::from_secs(59));
/// assert!(f.contains("GET /index.html from 10.0.0.1")); // still inside the window
/// clock.advance(Duration::from_secs(10)); // 69 s > 60 s + 7.5 s
/// assert!(!f.contains("GET /index.html from 10.0.0.1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct TimingBloomFilter<C: Clock = MonotonicClock> {
    cells: Nibbles,
    m: u64,
    k: u32,
    seed: u64,
    capacity: u64,
    rate: f64,
    clock: C,
    tick_ns: u64,
    /// Clock reading (ns) and tick of the last maintenance: the invariant holds at `last_tick`.
    last_ns: u64,
    last_tick: u64,
    /// New items inserted per tick, indexed by tick mod 9, for the live-item estimate.
    recent: [u64; BUCKETS],
    /// Tick of the latest insert.
    last_insert_tick: Option<u64>,
    /// Added to the clock's readings: 0, except in a restored filter, whose time continues
    /// from the time it was saved at.
    shift: i64,
}

impl TimingBloomFilter<MonotonicClock> {
    /// A filter on the system's monotonic clock.
    ///
    /// # Errors
    /// As [`with_clock`](Self::with_clock).
    pub fn new(capacity: u64, false_positive_rate: f64, decay: Duration) -> Result<Self> {
        Self::with_clock(capacity, false_positive_rate, decay, MonotonicClock::new())
    }

    /// Like [`new`](Self::new), hashing items with `seed` instead of
    /// [`DEFAULT_SEED`].
    ///
    /// # Errors
    /// As [`with_clock`](Self::with_clock).
    pub fn with_seed(
        capacity: u64,
        false_positive_rate: f64,
        decay: Duration,
        seed: u64,
    ) -> Result<Self> {
        let mut filter = Self::new(capacity, false_positive_rate, decay)?;
        filter.seed = seed;
        Ok(filter)
    }
}

impl<C: Clock> TimingBloomFilter<C> {
    /// A filter for `capacity` items per window at `false_positive_rate`, whose items expire
    /// `decay` after their last insertion, reading time from `clock`.
    ///
    /// # Errors
    /// `capacity` is 0, the rate is not in (0, 1), `decay` is under 8 ns or over 2^60 ns
    /// (36 years), or the filter would exceed [`params::MAX_BITS`].
    pub fn with_clock(
        capacity: u64,
        false_positive_rate: f64,
        decay: Duration,
        clock: C,
    ) -> Result<Self> {
        Self::shifted(capacity, false_positive_rate, decay, clock, 0)
    }

    /// [`with_clock`](Self::with_clock) on the clock's time plus `shift` nanoseconds.
    fn shifted(
        capacity: u64,
        false_positive_rate: f64,
        decay: Duration,
        clock: C,
        shift: i64,
    ) -> Result<Self> {
        let (n, p, m, k, tick_ns) = shape(capacity, false_positive_rate, decay)?;
        let now = nanos(clock.now()).saturating_add_signed(shift);
        Ok(Self {
            cells: Nibbles::new(m),
            m,
            k,
            seed: DEFAULT_SEED,
            capacity: n,
            rate: p,
            clock,
            tick_ns,
            last_ns: now,
            last_tick: now / tick_ns,
            recent: [0; BUCKETS],
            last_insert_tick: None,
            shift,
        })
    }

    #[inline]
    fn get(&self, i: usize) -> u8 {
        self.cells.get(i)
    }

    #[inline]
    fn set(&mut self, i: usize, v: u8) {
        self.cells.set(i, v);
    }

    /// The cell value of absolute tick `t`.
    fn tick_value(t: u64) -> u8 {
        (t % RING) as u8 + 1
    }

    /// Age in ticks at `last_tick` of a non-zero cell value (exact by the invariant).
    fn age_at_last(&self, v: u8) -> u64 {
        (self.last_tick % RING + RING - u64::from(v - 1)) % RING
    }

    fn sweep_pos(&self, ns: u64) -> u128 {
        u128::from(ns) * u128::from(self.m) / (u128::from(self.tick_ns) * u128::from(SWEEP_TICKS))
    }

    /// The clock's reading on the filter's time axis.
    fn clock_ns(&self) -> u64 {
        nanos(self.clock.now()).saturating_add_signed(self.shift)
    }

    fn now_ns(&self) -> u64 {
        self.clock_ns().max(self.last_ns)
    }

    /// Runs the decay due by now: clears the expired cells the sweep has reached. `insert`
    /// does this itself; call it from a timer only to keep the per-insert work even.
    pub fn decay(&mut self) {
        let now = self.now_ns();
        self.maintain(now);
    }

    fn maintain(&mut self, now_ns: u64) {
        let now_ns = now_ns.max(self.last_ns);
        let now_tick = now_ns / self.tick_ns;
        let gap = now_tick - self.last_tick;
        if gap > WINDOW_TICKS {
            // Every cell was set at or before `last_tick`: all expired.
            self.cells.clear();
            self.recent = [0; BUCKETS];
        } else {
            let from = self.sweep_pos(self.last_ns);
            let to = self.sweep_pos(now_ns);
            if to > from {
                // expired[v]: whether a cell holding v is expired at `now_tick`.
                let mut expired = [false; 16];
                for (v, e) in expired.iter_mut().enumerate().skip(1) {
                    *e = self.age_at_last(v as u8) + gap > WINDOW_TICKS;
                }
                let m = u128::from(self.m);
                if to - from >= m {
                    self.sweep(0, self.m as usize, &expired);
                } else {
                    let (a, b) = ((from % m) as usize, (to % m) as usize);
                    if a < b {
                        self.sweep(a, b, &expired);
                    } else {
                        self.sweep(a, self.m as usize, &expired);
                        self.sweep(0, b, &expired);
                    }
                }
            }
            for t in self.last_tick + 1..=now_tick {
                self.recent[(t % BUCKETS as u64) as usize] = 0;
            }
        }
        self.last_ns = now_ns;
        self.last_tick = now_tick;
    }

    /// Zeroes the expired cells in `start..end`, a word (16 cells) at a time.
    fn sweep(&mut self, start: usize, end: usize, expired: &[bool; 16]) {
        let words = self.cells.as_raw_mut_slice();
        let mut i = start;
        while i < end {
            let (w, first) = (i / 16, i % 16);
            let last = (end - w * 16).min(16);
            let mut word = words[w];
            if word != 0 {
                for c in first..last {
                    let v = ((word >> (c * 4)) & 0xf) as usize;
                    if expired[v] {
                        word &= !(0xf << (c * 4));
                    }
                }
                words[w] = word;
            }
            i = w * 16 + last;
        }
    }

    /// Whether the item is live: inserted less than `decay` ago is always `true`; expired
    /// (`decay + τ` or more ago) or never inserted is `false` except at the false-positive rate.
    pub fn contains<T: Item + ?Sized>(&self, item: &T) -> bool {
        self.contains_at(Hashes::of_item(item, self.seed), self.now_ns())
    }

    /// Inserts or refreshes an item; returns `true` if it was (probably) live already.
    pub fn insert<T: Item + ?Sized>(&mut self, item: &T) -> bool {
        let now = self.now_ns();
        self.insert_at(Hashes::of_item(item, self.seed), now)
    }

    /// [`contains`](Self::contains) for an item given by its 64-bit hash.
    pub fn contains_hash(&self, hash: u64) -> bool {
        self.contains_at(Hashes::from_u64(hash), self.now_ns())
    }

    /// [`insert`](Self::insert) for an item given by its 64-bit hash.
    pub fn insert_hash(&mut self, hash: u64) -> bool {
        let now = self.now_ns();
        self.insert_at(Hashes::from_u64(hash), now)
    }

    fn contains_at(&self, h: Hashes, now_ns: u64) -> bool {
        let gap = now_ns.max(self.last_ns) / self.tick_ns - self.last_tick;
        if gap > WINDOW_TICKS {
            return false;
        }
        h.probe_while(self.k, self.m, |i| {
            let v = self.get(i);
            v != 0 && self.age_at_last(v) + gap <= WINDOW_TICKS
        })
    }

    fn insert_at(&mut self, h: Hashes, now_ns: u64) -> bool {
        self.maintain(now_ns);
        // After `maintain`, `last_tick` is now.
        let value = Self::tick_value(self.last_tick);
        let mut present = true;
        h.probe_while(self.k, self.m, |i| {
            let v = self.get(i);
            present &= v != 0 && self.age_at_last(v) <= WINDOW_TICKS;
            self.set(i, value);
            true
        });
        if !present {
            self.recent[(self.last_tick % BUCKETS as u64) as usize] += 1;
        }
        self.last_insert_tick = Some(self.last_tick);
        present
    }

    /// New items inserted within the window (the last 9 ticks), as counted at insertion.
    pub fn live_inserts(&self) -> u64 {
        let now_tick = self.now_ns() / self.tick_ns;
        let oldest = now_tick.saturating_sub(WINDOW_TICKS);
        let first = oldest.max(self.last_tick.saturating_sub(WINDOW_TICKS));
        (first..=self.last_tick)
            .map(|t| self.recent[(t % BUCKETS as u64) as usize])
            .fold(0, u64::saturating_add)
    }

    /// Whether every item inserted has expired (or none was).
    pub fn is_expired(&self) -> bool {
        let now_tick = self.now_ns() / self.tick_ns;
        self.last_insert_tick
            .is_none_or(|t| now_tick - t > WINDOW_TICKS)
    }

    /// Empties the filter.
    pub fn clear(&mut self) {
        self.cells.clear();
        self.recent = [0; BUCKETS];
        self.last_insert_tick = None;
    }

    /// The tick length `τ = decay / 8`.
    pub fn tick(&self) -> Duration {
        Duration::from_nanos(self.tick_ns)
    }

    /// The decay time (rounded down to a multiple of 8 ns).
    pub fn decay_time(&self) -> Duration {
        Duration::from_nanos(self.tick_ns * WINDOW_TICKS)
    }

    /// Items per window it was sized for.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// The target false-positive rate at capacity.
    pub fn target_rate(&self) -> f64 {
        self.rate
    }

    /// Number of 4-bit cells.
    pub fn cells(&self) -> u64 {
        self.m
    }

    /// Cells per item.
    pub fn hashes(&self) -> u32 {
        self.k
    }

    /// The clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }
}

impl<C: Clock> fmt::Debug for TimingBloomFilter<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimingBloomFilter")
            .field("cells", &self.m)
            .field("hashes", &self.k)
            .field("tick", &self.tick())
            .field("last_tick", &self.last_tick)
            .finish_non_exhaustive()
    }
}

impl<C: Clock, D: Clock> PartialEq<TimingBloomFilter<D>> for TimingBloomFilter<C> {
    /// Same cells, parameters and times (the clocks are not compared).
    fn eq(&self, other: &TimingBloomFilter<D>) -> bool {
        self.cells == other.cells
            && self.m == other.m
            && self.k == other.k
            && self.seed == other.seed
            && self.capacity == other.capacity
            && self.rate == other.rate
            && self.tick_ns == other.tick_ns
            && self.last_ns == other.last_ns
            && self.last_tick == other.last_tick
            && self.recent == other.recent
            && self.last_insert_tick == other.last_insert_tick
    }
}

/// The codec tag of [`TimingBloomFilter`].
const TIMING_TAG: [u8; 4] = *b"BLMT";
/// The codec tag of [`ScalingTimingBloomFilter`].
const SCALING_TAG: [u8; 4] = *b"BLTS";

impl<C: Clock> TimingBloomFilter<C> {
    /// Decodes a filter written by [`ByteCodec::to_bytes`], reading time from `clock`.
    ///
    /// # Errors
    /// As [`ByteCodec::from_bytes`]: any corrupt, truncated, foreign or future-version input.
    /// Never panics.
    pub fn from_bytes_with_clock(bytes: &[u8], clock: C) -> Result<Self> {
        let (mut dec, _version) = Decoder::open(bytes, TIMING_TAG, 1)?;
        let (saved_at, saved_unix) = (dec.u64()?, dec.u64()?);
        let shift = restored_shift(&clock, saved_at, saved_unix)?;
        let f = Self::decode_body(&mut dec, clock, shift, saved_at)?;
        dec.finish()?;
        Ok(f)
    }

    /// Everything but the anchor.
    fn encode_body(&self, enc: &mut Encoder) {
        enc.put_u64(self.capacity);
        enc.put_f64(self.rate);
        enc.put_u64(self.tick_ns);
        enc.put_u64(self.m);
        enc.put_u32(self.k);
        enc.put_u64(self.seed);
        enc.put_u64(self.last_ns);
        for &r in &self.recent {
            enc.put_u64(r);
        }
        match self.last_insert_tick {
            None => enc.put_u8(0),
            Some(t) => {
                enc.put_u8(1);
                enc.put_u64(t);
            }
        }
        enc.put_u64_slice(self.cells.as_raw_slice());
    }

    fn decode_body(dec: &mut Decoder<'_>, clock: C, shift: i64, saved_at: u64) -> Result<Self> {
        let capacity = dec.u64()?;
        let rate = dec.f64()?;
        let tick_ns = dec.u64()?;
        let m = dec.u64()?;
        let k = dec.u32()?;
        let seed = dec.u64()?;
        let last_ns = dec.u64()?;
        let mut recent = [0; BUCKETS];
        for r in &mut recent {
            *r = dec.u64()?;
        }
        let last_insert_tick = match dec.u8()? {
            0 => None,
            1 => Some(dec.u64()?),
            _ => return Err(Error::invalid_encoding("last insert flag not 0 or 1")),
        };
        let words = dec.u64_vec()?;
        if capacity == 0 || !(rate > 0.0 && rate < 1.0) {
            return Err(Error::invalid_encoding("capacity 0 or rate outside (0, 1)"));
        }
        if !DECAY_RANGE.contains(&tick_ns.saturating_mul(WINDOW_TICKS)) {
            return Err(Error::invalid_encoding("tick out of range 1 ns..=2^57 ns"));
        }
        if m == 0 || m > params::MAX_BITS / 4 {
            return Err(Error::invalid_encoding("cell count out of range 1..=2^38"));
        }
        if k == 0 || k > params::MAX_HASHES {
            return Err(Error::invalid_encoding("hash count out of range 1..=64"));
        }
        let last_tick = last_ns / tick_ns;
        if last_ns > saved_at || last_insert_tick.is_some_and(|t| t > last_tick) {
            return Err(Error::invalid_encoding(
                "times later than the moment of saving",
            ));
        }
        Ok(Self {
            cells: Nibbles::from_words(m, words)?,
            m,
            k,
            seed,
            capacity,
            rate,
            clock,
            tick_ns,
            last_ns,
            last_tick,
            recent,
            last_insert_tick,
            shift,
        })
    }
}

/// Format (version 1): the anchor `saved_at: u64, saved_unix: u64` (the filter's time and the
/// clock's UNIX time in nanoseconds when saved), then `capacity: u64, rate: f64, tick_ns: u64,
/// cells: u64, hashes: u32, seed: u64, last_ns: u64, recent: [u64; 9], last_insert: u8 flag
/// (+ u64 tick), words: u64 slice` (16 cells per word). Times are nanoseconds on the filter's
/// own axis, which the anchor pins to the UNIX epoch; decoding uses `C::default()` as the clock.
impl<C: Clock + Default> ByteCodec for TimingBloomFilter<C> {
    const TAG: [u8; 4] = TIMING_TAG;
    const VERSION: u16 = 1;

    fn encode_payload(&self, enc: &mut Encoder) {
        put_anchor(enc, &self.clock, self.now_ns());
        self.encode_body(enc);
    }

    fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
        let clock = C::default();
        let (saved_at, saved_unix) = (dec.u64()?, dec.u64()?);
        let shift = restored_shift(&clock, saved_at, saved_unix)?;
        Self::decode_body(dec, clock, shift, saved_at)
    }
}

impl_codec_serde!([C: Clock + Default] TimingBloomFilter<C>);
impl_extend!([C: Clock,] TimingBloomFilter<C>);
impl_heap_size!([C: Clock] TimingBloomFilter<C>, |f| f.cells.heap_bytes());
impl_membership!([C: Clock] TimingBloomFilter<C>);

/// A timing filter that grows with the stream's rate and drops sub-filters whose items have
/// all expired.
///
/// It chains [`TimingBloomFilter`]s like [`crate::ScalableBloomFilter`] chains classic ones:
/// inserts go to the newest; when the newest has received its capacity of new items within one
/// window, a sub-filter `growth` times larger is added. A sub-filter whose last insert has
/// expired holds nothing live and is dropped; once everything has expired the filter starts
/// over at its initial size, so after a burst the memory comes back.
///
/// Rates: a sub-filter created while `j` others are live gets `p (1 - r) r^j`. Older
/// sub-filters expire first, so the `i`-th live sub-filter (oldest first) was created with at
/// least `i` others live, and the live rates sum to at most `Σ p (1 - r) r^i = p`, as for the
/// scalable filter.
///
/// Saved and restored like [`TimingBloomFilter`] (tag `BLTS`), every sub-filter with it.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use hpds_bloom::{ManualClock, ScalingTimingBloomFilter};
/// let clock = ManualClock::new();
/// let mut f = ScalingTimingBloomFilter::with_clock(100, 0.01, Duration::from_secs(8), clock.clone())?;
/// for i in 0..10_000u32 {
///     f.insert(&i); // a burst: the filter grows
/// }
/// assert!(f.stages() > 1);
/// clock.advance(Duration::from_secs(20));
/// f.insert(&"later");
/// assert_eq!(f.stages(), 1); // the burst expired and its sub-filters were dropped
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ScalingTimingBloomFilter<C: Clock + Clone = MonotonicClock> {
    stages: Vec<TimingBloomFilter<C>>,
    initial_capacity: u64,
    rate: f64,
    tightening: f64,
    growth: u64,
    decay: Duration,
    clock: C,
    seed: u64,
    /// As [`TimingBloomFilter`]'s, shared by every sub-filter.
    shift: i64,
}

impl ScalingTimingBloomFilter<MonotonicClock> {
    /// A scaling timing filter on the system's monotonic clock.
    ///
    /// # Errors
    /// As [`with_clock`](Self::with_clock).
    pub fn new(initial_capacity: u64, false_positive_rate: f64, decay: Duration) -> Result<Self> {
        Self::with_clock(
            initial_capacity,
            false_positive_rate,
            decay,
            MonotonicClock::new(),
        )
    }
}

impl<C: Clock + Clone> ScalingTimingBloomFilter<C> {
    /// A filter starting with room for `initial_capacity` live items, at overall rate
    /// `false_positive_rate`, growth 2 and tightening ratio 0.9.
    ///
    /// # Errors
    /// As [`TimingBloomFilter::with_clock`].
    pub fn with_clock(
        initial_capacity: u64,
        false_positive_rate: f64,
        decay: Duration,
        clock: C,
    ) -> Result<Self> {
        let mut f = Self {
            stages: Vec::new(),
            initial_capacity,
            rate: false_positive_rate,
            tightening: 0.9,
            growth: 2,
            decay,
            clock,
            seed: DEFAULT_SEED,
            shift: 0,
        };
        f.push_stage(initial_capacity)?;
        Ok(f)
    }

    fn push_stage(&mut self, capacity: u64) -> Result<()> {
        let j = self.stages.len() as i32;
        let p = self.rate * (1.0 - self.tightening) * self.tightening.powi(j);
        let stage =
            TimingBloomFilter::shifted(capacity, p, self.decay, self.clock.clone(), self.shift)?;
        self.stages.push(stage);
        Ok(())
    }

    /// Whether the item is live in some sub-filter.
    pub fn contains<T: Item + ?Sized>(&self, item: &T) -> bool {
        self.contains_hashes(Hashes::of_item(item, self.seed))
    }

    /// Inserts or refreshes an item; returns `true` if it was (probably) live already.
    pub fn insert<T: Item + ?Sized>(&mut self, item: &T) -> bool {
        self.insert_hashes(Hashes::of_item(item, self.seed))
    }

    /// [`contains`](Self::contains) for a 64-bit hash.
    pub fn contains_hash(&self, hash: u64) -> bool {
        self.contains_hashes(Hashes::from_u64(hash))
    }

    /// [`insert`](Self::insert) for a 64-bit hash.
    pub fn insert_hash(&mut self, hash: u64) -> bool {
        self.insert_hashes(Hashes::from_u64(hash))
    }

    fn now_ns(&self) -> u64 {
        nanos(self.clock.now()).saturating_add_signed(self.shift)
    }

    fn contains_hashes(&self, h: Hashes) -> bool {
        let now = self.now_ns();
        self.stages.iter().rev().any(|s| s.contains_at(h, now))
    }

    fn insert_hashes(&mut self, h: Hashes) -> bool {
        let now = self.now_ns();
        // Everything expired: start over at the initial size, so memory comes back after a
        // burst.
        if self.stages.len() > 1 && self.stages.iter().all(TimingBloomFilter::is_expired) {
            self.stages = Vec::new();
            if self.push_stage(self.initial_capacity).is_err() {
                unreachable!("the initial stage was built once with these settings");
            }
        }
        // Drop expired sub-filters (never the newest).
        let newest = self.stages.len() - 1;
        let mut i = 0;
        self.stages.retain(|s| {
            let keep = i == newest || !s.is_expired();
            i += 1;
            keep
        });
        let present = self.stages.iter().rev().any(|s| s.contains_at(h, now));
        let last = self.stages.last_mut().expect("at least one stage");
        if last.live_inserts() >= last.capacity() {
            let capacity = last.capacity().saturating_mul(self.growth);
            // A sub-filter too large to build keeps the newest overfilled rather than panic.
            let _ = self.push_stage(capacity);
        }
        let last = self.stages.last_mut().expect("at least one stage");
        last.insert_at(h, now);
        present
    }

    /// Number of sub-filters.
    pub fn stages(&self) -> usize {
        self.stages.len()
    }

    /// The capacity the first sub-filter was given.
    pub fn initial_capacity(&self) -> u64 {
        self.initial_capacity
    }

    /// Empties the filter, keeping one sub-filter.
    pub fn clear(&mut self) {
        let last = self.stages.len() - 1;
        self.stages.drain(..last);
        self.stages[0].clear();
    }
}

impl<C: Clock + Clone> fmt::Debug for ScalingTimingBloomFilter<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScalingTimingBloomFilter")
            .field("stages", &self.stages)
            .finish_non_exhaustive()
    }
}

impl<C: Clock + Clone, D: Clock + Clone> PartialEq<ScalingTimingBloomFilter<D>>
    for ScalingTimingBloomFilter<C>
{
    /// Same parameters and sub-filters (the clocks are not compared).
    fn eq(&self, other: &ScalingTimingBloomFilter<D>) -> bool {
        self.stages == other.stages
            && self.initial_capacity == other.initial_capacity
            && self.rate == other.rate
            && self.tightening == other.tightening
            && self.growth == other.growth
            && self.decay == other.decay
            && self.seed == other.seed
    }
}

impl<C: Clock + Clone> ScalingTimingBloomFilter<C> {
    /// Decodes a filter written by [`ByteCodec::to_bytes`], reading time from `clock`.
    ///
    /// # Errors
    /// As [`ByteCodec::from_bytes`]. Never panics.
    pub fn from_bytes_with_clock(bytes: &[u8], clock: C) -> Result<Self> {
        let (mut dec, _version) = Decoder::open(bytes, SCALING_TAG, 1)?;
        let f = Self::decode_with_clock(&mut dec, clock)?;
        dec.finish()?;
        Ok(f)
    }

    fn decode_with_clock(dec: &mut Decoder<'_>, clock: C) -> Result<Self> {
        let (saved_at, saved_unix) = (dec.u64()?, dec.u64()?);
        let shift = restored_shift(&clock, saved_at, saved_unix)?;
        let initial_capacity = dec.u64()?;
        let rate = dec.f64()?;
        let tightening = dec.f64()?;
        let growth = dec.u64()?;
        let decay = Duration::from_nanos(dec.u64()?);
        let seed = dec.u64()?;
        if !(tightening > 0.0 && tightening < 1.0) || growth == 0 {
            return Err(Error::invalid_encoding(
                "tightening outside (0, 1) or growth 0",
            ));
        }
        // The first sub-filter must be buildable again (after everything expires).
        shape(initial_capacity, rate * (1.0 - tightening), decay)
            .map_err(|_| Error::invalid_encoding("initial sub-filter parameters out of range"))?;
        // A sub-filter's encoding takes more than 100 bytes.
        let n = dec.count(100)?;
        if n == 0 {
            return Err(Error::invalid_encoding("no sub-filter"));
        }
        let tick_ns = nanos(decay) / WINDOW_TICKS;
        let mut stages = Vec::with_capacity(n);
        for _ in 0..n {
            let stage = TimingBloomFilter::decode_body(dec, clock.clone(), shift, saved_at)?;
            if stage.tick_ns != tick_ns {
                return Err(Error::invalid_encoding(
                    "a sub-filter's tick does not match the decay",
                ));
            }
            stages.push(stage);
        }
        Ok(Self {
            stages,
            initial_capacity,
            rate,
            tightening,
            growth,
            decay,
            clock,
            seed,
            shift,
        })
    }
}

/// Format (version 1): the anchor as [`TimingBloomFilter`]'s, then `initial_capacity: u64,
/// rate: f64, tightening: f64, growth: u64, decay_ns: u64, seed: u64`, a `u64` count of
/// sub-filters and each sub-filter's fields after its anchor, oldest first.
impl<C: Clock + Clone + Default> ByteCodec for ScalingTimingBloomFilter<C> {
    const TAG: [u8; 4] = SCALING_TAG;
    const VERSION: u16 = 1;

    fn encode_payload(&self, enc: &mut Encoder) {
        let now = self
            .stages
            .iter()
            .map(|s| s.last_ns)
            .fold(self.now_ns(), u64::max);
        put_anchor(enc, &self.clock, now);
        enc.put_u64(self.initial_capacity);
        enc.put_f64(self.rate);
        enc.put_f64(self.tightening);
        enc.put_u64(self.growth);
        enc.put_u64(nanos(self.decay));
        enc.put_u64(self.seed);
        enc.put_u64(self.stages.len() as u64);
        for s in &self.stages {
            s.encode_body(enc);
        }
    }

    fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
        Self::decode_with_clock(dec, C::default())
    }
}

impl_codec_serde!([C: Clock + Clone + Default] ScalingTimingBloomFilter<C>);
impl_heap_size!([C: Clock + Clone] ScalingTimingBloomFilter<C>, |f| {
    f.stages.capacity() * core::mem::size_of::<TimingBloomFilter<C>>()
        + f.stages.iter().map(HeapSize::heap_bytes).sum::<usize>()
});
impl_membership!([C: Clock + Clone] ScalingTimingBloomFilter<C>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn filter(clock: &ManualClock) -> TimingBloomFilter<ManualClock> {
        TimingBloomFilter::with_clock(1000, 0.01, Duration::from_secs(8), clock.clone()).unwrap()
    }

    #[test]
    fn bad_parameters_are_errors() {
        let c = ManualClock::new();
        let d = Duration::from_secs(1);
        assert!(TimingBloomFilter::with_clock(0, 0.01, d, c.clone()).is_err());
        assert!(TimingBloomFilter::with_clock(10, 2.0, d, c.clone()).is_err());
        assert!(TimingBloomFilter::with_clock(10, 0.01, Duration::ZERO, c.clone()).is_err());
        assert!(TimingBloomFilter::with_clock(10, 0.01, Duration::MAX, c.clone()).is_err());
        assert!(ScalingTimingBloomFilter::with_clock(0, 0.01, d, c).is_err());
    }

    #[test]
    fn expires_after_the_window() {
        let clock = ManualClock::new();
        let mut f = filter(&clock);
        assert!(!f.insert(&1u32));
        clock.advance(Duration::from_millis(7999));
        assert!(f.contains(&1u32));
        clock.advance(Duration::from_millis(1001)); // 9 s = decay + τ
        assert!(!f.contains(&1u32));
        assert!(f.is_expired());
    }

    #[test]
    fn reinsert_refreshes() {
        let clock = ManualClock::new();
        let mut f = filter(&clock);
        f.insert(&1u32);
        clock.advance(Duration::from_secs(6));
        assert!(f.insert(&1u32));
        clock.advance(Duration::from_secs(6));
        assert!(f.contains(&1u32));
    }

    #[test]
    fn backwards_clock_is_no_time_passing() {
        let clock = ManualClock::new();
        clock.set(Duration::from_secs(100));
        let mut f = filter(&clock);
        f.insert(&1u32);
        clock.set(Duration::from_secs(3));
        assert!(f.contains(&1u32));
        f.insert(&2u32);
        clock.set(Duration::from_secs(107));
        assert!(f.contains(&1u32) && f.contains(&2u32));
        clock.set(Duration::from_secs(110));
        assert!(!f.contains(&1u32));
    }

    #[test]
    fn live_inserts_counts_the_window() {
        let clock = ManualClock::new();
        let mut f = filter(&clock);
        f.extend(0..10u32);
        clock.advance(Duration::from_secs(4));
        f.extend(10..15u32);
        assert_eq!(f.live_inserts(), 15);
        clock.advance(Duration::from_secs(5)); // first batch is 9 ticks old
        assert_eq!(f.live_inserts(), 5);
        clock.advance(Duration::from_secs(100));
        assert_eq!(f.live_inserts(), 0);
    }
}
