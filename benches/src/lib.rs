//! Shared pieces of hpds's side-by-side benchmarks.
//!
//! Each family's bench (`benches/*.rs`) puts every implementation, ours and the peers', behind
//! one small local trait so they all run the same measured code. The measurement programs in
//! `src/bin` (peer races, error plots, table generators) run with
//! `cargo run --release -p hpds-benches --bin NAME`. This library holds what they share: size
//! ladders, the standard corpus, and vectors built by `push`.

pub mod push;

pub mod bloom;

#[cfg(doctest)]
mod guides;

use hpds_testkit::words::Corpus;

/// Item counts from in-cache to out-of-cache. The largest sizes run only with
/// `HPDS_BENCH_FULL=1`, so a default `cargo bench` stays within minutes.
pub fn sizes(default: &[u64], full: &[u64]) -> Vec<u64> {
    let mut out = default.to_vec();
    if full_run() {
        out.extend_from_slice(full);
    }
    out
}

/// Whether `HPDS_BENCH_FULL=1` asks for the long, out-of-cache sizes.
pub fn full_run() -> bool {
    std::env::var("HPDS_BENCH_FULL").is_ok_and(|v| v == "1")
}

/// The comma-separated values of the environment variable `name`, if it is set.
pub fn env_list(name: &str) -> Option<Vec<String>> {
    std::env::var(name)
        .ok()
        .map(|s| s.split(',').map(|x| x.trim().to_owned()).collect())
}

/// Whether `cargo bench` started this race binary: it passes `--bench`; anything else (e.g.
/// `cargo test --benches`) only checks that the race runs, on a small size.
pub fn is_bench_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// The item counts a race runs at: `HPDS_RACE_SIZES` (comma-separated) if set, else `defaults`
/// plus 100 million on a full run ([`full_run`]); `smoke` alone when not started by
/// `cargo bench` ([`is_bench_run`]).
///
/// # Panics
/// If `HPDS_RACE_SIZES` holds something other than whole numbers.
pub fn race_sizes(defaults: &[u64], smoke: u64) -> Vec<u64> {
    if !is_bench_run() {
        return vec![smoke];
    }
    match env_list("HPDS_RACE_SIZES") {
        Some(v) => v
            .iter()
            .map(|s| s.parse().expect("HPDS_RACE_SIZES: item counts"))
            .collect(),
        None if full_run() => defaults.iter().copied().chain([100_000_000]).collect(),
        None => defaults.to_vec(),
    }
}

/// The standard word corpus for string benchmarks: Zipf(1) tokens over a vocabulary a tenth of
/// the token count, seed 2024 (the CLI's default corpus, scaled).
pub fn corpus(tokens: usize) -> Corpus {
    Corpus::generate(2024, tokens, (tokens / 10).max(1), 1.0)
}

/// The distinct words of the built-in corpus of `hpds compare` (`tokens` Zipf(1) tokens over a
/// vocabulary of `tokens / 10`, seed 2024; the CLI's default is 10 million tokens), in the
/// order they first occur.
pub fn compare_corpus_words(tokens: usize) -> Vec<String> {
    let corpus = Corpus::generate(2024, tokens, (tokens / 10).max(1), 1.0);
    let mut seen = vec![false; corpus.vocabulary().len()];
    let mut out = Vec::with_capacity(corpus.distinct());
    let words = corpus.vocabulary().words();
    let index: std::collections::HashMap<&str, usize> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_str(), i))
        .collect();
    for w in corpus.tokens() {
        let i = index[w];
        if !seen[i] {
            seen[i] = true;
            out.push(w.to_string());
        }
    }
    out
}

/// `n` distinct file paths from a seeded generator: a directory tree under a few roots
/// (`/usr/share/...`, `/home/...`) at most 7 directories deep, names drawn from the synthetic vocabulary with Zipf
/// frequencies, file extensions and numbered variants, new entries placed mostly in recently
/// created directories (as a package or a project fills one directory at a time).
pub fn file_paths(seed: u64, n: usize) -> Vec<String> {
    use rand::Rng;
    let vocab = hpds_testkit::words::Vocabulary::generate(seed, 20_000);
    let mut names = vocab.zipf_ranks(seed ^ 0x9e37, 1.0);
    let mut rng = hpds_testkit::rng(seed);
    const EXT: &[&str] = &[
        "", ".rs", ".py", ".txt", ".h", ".c", ".so", ".gz", ".html", ".png", ".json", ".md",
        ".1.gz", ".mo", ".svg", ".conf",
    ];
    let mut dirs: Vec<String> = [
        "/usr/share/doc",
        "/usr/share/locale",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/include",
        "/usr/lib/python3/dist-packages",
        "/home/alice/src",
        "/var/lib",
        "/opt",
        "/etc",
        "/usr/share/man/man1",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    let mut seen = std::collections::HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let d = if rng.random_bool(0.6) {
            dirs.len() - 1 - rng.random_range(0..dirs.len().min(8))
        } else {
            rng.random_range(0..dirs.len())
        };
        let name = vocab.word(names.next().unwrap_or(0));
        let depth = dirs[d].bytes().filter(|&b| b == b'/').count();
        let path = if depth < 7 && rng.random_bool(0.1) {
            let p = format!("{}/{name}", dirs[d]);
            dirs.push(p.clone());
            p
        } else {
            let ext = EXT[rng.random_range(0..EXT.len())];
            if rng.random_bool(0.3) {
                format!("{}/{name}-{}{ext}", dirs[d], rng.random_range(0..100))
            } else {
                format!("{}/{name}{ext}", dirs[d])
            }
        };
        if seen.insert(path.clone()) {
            out.push(path);
        }
    }
    out
}

/// The golden encodings of hpds-trie's formats, one per line (see the `trie_golden` bin).
pub fn trie_golden() -> String {
    use hpds_core::codec::ByteCodec;
    let set: hpds_trie::WordSet = ["cat", "cats", "dog"].into_iter().collect();
    let map: hpds_trie::WordMap = [("cat", 1u64), ("cats", 2), ("dog", 300)]
        .into_iter()
        .collect();
    let trie: hpds_trie::Trie = ["dog", "cats", "", "cat"].into_iter().collect();
    format!(
        "SET: {:?}\nMAP: {:?}\nTRIE: {:?}\n",
        set.as_bytes(),
        map.as_bytes(),
        trie.to_bytes()
    )
}
