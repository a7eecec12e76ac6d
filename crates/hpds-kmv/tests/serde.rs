//! Kmv follows hpds' serde convention: a base64 string of the versioned encoding in JSON, the
//! bytes in bincode, both validated on the way in.
#![cfg(feature = "serde")]

use hpds_kmv::Kmv;
use hpds_testkit::serde_check::round_trip;

#[test]
fn round_trips_in_json_and_bincode() {
    let mut s = Kmv::with_seed(64, 9).unwrap();
    round_trip(&s);
    for i in 0..10_000u64 {
        s.insert(&i);
    }
    round_trip(&s);
    let back: Kmv = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}
