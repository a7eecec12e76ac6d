//! UltraLogLog (Ertl, PVLDB 2024): one byte per register, 28 % less memory than HyperLogLog
//! for the same error after merging.

use alloc::vec::Vec;

use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{Error, HeapSize, Item, Result};

use crate::base::{SPARSE, check_precision, get_header, put_header};
use crate::tokens::{Layout, Tokens};
use crate::window::{self, Rates};
use crate::{fgra, ml};

/// Window bits of an UltraLogLog register.
const D: u32 = 2;
/// Sketches below this precision start dense: their registers are as small as a token list.
const MIN_SPARSE_P: u8 = 8;

/// The estimators an [`UltraLogLog`] offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum UltraLogLogEstimator {
    /// Maximum likelihood: relative standard error `0.761/√m` (memory-variance product 4.63
    /// with 8-bit registers), solved by a few Newton steps over 64 level counts.
    #[default]
    MaximumLikelihood,
    /// Further generalized remaining area: a closed form, `0.782/√m` (product 4.90).
    Fgra,
}

/// The two forms, borrowed.
enum Repr<'a> {
    Sparse(&'a Tokens),
    Dense(&'a Vec<u8>),
}

/// UltraLogLog (Ertl 2024): a HyperLogLog whose 8-bit registers also remember whether the two
/// update values just below the largest were seen, estimated by maximum likelihood.
///
/// With `m = 2^p` bytes its relative standard error is `0.761/√m`, where HyperLogLog needs
/// `0.75 m` bytes for `1.04/√m` after a merge: the same error in 28 % less memory, merged or
/// not. Merging is a register-wise union (also from a sketch of higher precision), so a
/// merged sketch is exactly the sketch of the concatenated streams. A new sketch of precision
/// 8 or more starts *sparse*: a list of 4-byte tokens, converted to registers when it would
/// take more than the `m` register bytes.
///
/// UltraLogLog splits the hash as [`HyperLogLog`](crate::HyperLogLog) does (register index from
/// the top bits), so [`to_hyperloglog`](Self::to_hyperloglog) gives exactly the HyperLogLog of
/// the same items, which can then be merged with sketches built as HyperLogLog.
///
/// # Example
/// ```
/// use hpds_core::ByteCodec;
/// use hpds_loglog::UltraLogLog;
///
/// let mut shards = Vec::new();
/// for shard in 0..4u64 {
///     let mut s = UltraLogLog::new(12)?;
///     for user in 0..20_000u64 {
///         s.insert(&(shard * 10_000 + user)); // shards overlap by half
///     }
///     shards.push(s.to_bytes());
/// }
/// let mut total = UltraLogLog::new(12)?;
/// for bytes in &shards {
///     total.merge(&UltraLogLog::from_bytes(bytes)?)?;
/// }
/// let n = 50_000.0;
/// assert!((total.estimate() / n - 1.0).abs() < 4.0 * total.standard_error());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct UltraLogLog {
    p: u8,
    seed: u64,
    /// The registers once dense; empty while sparse, so that the insert's bounds check on the
    /// register index is also its test for the dense form.
    regs: Vec<u8>,
    /// The tokens while sparse; empty once dense.
    tokens: Tokens,
}

/// Register index and update value of a hash at precision `p`: the top `p` bits, and one plus
/// the leading zeros of the rest (at most `65 - p`).
#[inline(always)]
fn index_value(h: u64, p: u8) -> (usize, u32) {
    let i = (h >> (64 - p)) as usize;
    let k = ((h << p) | (1 << (p - 1))).leading_zeros() + 1;
    (i, k)
}

impl UltraLogLog {
    /// A sketch of precision `p` (`2^p` one-byte registers once dense) and the default seed.
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `4 <= p <= 18`.
    pub fn new(p: u8) -> Result<Self> {
        Self::with_seed(p, DEFAULT_SEED)
    }

    /// A sketch whose items are hashed with `seed`; only sketches with the same seed merge.
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `4 <= p <= 18`.
    pub fn with_seed(p: u8, seed: u64) -> Result<Self> {
        check_precision(p)?;
        let regs = if p >= MIN_SPARSE_P {
            Vec::new()
        } else {
            alloc::vec![0; 1 << p]
        };
        Ok(Self {
            p,
            seed,
            regs,
            tokens: Tokens::default(),
        })
    }

    fn repr(&self) -> Repr<'_> {
        if self.regs.is_empty() {
            Repr::Sparse(&self.tokens)
        } else {
            Repr::Dense(&self.regs)
        }
    }

    /// The precision `p`: `2^p` registers.
    pub fn precision(&self) -> u8 {
        self.p
    }

    /// The seed items are hashed with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Whether the sketch still holds tokens rather than registers.
    pub fn is_sparse(&self) -> bool {
        self.regs.is_empty()
    }

    /// Whether nothing has been inserted.
    pub fn is_empty(&self) -> bool {
        match self.repr() {
            Repr::Sparse(t) => t.is_empty(),
            Repr::Dense(r) => r.iter().all(|&b| b == 0),
        }
    }

    /// The most tokens the sparse form holds: as many bytes as the registers.
    fn token_limit(&self) -> usize {
        (1usize << self.p) / 4
    }

    /// Adds an item, hashing it once with the stable hash.
    #[inline]
    pub fn insert<T: Item + ?Sized>(&mut self, item: &T) {
        self.insert_hash(item.stable_hash(self.seed));
    }

    /// Adds an item given by its 64-bit hash: `O(1)` dense (one byte read and written, no
    /// branch on the data), amortized `O(1)` sparse.
    #[inline(always)]
    pub fn insert_hash(&mut self, hash: u64) {
        let (i, k) = index_value(hash, self.p);
        // Out of range exactly while sparse (no registers yet).
        if let Some(r) = self.regs.get_mut(i) {
            *r = update(*r, k);
        } else {
            self.insert_sparse(hash);
        }
    }

    /// [`insert_hash`](Self::insert_hash) for every hash of a slice.
    pub fn insert_hashes(&mut self, hashes: &[u64]) {
        let mut rest = hashes;
        while let Some((&h, tail)) = rest.split_first() {
            if !self.regs.is_empty() {
                let p = self.p;
                for &h in rest {
                    insert_dense(&mut self.regs, p, h);
                }
                return;
            }
            self.insert_sparse(h);
            rest = tail;
        }
    }

    #[cold]
    fn insert_sparse(&mut self, hash: u64) {
        let limit = self.token_limit();
        if self.regs.is_empty() && self.tokens.push(Layout::Top.token(hash), limit) {
            return;
        }
        self.densify();
        self.insert_hash(hash);
    }

    fn densify(&mut self) {
        if self.regs.is_empty() {
            let mut regs = alloc::vec![0; 1 << self.p];
            for t in self.tokens.iter() {
                insert_dense(&mut regs, self.p, Layout::Top.hash(t));
            }
            self.regs = regs;
            self.tokens = Tokens::default();
        }
    }

    /// The registers `(k << 2) | window`, `k` the largest update value and the window's
    /// bits 1 and 0 whether `k - 1` and `k - 2` were seen (materialized while sparse).
    pub fn registers(&self) -> Vec<u8> {
        match self.repr() {
            Repr::Dense(r) => r.clone(),
            Repr::Sparse(tokens) => {
                let mut regs = alloc::vec![0; 1 << self.p];
                for t in tokens.iter() {
                    insert_dense(&mut regs, self.p, Layout::Top.hash(t));
                }
                regs
            }
        }
    }

    /// The estimated number of distinct items, by maximum likelihood (sparse: over the
    /// tokens, nearly exact). `O(m)` dense.
    pub fn estimate(&self) -> f64 {
        self.estimate_with(UltraLogLogEstimator::MaximumLikelihood)
    }

    /// The estimate with a chosen estimator (sparse: the token estimate for either).
    pub fn estimate_with(&self, estimator: UltraLogLogEstimator) -> f64 {
        let regs = match self.repr() {
            Repr::Sparse(t) => return t.estimate(),
            Repr::Dense(r) => r,
        };
        match estimator {
            UltraLogLogEstimator::MaximumLikelihood => {
                let rates = Rates::new(self.p, 0);
                let mut l = ml::Likelihood::new();
                for &r in regs {
                    l.add(u32::from(r), D, rates);
                }
                ml::estimate(&l, regs.len(), 0, 2)
            }
            UltraLogLogEstimator::Fgra => fgra::estimate(regs, self.p),
        }
    }

    /// The theoretical relative standard error of [`estimate`](Self::estimate) once dense:
    /// `0.761/√m`.
    pub fn standard_error(&self) -> f64 {
        Self::theoretical_error(UltraLogLogEstimator::MaximumLikelihood, self.p)
    }

    /// The theoretical relative standard error of `estimator` at precision `p`.
    pub fn theoretical_error(estimator: UltraLogLogEstimator, p: u8) -> f64 {
        let m = f64::from(1u32 << p.min(31));
        match estimator {
            UltraLogLogEstimator::MaximumLikelihood => ml::ml_error_constant(0, 2) / m.sqrt(),
            UltraLogLogEstimator::Fgra => (fgra::V / m).sqrt(),
        }
    }

    /// Folds `other` in: afterwards this sketch is exactly the sketch of both streams at this
    /// precision. `other` may have a higher precision. `O(2^other.p)`, or `O(tokens)` sparse.
    ///
    /// # Errors
    /// [`Incompatible`](hpds_core::ErrorKind::Incompatible) if the seeds differ or `other` has
    /// a lower precision (reduce this one first with [`reduce`](Self::reduce)).
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        if self.seed != other.seed {
            return Err(Error::incompatible("hash seed", self.seed, other.seed));
        }
        if other.p < self.p {
            return Err(Error::incompatible(
                "precision (merge a sketch of equal or higher precision into one of lower)",
                self.p,
                other.p,
            ));
        }
        let p = self.p;
        if self.is_sparse() && other.is_sparse() {
            let limit = (1usize << p) / 4;
            if other.tokens.iter().all(|t| self.tokens.push(t, limit)) {
                return Ok(());
            }
        }
        if other.is_sparse() && other.tokens.is_empty() {
            return Ok(());
        }
        self.densify();
        match other.repr() {
            Repr::Sparse(theirs) => {
                for t in theirs.iter() {
                    insert_dense(&mut self.regs, p, Layout::Top.hash(t));
                }
            }
            Repr::Dense(theirs) => merge_dense(&mut self.regs, theirs, p, other.p),
        }
        Ok(())
    }

    /// This sketch at a lower precision `p`: exactly the sketch the same items would have
    /// built at `p`.
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
        let mut out = Self::with_seed(p, self.seed)?;
        out.merge(self)?;
        Ok(out)
    }

    /// The HyperLogLog of the same items: register `i` is the largest update value `k`. The
    /// result merges with any [`HyperLogLog`](crate::HyperLogLog) of the same precision and
    /// seed. `O(m)`.
    pub fn to_hyperloglog(&self) -> crate::HyperLogLog {
        let mut regs = crate::registers::Registers::new(self.p);
        for (i, r) in self.registers().into_iter().enumerate() {
            regs.update(i, r >> 2);
        }
        crate::HyperLogLog::from_registers(regs, self.seed)
    }

    /// Puts the sketch in its canonical form, which depends only on the items it has seen
    /// (and its precision and seed), not on the order of the inserts and merges that built it:
    /// sparse exactly while it holds fewer distinct tokens than its limit, dense after. Two
    /// canonical sketches of the same items have the same bytes, whatever the partitioning
    /// of a parallel build. `O(tokens)` while sparse, `O(1)` dense.
    ///
    /// # Example
    /// ```
    /// use hpds_core::ByteCodec;
    /// use hpds_loglog::UltraLogLog;
    ///
    /// let mut one = UltraLogLog::new(10)?;
    /// let (mut a, mut b) = (UltraLogLog::new(10)?, UltraLogLog::new(10)?);
    /// for i in 0..256u64 {
    ///     one.insert(&i);
    ///     if i % 2 == 0 { a.insert(&i) } else { b.insert(&i) }
    /// }
    /// a.merge(&b)?;
    /// one.canonicalize();
    /// a.canonicalize();
    /// assert_eq!(one.to_bytes(), a.to_bytes());
    /// # Ok::<(), hpds_core::Error>(())
    /// ```
    pub fn canonicalize(&mut self) {
        let limit = self.token_limit();
        if self.is_sparse() {
            self.tokens.normalize();
            if self.tokens.len() >= limit {
                self.densify();
            }
        }
    }

    /// Forgets every item.
    pub fn clear(&mut self) {
        *self = Self::with_seed(self.p, self.seed).expect("precision already checked");
    }

    /// Adds every item of a parallel iterator: each rayon task fills its own dense sketch and
    /// they are merged (the result equals a sequential build).
    #[cfg(feature = "rayon")]
    pub fn par_extend<I>(&mut self, items: I)
    where
        I: rayon::iter::IntoParallelIterator,
        I::Item: Item,
    {
        let p = self.p;
        let built = crate::parallel::par_build(
            items,
            self.seed,
            &alloc::vec![0u8; 1 << p],
            |regs: &mut Vec<u8>, hash| insert_dense(regs, p, hash),
            |a: &mut Vec<u8>, b: &Vec<u8>| merge_dense(a, b, p, p),
        );
        self.densify();
        merge_dense(&mut self.regs, &built, p, p);
    }
}

/// The dense insert: the register as the set of values it knows (bit `k` for value `k`: the
/// largest and the two below it), plus the new value, back to a register, written whether it
/// changed or not. No branch depends on the data: a compare that skipped values below the
/// window would mispredict on a large share of inserts while the sketch is young (`n` up to
/// some tens of `m`), which costs more than the few instructions it saves later.
#[inline(always)]
fn insert_dense(regs: &mut [u8], p: u8, hash: u64) {
    let (i, k) = index_value(hash, p);
    regs[i] = update(regs[i], k);
}

/// The values each register byte knows, as bits: bit `v` for value `v` (the largest, `r >> 2`,
/// and those of the window's two bits below it); register 0 knows nothing. A 2 KiB table that
/// stays in the first-level cache, one load instead of six operations per insert.
static KNOWN: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut r = 0;
    while r < 256 {
        let v = r as u64;
        t[r] = (((4 | (v & 3)) << (v >> 2)) >> 2) & !1;
        r += 1;
    }
    t
};

/// A register after update value `k` (see [`insert_dense`]).
#[inline(always)]
fn update(r: u8, k: u32) -> u8 {
    let set = KNOWN[usize::from(r)] | (1 << k);
    // `set` is not 0, so this is its highest bit (`ilog2` would add a check for 0).
    #[allow(clippy::manual_ilog2)]
    let top = 63 - set.leading_zeros();
    ((top << 2) | (((set << 2) >> top) & 3) as u32) as u8
}

/// Merges registers of precision `q >= p` into registers of precision `p`. Register `i` at
/// `p` gathers the `2^(q-p)` registers `i·2^(q-p) + s`; the `s` bits come right after the
/// index, so for `s ≠ 0` every item of that register has update value `lz(s) + 1` at `p`, and
/// for `s = 0` every value moves up by `q - p`.
fn merge_dense(regs: &mut [u8], theirs: &[u8], p: u8, q: u8) {
    if p == q {
        for (a, &b) in regs.iter_mut().zip(theirs) {
            *a = window::merge(u32::from(*a), u32::from(b), D) as u8;
        }
        return;
    }
    let delta = u32::from(q - p);
    let block = 1usize << delta;
    for (i, a) in regs.iter_mut().enumerate() {
        let group = &theirs[i * block..(i + 1) * block];
        let mut r = u32::from(*a);
        let first = u32::from(group[0]);
        if first != 0 {
            r = window::merge(r, first + (delta << D), D);
        }
        for (s, &b) in group.iter().enumerate().skip(1) {
            if b != 0 {
                let k = (s as u32).leading_zeros() - (32 - delta) + 1;
                r = window::update(r, k, D);
            }
        }
        *a = r as u8;
    }
}

impl Default for UltraLogLog {
    /// Precision 12 (4 KiB once dense, 1.2 % error) and the default seed.
    fn default() -> Self {
        Self::new(12).expect("valid precision")
    }
}

impl core::fmt::Debug for UltraLogLog {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("UltraLogLog")
            .field("precision", &self.p)
            .field("seed", &self.seed)
            .field("sparse", &self.is_sparse())
            .field("estimate", &self.estimate())
            .finish_non_exhaustive()
    }
}

hpds_core::impl_distinct_counter!(UltraLogLog);

impl HeapSize for UltraLogLog {
    fn heap_bytes(&self) -> usize {
        self.regs.capacity() + self.tokens.heap_bytes()
    }
}

/// Checks a dense register: value at most `65 - p`, no window bit below value 1.
pub(crate) fn valid_register(r: u8, p: u8) -> bool {
    let (k, w) = (u32::from(r >> 2), u32::from(r & 3));
    k <= 65 - u32::from(p) && w & !window::valid_bits(k, D) == 0
}

impl ByteCodec for UltraLogLog {
    const TAG: [u8; 4] = *b"ULL ";
    const VERSION: u16 = 1;

    /// Payload: a header byte (`p`, a sparse flag, a custom-seed flag), the seed if not the
    /// default; sparse: the tokens (count, then varint gaps); dense: the `2^p` register bytes.
    fn encode_payload(&self, enc: &mut Encoder) {
        match self.repr() {
            Repr::Sparse(tokens) => {
                put_header(enc, self.p, SPARSE, self.seed);
                crate::tokens::encode(enc, &tokens.sorted());
            }
            Repr::Dense(regs) => {
                put_header(enc, self.p, 0, self.seed);
                enc.put_raw(regs);
            }
        }
    }

    fn decode_payload(dec: &mut Decoder<'_>, _version: u16) -> Result<Self> {
        let (p, flags, seed) = get_header(dec)?;
        if flags & !SPARSE != 0 {
            return Err(Error::invalid_encoding("unknown flags"));
        }
        let mut out = Self::with_seed(p, seed)?;
        if flags & SPARSE != 0 {
            if p < MIN_SPARSE_P {
                return Err(Error::invalid_encoding("sparse sketch below precision 8"));
            }
            out.tokens = crate::tokens::decode(dec, (1usize << p) / 4)?;
        } else {
            let regs = dec.take(1 << p)?;
            if !regs.iter().all(|&r| valid_register(r, p)) {
                return Err(Error::invalid_encoding("invalid register"));
            }
            out.regs = regs.to_vec();
        }
        Ok(out)
    }
}

crate::serde_impl::impl_serde!(UltraLogLog);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_from_higher_precision_equals_direct_build() {
        let mut x = 7u64;
        let hashes: Vec<u64> = (0..20_000)
            .map(|_| {
                x = hpds_core::hash::mix64(x.wrapping_add(0x9e37_79b9_7f4a_7c15));
                x
            })
            .collect();
        for n in [10usize, 300, 20_000] {
            let mut lo = UltraLogLog::new(10).unwrap();
            let mut hi = UltraLogLog::new(14).unwrap();
            lo.insert_hashes(&hashes[..n]);
            hi.insert_hashes(&hashes[..n]);
            let reduced = hi.reduce(10).unwrap();
            assert_eq!(reduced.registers(), lo.registers(), "n = {n}");
        }
    }
}
