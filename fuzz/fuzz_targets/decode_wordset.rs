//! `WordSet::from_bytes` / `WordMap::from_bytes` never panic, and every query on what they
//! accept runs without panicking.
//!
//! Besides the raw input, the target builds a valid fst from the input's first half (as keys),
//! applies the second half as byte edits, and recomputes fst's CRC-32C, so the structural
//! validator (not just the checksum) is what stands between the fuzzer and fst's node decoder.
#![no_main]

use hpds_trie::{WordMap, WordSet};
use libfuzzer_sys::fuzz_target;

/// fst's masked CRC-32C (Castagnoli), bitwise.
fn crc32c_masked(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    (!crc).rotate_right(15).wrapping_add(0xa282_ead8)
}

fn exercise_set(s: &WordSet) {
    let _ = s.len();
    let n = s.iter().count();
    assert_eq!(n, s.len());
    for q in [&b""[..], b"a", b"te", b"\xff\x00"] {
        let _ = s.contains(q);
        let _ = s.longest_prefix(q);
        let _ = s.prefix(q).count();
        let _ = s.range(q..).count();
    }
    // (Fuzzy search is left to the in-crate proptest: building its automaton per input would
    // cost more than the rest of the target.)
    let _ = WordSet::union([s, s]).len();
}

fn exercise_map(m: &WordMap) {
    let n = m.iter().count();
    assert_eq!(n, m.len());
    for q in [&b""[..], b"a", b"te"] {
        let _ = m.get(q);
        let _ = m.longest_prefix(q);
    }
    let _ = m.key_of(1);
}

fn check(bytes: &[u8]) {
    if let Ok(s) = WordSet::from_bytes(bytes) {
        exercise_set(&s);
    }
    if let Ok(m) = WordMap::from_bytes(bytes) {
        exercise_map(&m);
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    let (keys, edits) = data.split_at(data.len() / 2);
    let mut words: Vec<&[u8]> = keys.split(|&b| b == b' ').collect();
    words.sort_unstable();
    let base = WordSet::from_sorted_iter(&words)
        .expect("sorted")
        .to_bytes();
    let map: WordMap = words
        .iter()
        .enumerate()
        .map(|(i, w)| (*w, i as u64 * 1000))
        .collect();
    for mut bytes in [base, map.to_bytes()] {
        for pair in edits.chunks_exact(2) {
            let at = pair[0] as usize % bytes.len();
            bytes[at] = pair[1];
        }
        let n = bytes.len();
        let crc = crc32c_masked(&bytes[..n - 4]);
        bytes[n - 4..].copy_from_slice(&crc.to_le_bytes());
        check(&bytes);
    }
});
