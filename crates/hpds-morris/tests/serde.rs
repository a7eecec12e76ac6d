//! Morris counters follow hpds' serde convention: a base64 string of the versioned encoding in
//! JSON, the bytes in bincode, both validated on the way in.
#![cfg(feature = "serde")]

use hpds_morris::{MorrisArray, MorrisCounter};
use hpds_testkit::serde_check::round_trip;

#[test]
fn round_trips_in_json_and_bincode() {
    let mut c = MorrisCounter::with_seed(1.5, 3).unwrap();
    round_trip(&c);
    c.increment_by(777);
    round_trip(&c);
    let mut a = MorrisArray::with_seed(5, 2.0, 4, 1).unwrap();
    a.increment_by(4, 100);
    round_trip(&a);
}
