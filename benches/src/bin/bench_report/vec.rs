//! Growable vectors: `GrowVec` with the doubling and CPython policies against `Vec`.

use std::hint::black_box;

use hpds_vec::{CPythonList, Doubling, Factor, GrowVec};

use crate::page::{Page, count};

/// Pushes per pass: small vectors are built and dropped many times over.
const PASS: usize = 1 << 20;

#[inline(never)]
fn push_vec(n: usize, times: usize) {
    for _ in 0..times {
        let mut v = Vec::new();
        for i in 0..n as u64 {
            v.push(black_box(i));
        }
        black_box(&v);
    }
}

#[inline(never)]
fn push_grow<G: hpds_vec::Growth + Clone>(n: usize, times: usize, policy: &G) {
    for _ in 0..times {
        let mut v = GrowVec::with_capacity_and_policy(0, policy.clone());
        for i in 0..n as u64 {
            v.push(black_box(i));
        }
        black_box(&v);
    }
}

pub fn run(page: &mut Page, full: bool) {
    page.section(
        "vec",
        "Pushing `n` `u64`s one at a time into an empty vector, which is then dropped (many \
         vectors per pass for small `n`). `Vec (A/A)` is `Vec` raced against itself. Guide: \
         [vec.md](vec.md).",
    );
    page.table("Push from empty");
    let mut sizes = vec![16, 1_000, 100_000, 1_000_000];
    if full {
        sizes.push(10_000_000);
    }
    let factor = Factor::new(1.5).expect("a valid factor");
    for n in sizes {
        let times = (PASS / n).max(1);
        let ops = (n * times) as u64;
        let mut race = crate::race(crate::ROUNDS);
        race.add("Vec", ops, move || push_vec(n, times));
        race.add("Vec (A/A)", ops, move || push_vec(n, times));
        race.add("GrowVec<Doubling>", ops, move || {
            push_grow(n, times, &Doubling);
        });
        race.add("GrowVec<Factor 1.5>", ops, move || {
            push_grow(n, times, &factor);
        });
        race.add("GrowVec<CPythonList>", ops, move || {
            push_grow(n, times, &CPythonList);
        });
        let out = race.run();
        let n = count(n);
        for ours in [
            "GrowVec<Doubling>",
            "GrowVec<Factor 1.5>",
            "GrowVec<CPythonList>",
            "Vec (A/A)",
        ] {
            page.row("push", &n, &out, ours, "Vec");
        }
    }
    page.end_table(
        "Each vector is dropped before the next is built. Growth goes through `realloc`, whose \
         chance of extending a block in place depends on the state of the heap, which differs \
         from run to run: between runs these ratios move by up to about ±15 %, more than the \
         spread within one run shows (the A/A row is not affected, since `Vec` meets the same \
         heap as itself). A program that keeps many freshly built `CPythonList` vectors alive \
         pays more per push (see [vec.md](vec.md)).",
    );
}
