//! Deduplicating a log stream with a Bloom filter.
//!
//! Passes on each line the first time it appears and drops repeats, remembering the lines
//! seen in about 14 bits each (at a 0.1 % false-positive rate) instead of the lines
//! themselves. The price of the saving: a new line is wrongly taken for a repeat, and dropped,
//! with probability at most 0.1 % (the rate of a full filter; a filling one does better).
//! There are no false negatives: every repeat is caught.
//!
//! `cargo run -p hpds-bloom --example dedupe_log` (a generated stream), or
//! `cargo run -p hpds-bloom --example dedupe_log -- - < app.log` (deduplicates standard input
//! to standard output).

use std::collections::HashSet;
use std::io::{BufRead, Write};

use hpds_bloom::BloomFilter;
use hpds_core::HeapSize;

/// A generated log of 300 000 lines in which each of 100 000 distinct messages appears 3
/// times, in a scrambled order.
fn generated_log() -> impl Iterator<Item = String> {
    (0..300_000u64).map(|i| {
        let id = (i * 7_919) % 100_000;
        format!("2024-05-01 level=warn request={id:06} msg=\"upstream timeout\"")
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().nth(1).as_deref() == Some("-") {
        // Size the filter for the distinct lines you expect; past that the rate degrades.
        let mut seen = BloomFilter::new(10_000_000, 0.001)?;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for line in std::io::stdin().lock().lines() {
            let line = line?;
            // `insert` returns whether the line was (probably) already there.
            if !seen.insert(&line) {
                writeln!(out, "{line}")?;
            }
        }
        return Ok(());
    }

    let mut seen = BloomFilter::new(100_000, 0.001)?;
    let mut exact = HashSet::new(); // only to count the filter's mistakes
    let (mut kept, mut dropped, mut wrongly_dropped) = (0u64, 0u64, 0u64);
    for line in generated_log() {
        let repeat = seen.insert(&line);
        let truly_new = exact.insert(line);
        if repeat {
            dropped += 1;
            wrongly_dropped += u64::from(truly_new);
        } else {
            kept += 1;
        }
    }
    println!("kept {kept} lines, dropped {dropped} repeats");
    println!(
        "new lines wrongly dropped: {wrongly_dropped} ({:.3}% of the distinct lines; at most 0.1%)",
        100.0 * wrongly_dropped as f64 / exact.len() as f64
    );
    println!(
        "the filter holds {} bytes; the lines themselves take {} bytes",
        seen.heap_bytes(),
        exact.iter().map(String::len).sum::<usize>()
    );
    assert_eq!(kept + wrongly_dropped, exact.len() as u64);
    // Even a full filter would wrongly drop only 0.1 % of 100 000 new lines, 100 on average.
    assert!(wrongly_dropped < 200);
    Ok(())
}
