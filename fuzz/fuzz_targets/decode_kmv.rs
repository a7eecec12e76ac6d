//! The KMV decoder never panics on arbitrary bytes, and whatever decodes re-encodes identically
//! and still inserts, estimates and merges.
#![no_main]

use hpds_core::codec::{ByteCodec, Encoder};
use hpds_kmv::Kmv;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut enc = Encoder::new(*b"KMV ", 1);
    enc.put_raw(data);
    let framed = enc.finish();
    for bytes in [data, &framed[..]] {
        if let Ok(mut s) = Kmv::from_bytes(bytes) {
            assert_eq!(s.to_bytes(), bytes);
            let t = s.clone();
            for h in 0..100u64 {
                s.insert_hash(h.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            }
            s.merge(&t).unwrap();
            assert!(s.estimate() >= 0.0);
            let _ = s.jaccard(&t).unwrap();
            let _ = s.estimate_bounds(0.9).unwrap();
        }
    }
});
