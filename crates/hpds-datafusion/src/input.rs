//! The values a sketch counts: which Arrow types are accepted and how each row is hashed.
//!
//! Every value hashes as the Rust API hashes the same value through [`hpds_core::Item`]:
//! strings by their UTF-8 bytes, binary values by their bytes, integers by their fixed-width
//! little-endian bytes (`Int8` one byte, `Int64` eight), dates and times as their `i32` or
//! `i64`, booleans as one byte. So `hll_sketch(name)` over a `Utf8` column equals a
//! `HyperLogLogPlusPlus` built with `insert(&name)` on the same strings, and a `Utf8View` or
//! `LargeUtf8` column gives the same sketch as `Utf8`.

use datafusion::arrow::array::{Array, AsArray, BooleanArray};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, Date32Type, Date64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, Time32MillisecondType, Time32SecondType, Time64MicrosecondType,
    Time64NanosecondType, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::common::{DataFusionError, Result, exec_err, plan_err};
use hpds_core::Item;

/// How a row's value becomes a hash: 64 bits for the distinct counters, 128 for Bloom filters.
pub(crate) trait RowHash: Copy {
    /// The hash type.
    type Out: Copy + Default;
    /// The hash of one value.
    fn hash<T: Item + ?Sized>(self, value: &T) -> Self::Out;
}

/// The 64-bit stable hash with a seed.
#[derive(Clone, Copy)]
pub(crate) struct Hash64(pub u64);

impl RowHash for Hash64 {
    type Out = u64;
    #[inline]
    fn hash<T: Item + ?Sized>(self, value: &T) -> u64 {
        value.stable_hash(self.0)
    }
}

/// The 128-bit stable hash with a seed.
#[derive(Clone, Copy)]
pub(crate) struct Hash128(pub u64);

impl RowHash for Hash128 {
    type Out = u128;
    #[inline]
    fn hash<T: Item + ?Sized>(self, value: &T) -> u128 {
        value.stable_hash128(self.0)
    }
}

/// The type a value argument of `function` is planned as: the type itself when it can be
/// hashed, a dictionary's value type (DataFusion casts), or a planning error that lists the
/// accepted types.
pub(crate) fn coerce_value_type(function: &str, data_type: &DataType) -> Result<DataType> {
    match data_type {
        DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_)
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Date32
        | DataType::Date64
        | DataType::Time32(_)
        | DataType::Time64(_)
        | DataType::Timestamp(_, _)
        | DataType::Boolean
        // A bare NULL literal: every row is NULL, nothing is counted.
        | DataType::Null => Ok(data_type.clone()),
        DataType::Dictionary(_, value) => coerce_value_type(function, value),
        other => plan_err!(
            "{function}: cannot count values of type {other}; pass a string, binary, integer, \
             date, time, timestamp or boolean expression (cast other types, e.g. \
             CAST(x AS VARCHAR))"
        ),
    }
}

/// Fills `out` with the hash of every row of `array` (rows that are NULL get an arbitrary
/// value: callers skip them by the array's null mask).
pub(crate) fn hash_rows<H: RowHash>(
    function: &str,
    array: &dyn Array,
    hasher: H,
    out: &mut Vec<H::Out>,
) -> Result<()> {
    out.clear();
    out.reserve(array.len());
    let mismatch = || -> DataFusionError {
        DataFusionError::Internal(format!(
            "{function}: array does not match its type {}",
            array.data_type()
        ))
    };
    macro_rules! each {
        ($a:expr) => {{
            let a = $a.ok_or_else(mismatch)?;
            out.extend((0..a.len()).map(|i| hasher.hash(a.value(i))));
        }};
    }
    match array.data_type() {
        DataType::Utf8 => each!(array.as_string_opt::<i32>()),
        DataType::LargeUtf8 => each!(array.as_string_opt::<i64>()),
        DataType::Utf8View => each!(array.as_string_view_opt()),
        DataType::Binary => each!(array.as_binary_opt::<i32>()),
        DataType::LargeBinary => each!(array.as_binary_opt::<i64>()),
        DataType::BinaryView => each!(array.as_binary_view_opt()),
        DataType::FixedSizeBinary(_) => each!(array.as_fixed_size_binary_opt()),
        DataType::Boolean => {
            let a: &BooleanArray = array.as_boolean_opt().ok_or_else(mismatch)?;
            out.extend((0..a.len()).map(|i| hasher.hash(&a.value(i))));
        }
        DataType::Int8 => primitive::<Int8Type, H>(array, hasher, out).ok_or_else(mismatch)?,
        DataType::Int16 => primitive::<Int16Type, H>(array, hasher, out).ok_or_else(mismatch)?,
        DataType::Int32 => primitive::<Int32Type, H>(array, hasher, out).ok_or_else(mismatch)?,
        DataType::Int64 => primitive::<Int64Type, H>(array, hasher, out).ok_or_else(mismatch)?,
        DataType::UInt8 => primitive::<UInt8Type, H>(array, hasher, out).ok_or_else(mismatch)?,
        DataType::UInt16 => {
            primitive::<UInt16Type, H>(array, hasher, out).ok_or_else(mismatch)?;
        }
        DataType::UInt32 => {
            primitive::<UInt32Type, H>(array, hasher, out).ok_or_else(mismatch)?;
        }
        DataType::UInt64 => {
            primitive::<UInt64Type, H>(array, hasher, out).ok_or_else(mismatch)?;
        }
        DataType::Date32 => primitive::<Date32Type, H>(array, hasher, out).ok_or_else(mismatch)?,
        DataType::Date64 => primitive::<Date64Type, H>(array, hasher, out).ok_or_else(mismatch)?,
        DataType::Time32(TimeUnit::Second) => {
            primitive::<Time32SecondType, H>(array, hasher, out).ok_or_else(mismatch)?;
        }
        DataType::Time32(_) => {
            primitive::<Time32MillisecondType, H>(array, hasher, out).ok_or_else(mismatch)?;
        }
        DataType::Time64(TimeUnit::Microsecond) => {
            primitive::<Time64MicrosecondType, H>(array, hasher, out).ok_or_else(mismatch)?;
        }
        DataType::Time64(_) => {
            primitive::<Time64NanosecondType, H>(array, hasher, out).ok_or_else(mismatch)?;
        }
        DataType::Timestamp(unit, _) => match unit {
            TimeUnit::Second => primitive::<TimestampSecondType, H>(array, hasher, out),
            TimeUnit::Millisecond => primitive::<TimestampMillisecondType, H>(array, hasher, out),
            TimeUnit::Microsecond => primitive::<TimestampMicrosecondType, H>(array, hasher, out),
            TimeUnit::Nanosecond => primitive::<TimestampNanosecondType, H>(array, hasher, out),
        }
        .ok_or_else(mismatch)?,
        DataType::Null => out.resize(array.len(), H::Out::default()),
        other => return exec_err!("{function}: cannot count values of type {other}"),
    }
    Ok(())
}

/// Hashes a primitive array's values (the native integer's own little-endian bytes); `None`
/// if the array is not of type `T`.
fn primitive<T, H>(array: &dyn Array, hasher: H, out: &mut Vec<H::Out>) -> Option<()>
where
    T: ArrowPrimitiveType,
    T::Native: Item,
    H: RowHash,
{
    let values = array.as_primitive_opt::<T>()?.values();
    let start = out.len();
    out.resize(start + values.len(), H::Out::default());
    for (slot, v) in out[start..].iter_mut().zip(values.iter()) {
        *slot = hasher.hash(v);
        // Keeps the loop scalar: vectorized without 64-bit multiplies (x86-64's baseline SSE2
        // has none), xxh3 of an integer takes about a third more time per value.
        std::hint::black_box(&*slot);
    }
    Some(())
}

/// The rows that count: not NULL and, with a filter (`FILTER (WHERE ...)`), selected by it.
/// `None` means every row.
pub(crate) fn selection(array: &dyn Array, filter: Option<&BooleanArray>) -> Option<NullBuffer> {
    let filter = filter.map(|f| {
        let selected = match f.nulls() {
            Some(nulls) => f.values() & nulls.inner(),
            None => f.values().clone(),
        };
        NullBuffer::new(selected)
    });
    NullBuffer::union(filter.as_ref(), array.logical_nulls().as_ref())
}

/// Calls `f` with the index of every row of `len` rows that `selection` keeps.
#[inline]
pub(crate) fn for_each_selected(
    len: usize,
    selection: Option<&NullBuffer>,
    mut f: impl FnMut(usize) -> Result<()>,
) -> Result<()> {
    match selection {
        None => (0..len).try_for_each(f),
        Some(nulls) if nulls.null_count() == len => Ok(()),
        Some(nulls) => nulls.valid_indices().try_for_each(&mut f),
    }
}
