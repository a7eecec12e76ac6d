//! Normal quantiles for the confidence intervals and error bounds of the estimators.
//!
//! Needs `std` (for `ln`, `exp` and `sqrt` on `f64`).

use crate::error::{Error, Result};

/// The standard normal quantile (Acklam's rational approximation refined by one Halley step;
/// absolute error below 1e-7 over (0, 1), far below what a confidence interval needs).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let low = 0.024_25;
    let x = if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step against erfc brings the error to machine precision.
    let e = 0.5 * erfc(-x / core::f64::consts::SQRT_2) - p;
    let u = e * (2.0 * core::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// The complementary error function (the Chebyshev fit of Numerical Recipes' `erfcc`;
/// relative error below 1.2e-7, enough for one Halley step).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Checks a confidence level and returns its two-sided normal quantile: 1.96 for 0.95.
///
/// # Errors
/// `confidence` outside (0, 1).
///
/// # Example
/// ```
/// let z = hpds_core::stats::confidence_z(0.95)?;
/// assert!((z - 1.959_964).abs() < 1e-6);
/// assert!(hpds_core::stats::confidence_z(1.0).is_err());
/// # Ok::<(), hpds_core::Error>(())
/// ```
pub fn confidence_z(confidence: f64) -> Result<f64> {
    if confidence > 0.0 && confidence < 1.0 {
        Ok(normal_quantile(0.5 + confidence / 2.0))
    } else {
        Err(Error::invalid_parameter(
            "confidence",
            confidence,
            "a number in (0, 1), e.g. 0.95",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles() {
        for (p, z) in [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.001, -3.090_232_306_167_813),
        ] {
            assert!((normal_quantile(p) - z).abs() < 1e-7);
        }
        assert!(
            confidence_z(0.0).is_err()
                && confidence_z(1.0).is_err()
                && confidence_z(f64::NAN).is_err()
        );
        assert!((confidence_z(0.95).unwrap() - 1.959_963_984_540_054).abs() < 1e-7);
    }
}
