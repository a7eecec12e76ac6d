//! The expandable filter's decoder never panics on arbitrary bytes, raw or behind a valid frame
//! of its tag; what decodes re-encodes to bytes that decode to the same filter and re-encode to
//! themselves (the decoder places anew a table whose entries sit outside a home bucket with
//! room, so the first re-encoding may differ from the input), answers queries, and keeps every
//! item inserted afterwards.
#![no_main]

use hpds_bloom::ExpandableFilter;
use hpds_core::ByteCodec;
use hpds_core::codec::Encoder;
use libfuzzer_sys::fuzz_target;

fn check(bytes: &[u8]) {
    let Ok(f) = ExpandableFilter::from_bytes(bytes) else {
        return;
    };
    let canonical = f.to_bytes();
    let again = ExpandableFilter::from_bytes(&canonical).expect("re-encoded bytes decode");
    assert!(again == f, "re-encoded bytes decode to another filter");
    assert_eq!(
        again.to_bytes(),
        canonical,
        "decode/encode of re-encoded bytes is not the identity"
    );
    let _ = f.false_positive_rate();
    let mut g = f.clone();
    let mut merged = false;
    for i in 0..64u64 {
        let _ = g.contains(&i);
        if g.try_insert(&i).is_err() {
            // Past the memory limit `insert` merges entries, and removals may then lose items.
            merged = true;
            g.insert(&i);
        }
    }
    assert!(
        (0..64u64).all(|i| g.contains(&i)),
        "an inserted item was lost"
    );
    if merged {
        return;
    }
    for i in 0..32u64 {
        assert!(g.remove(&i));
    }
    assert!((32..64u64).all(|i| g.contains(&i)), "a kept item was lost");
}

fuzz_target!(|data: &[u8]| {
    check(data);
    let mut enc = Encoder::new(ExpandableFilter::TAG, ExpandableFilter::VERSION);
    enc.put_raw(data);
    check(&enc.finish());
});
