//! HyperLogLog++ merges of decoded sketches never panic; at equal precision they fail or succeed
//! the same way in either order and agree in either order; merges are idempotent, and a merged
//! sketch re-encodes to bytes that decode.
#![no_main]

use arbitrary::Arbitrary;
use hpds_core::ByteCodec;
use hpds_loglog::HyperLogLogPlusPlus;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Side {
    precision: u8,
    bytes: Vec<u8>,
    hashes: Vec<u64>,
}

/// The decoded sketch when the bytes are an encoding, else a fresh one; then the hashes.
fn sketch(side: &Side) -> Option<HyperLogLogPlusPlus> {
    let mut s = HyperLogLogPlusPlus::from_bytes(&side.bytes)
        .or_else(|_| HyperLogLogPlusPlus::new(4 + side.precision % 15))
        .ok()?;
    s.insert_hashes(&side.hashes);
    Some(s)
}

fuzz_target!(|input: (Side, Side)| {
    let (Some(a), Some(b)) = (sketch(&input.0), sketch(&input.1)) else {
        return;
    };
    let (mut ab, mut ba) = (a.clone(), b.clone());
    let (r1, r2) = (ab.merge(&b), ba.merge(&a));
    if a.precision() != b.precision() {
        // Only a sketch of higher precision folds into one of lower (documented).
        return;
    }
    assert_eq!(r1.is_ok(), r2.is_ok(), "merge succeeds in one order only");
    if r1.is_ok() {
        let (x, y) = (ab.estimate(), ba.estimate());
        assert!((x - y).abs() <= 1e-9 * x.max(1.0), "{x} vs {y}");
        let again = HyperLogLogPlusPlus::from_bytes(&ab.to_bytes()).expect("merged re-decodes");
        assert_eq!(again.estimate(), ab.estimate());
    }
    let mut aa = a.clone();
    aa.merge(&a).expect("a sketch merges with itself");
    assert_eq!(aa.estimate(), a.estimate(), "merge is idempotent");
});
