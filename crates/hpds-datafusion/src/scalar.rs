//! Scalar functions over stored sketches: estimates, Jaccard similarity and intersections.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Builder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use hpds_kmv::Kmv;
use hpds_loglog::{HyperLogLogPlusPlus, UltraLogLog};

use crate::args::{binary_at, check_count, coerce_sketch_type};
use crate::sketch::{Sketch, decode};

/// What a scalar function computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    /// `hll_estimate(sketch)`.
    HllEstimate,
    /// `ull_estimate(sketch)`.
    UllEstimate,
    /// `kmv_estimate(sketch)`.
    KmvEstimate,
    /// `kmv_jaccard(a, b)`.
    KmvJaccard,
    /// `kmv_intersection(a, b)`.
    KmvIntersection,
}

/// A scalar function of one or two sketches returning `Float64` (NULL if a sketch is NULL).
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct SketchScalar {
    name: &'static str,
    op: Op,
    signature: Signature,
}

impl SketchScalar {
    pub(crate) fn new(name: &'static str, op: Op) -> Self {
        Self {
            name,
            op,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    fn arity(&self) -> usize {
        match self.op {
            Op::HllEstimate | Op::UllEstimate | Op::KmvEstimate => 1,
            Op::KmvJaccard | Op::KmvIntersection => 2,
        }
    }
}

impl ScalarUDFImpl for SketchScalar {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let usage = if self.arity() == 1 {
            "one argument (a sketch)"
        } else {
            "two arguments (two sketches)"
        };
        check_count(self.name, usage, arg_types.len(), &[self.arity()])?;
        arg_types
            .iter()
            .map(|t| coerce_sketch_type(self.name, t))
            .collect()
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<Result<Vec<ArrayRef>>>()?;
        let name = self.name;
        let out = match self.op {
            Op::HllEstimate => unary::<HyperLogLogPlusPlus>(name, &arrays, rows)?,
            Op::UllEstimate => unary::<UltraLogLog>(name, &arrays, rows)?,
            Op::KmvEstimate => unary::<Kmv>(name, &arrays, rows)?,
            Op::KmvJaccard => binary(name, &arrays, rows, Kmv::jaccard)?,
            Op::KmvIntersection => binary(name, &arrays, rows, Kmv::intersection_estimate)?,
        };
        Ok(ColumnarValue::Array(out))
    }
}

/// The estimate of every row's sketch.
fn unary<S: Sketch>(name: &str, arrays: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
    let mut out = Float64Builder::with_capacity(rows);
    let column = arrays
        .first()
        .ok_or_else(|| DataFusionError::Plan(format!("{name} takes one argument")))?;
    for i in 0..rows {
        match binary_at(column.as_ref(), i) {
            Some(bytes) => out.append_value(decode::<S>(name, S::NAME, bytes)?.estimate()),
            None => out.append_null(),
        }
    }
    Ok(Arc::new(out.finish()))
}

/// `f(a, b)` of every row's two KMV sketches.
fn binary(
    name: &str,
    arrays: &[ArrayRef],
    rows: usize,
    f: fn(&Kmv, &Kmv) -> hpds_core::Result<f64>,
) -> Result<ArrayRef> {
    let [a, b] = arrays else {
        return Err(DataFusionError::Plan(format!("{name} takes two arguments")));
    };
    let mut out = Float64Builder::with_capacity(rows);
    // A constant argument (a sketch from a scalar subquery) repeats its bytes on every row.
    let mut last_a: Option<(Vec<u8>, Kmv)> = None;
    for i in 0..rows {
        let (Some(x), Some(y)) = (binary_at(a.as_ref(), i), binary_at(b.as_ref(), i)) else {
            out.append_null();
            continue;
        };
        let ka = match &last_a {
            Some((bytes, k)) if bytes.as_slice() == x => k.clone(),
            _ => {
                let k: Kmv = decode(name, "KMV", x)?;
                last_a = Some((x.to_vec(), k.clone()));
                k
            }
        };
        let kb: Kmv = decode(name, "KMV", y)?;
        let v = f(&ka, &kb).map_err(|e| {
            DataFusionError::Execution(format!("{name}: cannot compare the sketches: {e}"))
        })?;
        out.append_value(v);
    }
    Ok(Arc::new(out.finish()))
}
