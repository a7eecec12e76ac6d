//! Morris decoders never panic on arbitrary bytes, and whatever decodes re-encodes identically
//! and still counts and merges.
#![no_main]

use hpds_core::codec::{ByteCodec, Encoder};
use hpds_morris::{FastRng, MorrisArray, MorrisCounter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Raw bytes, and the same bytes behind valid frames so the field checks are reached.
    let framed = |tag: [u8; 4]| {
        let mut enc = Encoder::new(tag, 1);
        enc.put_raw(data);
        enc.finish()
    };
    for bytes in [data.to_vec(), framed(*b"MRSC")] {
        if let Ok(mut c) = MorrisCounter::<FastRng>::from_bytes(&bytes) {
            assert_eq!(c.to_bytes(), bytes);
            let d = c.clone();
            c.increment_by(1_000);
            c.merge(&d).unwrap();
            assert!(c.estimate().is_finite() && c.exponent() <= c.max_exponent());
        }
    }
    for bytes in [data.to_vec(), framed(*b"MRSA")] {
        if let Ok(mut a) = MorrisArray::<FastRng>::from_bytes(&bytes) {
            assert_eq!(a.to_bytes(), bytes);
            let b = a.clone();
            a.increment_by(a.len() - 1, 1_000);
            a.merge(&b).unwrap();
            assert!(a.exponents().all(|c| c <= a.max_exponent()));
        }
    }
});
