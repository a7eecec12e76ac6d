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

/// The checks both sketches share: `new(k)` refuses a `k` outside `MIN_K..=MAX_K` naming `k`,
/// and `bounds(confidence)` of a sketch refuses a confidence outside (0, 1).
pub fn assert_parameters_checked<S, B>(
    new: impl Fn(usize) -> hpds_core::Result<S>,
    bounds: impl Fn(&S, f64) -> hpds_core::Result<B>,
) {
    for k in [0, 1, hpds_kmv::MAX_K + 1] {
        let Err(e) = new(k) else {
            panic!("k = {k} accepted");
        };
        assert!(matches!(
            e.kind(),
            hpds_core::ErrorKind::InvalidParameter { name: "k", .. }
        ));
    }
    let s = new(16).unwrap();
    for c in [0.0, 1.0, 1.5, f64::NAN] {
        assert!(bounds(&s, c).is_err(), "confidence {c} accepted");
    }
}
