//! Peer comparison for the LogLog family: hpds-loglog's HyperLogLog++ against
//! `probabilistic-collections`' HyperLogLog, `hyperloglogplus` and `cardinality-estimator`,
//! every implementation behind the one local trait [`Counter`] so each runs the same code.
//!
//! ```text
//! cargo bench -p hpds-benches --bench loglog -- --warm-up-time 1 --measurement-time 2 --sample-size 10
//! HPDS_BENCH_FULL=1 ...   # adds 100 million items
//! HPDS_BENCH_ULL=1 cargo bench -p hpds-benches --bench loglog   # UltraLogLog/ExaLogLog race
//! HPDS_BENCH_ULL=hpds-ell,hpds-ull,exaloglog,datasketches-hll8 ...   # only these contestants
//! ```
//! Before the timings it prints, at p = 12 and p = 14, each implementation's stored bytes and
//! its relative RMSE and bias over seeded trials (pre-hashed items, so every implementation
//! sees the same hashes).
#![allow(missing_docs)]

use std::borrow::Borrow;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::hint::black_box;

use cardinality_estimator::CardinalityEstimator;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hpds_core::ByteCodec;
use hpds_core::HeapSize;
use hpds_loglog::HyperLogLogPlusPlus;
use hpds_testkit::streams::random_u64s;
use hpds_testkit::{Accuracy, log_scale};
use hyperloglogplus::HyperLogLog as _;

// A hasher that passes a `u64` through, so peers can be fed pre-hashed items.
use hpds_core::hash::IdentityHasher as PassThrough;

type Pass = hpds_core::hash::IdentityBuildHasher;
/// SipHash-1-3 with fixed keys (std's default hasher), for the peers' own-hash paths.
type Sip = BuildHasherDefault<std::hash::DefaultHasher>;

/// A key type that lets `probabilistic-collections` take both `u64` and `&str` items.
#[derive(Clone, Debug, PartialEq)]
pub struct AnyKey(String, u64);
impl Borrow<str> for AnyKey {
    fn borrow(&self) -> &str {
        &self.0
    }
}
impl Borrow<u64> for AnyKey {
    fn borrow(&self) -> &u64 {
        &self.1
    }
}

/// What every implementation offers; `B` selects pre-hashed (pass-through) or own hashing.
/// Every implementation's insert methods are inlined (`insert_hash` always): without it the
/// optimizer kept hpds' HyperLogLog++ `insert_hash` (whose body includes the HIP update) as a
/// call per item in the fill loops, 34 instead of 23 instructions per insert (cachegrind),
/// where a user's loop calling `HyperLogLogPlusPlus::insert_hash` gets it inlined.
pub trait Counter {
    const NAME: &'static str;
    fn new(p: u8) -> Self;
    fn insert_hash(&mut self, h: u64);
    fn insert_u64(&mut self, x: u64);
    fn insert_str(&mut self, s: &str);
    fn estimate(&mut self) -> f64;
    fn merge(&mut self, other: &Self);
    /// Bytes needed to store the sketch: our serialized size; for peers, which offer no
    /// compact binary format, their in-memory payload.
    fn stored_bytes(&self) -> usize;
}

impl Counter for HyperLogLogPlusPlus {
    const NAME: &'static str = "hpds";
    fn new(p: u8) -> Self {
        HyperLogLogPlusPlus::new(p).unwrap()
    }
    #[inline(always)]
    fn insert_hash(&mut self, h: u64) {
        HyperLogLogPlusPlus::insert_hash(self, h);
    }
    #[inline]
    fn insert_u64(&mut self, x: u64) {
        self.insert(&x);
    }
    #[inline]
    fn insert_str(&mut self, s: &str) {
        self.insert(s);
    }
    fn estimate(&mut self) -> f64 {
        HyperLogLogPlusPlus::estimate(self)
    }
    fn merge(&mut self, other: &Self) {
        HyperLogLogPlusPlus::merge(self, other).unwrap();
    }
    fn stored_bytes(&self) -> usize {
        self.to_bytes().len()
    }
}

/// hpds' dense-from-the-start `HyperLogLog`.
pub struct Hll(hpds_loglog::HyperLogLog);

impl Counter for Hll {
    const NAME: &'static str = "hpds-hll";
    fn new(p: u8) -> Self {
        Hll(hpds_loglog::HyperLogLog::new(p).unwrap())
    }
    #[inline(always)]
    fn insert_hash(&mut self, h: u64) {
        self.0.insert_hash(h);
    }
    #[inline]
    fn insert_u64(&mut self, x: u64) {
        self.0.insert(&x);
    }
    #[inline]
    fn insert_str(&mut self, s: &str) {
        self.0.insert(s);
    }
    fn estimate(&mut self) -> f64 {
        self.0.estimate()
    }
    fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0).unwrap();
    }
    fn stored_bytes(&self) -> usize {
        self.0.to_bytes().len()
    }
}

/// hpds UltraLogLog.
pub struct Ull(hpds_loglog::UltraLogLog);

impl Counter for Ull {
    const NAME: &'static str = "hpds-ull";
    fn new(p: u8) -> Self {
        Ull(hpds_loglog::UltraLogLog::new(p).expect("valid precision"))
    }
    #[inline(always)]
    fn insert_hash(&mut self, h: u64) {
        self.0.insert_hash(h);
    }
    #[inline]
    fn insert_u64(&mut self, x: u64) {
        self.0.insert(&x);
    }
    #[inline]
    fn insert_str(&mut self, s: &str) {
        self.0.insert(s);
    }
    fn estimate(&mut self) -> f64 {
        self.0.estimate()
    }
    fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0).unwrap();
    }
    fn stored_bytes(&self) -> usize {
        self.0.to_bytes().len()
    }
}

/// hpds ExaLogLog (t = 2, d = 20; the default, without martingale tracking).
pub struct Ell(hpds_loglog::ExaLogLog);

impl Counter for Ell {
    const NAME: &'static str = "hpds-ell";
    fn new(p: u8) -> Self {
        Ell(hpds_loglog::ExaLogLog::new(p).expect("valid precision"))
    }
    #[inline(always)]
    fn insert_hash(&mut self, h: u64) {
        self.0.insert_hash(h);
    }
    #[inline]
    fn insert_u64(&mut self, x: u64) {
        self.0.insert(&x);
    }
    #[inline]
    fn insert_str(&mut self, s: &str) {
        self.0.insert(s);
    }
    fn estimate(&mut self) -> f64 {
        self.0.estimate()
    }
    fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0).unwrap();
    }
    fn stored_bytes(&self) -> usize {
        self.0.to_bytes().len()
    }
}

/// hpds ExaLogLog (t = 2, d = 20) with martingale tracking.
pub struct EllMg(hpds_loglog::ExaLogLog);

impl Counter for EllMg {
    const NAME: &'static str = "hpds-ell-mg";
    fn new(p: u8) -> Self {
        EllMg(
            hpds_loglog::ExaLogLog::builder()
                .precision(p)
                .martingale(true)
                .build()
                .expect("valid precision"),
        )
    }
    #[inline(always)]
    fn insert_hash(&mut self, h: u64) {
        self.0.insert_hash(h);
    }
    #[inline]
    fn insert_u64(&mut self, x: u64) {
        self.0.insert(&x);
    }
    #[inline]
    fn insert_str(&mut self, s: &str) {
        self.0.insert(s);
    }
    fn estimate(&mut self) -> f64 {
        self.0.estimate()
    }
    fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0).unwrap();
    }
    fn stored_bytes(&self) -> usize {
        self.0.to_bytes().len()
    }
}

/// The `ultraloglog` crate (a port of hash4j's UltraLogLog); pre-hashed through `add`.
pub struct UllPeer(ultraloglog::UltraLogLog);

impl Counter for UllPeer {
    const NAME: &'static str = "ultraloglog";
    fn new(p: u8) -> Self {
        UllPeer(ultraloglog::UltraLogLog::new(u32::from(p)).expect("valid precision"))
    }
    #[inline(always)]
    fn insert_hash(&mut self, h: u64) {
        self.0.add(h);
    }
    #[inline]
    fn insert_u64(&mut self, x: u64) {
        self.0.add_value(x);
    }
    #[inline]
    fn insert_str(&mut self, s: &str) {
        self.0.add_value(s);
    }
    fn estimate(&mut self) -> f64 {
        self.0.get_distinct_count_estimate()
    }
    fn merge(&mut self, other: &Self) {
        self.0.add_sketch(&other.0).unwrap();
    }
    fn stored_bytes(&self) -> usize {
        self.0.get_state().len()
    }
}

/// The `exaloglog` crate's packed ExaLogLog (t = 2, d = 20); pre-hashed through `add_hash`.
pub struct EllPeer(exaloglog::ExaLogLog);

impl Counter for EllPeer {
    const NAME: &'static str = "exaloglog";
    fn new(p: u8) -> Self {
        EllPeer(exaloglog::ExaLogLog::new(u32::from(p)))
    }
    #[inline(always)]
    fn insert_hash(&mut self, h: u64) {
        self.0.add_hash(h);
    }
    #[inline]
    fn insert_u64(&mut self, x: u64) {
        self.0.add(&x);
    }
    #[inline]
    fn insert_str(&mut self, s: &str) {
        self.0.add(s);
    }
    fn estimate(&mut self) -> f64 {
        self.0.estimate()
    }
    fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0).unwrap();
    }
    fn stored_bytes(&self) -> usize {
        self.0.to_bytes().len()
    }
}

/// Apache DataSketches' HLL_8 sketch (Rust port). It has no pre-hashed entry point: every
/// insert hashes the `u64` with its own MurmurHash3, so its "pre-hashed" rows include that.
pub struct Ds(datasketches::hll::HllSketch, u8);

impl Counter for Ds {
    const NAME: &'static str = "datasketches-hll8";
    fn new(p: u8) -> Self {
        Ds(
            datasketches::hll::HllSketch::new(p, datasketches::hll::HllType::Hll8)
                .expect("valid lg_k"),
            p,
        )
    }
    #[inline(always)]
    fn insert_hash(&mut self, h: u64) {
        self.0.update(h);
    }
    #[inline]
    fn insert_u64(&mut self, x: u64) {
        self.0.update(x);
    }
    #[inline]
    fn insert_str(&mut self, s: &str) {
        self.0.update(s);
    }
    fn estimate(&mut self) -> f64 {
        self.0.estimate()
    }
    fn merge(&mut self, other: &Self) {
        let mut u = datasketches::hll::HllUnion::new(self.1).expect("valid lg_k");
        u.update(&self.0);
        u.update(&other.0);
        self.0 = u.to_sketch(datasketches::hll::HllType::Hll8);
    }
    fn stored_bytes(&self) -> usize {
        self.0.serialize().len()
    }
}

pub struct Pc<B: BuildHasher + Clone>(
    probabilistic_collections::hyperloglog::HyperLogLog<AnyKey, B>,
    u8,
);

impl<B: BuildHasher + Clone + Default + std::fmt::Debug + PartialEq> Counter for Pc<B> {
    const NAME: &'static str = "probabilistic-collections";
    fn new(p: u8) -> Self {
        // It derives p = ceil(ln((1.04/ε)²)); this ε gives exactly `p`.
        let eps = 1.04 / ((f64::from(p) - 0.5) / 2.0).exp();
        Pc(
            probabilistic_collections::hyperloglog::HyperLogLog::with_hasher(eps, B::default()),
            p,
        )
    }
    #[inline(always)]
    fn insert_hash(&mut self, h: u64) {
        self.0.insert(&h);
    }
    #[inline]
    fn insert_u64(&mut self, x: u64) {
        self.0.insert(&x);
    }
    #[inline]
    fn insert_str(&mut self, s: &str) {
        self.0.insert(s);
    }
    fn estimate(&mut self) -> f64 {
        self.0.len()
    }
    fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0);
    }
    fn stored_bytes(&self) -> usize {
        // One byte per register.
        1 << self.1
    }
}

#[derive(Clone)]
pub struct Hlp<B: BuildHasher + Clone>(hyperloglogplus::HyperLogLogPlus<u64, B>, u8);

impl<B: BuildHasher + Clone + Default> Counter for Hlp<B> {
    const NAME: &'static str = "hyperloglogplus";
    fn new(p: u8) -> Self {
        Hlp(
            hyperloglogplus::HyperLogLogPlus::new(p, B::default()).unwrap(),
            p,
        )
    }
    #[inline(always)]
    fn insert_hash(&mut self, h: u64) {
        self.0.insert(&h);
    }
    #[inline]
    fn insert_u64(&mut self, x: u64) {
        self.0.insert(&x);
    }
    #[inline]
    fn insert_str(&mut self, s: &str) {
        self.0.insert_any(s);
    }
    fn estimate(&mut self) -> f64 {
        self.0.count()
    }
    fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0).unwrap();
    }
    fn stored_bytes(&self) -> usize {
        // Dense: 6-bit registers, five to a u32 word (its RegistersPlus layout).
        (1usize << self.1).div_ceil(5) * 4
    }
}

#[derive(Clone)]
pub struct Ce<H: Hasher + Default, const P: usize>(CardinalityEstimator<str, H, P, 6>);

impl<H: Hasher + Default + Clone, const P: usize> Counter for Ce<H, P> {
    const NAME: &'static str = "cardinality-estimator";
    fn new(p: u8) -> Self {
        assert_eq!(usize::from(p), P);
        Ce(CardinalityEstimator::new())
    }
    #[inline(always)]
    fn insert_hash(&mut self, h: u64) {
        self.0.insert_hash(h);
    }
    #[inline]
    fn insert_u64(&mut self, x: u64) {
        let mut hasher = H::default();
        x.hash(&mut hasher);
        self.0.insert_hash(hasher.finish());
    }
    #[inline]
    fn insert_str(&mut self, s: &str) {
        self.0.insert(s);
    }
    fn estimate(&mut self) -> f64 {
        self.0.estimate() as f64
    }
    fn merge(&mut self, other: &Self) {
        self.0.merge(&other.0);
    }
    fn stored_bytes(&self) -> usize {
        self.0.size_of()
    }
}

type Ahash = ahash::AHasher;

fn sizes() -> Vec<usize> {
    let mut s = vec![1_000, 1_000_000];
    if std::env::var_os("HPDS_BENCH_FULL").is_some() {
        s.push(100_000_000);
    }
    s
}

fn insert_one<C: Counter>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    label: &str,
    p: u8,
    hashes: &[u64],
) {
    g.bench_with_input(
        BenchmarkId::new(format!("{}/p{p}{label}", C::NAME), hashes.len()),
        hashes,
        |b, hs| {
            b.iter(|| {
                let mut s = C::new(p);
                for &h in hs {
                    s.insert_hash(h);
                }
                s
            });
        },
    );
}

fn insert_prehashed(c: &mut Criterion) {
    let mut g = c.benchmark_group("loglog/insert_prehashed");
    for n in sizes() {
        let hashes = random_u64s(11, n);
        g.throughput(Throughput::Elements(n as u64));
        for p in [10u8, 14, 16] {
            insert_one::<HyperLogLogPlusPlus>(&mut g, "", p, &hashes);
            insert_one::<Pc<Pass>>(&mut g, "", p, &hashes);
            insert_one::<Hlp<Pass>>(&mut g, "", p, &hashes);
            match p {
                10 => insert_one::<Ce<PassThrough, 10>>(&mut g, "", p, &hashes),
                14 => insert_one::<Ce<PassThrough, 14>>(&mut g, "", p, &hashes),
                _ => insert_one::<Ce<PassThrough, 16>>(&mut g, "", p, &hashes),
            }
        }
    }
    g.finish();
}

fn items_one<C: Counter>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    keys: &[u64],
    words: &[String],
) {
    let n = keys.len();
    g.bench_with_input(
        BenchmarkId::new(format!("{}/u64", C::NAME), n),
        keys,
        |b, ks| {
            b.iter(|| {
                let mut s = C::new(14);
                for &k in ks {
                    s.insert_u64(k);
                }
                s
            });
        },
    );
    g.bench_with_input(
        BenchmarkId::new(format!("{}/str", C::NAME), n),
        words,
        |b, ws| {
            b.iter(|| {
                let mut s = C::new(14);
                for w in ws {
                    s.insert_str(w);
                }
                s
            });
        },
    );
}

/// Items hashed by each implementation's own hash: hpds xxh3, probabilistic-collections and
/// hyperloglogplus SipHash-1-3 (std's `DefaultHasher`), cardinality-estimator ahash (its default
/// wyhash is not exported).
fn insert_items(c: &mut Criterion) {
    let mut g = c.benchmark_group("loglog/insert_items_p14");
    for n in sizes() {
        let keys = random_u64s(12, n);
        let words: Vec<String> = keys.iter().map(|k| format!("w{:x}", k >> 40)).collect();
        g.throughput(Throughput::Elements(n as u64));
        items_one::<HyperLogLogPlusPlus>(&mut g, &keys, &words);
        items_one::<Pc<Sip>>(&mut g, &keys, &words);
        items_one::<Hlp<Sip>>(&mut g, &keys, &words);
        items_one::<Ce<Ahash, 14>>(&mut g, &keys, &words);
    }
    g.finish();
}

fn filled<C: Counter>(p: u8, seed: u64, n: usize) -> C {
    let mut s = C::new(p);
    for h in random_u64s(seed, n) {
        s.insert_hash(h);
    }
    s
}

fn estimate_merge_one<C: Counter>(c: &mut Criterion, p: u8) {
    let n = 1_000_000;
    let mut a: C = filled(p, 13, n);
    let b2: C = filled(p, 14, n);
    c.bench_function(&format!("loglog/estimate/{}/p{p}", C::NAME), |b| {
        b.iter(|| black_box(&mut a).estimate());
    });
    c.bench_function(&format!("loglog/merge/{}/p{p}", C::NAME), |b| {
        // Merging the same sketch again does the same register-wise work every time.
        b.iter(|| black_box(&mut a).merge(black_box(&b2)));
    });
}

fn estimate_merge(c: &mut Criterion) {
    estimate_merge_one::<HyperLogLogPlusPlus>(c, 14);
    estimate_merge_one::<Pc<Pass>>(c, 14);
    estimate_merge_one::<Hlp<Pass>>(c, 14);
    estimate_merge_one::<Ce<PassThrough, 14>>(c, 14);
    // Maximum likelihood over every register (no martingale by default).
    estimate_merge_one::<Ell>(c, 12);
    estimate_merge_one::<Ell>(c, 14);
}

/// Stored bytes and error of one implementation at precision `p` (pre-hashed items).
fn accuracy_rows<C: Counter>(p: u8, trials: usize, max: u64) -> String {
    let plan = Accuracy::new(trials, log_scale(10, max, 1), 2024);
    let rows = plan.run_streaming(
        |_| RefCell::new(C::new(p)),
        |s, h| s.get_mut().insert_hash(h),
        |s| s.borrow_mut().estimate(),
    );
    let mut out = String::new();
    for r in rows {
        let mut s: C = C::new(p);
        for h in random_u64s(15, r.n as usize) {
            s.insert_hash(h);
        }
        let _ = writeln!(
            out,
            "{:<26} p={p:<2} n={:>8}  bytes={:>7}  rmse={:.5}  bias={:+.5}",
            C::NAME,
            r.n,
            s.stored_bytes(),
            r.rmse,
            r.bias
        );
    }
    out
}

fn fill_hashes<C: Counter>(p: u8, hs: &[u64]) -> C {
    let mut s = C::new(p);
    for &h in hs {
        s.insert_hash(h);
    }
    s
}

/// One contestant of a race cell: a name and a run that returns ns per item.
type Contestant<'a> = (&'static str, Box<dyn FnMut() -> f64 + 'a>);

/// ns per item of `fill` (a fresh sketch filled with `n` items), timed over enough fills to
/// last about a millisecond.
fn timed(n: usize, mut fill: impl FnMut()) -> f64 {
    let reps = (1_000_000 / n).max(1);
    let t = std::time::Instant::now();
    for _ in 0..reps {
        fill();
    }
    t.elapsed().as_nanos() as f64 / (n * reps) as f64
}

fn prehashed<'a, C: Counter + 'a>(p: u8, hs: &'a [u64]) -> Contestant<'a> {
    (
        C::NAME,
        Box::new(move || {
            timed(hs.len(), || {
                drop(black_box(fill_hashes::<C>(p, black_box(hs))));
            })
        }),
    )
}

/// hpds HyperLogLog++ through the batch API `insert_hashes`.
fn batch(p: u8, hs: &[u64]) -> Contestant<'_> {
    (
        "hpds-batch",
        Box::new(move || {
            timed(hs.len(), || {
                let mut s = HyperLogLogPlusPlus::new(p).unwrap();
                s.insert_hashes(black_box(hs));
                drop(black_box(s));
            })
        }),
    )
}

/// Reference rows, not products: the register update written out here without HIP, one byte
/// per register (probabilistic-collections' layout, branch-free maximum) or in the 6-bit
/// packing (hpds' limit comparison, a branch on a change), with hpds' index and rank (top `p`
/// bits, rank from the leading zeros of the rest; `top`) or with probabilistic-collections'
/// (low `p` bits, rank from the trailing zeros of the rest, which compiles to `tzcnt`; `low`).
/// They show what the packing, the index and the HIP update each cost, in the same race as the
/// peers. `top` rows are checked to give hpds' registers, `low` rows to agree with each other.
fn model(p: u8, hs: &[u64], packed: bool, low_bits: bool) -> Contestant<'_> {
    const RANK8: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut b = 1;
        while b < 256 {
            t[b] = (b as u8).leading_zeros() as u8 + 1;
            b += 1;
        }
        t
    };
    const TOP: [u64; 4] = [1 << 58, 1 << 52, 1 << 46, 1 << 40];
    const POW: [u32; 4] = [1, 1 << 6, 1 << 12, 1 << 18];
    type Fill = fn(u8, &[u64]) -> Vec<u8>;
    #[inline(always)]
    fn rank_of(w: u64) -> u8 {
        let top = (w >> 56) as usize;
        if top == 0 {
            w.leading_zeros() as u8 + 1
        } else {
            RANK8[top]
        }
    }
    /// Register index, and the rank when a register holding `old` would change.
    #[inline(always)]
    fn top_index(h: u64, p: u8, old: u32) -> (usize, Option<u8>) {
        let pow = 1u64 << p;
        let i = ((u128::from(h) * u128::from(pow)) >> 64) as usize;
        let w = h.wrapping_mul(pow) | (pow >> 1);
        (i, (w <= u64::MAX >> old).then(|| rank_of(w)))
    }
    #[inline(always)]
    fn low_index(h: u64, p: u8, old: u32) -> (usize, Option<u8>) {
        let i = (h & ((1 << p) - 1)) as usize;
        let rank = ((h >> p) | (1 << (63 - p))).trailing_zeros() as u8 + 1;
        (i, (u32::from(rank) > old).then_some(rank))
    }
    fn bytes<const LOW: bool>(p: u8, hs: &[u64]) -> Vec<u8> {
        let mut r = vec![0u8; 1 << p];
        for &h in hs {
            // Branch-free: the rank of every hash, then the maximum.
            let (i, rank) = if LOW {
                low_index(h, p, 0)
            } else {
                top_index(h, p, 0)
            };
            let rank = rank.unwrap_or(0);
            r[i] = r[i].max(rank);
        }
        r
    }
    fn six_bit<const LOW: bool>(p: u8, hs: &[u64]) -> Vec<u8> {
        let mut r = vec![0u8; (3 << (p - 2)) + 1];
        for &h in hs {
            let i = if LOW {
                (h & ((1 << p) - 1)) as usize
            } else {
                ((u128::from(h) * u128::from(1u64 << p)) >> 64) as usize
            };
            let base = 3 * (i >> 2);
            let group: &mut [u8; 4] = (&mut r[base..base + 4]).try_into().expect("4 bytes");
            let word = u32::from_le_bytes(*group);
            let old = (u64::from(word).wrapping_mul(TOP[i & 3]) >> 58) as u32;
            let (_, change) = if LOW {
                low_index(h, p, old)
            } else {
                top_index(h, p, old)
            };
            if let Some(rank) = change {
                let pw = POW[i & 3];
                *group = ((word & !(63 * pw)) | (u32::from(rank) * pw)).to_le_bytes();
            }
        }
        r
    }
    fn unpack(packed: &[u8]) -> Vec<u8> {
        packed[..packed.len() - 1]
            .chunks_exact(3)
            .flat_map(|g| {
                let w = u32::from(g[0]) | u32::from(g[1]) << 8 | u32::from(g[2]) << 16;
                [0, 6, 12, 18].map(|s| ((w >> s) & 63) as u8)
            })
            .collect()
    }
    let (name, f): (&str, Fill) = match (packed, low_bits) {
        (false, false) => ("model-bytes-top", bytes::<false>),
        (true, false) => ("model-6bit-top", six_bit::<false>),
        (false, true) => ("model-bytes-low", bytes::<true>),
        (true, true) => ("model-6bit-low", six_bit::<true>),
    };
    let got = if packed { unpack(&f(p, hs)) } else { f(p, hs) };
    let want: Vec<u8> = if low_bits {
        bytes::<true>(p, hs)
    } else {
        let mut reference = hpds_loglog::HyperLogLog::new(p).unwrap();
        reference.insert_hashes(hs);
        reference.registers().collect()
    };
    assert_eq!(got, want, "{name} must give the reference registers");
    (
        name,
        Box::new(move || timed(hs.len(), || drop(black_box(f(p, black_box(hs)))))),
    )
}

fn own_u64<'a, C: Counter + 'a>(keys: &'a [u64]) -> Contestant<'a> {
    (
        C::NAME,
        Box::new(move || {
            timed(keys.len(), || {
                let mut s = C::new(14);
                for &k in black_box(keys) {
                    s.insert_u64(k);
                }
                drop(black_box(s));
            })
        }),
    )
}

fn own_str<'a, C: Counter + 'a>(words: &'a [String]) -> Contestant<'a> {
    (
        C::NAME,
        Box::new(move || {
            timed(words.len(), || {
                let mut s = C::new(14);
                for w in black_box(words) {
                    s.insert_str(w);
                }
                drop(black_box(s));
            })
        }),
    )
}

/// Runs the contestants in interleaved rounds (each once per round, in turn) and prints each
/// one's median and fastest round, ns per item.
fn race(cell: &str, rounds: usize, mut contestants: Vec<Contestant<'_>>) {
    let mut times = vec![Vec::with_capacity(rounds); contestants.len()];
    for _ in 0..rounds {
        for (t, (_, run)) in times.iter_mut().zip(&mut contestants) {
            t.push(run());
        }
    }
    let mut line = format!("{cell:<16}");
    for (t, (name, _)) in times.iter_mut().zip(&contestants) {
        t.sort_by(f64::total_cmp);
        let _ = write!(line, "  {name} {:.2} ({:.2})", t[t.len() / 2], t[0]);
    }
    println!("{line}");
}

/// With `HPDS_BENCH_MINRUNS` set (then exits): an interleaved race of every implementation, ns per insert,
/// median (fastest) of 15 rounds; pre-hashed at p = 10, 14, 16 for 10^3 and 10^6 items (and
/// 10^8 with `HPDS_BENCH_FULL`), own-hash `u64` and `&str` items at p = 14, 10^6 items. The
/// hashes are generated before the timed loops.
fn min_runs_report() {
    let rounds = 15;
    for n in sizes() {
        let hs = random_u64s(11, n);
        let rounds = if n > 1_000_000 { 3 } else { rounds };
        for p in [10u8, 14, 16] {
            let ce: Contestant<'_> = match p {
                10 => prehashed::<Ce<PassThrough, 10>>(p, &hs),
                14 => prehashed::<Ce<PassThrough, 14>>(p, &hs),
                _ => prehashed::<Ce<PassThrough, 16>>(p, &hs),
            };
            race(
                &format!("pre n={n} p={p}"),
                rounds,
                vec![
                    prehashed::<HyperLogLogPlusPlus>(p, &hs),
                    batch(p, &hs),
                    prehashed::<Hll>(p, &hs),
                    prehashed::<Pc<Pass>>(p, &hs),
                    model(p, &hs, false, false),
                    model(p, &hs, true, false),
                    model(p, &hs, false, true),
                    model(p, &hs, true, true),
                    prehashed::<Hlp<Pass>>(p, &hs),
                    ce,
                ],
            );
        }
    }
    let keys = random_u64s(12, 1_000_000);
    let words: Vec<String> = keys.iter().map(|k| format!("w{:x}", k >> 40)).collect();
    race(
        "u64 n=1e6 p=14",
        rounds,
        vec![
            own_u64::<HyperLogLogPlusPlus>(&keys),
            own_u64::<Hll>(&keys),
            own_u64::<Pc<Sip>>(&keys),
            own_u64::<Hlp<Sip>>(&keys),
            own_u64::<Ce<Ahash, 14>>(&keys),
        ],
    );
    race(
        "str n=1e6 p=14",
        rounds,
        vec![
            own_str::<HyperLogLogPlusPlus>(&words),
            own_str::<Hll>(&words),
            own_str::<Pc<Sip>>(&words),
            own_str::<Hlp<Sip>>(&words),
            own_str::<Ce<Ahash, 14>>(&words),
        ],
    );
}

/// With `HPDS_LOGLOG_PROBE=name,p,n,reps`: fills `reps` fresh sketches of one implementation
/// (`hpds`, `batch` = hpds through `insert_hashes`, `hll`, `pc`, `ce`, `ull`, `ell`,
/// `ell-mg` = ExaLogLog with martingale tracking, `ultraloglog`, `exaloglog`) with `n` pre-hashed
/// items and exits, for cachegrind (subtract a run with `reps = 0` for the setup).
fn probe(spec: &str) {
    let f: Vec<&str> = spec.split(',').collect();
    let (name, p, n, reps) = (
        f[0],
        f[1].parse::<u8>().unwrap(),
        f[2].parse::<usize>().unwrap(),
        f[3].parse::<usize>().unwrap(),
    );
    let hs = random_u64s(11, n);
    for _ in 0..reps {
        match (name, p) {
            ("hpds", _) => drop(black_box(fill_hashes::<HyperLogLogPlusPlus>(
                p,
                black_box(&hs),
            ))),
            ("batch", _) => {
                let mut s = HyperLogLogPlusPlus::new(p).unwrap();
                s.insert_hashes(black_box(&hs));
                drop(black_box(s));
            }
            ("hll", _) => drop(black_box(fill_hashes::<Hll>(p, black_box(&hs)))),
            ("ull", _) => drop(black_box(fill_hashes::<Ull>(p, black_box(&hs)))),
            ("ell", _) => drop(black_box(fill_hashes::<Ell>(p, black_box(&hs)))),
            ("ell-mg", _) => drop(black_box(fill_hashes::<EllMg>(p, black_box(&hs)))),
            ("ultraloglog", _) => drop(black_box(fill_hashes::<UllPeer>(p, black_box(&hs)))),
            ("exaloglog", _) => drop(black_box(fill_hashes::<EllPeer>(p, black_box(&hs)))),
            ("pc", _) => drop(black_box(fill_hashes::<Pc<Pass>>(p, black_box(&hs)))),
            ("ce", 10) => drop(black_box(fill_hashes::<Ce<PassThrough, 10>>(
                p,
                black_box(&hs),
            ))),
            ("ce", 14) => drop(black_box(fill_hashes::<Ce<PassThrough, 14>>(
                p,
                black_box(&hs),
            ))),
            ("ce", 16) => drop(black_box(fill_hashes::<Ce<PassThrough, 16>>(
                p,
                black_box(&hs),
            ))),
            _ => panic!("unknown probe {spec}"),
        }
    }
}

/// With `HPDS_BENCH_ULL=1` (then exits): UltraLogLog and ExaLogLog against their peers,
/// pre-hashed, in interleaved rounds at 10^6 and 10^7 items, p = 12 and 14, and with `u64`
/// items that each implementation hashes with its own hash at p = 14 (hpds xxh3, ultraloglog
/// and exaloglog their defaults, DataSketches MurmurHash3, hyperloglogplus SipHash-1-3,
/// cardinality-estimator ahash); ns per insert, median (fastest). Then each one's stored
/// bytes and relative error at 10^6 items.
/// `HPDS_BENCH_ULL=name,name,...` races only the contestants named.
fn ull_race() {
    let only = std::env::var("HPDS_BENCH_ULL").unwrap_or_default();
    let keep = |name: &str| only == "1" || only.split(',').any(|n| n == name);
    for n in [1_000_000usize, 10_000_000] {
        let hs = random_u64s(11, n);
        let rounds = if n > 1_000_000 { 5 } else { 11 };
        for p in [12u8, 14] {
            let ce: Contestant<'_> = match p {
                12 => prehashed::<Ce<PassThrough, 12>>(p, &hs),
                _ => prehashed::<Ce<PassThrough, 14>>(p, &hs),
            };
            let mut contestants = vec![
                prehashed::<Ull>(p, &hs),
                prehashed::<Ell>(p, &hs),
                prehashed::<EllMg>(p, &hs),
                prehashed::<UllPeer>(p, &hs),
                prehashed::<EllPeer>(p, &hs),
                prehashed::<Ds>(p, &hs),
                prehashed::<HyperLogLogPlusPlus>(p, &hs),
                prehashed::<Hlp<Pass>>(p, &hs),
                ce,
            ];
            contestants.retain(|(name, _)| keep(name));
            race(&format!("pre n={n} p={p}"), rounds, contestants);
        }
        // `u64` items, each implementation hashing them with its own hash, at p = 14.
        let keys = random_u64s(12, n);
        let mut contestants = vec![
            own_u64::<Ull>(&keys),
            own_u64::<Ell>(&keys),
            own_u64::<UllPeer>(&keys),
            own_u64::<EllPeer>(&keys),
            own_u64::<Ds>(&keys),
            own_u64::<HyperLogLogPlusPlus>(&keys),
            own_u64::<Hlp<Sip>>(&keys),
            own_u64::<Ce<Ahash, 14>>(&keys),
        ];
        contestants.retain(|(name, _)| keep(name));
        race(&format!("u64 n={n} p=14"), rounds, contestants);
    }
    let hs = random_u64s(12, 1_000_000);
    for p in [12u8, 14] {
        let mut line = format!("p={p} n=1e6 stored bytes (rel. error):");
        let mut row = |name: &str, bytes: usize, est: f64| {
            let _ = write!(
                line,
                "  {name} {bytes} ({:+.3} %)",
                100.0 * (est / 1e6 - 1.0)
            );
        };
        let mut a = fill_hashes::<Ull>(p, &hs);
        row(Ull::NAME, a.stored_bytes(), a.estimate());
        let mut a = fill_hashes::<Ell>(p, &hs);
        row(Ell::NAME, a.stored_bytes(), a.estimate());
        let mut a = fill_hashes::<EllMg>(p, &hs);
        row(EllMg::NAME, a.stored_bytes(), a.estimate());
        let mut a = fill_hashes::<UllPeer>(p, &hs);
        row(UllPeer::NAME, a.stored_bytes(), a.estimate());
        let mut a = fill_hashes::<EllPeer>(p, &hs);
        row(EllPeer::NAME, a.stored_bytes(), a.estimate());
        let mut a = fill_hashes::<Ds>(p, &hs);
        row(Ds::NAME, a.stored_bytes(), a.estimate());
        println!("{line}");
    }
}

fn report(_: &mut Criterion) {
    if let Ok(spec) = std::env::var("HPDS_LOGLOG_PROBE") {
        probe(&spec);
        std::process::exit(0);
    }
    if std::env::var_os("HPDS_BENCH_MINRUNS").is_some() {
        min_runs_report();
        std::process::exit(0);
    }
    if std::env::var_os("HPDS_BENCH_ULL").is_some() {
        ull_race();
        std::process::exit(0);
    }
    if std::env::var_os("HPDS_LOGLOG_SIZES").is_some() {
        sizes_report();
        std::process::exit(0);
    }
    let trials = 100;
    let max = 100_000;
    for p in [12u8, 14] {
        print!("{}", accuracy_rows::<HyperLogLogPlusPlus>(p, trials, max));
        print!("{}", accuracy_rows::<Pc<Pass>>(p, trials, max));
        print!("{}", accuracy_rows::<Hlp<Pass>>(p, trials, max));
        if p == 12 {
            print!("{}", accuracy_rows::<Ce<PassThrough, 12>>(p, trials, max));
        } else {
            print!("{}", accuracy_rows::<Ce<PassThrough, 14>>(p, trials, max));
        }
    }
    let s = HyperLogLogPlusPlus::new(14).unwrap();
    println!("hpds heap while empty: {} bytes", s.heap_bytes());
    sizes_report();
}

/// A pass-through hasher builder that serde can write (as nothing), so the peers' serde
/// output can be measured with pre-hashed items.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PassSer;
impl BuildHasher for PassSer {
    type Hasher = PassThrough;
    fn build_hasher(&self) -> PassThrough {
        PassThrough::default()
    }
}

/// Bytes of `value`'s serde output with bincode 1: its default fixed-width integers
/// (`bincode::serialize`) and with varints (`bincode::DefaultOptions`).
fn bincode_sizes<T: serde::Serialize>(value: &T) -> (usize, usize) {
    use bincode::Options as _;
    let fixed = bincode::serialize(value).expect("serializable").len();
    let varint = bincode::DefaultOptions::new()
        .serialize(value)
        .expect("serializable")
        .len();
    (fixed, varint)
}

/// Serialized bytes at small cardinalities, p = 14: hpds `to_bytes` (compact frame,
/// checksummed) against each peer's serde output through bincode 1 (fixed-width / varint
/// integers). None of the peers has a byte format of its own.
fn serialized_report() {
    println!("serialized bytes at p = 14: hpds to_bytes; peers serde+bincode 1 (fixint/varint)");
    println!(
        "{:>7} {:>6} {:>13} {:>13} {:>13}",
        "n", "hpds", "pc", "hlp", "ce"
    );
    for n in [
        0usize, 1, 2, 3, 4, 5, 6, 8, 10, 20, 100, 1000, 10_000, 100_000,
    ] {
        let hs = random_u64s(16, n);
        let ours: HyperLogLogPlusPlus = fill_hashes(14, &hs);
        let mut pc =
            probabilistic_collections::hyperloglog::HyperLogLog::<u64, PassSer>::with_hasher(
                1.04 / ((14.0 - 0.5) / 2.0f64).exp(),
                PassSer,
            );
        let mut hlp = hyperloglogplus::HyperLogLogPlus::<u64, PassSer>::new(14, PassSer).unwrap();
        let mut ce = CardinalityEstimator::<str, PassThrough, 14, 6>::new();
        for &h in &hs {
            pc.insert(&h);
            hlp.insert(&h);
            ce.insert_hash(h);
        }
        // hyperloglogplus buffers inserts in a hash set until `count` folds them in.
        let _ = hlp.count();
        let f = |(a, b): (usize, usize)| format!("{a}/{b}");
        println!(
            "{n:>7} {:>6} {:>13} {:>13} {:>13}",
            ours.to_bytes().len(),
            f(bincode_sizes(&pc)),
            f(bincode_sizes(&hlp)),
            f(bincode_sizes(&ce)),
        );
    }
}

/// Stored bytes of each implementation at small cardinalities, p = 14.
fn sizes_report() {
    serialized_report();
    let ns = [
        0usize, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 3000, 10_000, 100_000,
    ];
    println!("stored bytes at p = 14 (hpds: serialized; peers: in-memory payload)");
    println!(
        "{:>7} {:>8} {:>8} {:>8} {:>8}",
        "n", "hpds", "pc", "hlp", "ce"
    );
    for n in ns {
        let hs = random_u64s(16, n);
        let a: HyperLogLogPlusPlus = fill_hashes(14, &hs);
        let b: Pc<Pass> = fill_hashes(14, &hs);
        let c: Hlp<Pass> = fill_hashes(14, &hs);
        let d: Ce<PassThrough, 14> = fill_hashes(14, &hs);
        println!(
            "{n:>7} {:>8} {:>8} {:>8} {:>8}",
            a.stored_bytes(),
            b.stored_bytes(),
            c.stored_bytes(),
            d.stored_bytes()
        );
    }
}

criterion_group!(
    benches,
    report,
    insert_prehashed,
    insert_items,
    estimate_merge
);
criterion_main!(benches);
