//! [`CompactDict`]: CPython 3.6+'s compact, insertion-ordered dict.

use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash};

use crate::lab::Probing;
use crate::map::DefaultHashBuilder;

/// An index word: `u8`, `u16`, `u32` or `u64`, with two sentinels at the top of its range.
trait Word: Copy + Eq {
    const EMPTY: Self;
    const DUMMY: Self;
    fn to_usize(self) -> usize;
    fn from_usize(i: usize) -> Self;
}

macro_rules! word {
    ($($t:ty),*) => {$(
        impl Word for $t {
            const EMPTY: Self = <$t>::MAX;
            const DUMMY: Self = <$t>::MAX - 1;
            #[inline]
            fn to_usize(self) -> usize { self as usize }
            #[inline]
            fn from_usize(i: usize) -> Self {
                debug_assert!(i < <$t>::MAX as usize - 1);
                i as $t
            }
        }
    )*};
}
word!(u8, u16, u32, u64);

/// The sparse index: slot → position in `entries`, as narrow as the table size allows
/// (CPython's `dk_indices`).
#[derive(Clone)]
enum Indices {
    None,
    U8(Box<[u8]>),
    U16(Box<[u16]>),
    U32(Box<[u32]>),
    U64(Box<[u64]>),
}

/// What a lookup found in the index.
enum Slot {
    Empty,
    Dummy,
    Entry(usize),
}

#[inline]
fn read<W: Word>(w: W) -> Slot {
    if w == W::EMPTY {
        Slot::Empty
    } else if w == W::DUMMY {
        Slot::Dummy
    } else {
        Slot::Entry(w.to_usize())
    }
}

macro_rules! with_indices {
    ($ix:expr, $s:ident => $body:expr, $none:expr) => {
        match $ix {
            Indices::None => $none,
            Indices::U8($s) => $body,
            Indices::U16($s) => $body,
            Indices::U32($s) => $body,
            Indices::U64($s) => $body,
        }
    };
}

impl Indices {
    /// An all-empty index of `slots` slots (a power of two), of the narrowest width that keeps
    /// every entry position (< 2/3 of `slots`) below the two sentinels.
    fn new(slots: usize) -> Self {
        if slots <= 1 << 8 {
            Indices::U8(vec![u8::EMPTY; slots].into_boxed_slice())
        } else if slots <= 1 << 16 {
            Indices::U16(vec![u16::EMPTY; slots].into_boxed_slice())
        } else if slots as u64 <= 1 << 32 {
            Indices::U32(vec![u32::EMPTY; slots].into_boxed_slice())
        } else {
            Indices::U64(vec![u64::EMPTY; slots].into_boxed_slice())
        }
    }

    fn len(&self) -> usize {
        with_indices!(self, s => s.len(), 0)
    }

    fn bytes(&self) -> usize {
        with_indices!(self, s => core::mem::size_of_val::<[_]>(s), 0)
    }

    fn width(&self) -> usize {
        with_indices!(self, s => core::mem::size_of_val(&s[0]), 0)
    }

    #[inline]
    fn get(&self, i: usize) -> Slot {
        with_indices!(self, s => read(s[i]), Slot::Empty)
    }

    #[inline]
    fn set(&mut self, i: usize, v: usize) {
        with_indices!(self, s => s[i] = Word::from_usize(v), ());
    }

    #[inline]
    fn set_dummy(&mut self, i: usize) {
        with_indices!(self, s => s[i] = Word::DUMMY, ());
    }

    /// Finds the slot of a key with `hash` for which `eq(entry index)` holds, or the first
    /// EMPTY slot (CPython inserts new keys only into EMPTY slots; dummies are purged on
    /// resize).
    #[inline]
    fn find(&self, hash: u64, eq: impl FnMut(usize) -> bool) -> Result<(usize, usize), usize> {
        #[inline]
        fn go<W: Word>(
            s: &[W],
            hash: u64,
            mut eq: impl FnMut(usize) -> bool,
        ) -> Result<(usize, usize), usize> {
            for i in Probing::CPython.sequence(hash, s.len() - 1) {
                match read(s[i]) {
                    Slot::Empty => return Err(i),
                    Slot::Dummy => {}
                    Slot::Entry(e) => {
                        if eq(e) {
                            return Ok((i, e));
                        }
                    }
                }
            }
            unreachable!("probe sequences are endless")
        }
        with_indices!(self, s => go(s, hash, eq), Err(usize::MAX))
    }
}

#[derive(Clone)]
struct Bucket<K, V> {
    key: K,
    value: V,
}

/// An insertion-ordered hash map in CPython's compact layout: a dense array of entries in
/// insertion order, and a sparse open-addressed index of 1-, 2-, 4- or 8-byte positions into
/// it, probed with CPython's perturbation and kept at most 2/3 full.
///
/// Iteration walks the dense entries (fast, ordered); `get_index(i)` is O(1). Removal by
/// [`CompactDict::swap_remove`] is O(1) (the last entry takes the hole; order changes) and by
/// [`CompactDict::shift_remove`] O(n) (order kept). A removed key leaves a dummy in the index
/// until the next rebuild, as in CPython.
///
/// # Memory usage
/// Each entry stores only its key and value (`size_of::<(K, V)>()` bytes) in a `Vec` that
/// grows by doubling; the index costs `w × slots` bytes, `slots` a power of two at most 2/3
/// used, `w` = 1, 2, 4 or 8 bytes for up to 2⁸, 2¹⁶, 2³² slots or more. Unlike CPython and
/// `indexmap`, entries do not cache their hash: that saves 8 bytes per entry, and costs a
/// rehash of every key when the index is rebuilt (and of the moved key in `swap_remove`).
/// See the memory bench and `docs/openhash.md` for figures next to `indexmap`'s.
///
/// # Example
/// ```
/// use hpds_openhash::CompactDict;
///
/// let mut d: CompactDict<&str, u32> = CompactDict::new();
/// d.insert("one", 1);
/// d.insert("two", 2);
/// d.insert("three", 3);
/// assert_eq!(d.keys().copied().collect::<Vec<_>>(), ["one", "two", "three"]);
/// assert_eq!(d.get_index(1), Some((&"two", &2)));
/// assert_eq!(d.shift_remove("one"), Some(1));
/// assert_eq!(d.get_index_of("three"), Some(1));
/// assert_eq!(d.index_width(), 1); // a small table uses 1-byte indices
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct CompactDict<K, V, S = DefaultHashBuilder> {
    indices: Indices,
    entries: Vec<Bucket<K, V>>,
    /// Dummy slots in the index (removed keys), reclaimed at the next rebuild.
    dummies: usize,
    hash_builder: S,
}

const MIN_SLOTS: usize = 8;

/// CPython's `USABLE_FRACTION`: at most 2/3 of the slots hold positions (or dummies).
#[inline]
fn usable(slots: usize) -> usize {
    (slots << 1) / 3
}

/// Slots for `n` entries: the smallest power of two whose usable fraction holds them.
fn slots_for(n: usize) -> usize {
    let mut slots = MIN_SLOTS;
    while usable(slots) < n {
        slots *= 2;
    }
    slots
}

impl<K, V> CompactDict<K, V, DefaultHashBuilder> {
    /// An empty dict; allocates nothing until the first insert.
    pub fn new() -> Self {
        Self::with_hasher(DefaultHashBuilder::new())
    }

    /// An empty dict with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, DefaultHashBuilder::new())
    }
}

impl<K, V, S> CompactDict<K, V, S> {
    /// An empty dict hashing with `hash_builder`.
    pub fn with_hasher(hash_builder: S) -> Self {
        Self {
            indices: Indices::None,
            entries: Vec::new(),
            dummies: 0,
            hash_builder,
        }
    }

    /// An empty dict with room for `capacity` entries, hashing with `hash_builder`.
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        if capacity == 0 {
            return Self::with_hasher(hash_builder);
        }
        Self {
            indices: Indices::new(slots_for(capacity)),
            entries: Vec::with_capacity(capacity),
            dummies: 0,
            hash_builder,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries held before the entry array reallocates.
    pub fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// Bytes per index slot: 1, 2, 4 or 8 (0 before the first allocation).
    pub fn index_width(&self) -> usize {
        self.indices.width()
    }

    /// Number of index slots.
    pub fn index_slots(&self) -> usize {
        self.indices.len()
    }

    /// Heap bytes of the index and entry arrays, not counting what keys and values own.
    pub fn table_bytes(&self) -> usize {
        self.indices.bytes() + self.entries.capacity() * core::mem::size_of::<Bucket<K, V>>()
    }

    /// The entry at insertion position `i`.
    pub fn get_index(&self, i: usize) -> Option<(&K, &V)> {
        self.entries.get(i).map(|b| (&b.key, &b.value))
    }

    /// The entry at position `i`, with a mutable value.
    pub fn get_index_mut(&mut self, i: usize) -> Option<(&K, &mut V)> {
        self.entries.get_mut(i).map(|b| (&b.key, &mut b.value))
    }

    /// The first entry inserted (and not removed).
    pub fn first(&self) -> Option<(&K, &V)> {
        self.get_index(0)
    }

    /// The last entry.
    pub fn last(&self) -> Option<(&K, &V)> {
        self.entries.last().map(|b| (&b.key, &b.value))
    }

    /// Iterates in insertion order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter(self.entries.iter())
    }

    /// Iterates in insertion order, values mutable.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut(self.entries.iter_mut())
    }

    /// Keys in insertion order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + '_ {
        self.entries.iter().map(|b| &b.key)
    }

    /// Values in insertion order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + '_ {
        self.entries.iter().map(|b| &b.value)
    }

    /// Mutable values in insertion order.
    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator + '_ {
        self.entries.iter_mut().map(|b| &mut b.value)
    }

    /// Removes every entry, keeping the entry array's allocation.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.indices = Indices::None;
        self.dummies = 0;
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> CompactDict<K, V, S> {
    /// Removes and returns the last entry. O(1).
    pub fn pop(&mut self) -> Option<(K, V)> {
        let hash = self.hash_builder.hash_one(&self.entries.last()?.key);
        let last = self.entries.len() - 1;
        let (slot, _) = self
            .indices
            .find(hash, |e| e == last)
            .unwrap_or_else(|_| unreachable!("every entry is indexed"));
        self.indices.set_dummy(slot);
        self.dummies += 1;
        self.entries.pop().map(|b| (b.key, b.value))
    }

    /// Rebuilds the index for the current entries at `slots` slots, dropping dummies.
    fn rebuild(&mut self, slots: usize) {
        let mut indices = Indices::new(slots);
        for (e, b) in self.entries.iter().enumerate() {
            let slot = indices
                .find(self.hash_builder.hash_one(&b.key), |_| false)
                .expect_err("no key matches in a rebuild");
            indices.set(slot, e);
        }
        self.indices = indices;
        self.dummies = 0;
    }

    #[inline]
    fn find<Q>(&self, key: &Q) -> Option<(usize, usize)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.entries.is_empty() {
            return None;
        }
        let hash = self.hash_builder.hash_one(key);
        self.indices
            .find(hash, |e| {
                let b = &self.entries[e];
                b.key.borrow() == key
            })
            .ok()
    }

    /// Reserves room for `additional` more entries (index and entry array).
    pub fn reserve(&mut self, additional: usize) {
        let need = self.entries.len() + additional;
        if need + self.dummies > usable(self.indices.len()) {
            self.rebuild(slots_for(need));
        }
        self.entries.reserve(additional);
    }

    /// Makes room for one more entry: rebuilds (doubling, or purging dummies) when the index
    /// is at its usable fraction.
    fn grow_for_one(&mut self) {
        let used = self.entries.len() + self.dummies;
        if used < usable(self.indices.len()) {
            return;
        }
        // Double (CPython grows to `used * 3` slots, which costs more memory); when dummies
        // fill much of the index, rebuild at the size the live entries need.
        let live = slots_for(self.entries.len() + 1);
        let slots = if self.dummies > self.entries.len() / 2 {
            live
        } else {
            live.max(self.indices.len() * 2)
        };
        self.rebuild(slots);
    }

    /// Inserts `key → value`; an existing key keeps its position and gets the new value
    /// (returning the old one). Amortised O(1).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.insert_full(key, value).1
    }

    /// [`CompactDict::insert`], also returning the entry's position.
    pub fn insert_full(&mut self, key: K, value: V) -> (usize, Option<V>) {
        let hash = self.hash_builder.hash_one(&key);
        match self.find_or_slot(hash, |k| *k == key) {
            Ok(e) => (
                e,
                Some(core::mem::replace(&mut self.entries[e].value, value)),
            ),
            Err(slot) => (self.push_at(slot, key, value), None),
        }
    }

    /// Inserts a key given by reference, converting it to owned only if it is new (for `&str`
    /// tokens into a `CompactDict<String, _>`). Returns the position and the old value.
    ///
    /// # Example
    /// ```
    /// use hpds_openhash::CompactDict;
    /// let mut d: CompactDict<String, ()> = CompactDict::new();
    /// for tok in "to be or not to be".split(' ') {
    ///     d.insert_ref(tok, ());
    /// }
    /// assert_eq!(d.keys().map(String::as_str).collect::<Vec<_>>(), ["to", "be", "or", "not"]);
    /// ```
    pub fn insert_ref<Q>(&mut self, key: &Q, value: V) -> (usize, Option<V>)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let hash = self.hash_builder.hash_one(key);
        match self.find_or_slot(hash, |k| k.borrow() == key) {
            Ok(e) => (
                e,
                Some(core::mem::replace(&mut self.entries[e].value, value)),
            ),
            Err(slot) => (self.push_at(slot, key.to_owned(), value), None),
        }
    }

    /// After making room for one more: `Ok(position)` of the key, or `Err(slot)` to use.
    fn find_or_slot(&mut self, hash: u64, eq: impl Fn(&K) -> bool) -> Result<usize, usize> {
        self.grow_for_one();
        let entries = &self.entries;
        self.indices
            .find(hash, |e| eq(&entries[e].key))
            .map(|(_, e)| e)
    }

    fn push_at(&mut self, slot: usize, key: K, value: V) -> usize {
        let e = self.entries.len();
        self.entries.push(Bucket { key, value });
        self.indices.set(slot, e);
        e
    }

    /// The value for `key`.
    #[inline]
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find(key).map(|(_, e)| &self.entries[e].value)
    }

    /// The value for `key`, mutably.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (_, e) = self.find(key)?;
        Some(&mut self.entries[e].value)
    }

    /// The stored key and value.
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (_, e) = self.find(key)?;
        self.get_index(e)
    }

    /// Position, key and value.
    pub fn get_full<Q>(&self, key: &Q) -> Option<(usize, &K, &V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (_, e) = self.find(key)?;
        let b = &self.entries[e];
        Some((e, &b.key, &b.value))
    }

    /// The insertion position of `key`.
    pub fn get_index_of<Q>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find(key).map(|(_, e)| e)
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

    /// Finds `key` and turns its index slot into a dummy, for a removal: the position of its
    /// entry, which is still in `entries`.
    fn unindex<Q>(&mut self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (slot, e) = self.find(key)?;
        self.indices.set_dummy(slot);
        self.dummies += 1;
        Some(e)
    }

    /// Removes `key` in O(1) by moving the last entry into its place (which changes that
    /// entry's position).
    pub fn swap_remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.swap_remove_full(key).map(|(_, _, v)| v)
    }

    /// [`CompactDict::swap_remove`], returning position, key and value.
    pub fn swap_remove_full<Q>(&mut self, key: &Q) -> Option<(usize, K, V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let e = self.unindex(key)?;
        let last = self.entries.len() - 1;
        if e != last {
            let moved_hash = self.hash_builder.hash_one(&self.entries[last].key);
            let (moved_slot, _) = self
                .indices
                .find(moved_hash, |x| x == last)
                .unwrap_or_else(|_| unreachable!("every entry is indexed"));
            self.indices.set(moved_slot, e);
        }
        let b = self.entries.swap_remove(e);
        Some((e, b.key, b.value))
    }

    /// Removes `key` keeping the order of the rest: O(n), every later position shifts down.
    pub fn shift_remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.shift_remove_full(key).map(|(_, _, v)| v)
    }

    /// [`CompactDict::shift_remove`], returning position, key and value.
    pub fn shift_remove_full<Q>(&mut self, key: &Q) -> Option<(usize, K, V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let e = self.unindex(key)?;
        let b = self.entries.remove(e);
        for i in 0..self.indices.len() {
            if let Slot::Entry(x) = self.indices.get(i) {
                if x > e {
                    self.indices.set(i, x - 1);
                }
            }
        }
        Some((e, b.key, b.value))
    }

    /// Keeps the entries for which `f` returns true, in order; rebuilds the index once.
    pub fn retain(&mut self, mut f: impl FnMut(&K, &mut V) -> bool) {
        let before = self.entries.len();
        self.entries.retain_mut(|b| f(&b.key, &mut b.value));
        if self.entries.len() != before {
            let slots = self.indices.len();
            self.rebuild(slots);
        }
    }

    /// Shrinks the index and entry array to fit the entries.
    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
        if self.entries.is_empty() {
            self.indices = Indices::None;
            self.dummies = 0;
        } else {
            self.rebuild(slots_for(self.entries.len()));
        }
    }
}

/// Iterator over `(&K, &V)` in insertion order.
pub struct Iter<'a, K, V>(core::slice::Iter<'a, Bucket<K, V>>);

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|b| (&b.key, &b.value))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}
impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|b| (&b.key, &b.value))
    }
}
impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

/// Iterator over `(&K, &mut V)` in insertion order.
pub struct IterMut<'a, K, V>(core::slice::IterMut<'a, Bucket<K, V>>);

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|b| (&b.key, &mut b.value))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}
impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}

/// Owning iterator in insertion order.
pub struct IntoIter<K, V>(std::vec::IntoIter<Bucket<K, V>>);

impl<K, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);
    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        self.0.next().map(|b| (b.key, b.value))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}
impl<K, V> ExactSizeIterator for IntoIter<K, V> {}

impl<K, V, S> IntoIterator for CompactDict<K, V, S> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;
    fn into_iter(self) -> IntoIter<K, V> {
        IntoIter(self.entries.into_iter())
    }
}

/// Equal when they hold the same entries in the same order (like `Vec` of pairs).
impl<K: PartialEq, V: PartialEq, S> PartialEq for CompactDict<K, V, S> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<K: Eq, V: Eq, S> Eq for CompactDict<K, V, S> {}

impl<K: Hash + Eq, V, S: BuildHasher> Extend<(K, V)> for CompactDict<K, V, S> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.reserve(iter.size_hint().0);
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

map_traits!(CompactDict);
