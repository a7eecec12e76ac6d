//! UltraLogLog and ExaLogLog merges, also across precisions and representations, equal the
//! sketch of the concatenated streams; `reduce` equals building at the lower precision.
#![no_main]

use arbitrary::Arbitrary;
use hpds_loglog::{ExaLogLog, UltraLogLog};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    p: u8,
    dp: u8,
    params: u8,
    a: Vec<u64>,
    b: Vec<u64>,
    /// Repeat the streams to reach the dense representation.
    spread: u16,
}

fn expand(hs: &[u64], spread: u16) -> Vec<u64> {
    let k = u64::from(spread % 64) + 1;
    hs.iter()
        .flat_map(|&h| {
            (0..k).map(move |i| h.rotate_left(i as u32 * 7) ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        })
        .collect()
}

fuzz_target!(|input: Input| {
    let p = 4 + input.p % 10;
    let q = p + input.dp % 4;
    let a = expand(&input.a, input.spread);
    let b = expand(&input.b, input.spread);
    let both: Vec<u64> = a.iter().chain(&b).copied().collect();

    let ull = |p: u8, hs: &[u64]| {
        let mut s = UltraLogLog::new(p).unwrap();
        s.insert_hashes(hs);
        s
    };
    let mut m = ull(p, &a);
    m.merge(&ull(q, &b)).unwrap();
    assert_eq!(m.registers(), ull(p, &both).registers());
    assert_eq!(
        ull(q, &a).reduce(p).unwrap().registers(),
        ull(p, &a).registers()
    );

    let (t, d) = [(2u8, 20u8), (2, 24), (1, 9), (0, 2), (0, 0)][usize::from(input.params % 5)];
    let ell = |p: u8, hs: &[u64]| {
        let mut s = ExaLogLog::builder().precision(p).t(t).d(d).build().unwrap();
        s.insert_hashes(hs);
        s
    };
    let mut m = ell(p, &a);
    m.merge(&ell(q, &b)).unwrap();
    assert_eq!(m.registers(), ell(p, &both).registers());
    assert_eq!(
        ell(q, &a).reduce(p).unwrap().registers(),
        ell(p, &a).registers()
    );
});
