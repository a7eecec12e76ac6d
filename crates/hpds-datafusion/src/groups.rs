//! The `GROUP BY` accumulator of the distinct-counting aggregates: no box and no struct per
//! group. A HyperLogLog++ group keeps its values as 32-bit tokens in one arena shared by all
//! groups ([`TokenLists`]) and becomes a sketch only when it outgrows its list; other
//! groups (UltraLogLog, KMV, unions) hold a sketch from their first value.

use std::mem::size_of;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, BinaryArray, BooleanArray, UInt64Array};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::common::Result;
use datafusion::logical_expr::{EmitTo, GroupsAccumulator};
use hpds_core::HeapSize;
use hpds_core::hash::DEFAULT_SEED;

use crate::aggregate::{Role, finish, merge_bytes};
use crate::args::for_each_binary;
use crate::input::{Hash64, for_each_selected, hash_rows, selection};
use crate::sketch::{BULK_RUN, Sketch, canonical_bytes, decode, merge_error};
use crate::tokens::{State, TokenLists};

/// The groups' sketches (those that have one), by index, with their measured heap bytes.
struct Sketches<S: Sketch> {
    slots: Vec<Option<S>>,
    /// The bulk form a sketch's inserts go to, if it has switched: the sketch is that plus
    /// itself, and gets it folded back before anything else reads or changes it.
    bulk: Vec<Option<S::Bulk>>,
    /// Indices of `None` slots, for reuse.
    free: Vec<usize>,
    /// Each sketch's heap bytes when last measured, and their sum: `size` must be `O(1)`.
    sizes: Vec<u32>,
    heap: usize,
    /// Sketches changed since the last measure, and a flag per sketch for that list.
    touched: Vec<usize>,
    marked: Vec<bool>,
}

impl<S: Sketch> Sketches<S> {
    fn new() -> Self {
        Self {
            slots: Vec::new(),
            bulk: Vec::new(),
            free: Vec::new(),
            sizes: Vec::new(),
            heap: 0,
            touched: Vec::new(),
            marked: Vec::new(),
        }
    }

    /// Stores a sketch; its index.
    fn add(&mut self, sketch: S) -> usize {
        let i = if let Some(i) = self.free.pop() {
            self.slots[i] = Some(sketch);
            i
        } else {
            self.slots.push(Some(sketch));
            self.bulk.push(None);
            self.sizes.push(0);
            self.marked.push(false);
            self.slots.len() - 1
        };
        self.touch(i);
        i
    }

    #[inline]
    fn touch(&mut self, i: usize) {
        if !self.marked[i] {
            self.marked[i] = true;
            self.touched.push(i);
        }
    }

    /// Sketch `i`, its bulk form folded in.
    #[inline]
    fn get(&mut self, i: usize) -> &mut S {
        self.touch(i);
        let sketch = self.slots[i].as_mut().expect("a group's sketch");
        if let Some(bulk) = self.bulk[i].take() {
            sketch.fold_bulk(&bulk);
        }
        sketch
    }

    /// Adds a row's hash to sketch `i` (to its bulk form if it has switched).
    #[inline]
    fn insert_hash(&mut self, i: usize, hash: u64) {
        if let Some(bulk) = &mut self.bulk[i] {
            S::bulk_insert_one(bulk, hash);
        } else {
            self.get(i).insert_hash(hash);
        }
    }

    /// Adds consecutive rows' hashes to sketch `i`: to its bulk form if it has one or the run
    /// is long enough to switch to it.
    fn insert_hashes(&mut self, i: usize, hashes: &[u64]) {
        self.touch(i);
        if self.bulk[i].is_none() && hashes.len() >= BULK_RUN {
            self.bulk[i] = self.slots[i].as_ref().and_then(Sketch::bulk);
        }
        match &mut self.bulk[i] {
            Some(bulk) => S::bulk_insert(bulk, hashes),
            None => self.get(i).insert_hashes(hashes),
        }
    }

    /// Re-measures the sketches changed since the last call.
    fn remeasure(&mut self) {
        for &i in &self.touched {
            self.marked[i] = false;
            let now = self.slots[i].as_ref().map_or(0, HeapSize::heap_bytes)
                + self.bulk[i].as_ref().map_or(0, HeapSize::heap_bytes);
            let now = u32::try_from(now).unwrap_or(u32::MAX);
            self.heap = self.heap + now as usize - self.sizes[i] as usize;
            self.sizes[i] = now;
        }
        self.touched.clear();
    }

    /// Removes sketch `i`.
    fn take(&mut self, i: usize) -> S {
        self.get(i);
        self.heap -= self.sizes[i] as usize;
        self.sizes[i] = 0;
        self.free.push(i);
        self.slots[i].take().expect("a group's sketch")
    }

    /// Forgets every sketch, freeing their memory (after all groups are emitted).
    fn clear(&mut self) {
        *self = Self::new();
    }

    fn heap_bytes(&self) -> usize {
        self.slots.capacity() * size_of::<Option<S>>()
            + self.bulk.capacity() * size_of::<Option<S::Bulk>>()
            + self.free.capacity() * size_of::<usize>()
            + self.sizes.capacity() * size_of::<u32>()
            + self.touched.capacity() * size_of::<usize>()
            + self.marked.capacity()
            + self.heap
    }
}

/// How many of the first `indices` are `group`: sixteen at a time (an OR of differences, which
/// the compiler vectorizes), then one at a time.
fn run_len(indices: &[usize], group: usize) -> usize {
    let mut n = 0;
    for sixteen in indices.chunks_exact(16) {
        if sixteen.iter().fold(0, |any, &g| any | (g ^ group)) != 0 {
            break;
        }
        n += 16;
    }
    n + indices[n..].iter().take_while(|&&g| g == group).count()
}

/// A group's sketch (`None`: no value), taken from `sketches` or built from its tokens.
fn take_sketch<S: Sketch>(
    proto: &S,
    sketches: &mut Sketches<S>,
    state: State,
    tokens: &[u32],
) -> Option<S> {
    match state {
        State::Empty => None,
        State::Sketch(i) => Some(sketches.take(i)),
        State::Tokens => {
            let mut s = proto.clone();
            s.insert_tokens(tokens);
            Some(s)
        }
    }
}

/// The accumulator of every group of a `GROUP BY`.
pub(crate) struct SketchGroups<S: Sketch> {
    function: &'static str,
    role: Role,
    /// The empty sketch with the call's parameter.
    proto: S,
    lists: TokenLists,
    sketches: Sketches<S>,
    hashes: Vec<u64>,
    /// The tokens of a state being merged.
    scratch: Vec<u32>,
}

impl<S: Sketch> SketchGroups<S> {
    pub(crate) fn new(function: &'static str, role: Role, mut proto: S) -> Self {
        // Every output is canonical (states, sketches, estimates), so the groups' sketches
        // start canonical and skip insert-only bookkeeping (HyperLogLog++'s HIP estimate).
        proto.canonicalize();
        // Unions take the parameters of the sketches they read, which tokens do not carry.
        let limit = if role == Role::Union {
            0
        } else {
            proto.token_limit()
        };
        Self {
            function,
            role,
            proto,
            lists: TokenLists::new(limit),
            sketches: Sketches::new(),
            hashes: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// The sketch of `group`, made from its tokens (or empty) if it has none yet.
    fn sketch_of(&mut self, group: usize) -> &mut S {
        let i = if let State::Sketch(i) = self.lists.state(group) {
            i
        } else {
            let mut s = self.proto.clone();
            s.insert_tokens(self.lists.tokens(group));
            let i = self.sketches.add(s);
            self.lists.set_sketch(group, i);
            i
        };
        self.sketches.get(i)
    }

    /// Adds a row's hash to its group.
    #[inline]
    fn insert_hash(&mut self, group: usize, hash: u64) {
        match self.lists.state(group) {
            State::Sketch(i) => self.sketches.insert_hash(i, hash),
            _ if self.lists.enabled() && self.lists.push(group, S::token(hash)) => {}
            _ => self.sketch_of(group).insert_hash(hash),
        }
    }

    /// Adds hashes of consecutive rows of one group: as one slice once the group is a sketch.
    #[inline]
    fn insert_run(&mut self, group: usize, hashes: &[u64]) {
        let mut rest = hashes;
        while let Some((&h, tail)) = rest.split_first() {
            if let State::Sketch(i) = self.lists.state(group) {
                self.sketches.insert_hashes(i, rest);
                return;
            }
            self.insert_hash(group, h);
            rest = tail;
        }
    }

    /// Folds a sketch's bytes into a group: as tokens, read straight from the bytes, while
    /// the sketch lists them with the group's parameters (into the group's list, or its
    /// sketch: the group's sketches are canonical, so inserting is merging), else as a sketch.
    fn merge_into(&mut self, group: usize, bytes: &[u8]) -> Result<()> {
        if !self.lists.enabled() {
            return self.merge_sketch(group, bytes);
        }
        let mut tokens = std::mem::take(&mut self.scratch);
        tokens.clear();
        let result = if self.proto.read_tokens(bytes, &mut tokens) {
            match self.lists.state(group) {
                State::Sketch(i) => self.sketches.get(i).insert_tokens(&tokens),
                _ => self.push_tokens(group, &tokens),
            }
            Ok(())
        } else {
            self.merge_sketch(group, bytes)
        };
        self.scratch = tokens;
        result
    }

    /// Adds tokens to a group that has no sketch: to its list, and to its sketch from the
    /// first token the list refuses.
    fn push_tokens(&mut self, group: usize, tokens: &[u32]) {
        for (k, &t) in tokens.iter().enumerate() {
            if !self.lists.push(group, t) {
                self.sketch_of(group).insert_tokens(&tokens[k..]);
                return;
            }
        }
    }

    /// Folds a sketch's bytes into a group's sketch (the decoded sketch itself if the group
    /// has no value yet).
    fn merge_sketch(&mut self, group: usize, bytes: &[u8]) -> Result<()> {
        if self.lists.state(group) == State::Empty {
            let mut slot = None;
            merge_bytes(self.function, &mut slot, bytes)?;
            if let Some(s) = slot {
                let i = self.sketches.add(s);
                self.lists.set_sketch(group, i);
            }
            return Ok(());
        }
        let function = self.function;
        let other: S = decode(function, S::NAME, bytes)?;
        self.sketch_of(group)
            .merge_from(&other)
            .map_err(|e| merge_error(function, &e))
    }

    /// The estimate of each group `emit_to` asks for, in order (0: no value), removing them.
    /// A token-list group's estimate comes from its tokens without building its sketch when
    /// the sketch can give it so.
    fn estimates(&mut self, emit_to: EmitTo) -> Vec<u64> {
        let mut estimates = Vec::new();
        self.emit_raw(emit_to, |proto, sketches, state, tokens| {
            if state == State::Tokens
                && let Some(e) = proto.estimate_tokens(tokens)
            {
                estimates.push(e.round() as u64);
                return;
            }
            let s = take_sketch(proto, sketches, state, tokens);
            estimates.push(match finish(Role::Distinct, proto, s) {
                datafusion::common::ScalarValue::UInt64(Some(v)) => v,
                _ => 0,
            });
        });
        estimates
    }

    /// Calls `f` with the state and tokens of each group `emit_to` asks for, in order, and
    /// removes them.
    fn emit_raw(
        &mut self,
        emit_to: EmitTo,
        mut f: impl FnMut(&S, &mut Sketches<S>, State, &mut [u32]),
    ) {
        let n = match emit_to {
            EmitTo::All => self.lists.len(),
            EmitTo::First(n) => n.min(self.lists.len()),
        };
        let (proto, sketches) = (&self.proto, &mut self.sketches);
        let _ = self.lists.emit(n, |state, tokens| {
            f(proto, sketches, state, tokens);
            Ok::<(), ()>(())
        });
        if self.lists.len() == 0 {
            self.sketches.clear();
        }
    }

    /// The groups' output bytes (`None`: NULL, or `empty` if given) as one binary array: the
    /// canonical bytes, or partial states (`partial`) in the sketch's state form. A
    /// token-list group's bytes come from its tokens without building its sketch when the
    /// sketch can give them so.
    fn binary(&mut self, emit_to: EmitTo, empty: Option<&[u8]>, partial: bool) -> BinaryArray {
        let mut values = Vec::new();
        let mut offsets = vec![0i32];
        let mut valid = Vec::new();
        self.emit_raw(emit_to, |proto, sketches, state, tokens| {
            let from_tokens = state == State::Tokens
                && if partial {
                    proto.append_token_state_bytes(tokens, &mut values)
                } else {
                    proto.append_token_bytes(tokens, &mut values)
                };
            let present = if from_tokens {
                true
            } else {
                match (take_sketch(proto, sketches, state, tokens), empty) {
                    (Some(mut s), _) if partial => {
                        s.append_state_bytes(&mut values);
                        true
                    }
                    (Some(mut s), _) => {
                        s.canonicalize();
                        s.append_bytes(&mut values);
                        true
                    }
                    (None, Some(e)) => {
                        values.extend_from_slice(e);
                        true
                    }
                    (None, None) => false,
                }
            };
            valid.push(present);
            offsets.push(i32::try_from(values.len()).expect("a state column under 2 GiB"));
        });
        let nulls = NullBuffer::from(valid);
        BinaryArray::new(
            OffsetBuffer::new(offsets.into()),
            values.into(),
            (nulls.null_count() > 0).then_some(nulls),
        )
    }
}

impl<S: Sketch> GroupsAccumulator for SketchGroups<S> {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.lists.resize(total_num_groups);
        let array = &values[0];
        let sel = selection(array, opt_filter);
        let result = if self.role == Role::Union {
            for_each_binary(self.function, array, |i, bytes| {
                if sel.as_ref().is_none_or(|s| s.is_valid(i)) {
                    self.merge_sketch(group_indices[i], bytes)?;
                }
                Ok(())
            })
        } else {
            let mut hashes = std::mem::take(&mut self.hashes);
            let result = hash_rows(self.function, array, Hash64(DEFAULT_SEED), &mut hashes)
                .and_then(|()| {
                    if sel.is_none() {
                        // Every row counts: runs of rows of one group go in as slices.
                        let mut start = 0;
                        while let Some(&group) = group_indices.get(start) {
                            let len = run_len(&group_indices[start..], group);
                            self.insert_run(group, &hashes[start..start + len]);
                            start += len;
                        }
                        return Ok(());
                    }
                    for_each_selected(array.len(), sel.as_ref(), |i| {
                        self.insert_hash(group_indices[i], hashes[i]);
                        Ok(())
                    })
                });
            self.hashes = hashes;
            result
        };
        self.sketches.remeasure();
        result
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.lists.resize(total_num_groups);
        let result = for_each_binary(self.function, &values[0], |i, bytes| {
            self.merge_into(group_indices[i], bytes)
        });
        self.sketches.remeasure();
        result
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        if self.role == Role::Distinct {
            return Ok(Arc::new(UInt64Array::from(self.estimates(emit_to))));
        }
        let empty = (self.role == Role::Build).then(|| canonical_bytes(&mut self.proto.clone()));
        Ok(Arc::new(self.binary(emit_to, empty.as_deref(), false)))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![Arc::new(self.binary(emit_to, None, true))])
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        crate::aggregate::convert_to_state(
            self.function,
            self.role,
            &self.proto,
            values,
            opt_filter,
        )
    }

    fn size(&self) -> usize {
        self.lists.heap_bytes()
            + self.sketches.heap_bytes()
            + self.hashes.capacity() * size_of::<u64>()
            + self.scratch.capacity() * size_of::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{AsArray, Int64Array};
    use hpds_core::ByteCodec;
    use hpds_core::hash::mix64;
    use hpds_loglog::HyperLogLogPlusPlus;

    use super::*;

    /// Partial states leave in the sketch's state form (HyperLogLog++: plain sparse lists,
    /// from token lists and from sparse sketches alike), and the final phase merging them
    /// gives the Rust API's canonical sketches, byte for byte: a token-list group, a group
    /// that stays sparse, one that ends dense.
    #[test]
    fn plain_partial_states_merge_to_the_rust_sketches() {
        let proto = HyperLogLogPlusPlus::new(14).unwrap();
        let sizes = [100u64, 1000, 2500];
        let mut rust = vec![proto.clone(); sizes.len()];
        let mut finals = SketchGroups::new("hll_sketch", Role::Build, proto.clone());
        for part in 0..3u64 {
            let mut partial = SketchGroups::new("hll_sketch", Role::Build, proto.clone());
            let (mut groups, mut values) = (Vec::new(), Vec::new());
            for (g, &n) in sizes.iter().enumerate() {
                for i in 0..n {
                    let v = mix64(((g as u64) << 40) ^ (part << 32) ^ i) as i64;
                    groups.push(g);
                    values.push(v);
                    rust[g].insert(&v);
                }
            }
            let values: ArrayRef = Arc::new(Int64Array::from(values));
            partial
                .update_batch(&[values], &groups, None, sizes.len())
                .unwrap();
            let state = partial.state(EmitTo::All).unwrap();
            let states = state[0].as_binary::<i32>();
            for (g, &n) in sizes.iter().enumerate() {
                let bytes = states.value(g);
                let mut canonical = HyperLogLogPlusPlus::from_bytes(bytes).unwrap();
                assert!(canonical.is_sparse());
                canonical.canonicalize();
                // Four bytes an entry: not the Rice-coded canonical bytes.
                assert!(bytes.len() > 4 * n as usize, "group {g}, part {part}");
                assert!(bytes.len() > canonical.to_bytes().len(), "group {g}");
            }
            finals.merge_batch(&state, &[0, 1, 2], sizes.len()).unwrap();
        }
        let out = finals.evaluate(EmitTo::All).unwrap();
        let out = out.as_binary::<i32>();
        for (g, mut r) in rust.into_iter().enumerate() {
            r.canonicalize();
            assert_eq!(r.is_sparse(), g < 2, "group {g}");
            assert_eq!(out.value(g), r.to_bytes(), "group {g}");
        }
    }
}
