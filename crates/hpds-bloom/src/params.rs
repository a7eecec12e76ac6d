//! Sizing formulas and the false-positive rates the filters are held to.
//!
//! These are the formulas the constructors use and the statistical tests compare against; they
//! are public so callers can size filters and plot the trade-offs themselves.

use hpds_core::{Error, Result};

/// The largest filter, in bits, any constructor accepts (2^40 bits = 128 GiB).
pub const MAX_BITS: u64 = 1 << 40;

/// The most bits per expected item that a constructor sized by `(expected_items, rate)`
/// allocates: 64, which a classic filter needs at a rate of about 1e-13 (a blocked one at about
/// 1e-7). Smaller rates are refused with an error rather than silently sized to gigabytes
/// (`BloomFilter::new(1000, 1e-300)` would otherwise ask for 3.2e9 bits). A caller who means a
/// larger filter gives its shape instead (`BloomFilter::with_bits`,
/// `BlockedBloomFilter::with_blocks`), which only [`MAX_BITS`] bounds.
pub const MAX_BITS_PER_ITEM: u64 = 64;

/// The largest number of hash functions (bit positions per item) accepted.
pub const MAX_HASHES: u32 = 64;

/// Bits in one block of [`crate::BlockedBloomFilter`]: eight 32-bit words, half a cache line.
pub const BLOCK_BITS: u64 = crate::split::BLOCK_BITS;

/// Bits per word of a block: an item sets one bit in each of the eight words per round.
const WORD_BITS: f64 = 32.0;

/// `ln(2)^2`, the constant of the optimal sizing `m = -n ln p / ln(2)^2`.
const LN2_SQ: f64 = core::f64::consts::LN_2 * core::f64::consts::LN_2;

pub(crate) fn check_items(expected_items: u64) -> Result<u64> {
    if expected_items == 0 {
        return Err(Error::invalid_parameter(
            "expected_items",
            expected_items,
            "at least 1",
        ));
    }
    Ok(expected_items)
}

pub(crate) fn check_rate(false_positive_rate: f64) -> Result<f64> {
    if !(false_positive_rate > 0.0 && false_positive_rate < 1.0) {
        return Err(Error::invalid_parameter(
            "false_positive_rate",
            Sci(false_positive_rate),
            "a number in (0, 1), e.g. 0.01 for 1%",
        ));
    }
    Ok(false_positive_rate)
}

/// A rate in scientific notation (`1e-300`, not three hundred digits).
struct Sci(f64);

impl core::fmt::Display for Sci {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.0 != 0.0 && (self.0.abs() < 1e-4 || self.0.abs() >= 1e6) {
            // Shortest form (`1e-300`) unless that needs many digits (`9.999999999999999e-302`).
            let short = format!("{:e}", self.0);
            if short.len() <= 10 {
                f.write_str(&short)
            } else {
                write!(f, "{:.3e}", self.0)
            }
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// Refuses a shape sized from `(n, p)` that needs more than [`MAX_BITS_PER_ITEM`] bits per item
/// or more than [`MAX_BITS`] bits in all; shared by every filter constructor that sizes itself.
///
/// # Errors
/// The message gives the rate in scientific notation, the bits per item and the total it would
/// allocate, and the way to ask for a large filter on purpose.
pub fn check_shape(n: u64, p: f64, bits: f64) -> Result<()> {
    let per_item = bits / n as f64;
    if per_item > MAX_BITS_PER_ITEM as f64 {
        return Err(Error::invalid_parameter(
            "false_positive_rate",
            format!(
                "{} for {n} items ({per_item:.3e} bits per item, {bits:.3e} bits = {:.3e} bytes)",
                Sci(p),
                bits / 8.0
            ),
            "a rate that needs at most 64 bits per item (about 1e-13 or more for \
             BloomFilter, 1e-7 for BlockedBloomFilter); for a larger filter on purpose give its \
             shape (BloomFilter::with_bits, BlockedBloomFilter::with_blocks)",
        ));
    }
    if bits > MAX_BITS as f64 {
        return Err(Error::capacity_overflow(
            "Bloom filter bit array (over 2^40 bits)",
        ));
    }
    Ok(())
}

pub(crate) fn check_hashes(hashes: u32) -> Result<u32> {
    if hashes == 0 || hashes > MAX_HASHES {
        return Err(Error::invalid_parameter("hashes", hashes, "1..=64"));
    }
    Ok(hashes)
}

pub(crate) fn check_bits(bits: u64) -> Result<u64> {
    if bits == 0 {
        return Err(Error::invalid_parameter("bits", bits, "1..=2^40"));
    }
    if bits > MAX_BITS {
        return Err(Error::capacity_overflow(
            "Bloom filter bit array (over 2^40 bits)",
        ));
    }
    Ok(bits)
}

/// Bits of a classic filter for `n` items at false-positive rate `p`: `-n ln p / ln(2)^2`
/// (about `1.44 log2(1/p)` bits per item), rounded up.
///
/// # Example
/// ```
/// let m = hpds_bloom::params::optimal_bits(1_000_000, 0.01);
/// assert_eq!(m, 9_585_059); // 9.59 bits per item
/// ```
pub fn optimal_bits(n: u64, p: f64) -> u64 {
    (-(n as f64) * p.ln() / LN2_SQ).ceil().max(1.0) as u64
}

/// Bits of a classic filter with `k` hashes whose rate after `n` items is at most `p`:
/// solves `(1 - e^{-kn/m})^k = p` for `m`, i.e. `m = -k n / ln(1 - p^{1/k})`, rounded up.
///
/// With `k = round(log2(1/p))` this is within 0.1% of the optimum and, unlike the textbook
/// `-n ln p / ln(2)^2` with a rounded `k`, never misses the target.
pub fn bits_for(n: u64, p: f64, k: u32) -> u64 {
    let per_bit = 1.0 - p.powf(1.0 / f64::from(k));
    (-(f64::from(k)) * n as f64 / per_bit.ln()).ceil().max(1.0) as u64
}

/// Hashes for a target rate `p`: `round(log2(1/p))`, at least 1 and at most [`MAX_HASHES`].
pub fn hashes_for_rate(p: f64) -> u32 {
    (-p.log2()).round().clamp(1.0, f64::from(MAX_HASHES)) as u32
}

/// A classic shape `(bits, hashes)` for `n` items at rate `p` that meets `p` exactly by
/// [`classic_fpr`].
///
/// # Errors
/// When `n` or `p` are out of range or the filter would exceed [`MAX_BITS_PER_ITEM`] or
/// [`MAX_BITS`] ([`check_shape`]).
pub fn classic_shape(n: u64, p: f64) -> Result<(u64, u32)> {
    check_items(n)?;
    check_rate(p)?;
    let k = hashes_for_rate(p);
    let per_bit = 1.0 - p.powf(1.0 / f64::from(k));
    check_shape(n, p, (-(f64::from(k)) * n as f64 / per_bit.ln()).ceil())?;
    let m = bits_for(n, p, k);
    check_bits(m)?;
    Ok((m, k))
}

/// Hash functions that minimise the false-positive rate of `m` bits holding `n` items:
/// `round((m / n) ln 2)`, at least 1 and at most [`MAX_HASHES`].
pub fn optimal_hashes(m: u64, n: u64) -> u32 {
    let k = (m as f64 / n.max(1) as f64 * core::f64::consts::LN_2).round();
    k.clamp(1.0, f64::from(MAX_HASHES)) as u32
}

/// False-positive rate of a classic filter with `m` bits and `k` hashes after `n` distinct
/// items: `(1 - e^{-kn/m})^k`.
pub fn classic_fpr(m: u64, k: u32, n: u64) -> f64 {
    let fill = 1.0 - (-(f64::from(k)) * n as f64 / m as f64).exp();
    fill.powi(k as i32)
}

/// The fraction of set bits expected in `m` bits after `n` items with `k` hashes.
pub fn expected_fill(m: u64, k: u32, n: u64) -> f64 {
    1.0 - (-(f64::from(k)) * n as f64 / m as f64).exp()
}

/// Estimated distinct items from a fill of `ones` set bits out of `m` with `k` hashes
/// (Swamidass and Baldi, 2007): `-(m / k) ln(1 - ones / m)`. Infinite for a full filter.
pub fn estimate_items(m: u64, k: u32, ones: u64) -> f64 {
    if ones >= m {
        return f64::INFINITY;
    }
    -(m as f64) / f64::from(k) * (1.0 - ones as f64 / m as f64).ln()
}

/// False-positive rate of a blocked filter of `blocks` 256-bit blocks with `k` bits per item
/// (`k = 8 · rounds`: one bit in each of the block's eight 32-bit words per round) after `n`
/// items.
///
/// An item picks one block, so block loads are Poisson with mean `λ = n / blocks`; in a block
/// holding `j` items a word has each bit set with probability `1 - (1 - 1/32)^{j·rounds}`, and a
/// non-member is accepted when its `k` bits are all set: `(1 - (31/32)^{j·rounds})^k`. The rate
/// is that averaged over the Poisson mixture. Overloaded blocks dominate, which is why blocked
/// filters need more bits than classic ones for the same rate.
pub fn blocked_fpr(blocks: u64, k: u32, n: u64) -> f64 {
    let lambda = n as f64 / blocks.max(1) as f64;
    poisson_mixture(lambda, k.div_ceil(8).max(1))
}

/// `Σ_j P(J = j) · (1 - keep^(j · rounds))^(8 · rounds)` over the Poisson(`lambda`) number `J`
/// of items in a block. The terms are built by recurrence (`P(J = j) = P(J = j - 1) λ / j`,
/// `keep^(j · rounds)` by repeated multiplication), with no logarithm, exponential or power per
/// term: a scalable filter sizes each new sub-filter on the insert that adds it, with about 45
/// evaluations of this sum. Beyond `λ = 600`, where `e^-λ` nears the smallest normal `f64`,
/// `P(J = j)` is carried as its logarithm instead.
fn poisson_mixture(lambda: f64, rounds: u32) -> f64 {
    if lambda <= 0.0 {
        return 0.0;
    }
    // The chance one round of one item leaves a given bit of a word clear, over all rounds.
    let keep = (1.0 - 1.0 / WORD_BITS).powi(rounds as i32);
    let k = 8 * rounds as i32;
    let hi = (lambda + 12.0 * lambda.sqrt() + 40.0) as u64;
    let mut clear = 1.0; // keep^j
    let mut total = 0.0;
    if lambda < 600.0 {
        let mut pmf = (-lambda).exp(); // P(J = 0)
        for j in 0..=hi {
            if j > 0 {
                pmf *= lambda / j as f64;
                clear *= keep;
            }
            total += pmf * (1.0 - clear).powi(k);
        }
    } else {
        let ln_lambda = lambda.ln();
        let mut ln_pmf = -lambda; // ln P(J = 0)
        for j in 0..=hi {
            if j > 0 {
                ln_pmf += ln_lambda - (j as f64).ln();
                clear *= keep;
            }
            total += ln_pmf.exp() * (1.0 - clear).powi(k);
        }
    }
    total.min(1.0)
}

/// Shape of a blocked filter for `n` items at rate `p`: the number of 256-bit blocks and the
/// bits per item (`8 · rounds`, rounds in `1..=8`), the fewest bits whose [`blocked_fpr`] is at
/// most `p`. About 10.5 bits per item at 1%, 16.9 at 0.1%, 26.4 at 0.01%.
///
/// # Errors
/// When `n` or `p` are out of range or the filter would exceed [`MAX_BITS_PER_ITEM`] or
/// [`MAX_BITS`] ([`check_shape`]).
pub fn blocked_shape(n: u64, p: f64) -> Result<(u64, u32)> {
    check_items(n)?;
    check_rate(p)?;
    check_classic_cap(n, p)?;
    let (blocks, k) = blocked_shape_upto(n, p, crate::split::MAX_ROUNDS)?;
    check_shape(n, p, (blocks * BLOCK_BITS) as f64)?;
    Ok((blocks, k))
}

/// Refuses `(n, p)` when even the classic filter, the smallest layout, would need more than
/// the cap per item: no block layout can do better, so this refuses hopeless rates before any
/// search.
pub(crate) fn check_classic_cap(n: u64, p: f64) -> Result<()> {
    check_shape(n, p, (n as f64 * (-p.ln() / LN2_SQ).max(1.0)).ceil())
}

/// [`blocked_shape`] with at most `max_rounds` rounds.
pub(crate) fn blocked_shape_upto(n: u64, p: f64, max_rounds: u32) -> Result<(u64, u32)> {
    check_items(n)?;
    check_rate(p)?;
    // For each number of rounds, bisect on bits per item (the rate falls as bits grow) between
    // the classic size and a size that meets `p`; keep the fewest bits.
    let rate =
        |bits_per_item: f64, rounds| poisson_mixture(BLOCK_BITS as f64 / bits_per_item, rounds);
    let classic = (-p.ln() / LN2_SQ).max(1.0);
    let mut best: Option<(f64, u32)> = None;
    for rounds in 1..=max_rounds {
        let (mut lo, mut hi) = (classic, classic);
        while rate(hi, rounds) > p {
            lo = hi;
            hi *= 1.5;
            if hi > 4096.0 {
                break;
            }
        }
        if rate(hi, rounds) > p {
            continue;
        }
        for _ in 0..40 {
            let mid = 0.5 * (lo + hi);
            if rate(mid, rounds) > p {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if best.is_none_or(|(b, _)| hi < b) {
            best = Some((hi, rounds));
        }
    }
    let Some((bits_per_item, rounds)) = best else {
        return Err(Error::invalid_parameter(
            "false_positive_rate",
            p,
            "a rate a blocked filter can reach (about 1e-12 or more); use BloomFilter below that",
        ));
    };
    let bits = (n as f64 * bits_per_item).ceil();
    if bits > MAX_BITS as f64 {
        return Err(Error::capacity_overflow(
            "blocked Bloom filter (over 2^40 bits)",
        ));
    }
    Ok(((bits as u64).div_ceil(BLOCK_BITS).max(1), 8 * rounds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(
        miri,
        ignore = "numeric search, slow under Miri; no unsafe code involved"
    )]
    fn classic_sizing_meets_the_rate() {
        for p in [0.1, 0.01, 0.001, 0.0001] {
            let n = 100_000;
            let m = optimal_bits(n, p);
            let k = optimal_hashes(m, n);
            let rate = classic_fpr(m, k, n);
            assert!(rate <= p * 1.02, "p={p} rate={rate}");
            let (m2, k2) = classic_shape(n, p).unwrap();
            assert!(classic_fpr(m2, k2, n) <= p);
            assert!(m2 as f64 <= m as f64 * 1.01);
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "numeric search, slow under Miri; no unsafe code involved"
    )]
    fn blocked_sizing_meets_the_rate_with_more_bits() {
        for p in [0.01, 0.001, 0.0001] {
            let n = 1_000_000;
            let (blocks, k) = blocked_shape(n, p).unwrap();
            assert!(blocked_fpr(blocks, k, n) <= p);
            assert!(blocks * BLOCK_BITS >= optimal_bits(n, p));
        }
        // The documented cost at 1%: at most 10.7 bits per item, 8 bits set per item.
        let (blocks, k) = blocked_shape(1_000_000, 0.01).unwrap();
        assert_eq!(k, 8);
        assert!(blocks * BLOCK_BITS <= 10_700_000, "{blocks}");
    }

    /// The recurrences agree with the sum written term by term (logarithms, exponentials and
    /// powers), on both sides of the switch to logarithms at `λ = 600`.
    #[test]
    #[cfg_attr(
        miri,
        ignore = "numeric sums, slow under Miri; no unsafe code involved"
    )]
    fn poisson_mixture_matches_the_direct_sum() {
        let direct = |lambda: f64, rounds: u32| {
            let keep = 1.0 - 1.0 / WORD_BITS;
            let hi = (lambda + 12.0 * lambda.sqrt() + 40.0) as u64;
            (0..=hi)
                .map(|j| {
                    let ln_pmf = -lambda + j as f64 * lambda.ln()
                        - (1..=j).map(|i| (i as f64).ln()).sum::<f64>();
                    let fill = 1.0 - keep.powf(j as f64 * f64::from(rounds));
                    ln_pmf.exp() * fill.powi(8 * rounds as i32)
                })
                .sum::<f64>()
                .min(1.0)
        };
        for lambda in [0.5, 3.0, 15.0, 25.6, 100.0, 599.0, 601.0, 2000.0] {
            for rounds in [1, 2, 3] {
                let (got, want) = (poisson_mixture(lambda, rounds), direct(lambda, rounds));
                assert!(
                    (got - want).abs() <= 1e-9 * want,
                    "lambda {lambda}, rounds {rounds}: {got} against {want}"
                );
            }
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "numeric search, slow under Miri; no unsafe code involved"
    )]
    fn poisson_mixture_with_huge_blocks_approaches_classic() {
        // A block holding exactly its mean is the classic filter; the mixture is at least that.
        let lambda = 25.0;
        let classic = classic_fpr(BLOCK_BITS, 8, 25);
        assert!(poisson_mixture(lambda, 1) >= classic);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "numeric search, slow under Miri; no unsafe code involved"
    )]
    fn estimate_inverts_the_expected_fill() {
        let (m, k, n) = (1_000_000, 7, 100_000);
        let ones = (expected_fill(m, k, n) * m as f64) as u64;
        let est = estimate_items(m, k, ones);
        assert!((est - n as f64).abs() < 10.0);
        assert!(estimate_items(10, 1, 10).is_infinite());
    }

    #[test]
    fn shapes_beyond_the_cap_are_refused_with_readable_rates() {
        for shape in [classic_shape(1000, 1e-300), blocked_shape(1000, 1e-300)] {
            let e = shape.unwrap_err().to_string();
            assert!(e.contains("1e-300 for 1000 items"), "{e}");
            assert!(e.contains("bits per item"), "{e}");
            assert!(e.len() < 400, "{e}");
        }
        // Just inside and just outside the cap.
        assert!(classic_shape(1000, 1e-12).is_ok());
        assert!(classic_shape(1000, 1e-15).is_err());
        assert!(blocked_shape(1000, 1e-6).is_ok());
        assert!(blocked_shape(1000, 1e-9).is_err());
        // Out of range rates print in scientific notation too.
        let e = check_rate(-1e-300).unwrap_err().to_string();
        assert!(e.contains("-1e-300"), "{e}");
        // Many items at a modest rate: over the total cap, refused before any allocation.
        assert!(classic_shape(1 << 40, 0.01).is_err());
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(check_rate(0.0).is_err());
        assert!(check_rate(1.0).is_err());
        assert!(check_rate(f64::NAN).is_err());
        assert!(check_items(0).is_err());
        assert!(check_hashes(0).is_err());
        assert!(check_hashes(65).is_err());
        assert!(check_bits(0).is_err());
        assert!(check_bits(MAX_BITS + 1).is_err());
        assert!(blocked_shape(u64::MAX, 0.01).is_err());
    }
}
