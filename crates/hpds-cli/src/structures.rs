//! The structures `hpds compare` can run, behind one trait so the runner treats them alike.

use std::collections::{BTreeSet, HashSet};

use crate::experiments::{EstimatorEntry, FilterEntry};

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
    /// Whether `--threads` builds it in parallel (mergeable sketches).
    pub mergeable: bool,
    /// Builds an empty instance that uses `threads` threads if it is mergeable.
    pub build: fn(usize) -> Box<dyn Structure>,
}

/// Every structure, in the table's order.
pub fn all() -> Vec<Entry> {
    vec![
        Entry {
            name: "hashset",
            truth: Truth::Distinct,
            about: "std HashSet<String> (exact)",
            mergeable: false,
            build: |_| Box::new(HashSet::<String>::new()),
        },
        Entry {
            name: "btreeset",
            truth: Truth::Distinct,
            about: "std BTreeSet<String> (exact)",
            mergeable: false,
            build: |_| Box::new(BTreeSet::<String>::new()),
        },
        Entry {
            name: "sorted-vec",
            truth: Truth::Distinct,
            about: "Vec<String>, sorted and de-duplicated as it grows (exact)",
            mergeable: false,
            build: |_| Box::new(SortedVec::default()),
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

/// A mergeable sketch fed with tokens: `--threads N` gives each thread its own twin and
/// merges them at the end.
pub trait Sketch: Send + 'static {
    /// Adds a token.
    fn add(&mut self, token: &str);
    /// The sketch's answer.
    fn count(&self) -> f64;
    /// An empty sketch with the same parameters (and seed), mergeable with this one.
    fn twin(&self) -> Self
    where
        Self: Sized;
    /// Merges a twin into this sketch.
    fn absorb(&mut self, other: &Self)
    where
        Self: Sized;
}

/// Runs a [`Sketch`] on one thread, or on several with a merge at the end.
pub struct Parallel<S> {
    main: S,
    twins: Vec<S>,
}

impl<S: Sketch> Parallel<S> {
    /// `threads` sketches in all (at least one).
    pub fn boxed(main: S, threads: usize) -> Box<dyn Structure> {
        let twins = (1..threads.max(1)).map(|_| main.twin()).collect();
        Box::new(Self { main, twins })
    }
}

impl<S: Sketch> Structure for Parallel<S> {
    fn insert_batch(&mut self, tokens: &[&str]) {
        let Self { main, twins } = self;
        if twins.is_empty() {
            for t in tokens {
                main.add(t);
            }
            return;
        }
        let per = tokens.len().div_ceil(twins.len() + 1).max(1);
        let mut parts = tokens.chunks(per);
        let first = parts.next().unwrap_or(&[]);
        std::thread::scope(|scope| {
            for (twin, part) in twins.iter_mut().zip(parts) {
                scope.spawn(move || {
                    for t in part {
                        twin.add(t);
                    }
                });
            }
            for t in first {
                main.add(t);
            }
        });
    }
    fn finish(&mut self) {
        for twin in std::mem::take(&mut self.twins) {
            self.main.absorb(&twin);
        }
    }
    fn estimate(&self) -> f64 {
        self.main.count()
    }
}

/// Every distinct-count estimator, for `hpds accuracy`.
pub fn estimators() -> Vec<EstimatorEntry> {
    vec![]
}

/// Every membership filter, for `hpds fpr`.
pub fn filters() -> Vec<FilterEntry> {
    vec![]
}
