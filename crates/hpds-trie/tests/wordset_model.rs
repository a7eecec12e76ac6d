//! Model-based tests of `WordSet` and `WordMap` against `BTreeSet` / `BTreeMap` and brute force.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use hpds_core::HeapSize;
use hpds_trie::{WordMap, WordSet, WordSetBuilder};
use proptest::prelude::*;

mod common;
use common::{levenshtein, longest_prefix, word};

fn key() -> impl Strategy<Value = Vec<u8>> {
    common::key_up_to(1_000..2_000)
}

fn cases() -> u32 {
    if cfg!(miri) { 8 } else { 256 }
}

fn bound() -> impl Strategy<Value = Bound<Vec<u8>>> {
    prop_oneof![
        Just(Bound::Unbounded),
        key().prop_map(Bound::Included),
        key().prop_map(Bound::Excluded),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn set_behaves_like_btreeset(
        keys in prop::collection::vec(key(), 0..80),
        probes in prop::collection::vec(key(), 0..6),
        lo in bound(),
        hi in bound(),
    ) {
        let model: BTreeSet<Vec<u8>> = keys.iter().cloned().collect();
        let set: WordSet = keys.iter().collect();
        prop_assert_eq!(set.len(), model.len());
        prop_assert_eq!(set.iter().collect::<Vec<_>>(), model.iter().cloned().collect::<Vec<_>>());
        // The streaming path and the builder agree, byte for byte.
        let sorted = WordSet::from_sorted_iter(&model).unwrap();
        prop_assert_eq!(sorted.as_bytes(), set.as_bytes());
        // Sorted input with its duplicates kept (the empty key too) gives the same set.
        let mut with_dupes = keys.clone();
        with_dupes.sort();
        let sorted = WordSet::from_sorted_iter(&with_dupes).unwrap();
        prop_assert_eq!(sorted.as_bytes(), set.as_bytes());
        for p in probes.iter().chain(model.iter().take(3)) {
            prop_assert_eq!(set.contains(p), model.contains(p));
            for cut in [0, 1, 2, p.len()] {
                let prefix = &p[..cut.min(p.len())];
                let expected: Vec<Vec<u8>> = model.iter().filter(|k| k.starts_with(prefix)).cloned().collect();
                prop_assert_eq!(set.prefix(prefix).collect::<Vec<_>>(), expected.clone());
                prop_assert_eq!(set.count_prefix(prefix), expected.len());
            }
            prop_assert_eq!(set.longest_prefix(p).map(<[u8]>::len), longest_prefix(&model, p));
        }
        let in_range = |k: &Vec<u8>| {
            (match &lo { Bound::Included(b) => k >= b, Bound::Excluded(b) => k > b, Bound::Unbounded => true })
                && (match &hi { Bound::Included(b) => k <= b, Bound::Excluded(b) => k < b, Bound::Unbounded => true })
        };
        let expected: Vec<Vec<u8>> = model.iter().filter(|k| in_range(k)).cloned().collect();
        prop_assert_eq!(set.range((lo.clone(), hi.clone())).collect::<Vec<_>>(), expected);
        // Round trip through bytes.
        prop_assert_eq!(WordSet::from_bytes(set.as_bytes()).unwrap(), set.clone());
        prop_assert_eq!(set.heap_bytes(), (set.as_bytes().len() + 16).next_multiple_of(8));
    }

    #[test]
    fn fuzzy_matches_brute_force(words in prop::collection::vec(word(), 0..60), query in word(), d in 0u32..=2) {
        let model: BTreeSet<String> = words.into_iter().collect();
        let set: WordSet = model.iter().collect();
        let expected: Vec<Vec<u8>> = model.iter()
            .filter(|w| levenshtein(w, &query) <= d as usize)
            .map(|w| w.clone().into_bytes())
            .collect();
        prop_assert_eq!(set.fuzzy(&query, d).unwrap().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn set_operations_match_btreeset(sets in prop::collection::vec(prop::collection::btree_set(key(), 0..30), 1..4)) {
        let ws: Vec<WordSet> = sets.iter().map(|s| s.iter().collect()).collect();
        let union: BTreeSet<Vec<u8>> = sets.iter().flatten().cloned().collect();
        let inter: BTreeSet<Vec<u8>> = union.iter().filter(|k| sets.iter().all(|s| s.contains(*k))).cloned().collect();
        let diff: BTreeSet<Vec<u8>> = sets[0].iter().filter(|k| sets[1..].iter().all(|s| !s.contains(*k))).cloned().collect();
        let sym: BTreeSet<Vec<u8>> = union.iter().filter(|k| sets.iter().filter(|s| s.contains(*k)).count() % 2 == 1).cloned().collect();
        let as_vec = |s: &BTreeSet<Vec<u8>>| s.iter().cloned().collect::<Vec<_>>();
        prop_assert_eq!(WordSet::union(&ws).iter().collect::<Vec<_>>(), as_vec(&union));
        prop_assert_eq!(WordSet::intersection(&ws).iter().collect::<Vec<_>>(), as_vec(&inter));
        prop_assert_eq!(ws[0].difference(&ws[1..]).iter().collect::<Vec<_>>(), as_vec(&diff));
        prop_assert_eq!(WordSet::symmetric_difference(&ws).iter().collect::<Vec<_>>(), as_vec(&sym));
        if ws.len() >= 2 {
            prop_assert_eq!(ws[0].is_subset(&ws[1]), sets[0].is_subset(&sets[1]));
            prop_assert_eq!(ws[0].is_disjoint(&ws[1]), sets[0].is_disjoint(&sets[1]));
        }
    }

    #[test]
    fn map_behaves_like_btreemap(
        entries in prop::collection::vec((key(), any::<u64>()), 0..60),
        probes in prop::collection::vec(key(), 0..6),
    ) {
        let model: BTreeMap<Vec<u8>, u64> = entries.iter().cloned().collect();
        let map: WordMap = entries.iter().map(|(k, v)| (k, *v)).collect();
        prop_assert_eq!(map.len(), model.len());
        prop_assert_eq!(map.iter().collect::<Vec<_>>(), model.iter().map(|(k, v)| (k.clone(), *v)).collect::<Vec<_>>());
        for p in probes.iter().chain(model.keys().take(3)) {
            prop_assert_eq!(map.get(p), model.get(p).copied());
            prop_assert_eq!(map.contains_key(p), model.contains_key(p));
            let lp = longest_prefix(model.keys(), p);
            prop_assert_eq!(map.longest_prefix(p), lp.map(|n| (&p[..n], model[&p[..n]])));
            let prefix = &p[..p.len().min(1)];
            let expected: Vec<(Vec<u8>, u64)> = model.iter().filter(|(k, _)| k.starts_with(prefix)).map(|(k, v)| (k.clone(), *v)).collect();
            prop_assert_eq!(map.prefix(prefix).collect::<Vec<_>>(), expected);
        }
        prop_assert_eq!(WordMap::from_bytes(map.as_bytes()).unwrap(), map.clone());
        prop_assert_eq!(map.keys().len(), model.len());
    }

    /// `get` on an ordinal map is rank, `key_of` is select, and they invert each other.
    #[test]
    fn ordinals_rank_and_select(keys in prop::collection::btree_set(key(), 0..80)) {
        let set: WordSet = keys.iter().collect();
        let ids = WordMap::ordinals(&set);
        for (i, k) in keys.iter().enumerate() {
            prop_assert_eq!(ids.get(k), Some(i as u64));
            prop_assert_eq!(ids.key_of(i as u64), Some(k.clone()));
        }
        prop_assert_eq!(ids.key_of(keys.len() as u64), None);
    }

    /// The builder de-duplicates across its compaction passes.
    #[test]
    fn builder_with_many_duplicates(keys in prop::collection::vec(key(), 1..20), reps in 1usize..4) {
        let mut b = WordSetBuilder::new();
        for _ in 0..reps {
            b.extend(&keys);
        }
        let model: BTreeSet<&Vec<u8>> = keys.iter().collect();
        prop_assert_eq!(b.finish().len(), model.len());
    }
}

#[test]
fn builder_compacts_large_streams() {
    // 300k tokens over 20k words: several compaction passes (at 64k, 128k pending spans...).
    let corpus = hpds_testkit::words::Corpus::generate(
        11,
        if cfg!(miri) { 2_000 } else { 300_000 },
        20_000,
        1.0,
    );
    let mut b = WordSetBuilder::new();
    b.extend(corpus.tokens());
    assert!(b.pending() < 2 * 65_536 + corpus.distinct());
    let set = b.finish();
    assert_eq!(set.len(), corpus.distinct());
    let model: BTreeSet<&str> = corpus.tokens().collect();
    assert!(
        set.iter()
            .map(String::from_utf8)
            .map(Result::unwrap)
            .eq(model.iter().map(ToString::to_string))
    );
}

#[test]
fn from_sorted_iter_rejects_unsorted_input() {
    let e = WordSet::from_sorted_iter(["b", "a"]).unwrap_err();
    assert!(e.to_string().contains("increasing"), "{e}");
    let e = WordSet::from_sorted_iter(["a", "a", "b", "a"]).unwrap_err();
    assert!(e.to_string().contains("increasing"), "{e}");
    let dupes = WordSet::from_sorted_iter(["", "", "a", "a", "a", "ab", "ab"]).unwrap();
    assert_eq!(dupes.len(), 3);
    assert_eq!(dupes, WordSet::from_sorted_iter(["", "a", "ab"]).unwrap());
    assert!(WordMap::from_sorted_iter([("a", 1), ("a", 2)]).is_err());
    assert!(WordMap::from_sorted_iter([("a", 1), ("b", 2)]).is_ok());
}

#[test]
fn fuzzy_rejects_huge_automata() {
    let set: WordSet = ["a"].into_iter().collect();
    let long = "abcdefghijklmnopqrstuvwxyz".repeat(4);
    assert!(set.fuzzy(&long, 8).is_err());
}

#[test]
fn empty_sets_and_maps() {
    let s = WordSet::new();
    assert!(s.is_empty() && !s.contains(""));
    assert_eq!(s, WordSet::default());
    assert_eq!(s.longest_prefix("x"), None);
    let only_empty: WordSet = [""].into_iter().collect();
    assert!(only_empty.contains(""));
    assert_eq!(only_empty.longest_prefix("x"), Some(&b""[..]));
    assert_eq!(
        WordSet::from_bytes(only_empty.as_bytes()).unwrap(),
        only_empty
    );
    let m = WordMap::new();
    assert!(m.is_empty() && m.get("").is_none());
    assert_eq!(
        format!("{:?}", WordMap::from_sorted_iter([("a", 1)]).unwrap()),
        r#"{"a": 1}"#
    );
    assert_eq!(format!("{only_empty:?}"), r#"{""}"#);
}

#[cfg(feature = "serde")]
#[test]
fn serde_round_trip() {
    let s: WordSet = ["x", "xy", "ü"].into_iter().collect();
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<WordSet>(&json).unwrap(), s);
    let m: WordMap = [("x", 3u64)].into_iter().collect();
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(serde_json::from_str::<WordMap>(&json).unwrap(), m);
    assert!(serde_json::from_str::<WordSet>("[1,2,3]").is_err());
}

// Miri cannot map files.
#[cfg(all(feature = "mmap", not(miri)))]
#[test]
fn mmap_round_trip() {
    let s: WordSet = ["alpha", "beta"].into_iter().collect();
    let dir = std::env::temp_dir().join(format!("hpds-trie-mmap-{}", std::process::id()));
    std::fs::write(&dir, s.as_bytes()).unwrap();
    let mapped = WordSet::open_mmap(&dir).unwrap();
    assert_eq!(mapped, s);
    assert_eq!(mapped.heap_bytes(), 0);
    std::fs::write(&dir, b"not an fst at all, definitely not").unwrap();
    let err = WordSet::open_mmap(&dir).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    std::fs::remove_file(&dir).unwrap();
}

#[test]
fn equal_to_the_same_keys_built_by_fst() {
    // fst's builder is only nearly minimal: on 100k words its bytes differ from ours, yet the
    // sets are equal, and ours is smaller.
    let vocab = hpds_testkit::words::Vocabulary::generate(42, 100_000);
    let ours: WordSet = vocab.words().iter().collect();
    let mut sorted: Vec<&str> = vocab.words().iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let theirs = fst::Set::from_iter(sorted).unwrap().into_fst().into_inner();
    let theirs = WordSet::from_vec(theirs).unwrap();
    assert_ne!(ours.as_bytes(), theirs.as_bytes());
    assert!(ours.as_bytes().len() < theirs.as_bytes().len());
    assert_eq!(ours, theirs);
    let other: WordSet = vocab.words()[1..].iter().collect();
    assert_ne!(other, theirs);
}

#[test]
fn from_sorted_iter_says_what_it_accepts() {
    // A repeated key is skipped (documented); a smaller one is an error that says so.
    assert_eq!(WordSet::from_sorted_iter(["a", "a", "b"]).unwrap().len(), 2);
    let e = WordSet::from_sorted_iter(["b", "a"])
        .unwrap_err()
        .to_string();
    assert!(e.contains("increasing") && e.contains("skipped"), "{e}");
    // A map's repeated key would have two values: an error.
    assert!(WordMap::from_sorted_iter([("a", 1u64), ("a", 2)]).is_err());
}
