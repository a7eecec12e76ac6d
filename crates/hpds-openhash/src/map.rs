//! [`OpenMap`]: the general-purpose open-addressed hash map.

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;
use core::marker::PhantomData;

use hpds_core::Error;

use crate::raw::{RawIterState, RawTable};

/// The default hasher: aHash, seeded at random per map (protection against HashDoS).
pub type DefaultHashBuilder = ahash::RandomState;

/// An open-addressed hash map with one control byte per slot, probed 16 slots at a time.
///
/// Each slot has a control byte: empty, tombstone, or the top 7 bits of the hash of the key it
/// holds. A lookup hashes the key once, jumps to `hash & mask`, and compares 16 control bytes
/// against the tag with one SSE2 instruction (a portable loop elsewhere); keys are compared
/// only where the tag matches, so a miss rarely touches a key. Groups are probed
/// triangularly; the table grows at 7/8 load. Removal leaves a tombstone only when a probe
/// could have passed the slot in a full group; when tombstones rather than items exhaust the
/// growth budget, the table is rehashed in place (same allocation, tombstones dropped), so
/// insert/remove churn does not degrade lookups.
///
/// The API follows [`std::collections::HashMap`].
///
/// # Memory usage
/// `(size_of::<(K, V)>() + 1)` bytes per slot plus 16, for a power-of-two slot count with the
/// load between 7/16 and 7/8: 19.4 to 38.9 bytes per `u64 → u64` entry. The default hasher is
/// [`ahash::RandomState`], randomly seeded per map: iteration order and collision patterns
/// differ between runs, and an attacker cannot choose keys that collide.
///
/// # Example
/// ```
/// use hpds_openhash::OpenMap;
///
/// let mut counts: OpenMap<&str, u32> = OpenMap::new();
/// for word in "the cat saw the dog".split(' ') {
///     *counts.entry(word).or_insert(0) += 1;
/// }
/// assert_eq!(counts["the"], 2);
/// assert_eq!(counts.get("cat"), Some(&1));
/// assert_eq!(counts.remove("dog"), Some(1));
/// assert_eq!(counts.len(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct OpenMap<K, V, S = DefaultHashBuilder> {
    pub(crate) table: RawTable<(K, V)>,
    hash_builder: S,
}

#[inline]
fn make_hasher<K: Hash, V, S: BuildHasher>(s: &S) -> impl Fn(&(K, V)) -> u64 + '_ {
    move |(k, _)| s.hash_one(k)
}

impl<K, V> OpenMap<K, V, DefaultHashBuilder> {
    /// An empty map; allocates nothing until the first insert.
    pub fn new() -> Self {
        Self::with_hasher(DefaultHashBuilder::new())
    }

    /// An empty map that holds `capacity` entries without growing.
    ///
    /// # Panics
    /// When the capacity overflows `usize` (see [`OpenMap::try_with_capacity`]).
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, DefaultHashBuilder::new())
    }

    /// [`OpenMap::with_capacity`] that reports an impossible capacity instead of panicking.
    ///
    /// # Example
    /// ```
    /// use hpds_openhash::OpenMap;
    /// assert!(OpenMap::<u64, u64>::try_with_capacity(1000).is_ok());
    /// assert!(OpenMap::<u64, u64>::try_with_capacity(usize::MAX).is_err());
    /// ```
    pub fn try_with_capacity(capacity: usize) -> Result<Self, Error> {
        Ok(Self {
            table: RawTable::try_with_capacity(capacity, crate::raw::Fallibility::Fallible)?,
            hash_builder: DefaultHashBuilder::new(),
        })
    }
}

impl<K, V, S> OpenMap<K, V, S> {
    /// An empty map using `hash_builder` to hash keys.
    pub fn with_hasher(hash_builder: S) -> Self {
        Self {
            table: RawTable::new(),
            hash_builder,
        }
    }

    /// An empty map with room for `capacity` entries, using `hash_builder`.
    ///
    /// # Panics
    /// When the capacity overflows `usize`.
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        match RawTable::try_with_capacity(capacity, crate::raw::Fallibility::Infallible) {
            Ok(table) => Self {
                table,
                hash_builder,
            },
            Err(e) => panic!("{e}"),
        }
    }

    /// The hasher.
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// Number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether the map has no entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entries the map holds before it next reallocates.
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// Number of slots (a power of two, or 0 before the first allocation).
    pub fn buckets(&self) -> usize {
        self.table.buckets()
    }

    /// Heap bytes of the table itself (control bytes and slots), not counting what keys and
    /// values own. [`HeapSize::heap_bytes`](hpds_core::HeapSize::heap_bytes) adds those.
    pub fn table_bytes(&self) -> usize {
        self.table.allocation_bytes()
    }

    /// Removes every entry, keeping the allocation.
    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// Iterates over `(&key, &value)` in slot order (arbitrary, changes on growth).
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            table: &self.table,
            state: RawIterState::new(&self.table),
        }
    }

    /// Iterates over `(&key, &mut value)`.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        let state = RawIterState::new(&self.table);
        let (ctrl, slots) = self.table.split_for_iter_mut();
        IterMut {
            ctrl,
            slots,
            state,
            marker: PhantomData,
        }
    }

    /// Iterates over the keys.
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys(self.iter())
    }

    /// Iterates over the values.
    pub fn values(&self) -> Values<'_, K, V> {
        Values(self.iter())
    }

    /// Iterates over the values, mutably.
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut(self.iter_mut())
    }

    /// Removes and yields every entry; the allocation is kept. Entries not consumed are dropped
    /// when the iterator is.
    pub fn drain(&mut self) -> Drain<'_, K, V> {
        Drain {
            state: RawIterState::new(&self.table),
            table: &mut self.table,
        }
    }

    /// Keeps only the entries for which `f` returns true.
    pub fn retain(&mut self, mut f: impl FnMut(&K, &mut V) -> bool) {
        self.table.retain(|(k, v)| f(k, v));
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> OpenMap<K, V, S> {
    /// Reserves room for `additional` more entries.
    ///
    /// # Panics
    /// When the new capacity overflows `usize` (see [`OpenMap::try_reserve`]).
    pub fn reserve(&mut self, additional: usize) {
        self.table
            .reserve(additional, make_hasher::<K, V, S>(&self.hash_builder));
    }

    /// Reserves room for `additional` more entries, or reports why it cannot.
    ///
    /// # Errors
    /// [`Error`] of kind `CapacityOverflow` when the size overflows, `MemoryLimit` when the
    /// allocator refuses.
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), Error> {
        self.table
            .try_reserve(additional, make_hasher::<K, V, S>(&self.hash_builder))
    }

    /// Shrinks the table as far as the current entries allow.
    pub fn shrink_to_fit(&mut self) {
        self.shrink_to(0);
    }

    /// Shrinks the table to hold at least `max(len, min_capacity)` entries.
    pub fn shrink_to(&mut self, min_capacity: usize) {
        self.table
            .shrink_to(min_capacity, make_hasher::<K, V, S>(&self.hash_builder));
    }

    #[inline]
    fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        self.hash_builder.hash_one(key)
    }

    #[inline]
    fn find<Q>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hash(key);
        self.table.find(hash, |(k, _)| key == k.borrow())
    }

    /// Inserts `key → value`; returns the previous value if the key was present (the key
    /// itself is not replaced). Amortised O(1).
    #[inline]
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hash = self.hash(&key);
        self.reserve(1);
        match self
            .table
            .find_or_find_insert_slot(hash, |(k, _)| key == *k)
        {
            // SAFETY: `Ok` carries a full slot of this table, unchanged since.
            Ok(index) => Some(core::mem::replace(
                unsafe { &mut self.table.get_mut_unchecked(index).1 },
                value,
            )),
            Err(slot) => {
                // SAFETY: `slot` is the free slot the probe just returned for this table,
                // which has not changed since.
                unsafe {
                    self.table
                        .insert_in_slot_unchecked(hash, slot, (key, value));
                }
                None
            }
        }
    }

    /// The value stored for `key`.
    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hash(key);
        match self.table.find_ref(hash, |(k, _)| key == k.borrow()) {
            Some((_, v)) => Some(v),
            None => None,
        }
    }

    /// The value stored for `key`, mutably.
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hash(key);
        self.table
            .find_mut(hash, |(k, _)| key == k.borrow())
            .map(|(_, v)| v)
    }

    /// The stored key and its value.
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hash(key);
        self.table
            .find_ref(hash, |(k, _)| key == k.borrow())
            .map(|(k, v)| (k, v))
    }

    /// Whether `key` is present.
    #[inline]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find(key).is_some()
    }

    /// Removes `key`, returning its value.
    #[inline]
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.remove_entry(key).map(|(_, v)| v)
    }

    /// Removes `key`, returning the stored key and its value.
    #[inline]
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.find(key)?;
        // SAFETY: `find` returned a full slot, and the table has not changed since.
        Some(unsafe { self.table.remove_unchecked(i) })
    }

    /// The entry for `key`, for in-place insert-or-update with one lookup.
    ///
    /// # Example
    /// ```
    /// use hpds_openhash::OpenMap;
    /// let mut m: OpenMap<String, Vec<u32>> = OpenMap::new();
    /// m.entry("a".to_string()).or_default().push(1);
    /// m.entry("a".to_string()).or_default().push(2);
    /// assert_eq!(m["a"], vec![1, 2]);
    /// ```
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        let hash = self.hash(&key);
        self.reserve(1);
        match self
            .table
            .find_or_find_insert_slot(hash, |(k, _)| key == *k)
        {
            Ok(index) => Entry::Occupied(OccupiedEntry {
                table: &mut self.table,
                index,
            }),
            Err(slot) => Entry::Vacant(VacantEntry {
                table: &mut self.table,
                hash,
                slot,
                key,
            }),
        }
    }

    /// Inserts a key given by reference, converting it to an owned key only if it is absent:
    /// the way to feed `&str` tokens to an `OpenMap<String, _>` without an allocation per
    /// repeat. Returns the value now stored.
    ///
    /// # Example
    /// ```
    /// use hpds_openhash::OpenMap;
    /// let mut m: OpenMap<String, u32> = OpenMap::new();
    /// for tok in ["to", "be", "or", "not", "to", "be"] {
    ///     *m.get_or_insert_ref(tok, 0) += 1;
    /// }
    /// assert_eq!(m["to"], 2);
    /// ```
    pub fn get_or_insert_ref<Q>(&mut self, key: &Q, value: V) -> &mut V
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let hash = self.hash(key);
        self.reserve(1);
        let index = match self
            .table
            .find_or_find_insert_slot(hash, |(k, _)| key == k.borrow())
        {
            Ok(index) => index,
            Err(slot) => self
                .table
                .insert_in_slot(hash, slot, (key.to_owned(), value)),
        };
        &mut self.table.get_mut(index).1
    }
}

/// A view into one key's place in an [`OpenMap`], from [`OpenMap::entry`].
pub enum Entry<'a, K, V> {
    /// The key is present.
    Occupied(OccupiedEntry<'a, K, V>),
    /// The key is absent.
    Vacant(VacantEntry<'a, K, V>),
}

/// A present key's entry.
pub struct OccupiedEntry<'a, K, V> {
    table: &'a mut RawTable<(K, V)>,
    index: usize,
}

/// An absent key's entry; the slot it would go in is already found.
pub struct VacantEntry<'a, K, V> {
    table: &'a mut RawTable<(K, V)>,
    hash: u64,
    slot: usize,
    key: K,
}

impl<'a, K, V> Entry<'a, K, V> {
    /// The value, inserting `default` if absent.
    pub fn or_insert(self, default: V) -> &'a mut V {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(default),
        }
    }

    /// The value, inserting `f()` if absent.
    pub fn or_insert_with(self, f: impl FnOnce() -> V) -> &'a mut V {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(f()),
        }
    }

    /// The value, inserting `f(&key)` if absent.
    pub fn or_insert_with_key(self, f: impl FnOnce(&K) -> V) -> &'a mut V {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let v = f(&e.key);
                e.insert(v)
            }
        }
    }

    /// The value, inserting `V::default()` if absent.
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    /// Applies `f` to the value if present.
    #[must_use]
    pub fn and_modify(mut self, f: impl FnOnce(&mut V)) -> Self {
        if let Entry::Occupied(e) = &mut self {
            f(e.get_mut());
        }
        self
    }

    /// The entry's key.
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(e) => e.key(),
            Entry::Vacant(e) => e.key(),
        }
    }
}

impl<'a, K, V> OccupiedEntry<'a, K, V> {
    /// The stored key.
    pub fn key(&self) -> &K {
        &self.table.get(self.index).0
    }

    /// The value.
    pub fn get(&self) -> &V {
        &self.table.get(self.index).1
    }

    /// The value, mutably.
    pub fn get_mut(&mut self) -> &mut V {
        &mut self.table.get_mut(self.index).1
    }

    /// The value, borrowed for the map's lifetime.
    pub fn into_mut(self) -> &'a mut V {
        &mut self.table.get_mut(self.index).1
    }

    /// Replaces the value, returning the old one.
    pub fn insert(&mut self, value: V) -> V {
        core::mem::replace(self.get_mut(), value)
    }

    /// Removes the entry, returning the value.
    pub fn remove(self) -> V {
        self.remove_entry().1
    }

    /// Removes the entry, returning key and value.
    pub fn remove_entry(self) -> (K, V) {
        self.table.remove(self.index)
    }
}

impl<'a, K, V> VacantEntry<'a, K, V> {
    /// The key that would be inserted.
    pub fn key(&self) -> &K {
        &self.key
    }

    /// Takes the key back.
    pub fn into_key(self) -> K {
        self.key
    }

    /// Inserts the value, returning a reference to it.
    pub fn insert(self, value: V) -> &'a mut V {
        let index = self
            .table
            .insert_in_slot(self.hash, self.slot, (self.key, value));
        &mut self.table.get_mut(index).1
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entry<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Occupied(e) => f
                .debug_struct("Occupied")
                .field("key", e.key())
                .field("value", e.get())
                .finish(),
            Entry::Vacant(e) => f.debug_struct("Vacant").field("key", e.key()).finish(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Iterators.

/// Iterator over `(&K, &V)`, from [`OpenMap::iter`].
pub struct Iter<'a, K, V> {
    table: &'a RawTable<(K, V)>,
    state: RawIterState,
}

impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Self {
            table: self.table,
            state: self.state.clone(),
        }
    }
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let index = self.state.next(self.table.ctrl_slice())?;
        // SAFETY: the index comes from an iterator state made for this table, which is
        // borrowed immutably for 'a, so the slot is still full.
        let (k, v) = unsafe { self.table.get_unchecked(index) };
        Some((k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.state.remaining(), Some(self.state.remaining()))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}
impl<K, V> FusedIterator for Iter<'_, K, V> {}

/// Iterator over `(&K, &mut V)`, from [`OpenMap::iter_mut`].
pub struct IterMut<'a, K, V> {
    ctrl: &'a [u8],
    /// Slot base of the table: slot `i` is `raw::slot_below(slots, i)`.
    slots: *mut (K, V),
    state: RawIterState,
    marker: PhantomData<&'a mut (K, V)>,
}

// SAFETY: behaves like `&'a mut [(K, V)]`'s `IterMut`.
unsafe impl<K: Send, V: Send> Send for IterMut<'_, K, V> {}
// SAFETY: as above.
unsafe impl<K: Sync, V: Sync> Sync for IterMut<'_, K, V> {}

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let index = self.state.next(self.ctrl)?;
        // SAFETY: the table is borrowed mutably for 'a and not otherwise touched; each full
        // slot index is yielded once, so the `&mut` references never alias; full slots are
        // initialised and in bounds.
        let (k, v) = unsafe { &mut *crate::raw::slot_below(self.slots, index) };
        Some((&*k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.state.remaining(), Some(self.state.remaining()))
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}
impl<K, V> FusedIterator for IterMut<'_, K, V> {}

projection! {
    /// Iterator over keys, from [`OpenMap::keys`].
    Keys['a, K, V](Iter<'a, K, V>) -> &'a K, |(k, _)| k
}

projection! {
    /// Iterator over values, from [`OpenMap::values`].
    Values['a, K, V](Iter<'a, K, V>) -> &'a V, |(_, v)| v
}

projection! {
    /// Iterator over mutable values, from [`OpenMap::values_mut`].
    ValuesMut['a, K, V](IterMut<'a, K, V>) -> &'a mut V, |(_, v)| v
}

/// Owning iterator, from [`OpenMap::into_iter`].
pub struct IntoIter<K, V> {
    table: RawTable<(K, V)>,
    state: RawIterState,
}

impl<K, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);
    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        // Items not taken are dropped by the table's own `Drop`.
        self.table.take_next(&mut self.state)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.state.remaining(), Some(self.state.remaining()))
    }
}
impl<K, V> ExactSizeIterator for IntoIter<K, V> {}
impl<K, V> FusedIterator for IntoIter<K, V> {}

/// Draining iterator, from [`OpenMap::drain`].
pub struct Drain<'a, K, V> {
    table: &'a mut RawTable<(K, V)>,
    state: RawIterState,
}

impl<K, V> Iterator for Drain<'_, K, V> {
    type Item = (K, V);
    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.table.take_next(&mut self.state)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.state.remaining(), Some(self.state.remaining()))
    }
}
impl<K, V> ExactSizeIterator for Drain<'_, K, V> {}
impl<K, V> FusedIterator for Drain<'_, K, V> {}

impl<K, V> Drop for Drain<'_, K, V> {
    fn drop(&mut self) {
        // Each item is unlinked before it is dropped, so a panicking `Drop` leaves the table
        // consistent (the rest stay owned by it).
        while let Some(item) = self.table.take_next(&mut self.state) {
            drop(item);
        }
        self.table.reset_after_drain();
    }
}

impl<K, V, S> IntoIterator for OpenMap<K, V, S> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;
    fn into_iter(self) -> IntoIter<K, V> {
        let state = RawIterState::new(&self.table);
        IntoIter {
            table: self.table,
            state,
        }
    }
}

map_traits!(OpenMap);

// ---------------------------------------------------------------------------------------------
// Standard traits.

impl<K: Clone, V: Clone, S: Clone> Clone for OpenMap<K, V, S> {
    fn clone(&self) -> Self {
        Self {
            table: self.table.clone(),
            hash_builder: self.hash_builder.clone(),
        }
    }
}

impl<K: Hash + Eq, V: PartialEq, S: BuildHasher> PartialEq for OpenMap<K, V, S> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(k, v)| other.get(k).is_some_and(|w| v == w))
    }
}

impl<K: Hash + Eq, V: Eq, S: BuildHasher> Eq for OpenMap<K, V, S> {}

impl<K: Hash + Eq, V, S: BuildHasher> Extend<(K, V)> for OpenMap<K, V, S> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        // Like hashbrown: reserve all when empty, half otherwise (duplicates are likely).
        let hint = iter.size_hint().0;
        self.reserve(if self.is_empty() {
            hint
        } else {
            hint.div_ceil(2)
        });
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<'a, K: Hash + Eq + Copy, V: Copy, S: BuildHasher> Extend<(&'a K, &'a V)> for OpenMap<K, V, S> {
    fn extend<I: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, iter: I) {
        self.extend(iter.into_iter().map(|(k, v)| (*k, *v)));
    }
}

impl<K: Hash + Eq, V, const N: usize> From<[(K, V); N]> for OpenMap<K, V> {
    fn from(arr: [(K, V); N]) -> Self {
        arr.into_iter().collect()
    }
}
