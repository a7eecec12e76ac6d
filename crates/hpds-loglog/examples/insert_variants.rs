//! The insert-path experiment behind `docs/loglog.md` ("Register packing and the insert path"):
//! variants of the dense register update, min of 21 runs of 10^6 pre-hashed items each.
//!
//! ```text
//! cargo run --release -p hpds-loglog --example insert_variants
//! ```
//! * `packed/bsr`: 6-bit packed registers, rank from `leading_zeros` (`bsr` on baseline x86-64);
//! * `packed/table`: the same with the rank from a 256-entry table of the top byte (the crate's);
//! * `packed/table+HIP`: with the HIP update on a register change (what `HyperLogLog` does);
//! * `packed/branch-free+HIP log`: always store, log the changes, replay HIP in batches;
//! * `bytes/table`, `bytes/table+HIP`: one byte per register (33 % more memory).
//!
//! Every variant is checked to give the same registers (and HIP estimate) as the crate.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

use hpds_loglog::HyperLogLog;
use hpds_testkit::streams::random_u64s;

const POW: [u32; 4] = [1, 1 << 6, 1 << 12, 1 << 18];
const TOP: [u64; 4] = [1 << 58, 1 << 52, 1 << 46, 1 << 40];
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

#[inline(always)]
fn index_bsr(h: u64, pow: u64) -> (usize, u32) {
    let i = ((u128::from(h) * u128::from(pow)) >> 64) as usize;
    let w = h.wrapping_mul(pow) | (pow >> 1);
    (i, w.leading_zeros() + 1)
}

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

fn word(r: &[u8], base: usize) -> u32 {
    u32::from_le_bytes(r[base..base + 4].try_into().expect("4 bytes"))
}

fn pow2neg(k: u32) -> f64 {
    f64::from_bits((1023 - u64::from(k)) << 52)
}

#[inline(never)]
fn packed_bsr(p: u8, hs: &[u64]) -> Vec<u8> {
    let pow = 1u64 << p;
    let mut r = vec![0u8; (3 << (p - 2)) + 1];
    for &h in hs {
        let (i, rank) = index_bsr(h, pow);
        let base = 3 * (i >> 2);
        let pw = POW[i & 3];
        let w = word(&r, base);
        if rank * pw > w & (63 * pw) {
            let w = (w & !(63 * pw)) | (rank * pw);
            r[base..base + 4].copy_from_slice(&w.to_le_bytes());
        }
    }
    r
}

#[inline(never)]
fn packed_table(p: u8, hs: &[u64]) -> Vec<u8> {
    let pow = 1u64 << p;
    let mut r = vec![0u8; (3 << (p - 2)) + 1];
    for &h in hs {
        let (i, rank) = index_table(h, pow);
        let base = 3 * (i >> 2);
        let w = word(&r, base);
        let cur = (u64::from(w).wrapping_mul(TOP[i & 3]) >> 58) as u32;
        if rank > cur {
            let pw = POW[i & 3];
            let w = (w & !(63 * pw)) | (rank * pw);
            r[base..base + 4].copy_from_slice(&w.to_le_bytes());
        }
    }
    r
}

#[inline(never)]
fn packed_table_hip(p: u8, hs: &[u64]) -> (Vec<u8>, f64) {
    let pow = 1u64 << p;
    let m = pow as f64;
    let (mut s, mut est) = (m, 0.0);
    let mut r = vec![0u8; (3 << (p - 2)) + 1];
    for &h in hs {
        let (i, rank) = index_table(h, pow);
        let base = 3 * (i >> 2);
        let w = word(&r, base);
        let cur = (u64::from(w).wrapping_mul(TOP[i & 3]) >> 58) as u32;
        if rank > cur {
            let pw = POW[i & 3];
            let w = (w & !(63 * pw)) | (rank * pw);
            r[base..base + 4].copy_from_slice(&w.to_le_bytes());
            est += m / s;
            s += pow2neg(rank) - pow2neg(cur);
        }
    }
    (r, est)
}

#[inline(never)]
fn packed_branch_free_hip_log(p: u8, hs: &[u64]) -> (Vec<u8>, f64) {
    let pow = 1u64 << p;
    let m = pow as f64;
    let (mut s, mut est) = (m, 0.0);
    let replay = |log: &[u16], s: &mut f64, est: &mut f64| {
        for &e in log {
            *est += m / *s;
            *s += pow2neg(u32::from(e & 255)) - pow2neg(u32::from(e >> 8));
        }
    };
    let mut r = vec![0u8; (3 << (p - 2)) + 1];
    let mut log = [0u16; 256];
    let mut len = 0usize;
    for &h in hs {
        let (i, rank) = index_table(h, pow);
        let base = 3 * (i >> 2);
        let w = word(&r, base);
        let cur = (u64::from(w).wrapping_mul(TOP[i & 3]) >> 58) as u32;
        let pw = POW[i & 3];
        let changed = rank > cur;
        let nw = if changed {
            (w & !(63 * pw)) | (rank * pw)
        } else {
            w
        };
        r[base..base + 4].copy_from_slice(&nw.to_le_bytes());
        log[len & 255] = ((cur << 8) | rank) as u16;
        len += usize::from(changed);
        if len == 255 {
            replay(&log[..len], &mut s, &mut est);
            len = 0;
        }
    }
    replay(&log[..len], &mut s, &mut est);
    (r, est)
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

#[inline(never)]
fn packed_branch_free(p: u8, hs: &[u64]) -> Vec<u8> {
    let pow = 1u64 << p;
    let mut r = vec![0u8; (3 << (p - 2)) + 1];
    for &h in hs {
        let (i, rank) = index_table(h, pow);
        let base = 3 * (i >> 2);
        let w = word(&r, base);
        let cur = (u64::from(w).wrapping_mul(TOP[i & 3]) >> 58) as u32;
        let pw = POW[i & 3];
        let w = (w & !(63 * pw)) | (rank.max(cur) * pw);
        r[base..base + 4].copy_from_slice(&w.to_le_bytes());
    }
    r
}

/// `packed_table_hip` without bounds checks on the register word.
#[inline(never)]
fn packed_table_hip_unchecked(p: u8, hs: &[u64]) -> (Vec<u8>, f64) {
    let pow = 1u64 << p;
    let m = pow as f64;
    let (mut s, mut est) = (m, 0.0);
    let mut r = vec![0u8; (3 << (p - 2)) + 1];
    for &h in hs {
        let (i, rank) = index_table(h, pow);
        let base = 3 * (i >> 2);
        debug_assert!(base + 4 <= r.len());
        // SAFETY: i < 2^p, so base + 4 <= 3 * 2^(p-2) + 1 = r.len().
        let ptr = unsafe { r.as_mut_ptr().add(base) };
        // SAFETY: as above, four bytes in bounds; unaligned access.
        let w = unsafe { ptr.cast::<u32>().read_unaligned() };
        let cur = (u64::from(w).wrapping_mul(TOP[i & 3]) >> 58) as u32;
        if rank > cur {
            let pw = POW[i & 3];
            let w = (w & !(63 * pw)) | (rank * pw);
            // SAFETY: as above.
            unsafe { ptr.cast::<u32>().write_unaligned(w) };
            est += m / s;
            s += pow2neg(rank) - pow2neg(cur);
        }
    }
    (r, est)
}

/// `LIMIT[c] = 2^(64 - c) - 1`: a rank-bits word `w` (hash shifted past the index, sentinel
/// bit set) has rank `> c` exactly when `w <= LIMIT[c]`, so the no-change path needs no rank.
const LIMIT: [u64; 64] = {
    let mut t = [0u64; 64];
    let mut c = 0;
    while c < 64 {
        t[c] = u64::MAX >> c;
        c += 1;
    }
    t
};

#[inline(always)]
fn rank_of(w: u64) -> u32 {
    let top = (w >> 56) as usize;
    if top == 0 {
        w.leading_zeros() + 1
    } else {
        u32::from(RANK8[top])
    }
}

/// Compare the rank-bits word against the register's limit; the rank only on a change.
#[inline(never)]
fn packed_limit_hip(p: u8, hs: &[u64]) -> (Vec<u8>, f64) {
    let pow = 1u64 << p;
    let m = pow as f64;
    let (mut s, mut est) = (m, 0.0);
    let mut r = vec![0u8; (3 << (p - 2)) + 1];
    for &h in hs {
        let i = ((u128::from(h) * u128::from(pow)) >> 64) as usize;
        let w = h.wrapping_mul(pow) | (pow >> 1);
        let base = 3 * (i >> 2);
        let word = word(&r, base);
        let cur = (u64::from(word).wrapping_mul(TOP[i & 3]) >> 58) as usize;
        if w <= LIMIT[cur] {
            let rank = rank_of(w);
            let pw = POW[i & 3];
            let nw = (word & !(63 * pw)) | (rank * pw);
            r[base..base + 4].copy_from_slice(&nw.to_le_bytes());
            est += m / s;
            s += pow2neg(rank) - pow2neg(cur as u32);
        }
    }
    (r, est)
}

/// Branch-free: always store the maximum, log each change (old, new) and replay HIP over the
/// log when it fills (the same additions in the same order: bit-identical).
#[inline(never)]
fn packed_limit_log(p: u8, hs: &[u64]) -> (Vec<u8>, f64) {
    let pow = 1u64 << p;
    let m = pow as f64;
    let (mut s, mut est) = (m, 0.0);
    let replay = |log: &[u16], s: &mut f64, est: &mut f64| {
        for &e in log {
            *est += m / *s;
            *s += pow2neg(u32::from(e & 255)) - pow2neg(u32::from(e >> 8));
        }
    };
    let mut r = vec![0u8; (3 << (p - 2)) + 1];
    let mut log = [0u16; 512];
    let mut len = 0usize;
    for chunk in hs.chunks(256) {
        for &h in chunk {
            let (i, rank) = index_table(h, pow);
            let base = 3 * (i >> 2);
            let w = word(&r, base);
            let cur = (u64::from(w).wrapping_mul(TOP[i & 3]) >> 58) as u32;
            let pw = POW[i & 3];
            let new = rank.max(cur);
            let nw = (w & !(63 * pw)) | (new * pw);
            r[base..base + 4].copy_from_slice(&nw.to_le_bytes());
            log[len & 511] = ((cur << 8) | new) as u16;
            len += usize::from(rank > cur);
        }
        replay(&log[..len], &mut s, &mut est);
        len = 0;
    }
    (r, est)
}

/// A named fill of a register array from hashes.
type Variant<'a> = (&'static str, &'a dyn Fn(&[u64]));

fn unpack(packed: &[u8], m: usize) -> Vec<u8> {
    (0..m)
        .map(|i| ((word(packed, 3 * (i >> 2)) >> (6 * (i & 3))) & 63) as u8)
        .collect()
}

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
        let m = 1 << p;
        if only.is_none() {
            // Every variant gives the crate's registers (and HIP estimate).
            let mut reference = HyperLogLog::new(p).unwrap();
            for &h in &hashes {
                reference.insert_hash(h);
            }
            let regs: Vec<u8> = reference.registers().collect();
            assert_eq!(unpack(&packed_bsr(p, &hashes), m), regs);
            assert_eq!(unpack(&packed_table(p, &hashes), m), regs);
            let (r, est) = packed_table_hip(p, &hashes);
            assert_eq!(
                (unpack(&r, m), Some(est)),
                (regs.clone(), reference.hip_estimate())
            );
            assert_eq!(
                packed_branch_free_hip_log(p, &hashes),
                packed_table_hip(p, &hashes)
            );
            assert_eq!(bytes_table(p, &hashes), regs);
            assert_eq!(bytes_branch_free(p, &hashes), regs);
            assert_eq!(packed_limit_hip(p, &hashes), packed_table_hip(p, &hashes));
            assert_eq!(packed_limit_log(p, &hashes), packed_table_hip(p, &hashes));
            assert_eq!(unpack(&packed_branch_free(p, &hashes), m), regs);
            assert_eq!(
                packed_table_hip_unchecked(p, &hashes),
                packed_table_hip(p, &hashes)
            );
            assert_eq!(bytes_table_hip(p, &hashes).1, est);
        }
        let runs: [Variant<'_>; 12] = [
            ("packed/bsr", &|hs| drop(black_box(packed_bsr(p, hs)))),
            ("packed/table", &|hs| drop(black_box(packed_table(p, hs)))),
            ("packed/table+HIP", &|hs| {
                drop(black_box(packed_table_hip(p, hs)));
            }),
            ("packed/branch-free+HIP log", &|hs| {
                drop(black_box(packed_branch_free_hip_log(p, hs)));
            }),
            ("packed/branch-free", &|hs| {
                drop(black_box(packed_branch_free(p, hs)));
            }),
            ("packed/table+HIP unchecked", &|hs| {
                drop(black_box(packed_table_hip_unchecked(p, hs)));
            }),
            ("packed/limit+HIP", &|hs| {
                drop(black_box(packed_limit_hip(p, hs)));
            }),
            ("packed/limit branch-free+HIP log", &|hs| {
                drop(black_box(packed_limit_log(p, hs)));
            }),
            ("bytes/table", &|hs| drop(black_box(bytes_table(p, hs)))),
            ("bytes/branch-free", &|hs| {
                drop(black_box(bytes_branch_free(p, hs)));
            }),
            ("bytes/table+HIP", &|hs| {
                drop(black_box(bytes_table_hip(p, hs)));
            }),
            ("HyperLogLog::insert_hash", &|hs| {
                let mut s = HyperLogLog::new(p).unwrap();
                for &h in hs {
                    s.insert_hash(h);
                }
                drop(black_box(s));
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
