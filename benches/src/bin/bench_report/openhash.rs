//! Hash tables: `OpenMap` against hashbrown's `HashMap`, `CompactDict` against `indexmap`,
//! every table with the same `ahash` hasher and seeds.

use std::hash::Hash;
use std::hint::black_box;

use hpds_openhash::{CompactDict, OpenMap};
use hpds_testkit::race::Race;
use hpds_testkit::streams::distinct_u64s;

use crate::page::{Page, count};

type Rs = ahash::RandomState;

fn hasher() -> Rs {
    Rs::with_seeds(1, 2, 3, 4)
}

/// What every table offers the races.
trait Map<K>: Clone {
    fn reserved(n: usize) -> Self;
    fn put(&mut self, k: K, v: u64);
    fn find(&self, k: &K) -> Option<&u64>;
    fn take(&mut self, k: &K) -> Option<u64>;
}

macro_rules! map {
    ($ty:ident, $remove:ident) => {
        impl<K: Hash + Eq + Clone> Map<K> for $ty<K, u64, Rs> {
            fn reserved(n: usize) -> Self {
                $ty::with_capacity_and_hasher(n, hasher())
            }
            #[inline]
            fn put(&mut self, k: K, v: u64) {
                self.insert(k, v);
            }
            #[inline]
            fn find(&self, k: &K) -> Option<&u64> {
                self.get(k)
            }
            #[inline]
            fn take(&mut self, k: &K) -> Option<u64> {
                self.$remove(k)
            }
        }
    };
}

use hashbrown::HashMap as Hashbrown;
use indexmap::IndexMap;
map!(OpenMap, remove);
map!(Hashbrown, remove);
map!(CompactDict, swap_remove);
map!(IndexMap, swap_remove);

// Each timed loop is its own non-inlined function, so every table's loop is compiled alike.

#[inline(never)]
fn hits<K, M: Map<K>>(m: &M, keys: &[K]) -> u64 {
    keys.iter()
        .fold(0u64, |a, k| a.wrapping_add(*m.find(k).unwrap_or(&0)))
}

#[inline(never)]
fn misses<K, M: Map<K>>(m: &M, keys: &[K]) -> usize {
    keys.iter().filter(|k| m.find(k).is_some()).count()
}

#[inline(never)]
fn fill<K: Clone, M: Map<K>>(m: &mut M, keys: &[K]) {
    for (i, k) in keys.iter().enumerate() {
        m.put(k.clone(), i as u64);
    }
}

#[inline(never)]
fn removes<K, M: Map<K>>(m: &mut M, keys: &[K]) -> u64 {
    keys.iter()
        .fold(0u64, |a, k| a.wrapping_add(m.take(k).unwrap_or(0)))
}

#[inline(never)]
fn churn<K: Clone, M: Map<K>>(m: &mut M, out: &[K], add: &[K]) {
    for (o, a) in out.iter().zip(add) {
        m.take(o);
        m.put(a.clone(), 1);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Hit,
    Miss,
    Insert,
    Reserved,
    Remove,
    Churn,
}

impl Op {
    const ALL: [Op; 6] = [
        Op::Hit,
        Op::Miss,
        Op::Insert,
        Op::Reserved,
        Op::Remove,
        Op::Churn,
    ];

    fn label(self) -> &'static str {
        match self {
            Op::Hit => "lookup, hit",
            Op::Miss => "lookup, miss",
            Op::Insert => "insert (from empty)",
            Op::Reserved => "insert after `reserve`",
            Op::Remove => "remove",
            Op::Churn => "remove + insert",
        }
    }
}

/// Adds table `M` to `race` for `op`; `full` holds `keys`, `absent` are other keys.
fn add<'a, K: Clone + 'a, M: Map<K> + 'a>(
    race: &mut Race<'a>,
    name: &str,
    op: Op,
    full: &'a M,
    keys: &'a [K],
    absent: &'a [K],
) {
    let n = keys.len();
    let ops = n as u64;
    match op {
        Op::Hit => race.add(name, ops, move || {
            black_box(hits(full, keys));
        }),
        Op::Miss => race.add(name, ops, move || {
            black_box(misses(full, absent));
        }),
        Op::Insert => race.add_fresh(name, ops, || M::reserved(0), move |m| fill(m, keys)),
        Op::Reserved => race.add_fresh(name, ops, move || M::reserved(n), move |m| fill(m, keys)),
        Op::Remove => race.add_fresh(
            name,
            ops,
            move || full.clone(),
            move |m| {
                black_box(removes(m, keys));
            },
        ),
        Op::Churn => race.add_fresh(
            name,
            (n / 2) as u64,
            move || full.clone(),
            move |m| churn(m, &keys[..n / 2], &absent[..n / 2]),
        ),
    }
}

fn built<K: Clone, M: Map<K>>(keys: &[K]) -> M {
    let mut m = M::reserved(0);
    fill(&mut m, keys);
    m
}

/// Every operation at one size: `OpenMap` and a second hashbrown table (A/A) against hashbrown.
fn size<K: Hash + Eq + Clone>(page: &mut Page, kind: &str, keys: &[K], absent: &[K]) {
    let n = count(keys.len());
    let ours: OpenMap<K, u64, Rs> = built(keys);
    let peer: Hashbrown<K, u64, Rs> = built(keys);
    let again: Hashbrown<K, u64, Rs> = built(keys);
    for op in Op::ALL {
        let mut race = crate::race(crate::ROUNDS);
        add(&mut race, "OpenMap", op, &ours, keys, absent);
        add(&mut race, "hashbrown", op, &peer, keys, absent);
        add(&mut race, "hashbrown (A/A)", op, &again, keys, absent);
        let out = race.run();
        let label = format!("{}, {kind}", op.label());
        page.row(&label, &n, &out, "OpenMap", "hashbrown");
        page.row(&label, &n, &out, "hashbrown (A/A)", "hashbrown");
    }
}

fn strings(keys: &[u64]) -> Vec<String> {
    keys.iter().map(|k| format!("k{k:016x}")).collect()
}

/// Keys `0..n` of a distinct stream, and the next `n` as absent keys.
fn keys(n: usize) -> (Vec<u64>, Vec<u64>) {
    let all: Vec<u64> = distinct_u64s(7).take(2 * n).collect();
    let absent = all[n..].to_vec();
    let mut present = all;
    present.truncate(n);
    (present, absent)
}

pub fn run(page: &mut Page, full: bool) {
    page.section(
        "openhash",
        "`OpenMap<K, u64>` against `hashbrown::HashMap<K, u64>`, both with `ahash` at fixed \
         seeds; `u64` keys and 17-byte `String` keys. Lookups look up every key once per pass \
         (misses: as many keys never inserted); inserts fill an empty table (or one reserved \
         for `n`); removes empty a full copy; remove + insert swaps half the keys for new \
         ones. The A/A rows race a second hashbrown table against the first. Guide: \
         [openhash.md](openhash.md).",
    );
    page.table("`OpenMap` against hashbrown");
    let mut sizes = vec![1_000, 100_000, 1_000_000];
    if full {
        sizes.push(10_000_000);
    }
    for n in sizes {
        let (k, a) = keys(n);
        size(page, "`u64`", &k, &a);
    }
    let mut str_sizes = vec![100_000];
    if full {
        str_sizes.push(1_000_000);
    }
    for n in str_sizes {
        let (k, a) = keys(n);
        size(page, "`String`", &strings(&k), &strings(&a));
    }
    page.end_table("");

    page.table("`CompactDict` against indexmap");
    let (k, a) = keys(100_000);
    let ours: CompactDict<u64, u64, Rs> = built(&k);
    let peer: IndexMap<u64, u64, Rs> = built(&k);
    for op in [Op::Hit, Op::Miss, Op::Insert, Op::Remove] {
        let mut race = crate::race(crate::ROUNDS);
        add(&mut race, "CompactDict", op, &ours, &k, &a);
        add(&mut race, "indexmap", op, &peer, &k, &a);
        let out = race.run();
        page.row(
            &format!("{}, `u64`", op.label()),
            "100k",
            &out,
            "CompactDict",
            "indexmap",
        );
    }
    page.end_table("Both keep entries in insertion order; remove is `swap_remove` in both (O(1)).");
}
