//! Near-duplicate documents by Jaccard similarity of their word shingles.
//!
//! Each document becomes the set of its 3-word shingles ("the quick brown", "quick brown fox",
//! ...); two documents are near-duplicates when those sets overlap a lot. A KMV sketch of
//! each set (256 hashes, 4 KiB, however long the document) estimates the Jaccard similarity
//! |A ∩ B| / |A ∪ B| between any two of them without keeping the documents.
//!
//! `cargo run -p hpds-kmv --example similar_documents`

use hpds_kmv::Kmv;

/// A document of `words` words from a fixed vocabulary; `variant` changes every `every`-th word.
fn document(words: usize, variant: u64, every: usize) -> Vec<String> {
    (0..words)
        .map(|i| {
            let changed = every > 0 && i % every == 0;
            let word =
                (i as u64 * 2_654_435_761) % 5_000 + if changed { variant * 10_000 } else { 0 };
            format!("w{word}")
        })
        .collect()
}

/// The sketch of a document's 3-word shingles.
fn shingles(doc: &[String]) -> Result<Kmv, hpds_core::Error> {
    let mut sketch = Kmv::new(256)?;
    for w in doc.windows(3) {
        sketch.insert(&w.join(" "));
    }
    Ok(sketch)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let original = document(20_000, 0, 0);
    let docs = [
        ("original", original.clone()),
        ("1 word in 50 edited", document(20_000, 1, 50)),
        ("1 word in 5 edited", document(20_000, 2, 5)),
        ("unrelated", document(20_000, 3, 1)),
    ];
    let reference = shingles(&original)?;
    println!("document              estimated Jaccard  exact");
    for (name, doc) in &docs {
        let estimate = reference.jaccard(&shingles(doc)?)?;
        let exact = exact_jaccard(&original, doc);
        println!("{name:<22} {estimate:>17.3} {exact:>6.3}");
        // With k = 256 the standard error of the estimate is about 0.03 at most.
        assert!((estimate - exact).abs() < 0.1);
    }
    Ok(())
}

/// The exact Jaccard similarity of two documents' shingle sets, for comparison.
fn exact_jaccard(a: &[String], b: &[String]) -> f64 {
    use std::collections::HashSet;
    let set = |d: &[String]| d.windows(3).map(|w| w.join(" ")).collect::<HashSet<_>>();
    let (a, b) = (set(a), set(b));
    a.intersection(&b).count() as f64 / a.union(&b).count() as f64
}
