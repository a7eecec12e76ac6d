//! The parallel build behind every sketch's `par_extend`.

use hpds_core::Item;
use rayon::iter::{IntoParallelIterator, ParallelIterator};

/// Builds a sketch of `items` in parallel: each rayon task copies `empty`, adds its share of
/// the items' hashes (with `seed`) through `insert`, and the copies are folded together with
/// `merge`. The result is `empty` plus every item, as a sequential build's registers would be.
pub(crate) fn par_build<S, I>(
    items: I,
    seed: u64,
    empty: &S,
    insert: impl Fn(&mut S, u64) + Sync + Send,
    merge: impl Fn(&mut S, &S) + Sync + Send,
) -> S
where
    S: Clone + Send + Sync,
    I: IntoParallelIterator,
    I::Item: Item,
{
    items
        .into_par_iter()
        .fold(
            || empty.clone(),
            |mut s, item| {
                insert(&mut s, item.stable_hash(seed));
                s
            },
        )
        .reduce(
            || empty.clone(),
            |mut a, b| {
                merge(&mut a, &b);
                a
            },
        )
}
