//! HyperLogLog++: sparse while small, dense 6-bit registers after.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use hpds_core::Item;
use hpds_core::codec::{ByteCodec, Decoder, Encoder};
use hpds_core::hash::DEFAULT_SEED;
use hpds_core::{Error, HeapSize, Result};

use crate::base::{Core, HIP, SPARSE, check_precision, decode_seed, get_header, put_header};
use crate::estimators::{self, Estimator, Hip};
use crate::registers::Registers;
use crate::sparse::{self, Sparse};
use crate::unpacked::UnpackedRegisters;

/// Sketches below this precision start dense: their registers take fewer bytes than the sparse
/// insert buffer.
const MIN_SPARSE_P: u8 = 8;

/// Entries the insert buffer holds before it is merged into the sorted list: a sixteenth of
/// the dense size in bytes (at least 64 entries), so the buffer takes a quarter of the dense
/// bytes. Each flush rewrites the whole list, so a larger
/// buffer means fewer rewrites (a sketch converts to dense after a handful); the buffer
/// bounds the sparse form's memory at about 1.25 times the dense registers.
#[inline]
fn buffer_cap(p: u8) -> usize {
    (Registers::byte_len(p) / 16).max(64)
}

/// Whether `entries` sparse entries take more memory than the dense registers would: time to
/// convert (and a sparse list the decoder refuses).
fn sparse_too_big(entries: usize, p: u8) -> bool {
    4 * entries > Registers::byte_len(p)
}

#[derive(Clone)]
enum Repr {
    Sparse { sparse: Sparse, insert_only: bool },
    Dense(Core),
}

/// HyperLogLog++ (Heule, Nunkesser and Hall 2013) with a 64-bit hash, a sparse representation
/// and the best estimator for the sketch's history.
///
/// A new sketch (precision 8 or more) is *sparse*: it stores the register updates at
/// precision 25, sorted behind a small insert buffer (Rice coded in the byte format), so a sketch that
/// has seen a hundred items takes a few hundred bytes and estimates almost exactly (linear
/// counting over 2^25 buckets). When the list (4 bytes per entry) would be larger than the dense
/// registers (`6 · 2^p / 8` bytes) it converts to them, with exactly the registers a dense
/// sketch would hold. Dense, [`estimate`](Self::estimate) gives the HIP estimate (≈ 0.83/√m)
/// while the sketch was built by inserts only and Ertl's improved estimator (≈ 1.04/√m)
/// after a merge.
///
/// Merging accepts a sketch of equal or higher precision (and the same seed); the result is
/// exactly the sketch of the union at this sketch's precision.
///
/// # Example
/// ```
/// use hpds_loglog::HyperLogLogPlusPlus;
/// use hpds_core::{ByteCodec, HeapSize};
///
/// let mut s = HyperLogLogPlusPlus::new(14)?;
/// for word in ["apple", "banana", "cherry", "apple"] {
///     s.insert(word);
/// }
/// assert!(s.is_sparse());
/// assert_eq!(s.estimate().round(), 3.0);
/// assert!(s.heap_bytes() < 100);
///
/// for i in 0..100_000u64 {
///     s.insert(&i);
/// }
/// assert!(!s.is_sparse());
/// assert!((s.estimate() / 100_003.0 - 1.0).abs() < 0.03);
/// let back = HyperLogLogPlusPlus::from_bytes(&s.to_bytes())?;
/// assert_eq!(back, s);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct HyperLogLogPlusPlus {
    p: u8,
    seed: u64,
    repr: Repr,
}

impl HyperLogLogPlusPlus {
    /// A sketch of precision `p` (up to `2^p` registers) and the default seed.
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `4 <= p <= 18`.
    pub fn new(p: u8) -> Result<Self> {
        Self::with_seed(p, DEFAULT_SEED)
    }

    /// A sketch whose items are hashed with `seed`; only sketches with the same seed can be
    /// merged.
    ///
    /// # Errors
    /// [`InvalidParameter`](hpds_core::ErrorKind::InvalidParameter) unless `4 <= p <= 18`.
    pub fn with_seed(p: u8, seed: u64) -> Result<Self> {
        check_precision(p)?;
        let repr = if p >= MIN_SPARSE_P {
            Repr::Sparse {
                sparse: Sparse::default(),
                insert_only: true,
            }
        } else {
            Repr::Dense(Core::try_new(p, seed)?)
        };
        Ok(Self { p, seed, repr })
    }

    /// The precision `p`.
    pub fn precision(&self) -> u8 {
        self.p
    }

    /// The seed items are hashed with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Whether the sketch is still in its sparse representation.
    pub fn is_sparse(&self) -> bool {
        matches!(self.repr, Repr::Sparse { .. })
    }

    /// Whether no item has been inserted.
    pub fn is_empty(&self) -> bool {
        match &self.repr {
            Repr::Sparse { sparse, .. } => sparse.is_empty(),
            Repr::Dense(c) => c.regs.is_empty(),
        }
    }

    /// The theoretical relative standard error of [`estimate`](Self::estimate) once dense
    /// (sparse estimates are far better).
    pub fn standard_error(&self) -> f64 {
        let e = match &self.repr {
            Repr::Dense(c) if c.hip.is_none() => Estimator::Ertl,
            Repr::Sparse {
                insert_only: false, ..
            } => Estimator::Ertl,
            _ => Estimator::Hip,
        };
        estimators::standard_error(e, self.p)
    }

    /// Adds an item, hashing it once with the stable hash.
    #[inline]
    pub fn insert<T: Item + ?Sized>(&mut self, item: &T) {
        self.insert_hash(item.stable_hash(self.seed));
    }

    /// Adds an item given by its 64-bit hash. Dense: `O(1)`; sparse: amortized `O(1)` (the
    /// buffer is sorted into the list once it holds a quarter of the dense size in bytes).
    ///
    /// Only the dense path is inlined into the caller's loop; the sparse path is a call.
    #[inline(always)]
    pub fn insert_hash(&mut self, hash: u64) {
        if let Repr::Dense(core) = &mut self.repr {
            core.insert_hash(hash);
        } else {
            self.insert_sparse(hash);
        }
    }

    /// The 32-bit token of a 64-bit hash: its top 25 bits and the rank of the other 39 (the
    /// sparse entry), which is all a HyperLogLog++ of any precision keeps of a hash. A list of
    /// tokens takes half the memory of the hashes and still becomes the same sketch:
    /// [`insert_token`](Self::insert_token)`(token(h))` changes a sketch exactly as
    /// [`insert_hash`](Self::insert_hash)`(h)` does, sparse or dense, at every precision.
    ///
    /// ```
    /// use hpds_loglog::HyperLogLogPlusPlus;
    /// let hashes: Vec<u64> = (1..5_000u64).map(hpds_core::hash::mix64).collect();
    /// let tokens: Vec<u32> = hashes.iter().map(|&h| HyperLogLogPlusPlus::token(h)).collect();
    /// let (mut a, mut b) = (HyperLogLogPlusPlus::new(12)?, HyperLogLogPlusPlus::new(12)?);
    /// a.insert_hashes(&hashes);
    /// tokens.iter().for_each(|&t| b.insert_token(t));
    /// assert_eq!(a, b);
    /// # Ok::<(), hpds_core::Error>(())
    /// ```
    #[inline]
    pub fn token(hash: u64) -> u32 {
        sparse::entry(hash)
    }

    /// Adds the item of a [`token`](Self::token). Any `u32` is read as a token (its index
    /// modulo `2^25`, its rank clamped to `1..=40`), so this never panics.
    #[inline]
    pub fn insert_token(&mut self, token: u32) {
        self.insert_hash(sparse::entry_hash(token));
    }

    /// [`insert_token`](Self::insert_token) for every token of a slice, in order (same state,
    /// same HIP estimate), with the insert buffer reserved once rather than grown.
    pub fn insert_tokens(&mut self, tokens: &[u32]) {
        let cap = buffer_cap(self.p);
        let mut rest = tokens;
        while let Repr::Sparse { sparse, .. } = &mut self.repr {
            let Some((&t, tail)) = rest.split_first() else {
                return;
            };
            sparse.reserve(rest.len(), cap);
            if sparse.push(sparse::entry(sparse::entry_hash(t)), cap) {
                self.flush_sparse(true);
            }
            rest = tail;
        }
        if let Repr::Dense(core) = &mut self.repr {
            for &t in rest {
                core.insert_hash(sparse::entry_hash(t));
            }
        }
    }

    /// While sparse, the [`token`](Self::token)s of the items seen, sorted, one per 25-bit
    /// index (the largest rank): inserting them into an empty sketch of this precision and
    /// seed gives this sketch's items. `None` once dense. Borrowed from the sketch when its
    /// insert buffer is empty (after [`canonicalize`](Self::canonicalize), a merge or
    /// decoding), else `O(entries)`.
    pub fn sparse_tokens(&self) -> Option<Cow<'_, [u32]>> {
        match &self.repr {
            Repr::Sparse { sparse, .. } => Some(sparse.entries()),
            Repr::Dense(_) => None,
        }
    }

    /// The estimate of a sketch of precision `p` built from `tokens` alone, without building
    /// it: bit for bit what inserting them into an empty sketch (any seed) and calling
    /// [`estimate`](Self::estimate), before or after [`canonicalize`](Self::canonicalize),
    /// gives, provided that sketch stays sparse. `O(tokens)`, no allocation.
    ///
    /// `tokens` must be sorted (repeats allowed) and each below `2^31`, as every
    /// [`token`](Self::token) is. `None` if they are not, if `p` is invalid or below 8 (the
    /// sketch starts dense), or if that many distinct tokens would make the sketch dense: then
    /// build it.
    ///
    /// ```
    /// use hpds_loglog::HyperLogLogPlusPlus;
    /// let mut tokens: Vec<u32> = (1..200u64)
    ///     .map(|i| HyperLogLogPlusPlus::token(hpds_core::hash::mix64(i % 150)))
    ///     .collect();
    /// let mut s = HyperLogLogPlusPlus::new(14)?;
    /// s.insert_tokens(&tokens);
    /// tokens.sort_unstable();
    /// assert_eq!(HyperLogLogPlusPlus::estimate_sorted_tokens(14, &tokens), Some(s.estimate()));
    /// # Ok::<(), hpds_core::Error>(())
    /// ```
    pub fn estimate_sorted_tokens(p: u8, tokens: &[u32]) -> Option<f64> {
        if check_precision(p).is_err() || p < MIN_SPARSE_P {
            return None;
        }
        // A sparse sketch keeps one entry per 25-bit index (`token >> 6` below 2^31).
        let mut distinct = 0usize;
        let mut prev: Option<u32> = None;
        for &t in tokens {
            if t >> 31 != 0 {
                return None;
            }
            match prev {
                Some(q) if q > t => return None,
                Some(q) if q >> 6 == t >> 6 => {}
                _ => distinct += 1,
            }
            prev = Some(t);
        }
        // The list only grows, so the sketch ends dense exactly when its final list would.
        (!sparse_too_big(distinct, p)).then(|| sparse::linear_counting(distinct))
    }

    /// Appends to `out` the canonical bytes of a sketch of precision `p` and seed `seed` built
    /// from `tokens` alone, without building it: byte for byte what inserting them into an
    /// empty sketch, [`canonicalize`](Self::canonicalize) and
    /// [`append_bytes`](ByteCodec::append_bytes) give, provided that sketch stays sparse.
    /// `O(tokens)`, no allocation beyond `out`'s.
    ///
    /// `tokens` must be sorted (repeats allowed) and each a [`token`](Self::token)'s value;
    /// they are left reordered. `false`, with `out` unchanged, if they are not, if `p` is
    /// invalid or below 8 (the sketch starts dense), or if that many distinct tokens would make
    /// the sketch dense: then build it.
    ///
    /// ```
    /// use hpds_core::ByteCodec;
    /// use hpds_loglog::HyperLogLogPlusPlus;
    /// let mut tokens: Vec<u32> = (1..200u64)
    ///     .map(|i| HyperLogLogPlusPlus::token(hpds_core::hash::mix64(i % 150)))
    ///     .collect();
    /// let mut s = HyperLogLogPlusPlus::new(14)?;
    /// s.insert_tokens(&tokens);
    /// s.canonicalize();
    /// tokens.sort_unstable();
    /// let mut bytes = Vec::new();
    /// assert!(HyperLogLogPlusPlus::append_token_bytes(14, s.seed(), &mut tokens, &mut bytes));
    /// assert_eq!(bytes, s.to_bytes());
    /// # Ok::<(), hpds_core::Error>(())
    /// ```
    pub fn append_token_bytes(p: u8, seed: u64, tokens: &mut [u32], out: &mut Vec<u8>) -> bool {
        Self::append_token_bytes_coded(p, seed, tokens, out, false)
    }

    /// [`append_token_bytes`](Self::append_token_bytes) in the plain form of
    /// [`append_plain_bytes`](Self::append_plain_bytes), from tokens in any order (repeats
    /// allowed): written as they are, unsorted, unless there are more of them than a sparse
    /// sketch holds entries, when they are sorted and deduplicated first (and left so).
    /// `false`, with `out` unchanged, if a token is not a [`token`](Self::token)'s value, if
    /// `p` is invalid or below 8, or if that many distinct tokens would make the sketch
    /// dense.
    ///
    /// ```
    /// use hpds_core::ByteCodec;
    /// use hpds_loglog::HyperLogLogPlusPlus;
    /// let mut tokens: Vec<u32> = (1..200u64)
    ///     .map(|i| HyperLogLogPlusPlus::token(hpds_core::hash::mix64(i % 150)))
    ///     .collect();
    /// let mut s = HyperLogLogPlusPlus::new(14)?;
    /// s.insert_tokens(&tokens);
    /// s.canonicalize();
    /// let mut bytes = Vec::new();
    /// assert!(HyperLogLogPlusPlus::append_plain_token_bytes(14, s.seed(), &mut tokens, &mut bytes));
    /// assert_eq!(HyperLogLogPlusPlus::from_bytes(&bytes)?, s);
    /// # Ok::<(), hpds_core::Error>(())
    /// ```
    pub fn append_plain_token_bytes(
        p: u8,
        seed: u64,
        tokens: &mut [u32],
        out: &mut Vec<u8>,
    ) -> bool {
        if check_precision(p).is_err() || p < MIN_SPARSE_P {
            return false;
        }
        if !tokens.iter().all(|&t| sparse::valid_entry(t)) {
            return false;
        }
        if sparse_too_big(tokens.len(), p) {
            tokens.sort_unstable();
            return Self::append_token_bytes_coded(p, seed, tokens, out, true);
        }
        let mut enc = Encoder::append_to(core::mem::take(out), Self::TAG, Self::VERSION);
        put_header(&mut enc, p, SPARSE, seed);
        sparse::encode_entries_plain(&[], tokens, enc.payload_mut());
        *out = enc.finish();
        true
    }

    fn append_token_bytes_coded(
        p: u8,
        seed: u64,
        tokens: &mut [u32],
        out: &mut Vec<u8>,
        plain: bool,
    ) -> bool {
        if check_precision(p).is_err() || p < MIN_SPARSE_P {
            return false;
        }
        if !tokens.iter().all(|&t| sparse::valid_entry(t)) || !tokens.is_sorted() {
            return false;
        }
        // The sparse list: one entry per 25-bit index, compacted to the front.
        let kept = sparse::dedup_sorted_to_front(tokens);
        if sparse_too_big(kept, p) {
            return false;
        }
        let mut enc = Encoder::append_to(core::mem::take(out), Self::TAG, Self::VERSION);
        put_header(&mut enc, p, SPARSE, seed);
        if plain {
            sparse::encode_entries_plain(&tokens[..kept], &[], enc.payload_mut());
        } else {
            sparse::encode_entries(&tokens[..kept], enc.payload_mut());
        }
        *out = enc.finish();
        true
    }

    /// [`canonicalize`](Self::canonicalize)s the sketch, except that its insert buffer is
    /// not sorted in, and appends its bytes to `out` with a sparse list in a plain form
    /// (4 bytes an entry, the buffer's entries after the list's as they are) instead of Rice
    /// codes: [`from_bytes`](ByteCodec::from_bytes) reads them as the canonical sketch,
    /// whose [`to_bytes`](ByteCodec::to_bytes) are the usual compact ones. The list takes
    /// about 1.5 to 2 times the bytes, but writing them codes and sorts nothing, and
    /// [`read_sparse_tokens_unsorted`](Self::read_sparse_tokens_unsorted) reads them without
    /// decoding or sorting: for bytes that are read back soon rather than stored (the partial
    /// states of a distributed aggregation). A dense sketch is written as by `append_bytes`.
    ///
    /// ```
    /// use hpds_core::ByteCodec;
    /// use hpds_loglog::HyperLogLogPlusPlus;
    /// let mut s = HyperLogLogPlusPlus::new(14)?;
    /// for word in ["apple", "banana", "cherry"] {
    ///     s.insert(word);
    /// }
    /// let mut plain = Vec::new();
    /// s.append_plain_bytes(&mut plain);
    /// let back = HyperLogLogPlusPlus::from_bytes(&plain)?;
    /// s.canonicalize();
    /// assert_eq!(back, s);
    /// assert_eq!(back.to_bytes(), s.to_bytes());
    /// # Ok::<(), hpds_core::Error>(())
    /// ```
    pub fn append_plain_bytes(&mut self, out: &mut Vec<u8>) {
        match &mut self.repr {
            Repr::Sparse { insert_only, .. } => *insert_only = false,
            Repr::Dense(core) => core.hip = None,
        }
        let mut enc = Encoder::append_to(core::mem::take(out), Self::TAG, Self::VERSION);
        self.encode_coded(&mut enc, true);
        *out = enc.finish();
    }

    /// [`read_sparse_tokens`](Self::read_sparse_tokens) without sorting: the tokens in no
    /// particular order and possibly repeated (the unsorted buffer of
    /// [`append_plain_bytes`](Self::append_plain_bytes)' bytes is appended as it is), so
    /// that inserting them is merging the encoded sketch but reading them is `O(bytes)` with
    /// no sort. The same bytes give `true` as for `read_sparse_tokens`.
    ///
    /// ```
    /// use hpds_loglog::HyperLogLogPlusPlus;
    /// let mut s = HyperLogLogPlusPlus::new(14)?;
    /// for word in ["apple", "banana", "cherry"] {
    ///     s.insert(word);
    /// }
    /// let mut plain = Vec::new();
    /// s.clone().append_plain_bytes(&mut plain);
    /// let mut tokens = Vec::new();
    /// assert!(HyperLogLogPlusPlus::read_sparse_tokens_unsorted(&plain, 14, s.seed(), &mut tokens));
    /// let mut t = HyperLogLogPlusPlus::new(14)?;
    /// t.insert_tokens(&tokens);
    /// assert_eq!(t.sparse_tokens(), s.sparse_tokens());
    /// # Ok::<(), hpds_core::Error>(())
    /// ```
    pub fn read_sparse_tokens_unsorted(bytes: &[u8], p: u8, seed: u64, out: &mut Vec<u32>) -> bool {
        let start = out.len();
        let ok = Self::read_sparse_entries_unsorted(bytes, p, seed, out).is_some();
        if !ok {
            out.truncate(start);
        }
        ok
    }

    fn read_sparse_entries_unsorted(
        bytes: &[u8],
        p: u8,
        seed: u64,
        out: &mut Vec<u32>,
    ) -> Option<()> {
        let start = out.len();
        let rest = Self::sparse_payload(bytes, p, seed)?;
        sparse::decode_entries_unsorted(rest, out)?;
        if sparse_too_big(out.len() - start, p) {
            // Only the distinct entries count: the sorting reader decides.
            out.truncate(start);
            return Self::read_sparse_entries(bytes, p, seed, out);
        }
        Some(())
    }

    /// The sparse list's bytes of a valid frame and header of a sparse sketch of `p` and
    /// `seed`.
    fn sparse_payload(bytes: &[u8], p: u8, seed: u64) -> Option<&[u8]> {
        let (mut dec, version) = Decoder::open(bytes, Self::TAG, Self::VERSION).ok()?;
        if version != Self::VERSION {
            return None;
        }
        let (got_p, flags, got_seed) = get_header(&mut dec).ok()?;
        if flags & SPARSE == 0 || got_p != p || got_seed != seed || p < MIN_SPARSE_P {
            return None;
        }
        dec.take(dec.remaining()).ok()
    }

    /// The payload of [`encode_payload`](ByteCodec::encode_payload), a sparse list in the
    /// plain form if `plain`.
    fn encode_coded(&self, enc: &mut Encoder, plain: bool) {
        match &self.repr {
            Repr::Dense(core) => core.encode(enc),
            // List and insert buffer together outgrew the registers (the next flush would
            // convert): the decoder refuses such a sparse list, so it goes out dense.
            Repr::Sparse { sparse, .. }
                if sparse.distinct_exceeds(Registers::byte_len(self.p) / 4) =>
            {
                self.dense_core().encode(enc);
            }
            Repr::Sparse {
                sparse,
                insert_only,
            } => {
                let flags = SPARSE | if *insert_only { HIP } else { 0 };
                put_header(enc, self.p, flags, self.seed);
                if plain {
                    sparse.encode_plain(enc.payload_mut());
                } else {
                    sparse.encode(enc.payload_mut());
                }
            }
        }
    }

    /// Appends to `out` the [`token`](Self::token)s of the sketch encoded in `bytes`, sorted,
    /// one per 25-bit index, without building the sketch, if `bytes` are a valid encoding
    /// ([`from_bytes`](ByteCodec::from_bytes) accepts them) of a *sparse* sketch of precision
    /// `p` and seed `seed`: inserting the tokens into such a sketch is merging that one.
    /// `false`, with `out` unchanged, otherwise (a dense sketch, other parameters, or bytes
    /// that are not a sketch): decode those with `from_bytes`, which gives the sketch or the
    /// error. `O(bytes)`.
    ///
    /// ```
    /// use hpds_core::ByteCodec;
    /// use hpds_loglog::HyperLogLogPlusPlus;
    /// let mut s = HyperLogLogPlusPlus::new(14)?;
    /// for word in ["apple", "banana", "cherry"] {
    ///     s.insert(word);
    /// }
    /// let bytes = s.to_bytes();
    /// let mut tokens = Vec::new();
    /// assert!(HyperLogLogPlusPlus::read_sparse_tokens(&bytes, 14, s.seed(), &mut tokens));
    /// assert_eq!(tokens, *s.sparse_tokens().unwrap());
    /// // Another precision, or corrupt bytes: no tokens.
    /// assert!(!HyperLogLogPlusPlus::read_sparse_tokens(&bytes, 12, s.seed(), &mut tokens));
    /// assert!(!HyperLogLogPlusPlus::read_sparse_tokens(&bytes[1..], 14, s.seed(), &mut tokens));
    /// assert_eq!(tokens.len(), 3);
    /// # Ok::<(), hpds_core::Error>(())
    /// ```
    pub fn read_sparse_tokens(bytes: &[u8], p: u8, seed: u64, out: &mut Vec<u32>) -> bool {
        let start = out.len();
        let ok = Self::read_sparse_entries(bytes, p, seed, out).is_some();
        if !ok {
            out.truncate(start);
        }
        ok
    }

    /// [`read_sparse_tokens`](Self::read_sparse_tokens)' checks, which are
    /// [`decode_payload`](ByteCodec::decode_payload)'s for a sparse sketch.
    fn read_sparse_entries(bytes: &[u8], p: u8, seed: u64, out: &mut Vec<u32>) -> Option<()> {
        let rest = Self::sparse_payload(bytes, p, seed)?;
        let start = out.len();
        sparse::decode_entries(rest, out)?;
        (!sparse_too_big(out.len() - start, p)).then_some(())
    }

    /// Adds items given by their 64-bit hashes: the same as [`insert_hash`](Self::insert_hash)
    /// for each, in order (same state, same HIP estimate). Once dense, the rest of the slice
    /// goes through one loop that keeps the registers' fields in CPU registers, which a
    /// caller's loop of `insert_hash` cannot (22 instead of 30 instructions per item at
    /// p = 10 and 10^6 items, `docs/loglog.md`).
    ///
    /// ```
    /// use hpds_loglog::HyperLogLogPlusPlus;
    /// let hashes: Vec<u64> = (1..100_000u64).map(hpds_core::hash::mix64).collect();
    /// let mut a = HyperLogLogPlusPlus::new(12)?;
    /// a.insert_hashes(&hashes);
    /// let mut b = HyperLogLogPlusPlus::new(12)?;
    /// hashes.iter().for_each(|&h| b.insert_hash(h));
    /// assert_eq!(a, b);
    /// assert_eq!(a.estimate(), b.estimate());
    /// # Ok::<(), hpds_core::Error>(())
    /// ```
    pub fn insert_hashes(&mut self, hashes: &[u64]) {
        let mut rest = hashes;
        while self.is_sparse() {
            let Some((&h, tail)) = rest.split_first() else {
                return;
            };
            self.insert_sparse(h);
            rest = tail;
        }
        if let Repr::Dense(core) = &mut self.repr {
            core.insert_hashes(rest);
        }
    }

    #[inline(never)]
    fn insert_sparse(&mut self, hash: u64) {
        if let Repr::Sparse { sparse, .. } = &mut self.repr {
            if sparse.push(sparse::entry(hash), buffer_cap(self.p)) {
                self.flush_sparse(true);
            }
        }
    }

    /// Sorts the insert buffer into the list (keeping the buffer's allocation for more
    /// inserts when `keep`) and converts to dense if the list outgrew the registers.
    #[cold]
    fn flush_sparse(&mut self, keep: bool) {
        if let Repr::Sparse { sparse, .. } = &mut self.repr {
            sparse.flush(keep);
            if sparse_too_big(sparse.list_len(), self.p) {
                self.convert_to_dense();
            }
        }
    }

    /// Dense registers holding the same information as the current state.
    fn dense_core(&self) -> Core {
        match &self.repr {
            Repr::Dense(c) => c.clone(),
            Repr::Sparse {
                sparse,
                insert_only,
            } => {
                let mut regs = Registers::new(self.p);
                for &e in sparse.entries().iter() {
                    let (i, r) = sparse::to_dense(e, self.p);
                    regs.update(i, r);
                }
                // HIP starts from the sparse estimate (relative error ~1e-4) and continues
                // as a martingale on the dense registers.
                let hip = insert_only.then(|| Hip {
                    estimate: sparse.estimate(),
                    s: estimators::inverse_sum(&regs.histogram()),
                });
                Core {
                    regs,
                    seed: self.seed,
                    hip,
                }
            }
        }
    }

    fn convert_to_dense(&mut self) {
        if self.is_sparse() {
            self.repr = Repr::Dense(self.dense_core());
        }
    }

    /// The estimated number of distinct items: sparse, linear counting at precision 25;
    /// dense, HIP while built by inserts only, Ertl's estimator after a merge. Sparse:
    /// `O(entries)`; dense: `O(1)` with HIP, `O(m)` otherwise.
    pub fn estimate(&self) -> f64 {
        match &self.repr {
            Repr::Sparse { sparse, .. } => sparse.estimate(),
            Repr::Dense(c) => c.estimate_with(Estimator::Hip),
        }
    }

    /// The estimate with any of the family's estimators, computed on the dense registers
    /// (materialized while sparse; [`Estimator::Hip`] gives the sparse estimate then).
    pub fn estimate_with(&self, estimator: Estimator) -> f64 {
        match (&self.repr, estimator) {
            (Repr::Sparse { sparse, .. }, Estimator::Hip) => sparse.estimate(),
            (Repr::Dense(c), e) => c.estimate_with(e),
            (Repr::Sparse { .. }, e) => self.dense_core().estimate_with(e),
        }
    }

    /// The HIP estimate while the sketch is dense and built by inserts only.
    pub fn hip_estimate(&self) -> Option<f64> {
        match &self.repr {
            Repr::Dense(c) => c.hip.map(|h| h.estimate),
            Repr::Sparse { .. } => None,
        }
    }

    /// Folds `other` in: as if this sketch had also seen its items.
    ///
    /// `other` may have a higher precision; sparse entries merge as sorted lists (staying
    /// sparse while small), dense registers by maximum. `O(m + entries)`.
    ///
    /// # Errors
    /// [`Incompatible`](hpds_core::ErrorKind::Incompatible) if the seeds differ or `other` has
    /// a lower precision.
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
        if other.is_empty() {
            return Ok(());
        }
        // The insert buffer sorted into the list first (no conversion yet: that is the
        // merge's), so that the comparison borrows the list rather than sorting a copy.
        if let Repr::Sparse { sparse, .. } = &mut self.repr {
            sparse.flush(false);
        }
        if self == other {
            return Ok(());
        }
        if self.is_empty() && self.p == other.p {
            self.clone_from(other);
            return Ok(());
        }
        let p = self.p;
        match (&mut self.repr, &other.repr) {
            (
                Repr::Sparse {
                    sparse,
                    insert_only,
                },
                Repr::Sparse { sparse: theirs, .. },
            ) => {
                *insert_only = false;
                sparse.absorb(&theirs.entries());
                if sparse_too_big(sparse.list_len(), p) {
                    self.convert_to_dense();
                }
            }
            (Repr::Sparse { .. }, Repr::Dense(theirs)) => {
                self.convert_to_dense();
                if let Repr::Dense(core) = &mut self.repr {
                    core.hip = None;
                    core.merge(theirs)?;
                }
            }
            (Repr::Dense(core), Repr::Sparse { sparse: theirs, .. }) => {
                for &e in theirs.entries().iter() {
                    let (i, r) = sparse::to_dense(e, p);
                    core.regs.update(i, r);
                }
                core.hip = None;
            }
            (Repr::Dense(core), Repr::Dense(theirs)) => {
                core.merge(theirs)?;
                core.hip = None;
            }
        }
        Ok(())
    }

    /// The dense registers unpacked to one byte each, for bulk inserts (see
    /// [`UnpackedRegisters`]); `None` while sparse (a sparse sketch keeps more than its
    /// registers, so its items must go through [`insert_hash`](Self::insert_hash)). `O(2^p)`.
    pub fn unpacked(&self) -> Option<UnpackedRegisters> {
        match &self.repr {
            Repr::Dense(core) => Some(UnpackedRegisters::from_registers(
                self.p,
                self.seed,
                core.regs.iter().collect(),
            )),
            Repr::Sparse { .. } => None,
        }
    }

    /// Folds in registers taken out with [`unpacked`](Self::unpacked) (from this sketch or
    /// any of the same precision and seed) and inserted into since: as if this sketch had
    /// also seen their items. A merge: the sketch becomes dense and loses its HIP estimate.
    /// `O(2^p)`.
    ///
    /// # Errors
    /// [`Incompatible`](hpds_core::ErrorKind::Incompatible) if the precision or the seed
    /// differs.
    pub fn merge_unpacked(&mut self, unpacked: &UnpackedRegisters) -> Result<()> {
        if self.seed != unpacked.seed() {
            return Err(Error::incompatible("hash seed", self.seed, unpacked.seed()));
        }
        if self.p != unpacked.precision() {
            return Err(Error::incompatible(
                "precision",
                self.p,
                unpacked.precision(),
            ));
        }
        self.convert_to_dense();
        if let Repr::Dense(core) = &mut self.repr {
            core.regs.raise_to(unpacked.registers());
            core.hip = None;
        }
        Ok(())
    }

    /// Puts the sketch in its canonical form, which depends only on the items it has seen
    /// (and its precision and seed), not on the order of the inserts and merges that built it:
    /// the insert buffer sorted into the list, dense registers if the list takes more memory
    /// than they would, and no HIP estimate ([`estimate`](Self::estimate) then uses Ertl's
    /// estimator, as after a merge). Two canonical sketches of the same items have the same
    /// bytes, so an engine that builds partial sketches in parallel and merges them in
    /// whatever order its partitions finish gets one answer, byte for byte, for any
    /// partitioning. `O(entries)` while sparse, `O(1)` dense.
    ///
    /// # Example
    /// ```
    /// use hpds_core::ByteCodec;
    /// use hpds_loglog::HyperLogLogPlusPlus;
    ///
    /// let mut one = HyperLogLogPlusPlus::new(12)?;
    /// let (mut a, mut b) = (HyperLogLogPlusPlus::new(12)?, HyperLogLogPlusPlus::new(12)?);
    /// for i in 0..5_000u64 {
    ///     one.insert(&i);
    ///     if i % 3 == 0 { a.insert(&i) } else { b.insert(&i) }
    /// }
    /// a.merge(&b)?;
    /// assert_ne!(one.to_bytes(), a.to_bytes()); // `one` carries its HIP estimate
    /// one.canonicalize();
    /// a.canonicalize();
    /// assert_eq!(one.to_bytes(), a.to_bytes());
    /// # Ok::<(), hpds_core::Error>(())
    /// ```
    pub fn canonicalize(&mut self) {
        self.flush_sparse(false);
        match &mut self.repr {
            Repr::Sparse { insert_only, .. } => *insert_only = false,
            Repr::Dense(core) => core.hip = None,
        }
    }

    /// Forgets every item: back to an empty (sparse where the precision allows) sketch.
    pub fn clear(&mut self) {
        *self = Self::with_seed(self.p, self.seed).expect("precision already checked");
    }

    /// The dense registers, in index order (materialized while sparse).
    pub fn registers(&self) -> impl Iterator<Item = u8> {
        self.dense_core()
            .regs
            .iter()
            .collect::<Vec<_>>()
            .into_iter()
    }

    /// How many dense registers hold each value `0..=64`.
    pub fn register_histogram(&self) -> [u32; 65] {
        match &self.repr {
            Repr::Dense(c) => c.regs.histogram(),
            Repr::Sparse { .. } => self.dense_core().regs.histogram(),
        }
    }

    /// Adds every item of a parallel iterator: each rayon task fills its own dense sketch
    /// (no sparse phase, so tasks never re-sort) and they are merged, so the registers equal a
    /// sequential build's; the result is dense and has no HIP estimate.
    #[cfg(feature = "rayon")]
    pub fn par_extend<I>(&mut self, items: I)
    where
        I: rayon::iter::IntoParallelIterator,
        I::Item: Item,
    {
        let empty = Core::try_new(self.p, self.seed).expect("valid");
        let built =
            crate::parallel::par_build(items, self.seed, &empty, Core::insert_hash, |a, b| {
                a.merge(b).expect("same parameters");
            });
        if built.regs.is_empty() {
            return;
        }
        self.convert_to_dense();
        if let Repr::Dense(core) = &mut self.repr {
            core.merge(&built).expect("same parameters");
            core.hip = None;
        }
    }
}

impl PartialEq for HyperLogLogPlusPlus {
    /// Equal parameters, representation and contents (the insert buffer's order aside).
    fn eq(&self, other: &Self) -> bool {
        self.p == other.p
            && self.seed == other.seed
            && match (&self.repr, &other.repr) {
                (
                    Repr::Sparse {
                        sparse: a,
                        insert_only: ia,
                    },
                    Repr::Sparse {
                        sparse: b,
                        insert_only: ib,
                    },
                ) => ia == ib && a.entries() == b.entries(),
                (Repr::Dense(a), Repr::Dense(b)) => a == b,
                _ => false,
            }
    }
}

impl Default for HyperLogLogPlusPlus {
    /// Precision 14 (12 KiB once dense) and the default seed.
    fn default() -> Self {
        Self::new(14).expect("14 is a valid precision")
    }
}

impl core::fmt::Debug for HyperLogLogPlusPlus {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HyperLogLogPlusPlus")
            .field("precision", &self.p)
            .field("seed", &self.seed)
            .field("sparse", &self.is_sparse())
            .field("estimate", &self.estimate())
            .finish_non_exhaustive()
    }
}

hpds_core::impl_distinct_counter!(HyperLogLogPlusPlus);

impl HeapSize for HyperLogLogPlusPlus {
    fn heap_bytes(&self) -> usize {
        match &self.repr {
            Repr::Sparse { sparse, .. } => sparse.heap_bytes(),
            Repr::Dense(c) => c.regs.heap_bytes(),
        }
    }
}

impl ByteCodec for HyperLogLogPlusPlus {
    const TAG: [u8; 4] = *b"HLLP";
    const VERSION: u16 = 3;
    // Earlier versions hashed strings and byte slices through `Hash`, not their bytes.
    const MIN_VERSION: u16 = 3;

    /// Payload (format version 3, laid out as version 2): one header byte (`p`, a sparse flag, an insert-only flag,
    /// a custom-seed flag), the seed if not the default; dense: the HIP estimate while
    /// insert-only and the registers as for [`HyperLogLog`](crate::HyperLogLog) (packed or,
    /// usually, a third smaller as nibbles); sparse: the entries Rice coded
    /// (`log2(2^25 / n) + 3.5` bits per entry), or in the plain form of
    /// [`append_plain_bytes`](HyperLogLogPlusPlus::append_plain_bytes): the sorted entries'
    /// count, a byte 255 where the Rice parameter would be, 4 bytes an entry. Version 1
    /// payloads are still read.
    fn encode_payload(&self, enc: &mut Encoder) {
        self.encode_coded(enc, false);
    }

    fn decode_payload(dec: &mut Decoder<'_>, version: u16) -> Result<Self> {
        if version == 1 {
            return decode_v1(dec);
        }
        let (p, flags, seed) = get_header(dec)?;
        if flags & SPARSE == 0 {
            let core = Core::decode_body(dec, p, flags, seed)?;
            return Ok(Self {
                p,
                seed,
                repr: Repr::Dense(core),
            });
        }
        if p < MIN_SPARSE_P {
            return Err(Error::invalid_encoding("sparse sketch below precision 8"));
        }
        let rest = dec.take(dec.remaining())?;
        let sparse =
            Sparse::decode(rest).ok_or_else(|| Error::invalid_encoding("corrupt sparse list"))?;
        if sparse_too_big(sparse.list_len(), p) {
            return Err(Error::invalid_encoding(
                "sparse list larger than the registers",
            ));
        }
        Ok(Self {
            p,
            seed,
            repr: Repr::Sparse {
                sparse,
                insert_only: flags & HIP != 0,
            },
        })
    }
}

/// Format version 1: representation byte (0 dense, 1 sparse); dense: as
/// [`HyperLogLog`](crate::HyperLogLog)'s version 1; sparse: `p`, flags (bit 0: insert-only,
/// bit 1: non-default seed), the seed if not the default, entry count and list length
/// (varints), the varint gaps of the entries.
fn decode_v1(dec: &mut Decoder<'_>) -> Result<HyperLogLogPlusPlus> {
    match dec.u8()? {
        0 => {
            let core = Core::decode_v1(dec)?;
            Ok(HyperLogLogPlusPlus {
                p: core.p(),
                seed: core.seed,
                repr: Repr::Dense(core),
            })
        }
        1 => {
            let p = dec.u8()?;
            check_precision(p)?;
            if p < MIN_SPARSE_P {
                return Err(Error::invalid_encoding("sparse sketch below precision 8"));
            }
            let flags = dec.u8()?;
            if flags > 3 {
                return Err(Error::invalid_encoding("unknown flags"));
            }
            let insert_only = flags & 1 == 1;
            let seed = decode_seed(dec, flags)?;
            let count = dec.varint()?;
            let len = dec.varint()?;
            let len = dec.check_count(len, 1)?;
            let list = dec.take(len)?;
            let count = usize::try_from(count)
                .ok()
                .filter(|&c| c <= list.len())
                .ok_or_else(|| Error::invalid_encoding("entry count exceeds the list"))?;
            let sparse = Sparse::from_varint_list(count, list)
                .ok_or_else(|| Error::invalid_encoding("corrupt sparse list"))?;
            Ok(HyperLogLogPlusPlus {
                p,
                seed,
                repr: Repr::Sparse {
                    sparse,
                    insert_only,
                },
            })
        }
        _ => Err(Error::invalid_encoding("unknown representation")),
    }
}

crate::serde_impl::impl_serde!(HyperLogLogPlusPlus);
