//! The distinct counters behind the SQL functions, behind one small trait so every aggregate
//! (build, union, estimate) and accumulator (per query, per group) is written once.

use std::fmt::Debug;

use datafusion::common::{DataFusionError, Result};
use hpds_core::{ByteCodec, HeapSize};
use hpds_kmv::Kmv;
use hpds_loglog::{HyperLogLogPlusPlus, UltraLogLog, UnpackedRegisters};

/// Rows of one group in one batch from which a dense sketch takes its inserts in its bulk
/// form ([`Sketch::bulk`]): unpacking and folding back cost about as much as inserting 2^p
/// rows one way or the other, so only groups that get long runs of rows (one group, or input
/// clustered by group) switch, and keep the bulk form until they are emitted.
pub(crate) const BULK_RUN: usize = 4096;

/// A mergeable distinct counter stored as its codec bytes.
pub(crate) trait Sketch:
    ByteCodec + HeapSize + Clone + Debug + Send + Sync + 'static
{
    /// The structure's name in error messages.
    const NAME: &'static str;
    /// The SQL name of its parameter.
    const PARAM: &'static str;
    /// The parameter when the call gives none.
    const DEFAULT_PARAM: i64;

    /// An empty sketch; the error names the parameter and its range.
    fn with_param(param: i64) -> hpds_core::Result<Self>;
    /// Adds a row's 64-bit stable hash.
    fn insert_hash(&mut self, hash: u64);
    /// Adds rows' hashes, in order.
    fn insert_hashes(&mut self, hashes: &[u64]) {
        for &h in hashes {
            self.insert_hash(h);
        }
    }
    /// Folds `other` in. Sketches of different precision merge at the lower one.
    fn merge_from(&mut self, other: &Self) -> hpds_core::Result<()>;
    /// The form that depends only on the items seen, so that any partitioning of a query gives
    /// the same bytes.
    fn canonicalize(&mut self);
    /// The estimated number of distinct items.
    fn estimate(&self) -> f64;

    /// The registers a dense sketch's bulk inserts go to when they are faster there (see
    /// [`bulk`](Self::bulk)); `()` for sketches without such a form.
    type Bulk: HeapSize + Debug + Send + Sync;
    /// This sketch's bulk form, if it has one now: inserting into it with
    /// [`bulk_insert`](Self::bulk_insert) and folding it back with
    /// [`fold_bulk`](Self::fold_bulk) is inserting into the sketch.
    fn bulk(&self) -> Option<Self::Bulk> {
        None
    }
    /// Adds rows' hashes to a bulk form.
    fn bulk_insert(_bulk: &mut Self::Bulk, _hashes: &[u64]) {}
    /// Adds a row's hash to a bulk form.
    fn bulk_insert_one(_bulk: &mut Self::Bulk, _hash: u64) {}
    /// Folds a bulk form taken from this sketch back in.
    fn fold_bulk(&mut self, _bulk: &Self::Bulk) {}

    /// How many distinct 32-bit tokens a `GROUP BY` group may keep in a plain list before it
    /// becomes this sketch (0: the sketch has no tokens, groups start as sketches). Tokens
    /// stand for hashes exactly: [`insert_token`](Self::insert_token)`(token(h))` is
    /// `insert_hash(h)`.
    fn token_limit(&self) -> usize {
        0
    }
    /// The token of a hash (only called when [`token_limit`](Self::token_limit) is not 0).
    fn token(hash: u64) -> u32 {
        (hash >> 32) as u32
    }
    /// Adds the item of a token.
    fn insert_token(&mut self, _token: u32) {}
    /// Adds the items of tokens, in order.
    fn insert_tokens(&mut self, tokens: &[u32]) {
        for &t in tokens {
            self.insert_token(t);
        }
    }
    /// The canonical [`estimate`](Self::estimate) of this (empty) sketch after inserting
    /// `tokens` (which may be reordered), if it can be had without building the sketch.
    fn estimate_tokens(&self, _tokens: &mut [u32]) -> Option<f64> {
        None
    }
    /// Appends the canonical bytes of this (empty) sketch after inserting `tokens` (which may
    /// be reordered), if they can be had without building the sketch; `false` (and `out`
    /// unchanged) if not.
    fn append_token_bytes(&self, _tokens: &mut [u32], _out: &mut Vec<u8>) -> bool {
        false
    }
    /// Appends the bytes of this sketch as a partial state, canonicalizing it first: bytes
    /// that [`decode`] reads as the canonical sketch, in a form that is quick to write and to
    /// read back rather than compact.
    fn append_state_bytes(&mut self, out: &mut Vec<u8>) {
        self.canonicalize();
        self.append_bytes(out);
    }
    /// [`append_token_bytes`](Self::append_token_bytes) in the form of
    /// [`append_state_bytes`](Self::append_state_bytes).
    fn append_token_state_bytes(&self, tokens: &mut [u32], out: &mut Vec<u8>) -> bool {
        self.append_token_bytes(tokens, out)
    }
    /// Appends to `out` the tokens of the sketch encoded in `bytes` (in any order, possibly
    /// repeated), without decoding it, if it is a valid sketch of this sketch's parameters
    /// that lists them; `false` (and `out` unchanged) otherwise, including for invalid bytes
    /// (decode those for the error). Inserting them into a sketch is merging that one.
    fn read_tokens(&self, _bytes: &[u8], _out: &mut Vec<u32>) -> bool {
        false
    }
}

impl Sketch for HyperLogLogPlusPlus {
    const NAME: &'static str = "HyperLogLog++";
    const PARAM: &'static str = "p";
    const DEFAULT_PARAM: i64 = 14;
    /// Dense registers one byte each: an insert is a load, a maximum and a store, where the
    /// sketch's 6-bit registers take a read-modify-write of a shared word.
    type Bulk = UnpackedRegisters;

    fn bulk(&self) -> Option<UnpackedRegisters> {
        self.unpacked()
    }
    fn bulk_insert(bulk: &mut UnpackedRegisters, hashes: &[u64]) {
        bulk.insert_hashes(hashes);
    }
    #[inline]
    fn bulk_insert_one(bulk: &mut UnpackedRegisters, hash: u64) {
        bulk.insert_hash(hash);
    }
    fn fold_bulk(&mut self, bulk: &UnpackedRegisters) {
        self.merge_unpacked(bulk)
            .expect("registers taken from this sketch");
    }

    fn with_param(param: i64) -> hpds_core::Result<Self> {
        Self::new(precision(param, "p")?)
    }
    #[inline]
    fn insert_hash(&mut self, hash: u64) {
        HyperLogLogPlusPlus::insert_hash(self, hash);
    }
    fn merge_from(&mut self, other: &Self) -> hpds_core::Result<()> {
        if other.precision() < self.precision() {
            let mut lower = Self::with_seed(other.precision(), self.seed())?;
            lower.merge(self)?;
            *self = lower;
        }
        self.merge(other)
    }
    fn canonicalize(&mut self) {
        HyperLogLogPlusPlus::canonicalize(self);
    }
    fn estimate(&self) -> f64 {
        HyperLogLogPlusPlus::estimate(self)
    }
    /// Lists up to 256 tokens (1 KiB), and never past a quarter of the dense registers'
    /// bytes (4 bytes a token): below p = 8 the sketch is dense from the start and smaller.
    fn token_limit(&self) -> usize {
        if self.is_sparse() {
            (1usize << self.precision().saturating_sub(3)).min(256)
        } else {
            0
        }
    }
    #[inline]
    fn token(hash: u64) -> u32 {
        HyperLogLogPlusPlus::token(hash)
    }
    fn insert_hashes(&mut self, hashes: &[u64]) {
        HyperLogLogPlusPlus::insert_hashes(self, hashes);
    }
    #[inline]
    fn insert_token(&mut self, token: u32) {
        HyperLogLogPlusPlus::insert_token(self, token);
    }
    fn insert_tokens(&mut self, tokens: &[u32]) {
        HyperLogLogPlusPlus::insert_tokens(self, tokens);
    }
    fn estimate_tokens(&self, tokens: &mut [u32]) -> Option<f64> {
        tokens.sort_unstable();
        Self::estimate_sorted_tokens(self.precision(), tokens)
    }
    fn append_token_bytes(&self, tokens: &mut [u32], out: &mut Vec<u8>) -> bool {
        tokens.sort_unstable();
        Self::append_token_bytes(self.precision(), self.seed(), tokens, out)
    }
    /// Sparse lists as plain 4-byte entries: no Rice coding on the way out, none to undo in
    /// the final phase.
    /// Sparse lists as plain 4-byte entries, the insert buffer unsorted: no Rice coding and
    /// no sort on the way out; the final phase reads them as tokens, and sorts only what
    /// goes to groups that are still sparse.
    fn append_state_bytes(&mut self, out: &mut Vec<u8>) {
        self.append_plain_bytes(out);
    }
    fn append_token_state_bytes(&self, tokens: &mut [u32], out: &mut Vec<u8>) -> bool {
        Self::append_plain_token_bytes(self.precision(), self.seed(), tokens, out)
    }
    fn read_tokens(&self, bytes: &[u8], out: &mut Vec<u32>) -> bool {
        Self::read_sparse_tokens_unsorted(bytes, self.precision(), self.seed(), out)
    }
}

impl Sketch for UltraLogLog {
    const NAME: &'static str = "UltraLogLog";
    const PARAM: &'static str = "p";
    const DEFAULT_PARAM: i64 = 12;
    type Bulk = NoBulk;

    fn with_param(param: i64) -> hpds_core::Result<Self> {
        Self::new(precision(param, "p")?)
    }
    #[inline]
    fn insert_hash(&mut self, hash: u64) {
        UltraLogLog::insert_hash(self, hash);
    }
    fn merge_from(&mut self, other: &Self) -> hpds_core::Result<()> {
        if other.precision() < self.precision() {
            *self = self.reduce(other.precision())?;
        }
        self.merge(other)
    }
    fn canonicalize(&mut self) {
        UltraLogLog::canonicalize(self);
    }
    fn estimate(&self) -> f64 {
        UltraLogLog::estimate(self)
    }
}

impl Sketch for Kmv {
    const NAME: &'static str = "KMV";
    const PARAM: &'static str = "k";
    const DEFAULT_PARAM: i64 = hpds_kmv::DEFAULT_K as i64;
    type Bulk = NoBulk;

    fn with_param(param: i64) -> hpds_core::Result<Self> {
        let k = usize::try_from(param).unwrap_or(0);
        Self::new(k)
    }
    #[inline]
    fn insert_hash(&mut self, hash: u64) {
        Kmv::insert_hash(self, hash);
    }
    fn merge_from(&mut self, other: &Self) -> hpds_core::Result<()> {
        self.merge(other)
    }
    fn canonicalize(&mut self) {
        Kmv::canonicalize(self);
    }
    fn estimate(&self) -> f64 {
        Kmv::estimate(self)
    }
}

/// The bulk form of sketches that have none.
#[derive(Debug)]
pub(crate) struct NoBulk;

impl HeapSize for NoBulk {
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// A precision parameter as `u8`, or the structure's own range error for any value that does
/// not fit (so `p = 300` is reported as out of range, not truncated).
fn precision(param: i64, name: &'static str) -> hpds_core::Result<u8> {
    u8::try_from(param).map_err(|_| hpds_core::Error::invalid_parameter(name, param, "4..=18"))
}

/// Decodes a sketch argument or state; the error names the SQL function.
pub(crate) fn decode<S: ByteCodec>(function: &str, kind: &str, bytes: &[u8]) -> Result<S> {
    S::from_bytes(bytes).map_err(|e| {
        DataFusionError::Execution(format!(
            "{function}: the sketch argument is not a valid {kind} sketch ({e}); pass a value \
             built by the matching *_sketch function"
        ))
    })
}

/// An hpds error from combining two sketches, naming the SQL function.
pub(crate) fn merge_error(function: &str, e: &hpds_core::Error) -> DataFusionError {
    DataFusionError::Execution(format!("{function}: cannot combine the sketches: {e}"))
}

/// A canonical sketch's bytes.
pub(crate) fn canonical_bytes<S: Sketch>(sketch: &mut S) -> Vec<u8> {
    sketch.canonicalize();
    sketch.to_bytes()
}
