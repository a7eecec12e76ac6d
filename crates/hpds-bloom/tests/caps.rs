//! Allocation bounded by the request: a filter sized from `(expected_items, rate)` refuses a
//! shape over `params::MAX_BITS_PER_ITEM` bits per item, with the rate in scientific notation,
//! before allocating; an explicit shape is how a caller asks for a large filter on purpose.

use std::time::Duration;

use hpds_bloom::{
    AtomicBloomFilter, BlockedBloomFilter, BloomFilter, CountingBloomFilter, ScalableBloomFilter,
    ScalingTimingBloomFilter, TimingBloomFilter, params,
};

fn check(result: Result<(), hpds_core::Error>) {
    let e = result.unwrap_err().to_string();
    // The rate in scientific notation (a scalable filter names its first stage's rate).
    assert!(e.contains("e-30"), "{e}");
    assert!(e.len() < 400, "{e}");
}

#[test]
fn every_filter_refuses_a_tiny_rate() {
    let hour = Duration::from_secs(3600);
    check(BloomFilter::new(1000, 1e-300).map(drop));
    check(BlockedBloomFilter::new(1000, 1e-300).map(drop));
    check(CountingBloomFilter::new(1000, 1e-300).map(drop));
    check(AtomicBloomFilter::new(1000, 1e-300).map(drop));
    check(ScalableBloomFilter::new(1000, 1e-300).map(drop));
    check(TimingBloomFilter::new(1000, 1e-300, hour).map(drop));
    check(ScalingTimingBloomFilter::new(1000, 1e-300, hour).map(drop));
}

#[test]
fn rates_within_the_cap_are_served() {
    let f = BloomFilter::new(1000, 1e-12).unwrap();
    assert!(f.bits() <= 1000 * params::MAX_BITS_PER_ITEM);
    // A large shape given explicitly is accepted: the cap is on sizing from a rate.
    assert!(BloomFilter::with_bits(1000 * 2 * params::MAX_BITS_PER_ITEM, 64).is_ok());
}
