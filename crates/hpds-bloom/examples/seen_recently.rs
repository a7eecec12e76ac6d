//! "Have I seen this in the last minute?": alerts deduplicated over a sliding window with a
//! `TimingBloomFilter`.
//!
//! A monitoring system raises the same alert again and again while a fault lasts; the pager
//! should ring once, and again only if the alert comes back after a quiet minute. A timing
//! Bloom filter remembers each alert for `decay` (here 60 s) after its last sighting, in
//! 4-bit cells, and forgets it on its own: no timer and no list of keys to expire.
//!
//! The example drives the filter with a `ManualClock`, so its minutes pass instantly; in a
//! service, `TimingBloomFilter::new` reads the system's monotonic clock instead.
//!
//! `cargo run -p hpds-bloom --example seen_recently`

use std::time::Duration;

use hpds_bloom::{ManualClock, TimingBloomFilter};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let clock = ManualClock::new();
    // Up to 10 000 distinct alerts per minute at a 0.1 % false-positive rate.
    let mut recent =
        TimingBloomFilter::with_clock(10_000, 0.001, Duration::from_secs(60), clock.clone())?;

    // (seconds since start, alert)
    let events = [
        (0, "disk full on db-1"),
        (5, "disk full on db-1"),
        (20, "high latency on api-3"),
        (50, "disk full on db-1"), // still inside 60 s of the last sighting at 5 s
        (100, "high latency on api-3"), // 80 s of quiet: pages again
        (150, "disk full on db-1"), // 100 s after 50 s: pages again
        (170, "disk full on db-1"),
    ];
    let mut pages = Vec::new();
    let mut now = 0;
    for (at, alert) in events {
        clock.advance(Duration::from_secs(at - now));
        now = at;
        // `insert` answers "was it there?" and refreshes its time in one step.
        let seen_recently = recent.insert(alert);
        println!(
            "t={at:>3}s {alert:<24} {}",
            if seen_recently { "suppressed" } else { "PAGE" }
        );
        if !seen_recently {
            pages.push((at, alert));
        }
    }
    assert_eq!(
        pages,
        [
            (0, "disk full on db-1"),
            (20, "high latency on api-3"),
            (100, "high latency on api-3"),
            (150, "disk full on db-1"),
        ]
    );

    // Items fade out by themselves: `contains` asks without refreshing.
    clock.advance(Duration::from_secs(30));
    assert!(recent.contains("disk full on db-1")); // 30 s after its last sighting
    clock.advance(Duration::from_secs(60));
    assert!(!recent.contains("disk full on db-1")); // 90 s: expired
    println!(
        "after 90 quiet seconds: forgotten; about {} alerts live",
        recent.live_inserts()
    );
    Ok(())
}
