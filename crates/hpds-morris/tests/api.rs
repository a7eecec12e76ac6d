//! Edges, errors, saturation, codec (golden bytes and arbitrary input) and packing properties.

use hpds_core::codec::ByteCodec;
use hpds_core::{ApproximateCounter, ErrorKind, HeapSize};
use hpds_morris::{FastRng, MorrisArray, MorrisCounter};
use proptest::prelude::*;
use rand_core::SeedableRng;

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[test]
fn bad_parameters_are_errors() {
    for base in [1.0, 0.5, -2.0, f64::NAN, f64::INFINITY, 1e12] {
        let e = MorrisCounter::new(base).unwrap_err();
        assert!(matches!(
            e.kind(),
            ErrorKind::InvalidParameter { name: "base", .. }
        ));
        assert!(MorrisArray::new(4, base, 8).is_err());
    }
    for bits in [0, 9, 255] {
        assert!(MorrisCounter::with_rng(2.0, bits, FastRng::seed_from_u64(0)).is_err());
    }
    for bits in [0, 1, 5, 7, 16] {
        assert!(MorrisArray::new(4, 2.0, bits).is_err());
    }
    assert!(MorrisArray::new(0, 2.0, 8).is_err());
    let c = MorrisCounter::with_seed(2.0, 1).unwrap();
    for conf in [0.0, 1.0, -0.5, 2.0, f64::NAN] {
        assert!(c.confidence_interval(conf).is_err());
    }
}

#[test]
fn first_increment_is_certain_and_estimates_are_exact_at_small_exponents() {
    let mut c = MorrisCounter::with_seed(2.0, 9).unwrap();
    assert_eq!((c.estimate(), c.exponent()), (0.0, 0));
    assert_eq!(c.confidence_interval(0.95).unwrap(), (0.0, 0.0));
    c.increment();
    assert_eq!((c.estimate(), c.exponent()), (1.0, 1));
    c.increment_by(0);
    assert_eq!(c.exponent(), 1);
    let mut d = MorrisCounter::with_seed(1.5, 9).unwrap();
    d.increment_by(1);
    assert_eq!(d.estimate(), 1.0);
    c.clear();
    assert_eq!(c.exponent(), 0);
}

#[test]
fn saturation_is_handled_never_an_overflow() {
    // 4-bit base-2 counter: the top exponent is 15, the range 2^15 - 1.
    let mut c = MorrisCounter::with_rng(2.0, 4, FastRng::seed_from_u64(3)).unwrap();
    c.increment_by(u64::MAX);
    assert!(c.is_saturated());
    assert_eq!(c.exponent(), 15);
    assert_eq!(c.estimate(), 32_767.0);
    c.increment_by(u64::MAX);
    (0..1000).for_each(|_| c.increment());
    assert_eq!(c.exponent(), 15);
    assert_eq!(c.confidence_interval(0.9).unwrap().1, f64::INFINITY);
    // 8-bit base 2 stops at 64, where 2^-64 is the last probability a u64 draw resolves.
    let mut c = MorrisCounter::with_seed(2.0, 4).unwrap();
    assert_eq!(c.max_exponent(), 64);
    for _ in 0..100 {
        c.increment_by(u64::MAX);
    }
    assert!(c.exponent() > 55 && c.estimate().is_finite());
    // An array saturates per counter without touching its neighbour nibble.
    let mut a = MorrisArray::with_seed(3, 2.0, 4, 1).unwrap();
    a.increment_by(1, u64::MAX);
    a.increment_by(1, u64::MAX);
    assert_eq!(a.exponents().collect::<Vec<_>>(), vec![0, 15, 0]);
    // Merging saturated counters stays saturated.
    let mut b = a.clone();
    b.merge(&a).unwrap();
    assert_eq!(b.exponent(1), 15);
}

#[test]
fn ranges_and_errors_are_reported() {
    let c = MorrisCounter::with_seed(1.08, 0).unwrap();
    assert_eq!(c.max_exponent(), 255);
    assert!(c.max_estimate() > 4e9, "{}", c.max_estimate());
    assert!((c.relative_std_error() - 0.2).abs() < 1e-12);
    let a = MorrisArray::with_seed(10, 4.0, 4, 0).unwrap();
    assert_eq!(a.max_exponent(), 15);
    assert!((a.max_estimate() - (4f64.powi(15) - 1.0) / 3.0).abs() < 1.0);
    assert_eq!(a.heap_bytes(), 5 + 16 * 8);
    assert_eq!(c.heap_bytes(), 0);
    assert_eq!(a.get(10), None);
    assert_eq!(a.get(9), Some(0.0));
}

#[test]
fn confidence_interval_covers_the_truth() {
    // 95 % intervals should cover the true count in roughly 95 % of 2000 trials. The normal
    // approximation is rough for a skewed law, so only gross failures are checked: coverage
    // between 85 % and 100 % (the binomial sd at 95 % is 0.5 %).
    for base in [1.1, 1.5] {
        let covered = (0..2000u64)
            .filter(|&s| {
                let mut c = MorrisCounter::with_seed(base, s).unwrap();
                c.increment_by(50_000);
                let (lo, hi) = c.confidence_interval(0.95).unwrap();
                lo <= 50_000.0 && 50_000.0 <= hi
            })
            .count();
        assert!(covered >= 1700, "base {base}: {covered} / 2000");
    }
}

#[test]
fn merge_rules() {
    let mut a = MorrisCounter::with_seed(2.0, 1).unwrap();
    let b = MorrisCounter::with_seed(1.5, 1).unwrap();
    assert!(matches!(
        a.merge(&b).unwrap_err().kind(),
        ErrorKind::Incompatible { what: "base", .. }
    ));
    let c = MorrisCounter::with_rng(2.0, 4, FastRng::seed_from_u64(0)).unwrap();
    assert!(a.merge(&c).is_err());
    // The empty counter is the identity on either side.
    a.increment_by(5000);
    let before = a.exponent();
    a.merge(&MorrisCounter::with_seed(2.0, 7).unwrap()).unwrap();
    assert_eq!(a.exponent(), before);
    let mut e = MorrisCounter::with_seed(2.0, 8).unwrap();
    e.merge(&a).unwrap();
    assert_eq!(e.exponent(), before);
    let x = MorrisArray::with_seed(4, 2.0, 8, 0).unwrap();
    let mut y = MorrisArray::with_seed(5, 2.0, 8, 0).unwrap();
    assert!(y.merge(&x).is_err());
    assert!(
        y.merge(&MorrisArray::with_seed(5, 2.0, 4, 0).unwrap())
            .is_err()
    );
}

#[test]
fn trait_and_std_impls() {
    fn drive(c: &mut impl ApproximateCounter) -> f64 {
        c.increment();
        c.increment_by(99);
        c.estimate()
    }
    let mut c = MorrisCounter::default();
    assert!(drive(&mut c) >= 1.0);
    assert_eq!(c.base(), 2.0);
    assert_eq!(c.bits(), 8);
    let d = c.clone();
    assert_eq!(c, d);
    assert!(format!("{c:?}").contains("MorrisCounter"));
    let a = MorrisArray::new(3, 2.0, 8).unwrap();
    assert!(format!("{a:?}").contains("len: 3"));
}

#[test]
fn golden_bytes() {
    // Format version 1, fixed by these vectors: a change here is a format change.
    let mut c = MorrisCounter::with_seed(2.0, 1).unwrap();
    c.increment_by(1);
    // Compact hpds frame: magic "hp", kind 6 ("MRSC"), version 1, length 10; 4-byte checksum.
    let payload = concat!(
        "0000000000000040",
        "08",
        "01", // base 2.0, 8 bits, exponent 1
    );
    let expected = format!("687006010a{payload}c7bc4908");
    assert_eq!(hex(&c.to_bytes()), expected);
    assert_eq!(
        MorrisCounter::<FastRng>::from_bytes(&c.to_bytes()).unwrap(),
        c
    );
    // The legacy frame (26 bytes) still decodes.
    let legacy = unhex(&format!(
        "485044534d52534301000a00000000000000{payload}b10fd4d5d72d7e93"
    ));
    assert_eq!(MorrisCounter::<FastRng>::from_bytes(&legacy).unwrap(), c);
    let mut a = MorrisArray::with_seed(3, 4.0, 4, 1).unwrap();
    a.increment(0);
    a.increment(2);
    let payload = concat!(
        "0000000000001040",
        "04",
        "0300000000000000", // base 4.0, 4 bits, 3 counters
        "0200000000000000",
        "0101", // 2 packed bytes: [1, 0], [1, pad]
    );
    // Kind 7 ("MRSA"), version 1, length 27.
    let bytes = a.to_bytes();
    assert_eq!(
        hex(&bytes[..bytes.len() - 4]),
        format!("687007011b{payload}")
    );
    assert_eq!(MorrisArray::<FastRng>::from_bytes(&bytes).unwrap(), a);
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

proptest! {
    #[test]
    fn counter_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = MorrisCounter::<FastRng>::from_bytes(&bytes);
        let _ = MorrisArray::<FastRng>::from_bytes(&bytes);
    }

    #[test]
    fn counter_roundtrip(base in 1.000_1f64..100.0, bits in 1u8..=8, n in 0u64..1_000_000) {
        let mut c = MorrisCounter::with_rng(base, bits, FastRng::seed_from_u64(n)).unwrap();
        c.increment_by(n);
        let d = MorrisCounter::<FastRng>::from_bytes(&c.to_bytes()).unwrap();
        prop_assert_eq!(&c, &d);
        // Every single-byte corruption is detected (checksum) or decodes to a valid counter.
        let mut bytes = c.to_bytes();
        for i in 0..bytes.len() {
            bytes[i] ^= 0x5a;
            prop_assert!(MorrisCounter::<FastRng>::from_bytes(&bytes).is_err());
            bytes[i] ^= 0x5a;
        }
    }

    #[test]
    fn array_roundtrip(len in 1usize..40, bits in prop_oneof![Just(4u8), Just(8u8)],
                       ops in proptest::collection::vec((0usize..40, 0u64..5000), 0..60)) {
        let mut a = MorrisArray::with_seed(len, 3.0, bits, 1).unwrap();
        for (i, n) in ops {
            a.increment_by(i % len, n);
        }
        let b = MorrisArray::<FastRng>::from_bytes(&a.to_bytes()).unwrap();
        prop_assert_eq!(&a, &b);
    }

    /// 4-bit and 8-bit arrays share the draw sequence; below the 4-bit top exponent they must
    /// hold identical exponents, so any packing bug (a neighbour nibble clobbered) shows.
    #[test]
    fn packed_nibbles_match_bytes(len in 1usize..30,
                                  ops in proptest::collection::vec((0usize..30, 0u64..200, any::<bool>()), 0..80)) {
        let mut four = MorrisArray::with_seed(len, 4.0, 4, 9).unwrap();
        let mut eight = MorrisArray::with_seed(len, 4.0, 8, 9).unwrap();
        let mut model = vec![0u8; len];
        for (i, n, single) in ops {
            let i = i % len;
            if single {
                four.increment(i);
                eight.increment(i);
            } else {
                four.increment_by(i, n);
                eight.increment_by(i, n);
            }
            model[i] = eight.exponent(i);
            prop_assume!(model[i] < 15);
            prop_assert_eq!(four.exponents().collect::<Vec<_>>(), model.clone());
            prop_assert_eq!(eight.exponents().collect::<Vec<_>>(), model.clone());
        }
    }
}

#[cfg(feature = "serde")]
#[test]
fn serde_roundtrip_and_validation() {
    let mut c = MorrisCounter::with_seed(1.5, 3).unwrap();
    c.increment_by(777);
    let json = serde_json::to_string(&c).unwrap();
    let d: MorrisCounter = serde_json::from_str(&json).unwrap();
    assert_eq!(c, d);
    let mut a = MorrisArray::with_seed(5, 2.0, 4, 1).unwrap();
    a.increment_by(4, 100);
    let b: MorrisArray = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    assert_eq!(a, b);
    // The encoding is validated on the way in (see tests/serde.rs for the convention).
    assert!(serde_json::from_str::<MorrisArray>(r#""aGVsbG8=""#).is_err());
}
