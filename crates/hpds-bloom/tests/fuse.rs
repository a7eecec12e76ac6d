//! `BinaryFuseFilter`: no false negatives against a `HashSet` model, the false-positive rate
//! against theory, duplicates, the empty set, and total decoders.
//!
//! The rate: a non-member matches when the XOR of three fingerprint slots equals its own
//! fingerprint, probability `θ = 2^-B`. Over `N` independent non-members the false positives
//! are Binomial(N, θ), so the measured rate lies within `Z · sqrt(θ (1 - θ) / N)` of θ except
//! with probability about 1e-6 for Z = 5. A wrong implementation (fingerprints from the wrong
//! bits, slots outside their segments) misses by far more: a 7-bit fingerprint doubles θ.

use std::collections::HashSet;

use hpds_bloom::{BinaryFuse8, BinaryFuse16, BinaryFuseFilter, Fingerprint};
use hpds_core::ByteCodec;
use hpds_core::codec::Encoder;
use hpds_testkit::streams::distinct_u64s;
use proptest::prelude::*;

const Z: f64 = 5.0;

fn measured_rate<F: Fingerprint>(n: usize, queries: usize, trials: u64) -> (f64, f64) {
    let mut hits = 0usize;
    for trial in 0..trials {
        // Members and non-members: disjoint stretches of one stream of distinct keys.
        let mut stream = distinct_u64s(0xf05e + trial);
        let members: Vec<u64> = stream.by_ref().take(n).collect();
        let f = BinaryFuseFilter::<F>::from_hashes(&members).unwrap();
        assert!(members.iter().all(|&k| f.contains_hash(k)));
        hits += stream.take(queries).filter(|&k| f.contains_hash(k)).count();
    }
    let total = queries as f64 * trials as f64;
    let theory = (-f64::from(F::BITS)).exp2();
    let bound = Z * (theory * (1.0 - theory) / total).sqrt();
    (hits as f64 / total - theory, bound)
}

#[test]
fn fpr_8_bit_matches_theory() {
    let (dev, bound) = measured_rate::<u8>(200_000, 500_000, 4);
    assert!(dev.abs() <= bound, "deviation {dev:.3e}, bound {bound:.3e}");
}

#[test]
fn fpr_16_bit_matches_theory() {
    let (dev, bound) = measured_rate::<u16>(200_000, 2_000_000, 2);
    assert!(dev.abs() <= bound, "deviation {dev:.3e}, bound {bound:.3e}");
}

#[test]
fn memory_at_a_million_items() {
    let keys: Vec<u64> = distinct_u64s(1).take(1_000_000).collect();
    let f = BinaryFuse8::from_hashes(&keys).unwrap();
    assert!(f.bits_per_item() <= 9.1, "{}", f.bits_per_item());
    let g = BinaryFuse16::from_hashes(&keys).unwrap();
    assert!(g.bits_per_item() <= 18.2, "{}", g.bits_per_item());
}

#[test]
fn items_of_any_type_with_the_same_bytes_agree() {
    let words = ["alpha", "beta", "gamma"];
    let f = BinaryFuse8::new(words).unwrap();
    assert!(f.contains("beta") && f.contains(&String::from("gamma")));
    assert_eq!(f.count_contained(&words), 3);
    let g = BinaryFuse8::with_seed(words, 7).unwrap();
    assert_eq!(g.seed(), 7);
    assert!(words.iter().all(|w| g.contains(w)));
    let h = BinaryFuse16::from_hash_iter(0..1000u64).unwrap();
    assert!((0..1000u64).all(|k| h.contains_hash(k)));
    assert_eq!(
        h.count_contained_hashes(&(0..1000).collect::<Vec<_>>()),
        1000
    );
}

fn sets() -> impl Strategy<Value = Vec<u64>> {
    // Small key ranges force duplicates; `any` gives spread keys.
    prop_oneof![
        prop::collection::vec(any::<u64>(), 0..600),
        prop::collection::vec(0u64..50, 0..600),
        prop::collection::vec(any::<u64>(), 0..20)
            .prop_map(|v| { v.iter().flat_map(|&k| std::iter::repeat_n(k, 5)).collect() }),
    ]
}

/// Re-frames an arbitrary payload with a valid header and checksum, so the payload's own
/// validation is what is tested.
fn framed(tag: [u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut enc = Encoder::new(tag, 1);
    enc.put_raw(payload);
    enc.finish()
}

proptest! {
    #[test]
    fn no_false_negatives(keys in sets(), probes in prop::collection::vec(any::<u64>(), 0..200)) {
        let model: HashSet<u64> = keys.iter().copied().collect();
        let f = BinaryFuse8::from_hashes(&keys).unwrap();
        let g = BinaryFuse16::from_hashes(&keys).unwrap();
        prop_assert_eq!(f.len(), model.len() as u64);
        prop_assert_eq!(g.len(), model.len() as u64);
        for k in &model {
            prop_assert!(f.contains_hash(*k) && g.contains_hash(*k));
        }
        // Non-members: answers may be false positives, never a panic; none when empty.
        for p in probes {
            let (a, b) = (f.contains_hash(p), g.contains_hash(p));
            if model.is_empty() {
                prop_assert!(!a && !b);
            }
        }
        let back = BinaryFuse8::from_bytes(&f.to_bytes()).unwrap();
        prop_assert_eq!(&back, &f);
        prop_assert_eq!(BinaryFuse16::from_bytes(&g.to_bytes()).unwrap(), g);
    }

    #[test]
    fn decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = BinaryFuse8::from_bytes(&bytes);
        let _ = BinaryFuse16::from_bytes(&bytes);
        let _ = BinaryFuse8::from_bytes(&framed(*b"BFF8", &bytes));
        let _ = BinaryFuse16::from_bytes(&framed(*b"BF16", &bytes));
    }

    #[test]
    fn corrupted_payloads_decode_to_usable_filters_or_errors(
        keys in prop::collection::vec(any::<u64>(), 0..100),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        probes in prop::collection::vec(any::<u64>(), 0..50),
    ) {
        let f = BinaryFuse8::from_hashes(&keys).unwrap();
        let bytes = f.to_bytes();
        // Payload: after magic, kind, tag, version and length; before the checksum.
        let start = 2 + 1 + 4 + 1 + (bytes.len() > 128 + 12) as usize + 1;
        let mut payload = bytes[start..bytes.len() - 4].to_vec();
        for (i, x) in flips {
            let j = i.index(payload.len());
            payload[j] ^= x | 1;
        }
        if let Ok(g) = BinaryFuse8::from_bytes(&framed(*b"BFF8", &payload)) {
            for p in probes {
                let _ = g.contains_hash(p);
            }
        }
    }
}
