//! ExaLogLog (Ertl, EDBT 2025): registers of `6 + t + d` bits, 43 % less memory than
//! HyperLogLog for the same error.

use alloc::vec::Vec;
use core::num::NonZeroU64;

use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{Error, HeapSize, Item, Result};

use crate::base::{HIP, SPARSE, check_precision, get_header, put_header};
use crate::ml;
use crate::tokens::{Layout, Tokens};
use crate::window::{self, Rates};

/// Sketches whose registers take fewer bytes than this start dense.
const MIN_SPARSE_BYTES: usize = 256;

/// The estimators an [`ExaLogLog`] offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ExaLogLogEstimator {
    /// The martingale (HIP) estimate while there is one (a sketch built with
    /// [`martingale(true)`](ExaLogLogConfig::martingale) and never merged), maximum
    /// likelihood otherwise.
    #[default]
    Best,
    /// Maximum likelihood: relative standard error `0.362/√m` at `t = 2, d = 20`
    /// (memory-variance product 3.67).
    MaximumLikelihood,
    /// The martingale estimate, kept up to date by every insert that changes a register;
    /// `0.318/√m` at `t = 2, d = 20` (product 2.83). Only defined for a sketch built with
    /// [`martingale(true)`](ExaLogLogConfig::martingale) that was never merged: otherwise
    /// `None` from [`ExaLogLog::estimate_with`].
    Martingale,
}

/// The parameters of an [`ExaLogLog`]: precision `p`, `2^t` sub-buckets per level, `d`
/// window bits, whether inserts track the martingale estimate. Defaults: `p = 12`, `t = 2`,
/// `d = 20` (the paper's recommendation, 28-bit registers), the default seed, no martingale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct ExaLogLogConfig {
    p: u8,
    t: u8,
    d: u8,
    seed: u64,
    martingale: bool,
}

impl Default for ExaLogLogConfig {
    fn default() -> Self {
        Self {
            p: 12,
            t: 2,
            d: 20,
            seed: DEFAULT_SEED,
            martingale: false,
        }
    }
}

impl ExaLogLogConfig {
    /// The precision: `2^p` registers (`4..=18`).
    pub fn precision(mut self, p: u8) -> Self {
        self.p = p;
        self
    }

    /// `t`: update values come in levels of `2^t` (`0..=2`); larger `t` makes the values
    /// finer-grained (base `2^(2^-t)`) at `t` more bits per register.
    pub fn t(mut self, t: u8) -> Self {
        self.t = t;
        self
    }

    /// `d`: how many values below the largest each register remembers (`0..=26 - t`, so a
    /// register takes at most 32 bits).
    pub fn d(mut self, d: u8) -> Self {
        self.d = d;
        self
    }

    /// The hash seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Whether inserts keep the martingale estimate up to date (default `false`).
    ///
    /// With it, an insert-only sketch estimates in `O(1)` with relative standard error
    /// `0.318/√m` instead of maximum likelihood's `0.362/√m` (at `t = 2, d = 20`), and every
    /// insert that changes a register also pays for a division and the change of the
    /// registers' summed rates (up to twice the time per insert while `n` is within a few
    /// hundred times `m`). A merge drops the martingale estimate: sketches that are
    /// merged gain nothing from it. The registers, and so merges and maximum-likelihood
    /// estimates, are the same either way.
    pub fn martingale(mut self, on: bool) -> Self {
        self.martingale = on;
        self
    }

    /// The sketch.
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) for a parameter out of
    /// range.
    pub fn build(self) -> Result<ExaLogLog> {
        check_params(self.p, self.t, self.d)?;
        let mut s = ExaLogLog {
            p: self.p,
            t: self.t,
            d: self.d,
            seed: self.seed,
            repr: Repr::Sparse(Tokens::default()),
            martingale: self.martingale.then(|| Martingale {
                estimate: 0.0,
                unseen: f64::from(2u32 << self.t) * f64::from(1u32 << self.p),
            }),
            tracking: self.martingale,
            plain: Packed::default(),
            geometry: Geometry::new(self.p, self.t, self.d),
        };
        if Packed::byte_len(self.p, s.width()) < MIN_SPARSE_BYTES {
            s.repr = Repr::Dense(Packed::new(self.p, s.width()));
        }
        s.refresh();
        Ok(s)
    }
}

fn check_params(p: u8, t: u8, d: u8) -> Result<()> {
    check_precision(p)?;
    if t > 2 {
        return Err(Error::invalid_parameter("t", t, "0..=2"));
    }
    if d > 26 - t {
        return Err(Error::invalid_parameter("d", d, "0..=26 - t"));
    }
    Ok(())
}

/// `m` registers of `w <= 32` bits packed back to back, plus 8 bytes so every register is
/// read and written with one unaligned 8-byte access.
#[derive(Clone, PartialEq, Eq, Default)]
struct Packed {
    w: u32,
    /// `2^w - 1`.
    mask: u64,
    bytes: Vec<u8>,
}

impl Packed {
    fn byte_len(p: u8, w: u32) -> usize {
        ((w as usize) << p).div_ceil(8)
    }

    fn new(p: u8, w: u32) -> Self {
        Self {
            w,
            mask: (1 << w) - 1,
            bytes: alloc::vec![0; Self::byte_len(p, w) + 8],
        }
    }

    #[inline(always)]
    fn word(&self, at: usize) -> u64 {
        let b: [u8; 8] = self.bytes[at..at + 8].try_into().expect("8 bytes");
        u64::from_le_bytes(b)
    }

    #[inline(always)]
    fn get(&self, i: usize) -> u32 {
        let bit = i * self.w as usize;
        ((self.word(bit >> 3) >> (bit & 7)) & self.mask) as u32
    }

    #[inline(always)]
    fn set(&mut self, i: usize, r: u32) {
        let bit = i * self.w as usize;
        let (at, sh) = (bit >> 3, bit & 7);
        let mask = self.mask << sh;
        let word = (self.word(at) & !mask) | (u64::from(r) << sh);
        self.bytes[at..at + 8].copy_from_slice(&word.to_le_bytes());
    }

    /// The packed registers without the padding.
    fn payload(&self) -> &[u8] {
        &self.bytes[..self.bytes.len() - 8]
    }

    fn len(&self) -> usize {
        ((self.bytes.len() - 8) * 8) / self.w as usize
    }

    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// The representation: tokens while sparse, then registers (those of the default mode in
/// [`ExaLogLog::plain`](ExaLogLog#structfield.plain), where the inlined insert looks first).
#[derive(Clone, PartialEq)]
enum Repr {
    Sparse(Tokens),
    /// Registers with `t = 2, d = 20` and no martingale, held in
    /// [`ExaLogLog::plain`](ExaLogLog#structfield.plain).
    Plain,
    /// Registers with other parameters or a martingale.
    Dense(Packed),
}

/// The registers of a dense sketch, wherever its representation keeps them.
fn dense_mut<'a>(repr: &'a mut Repr, plain: &'a mut Packed) -> Option<&'a mut Packed> {
    match repr {
        Repr::Sparse(_) => None,
        Repr::Plain => Some(plain),
        Repr::Dense(r) => Some(r),
    }
}

/// The martingale estimator's state: the running estimate and the registers' summed rates of
/// the values they rule out (`2^(t+1) m` times the chance that a new item changes the sketch).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Martingale {
    estimate: f64,
    unseen: f64,
}

/// ExaLogLog (Ertl 2025): registers that hold the largest of finer-grained update values
/// (`2^t` per power of two) and a window of the `d` values below it, estimated by maximum
/// likelihood or, optionally while insert-only, by a martingale.
///
/// At the recommended `t = 2, d = 20` a register takes 28 bits and the relative standard error
/// is `0.362/√m` (maximum likelihood, merged or not): the error of a HyperLogLog after a merge
/// in 43 % less memory. Other parameter sets come from [`builder`](Self::builder): `t = 2,
/// d = 24` (32-bit registers, memory-variance product 3.78), `t = 1, d = 9` (16-bit
/// registers, 3.90). Like [`UltraLogLog`](crate::UltraLogLog) it starts sparse (4-byte
/// tokens) and merges exactly, also from a higher precision.
///
/// **Martingale tracking** is off by default: [`estimate`](Self::estimate) is the maximum
/// likelihood estimate (`O(m d)`: it reads every register, about 0.3 ms at `p = 12`), and an
/// insert does no work for an estimator. A sketch built with
/// [`martingale(true)`](ExaLogLogConfig::martingale) also keeps the martingale estimate while
/// it is insert-only: `0.318/√m` instead of `0.362/√m`, read in `O(1)`, at the price of a
/// slower insert (each insert that changes a register updates it; up to twice the time per
/// insert while `n` is a few hundred times `m`). A merge drops the martingale estimate, so
/// sketches that are merged gain nothing from it. The registers, the merge and the
/// maximum-likelihood estimate are the same either way.
///
/// # Example
/// ```
/// use hpds_loglog::{ExaLogLog, ExaLogLogEstimator};
///
/// // Shards that are merged: the default, maximum likelihood.
/// let mut a = ExaLogLog::new(10)?;
/// let mut b = ExaLogLog::builder().precision(12).build()?;
/// for i in 0..30_000u64 {
///     a.insert(&i);
///     b.insert(&(i + 15_000));
/// }
/// a.merge(&b)?; // a higher precision merges into a lower one
/// assert!((a.estimate() / 45_000.0 - 1.0).abs() < 4.0 * a.standard_error());
///
/// // One insert-only counter: the martingale estimate, more accurate and read in O(1).
/// let mut c = ExaLogLog::builder().precision(10).martingale(true).build()?;
/// c.extend(0..30_000u64);
/// assert!(c.estimate_with(ExaLogLogEstimator::Martingale).is_some());
/// assert!((c.estimate() / 30_000.0 - 1.0).abs() < 4.0 * c.standard_error());
/// c.merge(&ExaLogLog::builder().precision(10).build()?)?; // merging an empty sketch keeps it
/// c.merge(&a)?;
/// assert_eq!(c.estimate_with(ExaLogLogEstimator::Martingale), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ExaLogLog {
    p: u8,
    t: u8,
    d: u8,
    seed: u64,
    repr: Repr,
    /// Present while a sketch built with martingale tracking has seen inserts only.
    martingale: Option<Martingale>,
    /// Built with martingale tracking ([`clear`](Self::clear) starts it again).
    tracking: bool,
    /// The registers while the representation is [`Repr::Plain`], else empty: the insert
    /// [`insert_hash`](Self::insert_hash) inlines finds them in bounds exactly then, so
    /// its bounds check is its only test of the representation.
    plain: Packed,
    geometry: Geometry,
}

impl ExaLogLog {
    /// A sketch of precision `p` with the recommended `t = 2, d = 20` (28-bit registers) and
    /// the default seed.
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `4 <= p <= 18`.
    pub fn new(p: u8) -> Result<Self> {
        Self::builder().precision(p).build()
    }

    /// As [`new`](Self::new), hashing items with `seed`.
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `4 <= p <= 18`.
    pub fn with_seed(p: u8, seed: u64) -> Result<Self> {
        Self::builder().precision(p).seed(seed).build()
    }

    /// Parameters other than the defaults.
    pub fn builder() -> ExaLogLogConfig {
        ExaLogLogConfig::default()
    }

    /// The precision `p`: `2^p` registers.
    pub fn precision(&self) -> u8 {
        self.p
    }

    /// The parameter `t`.
    pub fn t(&self) -> u8 {
        self.t
    }

    /// The parameter `d`.
    pub fn d(&self) -> u8 {
        self.d
    }

    /// The seed items are hashed with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Whether the sketch was built with [`martingale(true)`](ExaLogLogConfig::martingale)
    /// ([`clear`](Self::clear) keeps the mode; a sketch decoded without a martingale
    /// estimate, such as a merged one, does not track).
    pub fn tracks_martingale(&self) -> bool {
        self.tracking
    }

    /// Bits per register: `6 + t + d`.
    pub fn register_bits(&self) -> u32 {
        6 + u32::from(self.t) + u32::from(self.d)
    }

    fn width(&self) -> u32 {
        self.register_bits()
    }

    /// Whether the sketch still holds tokens rather than registers.
    pub fn is_sparse(&self) -> bool {
        matches!(self.repr, Repr::Sparse(_))
    }

    /// Whether nothing has been inserted.
    pub fn is_empty(&self) -> bool {
        match self.dense() {
            Some(r) => r.payload().iter().all(|&b| b == 0),
            None => matches!(&self.repr, Repr::Sparse(t) if t.is_empty()),
        }
    }

    fn token_limit(&self) -> usize {
        Packed::byte_len(self.p, self.width()) / 4
    }

    fn rates(&self) -> Rates {
        Rates::new(self.p, self.t)
    }

    /// Adds an item, hashing it once with the stable hash.
    #[inline]
    pub fn insert<T: Item + ?Sized>(&mut self, item: &T) {
        self.insert_hash(item.stable_hash(self.seed));
    }

    /// Adds an item given by its 64-bit hash: `O(1)` dense (with martingale tracking, plus
    /// `O(d)` to update the martingale when a register changes), amortized `O(1)` sparse.
    #[inline(always)]
    pub fn insert_hash(&mut self, hash: u64) {
        if let Some(at) = At28::new(&mut self.plain, &self.geometry, hash) {
            return insert_28(at);
        }
        if let (Repr::Dense(regs), Some(mg), true) = (
            &mut self.repr,
            &mut self.martingale,
            self.geometry.recommended,
        ) {
            return insert_28_martingale(regs, mg, &self.geometry, hash);
        }
        self.insert_other(hash);
    }

    /// Chooses between [`Repr::Plain`] and [`Repr::Dense`] after the representation or the
    /// martingale changed.
    fn refresh(&mut self) {
        let plain = self.martingale.is_none() && (self.t, self.d) == (2, 20);
        match core::mem::replace(&mut self.repr, Repr::Sparse(Tokens::default())) {
            Repr::Dense(r) if plain => {
                self.plain = r;
                self.repr = Repr::Plain;
            }
            Repr::Plain if !plain => self.repr = Repr::Dense(core::mem::take(&mut self.plain)),
            repr => self.repr = repr,
        }
    }

    /// [`insert_hash`](Self::insert_hash) while sparse or with parameters other than the
    /// recommended ones.
    #[inline(never)]
    fn insert_other(&mut self, hash: u64) {
        if let Some(regs) = dense_mut(&mut self.repr, &mut self.plain) {
            let (mg, g) = (&mut self.martingale, &self.geometry);
            match (self.t, self.d) {
                (2, 20) => Fixed::<2, 20>::insert_any(regs, mg, g, hash),
                (2, 24) => Fixed::<2, 24>::insert_any(regs, mg, g, hash),
                (1, 9) => Fixed::<1, 9>::insert_any(regs, mg, g, hash),
                (t, d) => insert_dense(regs, mg, *g, self.p, t, d, hash),
            }
        } else {
            self.insert_sparse(hash);
        }
    }

    /// [`insert_hash`](Self::insert_hash) for every hash of a slice; once dense, one loop
    /// with the parameters in locals.
    pub fn insert_hashes(&mut self, hashes: &[u64]) {
        let mut rest = hashes;
        while let Some((&h, tail)) = rest.split_first() {
            if let Some(regs) = dense_mut(&mut self.repr, &mut self.plain) {
                let (p, t, d, g) = (self.p, self.t, self.d, self.geometry);
                let mut mg = self.martingale;
                match (t, d) {
                    (2, 20) => Fixed::<2, 20>::insert_all(regs, &mut mg, &g, rest),
                    (2, 24) => Fixed::<2, 24>::insert_all(regs, &mut mg, &g, rest),
                    (1, 9) => Fixed::<1, 9>::insert_all(regs, &mut mg, &g, rest),
                    _ => {
                        for &h in rest {
                            insert_dense(regs, &mut mg, g, p, t, d, h);
                        }
                    }
                }
                self.martingale = mg;
                return;
            }
            self.insert_sparse(h);
            rest = tail;
        }
    }

    #[cold]
    fn insert_sparse(&mut self, hash: u64) {
        let limit = self.token_limit();
        if let Repr::Sparse(tokens) = &mut self.repr {
            if tokens.push(Layout::Low.token(hash), limit) {
                return;
            }
        }
        self.densify();
        self.insert_hash(hash);
    }

    /// The registers of a dense sketch.
    fn dense(&self) -> Option<&Packed> {
        match &self.repr {
            Repr::Sparse(_) => None,
            Repr::Plain => Some(&self.plain),
            Repr::Dense(r) => Some(r),
        }
    }

    fn dense_registers(&self) -> Packed {
        match (&self.repr, self.dense()) {
            (_, Some(r)) => r.clone(),
            (Repr::Sparse(tokens), None) => {
                let d = u32::from(self.d);
                let mut regs = Packed::new(self.p, self.width());
                for tok in tokens.iter() {
                    let (i, k) = index_value(Layout::Low.hash(tok), self.p, self.t);
                    regs.set(i, window::update(regs.get(i), k, d));
                }
                regs
            }
            (_, None) => unreachable!("only a sparse sketch has no registers"),
        }
    }

    fn densify(&mut self) {
        if let Repr::Sparse(tokens) = &self.repr {
            let regs = self.dense_registers();
            if let Some(mg) = &mut self.martingale {
                // The martingale continues from the (nearly exact) token estimate.
                mg.estimate = tokens.estimate();
                mg.unseen = unseen_sum(&regs, self.p, self.t, u32::from(self.d));
            }
            self.repr = Repr::Dense(regs);
            self.refresh();
        }
    }

    /// The registers `(u << d) | window` in index order (materialized while sparse).
    pub fn registers(&self) -> Vec<u32> {
        self.dense_registers().iter().collect()
    }

    /// The estimated number of distinct items: while sparse the token estimate (nearly
    /// exact); dense, the martingale estimate while there is one (built with
    /// [`martingale(true)`](ExaLogLogConfig::martingale), never merged), else maximum
    /// likelihood. `O(1)` with the martingale, `O(m d)` otherwise.
    pub fn estimate(&self) -> f64 {
        match self.estimate_with(ExaLogLogEstimator::Best) {
            Some(e) => e,
            None => unreachable!("the best estimate always exists"),
        }
    }

    /// The estimate of a chosen estimator; `None` for the martingale without martingale
    /// tracking or after a merge. While sparse every estimator that exists gives the token
    /// estimate.
    pub fn estimate_with(&self, estimator: ExaLogLogEstimator) -> Option<f64> {
        let regs = match &self.repr {
            Repr::Sparse(t) => {
                return (estimator != ExaLogLogEstimator::Martingale || self.martingale.is_some())
                    .then(|| t.estimate());
            }
            Repr::Plain => &self.plain,
            Repr::Dense(r) => r,
        };
        let ml = || {
            let rates = self.rates();
            let d = u32::from(self.d);
            let mut l = ml::Likelihood::new();
            for r in regs.iter() {
                l.add(r, d, rates);
            }
            ml::estimate(&l, 1 << self.p, self.t, self.d)
        };
        match estimator {
            ExaLogLogEstimator::Martingale => self.martingale.map(|m| m.estimate),
            ExaLogLogEstimator::MaximumLikelihood => Some(ml()),
            ExaLogLogEstimator::Best => Some(self.martingale.map_or_else(ml, |m| m.estimate)),
        }
    }

    /// The theoretical relative standard error of [`estimate`](Self::estimate) once dense.
    pub fn standard_error(&self) -> f64 {
        let e = if self.martingale.is_some() {
            ExaLogLogEstimator::Martingale
        } else {
            ExaLogLogEstimator::MaximumLikelihood
        };
        Self::theoretical_error(e, self.p, self.t, self.d)
    }

    /// The theoretical relative standard error of `estimator` with parameters `p, t, d`
    /// ([`ExaLogLogEstimator::Best`] counts as the martingale).
    pub fn theoretical_error(estimator: ExaLogLogEstimator, p: u8, t: u8, d: u8) -> f64 {
        let m = f64::from(1u32 << p.min(31));
        let c = match estimator {
            ExaLogLogEstimator::MaximumLikelihood => ml::ml_error_constant(t, d),
            _ => ml::martingale_error_constant(t, d),
        };
        c / m.sqrt()
    }

    /// Folds `other` in: afterwards this sketch is exactly the sketch of both streams at this
    /// precision (the martingale estimate is dropped). `other` may have a higher precision.
    ///
    /// # Errors
    /// [`Incompatible`](hpds_core::ErrorKind::Incompatible) if the seeds, `t` or `d` differ or
    /// `other` has a lower precision.
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        if self.seed != other.seed {
            return Err(Error::incompatible("hash seed", self.seed, other.seed));
        }
        if (self.t, self.d) != (other.t, other.d) {
            return Err(Error::incompatible(
                "parameters t and d",
                u64::from(self.t) << 8 | u64::from(self.d),
                u64::from(other.t) << 8 | u64::from(other.d),
            ));
        }
        if other.p < self.p {
            return Err(Error::incompatible(
                "precision (merge a sketch of equal or higher precision into one of lower)",
                self.p,
                other.p,
            ));
        }
        if other.is_empty() {
            return Ok(());
        }
        self.martingale = None;
        self.refresh();
        if let (Repr::Sparse(ours), Repr::Sparse(theirs)) = (&mut self.repr, &other.repr) {
            let limit = Packed::byte_len(self.p, 6 + u32::from(self.t) + u32::from(self.d)) / 4;
            if theirs.iter().all(|t| ours.push(t, limit)) {
                return Ok(());
            }
        }
        self.densify();
        let (p, t, d) = (self.p, self.t, u32::from(self.d));
        let Some(regs) = dense_mut(&mut self.repr, &mut self.plain) else {
            unreachable!("densified above")
        };
        match (&other.repr, other.dense()) {
            (_, Some(theirs)) => merge_dense(regs, theirs, p, other.p, t, d),
            (Repr::Sparse(theirs), None) => {
                for tok in theirs.iter() {
                    let (i, k) = index_value(Layout::Low.hash(tok), p, t);
                    regs.set(i, window::update(regs.get(i), k, d));
                }
            }
            (_, None) => unreachable!("only a sparse sketch has no registers"),
        }
        Ok(())
    }

    /// This sketch at a lower precision `p`: exactly the sketch the same items would have
    /// built at `p` (without a martingale estimate).
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `4 <= p <=`
    /// [`precision`](Self::precision).
    pub fn reduce(&self, p: u8) -> Result<Self> {
        if p > self.p {
            return Err(Error::invalid_parameter(
                "precision",
                p,
                "at most the sketch's precision",
            ));
        }
        let mut out = Self::builder()
            .precision(p)
            .t(self.t)
            .d(self.d)
            .seed(self.seed)
            .build()?;
        out.merge(self)?;
        out.martingale = None;
        out.refresh();
        Ok(out)
    }

    /// Forgets every item.
    pub fn clear(&mut self) {
        *self = Self::builder()
            .precision(self.p)
            .t(self.t)
            .d(self.d)
            .seed(self.seed)
            .martingale(self.tracking)
            .build()
            .expect("parameters already checked");
    }

    /// Adds every item of a parallel iterator: each rayon task fills its own dense sketch and
    /// they are merged (the registers equal a sequential build's; no martingale estimate).
    #[cfg(feature = "rayon")]
    pub fn par_extend<I>(&mut self, items: I)
    where
        I: rayon::iter::IntoParallelIterator,
        I::Item: Item,
    {
        let mut empty = self.clone();
        empty.clear();
        empty.densify();
        empty.martingale = None;
        empty.refresh();
        let built =
            crate::parallel::par_build(items, self.seed, &empty, Self::insert_hash, |a, b| {
                a.merge(b).expect("same parameters");
            });
        self.merge(&built).expect("same parameters");
    }
}

/// Register index and update value of a hash: the sub-bucket is the low `t` bits, the index
/// the next `p`, and the level the leading zeros of the rest, so `k = (nlz << t) + sub + 1`.
/// (With the index below the level bits, reducing the precision only moves index bits to the
/// end of the level bits, which changes only the values of the last level.)
#[inline(always)]
fn index_value(h: u64, p: u8, t: u8) -> (usize, u32) {
    let g = Geometry::new(p, t, 0);
    g.index_value(h)
}

/// The hash split of a precision and `t`, precomputed for the insert loop.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    t: u32,
    /// `2^t - 1`.
    sub_mask: u64,
    /// `2^p - 1`.
    index_mask: u64,
    /// `(2^p - 1) 2^t`: the index bits in place.
    index_bits: u64,
    /// `2^(p + t) - 1`: the index and sub-bucket bits, set so they stop the zero count (not
    /// zero, so the count needs no zero case).
    fill: NonZeroU64,
    /// `2^(t+1) · 2^p`, the martingale's increment times the rate sum.
    scale: f64,
    /// The last level, `63 - p - t` (the level of the largest update values).
    last_level: u32,
    /// `t = 2, d = 20`, the parameters [`ExaLogLog::insert_hash`] inlines.
    recommended: bool,
}

impl Geometry {
    fn new(p: u8, t: u8, d: u8) -> Self {
        Self {
            recommended: (t, d) == (2, 20),
            t: u32::from(t),
            sub_mask: (1 << t) - 1,
            index_mask: (1 << p) - 1,
            index_bits: ((1 << p) - 1) << t,
            fill: NonZeroU64::new((1 << (p + t)) - 1).unwrap_or(NonZeroU64::MAX),
            scale: f64::from(2u32 << t) * f64::from(1u32 << p),
            last_level: 63 - u32::from(p) - u32::from(t),
        }
    }

    fn rates(self) -> Rates {
        Rates {
            t: self.t,
            q: self.last_level + 1,
        }
    }

    #[inline(always)]
    fn index_value(self, h: u64) -> (usize, u32) {
        let i = ((h >> self.t) & self.index_mask) as usize;
        let sub = (h & self.sub_mask) as u32;
        let nlz = (h | self.fill).leading_zeros();
        (i, (nlz << self.t) + sub + 1)
    }
}

/// The dense insert: update the register, and the martingale when it changed.
#[inline(always)]
fn insert_dense(
    regs: &mut Packed,
    mg: &mut Option<Martingale>,
    g: Geometry,
    p: u8,
    t: u8,
    d: u8,
    hash: u64,
) {
    let (i, k) = g.index_value(hash);
    let d = u32::from(d);
    let old = regs.get(i);
    let u = old >> d;
    // Most inserts of a filled sketch fall below the window: nothing to do.
    if k + d < u {
        return;
    }
    let new = window::update(old, k, d);
    if new == old {
        return;
    }
    regs.set(i, new);
    if let Some(mg) = mg {
        mg.estimate += g.scale / mg.unseen;
        if new >> d == u {
            // A window bit was set: value k is no longer unseen.
            mg.unseen -= window::pow2neg(Rates::new(p, t).level(k));
        } else {
            on_raise(mg, Rates::new(p, t), d, old, new);
        }
    }
}

/// The dense insert for parameters known at compile time (the recommended `t = 2, d = 20` and
/// the two alternatives the docs name): every shift by `t`, `d` or the register width is by a
/// constant, and what depends on the data comes from small tables. A register at bit offset
/// `o` of its 8-byte word is read by multiplying the word by `2^(64 - w - o)` and shifting by
/// the constant `64 - w`, and written by multiplying by `2^o` (28-bit registers, which sit at
/// offset 0 or 4 of a byte, go through [`insert_28`] and [`insert_28_martingale`] instead). (On x86-64 without BMI2 a shift
/// by a variable count waits for the flags of the instruction before it.) There is no early
/// exit for values below the window, which mispredicts on about every other insert while a
/// sketch is young: the insert branches on whether the value raises the register (a raise
/// always changes it) and otherwise on whether its window bit is new (a table gives the bit,
/// zero for values outside the window).
struct Fixed<const T: u32, const D: u32>;

impl<const T: u32, const D: u32> Fixed<T, D> {
    /// Register bits.
    const W: u32 = 6 + T + D;
    /// `2^w - 1`.
    const REG: u64 = (1 << Self::W) - 1;
    /// `TOP[i % 8] = 2^(64 - w - o)` with `o` register `i`'s bit offset in its word.
    const TOP: [u64; 8] = {
        let mut a = [0; 8];
        let mut s = 0;
        while s < 8 {
            a[s] = 1 << (64 - Self::W - ((s as u32 * Self::W) & 7));
            s += 1;
        }
        a
    };
    /// `LOW[i % 8] = 2^o`.
    const LOW: [u64; 8] = {
        let mut a = [0; 8];
        let mut s = 0;
        while s < 8 {
            a[s] = 1 << ((s as u32 * Self::W) & 7);
            s += 1;
        }
        a
    };
    /// `BIT[b]`: the window bit of the value `b` below the largest (`1 <= b <= d`), else 0.
    /// Every update value is below 256, so `b` indexes it as a byte, without a clamp.
    const BIT: [u32; 256] = {
        let mut a = [0; 256];
        let mut b = 1;
        while b <= D {
            a[b as usize] = 1 << (D - b);
            b += 1;
        }
        a
    };
    /// `LOST[r][c]`: the rates, in units of the rate of the lowest, of the values at the
    /// bottom of a window whose first value is `r` into its level, for the clear bits `c`
    /// of the four lowest window bits.
    const LOST: [[f64; 16]; 4] = {
        let mut a = [[0.0; 16]; 4];
        let mut r = 0;
        while r < 1 << T {
            let mut c = 0;
            while c < 16 {
                let mut sum = 0.0;
                let mut b = 0;
                while b < 4 {
                    if c & (1 << b) != 0 {
                        sum += 1.0 / (1u32 << ((r + b) >> T)) as f64;
                    }
                    b += 1;
                }
                a[r as usize][c] = sum;
                c += 1;
            }
            r += 1;
        }
        a
    };

    /// The martingale after a raise from `old` to `new`: [`on_raise`] with the common case
    /// inline, a full window moving up by at most four values (those four values' rates from
    /// [`LOST`](Self::LOST)). The sum is exact either way (a few powers of two), so the
    /// result is the same to the bit.
    #[inline(always)]
    fn raise_martingale(mg: &mut Martingale, g: &Geometry, old: u32, new: u32) {
        let (u, k) = (old >> D, new >> D);
        let level = |v: u32| window::pow2neg((v >> T).min(g.last_level));
        let removed = if k <= D + 1 {
            // Only values below 1 fall out of the window (a register's first raises).
            level(k - 1)
        } else if u > D && k - u <= 4 && D >= 4 {
            let first = u - D - 1;
            let clear = !old & ((1 << (k - u)) - 1);
            let row = &Self::LOST[(first & ((1 << T) - 1)) as usize];
            level(k - 1) + level(first) * row[clear as usize]
        } else {
            on_raise(mg, g.rates(), D, old, new);
            return;
        };
        mg.unseen = (mg.unseen - removed).max(0.0);
    }
    /// `DOWN[s] = 2^(32 - s)`: `(x DOWN[s]) >> 32 = x >> s` for `x < 2^32`, `s <= 32`.
    const DOWN: [u64; 33] = {
        let mut a = [0; 33];
        let mut s = 0;
        while s <= 32 {
            a[s] = 1 << (32 - s);
            s += 1;
        }
        a
    };

    #[inline(always)]
    fn insert(regs: &mut Packed, mg: &mut Martingale, g: &Geometry, hash: u64) {
        if (T, D) == (2, 20) {
            return insert_28_martingale(regs, mg, g, hash);
        }
        let i = ((hash >> T) & g.index_mask) as usize;
        let sub = (hash & ((1 << T) - 1)) as u32;
        let k = ((g.fill | hash).leading_zeros() << T) + sub + 1;
        let s = i & 7;
        let at = (i * Self::W as usize) >> 3;
        let cell: &mut [u8; 8] = (&mut regs.bytes[at..at + 8]).try_into().expect("8 bytes");
        let word = u64::from_le_bytes(*cell);
        let old = (word.wrapping_mul(Self::TOP[s]) >> (64 - Self::W)) as u32;
        let u = old >> D;
        let low = Self::LOW[s];
        let mut store =
            |r: u32| *cell = ((word & !(Self::REG * low)) | (u64::from(r) * low)).to_le_bytes();
        if k > u {
            // A raise keeps the old window and largest value (if any) shifted down by `k - u`.
            let carried = (old & window::mask(D)) | (u.min(1) << D);
            let down = Self::DOWN[(k - u).min(32) as usize];
            let new = (k << D) | ((u64::from(carried) * down) >> 32) as u32;
            store(new);
            mg.estimate += g.scale / mg.unseen;
            Self::raise_martingale(mg, g, old, new);
        } else {
            // The window bit of `k`, if `k` is in the window.
            let new = old | Self::BIT[usize::from((u - k) as u8)];
            if new == old {
                return;
            }
            store(new);
            mg.estimate += g.scale / mg.unseen;
            mg.unseen -= window::pow2neg(((k - 1) >> T).min(g.last_level));
        }
    }

    /// The tables of [`insert_plain`](Self::insert_plain), in one constant so the insert
    /// loop keeps one address for all of them.
    const PLAIN: PlainTables = PlainTables::new(Self::W, D);

    /// The dense insert without a martingale. It branches only on whether the value raises
    /// the register, which is rare (2 % of the inserts at `p = 12` and 7 % at `p = 14` over
    /// 10^6 items, 0.3 % and 1 % over 10^7), and otherwise sets the value's window bit (none
    /// for a value below the window) and stores the register whether it changed or not: an
    /// early exit for values below the window, or for an unchanged register, would
    /// mispredict on every third to every other insert while `n` is below a few hundred
    /// times `m`.
    #[inline(always)]
    fn insert_plain(regs: &mut Packed, g: &Geometry, hash: u64) {
        if (T, D) == (2, 20) {
            let Some(at) = At28::new(regs, g, hash) else {
                unreachable!("registers of 2^p 28-bit registers")
            };
            return insert_28(at);
        }
        let i = ((hash >> T) & g.index_mask) as usize;
        let sub = (hash & ((1 << T) - 1)) as u32;
        // The update value less one; the tables are indexed to match.
        let k1 = ((g.fill | hash).leading_zeros() << T) + sub;
        let s = i & 7;
        let at = Self::byte_of(i);
        let tables = &Self::PLAIN;
        let [top_mul, keep, low, _] = tables.word[s];
        let cell: &mut [u8; 8] = (&mut regs.bytes[at..at + 8]).try_into().expect("8 bytes");
        let word = u64::from_le_bytes(*cell);
        let old = (word.wrapping_mul(top_mul) >> (64 - Self::W)) as u32;
        let u = old >> D;
        let new = if k1 >= u {
            // The old window and largest value (if any) move down by `k - u`.
            let seen = (old & window::mask(D)) | (u32::from(u != 0) << D);
            let shift = tables.shift_next[usize::from((k1 - u) as u8)];
            let moved = (u64::from(seen) * u64::from(shift)) >> 31;
            ((k1 + 1) << D) | moved as u32
        } else {
            old | tables.bit_above[usize::from((u - k1) as u8)]
        };
        *cell = ((word & keep) | (u64::from(new) * low)).to_le_bytes();
    }

    /// The byte register `i` starts in, `(i w) / 8`, with the smaller multiplier when `w` is
    /// even (`(7 i) / 2` for 28 bits).
    #[inline(always)]
    fn byte_of(i: usize) -> usize {
        let w = Self::W as usize;
        if w % 4 == 0 {
            (i * (w / 4)) >> 1
        } else if w % 2 == 0 {
            (i * (w / 2)) >> 2
        } else {
            (i * w) >> 3
        }
    }

    /// [`insert`](Self::insert) or, without a martingale, [`insert_plain`](Self::insert_plain).
    #[inline(always)]
    fn insert_any(regs: &mut Packed, mg: &mut Option<Martingale>, g: &Geometry, hash: u64) {
        match mg {
            None => Self::insert_plain(regs, g, hash),
            Some(mg) => Self::insert(regs, mg, g, hash),
        }
    }

    fn insert_all(regs: &mut Packed, mg: &mut Option<Martingale>, g: &Geometry, hashes: &[u64]) {
        match mg {
            None => {
                for &h in hashes {
                    Self::insert_plain(regs, g, h);
                }
            }
            Some(mg) => {
                for &h in hashes {
                    Self::insert(regs, mg, g, h);
                }
            }
        }
    }
}

/// `BIT_ABOVE_HIGH[j]`: the plain insert's `bit_above[j]` (the window bit of the value
/// `j - 1` below the largest) shifted up by 4, for [`insert_28`].
const BIT_ABOVE_HIGH: [u32; 256] = {
    let mut a = Fixed::<2, 20>::PLAIN.bit_above;
    let mut j = 0;
    while j < a.len() {
        a[j] <<= 4;
        j += 1;
    }
    a
};

/// [`Fixed::insert_plain`] for the recommended 28-bit registers: register `i` takes bits
/// 0-27 (even `i`) or 4-31 (odd `i`) of the 4 bytes at byte `7i / 2`, so it is read with
/// one 4-byte load, and the offset is bit 2 of the hash (the lowest index bit). Shifting the
/// 4 bytes left by `4 - offset` puts the largest value in the top byte; a window bit is set
/// by an `or` of its table entry shifted right by the same `4 - offset`, so the insert
/// shifts by one variable count.
#[inline(always)]
fn insert_28(at: At28<'_>) {
    let word = if at.above <= 0 {
        at.raise().2
    } else {
        at.word | at.window_bit()
    };
    *at.cell = word.to_le_bytes();
}

/// [`Fixed::insert`] (with the martingale) for the recommended 28-bit registers, read and
/// written as in [`insert_28`].
#[inline(always)]
fn insert_28_martingale(regs: &mut Packed, mg: &mut Martingale, g: &Geometry, hash: u64) {
    let Some(at) = At28::new(regs, g, hash) else {
        unreachable!("registers of 2^p 28-bit registers")
    };
    if at.above <= 0 {
        let (old, new, word) = at.raise();
        *at.cell = word.to_le_bytes();
        mg.estimate += g.scale / mg.unseen;
        Fixed::<2, 20>::raise_martingale(mg, g, old, new);
    } else {
        let word = at.word | at.window_bit();
        if word == at.word {
            return;
        }
        *at.cell = word.to_le_bytes();
        mg.estimate += g.scale / mg.unseen;
        mg.unseen -= window::pow2neg((at.k1 >> 2).min(g.last_level));
    }
}

/// The 4 bytes that hold a 28-bit register and what an insert needs to know about them.
struct At28<'a> {
    cell: &'a mut [u8; 4],
    word: u32,
    /// `4 - o` for the register's bit offset `o` in `word`.
    up: u32,
    /// The update value less one.
    k1: u32,
    /// `u - k + 1` (`u` the register's largest value): at most 0 for a raise.
    above: i32,
}

impl<'a> At28<'a> {
    /// `None` if the registers are too short for `hash`'s index (empty ones, for
    /// [`ExaLogLog::plain`](ExaLogLog#structfield.plain) while unused).
    #[inline(always)]
    fn new(regs: &'a mut Packed, g: &Geometry, hash: u64) -> Option<Self> {
        // 4 i, and 7 i / 2 = 28 i / 8 its byte.
        let at = ((hash & g.index_bits) as usize * 7) >> 3;
        let up = (!hash & 4) as u32;
        let k1 = ((g.fill | hash).leading_zeros() << 2) + (hash & 3) as u32;
        let cell: &mut [u8; 4] = regs.bytes.get_mut(at..at + 4)?.try_into().ok()?;
        let word = u32::from_le_bytes(*cell);
        // Both are below 256.
        let u = (word << up) >> 24;
        Some(Self {
            cell,
            word,
            up,
            k1,
            above: u.wrapping_sub(k1) as i32,
        })
    }

    /// The window bit of the value (0 outside the window) in place, for `above > 0`.
    #[inline(always)]
    fn window_bit(&self) -> u32 {
        BIT_ABOVE_HIGH[usize::from(self.above as u8)] >> self.up
    }

    /// For `above <= 0`: the old and the new register, and the new 4 bytes. The old window
    /// and largest value (if any) move down by `k - u`.
    #[inline(always)]
    fn raise(&self) -> (u32, u32, u32) {
        const D: u32 = 20;
        let at_bit = 4 - self.up;
        let old = (self.word >> at_bit) & 0x0fff_ffff;
        let seen = (old & window::mask(D)) | (u32::from(old > window::mask(D)) << D);
        let shift = Fixed::<2, 20>::PLAIN.shift_next[usize::from(self.above.unsigned_abs() as u8)];
        let moved = (u64::from(seen) * u64::from(shift)) >> 31;
        let new = ((self.k1 + 1) << D) | moved as u32;
        let word = (self.word & !(0x0fff_ffff << at_bit)) | (new << at_bit);
        (old, new, word)
    }
}

/// The tables of the plain insert of registers of `w` bits with `d` window bits, indexed by
/// differences with the update value less one (`k - 1`), which saves the insert an addition.
/// (`repr(C)` keeps `word` at the start, where the insert addresses it without an offset.)
#[repr(C)]
struct PlainTables {
    /// `word[i % 8]`: for register `i` at bit offset `o` of its 8-byte word, the factor
    /// `2^(64 - w - o)` that moves it to the top of the word, the mask of the word's other
    /// bits, and `2^o` (and a zero, for rows of 32 bytes).
    word: [[u64; 4]; 8],
    /// `shift_next[j] = 2^(31 - (j + 1))` for `j + 1 < 32`, else 0: `(x shift_next[j]) >> 31
    /// = x >> (j + 1)` for `x < 2^32`, indexed by a byte.
    shift_next: [u32; 256],
    /// `bit_above[j]`: the window bit of the value `j - 1` below the largest
    /// (`1 <= j - 1 <= d`), else 0.
    bit_above: [u32; 256],
}

impl PlainTables {
    const fn new(w: u32, d: u32) -> Self {
        let mut word = [[0; 4]; 8];
        let mut s = 0;
        while s < 8 {
            let o = (s as u32 * w) & 7;
            word[s] = [1 << (64 - w - o), !(((1 << w) - 1) << o), 1 << o, 0];
            s += 1;
        }
        let mut shift_next = [0; 256];
        let mut j = 0;
        while j + 1 < 32 {
            shift_next[j] = 1 << (31 - (j + 1));
            j += 1;
        }
        let mut bit_above = [0; 256];
        let mut b = 1;
        while b <= d {
            bit_above[b as usize + 1] = 1 << (d - b);
            b += 1;
        }
        Self {
            word,
            shift_next,
            bit_above,
        }
    }
}

/// The martingale's rate sum after a register's largest value rose from `old` to `new`:
/// the new value is seen, and the values that fall below the new window (unseen values above
/// the old largest, clear bits at the bottom of the old window) are no longer ruled out. A
/// raise usually moves the window by a few values, so this touches a few bits; a register's
/// first value or a long jump recomputes both registers' sums.
#[inline(never)]
fn on_raise(mg: &mut Martingale, rates: Rates, d: u32, old: u32, new: u32) {
    let (u, k) = (old >> d, new >> d);
    let removed = if u == 0 || k - u > d + 4 {
        rates.unseen(old, d) - rates.unseen(new, d)
    } else {
        let w = |v: u32| window::pow2neg(rates.level(v));
        let mut s = w(k);
        // Values above the old largest that are already below the new window.
        for v in u + 1..k.saturating_sub(d) {
            s += w(v);
        }
        // Clear bits of the old window for values below the new window (`v < k - d`).
        let below = (k - u).min(d);
        let mut clear = !old & window::valid_bits(u, d) & window::mask(below);
        while clear != 0 {
            let bit = clear.trailing_zeros();
            clear &= clear - 1;
            s += w(u + bit - d);
        }
        s
    };
    mg.unseen = (mg.unseen - removed).max(0.0);
}

fn unseen_sum(regs: &Packed, p: u8, t: u8, d: u32) -> f64 {
    let rates = Rates::new(p, t);
    regs.iter().map(|r| rates.unseen(r, d)).sum()
}

/// Merges registers of precision `q >= p` into registers of precision `p`. Register `i` at
/// `p` gathers the registers `i + s 2^p`; the `s` bits continue the level bits, so values below
/// the last level at `q` are unchanged and those in it move up by `lz(s)` levels.
fn merge_dense(regs: &mut Packed, theirs: &Packed, p: u8, q: u8, t: u8, d: u32) {
    let m = 1usize << p;
    if p == q {
        for i in 0..m {
            let r = window::merge(regs.get(i), theirs.get(i), d);
            regs.set(i, r);
        }
        return;
    }
    let delta = u32::from(q - p);
    let last_level = (64 - u32::from(q) - u32::from(t)) << t;
    for s in 0..(1usize << delta) {
        // Leading zeros of the `delta` bits of `s` (all of them for s = 0).
        let shift = ((s as u32).leading_zeros() - (32 - delta)).min(delta) << t;
        for i in 0..m {
            let r = theirs.get(i + (s << p));
            if r == 0 {
                continue;
            }
            let r = lift(r, d, last_level, shift);
            regs.set(i, window::merge(regs.get(i), r, d));
        }
    }
}

/// A register of precision `q` at a lower precision: values above `last_level` move up by
/// `shift`, the others stay.
fn lift(r: u32, d: u32, last_level: u32, shift: u32) -> u32 {
    let u = r >> d;
    if u <= last_level || shift == 0 {
        return r;
    }
    // Window bits of values still in the last level keep their offset from u; the bits of
    // lower values move `shift` further down.
    let kept_count = (u - last_level - 1).min(d);
    let keep = window::mask(kept_count) << (d - kept_count);
    let bits = r & window::mask(d);
    let moved = if shift >= 32 {
        0
    } else {
        (bits & !keep) >> shift
    };
    ((u + shift) << d) | (bits & keep) | moved
}

impl PartialEq for ExaLogLog {
    /// Equal parameters, representation, contents and martingale state.
    fn eq(&self, other: &Self) -> bool {
        (self.p, self.t, self.d, self.seed) == (other.p, other.t, other.d, other.seed)
            && self.repr == other.repr
            && self.plain == other.plain
            && self.martingale.map(|m| m.estimate) == other.martingale.map(|m| m.estimate)
    }
}

impl Default for ExaLogLog {
    /// Precision 12, `t = 2, d = 20` (14 KiB once dense, 0.57 % error) and the default seed.
    fn default() -> Self {
        Self::new(12).expect("valid precision")
    }
}

impl core::fmt::Debug for ExaLogLog {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ExaLogLog")
            .field("precision", &self.p)
            .field("t", &self.t)
            .field("d", &self.d)
            .field("seed", &self.seed)
            .field("sparse", &self.is_sparse())
            .field("estimate", &self.estimate())
            .finish_non_exhaustive()
    }
}

hpds_core::impl_distinct_counter!(ExaLogLog);

impl HeapSize for ExaLogLog {
    fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::Sparse(t) => t.heap_bytes(),
            Repr::Plain => self.plain.bytes.capacity(),
            Repr::Dense(r) => r.bytes.capacity(),
        }
    }
}

impl ByteCodec for ExaLogLog {
    const TAG: [u8; 4] = *b"ELL ";
    const VERSION: u16 = 1;

    /// Payload: a header byte (`p`, a sparse flag, an insert-only flag, a custom-seed flag),
    /// the seed if not the default, `t` and `d` (one byte each), the martingale estimate
    /// while insert-only (8 bytes); sparse: the tokens (count, then varint gaps); dense: the
    /// packed registers (`(6 + t + d) 2^p / 8` bytes).
    fn encode_payload(&self, enc: &mut Encoder) {
        let mut flags = if self.martingale.is_some() { HIP } else { 0 };
        if self.is_sparse() {
            flags |= SPARSE;
        }
        put_header(enc, self.p, flags, self.seed);
        enc.put_u8(self.t);
        enc.put_u8(self.d);
        match &self.repr {
            Repr::Sparse(tokens) => crate::tokens::encode(enc, &tokens.sorted()),
            Repr::Plain => enc.put_raw(self.plain.payload()),
            Repr::Dense(regs) => {
                if let Some(m) = self.martingale {
                    enc.put_f64(m.estimate);
                }
                enc.put_raw(regs.payload());
            }
        }
    }

    fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
        let (p, flags, seed) = get_header(dec)?;
        let (t, d) = (dec.u8()?, dec.u8()?);
        check_params(p, t, d).map_err(|_| Error::invalid_encoding("parameters out of range"))?;
        let mut s = ExaLogLog::builder()
            .precision(p)
            .t(t)
            .d(d)
            .seed(seed)
            .martingale(flags & HIP != 0)
            .build()?;
        let w = s.width();
        let du = u32::from(d);
        if flags & SPARSE != 0 {
            if !s.is_sparse() {
                return Err(Error::invalid_encoding(
                    "sparse sketch below the sparse size",
                ));
            }
            s.repr = Repr::Sparse(crate::tokens::decode(dec, s.token_limit())?);
            return Ok(s);
        }
        let estimate = if flags & HIP != 0 {
            let e = dec.f64()?;
            if !(e.is_finite() && e >= 0.0) {
                return Err(Error::invalid_encoding(
                    "martingale estimate is not a count",
                ));
            }
            Some(e)
        } else {
            None
        };
        let payload = dec.take(Packed::byte_len(p, w))?;
        let mut regs = Packed::new(p, w);
        regs.bytes[..payload.len()].copy_from_slice(payload);
        let max = Rates::new(p, t).max_value();
        for r in regs.iter() {
            let u = r >> du;
            if u > max || r & window::mask(du) & !window::valid_bits(u, du) != 0 {
                return Err(Error::invalid_encoding("invalid register"));
            }
        }
        // Bits after the last register must be zero (one encoding per sketch).
        let used = (w as usize) << p;
        if used % 8 != 0 && payload[used / 8] >> (used % 8) != 0 {
            return Err(Error::invalid_encoding("padding bits set"));
        }
        if let Some(estimate) = estimate {
            s.martingale = Some(Martingale {
                estimate,
                unseen: unseen_sum(&regs, p, t, du),
            });
        }
        s.repr = Repr::Dense(regs);
        s.refresh();
        Ok(s)
    }
}

crate::serde_impl::impl_serde!(ExaLogLog);

#[cfg(test)]
mod tests {
    use super::*;

    impl ExaLogLog {
        fn is_plain(&self) -> bool {
            matches!(self.repr, Repr::Plain)
        }
    }

    fn hashes(n: usize) -> Vec<u64> {
        let mut x = 11u64;
        (0..n)
            .map(|_| {
                x = hpds_core::hash::mix64(x.wrapping_add(0x9e37_79b9_7f4a_7c15));
                x
            })
            .collect()
    }

    #[test]
    fn martingale_rate_sum_tracks_the_registers() {
        for (t, d) in [(2u8, 20u8), (1, 9), (0, 2), (2, 24), (0, 0)] {
            let mut s = ExaLogLog::builder()
                .precision(6)
                .t(t)
                .d(d)
                .martingale(true)
                .build()
                .unwrap();
            for (n, h) in hashes(200_000).into_iter().enumerate() {
                s.insert_hash(h);
                if n % 997 == 0 || n == 199_999 {
                    let Some(regs) = s.dense() else {
                        continue;
                    };
                    let mg = s.martingale.expect("tracked");
                    let want = unseen_sum(regs, 6, t, u32::from(d));
                    assert!(
                        (mg.unseen - want).abs() <= 1e-9 * want.max(1e-300),
                        "t {t} d {d} n {n}: {} vs {want}",
                        mg.unseen
                    );
                }
            }
        }
    }

    /// The inserts specialized to fixed `t, d` (with and without a martingale) against the
    /// general one: the same registers and the same martingale, bit for bit, item by item
    /// and in batches.
    #[test]
    fn fixed_parameter_inserts_match_the_general_insert() {
        let hs = hashes(60_000);
        for ((t, d), mg) in [(2u8, 20u8), (2, 24), (1, 9)]
            .into_iter()
            .flat_map(|td| [(td, false), (td, true)])
        {
            for p in [4u8, 9, 12, 14] {
                let mut fast = ExaLogLog::builder()
                    .precision(p)
                    .t(t)
                    .d(d)
                    .martingale(mg)
                    .build()
                    .unwrap();
                let mut batch = fast.clone();
                fast.densify();
                batch.densify();
                let mut general = fast.clone();
                let g = general.geometry;
                for (n, &h) in hs.iter().enumerate() {
                    fast.insert_hash(h);
                    let Some(regs) = dense_mut(&mut general.repr, &mut general.plain) else {
                        unreachable!("densified")
                    };
                    insert_dense(regs, &mut general.martingale, g, p, t, d, h);
                    if n % 4999 == 0 {
                        assert!(fast == general, "t {t} d {d} p {p} mg {mg} n {n}");
                    }
                }
                batch.insert_hashes(&hs);
                assert!(
                    fast == general && batch == general,
                    "t {t} d {d} p {p} mg {mg}"
                );
                assert_eq!(fast.martingale.is_some(), mg);
                assert_eq!(fast.is_plain(), !mg && (t, d) == (2, 20));
                let bits = |s: &ExaLogLog| {
                    s.martingale
                        .map(|m| (m.estimate.to_bits(), m.unseen.to_bits()))
                };
                assert_eq!(bits(&fast), bits(&general));
                assert_eq!(bits(&batch), bits(&general));
            }
        }
    }

    /// The 28-bit inserts at the registers where the 4-byte access is at its limits (the
    /// first and last registers, even and odd, at bit offsets 0 and 4) and their
    /// neighbours, for every update value in a shuffled order: the same registers as the
    /// general insert after every insert, with and without a martingale.
    #[test]
    fn insert_28_at_the_edges_matches_the_general_insert() {
        let mut x = 5u64;
        for (p, mg) in [
            (12u8, false),
            (12, true),
            (14, false),
            (14, true),
            (4, false),
        ] {
            let m = 1u64 << p;
            let mut fast = ExaLogLog::builder()
                .precision(p)
                .martingale(mg)
                .build()
                .unwrap();
            fast.densify();
            let mut general = fast.clone();
            let g = general.geometry;
            // Update values 1..=4 (64 - p - 2) + 4: every level, every sub-bucket.
            let levels = 64 - u64::from(p) - 2;
            for i in [0, 1, 2, 3, m / 2, m / 2 + 1, m - 4, m - 3, m - 2, m - 1] {
                for _ in 0..3 * levels * 4 {
                    x = hpds_core::hash::mix64(x.wrapping_add(0x9e37_79b9_7f4a_7c15));
                    let z = (x >> 8) % (levels + 1);
                    let level_bits = if z < levels { 1u64 << (63 - z) } else { 0 };
                    let h = level_bits | (i << 2) | (x & 3);
                    fast.insert_hash(h);
                    let Some(regs) = dense_mut(&mut general.repr, &mut general.plain) else {
                        unreachable!("densified")
                    };
                    insert_dense(regs, &mut general.martingale, g, p, 2, 20, h);
                    assert!(fast == general, "p {p} mg {mg} i {i} hash {h:#x}");
                }
            }
            assert_eq!(fast.registers(), general.registers());
        }
    }

    /// A sketch with martingale tracking and one without, fed the same hashes item by item:
    /// the same registers after every insert (so the same bytes once the martingale
    /// estimate is left out, the same merges and maximum-likelihood estimates), and the
    /// mode kept through `clear`, the codec and `merge`.
    #[test]
    fn martingale_tracking_changes_no_register() {
        let hs = hashes(40_000);
        for (t, d) in [(2u8, 20u8), (2, 24), (1, 9), (0, 2)] {
            for p in [4u8, 10] {
                let build = |mg| {
                    ExaLogLog::builder()
                        .precision(p)
                        .t(t)
                        .d(d)
                        .martingale(mg)
                        .build()
                        .unwrap()
                };
                let (mut plain, mut tracked) = (build(false), build(true));
                for (n, &h) in hs.iter().enumerate() {
                    plain.insert_hash(h);
                    tracked.insert_hash(h);
                    let same = match (&plain.repr, &tracked.repr) {
                        (Repr::Sparse(a), Repr::Sparse(b)) => a.sorted() == b.sorted(),
                        _ => plain.dense().is_some() && plain.dense() == tracked.dense(),
                    };
                    assert!(same, "t {t} d {d} p {p} n {n}");
                }
                assert!(plain.martingale.is_none() && tracked.martingale.is_some());
                assert!(tracked.tracks_martingale() && !plain.tracks_martingale());
                let ml = ExaLogLogEstimator::MaximumLikelihood;
                assert_eq!(plain.estimate_with(ml), tracked.estimate_with(ml));
                assert_eq!(plain.estimate_with(ExaLogLogEstimator::Martingale), None);
                assert_eq!(plain.estimate(), plain.estimate_with(ml).unwrap());
                // The codec keeps the mode: the decoded sketch goes on tracking (or not).
                let back = ExaLogLog::from_bytes(&tracked.to_bytes()).unwrap();
                assert!(back == tracked && back.tracking && !back.is_plain());
                let back = ExaLogLog::from_bytes(&plain.to_bytes()).unwrap();
                assert!(back == plain && !back.tracking);
                assert_eq!(back.is_plain(), (t, d) == (2, 20));
                // A merge drops the martingale; the registers equal the plain sketch's.
                let mut merged = tracked.clone();
                merged.merge(&plain).unwrap();
                assert!(merged == plain, "t {t} d {d} p {p}");
                assert_eq!(merged.is_plain(), (t, d) == (2, 20));
                merged.clear();
                assert!(merged == build(true));
                tracked.clear();
                plain.clear();
                assert!(tracked.martingale.is_some() && plain.martingale.is_none());
            }
        }
    }

    #[test]
    fn reduce_equals_direct_build() {
        let hs = hashes(50_000);
        for (t, d) in [(2u8, 20u8), (1, 9), (0, 2), (2, 24)] {
            for n in [5usize, 500, 50_000] {
                let build = |p| {
                    let mut s = ExaLogLog::builder().precision(p).t(t).d(d).build().unwrap();
                    s.insert_hashes(&hs[..n]);
                    s
                };
                let reduced = build(13).reduce(9).unwrap();
                assert_eq!(
                    reduced.registers(),
                    build(9).registers(),
                    "t {t} d {d} n {n}"
                );
            }
        }
    }
}
