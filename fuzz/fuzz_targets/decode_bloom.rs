//! Every Bloom filter decoder never panics on arbitrary bytes, raw or behind a valid frame of
//! each filter's tag; what decodes re-encodes to the same bytes and answers queries.
#![no_main]

use hpds_bloom::{BlockedBloomFilter, BloomFilter, CountingBloomFilter, ScalableBloomFilter};
use hpds_core::ByteCodec;
use hpds_core::codec::Encoder;
use libfuzzer_sys::fuzz_target;

fn check<T: ByteCodec>(bytes: &[u8], probe: impl Fn(&T)) {
    if let Ok(value) = T::from_bytes(bytes) {
        assert_eq!(value.to_bytes(), bytes, "decode/encode is not the identity");
        probe(&value);
    }
}

fn all(bytes: &[u8]) {
    check::<BloomFilter>(bytes, |f| {
        let _ = f.contains(&1u64);
        let _ = f.estimated_len();
    });
    check::<BlockedBloomFilter>(bytes, |f| {
        let _ = f.contains(&1u64);
    });
    check::<CountingBloomFilter>(bytes, |f| {
        let _ = f.contains(&1u64);
    });
    check::<ScalableBloomFilter>(bytes, |f| {
        let _ = f.contains(&1u64);
        let _ = f.false_positive_rate();
    });
}

fuzz_target!(|data: &[u8]| {
    all(data);
    // Each tag in the version its decoder reads.
    for (tag, version) in [
        (BloomFilter::TAG, BloomFilter::VERSION),
        (BlockedBloomFilter::TAG, BlockedBloomFilter::VERSION),
        (CountingBloomFilter::TAG, CountingBloomFilter::VERSION),
        (ScalableBloomFilter::TAG, ScalableBloomFilter::VERSION),
    ] {
        let mut enc = Encoder::new(tag, version);
        enc.put_raw(data);
        all(&enc.finish());
    }
});
