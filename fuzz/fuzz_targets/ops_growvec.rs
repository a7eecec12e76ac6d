//! Arbitrary operation sequences on `GrowVec` (each policy) agree with `Vec`.
#![no_main]

use arbitrary::Arbitrary;
use hpds_vec::{GrowVec, Policy};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Push(u16),
    Pop,
    Insert(u16, u16),
    Remove(u16),
    SwapRemove(u16),
    Truncate(u8),
    Clear,
    Extend(Vec<u16>),
    Reserve(u8),
    ShrinkToFit,
    Retain(u8),
    Drain(u16, u16, u8),
    IntoBoxed,
}

#[derive(Arbitrary, Debug)]
struct Input {
    policy: u8,
    ops: Vec<Op>,
}

fuzz_target!(|input: Input| {
    let policy = Policy::ALL[usize::from(input.policy) % Policy::ALL.len()];
    let mut v: GrowVec<String, Policy> = GrowVec::with_policy(policy);
    let mut m: Vec<String> = Vec::new();
    for op in input.ops {
        let len = m.len();
        match op {
            Op::Push(x) => {
                v.push(x.to_string());
                m.push(x.to_string());
            }
            Op::Pop => assert_eq!(v.pop(), m.pop()),
            Op::Insert(i, x) => {
                let i = usize::from(i) % (len + 1);
                v.insert(i, x.to_string());
                m.insert(i, x.to_string());
            }
            Op::Remove(i) if len > 0 => {
                let i = usize::from(i) % len;
                assert_eq!(v.remove(i), m.remove(i));
            }
            Op::SwapRemove(i) if len > 0 => {
                let i = usize::from(i) % len;
                assert_eq!(v.swap_remove(i), m.swap_remove(i));
            }
            Op::Remove(_) | Op::SwapRemove(_) => {}
            Op::Truncate(n) => {
                v.truncate(usize::from(n));
                m.truncate(usize::from(n));
            }
            Op::Clear => {
                v.clear();
                m.clear();
            }
            Op::Extend(xs) => {
                v.extend(xs.iter().map(u16::to_string));
                m.extend(xs.iter().map(u16::to_string));
            }
            Op::Reserve(n) => v.reserve(usize::from(n)),
            Op::ShrinkToFit => v.shrink_to_fit(),
            Op::Retain(k) => {
                let k = usize::from(k % 4) + 1;
                v.retain(|s| s.len() % k == 0);
                m.retain(|s| s.len() % k == 0);
            }
            Op::Drain(a, b, take) => {
                let (a, b) = (usize::from(a) % (len + 1), usize::from(b) % (len + 1));
                let (a, b) = (a.min(b), a.max(b));
                let got: Vec<String> = v.drain(a..b).take(usize::from(take)).collect();
                let want: Vec<String> = m.drain(a..b).take(usize::from(take)).collect();
                assert_eq!(got, want);
            }
            Op::IntoBoxed => {
                let b = std::mem::replace(&mut v, GrowVec::with_policy(policy)).into_boxed_slice();
                v = GrowVec::from_vec_with_policy(b.into_vec(), policy);
            }
        }
        assert_eq!(v.as_slice(), m.as_slice());
        assert!(v.len() <= v.capacity());
    }
});
