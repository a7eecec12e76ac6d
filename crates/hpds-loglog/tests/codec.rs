//! The byte format: round trips, golden bytes, and arbitrary input never panics.

use hpds_core::{ByteCodec, DecodeError, ErrorKind};
use hpds_loglog::{HyperLogLog, HyperLogLogPlusPlus, LogLog, SuperLogLog};
use hpds_testkit::streams::distinct_u64s;
use proptest::prelude::*;

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn three<S: Extend<&'static str>>(mut s: S) -> S {
    s.extend(["apple", "banana", "cherry"]);
    s
}

// Golden vectors of format version 1 (uncompressed registers, varint sparse list): retired,
// since version 1 and 2 hashed strings through `Hash` rather than their bytes.
const GOLDEN_HLL: &str = "48504453484c4c36010016000000000000000401c89bdbb39fef0840001000000000000000800010d4d4c44f075c761d";
const GOLDEN_LOGLOG: &str = "485044534c4c4f47010016000000000000000401c89bdbb39fef08400010000000000000008000106140a66ef283ddd7";
const GOLDEN_SUPERLOGLOG: &str = "48504453534c4c47010016000000000000000401c89bdbb39fef0840001000000000000000800010375b784b05130f26";
const GOLDEN_PP_SPARSE: &str =
    "48504453484c4c5001001300000000000000010801030e82a6aeb801819f859e05be839d6fe0de825573375cb2";
const GOLDEN_PP_DENSE: &str = "48504453484c4c5001001700000000000000000401c89bdbb39fef0840001000000000000000800010606988111eb9fd97";

// Golden vectors of format version 2 (nibble registers, Rice-coded sparse list) in the
// legacy 26-byte hpds frame: retired like version 1.
const GOLDEN_V2_HLL: &str =
    "48504453484c4c360200130000000000000044c89bdbb39fef0840010000010000000020402554d796e4db6009";
const GOLDEN_V2_LOGLOG: &str =
    "485044534c4c4f470200130000000000000044c89bdbb39fef08400100000100000000204003f834d4914211b9";
const GOLDEN_V2_SUPERLOGLOG: &str =
    "48504453534c4c470200130000000000000044c89bdbb39fef084001000001000000002040d8e5c08774a78194";
const GOLDEN_V2_PP_SPARSE: &str =
    "48504453484c4c5002000d00000000000000680317985cb8ada7e039069d378e147d9b41dfcb6e";
const GOLDEN_V2_PP_DENSE: &str =
    "48504453484c4c500200130000000000000044c89bdbb39fef0840010000010000000020400a141bf3d1ef2633";

// Golden vectors of format version 3 (laid out as version 2) in the compact hpds frame (what
// `to_bytes` writes): a format change must be deliberate (bump VERSION).
const GOLDEN_V3C_HLL: &str = "687002031344ca90a90c99ca08400100000010000000010105473273";
const GOLDEN_V3C_LOGLOG: &str = "687003031344ca90a90c99ca0840010000001000000001017f655fda";
const GOLDEN_V3C_SUPERLOGLOG: &str = "687004031344ca90a90c99ca084001000000100000000101a1fcbbf7";
const GOLDEN_V3C_PP_SPARSE: &str = "687001030d680316db27c5dd0069460aab0f593f645b";
const GOLDEN_V3C_PP_DENSE: &str = "687001031344ca90a90c99ca084001000000100000000101a0ca1247";

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn golden_bytes() {
    let cases = [
        (
            hex(&three(HyperLogLog::new(4).unwrap()).to_bytes()),
            GOLDEN_V3C_HLL,
        ),
        (
            hex(&three(LogLog::new(4).unwrap()).to_bytes()),
            GOLDEN_V3C_LOGLOG,
        ),
        (
            hex(&three(SuperLogLog::new(4).unwrap()).to_bytes()),
            GOLDEN_V3C_SUPERLOGLOG,
        ),
        (
            hex(&three(HyperLogLogPlusPlus::new(8).unwrap()).to_bytes()),
            GOLDEN_V3C_PP_SPARSE,
        ),
        (
            hex(&three(HyperLogLogPlusPlus::new(4).unwrap()).to_bytes()),
            GOLDEN_V3C_PP_DENSE,
        ),
    ];
    let got: Vec<&str> = cases.iter().map(|(got, _)| got.as_str()).collect();
    let want: Vec<&str> = cases.iter().map(|&(_, want)| want).collect();
    assert_eq!(got, want, "encoding changed");
    let back =
        HyperLogLogPlusPlus::from_bytes(&three(HyperLogLogPlusPlus::new(8).unwrap()).to_bytes())
            .unwrap();
    assert_eq!(back.estimate().round(), 3.0);
}

/// Versions 1 and 2 hashed strings through `Hash`: decoding them is refused, naming the oldest
/// readable version.
#[test]
fn retired_versions_are_refused() {
    fn retired<T: ByteCodec + std::fmt::Debug>(hex: &str) {
        let err = T::from_bytes(&unhex(hex)).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::Decode(DecodeError::RetiredVersion { oldest: 3, .. })
            ),
            "{err}"
        );
    }
    for hex in [GOLDEN_HLL, GOLDEN_V2_HLL] {
        retired::<HyperLogLog>(hex);
    }
    for hex in [GOLDEN_LOGLOG, GOLDEN_V2_LOGLOG] {
        retired::<LogLog>(hex);
    }
    for hex in [GOLDEN_SUPERLOGLOG, GOLDEN_V2_SUPERLOGLOG] {
        retired::<SuperLogLog>(hex);
    }
    for hex in [
        GOLDEN_PP_SPARSE,
        GOLDEN_PP_DENSE,
        GOLDEN_V2_PP_SPARSE,
        GOLDEN_V2_PP_DENSE,
    ] {
        retired::<HyperLogLogPlusPlus>(hex);
    }
}

/// The version-2 sizes: a sparse entry takes about `log2(2^25 / n) + 3.5` bits, dense
/// registers about half a byte each (against 6 bits packed).
#[test]
fn compact_sizes() {
    // The compact frame: magic 2, kind 1, version 1, length 2 (payloads of 128 bytes to
    // 16 KiB), checksum 4.
    let frame = 10;
    let mut pp = HyperLogLogPlusPlus::new(14).unwrap();
    for h in hpds_testkit::streams::random_u64s(3, 100) {
        pp.insert_hash(h);
    }
    let bits_per_entry = (25.0 - 100f64.log2() + 3.5) * 1.1;
    let bound = frame + 4 + (100.0 * bits_per_entry / 8.0) as usize;
    assert!(pp.is_sparse());
    assert!(
        pp.to_bytes().len() <= bound,
        "{} > {bound}",
        pp.to_bytes().len()
    );
    for h in hpds_testkit::streams::random_u64s(4, 1_000_000) {
        pp.insert_hash(h);
    }
    let dense = pp.to_bytes().len();
    assert!(dense <= frame + 1 + 8 + 2 + (1 << 13) + 40, "{dense}");
    let back = HyperLogLogPlusPlus::from_bytes(&pp.to_bytes()).unwrap();
    assert_eq!(back, pp);
}

#[test]
fn round_trips() {
    for n in [0usize, 1, 10, 300, 5_000, 100_000] {
        let items: Vec<u64> = distinct_u64s(n as u64).take(n).collect();
        let mut hll = HyperLogLog::new(12).unwrap();
        let mut pp = HyperLogLogPlusPlus::new(12).unwrap();
        let mut ll = LogLog::new(9).unwrap();
        let mut sll = SuperLogLog::new(16).unwrap();
        for &h in &items {
            hll.insert_hash(h);
            pp.insert_hash(h);
            ll.insert_hash(h);
            sll.insert_hash(h);
        }
        assert_eq!(HyperLogLog::from_bytes(&hll.to_bytes()).unwrap(), hll);
        assert_eq!(LogLog::from_bytes(&ll.to_bytes()).unwrap(), ll);
        assert_eq!(SuperLogLog::from_bytes(&sll.to_bytes()).unwrap(), sll);
        let back = HyperLogLogPlusPlus::from_bytes(&pp.to_bytes()).unwrap();
        assert_eq!(back, pp);
        assert_eq!(back.estimate(), pp.estimate());
        // A merged sketch keeps its "no HIP" state through the codec.
        let mut merged = hll.clone();
        merged.merge(&HyperLogLog::new(14).unwrap()).unwrap();
        merged.merge(&three(HyperLogLog::new(12).unwrap())).unwrap();
        let back = HyperLogLog::from_bytes(&merged.to_bytes()).unwrap();
        assert_eq!(back.hip_estimate(), merged.hip_estimate());
        assert_eq!(back.estimate(), merged.estimate());
    }
}

/// Every size through the sparse-to-dense conversion round trips, including sketches whose
/// sorted list is under the limit while list and insert buffer together are over it.
#[test]
fn round_trips_across_the_sparse_limit() {
    for p in [8u8, 12] {
        let mut pp = HyperLogLogPlusPlus::new(p).unwrap();
        for (i, h) in distinct_u64s(u64::from(p)).take(1 << (p - 1)).enumerate() {
            pp.insert_hash(h);
            let back = HyperLogLogPlusPlus::from_bytes(&pp.to_bytes())
                .unwrap_or_else(|e| panic!("p = {p}, {} items: {e}", i + 1));
            assert_eq!(back.estimate(), pp.estimate(), "p = {p}, {} items", i + 1);
        }
    }
}

#[test]
fn kinds_are_not_confused() {
    let bytes = three(HyperLogLog::new(4).unwrap()).to_bytes();
    assert!(LogLog::from_bytes(&bytes).is_err());
    assert!(HyperLogLogPlusPlus::from_bytes(&bytes).is_err());
}

#[cfg(feature = "serde")]
#[test]
fn serde_round_trip() {
    let pp = three(HyperLogLogPlusPlus::new(10).unwrap());
    let json = serde_json::to_string(&pp).unwrap();
    let back: HyperLogLogPlusPlus = serde_json::from_str(&json).unwrap();
    assert_eq!(back, pp);
    let hll = three(HyperLogLog::new(5).unwrap());
    let back: HyperLogLog = serde_json::from_str(&serde_json::to_string(&hll).unwrap()).unwrap();
    assert_eq!(back, hll);
    assert!(serde_json::from_str::<HyperLogLog>("[1,2,3]").is_err());
}

fn reframe(tag: [u8; 4], payload: &[u8]) -> Vec<u8> {
    reframe_v(tag, 1, payload)
}

fn reframe_v(tag: [u8; 4], version: u16, payload: &[u8]) -> Vec<u8> {
    let mut enc = hpds_core::codec::Encoder::new(tag, version);
    enc.put_raw(payload);
    enc.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 8 } else { 512 }))]

    /// Arbitrary bytes, raw and behind a valid frame (so the payload checks are reached),
    /// never panic; whatever decodes re-encodes to a sketch that decodes equal.
    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..200), p in 4u8..=9) {
        let mut framed_pp = vec![1, p.max(8), 1];
        framed_pp.extend_from_slice(&data);
        let mut framed_dense = vec![p];
        framed_dense.extend_from_slice(&data);
        // Version 2: a sparse header (p, sparse and insert-only flags), count 0-3, k 0-3, bits;
        // a dense header and the nibble kind.
        let mut v2_sparse = vec![p.max(8) | 0x60, data.first().map_or(0, |b| b & 3), data.get(1).map_or(0, |b| b & 3)];
        v2_sparse.extend_from_slice(&data);
        let mut v2_dense = vec![p, 1, data.first().map_or(0, |b| b & 7)];
        v2_dense.extend_from_slice(&data);
        // The plain sparse form: count 0-3, the plain marker, entries.
        let mut v3_plain = vec![p.max(8) | 0x20, data.first().map_or(0, |b| b & 3), 0xff];
        v3_plain.extend_from_slice(&data);
        for bytes in [data.clone(), reframe(*b"HLLP", &data), reframe(*b"HLLP", &framed_pp), reframe(*b"HLL6", &framed_dense), reframe(*b"LLOG", &framed_dense),
                      reframe_v(*b"HLLP", 3, &data), reframe_v(*b"HLLP", 3, &v2_sparse), reframe_v(*b"HLLP", 3, &v2_dense), reframe_v(*b"HLL6", 3, &v2_dense),
                      reframe_v(*b"HLLP", 3, &v3_plain)] {
            // Tokens are read exactly from what decodes to a sparse sketch of `q` and the
            // default seed.
            let q = p.max(8);
            let seed = HyperLogLogPlusPlus::default().seed();
            let mut tokens = vec![5];
            let read = HyperLogLogPlusPlus::read_sparse_tokens(&bytes, q, seed, &mut tokens);
            let sparse = HyperLogLogPlusPlus::from_bytes(&bytes)
                .ok()
                .filter(|s| s.is_sparse() && s.precision() == q && s.seed() == seed);
            prop_assert_eq!(read, sparse.is_some());
            let mut unsorted = vec![5];
            prop_assert_eq!(
                HyperLogLogPlusPlus::read_sparse_tokens_unsorted(&bytes, q, seed, &mut unsorted),
                read
            );
            if let Some(s) = sparse {
                prop_assert_eq!(&tokens[1..], &*s.sparse_tokens().unwrap());
            } else {
                prop_assert_eq!(&tokens, &[5]);
            }
            if let Ok(s) = HyperLogLogPlusPlus::from_bytes(&bytes) {
                let again = HyperLogLogPlusPlus::from_bytes(&s.to_bytes()).unwrap();
                prop_assert_eq!(&again, &s);
                let _ = s.estimate();
            }
            if let Ok(s) = HyperLogLog::from_bytes(&bytes) {
                prop_assert_eq!(HyperLogLog::from_bytes(&s.to_bytes()).unwrap(), s.clone());
                let _ = s.estimate();
            }
            if let Ok(s) = LogLog::from_bytes(&bytes) {
                let _ = s.estimate();
            }
        }
    }

    /// Corrupting one byte of a valid encoding is always detected (the checksum) or decodes
    /// to a valid sketch; it never panics.
    #[test]
    fn flipped_bytes_never_panic(i in any::<prop::sample::Index>(), x in 1u8..=255, n in 0usize..400) {
        let s: HyperLogLogPlusPlus = distinct_u64s(9).take(n).collect();
        let mut bytes = s.to_bytes();
        let at = i.index(bytes.len());
        bytes[at] ^= x;
        prop_assert!(HyperLogLogPlusPlus::from_bytes(&bytes).is_err());
        prop_assert!(!HyperLogLogPlusPlus::read_sparse_tokens(&bytes, 14, s.seed(), &mut Vec::new()));
    }
}

/// The payload of an encoding in the compact frame (one-byte kind, one-byte version).
fn payload(bytes: &[u8]) -> Vec<u8> {
    assert_eq!(&bytes[..2], b"hp");
    let mut dec = hpds_core::codec::Decoder::raw(&bytes[4..]);
    let len = dec.varint().unwrap() as usize;
    let start = bytes.len() - 4 - len;
    assert_eq!(start, 4 + bytes[4..].len() - dec.remaining());
    bytes[start..bytes.len() - 4].to_vec()
}

#[test]
fn nibble_exceptions_round_trip() {
    // Hash 0 gives the largest rank (61 at p = 4): an exception byte above 15 + base.
    let mut s = HyperLogLog::new(4).unwrap();
    s.insert_hash(0);
    s.insert_hash(u64::MAX);
    let back = HyperLogLog::from_bytes(&s.to_bytes()).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.registers().max(), Some(61));
    // Every register high: the base moves up, no exceptions.
    let mut t = HyperLogLog::new(6).unwrap();
    for h in hpds_testkit::streams::random_u64s(5, 200_000) {
        t.insert_hash(h);
    }
    assert!(t.registers().min().unwrap() > 5);
    assert_eq!(HyperLogLog::from_bytes(&t.to_bytes()).unwrap(), t);
}

#[test]
fn non_canonical_payloads_are_rejected() {
    // Sparse: a different Rice parameter, a trailing byte, non-zero padding.
    let s = three(HyperLogLogPlusPlus::new(10).unwrap());
    let p = payload(&s.to_bytes());
    assert_eq!(p[0] & 0x20, 0x20, "sparse");
    let mut wrong_k = p.clone();
    wrong_k[2] ^= 1;
    let mut trailing = p.clone();
    trailing.push(0);
    let mut padding = p.clone();
    *padding.last_mut().unwrap() |= 0x80;
    for bad in [wrong_k, trailing, padding] {
        assert!(HyperLogLogPlusPlus::from_bytes(&reframe_v(*b"HLLP", 3, &bad)).is_err());
    }
    assert_eq!(
        HyperLogLogPlusPlus::from_bytes(&reframe_v(*b"HLLP", 3, &p)).unwrap(),
        s
    );

    // Dense: a base below the smallest register, the packed form where nibbles are smaller.
    let d = three(HyperLogLog::new(4).unwrap());
    let p = payload(&d.to_bytes());
    let kind = 1 + 8; // header, HIP estimate
    assert_eq!(p[kind], 1, "nibbles");
    // Every zero nibble raised to 1: the smallest register is then above the base.
    let mut base_low = p.clone();
    for b in &mut base_low[kind + 2..kind + 2 + 8] {
        let (lo, hi) = (*b & 15, *b >> 4);
        *b = lo.max(1) | (hi.max(1) << 4);
    }
    assert!(HyperLogLog::from_bytes(&reframe_v(*b"HLL6", 3, &base_low)).is_err());
    let mut packed = p[..kind].to_vec();
    packed.push(0);
    packed.extend_from_slice(&[0; 12]);
    assert!(HyperLogLog::from_bytes(&reframe_v(*b"HLL6", 3, &packed)).is_err());
    // The default seed written out, and the sparse flag on a dense-only type.
    let mut seeded = vec![p[0] | 0x80];
    seeded.extend_from_slice(&hpds_core::hash::DEFAULT_SEED.to_le_bytes());
    seeded.extend_from_slice(&p[1..]);
    assert!(HyperLogLog::from_bytes(&reframe_v(*b"HLL6", 3, &seeded)).is_err());
    let mut sparse_flag = p.clone();
    sparse_flag[0] |= 0x20;
    assert!(HyperLogLog::from_bytes(&reframe_v(*b"HLL6", 3, &sparse_flag)).is_err());
}

/// What `append_plain_bytes` writes for `s` (which it canonicalizes, its buffer aside).
fn plain_bytes(s: &HyperLogLogPlusPlus) -> Vec<u8> {
    let mut out = Vec::new();
    s.clone().append_plain_bytes(&mut out);
    out
}

/// A version-3 sparse payload at precision 10 in the plain form: `count` written, then
/// `entries` as 4 bytes each (those past `count` are the unsorted ones).
fn plain_payload(count: u8, entries: &[u32]) -> Vec<u8> {
    let mut p = vec![0x0a | 0x20, count, 0xff];
    for e in entries {
        p.extend_from_slice(&e.to_le_bytes());
    }
    p
}

/// The tokens `read_sparse_tokens_unsorted` gives for `bytes` at precision `p`, sorted and
/// deduplicated as `read_sparse_tokens` gives them (`None` if it refuses the bytes).
fn unsorted_tokens(bytes: &[u8], p: u8) -> Option<Vec<u32>> {
    let seed = HyperLogLogPlusPlus::default().seed();
    let mut t = vec![7];
    if !HyperLogLogPlusPlus::read_sparse_tokens_unsorted(bytes, p, seed, &mut t) {
        assert_eq!(t, [7]);
        return None;
    }
    let mut s = HyperLogLogPlusPlus::with_seed(p, seed).unwrap();
    s.insert_tokens(&t[1..]);
    Some(s.sparse_tokens().unwrap().into_owned())
}

#[test]
fn plain_bytes_decode_to_the_canonical_sketch_and_re_encode_compact() {
    for n in [0usize, 1, 3, 100, 700, 1000, 2000, 3000, 5000] {
        // Fresh from inserts (an unsorted insert buffer, unless empty) and canonical.
        for flushed in [false, true] {
            let mut s: HyperLogLogPlusPlus = distinct_u64s(n as u64 + 7).take(n).collect();
            if flushed {
                s.canonicalize();
            }
            let plain = plain_bytes(&s);
            let mut canonical = s.clone();
            canonical.canonicalize();
            let back = HyperLogLogPlusPlus::from_bytes(&plain).unwrap();
            assert_eq!(back, canonical, "{n} items");
            assert_eq!(back.to_bytes(), canonical.to_bytes(), "{n} items");
            assert_eq!(back.estimate(), canonical.estimate());
            if canonical.is_sparse() {
                let entries = canonical.sparse_tokens().unwrap().into_owned();
                // The plain list: 4 bytes an entry, where Rice takes fewer.
                assert!(n < 100 || plain.len() >= canonical.to_bytes().len() + entries.len());
                let mut tokens = vec![9];
                assert!(HyperLogLogPlusPlus::read_sparse_tokens(
                    &plain,
                    14,
                    s.seed(),
                    &mut tokens
                ));
                assert_eq!(tokens[1..], entries);
                assert_eq!(unsorted_tokens(&plain, 14).unwrap(), entries, "{n} items");
            } else {
                assert_eq!(plain, canonical.to_bytes(), "dense: the usual bytes");
                assert_eq!(unsorted_tokens(&plain, 14), None);
            }
        }
    }
    // Tokens straight to plain bytes, sorted or not, repeated or not.
    let s: HyperLogLogPlusPlus = distinct_u64s(3).take(300).collect();
    let mut canonical = s.clone();
    canonical.canonicalize();
    let sorted = s.sparse_tokens().unwrap().into_owned();
    let mut shuffled: Vec<u32> = sorted.iter().rev().chain(&sorted[..50]).copied().collect();
    for tokens in [sorted.clone(), shuffled.clone()] {
        let mut tokens = tokens;
        let mut out = Vec::new();
        assert!(HyperLogLogPlusPlus::append_plain_token_bytes(
            14,
            s.seed(),
            &mut tokens,
            &mut out
        ));
        assert_eq!(HyperLogLogPlusPlus::from_bytes(&out).unwrap(), canonical);
        assert_eq!(unsorted_tokens(&out, 14).unwrap(), sorted);
    }
    // More tokens than a sparse list at p = 8 holds (48), fewer distinct: sorted first.
    let mut out = Vec::new();
    shuffled.truncate(60);
    let few = [&shuffled[..40], &shuffled[..20]].concat();
    let mut tokens = few.clone();
    assert!(HyperLogLogPlusPlus::append_plain_token_bytes(
        8,
        s.seed(),
        &mut tokens,
        &mut out
    ));
    let mut expect = HyperLogLogPlusPlus::with_seed(8, s.seed()).unwrap();
    expect.insert_tokens(&few);
    expect.canonicalize();
    assert_eq!(HyperLogLogPlusPlus::from_bytes(&out).unwrap(), expect);
    // Too many distinct ones, and an invalid token: refused.
    let mut out = Vec::new();
    assert!(!HyperLogLogPlusPlus::append_plain_token_bytes(
        8,
        s.seed(),
        &mut shuffled,
        &mut out
    ));
    assert!(!HyperLogLogPlusPlus::append_plain_token_bytes(
        14,
        s.seed(),
        &mut [sorted[0] & !63],
        &mut out
    ));
    assert!(out.is_empty());
}

#[test]
fn corrupt_plain_lists_are_rejected() {
    let s = three(HyperLogLogPlusPlus::new(10).unwrap());
    let entries = s.sparse_tokens().unwrap().into_owned();
    assert_eq!(entries.len(), 3);
    let (a, b, c) = (entries[0], entries[1], entries[2]);
    // Valid: all sorted, or some or all in the unsorted part, repeats there allowed.
    for good in [
        plain_payload(3, &entries),
        plain_payload(1, &[a, c, b, c]),
        plain_payload(0, &[c, a, b, a]),
    ] {
        let framed = reframe_v(*b"HLLP", 3, &good);
        let mut canonical = s.clone();
        canonical.canonicalize();
        assert_eq!(HyperLogLogPlusPlus::from_bytes(&framed).unwrap(), canonical);
        assert_eq!(unsorted_tokens(&framed, 10).unwrap(), entries);
    }
    let good = plain_payload(3, &entries);
    let bad = [
        plain_payload(4, &entries),                     // count above the entries
        plain_payload(3, &[b, a, c]),                   // sorted part out of order
        plain_payload(3, &[a, a | 1, c]),               // an index twice in it
        plain_payload(3, &[a & !63, b, c]),             // rank 0
        plain_payload(3, &[a | 63, b, c]),              // rank above 40
        plain_payload(3, &[a, b, c | (1 << 31)]),       // index past 2^25
        plain_payload(1, &[a, c, b & !63]),             // rank 0 in the unsorted part
        plain_payload(0, &[a, b, c | (1 << 31)]),       // index past 2^25 there
        [plain_payload(3, &entries), vec![0]].concat(), // a trailing byte
        good[..good.len() - 1].to_vec(),                // cut short
    ];
    for (i, bytes) in bad.iter().enumerate() {
        let framed = reframe_v(*b"HLLP", 3, bytes);
        assert!(
            HyperLogLogPlusPlus::from_bytes(&framed).is_err(),
            "case {i}"
        );
        let mut out = vec![1];
        assert!(!HyperLogLogPlusPlus::read_sparse_tokens(
            &framed,
            10,
            s.seed(),
            &mut out
        ));
        assert_eq!(unsorted_tokens(&framed, 10), None, "case {i}");
        assert_eq!(out, [1]);
    }
    // More distinct entries than the registers' bytes allow a sparse list (p = 10: 192),
    // sorted or not; as many entries but fewer distinct ones are fine.
    let many: Vec<u32> = (0..200u32).map(|i| (i << 12) | 1).collect();
    let mut repeated = many[..150].to_vec();
    repeated.extend_from_slice(&many[..50]);
    for (count, list, ok) in [
        (200u32, &many, false),
        (0, &many, false),
        (0, &repeated, true),
    ] {
        let mut big = vec![0x0a | 0x20];
        if count < 128 {
            big.push(count as u8);
        } else {
            big.extend_from_slice(&[(count as u8) | 0x80, (count >> 7) as u8]);
        }
        big.push(0xff);
        for e in list {
            big.extend_from_slice(&e.to_le_bytes());
        }
        let framed = reframe_v(*b"HLLP", 3, &big);
        assert_eq!(HyperLogLogPlusPlus::from_bytes(&framed).is_ok(), ok);
        assert_eq!(unsorted_tokens(&framed, 10).is_some(), ok);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 8 } else { 256 }))]

    /// Any `u32`s as a plain list (the first `sorted` of them the sorted part) decode exactly
    /// when they are valid, to the sketch of those entries, and never panic; the unsorted
    /// token reader agrees.
    #[test]
    fn arbitrary_plain_lists_decode_only_when_valid(
        raw in prop::collection::vec(any::<u32>(), 0..40),
        valid in any::<bool>(),
        sorted in 0usize..40,
    ) {
        let entries: Vec<u32> = if valid {
            raw.iter().map(|&e| (e & ((1 << 31) - 64)) | (1 + (e & 63) % 40)).collect()
        } else {
            raw
        };
        let sorted = sorted.min(entries.len());
        let mut head = entries[..sorted].to_vec();
        if valid {
            head.sort_unstable();
            head.dedup_by_key(|e| *e >> 6);
        }
        let all = [&head[..], &entries[sorted..]].concat();
        let bytes = reframe_v(*b"HLLP", 3, &plain_payload(head.len() as u8, &all));
        let ok = all.iter().all(|&e| e >> 31 == 0 && (1..=40).contains(&(e & 63)))
            && head.windows(2).all(|w| w[0] >> 6 < w[1] >> 6);
        let mut expect = HyperLogLogPlusPlus::new(10).unwrap();
        expect.insert_tokens(&all);
        expect.canonicalize();
        match HyperLogLogPlusPlus::from_bytes(&bytes) {
            Ok(s) => {
                prop_assert!(ok);
                prop_assert_eq!(&s, &expect);
                let again = HyperLogLogPlusPlus::from_bytes(&s.to_bytes()).unwrap();
                prop_assert_eq!(again, s);
            }
            Err(_) => prop_assert!(!ok),
        }
        prop_assert_eq!(unsorted_tokens(&bytes, 10).is_some(), ok);
    }
}
