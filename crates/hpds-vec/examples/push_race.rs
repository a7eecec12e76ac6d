//! Push throughput of `Vec`, `GrowVec<_, Doubling>` and `GrowVec<_, CPythonList>`, measured in
//! alternating rounds so that load changes on a shared machine hit all three alike.
//!
//! `cargo run --release -p hpds-vec --example push_race [ROUNDS]` (default 15 rounds).
//!
//! A second copy of the `Vec` contestant (an A/A test) shows how far two identical
//! implementations differ on this machine: differences within that spread are noise.
//!
//! For each n, one round builds a vector of n `u64`s by `push` (from empty, then dropped) enough
//! times to push about 4 million elements, for each implementation in turn; the table gives the
//! median and the fastest round in ns per push, and the ratio to `Vec` of each.

use std::hint::black_box;
use std::time::Instant;

use hpds_vec::{CPythonList, Doubling, GrowVec, Growth};

const SIZES: [usize; 5] = [16, 1_000, 100_000, 1_000_000, 10_000_000];

/// Builds a vector of `n` elements by pushing, returns its length.
type PushN = fn(usize) -> usize;

fn push_vec(n: usize) -> usize {
    let mut v = Vec::new();
    for i in 0..n as u64 {
        v.push(black_box(i));
    }
    black_box(&v);
    v.len()
}

/// The same code as `push_vec`, timed as a separate contestant: the spread between the two is
/// the noise floor of the comparison (an A/A test).
#[inline(never)]
fn push_vec_again(n: usize) -> usize {
    let mut v = Vec::new();
    for i in 0..n as u64 {
        v.push(black_box(i));
    }
    black_box(&v);
    v.len()
}

/// `GrowVec` with policy `G`; `push_growvec::<Doubling>` and `push_growvec::<CPythonList>` are
/// separate monomorphized functions, like the hand-written `Vec` ones.
fn push_growvec<G: Growth + Default>(n: usize) -> usize {
    let mut v: GrowVec<u64, G> = GrowVec::new();
    for i in 0..n as u64 {
        v.push(black_box(i));
    }
    black_box(&v);
    v.len()
}

/// ns per push over `reps` builds of `n` elements.
fn time(f: PushN, n: usize, reps: usize) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        black_box(f(black_box(n)));
    }
    t.elapsed().as_nanos() as f64 / (n * reps) as f64
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let impls: [(&str, PushN); 4] = [
        ("Vec", push_vec),
        ("Vec (A/A: same code again)", push_vec_again),
        ("GrowVec<Doubling>", push_growvec::<Doubling>),
        ("GrowVec<CPythonList>", push_growvec::<CPythonList>),
    ];
    println!("| n | implementation | median ns/push | vs Vec | fastest ns/push | vs Vec |");
    println!("|---|---|---|---|---|---|");
    for n in SIZES {
        let reps = (4_000_000 / n).max(1);
        let mut samples = vec![Vec::with_capacity(rounds); impls.len()];
        for _ in 0..rounds {
            for (i, (_, f)) in impls.iter().enumerate() {
                samples[i].push(time(*f, n, reps));
            }
        }
        let stat = |xs: &mut Vec<f64>| {
            xs.sort_by(f64::total_cmp);
            (xs[xs.len() / 2], xs[0])
        };
        let stats: Vec<(f64, f64)> = samples.iter_mut().map(stat).collect();
        for ((name, _), (med, min)) in impls.iter().zip(&stats) {
            println!(
                "| {n} | {name} | {med:.2} | {:.2}x | {min:.2} | {:.2}x |",
                med / stats[0].0,
                min / stats[0].1
            );
        }
    }
}
