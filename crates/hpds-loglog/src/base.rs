//! The dense sketch shared by every member of the family: registers, hash seed and the HIP
//! state.

use hpds_core::codec::{Decoder, Encoder};
use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{Error, Result};

use alloc::vec::Vec;

use crate::estimators::{self, Estimator, Hip};
use crate::registers::{Registers, max_rank};
use crate::{MAX_PRECISION, MIN_PRECISION};

/// Checks a precision.
pub(crate) fn check_precision(p: u8) -> Result<()> {
    if (MIN_PRECISION..=MAX_PRECISION).contains(&p) {
        Ok(())
    } else {
        Err(Error::invalid_parameter("precision", p, "4..=18"))
    }
}

/// Dense registers plus the HIP estimate while the sketch has seen inserts only.
#[derive(Clone, PartialEq)]
pub(crate) struct Core {
    pub(crate) regs: Registers,
    pub(crate) seed: u64,
    pub(crate) hip: Option<Hip>,
}

impl core::fmt::Debug for Core {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Dense")
            .field("precision", &self.regs.p())
            .field("seed", &self.seed)
            .field("insert_only", &self.hip.is_some())
            .finish_non_exhaustive()
    }
}

impl Core {
    pub(crate) fn try_new(p: u8, seed: u64) -> Result<Self> {
        check_precision(p)?;
        Ok(Self {
            regs: Registers::new(p),
            seed,
            hip: Some(Hip::new(f64::from(1u32 << p))),
        })
    }

    #[inline]
    pub(crate) fn p(&self) -> u8 {
        self.regs.p()
    }

    #[inline(always)]
    pub(crate) fn insert_hash(&mut self, hash: u64) {
        if let Some((old, rank)) = self.regs.insert_hash(hash) {
            if let Some(hip) = &mut self.hip {
                hip.on_change(self.regs.len() as f64, old, rank);
            }
        }
    }

    /// [`insert_hash`](Self::insert_hash) for every hash of a slice.
    #[inline]
    pub(crate) fn insert_hashes(&mut self, hashes: &[u64]) {
        let m = self.regs.len() as f64;
        match &mut self.hip {
            Some(hip) => self
                .regs
                .insert_hashes(hashes, |old, new| hip.on_change(m, old, new)),
            None => self.regs.insert_hashes(hashes, |_, _| {}),
        }
    }

    pub(crate) fn estimate_with(&self, e: Estimator) -> f64 {
        if let (Estimator::Hip, Some(hip)) = (e, self.hip) {
            return hip.estimate;
        }
        let h = self.regs.histogram();
        let p = self.p();
        match e {
            Estimator::LogLog => estimators::loglog(&h, p),
            Estimator::SuperLogLog => estimators::superloglog(&h, p),
            Estimator::Classic => estimators::classic(&h, p),
            Estimator::BiasCorrected => estimators::bias_corrected(&h, p),
            Estimator::Ertl | Estimator::Hip => estimators::ertl(&h, p),
        }
    }

    pub(crate) fn check_mergeable(&self, seed: u64, p: u8) -> Result<()> {
        if self.seed != seed {
            return Err(Error::incompatible("hash seed", self.seed, seed));
        }
        if p < self.p() {
            return Err(Error::incompatible(
                "precision (merge a sketch of equal or higher precision into one of lower)",
                self.p(),
                p,
            ));
        }
        Ok(())
    }

    pub(crate) fn merge(&mut self, other: &Self) -> Result<()> {
        self.check_mergeable(other.seed, other.p())?;
        if other.regs.is_empty() || self == other {
            return Ok(());
        }
        if other.p() == self.p() {
            if self.regs.is_empty() {
                // The empty sketch is the identity: take the other's state, HIP included.
                self.clone_from(other);
                return Ok(());
            }
            self.regs.merge_max(&other.regs);
        } else {
            self.regs.merge_reduced(&other.regs);
        }
        self.hip = None;
        Ok(())
    }

    pub(crate) fn clear(&mut self) {
        self.regs.clear();
        self.hip = Some(Hip::new(self.regs.len() as f64));
    }

    /// Payload (format version 3, laid out as version 2): the [header](put_header) byte with [`HIP`] set while the
    /// sketch is insert-only, the seed when not the default, the HIP estimate when valid, then
    /// the [registers](encode_registers).
    pub(crate) fn encode(&self, enc: &mut Encoder) {
        let flags = if self.hip.is_some() { HIP } else { 0 };
        put_header(enc, self.p(), flags, self.seed);
        if let Some(hip) = self.hip {
            enc.put_f64(hip.estimate);
        }
        encode_registers(enc, &self.regs);
    }

    /// Reads a payload of format `version` (1: the first, uncompressed format).
    pub(crate) fn decode(dec: &mut Decoder<'_>, version: u16) -> Result<Self> {
        if version == 1 {
            return Self::decode_v1(dec);
        }
        let (p, flags, seed) = get_header(dec)?;
        if flags & SPARSE != 0 {
            return Err(Error::invalid_encoding("sparse flag on a dense sketch"));
        }
        Self::decode_body(dec, p, flags, seed)
    }

    /// The part of a version-2 payload after the header.
    pub(crate) fn decode_body(dec: &mut Decoder<'_>, p: u8, flags: u8, seed: u64) -> Result<Self> {
        let hip_estimate = if flags & HIP == 0 {
            None
        } else {
            Some(decode_hip_estimate(dec)?)
        };
        let regs = decode_registers(dec, p)?;
        Ok(Self::with_hip(regs, seed, hip_estimate))
    }

    fn with_hip(regs: Registers, seed: u64, hip_estimate: Option<f64>) -> Self {
        let hip = hip_estimate.map(|estimate| Hip {
            estimate,
            s: estimators::inverse_sum(&regs.histogram()),
        });
        Self { regs, seed, hip }
    }

    /// Format version 1: `p`, flags (bit 0: HIP valid, bit 1: non-default seed), the HIP
    /// estimate when valid, the seed when not the default, the packed registers.
    pub(crate) fn decode_v1(dec: &mut Decoder<'_>) -> Result<Self> {
        let p = dec.u8()?;
        check_precision(p)?;
        let flags = dec.u8()?;
        if flags > 3 {
            return Err(Error::invalid_encoding("unknown flags"));
        }
        let hip_estimate = if flags & 1 == 1 {
            Some(decode_hip_estimate(dec)?)
        } else {
            None
        };
        let seed = decode_seed(dec, flags)?;
        let bytes = dec.take(Registers::byte_len(p))?;
        let regs = Registers::from_bytes(p, bytes)
            .ok_or_else(|| Error::invalid_encoding("register above the largest rank"))?;
        Ok(Self::with_hip(regs, seed, hip_estimate))
    }
}

fn decode_hip_estimate(dec: &mut Decoder<'_>) -> Result<f64> {
    let e = dec.f64()?;
    if e.is_finite() && e >= 0.0 {
        Ok(e)
    } else {
        Err(Error::invalid_encoding(
            "HIP estimate is not a finite count",
        ))
    }
}

/// Header flag: HyperLogLog++ in its sparse representation.
pub(crate) const SPARSE: u8 = 1 << 5;
/// Header flag: the sketch is insert-only (a HIP estimate follows when dense).
pub(crate) const HIP: u8 = 1 << 6;
/// Header flag: a non-default seed follows the header.
const CUSTOM_SEED: u8 = 1 << 7;

/// The first byte of a version-2 payload: `p` in bits 0-4 and the flags [`SPARSE`], [`HIP`]
/// and a custom-seed bit above; then the seed, only when it is not the default.
pub(crate) fn put_header(enc: &mut Encoder, p: u8, flags: u8, seed: u64) {
    let custom = seed != DEFAULT_SEED;
    enc.put_u8(p | flags | if custom { CUSTOM_SEED } else { 0 });
    if custom {
        enc.put_u64(seed);
    }
}

/// Reads [`put_header`]'s bytes: (p, flags, seed), with the precision checked and a default
/// seed written out rejected (so each sketch has one encoding).
pub(crate) fn get_header(dec: &mut Decoder<'_>) -> Result<(u8, u8, u64)> {
    let h = dec.u8()?;
    let p = h & 31;
    check_precision(p)?;
    let seed = if h & CUSTOM_SEED == 0 {
        DEFAULT_SEED
    } else {
        let seed = dec.u64()?;
        if seed == DEFAULT_SEED {
            return Err(Error::invalid_encoding("default seed written out"));
        }
        seed
    };
    Ok((p, h & (SPARSE | HIP), seed))
}

/// Register encodings of format version 2.
const RAW: u8 = 0;
const NIBBLES: u8 = 1;
/// The nibble that sends a register to the exception bytes.
const ESCAPE: u8 = 15;

/// Bytes of the nibble encoding: kind, base, `m / 2` nibble bytes, one byte per exception.
fn nibble_len(h: &[u32; 65], base: usize, p: u8) -> usize {
    let exceptions: u32 = h[base + usize::from(ESCAPE)..].iter().sum();
    2 + (1 << (p - 1)) + exceptions as usize
}

/// The smallest register value (0 for empty registers).
fn min_register(h: &[u32; 65]) -> usize {
    h.iter().position(|&c| c > 0).unwrap_or(0)
}

/// Writes the registers in the smaller of two lossless forms (the nibble form when it is
/// strictly smaller):
///
/// * `0`, then the 6-bit packed registers (`6 m / 8` bytes);
/// * `1`, the smallest register `b`, then one nibble per register (`M - b`, low nibble first)
///   with 15 meaning "see the exception bytes", then one byte `M - b - 15` per such register
///   in index order.
///
/// The registers of a sketch that has seen `n >> m` items lie within a few units of
/// `log2(n / m)`: the smallest is about 3 below it and only a fraction `~ln(m) 2^-15` of them
/// is 15 or more above the smallest, so the nibble form is `m / 2 + O(1)` bytes, a third
/// smaller than the packed registers; at small cardinalities every register is below 15.
pub(crate) fn encode_registers(enc: &mut Encoder, regs: &Registers) {
    let p = regs.p();
    let h = regs.histogram();
    let base = min_register(&h);
    let raw = 1 + Registers::byte_len(p);
    if nibble_len(&h, base, p) >= raw {
        enc.put_u8(RAW);
        enc.put_raw(regs.as_bytes());
        return;
    }
    enc.put_u8(NIBBLES);
    enc.put_u8(base as u8);
    let mut exceptions = Vec::new();
    let mut nibbles = Vec::with_capacity(1 << (p - 1));
    let mut pending = 0u8;
    for (i, r) in regs.iter().enumerate() {
        let d = r - base as u8;
        let code = if d >= ESCAPE {
            exceptions.push(d - ESCAPE);
            ESCAPE
        } else {
            d
        };
        if i % 2 == 0 {
            pending = code;
        } else {
            nibbles.push(pending | (code << 4));
        }
    }
    enc.put_raw(&nibbles);
    enc.put_raw(&exceptions);
}

/// Reads [`encode_registers`]' form, accepting only what it writes: registers at most the
/// largest rank, `b` the smallest register, the nibble form only when it is smaller.
pub(crate) fn decode_registers(dec: &mut Decoder<'_>, p: u8) -> Result<Registers> {
    let bad = |what| Error::invalid_encoding(what);
    let regs = match dec.u8()? {
        RAW => {
            let bytes = dec.take(Registers::byte_len(p))?;
            let regs = Registers::from_bytes(p, bytes)
                .ok_or_else(|| bad("register above the largest rank"))?;
            let h = regs.histogram();
            if nibble_len(&h, min_register(&h), p) <= Registers::byte_len(p) {
                return Err(bad("packed form where the nibble form is smaller"));
            }
            regs
        }
        NIBBLES => {
            let base = dec.u8()?;
            let nibbles = dec.take(1 << (p - 1))?;
            let escapes = nibbles
                .iter()
                .map(|&b| usize::from(b & 15 == ESCAPE) + usize::from(b >> 4 == ESCAPE))
                .sum();
            let mut exceptions = dec.take(escapes)?.iter();
            let max = max_rank(p);
            let mut regs = Registers::new(p);
            for (i, code) in nibbles.iter().flat_map(|&b| [b & 15, b >> 4]).enumerate() {
                let d = if code == ESCAPE {
                    exceptions
                        .next()
                        .map_or(u8::MAX, |&x| x.saturating_add(ESCAPE))
                } else {
                    code
                };
                let r = base.saturating_add(d);
                if r > max {
                    return Err(bad("register above the largest rank"));
                }
                regs.update(i, r);
            }
            let h = regs.histogram();
            if min_register(&h) != usize::from(base) {
                return Err(bad("nibble base is not the smallest register"));
            }
            if nibble_len(&h, usize::from(base), p) > Registers::byte_len(p) {
                return Err(bad("nibble form where the packed form is smaller"));
            }
            regs
        }
        _ => return Err(bad("unknown register encoding")),
    };
    Ok(regs)
}

/// Reads the seed when flag bit 1 says it is not the default (a default seed written out is
/// rejected, so each sketch has one encoding).
pub(crate) fn decode_seed(dec: &mut Decoder<'_>, flags: u8) -> Result<u64> {
    if flags & 2 == 0 {
        return Ok(DEFAULT_SEED);
    }
    let seed = dec.u64()?;
    if seed == DEFAULT_SEED {
        return Err(Error::invalid_encoding("default seed written out"));
    }
    Ok(seed)
}
