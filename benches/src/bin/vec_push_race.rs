//! Push throughput of `Vec`, `GrowVec<_, Doubling>` and `GrowVec<_, CPythonList>`, measured in
//! alternating rounds so that load changes on a shared machine hit all three alike.
//!
//! `cargo run --release -p hpds-benches --bin vec_push_race -- [ROUNDS] [keep]` (default 15 rounds;
//! `PUSH_RACE_N=1000` runs one size).
//!
//! A second copy of the `Vec` contestant (an A/A test) shows how far two identical
//! implementations differ on this machine: differences within that spread are noise.
//!
//! For each n, one round builds a vector of n `u64`s by `push` (from empty, then dropped) enough
//! times to push about 4 million elements, for each implementation in turn; the table gives the
//! median and the fastest round in ns per push, and the ratio to `Vec` of each.
//!
//! With `keep`, every vector built in a round stays alive until the round's clock has stopped,
//! as criterion's `iter_with_large_drop` keeps its outputs: the allocator then serves each new
//! vector from fresh heap instead of the chunk the previous one freed. The last column counts the
//! page faults taken while timing (Linux): where glibc hands freed heap back to the kernel
//! between rounds, the next round faults it in again.

use std::hint::black_box;
use std::time::Instant;

use hpds_benches::push::{minor_faults, push_growvec, push_vec};
use hpds_vec::{CPythonList, Doubling};

const SIZES: [usize; 5] = [16, 1_000, 100_000, 1_000_000, 10_000_000];

/// Builds a vector of `n` elements by pushing and hands it to `out` (which drops it at once, or
/// keeps it), returns its length.
type PushN = fn(usize, &mut Out) -> usize;

/// Where built vectors go: dropped at once, or kept until the round ends.
struct Out {
    keep: bool,
    kept: Vec<Vec<u64>>,
}

impl Out {
    /// Takes a built vector: keeps it (as a `Vec`, moved without copying) or drops it, and
    /// returns its length.
    #[inline]
    fn take<V: AsRef<[u64]> + Into<Vec<u64>>>(&mut self, v: V) -> usize {
        let v = black_box(v);
        let len = v.as_ref().len();
        if self.keep {
            self.kept.push(v.into());
        }
        len
    }
}

/// ns per push over `reps` builds of `n` elements, and the page faults taken while timing;
/// kept vectors are dropped after the clock stops.
fn time(f: PushN, n: usize, reps: usize, keep: bool) -> (f64, u64) {
    let mut out = Out {
        keep,
        kept: Vec::with_capacity(if keep { reps } else { 0 }),
    };
    let faults = minor_faults();
    let t = Instant::now();
    for _ in 0..reps {
        black_box(f(black_box(n), &mut out));
    }
    let ns = t.elapsed().as_nanos() as f64 / (n * reps) as f64;
    let faults = minor_faults() - faults;
    drop(out);
    (ns, faults)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let keep = std::env::args().nth(2).is_some_and(|a| a == "keep");
    // `PUSH_RACE_N=1000` runs one size only (e.g. for a callgrind count of that size).
    let only_n: Option<usize> = std::env::var("PUSH_RACE_N")
        .ok()
        .and_then(|v| v.parse().ok());
    let impls: [(&str, PushN); 4] = [
        ("Vec", |n, out| out.take(push_vec::<0>(n))),
        ("Vec (A/A: same code again)", |n, out| {
            out.take(push_vec::<1>(n))
        }),
        ("GrowVec<Doubling>", |n, out| {
            out.take(push_growvec(Doubling, n))
        }),
        ("GrowVec<CPythonList>", |n, out| {
            out.take(push_growvec(CPythonList, n))
        }),
    ];
    println!(
        "| n | implementation | median ns/push | vs Vec | fastest ns/push | vs Vec | page faults per 1M pushes |"
    );
    println!("|---|---|---|---|---|---|---|");
    for n in SIZES.into_iter().filter(|&n| only_n.is_none_or(|o| o == n)) {
        let reps = (4_000_000 / n).max(1);
        let mut samples = vec![Vec::with_capacity(rounds); impls.len()];
        let mut faults = vec![0u64; impls.len()];
        for _ in 0..rounds {
            for (i, (_, f)) in impls.iter().enumerate() {
                let (ns, fl) = time(*f, n, reps, keep);
                samples[i].push(ns);
                faults[i] += fl;
            }
        }
        let pushes = (n * reps * rounds) as f64;
        let stat = |xs: &mut Vec<f64>| {
            xs.sort_by(f64::total_cmp);
            (xs[xs.len() / 2], xs[0])
        };
        let stats: Vec<(f64, f64)> = samples.iter_mut().map(stat).collect();
        for (((name, _), (med, min)), fl) in impls.iter().zip(&stats).zip(&faults) {
            println!(
                "| {n} | {name} | {med:.2} | {:.2}x | {min:.2} | {:.2}x | {:.0} |",
                med / stats[0].0,
                min / stats[0].1,
                *fl as f64 * 1e6 / pushes
            );
        }
    }
}
