//! Bloom filters at p = 1 %: the classic and blocked filters (one item at a time and
//! batched) against fastbloom and sbbf-rs-safe, the scalable filter against a pre-sized classic
//! one, and the binary fuse filter against xorf's.

use std::hint::black_box;

use hpds_bloom::{
    BinaryFuse8, BlockedBloomFilter, BloomFilter, ExpandableFilter, ScalableBloomFilter,
};
use hpds_core::hash::{StableBuildHasher, hash_u64};
use hpds_testkit::race::Race;
use hpds_testkit::streams::distinct_u64s;

use crate::page::{Page, count};

const P: f64 = 0.01;
/// Queries per pass.
const QUERIES: usize = 200_000;

type FastBloom = fastbloom::BloomFilter<StableBuildHasher>;

fn fastbloom(n: usize) -> FastBloom {
    fastbloom::BloomFilter::with_false_pos(P)
        .hasher(StableBuildHasher::default())
        .expected_items(n)
}

#[derive(Clone, Copy)]
enum Op {
    Fill,
    Member,
    Absent,
}

impl Op {
    fn label(self) -> &'static str {
        match self {
            Op::Fill => "insert (fill)",
            Op::Member => "query, member",
            Op::Absent => "query, non-member",
        }
    }
}

/// Adds one filter type: `new` builds an empty filter, `add` / `has` are per item, and
/// `full` is a filled one for the queries.
#[allow(clippy::too_many_arguments)]
fn add<'a, F: 'a>(
    race: &mut Race<'a>,
    name: &str,
    op: Op,
    new: impl Fn() -> F + 'a,
    fill: impl Fn(&mut F, &[u64]) + 'a,
    count_in: impl Fn(&F, &[u64]) -> usize + 'a,
    full: &'a F,
    keys: &'a [u64],
    members: &'a [u64],
    absent: &'a [u64],
) {
    match op {
        Op::Fill => race.add_fresh(name, keys.len() as u64, new, move |f| fill(f, keys)),
        Op::Member => race.add(name, members.len() as u64, move || {
            black_box(count_in(full, members));
        }),
        Op::Absent => race.add(name, absent.len() as u64, move || {
            black_box(count_in(full, absent));
        }),
    }
}

/// A filter's per-item fill and count, each a function of its own (`#[inline(never)]`, so
/// every contestant's loop is compiled alike): `$fill(f, keys)` inserts every key,
/// `$count(f, keys)` counts the keys the filter reports present. Without closures, the
/// filter takes each key as an item (`insert(&k)`, `contains(&k)`).
macro_rules! per_item {
    ($fill:ident, $count:ident, $ty:ty) => {
        per_item!($fill, $count, $ty, |f, k| f.insert(&k), |f, k| f
            .contains(&k));
    };
    ($fill:ident, $count:ident, $ty:ty, |$f:ident, $k:ident| $insert:expr, |$g:ident, $q:ident| $query:expr) => {
        #[inline(never)]
        fn $fill($f: &mut $ty, keys: &[u64]) {
            for &$k in keys {
                $insert;
            }
        }
        #[inline(never)]
        fn $count($g: &$ty, keys: &[u64]) -> usize {
            keys.iter().filter(|&&$q| $query).count()
        }
    };
}

type Growable = growable_bloom_filter::GrowableBloom;
type Aleph = aleph_filter::AlephFilter;

per_item!(fill_classic, count_classic, BloomFilter);
per_item!(fill_blocked, count_blocked, BlockedBloomFilter);
per_item!(fill_scalable, count_scalable, ScalableBloomFilter);
per_item!(fill_expandable, count_expandable, ExpandableFilter);
per_item!(fill_fast, count_fast, FastBloom);
per_item!(
    fill_growable,
    count_growable,
    Growable,
    |f, k| f.insert(k),
    |f, k| f.contains(k)
);
// aleph-filter takes bytes: each key's 8.
per_item!(
    fill_aleph,
    count_aleph,
    Aleph,
    |f, k| f.insert(&k.to_le_bytes()),
    |f, k| f.contains(&k.to_le_bytes())
);
// sbbf-rs-safe takes a hash: the same stable hash of each key that hpds' filters compute.
per_item!(
    fill_sbbf,
    count_sbbf,
    sbbf_rs_safe::Filter,
    |f, k| f.insert_hash(hash_u64(k, 0)),
    |f, k| f.contains_hash(hash_u64(k, 0))
);

/// sbbf-rs-safe at 10 bits per item (the layout its documentation gives for about 1 %).
fn sbbf(n: usize) -> sbbf_rs_safe::Filter {
    sbbf_rs_safe::Filter::new(10, n)
}

fn classic(n: usize) -> BloomFilter {
    BloomFilter::new(n as u64, P).expect("valid parameters")
}
fn blocked(n: usize) -> BlockedBloomFilter {
    BlockedBloomFilter::new(n as u64, P).expect("valid parameters")
}
fn scalable(n: usize) -> ScalableBloomFilter {
    ScalableBloomFilter::new(start(n), P).expect("valid parameters")
}
fn expandable(n: usize) -> ExpandableFilter {
    ExpandableFilter::new(start(n), P).expect("valid parameters")
}
fn growable(n: usize) -> Growable {
    growable_bloom_filter::GrowableBloom::new(P, start(n) as usize)
}
fn aleph(n: usize) -> Aleph {
    aleph_filter::AlephFilter::new(start(n) as usize, P)
}
/// The growable filters start at a thousandth of the items they will hold.
fn start(n: usize) -> u64 {
    (n as u64 / 1000).max(1)
}

fn filled<F>(mut f: F, fill: impl Fn(&mut F, &[u64]), keys: &[u64]) -> F {
    fill(&mut f, keys);
    f
}

/// Keys, a separate vector of member queries, and non-member queries.
fn data(n: usize) -> (Vec<u64>, Vec<u64>, Vec<u64>) {
    let keys: Vec<u64> = distinct_u64s(5).take(n).collect();
    let step = (n / QUERIES).max(1);
    let members: Vec<u64> = keys.iter().step_by(step).take(QUERIES).copied().collect();
    let absent: Vec<u64> = distinct_u64s(5).skip(n).take(QUERIES).collect();
    (keys, members, absent)
}

fn against_fastbloom(page: &mut Page, n: usize) {
    let (keys, members, absent) = data(n);
    let (keys, members, absent) = (&keys[..], &members[..], &absent[..]);
    let c = filled(classic(n), fill_classic, keys);
    let b = filled(blocked(n), fill_blocked, keys);
    let f = filled(fastbloom(n), fill_fast, keys);
    let sb = filled(sbbf(n), fill_sbbf, keys);
    let label = count(n);
    for op in [Op::Fill, Op::Member, Op::Absent] {
        let mut race = crate::race(if n >= 100_000_000 { 5 } else { crate::ROUNDS });
        add(
            &mut race,
            "BloomFilter",
            op,
            move || classic(n),
            fill_classic,
            count_classic,
            &c,
            keys,
            members,
            absent,
        );
        add(
            &mut race,
            "BlockedBloomFilter",
            op,
            move || blocked(n),
            fill_blocked,
            count_blocked,
            &b,
            keys,
            members,
            absent,
        );
        add(
            &mut race,
            "BloomFilter, batched",
            op,
            move || classic(n),
            |f, k| {
                black_box(f.insert_many(k));
            },
            BloomFilter::count_contained,
            &c,
            keys,
            members,
            absent,
        );
        add(
            &mut race,
            "BlockedBloomFilter, batched",
            op,
            move || blocked(n),
            |f, k| {
                black_box(f.insert_many(k));
            },
            BlockedBloomFilter::count_contained,
            &b,
            keys,
            members,
            absent,
        );
        add(
            &mut race,
            "fastbloom",
            op,
            move || fastbloom(n),
            fill_fast,
            count_fast,
            &f,
            keys,
            members,
            absent,
        );
        add(
            &mut race,
            "sbbf-rs-safe",
            op,
            move || sbbf(n),
            fill_sbbf,
            count_sbbf,
            &sb,
            keys,
            members,
            absent,
        );
        let out = race.run();
        for ours in [
            "BloomFilter",
            "BlockedBloomFilter",
            "BloomFilter, batched",
            "BlockedBloomFilter, batched",
        ] {
            page.row(op.label(), &label, &out, ours, "fastbloom");
        }
        for ours in ["BlockedBloomFilter", "BlockedBloomFilter, batched"] {
            page.row(op.label(), &label, &out, ours, "sbbf-rs-safe");
        }
    }
}

/// `BinaryFuse8` against xorf's `BinaryFuse8`, both built from the same distinct `u64` keys
/// (hpds by `from_hashes`, queried by `contains_hash`; xorf mixes the keys itself).
fn against_xorf(page: &mut Page, n: usize) {
    use xorf::Filter as _;
    let (keys, members, absent) = data(n);
    let (keys, members, absent) = (&keys[..], &members[..], &absent[..]);
    let ours = BinaryFuse8::from_hashes(keys).expect("distinct keys build");
    let theirs = xorf::BinaryFuse8::try_from(keys).expect("distinct keys build");
    let (o, t) = (&ours, &theirs);
    let label = count(n);
    let mut race = crate::race(crate::ROUNDS);
    race.add("BinaryFuse8 build", n as u64, move || {
        black_box(BinaryFuse8::from_hashes(black_box(keys)).expect("builds"));
    });
    race.add("xorf build", n as u64, move || {
        black_box(xorf::BinaryFuse8::try_from(black_box(keys)).expect("builds"));
    });
    for (name, queries) in [("member", members), ("non-member", absent)] {
        race.add(
            format!("BinaryFuse8 {name}"),
            queries.len() as u64,
            move || {
                black_box(queries.iter().filter(|&&k| o.contains_hash(k)).count());
            },
        );
        race.add(format!("xorf {name}"), queries.len() as u64, move || {
            black_box(queries.iter().filter(|k| t.contains(k)).count());
        });
    }
    let out = race.run();
    page.row("build", &label, &out, "BinaryFuse8 build", "xorf build");
    for (op, name) in [
        ("query, member", "member"),
        ("query, non-member", "non-member"),
    ] {
        page.row(
            op,
            &label,
            &out,
            &format!("BinaryFuse8 {name}"),
            &format!("xorf {name}"),
        );
    }
}

pub fn run(page: &mut Page, full: bool) {
    page.section(
        "bloom",
        "Filters sized for `n` distinct `u64` keys at p = 1 %, all hashing with hpds' stable \
         xxh3 (fastbloom through `StableBuildHasher`). Inserts fill an empty filter with all \
         `n` keys; queries ask 200k members (from a vector of their own) or 200k non-members \
         of a full filter. *Batched* rows use `insert_many` and `count_contained`, which \
         prefetch several items ahead. sbbf-rs-safe (the split-block layout of Parquet) takes \
         10 bits per item and is fed the same stable hash of each key. Guide: \
         [bloom.md](bloom.md).",
    );
    page.table("Classic and blocked filters against fastbloom");
    let mut sizes = vec![1_000_000, 10_000_000];
    if full {
        sizes.push(100_000_000);
    }
    for n in sizes {
        against_fastbloom(page, n);
    }
    page.end_table("");

    page.table("Binary fuse filter against xorf");
    let mut sizes = vec![1_000_000, 10_000_000];
    if full {
        sizes.push(100_000_000);
    }
    for &n in &sizes {
        against_xorf(page, n);
    }
    page.end_table(
        "A binary fuse filter is built once from a set known in advance (8-bit \
         fingerprints: about 9 bits per item at a 0.39 % rate) and cannot take inserts.",
    );

    page.table("Growable filters against a pre-sized classic filter");
    let n = 1_000_000;
    let (keys, members, absent) = data(n);
    let (keys, members, absent) = (&keys[..], &members[..], &absent[..]);
    let c = filled(classic(n), fill_classic, keys);
    let s = filled(scalable(n), fill_scalable, keys);
    let e = filled(expandable(n), fill_expandable, keys);
    let g = filled(growable(n), fill_growable, keys);
    let a = filled(aleph(n), fill_aleph, keys);
    for op in [Op::Fill, Op::Member, Op::Absent] {
        let mut race = crate::race(crate::ROUNDS);
        add(
            &mut race,
            "BloomFilter",
            op,
            move || classic(n),
            fill_classic,
            count_classic,
            &c,
            keys,
            members,
            absent,
        );
        add(
            &mut race,
            "ScalableBloomFilter",
            op,
            move || scalable(n),
            fill_scalable,
            count_scalable,
            &s,
            keys,
            members,
            absent,
        );
        add(
            &mut race,
            "ExpandableFilter",
            op,
            move || expandable(n),
            fill_expandable,
            count_expandable,
            &e,
            keys,
            members,
            absent,
        );
        add(
            &mut race,
            "growable-bloom-filter",
            op,
            move || growable(n),
            fill_growable,
            count_growable,
            &g,
            keys,
            members,
            absent,
        );
        add(
            &mut race,
            "aleph-filter",
            op,
            move || aleph(n),
            fill_aleph,
            count_aleph,
            &a,
            keys,
            members,
            absent,
        );
        let out = race.run();
        for ours in ["ScalableBloomFilter", "ExpandableFilter"] {
            for peer in ["BloomFilter", "growable-bloom-filter", "aleph-filter"] {
                page.row(op.label(), "1M", &out, ours, peer);
            }
        }
    }
    page.end_table(
        "The growable filters start at n/1000 items and grow 1000x. The scalable filter adds \
         a sub-filter per growth step (a new item or a non-member is tested against each); \
         the expandable filter doubles one fingerprint table in place. growable-bloom-filter \
         (stages, like the scalable filter) and aleph-filter (an expandable fingerprint \
         filter) hash with their own hashes; aleph-filter is fed each key's 8 bytes.",
    );
}
