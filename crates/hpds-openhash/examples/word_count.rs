//! Word counts with `OpenMap`'s entry API.
//!
//! Counts the words of a text, prints the most frequent ones, and checks the counts against
//! `std::collections::HashMap`. Two ways to bump a count are shown: `entry`, which takes an
//! owned key (so it allocates a `String` per word, seen or not), and `get_or_insert_ref`, which
//! looks the word up by `&str` and allocates only the first time a word is seen.
//!
//! `cargo run -p hpds-openhash --example word_count [FILE]` (default: a built-in text)

use std::collections::HashMap;

use hpds_core::HeapSize;
use hpds_openhash::OpenMap;

const TEXT: &str = "It was the best of times, it was the worst of times, it was the age of wisdom, \
    it was the age of foolishness, it was the epoch of belief, it was the epoch of incredulity, \
    it was the season of Light, it was the season of Darkness, it was the spring of hope, it was \
    the winter of despair, we had everything before us, we had nothing before us, we were all \
    going direct to Heaven, we were all going direct the other way.";

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let text = match std::env::args().nth(1) {
        Some(path) => std::fs::read_to_string(path)?,
        None => TEXT.to_owned(),
    };

    // The entry API: one hash and one probe per word, whether it is new or not.
    let mut counts: OpenMap<String, u32> = OpenMap::new();
    for word in words(&text) {
        *counts.entry(word).or_insert(0) += 1;
    }

    // The same count without an owned key per word: the key is copied into a `String` only
    // when the word is new.
    let mut by_ref: OpenMap<String, u32> = OpenMap::new();
    for word in words(&text) {
        *by_ref.get_or_insert_ref(word.as_str(), 0) += 1;
    }
    assert_eq!(counts, by_ref);

    // Most frequent first; ties alphabetically.
    let mut top: Vec<(&String, &u32)> = counts.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (word, n) in top.iter().take(8) {
        println!("{n:>5}  {word}");
    }
    println!(
        "{} distinct words; the map holds {} heap bytes (table and keys)",
        counts.len(),
        counts.heap_bytes()
    );

    // The same answer as the standard library's map.
    let mut std_counts: HashMap<String, u32> = HashMap::new();
    for word in words(&text) {
        *std_counts.entry(word).or_insert(0) += 1;
    }
    assert_eq!(counts.len(), std_counts.len());
    assert!(
        std_counts
            .iter()
            .all(|(w, n)| counts.get(w.as_str()) == Some(n))
    );
    Ok(())
}
