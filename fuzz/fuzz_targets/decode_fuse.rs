//! The binary fuse filters' decoders never panic on arbitrary bytes, raw or behind a valid
//! frame of each tag; what decodes re-encodes to the same bytes and answers queries.
#![no_main]

use hpds_bloom::{BinaryFuse8, BinaryFuse16, BinaryFuseFilter, Fingerprint};
use hpds_core::ByteCodec;
use hpds_core::codec::Encoder;
use libfuzzer_sys::fuzz_target;

fn check<F: Fingerprint>(bytes: &[u8]) {
    if let Ok(f) = BinaryFuseFilter::<F>::from_bytes(bytes) {
        assert_eq!(f.to_bytes(), bytes, "decode/encode is not the identity");
        for k in [0, 1, u64::MAX, 0x9e37_79b9_7f4a_7c15] {
            let _ = f.contains_hash(k);
        }
        let _ = f.contains("probe");
        let _ = f.bits_per_item();
    }
}

fuzz_target!(|data: &[u8]| {
    check::<u8>(data);
    check::<u16>(data);
    for tag in [BinaryFuse8::TAG, BinaryFuse16::TAG] {
        let mut enc = Encoder::new(tag, 1);
        enc.put_raw(data);
        let framed = enc.finish();
        check::<u8>(&framed);
        check::<u16>(&framed);
    }
});
