//! Fixed vectors: the stable hash and the codec frame must never change silently.
//!
//! A change to any figure here breaks every serialized sketch; bump the format version instead.

use hpds_core::codec::{Decoder, Encoder};
use hpds_core::hash::{DEFAULT_SEED, hash_bytes, hash_one, hash_one_128, hash_u64, hash128_bytes};

#[test]
fn xxh3_reference_vectors() {
    // Published xxh3-64 values for the empty input with seed 0.
    assert_eq!(hash_bytes(b"", 0), 0x2d06_8005_38d3_94c2);
}

#[test]
fn stable_hash_vectors() {
    let got = [
        hash_u64(0, DEFAULT_SEED),
        hash_u64(42, DEFAULT_SEED),
        hash_bytes(b"hello", DEFAULT_SEED),
        hash_one("hello", DEFAULT_SEED),
        hash_one(&(1u32, -1i16), 7),
    ];
    let expected: [u64; 5] = GOLDEN_64;
    assert_eq!(got, expected, "got {got:#018x?}");
    assert_eq!(
        hash_one_128(&42u64, DEFAULT_SEED),
        hash128_bytes(&42u64.to_le_bytes(), DEFAULT_SEED)
    );
    assert_eq!(
        hash128_bytes(b"hello", DEFAULT_SEED),
        GOLDEN_128,
        "{:#034x}",
        hash128_bytes(b"hello", DEFAULT_SEED)
    );
}

#[test]
fn frame_bytes() {
    let mut enc = Encoder::new(*b"GOLD", 1);
    enc.put_u8(7);
    enc.put_varint(300);
    let bytes = enc.finish();
    assert_eq!(bytes, GOLDEN_FRAME, "got {bytes:?}");
    // The legacy 26-byte frame is still read.
    for golden in [GOLDEN_FRAME, GOLDEN_LEGACY_FRAME] {
        let (mut dec, version) = Decoder::open(golden, *b"GOLD", 1).unwrap();
        assert_eq!(version, 1);
        assert_eq!(dec.u8().unwrap(), 7);
        assert_eq!(dec.varint().unwrap(), 300);
        dec.finish().unwrap();
    }
}

const GOLDEN_64: [u64; 5] = [
    0xc97e_3163_0f4e_44fd,
    0x7a4d_759f_075c_1fa0,
    0xf1a7_93dd_4090_1ce1,
    0xa3e4_959f_2caf_0646,
    0x737f_358d_6f24_5dcc,
];
const GOLDEN_128: u128 = 0x1518_ed6d_d934_589c_761d_dfd2_e9b3_cafb;
/// Compact frame: `hp`, kind 0 and the unregistered tag `GOLD`, version 1, length 3, payload,
/// 32-bit checksum.
const GOLDEN_FRAME: &[u8] = &[
    104, 112, 0, 71, 79, 76, 68, 1, 3, 7, 172, 2, 66, 159, 57, 63,
];
/// The legacy frame: `HPDS`, `GOLD`, `u16` version, `u64` length, payload, 64-bit checksum.
const GOLDEN_LEGACY_FRAME: &[u8] = &[
    72, 80, 68, 83, 71, 79, 76, 68, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 7, 172, 2, 169, 213, 61, 91, 206,
    93, 46, 73,
];
