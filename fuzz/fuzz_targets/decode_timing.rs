//! The timing filters' and the atomic filter's decoders never panic on arbitrary bytes, raw or
//! behind a valid frame of each tag; what decodes keeps working as time passes.
#![no_main]

use std::time::Duration;

use hpds_bloom::{AtomicBloomFilter, ManualClock, ScalingTimingBloomFilter, TimingBloomFilter};
use hpds_core::ByteCodec;
use hpds_core::codec::Encoder;
use libfuzzer_sys::fuzz_target;

fn all(bytes: &[u8]) {
    let clock = ManualClock::new();
    clock.set(Duration::from_secs(1_000));
    if let Ok(mut f) = TimingBloomFilter::from_bytes_with_clock(bytes, clock.clone()) {
        let _ = f.contains("a");
        clock.advance(Duration::from_secs(3));
        f.insert("a");
        let _ = (f.live_inserts(), f.is_expired(), f.to_bytes());
    }
    if let Ok(mut f) = ScalingTimingBloomFilter::from_bytes_with_clock(bytes, clock.clone()) {
        let _ = f.contains("a");
        clock.advance(Duration::from_secs(30));
        f.insert("a");
        let _ = f.to_bytes();
    }
    if let Ok(f) = AtomicBloomFilter::from_bytes(bytes) {
        f.insert("a");
        let _ = f.contains("b");
    }
}

fuzz_target!(|data: &[u8]| {
    all(data);
    for tag in [*b"BLMT", *b"BLTS"] {
        let mut enc = Encoder::new(tag, 1);
        enc.put_raw(data);
        all(&enc.finish());
    }
});
