//! Bytes per key of every `StringSet` on a word list read from a file (one word per line), for
//! the marisa-trie comparison in `docs/trie.md` (see `benches/scripts/marisa_compare.py`).
//!
//! `cargo run --release -p hpds-benches --bin trie_wordlist -- /tmp/english.txt`

use std::collections::{BTreeSet, HashSet};
use std::time::Instant;

use hpds_trie::{SortedStrings, StringSet, Trie, WordMap, WordSet};

fn row<S: StringSet>(words: &[&str]) -> S {
    let t = Instant::now();
    let s = S::build(words.iter().copied());
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{:<20} {:>10} bytes {:>7.2} bytes/key  build {:.3} s",
        S::name(),
        s.memory_bytes(),
        s.memory_bytes() as f64 / s.len() as f64,
        secs
    );
    s
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: wordlist FILE (one word per line)")?;
    let text = std::fs::read_to_string(path)?;
    let words: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    println!("{} lines", words.len());
    let set = row::<WordSet>(&words);
    row::<Trie>(&words);
    row::<SortedStrings>(&words);
    row::<HashSet<String>>(&words);
    row::<BTreeSet<String>>(&words);
    let ids = WordMap::ordinals(&set);
    println!(
        "{:<20} {:>10} bytes {:>7.2} bytes/key  (word -> rank)",
        "WordMap::ordinals",
        ids.as_bytes().len(),
        ids.as_bytes().len() as f64 / ids.len() as f64
    );
    Ok(())
}
