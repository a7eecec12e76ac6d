//! The distinct-counting aggregates: `*_sketch` (values to a sketch), `*_union` (sketches to
//! their union) and `approx_distinct_hll` (values to an estimate), for HyperLogLog++,
//! UltraLogLog and KMV.

use std::mem::size_of;

use datafusion::arrow::array::{ArrayRef, BinaryBuilder, BooleanArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
};
use hpds_core::hash::DEFAULT_SEED;
use hpds_kmv::Kmv;
use hpds_loglog::{HyperLogLogPlusPlus, UltraLogLog};

use crate::args::{
    check_count, coerce_int_param, coerce_sketch_type, constant_int, for_each_binary, param_error,
};
use crate::input::{Hash64, coerce_value_type, for_each_selected, hash_rows, selection};
use crate::sketch::{Sketch, canonical_bytes, decode, merge_error};
use std::sync::Arc;

/// Which structure an aggregate builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Family {
    /// HyperLogLog++ (hpds-loglog).
    Hll,
    /// UltraLogLog (hpds-loglog).
    Ull,
    /// K-Minimum-Values (hpds-kmv).
    Kmv,
}

/// What an aggregate does with its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Role {
    /// Values (and an optional parameter) to a sketch.
    Build,
    /// Sketches to the sketch of their union.
    Union,
    /// Values to the estimated number of distinct values.
    Distinct,
}

/// One distinct-counting aggregate.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct SketchUdaf {
    name: &'static str,
    family: Family,
    role: Role,
    signature: Signature,
}

impl SketchUdaf {
    pub(crate) fn new(name: &'static str, family: Family, role: Role) -> Self {
        Self {
            name,
            family,
            role,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    fn param_name(&self) -> &'static str {
        match self.family {
            Family::Hll | Family::Ull => "p",
            Family::Kmv => "k",
        }
    }

    /// The accumulator's set-up: the checked parameter's empty sketch.
    fn prototype<S: Sketch>(&self, args: &AccumulatorArgs<'_>) -> Result<S> {
        let param = match (self.role, args.exprs.get(1)) {
            (Role::Build | Role::Distinct, Some(expr)) => constant_int(self.name, S::PARAM, expr)?,
            _ => S::DEFAULT_PARAM,
        };
        S::with_param(param).map_err(|e| param_error(self.name, &e))
    }

    fn accumulator_of<S: Sketch>(&self, args: &AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SketchAccumulator {
            function: self.name,
            role: self.role,
            proto: self.prototype::<S>(args)?,
            sketch: None,
            hashes: Vec::new(),
        }))
    }

    fn groups_accumulator_of<S: Sketch>(
        &self,
        args: &AccumulatorArgs<'_>,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(SketchGroups {
            function: self.name,
            role: self.role,
            proto: self.prototype::<S>(args)?,
            groups: Vec::new(),
            sizes: Vec::new(),
            heap: 0,
            touched: Vec::new(),
            marked: Vec::new(),
            hashes: Vec::new(),
        }))
    }
}

impl AggregateUDFImpl for SketchUdaf {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match self.role {
            Role::Build | Role::Distinct => {
                let usage = format!("(expr [, {}])", self.param_name());
                check_count(self.name, &usage, arg_types.len(), &[1, 2])?;
                let mut out = vec![coerce_value_type(self.name, &arg_types[0])?];
                if let Some(param) = arg_types.get(1) {
                    out.push(coerce_int_param(self.name, self.param_name(), param)?);
                }
                Ok(out)
            }
            Role::Union => {
                check_count(self.name, "one argument (a sketch)", arg_types.len(), &[1])?;
                Ok(vec![coerce_sketch_type(self.name, &arg_types[0])?])
            }
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.role {
            Role::Build | Role::Union => DataType::Binary,
            Role::Distinct => DataType::UInt64,
        })
    }

    fn is_nullable(&self) -> bool {
        self.role != Role::Distinct
    }

    fn default_value(&self, data_type: &DataType) -> Result<ScalarValue> {
        match self.role {
            Role::Distinct => Ok(ScalarValue::UInt64(Some(0))),
            _ => ScalarValue::try_from(data_type),
        }
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "sketch"),
            DataType::Binary,
            true,
        ))])
    }

    fn accumulator(&self, args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        match self.family {
            Family::Hll => self.accumulator_of::<HyperLogLogPlusPlus>(&args),
            Family::Ull => self.accumulator_of::<UltraLogLog>(&args),
            Family::Kmv => self.accumulator_of::<Kmv>(&args),
        }
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs<'_>) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs<'_>,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        match self.family {
            Family::Hll => self.groups_accumulator_of::<HyperLogLogPlusPlus>(&args),
            Family::Ull => self.groups_accumulator_of::<UltraLogLog>(&args),
            Family::Kmv => self.groups_accumulator_of::<Kmv>(&args),
        }
    }
}

/// Decodes `bytes` and folds it into `slot` (which takes it as it is when empty).
fn merge_bytes<S: Sketch>(function: &str, slot: &mut Option<S>, bytes: &[u8]) -> Result<()> {
    let other: S = decode(function, S::NAME, bytes)?;
    match slot {
        None => *slot = Some(other),
        Some(s) => s.merge_from(&other).map_err(|e| merge_error(function, &e))?,
    }
    Ok(())
}

/// The output of a group: its canonical sketch's bytes (an empty sketch if it saw no values),
/// the union (NULL if it saw no sketches), or the estimate.
fn finish<S: Sketch>(role: Role, proto: &S, sketch: Option<S>) -> ScalarValue {
    match (role, sketch) {
        (Role::Build, s) => {
            ScalarValue::Binary(Some(canonical_bytes(&mut s.unwrap_or_else(|| proto.clone()))))
        }
        (Role::Union, s) => ScalarValue::Binary(s.map(|mut s| canonical_bytes(&mut s))),
        (Role::Distinct, s) => ScalarValue::UInt64(Some(s.map_or(0, |mut s| {
            s.canonicalize();
            s.estimate().round() as u64
        }))),
    }
}

/// The accumulator of one group (no `GROUP BY`, or window frames).
#[derive(Debug)]
struct SketchAccumulator<S> {
    function: &'static str,
    role: Role,
    /// The empty sketch with the call's parameter.
    proto: S,
    /// `None` until a value (or sketch) arrives.
    sketch: Option<S>,
    hashes: Vec<u64>,
}

impl<S: Sketch> Accumulator for SketchAccumulator<S> {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let array = &values[0];
        if self.role == Role::Union {
            return for_each_binary(self.function, array, |_, bytes| {
                merge_bytes(self.function, &mut self.sketch, bytes)
            });
        }
        hash_rows(self.function, array, Hash64(DEFAULT_SEED), &mut self.hashes)?;
        let sel = selection(array, None);
        let (hashes, proto, sketch) = (&self.hashes, &self.proto, &mut self.sketch);
        for_each_selected(array.len(), sel.as_ref(), |i| {
            sketch
                .get_or_insert_with(|| proto.clone())
                .insert_hash(hashes[i]);
            Ok(())
        })
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for_each_binary(self.function, &states[0], |_, bytes| {
            merge_bytes(self.function, &mut self.sketch, bytes)
        })
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(
            self.sketch.as_mut().map(canonical_bytes),
        )])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(finish(self.role, &self.proto, self.sketch.clone()))
    }

    fn size(&self) -> usize {
        size_of::<Self>()
            + self.proto.heap_bytes()
            + self.sketch.as_ref().map_or(0, hpds_core::HeapSize::heap_bytes)
            + self.hashes.capacity() * size_of::<u64>()
    }
}

/// The accumulator of every group of a `GROUP BY`: one `Option<S>` per group in a `Vec` (no
/// box per group; a group's sketch is created by its first value, so HyperLogLog++ and
/// UltraLogLog groups start sparse and small groups stay small).
struct SketchGroups<S> {
    function: &'static str,
    role: Role,
    proto: S,
    groups: Vec<Option<S>>,
    /// Each group's heap bytes when last measured, and their sum: `size` must be `O(1)`.
    sizes: Vec<u32>,
    heap: usize,
    /// Groups changed by the current batch, and a flag per group for that list.
    touched: Vec<usize>,
    marked: Vec<bool>,
    hashes: Vec<u64>,
}

impl<S: Sketch> SketchGroups<S> {
    fn ensure(&mut self, total_num_groups: usize) {
        if self.groups.len() < total_num_groups {
            self.groups.resize_with(total_num_groups, || None);
            self.sizes.resize(total_num_groups, 0);
            self.marked.resize(total_num_groups, false);
        }
    }

    #[inline]
    fn touch(touched: &mut Vec<usize>, marked: &mut [bool], group: usize) {
        if !marked[group] {
            marked[group] = true;
            touched.push(group);
        }
    }

    /// Re-measures the groups the batch changed.
    fn remeasure(&mut self) {
        for &g in &self.touched {
            self.marked[g] = false;
            let now = self.groups[g]
                .as_ref()
                .map_or(0, hpds_core::HeapSize::heap_bytes);
            let now = u32::try_from(now).unwrap_or(u32::MAX);
            self.heap = self.heap + now as usize - self.sizes[g] as usize;
            self.sizes[g] = now;
        }
        self.touched.clear();
    }

    /// Removes the groups `emit_to` asks for, with their memory.
    fn take(&mut self, emit_to: EmitTo) -> Vec<Option<S>> {
        let taken = emit_to.take_needed(&mut self.groups);
        let sizes = emit_to.take_needed(&mut self.sizes);
        let _ = emit_to.take_needed(&mut self.marked);
        self.heap -= sizes.iter().map(|&s| s as usize).sum::<usize>();
        taken
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
        self.ensure(total_num_groups);
        let array = &values[0];
        let sel = selection(array, opt_filter);
        let function = self.function;
        if self.role == Role::Union {
            let (groups, touched, marked) = (&mut self.groups, &mut self.touched, &mut self.marked);
            let result = for_each_binary(function, array, |i, bytes| {
                if sel.as_ref().is_none_or(|s| s.is_valid(i)) {
                    let g = group_indices[i];
                    Self::touch(touched, marked, g);
                    merge_bytes(function, &mut groups[g], bytes)?;
                }
                Ok(())
            });
            self.remeasure();
            return result;
        }
        hash_rows(function, array, Hash64(DEFAULT_SEED), &mut self.hashes)?;
        let (groups, touched, marked, hashes, proto) = (
            &mut self.groups,
            &mut self.touched,
            &mut self.marked,
            &self.hashes,
            &self.proto,
        );
        for_each_selected(array.len(), sel.as_ref(), |i| {
            let g = group_indices[i];
            Self::touch(touched, marked, g);
            groups[g]
                .get_or_insert_with(|| proto.clone())
                .insert_hash(hashes[i]);
            Ok(())
        })?;
        self.remeasure();
        Ok(())
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.ensure(total_num_groups);
        let function = self.function;
        let (groups, touched, marked) = (&mut self.groups, &mut self.touched, &mut self.marked);
        let result = for_each_binary(function, &values[0], |i, bytes| {
            let g = group_indices[i];
            Self::touch(touched, marked, g);
            merge_bytes(function, &mut groups[g], bytes)
        });
        self.remeasure();
        result
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let groups = self.take(emit_to);
        if self.role == Role::Distinct {
            let estimates: UInt64Array = groups
                .into_iter()
                .map(|s| match finish(Role::Distinct, &self.proto, s) {
                    ScalarValue::UInt64(v) => v,
                    _ => Some(0),
                })
                .collect();
            return Ok(Arc::new(estimates));
        }
        let empty = canonical_bytes(&mut self.proto.clone());
        let mut out = BinaryBuilder::new();
        for group in groups {
            match (group, self.role) {
                (Some(mut s), _) => out.append_value(canonical_bytes(&mut s)),
                (None, Role::Build) => out.append_value(&empty),
                (None, _) => out.append_null(),
            }
        }
        Ok(Arc::new(out.finish()))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let groups = self.take(emit_to);
        let mut out = BinaryBuilder::new();
        for group in groups {
            match group {
                Some(mut s) => out.append_value(canonical_bytes(&mut s)),
                None => out.append_null(),
            }
        }
        Ok(vec![Arc::new(out.finish())])
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let array = &values[0];
        let sel = selection(array, opt_filter);
        let mut out = BinaryBuilder::new();
        let selected = |i: usize| sel.as_ref().is_none_or(|s| s.is_valid(i));
        if self.role == Role::Union {
            let mut next = 0;
            for_each_binary(self.function, array, |i, bytes| {
                for _ in next..i {
                    out.append_null();
                }
                if selected(i) {
                    out.append_value(bytes);
                } else {
                    out.append_null();
                }
                next = i + 1;
                Ok(())
            })?;
            for _ in next..array.len() {
                out.append_null();
            }
        } else {
            let mut hashes = Vec::new();
            hash_rows(self.function, array, Hash64(DEFAULT_SEED), &mut hashes)?;
            for (i, &h) in hashes.iter().enumerate() {
                if selected(i) {
                    let mut one = self.proto.clone();
                    one.insert_hash(h);
                    out.append_value(canonical_bytes(&mut one));
                } else {
                    out.append_null();
                }
            }
        }
        Ok(vec![Arc::new(out.finish())])
    }

    fn size(&self) -> usize {
        self.groups.capacity() * size_of::<Option<S>>()
            + self.sizes.capacity() * size_of::<u32>()
            + self.marked.capacity()
            + self.touched.capacity() * size_of::<usize>()
            + self.hashes.capacity() * size_of::<u64>()
            + self.heap
    }
}
