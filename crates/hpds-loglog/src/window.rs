//! The register of UltraLogLog and ExaLogLog: the largest update value `u` seen and a window
//! of `d` bits telling which of the `d` values just below `u` were seen too.
//!
//! A register is `(u << d) | bits`; bit `d - 1 - i` stands for value `u - 1 - i`. Update
//! values start at 1, so `u = 0` means "nothing seen" and window bits for values below 1 are
//! always zero (one encoding per state). The register is a function of the *set* of values
//! seen (its largest element and the window below it), so updates and merges commute and are
//! idempotent.
//!
//! The rates of the Poisson model live here too. With `2^t` sub-buckets per level, update
//! value `k` is at level `lev(k) = min((k - 1) >> t, q - 1)` (`q = 64 - p - t` the number of
//! levels a 64-bit hash gives; the last, all-zero level has the rate of the one before) and an
//! item reaches it at rate `w(k) = 2^-lev(k)` in units of `x = n / (m 2^(t+1))`. Every
//! register's rates add up to `2^(t+1)`.

/// The register after seeing update value `k >= 1` (values more than `d` below `u` are
/// forgotten, as they tell nothing the window does not).
#[inline(always)]
pub(crate) fn update(r: u32, k: u32, d: u32) -> u32 {
    let u = r >> d;
    if k > u {
        let delta = k - u;
        let carried = if u != 0 && delta <= d {
            ((r & mask(d)) | (1 << d)) >> delta
        } else {
            0
        };
        (k << d) | carried
    } else if k < u && u - k <= d {
        r | (1 << (d - (u - k)))
    } else {
        r
    }
}

/// The register of the union of two registers' value sets.
#[inline]
pub(crate) fn merge(a: u32, b: u32, d: u32) -> u32 {
    let (hi, lo) = if a >> d >= b >> d { (a, b) } else { (b, a) };
    let (uh, ul) = (hi >> d, lo >> d);
    if ul == 0 {
        return hi;
    }
    let delta = uh - ul;
    if delta == 0 {
        hi | lo
    } else if delta <= d {
        hi | (((lo & mask(d)) | (1 << d)) >> delta)
    } else {
        hi
    }
}

/// `2^d - 1`.
#[inline(always)]
pub(crate) const fn mask(d: u32) -> u32 {
    ((1u64 << d) - 1) as u32
}

/// The window bits a register with largest value `u` may have set: those of values `>= 1`.
pub(crate) fn valid_bits(u: u32, d: u32) -> u32 {
    if u == 0 {
        0
    } else if u > d {
        mask(d)
    } else {
        // The top `u - 1` bits of the window.
        mask(u - 1) << (d - (u - 1))
    }
}

/// Rates of the update values at precision `p` with `2^t` sub-buckets (see the module docs).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rates {
    pub(crate) t: u32,
    /// Levels: `64 - p - t`.
    pub(crate) q: u32,
}

impl Rates {
    pub(crate) fn new(p: u8, t: u8) -> Self {
        Self {
            t: u32::from(t),
            q: 64 - u32::from(p) - u32::from(t),
        }
    }

    /// The largest update value: `(q + 1) 2^t`.
    pub(crate) fn max_value(self) -> u32 {
        (self.q + 1) << self.t
    }

    /// The level of update value `k >= 1`.
    #[inline]
    pub(crate) fn level(self, k: u32) -> u32 {
        ((k - 1) >> self.t).min(self.q - 1)
    }

    /// `Σ w(k)` over the values above `u`, in closed form: the partial level of `u + 1`, then
    /// the full levels above it, whose rates add up to one more level's worth.
    #[inline]
    pub(crate) fn above(self, u: u32) -> f64 {
        let j0 = u >> self.t;
        let in_level = f64::from((1u32 << self.t) - (u & ((1 << self.t) - 1)));
        match j0.cmp(&self.q) {
            core::cmp::Ordering::Less => (in_level + f64::from(1u32 << self.t)) * pow2neg(j0),
            core::cmp::Ordering::Equal => in_level * pow2neg(self.q - 1),
            core::cmp::Ordering::Greater => 0.0,
        }
    }

    /// `Σ w(k)` over the values a register rules out: those above `u` and those in the window
    /// whose bit is clear. This is `2^(t+1) m` times the chance that a new item changes the
    /// register.
    #[inline]
    pub(crate) fn unseen(self, r: u32, d: u32) -> f64 {
        let u = r >> d;
        if u == 0 {
            return f64::from(2u32 << self.t);
        }
        let mut s = self.above(u);
        let mut clear = !r & valid_bits(u, d);
        while clear != 0 {
            let bit = clear.trailing_zeros();
            clear &= clear - 1;
            s += pow2neg(self.level(u + bit - d));
        }
        s
    }
}

/// `2^-j` for `j < 1023`, exactly.
#[inline]
pub(crate) fn pow2neg(j: u32) -> f64 {
    f64::from_bits(u64::from(1023 - j.min(1022)) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;

    /// The register a set of values gives, built from its definition.
    fn from_set(set: &BTreeSet<u32>, d: u32) -> u32 {
        let Some(&u) = set.last() else { return 0 };
        let mut bits = 0;
        for i in 0..d {
            if u > i + 1 && set.contains(&(u - 1 - i)) {
                bits |= 1 << (d - 1 - i);
            }
        }
        (u << d) | bits
    }

    #[test]
    fn update_and_merge_match_the_set_definition() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for d in [0u32, 1, 2, 9, 20, 24] {
            for _ in 0..300 {
                let (mut a, mut b) = (BTreeSet::new(), BTreeSet::new());
                let (mut ra, mut rb) = (0, 0);
                for _ in 0..(next() % 12) {
                    let k = (next() % 60) as u32 + 1;
                    a.insert(k);
                    ra = update(ra, k, d);
                    assert_eq!(ra, from_set(&a, d));
                }
                for _ in 0..(next() % 12) {
                    let k = (next() % 60) as u32 + 1;
                    b.insert(k);
                    rb = update(rb, k, d);
                }
                let union: BTreeSet<u32> = a.union(&b).copied().collect();
                assert_eq!(merge(ra, rb, d), from_set(&union, d));
                assert_eq!(ra & !(mask(d) & !valid_bits(ra >> d, d)), ra);
            }
        }
    }

    #[test]
    fn rates_add_up_per_register() {
        for (p, t) in [(4u8, 0u8), (12, 0), (12, 2), (18, 2), (10, 1)] {
            let r = Rates::new(p, t);
            let total: f64 = (1..=r.max_value()).map(|k| pow2neg(r.level(k))).sum();
            assert!((total - f64::from(2u32 << t)).abs() < 1e-12);
            for u in 0..=r.max_value() {
                let above: f64 = (u + 1..=r.max_value()).map(|k| pow2neg(r.level(k))).sum();
                assert!((r.above(u) - above).abs() < 1e-12, "p {p} t {t} u {u}");
            }
        }
    }
}
