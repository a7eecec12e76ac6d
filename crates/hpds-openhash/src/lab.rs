//! The probing laboratory: a table whose probe sequence and maximum load are parameters, and
//! which reports how long its probes are.
//!
//! [`ProbeTable`] is written for clarity, not speed (one enum per slot, safe code): it is the
//! place to see why [`OpenMap`](crate::OpenMap) probes the way it does. Four strategies:
//!
//! | [`Probing`] | step from slot `i` | clustering |
//! |---|---|---|
//! | `Linear` | `i + 1` | primary: runs merge and grow |
//! | `Triangular` | `i + 1, i + 3, i + 6, …` (triangular numbers) | secondary: keys with the same home share a sequence |
//! | `DoubleHashing` | `i + step`, `step` odd, from a remix of the whole hash | ≈ none (close to uniform hashing) |
//! | `CPython` | `perturb >>= 5; i = 5i + perturb + 1` (dictobject.c) | ≈ none once the hash's high bits are mixed in |
//!
//! All work on a power-of-two table and visit every slot, so a probe always ends.
//!
//! # Example
//! ```
//! use hpds_openhash::lab::{Probing, ProbeTable};
//!
//! let mut t = ProbeTable::new(Probing::Linear, 0.9)?;
//! for k in 0..10_000u64 {
//!     t.insert(k, ());
//! }
//! let stats = t.probe_stats();
//! println!("load {:.2}: hits {:.2} probes, misses {:.2}", t.load_factor(),
//!          stats.hits.mean(), stats.misses.mean());
//! assert_eq!(stats.hits.count(), 10_000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use hpds_core::Error;
use hpds_core::hash::mix64;

use crate::map::DefaultHashBuilder;

/// A probe sequence strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Probing {
    /// Next slot: `i + 1`.
    Linear,
    /// Steps of 1, 2, 3, …: slots `h + k(k+1)/2`, which visit every slot of a power-of-two
    /// table.
    Triangular,
    /// Steps of a fixed odd stride derived from a remix of the full 64-bit hash (a second
    /// hash function), so two keys with the same home slot almost never share a sequence.
    DoubleHashing,
    /// CPython's `dictobject.c`: `perturb = hash`, then `perturb >>= 5; i = (i*5 + perturb + 1)
    /// & mask`. The high bits of the hash enter the sequence five at a time; once `perturb`
    /// reaches 0 the recurrence `i = 5i + 1` still visits every slot.
    CPython,
}

impl Probing {
    /// All four strategies, for tables.
    pub const ALL: [Probing; 4] = [
        Probing::Linear,
        Probing::Triangular,
        Probing::DoubleHashing,
        Probing::CPython,
    ];

    /// The probe sequence of `hash` in a table of `mask + 1` slots (`mask + 1` a power of two).
    pub fn sequence(self, hash: u64, mask: usize) -> ProbeSequence {
        debug_assert!((mask + 1).is_power_of_two());
        let step = match self {
            Probing::DoubleHashing => (mix64(hash) as usize) | 1,
            _ => 0,
        };
        ProbeSequence {
            probing: self,
            pos: hash as usize & mask,
            mask,
            step,
            perturb: hash as usize,
            started: false,
        }
    }

    /// Knuth's asymptotic expected probe counts `(hit, miss)` at load `a` for this strategy
    /// with a good hash (TAOCP vol. 3, §6.4): linear probing `(1 + 1/(1-a))/2` and
    /// `(1 + 1/(1-a)²)/2`; secondary clustering (triangular) `1 - ln(1-a) - a/2` and
    /// `1/(1-a) - a - ln(1-a)`; uniform hashing (double hashing, CPython) `-ln(1-a)/a` and
    /// `1/(1-a)`. A probe count includes the final slot.
    pub fn expected_probes(self, a: f64) -> (f64, f64) {
        let q = 1.0 - a;
        match self {
            Probing::Linear => (0.5 * (1.0 + 1.0 / q), 0.5 * (1.0 + 1.0 / (q * q))),
            Probing::Triangular => (1.0 - q.ln() - a / 2.0, 1.0 / q - a - q.ln()),
            Probing::DoubleHashing | Probing::CPython => {
                (if a == 0.0 { 1.0 } else { -q.ln() / a }, 1.0 / q)
            }
        }
    }
}

impl fmt::Display for Probing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Probing::Linear => "linear",
            Probing::Triangular => "triangular",
            Probing::DoubleHashing => "double hashing",
            Probing::CPython => "CPython",
        })
    }
}

/// The endless sequence of slots a lookup visits, from [`Probing::sequence`].
///
/// # Example
/// ```
/// use hpds_openhash::lab::Probing;
/// // CPython, hash 12345 in an 8-slot table: 12345 & 7 = 1, then perturbation.
/// let seq: Vec<usize> = Probing::CPython.sequence(12345, 7).take(4).collect();
/// assert_eq!(seq[0], 1);
/// assert_eq!(seq[1], (1 * 5 + (12345 >> 5) + 1) & 7);
/// ```
#[derive(Debug, Clone)]
pub struct ProbeSequence {
    probing: Probing,
    pos: usize,
    mask: usize,
    step: usize,
    perturb: usize,
    started: bool,
}

impl Iterator for ProbeSequence {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        if self.started {
            self.pos = match self.probing {
                Probing::Linear => self.pos.wrapping_add(1),
                Probing::Triangular => {
                    self.step += 1;
                    self.pos.wrapping_add(self.step)
                }
                Probing::DoubleHashing => self.pos.wrapping_add(self.step),
                Probing::CPython => {
                    self.perturb >>= 5;
                    self.pos
                        .wrapping_mul(5)
                        .wrapping_add(self.perturb)
                        .wrapping_add(1)
                }
            } & self.mask;
        }
        self.started = true;
        Some(self.pos)
    }
}

/// How many lookups took 1, 2, 3, … probes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProbeHistogram {
    counts: Vec<u64>,
}

impl ProbeHistogram {
    fn record(&mut self, probes: usize) {
        if self.counts.len() <= probes {
            self.counts.resize(probes + 1, 0);
        }
        self.counts[probes] += 1;
    }

    /// `counts()[n]`: lookups that took `n` probes (`counts()[0]` is always 0).
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Number of lookups recorded.
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Mean probe length (0 when empty).
    pub fn mean(&self) -> f64 {
        let n = self.count();
        if n == 0 {
            return 0.0;
        }
        self.counts
            .iter()
            .enumerate()
            .map(|(len, &c)| len as f64 * c as f64)
            .sum::<f64>()
            / n as f64
    }

    /// Sample variance of the probe length.
    pub fn variance(&self) -> f64 {
        let n = self.count();
        if n < 2 {
            return 0.0;
        }
        let m = self.mean();
        self.counts
            .iter()
            .enumerate()
            .map(|(len, &c)| (len as f64 - m).powi(2) * c as f64)
            .sum::<f64>()
            / (n - 1) as f64
    }

    /// Longest probe (0 when empty).
    pub fn max(&self) -> usize {
        self.counts.iter().rposition(|&c| c > 0).unwrap_or(0)
    }
}

/// Probe-length distributions of a [`ProbeTable`], from [`ProbeTable::probe_stats`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProbeStats {
    /// One lookup of every stored key.
    pub hits: ProbeHistogram,
    /// Unsuccessful lookups (see [`ProbeTable::probe_stats`] for which).
    pub misses: ProbeHistogram,
}

#[derive(Clone)]
enum Slot<K, V> {
    Empty,
    Deleted,
    Full { hash: u64, key: K, value: V },
}

/// An open-addressed map with a chosen probe sequence and maximum load, that measures itself.
///
/// Tombstones mark removed slots; they are dropped when the table is rebuilt (at growth, or
/// when items plus tombstones reach the maximum load). The bucket count is a power of two.
pub struct ProbeTable<K, V, S = DefaultHashBuilder> {
    slots: Vec<Slot<K, V>>,
    probing: Probing,
    max_load: f64,
    items: usize,
    tombstones: usize,
    hash_builder: S,
}

const MIN_BUCKETS: usize = 8;

fn check_load(max_load: f64) -> Result<(), Error> {
    if max_load > 0.0 && max_load < 1.0 {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            "max_load",
            max_load,
            "a number in (0, 1)",
        ))
    }
}

impl<K, V> ProbeTable<K, V, DefaultHashBuilder> {
    /// An empty table probing with `probing`, growing (doubling) past `max_load`.
    ///
    /// # Errors
    /// When `max_load` is not in (0, 1).
    pub fn new(probing: Probing, max_load: f64) -> Result<Self, Error> {
        Self::try_with_hasher(probing, max_load, MIN_BUCKETS, DefaultHashBuilder::new())
    }
}

impl<K, V, S> ProbeTable<K, V, S> {
    /// An empty table of `buckets` slots (rounded up to a power of two, at least 8) hashing
    /// with `hash_builder`. Build with `buckets ≥ n / max_load` to fill it to an exact load
    /// without growth.
    ///
    /// # Errors
    /// When `max_load` is not in (0, 1) or `buckets` overflows.
    pub fn try_with_hasher(
        probing: Probing,
        max_load: f64,
        buckets: usize,
        hash_builder: S,
    ) -> Result<Self, Error> {
        check_load(max_load)?;
        let buckets = buckets
            .max(MIN_BUCKETS)
            .checked_next_power_of_two()
            .ok_or_else(|| Error::capacity_overflow("ProbeTable buckets"))?;
        let mut slots = Vec::new();
        slots
            .try_reserve_exact(buckets)
            .map_err(|_| Error::capacity_overflow("ProbeTable buckets"))?;
        slots.resize_with(buckets, || Slot::Empty);
        Ok(Self {
            slots,
            probing,
            max_load,
            items: 0,
            tombstones: 0,
            hash_builder,
        })
    }

    /// The probe strategy.
    pub fn probing(&self) -> Probing {
        self.probing
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.items
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.items == 0
    }

    /// Number of slots.
    pub fn buckets(&self) -> usize {
        self.slots.len()
    }

    /// Entries per slot.
    pub fn load_factor(&self) -> f64 {
        self.items as f64 / self.slots.len() as f64
    }

    /// Removed slots not yet reclaimed.
    pub fn tombstones(&self) -> usize {
        self.tombstones
    }

    /// Entries (plus tombstones) allowed before a rebuild; always leaves an empty slot.
    fn limit(&self) -> usize {
        let b = self.slots.len();
        ((self.max_load * b as f64) as usize).clamp(1, b - 1)
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> ProbeTable<K, V, S> {
    fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        self.hash_builder.hash_one(key)
    }

    /// `(slot, probes)` of the key, or `Err((first free slot, probes to the empty slot))`.
    fn locate<Q>(&self, hash: u64, key: &Q) -> Result<(usize, usize), (usize, usize)>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let mut free = None;
        for (n, i) in self.probing.sequence(hash, self.mask()).enumerate() {
            match &self.slots[i] {
                Slot::Empty => return Err((free.unwrap_or(i), n + 1)),
                Slot::Deleted => {
                    free.get_or_insert(i);
                }
                Slot::Full {
                    hash: h, key: k, ..
                } => {
                    if *h == hash && k.borrow() == key {
                        return Ok((i, n + 1));
                    }
                }
            }
            debug_assert!(n <= self.slots.len() * 2, "probe sequence does not end");
        }
        unreachable!("probe sequences are endless")
    }

    /// Probes of a miss on a given hash: slots visited up to and including the empty one.
    fn miss_probes(&self, hash: u64) -> usize {
        for (n, i) in self.probing.sequence(hash, self.mask()).enumerate() {
            if matches!(self.slots[i], Slot::Empty) {
                return n + 1;
            }
        }
        unreachable!("probe sequences are endless")
    }

    /// Inserts `key → value`, returning the previous value.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hash = self.hash(&key);
        match self.locate(hash, &key) {
            Ok((i, _)) => match &mut self.slots[i] {
                Slot::Full { value: v, .. } => Some(core::mem::replace(v, value)),
                _ => unreachable!("located a non-full slot"),
            },
            Err((free, _)) => {
                let reuses_tombstone = matches!(self.slots[free], Slot::Deleted);
                if !reuses_tombstone && self.items + self.tombstones + 1 > self.limit() {
                    self.rebuild();
                    return self.insert(key, value);
                }
                if reuses_tombstone {
                    self.tombstones -= 1;
                }
                self.slots[free] = Slot::Full { hash, key, value };
                self.items += 1;
                None
            }
        }
    }

    /// Doubles when items alone pass half the limit, else rebuilds at the same size (purging
    /// tombstones).
    fn rebuild(&mut self) {
        let mut buckets = self.slots.len();
        while (self.items + 1) as f64 > self.max_load * buckets as f64 / 2.0 {
            buckets *= 2;
        }
        let old = core::mem::replace(&mut self.slots, {
            let mut v = Vec::with_capacity(buckets);
            v.resize_with(buckets, || Slot::Empty);
            v
        });
        self.tombstones = 0;
        let mask = self.mask();
        for slot in old {
            if let Slot::Full { hash, key, value } = slot {
                let i = self
                    .probing
                    .sequence(hash, mask)
                    .find(|&i| matches!(self.slots[i], Slot::Empty))
                    .unwrap_or_else(|| unreachable!("a rebuilt table has empty slots"));
                self.slots[i] = Slot::Full { hash, key, value };
            }
        }
    }

    /// The value for `key`.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (i, _) = self.locate(self.hash(key), key).ok()?;
        match &self.slots[i] {
            Slot::Full { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Whether `key` is present.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.locate(self.hash(key), key).is_ok()
    }

    /// Probes a lookup of `key` takes (hit or miss).
    pub fn probe_length<Q>(&self, key: &Q) -> usize
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.locate(self.hash(key), key) {
            Ok((_, n)) => n,
            Err(_) => self.miss_probes(self.hash(key)),
        }
    }

    /// Removes `key`, leaving a tombstone.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (i, _) = self.locate(self.hash(key), key).ok()?;
        self.items -= 1;
        self.tombstones += 1;
        match core::mem::replace(&mut self.slots[i], Slot::Deleted) {
            Slot::Full { value, .. } => Some(value),
            _ => unreachable!("located a non-full slot"),
        }
    }

    /// Probe-length distributions: `hits` looks up every stored key once; `misses` probes one
    /// unsuccessful lookup per slot, with well-mixed synthetic hashes (`mix64` of a counter),
    /// i.e. what Knuth's "unsuccessful search" formulas average over.
    ///
    /// Cost: O(buckets × mean probe length).
    pub fn probe_stats(&self) -> ProbeStats {
        let mut stats = self.hit_stats();
        for j in 0..self.slots.len() as u64 {
            stats
                .misses
                .record(self.miss_probes(mix64(j ^ 0x6d69_7373_6573_0000)));
        }
        stats
    }

    /// Like [`ProbeTable::probe_stats`], with misses measured on the given absent keys (hashed
    /// with the table's hasher, so a poor hash shows up in misses too). Present keys are
    /// skipped.
    pub fn probe_stats_for<'q, Q, I>(&self, absent: I) -> ProbeStats
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized + 'q,
        I: IntoIterator<Item = &'q Q>,
    {
        let mut stats = self.hit_stats();
        for q in absent {
            let hash = self.hash(q);
            if self.locate(hash, q).is_err() {
                stats.misses.record(self.miss_probes(hash));
            }
        }
        stats
    }

    fn hit_stats(&self) -> ProbeStats {
        let mut stats = ProbeStats::default();
        for slot in &self.slots {
            if let Slot::Full { hash, key, .. } = slot {
                if let Ok((_, n)) = self.locate(*hash, key) {
                    stats.hits.record(n);
                }
            }
        }
        stats
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for ProbeTable<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProbeTable")
            .field("probing", &self.probing)
            .field("max_load", &self.max_load)
            .field("len", &self.items)
            .field("buckets", &self.slots.len())
            .finish_non_exhaustive()
    }
}

/// A deliberately poor hasher for the probing experiments: an integer key is its own hash (as
/// CPython hashes small ints). Shared with the rest of hpds through `hpds-core`.
pub use hpds_core::hash::{IdentityBuildHasher, IdentityHasher};
