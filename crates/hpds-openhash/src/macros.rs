//! Code the map, set and dict types share in shape: iterator projections and the standard
//! traits that only forward to inherent methods.

/// An iterator that maps every item of an inner iterator with a pattern (keys out of pairs,
/// say), keeping its exact size: `projection!(Doc Name['a, K, V](Inner<'a, K, V>) -> Item, |pat| expr)`.
macro_rules! projection {
    (
        $(#[$attr:meta])*
        $name:ident [$($gen:tt)*] ($inner:ty) -> $item:ty, |$arg:pat_param| $out:expr
    ) => {
        $(#[$attr])*
        pub struct $name<$($gen)*>($inner);

        impl<$($gen)*> Iterator for $name<$($gen)*> {
            type Item = $item;
            #[inline]
            fn next(&mut self) -> Option<$item> {
                self.0.next().map(|$arg| $out)
            }
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.0.size_hint()
            }
        }
        impl<$($gen)*> ExactSizeIterator for $name<$($gen)*> {}
        impl<$($gen)*> ::core::iter::FusedIterator for $name<$($gen)*> {}
    };
}

/// The standard traits a key-value table gets from its inherent `iter`, `iter_mut`, `get`,
/// `with_hasher`, `table_bytes` and its `Extend` impl: `IntoIterator` for references,
/// `Default`, `Debug`, `Index`, `FromIterator` and `HeapSize` (the table plus what keys and
/// values own, so the figure matches a counting allocator).
macro_rules! map_traits {
    ($map:ident) => {
        impl<'a, K, V, S> IntoIterator for &'a $map<K, V, S> {
            type Item = (&'a K, &'a V);
            type IntoIter = Iter<'a, K, V>;
            fn into_iter(self) -> Iter<'a, K, V> {
                self.iter()
            }
        }

        impl<'a, K, V, S> IntoIterator for &'a mut $map<K, V, S> {
            type Item = (&'a K, &'a mut V);
            type IntoIter = IterMut<'a, K, V>;
            fn into_iter(self) -> IterMut<'a, K, V> {
                self.iter_mut()
            }
        }

        impl<K, V, S: Default> Default for $map<K, V, S> {
            fn default() -> Self {
                Self::with_hasher(S::default())
            }
        }

        impl<K: ::core::fmt::Debug, V: ::core::fmt::Debug, S> ::core::fmt::Debug for $map<K, V, S> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_map().entries(self.iter()).finish()
            }
        }

        impl<K, Q, V, S> ::core::ops::Index<&Q> for $map<K, V, S>
        where
            K: ::core::hash::Hash + Eq + ::core::borrow::Borrow<Q>,
            Q: ::core::hash::Hash + Eq + ?Sized,
            S: ::core::hash::BuildHasher,
        {
            type Output = V;

            /// # Panics
            /// When the key is absent.
            fn index(&self, key: &Q) -> &V {
                self.get(key)
                    .expect(concat!("key not in ", stringify!($map)))
            }
        }

        impl<K: ::core::hash::Hash + Eq, V, S: ::core::hash::BuildHasher + Default>
            FromIterator<(K, V)> for $map<K, V, S>
        {
            fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
                let mut map = Self::default();
                map.extend(iter);
                map
            }
        }

        impl<K: ::hpds_core::HeapSize, V: ::hpds_core::HeapSize, S> ::hpds_core::HeapSize
            for $map<K, V, S>
        {
            fn heap_bytes(&self) -> usize {
                self.table_bytes()
                    + self
                        .iter()
                        .map(|(k, v)| k.heap_bytes() + v.heap_bytes())
                        .sum::<usize>()
            }
        }
    };
}
