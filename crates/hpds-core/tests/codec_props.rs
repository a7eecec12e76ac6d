//! The codec reader is total: arbitrary bytes give `Ok` or `Err`, never a panic.

use hpds_core::codec::{Decoder, Encoder};
use proptest::prelude::*;

/// Reads a plausible sequence of fields, as a structure's decoder would.
fn read_everything(bytes: &[u8]) {
    if let Ok((mut d, _)) = Decoder::open(bytes, *b"PROP", 3) {
        let _ = d.u8();
        let _ = d.varint();
        let _ = d.u64_vec();
        let _ = d.bytes();
        let _ = d.f64();
        let _ = d.finish();
    }
    let mut raw = Decoder::raw(bytes);
    while raw.remaining() > 0 {
        if raw.varint().is_err() && raw.u64_vec().is_err() && raw.bytes().is_err() {
            let _ = raw.u8();
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        read_everything(&bytes);
    }

    #[test]
    fn valid_frame_with_arbitrary_payload(payload in proptest::collection::vec(any::<u8>(), 0..256)) {
        // A valid header and checksum reach the field readers with any payload.
        let mut enc = Encoder::new(*b"PROP", 3);
        enc.put_raw(&payload);
        read_everything(&enc.finish());
    }

    #[test]
    fn round_trip(a in any::<u8>(), v in any::<u64>(), xs in proptest::collection::vec(any::<u64>(), 0..64),
                  bytes in proptest::collection::vec(any::<u8>(), 0..64), f in any::<f64>()) {
        let mut enc = Encoder::new(*b"PROP", 3);
        enc.put_u8(a);
        enc.put_varint(v);
        enc.put_u64_slice(&xs);
        enc.put_bytes(&bytes);
        enc.put_f64(f);
        let out = enc.finish();
        let (mut d, version) = Decoder::open(&out, *b"PROP", 3).unwrap();
        prop_assert_eq!(version, 3);
        prop_assert_eq!(d.u8().unwrap(), a);
        prop_assert_eq!(d.varint().unwrap(), v);
        prop_assert_eq!(d.u64_vec().unwrap(), xs);
        prop_assert_eq!(d.bytes().unwrap(), &bytes[..]);
        prop_assert_eq!(d.f64().unwrap().to_bits(), f.to_bits());
        d.finish().unwrap();
    }

    #[test]
    fn any_single_byte_flip_is_detected(flip in 0usize..40, bit in 0u8..8) {
        let mut enc = Encoder::new(*b"PROP", 3);
        enc.put_u64_slice(&[1, 2]);
        let mut out = enc.finish();
        let i = flip % out.len();
        out[i] ^= 1 << bit;
        prop_assert!(Decoder::open(&out, *b"PROP", 3).is_err());
    }
}
