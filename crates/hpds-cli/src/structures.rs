//! The structures `hpds compare` can run, behind one trait so the runner treats them alike.

use std::collections::{BTreeSet, HashSet};

/// What a structure's answer should be compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Truth {
    /// The number of distinct tokens.
    Distinct,
    /// The number of tokens.
    Total,
}

/// A structure fed with the token stream.
pub trait Structure {
    /// Takes a batch of tokens.
    fn insert_batch(&mut self, tokens: &[&str]);
    /// Completes the build (sorting, compaction); its time counts as build time.
    fn finish(&mut self) {}
    /// The structure's answer: distinct tokens, or total tokens for counters.
    fn estimate(&self) -> f64;
}

/// A named constructor of a [`Structure`].
pub struct Entry {
    /// The name used by `--structures` and printed in the table.
    pub name: &'static str,
    /// What the answer estimates.
    pub truth: Truth,
    /// One line on what the structure is.
    pub about: &'static str,
    /// Builds an empty instance.
    pub build: fn() -> Box<dyn Structure>,
}

/// Every structure, in the table's order.
pub fn all() -> Vec<Entry> {
    vec![
        Entry {
            name: "hashset",
            truth: Truth::Distinct,
            about: "std HashSet<String> (exact)",
            build: || Box::new(HashSet::<String>::new()),
        },
        Entry {
            name: "btreeset",
            truth: Truth::Distinct,
            about: "std BTreeSet<String> (exact)",
            build: || Box::new(BTreeSet::<String>::new()),
        },
        Entry {
            name: "sorted-vec",
            truth: Truth::Distinct,
            about: "Vec<String>, sorted and de-duplicated as it grows (exact)",
            build: || Box::new(SortedVec::default()),
        },
    ]
}

impl Structure for HashSet<String> {
    fn insert_batch(&mut self, tokens: &[&str]) {
        for &t in tokens {
            if !self.contains(t) {
                self.insert(t.to_owned());
            }
        }
    }
    fn estimate(&self) -> f64 {
        self.len() as f64
    }
}

impl Structure for BTreeSet<String> {
    fn insert_batch(&mut self, tokens: &[&str]) {
        for &t in tokens {
            if !self.contains(t) {
                self.insert(t.to_owned());
            }
        }
    }
    fn estimate(&self) -> f64 {
        self.len() as f64
    }
}

/// The list baseline: append every token, and sort + de-duplicate whenever the list has
/// doubled since the last compaction, so memory stays within about twice the distinct words.
#[derive(Debug, Default)]
pub struct SortedVec {
    items: Vec<String>,
    compacted: usize,
}

impl SortedVec {
    fn compact(&mut self) {
        self.items.sort_unstable();
        self.items.dedup();
        self.compacted = self.items.len();
    }
}

impl Structure for SortedVec {
    fn insert_batch(&mut self, tokens: &[&str]) {
        for &t in tokens {
            self.items.push(t.to_owned());
            if self.items.len() >= 2 * self.compacted + 4096 {
                self.compact();
            }
        }
    }
    fn finish(&mut self) {
        self.compact();
        self.items.shrink_to_fit();
    }
    fn estimate(&self) -> f64 {
        // The sorted list answers membership by binary search; its length is the count.
        self.items.len() as f64
    }
}
