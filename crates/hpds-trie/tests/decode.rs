//! Decoding: golden bytes pin the format; arbitrary and corrupted bytes give `Err`, never a
//! panic. (Mutations that also fix the checksum are tested inside the crate, against the
//! structural validator directly, and by the `decode_wordset` fuzz target.)

use hpds_core::{DecodeError, ErrorKind};
use hpds_trie::{WordMap, WordSet};
use proptest::prelude::*;

/// `WordSet` of {"cat", "cats", "dog"} in fst's format version 3 (fst 0.4). A change here is a
/// format change: it must be deliberate (regenerate with `cargo run -p hpds-benches --bin trie_golden`).
const GOLDEN_SET: [u8; 52] = [
    3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 115, 16, 65, 193, 197, 0, 16, 151, 196, 1,
    5, 100, 99, 16, 2, 3, 0, 0, 0, 0, 0, 0, 0, 31, 0, 0, 0, 0, 0, 0, 0, 76, 60, 15, 115,
];
/// `WordMap` of {"cat": 1, "cats": 2, "dog": 300}.
const GOLDEN_MAP: [u8; 58] = [
    3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 115, 17, 65, 193, 197, 0, 16, 151,
    196, 44, 1, 1, 0, 1, 5, 100, 99, 18, 2, 3, 0, 0, 0, 0, 0, 0, 0, 37, 0, 0, 0, 0, 0, 0, 0, 80,
    203, 22, 223,
];

#[test]
fn golden_bytes() {
    let set: WordSet = ["dog", "cats", "cat"].into_iter().collect();
    assert_eq!(set.as_bytes(), GOLDEN_SET);
    let back = WordSet::from_bytes(&GOLDEN_SET).unwrap();
    assert_eq!(
        back.iter().collect::<Vec<_>>(),
        [&b"cat"[..], b"cats", b"dog"]
    );

    let map: WordMap = [("dog", 300u64), ("cat", 1), ("cats", 2)]
        .into_iter()
        .collect();
    assert_eq!(map.as_bytes(), GOLDEN_MAP);
    let back = WordMap::from_bytes(&GOLDEN_MAP).unwrap();
    assert_eq!(back.get("dog"), Some(300));
    assert_eq!(back.get("cats"), Some(2));
}

fn decode_error(r: hpds_core::Result<WordSet>) -> DecodeError {
    match r.unwrap_err().kind() {
        ErrorKind::Decode(e) => e.clone(),
        other => panic!("not a decode error: {other:?}"),
    }
}

#[test]
fn errors_say_what_is_wrong() {
    assert!(matches!(
        decode_error(WordSet::from_bytes(&[])),
        DecodeError::Truncated { .. }
    ));
    assert!(matches!(
        decode_error(WordSet::from_bytes(&GOLDEN_SET[..30])),
        DecodeError::Truncated { .. }
    ));
    let mut b = GOLDEN_SET;
    b[0] = 2;
    assert!(matches!(
        decode_error(WordSet::from_bytes(&b)),
        DecodeError::UnsupportedVersion {
            expected: 3,
            got: 2
        }
    ));
    let mut b = GOLDEN_SET;
    b[20] ^= 1;
    assert!(matches!(
        decode_error(WordSet::from_bytes(&b)),
        DecodeError::ChecksumMismatch { .. }
    ));
    // A map with non-zero values is not a set; a set is a map whose values are all zero.
    assert!(matches!(
        decode_error(WordSet::from_bytes(&GOLDEN_MAP)),
        DecodeError::Invalid { .. }
    ));
    assert_eq!(
        WordMap::from_bytes(&GOLDEN_SET).unwrap().get("cat"),
        Some(0)
    );
}

#[test]
fn every_single_byte_change_is_rejected() {
    // CRC-32C detects every error confined to 32 consecutive bits.
    for i in 0..GOLDEN_SET.len() {
        for delta in [1u8, 0x80, 0xff] {
            let mut b = GOLDEN_SET;
            b[i] = b[i].wrapping_add(delta);
            assert!(WordSet::from_bytes(&b).is_err(), "byte {i} + {delta}");
            assert!(WordMap::from_bytes(&b).is_err(), "byte {i} + {delta}");
        }
    }
    for n in 0..GOLDEN_SET.len() {
        assert!(WordSet::from_bytes(&GOLDEN_SET[..n]).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 16 } else { 2048 }))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = WordSet::from_bytes(&bytes);
        let _ = WordMap::from_bytes(&bytes);
    }

    /// A valid version, length and trailer around arbitrary nodes: reaches the checks past
    /// the header (the checksum stops almost all; the in-crate test bypasses it).
    #[test]
    fn framed_garbage_never_panics(body in prop::collection::vec(any::<u8>(), 0..64), len in 0u64..4, crc in any::<u32>()) {
        let mut b = vec![3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        b.extend_from_slice(&body);
        let root = (b.len() as u64).saturating_sub(1);
        b.extend_from_slice(&len.to_le_bytes());
        b.extend_from_slice(&root.to_le_bytes());
        b.extend_from_slice(&crc.to_le_bytes());
        let _ = WordSet::from_bytes(&b);
        let _ = WordMap::from_bytes(&b);
    }
}
