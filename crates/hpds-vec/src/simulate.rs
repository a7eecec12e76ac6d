//! Pushing `n` elements under a policy and reporting what it cost: the API behind `hpds grow`.

use core::fmt;
use core::mem;

use crate::growth::Policy;
use crate::stats::GrowthStats;
use crate::vec::GrowVec;

/// What `n` pushes onto an empty vector cost under one policy, from [`simulate`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GrowthReport {
    /// The policy.
    pub policy: Policy,
    /// Elements pushed.
    pub n: usize,
    /// Bytes per element.
    pub elem_size: usize,
    /// Capacity after each reallocation, starting with 0 (so `len() - 1` reallocations).
    pub capacities: Vec<usize>,
    /// Reallocations, bytes copied, and bytes really moved vs grown in place, as measured on
    /// this machine's allocator.
    pub stats: GrowthStats,
    /// Final capacity, in elements.
    pub capacity: usize,
}

impl GrowthReport {
    /// Unused slots at the end: `capacity - n`.
    pub fn slack(&self) -> usize {
        self.capacity - self.n
    }

    /// Unused bytes at the end: `slack() × elem_size`.
    pub fn slack_bytes(&self) -> usize {
        self.slack() * self.elem_size
    }

    /// Slack as a fraction of the length (0.125 means 12.5% more memory than the elements).
    pub fn slack_ratio(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.slack() as f64 / self.n as f64
        }
    }

    /// Bytes copied per element pushed (`bytes_copied / (n × elem_size)`): the amortized
    /// copying cost of growth, below `factor / (factor - 1)` for geometric policies.
    pub fn copies_per_element(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.stats.bytes_copied as f64 / (self.n * self.elem_size) as f64
        }
    }
}

impl fmt::Display for GrowthReport {
    /// One line: policy, reallocations, bytes copied/moved, in place, slack.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.stats;
        write!(
            f,
            "{}: n={} capacity={} reallocations={} copied={}B moved={}B in_place={}/{} slack={} ({:.1}%)",
            self.policy,
            self.n,
            self.capacity,
            s.reallocations,
            s.bytes_copied,
            s.bytes_moved,
            s.in_place,
            s.resizes(),
            self.slack_bytes(),
            100.0 * self.slack_ratio()
        )
    }
}

/// Pushes `n` `u64`s one at a time onto an empty `GrowVec` under `policy` and reports the
/// capacity sequence, reallocations, bytes copied, bytes moved by `realloc` vs grown in place,
/// and the final slack.
///
/// It really allocates (`n × 8` bytes and the policy's slack) so that in-place growth is measured
/// on this machine's allocator; [`capacity_sequence`](crate::capacity_sequence) computes the
/// sequence alone without allocating.
///
/// # Example
/// ```
/// use hpds_vec::{simulate, Policy};
/// for policy in Policy::ALL {
///     let r = simulate(policy, 1000);
///     println!("{r}");
///     assert_eq!(r.capacities.len() as u64, r.stats.reallocations + 1);
/// }
/// let r = simulate("cpython".parse()?, 17);
/// assert_eq!(r.capacities, [0, 4, 8, 16, 24]);
/// assert_eq!(r.slack(), 7);
/// assert_eq!(r.stats.bytes_copied, (4 + 8 + 16) * 8);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate(policy: Policy, n: usize) -> GrowthReport {
    simulate_with(policy, n, 0u64)
}

/// [`simulate`] with clones of `value` as the elements (their size sets `elem_size`).
///
/// # Example
/// ```
/// use hpds_vec::{simulate_with, Policy};
/// let r = simulate_with(Policy::Doubling, 100, [0u8; 64]);
/// assert_eq!(r.elem_size, 64);
/// assert_eq!(r.capacity, 128);
/// ```
pub fn simulate_with<T: Clone>(policy: Policy, n: usize, value: T) -> GrowthReport {
    let mut v: GrowVec<T, Policy> = GrowVec::with_policy(policy);
    let mut capacities = vec![v.capacity_or_zero()];
    for _ in 0..n {
        v.push(value.clone());
        let c = v.capacity_or_zero();
        if capacities.last() != Some(&c) {
            capacities.push(c);
        }
    }
    GrowthReport {
        policy,
        n,
        elem_size: mem::size_of::<T>(),
        capacity: v.capacity_or_zero(),
        capacities,
        stats: *v.stats(),
    }
}
