//! Daily unique visitors, counted per shard and merged: HyperLogLog++.
//!
//! Four web servers each count the distinct visitors they see in a day, in a sketch of at most
//! 12 KiB (precision 14: 16 384 registers, 0.8 % standard error) however many visitors come.
//! At the end of the day each server ships its sketch as bytes; the aggregator decodes them
//! and merges them into the day's count. A visitor seen by several servers counts once,
//! because merging takes the register-wise maximum: the merged sketch is exactly the sketch of
//! all four streams together. Days merge into a week the same way.
//!
//! `cargo run -p hpds-loglog --example daily_uniques`

use hpds_core::ByteCodec;
use hpds_loglog::HyperLogLogPlusPlus;

const SERVERS: u64 = 4;
const PRECISION: u8 = 14;

/// The visitors of `day`: 50 000 regulars who come every day and 30 000 of the day's own,
/// each hitting some of the servers (load balancers are not sticky).
fn visits(day: u64) -> impl Iterator<Item = (u64, String)> {
    let regulars = (0..50_000).map(|v| format!("visitor-{v}"));
    let new = (0..30_000).map(move |v| format!("visitor-{day}-{v}"));
    regulars.chain(new).enumerate().flat_map(|(i, visitor)| {
        let i = i as u64;
        // Each visitor makes 1 to 3 requests, to different servers.
        (0..=i % 3).map(move |r| ((i + r) % SERVERS, visitor.clone()))
    })
}

/// One server's day: the sketch of the visitors it saw, encoded for shipping.
fn server_day(server: u64, day: u64) -> Result<Vec<u8>, hpds_core::Error> {
    let mut sketch = HyperLogLogPlusPlus::new(PRECISION)?;
    for (s, visitor) in visits(day) {
        if s == server {
            sketch.insert(&visitor);
        }
    }
    Ok(sketch.to_bytes())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut week = HyperLogLogPlusPlus::new(PRECISION)?;
    for day in 0..7 {
        let mut today = HyperLogLogPlusPlus::new(PRECISION)?;
        let mut shipped = 0;
        for server in 0..SERVERS {
            let bytes = server_day(server, day)?;
            shipped += bytes.len();
            // Decoding checks the bytes: a truncated or corrupted sketch is an error.
            today.merge(&HyperLogLogPlusPlus::from_bytes(&bytes)?)?;
        }
        let estimate = today.estimate();
        println!(
            "day {day}: ~{estimate:.0} unique visitors (exact 80000, {:+.2}%), {shipped} bytes shipped",
            100.0 * (estimate / 80_000.0 - 1.0)
        );
        // Four standard errors: a wrong answer, not bad luck.
        assert!((estimate / 80_000.0 - 1.0).abs() < 4.0 * today.standard_error());
        week.merge(&today)?;
    }
    let exact_week = 50_000.0 + 7.0 * 30_000.0;
    println!(
        "week: ~{:.0} unique visitors (exact {exact_week}), standard error {:.2}%",
        week.estimate(),
        100.0 * week.standard_error()
    );
    assert!((week.estimate() / exact_week - 1.0).abs() < 4.0 * week.standard_error());

    // A sketch of another precision cannot be merged in: the error names the difference.
    let other = HyperLogLogPlusPlus::new(12)?;
    println!(
        "merging p = 12 into p = 14: {}",
        week.merge(&other).unwrap_err()
    );
    Ok(())
}
