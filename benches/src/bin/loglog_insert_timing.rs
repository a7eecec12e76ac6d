//! Min-of-runs timing of dense inserts (robust to a loaded machine), against a
//! byte-per-register baseline and the packed update written with a variable shift:
//!
//! ```text
//! cargo run --release -p hpds-benches --bin loglog_insert_timing
//! ```
//! "variable shift" extracts the register with `word >> (6 * (i % 4))`; the crate compares in
//! place against `rank * 2^(6 (i % 4))` instead (its `HyperLogLog` row). See the crate's
//! `registers.rs` for why the shift is slow on x86-64 without BMI2.

use std::hint::black_box;
use std::time::Instant;

use hpds_loglog::{HyperLogLog, HyperLogLogPlusPlus};
use hpds_testkit::streams::random_u64s;

fn min_ns(hashes: &[u64], mut f: impl FnMut(&[u64])) -> f64 {
    (0..15)
        .map(|_| {
            let t = Instant::now();
            f(black_box(hashes));
            t.elapsed().as_nanos() as f64 / hashes.len() as f64
        })
        .fold(f64::INFINITY, f64::min)
}

#[inline(never)]
fn fill_hll(p: u8, hs: &[u64]) -> HyperLogLog {
    let mut s = HyperLogLog::new(p).expect("valid precision");
    for &h in hs {
        s.insert_hash(h);
    }
    s
}

#[inline(never)]
fn fill_pp(p: u8, hs: &[u64]) -> HyperLogLogPlusPlus {
    let mut s = HyperLogLogPlusPlus::new(p).expect("valid precision");
    for &h in hs {
        s.insert_hash(h);
    }
    s
}

#[inline(never)]
fn fill_bytes(p: u8, hs: &[u64]) -> Vec<u8> {
    let mut r = vec![0u8; 1 << p];
    for &h in hs {
        let i = (h >> (64 - p)) as usize;
        let rank = ((h << p) | (1 << (p - 1))).leading_zeros() as u8 + 1;
        if rank > r[i] {
            r[i] = rank;
        }
    }
    r
}

#[inline(never)]
fn fill_shift(p: u8, hs: &[u64]) -> Vec<u8> {
    let mut r = vec![0u8; (3 << (p - 2)) + 1];
    for &h in hs {
        let i = (h >> (64 - p)) as usize;
        let rank = ((h << p) | (1 << (p - 1))).leading_zeros() + 1;
        let base = 3 * (i >> 2);
        let shift = 6 * (i as u32 & 3);
        let w = u32::from_le_bytes(r[base..base + 4].try_into().expect("4 bytes"));
        if rank > (w >> shift) & 63 {
            let w = (w & !(63 << shift)) | (rank << shift);
            r[base..base + 4].copy_from_slice(&w.to_le_bytes());
        }
    }
    r
}

fn main() {
    let small = random_u64s(2, 1_000);
    for p in [10u8, 14, 16] {
        let pp = min_ns(&small, |hs| drop(black_box(fill_pp(p, hs))));
        let hll = min_ns(&small, |hs| drop(black_box(fill_hll(p, hs))));
        println!("1000 items, p={p}: HyperLogLog++ {pp:.2} ns, HyperLogLog {hll:.2} ns per insert");
    }
    let hashes = random_u64s(1, 1_000_000);
    println!("ns per insert, min of 15 runs of 10^6 pre-hashed items");
    for p in [10u8, 14, 16] {
        let hll = min_ns(&hashes, |hs| drop(black_box(fill_hll(p, hs))));
        let pp = min_ns(&hashes, |hs| drop(black_box(fill_pp(p, hs))));
        let bytes = min_ns(&hashes, |hs| drop(black_box(fill_bytes(p, hs))));
        let shift = min_ns(&hashes, |hs| drop(black_box(fill_shift(p, hs))));
        println!(
            "p={p}: HyperLogLog {hll:.2}, HyperLogLog++ {pp:.2}, u8 registers {bytes:.2}, \
             packed/variable shift {shift:.2}"
        );
    }
}
