//! Autocomplete from a word list with `WordSet`.
//!
//! Builds a `WordSet` (an fst: a minimal automaton sharing prefixes and suffixes, a few bytes
//! per word) from a word list, then answers what a search box asks: the words that start with
//! what was typed so far, in alphabetical order, and, when nothing starts with it, the words
//! within one typo of it.
//!
//! `cargo run -p hpds-trie --example autocomplete` (a built-in list), or
//! `cargo run -p hpds-trie --example autocomplete -- /usr/share/dict/words pre`
//! (a list of one word per line, then the prefixes to complete).

use hpds_core::HeapSize;
use hpds_trie::{WordSet, WordSetBuilder};

const WORDS: &str = "apple application apply approach april apricot apron aptitude \
    banana band bandwidth bank banner baptism bar barrel barrier base basic basin basket \
    predict prefer prefix preload prepare present preserve press pressure prevent preview \
    price pride primary prime print prior prison private prize probe problem process produce \
    product profile program progress project promise prompt proof proper property protect \
    trie tree treat trend trial triangle tribe trick trigger trim trip triumph trivial";

/// Up to `limit` completions of `typed`: words with that prefix, else words one edit away.
fn complete(words: &WordSet, typed: &str, limit: usize) -> Vec<String> {
    let as_text = |w: Vec<u8>| String::from_utf8_lossy(&w).into_owned();
    let mut found: Vec<String> = words.prefix(typed).take(limit).map(as_text).collect();
    if found.is_empty() {
        // A Levenshtein automaton intersected with the set: no scan over all words.
        if let Ok(near) = words.fuzzy(typed, 1) {
            found = near.take(limit).map(as_text).collect();
        }
    }
    found
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (text, queries): (String, Vec<&str>) = match args.split_first() {
        Some((path, rest)) => (
            std::fs::read_to_string(path)?,
            rest.iter().map(String::as_str).collect(),
        ),
        None => (
            WORDS.to_owned(),
            vec!["pr", "pro", "trie", "bandw", "prnt", "zebra"],
        ),
    };

    // The builder takes words in any order, with repeats, and sorts them once at `finish`.
    let mut builder = WordSetBuilder::new();
    builder.extend(text.split_whitespace());
    let words = builder.finish();
    println!(
        "{} words in {} bytes ({:.1} bytes per word, text {} bytes)",
        words.len(),
        words.heap_bytes(),
        words.heap_bytes() as f64 / words.len() as f64,
        text.len()
    );

    for typed in queries {
        let total = words.count_prefix(typed);
        println!(
            "{typed:>6} -> {:?} ({total} with this prefix)",
            complete(&words, typed, 5)
        );
    }

    if args.is_empty() {
        assert_eq!(complete(&words, "bandw", 5), ["bandwidth"]);
        assert_eq!(complete(&words, "prnt", 5), ["print"]); // one typo away
        assert!(complete(&words, "zebra", 5).is_empty());
        assert_eq!(words.count_prefix("pr"), 35);
    }
    Ok(())
}
