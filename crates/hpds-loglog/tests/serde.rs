//! Every sketch follows hpds' serde convention: a base64 string of the versioned encoding in
//! JSON (not an array of byte numbers), the bytes in bincode, both validated on the way in.
#![cfg(feature = "serde")]

use hpds_core::ByteCodec;
use hpds_loglog::{HyperLogLog, HyperLogLogPlusPlus, LogLog, SuperLogLog};
use hpds_testkit::serde_check::round_trip;

#[test]
fn every_sketch_round_trips_in_json_and_bincode() {
    let mut pp = HyperLogLogPlusPlus::default();
    let mut hll = HyperLogLog::default();
    let mut ll = LogLog::default();
    let mut sll = SuperLogLog::default();
    round_trip(&pp);
    for i in 0..20_000u64 {
        pp.insert(&i);
        hll.insert(&i);
        ll.insert(&i);
        sll.insert(&i);
    }
    round_trip(&pp);
    round_trip(&hll);
    round_trip(&ll);
    round_trip(&sll);
}

#[test]
fn json_is_about_four_thirds_of_the_encoding() {
    let mut pp = HyperLogLogPlusPlus::default();
    for i in 0..20_000u64 {
        pp.insert(&i);
    }
    let bytes = pp.to_bytes().len();
    let json = serde_json::to_string(&pp).unwrap().len();
    // Padded base64 in quotes.
    assert_eq!(
        json,
        4 * bytes.div_ceil(3) + 2,
        "{json} bytes of JSON for {bytes} bytes"
    );
}
