//! Choosing a growth policy for a buffer whose final size you do not know.
//!
//! Builds the same 100 000-element buffer under every built-in policy and prints what each
//! cost: the heap bytes it holds at the end (slack included), the reallocations on the way,
//! and the bytes those reallocations had to preserve. Doubling reallocates least and wastes
//! most; CPython's rule and `Exact` are lean but reallocate often. When the size is known,
//! `with_capacity` beats them all: one allocation, no slack.
//!
//! `cargo run -p hpds-vec --example choose_policy [POLICY]` (e.g. `factor:1.25`, `cpython`)

use hpds_core::HeapSize;
use hpds_vec::{GrowVec, Policy};

/// One record of the buffer: 16 bytes.
#[derive(Clone, Copy)]
struct Reading {
    sensor: u32,
    value: f32,
    time: u64,
}

/// `heap_bytes()` of a vector counts what its elements own too; a `Reading` owns nothing, and
/// says so, so the vector need not visit its elements to count.
impl HeapSize for Reading {
    const OWNS_NOTHING: bool = true;
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// Fills a buffer the way a reader of an unknown-length stream would: one push at a time.
fn fill(policy: Policy, n: usize) -> GrowVec<Reading, Policy> {
    let mut buf = GrowVec::with_policy(policy);
    for i in 0..n {
        buf.push(Reading {
            sensor: (i % 64) as u32,
            value: i as f32 * 0.5,
            time: 1_700_000_000 + i as u64,
        });
    }
    buf
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    const N: usize = 100_000;
    // A policy named on the command line, or all of them.
    let policies: Vec<Policy> = match std::env::args().nth(1) {
        Some(name) => vec![name.parse()?],
        None => Policy::ALL.to_vec(),
    };
    let live = N * size_of::<Reading>();

    println!("policy             heap bytes   slack  reallocations  bytes copied");
    for policy in policies {
        let buf = fill(policy, N);
        let stats = buf.stats();
        println!(
            "{:<16} {:>12} {:>6.1}% {:>14} {:>13}",
            policy.to_string(),
            buf.heap_bytes(),
            100.0 * (buf.heap_bytes() - live) as f64 / live as f64,
            stats.reallocations,
            stats.bytes_copied
        );
        assert_eq!(buf.len(), N);
        assert!(
            buf.iter()
                .all(|r| r.sensor < 64 && r.value >= 0.0 && r.time > 0)
        );
    }

    // Known size: reserve once.
    let mut exact: GrowVec<Reading> = GrowVec::with_capacity(N);
    exact.extend(fill(Policy::Exact, N).iter().copied());
    println!(
        "{:<16} {:>12} {:>6.1}% {:>14} {:>13}",
        "with_capacity",
        exact.heap_bytes(),
        0.0,
        exact.stats().reallocations,
        exact.stats().bytes_copied
    );
    assert_eq!(exact.heap_bytes(), live);
    Ok(())
}
