//! Instruction counts per key of the mutable `Trie` against `HashSet<String>`, for callgrind:
//! each phase (build from shuffled keys, hit lookups in another order) runs in its own
//! non-inlined function, so callgrind's inclusive cost of that function is the phase's count.
//! The walks (the `Trie`'s cursor, `BTreeSet<String>`'s iterator) read each key's length.
//!
//! ```sh
//! cargo build --release -p hpds-benches --bin trie_icount
//! valgrind --tool=callgrind --callgrind-out-file=cg.out target/release/trie_icount dict
//! callgrind_annotate --inclusive=yes cg.out | grep trie_icount::
//! ```
//!
//! The corpus is `words` (the distinct words of `hpds compare`'s corpus, 2 million tokens by
//! default), `dict` (`/usr/share/dict/words`) or `paths` (generated file paths); the program
//! prints the key count to divide by.

use std::collections::{BTreeSet, HashSet};
use std::hint::black_box;

use hpds_trie::Trie;

#[inline(never)]
fn trie_insert(keys: &[&str]) -> Trie {
    let mut t = Trie::new();
    for k in keys {
        t.insert(k);
    }
    t
}

#[inline(never)]
fn trie_hit(t: &Trie, probes: &[&str]) -> usize {
    probes.iter().filter(|k| t.contains(k)).count()
}

#[inline(never)]
fn trie_walk(t: &Trie) -> usize {
    let mut c = t.cursor();
    let mut n = 0;
    while let Some(k) = c.next_key() {
        n += k.len();
    }
    n
}

#[inline(never)]
fn btreeset_walk(s: &BTreeSet<String>) -> usize {
    s.iter().map(String::len).sum()
}

#[inline(never)]
fn hashset_insert(keys: &[&str]) -> HashSet<String> {
    let mut s = HashSet::new();
    for k in keys {
        s.insert((*k).to_string());
    }
    s
}

#[inline(never)]
fn hashset_hit(s: &HashSet<String>, probes: &[&str]) -> usize {
    probes.iter().filter(|k| s.contains(**k)).count()
}

fn main() {
    let corpus = std::env::args().nth(1).unwrap_or_else(|| "dict".into());
    let keys: Vec<String> = match corpus.as_str() {
        "words" => hpds_benches::compare_corpus_words(2_000_000),
        "paths" => hpds_benches::file_paths(2024, 380_000),
        _ => {
            let text = std::fs::read_to_string("/usr/share/dict/words")
                .expect("/usr/share/dict/words (apt-get install wamerican-huge)");
            let set: BTreeSet<&str> = text.lines().filter(|l| !l.is_empty()).collect();
            set.into_iter().map(str::to_string).collect()
        }
    };
    let keys = hpds_testkit::streams::shuffled(7, keys);
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let probes: Vec<&str> = hpds_testkit::streams::shuffled(11, keys.clone());
    let t = trie_insert(&keys);
    assert_eq!(trie_hit(&t, &probes), keys.len());
    let s = hashset_insert(&keys);
    assert_eq!(hashset_hit(&s, &probes), keys.len());
    drop(s);
    let b: BTreeSet<String> = keys.iter().map(|k| (*k).to_string()).collect();
    assert_eq!(btreeset_walk(&b), black_box(trie_walk(&t)));
    println!("{corpus}: {} keys", keys.len());
}
