//! Prints the golden byte vectors of `tests/decode.rs` (run after a deliberate format change).
fn main() {
    let set: hpds_trie::WordSet = ["cat", "cats", "dog"].into_iter().collect();
    println!("SET: {:?}", set.as_bytes());
    let map: hpds_trie::WordMap = [("cat", 1u64), ("cats", 2), ("dog", 300)]
        .into_iter()
        .collect();
    println!("MAP: {:?}", map.as_bytes());
}
