//! The distinct-counting aggregates: `*_sketch` (values to a sketch), `*_union` (sketches to
//! their union) and `approx_distinct_hll` (values to an estimate), for HyperLogLog++,
//! UltraLogLog and KMV.

use std::mem::size_of;

use datafusion::arrow::array::{ArrayRef, BinaryBuilder, BooleanArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, GroupsAccumulator, Signature, Volatility,
};
use hpds_core::hash::DEFAULT_SEED;
use hpds_kmv::Kmv;
use hpds_loglog::{HyperLogLogPlusPlus, UltraLogLog};

use crate::args::{
    check_count, coerce_int_param, coerce_sketch_type, constant_int, for_each_binary, param_error,
};
use crate::groups::SketchGroups;
use crate::input::{Hash64, coerce_value_type, for_each_selected, hash_rows, selection};
use crate::sketch::{BULK_RUN, Sketch, canonical_bytes, decode, merge_error};
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

    fn accumulator_of<S: Sketch>(
        &self,
        args: &AccumulatorArgs<'_>,
    ) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SketchAccumulator {
            function: self.name,
            role: self.role,
            proto: self.prototype::<S>(args)?,
            sketch: None,
            bulk: None,
            hashes: Vec::new(),
        }))
    }

    fn groups_accumulator_of<S: Sketch>(
        &self,
        args: &AccumulatorArgs<'_>,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(SketchGroups::new(
            self.name,
            self.role,
            self.prototype::<S>(args)?,
        )))
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
pub(crate) fn merge_bytes<S: Sketch>(
    function: &str,
    slot: &mut Option<S>,
    bytes: &[u8],
) -> Result<()> {
    let other: S = decode(function, S::NAME, bytes)?;
    match slot {
        None => *slot = Some(other),
        Some(s) => s
            .merge_from(&other)
            .map_err(|e| merge_error(function, &e))?,
    }
    Ok(())
}

/// The output of a group: its canonical sketch's bytes (an empty sketch if it saw no values),
/// the union (NULL if it saw no sketches), or the estimate.
pub(crate) fn finish<S: Sketch>(role: Role, proto: &S, sketch: Option<S>) -> ScalarValue {
    match (role, sketch) {
        (Role::Build, s) => ScalarValue::Binary(Some(canonical_bytes(
            &mut s.unwrap_or_else(|| proto.clone()),
        ))),
        (Role::Union, s) => ScalarValue::Binary(s.map(|mut s| canonical_bytes(&mut s))),
        (Role::Distinct, s) => ScalarValue::UInt64(Some(s.map_or(0, |mut s| {
            s.canonicalize();
            s.estimate().round() as u64
        }))),
    }
}

/// The accumulator of one group (no `GROUP BY`, or window frames).
#[derive(Debug)]
struct SketchAccumulator<S: Sketch> {
    function: &'static str,
    role: Role,
    /// The empty sketch with the call's parameter.
    proto: S,
    /// `None` until a value (or sketch) arrives.
    sketch: Option<S>,
    /// The bulk form the sketch's inserts go to once a batch brought [`BULK_RUN`] rows: the
    /// sketch is that plus itself, and gets it folded back before it is read or merged into.
    bulk: Option<S::Bulk>,
    hashes: Vec<u64>,
}

impl<S: Sketch> SketchAccumulator<S> {
    /// The sketch, its bulk form folded in.
    fn folded(&mut self) -> Option<&mut S> {
        let sketch = self.sketch.as_mut()?;
        if let Some(bulk) = self.bulk.take() {
            sketch.fold_bulk(&bulk);
        }
        Some(sketch)
    }
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
        let rows = sel
            .as_ref()
            .map_or(array.len(), |s| s.len() - s.null_count());
        if rows == 0 {
            return Ok(());
        }
        let sketch = self.sketch.get_or_insert_with(|| self.proto.clone());
        if self.bulk.is_none() && rows >= BULK_RUN {
            self.bulk = sketch.bulk();
        }
        let hashes = &self.hashes;
        match (&mut self.bulk, sel.as_ref()) {
            (Some(bulk), None) => S::bulk_insert(bulk, hashes),
            (None, None) => sketch.insert_hashes(hashes),
            (Some(bulk), sel) => for_each_selected(array.len(), sel, |i| {
                S::bulk_insert_one(bulk, hashes[i]);
                Ok(())
            })?,
            (None, sel) => for_each_selected(array.len(), sel, |i| {
                sketch.insert_hash(hashes[i]);
                Ok(())
            })?,
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.folded();
        for_each_binary(self.function, &states[0], |_, bytes| {
            merge_bytes(self.function, &mut self.sketch, bytes)
        })
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(
            self.folded().map(canonical_bytes),
        )])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let sketch = self.folded().cloned();
        Ok(finish(self.role, &self.proto, sketch))
    }

    fn size(&self) -> usize {
        size_of::<Self>()
            + self.proto.heap_bytes()
            + self
                .sketch
                .as_ref()
                .map_or(0, hpds_core::HeapSize::heap_bytes)
            + self
                .bulk
                .as_ref()
                .map_or(0, hpds_core::HeapSize::heap_bytes)
            + self.hashes.capacity() * size_of::<u64>()
    }
}

/// Each row as its own state (DataFusion skips partial aggregation when the groups are
/// nearly as many as the rows): a one-item sketch per value, the sketch itself per sketch.
pub(crate) fn convert_to_state<S: Sketch>(
    function: &'static str,
    role: Role,
    proto: &S,
    values: &[ArrayRef],
    opt_filter: Option<&BooleanArray>,
) -> Result<Vec<ArrayRef>> {
    let array = &values[0];
    let sel = selection(array, opt_filter);
    let mut out = BinaryBuilder::new();
    let selected = |i: usize| sel.as_ref().is_none_or(|s| s.is_valid(i));
    if role == Role::Union {
        let mut next = 0;
        for_each_binary(function, array, |i, bytes| {
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
        hash_rows(function, array, Hash64(DEFAULT_SEED), &mut hashes)?;
        for (i, &h) in hashes.iter().enumerate() {
            if selected(i) {
                let mut one = proto.clone();
                one.insert_hash(h);
                out.append_value(canonical_bytes(&mut one));
            } else {
                out.append_null();
            }
        }
    }
    Ok(vec![Arc::new(out.finish())])
}
