//! The byte format and serde form of [`ThetaSketch`].

use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::{Error, Result};

use super::ThetaSketch;
use crate::rice;

/// Bytes of `v` as an LEB128 varint.
fn varint_len(v: u64) -> usize {
    (64 - v.leading_zeros() as usize).div_ceil(7).max(1)
}

/// A varint that must be in its shortest form, so that every sketch has one encoding.
fn canonical_varint(dec: &mut Decoder<'_>) -> Result<u64> {
    let before = dec.remaining();
    let v = dec.varint()?;
    if before - dec.remaining() != varint_len(v) {
        return Err(Error::invalid_encoding(
            "theta sketch varint not in shortest form",
        ));
    }
    Ok(v)
}

/// The format (version 1), about `log2(2^64 / n) + 1.5` bits per retained hash:
///
/// | field | encoding |
/// |---|---|
/// | `k` | varint |
/// | seed | `u64` |
/// | θ | `u64` (`u64::MAX` while exact) |
/// | retained count `r` | varint |
/// | Rice parameter `b` | `u8`, only if `r > 0` |
/// | the retained hashes, ascending | Golomb–Rice coded gaps, to the end of the payload |
///
/// The gaps are the first hash, then each hash minus its predecessor minus one, written as
/// `gap >> b` one-bits, a zero bit and the low `b` bits of the gap, least significant bit first,
/// zero padded to a whole byte; `b` is the smallest parameter giving the fewest bits. Every
/// sketch has exactly one encoding: the decoder rejects any other, and checks that the count
/// fits `k` and that the hashes ascend below θ.
impl ByteCodec for ThetaSketch {
    const TAG: [u8; 4] = *b"THTA";
    const VERSION: u16 = 1;

    fn encode_payload(&self, enc: &mut Encoder) {
        let values = self.sorted_values();
        enc.put_varint(self.k as u64);
        enc.put_u64(self.seed);
        enc.put_u64(self.theta);
        enc.put_varint(values.len() as u64);
        if !values.is_empty() {
            let b = rice::best_parameter(&values);
            enc.put_u8(b as u8);
            let mut bits = Vec::with_capacity(values.len() * 8);
            rice::encode(&values, b, &mut bits);
            enc.put_raw(&bits);
        }
    }

    fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
        let k = canonical_varint(dec)?;
        let seed = dec.u64()?;
        let theta = dec.u64()?;
        let count = canonical_varint(dec)?;
        let values = if count == 0 {
            Vec::new()
        } else {
            let b = dec.u8()?;
            let count = usize::try_from(count)
                .map_err(|_| Error::invalid_encoding("theta sketch count overflows"))?;
            let bits = dec.take(dec.remaining())?;
            rice::decode(bits, count, u32::from(b), theta).ok_or(Error::invalid_encoding(
                "theta sketch hashes: not the Rice code of an ascending list below θ",
            ))?
        };
        Self::from_parts(k, seed, theta, values)
    }
}

#[cfg(feature = "serde")]
hpds_core::impl_serde_via_codec!(ThetaSketch);
