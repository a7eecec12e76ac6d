//! Where each group of a `GROUP BY` keeps its state: a list of 32-bit sketch tokens in one
//! flat arena shared by every group (an offset and a length per group, no allocation and no
//! struct per group), or the index of a real sketch once the group outgrows its list.
//!
//! A list occupies the power of two at or above its length, at least [`MIN_CAP`]. When a full list gets another
//! token it is sorted and deduplicated in place, and moved to a list twice its size only if
//! still full; a list of `limit` distinct tokens is full for good and its group becomes a
//! sketch. Moved and released lists leave garbage: free regions, kept by size (powers of two)
//! and reused first, and compacted away (lists slid down in arena order) when the arena would
//! otherwise grow and a quarter of it is garbage.

use std::mem::size_of;

/// A group's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// No value yet.
    Empty,
    /// Tokens in the arena.
    Tokens,
    /// The sketch of this index.
    Sketch(usize),
}

/// A group's list (`len` tokens at `start`), or its sketch's index in `start` if `len` is
/// [`SKETCH`].
#[derive(Clone, Copy, Default)]
struct Slot {
    start: u32,
    len: u32,
}

const SKETCH: u32 = u32::MAX;

/// The arena words of the smallest list: most groups of a `GROUP BY` over many groups get a
/// few rows per batch, so lists of one or two words would be moved at once.
const MIN_CAP: usize = 4;

/// The arena words a list of `len` tokens occupies.
#[inline]
fn cap_of(len: usize) -> usize {
    if len == 0 {
        0
    } else {
        len.next_power_of_two().max(MIN_CAP)
    }
}

/// Every group's token list or sketch index.
pub(crate) struct TokenLists {
    slots: Vec<Slot>,
    words: Vec<u32>,
    /// Arena words no list occupies.
    garbage: usize,
    /// Starts of free regions of the arena by size: `free[c]` holds regions of `2^c` words.
    free: Vec<Vec<u32>>,
    /// Distinct tokens at which a list is full for good (a power of two, or 0: no lists).
    limit: usize,
}

impl TokenLists {
    /// Lists of up to `limit` distinct tokens (rounded down to a power of two, at least
    /// [`MIN_CAP`]; 0: none).
    pub(crate) fn new(limit: usize) -> Self {
        let limit = if limit == 0 {
            0
        } else {
            (1 << limit.ilog2()).max(MIN_CAP)
        };
        Self {
            slots: Vec::new(),
            words: Vec::new(),
            garbage: 0,
            free: Vec::new(),
            limit: limit.min(1 << 30),
        }
    }

    /// Whether groups keep token lists at all.
    pub(crate) fn enabled(&self) -> bool {
        self.limit > 0
    }

    /// Makes room for `groups` groups (new ones empty).
    pub(crate) fn resize(&mut self, groups: usize) {
        if self.slots.len() < groups {
            self.slots.resize(groups, Slot::default());
        }
    }

    #[inline]
    pub(crate) fn state(&self, group: usize) -> State {
        match self.slots[group] {
            Slot { len: 0, .. } => State::Empty,
            Slot { len: SKETCH, start } => State::Sketch(start as usize),
            _ => State::Tokens,
        }
    }

    /// The group's tokens (empty unless its state is [`State::Tokens`]); unsorted, and
    /// possibly repeated.
    pub(crate) fn tokens(&self, group: usize) -> &[u32] {
        match self.slots[group] {
            Slot { len: SKETCH, .. } => &[],
            Slot { start, len } => &self.words[start as usize..][..len as usize],
        }
    }

    /// Adds a token to a group that has no sketch. `false` if the list is full for good (it
    /// holds `limit` distinct tokens, or the arena is at its `u32` limit): the token was not
    /// added and the caller turns the group into a sketch.
    #[inline]
    pub(crate) fn push(&mut self, group: usize, token: u32) -> bool {
        let Slot { start, len } = self.slots[group];
        debug_assert_ne!(len, SKETCH, "push to a group that has a sketch");
        let (start, len) = (start as usize, len as usize);
        if len == 0 {
            let Some(at) = self.alloc(MIN_CAP) else {
                return false;
            };
            self.words[at] = token;
            self.slots[group] = Slot {
                start: at as u32,
                len: 1,
            };
            return true;
        }
        if self.words[start + len - 1] == token {
            return true;
        }
        let len = if len == cap_of(len) {
            match self.make_room(group) {
                Some(len) => len,
                None => return false,
            }
        } else {
            len
        };
        let start = self.slots[group].start as usize;
        self.words[start + len] = token;
        self.slots[group].len = len as u32 + 1;
        true
    }

    /// A full list: deduplicates it and, if still full, moves it to a list twice its size.
    /// The list's new length (room for one more token), or `None` if it is full for good.
    #[cold]
    fn make_room(&mut self, group: usize) -> Option<usize> {
        let Slot { start, len } = self.slots[group];
        let (start, len) = (start as usize, len as usize);
        let list = &mut self.words[start..start + len];
        list.sort_unstable();
        let mut kept = 1;
        for i in 1..len {
            if list[i] != list[kept - 1] {
                list[kept] = list[i];
                kept += 1;
            }
        }
        // The list keeps the capacity of its new length; the rest of the old (regions of
        // that capacity, twice it, ... up to half the old) is free.
        let mut size = cap_of(kept);
        while size < len {
            self.release(start + size, size);
            size *= 2;
        }
        self.slots[group].len = kept as u32;
        if kept < cap_of(kept) {
            return Some(kept);
        }
        if kept >= self.limit {
            return None;
        }
        // `alloc` may compact, which moves this list: read its start afterwards.
        let at = self.alloc(2 * kept)?;
        let from = self.slots[group].start as usize;
        self.words.copy_within(from..from + kept, at);
        self.release(from, kept);
        self.slots[group].start = at as u32;
        Some(kept)
    }

    /// Turns a group into the sketch `index`, releasing its list. Once three quarters of the
    /// arena are garbage (groups that became sketches leave theirs behind), the lists are
    /// compacted and the arena shrunk to them.
    pub(crate) fn set_sketch(&mut self, group: usize, index: usize) {
        let Slot { start, len } = self.slots[group];
        if len != SKETCH {
            self.release(start as usize, cap_of(len as usize));
        }
        self.slots[group] = Slot {
            start: u32::try_from(index).expect("fewer than 2^32 sketches"),
            len: SKETCH,
        };
        if self.words.len() >= 1024 && 4 * self.garbage >= 3 * self.words.len() {
            self.compact();
            self.words.shrink_to_fit();
        }
    }

    /// Frees the region of `words` arena words (a power of two, or 0) at `start`.
    fn release(&mut self, start: usize, words: usize) {
        if words == 0 {
            return;
        }
        self.garbage += words;
        let class = words.trailing_zeros() as usize;
        if self.free.len() <= class {
            self.free.resize_with(class + 1, Vec::new);
        }
        self.free[class].push(start as u32);
    }

    /// `words` arena words (a power of two): a free region of that size, else at the end of
    /// the arena, compacting first if the arena would grow and a quarter of it is garbage.
    /// `None` past the arena's `u32` offsets.
    fn alloc(&mut self, words: usize) -> Option<usize> {
        debug_assert!(words.is_power_of_two());
        if let Some(at) = self
            .free
            .get_mut(words.trailing_zeros() as usize)
            .and_then(Vec::pop)
        {
            self.garbage -= words;
            return Some(at as usize);
        }
        if self.words.capacity() - self.words.len() < words {
            if self.garbage > 0 && 4 * self.garbage >= self.words.len() {
                self.compact();
            }
            if self.words.capacity() - self.words.len() < words {
                // Half again, not double: the arena is most of the accumulator's memory.
                self.words
                    .reserve_exact((self.words.len() / 2).max(words).max(1024));
            }
        }
        let at = self.words.len();
        if at + words > u32::MAX as usize {
            return None;
        }
        self.words.resize(at + words, 0);
        Some(at)
    }

    /// Slides every list down over the garbage, keeping arena order.
    fn compact(&mut self) {
        let mut order: Vec<(u32, u32)> = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.len != 0 && s.len != SKETCH)
            .map(|(g, s)| (s.start, g as u32))
            .collect();
        order.sort_unstable();
        let mut to = 0;
        for (from, group) in order {
            let slot = &mut self.slots[group as usize];
            let len = slot.len as usize;
            self.words
                .copy_within(from as usize..from as usize + len, to);
            slot.start = to as u32;
            to += cap_of(len);
        }
        self.words.truncate(to);
        self.garbage = 0;
        self.free.clear();
    }

    /// Calls `f` with the state and tokens of each of the first `n` groups, in order (`f`
    /// may reorder the tokens: they are dropped next), then removes them (all groups: the
    /// arena's memory is freed).
    pub(crate) fn emit<E>(
        &mut self,
        n: usize,
        mut f: impl FnMut(State, &mut [u32]) -> Result<(), E>,
    ) -> Result<(), E> {
        for g in 0..n {
            let state = self.state(g);
            let tokens = match self.slots[g] {
                Slot { len: SKETCH, .. } => &mut [],
                Slot { start, len } => &mut self.words[start as usize..][..len as usize],
            };
            f(state, tokens)?;
        }
        if n >= self.slots.len() {
            *self = Self {
                limit: self.limit,
                ..Self::new(0)
            };
        } else {
            for g in 0..n {
                let Slot { start, len } = self.slots[g];
                if len != SKETCH {
                    self.release(start as usize, cap_of(len as usize));
                }
            }
            self.slots.drain(..n);
        }
        Ok(())
    }

    /// The groups in the table.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Heap bytes: slots, arena and free regions.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.slots.capacity() * size_of::<Slot>()
            + self.words.capacity() * size_of::<u32>()
            + self.free.capacity() * size_of::<Vec<u32>>()
            + self
                .free
                .iter()
                .map(|f| f.capacity() * size_of::<u32>())
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Against a model (a set per group): random pushes to many groups through growth,
    /// deduplication, compaction and lists that fill up for good, then a partial emit.
    #[test]
    fn lists_hold_each_groups_distinct_tokens() {
        let groups = 300;
        let mut lists = TokenLists::new(64);
        let mut model: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); groups];
        let mut full = vec![false; groups];
        lists.resize(groups);
        let mut x = 1u64;
        for step in 0..60_000u64 {
            x = hpds_core::hash::mix64(x ^ step);
            // Group sizes from a few tokens to past the limit; tokens repeat.
            let g = (x % groups as u64) as usize;
            let token = ((x >> 32) % (1 + g as u64 / 2)) as u32;
            if full[g] {
                continue;
            }
            if lists.push(g, token) {
                model[g].insert(token);
            } else {
                // Full for good: 64 distinct tokens (the refused one may be one of them).
                assert_eq!(model[g].len(), 64, "group {g} full before the limit");
                full[g] = true;
                lists.set_sketch(g, g);
            }
        }
        assert!(full.iter().any(|&f| f) && full.iter().any(|&f| !f));
        // Garbage is exactly the free regions, which no list overlaps.
        let free: usize = lists
            .free
            .iter()
            .enumerate()
            .map(|(c, f)| f.len() << c)
            .sum();
        assert_eq!(lists.garbage, free);
        let mut owner = vec![false; lists.words.len()];
        let live = (0..groups).filter(|&g| lists.state(g) == State::Tokens);
        let lists_regions = live.map(|g| {
            (
                lists.slots[g].start as usize,
                cap_of(lists.slots[g].len as usize),
            )
        });
        let free_regions = lists
            .free
            .iter()
            .enumerate()
            .flat_map(|(c, f)| f.iter().map(move |&at| (at as usize, 1 << c)));
        for (at, words) in lists_regions.chain(free_regions) {
            for w in &mut owner[at..at + words] {
                assert!(!*w, "regions overlap at {at}");
                *w = true;
            }
        }
        // Groups that became sketches left no more than three quarters of the arena behind.
        assert!(4 * lists.garbage < 3 * lists.words.len().max(1024));
        // `lists` holds the groups from `first` on.
        let check = |lists: &TokenLists, first: usize| {
            for g in first..groups {
                let got: BTreeSet<u32> = lists.tokens(g - first).iter().copied().collect();
                if full[g] {
                    assert_eq!(lists.state(g - first), State::Sketch(g));
                } else {
                    assert_eq!(got, model[g], "group {g}");
                    let state = if model[g].is_empty() {
                        State::Empty
                    } else {
                        State::Tokens
                    };
                    assert_eq!(lists.state(g - first), state);
                }
            }
        };
        check(&lists, 0);
        lists.compact();
        check(&lists, 0);
        let mut seen = 0;
        lists
            .emit(100, |_, _| {
                seen += 1;
                Ok::<(), ()>(())
            })
            .unwrap();
        assert_eq!((seen, lists.len()), (100, groups - 100));
        check(&lists, 100);
        lists.emit(lists.len(), |_, _| Ok::<(), ()>(())).unwrap();
        assert_eq!((lists.len(), lists.heap_bytes()), (0, 0));
    }
}
