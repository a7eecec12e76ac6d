//! Instructions per operation of the hpds filters against sbbf-rs-safe and fastbloom, for
//! valgrind: each (implementation, operation) runs in its own non-inlined function, so
//! callgrind's inclusive count of that function divided by the operations it performs is the
//! cost of one operation. No timing: the counts do not depend on the machine's load.
//!
//! ```text
//! cargo bench -p hpds-benches --bench bloom_icount --no-run    # prints the executable's path
//! valgrind --tool=callgrind --callgrind-out-file=cg.out target/release/deps/bloom_icount-HASH --bench
//! callgrind_annotate --inclusive=yes cg.out | grep bloom_icount::
//! ```
//!
//! 200k items at p = 1%: one fill of an empty filter (200k inserts), then 200k member and 200k
//! non-member queries, repeated 10 times. The function names say what they count
//! (`blocked_insert`, `sbbf_member`, `fast_absent`, ...); the program prints the operations
//! each performs. Without `--bench` (as `cargo test --benches` runs it) it does one small pass.
#![allow(missing_docs)]

use std::hint::black_box;

use hpds_bloom::{BlockedBloomFilter, BloomFilter, ScalableBloomFilter};
use hpds_core::hash::hash_u64;
use hpds_testkit::streams::distinct_u64s;

const P: f64 = 0.01;
const SEED: u64 = 0x5eed;

type Fast = fastbloom::BloomFilter<foldhash::fast::FixedState>;

/// The per-key insert and query of each implementation, each in its own function. Without
/// closures, the filter takes each key as an item (`insert(&k)`, `contains(&k)`).
macro_rules! ops {
    ($insert:ident, $member:ident, $absent:ident, $ty:ty) => {
        ops!(
            $insert,
            $member,
            $absent,
            $ty,
            |f, k| f.insert(&k),
            |f, k| f.contains(&k)
        );
    };
    ($insert:ident, $member:ident, $absent:ident, $ty:ty, |$f:ident, $k:ident| $ins:expr, |$g:ident, $q:ident| $has:expr) => {
        #[inline(never)]
        fn $insert($f: &mut $ty, keys: &[u64]) {
            for &$k in keys {
                black_box($ins);
            }
        }
        #[inline(never)]
        fn $member($g: &$ty, keys: &[u64], repeat: usize) -> usize {
            (0..repeat)
                .map(|_| keys.iter().filter(|&&$q| $has).count())
                .sum()
        }
        /// Counts the keys reported absent (unlike `$member`, so the two are not merged).
        #[inline(never)]
        fn $absent($g: &$ty, keys: &[u64], repeat: usize) -> usize {
            (0..repeat)
                .map(|_| keys.iter().filter(|&&$q| !$has).count())
                .sum()
        }
    };
}

ops!(
    sbbf_insert,
    sbbf_member,
    sbbf_absent,
    sbbf_rs_safe::Filter,
    |f, k| f.insert_hash(hash_u64(k, SEED)),
    |f, k| f.contains_hash(hash_u64(k, SEED))
);
ops!(
    blocked_insert,
    blocked_member,
    blocked_absent,
    BlockedBloomFilter
);
ops!(
    blocked_hash_insert,
    blocked_hash_member,
    blocked_hash_absent,
    BlockedBloomFilter,
    |f, k| f.insert_hash(hash_u64(k, SEED)),
    |f, k| f.contains_hash(hash_u64(k, SEED))
);
ops!(fast_insert, fast_member, fast_absent, Fast);
ops!(classic_insert, classic_member, classic_absent, BloomFilter);
ops!(
    classic_key_insert,
    classic_key_member,
    classic_key_absent,
    BloomFilter,
    |f, k| f.insert_hash(k),
    |f, k| f.contains_hash(k)
);
ops!(
    classic_u64_insert,
    classic_u64_member,
    classic_u64_absent,
    BloomFilter,
    |f, k| f.insert_u64(k),
    |f, k| f.contains_u64(k)
);
ops!(
    scalable_insert,
    scalable_member,
    scalable_absent,
    ScalableBloomFilter
);

#[inline(never)]
fn blocked_many_insert(f: &mut BlockedBloomFilter, keys: &[u64]) -> usize {
    f.insert_many(keys)
}

#[inline(never)]
fn blocked_many_count(f: &BlockedBloomFilter, keys: &[u64], repeat: usize) -> usize {
    (0..repeat).map(|_| f.count_contained(keys)).sum()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (n, repeat) = if full { (200_000, 10) } else { (2_000, 1) };
    let keys: Vec<u64> = distinct_u64s(1).take(n).collect();
    let absent: Vec<u64> = distinct_u64s(2).take(n).collect();

    let mut s = sbbf_rs_safe::Filter::new(10, n);
    sbbf_insert(&mut s, &keys);
    println!(
        "sbbf: {n} inserts, {} members, {} absent",
        sbbf_member(&s, &keys, repeat),
        sbbf_absent(&s, &absent, repeat)
    );

    let mut b = BlockedBloomFilter::new(n as u64, P).unwrap();
    blocked_insert(&mut b, &keys);
    println!(
        "blocked: {n} inserts, {} members, {} absent",
        blocked_member(&b, &keys, repeat),
        blocked_absent(&b, &absent, repeat)
    );

    let mut bh = BlockedBloomFilter::new(n as u64, P).unwrap();
    blocked_hash_insert(&mut bh, &keys);
    println!(
        "blocked_hash: {n} inserts, {} members, {} absent",
        blocked_hash_member(&bh, &keys, repeat),
        blocked_hash_absent(&bh, &absent, repeat)
    );

    let mut bm = BlockedBloomFilter::new(n as u64, P).unwrap();
    let new = blocked_many_insert(&mut bm, &keys);
    println!(
        "blocked_many: {n} inserts ({new} new), {} counted over {} queries",
        blocked_many_count(&bm, &keys, repeat),
        n * repeat
    );

    let mut f: Fast = fastbloom::BloomFilter::with_false_pos(P)
        .hasher(foldhash::fast::FixedState::with_seed(SEED))
        .expected_items(n);
    fast_insert(&mut f, &keys);
    println!(
        "fast: {n} inserts, {} members, {} absent",
        fast_member(&f, &keys, repeat),
        fast_absent(&f, &absent, repeat)
    );

    let mut c = BloomFilter::new(n as u64, P).unwrap();
    classic_insert(&mut c, &keys);
    println!(
        "classic: {n} inserts, {} members, {} absent",
        classic_member(&c, &keys, repeat),
        classic_absent(&c, &absent, repeat)
    );

    let mut ck = BloomFilter::new(n as u64, P).unwrap();
    classic_key_insert(&mut ck, &keys);
    println!(
        "classic_key: {n} inserts, {} members, {} absent",
        classic_key_member(&ck, &keys, repeat),
        classic_key_absent(&ck, &absent, repeat)
    );

    let mut cu = BloomFilter::new(n as u64, P).unwrap();
    classic_u64_insert(&mut cu, &keys);
    println!(
        "classic_u64: {n} inserts, {} members, {} absent",
        classic_u64_member(&cu, &keys, repeat),
        classic_u64_absent(&cu, &absent, repeat)
    );

    let mut sc = ScalableBloomFilter::new(1000, P).unwrap();
    scalable_insert(&mut sc, &keys);
    println!(
        "scalable: {n} inserts ({} stages), {} members, {} absent",
        sc.stages(),
        scalable_member(&sc, &keys, repeat),
        scalable_absent(&sc, &absent, repeat)
    );
}
