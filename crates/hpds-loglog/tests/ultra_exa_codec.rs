//! UltraLogLog and ExaLogLog byte formats: golden bytes, round trips, sizes, and arbitrary
//! input never panics.

use hpds_core::ByteCodec;
use hpds_loglog::{ExaLogLog, UltraLogLog};
use hpds_testkit::streams::distinct_u64s;
use proptest::prelude::*;

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn hashes(seed: u64, n: usize) -> Vec<u64> {
    distinct_u64s(seed).take(n).collect()
}

/// Three fixed hashes at precision 8 (sparse) and 4 (dense), so the vectors do not depend on
/// how items are hashed.
const THREE: [u64; 3] = [
    0x0123_4567_89ab_cdef,
    0xfedc_ba98_7654_3210,
    0x8000_0000_0000_0001,
];

const GOLDEN_ULL_SPARSE: &str = "687000554c4c2001102803c08a8d09e5f5f2f607dcf4f2f6072d393539";
const GOLDEN_ULL_DENSE: &str = "687000554c4c200111041000000000000000f0000000000000041a781894";
const GOLDEN_ELL_SPARSE: &str = "687000454c4c20010f680214034087f7cdd706b990e4d002df3f2760";
const GOLDEN_ELL_DENSE: &str = "687000454c4c20012b440109000be26df01109400004000000000000000000000000002000020000000000000000000000000000aca8507d";
/// Without martingale tracking (the default): no martingale flag, and no estimate.
const GOLDEN_ELL_SPARSE_PLAIN: &str = "687000454c4c20010f280214034087f7cdd706b990e4d002a96a6073";
const GOLDEN_ELL_DENSE_PLAIN: &str = "687000454c4c20012304010900040000000000000000000000000020000200000000000000000000000000005913f0ec";

#[test]
fn golden_bytes() {
    let mut u8_ = UltraLogLog::new(8).unwrap();
    u8_.insert_hashes(&THREE);
    let mut u4 = UltraLogLog::new(4).unwrap();
    u4.insert_hashes(&THREE);
    let ell = |p, t, d, martingale| {
        let mut e = ExaLogLog::builder()
            .precision(p)
            .t(t)
            .d(d)
            .martingale(martingale)
            .build()
            .unwrap();
        e.insert_hashes(&THREE);
        e
    };
    let (e8, e4) = (ell(8, 2, 20, true), ell(4, 1, 9, true));
    let (e8_plain, e4_plain) = (ell(8, 2, 20, false), ell(4, 1, 9, false));
    assert!(u8_.is_sparse() && !u4.is_sparse() && e8.is_sparse() && !e4.is_sparse());
    for (name, s, golden) in [
        ("ull sparse", u8_.to_bytes(), GOLDEN_ULL_SPARSE),
        ("ull dense", u4.to_bytes(), GOLDEN_ULL_DENSE),
        ("ell sparse", e8.to_bytes(), GOLDEN_ELL_SPARSE),
        ("ell dense", e4.to_bytes(), GOLDEN_ELL_DENSE),
        (
            "ell sparse plain",
            e8_plain.to_bytes(),
            GOLDEN_ELL_SPARSE_PLAIN,
        ),
        (
            "ell dense plain",
            e4_plain.to_bytes(),
            GOLDEN_ELL_DENSE_PLAIN,
        ),
    ] {
        assert_eq!(hex(&s), golden, "{name}");
    }
}

#[test]
fn round_trips_at_every_size() {
    for n in [0usize, 1, 10, 100, 1000, 10_000, 100_000] {
        let hs = hashes(n as u64, n);
        let mut u = UltraLogLog::new(12).unwrap();
        u.insert_hashes(&hs);
        assert_eq!(UltraLogLog::from_bytes(&u.to_bytes()).unwrap(), u);
        for ((t, d), mg) in [(2u8, 20u8), (2, 24), (1, 9), (0, 0)]
            .into_iter()
            .flat_map(|td| [(td, false), (td, true)])
        {
            let mut e = ExaLogLog::builder()
                .precision(10)
                .t(t)
                .d(d)
                .seed(9)
                .martingale(mg)
                .build()
                .unwrap();
            e.insert_hashes(&hs);
            let back = ExaLogLog::from_bytes(&e.to_bytes()).unwrap();
            assert_eq!(back, e);
            assert_eq!(back.estimate(), e.estimate());
            let mut merged = e.clone();
            merged.merge(&back).unwrap();
            let back = ExaLogLog::from_bytes(&merged.to_bytes()).unwrap();
            assert_eq!(back, merged);
        }
    }
}

#[test]
fn serialized_sizes() {
    // Dense: the registers plus the frame, header and (ELL, insert-only) the martingale.
    let hs = hashes(3, 1_000_000);
    let mut u = UltraLogLog::new(12).unwrap();
    u.insert_hashes(&hs);
    assert!(
        (4096..4096 + 16).contains(&u.to_bytes().len()),
        "{}",
        u.to_bytes().len()
    );
    let mut e = ExaLogLog::new(12).unwrap();
    e.insert_hashes(&hs);
    let len = e.to_bytes().len();
    assert!((14_336..14_336 + 32).contains(&len), "{len}");
    // Sparse: under 4 bytes per token (varint gaps).
    let mut s = UltraLogLog::new(14).unwrap();
    s.insert_hashes(&hs[..500]);
    assert!(
        s.is_sparse() && s.to_bytes().len() < 4 * 500,
        "{}",
        s.to_bytes().len()
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_round_trip() {
    let mut u = UltraLogLog::new(10).unwrap();
    u.insert_hashes(&hashes(1, 3000));
    let json = serde_json::to_string(&u).unwrap();
    assert_eq!(serde_json::from_str::<UltraLogLog>(&json).unwrap(), u);
    let mut e = ExaLogLog::new(10).unwrap();
    e.insert_hashes(&hashes(1, 3000));
    let json = serde_json::to_string(&e).unwrap();
    assert_eq!(serde_json::from_str::<ExaLogLog>(&json).unwrap(), e);
}

fn payload(bytes: &[u8]) -> Vec<u8> {
    hpds_core::codec::Decoder::open(bytes, *b"ELL ", 1)
        .or_else(|_| hpds_core::codec::Decoder::open(bytes, *b"ULL ", 1))
        .map(|(mut d, _)| d.take(d.remaining()).unwrap().to_vec())
        .unwrap()
}

fn reframe(tag: [u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut enc = hpds_core::codec::Encoder::new(tag, 1);
    enc.put_raw(payload);
    enc.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 8 } else { 512 }))]

    /// Arbitrary payloads behind a valid frame: an error or a sketch that re-encodes to the
    /// same bytes, never a panic.
    #[test]
    fn arbitrary_payloads_never_panic(data in prop::collection::vec(any::<u8>(), 0..600), p in 4u8..=9, sparse in any::<bool>()) {
        let mut ull_payload = vec![p | if sparse { 1 << 5 } else { 0 }];
        ull_payload.extend_from_slice(&data);
        let bytes = reframe(*b"ULL ", &ull_payload);
        if let Ok(s) = UltraLogLog::from_bytes(&bytes) {
            prop_assert_eq!(s.to_bytes(), bytes);
            let _ = s.estimate();
        }
        let mut ell_payload = vec![p | if sparse { 1 << 5 } else { 0 }, 1, 9];
        ell_payload.extend_from_slice(&data);
        let bytes = reframe(*b"ELL ", &ell_payload);
        if let Ok(s) = ExaLogLog::from_bytes(&bytes) {
            prop_assert_eq!(s.to_bytes(), bytes);
            let _ = s.estimate();
        }
        let _ = UltraLogLog::from_bytes(&data);
        let _ = ExaLogLog::from_bytes(&data);
    }

    /// Every single-byte corruption of a valid payload is rejected or decodes to a sketch
    /// that re-encodes to itself.
    #[test]
    fn corrupted_payloads_never_panic(i in any::<prop::sample::Index>(), x in 1u8..=255, n in 0usize..3000) {
        let hs = hashes(n as u64, n);
        let mut u = UltraLogLog::new(8).unwrap();
        u.insert_hashes(&hs);
        let mut e = ExaLogLog::builder().precision(6).t(1).d(9).build().unwrap();
        e.insert_hashes(&hs);
        for (tag, bytes) in [(*b"ULL ", u.to_bytes()), (*b"ELL ", e.to_bytes())] {
            let mut pl = payload(&bytes);
            let at = i.index(pl.len());
            pl[at] ^= x;
            let bytes = reframe(tag, &pl);
            if tag == *b"ULL " {
                if let Ok(s) = UltraLogLog::from_bytes(&bytes) {
                    prop_assert_eq!(s.to_bytes(), bytes);
                }
            } else if let Ok(s) = ExaLogLog::from_bytes(&bytes) {
                let _ = s.estimate();
            }
        }
    }
}

/// Found by the `decode_ull` fuzz target: a sparse sketch whose token was written as an
/// overlong varint (`0x86 0x00` for 6) decoded, and re-encoded to other bytes. Every sketch has
/// one encoding, so it is refused.
#[test]
fn overlong_varints_are_refused() {
    let mut enc = hpds_core::codec::Encoder::new(*b"ULL ", 1);
    enc.put_raw(&[0x28, 0x01, 0x86, 0x00]);
    assert!(hpds_loglog::UltraLogLog::from_bytes(&enc.finish()).is_err());
    let mut enc = hpds_core::codec::Encoder::new(*b"ULL ", 1);
    enc.put_raw(&[0x28, 0x01, 0x06]);
    let canonical = enc.finish();
    let s = hpds_loglog::UltraLogLog::from_bytes(&canonical).unwrap();
    assert_eq!(s.to_bytes(), canonical);
}
