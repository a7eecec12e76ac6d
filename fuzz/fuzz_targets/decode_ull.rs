//! UltraLogLog's decoder never panics on arbitrary bytes, raw or behind a valid frame and
//! header (so the register and token checks are reached); what decodes re-encodes to the same
//! bytes and estimates.
#![no_main]

use hpds_core::ByteCodec;
use hpds_core::codec::Encoder;
use hpds_loglog::{UltraLogLog, UltraLogLogEstimator};
use libfuzzer_sys::fuzz_target;

fn framed(prefix: &[u8], data: &[u8]) -> Vec<u8> {
    let mut enc = Encoder::new(*b"ULL ", 1);
    enc.put_raw(prefix);
    enc.put_raw(data);
    enc.finish()
}

fuzz_target!(|data: &[u8]| {
    let p = data.first().map_or(10, |b| 4 + b % 15);
    for bytes in [
        data.to_vec(),
        framed(&[p], data),
        framed(&[p.max(8) | 1 << 5], data),
    ] {
        if let Ok(s) = UltraLogLog::from_bytes(&bytes) {
            assert_eq!(s.to_bytes(), bytes);
            for e in [
                UltraLogLogEstimator::MaximumLikelihood,
                UltraLogLogEstimator::Fgra,
            ] {
                let x = s.estimate_with(e);
                assert!(x >= 0.0 && !x.is_nan());
            }
            let _ = s.to_hyperloglog();
        }
    }
});
