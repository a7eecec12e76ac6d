//! The entry points the classic, blocked and scalable filters share, written once over one
//! trait: items, pre-hashed values and batches.
//!
//! A filter says how an item or a 64-bit hash becomes the key it probes with, how to prefetch
//! a key's cache lines, and how to insert and test a key ([`Probe`]); [`entry_points!`] then
//! writes its public `insert`, `contains`, `insert_hash`, `contains_hash`, `insert_many`,
//! `contains_many` and `count_contained`, and the batched bodies below are shared.

use hpds_core::Item;

/// Most items a batched operation hashes ahead of the one it applies.
const MAX_AHEAD: usize = 32;

/// How a filter probes: the one trait behind every filter's entry points.
pub(crate) trait Probe {
    /// An item's hash in the form the filter probes with (computed once per operation).
    type Key: Copy + Default;
    /// How many items ahead of the one it applies a batched operation hashes and prefetches
    /// (at most 32).
    const AHEAD: usize;
    /// The key of an item (the stable seeded hash).
    fn key_of_item<T: Item + ?Sized>(&self, item: &T) -> Self::Key;
    /// The key of a pre-computed 64-bit hash.
    fn key_of_hash(&self, hash: u64) -> Self::Key;
    /// Asks for the cache lines the key's operations will touch (a hint).
    fn prefetch(&self, key: Self::Key);
    /// Sets the key's bits; whether they were all set before.
    fn insert_key(&mut self, key: Self::Key) -> bool;
    /// Whether the key's bits are all set.
    fn contains_key(&self, key: Self::Key) -> bool;
}

/// Calls `apply(ctx, locate(ctx, item))` for every item in order, but evaluates `locate`
/// `ahead` items early (at most [`MAX_AHEAD`]), so that a `locate` that prefetches the item's
/// cache lines has that many items' worth of work to hide each miss behind.
#[inline]
pub(crate) fn pipeline<C: ?Sized, T, S: Copy + Default>(
    ctx: &mut C,
    items: &[T],
    ahead: usize,
    locate: impl Fn(&C, &T) -> S,
    mut apply: impl FnMut(&mut C, S),
) {
    let d = ahead.clamp(1, MAX_AHEAD);
    let mut ring = [S::default(); MAX_AHEAD];
    for (slot, item) in ring[..d].iter_mut().zip(items) {
        *slot = locate(ctx, item);
    }
    for i in 0..items.len() {
        let slot = &mut ring[i % d];
        let s = *slot;
        if let Some(next) = items.get(i + d) {
            *slot = locate(ctx, next);
        }
        apply(ctx, s);
    }
}

#[inline(always)]
fn locate<F: Probe, T: Item>(f: &F, item: &T) -> F::Key {
    let key = f.key_of_item(item);
    f.prefetch(key);
    key
}

/// The batched insert: how many items were not (probably) present when inserted.
#[inline]
pub(crate) fn insert_many<F: Probe, T: Item>(f: &mut F, items: &[T]) -> usize {
    let mut new = 0;
    pipeline(f, items, F::AHEAD, locate, |f, key| {
        new += usize::from(!f.insert_key(key));
    });
    new
}

/// The batched query: clears `out`, then pushes one answer per item, in order.
#[inline]
pub(crate) fn contains_many<F: Probe, T: Item>(f: &F, items: &[T], out: &mut Vec<bool>) {
    out.clear();
    out.reserve(items.len());
    pipeline(
        &mut &*f,
        items,
        F::AHEAD,
        |f, t| locate(*f, t),
        |f, key| out.push(f.contains_key(key)),
    );
}

/// The batched count: how many items are (probably) present.
#[inline]
pub(crate) fn count_contained<F: Probe, T: Item>(f: &F, items: &[T]) -> usize {
    let mut found = 0;
    pipeline(
        &mut &*f,
        items,
        F::AHEAD,
        |f, t| locate(*f, t),
        |f, key| found += usize::from(f.contains_key(key)),
    );
    found
}

/// The public entry points of a filter implementing [`Probe`], inside its `impl` block:
/// `insert`, `contains`, `insert_hash`, `contains_hash`, `insert_many`, `contains_many` and
/// `count_contained`. `$ty` names the type in the examples.
macro_rules! entry_points {
    ($ty:ident) => {
        /// Adds an item; returns `true` if it was (probably) present already.
        #[inline]
        pub fn insert<T: hpds_core::Item + ?Sized>(&mut self, item: &T) -> bool {
            let key = $crate::ops::Probe::key_of_item(self, item);
            $crate::ops::Probe::insert_key(self, key)
        }

        /// Whether the item is (probably) present: never `false` for an inserted item.
        #[inline]
        pub fn contains<T: hpds_core::Item + ?Sized>(&self, item: &T) -> bool {
            $crate::ops::Probe::contains_key(self, $crate::ops::Probe::key_of_item(self, item))
        }

        /// Adds an item given by a 64-bit hash you computed (see the crate docs, *Hashing*, for
        /// what each filter does with it). Do not mix with [`insert`](Self::insert) on one
        /// filter.
        #[inline]
        pub fn insert_hash(&mut self, hash: u64) -> bool {
            let key = $crate::ops::Probe::key_of_hash(self, hash);
            $crate::ops::Probe::insert_key(self, key)
        }

        /// Whether an item given by its 64-bit hash is (probably) present.
        #[inline]
        pub fn contains_hash(&self, hash: u64) -> bool {
            $crate::ops::Probe::contains_key(self, $crate::ops::Probe::key_of_hash(self, hash))
        }

        /// Inserts every item of `items`, in order, with exactly the effect of calling
        /// [`insert`](Self::insert) on each, and returns how many were not (probably) present
        /// when inserted (the number of `insert` calls that would have returned `false`: a
        /// distinct count of the stream).
        ///
        /// Faster than the loop of `insert`s once the filter outgrows the cache: it hashes each
        /// item several items before applying it and prefetches its cache lines then, so the
        /// misses of many items overlap (`docs/bloom.md`, *Batched operations*).
        ///
        /// # Example
        /// ```
        #[doc = concat!("let mut f = hpds_bloom::", stringify!($ty), "::new(1_000, 0.01)?;")]
        /// assert_eq!(f.insert_many(&["a", "b", "a", "c"]), 3);
        /// assert!(f.contains("c"));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn insert_many<T: hpds_core::Item>(&mut self, items: &[T]) -> usize {
            $crate::ops::insert_many(self, items)
        }

        /// Whether each item of `items` is (probably) present, in order: `out` is cleared and
        /// then receives what [`contains`](Self::contains) would return for each item. Batched
        /// like [`insert_many`](Self::insert_many).
        ///
        /// # Example
        /// ```
        #[doc = concat!("let mut f = hpds_bloom::", stringify!($ty), "::new(1_000, 0.01)?;")]
        /// f.insert_many(&[1u64, 2]);
        /// let mut found = Vec::new();
        /// f.contains_many(&[1u64, 2], &mut found);
        /// assert_eq!(found, [true, true]);
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn contains_many<T: hpds_core::Item>(&self, items: &[T], out: &mut Vec<bool>) {
            $crate::ops::contains_many(self, items, out);
        }

        /// How many items of `items` are (probably) present: the number of `true`s
        /// [`contains_many`](Self::contains_many) would give, without the vector.
        ///
        /// # Example
        /// ```
        #[doc = concat!("let mut f = hpds_bloom::", stringify!($ty), "::new(1_000, 0.01)?;")]
        /// f.insert_many(&["x", "y"]);
        /// assert_eq!(f.count_contained(&["x", "y"]), 2);
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn count_contained<T: hpds_core::Item>(&self, items: &[T]) -> usize {
            $crate::ops::count_contained(self, items)
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `pipeline` applies every item once, in order, with the value `locate` gave it, and never
    /// locates an item more than `ahead` items before applying it.
    #[test]
    fn pipeline_applies_in_order_with_bounded_lookahead() {
        for ahead in [1, 4, 32] {
            for n in 0..=40usize {
                let items: Vec<usize> = (0..n).collect();
                let mut located = std::cell::RefCell::new(Vec::new());
                let mut applied = 0usize;
                pipeline(
                    &mut located,
                    &items,
                    ahead,
                    |l, &item| {
                        l.borrow_mut().push(item);
                        item * 10
                    },
                    |l, s| {
                        assert_eq!(s, applied * 10);
                        assert_eq!(l.get_mut().len(), (applied + ahead + 1).min(n));
                        applied += 1;
                    },
                );
                assert_eq!(applied, n);
                assert_eq!(located.into_inner(), items);
            }
        }
    }
}
