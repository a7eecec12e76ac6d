//! Union, intersection, difference and Jaccard similarity of theta sketches.
//!
//! Every operation takes θ = min(θ_A, θ_B): below it both sketches hold every hash they saw,
//! so the hashes of `A ∪ B`, `A ∩ B` and `A \ B` below θ are known exactly, and the result is
//! a theta sketch of that set with that θ (Dasgupta et al., ICDT 2016). A union is trimmed
//! back to the `min_retained` of its `k`; an intersection or difference holds at most what its
//! inputs held.

use core::cmp::Ordering;

use hpds_core::{Error, Result};

use super::ThetaSketch;

/// Which hashes of two sorted lists a set operation keeps.
#[derive(Clone, Copy)]
enum Op {
    Union,
    Intersection,
    Difference,
}

/// The smallest `limit` hashes below `theta` of the set `op` makes of the ascending, distinct
/// `a` and `b`.
fn combine(a: &[u64], b: &[u64], theta: u64, op: Op, limit: usize) -> Vec<u64> {
    let a = &a[..a.partition_point(|&v| v < theta)];
    let b = &b[..b.partition_point(|&v| v < theta)];
    let mut out = Vec::with_capacity(
        match op {
            Op::Union => a.len() + b.len(),
            Op::Intersection => a.len().min(b.len()),
            Op::Difference => a.len(),
        }
        .min(limit),
    );
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() && out.len() < limit {
        let (x, y) = (a[i], b[j]);
        match x.cmp(&y) {
            Ordering::Equal => {
                if matches!(op, Op::Union | Op::Intersection) {
                    out.push(x);
                }
                i += 1;
                j += 1;
            }
            Ordering::Less => {
                if matches!(op, Op::Union | Op::Difference) {
                    out.push(x);
                }
                i += 1;
            }
            Ordering::Greater => {
                if matches!(op, Op::Union) {
                    out.push(y);
                }
                j += 1;
            }
        }
    }
    if matches!(op, Op::Union | Op::Difference) {
        let room = limit - out.len();
        out.extend_from_slice(&a[i..a.len().min(i.saturating_add(room))]);
    }
    if matches!(op, Op::Union) {
        let room = limit - out.len();
        out.extend_from_slice(&b[j..b.len().min(j.saturating_add(room))]);
    }
    out
}

impl ThetaSketch {
    fn check_compatible(&self, other: &Self) -> Result<()> {
        if self.seed != other.seed {
            return Err(Error::incompatible("seed", self.seed, other.seed));
        }
        Ok(())
    }

    /// The sketch of `op` applied to the two sketches, with nominal `k`.
    fn apply(&self, other: &Self, op: Op, k: usize) -> Result<Self> {
        self.check_compatible(other)?;
        let theta = self.theta.min(other.theta);
        // A union keeps `keep` hashes and needs the next one as its θ if there are more.
        let keep = super::min_retained(k);
        let limit = if matches!(op, Op::Union) {
            keep + 1
        } else {
            usize::MAX
        };
        let values = combine(
            &self.sorted_values(),
            &other.sorted_values(),
            theta,
            op,
            limit,
        );
        let mut out = Self::empty_like(k, self.seed, theta);
        out.sorted = values.len();
        out.values = values;
        if matches!(op, Op::Union) {
            out.trim_to(keep);
        }
        Ok(out)
    }

    /// Folds `other` into this sketch: afterwards it is the sketch of the union of both
    /// streams, with this sketch's `k` (the same as `self.union(other)` when the `k`s agree).
    ///
    /// Merging is commutative and associative, and the result holds at most
    /// [`min_retained`](Self::min_retained) hashes: it
    /// equals [`compact`](Self::compact) of a sketch that saw both streams, whenever neither
    /// input had dropped a hash the other held (e.g. always while both are exact).
    ///
    /// # Errors
    /// [`Incompatible`](hpds_core::ErrorKind::Incompatible) naming `"seed"` if the seeds
    /// differ.
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        *self = self.apply(other, Op::Union, self.k)?;
        Ok(())
    }

    /// The sketch of the union `A ∪ B`, with the smaller `k` of the two.
    ///
    /// # Errors
    /// As [`merge`](Self::merge).
    pub fn union(&self, other: &Self) -> Result<Self> {
        self.apply(other, Op::Union, self.k.min(other.k))
    }

    /// The sketch of the intersection `A ∩ B`: the hashes below both thresholds held by both.
    /// Its estimate has relative standard error about `1/sqrt(retained)`, where `retained` is
    /// about `|A ∩ B| · min(θ_A, θ_B)`: small intersections of large sets are estimated
    /// coarsely. The result has the smaller `k` of the two.
    ///
    /// # Errors
    /// As [`merge`](Self::merge).
    ///
    /// # Example
    /// ```
    /// use hpds_kmv::ThetaSketch;
    /// let mut a = ThetaSketch::new(64)?;
    /// let mut b = ThetaSketch::new(64)?;
    /// a.extend(["apple", "pear", "plum"]);
    /// b.extend(["pear", "plum", "fig"]);
    /// assert_eq!(a.intersect(&b)?.estimate(), 2.0); // exact: both sketches are
    /// assert_eq!(a.union(&b)?.estimate(), 4.0);
    /// assert_eq!(a.a_not_b(&b)?.estimate(), 1.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn intersect(&self, other: &Self) -> Result<Self> {
        self.apply(other, Op::Intersection, self.k.min(other.k))
    }

    /// The sketch of the difference `A \ B` (items of this sketch's stream not in `other`'s),
    /// with this sketch's `k`.
    ///
    /// # Errors
    /// As [`merge`](Self::merge).
    pub fn a_not_b(&self, other: &Self) -> Result<Self> {
        self.apply(other, Op::Difference, self.k)
    }

    /// The estimated Jaccard similarity `|A ∩ B| / |A ∪ B|`: of the hashes of the union below
    /// both thresholds, the fraction both sketches hold. Its standard error is about
    /// `sqrt(J (1 - J) / m)` with `m` the number of those hashes (at least `min(k_A, k_B)`
    /// once either sketch estimates). Exact while both sketches are exact; 1 when there is no
    /// hash to compare (two empty sketches).
    ///
    /// # Errors
    /// As [`merge`](Self::merge).
    pub fn jaccard(&self, other: &Self) -> Result<f64> {
        self.check_compatible(other)?;
        let theta = self.theta.min(other.theta);
        let (a, b) = (self.sorted_values(), other.sorted_values());
        let union = combine(&a, &b, theta, Op::Union, usize::MAX).len();
        let both = combine(&a, &b, theta, Op::Intersection, usize::MAX).len();
        Ok(if union == 0 {
            1.0
        } else {
            both as f64 / union as f64
        })
    }
}
