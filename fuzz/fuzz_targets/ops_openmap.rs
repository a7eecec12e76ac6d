//! `OpenMap` (and `CompactDict`) driven by arbitrary operation sequences, checked against
//! `std::collections::HashMap` after every step.
#![no_main]

use std::collections::HashMap;

use arbitrary::Arbitrary;
use hpds_openhash::{CompactDict, OpenMap};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Insert(u16, u32),
    Remove(u16),
    Get(u16),
    Entry(u16, u32),
    Clear,
    Reserve(u8),
    ShrinkToFit,
    Retain(u8),
    Drain(u8),
    Clone,
}

fuzz_target!(|ops: Vec<Op>| {
    let mut ours: OpenMap<u16, Box<u32>> = OpenMap::new();
    let mut dict: CompactDict<u16, u32> = CompactDict::new();
    let mut model: HashMap<u16, Box<u32>> = HashMap::new();
    for op in ops {
        match op {
            Op::Insert(k, v) => {
                assert_eq!(ours.insert(k, Box::new(v)), model.insert(k, Box::new(v)));
                dict.insert(k, v);
            }
            Op::Remove(k) => {
                let want = model.remove(&k);
                assert_eq!(ours.remove(&k), want);
                assert_eq!(dict.swap_remove(&k), want.map(|b| *b));
            }
            Op::Get(k) => {
                assert_eq!(ours.get(&k), model.get(&k));
                assert_eq!(dict.get(&k), model.get(&k).map(|b| &**b));
            }
            Op::Entry(k, v) => {
                let a = **ours.entry(k).or_insert_with(|| Box::new(v));
                let b = **model.entry(k).or_insert_with(|| Box::new(v));
                assert_eq!(a, b);
                dict.insert(k, b);
            }
            Op::Clear => {
                ours.clear();
                dict.clear();
                model.clear();
            }
            Op::Reserve(n) => {
                ours.reserve(usize::from(n));
                dict.reserve(usize::from(n));
            }
            Op::ShrinkToFit => {
                ours.shrink_to_fit();
                dict.shrink_to_fit();
            }
            Op::Retain(m) => {
                let keep = |v: u32| v % 3 != u32::from(m) % 3;
                ours.retain(|_, v| keep(**v));
                dict.retain(|_, v| keep(*v));
                model.retain(|_, v| keep(**v));
            }
            Op::Drain(n) => {
                let taken = ours.drain().take(usize::from(n)).count();
                assert!(taken <= model.len());
                assert!(ours.is_empty());
                for k in model.keys() {
                    dict.swap_remove(k);
                }
                model.clear();
            }
            Op::Clone => {
                let c = ours.clone();
                assert!(c == ours);
                ours = c;
                dict = dict.clone();
            }
        }
        assert_eq!(ours.len(), model.len());
        assert_eq!(dict.len(), model.len());
    }
    for (k, v) in &model {
        assert_eq!(ours.get(k), Some(v));
        assert_eq!(dict.get(k), Some(&**v));
    }
});
