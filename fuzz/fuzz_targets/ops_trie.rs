//! `Trie` against `BTreeSet<Vec<u8>>` under operations decoded from the input: insert,
//! remove, contains, prefix count and longest-prefix match over keys from a small alphabet
//! (deep sharing, bursts, label splits), checked after every operation and walked at the end.
#![no_main]

use std::collections::BTreeSet;

use hpds_trie::Trie;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut t = Trie::new();
    let mut model: BTreeSet<Vec<u8>> = BTreeSet::new();
    let mut it = data.iter().copied();
    while let (Some(op), Some(len)) = (it.next(), it.next()) {
        let key: Vec<u8> = it
            .by_ref()
            .take(usize::from(len % 24))
            .map(|b| if op & 0x80 != 0 { b } else { b'a' + b % 4 })
            .collect();
        match op % 5 {
            0 | 1 => assert_eq!(t.insert(&key), model.insert(key.clone())),
            2 => assert_eq!(t.remove(&key), model.remove(&key)),
            3 => {
                let n = model.iter().filter(|k| k.starts_with(&key)).count();
                assert_eq!(t.count_prefix(&key), n);
            }
            _ => {
                let best = model.iter().filter(|k| key.starts_with(k)).map(Vec::len).max();
                assert_eq!(t.longest_prefix(&key).map(<[u8]>::len), best);
            }
        }
        assert_eq!(t.contains(&key), model.contains(&key));
        assert_eq!(t.len(), model.len());
    }
    assert!(t.iter().eq(model.iter().cloned()));
});
