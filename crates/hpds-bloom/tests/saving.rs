//! Saving and restoring filters: the atomic filter's snapshot, and timing filters that keep
//! expiring on schedule after a restore (manual clocks, so every time is exact).

use std::time::Duration;

use hpds_bloom::{
    AtomicBloomFilter, BloomFilter, Clock, ManualClock, ScalingTimingBloomFilter, TimingBloomFilter,
};
use hpds_core::ByteCodec;
use proptest::prelude::*;

const DECAY: Duration = Duration::from_secs(8);

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// A clock whose origin is `origin` after the UNIX epoch of the manual clock it follows: the
/// same moment reads differently on it, as a `MonotonicClock` of another process would.
#[derive(Clone)]
struct Offset {
    base: ManualClock,
    origin: Duration,
}

impl Clock for Offset {
    fn now(&self) -> Duration {
        self.base.now().saturating_sub(self.origin)
    }
    fn unix_time(&self) -> Duration {
        self.base.now()
    }
}

#[test]
fn restored_timing_filter_expires_on_schedule() {
    let clock = ManualClock::new();
    clock.set(secs(100.0));
    let mut f = TimingBloomFilter::with_clock(1000, 0.01, DECAY, clock.clone()).unwrap();
    for i in 0..300u32 {
        clock.advance(secs(0.02));
        f.insert(&i);
    }
    let bytes = f.to_bytes();
    // Restored 3 s later, on a clock with another origin; the original keeps running beside it.
    clock.advance(secs(3.0));
    let other = Offset {
        base: clock.clone(),
        origin: secs(50.0),
    };
    let mut g = TimingBloomFilter::from_bytes_with_clock(&bytes, other).unwrap();
    assert!(g == f);
    for step in 0..200u32 {
        // Both see the same inserts and the same time; they must answer alike and stay equal.
        clock.advance(secs(0.1));
        if step % 3 == 0 {
            assert_eq!(f.insert(&(1000 + step)), g.insert(&(1000 + step)));
        }
        for i in (0..300u32).chain(1000..1000 + step) {
            assert_eq!(f.contains(&i), g.contains(&i), "item {i} at step {step}");
        }
        assert!(f == g, "diverged at step {step}");
    }
    // The first items were inserted at 100.02 s: expired by now (126 s).
    assert!((0..300u32).all(|i| !g.contains(&i)));
}

#[test]
fn time_spent_saved_counts() {
    let clock = ManualClock::new();
    let mut f = TimingBloomFilter::with_clock(100, 0.01, DECAY, clock.clone()).unwrap();
    f.insert("token");
    let bytes = f.to_bytes();
    // 7 s on disk: still inside the window; 9 s: expired (decay + τ).
    let later = ManualClock::new();
    later.set(secs(7.0));
    let g = TimingBloomFilter::from_bytes_with_clock(&bytes, later.clone()).unwrap();
    assert!(g.contains("token"));
    later.set(secs(9.0));
    assert!(!g.contains("token"));
    let h = TimingBloomFilter::from_bytes_with_clock(&bytes, later).unwrap();
    assert!(!h.contains("token") && h.is_expired());
}

#[test]
fn monotonic_clock_round_trip() {
    let mut f = TimingBloomFilter::new(100, 0.01, Duration::from_secs(3600)).unwrap();
    f.insert("token");
    let g: TimingBloomFilter = TimingBloomFilter::from_bytes(&f.to_bytes()).unwrap();
    assert!(g.contains("token"));
    assert!(g == f);
}

#[test]
fn restored_scaling_timing_filter_expires_on_schedule() {
    let clock = ManualClock::new();
    clock.set(secs(10.0));
    let mut f = ScalingTimingBloomFilter::with_clock(50, 0.01, DECAY, clock.clone()).unwrap();
    for i in 0..400u32 {
        clock.advance(secs(0.01));
        f.insert(&i);
    }
    assert!(f.stages() > 1);
    let bytes = f.to_bytes();
    clock.advance(secs(1.0));
    let mut g = ScalingTimingBloomFilter::from_bytes_with_clock(
        &bytes,
        Offset {
            base: clock.clone(),
            origin: secs(5.0),
        },
    )
    .unwrap();
    assert!(g == f);
    for step in 0..120u32 {
        clock.advance(secs(0.1));
        if step % 2 == 0 {
            assert_eq!(f.insert(&(5000 + step)), g.insert(&(5000 + step)));
        }
        for i in (0..400u32).step_by(7) {
            assert_eq!(f.contains(&i), g.contains(&i), "item {i} at step {step}");
        }
        assert_eq!(f.stages(), g.stages());
        assert!(f == g, "diverged at step {step}");
    }
    assert!((0..400u32).all(|i| !g.contains(&i)));
}

#[test]
fn atomic_snapshot_round_trip() {
    let f = AtomicBloomFilter::new(1000, 0.01).unwrap();
    for i in 0..500u32 {
        f.insert(&i);
    }
    let snapshot = f.clone();
    f.insert(&10_000u32);
    let bytes = snapshot.to_bytes();
    let g = AtomicBloomFilter::from_bytes(&bytes).unwrap();
    assert!((0..500u32).all(|i| g.contains(&i)));
    assert_eq!(g.to_bloom(), snapshot.to_bloom());
    // The classic filter reads the same bytes.
    assert_eq!(
        BloomFilter::from_bytes(&bytes).unwrap(),
        snapshot.to_bloom()
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_json_is_base64_of_the_codec_bytes() {
    let clock = ManualClock::new();
    let mut t = TimingBloomFilter::with_clock(100, 0.01, DECAY, clock.clone()).unwrap();
    t.insert("a");
    let json = serde_json::to_string(&t).unwrap();
    assert!(json.starts_with('"') && json.ends_with('"'));
    let back: TimingBloomFilter<ManualClock> = serde_json::from_str(&json).unwrap();
    assert!(back == t);
    let a = AtomicBloomFilter::new(100, 0.01).unwrap();
    a.insert("a");
    let back: AtomicBloomFilter =
        serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    assert!(back.contains("a"));
    let s = ScalingTimingBloomFilter::with_clock(100, 0.01, DECAY, clock).unwrap();
    let back: ScalingTimingBloomFilter<ManualClock> =
        serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert!(back == s);
    let fuse = hpds_bloom::BinaryFuse8::new(["x", "y"]).unwrap();
    let back: hpds_bloom::BinaryFuse8 =
        serde_json::from_str(&serde_json::to_string(&fuse).unwrap()).unwrap();
    assert_eq!(back, fuse);
    assert!(serde_json::from_str::<hpds_bloom::BinaryFuse8>("\"not base64!\"").is_err());
}

proptest! {
    #[test]
    fn decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = AtomicBloomFilter::from_bytes(&bytes);
        let _ = TimingBloomFilter::<ManualClock>::from_bytes(&bytes);
        let _ = ScalingTimingBloomFilter::<ManualClock>::from_bytes(&bytes);
        for tag in [*b"BLMT", *b"BLTS"] {
            let mut enc = hpds_core::codec::Encoder::new(tag, 1);
            enc.put_raw(&bytes);
            let framed = enc.finish();
            let _ = TimingBloomFilter::<ManualClock>::from_bytes(&framed);
            let _ = ScalingTimingBloomFilter::<ManualClock>::from_bytes(&framed);
        }
    }

    #[test]
    fn corrupted_timing_payloads_are_errors_or_usable(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        advance in 0u64..40,
    ) {
        let clock = ManualClock::new();
        let mut f = ScalingTimingBloomFilter::with_clock(4, 0.1, DECAY, clock.clone()).unwrap();
        for i in 0..20u32 {
            clock.advance(secs(0.3));
            f.insert(&i);
        }
        let bytes = f.to_bytes();
        let start = 2 + 1 + 4 + 1 + 2;
        let mut payload = bytes[start..bytes.len() - 4].to_vec();
        for (i, x) in flips {
            let j = i.index(payload.len());
            payload[j] ^= x | 1;
        }
        let mut enc = hpds_core::codec::Encoder::new(*b"BLTS", 1);
        enc.put_raw(&payload);
        if let Ok(mut g) = ScalingTimingBloomFilter::from_bytes_with_clock(&enc.finish(), clock.clone()) {
            clock.advance(secs(advance as f64));
            g.insert(&1u32);
            let _ = g.contains(&2u32);
        }
    }
}
