//! ExaLogLog's decoder never panics on arbitrary bytes, raw or behind a valid frame and
//! header for several `(t, d)` (so the register and token checks are reached); what decodes
//! re-encodes and estimates.
#![no_main]

use hpds_core::ByteCodec;
use hpds_core::codec::Encoder;
use hpds_loglog::{ExaLogLog, ExaLogLogEstimator};
use libfuzzer_sys::fuzz_target;

fn framed(prefix: &[u8], data: &[u8]) -> Vec<u8> {
    let mut enc = Encoder::new(*b"ELL ", 1);
    enc.put_raw(prefix);
    enc.put_raw(data);
    enc.finish()
}

fuzz_target!(|data: &[u8]| {
    let p = data.first().map_or(10, |b| 4 + b % 15);
    let (t, d) =
        [(2u8, 20u8), (2, 24), (1, 9), (0, 2)][usize::from(data.get(1).map_or(0, |b| b % 4))];
    for bytes in [
        data.to_vec(),
        framed(&[p, t, d], data),
        framed(&[p | 1 << 6, t, d], data),
        framed(&[p.max(8) | 1 << 5, t, d], data),
    ] {
        if let Ok(s) = ExaLogLog::from_bytes(&bytes) {
            let again = ExaLogLog::from_bytes(&s.to_bytes()).expect("re-encoding decodes");
            assert_eq!(again, s);
            for e in [
                ExaLogLogEstimator::Best,
                ExaLogLogEstimator::MaximumLikelihood,
            ] {
                let x = s.estimate_with(e).expect("always defined");
                assert!(x >= 0.0 && !x.is_nan());
            }
        }
    }
});
