//! One check of hpds' serde convention (hpds-core's `serde_codec`), shared by every crate's
//! round-trip tests.

use hpds_core::ByteCodec;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Checks that `value` follows the convention and round-trips:
///
/// - JSON is one string, the base64 of `value.to_bytes()`, and reads back to the same bytes;
/// - bincode (a binary format) holds the encoding's bytes and reads back to the same bytes;
/// - a JSON string with one character changed and a truncated bincode input are errors.
///
/// # Panics
/// When any of these does not hold (it is a test helper).
///
/// # Example
/// ```
/// # #[derive(Debug)]
/// # struct Pair(u32);
/// # impl hpds_core::ByteCodec for Pair {
/// #     const TAG: [u8; 4] = *b"PAIR";
/// #     const VERSION: u16 = 1;
/// #     fn encode_payload(&self, enc: &mut hpds_core::codec::Encoder) { enc.put_u32(self.0) }
/// #     fn decode_payload(dec: &mut hpds_core::codec::Decoder<'_>, _: u16) -> hpds_core::Result<Self> {
/// #         Ok(Pair(dec.u32()?))
/// #     }
/// # }
/// # hpds_core::impl_serde_via_codec!(Pair);
/// hpds_testkit::serde_check::round_trip(&Pair(7));
/// ```
pub fn round_trip<T: ByteCodec + Serialize + DeserializeOwned>(value: &T) {
    let bytes = value.to_bytes();

    let json = serde_json::to_string(value).expect("serializes to JSON");
    let text: String = serde_json::from_str(&json).expect("JSON is one string");
    assert!(text.len() >= bytes.len(), "base64 is longer than its bytes");
    let back: T = serde_json::from_str(&json).expect("JSON reads back");
    assert_eq!(back.to_bytes(), bytes, "JSON round trip changed the value");

    // One character changed (within the base64 alphabet) breaks the checksum or the frame.
    let mut tampered = text.into_bytes();
    let i = tampered.len() / 2;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let tampered = serde_json::to_string(&String::from_utf8(tampered).expect("ASCII")).unwrap();
    assert!(
        serde_json::from_str::<T>(&tampered).is_err(),
        "a changed JSON encoding was accepted"
    );

    let bin = bincode::serialize(value).expect("serializes to bincode");
    assert_eq!(&bin[8..], &bytes[..], "bincode holds the encoding's bytes");
    let back: T = bincode::deserialize(&bin).expect("bincode reads back");
    assert_eq!(
        back.to_bytes(),
        bytes,
        "bincode round trip changed the value"
    );
    assert!(
        bincode::deserialize::<T>(&bin[..bin.len() - 1]).is_err(),
        "a truncated bincode encoding was accepted"
    );
}
