//! Helpers shared by the integration tests.
#![allow(dead_code)]

use hpds_core::hash::hash_u64;
use proptest::prelude::*;

/// Hash streams reaching every regime of a sketch: tiny (exact), around the first rebuild or
/// trim, many of them; values from a small pool so repeats are common.
pub fn stream() -> impl Strategy<Value = Vec<u64>> {
    prop_oneof![
        proptest::collection::vec(any::<u64>(), 0..20),
        proptest::collection::vec(0u64..300, 0..400)
            .prop_map(|v| v.into_iter().map(|x| hash_u64(x, 1)).collect()),
        proptest::collection::vec(any::<u64>(), 0..3000),
    ]
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
