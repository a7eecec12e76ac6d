//! The dense insert paths of the LogLog family side by side, and the one-byte register layout
//! they are measured against: min of 21 runs of 10^6 pre-hashed items each.
//!
//! ```text
//! cargo run --release -p hpds-benches --bin loglog_insert_variants -- [VARIANT] [p ...]
//! ```
//! * `HyperLogLog::insert_hash`, `HyperLogLog::insert_hashes`: the crate's 6-bit packed
//!   registers (HIP updated on every change), item by item and through the batch entry point;
//! * `UltraLogLog::insert_hash`, `ExaLogLog::insert_hash`: one byte per register with a
//!   two-value window; 28-bit registers with a 20-value window (without martingale tracking,
//!   the default);
//! * `bytes/table`, `bytes/branch-free`, `bytes/table+HIP`: HyperLogLog's registers one per
//!   byte (33 % more memory), written here as the layout the packing is weighed against.
//!
//! The byte variants are checked to give the crate's registers (and HIP estimate).

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

use hpds_loglog::{ExaLogLog, HyperLogLog, UltraLogLog};
use hpds_testkit::streams::random_u64s;

const RANK8: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 1;
    while b < 256 {
        t[b] = (b as u8).leading_zeros() as u8 + 1;
        b += 1;
    }
    t
};

fn min_ns(hashes: &[u64], mut f: impl FnMut(&[u64])) -> f64 {
    (0..21)
        .map(|_| {
            let t = Instant::now();
            f(black_box(hashes));
            t.elapsed().as_nanos() as f64 / hashes.len() as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// Register index (top `p` bits) and rank (from a table of the top byte of the rest).
#[inline(always)]
fn index_table(h: u64, pow: u64) -> (usize, u32) {
    let i = ((u128::from(h) * u128::from(pow)) >> 64) as usize;
    let w = h.wrapping_mul(pow) | (pow >> 1);
    let top = (w >> 56) as usize;
    if top == 0 {
        (i, w.leading_zeros() + 1)
    } else {
        (i, u32::from(RANK8[top]))
    }
}

fn pow2neg(k: u32) -> f64 {
    f64::from_bits(u64::from(1023 - k) << 52)
}

#[inline(never)]
fn bytes_table(p: u8, hs: &[u64]) -> Vec<u8> {
    let pow = 1u64 << p;
    let mut r = vec![0u8; 1 << p];
    for &h in hs {
        let (i, rank) = index_table(h, pow);
        let rank = rank as u8;
        if rank > r[i] {
            r[i] = rank;
        }
    }
    r
}

#[inline(never)]
fn bytes_table_hip(p: u8, hs: &[u64]) -> (Vec<u8>, f64) {
    let pow = 1u64 << p;
    let m = pow as f64;
    let (mut s, mut est) = (m, 0.0);
    let mut r = vec![0u8; 1 << p];
    for &h in hs {
        let (i, rank) = index_table(h, pow);
        let cur = r[i];
        if rank > u32::from(cur) {
            r[i] = rank as u8;
            est += m / s;
            s += pow2neg(rank) - pow2neg(u32::from(cur));
        }
    }
    (r, est)
}

#[inline(never)]
fn bytes_branch_free(p: u8, hs: &[u64]) -> Vec<u8> {
    let pow = 1u64 << p;
    let mut r = vec![0u8; 1 << p];
    for &h in hs {
        let (i, rank) = index_table(h, pow);
        r[i] = r[i].max(rank as u8);
    }
    r
}

type Variant<'a> = (&'static str, &'a dyn Fn(&[u64]));

fn main() {
    // Optional arguments: a variant name to run alone (for `perf stat`), and the precisions.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let only = args.first().cloned();
    let ps: Vec<u8> = if args.len() > 1 {
        args[1..]
            .iter()
            .map(|a| a.parse().expect("precision"))
            .collect()
    } else {
        vec![10, 14, 16]
    };
    let hashes = random_u64s(1, 1_000_000);
    for p in ps {
        if only.is_none() {
            let mut reference = HyperLogLog::new(p).expect("valid precision");
            reference.insert_hashes(&hashes);
            let regs: Vec<u8> = reference.registers().collect();
            assert_eq!(bytes_table(p, &hashes), regs);
            assert_eq!(bytes_branch_free(p, &hashes), regs);
            let (r, est) = bytes_table_hip(p, &hashes);
            assert_eq!((r, Some(est)), (regs, reference.hip_estimate()));
        }
        let runs: [Variant<'_>; 7] = [
            ("HyperLogLog::insert_hash", &|hs| {
                let mut s = HyperLogLog::new(p).expect("valid precision");
                for &h in hs {
                    s.insert_hash(h);
                }
                drop(black_box(s));
            }),
            ("HyperLogLog::insert_hashes", &|hs| {
                let mut s = HyperLogLog::new(p).expect("valid precision");
                s.insert_hashes(hs);
                drop(black_box(s));
            }),
            ("UltraLogLog::insert_hash", &|hs| {
                let mut s = UltraLogLog::new(p).expect("valid precision");
                for &h in hs {
                    s.insert_hash(h);
                }
                drop(black_box(s));
            }),
            ("ExaLogLog::insert_hash", &|hs| {
                let mut s = ExaLogLog::new(p).expect("valid precision");
                for &h in hs {
                    s.insert_hash(h);
                }
                drop(black_box(s));
            }),
            ("bytes/table", &|hs| drop(black_box(bytes_table(p, hs)))),
            ("bytes/branch-free", &|hs| {
                drop(black_box(bytes_branch_free(p, hs)));
            }),
            ("bytes/table+HIP", &|hs| {
                drop(black_box(bytes_table_hip(p, hs)));
            }),
        ];
        let mut line = format!("p={p}:");
        for (name, f) in runs {
            if only.as_deref().is_some_and(|o| o != name) {
                continue;
            }
            let _ = write!(line, " {name} {:.2};", min_ns(&hashes, f));
        }
        println!("{line}");
    }
}
