//! The theta sketch decoder never panics on arbitrary bytes, raw or behind a valid frame and a
//! plausible header (so the Rice decoder and the field checks are reached); whatever decodes
//! re-encodes to the same bytes and still inserts, estimates, bounds and combines.
#![no_main]

use hpds_core::ByteCodec;
use hpds_core::codec::Encoder;
use hpds_core::hash::DEFAULT_SEED;
use hpds_kmv::ThetaSketch;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A header with k from the first byte, the default seed, θ from the next eight bytes and
    // a small count, then the rest as the Rice parameter and the bit stream.
    let k = 2 + u64::from(data.first().copied().unwrap_or(0) % 64);
    let theta = data
        .get(1..9)
        .map_or(u64::MAX, |b| u64::from_le_bytes(b.try_into().expect("8 bytes")));
    let count = u64::from(data.get(9).copied().unwrap_or(0) % 72);
    let mut enc = Encoder::new(*b"THTA", 1);
    enc.put_varint(k);
    enc.put_u64(DEFAULT_SEED);
    enc.put_u64(theta);
    enc.put_varint(count);
    enc.put_raw(data.get(10..).unwrap_or(&[]));
    let framed = enc.finish();
    for bytes in [data, &framed[..]] {
        if let Ok(mut s) = ThetaSketch::from_bytes(bytes) {
            assert_eq!(s.to_bytes(), bytes);
            let t = s.clone();
            for h in 0..200u64 {
                s.insert_hash(h.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            }
            assert!(s.estimate() >= 0.0);
            let (lo, hi) = s.estimate_bounds(0.9).unwrap();
            assert!(lo <= hi && !hi.is_nan());
            let j = s.jaccard(&t).unwrap();
            assert!((0.0..=1.0).contains(&j));
            assert!(s.intersect(&t).unwrap().estimate() >= 0.0);
            assert!(s.a_not_b(&t).unwrap().estimate() >= 0.0);
            s.merge(&t).unwrap();
            assert!(s.retained() <= s.min_retained());
        }
    }
});
