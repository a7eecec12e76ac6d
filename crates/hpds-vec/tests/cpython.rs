//! `CPythonList` reproduces the capacities the real CPython interpreter chooses.
//!
//! `data/cpython_list_capacity.txt` was produced by `data/cpython_list_capacity.py` (CPython
//! 3.11, `sys.getsizeof` recovers `allocated`): 10,000 appends to an empty list, then pops down
//! to empty. Regenerate with `python3 data/cpython_list_capacity.py > data/cpython_list_capacity.txt`.

use hpds_vec::{CPythonList, GrowVec, Growth, Policy, capacity_sequence, simulate};

const DATA: &str = include_str!("data/cpython_list_capacity.txt");

/// `(op, len, allocated)` records.
fn records(op: &str) -> Vec<(usize, usize)> {
    DATA.lines()
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
    assert_eq!(appends.len(), 10_000);
    assert_eq!(pops.len(), 10_000);
    assert_eq!(v.capacity(), 0);
    for &(len, cap) in &appends {
        v.push(len as u64);
        assert_eq!((v.len(), v.capacity()), (len, cap), "after append");
    }
    for &(len, cap) in &pops {
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
    let mut expected = vec![0];
    for (_, cap) in records("append") {
        if *expected.last().unwrap() != cap {
            expected.push(cap);
        }
    }
    assert_eq!(capacity_sequence(&CPythonList, 10_000, 8), expected);
    assert_eq!(simulate(Policy::CPythonList, 10_000).capacities, expected);
}

#[test]
fn element_size_does_not_matter() {
    // CPython counts slots, not bytes; so does the policy.
    let mut v: GrowVec<[u8; 40], CPythonList> = GrowVec::new();
    for (len, cap) in records("append").into_iter().take(2000) {
        v.push([0; 40]);
        assert_eq!((v.len(), v.capacity()), (len, cap));
    }
}
