//! String sets: `WordSet` against `fst::Set` and `HashSet<String>`, and the mutable `Trie`.

use std::collections::HashSet;
use std::hint::black_box;

use hpds_testkit::streams::shuffled;
use hpds_testkit::words::Vocabulary;
use hpds_trie::{Trie, WordSet};

use crate::page::{Page, count};

#[inline(never)]
fn found(contains: &dyn Fn(&str) -> bool, queries: &[String]) -> usize {
    queries.iter().filter(|q| contains(q)).count()
}

fn fst_set(words: &[String]) -> fst::Set<Vec<u8>> {
    let mut sorted: Vec<&str> = words.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    fst::Set::from_iter(sorted).expect("sorted, distinct keys")
}

pub fn run(page: &mut Page, full: bool) {
    page.section(
        "trie",
        "Synthetic English-like words (`hpds_testkit::words::Vocabulary`, seed 42). Lookups \
         query every word once per pass in random order (misses: as many words of another \
         vocabulary, absent from this one). Builds start from the words in random order: \
         `WordSet` collects, sorts, de-duplicates and builds a minimal automaton; `fst::Set` \
         is timed on the same work (sort, de-duplicate, fst's builder). Guide: \
         [trie.md](trie.md).",
    );
    page.table("Lookups and builds");
    let mut sizes = vec![100_000];
    if full {
        sizes.push(1_000_000);
    }
    for n in sizes {
        let words = shuffled(1, Vocabulary::generate(42, n).words().to_vec());
        let present: HashSet<String> = words.iter().cloned().collect();
        let absent: Vec<String> = Vocabulary::generate(43, n + n / 4)
            .words()
            .iter()
            .filter(|w| !present.contains(*w))
            .take(n)
            .cloned()
            .collect();
        let absent = shuffled(2, absent);
        let ours: WordSet = words.iter().collect();
        let peer = fst_set(&words);
        let trie: Trie = words.iter().collect();
        let label = count(n);
        for (op, queries) in [("lookup, hit", &words), ("lookup, miss", &absent)] {
            let ops = queries.len() as u64;
            let mut race = crate::race(crate::ROUNDS);
            race.add("WordSet", ops, || {
                black_box(found(&|q| ours.contains(q), queries));
            });
            race.add("fst::Set", ops, || {
                black_box(found(&|q| peer.contains(q), queries));
            });
            race.add("HashSet<String>", ops, || {
                black_box(found(&|q| present.contains(q), queries));
            });
            race.add("Trie", ops, || {
                black_box(found(&|q| trie.contains(q), queries));
            });
            let out = race.run();
            page.row(op, &label, &out, "WordSet", "fst::Set");
            page.row(op, &label, &out, "WordSet", "HashSet<String>");
            page.row(op, &label, &out, "Trie", "HashSet<String>");
        }
        let ops = words.len() as u64;
        let mut race = crate::race(5);
        race.add("WordSet", ops, || {
            black_box(words.iter().collect::<WordSet>());
        });
        race.add("fst::Set", ops, || {
            black_box(fst_set(&words));
        });
        race.add("HashSet<String>", ops, || {
            black_box(words.iter().cloned().collect::<HashSet<String>>());
        });
        race.add("Trie", ops, || {
            black_box(words.iter().collect::<Trie>());
        });
        let out = race.run();
        page.row("build", &label, &out, "WordSet", "fst::Set");
        page.row("build", &label, &out, "Trie", "HashSet<String>");
    }
    page.end_table(
        "The lookup closures go through one `&dyn Fn` per query for every contestant alike. \
         `WordSet` and `fst::Set` read the same format; `WordSet`'s automaton is the minimal \
         one, so at large sizes it is smaller and its lookups touch fewer cache lines.",
    );
}
