//! The default random source: a small, fast, seedable generator.

use core::sync::atomic::{AtomicU64, Ordering};

use hpds_core::hash::mix64;
use rand_core::{RngCore, SeedableRng};

/// wyrand: one add and one 64x64→128 multiply per `u64`, 8 bytes of state.
///
/// It passes BigCrush and PractRand for the stream lengths counters draw, and costs about a
/// nanosecond per draw, which is why it is the default random source of every counter in this
/// crate. It is not cryptographic: an adversary who sees estimates could in principle predict
/// increments. Inject another [`RngCore`] where that matters.
///
/// [`FastRng::default`] gives each generator a distinct seed (a process-wide sequence mixed
/// with [`mix64`]), so counters built with `default()` or `new` are statistically independent;
/// use [`FastRng::seed_from_u64`] for reproducible runs.
///
/// # Example
/// ```
/// use hpds_morris::FastRng;
/// use rand_core::{RngCore, SeedableRng};
/// let mut a = FastRng::seed_from_u64(7);
/// let mut b = FastRng::seed_from_u64(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastRng {
    state: u64,
}

/// Source of distinct default seeds.
static NEXT_SEED: AtomicU64 = AtomicU64::new(0x243f_6a88_85a3_08d3);

impl FastRng {
    /// The seed of the next default generator: distinct for every call in a process.
    pub(crate) fn fresh_seed() -> u64 {
        mix64(NEXT_SEED.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed))
    }
}

impl Default for FastRng {
    /// A generator with a fresh seed, distinct from every other default generator's.
    fn default() -> Self {
        Self::seed_from_u64(Self::fresh_seed())
    }
}

impl RngCore for FastRng {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.state) * u128::from(self.state ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) as u64) ^ (t as u64)
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        rand_core::impls::fill_bytes_via_next(self, dst);
    }
}

impl SeedableRng for FastRng {
    type Seed = [u8; 8];

    fn from_seed(seed: Self::Seed) -> Self {
        Self {
            state: u64::from_le_bytes(seed),
        }
    }

    fn seed_from_u64(state: u64) -> Self {
        // Mixed so that nearby seeds (0, 1, 2, ...) give unrelated streams.
        Self {
            state: mix64(state ^ 0x6d6f_7272_6973_0001),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_generators_differ_and_seeds_reproduce() {
        let (mut a, mut b) = (FastRng::default(), FastRng::default());
        assert_ne!(a.next_u64(), b.next_u64());
        let mut c = FastRng::seed_from_u64(1);
        let mut d = FastRng::seed_from_u64(1);
        assert_eq!(c.next_u64(), d.next_u64());
        let mut bytes = [0u8; 13];
        c.fill_bytes(&mut bytes);
        assert!(bytes.iter().any(|&x| x != 0));
    }

    #[test]
    fn bits_are_balanced() {
        // Each of the 64 bits is set with probability 1/2: over 20_000 draws the count has
        // standard deviation sqrt(20_000 / 4) ≈ 71, so 6 sigma is ±424.
        let mut rng = FastRng::seed_from_u64(3);
        let mut ones = [0u32; 64];
        for _ in 0..20_000 {
            let x = rng.next_u64();
            for (bit, count) in ones.iter_mut().enumerate() {
                *count += ((x >> bit) & 1) as u32;
            }
        }
        assert!(ones.iter().all(|&c| c.abs_diff(10_000) < 424), "{ones:?}");
    }
}
