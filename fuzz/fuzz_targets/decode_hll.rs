//! The LogLog family's decoders never panic on arbitrary bytes, raw or behind a valid frame
//! and header (so the payload checks are reached); what decodes re-encodes and estimates;
//! HyperLogLog++'s sorting and unsorted token readers accept the same bytes.
#![no_main]

use hpds_core::ByteCodec;
use hpds_core::codec::Encoder;
use hpds_loglog::{HyperLogLog, HyperLogLogPlusPlus, LogLog, SuperLogLog};
use libfuzzer_sys::fuzz_target;

fn framed(tag: [u8; 4], prefix: &[u8], data: &[u8]) -> Vec<u8> {
    framed_v(tag, 1, prefix, data)
}

fn framed_v(tag: [u8; 4], version: u16, prefix: &[u8], data: &[u8]) -> Vec<u8> {
    let mut enc = Encoder::new(tag, version);
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
        // The plain sparse form: a sparse header, a sorted-entry count, the plain marker.
        framed_v(*b"HLLP", 3, &[p.max(8) | 0x20, data.get(1).map_or(0, |b| b & 7), 0xff], data),
    ];
    let seed = HyperLogLogPlusPlus::default().seed();
    for bytes in &inputs {
        // The unsorted token reader accepts exactly what the sorting one does.
        let (mut sorted, mut unsorted) = (Vec::new(), Vec::new());
        assert_eq!(
            HyperLogLogPlusPlus::read_sparse_tokens(bytes, p.max(8), seed, &mut sorted),
            HyperLogLogPlusPlus::read_sparse_tokens_unsorted(bytes, p.max(8), seed, &mut unsorted)
        );
        check::<HyperLogLogPlusPlus>(bytes, HyperLogLogPlusPlus::estimate);
        check::<HyperLogLog>(bytes, HyperLogLog::estimate);
        check::<LogLog>(bytes, LogLog::estimate);
        check::<SuperLogLog>(bytes, SuperLogLog::estimate);
    }
});
