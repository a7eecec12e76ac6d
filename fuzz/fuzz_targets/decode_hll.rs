//! The LogLog family's decoders never panic on arbitrary bytes, raw or behind a valid frame
//! and header (so the payload checks are reached); what decodes re-encodes and estimates.
#![no_main]

use hpds_core::ByteCodec;
use hpds_core::codec::Encoder;
use hpds_loglog::{HyperLogLog, HyperLogLogPlusPlus, LogLog, SuperLogLog};
use libfuzzer_sys::fuzz_target;

fn framed(tag: [u8; 4], prefix: &[u8], data: &[u8]) -> Vec<u8> {
    let mut enc = Encoder::new(tag, 1);
    enc.put_raw(prefix);
    enc.put_raw(data);
    enc.finish()
}

fn check<S: ByteCodec + PartialEq + core::fmt::Debug>(bytes: &[u8], estimate: impl Fn(&S) -> f64) {
    if let Ok(s) = S::from_bytes(bytes) {
        let again = S::from_bytes(&s.to_bytes()).expect("re-encoding decodes");
        assert_eq!(again, s);
        let e = estimate(&s);
        assert!(e >= 0.0 && !e.is_nan());
    }
}

fuzz_target!(|data: &[u8]| {
    let p = data.first().map_or(10, |b| 4 + b % 15);
    let inputs = [
        data.to_vec(),
        framed(*b"HLLP", &[1, p.max(8), 1], data),
        framed(*b"HLLP", &[0, p, 0], data),
        framed(*b"HLL6", &[p, 1], data),
        framed(*b"LLOG", &[p, 0], data),
        framed(*b"SLLG", &[p, 0], data),
    ];
    for bytes in &inputs {
        check::<HyperLogLogPlusPlus>(bytes, HyperLogLogPlusPlus::estimate);
        check::<HyperLogLog>(bytes, HyperLogLog::estimate);
        check::<LogLog>(bytes, LogLog::estimate);
        check::<SuperLogLog>(bytes, SuperLogLog::estimate);
    }
});
