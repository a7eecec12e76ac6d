//! Model-based tests of `Trie` against `BTreeSet<Vec<u8>>`.

use std::collections::BTreeSet;

use hpds_core::HeapSize;
use hpds_trie::Trie;
use proptest::prelude::*;

mod common;
use common::{key, longest_prefix};

#[derive(Debug, Clone)]
enum Op {
    Insert(Vec<u8>),
    Remove(Vec<u8>),
    Contains(Vec<u8>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => key().prop_map(Op::Insert),
        3 => key().prop_map(Op::Remove),
        2 => key().prop_map(Op::Contains),
    ]
}

fn cases() -> u32 {
    if cfg!(miri) { 8 } else { 256 }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn behaves_like_btreeset(ops in prop::collection::vec(op(), 0..120), probes in prop::collection::vec(key(), 0..8)) {
        let mut t = Trie::new();
        let mut model = BTreeSet::new();
        for op in ops {
            match op {
                Op::Insert(k) => prop_assert_eq!(t.insert(&k), model.insert(k)),
                Op::Remove(k) => prop_assert_eq!(t.remove(&k), model.remove(&k)),
                Op::Contains(k) => prop_assert_eq!(t.contains(&k), model.contains(&k)),
            }
            prop_assert_eq!(t.len(), model.len());
        }
        let keys: Vec<Vec<u8>> = t.iter().collect();
        prop_assert_eq!(&keys, &model.iter().cloned().collect::<Vec<_>>());
        for p in probes.iter().chain(model.iter().take(3)) {
            for cut in [0, 1, 2, p.len()] {
                let prefix = &p[..cut.min(p.len())];
                let expected: Vec<Vec<u8>> = model.iter().filter(|k| k.starts_with(prefix)).cloned().collect();
                prop_assert_eq!(t.prefix_iter(prefix).collect::<Vec<_>>(), expected.clone());
                prop_assert_eq!(t.count_prefix(prefix), expected.len());
            }
            prop_assert_eq!(t.longest_prefix(p).map(<[u8]>::len), longest_prefix(&model, p));
        }
        // Compaction and cloning change the layout, not the set.
        let mut c = t.clone();
        c.compact();
        prop_assert_eq!(&c, &t);
        prop_assert!(c.heap_bytes() <= t.heap_bytes() || t.heap_bytes() == 0 || c.len() == t.len());
    }

    /// Inserting everything then removing everything leaves an empty trie that owns nothing.
    #[test]
    fn insert_then_remove_all(keys in prop::collection::vec(key(), 0..60)) {
        let mut t: Trie = keys.iter().collect();
        for k in &keys {
            t.remove(k);
        }
        prop_assert!(t.is_empty());
        prop_assert_eq!(t.heap_bytes(), 0);
        prop_assert_eq!(t.iter().count(), 0);
    }
}

#[test]
fn debug_and_defaults() {
    let t: Trie = ["b", "a"].into_iter().collect();
    assert_eq!(format!("{t:?}"), r#"{"a", "b"}"#);
    let bytes: Trie = [vec![0xffu8]].into_iter().collect();
    assert_eq!(format!("{bytes:?}"), "{[ff]}");
    assert_eq!(Trie::default(), Trie::new());
    let mut e = t.clone();
    e.extend(["c"]);
    assert_ne!(e, t);
    assert_eq!((&e).into_iter().count(), 3);
}

#[test]
fn corpus_agrees_with_hashset() {
    let corpus = hpds_testkit::words::Corpus::generate(7, 50_000, 5_000, 1.0);
    let t: Trie = corpus.tokens().collect();
    let set: std::collections::HashSet<&str> = corpus.tokens().collect();
    assert_eq!(t.len(), set.len());
    assert_eq!(t.len(), corpus.distinct());
    assert!(set.iter().all(|w| t.contains(w)));
    // On English-like words the radix trie needs well under two nodes per key.
    assert!(t.node_count() < 2 * t.len(), "{} nodes", t.node_count());
}

#[cfg(feature = "serde")]
#[test]
fn serde_round_trip() {
    let t: Trie = ["x", "xy", "ü"].into_iter().collect();
    let json = serde_json::to_string(&t).unwrap();
    let back: Trie = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t);
}
