//! The committed output of the `trie_golden` bin matches what the formats write today.

#[test]
fn golden_file_is_current() {
    assert_eq!(
        hpds_benches::trie_golden(),
        include_str!("../golden/trie.txt"),
        "a format changed: rerun `cargo run -p hpds-benches --bin trie_golden > benches/golden/trie.txt` if deliberate"
    );
}
