//! Every filter follows hpds' serde convention: a base64 string of the versioned encoding in
//! JSON, the bytes in bincode, both validated on the way in.
#![cfg(feature = "serde")]

use hpds_bloom::{BlockedBloomFilter, BloomFilter, CountingBloomFilter, ScalableBloomFilter};
use hpds_testkit::serde_check::round_trip;

#[test]
fn every_filter_round_trips_in_json_and_bincode() {
    let mut classic = BloomFilter::new(1_000, 0.01).unwrap();
    let mut blocked = BlockedBloomFilter::new(1_000, 0.01).unwrap();
    let mut counting = CountingBloomFilter::new(1_000, 0.01).unwrap();
    let mut scalable = ScalableBloomFilter::new(100, 0.01).unwrap();
    round_trip(&classic);
    round_trip(&blocked);
    round_trip(&counting);
    round_trip(&scalable);
    for i in 0..500u64 {
        classic.insert(&i);
        blocked.insert(&i);
        counting.insert(&i);
        scalable.insert(&i);
    }
    round_trip(&classic);
    round_trip(&blocked);
    round_trip(&counting);
    round_trip(&scalable);

    let back: BloomFilter =
        serde_json::from_str(&serde_json::to_string(&classic).unwrap()).unwrap();
    assert_eq!(back, classic);
    assert!((0..500u64).all(|i| back.contains(&i)));
}
