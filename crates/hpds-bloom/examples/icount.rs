//! Instructions per operation of the classic filter against fastbloom (same hasher), for
//! valgrind: each operation type runs in its own non-inlined function, so callgrind's inclusive
//! count of that function divided by the operations it performs is the cost of one operation.
//! No timing: the counts do not depend on the machine's load.
//!
//! ```text
//! cargo build --release -p hpds-bloom --example icount
//! valgrind --tool=callgrind --callgrind-out-file=cg.out target/release/examples/icount
//! callgrind_annotate --inclusive=yes cg.out | grep icount::
//! ```
//!
//! Sizes as in `examples/mlp.rs` with `MLP_FIXED=1` at 200k items (p = 1%): one fill of an
//! empty filter (200k inserts, repeated `ICOUNT_FILLS` times, default 2), and 200k member and
//! 200k non-member queries repeated 10 times. The function names say what they count
//! (`ours_insert`, `ours_member`, ..., `fast_insert`, ...; `ours_insert_many` and
//! `ours_count_*` are the batched calls, which fastbloom does not have); the program prints the
//! operations each performs.

use std::hint::black_box;

use hpds_bloom::BloomFilter;
use hpds_core::hash::StableBuildHasher;
use hpds_testkit::streams::distinct_u64s;

const P: f64 = 0.01;
const QUERIES: usize = 200_000;
const REPEAT: usize = 10;

type Fast = fastbloom::BloomFilter<StableBuildHasher>;

fn fast_new(n: usize) -> Fast {
    fastbloom::BloomFilter::with_false_pos(P)
        .hasher(StableBuildHasher::default())
        .expected_items(n)
}

#[inline(never)]
fn ours_insert(f: &mut BloomFilter, keys: &[u64]) {
    for k in keys {
        f.insert(k);
    }
}

#[inline(never)]
fn ours_member(f: &BloomFilter, keys: &[u64]) -> usize {
    (0..REPEAT)
        .map(|_| keys.iter().filter(|k| f.contains(*k)).count())
        .sum()
}

#[inline(never)]
fn ours_nonmember(f: &BloomFilter, keys: &[u64]) -> usize {
    (0..black_box(REPEAT))
        .map(|_| keys.iter().filter(|k| f.contains(*k)).count())
        .sum()
}

#[inline(never)]
fn ours_insert_many(f: &mut BloomFilter, keys: &[u64]) {
    f.insert_many(keys);
}

#[inline(never)]
fn ours_count_member(f: &BloomFilter, keys: &[u64]) -> usize {
    (0..REPEAT).map(|_| f.count_contained(keys)).sum()
}

#[inline(never)]
fn ours_count_nonmember(f: &BloomFilter, keys: &[u64]) -> usize {
    (0..black_box(REPEAT))
        .map(|_| f.count_contained(keys))
        .sum()
}

#[inline(never)]
fn fast_insert(f: &mut Fast, keys: &[u64]) {
    for k in keys {
        f.insert(k);
    }
}

#[inline(never)]
fn fast_member(f: &Fast, keys: &[u64]) -> usize {
    (0..REPEAT)
        .map(|_| keys.iter().filter(|k| f.contains(*k)).count())
        .sum()
}

#[inline(never)]
fn fast_nonmember(f: &Fast, keys: &[u64]) -> usize {
    (0..black_box(REPEAT))
        .map(|_| keys.iter().filter(|k| f.contains(*k)).count())
        .sum()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(QUERIES, |s| s.parse().expect("item count"));
    let fills: usize = std::env::var("ICOUNT_FILLS").map_or(2, |s| s.parse().expect("fills"));
    let keys: Vec<u64> = distinct_u64s(1).take(n).collect();
    let members: Vec<u64> = keys.iter().step_by((n / QUERIES).max(1)).copied().collect();
    let absent: Vec<u64> = distinct_u64s(2).take(QUERIES).collect();

    let mut ours = BloomFilter::new(n as u64, P).expect("shape");
    let mut fast = fast_new(n);
    println!(
        "n = {n}: ours m = {} k = {}, fastbloom m = {} k = {}",
        ours.bits(),
        ours.hashes(),
        fast.num_bits(),
        fast.num_hashes()
    );
    for _ in 0..fills {
        ours.clear();
        ours_insert(black_box(&mut ours), &keys);
        ours.clear();
        ours_insert_many(black_box(&mut ours), &keys);
        fast.clear();
        fast_insert(black_box(&mut fast), &keys);
    }
    let (om, on) = (
        ours_member(black_box(&ours), &members),
        ours_nonmember(black_box(&ours), &absent),
    );
    let (bm, bn) = (
        ours_count_member(black_box(&ours), &members),
        ours_count_nonmember(black_box(&ours), &absent),
    );
    let (fm, fnm) = (
        fast_member(black_box(&fast), &members),
        fast_nonmember(black_box(&fast), &absent),
    );
    println!(
        "operations: *_insert {}, *_member {}, *_nonmember {}",
        fills * n,
        REPEAT * members.len(),
        REPEAT * absent.len()
    );
    println!("found: ours {om} / {on}, batched {bm} / {bn}, fastbloom {fm} / {fnm}");
}
