//! Key strategies shared by the model tests (included with `#[path]`).
#![allow(dead_code)]

use proptest::prelude::*;

/// Keys that reach every representation: a small alphabet (deep sharing, splits and merges),
/// non-ASCII UTF-8, arbitrary bytes, the empty key, and keys longer than a trie label (64 KiB).
pub fn key() -> impl Strategy<Value = Vec<u8>> {
    key_up_to(65_530..65_545)
}

/// As [`key`], with long keys of the given lengths (the fst builder spends a node per byte of
/// an unshared suffix, so its tests use 1 to 2 KiB).
pub fn key_up_to(long: std::ops::Range<usize>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => prop::collection::vec(prop::sample::select(&b"abc"[..]), 0..7),
        3 => "[a-cé中🦀]{0,5}".prop_map(String::into_bytes),
        2 => prop::collection::vec(any::<u8>(), 0..6),
        1 => Just(Vec::new()),
        1 => (long, prop::sample::select(&b"ab"[..]))
            .prop_map(|(n, c)| {
                let mut v = vec![b'a'; n];
                v.push(c);
                v
            }),
    ]
}

/// A UTF-8 key for fuzzy search (fst's Levenshtein matches UTF-8 keys only).
pub fn word() -> impl Strategy<Value = String> {
    "[a-dé]{0,6}"
}

/// Edit distance over Unicode scalar values, by dynamic programming.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The longest element of `keys` that is a prefix of `q`, by brute force.
pub fn longest_prefix<'a>(keys: impl IntoIterator<Item = &'a Vec<u8>>, q: &[u8]) -> Option<usize> {
    keys.into_iter()
        .filter(|k| q.starts_with(k))
        .map(Vec::len)
        .max()
}
