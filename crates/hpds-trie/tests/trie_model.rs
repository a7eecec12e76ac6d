//! Model-based tests of `Trie` against `BTreeSet<Vec<u8>>`.

use std::collections::BTreeSet;

use hpds_core::HeapSize;
use hpds_core::codec::ByteCodec;
use hpds_trie::Trie;
use proptest::prelude::*;

mod common;
use common::{key, key_up_to, longest_prefix};

#[derive(Debug, Clone)]
enum Op {
    Insert(Vec<u8>),
    Remove(Vec<u8>),
    Contains(Vec<u8>),
    /// Inserts `n` keys `prefix + i` (enough to burst buckets into nodes and split runs).
    Bulk(Vec<u8>, u16),
    /// Removes every key starting with the prefix.
    RemovePrefix(Vec<u8>),
    Prefix(Vec<u8>),
    Longest(Vec<u8>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => key().prop_map(Op::Insert),
        3 => key().prop_map(Op::Remove),
        2 => key().prop_map(Op::Contains),
        1 => (key_up_to(70..80), 1u16..300).prop_map(|(p, n)| Op::Bulk(p, n)),
        1 => prop::collection::vec(prop::sample::select(&b"abc"[..]), 0..3).prop_map(Op::RemovePrefix),
        2 => key().prop_map(Op::Prefix),
        2 => key().prop_map(Op::Longest),
    ]
}

/// `prefix` followed by `i` in a few spellings (decimal, a byte, spread-out bytes).
fn bulk_key(prefix: &[u8], i: u16) -> Vec<u8> {
    let mut k = prefix.to_vec();
    match i % 3 {
        0 => k.extend_from_slice(format!("{i}").as_bytes()),
        1 => k.push(i as u8),
        _ => k.extend_from_slice(&(i.wrapping_mul(40503)).to_be_bytes()),
    }
    k
}

fn with_prefix(model: &BTreeSet<Vec<u8>>, prefix: &[u8]) -> Vec<Vec<u8>> {
    model
        .iter()
        .filter(|k| k.starts_with(prefix))
        .cloned()
        .collect()
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
                Op::Bulk(p, n) => {
                    for i in 0..n {
                        let k = bulk_key(&p, i);
                        prop_assert_eq!(t.insert(&k), model.insert(k));
                    }
                }
                Op::RemovePrefix(p) => {
                    for k in with_prefix(&model, &p) {
                        prop_assert!(t.remove(&k));
                        model.remove(&k);
                    }
                }
                Op::Prefix(p) => {
                    let expected = with_prefix(&model, &p);
                    prop_assert_eq!(t.prefix_iter(&p).collect::<Vec<_>>(), expected.clone());
                    prop_assert_eq!(t.count_prefix(&p), expected.len());
                }
                Op::Longest(q) => {
                    prop_assert_eq!(t.longest_prefix(&q).map(<[u8]>::len), longest_prefix(&model, &q));
                }
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
        // The codec round-trips, and so does a trie rebuilt from the keys in order.
        let back = Trie::from_bytes(&t.to_bytes()).unwrap();
        prop_assert_eq!(&back, &t);
        prop_assert_eq!(back.to_bytes(), t.to_bytes());
        let mut cursor = t.cursor();
        let mut n = 0;
        while let Some(k) = cursor.next_key() {
            prop_assert_eq!(k, model.iter().nth(n).unwrap().as_slice());
            n += 1;
        }
        prop_assert_eq!(n, model.len());
    }

    /// Arbitrary bytes, and valid encodings with bytes changed, decode to `Err` or to a set
    /// whose keys are strictly increasing; never a panic.
    #[test]
    fn decoder_is_total(keys in prop::collection::vec(key_up_to(70..80), 0..40), edits in prop::collection::vec((any::<u16>(), any::<u8>()), 0..4), junk in prop::collection::vec(any::<u8>(), 0..64), count in 0u64..12, fields in prop::collection::vec((0u64..5, 0u64..5, prop::collection::vec(prop::sample::select(&b"ab\xff"[..]), 0..3)), 0..12)) {
        let t: Trie = keys.iter().collect();
        let mut bytes = t.to_bytes();
        for (at, b) in edits {
            let i = usize::from(at) % bytes.len();
            bytes[i] = b;
        }
        for input in [&bytes[..], &junk[..], &bytes[..bytes.len() / 2]] {
            if let Ok(d) = Trie::from_bytes(input) {
                let all: Vec<Vec<u8>> = d.iter().collect();
                prop_assert!(all.windows(2).all(|w| w[0] < w[1]));
                prop_assert_eq!(all.len(), d.len());
            }
        }
        // Payloads in a valid frame, so the checks past the checksum are what reject them.
        let mut enc = hpds_core::codec::Encoder::new(*b"TRIE", Trie::VERSION);
        enc.put_varint(count);
        for (lcp, len, rest) in &fields {
            enc.put_varint(*lcp);
            enc.put_varint(*len);
            enc.put_raw(rest);
        }
        if let Ok(d) = Trie::from_bytes(&enc.finish()) {
            let all: Vec<Vec<u8>> = d.iter().collect();
            prop_assert!(all.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(all.len() as u64, count);
        }
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
    // Buckets hold dozens of keys: far fewer nodes than keys.
    assert!(t.node_count() * 16 < t.len(), "{} nodes", t.node_count());
    // Under half of a `HashSet<String>`'s bytes: the strings, and a 24-byte header and a
    // control byte per slot of a table of the same capacity (allocator rounding left out).
    let strings: usize = set.iter().map(|w| w.len()).sum();
    assert!(
        2 * t.heap_bytes() < strings + 25 * set.capacity(),
        "{} bytes",
        t.heap_bytes()
    );
}

#[test]
fn golden_bytes() {
    // The encoding of {"", "cat", "cats", "dog"}; regenerate with
    // `cargo run -p hpds-benches --bin trie_golden` after a deliberate format change.
    let t: Trie = ["dog", "cats", "", "cat"].into_iter().collect();
    let bytes = t.to_bytes();
    assert_eq!(bytes, include_bytes!("golden/trie_v1.bin"));
    assert_eq!(Trie::from_bytes(&bytes).unwrap(), t);
}

#[cfg(feature = "serde")]
#[test]
fn serde_round_trip() {
    let t: Trie = ["x", "xy", "ü"].into_iter().collect();
    let json = serde_json::to_string(&t).unwrap();
    let back: Trie = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t);
}
