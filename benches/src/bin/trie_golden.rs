//! Prints the golden encodings of hpds-trie's formats: the `WordSet` and `WordMap` vectors of
//! `crates/hpds-trie/tests/decode.rs` and the `Trie` encoding of
//! `crates/hpds-trie/tests/golden/trie_v1.bin`. Its output is committed as
//! `benches/golden/trie.txt`, which a test of this package checks, so a format change shows
//! up as a failing test and is made deliberately: rerun, review, commit.
//!
//! `cargo run -p hpds-benches --bin trie_golden > benches/golden/trie.txt`

fn main() {
    print!("{}", hpds_benches::trie_golden());
}
