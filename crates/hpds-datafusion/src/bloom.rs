//! Bloom filters: `bloom_sketch(expr, expected_items, rate)`, `bloom_union(filter)` and
//! `bloom_contains(filter, expr)`.

use std::mem::size_of;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, BooleanBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature,
    Volatility,
};
use hpds_bloom::BloomFilter;
use hpds_core::{ByteCodec, HeapSize};

use crate::args::{
    binary_at, check_count, coerce_float_param, coerce_int_param, coerce_sketch_type,
    constant_float, constant_int, for_each_binary, param_error,
};
use crate::input::{Hash128, coerce_value_type, for_each_selected, hash_rows, selection};
use crate::sketch::decode;

/// Whether the aggregate builds filters from values or unions filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Role {
    Build,
    Union,
}

/// `bloom_sketch` or `bloom_union`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct BloomUdaf {
    name: &'static str,
    role: Role,
    signature: Signature,
}

impl BloomUdaf {
    /// `bloom_sketch(expr, expected_items, rate)`.
    pub(crate) fn sketch() -> Self {
        Self {
            name: "bloom_sketch",
            role: Role::Build,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    /// `bloom_union(filter)`.
    pub(crate) fn union() -> Self {
        Self {
            name: "bloom_union",
            role: Role::Union,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl AggregateUDFImpl for BloomUdaf {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match self.role {
            Role::Build => {
                check_count(
                    self.name,
                    "(expr, expected_items, rate)",
                    arg_types.len(),
                    &[3],
                )?;
                Ok(vec![
                    coerce_value_type(self.name, &arg_types[0])?,
                    coerce_int_param(self.name, "expected_items", &arg_types[1])?,
                    coerce_float_param(self.name, "rate", &arg_types[2])?,
                ])
            }
            Role::Union => {
                check_count(self.name, "one argument (a filter)", arg_types.len(), &[1])?;
                Ok(vec![coerce_sketch_type(self.name, &arg_types[0])?])
            }
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Binary)
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "filter"),
            DataType::Binary,
            true,
        ))])
    }

    fn accumulator(&self, args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        let proto = match self.role {
            Role::Build => {
                let n = constant_int(self.name, "expected_items", &args.exprs[1])?;
                let rate = constant_float(self.name, "rate", &args.exprs[2])?;
                let n = u64::try_from(n).map_err(|_| {
                    DataFusionError::Plan(format!(
                        "{}: expected_items must be positive, got {n}",
                        self.name
                    ))
                })?;
                Some(BloomFilter::new(n, rate).map_err(|e| param_error(self.name, &e))?)
            }
            Role::Union => None,
        };
        Ok(Box::new(BloomAccumulator {
            function: self.name,
            proto,
            filter: None,
            hashes: Vec::new(),
        }))
    }
}

/// One group's filter.
#[derive(Debug)]
struct BloomAccumulator {
    function: &'static str,
    /// The empty filter of `bloom_sketch`'s parameters (`None` for `bloom_union`).
    proto: Option<BloomFilter>,
    filter: Option<BloomFilter>,
    hashes: Vec<u128>,
}

impl BloomAccumulator {
    fn merge_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        let other: BloomFilter = decode(self.function, "Bloom filter", bytes)?;
        match &mut self.filter {
            None => self.filter = Some(other),
            Some(f) => f.union(&other).map_err(|e| {
                DataFusionError::Execution(format!(
                    "{}: cannot combine the filters: {e}",
                    self.function
                ))
            })?,
        }
        Ok(())
    }

    fn output(&self) -> Option<Vec<u8>> {
        self.filter
            .as_ref()
            .or(self.proto.as_ref())
            .map(ByteCodec::to_bytes)
    }
}

impl Accumulator for BloomAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let array = &values[0];
        let Some(proto) = &self.proto else {
            let function = self.function;
            let mut filters = Vec::new();
            for_each_binary(function, array, |_, bytes| {
                filters.push(bytes.to_vec());
                Ok(())
            })?;
            return filters.iter().try_for_each(|b| self.merge_bytes(b));
        };
        hash_rows(self.function, array, Hash128(proto.seed()), &mut self.hashes)?;
        let sel = selection(array, None);
        let (hashes, filter) = (&self.hashes, &mut self.filter);
        for_each_selected(array.len(), sel.as_ref(), |i| {
            filter
                .get_or_insert_with(|| proto.clone())
                .insert_hash128(hashes[i]);
            Ok(())
        })
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let mut filters = Vec::new();
        for_each_binary(self.function, &states[0], |_, bytes| {
            filters.push(bytes.to_vec());
            Ok(())
        })?;
        filters.iter().try_for_each(|b| self.merge_bytes(b))
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(
            self.filter.as_ref().map(ByteCodec::to_bytes),
        )])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(self.output()))
    }

    fn size(&self) -> usize {
        size_of::<Self>()
            + self.proto.as_ref().map_or(0, HeapSize::heap_bytes)
            + self.filter.as_ref().map_or(0, HeapSize::heap_bytes)
            + self.hashes.capacity() * size_of::<u128>()
    }
}

/// `bloom_contains(filter, expr)`: whether the filter (probably) holds the value; NULL when
/// either is NULL.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct BloomContains {
    signature: Signature,
}

impl BloomContains {
    pub(crate) fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

const CONTAINS: &str = "bloom_contains";

impl ScalarUDFImpl for BloomContains {
    fn name(&self) -> &str {
        CONTAINS
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        check_count(CONTAINS, "(filter, expr)", arg_types.len(), &[2])?;
        Ok(vec![
            coerce_sketch_type(CONTAINS, &arg_types[0])?,
            coerce_value_type(CONTAINS, &arg_types[1])?,
        ])
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let [filters, values] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(format!(
                "{CONTAINS} takes (filter, expr)"
            )));
        };
        let values = values.to_array(rows)?;
        // A constant filter (the usual case: a literal or a scalar subquery) is decoded once.
        let constant = match filters {
            ColumnarValue::Scalar(s) => match binary_scalar(s) {
                Some(bytes) => Some(decode::<BloomFilter>(CONTAINS, "Bloom filter", bytes)?),
                None => return Ok(ColumnarValue::Array(null_booleans(rows))),
            },
            ColumnarValue::Array(_) => None,
        };
        let seed = constant
            .as_ref()
            .map_or(hpds_core::hash::DEFAULT_SEED, BloomFilter::seed);
        let mut hashes = Vec::new();
        hash_rows(CONTAINS, values.as_ref(), Hash128(seed), &mut hashes)?;
        let value_nulls = values.logical_nulls();
        let mut out = BooleanBuilder::with_capacity(rows);
        // The last decoded filter of a filter column, reused while rows repeat its bytes.
        let mut cached: Option<(Vec<u8>, BloomFilter)> = None;
        for (i, &h) in hashes.iter().enumerate() {
            if value_nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                out.append_null();
                continue;
            }
            let filter = match (&constant, filters) {
                (Some(f), _) => f,
                (None, ColumnarValue::Array(col)) => {
                    let Some(bytes) = binary_at(col.as_ref(), i) else {
                        out.append_null();
                        continue;
                    };
                    match &mut cached {
                        Some((b, f)) if b.as_slice() == bytes => &*f,
                        slot => {
                            let f = decode::<BloomFilter>(CONTAINS, "Bloom filter", bytes)?;
                            &slot.insert((bytes.to_vec(), f)).1
                        }
                    }
                }
                (None, ColumnarValue::Scalar(_)) => {
                    out.append_null();
                    continue;
                }
            };
            // Filters of another seed hash the value with it (the hash above used the default).
            let h = if filter.seed() == seed {
                h
            } else {
                hash_one(values.as_ref(), i, filter.seed())?
            };
            out.append_value(filter.contains_hash128(h));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// The 128-bit hash of row `i` with another seed.
fn hash_one(values: &dyn Array, i: usize, seed: u64) -> Result<u128> {
    let mut one = Vec::with_capacity(1);
    hash_rows(CONTAINS, values.slice(i, 1).as_ref(), Hash128(seed), &mut one)?;
    Ok(one[0])
}

/// The bytes of a binary scalar (`None` for NULL).
pub(crate) fn binary_scalar(value: &ScalarValue) -> Option<&[u8]> {
    match value {
        ScalarValue::Binary(b) | ScalarValue::LargeBinary(b) | ScalarValue::BinaryView(b) => {
            b.as_deref()
        }
        _ => None,
    }
}

fn null_booleans(rows: usize) -> ArrayRef {
    Arc::new(BooleanArray::new_null(rows))
}
