//! Model-based tests: random operation sequences applied to a `GrowVec` and to `std::vec::Vec`
//! must leave both with the same elements, for every policy, for heap-owning elements
//! (`String`: Miri catches any double drop or leak) and for zero-sized ones.

use hpds_vec::{CPythonList, Doubling, Exact, Factor, GrowVec, Growth, Policy, SizeClass};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Push(u16),
    Pop,
    Insert(usize, u16),
    Remove(usize),
    SwapRemove(usize),
    Truncate(usize),
    Clear,
    Extend(Vec<u16>),
    ExtendFromSlice(Vec<u16>),
    ExtendFiltered(Vec<u16>),
    Reserve(usize),
    ReserveExact(usize),
    ShrinkToFit,
    ShrinkTo(usize),
    Retain(u16),
    Dedup,
    Drain(usize, usize, usize),
    Append(Vec<u16>),
    Resize(usize, u16),
    Set(usize, u16),
    CloneCheck,
    ThroughVec,
    ThroughBox,
    ThroughIntoIter(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let small = || prop::collection::vec(any::<u16>(), 0..40);
    prop_oneof![
        6 => any::<u16>().prop_map(Op::Push),
        3 => Just(Op::Pop),
        2 => (any::<usize>(), any::<u16>()).prop_map(|(i, x)| Op::Insert(i, x)),
        2 => any::<usize>().prop_map(Op::Remove),
        1 => any::<usize>().prop_map(Op::SwapRemove),
        1 => (0..80usize).prop_map(Op::Truncate),
        1 => Just(Op::Clear),
        2 => small().prop_map(Op::Extend),
        1 => small().prop_map(Op::ExtendFromSlice),
        1 => small().prop_map(Op::ExtendFiltered),
        1 => (0..100usize).prop_map(Op::Reserve),
        1 => (0..100usize).prop_map(Op::ReserveExact),
        1 => Just(Op::ShrinkToFit),
        1 => (0..100usize).prop_map(Op::ShrinkTo),
        1 => (1..5u16).prop_map(Op::Retain),
        1 => Just(Op::Dedup),
        2 => (any::<usize>(), any::<usize>(), 0..10usize).prop_map(|(a, b, t)| Op::Drain(a, b, t)),
        1 => small().prop_map(Op::Append),
        1 => (0..80usize, any::<u16>()).prop_map(|(n, x)| Op::Resize(n, x)),
        1 => (any::<usize>(), any::<u16>()).prop_map(|(i, x)| Op::Set(i, x)),
        1 => Just(Op::CloneCheck),
        1 => Just(Op::ThroughVec),
        1 => Just(Op::ThroughBox),
        1 => (0..10usize).prop_map(Op::ThroughIntoIter),
    ]
}

fn s(x: u16) -> String {
    // Small values repeat so that `dedup` has runs to remove.
    format!("s{}", x % 50)
}

fn apply<G: Growth + Clone + Default>(ops: &[Op]) {
    let mut v: GrowVec<String, G> = GrowVec::new();
    let mut m: Vec<String> = Vec::new();
    for op in ops {
        let len = m.len();
        match op.clone() {
            Op::Push(x) => {
                v.push(s(x));
                m.push(s(x));
            }
            Op::Pop => assert_eq!(v.pop(), m.pop()),
            Op::Insert(i, x) => {
                let i = i % (len + 1);
                v.insert(i, s(x));
                m.insert(i, s(x));
            }
            Op::Remove(i) if len > 0 => assert_eq!(v.remove(i % len), m.remove(i % len)),
            Op::SwapRemove(i) if len > 0 => {
                assert_eq!(v.swap_remove(i % len), m.swap_remove(i % len));
            }
            Op::Truncate(n) => {
                v.truncate(n);
                m.truncate(n);
            }
            Op::Clear => {
                v.clear();
                m.clear();
            }
            Op::Extend(xs) => {
                v.extend(xs.iter().copied().map(s));
                m.extend(xs.iter().copied().map(s));
            }
            Op::ExtendFromSlice(xs) => {
                let xs: Vec<String> = xs.into_iter().map(s).collect();
                v.extend_from_slice(&xs);
                m.extend_from_slice(&xs);
            }
            Op::ExtendFiltered(xs) => {
                // An iterator whose size hint is useless (lower bound 0).
                v.extend(xs.iter().copied().filter(|x| x % 3 != 0).map(s));
                m.extend(xs.iter().copied().filter(|x| x % 3 != 0).map(s));
            }
            Op::Reserve(n) => {
                v.reserve(n);
                assert!(v.capacity() >= v.len() + n);
            }
            Op::ReserveExact(n) => {
                v.reserve_exact(n);
                assert!(v.capacity() >= v.len() + n);
            }
            Op::ShrinkToFit => {
                v.shrink_to_fit();
                assert_eq!(v.capacity(), v.len());
            }
            Op::ShrinkTo(n) => {
                let before = v.capacity();
                v.shrink_to(n);
                assert_eq!(v.capacity(), before.min(v.len().max(n)));
            }
            Op::Retain(k) => {
                v.retain(|x| x.len() % usize::from(k) == 0);
                m.retain(|x| x.len() % usize::from(k) == 0);
            }
            Op::Dedup => {
                v.dedup();
                m.dedup();
            }
            Op::Drain(a, b, take) => {
                let (a, b) = (a % (len + 1), b % (len + 1));
                let (a, b) = (a.min(b), a.max(b));
                let mut dv = v.drain(a..b);
                let mut dm = m.drain(a..b);
                // Take some from the front and the back, drop the rest with the iterator.
                for i in 0..take {
                    if i % 2 == 0 {
                        assert_eq!(dv.next(), dm.next());
                    } else {
                        assert_eq!(dv.next_back(), dm.next_back());
                    }
                }
                assert_eq!(dv.len(), dm.len());
                assert_eq!(dv.as_slice(), dm.as_slice());
            }
            Op::Append(xs) => {
                let mut other: GrowVec<String, G> = xs.iter().copied().map(s).collect();
                v.append(&mut other);
                assert!(other.is_empty());
                m.extend(xs.iter().copied().map(s));
            }
            Op::Resize(n, x) => {
                v.resize(n, s(x));
                m.resize(n, s(x));
            }
            Op::Set(i, x) if len > 0 => {
                v[i % len] = s(x);
                m[i % len] = s(x);
            }
            Op::Remove(_) | Op::SwapRemove(_) | Op::Set(..) => {}
            Op::CloneCheck => {
                let c = v.clone();
                assert_eq!(c, v);
                assert_eq!(c.capacity(), c.len());
            }
            Op::ThroughVec => {
                let p = v.as_ptr();
                let std: Vec<String> = v.into();
                assert_eq!(std.as_ptr(), p, "no copy into Vec");
                v = GrowVec::from(std);
                assert_eq!(v.as_ptr(), p, "no copy from Vec");
            }
            Op::ThroughBox => {
                let b = v.into_boxed_slice();
                v = GrowVec::from(b);
                assert_eq!(v.capacity(), v.len());
            }
            Op::ThroughIntoIter(take) => {
                let mut it = v.into_iter();
                let mut rebuilt: Vec<String> = Vec::new();
                let mut back = Vec::new();
                for i in 0..take {
                    let x = if i % 2 == 0 {
                        it.next()
                    } else {
                        it.next_back()
                    };
                    if let Some(x) = x {
                        if i % 2 == 0 {
                            rebuilt.push(x);
                        } else {
                            back.push(x);
                        }
                    }
                }
                assert_eq!(it.len(), it.as_slice().len());
                rebuilt.extend(it.by_ref());
                back.reverse();
                rebuilt.extend(back);
                assert_eq!(rebuilt, m);
                v = rebuilt.into_iter().collect();
            }
        }
        assert_eq!(v.as_slice(), m.as_slice(), "after {op:?}");
        assert!(v.len() <= v.capacity());
        assert_eq!(v.slack(), v.capacity() - v.len());
    }
}

fn apply_zst(ops: &[Op]) {
    let mut v: GrowVec<()> = GrowVec::new();
    let mut m: Vec<()> = Vec::new();
    for op in ops {
        let len = m.len();
        match op {
            Op::Push(_) => {
                v.push(());
                m.push(());
            }
            Op::Pop => assert_eq!(v.pop(), m.pop()),
            Op::Insert(i, _) => {
                v.insert(i % (len + 1), ());
                m.insert(i % (len + 1), ());
            }
            Op::Remove(i) if len > 0 => v.remove(i % len),
            Op::Extend(xs) | Op::ExtendFromSlice(xs) | Op::Append(xs) => {
                v.extend(xs.iter().map(|_| ()));
                m.extend(xs.iter().map(|_| ()));
            }
            Op::Truncate(n) | Op::Resize(n, _) => {
                v.resize(*n, ());
                m.resize(*n, ());
            }
            Op::Drain(a, b, _) => {
                let (a, b) = (a % (len + 1), b % (len + 1));
                let (a, b) = (a.min(b), a.max(b));
                assert_eq!(v.drain(a..b).count(), m.drain(a..b).count());
            }
            Op::ShrinkToFit | Op::Clear => {
                v.shrink_to_fit();
                if matches!(op, Op::Clear) {
                    v.clear();
                    m.clear();
                }
            }
            _ => {}
        }
        if let (Op::Remove(i), true) = (op, len > 0) {
            m.remove(i % len);
        }
        assert_eq!(v.len(), m.len());
        assert_eq!(v.capacity(), usize::MAX);
        assert_eq!(v.slack(), 0);
        assert_eq!(v.stats().reallocations, 0);
    }
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 0..150)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; `miri_sequences` runs instead")]
    fn doubling_behaves_like_vec(ops in ops()) { apply::<Doubling>(&ops); }

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; `miri_sequences` runs instead")]
    fn cpython_behaves_like_vec(ops in ops()) { apply::<CPythonList>(&ops); }

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; `miri_sequences` runs instead")]
    fn exact_behaves_like_vec(ops in ops()) { apply::<Exact>(&ops); }

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; `miri_sequences` runs instead")]
    fn factor_behaves_like_vec(ops in ops()) { apply::<Factor>(&ops); }

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; `miri_sequences` runs instead")]
    fn size_class_behaves_like_vec(ops in ops()) { apply::<SizeClass>(&ops); }

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; `miri_sequences` runs instead")]
    fn dynamic_policy_behaves_like_vec(ops in ops()) { apply::<Policy>(&ops); }

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; `miri_sequences` runs instead")]
    fn zero_sized_behaves_like_vec(ops in ops()) { apply_zst(&ops); }
}

/// Under Miri, proptest's generators cost about a second per operation, so the proptest cases
/// above are skipped there and the same models run on fixed pseudo-random sequences instead.
#[cfg(miri)]
mod miri_sequences {
    use super::{Op, apply, apply_zst};
    use hpds_testkit::streams::distinct_u64_at;
    use hpds_vec::{CPythonList, Doubling, Exact, Factor, Policy, SizeClass};

    struct Words(u64, u64);

    impl Words {
        fn next(&mut self) -> u64 {
            self.1 += 1;
            distinct_u64_at(self.0, self.1)
        }
        fn below(&mut self, n: u64) -> usize {
            (self.next() % n) as usize
        }
        fn small_vec(&mut self) -> Vec<u16> {
            (0..self.below(40)).map(|_| self.next() as u16).collect()
        }
    }

    /// Every `Op` variant, pushes most often (so the vectors grow through several resizes).
    fn random_op(w: &mut Words) -> Op {
        match w.below(30) {
            0..=6 => Op::Push(w.next() as u16),
            7 | 8 => Op::Pop,
            9 => Op::Insert(w.next() as usize, w.next() as u16),
            10 => Op::Remove(w.next() as usize),
            11 => Op::SwapRemove(w.next() as usize),
            12 => Op::Truncate(w.below(80)),
            13 => Op::Clear,
            14 => Op::Extend(w.small_vec()),
            15 => Op::ExtendFromSlice(w.small_vec()),
            16 => Op::ExtendFiltered(w.small_vec()),
            17 => Op::Reserve(w.below(100)),
            18 => Op::ReserveExact(w.below(100)),
            19 => Op::ShrinkToFit,
            20 => Op::ShrinkTo(w.below(100)),
            21 => Op::Retain(1 + w.below(4) as u16),
            22 => Op::Dedup,
            23 => Op::Drain(w.next() as usize, w.next() as usize, w.below(10)),
            24 => Op::Append(w.small_vec()),
            25 => Op::Resize(w.below(80), w.next() as u16),
            26 => Op::Set(w.next() as usize, w.next() as u16),
            27 => Op::CloneCheck,
            28 => {
                if w.next() % 2 == 0 {
                    Op::ThroughVec
                } else {
                    Op::ThroughBox
                }
            }
            _ => Op::ThroughIntoIter(w.below(10)),
        }
    }

    #[test]
    fn policies_behave_like_vec() {
        for seed in 0..2 {
            let mut w = Words(seed, 0);
            let ops: Vec<Op> = (0..40).map(|_| random_op(&mut w)).collect();
            apply::<Doubling>(&ops);
            apply::<CPythonList>(&ops);
            apply::<Exact>(&ops);
            apply::<Factor>(&ops);
            apply::<SizeClass>(&ops);
            apply::<Policy>(&ops);
            apply_zst(&ops);
        }
    }
}
