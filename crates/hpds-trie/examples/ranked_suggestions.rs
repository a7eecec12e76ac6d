//! Suggestions ranked by popularity with `WordMap`: each word keeps a number.
//!
//! A `WordMap` is a `WordSet` whose words each carry a `u64`: here, how often the word was
//! searched. Completing a prefix then means taking the words under it and ranking them by that
//! count. The map is built once from sorted entries (streaming, memory bounded by the
//! automaton), saved as bytes, and loaded again the way a service would at start-up (or
//! memory-mapped, with the `mmap` feature).
//!
//! `cargo run -p hpds-trie --example ranked_suggestions`

use std::collections::BTreeMap;

use hpds_trie::WordMap;

/// A search log: one query per entry.
const SEARCHES: &str = "rust rust rust ruby ruby rugby rust rustc rustup rustup rust \
    python python pytorch python pypi pyramid python pytest pytest python \
    rust ruby rustfmt rust rustlings python pytest";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Count the searches; a BTreeMap hands them over in the sorted order the builder needs.
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for query in SEARCHES.split_whitespace() {
        *counts.entry(query).or_insert(0) += 1;
    }
    let map = WordMap::from_sorted_iter(counts.iter().map(|(&k, &v)| (k, v)))?;

    // Save and load: the bytes are fst's own format, checked in full when loaded.
    let bytes = map.to_bytes();
    let map = WordMap::from_bytes(&bytes)?;
    println!("{} distinct queries in {} bytes", map.len(), bytes.len());

    for typed in ["ru", "rust", "py", "go"] {
        let mut hits: Vec<(String, u64)> = map
            .prefix(typed)
            .map(|(k, n)| (String::from_utf8_lossy(&k).into_owned(), n))
            .collect();
        // Most searched first; ties in alphabetical order (the map's order, kept by a stable sort).
        hits.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
        let top: Vec<&str> = hits.iter().take(3).map(|(k, _)| k.as_str()).collect();
        println!("{typed:>5} -> {top:?}");
    }

    assert_eq!(map.get("rust"), Some(7));
    assert_eq!(map.get("go"), None);
    let top_py: Vec<(Vec<u8>, u64)> = map.prefix("py").collect();
    assert_eq!(top_py.len(), 5); // pypi, pyramid, pytest, python, pytorch
    Ok(())
}
