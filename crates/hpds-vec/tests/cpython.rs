//! `CPythonList` reproduces the capacities the real CPython interpreter chooses.
//!
//! `data/cpython_list_capacity.txt` was produced by `data/cpython_list_capacity.py` (CPython
//! 3.11, `sys.getsizeof` recovers `allocated`): 10,000 appends to an empty list, then pops down
//! to empty. Regenerate with `python3 data/cpython_list_capacity.py > data/cpython_list_capacity.txt`.

use std::sync::OnceLock;

use hpds_vec::{CPythonList, GrowVec, Growth, Policy, capacity_sequence, simulate};

const DATA: &str = include_str!("data/cpython_list_capacity.txt");

/// Under Miri only the first appends and the last pops are replayed (from the recorded state).
const MIRI_STEPS: usize = 150;

/// `(len, allocated)` pairs.
type Records = Vec<(usize, usize)>;

/// `(len, allocated)` records of one kind (`append` or `pop`), parsed once. Under Miri, where
/// parsing all 20,000 lines is slow, only the first appends and the last pops.
fn records(op: &str) -> Vec<(usize, usize)> {
    static PARSED: OnceLock<(Records, Records)> = OnceLock::new();
    let (appends, pops) = PARSED.get_or_init(|| {
        if cfg!(miri) {
            let appends = parse(DATA.lines().take(MIRI_STEPS + 5), "append");
            let mut pops = parse(DATA.lines().rev().take(MIRI_STEPS + 1), "pop");
            pops.reverse();
            (appends, pops)
        } else {
            (parse(DATA.lines(), "append"), parse(DATA.lines(), "pop"))
        }
    });
    if op == "append" {
        appends.clone()
    } else {
        pops.clone()
    }
}

fn parse<'a>(lines: impl Iterator<Item = &'a str>, op: &str) -> Vec<(usize, usize)> {
    lines
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            (f.next() == Some(op)).then(|| {
                let len = f.next().unwrap().parse().unwrap();
                let cap = f.next().unwrap().parse().unwrap();
                (len, cap)
            })
        })
        .collect()
}

fn check<G: Growth>(mut v: GrowVec<u64, G>) {
    let appends = records("append");
    let pops = records("pop");
    if !cfg!(miri) {
        assert_eq!(appends.len(), 10_000);
        assert_eq!(pops.len(), 10_000);
    }
    assert_eq!(v.capacity(), 0);
    let appends = if cfg!(miri) {
        &appends[..MIRI_STEPS]
    } else {
        &appends[..]
    };
    for &(len, cap) in appends {
        v.push(len as u64);
        assert_eq!((v.len(), v.capacity()), (len, cap), "after append");
    }
    let pops = if cfg!(miri) {
        // Recreate the recorded state before the last pops: same length and capacity.
        let (len, cap) = pops[pops.len() - MIRI_STEPS - 1];
        v.clear();
        v.reserve_exact(cap);
        v.extend(0..len as u64);
        assert_eq!((v.len(), v.capacity()), (len, cap));
        &pops[pops.len() - MIRI_STEPS..]
    } else {
        &pops[..]
    };
    for &(len, cap) in pops {
        v.pop();
        assert_eq!((v.len(), v.capacity()), (len, cap), "after pop");
    }
    assert_eq!(v.capacity(), 0);
}

#[test]
fn appends_and_pops_match_the_interpreter() {
    check(GrowVec::<u64, CPythonList>::new());
}

#[test]
fn dynamic_policy_matches_too() {
    check(GrowVec::with_policy(Policy::CPythonList));
}

#[test]
fn computed_sequence_matches_the_interpreter() {
    let appends = records("append");
    let n = appends.len();
    let mut expected = vec![0];
    for (_, cap) in appends {
        if *expected.last().unwrap() != cap {
            expected.push(cap);
        }
    }
    assert_eq!(capacity_sequence(&CPythonList, n, 8), expected);
    assert_eq!(simulate(Policy::CPythonList, n).capacities, expected);
}

#[test]
fn element_size_does_not_matter() {
    // CPython counts slots, not bytes; so does the policy.
    let mut v: GrowVec<[u8; 40], CPythonList> = GrowVec::new();
    for (len, cap) in records("append")
        .into_iter()
        .take(if cfg!(miri) { MIRI_STEPS } else { 2000 })
    {
        v.push([0; 40]);
        assert_eq!((v.len(), v.capacity()), (len, cap));
    }
}
