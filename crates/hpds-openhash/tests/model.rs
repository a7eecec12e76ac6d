//! Model-based tests: random operation sequences against `std::collections::HashMap` (for
//! `OpenMap`/`OpenSet`) and against a `Vec` of pairs (for `CompactDict`'s order).

use std::collections::{HashMap, HashSet};

use hpds_openhash::{CompactDict, OpenMap, OpenSet};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Insert(u16, u32),
    Remove(u16),
    Get(u16),
    Entry(u16, u32),
    Clear,
    Reserve(u16),
    ShrinkToFit,
    Retain(u8),
    Drain(u8),
    Clone,
}

/// Keys from a small range (collisions, updates, tombstones) or a wide one (growth).
fn key() -> impl Strategy<Value = u16> {
    prop_oneof![0u16..48, any::<u16>()]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => (key(), any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
        6 => key().prop_map(Op::Remove),
        4 => key().prop_map(Op::Get),
        3 => (key(), any::<u32>()).prop_map(|(k, v)| Op::Entry(k, v)),
        1 => Just(Op::Clear),
        1 => (0u16..300).prop_map(Op::Reserve),
        1 => Just(Op::ShrinkToFit),
        1 => any::<u8>().prop_map(Op::Retain),
        1 => any::<u8>().prop_map(Op::Drain),
        1 => Just(Op::Clone),
    ]
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 0..400)
}

/// Keys are `String`s and values `Box`es so that Miri sees every allocation and drop.
fn check_map(ops: &[Op]) {
    let mut ours: OpenMap<String, Box<u32>> = OpenMap::new();
    let mut model: HashMap<String, Box<u32>> = HashMap::new();
    for op in ops {
        match op.clone() {
            Op::Insert(k, v) => {
                assert_eq!(
                    ours.insert(k.to_string(), Box::new(v)),
                    model.insert(k.to_string(), Box::new(v))
                );
            }
            Op::Remove(k) => assert_eq!(ours.remove(&k.to_string()), model.remove(&k.to_string())),
            Op::Get(k) => {
                let k = k.to_string();
                assert_eq!(ours.get(k.as_str()), model.get(&k));
                assert_eq!(ours.contains_key(&k), model.contains_key(&k));
                assert_eq!(ours.get_key_value(&k), model.get_key_value(&k));
            }
            Op::Entry(k, v) => {
                let a = ours
                    .entry(k.to_string())
                    .and_modify(|x| **x ^= v)
                    .or_insert_with(|| Box::new(v));
                let b = model
                    .entry(k.to_string())
                    .and_modify(|x| **x ^= v)
                    .or_insert_with(|| Box::new(v));
                assert_eq!(a, b);
            }
            Op::Clear => {
                ours.clear();
                model.clear();
            }
            Op::Reserve(n) => {
                ours.reserve(n as usize);
                assert!(ours.capacity() >= ours.len() + n as usize);
            }
            Op::ShrinkToFit => {
                ours.shrink_to_fit();
                assert!(ours.capacity() >= ours.len());
            }
            Op::Retain(m) => {
                ours.retain(|_, v| **v % 3 != u32::from(m) % 3);
                model.retain(|_, v| **v % 3 != u32::from(m) % 3);
            }
            Op::Drain(take) => {
                let mut drained: Vec<_> = ours.drain().take(take as usize % 4).collect();
                drained.sort();
                let mut all: Vec<_> = model.drain().collect();
                all.sort();
                assert!(drained.iter().all(|d| all.contains(d)));
                assert!(ours.is_empty());
            }
            Op::Clone => {
                let c = ours.clone();
                assert_eq!(c, ours);
                ours = c;
            }
        }
        assert_eq!(ours.len(), model.len());
    }
    let mut got: Vec<_> = ours.iter().map(|(k, v)| (k.clone(), **v)).collect();
    let mut want: Vec<_> = model.iter().map(|(k, v)| (k.clone(), **v)).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    for v in ours.values_mut() {
        **v = v.wrapping_add(1);
    }
    let mut owned: Vec<_> = ours.into_iter().map(|(k, v)| (k, *v)).collect();
    owned.sort();
    assert_eq!(
        owned,
        want.iter()
            .map(|(k, v)| (k.clone(), v.wrapping_add(1)))
            .collect::<Vec<_>>()
    );
}

fn check_set(ops: &[Op]) {
    let mut ours: OpenSet<u64> = OpenSet::new();
    let mut model: HashSet<u64> = HashSet::new();
    for op in ops {
        match *op {
            Op::Insert(k, _) | Op::Entry(k, _) => assert_eq!(
                ours.insert(u64::from(k) << 20),
                model.insert(u64::from(k) << 20)
            ),
            Op::Remove(k) => assert_eq!(
                ours.remove(&(u64::from(k) << 20)),
                model.remove(&(u64::from(k) << 20))
            ),
            Op::Get(k) => assert_eq!(
                ours.contains(&(u64::from(k) << 20)),
                model.contains(&(u64::from(k) << 20))
            ),
            Op::Clear => {
                ours.clear();
                model.clear();
            }
            Op::Reserve(n) => ours.reserve(n as usize),
            Op::ShrinkToFit => ours.shrink_to_fit(),
            Op::Retain(m) => {
                ours.retain(|v| (v >> 20) % 5 != u64::from(m) % 5);
                model.retain(|v| (v >> 20) % 5 != u64::from(m) % 5);
            }
            Op::Drain(_) => {
                assert_eq!(
                    ours.drain().collect::<HashSet<_>>(),
                    std::mem::take(&mut model)
                );
            }
            Op::Clone => ours = ours.clone(),
        }
        assert_eq!(ours.len(), model.len());
    }
    assert_eq!(ours.iter().copied().collect::<HashSet<_>>(), model);
}

/// `CompactDict` against a `Vec<(K, V)>` with indexmap's semantics.
fn check_compact(ops: &[Op]) {
    let mut ours: CompactDict<String, Box<u32>> = CompactDict::new();
    let mut model: Vec<(String, Box<u32>)> = Vec::new();
    let pos = |m: &Vec<(String, Box<u32>)>, k: &str| m.iter().position(|(q, _)| q == k);
    for (step, op) in ops.iter().enumerate() {
        match op.clone() {
            Op::Insert(k, v) | Op::Entry(k, v) => {
                let k = k.to_string();
                let want = if let Some(i) = pos(&model, &k) {
                    (i, Some(std::mem::replace(&mut model[i].1, Box::new(v))))
                } else {
                    model.push((k.clone(), Box::new(v)));
                    (model.len() - 1, None)
                };
                assert_eq!(ours.insert_full(k, Box::new(v)), want);
            }
            Op::Remove(k) => {
                let k = k.to_string();
                let i = pos(&model, &k);
                if step % 2 == 0 {
                    assert_eq!(ours.shift_remove(&k), i.map(|i| model.remove(i).1));
                } else {
                    assert_eq!(ours.swap_remove(&k), i.map(|i| model.swap_remove(i).1));
                }
            }
            Op::Get(k) => {
                let k = k.to_string();
                assert_eq!(ours.get_index_of(&k), pos(&model, &k));
                assert_eq!(ours.get(&k), pos(&model, &k).map(|i| &model[i].1));
            }
            Op::Clear => {
                ours.clear();
                model.clear();
            }
            Op::Reserve(n) => ours.reserve(n as usize),
            Op::ShrinkToFit => ours.shrink_to_fit(),
            Op::Retain(m) => {
                ours.retain(|_, v| **v % 3 != u32::from(m) % 3);
                model.retain(|(_, v)| **v % 3 != u32::from(m) % 3);
            }
            Op::Drain(_) => assert_eq!(ours.pop(), model.pop()),
            Op::Clone => ours = ours.clone(),
        }
        assert_eq!(ours.len(), model.len());
    }
    let got: Vec<_> = ours.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    assert_eq!(got, model);
    for (i, (k, v)) in model.iter().enumerate() {
        assert_eq!(ours.get_index(i), Some((k, v)));
    }
    assert_eq!(ours.into_iter().collect::<Vec<_>>(), model);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; `miri_sequences` runs instead")]
    fn open_map_matches_std(ops in ops()) {
        check_map(&ops);
    }

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; `miri_sequences` runs instead")]
    fn open_set_matches_std(ops in ops()) {
        check_set(&ops);
    }

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; `miri_sequences` runs instead")]
    fn compact_dict_matches_ordered_model(ops in ops()) {
        check_compact(&ops);
    }
}

/// Under Miri, proptest's generators cost about a second per operation, so the proptest cases
/// above are skipped there and the same models run on fixed pseudo-random sequences instead.
#[cfg(miri)]
mod miri_sequences {
    use super::{Op, check_compact, check_map, check_set};
    use hpds_testkit::streams::distinct_u64_at;

    fn random_ops(seed: u64, n: usize) -> Vec<Op> {
        let mut i = 0;
        let mut next = || {
            i += 1;
            distinct_u64_at(seed, i)
        };
        (0..n)
            .map(|_| {
                // Keys from a small range (collisions, updates, tombstones) or a wide one.
                let key = |w: u64| {
                    if w % 2 == 0 {
                        (w >> 1) as u16 % 48
                    } else {
                        (w >> 1) as u16
                    }
                };
                match next() % 29 {
                    0..=9 => Op::Insert(key(next()), next() as u32),
                    10..=15 => Op::Remove(key(next())),
                    16..=19 => Op::Get(key(next())),
                    20..=22 => Op::Entry(key(next()), next() as u32),
                    23 => Op::Clear,
                    24 => Op::Reserve((next() % 300) as u16),
                    25 => Op::ShrinkToFit,
                    26 => Op::Retain(next() as u8),
                    27 => Op::Drain(next() as u8),
                    _ => Op::Clone,
                }
            })
            .collect()
    }

    #[test]
    fn tables_match_their_models() {
        for seed in 0..2 {
            let ops = random_ops(seed, 60);
            check_map(&ops);
            check_set(&ops);
            check_compact(&ops);
        }
    }
}

/// Long insert/remove churn at a constant size: tombstones must not make the table grow
/// without bound, and lookups must stay correct.
#[test]
fn churn_does_not_grow_or_degrade() {
    let (live, rounds) = if cfg!(miri) {
        (50u64, 200u64)
    } else {
        (1000, 200_000)
    };
    let mut m: OpenMap<u64, u64> = OpenMap::new();
    for k in 0..live {
        m.insert(k, k);
    }
    let buckets = m.buckets();
    for r in 0..rounds {
        assert_eq!(m.remove(&r), Some(r));
        m.insert(r + live, r + live);
        assert_eq!(m.len(), live as usize);
    }
    assert!(
        m.buckets() <= 2 * buckets,
        "grew from {buckets} to {} buckets",
        m.buckets()
    );
    for k in rounds..rounds + live {
        assert_eq!(m.get(&k), Some(&k));
    }
    assert_eq!(m.get(&0), None);

    let mut d: CompactDict<u64, u64> = CompactDict::new();
    for k in 0..live {
        d.insert(k, k);
    }
    let slots = d.index_slots();
    for r in 0..rounds {
        assert_eq!(d.swap_remove(&r), Some(r));
        d.insert(r + live, r + live);
    }
    assert!(d.index_slots() <= 2 * slots);
    assert_eq!(d.len(), live as usize);
}

#[test]
fn zero_sized_and_edges() {
    let mut s: OpenSet<()> = OpenSet::new();
    assert!(s.insert(()));
    assert!(!s.insert(()));
    assert_eq!(s.len(), 1);
    assert!(s.remove(&()));
    let mut m: OpenMap<u8, ()> = (0..=255u8).map(|k| (k, ())).collect();
    assert_eq!(m.len(), 256);
    m.shrink_to_fit();
    assert_eq!(m.capacity(), m.len().max(m.capacity()));
    m.clear();
    m.shrink_to_fit();
    assert_eq!((m.capacity(), m.table_bytes()), (0, 0));
    assert!(OpenMap::<u64, u64>::try_with_capacity(usize::MAX / 2).is_err());
    assert!(m.try_reserve(usize::MAX).is_err());
    let e: OpenMap<u32, u32> = OpenMap::default();
    assert_eq!(e.get(&1), None);
    assert_eq!(format!("{e:?}"), "{}");
    let d: CompactDict<u32, u32> = CompactDict::default();
    assert_eq!((d.get(&1), d.index_width(), d.first()), (None, 0, None));
}

#[test]
fn compact_index_width_follows_size() {
    let n = if cfg!(miri) { 200 } else { 50_000 };
    let mut d: CompactDict<u32, ()> = CompactDict::new();
    let mut widths = vec![];
    for k in 0..n {
        d.insert(k, ());
        if widths.last() != Some(&d.index_width()) {
            widths.push(d.index_width());
        }
    }
    let expect: &[usize] = if cfg!(miri) { &[1, 2] } else { &[1, 2, 4] };
    assert_eq!(widths, expect);
    assert!(d.iter().map(|(k, ())| *k).eq(0..n));
}
