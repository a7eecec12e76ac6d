//! The dense sketch shared by every member of the family: registers, hash seed and the HIP
//! state.

use hpds_core::codec::{Decoder, Encoder};
use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{Error, Result};

use crate::estimators::{self, Estimator, Hip};
use crate::registers::Registers;
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

    /// Payload: `p`, flags (bit 0: HIP valid, bit 1: non-default seed), the HIP estimate
    /// when valid, the seed when not the default, the packed registers.
    pub(crate) fn encode(&self, enc: &mut Encoder) {
        enc.reserve(self.regs.as_bytes().len() + 18);
        enc.put_u8(self.p());
        let custom_seed = self.seed != DEFAULT_SEED;
        enc.put_u8(u8::from(self.hip.is_some()) | (u8::from(custom_seed) << 1));
        if let Some(hip) = self.hip {
            enc.put_f64(hip.estimate);
        }
        if custom_seed {
            enc.put_u64(self.seed);
        }
        enc.put_raw(self.regs.as_bytes());
    }

    pub(crate) fn decode(dec: &mut Decoder<'_>) -> Result<Self> {
        let p = dec.u8()?;
        check_precision(p)?;
        let flags = dec.u8()?;
        if flags > 3 {
            return Err(Error::invalid_encoding("unknown flags"));
        }
        let hip_estimate = if flags & 1 == 1 {
            let e = dec.f64()?;
            if !(e.is_finite() && e >= 0.0) {
                return Err(Error::invalid_encoding(
                    "HIP estimate is not a finite count",
                ));
            }
            Some(e)
        } else {
            None
        };
        let seed = decode_seed(dec, flags)?;
        let bytes = dec.take(Registers::byte_len(p))?;
        let regs = Registers::from_bytes(p, bytes)
            .ok_or_else(|| Error::invalid_encoding("register above the largest rank"))?;
        let hip = hip_estimate.map(|estimate| Hip {
            estimate,
            s: estimators::inverse_sum(&regs.histogram()),
        });
        Ok(Self { regs, seed, hip })
    }
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
