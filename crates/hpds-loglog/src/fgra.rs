//! UltraLogLog's further generalized remaining area (FGRA) estimator (Ertl 2024, §3): a
//! closed form, no iteration, relative standard error `sqrt(v / m)`, `v ≈ 0.6119`.
//!
//! Each register with update value `k` and window bits `(y1, y0)` (values `k - 1`, `k - 2`
//! seen) contributes `g = η_(2 y1 + y0) 2^(-τ k)`, and `n̂ = λ_p (Σ g)^(-1/τ)` with
//! `λ_p = m^(1 + 1/τ) / (1 + (1 + τ) v / (2m))`. The constants `τ` and `η` minimize the
//! estimator's asymptotic variance. Registers at the two smallest values (`k <= 2`) and at the
//! largest cannot take the general contribution (their windows are cut off by the range of
//! values): their expected contribution given a first estimate `z` replaces it (the paper's
//! small- and large-range corrections).

const ETA: [f64; 4] = [
    4.663_135_422_063_788,
    2.137_850_213_795_852_4,
    2.781_144_650_979_996,
    0.982_408_254_515_371_5,
];
const TAU: f64 = 0.819_491_137_591_089_7;
/// The variance factor: the relative standard error is `sqrt(V / m)`.
pub(crate) const V: f64 = 0.611_893_149_697_843_7;

const ETA_X: f64 = ETA[0] - ETA[1] - ETA[2] + ETA[3];

/// `ψ(z) / η_X`: the expected window contribution of a register whose two lower values are
/// each seen with the probabilities that a first estimate `z` gives.
fn psi(z: f64, z2: f64) -> f64 {
    let eta23x = (ETA[2] - ETA[3]) / ETA_X;
    let eta13x = (ETA[1] - ETA[3]) / ETA_X;
    let eta3012xx = (ETA[3] * ETA[0] - ETA[1] * ETA[2]) / (ETA_X * ETA_X);
    (z + eta23x) * (z2 + eta13x) + eta3012xx
}

/// The expected contribution of an empty register, per register, given `z`.
fn sigma(z: f64) -> f64 {
    if z <= 0.0 {
        return ETA[3];
    }
    if z >= 1.0 {
        return f64::INFINITY;
    }
    let pow_2_tau = TAU.exp2();
    let (mut pz, mut nz) = (z, z * z);
    let mut s = 0.0;
    let mut scale = ETA_X;
    loop {
        let old = s;
        let nnz = nz * nz;
        s += scale * (pz - nz) * psi(nz, nnz);
        if s <= old {
            return s / z;
        }
        pz = nz;
        nz = nnz;
        scale *= pow_2_tau;
    }
}

/// The expected contribution of a saturated register, per register, given `z`.
fn phi(z: f64, z2: f64) -> f64 {
    let pow_2_tau = TAU.exp2();
    let pow_2_minus_tau = (-TAU).exp2();
    let pow_4_minus_tau = (-2.0 * TAU).exp2();
    if z <= 0.0 {
        return 0.0;
    }
    if z >= 1.0 {
        return ETA[0] / (pow_2_tau * (2.0 * pow_2_tau - 1.0));
    }
    let (mut prev, mut pz) = (z2, z);
    let mut next = pz.sqrt();
    let mut p = ETA_X * (pow_4_minus_tau / (2.0 - pow_2_minus_tau)) / (1.0 + next);
    let mut ps = psi(pz, prev);
    let mut s = next * (ps + ps) * p;
    loop {
        prev = pz;
        pz = next;
        let old = s;
        next = pz.sqrt();
        let next_ps = psi(pz, prev);
        p *= pow_2_minus_tau / (1.0 + next);
        s += next * ((next_ps + next_ps) - (pz + next) * ps) * p;
        if s <= old {
            return s;
        }
        ps = next_ps;
    }
}

/// Register counts the estimator needs beyond the general sum.
#[derive(Default)]
pub(crate) struct Fgra {
    sum: f64,
    /// Registers with nothing seen; with `k = 1`; with `k = 2` and value 1 unseen / seen.
    small: [u32; 4],
    /// Registers at the largest value, by window bits.
    large: [u32; 4],
}

/// The FGRA estimate from `m = 2^p` UltraLogLog registers `(k << 2) | window`.
pub(crate) fn estimate(regs: &[u8], p: u8) -> f64 {
    let kmax = 65 - u32::from(p);
    // 2^(-τ k) for every k, once.
    let mut pow = [0.0f64; 66];
    for (k, v) in pow.iter_mut().enumerate() {
        *v = (-TAU * k as f64).exp2();
    }
    let mut f = Fgra::default();
    for &r in regs {
        let k = u32::from(r >> 2);
        let w = usize::from(r & 3);
        match k {
            0 => f.small[0] += 1,
            1 => f.small[1] += 1,
            2 => f.small[2 + (w >> 1)] += 1,
            k if k == kmax => f.large[w] += 1,
            k => f.sum += ETA[w] * pow[k as usize],
        }
    }
    let m = regs.len() as f64;
    let pow_2_minus_tau = (-TAU).exp2();
    let pow_4_minus_tau = (-2.0 * TAU).exp2();
    let [c0, c4, c8, c10] = f.small.map(f64::from);
    if c0 + c4 + c8 + c10 > 0.0 {
        // The root of the small-range quadratic gives z^(1/4).
        let alpha = m + 3.0 * (c0 + c4 + c8 + c10);
        let beta = m - c0 - c4;
        let gamma = 4.0 * c0 + 2.0 * c4 + 3.0 * c8 + c10;
        let q = ((beta * beta + 4.0 * alpha * gamma).sqrt() - beta) / (2.0 * alpha);
        let z = q * q * q * q;
        if c0 > 0.0 {
            f.sum += c0 * sigma(z);
        }
        if c4 > 0.0 {
            f.sum += c4 * pow_2_minus_tau * ETA_X * psi(z, z * z);
        }
        if c8 > 0.0 {
            f.sum += c8 * (z * pow_4_minus_tau * (ETA[0] - ETA[1]) + pow_4_minus_tau * ETA[1]);
        }
        if c10 > 0.0 {
            f.sum += c10 * (z * pow_4_minus_tau * (ETA[2] - ETA[3]) + pow_4_minus_tau * ETA[3]);
        }
    }
    let [w0, w1, w2, w3] = f.large.map(f64::from);
    if w0 + w1 + w2 + w3 > 0.0 {
        let alpha = m + 3.0 * (w0 + w1 + w2 + w3);
        let beta = w0 + w1 + 2.0 * (w2 + w3);
        let gamma = m + 2.0 * w0 + w2 - w3;
        let z = (((beta * beta + 4.0 * alpha * gamma).sqrt() - beta) / (2.0 * alpha)).sqrt();
        let rz = z.sqrt();
        let mut s = phi(rz, z) * (w0 + w1 + w2 + w3);
        s += z * (1.0 + rz) * (w0 * ETA[0] + w1 * ETA[1] + w2 * ETA[2] + w3 * ETA[3]);
        s += rz
            * ((w0 + w1) * pow_2_minus_tau * (z * (ETA[0] - ETA[2]) + ETA[2])
                + (w2 + w3) * pow_2_minus_tau * (z * (ETA[1] - ETA[3]) + ETA[3]));
        f.sum += s * pow[kmax as usize] / ((1.0 + rz) * (1.0 + z));
    }
    let lambda = m.powf(1.0 + 1.0 / TAU) / (1.0 + (1.0 + TAU) * V / (2.0 * m));
    lambda * f.sum.powf(-1.0 / TAU)
}
