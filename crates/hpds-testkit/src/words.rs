//! A synthetic English-like vocabulary and Zipf-distributed word streams.
//!
//! Real text has two properties that decide how string structures behave: word frequencies
//! follow Zipf's law (a few words are most of the tokens), and words share prefixes and
//! suffixes ("walk", "walked", "walking"). The generator builds words from English-like
//! syllables and common suffixes, so tries and DAWGs see realistic sharing, and assigns the
//! shortest words to the most frequent ranks, as in English.

use hpds_core::hash::IdentityBuildHasher;
use std::collections::HashSet;

use hpds_core::hash::hash_bytes;

use rand::Rng;
use rand::distr::Distribution;
use rand_distr::Zipf;

use crate::SeededRng;

const ONSETS: &[&str] = &[
    "", "", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
    "y", "z", "bl", "br", "ch", "cl", "cr", "dr", "fl", "fr", "gr", "pl", "pr", "sh", "sl", "sp",
    "st", "str", "th", "tr", "wh",
];
const NUCLEI: &[&str] = &[
    "a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "ee", "oo", "ou", "y",
];
const CODAS: &[&str] = &[
    "", "", "", "", "n", "r", "s", "t", "l", "m", "nd", "nt", "st", "ng", "ck", "rt", "ll",
];
const SUFFIXES: &[&str] = &[
    "", "", "", "", "", "s", "s", "ed", "ing", "er", "ly", "tion", "ness", "ment", "able", "es",
    "est", "ful",
];
/// Weights of 1, 2, 3 and 4 syllables per stem.
const SYLLABLE_WEIGHTS: [u32; 4] = [25, 40, 25, 10];

/// A set of distinct synthetic words, ordered from most to least frequent rank.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    words: Vec<String>,
}

impl Vocabulary {
    /// `size` distinct words generated from `seed`.
    ///
    /// # Example
    /// ```
    /// let v = hpds_testkit::words::Vocabulary::generate(1, 1000);
    /// assert_eq!(v.len(), 1000);
    /// assert_eq!(v.words(), hpds_testkit::words::Vocabulary::generate(1, 1000).words());
    /// ```
    pub fn generate(seed: u64, size: usize) -> Self {
        let mut rng = crate::rng(seed);
        // De-duplicate by a 64-bit stable hash: no string copies, and a (vanishingly rare)
        // collision only skips a word, so the vocabulary stays distinct.
        let mut seen: HashSet<u64, IdentityBuildHasher> =
            HashSet::with_capacity_and_hasher(size, IdentityBuildHasher);
        let mut words = Vec::with_capacity(size);
        while words.len() < size {
            let w = random_word(&mut rng);
            if seen.insert(hash_bytes(w.as_bytes(), 0)) {
                words.push(w);
            }
        }
        // Frequent words are short: stable sort by length keeps the order random within a length.
        words.sort_by_key(String::len);
        Self { words }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The words, most frequent rank first.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The word of a rank (0 = most frequent).
    pub fn word(&self, rank: usize) -> &str {
        &self.words[rank]
    }

    /// An endless stream of ranks drawn from Zipf's law with exponent `s` (1.0 is English).
    ///
    /// # Panics
    /// If the vocabulary is empty or `s` is negative or not finite.
    pub fn zipf_ranks(&self, seed: u64, s: f64) -> ZipfRanks {
        ZipfRanks {
            rng: crate::rng(seed),
            dist: Zipf::new(self.words.len() as f64, s).expect("non-empty vocabulary, s >= 0"),
        }
    }

    /// An endless stream of words drawn from Zipf's law with exponent `s`.
    pub fn zipf_words(&self, seed: u64, s: f64) -> impl Iterator<Item = &str> {
        self.zipf_ranks(seed, s).map(|r| self.word(r))
    }
}

/// Ranks drawn from a Zipf distribution; see [`Vocabulary::zipf_ranks`].
#[derive(Debug, Clone)]
pub struct ZipfRanks {
    rng: SeededRng,
    dist: Zipf<f64>,
}

impl Iterator for ZipfRanks {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        Some(self.dist.sample(&mut self.rng) as usize - 1)
    }
}

fn pick<'a>(rng: &mut SeededRng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn random_word(rng: &mut SeededRng) -> String {
    let mut roll = rng.random_range(0..SYLLABLE_WEIGHTS.iter().sum::<u32>());
    let mut syllables = 1;
    for w in SYLLABLE_WEIGHTS {
        if roll < w {
            break;
        }
        roll -= w;
        syllables += 1;
    }
    let mut word = String::with_capacity(16);
    for _ in 0..syllables {
        word.push_str(pick(rng, ONSETS));
        word.push_str(pick(rng, NUCLEI));
        word.push_str(pick(rng, CODAS));
    }
    word.push_str(pick(rng, SUFFIXES));
    word
}

/// A token stream: `tokens` Zipf-distributed draws from a vocabulary of `vocabulary` words.
///
/// Tokens are stored as ranks (4 bytes each), so a 10-million-token corpus takes 40 MB.
#[derive(Debug, Clone)]
pub struct Corpus {
    vocabulary: Vocabulary,
    ranks: Vec<u32>,
}

impl Corpus {
    /// Generates a corpus; `s` is the Zipf exponent.
    ///
    /// # Example
    /// ```
    /// let c = hpds_testkit::words::Corpus::generate(42, 10_000, 2_000, 1.0);
    /// assert_eq!(c.len(), 10_000);
    /// assert!(c.distinct() <= 2_000);
    /// ```
    pub fn generate(seed: u64, tokens: usize, vocabulary: usize, s: f64) -> Self {
        let vocabulary = Vocabulary::generate(seed, vocabulary);
        let ranks = vocabulary
            .zipf_ranks(seed ^ 0xc0ff_ee00, s)
            .take(tokens)
            .map(|r| r as u32)
            .collect();
        Self { vocabulary, ranks }
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.ranks.len()
    }

    /// Whether the corpus has no tokens.
    pub fn is_empty(&self) -> bool {
        self.ranks.is_empty()
    }

    /// The vocabulary the tokens are drawn from.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// The tokens in order.
    pub fn tokens(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        self.ranks.iter().map(|&r| self.vocabulary.word(r as usize))
    }

    /// The exact number of distinct tokens.
    pub fn distinct(&self) -> usize {
        let mut seen = vec![false; self.vocabulary.len()];
        let mut n = 0;
        for &r in &self.ranks {
            if !seen[r as usize] {
                seen[r as usize] = true;
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_is_distinct_and_deterministic() {
        let v = Vocabulary::generate(3, 5000);
        let set: HashSet<&String> = v.words().iter().collect();
        assert_eq!(set.len(), 5000);
        assert_eq!(v.words(), Vocabulary::generate(3, 5000).words());
        assert_ne!(v.words(), Vocabulary::generate(4, 5000).words());
        let mean = v.words().iter().map(String::len).sum::<usize>() as f64 / 5000.0;
        assert!((5.0..12.0).contains(&mean), "mean word length {mean}");
    }

    #[test]
    fn zipf_puts_most_tokens_on_few_words() {
        let c = Corpus::generate(1, 100_000, 10_000, 1.0);
        let top10 = c.ranks.iter().filter(|&&r| r < 10).count();
        // Under Zipf(1) over 10^4 ranks, the top 10 ranks carry H(10)/H(10^4) ~ 30% of tokens.
        assert!((25_000..35_000).contains(&top10), "top-10 share {top10}");
        let first: Vec<&str> = c.tokens().take(20).collect();
        let again = Corpus::generate(1, 100_000, 10_000, 1.0);
        assert_eq!(first, again.tokens().take(20).collect::<Vec<_>>());
    }
}
