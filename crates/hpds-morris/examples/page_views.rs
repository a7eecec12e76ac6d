//! Approximate view counts for many pages in a few bits each: `MorrisArray`.
//!
//! A site with 100 000 pages wants a rough view count per page, to tell the popular pages
//! from the rest, without 8 bytes (or a hash-map entry) per page. Each page hashes to one of
//! the array's counters, packed at 8 bits; the counts here follow a Zipf-like law, where a
//! few pages take most views. The estimates' relative error is set by the base
//! (√((base - 1)/2)), not by the count.
//!
//! `cargo run -p hpds-morris --example page_views`

use hpds_morris::MorrisArray;

const PAGES: usize = 100_000;

/// Views of the page of rank `r` (0 = most popular): Zipf with exponent 1, 2 million for the top.
fn views(rank: usize) -> u64 {
    2_000_000 / (rank as u64 + 1)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One 8-bit counter per page (the page id is the index), base 1.08: ±20 % per counter.
    let mut counts = MorrisArray::with_seed(PAGES, 1.08, 8, 99)?;
    for page in 0..PAGES {
        counts.increment_by(page, views(page));
    }
    println!(
        "{} counters in {} bytes ({} bits each)",
        counts.len(),
        counts.data_bytes(),
        counts.bits()
    );

    println!("page  exact views  estimate");
    for page in [0, 1, 9, 99, 999, 9_999] {
        println!(
            "{page:>4} {:>12} {:>9.0}",
            views(page),
            counts.estimate(page)
        );
    }

    // Each estimate is off by about ±20 % (one standard error); about 95 % of them fall within
    // two standard errors of the truth.
    let se = counts.relative_std_error();
    let within = (0..PAGES)
        .filter(|&page| {
            let exact = views(page) as f64;
            (counts.estimate(page) - exact).abs() <= 2.0 * se * exact
        })
        .count();
    println!(
        "{:.1}% of the pages within 2 standard errors ({:.0}%) of their count",
        100.0 * within as f64 / PAGES as f64,
        200.0 * se
    );
    assert!(within as f64 > 0.9 * PAGES as f64);

    // Counting by key instead of by index: the key's stable hash picks the counter, so two
    // keys may share one (size the array well above the number of keys).
    let mut by_url = MorrisArray::with_seed(1 << 16, 1.08, 8, 5)?;
    for _ in 0..1_000 {
        by_url.increment_item("/index.html");
    }
    let estimate = by_url.estimate(by_url.index_of("/index.html"));
    println!("/index.html: about {estimate:.0} views (exact 1000)");
    Ok(())
}
