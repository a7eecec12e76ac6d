//! [`OpenSet`]: the set over [`OpenMap`]'s table.

use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

use hpds_core::{Error, HeapSize};

use crate::map::{self, DefaultHashBuilder, OpenMap};

/// An open-addressed hash set: an [`OpenMap`] with `()` values (which take no space).
///
/// # Memory usage
/// `size_of::<T>() + 1` bytes per slot plus 16; slots are a power of two, loaded between 7/16
/// and 7/8. [`HeapSize::heap_bytes`] also counts what the elements own (a `String`'s buffer).
///
/// # Example
/// ```
/// use hpds_openhash::OpenSet;
/// use hpds_core::HeapSize;
///
/// let mut words: OpenSet<String> = OpenSet::new();
/// for tok in "a rose is a rose is a rose".split(' ') {
///     words.insert_ref(tok); // allocates a String only for new words
/// }
/// assert_eq!(words.len(), 3);
/// assert!(words.contains("rose"));
/// assert!(words.heap_bytes() >= words.table_bytes() + "a".len() + "rose".len() + "is".len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct OpenSet<T, S = DefaultHashBuilder> {
    map: OpenMap<T, (), S>,
}

impl<T> OpenSet<T, DefaultHashBuilder> {
    /// An empty set; allocates nothing until the first insert.
    pub fn new() -> Self {
        Self {
            map: OpenMap::new(),
        }
    }

    /// An empty set that holds `capacity` elements without growing.
    ///
    /// # Panics
    /// When the capacity overflows (see [`OpenSet::try_with_capacity`]).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            map: OpenMap::with_capacity(capacity),
        }
    }

    /// [`OpenSet::with_capacity`] that reports an impossible capacity instead of panicking.
    pub fn try_with_capacity(capacity: usize) -> Result<Self, Error> {
        Ok(Self {
            map: OpenMap::try_with_capacity(capacity)?,
        })
    }
}

impl<T, S> OpenSet<T, S> {
    /// An empty set hashing with `hash_builder`.
    pub fn with_hasher(hash_builder: S) -> Self {
        Self {
            map: OpenMap::with_hasher(hash_builder),
        }
    }

    /// An empty set with room for `capacity` elements, hashing with `hash_builder`.
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        Self {
            map: OpenMap::with_capacity_and_hasher(capacity, hash_builder),
        }
    }

    /// The hasher.
    pub fn hasher(&self) -> &S {
        self.map.hasher()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Elements held before the next reallocation.
    pub fn capacity(&self) -> usize {
        self.map.capacity()
    }

    /// Heap bytes of the table alone (not what elements own).
    pub fn table_bytes(&self) -> usize {
        self.map.table_bytes()
    }

    /// Removes every element, keeping the allocation.
    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// Iterates over the elements (arbitrary order).
    pub fn iter(&self) -> Iter<'_, T> {
        Iter(self.map.keys())
    }

    /// Removes and yields every element, keeping the allocation.
    pub fn drain(&mut self) -> Drain<'_, T> {
        Drain(self.map.drain())
    }

    /// Keeps the elements for which `f` returns true.
    pub fn retain(&mut self, mut f: impl FnMut(&T) -> bool) {
        self.map.retain(|k, ()| f(k));
    }
}

impl<T: Hash + Eq, S: BuildHasher> OpenSet<T, S> {
    /// Adds `value`; returns whether it was new (an equal element already present is kept).
    #[inline]
    pub fn insert(&mut self, value: T) -> bool {
        self.map.insert(value, ()).is_none()
    }

    /// Adds an element given by reference, converting it to owned only if it is new: feeds
    /// `&str` tokens to an `OpenSet<String>` with one allocation per distinct token.
    #[inline]
    pub fn insert_ref<Q>(&mut self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = T> + ?Sized,
    {
        let before = self.map.len();
        self.map.get_or_insert_ref(value, ());
        self.map.len() != before
    }

    /// Whether `value` is present.
    #[inline]
    pub fn contains<Q>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.contains_key(value)
    }

    /// The stored element equal to `value`.
    pub fn get<Q>(&self, value: &Q) -> Option<&T>
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get_key_value(value).map(|(k, ())| k)
    }

    /// Removes `value`; returns whether it was present.
    #[inline]
    pub fn remove<Q>(&mut self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.remove(value).is_some()
    }

    /// Removes and returns the stored element equal to `value`.
    pub fn take<Q>(&mut self, value: &Q) -> Option<T>
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.remove_entry(value).map(|(k, ())| k)
    }

    /// Reserves room for `additional` more elements.
    pub fn reserve(&mut self, additional: usize) {
        self.map.reserve(additional);
    }

    /// Reserves room for `additional` more elements, or reports why it cannot.
    ///
    /// # Errors
    /// As [`OpenMap::try_reserve`].
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), Error> {
        self.map.try_reserve(additional)
    }

    /// Shrinks the table as far as the elements allow.
    pub fn shrink_to_fit(&mut self) {
        self.map.shrink_to_fit();
    }

    /// Whether every element of `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.len() <= other.len() && self.iter().all(|v| other.contains(v))
    }
}

projection! {
    /// Iterator over `&T`, from [`OpenSet::iter`].
    Iter['a, T](map::Keys<'a, T, ()>) -> &'a T, |k| k
}

projection! {
    /// Owning iterator, from [`OpenSet::into_iter`].
    IntoIter[T](map::IntoIter<T, ()>) -> T, |(k, ())| k
}

projection! {
    /// Draining iterator, from [`OpenSet::drain`].
    Drain['a, T](map::Drain<'a, T, ()>) -> T, |(k, ())| k
}

impl<T, S> IntoIterator for OpenSet<T, S> {
    type Item = T;
    type IntoIter = IntoIter<T>;
    fn into_iter(self) -> IntoIter<T> {
        IntoIter(self.map.into_iter())
    }
}

impl<'a, T, S> IntoIterator for &'a OpenSet<T, S> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T, S: Default> Default for OpenSet<T, S> {
    fn default() -> Self {
        Self {
            map: OpenMap::default(),
        }
    }
}

impl<T: Clone, S: Clone> Clone for OpenSet<T, S> {
    fn clone(&self) -> Self {
        Self {
            map: self.map.clone(),
        }
    }
}

impl<T: fmt::Debug, S> fmt::Debug for OpenSet<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Hash + Eq, S: BuildHasher> PartialEq for OpenSet<T, S> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.is_subset(other)
    }
}

impl<T: Hash + Eq, S: BuildHasher> Eq for OpenSet<T, S> {}

impl<T: Hash + Eq, S: BuildHasher> Extend<T> for OpenSet<T, S> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.map.extend(iter.into_iter().map(|t| (t, ())));
    }
}

impl<'a, T: Hash + Eq + Copy + 'a, S: BuildHasher> Extend<&'a T> for OpenSet<T, S> {
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        self.extend(iter.into_iter().copied());
    }
}

impl<T: Hash + Eq, S: BuildHasher + Default> FromIterator<T> for OpenSet<T, S> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::default();
        set.extend(iter);
        set
    }
}

impl<T: Hash + Eq, const N: usize> From<[T; N]> for OpenSet<T> {
    fn from(arr: [T; N]) -> Self {
        arr.into_iter().collect()
    }
}

/// The table's allocation plus what the elements own (a `String`'s capacity), matching a
/// counting allocator.
impl<T: HeapSize, S> HeapSize for OpenSet<T, S> {
    fn heap_bytes(&self) -> usize {
        self.map.heap_bytes()
    }
}
