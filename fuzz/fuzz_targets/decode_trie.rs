//! `Trie::from_bytes` never panics, and what it accepts is a set (strictly increasing keys)
//! that every query handles.
//!
//! Besides the raw input, the target wraps the input in a valid frame (tag `TRIE`, the current
//! version, a correct checksum), so the payload checks, not the checksum, are what the fuzzer
//! meets.
#![no_main]

use hpds_core::codec::{ByteCodec, Encoder};
use hpds_trie::Trie;
use libfuzzer_sys::fuzz_target;

fn check(bytes: &[u8]) {
    let Ok(t) = Trie::from_bytes(bytes) else {
        return;
    };
    let keys: Vec<Vec<u8>> = t.iter().collect();
    assert_eq!(keys.len(), t.len());
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
    for k in keys.iter().take(8) {
        assert!(t.contains(k));
        assert_eq!(t.longest_prefix(k), Some(&k[..]));
        assert!(t.count_prefix(k) >= 1);
    }
    assert_eq!(Trie::from_bytes(&t.to_bytes()).as_ref().ok(), Some(&t));
}

fuzz_target!(|data: &[u8]| {
    check(data);
    let mut enc = Encoder::new(*b"TRIE", Trie::VERSION);
    enc.put_raw(data);
    check(&enc.finish());
});
