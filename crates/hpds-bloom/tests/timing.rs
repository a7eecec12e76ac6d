//! Timing filters under a mock clock: window semantics across many wrap-arounds of the 4-bit
//! ticks, late decay and clock jumps, the rate on expired items, and memory per item.

use std::time::Duration;

use hpds_bloom::timing::WINDOW_TICKS;
use hpds_bloom::{ManualClock, ScalingTimingBloomFilter, TimingBloomFilter};
use hpds_core::HeapSize;
use rand::Rng;

const DECAY: Duration = Duration::from_secs(8);
const TICK: Duration = Duration::from_secs(1);

/// Runs a stream of unique items through a timing filter for `ticks` ticks (the 15-value tick
/// ring wraps around `ticks / 15` times), with irregular steps and clock jumps, checking:
/// - every item inserted less than `DECAY` ago is present (no false negatives);
/// - items inserted `DECAY + TICK` or more ago are present only at about the target rate.
///
/// The live set never exceeds the capacity, so each expired query is a false positive with
/// probability at most p = 1%; over `q` queries the count is at most Binomial(q, p), and we
/// require it below `q p + 5 sqrt(q p)`.
#[test]
fn window_semantics_across_wrap_around_and_jumps() {
    let clock = ManualClock::new();
    clock.set(Duration::from_secs(1_000_000)); // an arbitrary origin, not tick 0
    let capacity = 2000;
    let mut f = TimingBloomFilter::with_clock(capacity, 0.01, DECAY, clock.clone()).unwrap();
    let mut rng = hpds_testkit::rng(11);
    let mut log: Vec<(u64, Duration)> = Vec::new(); // (item, inserted at)
    let mut next = 0u64;
    let (mut expired_queries, mut expired_hits) = (0u64, 0u64);
    let steps = if cfg!(miri) { 50 } else { 3000 };
    for step in 0..steps {
        // Mostly 100 ms steps; sometimes a late decay (no operation for a while) or a jump.
        let advance = match step % 500 {
            100 => Duration::from_millis(5_500), // more than the 5-tick sweep period
            200 => Duration::from_millis(8_500), // about one window
            300 => Duration::from_secs(40),      // several windows, ring wraps inside the gap
            400 => Duration::from_secs(1_000_003), // a huge jump
            _ => Duration::from_millis(rng.random_range(50..150)),
        };
        clock.advance(advance);
        let now = hpds_bloom::Clock::now(&clock);
        // About 20 inserts per 100 ms: ~1800 live items per 9-tick span.
        for _ in 0..rng.random_range(15..25) {
            f.insert(&next);
            log.push((next, now));
            next += 1;
        }
        // Re-insert an old item now and then: it must be live again.
        if step % 7 == 0 && next > 100 {
            let old = rng.random_range(0..next - 50);
            f.insert(&old);
            log.push((old, now));
        }
        let live_from = log.partition_point(|&(_, t)| now.saturating_sub(t) >= DECAY);
        for &(item, t) in &log[live_from..] {
            assert!(
                f.contains(&item),
                "step {step}: item {item} inserted {:?} ago",
                now.saturating_sub(t)
            );
        }
        // Expired: inserted at least DECAY + TICK ago and not re-inserted since.
        let dead_to = log.partition_point(|&(_, t)| now.saturating_sub(t) >= DECAY + TICK);
        for &(item, _) in log[..dead_to].iter().rev().take(50) {
            if log[dead_to..].iter().any(|&(i, _)| i == item) {
                continue;
            }
            expired_queries += 1;
            expired_hits += u64::from(f.contains(&item));
        }
        // Forget what is long dead, to keep the model small.
        let keep_from = log.partition_point(|&(_, t)| now.saturating_sub(t) >= DECAY * 4);
        log.drain(..keep_from);
    }
    let q = expired_queries as f64;
    let bound = q * 0.01 + 5.0 * (q * 0.01).sqrt();
    println!("expired: {expired_hits} of {expired_queries} positive (bound {bound:.0})");
    assert!(expired_queries > 1000 || cfg!(miri));
    assert!((expired_hits as f64) <= bound);
}

/// Ages are exact after the clock runs far ahead without any operation: the read path uses
/// the ticks since the last maintenance, and the next insert zeroes everything.
#[test]
fn queries_between_inserts_read_exact_ages() {
    let clock = ManualClock::new();
    let mut f = TimingBloomFilter::with_clock(100, 0.01, DECAY, clock.clone()).unwrap();
    f.insert(&1u8);
    for t in 1..=40u64 {
        clock.advance(TICK);
        // Present through tick 8, then never again, even when t ≡ 0 mod 15 (tick wrap).
        assert_eq!(f.contains(&1u8), t <= WINDOW_TICKS, "tick {t}");
    }
    f.insert(&2u8);
    assert!(!f.contains(&1u8));
    assert!(f.contains(&2u8));
}

#[test]
fn explicit_decay_is_equivalent() {
    let clock = ManualClock::new();
    let mut f = TimingBloomFilter::with_clock(100, 0.01, DECAY, clock.clone()).unwrap();
    let mut g = f.clone();
    for i in 0..200u32 {
        clock.advance(Duration::from_millis(230));
        f.insert(&i);
        g.decay();
        g.insert(&i);
        g.decay();
    }
    for i in 0..200u32 {
        assert_eq!(f.contains(&i), g.contains(&i));
    }
}

#[test]
fn at_most_40_bits_per_item_at_1_percent() {
    let f = TimingBloomFilter::new(1_000_000, 0.01, DECAY).unwrap();
    let bits_per_item = f.heap_bytes() as f64 * 8.0 / 1e6;
    assert!(bits_per_item <= 40.0, "{bits_per_item}");
}

#[test]
fn scaling_filter_grows_with_the_rate_and_shrinks_after() {
    let clock = ManualClock::new();
    let mut f = ScalingTimingBloomFilter::with_clock(100, 0.01, DECAY, clock.clone()).unwrap();
    let small = f.heap_bytes();
    // A burst of 20,000 items in one second.
    for i in 0..20_000u32 {
        f.insert(&i);
    }
    assert!(f.stages() >= 7, "{} stages", f.stages());
    assert!((0..20_000u32).all(|i| f.contains(&i)));
    // Non-members during the burst: the live rates sum to at most 1%.
    let fp = (1_000_000..1_100_000u32).filter(|i| f.contains(i)).count();
    assert!(fp as f64 <= 100_000.0 * 0.01 + 5.0 * 1000f64.sqrt(), "{fp}");
    clock.advance(Duration::from_secs(10));
    f.insert(&"quiet");
    assert_eq!(f.stages(), 1);
    assert_eq!(f.heap_bytes(), small);
    assert!(!f.contains(&5u32));
}
