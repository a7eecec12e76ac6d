//! Growth policies: how much capacity a [`GrowVec`](crate::GrowVec) asks for when it is full,
//! and whether it gives memory back when elements are removed.

use core::fmt;
use core::str::FromStr;

use hpds_core::{Error, Result};

/// A growth policy: the capacity to move to when the vector needs more room, and optionally the
/// capacity to shrink to after removals.
///
/// The vector calls [`grow`](Growth::grow) only when `required > capacity`, and always uses at
/// least `required` whatever the policy returns. It calls [`shrink`](Growth::shrink) after
/// operations that lower the length (`pop`, `remove`, `truncate`, `clear`, `drain`, …) only if
/// [`SHRINKS`](Growth::SHRINKS) is `true`, so policies that never shrink (like `Vec`) cost
/// nothing on those paths. Explicit requests (`with_capacity`, `reserve_exact`,
/// `shrink_to_fit`) bypass the policy.
///
/// Policies are small `Copy` values (most are zero-sized); a vector stores one.
///
/// # Example
/// A policy that grows by a fixed 1024 elements (linear growth: quadratic total copying, for
/// demonstration only):
/// ```
/// use hpds_vec::{GrowVec, Growth};
///
/// #[derive(Clone, Copy, Debug, Default)]
/// struct Chunked;
/// impl Growth for Chunked {
///     fn grow(&self, capacity: usize, _len: usize, required: usize, _elem_size: usize) -> usize {
///         required.max(capacity.saturating_add(1024))
///     }
/// }
///
/// let mut v: GrowVec<u32, Chunked> = GrowVec::new();
/// for i in 0..3000 {
///     v.push(i);
/// }
/// assert_eq!(v.capacity(), 3072);
/// assert_eq!(v.stats().reallocations, 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Growth {
    /// Whether [`shrink`](Growth::shrink) can ever return `Some`. Leave `false` (the default)
    /// unless you override `shrink`.
    const SHRINKS: bool = false;

    /// The capacity to grow to, in elements.
    ///
    /// Called when `required > capacity`; `len` is the current length (CPython's rule looks at
    /// it), `elem_size` is `size_of::<T>()` (never 0: zero-sized types never grow). Returning
    /// less than `required` is allowed and means `required`. Use saturating arithmetic: a
    /// result too large to allocate becomes a capacity-overflow error.
    fn grow(&self, capacity: usize, len: usize, required: usize, elem_size: usize) -> usize;

    /// The capacity to shrink to now that the length is `len`, or `None` to keep `capacity`.
    ///
    /// Only called when [`SHRINKS`](Growth::SHRINKS) is `true`. Results below `len` are raised
    /// to `len`.
    fn shrink(&self, capacity: usize, len: usize, elem_size: usize) -> Option<usize> {
        let _ = (capacity, len, elem_size);
        None
    }
}

/// The smallest non-zero capacity `Vec` allocates: 8 for bytes, 4 up to 1 KiB, else 1.
#[inline]
const fn min_non_zero_cap(elem_size: usize) -> usize {
    if elem_size == 1 {
        8
    } else if elem_size <= 1024 {
        4
    } else {
        1
    }
}

/// Doubles the capacity, exactly like `std::vec::Vec` (the default policy).
///
/// New capacity `max(2·capacity, required, m)` where `m` is 8 for 1-byte elements, 4 for
/// elements up to 1 KiB and 1 above. At most half the capacity is slack after growth; the
/// elements copied over n pushes total less than 2n (a geometric series).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Doubling;

impl Growth for Doubling {
    #[inline]
    fn grow(&self, capacity: usize, _len: usize, required: usize, elem_size: usize) -> usize {
        capacity
            .saturating_mul(2)
            .max(required)
            .max(min_non_zero_cap(elem_size))
    }
}

/// Never over-allocates: capacity is exactly what was required (a `tuple`'s memory, with
/// a reallocation on every push).
///
/// n pushes cost n reallocations; with a realloc that cannot grow in place that is O(n²)
/// copying. Use it for vectors built once with `with_capacity` or `extend` from an exact-size
/// iterator, or to see why over-allocation exists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Exact;

impl Growth for Exact {
    #[inline]
    fn grow(&self, _capacity: usize, _len: usize, required: usize, _elem_size: usize) -> usize {
        required
    }
}

/// CPython's list (3.9 and later), exactly: `Objects/listobject.c`'s `list_resize`.
///
/// Growing to a size `n` allocates `(n + n/8 + 6)` rounded down to a multiple of 4 (about
/// 1.125·n, so slack is at most 12.5% + 6 elements), unless `n` is closer to that than to the
/// old length (a big `extend`), in which case it allocates `n` rounded up to a multiple of 4.
/// After removals, when fewer than half the slots are used, it shrinks to the same formula
/// applied to the new length (to 0 when empty). A capacity sequence test against the real
/// interpreter (`tests/data/cpython_list_capacity.py`) holds it to that.
///
/// Sequence of capacities for appends: 0, 4, 8, 16, 24, 32, 40, 52, 64, 76, 92, 108, …
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CPythonList;

impl CPythonList {
    #[inline]
    const fn over_allocate(n: usize) -> usize {
        n.saturating_add(n >> 3).saturating_add(6) & !3
    }
}

impl Growth for CPythonList {
    const SHRINKS: bool = true;

    #[inline]
    fn grow(&self, _capacity: usize, len: usize, required: usize, _elem_size: usize) -> usize {
        if required == 0 {
            return 0;
        }
        let over = Self::over_allocate(required);
        // "Do not overallocate if the new size is closer to overallocated size than to the old
        // size." (`required > len` here; `over >= required` unless saturated.)
        if required - len.min(required) > over.saturating_sub(required) {
            required.saturating_add(3) & !3
        } else {
            over
        }
    }

    #[inline]
    fn shrink(&self, capacity: usize, len: usize, _elem_size: usize) -> Option<usize> {
        // list_resize bypasses realloc while `allocated >= newsize >= allocated / 2`.
        if len >= capacity >> 1 {
            return None;
        }
        let new = if len == 0 {
            0
        } else {
            Self::over_allocate(len)
        };
        (new != capacity).then_some(new)
    }
}

/// Grows by a configurable factor, e.g. 1.5 (folly's `fbvector`, MSVC's `std::vector`) or the
/// golden ratio.
///
/// New capacity `max(⌈factor·capacity⌉, capacity + 1, required, m)` with `m` as for
/// [`Doubling`]. After growth at most `1 - 1/factor` of the capacity is slack; the elements
/// copied over n pushes total below `n·factor/(factor-1)`. Factors below 2 let a first-fit
/// allocator reuse the freed blocks for later growth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Factor {
    factor: f64,
}

impl Factor {
    /// 1.5, folly's `fbvector` and MSVC's choice.
    pub const ONE_AND_A_HALF: Self = Self { factor: 1.5 };
    /// The golden ratio ≈ 1.618, the largest factor whose freed blocks can in theory be reused.
    pub const GOLDEN: Self = Self {
        factor: 1.618_033_988_749_895,
    };

    /// A factor in `1.0..=16.0`.
    ///
    /// # Example
    /// ```
    /// use hpds_vec::{Factor, GrowVec};
    /// let mut v = GrowVec::with_policy(Factor::new(1.5)?);
    /// v.extend(0..100u32);
    /// assert!(v.capacity() >= 100);
    /// assert!(Factor::new(0.5).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`hpds_core::ErrorKind::InvalidParameter`] if `factor` is not a finite number in
    /// `1.0..=16.0`.
    pub fn new(factor: f64) -> Result<Self> {
        if factor.is_finite() && (1.0..=16.0).contains(&factor) {
            Ok(Self { factor })
        } else {
            Err(Error::invalid_parameter(
                "factor",
                factor,
                "a finite number in 1.0..=16.0",
            ))
        }
    }

    /// The growth factor.
    pub const fn factor(&self) -> f64 {
        self.factor
    }
}

impl Default for Factor {
    /// 1.5.
    fn default() -> Self {
        Self::ONE_AND_A_HALF
    }
}

impl Growth for Factor {
    #[inline]
    fn grow(&self, capacity: usize, _len: usize, required: usize, elem_size: usize) -> usize {
        // `as` saturates for floats too large for usize.
        let scaled = (capacity as f64 * self.factor).ceil() as usize;
        scaled
            .max(capacity.saturating_add(1))
            .max(required)
            .max(min_non_zero_cap(elem_size))
    }
}

/// Grows by a factor, then rounds the buffer's byte size up to the allocator's next size class,
/// so the bytes the allocator would waste as internal fragmentation become usable capacity
/// (folly's `fbvector` with `goodMallocSize`).
///
/// Size classes are jemalloc's (and most modern allocators' — mimalloc and tcmalloc are close):
/// 8 bytes, multiples of 16 up to 128, then four classes per power of two (160, 192, 224,
/// 256, 320, …). With glibc's malloc, which serves any multiple of 16 bytes, the rounding is
/// at most a quarter more than asked and never below what was required.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SizeClass {
    factor: Factor,
}

impl SizeClass {
    /// Growth by `factor` (see [`Factor`]), then rounding up to a size class.
    pub const fn new(factor: Factor) -> Self {
        Self { factor }
    }

    /// The growth factor applied before rounding.
    pub const fn factor(&self) -> Factor {
        self.factor
    }

    /// The size class a request of `bytes` is served from: the smallest class `>= bytes`
    /// (saturating at `usize::MAX`).
    ///
    /// # Example
    /// ```
    /// use hpds_vec::SizeClass;
    /// assert_eq!(SizeClass::round_bytes(1), 8);
    /// assert_eq!(SizeClass::round_bytes(100), 112);
    /// assert_eq!(SizeClass::round_bytes(129), 160);
    /// assert_eq!(SizeClass::round_bytes(1000), 1024);
    /// assert_eq!(SizeClass::round_bytes(1025), 1280);
    /// ```
    pub const fn round_bytes(bytes: usize) -> usize {
        if bytes == 0 {
            0
        } else if bytes <= 8 {
            8
        } else if bytes <= 128 {
            (bytes + 15) & !15
        } else {
            // Four classes between consecutive powers of two: step = 2^(⌊log2(bytes-1)⌋ - 2).
            let log = usize::BITS - 1 - (bytes - 1).leading_zeros();
            let step = 1usize << (log - 2);
            match bytes.checked_add(step - 1) {
                Some(b) => b & !(step - 1),
                None => usize::MAX,
            }
        }
    }
}

impl Growth for SizeClass {
    #[inline]
    fn grow(&self, capacity: usize, len: usize, required: usize, elem_size: usize) -> usize {
        let want = self.factor.grow(capacity, len, required, elem_size);
        if elem_size == 0 {
            return want;
        }
        Self::round_bytes(want.saturating_mul(elem_size)) / elem_size
    }
}

/// Any of the built-in policies, chosen at run time (by name, e.g. from a command line).
///
/// Parses from and prints as `cpython`, `doubling`, `exact`, `factor` / `factor:1.618`,
/// `size-class` / `size-class:1.5`.
///
/// # Example
/// ```
/// use hpds_vec::{GrowVec, Policy};
/// let policy: Policy = "factor:1.5".parse()?;
/// let mut v = GrowVec::with_policy(policy);
/// v.extend(0..1000u64);
/// assert_eq!(policy.to_string(), "factor:1.5");
/// assert!("halving".parse::<Policy>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Policy {
    /// [`CPythonList`].
    CPythonList,
    /// [`Doubling`].
    Doubling,
    /// [`Factor`].
    Factor(Factor),
    /// [`Exact`].
    Exact,
    /// [`SizeClass`].
    SizeClass(SizeClass),
}

impl Policy {
    /// The built-in policies with their default parameters, in the order the docs compare them.
    pub const ALL: [Policy; 5] = [
        Policy::Doubling,
        Policy::Factor(Factor::ONE_AND_A_HALF),
        Policy::SizeClass(SizeClass::new(Factor::ONE_AND_A_HALF)),
        Policy::CPythonList,
        Policy::Exact,
    ];
}

impl Default for Policy {
    /// [`Policy::Doubling`], like `Vec`.
    fn default() -> Self {
        Self::Doubling
    }
}

impl Growth for Policy {
    const SHRINKS: bool = true;

    #[inline]
    fn grow(&self, capacity: usize, len: usize, required: usize, elem_size: usize) -> usize {
        match self {
            Self::CPythonList => CPythonList.grow(capacity, len, required, elem_size),
            Self::Doubling => Doubling.grow(capacity, len, required, elem_size),
            Self::Factor(f) => f.grow(capacity, len, required, elem_size),
            Self::Exact => Exact.grow(capacity, len, required, elem_size),
            Self::SizeClass(s) => s.grow(capacity, len, required, elem_size),
        }
    }

    #[inline]
    fn shrink(&self, capacity: usize, len: usize, elem_size: usize) -> Option<usize> {
        match self {
            Self::CPythonList => CPythonList.shrink(capacity, len, elem_size),
            _ => None,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CPythonList => f.write_str("cpython"),
            Self::Doubling => f.write_str("doubling"),
            Self::Factor(x) => write!(f, "factor:{}", x.factor()),
            Self::Exact => f.write_str("exact"),
            Self::SizeClass(s) => write!(f, "size-class:{}", s.factor().factor()),
        }
    }
}

impl FromStr for Policy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        const ALLOWED: &str =
            "cpython, doubling, exact, factor[:F], size-class[:F] (F in 1.0..=16.0)";
        let s = s.trim().to_ascii_lowercase();
        let (name, arg) = match s.split_once([':', '=']) {
            Some((n, a)) => (n, Some(a)),
            None => (s.as_str(), None),
        };
        let factor = |arg: Option<&str>| -> Result<Factor> {
            match arg {
                None => Ok(Factor::ONE_AND_A_HALF),
                Some(a) => {
                    let x: f64 = a.parse().map_err(|_| {
                        Error::invalid_parameter("factor", a, "a number in 1.0..=16.0")
                    })?;
                    Factor::new(x)
                }
            }
        };
        match (name, arg) {
            ("cpython" | "cpython-list" | "python" | "list", None) => Ok(Self::CPythonList),
            ("doubling" | "vec" | "double", None) => Ok(Self::Doubling),
            ("exact" | "tuple", None) => Ok(Self::Exact),
            ("factor", a) => Ok(Self::Factor(factor(a)?)),
            ("size-class" | "sizeclass" | "size_class", a) => {
                Ok(Self::SizeClass(SizeClass::new(factor(a)?)))
            }
            _ => Err(Error::invalid_parameter("policy", s, ALLOWED)),
        }
    }
}

/// The capacities a policy passes through as `n` elements are pushed one at a time onto an
/// empty vector of `elem_size`-byte elements, starting with 0 — computed, nothing allocated.
///
/// The last entry is the capacity after the `n`-th push. `elem_size` must be non-zero
/// (zero-sized types never allocate).
///
/// # Example
/// ```
/// use hpds_vec::{capacity_sequence, CPythonList, Doubling};
/// assert_eq!(capacity_sequence(&CPythonList, 70, 8), [0, 4, 8, 16, 24, 32, 40, 52, 64, 76]);
/// assert_eq!(capacity_sequence(&Doubling, 40, 8), [0, 4, 8, 16, 32, 64]);
/// ```
pub fn capacity_sequence<G: Growth + ?Sized>(policy: &G, n: usize, elem_size: usize) -> Vec<usize> {
    let mut caps = vec![0];
    let mut cap = 0usize;
    let mut len = 0usize;
    while len < n {
        if len == cap {
            cap = policy
                .grow(cap, len, len + 1, elem_size.max(1))
                .max(len + 1);
            caps.push(cap);
        }
        // Jump to the next time the vector is full.
        len = cap.min(n);
    }
    caps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes_are_monotone_and_cover() {
        let mut last = 0;
        for b in 1..if cfg!(miri) { 3000 } else { 100_000usize } {
            let c = SizeClass::round_bytes(b);
            assert!(c >= b && c >= last, "{b} -> {c}");
            // At most 25% (plus the 16-byte quantum for small sizes) above the request.
            assert!(c <= b + b / 4 + 15, "{b} -> {c}");
            last = c;
        }
        assert_eq!(SizeClass::round_bytes(usize::MAX), usize::MAX);
    }

    #[test]
    fn policy_names_round_trip() {
        for p in Policy::ALL {
            assert_eq!(p.to_string().parse::<Policy>().unwrap(), p);
        }
        assert!("factor:0.9".parse::<Policy>().is_err());
        assert!("factor:x".parse::<Policy>().is_err());
        assert!("exact:2".parse::<Policy>().is_err());
    }

    #[test]
    fn factor_rejects_bad_values() {
        for f in [f64::NAN, f64::INFINITY, 0.0, 0.99, 16.5, -1.0] {
            assert!(Factor::new(f).is_err(), "{f}");
        }
        assert_eq!(Factor::new(1.0).unwrap().factor(), 1.0);
    }

    #[test]
    fn doubling_matches_vec() {
        let n = if cfg!(miri) { 2000 } else { 100_000 };
        let mut v: Vec<u64> = Vec::new();
        let mut seen = vec![0];
        for i in 0..n as u64 {
            v.push(i);
            if *seen.last().unwrap() != v.capacity() {
                seen.push(v.capacity());
            }
        }
        assert_eq!(capacity_sequence(&Doubling, n, 8), seen);
    }

    #[test]
    fn growth_arithmetic_never_overflows() {
        // Near usize::MAX a policy may return less than required (the vector then uses
        // `required` and fails the layout check); it must not panic on overflow.
        for p in Policy::ALL {
            for elem in [1, 8, 4096] {
                let _ = p.grow(usize::MAX / 2, usize::MAX / 2, usize::MAX / 2 + 1, elem);
                let _ = p.grow(usize::MAX - 1, usize::MAX - 1, usize::MAX, elem);
                for (cap, len, req) in [(0, 0, 1), (7, 7, 1000), (1000, 1000, 1001)] {
                    assert!(p.grow(cap, len, req, elem) >= req, "{p}");
                }
            }
        }
    }
}
