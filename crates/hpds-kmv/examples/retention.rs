//! Day-over-day retention from two sketches: how many of Monday's users came back on Tuesday?
//!
//! Each day's distinct users go into a K-Minimum-Values sketch of fixed size (here 4096
//! hashes, 64 KiB) however many users there are. Because the sketch keeps actual hash values,
//! two days' sketches answer intersection questions that a plain distinct count cannot:
//! retention is |Monday ∩ Tuesday| / |Monday|. The simulated traffic: 400 000 users on
//! Monday, 30 % of whom return on Tuesday among 250 000 new ones.
//!
//! `cargo run -p hpds-kmv --example retention`

use hpds_core::HeapSize;
use hpds_kmv::Kmv;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    const K: usize = 4096;
    let mut monday = Kmv::new(K)?;
    let mut tuesday = Kmv::new(K)?;

    // Monday: users 0..400 000, each seen on several page views (duplicates do not count).
    for view in 0..1_200_000u64 {
        monday.insert(&(view % 400_000));
    }
    // Tuesday: the 30 % of Monday's users whose id ends in 0, 3 or 6 come back, and 250 000
    // new users arrive.
    let returning = (0..400_000u64).filter(|id| matches!(id % 10, 0 | 3 | 6));
    for id in returning.chain(1_000_000..1_250_000) {
        tuesday.insert(&id);
    }

    let retained = monday.intersection_estimate(&tuesday)?;
    let retention = retained / monday.estimate();
    println!(
        "Monday ~{:.0} users, Tuesday ~{:.0}, both ~{retained:.0}: retention {:.1}% (exact 30.0%)",
        monday.estimate(),
        tuesday.estimate(),
        100.0 * retention
    );
    println!(
        "each sketch holds {} bytes; relative standard error of a count {:.1}%",
        monday.heap_bytes(),
        100.0 * monday.relative_std_error()
    );
    // The intersection's error is larger than a count's: it is estimated from the union's
    // sample. Here within ±3 percentage points.
    assert!((retention - 0.30).abs() < 0.03);

    // Distinct users over both days: merge Tuesday into a copy of Monday.
    let mut both_days = monday.clone();
    both_days.merge(&tuesday)?;
    println!(
        "distinct users over both days ~{:.0} (exact 650000)",
        both_days.estimate()
    );
    let (lo, hi) = both_days.estimate_bounds(0.99)?;
    assert!(lo <= 650_000.0 && 650_000.0 <= hi);
    Ok(())
}
