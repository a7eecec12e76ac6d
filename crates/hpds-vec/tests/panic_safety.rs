//! Panicking `Drop` and `Clone` never double-drop, leak into undefined behaviour, or lose track
//! of elements: after every operation, panicking or not, the number of live `Bomb`s equals the
//! vector's length (so nothing was dropped twice or forgotten), and at the end it is zero.
//! Run under Miri this also checks every pointer access.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use hpds_vec::{CPythonList, Doubling, GrowVec, Growth};
use proptest::prelude::*;

thread_local! {
    /// Bombs alive (created or cloned, not yet dropped).
    static LIVE: Cell<i64> = const { Cell::new(0) };
    /// How many more panics are allowed: one per operation, so a slice drop never panics
    /// twice (which would abort, as it does for `Vec`).
    static FUSE: Cell<u32> = const { Cell::new(0) };
}

fn live() -> i64 {
    LIVE.with(Cell::get)
}

fn arm() {
    FUSE.with(|f| f.set(1));
}

fn try_explode() -> bool {
    FUSE.with(|f| {
        let armed = f.get() > 0;
        if armed {
            f.set(f.get() - 1);
        }
        armed
    })
}

/// Panics in `drop` when its value is a multiple of 5 and in `clone` when a multiple of 7,
/// if the fuse allows.
#[derive(Debug, PartialEq)]
struct Bomb(u32);

impl Bomb {
    fn new(x: u32) -> Self {
        LIVE.with(|l| l.set(l.get() + 1));
        Self(x)
    }
}

impl Clone for Bomb {
    fn clone(&self) -> Self {
        assert!(!(self.0 % 7 == 0 && try_explode()), "clone bomb {}", self.0);
        Bomb::new(self.0)
    }
}

impl Drop for Bomb {
    fn drop(&mut self) {
        LIVE.with(|l| l.set(l.get() - 1));
        assert!(!(self.0 % 5 == 0 && try_explode()), "drop bomb {}", self.0);
    }
}

#[derive(Debug, Clone)]
enum Op {
    Push(u32),
    Pop,
    Truncate(usize),
    Clear,
    ExtendFromSlice(Vec<u32>),
    Clone,
    Retain(u32),
    Drain(usize, usize, usize),
    Remove(usize),
    IntoIterPartial(usize),
    Resize(usize, u32),
}

fn op() -> impl Strategy<Value = Op> {
    let small = prop::collection::vec(0..40u32, 0..20);
    prop_oneof![
        5 => (0..40u32).prop_map(Op::Push),
        2 => Just(Op::Pop),
        2 => (0..30usize).prop_map(Op::Truncate),
        1 => Just(Op::Clear),
        2 => small.prop_map(Op::ExtendFromSlice),
        2 => Just(Op::Clone),
        1 => (2..5u32).prop_map(Op::Retain),
        2 => (any::<usize>(), any::<usize>(), 0..5usize).prop_map(|(a, b, t)| Op::Drain(a, b, t)),
        1 => any::<usize>().prop_map(Op::Remove),
        1 => (0..10usize).prop_map(Op::IntoIterPartial),
        1 => (0..30usize, 0..40u32).prop_map(|(n, x)| Op::Resize(n, x)),
    ]
}

fn run<G: Growth + Clone + Default>(ops: &[Op]) {
    // The default hook would print every expected panic.
    let base = live();
    {
        let mut v: GrowVec<Bomb, G> = GrowVec::new();
        for op in ops {
            arm();
            let len = v.len();
            let r = catch_unwind(AssertUnwindSafe(|| match op.clone() {
                Op::Push(x) => v.push(Bomb::new(x)),
                Op::Pop => drop(v.pop()),
                Op::Truncate(n) => v.truncate(n),
                Op::Clear => v.clear(),
                Op::ExtendFromSlice(xs) => {
                    let src: Vec<Bomb> = xs.into_iter().map(Bomb::new).collect();
                    v.extend_from_slice(&src);
                    FUSE.with(|f| f.set(0));
                    drop(src);
                }
                Op::Clone => {
                    let c = v.clone();
                    assert_eq!(c.len(), v.len());
                    FUSE.with(|f| f.set(0));
                    drop(c);
                }
                Op::Retain(k) => v.retain(|b| b.0 % k != 0),
                Op::Drain(a, b, take) => {
                    let (a, b) = (a % (len + 1), b % (len + 1));
                    let mut d = v.drain(a.min(b)..a.max(b));
                    for _ in 0..take {
                        drop(d.next());
                    }
                }
                Op::Remove(i) => {
                    if len > 0 {
                        drop(v.remove(i % len));
                    }
                }
                Op::IntoIterPartial(take) => {
                    let mut it = std::mem::take(&mut v).into_iter();
                    let mut kept = GrowVec::<Bomb, G>::new();
                    for _ in 0..take {
                        if let Some(b) = it.next() {
                            kept.push(b);
                        }
                    }
                    drop(it);
                    v = kept;
                }
                Op::Resize(n, x) => v.resize(n, Bomb::new(x)),
            }));
            FUSE.with(|f| f.set(0));
            // Whatever happened, every live bomb is in the vector: none leaked, none dropped
            // twice (a double drop would make the count fall below the length).
            assert_eq!(
                live() - base,
                v.len() as i64,
                "after {op:?} (panicked: {})",
                r.is_err()
            );
            assert!(v.len() <= v.capacity());
        }
    }
    assert_eq!(live(), base, "all dropped at the end");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; `miri_sequences` runs instead")]
    fn doubling_is_panic_safe(ops in prop::collection::vec(op(), 0..100)) {
        silence_panics();
        run::<Doubling>(&ops);
    }

    #[test]
    #[cfg_attr(miri, ignore = "proptest is too slow under Miri; `miri_sequences` runs instead")]
    fn cpython_is_panic_safe(ops in prop::collection::vec(op(), 0..100)) {
        silence_panics();
        run::<CPythonList>(&ops);
    }
}

fn silence_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = info.to_string();
            if !msg.contains(" bomb ") {
                default(info);
            }
        }));
    });
}

#[test]
fn panicking_drop_in_truncate_keeps_prefix() {
    silence_panics();
    let base = live();
    let mut v: GrowVec<Bomb> = (0..10).map(Bomb::new).collect();
    arm();
    // 5 panics; 6..10 are still dropped.
    let r = catch_unwind(AssertUnwindSafe(|| v.truncate(3)));
    assert!(r.is_err());
    assert_eq!(v.len(), 3);
    assert_eq!(live() - base, 3);
    drop(v);
    assert_eq!(live(), base);
}

#[test]
fn panicking_clone_leaves_source_intact() {
    silence_panics();
    let base = live();
    let v: GrowVec<Bomb> = (1..10).map(Bomb::new).collect();
    arm();
    let r = catch_unwind(AssertUnwindSafe(|| v.clone()));
    assert!(r.is_err());
    assert_eq!(live() - base, 9, "partial clone dropped");
    drop(v);
    assert_eq!(live(), base);
}

/// Under Miri, proptest's generators cost about a second per operation, so the proptest cases
/// above are skipped there and the same checks run on fixed pseudo-random sequences instead.
#[cfg(miri)]
mod miri_sequences {
    use super::{Op, run, silence_panics};
    use hpds_testkit::streams::distinct_u64_at;
    use hpds_vec::{CPythonList, Doubling};

    fn random_op(seed: u64, i: &mut u64) -> Op {
        let mut next = || {
            *i += 1;
            distinct_u64_at(seed, *i)
        };
        match next() % 20 {
            0..=4 => Op::Push((next() % 40) as u32),
            5 | 6 => Op::Pop,
            7 | 8 => Op::Truncate((next() % 30) as usize),
            9 => Op::Clear,
            10 | 11 => {
                let n = next() % 20;
                Op::ExtendFromSlice((0..n).map(|_| (next() % 40) as u32).collect())
            }
            12 | 13 => Op::Clone,
            14 => Op::Retain(2 + (next() % 3) as u32),
            15 | 16 => Op::Drain(next() as usize, next() as usize, (next() % 5) as usize),
            17 => Op::Remove(next() as usize),
            18 => Op::IntoIterPartial((next() % 10) as usize),
            _ => Op::Resize((next() % 30) as usize, (next() % 40) as u32),
        }
    }

    #[test]
    fn policies_are_panic_safe() {
        silence_panics();
        for seed in 0..3 {
            let mut i = 0;
            let ops: Vec<Op> = (0..30).map(|_| random_op(seed, &mut i)).collect();
            run::<Doubling>(&ops);
            run::<CPythonList>(&ops);
        }
    }
}
