//! Counting events in one byte with a Morris counter.
//!
//! An exact count of ten million events needs at least 24 bits; a Morris counter keeps only an
//! 8-bit exponent and still estimates the count without bias. The base sets the trade:
//! 1.1 counts past 10^11 with a relative standard error of about √((1.1 - 1)/2) ≈ 22 %.
//! Counters kept on different machines merge into one.
//!
//! `cargo run -p hpds-morris --example byte_counter`

use hpds_morris::MorrisCounter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Seeded, so the run is reproducible; `MorrisCounter::new(1.1)?` seeds at random.
    let mut clicks = MorrisCounter::with_seed(1.1, 2024)?;
    let mut exact: u64 = 0;

    // Count one event at a time, as a stream would deliver them...
    for _ in 0..100_000 {
        clicks.increment();
        exact += 1;
    }
    // ...or many at once: this costs one random draw per change of the exponent, not one per
    // event.
    clicks.increment_by(9_900_000);
    exact += 9_900_000;

    let (lo, hi) = clicks.confidence_interval(0.95)?;
    println!(
        "exact {exact}, estimate {:.0} (95% interval {lo:.0}..{hi:.0}), relative error {:+.1}%",
        clicks.estimate(),
        100.0 * (clicks.estimate() / exact as f64 - 1.0)
    );
    println!(
        "state: exponent {} of at most {} (one byte); counts up to {:.2e}",
        clicks.exponent(),
        clicks.max_exponent(),
        clicks.max_estimate()
    );
    // The 95% interval misses the truth in one run of twenty; this seed is not one of them.
    assert!(lo <= exact as f64 && exact as f64 <= hi);

    // A second counter, from another shard, merges without bias.
    let mut other_shard = MorrisCounter::with_seed(1.1, 7)?;
    other_shard.increment_by(5_000_000);
    clicks.merge(&other_shard)?;
    println!(
        "after merging a shard of 5000000: estimate {:.0} (exact {})",
        clicks.estimate(),
        exact + 5_000_000
    );

    // Counters with different bases cannot merge: the error says why.
    let coarse = MorrisCounter::with_seed(2.0, 1)?;
    let err = clicks.merge(&coarse).unwrap_err();
    println!("merging base 2 into base 1.1: {err}");
    Ok(())
}
